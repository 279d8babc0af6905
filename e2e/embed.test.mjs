// The <amlvnet-check> element and the page hosted under a sub-path, as a docs site hosts
// them: dist/ served at /tools/amlvnet/, a host page at /docs/ with a strict
// Content-Security-Policy (no 'unsafe-inline' anywhere). Run after `trunk build --release`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { serve, launch } from './serve.mjs';

const root = path.resolve('dist');
const artifacts = path.resolve('tests/artifacts');
fs.mkdirSync(artifacts, { recursive: true });
const CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'";
const hostPage = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Step 3: check your training subnet</title>
<script type="module" src="/tools/amlvnet/amlvnet-check.js"></script></head>
<body><main><h1>Step 3: check your training subnet's NSG</h1>
<amlvnet-check compute="cluster" public-ip="yes" region="westus2" profile="2022-07" page="/tools/amlvnet/">
<script type="application/json">{ "name": "nsg-train", "securityRules": [
  { "name": "batch", "properties": { "priority": 120, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
    "sourceAddressPrefix": "BatchNodeManagement", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "29876-29877" } } ] }</script>
</amlvnet-check></main></body></html>`;

let server, browser, context, base;
const requests = [];
const problems = [];

before(async () => {
  server = await serve(root, 0, { prefix: '/tools/amlvnet/', pages: {
    '/docs/step3.html': { body: hostPage, headers: { 'content-security-policy': CSP } },
    '/favicon.ico': { body: '', headers: { 'content-type': 'image/x-icon' } }, // the browser's own request
  } });
  base = `http://127.0.0.1:${server.port}`;
  browser = await launch(chromium);
  context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  context.on('request', (r) => requests.push(r.url()));
  context.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  context.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`); });
});

after(async () => {
  await browser?.close();
  server?.server.close();
});

async function open(url, viewport) {
  const page = await context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  // Every CSP violation and every report event, recorded from the start (init scripts are
  // not subject to the page's CSP).
  await page.addInitScript(() => {
    window.violations = [];
    window.reports = [];
    document.addEventListener('securitypolicyviolation', (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`));
    document.addEventListener('amlvnet-report', (e) => window.reports.push(e.detail));
  });
  await page.goto(base + url);
  return page;
}

const element = (page) => page.locator('amlvnet-check');
const status = (report, id) => report.findings.filter((f) => f.id === id).map((f) => f.status);

test('the element checks its starting document, then a pasted defaults-only NSG, under a strict CSP', async () => {
  const page = await open('/docs/step3.html');
  await page.waitForFunction(() => window.reports.length >= 1);
  let report = await page.evaluate(() => window.reports.at(-1));
  assert.deepEqual(status(report, 'AML-PIP-001'), ['pass'], 'the starting document allows Batch in');
  assert.equal(report.scenario.key, 'CC-PIP');
  assert.equal(report.scenario.region, 'westus2');

  const defaults = fs.readFileSync('www/examples/nsg-defaults-only.json', 'utf8');
  await element(page).locator('textarea#doc').fill(defaults);
  await page.waitForFunction(() => window.reports.length >= 2);
  report = await page.evaluate(() => window.reports.at(-1));
  assert.deepEqual(status(report, 'AML-PIP-001'), ['fail']);
  const pip = element(page).locator('li.finding', { hasText: 'AML-PIP-001' });
  assert.match(await pip.innerText(), /Deciding rule: DenyAllInBound at priority 65500/);
  assert.match(await element(page).locator('.counts').innerText(), new RegExp(`${report.summary.fail} fail`));
  await pip.locator('button', { hasText: 'Copy az fix' }).click();
  assert.match(await page.evaluate(() => navigator.clipboard.readText()), /^az network nsg rule create/);

  // An attribute change re-checks under the new scenario.
  await page.evaluate(() => document.querySelector('amlvnet-check').setAttribute('public-ip', 'no'));
  await page.waitForFunction(() => window.reports.at(-1).scenario.public_ip === false);

  // Bad JSON: line and column, and the element keeps working.
  await element(page).locator('textarea#doc').fill('{\n  "name": "x",\n  "securityRules": [\n}');
  await element(page).locator('.error').waitFor();
  assert.match(await element(page).locator('.error').innerText(), /^Line 4, column 1/);
  await page.screenshot({ path: path.join(artifacts, 'element.png'), fullPage: true });
  assert.deepEqual(await page.evaluate(() => window.violations), [], 'no CSP violation');
  await page.close();
});

test('the element decodes a pasted Azure error message', async () => {
  const page = await open('/docs/step3.html');
  // Its files are all in (the first report is out) before anything is clicked.
  await page.waitForFunction(() => window.reports.length >= 1);
  await element(page).locator('summary').click();
  await element(page).locator('textarea#error').fill('The specified subnet has PrivateLinkServiceNetworkPolicies or PrivateEndpointNetworkEndpoints enabled');
  await element(page).getByText('AML-NPIP-003').waitFor();
  assert.match(await element(page).locator('details').innerText(), /AML-NPIP-002[\s\S]*Paste: the compute subnet/);
  await element(page).locator('textarea#error').fill('Quota exceeded');
  await element(page).getByText('No known network error').waitFor();
  await page.close();
});

test('the element at 320 px and in dark mode; keyboard reachable; axe-core clean inside the shadow root', async () => {
  const page = await open('/docs/step3.html', { width: 320, height: 800 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForFunction(() => window.reports.length >= 1);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling at 320 px (${overflow} px)`);
  const background = await page.evaluate(() => getComputedStyle(document.querySelector('amlvnet-check')).backgroundColor);
  assert.equal(background, 'rgb(13, 17, 23)', 'follows the dark preference');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.querySelector('amlvnet-check').shadowRoot.activeElement?.id), 'doc');
  // axe-core is evaluated through the driver, which the page's CSP does not govern.
  await page.evaluate(fs.readFileSync('node_modules/axe-core/axe.min.js', 'utf8'));
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  const violations = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(violations, []);
  await page.screenshot({ path: path.join(artifacts, 'element-320-dark.png'), fullPage: true });
  await page.close();
});

test('the full page works from a sub-path, reached through the element\'s link', async () => {
  const page = await open('/docs/step3.html');
  await page.waitForFunction(() => window.reports.length >= 1);
  await element(page).getByRole('link', { name: 'Open the full checker' }).click();
  await page.waitForURL(`${base}/tools/amlvnet/`);
  await page.waitForSelector('body[data-first-results-ms]');
  await page.waitForSelector('li.finding.fail');
  await page.goto(`${base}/tools/amlvnet/#/rules`);
  await page.waitForSelector('[id="AML-PIP-001"]');
  await page.close();
});

test('only the element\'s own files were requested, all from 127.0.0.1, and nothing failed', () => {
  const offHost = requests.filter((u) => !u.startsWith(base));
  assert.deepEqual(offHost, []);
  const elementFiles = new Set(requests.filter((u) => u.includes('/tools/amlvnet/') && !u.endsWith('/tools/amlvnet/')).map((u) => path.basename(new URL(u).pathname)));
  for (const f of ['amlvnet-check.js', 'amlvnet.js', 'amlvnet_bg.wasm']) assert.ok(elementFiles.has(f), `${f} requested`);
  assert.deepEqual(problems, []);
});
