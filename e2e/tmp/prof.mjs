import { chromium } from 'playwright-core';
import { serve } from '../serve.mjs';
const server = await serve(process.argv[2]);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${server.port}/`);
await page.waitForSelector('body[data-first-results-ms]');
const rules = [];
for (let i = 0; i < 997; i++) rules.push({ name: `r${i}`, properties: { priority: 100 + i, direction: i % 2 ? 'Outbound' : 'Inbound', access: i % 3 ? 'Allow' : 'Deny', protocol: 'Tcp', sourceAddressPrefix: `10.${i >> 8}.${i & 255}.0/24`, sourcePortRange: '*', destinationAddressPrefixes: ['10.200.0.0/24'], destinationPortRanges: [`${1000 + (i % 500)}`] } });
const doc = JSON.stringify({ type: 'Microsoft.Network/networkSecurityGroups', name: 'nsg-train', location: 'westus2', properties: { securityRules: rules } }, null, 1);
const edit = async (i) => {
  await page.evaluate((d) => { document.body.removeAttribute('data-check-ms'); const t = document.querySelector('textarea.editor'); t.value = d; t.dispatchEvent(new InputEvent('input', { bubbles: true })); }, doc.replace('"r0"', `"r0-${i}"`));
  await page.waitForFunction(() => document.body.getAttribute('data-check-ms'), null, { timeout: 20000 });
  return page.evaluate(() => [document.body.dataset.readMs, document.body.dataset.checkMs]);
};
for (let i = 0; i < 8; i++) await edit(i);
if (process.argv[3] === 'noprof') { const t = []; for (let i = 0; i < 15; i++) t.push(await edit(200 + i)); const s = t.map(([r, c]) => Number(r) + Number(c)).sort((a, b) => a - b); console.log('read+check median', s[7].toFixed(1), 'read median', t.map(([r]) => Number(r)).sort((a, b) => a - b)[7], JSON.stringify(s)); await browser.close(); server.server.close(); process.exit(0); }
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
await cdp.send('Profiler.start');
const times = [];
for (let i = 0; i < 10; i++) times.push(await edit(100 + i));
const { profile } = await cdp.send('Profiler.stop');
console.log('read/check', JSON.stringify(times));
const self = new Map();
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const dt = profile.timeDeltas; const counts = new Map();
profile.samples.forEach((id, k) => counts.set(id, (counts.get(id) || 0) + (dt[k] || 0)));
for (const [id, t] of counts) { const n = byId.get(id); const key = n.callFrame.functionName || n.callFrame.url.split('/').pop() || '(anon)'; self.set(key, (self.get(key) || 0) + t); }
const total = [...self.values()].reduce((a, b) => a + b, 0);
console.log('total ms', (total / 1000).toFixed(1));
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log((v / 1000).toFixed(1).padStart(8), k.slice(0, 140));
await browser.close(); server.server.close();
