// amlvnet.html: the page as one self-contained file, for a cautious user who downloads it
// once and opens it from disk. Run by scripts/post-build.sh on a release build, after the
// pre-render: the built index.html with Trunk's loader replaced by an inline one that
// imports the page's script from a data: URL and gives it the wasm from base64, the
// checks' docs (rules.json) in a JSON data block the page reads instead of fetching, and
// a Content-Security-Policy with connect-src 'none', so the file can make no request.
//   node scripts/build-offline.mjs DIR
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] || 'dist';
let html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
const loader = html.match(/<script type="module">\s*import init, \* as bindings from '\.\/(web-[0-9a-f]+\.js)';[\s\S]*?init\(\{ module_or_path: '\.\/(web-[0-9a-f]+_bg\.wasm)' \}\);[\s\S]*?<\/script>/);
if (!loader) throw new Error("build-offline: Trunk's loader was not found in index.html");
const [script, js, wasm] = loader;
const jsUrl = `data:text/javascript;base64,${fs.readFileSync(path.join(dir, js)).toString('base64')}`;
const wasmB64 = fs.readFileSync(path.join(dir, wasm)).toString('base64');
const inline = script
  .replace(`'./${js}'`, `'${jsUrl}'`)
  .replace(`'./${wasm}'`, `Uint8Array.from(atob(document.getElementById('amlvnet-wasm').textContent), (c) => c.charCodeAt(0))`);
const rules = fs.readFileSync(path.join(dir, 'rules.json'), 'utf8').replaceAll('</', '<\\/');
// Templates and Terraform documents: the page reads them with what the JavaScript API makes
// of them (src/bin/web/guard.rs), in a worker on the web; here, with no worker file and no
// request allowed, the same API is inline (its script a data: URL, its wasm base64) and the
// guard's `amlvnetGuard` runs it on the page, without the time limit.
const guard = html.match(/<script>window\.amlvnetGuard = [^<]*<\/script>/);
if (!guard) throw new Error("build-offline: the guard's loader was not found in index.html");
const apiUrl = `data:text/javascript;base64,${fs.readFileSync(path.join(dir, 'amlvnet.js')).toString('base64')}`;
const apiWasm = fs.readFileSync(path.join(dir, 'amlvnet_bg.wasm')).toString('base64');
const offlineGuard = `<script type="application/octet-stream" id="amlvnet-api-wasm">${apiWasm}</script>
<script>let amlvnetApi; window.amlvnetGuard = (run) => (amlvnetApi ??= import('${apiUrl}').then(async (m) => { await m.default({ module_or_path: Uint8Array.from(atob(document.getElementById('amlvnet-api-wasm').textContent), (c) => c.charCodeAt(0)) }); return m; })).then((m) => {
  const docs = run.names.map((name, i) => ({ name, text: run.texts[i] }));
  run.texts.forEach((_, i) => { if (run.prepare[i]) { try { const bytes = m.__prepare(docs, i); if (bytes) run.prepared(i, bytes); } catch { /* the page says it can't read it */ } } });
  run.done(-2, null);
}, () => run.done(-2, null));</script>`;
const before = html;
html = html
  .replace(script, () => `<script type="application/octet-stream" id="amlvnet-wasm">${wasmB64}</script>\n`
    + `<script type="application/json" id="amlvnet-rules">${rules}</script>\n${inline}`)
  .replace(guard[0], () => offlineGuard)
  .replace(/<link rel="(modulepreload|preload)"[^>]*>/g, '')
  .replace(/<meta http-equiv="Content-Security-Policy" content="[^"]*" \/>/,
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'wasm-unsafe-eval' data:; connect-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'" />`);
if (html === before || html.includes(`./${js}`) || html.includes(`./${wasm}`)) throw new Error('build-offline: the page still refers to its files');
fs.writeFileSync(path.join(dir, 'amlvnet.html'), html);
console.log(`amlvnet.html: ${(html.length / 1e6).toFixed(1)} MB, self-contained`);
