import { randomBytes } from 'node:crypto';
import { it } from 'vitest';
import { createRuntime } from '../src/index.js';
// @ts-expect-error js
import { signHookly } from '../test/fixtures/hookly/index.js';
import { startHookly } from '../test/fixtures/hookly-server.js';
import { fixture } from '../test/runtime.suite.js';

it('perf', async () => {
  const hookly = await startHookly();
  const schema = `perf_${randomBytes(4).toString('hex')}`;
  const url = process.env.PG ? 'postgres://postgres@127.0.0.1:5432/test' : undefined;
  const rt = await createRuntime({
    databaseUrl: url,
    schema,
    home: `/tmp/perf/${schema}`,
    plugins: [fixture('hookly')],
    publicUrl: 'https://x',
    env: {
      OXYGEN_PROVIDER_HOOKLY_BASE_URL: hookly.url,
      OXYGEN_MASTER_KEY: randomBytes(32).toString('base64'),
    },
  });
  const o = rt.org('perf');
  await o.connect('hookly', { apiKey: hookly.apiKey });
  const { subscription } = await o.events.enable({ source: 'hookly', event: 'ticket.created' });
  await o.triggers.add({ source: 'hookly', event: 'ticket.created', url: 'http://127.0.0.1:9/x' });
  const hook = [...hookly.webhooks.values()][0]!;
  const endpoint = subscription.url.split('/').at(-1)!;
  const req = (i: number) => {
    const body = JSON.stringify({
      id: `ev_${i}`,
      type: 'ticket_created',
      created_at: '2026-11-25T10:00:00Z',
      data: { ticket_id: 't', subject: 's' },
    });
    const ts = String(Math.floor(Date.now() / 1000));
    return {
      method: 'POST',
      url: subscription.url,
      headers: { 'x-hookly-timestamp': ts, 'x-hookly-signature': signHookly(hook.secret, ts, body) },
      rawBody: Buffer.from(body),
    };
  };
  await rt.receiveWebhook('hookly', endpoint, req(-1));
  const N = 2000;
  const C = 32;
  const t = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next < N) {
        const i = next++;
        await rt.receiveWebhook('hookly', endpoint, req(i));
      }
    }),
  );
  const ms = performance.now() - t;
  console.log(url ? 'pg' : 'sqlite', Math.round(N / (ms / 1000)), 'events/s');
  await rt.close();
  await hookly.close();
}, 120000);
