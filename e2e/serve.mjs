// A tiny static server for dist/ on 127.0.0.1 that records every request it receives.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json' };

export function serve(root, port = 0) {
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    let file = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (file === '/') file = '/index.html';
    const full = path.join(root, path.normalize(file));
    if (!full.startsWith(root) || !fs.existsSync(full) || fs.statSync(full).isDirectory()) {
      res.writeHead(404);
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(full)] || 'application/octet-stream' });
    fs.createReadStream(full).pipe(res);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ server, requests, port: server.address().port })));
}

if (process.argv[1] && process.argv[1].endsWith('serve.mjs')) {
  const root = path.resolve(process.argv[2] || 'dist');
  const { port } = await serve(root, Number(process.argv[3] || 8080));
  console.log(`amlvnet page: http://127.0.0.1:${port}/ (Ctrl-C to stop)`);
}
