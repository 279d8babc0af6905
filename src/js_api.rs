//! The JavaScript API of the Wasm build (contract.md), for pages that embed the checker:
//! `check(documents, options)` returns the same report as `amlvnet check --format json`;
//! `rules()` the catalogue; `explainError(text)` and `flow(documents, query)` as the CLI's
//! `explain-error` and `flow`. Bad documents become AML-INP findings; only options that
//! are not of the contract's form throw.

use crate::engine::Options;
use crate::input::Document;
use crate::report::json;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
export interface AmlvnetDocument { name: string; text: string; }
export interface AmlvnetOptions {
  compute?: "cluster" | "instance" | "vm" | "hdinsight" | "databricks";
  publicIp?: boolean;
  region?: string;
  profile?: "2022-07" | "2023-04" | "latest";
}
export type AmlvnetStatus = "pass" | "fail" | "warn" | "unknown" | "not_applicable" | "info";
/** Where a value is in the pasted text; `address` is the Terraform resource address. */
export interface AmlvnetLocation { document: string; pointer: string; line: number; column: number; address?: string; }
/** An ARM resource, route or property patch (`{ properties }` only) as the fix proposes it. */
export interface AmlvnetArmResource { type?: string; apiVersion?: string; name?: string; properties: Record<string, unknown>; }
export interface AmlvnetFinding {
  id: string; title: string; status: AmlvnetStatus;
  severity: "error" | "warning" | "info"; message: string;
  subject?: { kind: string; name: string };
  evidence: { nsg: string | null; rule: string; priority: number | null; access: string | null; direction: string | null; role: string;
              location?: AmlvnetLocation }[];
  /** The required flows, each through the NSGs on its path (`nsg_index` points into `nsgs`). */
  flows?: { direction: string; protocol: string; source: string; destination: string; port: number; status: AmlvnetStatus;
           hops: { nsg: string; nsg_index: number; level: string; status: AmlvnetStatus; deciding_rule: number | null;
                   trace: { rule: number; role: string }[] }[] }[];
  fix?: { summary: string; az: string; arm: AmlvnetArmResource | AmlvnetArmResource[]; bicep: string; terraform?: string };
  location?: AmlvnetLocation;
}
export interface AmlvnetReport {
  schema: "amlvnet-report/1"; tool: { name: string; version: string }; profile: string;
  scenario: { compute: string; public_ip: boolean | null; region: string | null; key: string; notes: string[] };
  documents: { name: string; shape: string; shape_label: string; resources: string[]; error?: { line: number; column: number; message: string } }[];
  findings: AmlvnetFinding[];
  summary: Record<AmlvnetStatus, number>;
  /** Every NSG evaluated, its rules in evaluation order (defaults included). */
  nsgs: { name: string; defaults_added: boolean;
          rules: { name: string; priority: number | null; direction: string; access: string; protocol: string; source: string; source_ports: string;
                   destination: string; destination_ports: string; default: boolean; valid: boolean; location?: AmlvnetLocation }[] }[];
  notes: string[];
  /** The service-tag data the tag checks used (changeNumber of Azure's published file). */
  service_tags: { change_number: number; source: "built-in" | string; prefixes: boolean };
  /** Every rule the fixes add to one NSG, as one change (NSGs that get two or more). */
  fixes_by_nsg: { nsg: string; rules: string[]; az: string; arm: AmlvnetArmResource[]; bicep: string }[];
}
export interface AmlvnetErrorMatch {
  code: string; title: string; checks: { id: string; title: string }[]; paste: string; fix: string; source: string;
  rules: { name: string; direction: string; protocol: string; source: string; destination: string; port: string; check: string | null }[];
}
export function explainError(text: string): { matches: AmlvnetErrorMatch[] };
/** One flow, as `amlvnet flow`: `from`/`to` are a service tag, an IP or CIDR, or a subnet among the documents. */
export interface AmlvnetFlowQuery {
  direction: "inbound" | "outbound"; protocol: "tcp" | "udp" | "icmp" | "*"; from: string; to: string;
  port: number | string; sourcePort?: number | string; region?: string;
}
export type AmlvnetMatched = true | false | "partial";
/** Network Watcher's NSG-diagnostics shape with a third answer, `Unknown`. */
export interface AmlvnetFlowDiagnosis {
  results: { profile: { direction: string; protocol: string; source: string; destination: string; destinationPort: string; sourcePort: string };
    networkSecurityGroupResult: { securityRuleAccessResult: "Allow" | "Deny" | "Unknown";
      evaluatedNetworkSecurityGroups: { networkSecurityGroupId: string; appliedTo: string; access: "Allow" | "Deny" | "Unknown";
        matchedRule: { ruleName: string; action: string } | null;
        rulesEvaluationResult: { name: string; priority: number | null; access: string | null; protocolMatched: AmlvnetMatched;
          sourceMatched: AmlvnetMatched; sourcePortMatched: AmlvnetMatched; destinationMatched: AmlvnetMatched; destinationPortMatched: AmlvnetMatched }[] }[] };
    sourceServiceTags: string[]; destinationServiceTags: string[]; serviceTagsChangeNumber: number | null; notes: string[] }[];
}
export function flow(documents: AmlvnetDocument[], query: AmlvnetFlowQuery): AmlvnetFlowDiagnosis;
export function check(documents: AmlvnetDocument[], options?: AmlvnetOptions): AmlvnetReport;
export function rules(): { id: string; name: string; title: string; severity: string; applies_to: string;
  docs: { what: string; why: string; example: string; fix: string; source: string } }[];
"#;

fn get(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// The options as JavaScript passes them, deserialised by serde-wasm-bindgen into a typed
/// struct; a value of the wrong type is an error that names it.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsOptions {
    compute: Option<String>,
    public_ip: Option<bool>,
    region: Option<String>,
    profile: Option<String>,
}

/// The options' JavaScript names and the names `Options::set` reads them by.
const KEYS: [(&str, &str); 4] = [("compute", "compute"), ("publicIp", "public-ip"), ("region", "region"), ("profile", "profile")];

/// What options look like, for messages.
const EXAMPLE: &str = "{ compute: \"cluster\", publicIp: true, region: \"westus2\", profile: \"2022-07\" }";

/// The contract's options, read by the parser the CLI uses (`Options::set`).
fn options(value: &JsValue) -> Result<Options, JsError> {
    let mut o = Options::default();
    if value.is_undefined() || value.is_null() {
        return Ok(o);
    }
    if !value.is_object() {
        return Err(JsError::new(&format!("options must be an object such as {EXAMPLE}")));
    }
    let known = || KEYS.iter().map(|(key, _)| *key);
    // serde-wasm-bindgen reads only the struct's own keys: an unknown one is named here.
    if let Some(unknown) =
        js_sys::Object::keys(&js_sys::Object::from(value.clone())).iter().filter_map(|k| k.as_string()).find(|k| !known().any(|key| key == k))
    {
        return Err(JsError::new(&format!("options.{unknown}: unknown option; expected one of {}", known().collect::<Vec<_>>().join(", "))));
    }
    let js: JsOptions = serde_wasm_bindgen::from_value(value.clone()).map_err(|e| {
        // serde's message says what type was expected; the key is found here.
        let wrong = known().find(|key| {
            let v = get(value, key);
            !v.is_undefined() && !v.is_null() && if *key == "publicIp" { v.as_bool().is_none() } else { v.as_string().is_none() }
        });
        let e = e.to_string();
        let e = e.trim_start_matches("Error: ");
        let at = wrong.map_or(String::new(), |key| format!(".{key}"));
        JsError::new(&format!("options{at}: {e} (options are {EXAMPLE})"))
    })?;
    let public_ip = js.public_ip.map(|b| if b { "true" } else { "false" });
    let values = [js.compute.as_deref(), public_ip, js.region.as_deref(), js.profile.as_deref()];
    for ((key, name), value) in KEYS.into_iter().zip(values) {
        if let Some(v) = value {
            o.set(name, v).map_err(|expected| JsError::new(&format!("options.{key} {v:?}: {expected}")))?;
        }
    }
    Ok(o)
}

/// `[{ name, text }]` as documents.
fn documents(value: JsValue) -> Result<Vec<Document>, JsError> {
    let array: js_sys::Array = value.dyn_into().map_err(|_| JsError::new("documents must be an array of { name, text }"))?;
    Ok(array
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let name = get(&d, "name").as_string().unwrap_or_else(|| format!("document-{}", i.saturating_add(1)));
            let text = get(&d, "text").as_string().unwrap_or_default();
            Document::new(name, text)
        })
        .collect())
}

/// Checks documents (`[{ name, text }]`) and returns the JSON report as an object.
#[wasm_bindgen(skip_typescript)]
pub fn check(documents_value: JsValue, options_value: JsValue) -> Result<JsValue, JsError> {
    let options = options(&options_value)?;
    let docs = documents(documents_value)?;
    let report = crate::check(&docs, &options);
    js_sys::JSON::parse(&json::report(&report).compact()).map_err(|_| JsError::new("internal error: the report is not JSON"))
}

/// One flow through the NSGs on its path (`amlvnet flow --format json`). A query that
/// can't be read throws with the reason, as the CLI's usage errors.
#[wasm_bindgen(skip_typescript)]
pub fn flow(documents_value: JsValue, query: JsValue) -> Result<JsValue, JsError> {
    let docs = documents(documents_value)?;
    if !query.is_object() {
        return Err(JsError::new(
            "the query must be an object such as { direction: \"inbound\", protocol: \"tcp\", from: \"BatchNodeManagement\", to: \"10.0.0.4\", port: 29876 }",
        ));
    }
    let text = |key: &str| {
        let v = get(&query, key);
        v.as_string().or_else(|| v.as_f64().map(crate::json::format_number)).unwrap_or_default()
    };
    let q = crate::flow::Query {
        direction: text("direction"),
        protocol: text("protocol"),
        from: text("from"),
        to: text("to"),
        port: text("port"),
        source_port: text("sourcePort"),
        region: Some(text("region")).filter(|r| !r.is_empty()),
    };
    let model = crate::input::read(&docs);
    let tags = crate::service_tags::of_model(&model, crate::service_tags::builtin());
    let diagnosis = crate::flow::diagnose(&model, &q, tags).map_err(|e| JsError::new(&e))?;
    js_sys::JSON::parse(&json::flow_diagnosis(&diagnosis).compact()).map_err(|_| JsError::new("internal error: the diagnosis is not JSON"))
}

/// The catalogue of checks with their documentation.
#[wasm_bindgen(skip_typescript)]
pub fn rules() -> Result<JsValue, JsError> {
    js_sys::JSON::parse(&json::catalogue(crate::rules::catalogue()).compact()).map_err(|_| JsError::new("internal error: the catalogue is not JSON"))
}

/// The known Azure errors in a pasted error message (`amlvnet explain-error --format json`).
#[wasm_bindgen(js_name = explainError, skip_typescript)]
pub fn explain_error(text: JsValue) -> Result<JsValue, JsError> {
    let text = text.as_string().ok_or_else(|| JsError::new("explainError takes the error message as a string"))?;
    let matches = crate::rules::errors::explain_error(&text);
    js_sys::JSON::parse(&crate::rules::errors::to_json(&matches).compact()).map_err(|_| JsError::new("internal error: the explanation is not JSON"))
}

/// A wasm trap on purpose, for the test that the JavaScript API recovers from one (a trap
/// skips every destructor, so an instance that trapped can't be trusted again; see
/// `scripts/build-js-api.sh`). Not part of the API: not declared in TypeScript.
#[wasm_bindgen(js_name = "__trapForTests", skip_typescript)]
pub fn trap_for_tests() {
    #[cfg(target_arch = "wasm32")]
    core::arch::wasm32::unreachable();
}

/// For the page's guard worker: a document that computes (a template, a Terraform plan
/// or state) read as the CLI reads it, as bytes the page reads (`input::wire`); `undefined`
/// for the others. The page has no template evaluation or Terraform translation of its
/// own. `documents` are all of them (a template's parameters file is among them), `index`
/// the one to read. Not part of the API: not declared in TypeScript.
#[wasm_bindgen(js_name = "__prepare", skip_typescript)]
pub fn prepare(documents_value: JsValue, index: usize) -> Result<Option<Vec<u8>>, JsError> {
    Ok(crate::input::wire::prepare_one(&documents(documents_value)?, index))
}
