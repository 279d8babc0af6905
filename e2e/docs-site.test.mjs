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

// The site is served with a strict policy: no 'unsafe-inline' anywhere. Material's own
// inline scripts are refused by it (the theme degrades); the element must not need it.
const CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; base-uri 'none'";

before(async () => {
  server = await serve(root, 0, { prefix: '/handbook/', headers: { 'content-security-policy': CSP } });
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
  // The theme's scripts fail without their refused inline setup; the element's must not.
  page.on('pageerror', (e) => { if (!/__md_|assets\/javascripts\//.test(`${e.message} ${e.stack}`)) problems.push(`page error: ${e.message}`); });
  // Console errors other than the policy refusing Material's own inline scripts.
  page.on('console', (m) => { if (m.type() === 'error' && !/Content Security Policy/.test(m.text())) problems.push(`console: ${m.text()}`); });
  await page.addInitScript(() => {
    window.reports = [];
    window.violations = [];
    document.addEventListener('amlvnet-report', (e) => window.reports.push(e.detail));
    document.addEventListener('securitypolicyviolation', (e) => window.violations.push({ directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile }));
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
  // Under the strict policy, nothing the element or its files do was refused.
  const violations = await page.evaluate(() => window.violations);
  const element = violations.filter((v) => `${v.blocked} ${v.source}`.includes('/tools/amlvnet/'));
  assert.deepEqual(element, [], 'the element needs no unsafe-inline');
  assert.ok(violations.some((v) => v.directive.startsWith('script-src')), 'the policy is in force (it refuses the theme\'s inline scripts)');
  await context.close();
});

test('the docs site made no request off 127.0.0.1, and nothing failed', () => {
  assert.ok(requests.length > 0);
  assert.deepEqual(requests.filter((u) => !u.startsWith(`http://127.0.0.1:${server.port}/`)), []);
  assert.deepEqual(problems, []);
});
