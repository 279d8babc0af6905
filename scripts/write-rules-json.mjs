// Writes rules.json (the catalogue with every check's documentation, as
// `amlvnet rules --format json` prints it) beside the page, from the JavaScript API just
// built: the page's own wasm carries no docs and fetches this file when they are shown.
// Usage: node scripts/write-rules-json.mjs DIR
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.argv[2];
const api = await import(pathToFileURL(path.resolve(dir, 'amlvnet.js')).href);
await api.default({ module_or_path: fs.readFileSync(path.join(dir, 'amlvnet_bg.wasm')) });
const rules = api.rules();
if (!Array.isArray(rules) || rules.length < 70 || rules.some((r) => !r.docs || !r.docs.what)) {
  throw new Error('the catalogue from the JavaScript API lacks its documentation');
}
fs.writeFileSync(path.join(dir, 'rules.json'), JSON.stringify(rules));
console.log(`rules.json: ${rules.length} checks`);
