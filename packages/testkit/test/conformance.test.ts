/**
 * The suite run against a minimal plugin and a minimal server, so a change to the suite is
 * exercised here before it reaches provider packages.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiKey, defineAction, defineProvider } from '@oxygen/core';
import { z } from 'zod';
import { describeConformance } from '../src/index.js';

const KEY = 'echo-secret-key-123456';

const plugin = defineProvider({
  apiVersion: 1,
  id: 'echo',
  name: 'Echo',
  baseUrl: 'https://echo.invalid',
  auth: { byok: [apiKey({ label: 'Echo key' })] },
  verify: async (ctx) => ({ accountLabel: (await ctx.http.get('me').json<{ name: string }>()).name }),
  actions: [
    defineAction({
      slug: 'message.send',
      title: 'Send a message',
      description: 'Echoes a message back.',
      input: z.object({ text: z.string() }),
      output: z.object({ id: z.string(), text: z.string() }),
      authModes: ['byok'],
      credits: 1,
      effect: 'write',
      mirror: { recordId: (o) => o.id, label: 'echo_message_id' },
      run: async (input, ctx) => ctx.http.post('messages', { json: input }).json(),
    }),
  ],
});

describeConformance({
  plugin,
  sandbox: async () => {
    const requests: { method: string; path: string; body?: unknown }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        requests.push({ method: req.method!, path: req.url!, body: body ? JSON.parse(body) : undefined });
        res.setHeader('content-type', 'application/json');
        if (req.headers.authorization !== `Bearer ${KEY}`) {
          res.statusCode = 401;
          return res.end('{"message":"bad key"}');
        }
        if (req.url === '/me') return res.end('{"name":"Echo workspace"}');
        res.end(JSON.stringify({ id: String(requests.length), ...JSON.parse(body) }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credential: { type: 'api_key', key: KEY },
      badCredential: { type: 'api_key', key: 'echo-wrong-key-000000' },
      requestCount: () => requests.length,
      requests: () => requests,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  },
  samples: { 'message.send': { text: 'hello' } },
});
