/**
 * The HTTP client of trigger deliveries: undici's `request` over a keep-alive connection pool per
 * runtime. `fetch` is undici underneath too, but its WHATWG layers (streams, abort signals,
 * DOMException) cost about 250 µs of processor time per POST here, against about 30 for
 * `request`: the delivery worker spent most of its time in them.
 *
 * @module
 */

import type { Agent } from 'undici';

/** A POST's outcome: the status code, or why there was none. */
export type TriggerPostOutcome =
  | { ok: true; status: number }
  | { ok: false; timedOut: boolean; error: string };

type Undici = typeof import('undici');

/** Loaded when a worker starts or on the first delivery: runtimes that never deliver never load it. */
let undici: Promise<Undici> | undefined;

/**
 * Loads the client (about 100 ms of module loading on an idle machine, several times that on a
 * busy one): a worker does before it takes jobs, so that its first delivery does not wait for it.
 */
export function loadTriggerClient(): Promise<Undici> {
  undici ??= import('undici');
  return undici;
}

/** The connection pool of each runtime (by its events host), closed with it. */
const pools = new WeakMap<object, Agent>();

const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * POSTs `body` to `url`: no redirects followed (a 3xx is an answer), the answer's body read and
 * dropped, `timeoutMs` each for connecting, for the response headers and between body chunks.
 */
export async function postTrigger(
  owner: object,
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<TriggerPostOutcome> {
  const { Agent, request } = await loadTriggerClient();
  let pool = pools.get(owner);
  if (!pool) {
    pool = new Agent({ connect: { timeout: timeoutMs } });
    pools.set(owner, pool);
  }
  try {
    const res = await request(url, {
      method: 'POST',
      headers,
      body,
      dispatcher: pool,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    // The status is the answer; a body cut short after it does not change that.
    await res.body.dump().catch(() => {});
    return { ok: true, status: res.statusCode };
  } catch (error) {
    const code = (error as { code?: string } | null)?.code;
    return {
      ok: false,
      timedOut: code !== undefined && TIMEOUTS.has(code),
      error: code ?? (error instanceof Error ? error.message : String(error)),
    };
  }
}

/** Closes `owner`'s connections (idle keep-alive sockets would hold the process open a while). */
export async function closeTriggerPool(owner: object): Promise<void> {
  const pool = pools.get(owner);
  if (!pool) return;
  pools.delete(owner);
  await pool.close();
}
