// <amlvnet-check>: the amlvnet checker as a custom element, for documentation pages.
//
//   <script type="module" src="/tools/amlvnet/amlvnet-check.js"></script>
//   <amlvnet-check compute="cluster" public-ip="yes" region="westus2" profile="2022-07">
//     <script type="application/json">{ "name": "nsg-train", "securityRules": [] }</script>
//   </amlvnet-check>
//
// It loads amlvnet.js and amlvnet_bg.wasm from beside itself and makes no other request.
// Styles live in a constructed style sheet of the shadow root, so a host page's strict
// Content-Security-Policy needs no 'unsafe-inline' (only 'wasm-unsafe-eval' for the wasm).
// After each check it dispatches `amlvnet-report` (detail: the JSON report of
// `amlvnet check --format json`). Nothing pasted leaves the page.

import init, { check, explainError } from './amlvnet.js';

let ready = null;
/** Loads the wasm once for every element of the page (beside this file; written as
 *  `new URL(literal, import.meta.url)` so that bundlers emit the wasm with it). */
function load() {
  ready ??= init({ module_or_path: new URL('amlvnet_bg.wasm', import.meta.url) });
  return ready;
}

const STYLE = `
:host { display: block; max-width: 100%; min-width: 0; box-sizing: border-box; font: 15px/1.45 system-ui, sans-serif;
  --bg: #fff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --fail: #b3261e; --warn: #8a5300; --pass: #1a7f37; --accent: #0b5cad; --code: #f6f8fa;
  color: var(--fg); background: var(--bg); border: 1px solid var(--line); border-radius: 8px; padding: 12px; }
@media (prefers-color-scheme: dark) {
  :host { --bg: #0d1117; --fg: #e6edf3; --muted: #9da7b3; --line: #30363d; --fail: #ff7b72; --warn: #e3b341; --pass: #56d364; --accent: #79c0ff; --code: #161b22; }
}
* { box-sizing: border-box; }
label { display: block; font-weight: 600; margin: 0 0 4px; }
textarea { width: 100%; min-height: 9em; font: 13px/1.4 ui-monospace, monospace; color: var(--fg); background: var(--code);
  border: 1px solid var(--line); border-radius: 6px; padding: 8px; resize: vertical; }
textarea:focus-visible, button:focus-visible, a:focus-visible, summary:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.scenario { color: var(--muted); font-size: 13px; margin: 6px 0; overflow-wrap: anywhere; }
.counts { display: flex; flex-wrap: wrap; gap: 6px 14px; margin: 10px 0; padding: 0; list-style: none; }
.counts li { font-weight: 600; }
.counts .fail, .status.fail { color: var(--fail); } .counts .warn, .status.warn { color: var(--warn); } .counts .pass, .none { color: var(--pass); }
.findings { list-style: none; margin: 0; padding: 0; }
.finding { border-top: 1px solid var(--line); padding: 8px 0; overflow-wrap: anywhere; }
.finding p { margin: 4px 0; }
.status { text-transform: uppercase; font-size: 12px; font-weight: 700; margin-right: 6px; }
pre { background: var(--code); border: 1px solid var(--line); border-radius: 6px; padding: 8px; margin: 6px 0; overflow-x: auto;
  font: 12px/1.4 ui-monospace, monospace; white-space: pre-wrap; word-break: break-all; }
button { font: inherit; font-size: 13px; color: var(--fg); background: var(--code); border: 1px solid var(--line); border-radius: 6px; padding: 3px 10px; cursor: pointer; }
a { color: var(--accent); }
.error { color: var(--fail); font-weight: 600; }
details { margin-top: 12px; }
summary { cursor: pointer; font-weight: 600; }
.more { margin: 10px 0 0; font-size: 13px; }
`;

let sheet = null;
function styleSheet() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
  }
  return sheet;
}

/** An element with text and attributes; children appended. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== undefined && v !== null && v !== false) el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

/** The fix in the reader's language: Terraform when the finding came from a plan, else az. */
function fixText(fix) {
  if (fix.terraform) return { label: 'Terraform', text: fix.terraform };
  if (fix.az) return { label: 'az', text: fix.az };
  if (fix.bicep) return { label: 'Bicep', text: fix.bicep };
  return { label: 'ARM', text: JSON.stringify(fix.arm, null, 2) };
}

/** Appends the children that are not null. */
function append(el, children) {
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c);
}

let serial = 0;

export class AmlvnetCheck extends HTMLElement {
  static observedAttributes = ['compute', 'public-ip', 'region', 'profile', 'page'];

  constructor() {
    super();
    this.id_ = `amlvnet-${++serial}`;
    this.timer = 0;
    this.report = null;
    const root = this.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [styleSheet()];
    this.editor = h('textarea', { id: 'doc', spellcheck: 'false', 'aria-describedby': 'scenario' });
    this.scenario = h('p', { class: 'scenario', id: 'scenario' });
    this.results = h('div', { role: 'region', 'aria-live': 'polite', 'aria-label': 'Results' });
    this.errorBox = h('textarea', { id: 'error', spellcheck: 'false' });
    this.errorOut = h('div', { 'aria-live': 'polite' });
    root.append(
      h('label', { for: 'doc' }, 'Network JSON (NSG, subnet, route table, VNet, template, plan)'),
      this.editor,
      this.scenario,
      this.results,
      h('details', {},
        h('summary', {}, 'Have an error message instead?'),
        h('label', { for: 'error' }, 'Azure ML, Databricks or Terraform error text'),
        this.errorBox,
        this.errorOut),
    );
    this.more = h('p', { class: 'more' });
    root.append(this.more);
    this.editor.addEventListener('input', () => this.schedule());
    this.errorBox.addEventListener('input', () => this.decode());
  }

  connectedCallback() {
    if (!this.editor.value) {
      const start = this.querySelector('script[type="application/json"]');
      if (start) this.editor.value = start.textContent.trim();
    }
    this.schedule(0);
  }

  attributeChangedCallback() {
    if (this.isConnected) this.schedule(0);
  }

  /** The contract's options from the attributes (same spellings as the CLI flags). */
  options() {
    const o = {};
    const compute = this.getAttribute('compute');
    if (compute) o.compute = compute;
    const ip = this.getAttribute('public-ip');
    if (ip) o.publicIp = ['yes', 'true'].includes(ip.toLowerCase()) ? true : ['no', 'false'].includes(ip.toLowerCase()) ? false : ip;
    const region = this.getAttribute('region');
    if (region) o.region = region;
    const profile = this.getAttribute('profile');
    if (profile) o.profile = profile;
    return o;
  }

  schedule(delay = 200) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delay);
  }

  async run() {
    // The `page` attribute: where the full checker is hosted, linked for more.
    const page = this.getAttribute('page');
    this.more.replaceChildren();
    if (page) this.more.append(h('a', { href: new URL(page, document.baseURI).href }, 'Open the full checker'), ' for every finding, the rules in evaluation order and share links.');
    await load();
    const text = this.editor.value;
    this.scenario.textContent = this.describe();
    if (!text.trim()) {
      this.results.replaceChildren(h('p', {}, 'Paste a document to check it.'));
      return;
    }
    let report;
    try {
      report = check([{ name: 'pasted.json', text }], this.options());
    } catch (e) {
      this.results.replaceChildren(h('p', { class: 'error' }, `amlvnet-check: ${e.message}`));
      return;
    }
    this.report = report;
    this.render(report);
    this.dispatchEvent(new CustomEvent('amlvnet-report', { detail: report, bubbles: true, composed: true }));
  }

  describe() {
    const o = this.options();
    const parts = [o.compute ?? 'compute from the documents', o.publicIp === undefined ? '' : o.publicIp ? 'public IP' : 'no public IP', o.region ?? '', o.profile ? `profile ${o.profile}` : ''];
    return `Scenario: ${parts.filter(Boolean).join(', ')}`;
  }

  render(report) {
    const s = report.summary;
    const counts = h('ul', { class: 'counts', 'aria-label': 'Findings by status' },
      h('li', { class: 'fail' }, `${s.fail} fail`),
      h('li', { class: 'warn' }, `${s.warn} warn`),
      h('li', { class: 'pass' }, `${s.pass} pass`),
      h('li', {}, `${s.unknown} unknown`));
    const shown = report.findings.filter((f) => f.status === 'fail' || f.status === 'warn');
    const items = shown.map((f, i) => this.finding(f, i));
    const doc = report.documents[0];
    const problem = doc?.error ? h('p', { class: 'error' }, `Line ${doc.error.line}, column ${doc.error.column}: ${doc.error.message}`) : null;
    this.results.replaceChildren();
    append(this.results, [counts, problem, items.length ? h('ul', { class: 'findings' }, items) : h('p', { class: 'none' }, 'Nothing fails or warns.')]);
  }

  finding(f, i) {
    const deciding = (f.evidence || []).find((e) => e.role === 'deciding');
    const item = h('li', { class: `finding ${f.status}` },
      h('p', { class: 'title' }, h('span', { class: `status ${f.status}` }, f.status), h('strong', {}, `${f.id}: ${f.title}`)),
      h('p', {}, f.message));
    if (deciding) {
      const where = deciding.location ? ` (line ${deciding.location.line}, column ${deciding.location.column})` : '';
      item.append(h('p', {}, 'Deciding rule: ', h('code', {}, deciding.rule), deciding.priority != null ? ` at priority ${deciding.priority}` : '', where));
    }
    if (f.fix) {
      const { label, text } = fixText(f.fix);
      const id = `${this.id_}-fix-${i}`;
      const copy = h('button', { type: 'button', 'aria-describedby': id }, `Copy ${label} fix`);
      copy.addEventListener('click', async () => {
        try {
          await navigator.clipboard.writeText(text);
          copy.textContent = 'Copied';
        } catch {
          copy.textContent = 'Select the text to copy it';
        }
      });
      item.append(h('p', {}, f.fix.summary), h('pre', { id }, text), copy);
    }
    return item;
  }

  async decode() {
    await load();
    const text = this.errorBox.value;
    if (!text.trim()) {
      this.errorOut.replaceChildren();
      return;
    }
    const { matches } = explainError(text);
    if (!matches.length) {
      this.errorOut.replaceChildren(h('p', {}, 'No known network error in this text. Paste the network JSON above instead: the checker tells what is wrong with it.'));
      return;
    }
    this.errorOut.replaceChildren(...matches.map((m) => h('div', {},
      h('p', {}, h('strong', {}, m.code), `: ${m.title}`),
      h('ul', {}, m.checks.map((c) => h('li', {}, `${c.id}: ${c.title}`)),
        m.rules.map((r) => h('li', {}, `Missing rule "${r.name}" (${r.direction} ${r.port}) → ${r.check ?? 'no check of the catalogue'}`))),
      h('p', {}, `Paste: ${m.paste}`),
      h('p', {}, `Fix: ${m.fix}`))));
  }
}

if (!customElements.get('amlvnet-check')) customElements.define('amlvnet-check', AmlvnetCheck);
