// End-to-end tests of the page in Debian's Chromium, driven by playwright-core.
// Run after `trunk build --release`: node --test e2e/*.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { serve, launch } from './serve.mjs';
import { extract, firstFrame, snapshot, FIRST_FINDINGS, STALL_MS } from '../scripts/prerender.mjs';

const root = path.resolve('dist');
const artifacts = path.resolve('tests/artifacts');
fs.mkdirSync(artifacts, { recursive: true });
let server, browser, context, base;
const pageRequests = [];
const problems = [];

before(async () => {
  server = await serve(root);
  base = `http://127.0.0.1:${server.port}/`;
  browser = await launch(chromium);
  context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  context.on('request', (r) => pageRequests.push(r.url()));
  context.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
});

after(async () => {
  await browser?.close();
  server?.server.close();
});

async function open(hash = '') {
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss(); });
  await page.goto(base + hash);
  // The pre-rendered copy of the first results is inert; wait for the live app.
  if (!hash.endsWith('.html')) await page.waitForSelector('body[data-first-results-ms]');
  return page;
}

async function editor(page, text) {
  await page.locator('textarea.editor').first().fill(text);
  await page.waitForTimeout(400);
}

test('loads with an example and shows what fails and why', async () => {
  const page = await open();
  await page.waitForSelector('.finding');
  const fails = await page.locator('li.finding.fail').count();
  assert.ok(fails > 0, 'the default example has failures');
  assert.match(await page.locator('.card .shape').first().innerText(), /az network nsg show/);
  const pip = page.locator('li.finding.fail', { hasText: 'AML-PIP-001' });
  await pip.locator('summary').first().click();
  await page.waitForSelector('tr.deciding');
  assert.match(await pip.locator('tr.deciding').first().innerText(), /DenyAllInBound|65500/);
  assert.match(await pip.innerText(), /swapped/, 'names the swapped-port mistake');
  // The check's documentation is fetched from rules.json when the finding is first opened.
  await pip.locator('.docs h4', { hasText: 'Why it matters' }).waitFor({ timeout: 10000 });
  await pip.locator('button.copy').first().click();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(copied, /^az network nsg rule create/);
  await page.screenshot({ path: path.join(artifacts, 'finding-open.png'), fullPage: true });
  await page.close();
});

test('an error message pasted instead of JSON names its checks and the rules its table lists', async () => {
  const page = await open();
  await page.locator('details.decoder summary').click();
  await page.locator('#error-text').fill(`The subnet has a network security group (/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-ws) that is
missing the following rules below. Please add those rules or increase the priority to allow traffic if the rules already exist.
"name": "Outbound Storage 445"
"properties": { "protocol": "TCP", "destinationPortRange": "445", "sourceAddressPrefix": "VirtualNetwork",
"destinationAddressPrefix": "Storage OR Internet OR Storage.uksouth", "priority": "Higher than 4096", "direction": "Outbound" }`);
  const explained = page.locator('.decoder .explained');
  await explained.waitFor();
  assert.match(await explained.innerText(), /NsgMissingRules[\s\S]*Missing rule "Outbound Storage 445" \(Outbound 445\) → AML-OUT-009/);
  await explained.screenshot({ path: path.join(artifacts, 'error-decoder.png') });
  await explained.getByRole('link', { name: 'AML-OUT-009' }).click();
  await page.waitForSelector('article#AML-OUT-009');
  await page.goBack();
  assert.match(await page.locator('#error-text').inputValue(), /Outbound Storage 445/, 'the text survives a visit to the catalogue');
  await page.locator('#error-text').fill('Quota exceeded for Standard_NC6');
  await page.getByText('No known network error in this text').waitFor();
  await page.close();
});

test('every example renders results', async () => {
  const page = await open();
  const options = await page.locator('#example option').count();
  for (let i = 0; i < options - 1; i++) {
    await page.selectOption('#example', String(i));
    await page.waitForSelector('.counts');
    const total = (await page.locator('.count .n').allInnerTexts()).reduce((a, n) => a + Number(n), 0);
    assert.ok(total >= 76, `example ${i}: ${total} findings`);
    assert.ok(await page.locator('details.group').count() >= 3, `example ${i}`);
  }
  await page.selectOption('#example', '0');
  await page.waitForTimeout(100);
  assert.equal(await page.locator('li.finding.fail').count(), 0, 'the compliant example has no failure');
  await page.screenshot({ path: path.join(artifacts, 'compliant.png'), fullPage: true });
  await page.close();
});

test('a Terraform plan is read through the worker: labelled, its findings at the resource address, its fixes in HCL first', async () => {
  const page = await open();
  const index = await page.locator('#example option', { hasText: 'Terraform plan' }).getAttribute('value');
  await page.selectOption('#example', index);
  const finding = (id) => page.locator('li.finding.fail').filter({ has: page.locator('code.id', { hasText: new RegExp(`^${id}$`) }) }).first();
  const policies = finding('AML-NPIP-002');
  await policies.waitFor({ timeout: 15000 });
  assert.equal(await page.locator('.card .shape').first().innerText(), 'Terraform plan (terraform show -json)');
  await policies.locator('summary').first().click();
  assert.match(await policies.locator('.where').innerText(), /terraform-plan\.json line \d+, column \d+ \(azurerm_subnet\.train\)/);
  const first = policies.locator('.snippet').first();
  assert.equal(await first.locator('.snippet-head span').innerText(), 'Terraform');
  assert.match(await first.locator('code').innerText(), /resource "azurerm_subnet" "train" \{[\s\S]*private_endpoint_network_policies_enabled = false/);
  // A missing outbound rule: a `security_rule` block, as this NSG writes its rules inline.
  const outbound = finding('AML-OUT-001');
  await outbound.locator('summary').first().click();
  assert.match(await outbound.locator('.snippet').first().locator('code').innerText(), /security_rule \{[\s\S]*destination_address_prefix\s*= "AzureActiveDirectory"/);
  await page.screenshot({ path: path.join(artifacts, 'terraform.png'), fullPage: true });
  // Pasted as `terraform show -json` prints it (one line): the same verdicts.
  const text = fs.readFileSync('www/examples/terraform-plan.json', 'utf8');
  const verdicts = async () => (await page.locator('li.finding summary .id').allTextContents()).join(' ') + (await page.locator('li.finding.fail').count());
  const before = await verdicts();
  await editor(page, JSON.stringify(JSON.parse(text)).replace('snet-train', 'snet-batch'));
  await page.locator('li.finding.fail', { hasText: 'snet-batch' }).first().waitFor({ timeout: 15000 });
  assert.equal(await verdicts(), before);
  assert.equal(await page.locator('.panic.shown, .guard').count(), 0);
  await page.close();
});

test('a template is read with the parameters file beside it, and again when that file changes', async () => {
  const page = await open();
  const template = JSON.stringify({ $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', contentVersion: '1.0.0.0',
    parameters: { nsgName: { type: 'string' } },
    resources: [{ type: 'Microsoft.Network/networkSecurityGroups', apiVersion: '2023-05-01', name: "[parameters('nsgName')]", location: 'westus2', properties: { securityRules: [] } }] });
  const parameters = (name) => JSON.stringify({ $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#', contentVersion: '1.0.0.0', parameters: { nsgName: { value: name } } });
  await editor(page, template);
  await page.locator('input[type=file]').setInputFiles({ name: 'parameters.json', mimeType: 'application/json', buffer: Buffer.from(parameters('nsg-first')) });
  const found = (name) => page.locator('.card details.found li', { hasText: name });
  await found('nsg-first').waitFor({ state: 'attached', timeout: 10000 });
  // The template's text is unchanged; what it reads as is not.
  await page.locator('textarea.editor').nth(1).fill(parameters('nsg-second'));
  await found('nsg-second').waitFor({ state: 'attached', timeout: 10000 });
  assert.equal(await found('nsg-first').count(), 0);
  await page.close();
});

test('scenario changes re-check, and a user choice that disagrees is shown', async () => {
  const page = await open();
  await page.selectOption('#example', '0');
  await page.selectOption('#public-ip', 'no');
  await page.waitForSelector('text=AML-NPIP-001');
  assert.match(await page.locator('.disagree').innerText(), /your choice wins/);
  await page.fill('#region', 'qatarcentral');
  await page.waitForSelector('li.finding.warn >> text=AML-NPIP-010');
  await page.locator('details.diff summary').click();
  assert.match(await page.locator('details.diff').innerText(), /\d+ finding\(s\) differ under profile 2023-04[\s\S]*AML-NPIP-002/);
  await page.close();
});

test('a rule with explicit addresses is answered exactly: the service-tag prefixes are fetched from the origin when first needed', async () => {
  const page = await open();
  assert.ok(!server.requests.some((r) => r.includes('prefixes.bin')), 'not part of the first load');
  // Eleven of the twelve IPv4 prefixes of BatchNodeManagement.WestUS2 (changeNumber 376).
  const batch = ['13.66.141.32/27', '13.66.225.240/32', '13.66.227.117/32', '13.66.227.193/32', '40.64.128.160/27', '40.78.242.224/27',
    '40.78.250.160/27', '52.137.105.46/32', '52.148.148.46/32', '52.175.218.150/32', '52.191.129.21/32'];
  await editor(page, JSON.stringify({ name: 'nsg-train', location: 'westus2', securityRules: [
    { name: 'batch-ips', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefixes: batch, sourcePortRange: '*',
      destinationAddressPrefix: '*', destinationPortRange: '29876-29877' }] }));
  const pip = page.locator('li.finding', { hasText: 'AML-PIP-001' });
  await pip.filter({ hasText: 'covers 11 of the 12 IPv4 prefixes of BatchNodeManagement.WestUS2' }).waitFor({ timeout: 10000 });
  assert.ok(server.requests.some((r) => r === 'GET /prefixes.bin'), 'fetched from the page origin');
  await page.screenshot({ path: path.join(artifacts, 'service-tags.png'), fullPage: true });
  await page.close();
});

test('"Test a flow" loads on first opening and answers a flow through the pasted NSG, rule by rule', async () => {
  const page = await open();
  assert.ok(!server.requests.some((r) => r.includes('flow-panel.js')), 'not part of the first load');
  await page.locator('details.flow-test summary').click();
  await page.locator('.flow-form button').waitFor({ timeout: 10000 });
  assert.ok(server.requests.some((r) => r === 'GET /flow-panel.js'), 'loaded from the page origin');
  await page.locator('.flow-form input[name=from]').fill('13.66.141.40');
  await page.locator('.flow-form input[name=to]').fill('10.0.0.4');
  await page.locator('.flow-form button').click();
  const result = page.locator('.flow-result');
  await result.locator('.verdict').waitFor();
  const text = await result.innerText();
  assert.match(text, /^(Allowed|Denied|Undecided)/, text);
  assert.match(text, /BatchNodeManagement\.WestUS2/, 'the address is mapped to its service tags');
  assert.ok(await result.locator('tr.deciding').count() >= 1, 'the deciding rule is marked');
  // A value it can't read is named, not thrown at the page.
  await page.locator('.flow-form input[name=port]').fill('99999');
  await page.locator('.flow-form button').click();
  await result.getByText('--port').waitFor();
  await page.screenshot({ path: path.join(artifacts, 'flow-panel.png'), fullPage: true });
  await page.close();
});

test('bad JSON gets line and column, the XSS string renders as text', async () => {
  const page = await open();
  await editor(page, '{\n  "securityRules": [\n    {"name": "a",}\n  ]\n}');
  await page.waitForSelector('.parse-error');
  assert.match(await page.locator('.parse-error').innerText(), /line 3, column 18/);
  await page.screenshot({ path: path.join(artifacts, 'bad-json.png'), fullPage: true });
  const xss = '<img src=x onerror=alert(1)>';
  await editor(page, JSON.stringify({ name: xss, securityRules: [{ name: xss, priority: 100, direction: 'Inbound', access: 'Deny', protocol: '*',
    sourceAddressPrefix: '*', sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '*' }] }));
  await page.waitForSelector('li.finding.fail');
  const pip = page.locator('li.finding.fail', { hasText: 'AML-PIP-001' });
  await pip.locator('summary').first().click();
  assert.ok((await page.content()).includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.equal(await page.locator('img').count(), 0);
  await page.close();
});

test('files can be picked and removed; several documents link up', async () => {
  const page = await open();
  await page.locator('.card .remove').first().click();
  await page.waitForSelector('.empty');
  const dir = path.resolve('tests/fixtures/AML-NPIP-002');
  const text = fs.readFileSync(path.join(dir, 'enabled.case'), 'utf8');
  const parts = text.split(/^--- (.+)$/m);
  const files = [];
  for (let i = 1; i < parts.length; i += 2) files.push({ name: parts[i].trim(), mimeType: 'application/json', buffer: Buffer.from(parts[i + 1]) });
  await page.setInputFiles('.file-pick input', files);
  await page.waitForFunction(() => document.querySelectorAll('.card').length === 2);
  await page.selectOption('#public-ip', 'no');
  await page.waitForSelector('li.finding.fail >> text=AML-NPIP-002');
  assert.deepEqual(await page.locator('.doc-name').evaluateAll((els) => els.map((e) => e.value)), ['subnet.json', 'nsg.json']);
  await page.close();
});

test('hostile input keeps the page alive', async () => {
  const page = await open();
  await editor(page, '['.repeat(10000));
  await page.waitForSelector('.parse-error');
  await editor(page, '{"properties": 5, "securityRules": "x", "type": null}');
  await page.waitForSelector('.counts');
  assert.equal(await page.locator('.panic.shown').count(), 0);
  await page.close();
});

// The template attacks of issue 10 (each once hung, exhausted memory or overflowed the
// stack): the core's budgets end them with a note; the guard's worker reads them first.
function attacks() {
  const doubling = { v0: 'abcdefghijklmnopqrstuvwxyz0123456789' };
  for (let i = 1; i < 64; i++) doubling[`v${i}`] = `[concat(variables('v${i - 1}'), variables('v${i - 1}'))]`;
  const ref = (p) => `reference(resourceId('Microsoft.Resources/deployments', 'd${p}')).outputs.o.value`;
  const chain = [];
  for (let i = 0; i < 64; i++) {
    const value = i === 0 ? "'x'" : `if(equals(${ref(i - 1)}, ${ref(i - 1)}), ${ref(i - 1)}, 'y')`;
    chain.push({ type: 'Microsoft.Resources/deployments', name: `d${i}`, properties: { template: { resources: [], outputs: { o: { type: 'string', value: `[${value}]` } } } } });
  }
  const deep = { v0: 1 };
  for (let i = 1; i < 1500; i++) deep[`v${i}`] = `[createArray(variables('v${i - 1}'))]`;
  const template = (variables, resources) => JSON.stringify({ $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', contentVersion: '1.0.0.0', variables, resources });
  const nsg = (name, extra = {}) => ({ type: 'Microsoft.Network/networkSecurityGroups', apiVersion: '2023-05-01', name, location: 'westus2', properties: { securityRules: [], ...extra } });
  return [
    ['doubling concat', template(doubling, [nsg("[variables('v63')]")])],
    ['64 chained references', template({}, [...chain, nsg(`[${ref(63)}]`)])],
    ['a 1,500-level value tree', template(deep, [nsg('deep', { deep: "[variables('v1499')]" })])],
  ];
}

test('hostile templates are checked within the time limit; a document that runs past it or traps is set aside by name, and the page keeps working', async () => {
  let page = await open();
  for (const [what, text] of attacks()) {
    const started = Date.now();
    await editor(page, text);
    await page.locator('li.finding', { hasText: 'AML-INP-005' }).first().waitFor({ state: 'attached', timeout: 10000 });
    assert.ok(Date.now() - started < 10000, `${what}: within the limit`);
    assert.equal(await page.locator('.guard').count(), 0, `${what}: finished in the worker, then checked here`);
  }
  await page.close();
  // The same attacks as share links (the 1.4 KB hanging template was a 758-character
  // link): each opens to its results within the limit.
  const link = (text) => '#s=' + zlib.deflateRawSync(Buffer.from(JSON.stringify({ v: 1, docs: [['attack.json', text]] })), { level: 9 }).toString('base64url');
  for (const [what, text] of attacks()) {
    const started = Date.now();
    const tab = await open(link(text));
    await tab.locator('li.finding', { hasText: 'AML-INP-005' }).first().waitFor({ state: 'attached', timeout: 10000 });
    assert.ok(Date.now() - started < 10000, `${what} as a share link: within the limit`);
    assert.equal(await tab.locator('.panic.shown, .guard').count(), 0, what);
    await tab.close();
  }
  page = await open();
  await editor(page, attacks()[2][1]);
  await page.locator('li.finding', { hasText: 'AML-INP-005' }).first().waitFor({ state: 'attached', timeout: 10000 });
  // Past the limit (shortened for the test): the document is named and set aside, the
  // others are checked.
  await page.evaluate(() => { window.amlvnetGuardLimitMs = 5; });
  await page.locator('input[type=file]').setInputFiles({ name: 'big.json', mimeType: 'application/json', buffer: Buffer.from(nsgOf(4000)) });
  const said = page.locator('.guard');
  await said.waitFor();
  assert.match(await said.innerText(), /^Checking stopped: `big\.json` was set aside, because it ran past the time limit \(5 ms\)\. The other documents are checked\./);
  await page.locator('.card').first().locator('details.found li', { hasText: 'deep' }).waitFor({ state: 'attached' });
  assert.equal(await page.locator('article.card').nth(1).locator('.shape').innerText(), 'set aside', 'its card says so');
  await page.screenshot({ path: path.join(artifacts, 'guard-stopped.png') });
  await page.locator('article.card').nth(1).locator('button.remove').click();
  // A trap in the worker: what it said, then a fresh worker for the next edit.
  await page.evaluate(() => { window.amlvnetGuardLimitMs = undefined; window.amlvnetGuardTrap = true; });
  await editor(page, attacks()[0][1].replace('v63', 'v62'));
  await said.waitFor();
  assert.match(await said.innerText(), /set aside, because it stopped the checker \(Error: amlvnet stopped on this input \(unreachable/);
  await page.evaluate(() => { window.amlvnetGuardTrap = false; });
  await editor(page, attacks()[2][1].replace('"name":"deep"', '"name":"after"'));
  await page.locator('.card details.found li', { hasText: 'after' }).waitFor({ state: 'attached', timeout: 10000 });
  assert.equal(await said.count(), 0);
  assert.equal(await page.locator('.panic.shown').count(), 0);
  await page.close();
});

// An NSG of `n` rules, pretty-printed as `az` prints it.
function nsgOf(n) {
  const rules = [];
  for (let i = 0; i < n; i++) {
    rules.push({ name: `r${i}`, properties: { priority: 100 + (i % 4000), direction: i % 2 ? 'Outbound' : 'Inbound', access: 'Allow', protocol: 'Tcp',
      sourceAddressPrefix: `10.${(i >> 8) & 255}.${i & 255}.0/24`, sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: `${1000 + (i % 500)}` } });
  }
  return JSON.stringify({ type: 'Microsoft.Network/networkSecurityGroups', name: `nsg-${n}`, location: 'westus2', properties: { securityRules: rules } }, null, 2);
}

test('an oversized document (20 MB) is checked without the editor, which shows it on request; over 25 MB a file is refused, with the reason', async () => {
  const page = await open();
  const big = nsgOf(55000);
  assert.ok(big.length > 20e6);
  await page.locator('input[type=file]').setInputFiles({ name: 'big.json', mimeType: 'application/json', buffer: Buffer.from(big) });
  const card = page.locator('article.card').nth(1);
  await card.locator('.hidden-text').waitFor({ timeout: 60000 });
  assert.match(await card.locator('.hidden-text').innerText(), /^2\d\.\d MB, [0-9]{3},[0-9]{3} lines: too big for the editor/);
  assert.equal(await card.locator('textarea').count(), 0);
  await card.locator('details.found li', { hasText: 'nsg-55000 (55000 rules)' }).waitFor({ state: 'attached', timeout: 60000 });
  // The page keeps working: a scenario change re-checks.
  await page.selectOption('#public-ip', 'no');
  await page.waitForSelector('h2:has-text("CC-NPIP")', { timeout: 60000 });
  await card.locator('button.remove').click();
  // A paste too big for the editor replaces the selection, is checked at once, and the
  // editor comes back on request with the whole text.
  const mid = nsgOf(3500);
  assert.ok(mid.length > 1e6 && mid.length < 2e6);
  await page.locator('textarea.editor').first().evaluate((t, text) => {
    t.select();
    const data = new DataTransfer();
    data.setData('text/plain', text);
    t.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, mid);
  const first = page.locator('article.card').first();
  await first.locator('details.found li', { hasText: 'nsg-3500 (3500 rules)' }).waitFor({ state: 'attached' });
  assert.equal(await first.locator('textarea').count(), 0);
  await first.getByRole('button', { name: 'Show and edit the text' }).click();
  assert.equal((await first.locator('textarea.editor').inputValue()).length, mid.length);
  // Over 25 MB a file is not read; the page says so and points to the CLI.
  await page.locator('input[type=file]').setInputFiles({ name: 'huge.json', mimeType: 'application/json', buffer: Buffer.alloc(26_000_000, ' ') });
  await page.locator('.refused', { hasText: 'huge.json was not read: 26.0 MB' }).waitFor();
  assert.match(await page.locator('.refused').innerText(), /amlvnet check huge\.json/);
  assert.equal(await page.locator('article.card').count(), 1);
  await page.locator('.refused button').click();
  assert.equal(await page.locator('.refused').count(), 0);
  assert.equal(await page.locator('.panic.shown').count(), 0);
  await page.close();
});

test('a share link round-trips the inputs; a tampered one is refused politely', async () => {
  const page = await open();
  await page.selectOption('#example', '2');
  await page.selectOption('#public-ip', 'no');
  await page.waitForSelector('.counts');
  const counts = await page.locator('.counts').innerText();
  const text = await page.locator('textarea.editor').first().inputValue();
  await page.locator('.share input[type=checkbox]').uncheck();
  await page.locator('.share-button').click();
  const url = await page.locator('#share-url').inputValue();
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/#s=[A-Za-z0-9_-]+$/);
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
  const copy = await context.newPage();
  await copy.goto(url);
  await copy.waitForSelector('.counts');
  assert.equal(await copy.locator('textarea.editor').first().inputValue(), text);
  assert.equal(await copy.locator('.counts').innerText(), counts);
  await page.locator('.share input[type=checkbox]').check();
  await page.locator('.share-button').click();
  // The link is deflated by the browser's stream, asynchronously: wait for the new one.
  await page.waitForFunction((before) => document.querySelector('#share-url')?.value !== before, url, { timeout: 10000 });
  const redacted = await page.locator('#share-url').inputValue();
  assert.notEqual(redacted, url);
  assert.match(redacted, /^http:\/\/127\.0\.0\.1:\d+\/#s=[A-Za-z0-9_-]+$/);
  await copy.close();
  const bad = await open('#s=AAAAthis-is-not-a-link');
  await bad.waitForSelector('.link-error');
  await bad.waitForSelector('.finding');
  await bad.close();
  await page.close();
});

// The browser inflates links (DecompressionStream): any raw DEFLATE is read, and a link
// that would expand past 30 MB is stopped as it inflates and named for what it is.
test('share links written by another deflater are read; a deflate bomb is refused by name', async () => {
  const link = (text) => '#s=' + zlib.deflateRawSync(Buffer.from(text), { level: 9 }).toString('base64url');
  const nsg = '{"name": "nsg-from-node", "type": "Microsoft.Network/networkSecurityGroups", "properties": {"securityRules": []}}';
  const page = await open(link(JSON.stringify({ v: 1, docs: [['node.json', nsg]], compute: 'cluster', publicIp: 'no', region: 'westus2', profile: '2022-07' })));
  await page.waitForSelector('.counts');
  assert.equal(await page.locator('textarea.editor').first().inputValue(), nsg);
  assert.equal(await page.locator('#region').inputValue(), 'westus2');
  await page.close();
  const bomb = link(' '.repeat(31_000_000));
  assert.ok(bomb.length < 100_000);
  const blown = await open(bomb);
  await blown.waitForSelector('.link-error');
  assert.match(await blown.locator('.link-error').innerText(), /expands to more than 30 MB/);
  await blown.waitForSelector('.finding');
  await blown.close();
});

test('the fixes that add rules to one NSG come also as one change, every rule once', async () => {
  const page = await open();
  await page.selectOption('#example', '5');
  await page.waitForSelector('details.combined');
  const combined = page.locator('details.combined');
  assert.equal(await combined.count(), 1);
  assert.match(await combined.locator('summary').innerText(), /The 2 rules the fixes add to NSG snet-train-nsg, as one change/);
  await combined.locator('summary').click();
  const az = await combined.locator('pre code').first().innerText();
  // Each rule once, with distinct names and priorities.
  const names = [...az.matchAll(/--name (\S+)/g)].map((m) => m[1]);
  const priorities = [...az.matchAll(/--priority (\d+)/g)].map((m) => m[1]);
  assert.equal(names.length, 2, az);
  assert.equal(new Set(names).size, 2, az);
  assert.equal(new Set(priorities).size, 2, az);
  await page.screenshot({ path: path.join(artifacts, 'combined-fix.png'), fullPage: false });
  await page.close();
});

test('in the browser, the JavaScript API answers right after a trap, with a fresh instance', async () => {
  const page = await open('embed.html');
  const [said, before, after] = await page.evaluate(async () => {
    const api = await import('./amlvnet.js');
    await api.default();
    const docs = [{ name: 'nsg.json', text: '{"name": "nsg", "securityRules": []}' }];
    const before = api.check(docs, {}).summary;
    let said = '';
    try { api.__trapForTests(); } catch (e) { said = e.message; }
    return [said, before, api.check(docs, {}).summary];
  });
  assert.match(said, /amlvnet stopped on this input .*; it started afresh/);
  assert.deepEqual(after, before);
  await page.close();
});

test('catalogue page has an anchor per check', async () => {
  const page = await open('#/rules');
  await page.waitForSelector('article.rule');
  // Every check of the catalogue the build wrote beside the page (rules.json, from the
  // same source as `amlvnet rules --format json`), and its documentation once loaded.
  const catalogue = await page.evaluate(async () => (await fetch('rules.json')).json());
  assert.ok(catalogue.length >= 78);
  assert.equal(await page.locator('article.rule').count(), catalogue.length);
  assert.equal(await page.locator('#AML-PIP-001').count(), 1);
  const pip = catalogue.find((c) => c.id === 'AML-PIP-001');
  await page.waitForFunction((what) => document.querySelector('#AML-PIP-001').textContent.includes(what), pip.docs.what, { timeout: 10000 });
  assert.equal(await page.locator('.docs-loading').count(), 0, 'no check is left without its documentation');
  await page.close();
});

test('the pre-rendered first results are what the app renders, and give way to it', async () => {
  const html = await (await fetch(base)).text();
  const copy = extract(html);
  const findings = (markup) => (markup.match(/<li class="finding/g) || []).length;
  assert.ok(copy && copy.includes('elementtiming="results"'), 'index.html carries pre-rendered results');
  const page = await open();
  assert.equal(await page.locator('#prerender').count(), 0, 'the copy is gone once the app runs');
  assert.equal(await page.locator('main#main').count(), 1);
  assert.equal(copy, await page.evaluate(snapshot), 'the copy is stale: rebuild with `trunk build --release`');
  // The first frame is the top of that copy: the same heading and counts, the first findings.
  const first = extract(html, true);
  assert.equal(first, await page.evaluate(firstFrame, { markup: copy, k: FIRST_FINDINGS }));
  assert.equal(findings(first), FIRST_FINDINGS);
  assert.ok(!first.includes('<textarea'), 'the first frame leaves the inputs column for the next one');
  // A share link or the catalogue never shows the default example's copy, even briefly.
  // (Its own context: the wasm is held back so that only the inline script can act.)
  const other = await browser.newContext();
  const rules = await other.newPage();
  await rules.route('**/*.wasm', (route) => route.abort());
  await rules.goto(base + '#/rules');
  assert.equal(await rules.locator('#prerender, #prerender-rest').count(), 0);
  // The whole copy replaces the first frame once that is painted (wide screen), or before
  // any paint (narrow screen, where the inputs come first). Recorded when it happens.
  await rules.addInitScript(() => {
    new MutationObserver((_, o) => {
      if (document.querySelector('#prerender textarea')) {
        window.wholeAfterPaints = performance.getEntriesByType('paint').length;
        o.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  for (const [width, painted] of [[1280, true], [600, false]]) {
    await rules.setViewportSize({ width, height: 800 });
    await rules.goto(base);
    await rules.waitForFunction(() => window.wholeAfterPaints !== undefined);
    assert.equal(await rules.evaluate(() => window.wholeAfterPaints > 0), painted, `at ${width} px`);
    assert.equal(await rules.locator('#prerender-rest').count(), 0);
    assert.equal(await rules.locator('#prerender li.finding').count(), findings(copy));
  }
  // Without the wasm, the copy does not pretend to be the app for long.
  assert.equal(await rules.locator('#prerender').count(), 1);
  await rules.waitForSelector('.panic.shown', { timeout: STALL_MS + 5000 });
  assert.match(await rules.locator('#panic').innerText(), /did not start/);
  await other.close();
  await page.close();
});

test('readable at 320 px and passes an accessibility scan', async () => {
  const page = await open();
  await page.setViewportSize({ width: 320, height: 900 });
  await page.waitForSelector('.finding');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(overflow <= 330, `no horizontal scroll at 320 px (scrollWidth ${overflow})`);
  await page.screenshot({ path: path.join(artifacts, 'narrow-320.png'), fullPage: false });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.addScriptTag({ content: fs.readFileSync('node_modules/axe-core/axe.min.js', 'utf8') });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`), []);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: path.join(artifacts, 'dark.png') });
  await page.close();
});

test('the JavaScript API gives the same report as the CLI, and rejects bad options', async () => {
  const page = await open('embed.html');
  await page.waitForFunction(() => window.lastReport);
  const api = await page.evaluate(() => window.lastReport);
  const text = await page.locator('#nsg').inputValue();
  const file = path.join(artifacts, 'embed-nsg.json');
  fs.writeFileSync(file, text);
  const bin = ['target/debug/amlvnet', 'target/release/amlvnet'].find((p) => fs.existsSync(p));
  assert.ok(bin, 'the CLI is built');
  const { spawnSync } = await import('node:child_process');
  const cli = JSON.parse(spawnSync(bin, ['check', '--compute', 'cluster', '--public-ip', 'yes', '--region', 'westus2', '--format', 'json', file]).stdout.toString());
  const key = (f) => `${f.id} ${f.status} ${f.subject?.name ?? ''} ${f.message.replace(/embed-nsg\.json|nsg\.json/g, 'DOC')}`;
  assert.deepEqual(api.findings.map(key), cli.findings.map(key));
  assert.equal(api.schema, 'amlvnet-report/1');
  assert.ok(await page.locator('#rows tr').count() > 0);
  const error = await page.evaluate(async () => {
    const m = await import('./amlvnet.js');
    try { m.check([], { compute: 'boat' }); return 'no error'; } catch (e) { return String(e.message || e); }
  });
  assert.match(error, /options\.compute "boat": expected cluster, instance, vm, hdinsight or databricks/);
  const bad = await page.evaluate(async () => (await import('./amlvnet.js')).check([{ name: 'x.json', text: '{' }], {}).findings.find((f) => f.id === 'AML-INP-001').status);
  assert.equal(bad, 'fail');
  await page.close();
});

test('the offline single file (amlvnet.html) works from file:// with the network off and requests nothing', async () => {
  const page = await open();
  assert.equal(await page.locator('a[download="amlvnet.html"]').getAttribute('href'), 'amlvnet.html', 'the page offers it');
  await page.close();
  const offline = await browser.newContext();
  await offline.setOffline(true);
  const requests = [];
  const errors = [];
  offline.on('request', (r) => requests.push(r.url()));
  const p = await offline.newPage();
  p.on('pageerror', (e) => errors.push(e.message));
  await p.goto(`file://${path.join(root, 'amlvnet.html')}`);
  await p.waitForSelector('body[data-first-results-ms]');
  await p.selectOption('#example', '5');
  await p.waitForSelector('li.finding.fail');
  const pip = p.locator('li.finding.fail', { hasText: 'AML-PIP-001' });
  await pip.locator('summary').first().click();
  // The checks' docs come from the file itself.
  await pip.locator('.docs h4', { hasText: 'Why it matters' }).waitFor({ timeout: 10000 });
  await p.screenshot({ path: path.join(artifacts, 'offline.png') });
  // Templates and Terraform plans: read by the JavaScript API inline in the file.
  for (const [label, id] of [['ARM template', 'AML-PIP-006'], ['Terraform plan', 'AML-NPIP-002']]) {
    await p.selectOption('#example', await p.locator('#example option', { hasText: label }).getAttribute('value'));
    await p.locator('li.finding.fail').filter({ has: p.locator('code.id', { hasText: new RegExp(`^${id}$`) }) }).first().waitFor({ timeout: 15000 });
  }
  assert.equal(await p.locator('.card .shape').first().innerText(), 'Terraform plan (terraform show -json)');
  assert.deepEqual(errors, []);
  assert.deepEqual(requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:')), [], 'no request but the file itself');
  await offline.close();
});

test('no request left 127.0.0.1 and nothing failed', () => {
  const foreign = pageRequests.filter((u) => !u.startsWith(base) && !u.startsWith('data:') && !u.startsWith('blob:'));
  assert.deepEqual(foreign, []);
  assert.deepEqual(problems, []);
  const paths = new Set(server.requests.map((r) => r.replace(/-[0-9a-f]{1,16}/, '-HASH')));
  for (const p of paths) assert.match(p, /^GET \/(|index\.html|style-HASH\.css|web-HASH\.js|web-HASH_bg\.wasm|embed\.html|amlvnet\.js|amlvnet_bg\.wasm|rules\.json|prefixes\.bin|flow-panel\.js|worker\.js|keeper\.js)$/, p);
});
