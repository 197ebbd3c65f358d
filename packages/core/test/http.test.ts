import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthError,
  ConflictError,
  createHttpContext,
  isDryRunHalt,
  NetworkError,
  OxygenError,
  ProviderError,
  RateLimitError,
  type RecordedRequest,
} from '../src/index.js';

const SECRET = 'pat-na1-test-secret-value-1234';
type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
let handler: Handler = (_req, res) => res.end('{}');
const seen: { method: string; url: string; auth: string | undefined; body: string }[] = [];
let baseUrl = '';
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
    res.setHeader('content-type', 'application/json');
    handler(req, res, body);
  });
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const provider = {
  id: 'acme',
  name: 'Acme',
  requestIdHeader: 'x-acme-request-id',
  parseError: (body: unknown) => {
    const b = body as { message?: string; correlationId?: string };
    return { message: b.message, requestId: b.correlationId };
  },
};

async function failure(p: Promise<unknown>): Promise<OxygenError> {
  return p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: OxygenError) => e,
  );
}

function ctx(extra: Partial<Parameters<typeof createHttpContext>[0]> = {}) {
  return createHttpContext({
    provider,
    baseUrl,
    headers: { authorization: `Bearer ${SECRET}` },
    secrets: [SECRET],
    retry: { baseDelayMs: 5 },
    ...extra,
  });
}

describe('createHttpContext', () => {
  it('sends relative paths under the base URL with the auth header and records the call', async () => {
    seen.length = 0;
    handler = (_req, res) => {
      res.setHeader('x-acme-request-id', 'req-1');
      res.end(JSON.stringify({ ok: true }));
    };
    const { http, calls } = ctx();
    expect(await http.get('v1/me').json()).toEqual({ ok: true });
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/api/v1/me', auth: `Bearer ${SECRET}` });
    expect(calls).toEqual([
      expect.objectContaining({ method: 'GET', status: 200, requestId: 'req-1', attempts: 1 }),
    ]);
  });

  it('maps provider errors to typed errors with the provider message and request id, redacted', async () => {
    handler = (_req, res) => {
      res.statusCode = 409;
      res.end(
        JSON.stringify({ message: `Contact exists; your token ${SECRET} is fine`, correlationId: 'c-9' }),
      );
    };
    const err = await failure(
      ctx()
        .http.post('v1/contacts', { json: { a: 1 } })
        .json(),
    );
    expect(ConflictError.isInstance(err)).toBe(true);
    expect(err.requestId).toBe('c-9');
    expect(err.status).toBe(409);
    expect(err.message).toContain('Acme answered 409 Conflict: Contact exists');
    expect(err.message).not.toContain(SECRET);
    expect(JSON.stringify(err.toJSON())).not.toContain(SECRET);
  });

  it('maps 401 to an auth error that says to reconnect', async () => {
    handler = (_req, res) => {
      res.statusCode = 401;
      res.end(JSON.stringify({ message: 'Authentication credentials not found.' }));
    };
    const err = await failure(ctx().http.get('v1/me'));
    expect(AuthError.isInstance(err)).toBe(true);
    expect(err.hint).toContain('oxygen integrations connect acme');
  });

  it('retries a 429 (even on POST) honouring Retry-After, then succeeds', async () => {
    seen.length = 0;
    let n = 0;
    handler = (_req, res) => {
      n++;
      if (n <= 2) {
        res.statusCode = 429;
        res.setHeader('retry-after', '0.05');
        res.end(JSON.stringify({ message: 'slow down' }));
      } else res.end(JSON.stringify({ done: true }));
    };
    const started = Date.now();
    const { http, calls } = ctx();
    expect(await http.post('v1/search', { json: {} }).json()).toEqual({ done: true });
    expect(seen).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(calls).toEqual([expect.objectContaining({ status: 200, attempts: 3 })]);
  });

  it('gives up on a 429 after the retry limit with a rate-limit error', async () => {
    seen.length = 0;
    handler = (_req, res) => {
      res.statusCode = 429;
      res.end(JSON.stringify({ message: 'daily limit' }));
    };
    const err = await failure(ctx({ retry: { limit: 2, baseDelayMs: 1 } }).http.get('v1/x'));
    expect(RateLimitError.isInstance(err)).toBe(true);
    expect(seen).toHaveLength(3);
  });

  it('does not retry a 5xx on a non-idempotent POST unless allowed', async () => {
    seen.length = 0;
    handler = (_req, res) => {
      res.statusCode = 500;
      res.end('oops');
    };
    const err = await failure(ctx().http.post('v1/contacts', { json: {} }));
    expect(ProviderError.isInstance(err)).toBe(true);
    expect(seen).toHaveLength(1);
    seen.length = 0;
    await ctx({ retry: { baseDelayMs: 1, retryUnsafe: true } })
      .http.post('v1/contacts', { json: {} })
      .catch(() => undefined);
    expect(seen).toHaveLength(4);
  });

  it('records requests in a dry run, redacted, and sends nothing', async () => {
    seen.length = 0;
    const recorder: RecordedRequest[] = [];
    const err = await failure(
      ctx({ recorder }).http.post('v1/contacts', {
        json: { email: 'a@b.co', note: `key ${SECRET}` },
        searchParams: { x: '1' },
      }),
    );
    expect(isDryRunHalt(err)).toBe(true);
    expect(seen).toHaveLength(0);
    expect(recorder).toEqual([
      {
        method: 'POST',
        url: `${baseUrl}/v1/contacts?x=1`,
        headers: expect.objectContaining({
          authorization: 'Bearer [REDACTED]',
          'content-type': 'application/json',
        }),
        body: { email: 'a@b.co', note: 'key [REDACTED]' },
      },
    ]);
    expect(JSON.stringify(recorder)).not.toContain(SECRET);
  });

  it('reports an unreachable provider as a network error naming the host', async () => {
    const err = await failure(
      createHttpContext({ provider, baseUrl: 'http://127.0.0.1:1', retry: { limit: 0 } }).http.get('x'),
    );
    expect(NetworkError.isInstance(err)).toBe(true);
    expect(err.message).toContain('Could not reach Acme at http://127.0.0.1:1');
    expect(OxygenError.isInstance(err)).toBe(true);
  });

  it('waits on the rate limiter before every attempt', async () => {
    handler = (_req, res) => res.end('{}');
    const paths: string[] = [];
    const { http } = ctx({
      rateLimiter: async (path) => {
        paths.push(path);
      },
    });
    await http.get('v1/contacts/search');
    expect(paths).toEqual(['v1/contacts/search']);
  });
});
