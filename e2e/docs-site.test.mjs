// The npm package inside a real documentation site: MkDocs + Material, built by
// scripts/test-docs-site.sh with the package installed from its tarball, served under
// the sub-path /handbook/ as docs sites are. Run through scripts/test-docs-site.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { serve, launch } from './serve.mjs';

const root = path.resolve('target/docs-site/site');
const artifacts = path.resolve('tests/artifacts');
fs.mkdirSync(artifacts, { recursive: true });
let server, browser, base;
const requests = [];
const problems = [];

before(async () => {
  server = await serve(root, 0, { prefix: '/handbook/' });
  base = `http://127.0.0.1:${server.port}/handbook/`;
  browser = await launch(chromium);
});

after(async () => {
  await browser?.close();
  server?.server.close();
});

test('the built docs page embeds the element: a pasted defaults-only NSG fails AML-PIP-001 and the event carries the report', async () => {
  const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  context.on('request', (r) => requests.push(r.url()));
  context.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.addInitScript(() => {
    window.reports = [];
    document.addEventListener('amlvnet-report', (e) => window.reports.push(e.detail));
  });
  // Reached as a reader does: the home page, then the link in the navigation.
  await page.goto(base);
  await page.locator('a', { hasText: 'Training network' }).first().click();
  await page.waitForURL(/training-network/);
  await page.waitForFunction(() => window.reports.length >= 1);
  const defaults = fs.readFileSync('www/examples/nsg-defaults-only.json', 'utf8');
  await page.locator('amlvnet-check textarea#doc').fill(defaults);
  await page.waitForFunction(() => window.reports.length >= 2);
  const report = await page.evaluate(() => window.reports.at(-1));
  assert.equal(report.schema, 'amlvnet-report/1');
  assert.deepEqual(report.findings.filter((f) => f.id === 'AML-PIP-001').map((f) => f.status), ['fail']);
  await page.locator('amlvnet-check li.finding', { hasText: 'AML-PIP-001' }).waitFor();
  await page.screenshot({ path: path.join(artifacts, 'docs-site.png'), fullPage: true });
  await context.close();
});

test('the docs site made no request off 127.0.0.1, and nothing failed', () => {
  assert.ok(requests.length > 0);
  assert.deepEqual(requests.filter((u) => !u.startsWith(`http://127.0.0.1:${server.port}/`)), []);
  assert.deepEqual(problems, []);
});
