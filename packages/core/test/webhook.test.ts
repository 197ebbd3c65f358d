import { describe, expect, it } from 'vitest';
import {
  parseWebhookJson,
  safeEqual,
  ValidationError,
  type WebhookRequest,
  webhookHeader,
} from '../src/index.js';

describe('webhook helpers', () => {
  it('safeEqual compares exactly, including different lengths and multi-byte text', () => {
    expect(safeEqual('secret', 'secret')).toBe(true);
    expect(safeEqual('secret', 'secreT')).toBe(false);
    expect(safeEqual('secret', 'secret2')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual('é', 'e\u0301')).toBe(false);
  });

  it('webhookHeader looks names up case-insensitively and treats empty as absent', () => {
    const request: WebhookRequest = {
      method: 'POST',
      url: 'https://h.test/x',
      headers: { 'X-Signature': 'abc', empty: '', gone: undefined },
      rawBody: Buffer.alloc(0),
    };
    expect(webhookHeader(request, 'x-signature')).toBe('abc');
    expect(webhookHeader(request, 'EMPTY')).toBeUndefined();
    expect(webhookHeader(request, 'gone')).toBeUndefined();
    expect(webhookHeader(request, 'missing')).toBeUndefined();
  });

  it('parseWebhookJson throws a ValidationError naming the provider', () => {
    expect(parseWebhookJson(Buffer.from('{"a":1}'), 'Acme')).toEqual({ a: 1 });
    expect(() => parseWebhookJson(Buffer.from('{'), 'Acme')).toThrow(ValidationError);
    expect(() => parseWebhookJson(Buffer.from('{'), 'Acme')).toThrow(/Acme webhook body is not JSON/);
  });
});
