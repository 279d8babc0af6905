import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from '../serve.mjs';
const variants = JSON.parse(process.argv[2]);
const html0 = fs.readFileSync('dist/index.html', 'utf8').replace(/<script type="module">[\s\S]*?<\/script>/, '').replace(/<link rel="modulepreload"[^>]*>/, '').replace(/<link rel="preload"[^>]*>/, '');
const css0 = fs.readFileSync(fs.readdirSync('dist').filter((f) => f.endsWith('.css')).map((f) => 'dist/' + f)[0], 'utf8');
fs.rmSync('/tmp/fx', { recursive: true, force: true });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
for (const [name, from, to] of variants) {
  const dir = `/tmp/fx/${name}`; fs.mkdirSync(dir, { recursive: true });
  let css = css0; let html = html0;
  if (from === 'CSS') css = css.replace(new RegExp(to[0], 'g'), to[1]); else if (from === 'HTML') html = html.replace(new RegExp(to[0], 'g'), to[1]);
  const cssName = (html0.match(/href="\/(style-[^"]+)"/) || [])[1];
  html = html.replace(/ integrity="[^"]*"/g, '');
  fs.writeFileSync(`${dir}/index.html`, html); fs.writeFileSync(`${dir}/${cssName}`, css);
  const server = await serve(dir);
  const t = [];
  for (let i = 0; i < 9; i++) {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.port}/`);
    t.push(await page.evaluate(() => new Promise((resolve) => { new PerformanceObserver((l) => { const e = l.getEntries().find((x) => x.identifier === 'results'); if (e) resolve(Math.round(e.renderTime)); }).observe({ type: 'element', buffered: true }); setTimeout(() => resolve(NaN), 5000); })));
    await page.close();
  }
  server.server.close();
  t.sort((a, b) => a - b);
  console.log(name.padEnd(12), 'median', t[4], t.join(' '));
}
await browser.close();
