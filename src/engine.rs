//! One check run: documents and options in, report out.
//!
//! Resolves the scenario (user's choice, else what the documents imply, else defaults),
//! finds the compute subnets and links each to its NSGs and route table, then runs every
//! check of the catalogue.

use crate::input::{self, Document};
use crate::link::Links;
use crate::model::{ComputeKind, InputIssue, Model, Nsg, Reference, RouteTable, Subnet};
use crate::net::{Address, VnetExtent, REGION_MARKER};
use crate::report::{DocumentSummary, Finding, NoteAbout, NsgTable, Profile, Report, RuleRow, Scenario, ScenarioNote, Status, TagsUsed};
use crate::rules::{self, scope, Ctx, NsgState, RouteState, Target};
use crate::service_tags::TagPrefixes;
use ipnet::IpNet;

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
    let tags = pasted.map(|p| &*p.table).or(builtin);
    let service_tags = TagsUsed {
        change_number: tags.map_or(crate::service_tags::CHANGE_NUMBER, |t| t.change_number),
        source: pasted.and_then(|p| model.documents.get(p.document)).map_or_else(|| "built-in".to_string(), |d| d.name.clone()),
        prefixes: tags.is_some(),
    };
    let scenario = resolve_scenario(model, options);
    // Templates write rules for `resourceGroup().location`; only they need a copy with the
    // region filled in.
    let regional_copy;
    let model = if has_region_marker(model) {
        let mut copy = model.clone();
        apply_region(&mut copy, scenario.region.as_deref());
        regional_copy = copy;
        &regional_copy
    } else {
        model
    };
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
    // The page has no room for this view (its 250 KB budget); its fixes are per finding.
    let fixes_by_nsg = if cfg!(feature = "web") { Vec::new() } else { crate::report::NsgFix::collect(&findings) };
    Report { profile: options.profile, scenario, documents, findings, nsgs, notes, service_tags, fixes_by_nsg }
}

pub(crate) fn has_region_marker(model: &Model) -> bool {
    model
        .nsgs
        .iter()
        .flat_map(|n| n.rules.iter())
        .flat_map(|r| r.source.iter().chain(r.destination.iter()))
        .any(|a| matches!(a, Address::Tag { region: Some(r), .. } | Address::AzureCloud(Some(r)) if r == REGION_MARKER))
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

/// The scenario: explicit options win; the documents fill in the rest; disagreements are noted.
pub fn resolve_scenario(model: &Model, options: &Options) -> Scenario {
    let mut notes = Vec::new();
    let doc_compute = model.computes.iter().find(|c| c.kind != ComputeKind::Other);
    let compute = match (options.compute, doc_compute) {
        (Some(k), Some(c)) if k != c.kind => {
            notes.push(note(
                NoteAbout::Compute,
                true,
                format!("compute type: you chose {}, but compute `{}` is {}; your choice wins", k.as_str(), c.name, c.kind.as_str()),
            ));
            k
        }
        (Some(k), _) => k,
        (None, Some(c)) => {
            notes.push(note(NoteAbout::Compute, false, format!("compute type {} from compute `{}`", c.kind.as_str(), c.name)));
            c.kind
        }
        (None, None) => match model.databricks.first() {
            Some(d) => {
                notes.push(note(NoteAbout::Compute, false, format!("compute type databricks from Databricks workspace `{}`", d.name)));
                ComputeKind::Databricks
            }
            None => ComputeKind::Cluster,
        },
    };
    let doc_pip = model.computes.iter().filter(|c| c.kind == compute).find_map(|c| c.public_ip.map(|p| (p, c.name.clone())));
    let public_ip = match (options.public_ip, doc_pip) {
        (Some(p), Some((d, name))) if p != d => {
            notes.push(note(
                NoteAbout::PublicIp,
                true,
                format!("public IP: you chose {}, but compute `{name}` has enableNodePublicIp {d}; your choice wins", if p { "yes" } else { "no" }),
            ));
            p
        }
        (Some(p), _) => p,
        (None, Some((d, name))) => {
            notes.push(note(NoteAbout::PublicIp, false, format!("public IP mode from compute `{name}` (enableNodePublicIp {d})")));
            d
        }
        (None, None) => {
            if model.computes.iter().any(|c| c.kind == compute) {
                notes.push(note(
                    NoteAbout::PublicIp,
                    false,
                    "public IP: the compute doesn't set enableNodePublicIp, so the API default (public IP) applies".into(),
                ));
            }
            true
        }
    };
    let concrete = |l: &&String| l.as_str() != REGION_MARKER && !l.is_empty();
    let workspace_region = model.workspaces.iter().filter_map(|w| w.location.as_ref()).find(concrete).cloned();
    let doc_regions: Vec<&String> = model.locations.iter().filter(concrete).collect();
    let doc_region = workspace_region.clone().or_else(|| if doc_regions.len() == 1 { doc_regions.first().map(|s| s.to_string()) } else { None });
    let region = match (&options.region, &doc_region) {
        (Some(r), Some(d)) if !r.eq_ignore_ascii_case(d) => {
            notes.push(note(NoteAbout::Region, true, format!("region: you chose {r}, but the documents say {d}; your choice wins")));
            Some(crate::normalise_region(r))
        }
        (Some(r), _) => Some(crate::normalise_region(r)),
        (None, Some(d)) => {
            notes.push(note(
                NoteAbout::Region,
                false,
                format!("region {d} from the {}", if workspace_region.is_some() { "workspace" } else { "resources' location" }),
            ));
            Some(d.clone())
        }
        (None, None) if model.template_region && doc_regions.is_empty() => {
            notes.push(note(
                NoteAbout::Region,
                false,
                "region: the template deploys to its resource group's region (resourceGroup().location); regional tags in it are compared as that region; pass --region to name it".into(),
            ));
            Some(REGION_MARKER.to_string())
        }
        (None, None) => {
            if doc_regions.len() > 1 {
                notes.push(note(
                    NoteAbout::Region,
                    false,
                    format!("region: the documents name several ({}); pass --region", doc_regions.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")),
                ));
            }
            None
        }
    };
    Scenario { compute, public_ip, region, profile: options.profile, notes }
}

/// Replaces the template region marker in rule tags with the scenario's region.
pub(crate) fn apply_region(model: &mut Model, region: Option<&str>) {
    for nsg in &mut model.nsgs {
        for rule in &mut nsg.rules {
            for list in [&mut rule.source, &mut rule.destination] {
                for a in list.iter_mut() {
                    if matches!(a, Address::Tag { region: Some(r), .. } | Address::AzureCloud(Some(r)) if r == REGION_MARKER) {
                        *a = std::mem::replace(a, Address::Any).with_region(region);
                    }
                }
            }
        }
    }
}

fn note(about: NoteAbout, overridden: bool, text: String) -> ScenarioNote {
    ScenarioNote { about, overridden, text }
}

const SPECIAL_SUBNETS: &[&str] = &["azurebastionsubnet", "gatewaysubnet", "azurefirewallsubnet", "azurefirewallmanagementsubnet", "routeserversubnet"];

/// AML-INP-006 issues, each message once (a set, so a tenant's export stays linear).
#[derive(Default)]
struct Missing {
    issues: Vec<InputIssue>,
    seen: std::collections::HashSet<String>,
}

impl Missing {
    fn add(&mut self, r: &Reference, message: String) -> String {
        if self.seen.insert(message.clone()) {
            self.issues.push(InputIssue { kind: crate::model::Diagnostic::MissingReference, message: message.clone(), loc: r.loc.clone(), warn: false });
        }
        message
    }
}

/// What VirtualNetwork holds for a subnet, by its route table (given among the inputs).
pub(crate) fn subnet_extent(links: &Links, subnet: &Subnet) -> VnetExtent {
    vnet_extent(subnet.route_table.as_ref().and_then(|r| links.route_table(r)))
}

/// The UDR prefixes that join VirtualNetwork (spec 1.5).
fn vnet_extent(table: Option<&RouteTable>) -> VnetExtent {
    let mut extent = VnetExtent::default();
    let Some(table) = table else { return extent };
    let nets: Vec<IpNet> = table.routes.iter().filter_map(|r| r.address_prefix.as_deref()).filter_map(|p| p.trim().parse::<IpNet>().ok()).collect();
    let all: IpNet = "0.0.0.0/0".parse().unwrap_or_default();
    extent.has_default_route = IpNet::aggregate(&nets).iter().any(|n| n.contains(&all));
    extent.has_public_route = nets.iter().any(|n| !crate::net::is_private(n));
    extent
}

fn subnet_target<'m>(links: &Links<'m>, subnet: &'m Subnet, issues: &mut Missing, with_nics: bool) -> Target<'m> {
    let nsg = match &subnet.nsg {
        None => match links.nsg_attached_to(subnet) {
            Some(n) => NsgState::Given(n),
            None => NsgState::None,
        },
        Some(r) => match links.nsg(r) {
            Some(n) => NsgState::Given(n),
            None => NsgState::Missing(issues.add(
                r,
                format!("subnet `{}` uses NSG `{}`, which is not among the inputs: add `az network nsg show --name {}`", subnet.name, r.name(), r.name()),
            )),
        },
    };
    let route_table = match &subnet.route_table {
        None => RouteState::None,
        Some(r) => match links.route_table(r) {
            Some(t) => RouteState::Given(t),
            None => RouteState::Missing(issues.add(
                r,
                format!(
                    "subnet `{}` uses route table `{}`, which is not among the inputs: add `az network route-table show --name {}`",
                    subnet.name,
                    r.name(),
                    r.name()
                ),
            )),
        },
    };
    // AML compute nodes get an AML-managed NIC NSG (assumed correct, spec 1.4); other
    // NICs in the subnet (a jump box) say nothing about them. Attached VMs are NICs.
    let nic_nsg = if with_nics { links.nic_nsg(subnet) } else { None };
    let extent = vnet_extent(match &route_table {
        RouteState::Given(t) => Some(*t),
        _ => None,
    });
    Target { label: subnet.name.clone(), subject_kind: "subnet", subnet: Some(subnet), nsg, nic_nsg, route_table, computes: Vec::new(), vnet_extent: extent }
}

/// The compute subnets to check, and the AML-INP-006 issues found on the way.
fn build_targets<'m>(model: &'m Model, scenario: &Scenario) -> (Vec<Target<'m>>, Vec<InputIssue>) {
    let links = Links::new(model);
    let mut issues = Missing::default();
    let mut by_subnet: Vec<Option<usize>> = vec![None; model.subnets.len()];
    let mut targets: Vec<Target<'m>> = Vec::new();
    let with_nics = matches!(scenario.compute, ComputeKind::Vm | ComputeKind::HdInsight);
    let training = |k: ComputeKind| matches!(k, ComputeKind::Cluster | ComputeKind::Instance | ComputeKind::Vm | ComputeKind::HdInsight);
    let relevant: Vec<_> = model.computes.iter().filter(|c| c.kind == scenario.compute).collect();
    let computes: Vec<_> = if relevant.is_empty() { model.computes.iter().filter(|c| training(c.kind)).collect() } else { relevant };
    let mut unresolved_compute_subnet = false;
    for c in computes {
        let Some(r) = &c.subnet else { continue };
        match links.subnet(r) {
            Some(s) => match links.subnet_position(s).and_then(|p| by_subnet.get(p).copied().flatten()).and_then(|t| targets.get_mut(t)) {
                Some(t) => t.computes.push(c),
                None => {
                    let mut t = subnet_target(&links, s, &mut issues, with_nics);
                    t.computes.push(c);
                    if let Some(slot) = links.subnet_position(s).and_then(|p| by_subnet.get_mut(p)) {
                        *slot = Some(targets.len());
                    }
                    targets.push(t);
                }
            },
            None => {
                unresolved_compute_subnet = true;
                issues.add(
                    r,
                    format!(
                        "compute `{}` uses subnet `{}`, which is not among the inputs: add `az network vnet subnet show --name {}`",
                        c.name,
                        r.name(),
                        r.name()
                    ),
                );
            }
        }
    }
    if targets.is_empty() && scenario.compute == ComputeKind::Databricks {
        let named: Vec<String> = model.databricks.iter().flat_map(|d| [d.public_subnet.clone(), d.private_subnet.clone()]).flatten().collect();
        for s in &model.subnets {
            let delegated = s.delegations.iter().any(|d| d.eq_ignore_ascii_case("Microsoft.Databricks/workspaces"));
            if delegated || named.iter().any(|n| n.eq_ignore_ascii_case(&s.name)) {
                targets.push(subnet_target(&links, s, &mut issues, with_nics));
            }
        }
    }
    if targets.is_empty() && !unresolved_compute_subnet {
        for s in model.subnets.iter().filter(|s| !SPECIAL_SUBNETS.contains(&s.name.to_ascii_lowercase().as_str())) {
            targets.push(subnet_target(&links, s, &mut issues, with_nics));
        }
    }
    if targets.is_empty() {
        // No subnet: every NSG given is taken as the compute subnet's NSG (contract).
        let route_table = match model.route_tables.as_slice() {
            [one] => RouteState::Given(one),
            [] => RouteState::Missing("no route table or subnet was given".into()),
            _ => RouteState::Missing("several route tables were given but no subnet says which applies".into()),
        };
        let extent = vnet_extent(match &route_table {
            RouteState::Given(t) => Some(*t),
            _ => None,
        });
        let computes: Vec<_> = model.computes.iter().filter(|c| c.kind == scenario.compute).collect();
        for n in &model.nsgs {
            let attached = n.attached_subnets.first().map(|id| id.rsplit('/').next().unwrap_or(id).to_string());
            targets.push(Target {
                label: match attached {
                    Some(s) => format!("subnet {s} (NSG {})", n.name),
                    None => format!("the compute subnet (NSG {})", n.name),
                },
                subject_kind: "nsg",
                subnet: None,
                nsg: NsgState::Given(n),
                nic_nsg: None,
                route_table: route_table.clone(),
                computes: computes.clone(),
                vnet_extent: extent,
            });
        }
        if targets.is_empty() {
            targets.push(Target {
                label: "the compute subnet".into(),
                subject_kind: "subnet",
                subnet: None,
                nsg: NsgState::Missing("no NSG or subnet was given: paste `az network nsg show` or the subnet's JSON".into()),
                nic_nsg: None,
                route_table: route_table.clone(),
                computes,
                vnet_extent: extent,
            });
        }
    }
    (targets, issues.issues)
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
