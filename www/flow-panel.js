// "Test a flow" in the page: one flow through the NSGs of the pasted documents, as
// `amlvnet flow` answers it, over the JavaScript API (amlvnet.js beside the page). The page
// loads this file from its own origin the first time the panel is opened and keeps
// `window.amlvnetFlowInput` (JSON text of { documents, region }) current while it is open. DOM built
// with textContent only: nothing pasted is ever parsed as HTML.
import init, { flow } from './amlvnet.js';

const root = document.getElementById('flow-panel');

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

function field(label, input) {
  return el('label', {}, el('span', {}, label), input);
}

function select(name, values) {
  const s = el('select', { name });
  for (const v of values) s.append(el('option', { value: v }, v));
  return s;
}

const MATCH = { true: 'yes', false: 'no', partial: 'partly' };

function show(out, result) {
  const r = result.results[0];
  const access = r.networkSecurityGroupResult.securityRuleAccessResult;
  const said = { Allow: 'Allowed', Deny: 'Denied', Unknown: 'Undecided: it depends on what the documents leave unknown' }[access];
  const p = r.profile;
  out.replaceChildren(el('p', { class: `verdict ${access.toLowerCase()}` }, `${said}: ${p.direction.toLowerCase()} ${p.protocol} from ${p.source} to ${p.destination} port ${p.destinationPort}`));
  for (const [side, tags] of [['source', r.sourceServiceTags], ['destination', r.destinationServiceTags]]) {
    if (tags.length) out.append(el('p', {}, `The ${side} is in the service tags ${tags.join(', ')}.`));
  }
  for (const n of r.networkSecurityGroupResult.evaluatedNetworkSecurityGroups) {
    const rule = n.matchedRule ? `${n.matchedRule.action} by rule ${n.matchedRule.ruleName}` : 'no rule decides';
    out.append(el('p', {}, `NSG ${n.networkSecurityGroupId} (${n.appliedTo}): ${n.access}, ${rule}.`));
    const rows = n.rulesEvaluationResult.filter((x) => ![x.protocolMatched, x.sourceMatched, x.sourcePortMatched, x.destinationMatched, x.destinationPortMatched].includes(false));
    if (!rows.length) continue;
    const table = el('table', {}, el('thead', {}, el('tr', {}, ...['Priority', 'Rule', 'Access', 'Protocol', 'Source', 'Source port', 'Destination', 'Port'].map((h) => el('th', { scope: 'col' }, h)))));
    const body = el('tbody');
    for (const x of rows) {
      const decided = n.matchedRule && x.name === n.matchedRule.ruleName;
      body.append(el('tr', decided ? { class: 'deciding' } : {}, ...[x.priority ?? '?', x.name, x.access ?? '?',
        ...[x.protocolMatched, x.sourceMatched, x.sourcePortMatched, x.destinationMatched, x.destinationPortMatched].map((m) => MATCH[m])].map((c) => el('td', {}, String(c)))));
    }
    table.append(body);
    out.append(el('div', { class: 'rules' }, table));
  }
  for (const note of r.notes) out.append(el('p', { class: 'note' }, note));
}

async function main() {
  await init();
  const form = el('form', { class: 'flow-form' },
    field('Direction', select('direction', ['inbound', 'outbound'])),
    field('Protocol', select('protocol', ['tcp', 'udp', 'icmp', '*'])),
    field('From', el('input', { name: 'from', value: 'BatchNodeManagement', spellcheck: 'false' })),
    field('To', el('input', { name: 'to', value: '', placeholder: 'a subnet among the documents, an IP, a tag', spellcheck: 'false' })),
    field('Port', el('input', { name: 'port', value: '29876', inputmode: 'numeric' })),
    field('Source port (optional)', el('input', { name: 'sourcePort', value: '', inputmode: 'numeric' })),
    el('button', { type: 'submit' }, 'Test'));
  const out = el('div', { class: 'flow-result', 'aria-live': 'polite' });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = Object.fromEntries(new FormData(form));
    const input = JSON.parse(window.amlvnetFlowInput || '{"documents": [], "region": ""}');
    if (!q.to) q.to = '10.0.0.4';
    try {
      show(out, flow(input.documents, { ...q, region: input.region }));
    } catch (err) {
      out.replaceChildren(el('p', { class: 'note', role: 'alert' }, String(err.message || err)));
    }
  });
  root.replaceChildren(el('p', {}, 'Source and destination: a service tag (Storage.westus2), an IP or CIDR, or the name of a subnet among the documents.'), form, out);
}

main().catch((err) => root.replaceChildren(el('p', { class: 'note', role: 'alert' }, `The flow tester could not start: ${err.message || err}`)));
