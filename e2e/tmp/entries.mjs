import { chromium } from 'playwright-core';
import { serve } from '../serve.mjs';
const server = await serve(process.argv[2] || 'dist');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
for (let i = 0; i < 5; i++) {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.port}/`);
  await page.waitForSelector('body[data-first-results-ms]');
  await page.waitForTimeout(300);
  console.log(await page.evaluate(() => new Promise((resolve) => { new PerformanceObserver((l) => resolve(JSON.stringify({ el: l.getEntries().map((e) => [e.identifier, Math.round(e.renderTime), e.element ? e.element.isConnected : null]), fcp: performance.getEntriesByType('paint').map((p) => [p.name, Math.round(p.startTime)]), start: document.body.dataset.startMs, dom: document.body.dataset.firstResultsMs }))).observe({ type: 'element', buffered: true }); })));
  await page.close();
}
await browser.close(); server.server.close();
