/**
 * The server's few HTML pages (the connect page, the OAuth result), as plain strings: no
 * framework, no script at all, one inline stylesheet allowed by its hash in a strict CSP.
 *
 * @module
 */

import { createHash } from 'node:crypto';

const STYLE = `
:root { color-scheme: light dark; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: Canvas; color: CanvasText; }
main { width: min(28rem, calc(100vw - 2rem)); padding: 2rem; border: 1px solid color-mix(in srgb, CanvasText 20%, transparent); border-radius: 12px; }
h1 { font-size: 1.35rem; margin: 0 0 .75rem; }
p { line-height: 1.5; margin: .5rem 0; }
label { display: block; font-weight: 600; margin: 1.25rem 0 .4rem; }
input[type=password] { box-sizing: border-box; width: 100%; padding: .6rem; font: inherit; border-radius: 6px; border: 1px solid color-mix(in srgb, CanvasText 35%, transparent); }
button { margin-top: 1rem; padding: .6rem 1.2rem; font: inherit; font-weight: 600; border: 0; border-radius: 6px; background: #0b6e4f; color: #fff; cursor: pointer; }
.error { overflow-wrap: anywhere; padding: .75rem; border-radius: 6px; background: color-mix(in srgb, #c62828 15%, Canvas); }
.ok { padding: .75rem; border-radius: 6px; background: color-mix(in srgb, #2e7d32 15%, Canvas); }
.muted { opacity: .75; font-size: .9rem; }
code { font-size: .9em; }
`;

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/**
 * The Content-Security-Policy of every page: nothing loads, nothing runs; the one stylesheet is
 * allowed by hash; forms post only to this origin; no framing.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${STYLE_HASH}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Headers every page carries: strict CSP, never cached, never framed, no referrer to other sites (the URL is a secret). */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': PAGE_CSP,
  'cache-control': 'no-store',
  pragma: 'no-cache',
  // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on the form post, and
  // the post's origin is checked. Nothing on the pages links or loads elsewhere (CSP), so the link's
  // URL never leaves for another site.
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** The connect form: one password field and the CSRF token. */
export function connectFormPage(view: {
  providerName: string;
  keyLabel: string;
  organizationName: string;
  expiresAt: string;
  csrf: string;
  error?: string | undefined;
}): string {
  const error = view.error ? `<p class="error" role="alert">${escapeHtml(view.error)}</p>` : '';
  return page(
    `Connect ${view.providerName}`,
    `<h1>Connect ${escapeHtml(view.providerName)}</h1>
<p>Paste your ${escapeHtml(view.providerName)} ${escapeHtml(view.keyLabel)} to connect it to <strong>${escapeHtml(view.organizationName)}</strong>.
It is checked with ${escapeHtml(view.providerName)}, then stored encrypted; it is never shown again.</p>
${error}
<form method="post" autocomplete="off">
<input type="hidden" name="csrf" value="${escapeHtml(view.csrf)}">
<label for="api_key">${escapeHtml(view.keyLabel)}</label>
<input id="api_key" name="api_key" type="password" required autocomplete="off" autocapitalize="off" spellcheck="false">
<button type="submit">Connect</button>
</form>
<p class="muted">This link works once, until ${escapeHtml(view.expiresAt.slice(0, 16).replace('T', ' '))} UTC.</p>`,
  );
}

/** The page after a key was accepted: the account, never the key. */
export function connectedPage(view: {
  providerName: string;
  accountLabel: string | null;
  connectionId: string;
}): string {
  return page(
    `${view.providerName} connected`,
    `<h1>${escapeHtml(view.providerName)} connected</h1>
<p class="ok" role="status">Connected account: <strong>${escapeHtml(view.accountLabel ?? 'unnamed account')}</strong></p>
<p>Integration id: <code>${escapeHtml(view.connectionId)}</code></p>
<p class="muted">You can close this page. The link no longer works.</p>`,
  );
}

/** A result page with a heading and one message (link gone, unknown link, OAuth result). */
export function messagePage(view: {
  title: string;
  message: string;
  hint?: string | undefined;
  ok?: boolean;
}): string {
  return page(
    view.title,
    `<h1>${escapeHtml(view.title)}</h1>
<p class="${view.ok ? 'ok' : 'error'}" role="${view.ok ? 'status' : 'alert'}">${escapeHtml(view.message)}</p>
${view.hint ? `<p class="muted">${escapeHtml(view.hint)}</p>` : ''}`,
  );
}
