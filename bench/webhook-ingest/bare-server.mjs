// The bare comparison server: reads each POST body, checks Attio's hex HMAC-SHA256 of it in
// constant time, answers 200 (401 when it does not match). No storage, no framework.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

const secret = process.env.BENCH_SECRET;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const expected = Buffer.from(createHmac('sha256', secret).update(Buffer.concat(chunks)).digest('hex'));
    const given = Buffer.from(String(req.headers['attio-signature'] ?? ''));
    const ok = given.length === expected.length && timingSafeEqual(given, expected);
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? '{"ok":true}' : '{}');
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
