// Measures the page (figures for the README): transfer size (brotli) of what the page
// loads, time from navigation to the first rendered results of the default example, and
// the re-check time after an edit of a 1,000-rule NSG. Prints a table; fails only when
// the size budget (250 KB) is exceeded, since sizes are deterministic and times are not.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';
import { extract } from '../scripts/prerender.mjs';

const root = path.resolve('dist');
const sizes = [];
for (const f of fs.readdirSync(root)) {
  // Only what the checker page itself loads first (the JS API and embed page are
  // separate; rules.json, the checks' docs, is fetched when a reader first opens them;
  // prefixes.bin, the service-tag prefixes, when a document first needs them;
  // flow-panel.js, which loads the JS API, when "Test a flow" is first opened; keeper.js
  // and worker.js, the guard, when a template or a document over 1 MB is first checked).
  if (f === 'embed.html' || f.startsWith('amlvnet') || f === 'rules.json' || f === 'prefixes.bin' || f === 'flow-panel.js' || f === 'worker.js' || f === 'keeper.js') continue;
  const raw = fs.readFileSync(path.join(root, f));
  const br = zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  sizes.push({ file: f.replace(/-[0-9a-f]{1,16}/, ''), raw: raw.length, brotli: br });
}
const total = sizes.reduce((a, s) => a + s.brotli, 0);
const tagsRaw = fs.readFileSync(path.join(root, 'prefixes.bin'));
const tagsBrotli = zlib.brotliCompressSync(tagsRaw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

const server = await serve(root);
const base = `http://127.0.0.1:${server.port}/`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
const painted = [];
const loads = [];
const starts = [];
// The first results: when the results heading (`elementtiming="results"`) of the default
// example was first painted, pre-rendered into index.html (scripts/prerender.mjs) or
// rendered by the app. (It is also the first contentful paint: nothing visible comes before.)
const prerendered = extract(fs.readFileSync(path.join(root, 'index.html'), 'utf8')) !== null;
const paintedAt = () => new Promise((resolve) => {
  new PerformanceObserver((list) => {
    const e = list.getEntries().find((x) => x.identifier === 'results');
    if (e) resolve(Math.round(e.renderTime));
  }).observe({ type: 'element', buffered: true });
  setTimeout(() => resolve(NaN), 10000);
});
for (let i = 0; i < 21; i++) {
  const page = await browser.newPage();
  await page.goto(base);
  await page.waitForSelector('body[data-first-results-ms]');
  painted.push(await page.evaluate(paintedAt));
  loads.push(Number(await page.evaluate(() => document.body.getAttribute('data-first-results-ms'))));
  starts.push(Number(await page.evaluate(() => document.body.getAttribute('data-start-ms'))));
  if (i === 0) {
    const t = await page.evaluate(() => JSON.stringify(performance.getEntriesByType('resource').map((e) => [e.name.split('/').pop(), Math.round(e.startTime), Math.round(e.responseEnd)])));
    console.log('resource timings (name, start, end ms):', t);
  }
  await page.close();
}
// The same, navigating an open tab again (its renderer process is warm, as a browser's
// usually is): the difference is the cost of starting a renderer in a new tab.
const again = [];
const page = await browser.newPage();
await page.goto(base);
for (let i = 0; i < 11; i++) {
  await page.goto(`${base}?load=${i}`);
  await page.waitForSelector('body[data-first-results-ms]');
  again.push(await page.evaluate(paintedAt));
}
await page.goto(base);
await page.waitForSelector('.finding');
// A user pastes a big NSG after the page has settled (the app warms its hot paths at idle).
await page.waitForSelector('body[data-warm-ms]');
const warm = Number(await page.evaluate(() => document.body.dataset.warmMs));
const rules = [];
for (let i = 0; i < 997; i++) {
  rules.push({ name: `r${i}`, properties: { priority: 100 + i, direction: i % 2 ? 'Outbound' : 'Inbound', access: i % 3 ? 'Allow' : 'Deny', protocol: 'Tcp',
    sourceAddressPrefix: `10.${i >> 8}.${i & 255}.0/24`, sourcePortRange: '*', destinationAddressPrefixes: ['10.200.0.0/24'], destinationPortRanges: [`${1000 + (i % 500)}`] } });
}
rules.push({ name: 'batch', properties: { priority: 4094, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: 'BatchNodeManagement', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '29876-29877' } });
rules.push({ name: 'aml', properties: { priority: 4095, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: 'AzureMachineLearning', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '44224' } });
rules.push({ name: 'deny-out', properties: { priority: 4096, direction: 'Outbound', access: 'Deny', protocol: '*', sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: 'Internet', destinationPortRange: '*' } });
const doc = JSON.stringify({ type: 'Microsoft.Network/networkSecurityGroups', name: 'nsg-train', location: 'westus2', properties: { securityRules: rules } }, null, 1);
const checks = [];
const reads = [];
const fulls = [];
for (let i = 0; i < 20; i++) {
  await page.evaluate((d) => {
    document.body.removeAttribute('data-check-ms');
    document.body.removeAttribute('data-commit-at');
    const t = document.querySelector('textarea.editor');
    t.value = d;
    t.dispatchEvent(new InputEvent('input', { bubbles: true }));
  }, doc.replace('"r0"', `"r0-${i}"`));
  await page.waitForFunction(() => document.body.getAttribute('data-check-ms') && Number(document.body.dataset.renderedAt) > Number(document.body.dataset.commitAt), null, { timeout: 20000 });
  // The core's part of an edit: reading the documents (parse + model) and the checks; the
  // whole of it: from the end of the typing pause to the new results in the DOM.
  const [read, check, full] = await page.evaluate(() => [Number(document.body.dataset.readMs), Number(document.body.dataset.checkMs), Number(document.body.dataset.renderedAt) - Number(document.body.dataset.commitAt)]);
  reads.push(read);
  checks.push(Number((read + check).toFixed(1)));
  fulls.push(Number(full.toFixed(1)));
}
// The service-tag prefix table: fetched when a document first has a public address, then
// built in the page (`data-tags-ms`).
await page.evaluate((d) => {
  const t = document.querySelector('textarea.editor');
  t.value = d;
  t.dispatchEvent(new InputEvent('input', { bubbles: true }));
}, JSON.stringify({ name: 'nsg-train', securityRules: [{ name: 'ips', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp',
  sourceAddressPrefix: '20.42.0.0/16', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '29876-29877' }] }));
await page.waitForSelector('body[data-tags-ms]', { timeout: 20000 });
const tagsMs = Number(await page.evaluate(() => document.body.dataset.tagsMs));
// A 1.7 MB compiled pattern template, the size of the largest Azure Verified Modules
// patterns: the three largest AVM templates of ../shared/corpus as nested deployments of
// one template (as benches/check.rs builds it), opened as a file in a fresh tab; reading
// + checks (`data-read-ms` + `data-check-ms`), 5 loads. Skipped without ../shared.
const corpus = path.resolve('../shared/corpus/bicep-registry-modules');
const pattern = [];
const patternShown = [];
let patternBytes = 0;
if (fs.existsSync(corpus)) {
  const parts = ['avm-ptn-data-private-analytical-workspace-main.json', 'avm-ptn-network-hub-networking-main.json', 'avm-res-network-nat-gateway-main.json'];
  const text = '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",\n "resources": ['
    + parts.map((p, i) => `{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "part${i}",\n  "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"}, "template": ${fs.readFileSync(path.join(corpus, p), 'utf8')}}}`).join(',\n')
    + ']}';
  patternBytes = text.length;
  for (let i = 0; i < 5; i++) {
    const tab = await browser.newPage();
    await tab.goto(base);
    await tab.waitForSelector('body[data-warm-ms]');
    const start = await tab.evaluate(() => { document.body.removeAttribute('data-check-ms'); return performance.now(); });
    await tab.locator('input[type=file]').setInputFiles({ name: 'pattern.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await tab.waitForFunction(() => document.querySelectorAll('article.card').length === 2 && document.body.getAttribute('data-check-ms'), null, { timeout: 60000 });
    pattern.push(Number(await tab.evaluate(() => (Number(document.body.dataset.readMs) + Number(document.body.dataset.checkMs)).toFixed(1))));
    // From handing over the file to its results in the DOM: the file read, the guard's
    // worker (a template: read and checked there first), then the page's own check.
    await tab.waitForFunction(() => Number(document.body.dataset.renderedAt) > 0, null, { timeout: 60000 });
    patternShown.push(Number((await tab.evaluate(() => Number(document.body.dataset.renderedAt)) - start).toFixed(1)));
    await tab.close();
  }
}
await browser.close();
server.server.close();
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const result = { transfer_brotli_bytes: total, sizes, service_tag_prefixes: { raw: tagsRaw.length, brotli: tagsBrotli, build_ms: tagsMs }, first_results_painted_ms: { median: median(painted), all: painted, prerendered, same_tab_median: median(again), same_tab: again }, app_rendered_ms: { median: median(loads), all: loads }, wasm_started_ms: { median: median(starts), all: starts }, pattern_template_ms: { bytes: patternBytes, median: pattern.length ? median(pattern) : null, all: pattern, shown_median: patternShown.length ? median(patternShown) : null, shown: patternShown }, recheck_1000_rules_ms: { warm_up_ms: warm, first_edit: checks[0], median: median(checks), median_after_5: median(checks.slice(5)), all: checks, read_only: reads, with_render: fulls } };
fs.mkdirSync('tests/artifacts', { recursive: true });
fs.writeFileSync('tests/artifacts/measure.json', JSON.stringify(result, null, 2));
for (const s of sizes) console.log(`${s.file.padEnd(24)} raw ${String(s.raw).padStart(8)}  brotli ${String(s.brotli).padStart(7)}`);
console.log(`total brotli: ${total} bytes (${(total / 1024).toFixed(1)} KiB)`);
console.log(`service-tag prefixes (fetched when a document first needs them): raw ${tagsRaw.length}, brotli ${tagsBrotli}; building the table in the page: ${tagsMs} ms`);
console.log(`navigation to first results painted (${prerendered ? 'pre-rendered' : 'rendered by the app'}): median ${median(painted)} ms (${painted.join(', ')})`);
console.log(`  the same, navigating an open tab again: median ${median(again)} ms (${again.join(', ')})`);
console.log(`the app: wasm running at median ${median(starts)} ms, its first render in the DOM at median ${median(loads)} ms (${loads.join(', ')})`);
console.log(`re-check after an edit of a 1,000-rule NSG (read + checks): first edit ${checks[0]} ms, median ${median(checks).toFixed(1)} ms, median from the 6th edit on ${median(checks.slice(5)).toFixed(1)} ms (${checks.join(', ')}); reading alone: median ${median(reads).toFixed(1)} ms`);
console.log(`  (the page's warm-up at idle after load took ${warm} ms)`);
console.log(`  the same edits from the end of the typing pause to new results in the DOM (Yew render included): median ${median(fulls).toFixed(1)} ms (${fulls.join(', ')})`);
if (pattern.length) console.log(`a ${(patternBytes / 1e6).toFixed(1)} MB pattern template opened as a file (read + checks): median ${median(pattern)} ms (${pattern.join(', ')}); from the file to its results in the DOM, the guard's worker included: median ${median(patternShown)} ms (${patternShown.join(', ')})`);
if (total > 250 * 1024) {
  console.error('the page is over its 250 KB transfer budget');
  process.exit(1);
}
