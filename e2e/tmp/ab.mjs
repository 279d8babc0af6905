// A/B harness: variants of dist's static page (no wasm), loads interleaved, paint time of the results heading.
import fs from 'node:fs';
import { chromium } from 'playwright-core';
import { serve } from '../serve.mjs';
const variants = JSON.parse(process.argv[2]);
const N = Number(process.argv[3] || 15);
const html0 = fs.readFileSync('dist/index.html', 'utf8').replace(/<script type="module">[\s\S]*?<\/script>/, '').replace(/<link rel="modulepreload"[^>]*>/, '').replace(/<link rel="preload"[^>]*>/, '').replace(/ integrity="[^"]*"/g, '');
const cssName = html0.match(/href="\/(style-[^"]+)"/)[1];
const css0 = fs.readFileSync('dist/' + cssName, 'utf8');
fs.rmSync('/tmp/fx', { recursive: true, force: true });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const servers = [];
for (const [name, edits] of variants) {
  const dir = `/tmp/fx/${name}`; fs.mkdirSync(dir, { recursive: true });
  let css = css0; let html = html0;
  for (const [where, a, b] of edits) { if (where === 'CSS') css = a === '' ? css + b : css.replace(new RegExp(a, 'g'), b); else html = html.replace(new RegExp(a, 'g'), b); }
  fs.writeFileSync(`${dir}/index.html`, html); fs.writeFileSync(`${dir}/${cssName}`, css);
  servers.push([name, await serve(dir), []]);
}
for (let i = 0; i < N; i++) {
  for (const [name, server, t] of servers) {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.port}/`);
    t.push(await page.evaluate(() => new Promise((resolve) => { new PerformanceObserver((l) => { const e = l.getEntries().find((x) => x.identifier === 'results'); if (e) resolve(Math.round(e.renderTime)); }).observe({ type: 'element', buffered: true }); setTimeout(() => resolve(NaN), 5000); })));
    await page.close();
  }
}
for (const [name, server, t] of servers) { server.server.close(); t.sort((a, b) => a - b); console.log(name.padEnd(12), 'median', t[t.length >> 1], 'p25', t[t.length >> 2], t.join(' ')); }
await browser.close();
