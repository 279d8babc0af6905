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
const before = html;
html = html
  .replace(script, () => `<script type="application/octet-stream" id="amlvnet-wasm">${wasmB64}</script>\n`
    + `<script type="application/json" id="amlvnet-rules">${rules}</script>\n${inline}`)
  .replace(/<link rel="(modulepreload|preload)"[^>]*>/g, '')
  .replace(/<meta http-equiv="Content-Security-Policy" content="[^"]*" \/>/,
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'wasm-unsafe-eval' data:; connect-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'" />`);
if (html === before || html.includes(`./${js}`) || html.includes(`./${wasm}`)) throw new Error('build-offline: the page still refers to its files');
fs.writeFileSync(path.join(dir, 'amlvnet.html'), html);
console.log(`amlvnet.html: ${(html.length / 1e6).toFixed(1)} MB, self-contained`);
