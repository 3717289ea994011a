// The sink both flows deliver to: answers every POST with 200 {"ok":true}, like the peer's sink.js,
// and also notes when each order arrived (CLOCK_MONOTONIC, the clock wrk's script reads) so the
// benchmark can compute end-to-end latency.
//   node sink.js PORT
//   GET /_stats           -> {"count": N}
//   GET /_dump?reset=1    -> {"count": N, "ids": [...], "t_us": [...], "sample": "<first body>"}
// "ids" are the orderId values of the delivered bodies (the mapping keeps the order number).
const http = require('http');
const port = parseInt(process.argv[2] || '9100', 10);
const ORDER_ID = /"orderId"\s*:\s*"([^"]*)"/;
let count = 0, ids = [], times = [], sample = null;

function reply(res, status, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

http.createServer((req, res) => {
  if (req.method === 'GET') {
    if (req.url === '/_stats') return reply(res, 200, { count });
    if (req.url.startsWith('/_dump')) {
      const out = { count, ids, t_us: times, sample };
      if (req.url.includes('reset=1')) { count = 0; ids = []; times = []; sample = null; }
      return reply(res, 200, out);
    }
    return reply(res, 404, { error: 'not found' });
  }
  let head = null;
  const chunks = sample === null ? [] : null; // the whole body is kept for the first request only
  req.on('data', (c) => { if (head === null) head = c; if (chunks) chunks.push(c); });
  req.on('end', () => {
    const t = Number(process.hrtime.bigint() / 1000n);
    count++;
    // the mapped order names its orderId near the start: look at the first 512 bytes only
    const m = head && ORDER_ID.exec(head.toString('latin1', 0, Math.min(head.length, 512)));
    if (m) { ids.push(m[1]); times.push(t); }
    if (chunks && sample === null) sample = Buffer.concat(chunks).toString('utf8');
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': 11 });
    res.end('{"ok":true}');
  });
}).listen(port, '127.0.0.1', () => console.log('sink on', port));
