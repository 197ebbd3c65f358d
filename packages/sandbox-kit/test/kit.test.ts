import { describe, expect, it } from 'vitest';
import { FailureQueue, parseJson, queryObject, readRequest, send, serve } from '../src/index.js';

describe('serve and readRequest', () => {
  it('describes the request, answers JSON and closes keep-alive connections', async () => {
    const seen: unknown[] = [];
    const server = await serve(
      async (req, res) => {
        const request = await readRequest(req);
        seen.push({ ...request, url: request.url.href });
        if (request.path === '/boom') throw new Error('kaput');
        if (request.path === '/empty') return send(res, 204, undefined);
        send(res, 201, { ok: true }, 'application/json');
      },
      (res, error) => send(res, 500, { bug: String(error) }),
    );
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${server.url}/a%20b?x=1&y=2&y=3`, {
      method: 'post',
      headers: { 'X-Thing': 'v', 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ ok: true });
    expect(seen[0]).toMatchObject({
      method: 'POST',
      path: '/a%20b',
      rawPath: '/a%20b?x=1&y=2&y=3',
      query: { x: '1', y: ['2', '3'] },
      headers: { 'x-thing': 'v' },
      raw: 'hello',
    });

    const empty = await fetch(`${server.url}/empty`);
    expect(empty.status).toBe(204);
    expect(empty.headers.get('content-type')).toBeNull();
    const boom = await fetch(`${server.url}/boom`);
    expect(boom.status).toBe(500);
    expect(boom.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await boom.json()).toEqual({ bug: 'Error: kaput' });
    await server.close();
    await expect(fetch(`${server.url}/`)).rejects.toThrow();
  });

  it('rejects when the port is taken', async () => {
    const first = await serve(
      async () => {},
      () => {},
    );
    const port = Number(new URL(first.url).port);
    await expect(
      serve(
        async () => {},
        () => {},
        { port },
      ),
    ).rejects.toThrow(/EADDRINUSE/);
    await first.close();
  });
});

describe('FailureQueue', () => {
  it('takes the oldest matching failure, count times, by exact path or pattern', () => {
    const queue = new FailureQueue<{ status: number; count?: number; path?: string | RegExp }>();
    queue.push({ status: 429, path: '/a', count: 2 });
    queue.push({ status: 500, path: /^\/b/ });
    queue.push({ status: 503 });
    expect(queue.take('/b/1')?.status).toBe(500);
    expect(queue.take('/b/1')?.status).toBe(503);
    expect(queue.take('/b/1')).toBeUndefined();
    expect(queue.take('/a')?.status).toBe(429);
    expect(queue.size).toBe(1);
    expect(queue.take('/a')?.status).toBe(429);
    expect(queue.take('/a')).toBeUndefined();
    queue.push({ status: 500 });
    queue.clear();
    expect(queue.size).toBe(0);
    expect(queue.take('/x')).toBeUndefined();
  });
});

describe('parsing helpers', () => {
  it('parses JSON, keeps non-JSON text, and maps empty to undefined', () => {
    expect(parseJson('{"a":1}')).toEqual({ a: 1 });
    expect(parseJson('a=1')).toBe('a=1');
    expect(parseJson('')).toBeUndefined();
    expect(queryObject(new URLSearchParams('a=1&b=2&b=3&c='))).toEqual({ a: '1', b: ['2', '3'], c: '' });
  });
});
