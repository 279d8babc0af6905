// A tiny static server for dist/ on 127.0.0.1 that records every request it receives.
// `prefix` hosts the files under a sub-path (`/tools/amlvnet/`), as a docs site does;
// `pages` adds host pages of its own ({ '/docs/x.html': { body, headers } }); `headers` go
// with every file served from `root` (a Content-Security-Policy, say).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml' };

export function serve(root, port = 0, { prefix = '/', pages = {}, headers = {} } = {}) {
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (pages[url]) {
      res.writeHead(200, { 'content-type': 'text/html', ...(pages[url].headers || {}) });
      res.end(pages[url].body);
      return;
    }
    if (!url.startsWith(prefix)) return notFound(res);
    let file = '/' + url.slice(prefix.length);
    if (file.endsWith('/')) file += 'index.html';
    const full = path.join(root, path.normalize(file));
    if (!full.startsWith(root) || !fs.existsSync(full) || fs.statSync(full).isDirectory()) return notFound(res);
    res.writeHead(200, { 'content-type': TYPES[path.extname(full)] || 'application/octet-stream', ...headers });
    fs.createReadStream(full).pipe(res);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ server, requests, port: server.address().port })));
}

function notFound(res) {
  res.writeHead(404);
  res.end('not found');
}

/** Debian's Chromium, headless, with every host but 127.0.0.1 unresolvable. */
export async function launch(chromium) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
  });
}

if (process.argv[1] && process.argv[1].endsWith('serve.mjs')) {
  const root = path.resolve(process.argv[2] || 'dist');
  const { port } = await serve(root, Number(process.argv[3] || 8080));
  console.log(`amlvnet page: http://127.0.0.1:${port}/ (Ctrl-C to stop)`);
}
