import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from '/work/main/e2e/serve.mjs';
const server = await serve(path.resolve('dist'));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox','--disable-gpu','--disable-dev-shm-usage'] });
for (let k = 0; k < 3; k++) {
const page = await browser.newPage();
await browser.startTracing(page, { path: `/tmp/prof/trace${k}.json`, categories: ['devtools.timeline','v8','v8.wasm','blink','loading','disabled-by-default-devtools.timeline'] });
await page.goto(`http://127.0.0.1:${server.port}/`);
await page.waitForSelector('body[data-first-results-ms]');
await page.waitForTimeout(300);
const m = await page.evaluate(() => [document.body.getAttribute('data-start-ms'), document.body.getAttribute('data-first-results-ms'), document.body.getAttribute('data-read-ms'), document.body.getAttribute('data-check-ms'), document.querySelectorAll('*').length]);
console.log(m);
await browser.stopTracing();
await page.close();
}
await browser.close(); server.server.close();
