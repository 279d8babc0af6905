//! One check run: documents and options in, report out.
//!
//! Resolves the scenario (user's choice, else what the documents imply, else defaults),
//! finds the compute subnets and links each to its NSGs and route table, then runs every
//! check of the catalogue. `scenario.rs` resolves the scenario; `targets.rs` finds the
//! compute subnets and links their NSGs and route tables.

mod scenario;
mod targets;

pub(crate) use scenario::in_region;
pub use scenario::resolve_scenario;
use targets::build_targets;
pub(crate) use targets::subnet_extent;

use crate::input::{self, Document};
use crate::model::{ComputeKind, Model, Nsg};
use crate::net::Address;
use crate::report::{DocumentSummary, Finding, NsgTable, Profile, Report, RuleRow, Scenario, Status, TagsUsed};
use crate::rules::{self, scope, Ctx, NsgState};
use crate::service_tags::TagPrefixes;

/// The user's explicit choices; `None` lets the documents decide.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    pub compute: Option<ComputeKind>,
    pub public_ip: Option<bool>,
    pub region: Option<String>,
    pub profile: Profile,
}

/// The scenario options as the CLI spells its flags (`--public-ip`); the JavaScript API
/// and the element take the same names (`publicIp` in JavaScript) and values.
pub const OPTION_NAMES: [&str; 4] = ["compute", "public-ip", "region", "profile"];

impl Options {
    /// Sets one option from its text: the one parser of every front end (the CLI's flags,
    /// the JavaScript API's options, the element's attributes, the page's choices and share
    /// links). Case and surrounding space don't matter; an empty value leaves the choice to
    /// the documents. The error says what is expected.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let value = value.trim();
        let lower = value.to_ascii_lowercase();
        match name {
            "compute" if lower.is_empty() => self.compute = None,
            "compute" => {
                self.compute = Some(ComputeKind::from_contract(&lower).ok_or("expected cluster, instance, vm, hdinsight or databricks")?);
            }
            "public-ip" => {
                self.public_ip = match lower.as_str() {
                    "" => None,
                    "yes" | "true" => Some(true),
                    "no" | "false" => Some(false),
                    _ => return Err("expected yes or no".into()),
                }
            }
            "region" => {
                let region = crate::normalise_region(value);
                if !region.chars().all(|c| c.is_ascii_alphanumeric()) {
                    return Err("expected an ARM location name such as westus2".into());
                }
                self.region = Some(region).filter(|r| !r.is_empty());
            }
            "profile" if lower.is_empty() => self.profile = Profile::default(),
            "profile" => self.profile = Profile::parse(&lower).ok_or("expected 2022-07, 2023-04 or latest")?,
            _ => return Err(format!("unknown option; expected one of {}", OPTION_NAMES.join(", "))),
        }
        Ok(())
    }
}

/// Checks the documents and returns the full report.
pub fn check(documents: &[Document], options: &Options) -> Report {
    let model = input::read(documents);
    check_model(&model, options)
}

/// Runs every check on documents already read (`input::read`): a scenario change needs
/// no re-parse. A model of no documents gives the empty report of the contract.
pub fn check_model(model: &Model, options: &Options) -> Report {
    check_model_with(model, options, crate::service_tags::builtin())
}

/// `check_model` with the given service-tag prefix table instead of the built-in one
/// (`None`: no prefixes, as in a build without the table; pasted data still wins).
pub fn check_model_with(model: &Model, options: &Options, builtin: Option<&TagPrefixes>) -> Report {
    let no_documents = model.documents.is_empty();
    let pasted = model.service_tags.as_ref();
    let tags = crate::service_tags::of_model(model, builtin);
    let service_tags = TagsUsed {
        change_number: tags.map_or(crate::service_tags::CHANGE_NUMBER, |t| t.change_number),
        source: pasted.and_then(|p| model.documents.get(p.document)).map_or_else(|| "built-in".to_string(), |d| d.name.clone()),
        prefixes: tags.is_some(),
    };
    let scenario = resolve_scenario(model, options);
    let model = &*in_region(model, scenario.region.as_ref());
    let mut notes = Vec::new();
    let findings = if no_documents {
        notes.push("no document was given: paste or pass NSG, subnet, route table, VNet, template or compute JSON".to_string());
        Vec::new()
    } else {
        let (findings, unused) = run_checks(model, &scenario, tags);
        notes.extend(unused);
        findings
    };
    let nsgs = model.nsgs.iter().map(nsg_table).collect();
    let documents = model
        .documents
        .iter()
        .map(|d| DocumentSummary {
            name: d.name.clone(),
            shape: d.shape.id().to_string(),
            shape_label: d.shape.label(),
            resources: d.resources.clone(),
            error: d.parse_error.clone(),
        })
        .collect();
    let fixes_by_nsg = crate::report::NsgFix::collect(&findings);
    Report { profile: options.profile, scenario, documents, findings, nsgs, notes, service_tags, fixes_by_nsg }
}

/// Runs the catalogue; also returns a note for each pasted NSG that no checked subnet or
/// NIC uses (AML compute scenarios: Databricks reads its NSGs through its own subnets).
fn run_checks(model: &Model, scenario: &Scenario, tags: Option<&TagPrefixes>) -> (Vec<Finding>, Vec<String>) {
    let (targets, link_issues) = build_targets(model, scenario);
    let mut unused = Vec::new();
    if scenario.compute != ComputeKind::Databricks {
        let used: std::collections::HashSet<*const crate::model::Nsg> =
            targets.iter().flat_map(|t| [if let NsgState::Given(n) = &t.nsg { Some(*n) } else { None }, t.nic_nsg]).flatten().map(|n| n as *const _).collect();
        for nsg in model.nsgs.iter().filter(|n| !used.contains(&(*n as *const _))) {
            unused.push(format!(
                "NSG `{}` is among the inputs, but no subnet or NIC the checks look at uses it, so no check evaluated it (paste the subnet that uses it, or check the NSG alone)",
                crate::json::truncate(&nsg.name, 200)
            ));
        }
    }
    // What findings about a target add when one of its links was made by name only (keyed
    // as `rules::out` keys subjects).
    let mut by_name: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut link_notes: Vec<String> = Vec::new();
    for t in targets.iter().filter(|t| !t.linked_by_name.is_empty()) {
        by_name.insert(format!("{}\u{0}{}", t.subject_kind, t.label), link_notes.len());
        link_notes.push(t.linked_by_name.join("; "));
    }
    let workspace = model.workspaces.first();
    let ctx = Ctx { model, scenario, targets, workspace, tags, link_issues, out_cache: Default::default(), proposals: Default::default() };
    let bit = scenario_bit(scenario);
    let mut findings = Vec::new();
    for check in rules::catalogue() {
        if check.scope & bit == 0 {
            findings.push(
                check.finding(Status::NotApplicable, format!("applies to {}; the scenario is {} ({})", check.applies_to(), scenario.key(), describe(scenario))),
            );
            continue;
        }
        let mut out = (check.run)(&ctx, check);
        if out.is_empty() {
            out.push(check.finding(Status::NotApplicable, "nothing to check in the inputs"));
        }
        // One rule for every check: an uncertain finding is at most a warning.
        for f in &mut out {
            if let Some(note) = f
                .subject
                .as_ref()
                .filter(|_| !by_name.is_empty())
                .and_then(|s| by_name.get(&format!("{}\u{0}{}", s.kind, s.name)))
                .and_then(|&i| link_notes.get(i))
            {
                f.message.push_str("; ");
                f.message.push_str(note);
            }
            if f.status == Status::Warn && f.severity == crate::report::Severity::Error {
                f.severity = crate::report::Severity::Warning;
            }
        }
        findings.extend(out);
    }
    (findings, unused)
}

fn describe(s: &Scenario) -> String {
    match s.compute {
        ComputeKind::Cluster | ComputeKind::Instance => {
            format!("compute {} with {}", s.compute.as_str(), if s.public_ip { "public IP" } else { "no public IP" })
        }
        other => format!("compute {}", other.as_str()),
    }
}

fn scenario_bit(s: &Scenario) -> u8 {
    match (s.compute, s.public_ip) {
        (ComputeKind::Cluster, true) => scope::CC_PIP,
        (ComputeKind::Cluster, false) => scope::CC_NPIP,
        (ComputeKind::Instance, true) => scope::CI_PIP,
        (ComputeKind::Instance, false) => scope::CI_NPIP,
        (ComputeKind::Databricks, _) => scope::DBX,
        _ => scope::VMH,
    }
}

fn nsg_table(nsg: &Nsg) -> NsgTable {
    NsgTable {
        name: nsg.name.clone(),
        defaults_added: nsg.defaults_added,
        rules: nsg
            .rules
            .iter()
            .map(|r| RuleRow {
                name: r.name.clone(),
                priority: r.priority,
                direction: r.direction.map(|d| d.as_str()).unwrap_or("?"),
                access: r.access.map(|d| d.as_str()).unwrap_or("?"),
                protocol: r.protocol.map(|d| d.as_str()).unwrap_or("?"),
                source: Address::list(&r.source),
                source_ports: r.source_ports.text(),
                destination: Address::list(&r.destination),
                destination_ports: r.destination_ports.text(),
                is_default: r.is_default,
                valid: r.valid,
                location: r.loc.clone(),
            })
            .collect(),
    }
}
