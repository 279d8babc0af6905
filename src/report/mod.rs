//! The report: what a check run decided, and its renderings (JSON, SARIF, Markdown,
//! text). Only this module defines what is written out.

pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

use crate::model::{ComputeKind, Loc};
use std::fmt;

/// The status words of the contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Fail,
    Warn,
    Unknown,
    Pass,
    Info,
    NotApplicable,
}

impl Status {
    pub const ALL: [Status; 6] = [Status::Pass, Status::Fail, Status::Warn, Status::Unknown, Status::NotApplicable, Status::Info];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Warn => "warn",
            Status::Unknown => "unknown",
            Status::NotApplicable => "not_applicable",
            Status::Info => "info",
        }
    }

    /// The worse of two statuses: fail, warn, unknown, pass, info, not_applicable.
    pub fn worst(self, other: Status) -> Status {
        self.min(other)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Severity of a check (spec "Severity scale").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Requirement profile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Profile {
    /// The article of 2022-07-28 and the docs of that time.
    #[default]
    Mid2022,
    /// The docs as revised for general availability (2023).
    Ga2023,
}

impl Profile {
    pub fn parse(text: &str) -> Option<Profile> {
        match text.trim().to_ascii_lowercase().as_str() {
            "2022-07" => Some(Profile::Mid2022),
            "2023-04" | "latest" => Some(Profile::Ga2023),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Mid2022 => "2022-07",
            Profile::Ga2023 => "2023-04",
        }
    }
}

/// The scenario the checks ran for, with where each value came from.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub compute: ComputeKind,
    /// Meaningful for clusters and instances only.
    pub public_ip: bool,
    pub region: Option<crate::net::Region>,
    pub profile: Profile,
    /// Where each value came from, and disagreements between the user and the documents.
    pub notes: Vec<ScenarioNote>,
}

/// Which scenario value a note is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteAbout {
    Compute,
    PublicIp,
    Region,
}

/// Where a scenario value came from, or that the user's choice overrides the documents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioNote {
    pub about: NoteAbout,
    /// The user chose a value the documents contradict (the choice wins).
    pub overridden: bool,
    pub text: String,
}

impl Scenario {
    /// The region as an ARM location name, if it is one (not the template's deployment region).
    pub fn region_name(&self) -> Option<&str> {
        self.region.as_ref().and_then(crate::net::Region::name)
    }

    /// The region for people to read.
    pub fn region_label(&self) -> &str {
        use crate::net::Region;
        match &self.region {
            Some(Region::Named(r)) => r,
            Some(Region::Deployment) => "the template's deployment region",
            Some(Region::Unknown) | None => "unknown",
        }
    }

    pub fn is_aml_compute(&self) -> bool {
        matches!(self.compute, ComputeKind::Cluster | ComputeKind::Instance)
    }
    /// Short key of spec section 2 (`CC-PIP`, `CI-NPIP`, `DBX`, `VMH`).
    pub fn key(&self) -> &'static str {
        match (self.compute, self.public_ip) {
            (ComputeKind::Cluster, true) => "CC-PIP",
            (ComputeKind::Cluster, false) => "CC-NPIP",
            (ComputeKind::Instance, true) => "CI-PIP",
            (ComputeKind::Instance, false) => "CI-NPIP",
            (ComputeKind::Databricks, _) => "DBX",
            _ => "VMH",
        }
    }
}

/// The documentation of a check: the single source for `explain`, SARIF and the page.
#[derive(Debug)]
pub struct Docs {
    /// What it checks.
    pub what: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// A configuration that fails.
    pub example: &'static str,
    /// How to fix it.
    pub fix: &'static str,
    /// Where the requirement comes from.
    pub source: &'static str,
}

/// What the renderings need of a check: its catalogue data, not its code (`rules::Check`
/// implements it; the renderings never import `rules`).
pub trait CheckInfo {
    fn id(&self) -> &'static str;
    /// Kebab-case name of the problem.
    fn name(&self) -> &'static str;
    fn title(&self) -> &'static str;
    fn severity(&self) -> Severity;
    fn docs(&self) -> &Docs;
    /// Scenario keys in words.
    fn applies_to(&self) -> String;
}

/// What a finding is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    /// `subnet`, `nsg`, `route_table`, `workspace`, `compute`, `document`.
    pub kind: &'static str,
    pub name: String,
}

/// A rule or field that decided (or clouded) a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    pub nsg: Option<String>,
    pub rule: String,
    pub priority: Option<u32>,
    pub access: Option<String>,
    pub direction: Option<String>,
    pub role: Role,
    pub location: Option<Loc>,
}

/// Why a rule is named in a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The first rule that matched the whole flow.
    Deciding,
    /// Matched part of the flow.
    Partial,
    /// Restricted source ports; holds the required port in its source range.
    SwappedPorts,
    /// Restricted source ports.
    SourcePort,
    /// Could not be read: may match.
    Uncertain,
    /// A field the finding is about (not a flow's verdict).
    Field,
}

impl Role {
    /// The report's spelling (contract.md).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Deciding => "deciding",
            Role::Partial => "partial",
            Role::SwappedPorts => "swapped-ports",
            Role::SourcePort => "source-port",
            Role::Uncertain => "uncertain",
            Role::Field => "field",
        }
    }

    /// How the page's trace table says it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Deciding => "decides",
            Role::Partial => "matches part",
            Role::SwappedPorts => "source/destination ports swapped?",
            Role::SourcePort => "source ports only",
            Role::Uncertain => "unreadable: may match",
            Role::Field => "",
        }
    }
}

/// One NSG's answer for one flow, for the page's trace view.
#[derive(Clone, Debug)]
pub struct Hop {
    pub nsg: String,
    /// Index into the report's `nsgs` table.
    pub nsg_index: usize,
    pub level: &'static str,
    pub status: Status,
    /// Indices into the report's `nsgs` table of the deciding rule and partly matching rules.
    pub deciding: Option<usize>,
    pub trace: Vec<(usize, Role)>,
}

/// One atomic flow a finding evaluated.
#[derive(Clone, Debug)]
pub struct FlowOutcome {
    pub direction: &'static str,
    pub protocol: &'static str,
    pub source: String,
    pub destination: String,
    pub port: u16,
    pub status: Status,
    pub hops: Vec<Hop>,
}

/// A suggested fix in three forms.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fix {
    pub summary: String,
    pub az: String,
    /// The ARM resource, routes or property patch: a value, written as an object (or an
    /// array of routes) whatever the names in it hold.
    pub arm: json::J,
    pub bicep: String,
    /// HCL, when the NSG or subnet came from a Terraform document.
    pub terraform: Option<String>,
}

/// One result of one check.
#[derive(Clone, Debug)]
pub struct Finding {
    pub id: &'static str,
    pub title: &'static str,
    pub status: Status,
    pub severity: Severity,
    pub message: String,
    pub subject: Option<Subject>,
    pub evidence: Vec<Evidence>,
    pub flows: Vec<FlowOutcome>,
    pub fix: Option<Fix>,
    /// Where in the input the finding points (the deciding rule or field).
    pub location: Option<Loc>,
}

/// A rule row of an NSG, as shown in the trace table.
#[derive(Clone, Debug)]
pub struct RuleRow {
    pub name: String,
    pub priority: Option<u32>,
    pub direction: &'static str,
    pub access: &'static str,
    pub protocol: &'static str,
    pub source: String,
    pub source_ports: String,
    pub destination: String,
    pub destination_ports: String,
    pub is_default: bool,
    pub valid: bool,
    pub location: Option<Loc>,
}

/// An NSG in evaluation order, for trace tables.
#[derive(Clone, Debug)]
pub struct NsgTable {
    pub name: String,
    pub rules: Vec<RuleRow>,
    pub defaults_added: bool,
}

/// A document as recognised.
#[derive(Clone, Debug)]
pub struct DocumentSummary {
    pub name: String,
    pub shape: String,
    pub shape_label: String,
    pub resources: Vec<String>,
    pub error: Option<(u32, u32, String)>,
}

/// The result of one check run.
#[derive(Clone, Debug)]
pub struct Report {
    pub profile: Profile,
    pub scenario: Scenario,
    pub documents: Vec<DocumentSummary>,
    pub findings: Vec<Finding>,
    pub nsgs: Vec<NsgTable>,
    pub notes: Vec<String>,
    pub service_tags: TagsUsed,
    /// The rules the fixes add to each NSG, together (only NSGs that get two or more).
    pub fixes_by_nsg: Vec<NsgFix>,
}

/// Every rule the report's fixes add to one NSG, as one change: an `az` script, an ARM
/// array of rule resources and a Bicep block (the fixes are allocated together, so their
/// priorities and names don't clash).
#[derive(Clone, Debug)]
pub struct NsgFix {
    pub nsg: String,
    pub rules: Vec<String>,
    pub az: String,
    pub arm: json::J,
    pub bicep: String,
}

impl NsgFix {
    /// Groups the rule fixes of `findings` by NSG (a rule proposed by several findings
    /// once); linear in the findings, by maps (a tenant's export has thousands of NSGs).
    pub fn collect(findings: &[Finding]) -> Vec<NsgFix> {
        let mut out: Vec<NsgFix> = Vec::new();
        // (String keys: the map type the rest of the core uses, no extra code in the page.)
        let mut by_nsg: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for fix in findings.iter().filter_map(|f| f.fix.as_ref()) {
            let json::J::Obj(members) = &fix.arm else { continue };
            let field = |k: &str| members.iter().find(|(key, _)| key == k).map(|(_, v)| v);
            let is_rule = matches!(field("type"), Some(json::J::Str(t)) if t.eq_ignore_ascii_case("Microsoft.Network/networkSecurityGroups/securityRules"));
            let Some(json::J::Str(full)) = field("name").filter(|_| is_rule) else { continue };
            let Some((nsg, rule)) = full.split_once('/') else { continue };
            if seen.insert(full.to_ascii_lowercase(), 0).is_some() {
                continue;
            }
            let at = *by_nsg.entry(nsg.to_ascii_lowercase()).or_insert_with(|| {
                out.push(NsgFix { nsg: nsg.to_string(), rules: Vec::new(), az: String::new(), arm: json::J::Arr(Vec::new()), bicep: String::new() });
                out.len().saturating_sub(1)
            });
            let Some(group) = out.get_mut(at) else { continue };
            group.rules.push(rule.to_string());
            for (text, part) in [(&mut group.az, &fix.az), (&mut group.bicep, &fix.bicep)] {
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(part);
            }
            if let json::J::Arr(items) = &mut group.arm {
                items.push(fix.arm.clone());
            }
        }
        out.retain(|g| g.rules.len() > 1);
        out
    }
}

/// The service-tag data a report used: its changeNumber, where it came from
/// (`built-in` or the pasted document's name), and whether it had address prefixes
/// (without them, rules with IP addresses are matched by the lattice of spec 1.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagsUsed {
    pub change_number: u32,
    pub source: String,
    pub prefixes: bool,
}

impl Finding {
    /// Adds evidence unless the same rule in the same role is already named.
    pub fn add_evidence(&mut self, items: impl IntoIterator<Item = Evidence>) {
        for e in items {
            if !self.evidence.contains(&e) {
                self.evidence.push(e);
            }
        }
    }
}

impl Report {
    /// Count of findings per status, in contract order.
    pub fn summary(&self) -> Vec<(Status, usize)> {
        Status::ALL.iter().map(|s| (*s, self.findings.iter().filter(|f| f.status == *s).count())).collect()
    }

    pub fn has_failures(&self) -> bool {
        self.findings.iter().any(|f| f.status == Status::Fail)
    }

    /// Name of the document a location points at.
    pub fn document_name(&self, loc: &Loc) -> &str {
        self.documents.get(loc.document).map(|d| d.name.as_str()).unwrap_or("")
    }
}
