// The TypeScript declarations (dist/amlvnet.d.ts) against what the JavaScript API really
// returns: real reports (every example, a bad document, the corpus's Terraform plans and
// templates when ../shared is present), the catalogue and the error decoder, each written
// as an object literal typed with the declared interface and compiled by tsc --strict.
// Excess-property checks make every key a report carries one the declarations name, and
// the types make every value one they allow. Run after `trunk build --release`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import init, { check, rules, explainError, flow, __trapForTests } from '../dist/amlvnet.js';

await init({ module_or_path: fs.readFileSync('dist/amlvnet_bg.wasm') });

const PLAN = {"format_version":"1.2","terraform_version":"1.9.5","planned_values":{"root_module":{"resources":[{"address":"azurerm_network_security_group.train","mode":"managed","type":"azurerm_network_security_group","name":"train","provider_name":"registry.terraform.io/hashicorp/azurerm","values":{"name":"nsg-train","location":"westus2","resource_group_name":"rg","security_rule":[]}}]}},"resource_changes":[{"address":"azurerm_network_security_group.train","mode":"managed","type":"azurerm_network_security_group","name":"train","change":{"actions":["create"],"before":null,"after":{"name":"nsg-train","location":"westus2","resource_group_name":"rg","security_rule":[]},"after_unknown":{}}}],"configuration":{"provider_config":{"azurerm":{"name":"azurerm","version_constraint":"~> 4.0"}},"root_module":{}}};

function documents() {
  const docs = fs.readdirSync('www/examples').map((f) => ({ name: f, text: fs.readFileSync(path.join('www/examples', f), 'utf8') }));
  docs.push({ name: 'bad.json', text: '{\n  "name": "x",\n  "securityRules": [\n}' });
  // A Terraform plan of one NSG without rules (its fixes carry `terraform`).
  docs.push({ name: 'plan.json', text: JSON.stringify(PLAN) });
  const tf = '../shared/corpus/terraform';
  if (fs.existsSync(tf)) {
    for (const f of fs.readdirSync(tf).filter((f) => f.endsWith('.json'))) docs.push({ name: f, text: fs.readFileSync(path.join(tf, f), 'utf8') });
  }
  return docs;
}

test('the declarations name every key and type every value the JavaScript API returns', () => {
  const dir = path.resolve('target/types-test');
  fs.mkdirSync(dir, { recursive: true });
  const reports = documents().map((d) => check([d], { compute: 'cluster', publicIp: true, region: 'westus2', profile: '2022-07' }));
  reports.push(check(documents(), {}));
  assert.ok(reports.some((r) => r.findings.some((f) => f.fix?.terraform)), 'a report with a Terraform fix is among them') ;
  const lines = [`import type { AmlvnetReport, AmlvnetErrorMatch, AmlvnetFlowDiagnosis } from ${JSON.stringify(path.resolve('dist/amlvnet.js'))};`,
    `import { rules } from ${JSON.stringify(path.resolve('dist/amlvnet.js'))};`];
  reports.forEach((r, i) => lines.push(`export const report${i}: AmlvnetReport = ${JSON.stringify(r)};`));
  lines.push(`export const catalogue: ReturnType<typeof rules> = ${JSON.stringify(rules())};`);
  const explained = explainError('"name": "Outbound Storage 445" "direction": "Outbound" missing the following rules below; StorageMountError');
  assert.equal(explained.matches.length, 2);
  lines.push(`export const explained: { matches: AmlvnetErrorMatch[] } = ${JSON.stringify(explained)};`);
  // `flow`: allowed, denied and undecided answers, with every field's match.
  const nsg = [{ name: 'nsg.json', text: fs.readFileSync('www/examples/az-nsg-show.json', 'utf8') }];
  const flows = [
    flow(nsg, { direction: 'inbound', protocol: 'tcp', from: 'BatchNodeManagement', to: '10.0.0.4', port: 29876 }),
    flow(nsg, { direction: 'outbound', protocol: 'tcp', from: '10.0.0.4', to: 'Storage.westus2', port: '443', sourcePort: 50000, region: 'westus2' }),
    flow(nsg, { direction: 'inbound', protocol: '*', from: '13.66.141.40', to: '10.0.0.4', port: 22 }),
  ];
  const answers = new Set(flows.map((f) => f.results[0].networkSecurityGroupResult.securityRuleAccessResult));
  assert.ok(answers.size >= 2, `different answers: ${[...answers]}`);
  assert.ok(flows[2].results[0].sourceServiceTags.includes('BatchNodeManagement.WestUS2'), 'an address is mapped to its tags');
  assert.throws(() => flow(nsg, { direction: 'sideways', protocol: 'tcp', from: 'a', to: 'b', port: 1 }), /--direction/);
  flows.forEach((f, i) => lines.push(`export const flow${i}: AmlvnetFlowDiagnosis = ${JSON.stringify(f)};`));
  const file = path.join(dir, 'reports.ts');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  try {
    execFileSync('node_modules/.bin/tsc', ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', 'false', file], { encoding: 'utf8' });
  } catch (e) {
    assert.fail(`tsc found reports the declarations do not describe:\n${(e.stdout || '').slice(0, 4000)}`);
  }
});

test('the JavaScript API takes the option spellings the CLI and the page take (tests/options.json)', () => {
  const doc = [{ name: 'nsg.json', text: fs.readFileSync('www/examples/nsg-defaults-only.json', 'utf8') }];
  const key = { compute: 'compute', 'public-ip': 'publicIp', region: 'region', profile: 'profile' };
  for (const row of JSON.parse(fs.readFileSync('tests/options.json', 'utf8'))) {
    // publicIp is a boolean in JavaScript: the table's yes/true/no spellings are true/false.
    const value = row.option === 'public-ip' && row.ok ? ['yes', 'true'].includes(row.value.toLowerCase()) : row.value;
    const options = { [key[row.option]]: value };
    if (!row.ok) {
      assert.throws(() => check(doc, options), new RegExp(`options\\.${key[row.option]}`), `${row.option} ${row.value}`);
      continue;
    }
    const report = check(doc, options);
    const got = row.option === 'profile' ? report.profile : report.scenario[row.option === 'public-ip' ? 'public_ip' : row.option];
    assert.equal(got, row.expect, `${row.option} ${JSON.stringify(row.value)}`);
  }
  // Unknown options and wrong types are named.
  assert.throws(() => check(doc, { computer: 'cluster' }), /options\.computer: unknown option; expected one of compute, publicIp, region, profile/);
  assert.throws(() => check(doc, { publicIp: 'yes' }), /options\.publicIp: invalid type: string "yes", expected a boolean/);
});

// A trap poisons a wasm instance (no destructor runs). The call that trapped throws an
// Error that says so; the API has started afresh, and the next call is answered as ever.
test('the JavaScript API recovers from a trap: the next call is answered correctly', () => {
  const nsg = { name: 'nsg.json', text: fs.readFileSync('www/examples/nsg-defaults-only.json', 'utf8') };
  const before = check([nsg], { region: 'westus2' });
  assert.throws(() => __trapForTests(), /amlvnet stopped on this input \(.*unreachable.*\); it started afresh/);
  const after = check([nsg], { region: 'westus2' });
  assert.deepEqual(after.summary, before.summary);
  assert.equal(JSON.stringify(after.findings), JSON.stringify(before.findings));
  // Twice in a row, and every function, not only check.
  assert.throws(() => __trapForTests(), /started afresh/);
  assert.ok(rules().length >= 78);
  assert.ok(explainError('StorageMountError').matches.length > 0);
});
