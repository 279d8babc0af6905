//! The JavaScript API of the Wasm build (contract.md), for pages that embed the checker:
//! `check(documents, options)` returns the same report as `amlvnet check --format json`;
//! `rules()` the catalogue. Bad documents become AML-INP findings; only options that are
//! not of the contract's form throw.

use crate::engine::Options;
use crate::input::Document;
use crate::model::ComputeKind;
use crate::report::{json, Profile};
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
}
export interface AmlvnetErrorMatch {
  code: string; title: string; checks: { id: string; title: string }[]; paste: string; fix: string; source: string;
  rules: { name: string; direction: string; protocol: string; source: string; destination: string; port: string; check: string | null }[];
}
export function explainError(text: string): { matches: AmlvnetErrorMatch[] };
export function check(documents: AmlvnetDocument[], options?: AmlvnetOptions): AmlvnetReport;
export function rules(): { id: string; name: string; title: string; severity: string; applies_to: string;
  docs: { what: string; why: string; example: string; fix: string; source: string } }[];
"#;

fn get(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn options(value: &JsValue) -> Result<Options, JsError> {
    let mut o = Options::default();
    if value.is_undefined() || value.is_null() {
        return Ok(o);
    }
    if !value.is_object() {
        return Err(JsError::new("options must be an object such as { compute: \"cluster\", publicIp: true, region: \"westus2\", profile: \"2022-07\" }"));
    }
    let compute = get(value, "compute");
    if !compute.is_undefined() && !compute.is_null() {
        let text = compute.as_string().unwrap_or_default();
        o.compute =
            Some(ComputeKind::from_contract(&text).ok_or_else(|| JsError::new("options.compute must be one of cluster, instance, vm, hdinsight, databricks"))?);
    }
    let public_ip = get(value, "publicIp");
    if !public_ip.is_undefined() && !public_ip.is_null() {
        o.public_ip = Some(public_ip.as_bool().ok_or_else(|| JsError::new("options.publicIp must be true or false"))?);
    }
    let region = get(value, "region");
    if !region.is_undefined() && !region.is_null() {
        let r = region.as_string().ok_or_else(|| JsError::new("options.region must be a string such as \"westus2\""))?;
        o.region = Some(crate::normalise_region(&r)).filter(|r| !r.is_empty());
    }
    let profile = get(value, "profile");
    if !profile.is_undefined() && !profile.is_null() {
        o.profile = profile
            .as_string()
            .and_then(|p| Profile::parse(&p))
            .ok_or_else(|| JsError::new("options.profile must be \"2022-07\", \"2023-04\" or \"latest\""))?;
    }
    Ok(o)
}

/// Checks documents (`[{ name, text }]`) and returns the JSON report as an object.
#[wasm_bindgen(skip_typescript)]
pub fn check(documents: JsValue, options_value: JsValue) -> Result<JsValue, JsError> {
    let options = options(&options_value)?;
    let array: js_sys::Array = documents.dyn_into().map_err(|_| JsError::new("documents must be an array of { name, text }"))?;
    let docs: Vec<Document> = array
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let name = get(&d, "name").as_string().unwrap_or_else(|| format!("document-{}", i + 1));
            let text = get(&d, "text").as_string().unwrap_or_default();
            Document::new(name, text)
        })
        .collect();
    let report = crate::check(&docs, &options);
    js_sys::JSON::parse(&json::report(&report).compact()).map_err(|_| JsError::new("internal error: the report is not JSON"))
}

/// The catalogue of checks with their documentation.
#[wasm_bindgen(skip_typescript)]
pub fn rules() -> Result<JsValue, JsError> {
    js_sys::JSON::parse(&json::catalogue().compact()).map_err(|_| JsError::new("internal error: the catalogue is not JSON"))
}

/// The known Azure errors in a pasted error message (`amlvnet explain-error --format json`).
#[wasm_bindgen(js_name = explainError, skip_typescript)]
pub fn explain_error(text: JsValue) -> Result<JsValue, JsError> {
    let text = text.as_string().ok_or_else(|| JsError::new("explainError takes the error message as a string"))?;
    let matches = crate::rules::errors::explain_error(&text);
    js_sys::JSON::parse(&json::error_explanation(&matches).compact()).map_err(|_| JsError::new("internal error: the explanation is not JSON"))
}
