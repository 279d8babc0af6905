//! The check catalogue: one `Check` per spec ID, each with its documentation, which the
//! CLI (`rules`, `explain`), SARIF and the page all read.
//!
//! Checks query `nsg` and `net`; they never parse input. Each check returns at least one
//! finding, so every ID appears in every report.

mod cmp;
mod dbx;
mod det;
pub mod errors;
pub(crate) mod flows;
pub mod hcl;
mod inp;
mod npip;
pub(crate) mod out;
mod pip;
mod udr;
mod vmh;

use crate::model::{Compute, Loc, Model, Nsg, RouteTable, Subnet, Workspace};
use crate::net::VnetExtent;
use crate::report::{Finding, Scenario, Severity, Status, Subject};

/// Scenario bits a check applies to.
pub mod scope {
    pub const CC_PIP: u8 = 1;
    pub const CC_NPIP: u8 = 2;
    pub const CI_PIP: u8 = 4;
    pub const CI_NPIP: u8 = 8;
    pub const DBX: u8 = 16;
    pub const VMH: u8 = 32;
    pub const PIP: u8 = CC_PIP | CI_PIP;
    pub const NPIP: u8 = CC_NPIP | CI_NPIP;
    pub const CC: u8 = CC_PIP | CC_NPIP;
    pub const CI: u8 = CI_PIP | CI_NPIP;
    pub const AML: u8 = CC | CI;
    pub const ALL: u8 = AML | DBX | VMH;
}

/// A check's documentation. In the page's build (`web` feature) the texts are left out
/// of the wasm (10 KB of its first load): the page fetches them from `rules.json`, which
/// the build writes from this same catalogue, when a reader first opens them.
#[cfg(not(feature = "web"))]
macro_rules! docs {
    ($($field:ident: $text:expr),* $(,)?) => {
        $crate::rules::Docs { $($field: $text),* }
    };
}

#[cfg(feature = "web")]
macro_rules! docs {
    ($($field:ident: $text:expr),* $(,)?) => {
        $crate::rules::Docs { $($field: ""),* }
    };
}

pub(crate) use docs;

pub use crate::report::Docs;

/// One check of the catalogue.
pub struct Check {
    pub id: &'static str,
    /// Kebab-case name of the problem.
    pub name: &'static str,
    pub title: &'static str,
    /// Severity under the default profile (a finding may carry another, per profile).
    pub severity: Severity,
    /// Scenario bits (see `scope`).
    pub scope: u8,
    pub docs: Docs,
    pub run: fn(&Ctx, &'static Check) -> Vec<Finding>,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

impl Check {
    /// Scenario keys in words, for docs.
    pub fn applies_to(&self) -> String {
        let names = [
            (scope::CC_PIP, "CC-PIP"),
            (scope::CC_NPIP, "CC-NPIP"),
            (scope::CI_PIP, "CI-PIP"),
            (scope::CI_NPIP, "CI-NPIP"),
            (scope::DBX, "DBX"),
            (scope::VMH, "VMH"),
        ];
        if self.scope == scope::ALL {
            return "every scenario".into();
        }
        names.iter().filter(|(b, _)| self.scope & b != 0).map(|(_, n)| *n).collect::<Vec<_>>().join(", ")
    }

    /// A finding of this check with the given status and message.
    pub fn finding(&'static self, status: Status, message: impl Into<String>) -> Finding {
        Finding {
            id: self.id,
            title: self.title,
            status,
            severity: self.severity,
            message: message.into(),
            subject: None,
            evidence: Vec::new(),
            flows: Vec::new(),
            fix: None,
            location: None,
        }
    }
}

impl crate::report::CheckInfo for Check {
    fn id(&self) -> &'static str {
        self.id
    }
    fn name(&self) -> &'static str {
        self.name
    }
    fn title(&self) -> &'static str {
        self.title
    }
    fn severity(&self) -> Severity {
        self.severity
    }
    fn docs(&self) -> &Docs {
        &self.docs
    }
    fn applies_to(&self) -> String {
        Check::applies_to(self)
    }
}

/// Every check, in report order: the families' tables joined once.
pub fn catalogue() -> &'static [&'static Check] {
    static ALL: std::sync::OnceLock<Vec<&'static Check>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| [det::CHECKS, inp::CHECKS, cmp::CHECKS, pip::CHECKS, npip::CHECKS, out::CHECKS, udr::CHECKS, vmh::CHECKS, dbx::CHECKS].concat())
}

/// Looks up a check by ID (case-insensitive) or by name.
pub fn find(id_or_name: &str) -> Option<&'static Check> {
    catalogue().iter().copied().find(|c| c.id.eq_ignore_ascii_case(id_or_name) || c.name.eq_ignore_ascii_case(id_or_name))
}

/// How the NSG of a target is known.
#[derive(Clone, Debug)]
pub enum NsgState<'m> {
    /// Found among the inputs.
    Given(&'m Nsg),
    /// The subnet has no NSG: nothing filters at this level.
    None,
    /// The subnet names an NSG that is not among the inputs, or nothing is known.
    Missing(String),
}

/// How the route table of a target is known.
#[derive(Clone, Debug)]
pub enum RouteState<'m> {
    Given(&'m RouteTable),
    None,
    Missing(String),
}

/// A compute subnet to check: the subnet (if given), its NSGs and route table.
#[derive(Clone, Debug)]
pub struct Target<'m> {
    /// How findings name it.
    pub label: String,
    pub subject_kind: &'static str,
    pub subnet: Option<&'m Subnet>,
    pub nsg: NsgState<'m>,
    /// NSGs of NICs in the subnet (the NIC level of evaluation).
    pub nic_nsg: Option<&'m Nsg>,
    pub route_table: RouteState<'m>,
    pub computes: Vec<&'m Compute>,
    pub vnet_extent: VnetExtent,
    /// The links of this target that only a name made (one side had no full ID): every
    /// finding about the target says so.
    pub linked_by_name: Vec<String>,
}

impl Target<'_> {
    pub fn subject(&self) -> Subject {
        Subject { kind: self.subject_kind, name: self.label.clone() }
    }
    pub fn subnet_loc(&self) -> Option<Loc> {
        self.subnet.and_then(|s| s.loc.clone())
    }
}

/// What a check can see.
pub struct Ctx<'m> {
    pub model: &'m Model,
    pub scenario: &'m Scenario,
    pub targets: Vec<Target<'m>>,
    pub workspace: Option<&'m Workspace>,
    /// The service-tag prefixes in use (the user's pasted data, else the built-in
    /// table), or none: then addresses are matched by the lattice of spec 1.5.
    pub tags: Option<&'m crate::service_tags::TagPrefixes>,
    /// AML-INP-006 issues found while linking targets.
    pub link_issues: Vec<crate::model::InputIssue>,
    /// The AML-OUT findings, computed once for the checks and their summaries.
    pub out_cache: std::cell::OnceCell<Vec<Finding>>,
    /// Rules the report's fixes propose, per NSG and direction, so that all the fixes of
    /// one report can be applied together (distinct priorities and names).
    pub proposals: std::cell::RefCell<Proposals>,
}

impl Ctx<'_> {
    /// What address matching sees for a target: its routes and the service-tag data.
    pub fn scope(&self, target: &Target) -> crate::net::Scope<'_> {
        crate::net::Scope { vnet: target.vnet_extent, tags: self.tags }
    }
}

/// Fix rules proposed so far: (NSG, direction) to (rule signature, name, priority).
#[derive(Default)]
pub struct Proposals {
    index: std::collections::HashMap<String, usize>,
    lists: Vec<Vec<Proposal>>,
}

/// A proposed rule: its signature (protocol, source, destination, ports), name, priority.
type Proposal = (String, String, u32);

impl Proposals {
    /// The name and priority for a proposed rule: the same as before for the same rule,
    /// else a priority that neither the NSG nor another proposal uses (below `below`)
    /// and a name no other proposal in that NSG has.
    pub fn propose(&mut self, nsg: &crate::model::Nsg, direction: crate::net::Direction, signature: String, name: String, below: u32) -> (String, Option<u32>) {
        let key = format!("{}:{}", nsg as *const crate::model::Nsg as usize, direction as u8);
        let at = *self.index.entry(key).or_insert(self.lists.len());
        if at == self.lists.len() {
            self.lists.push(Vec::new());
        }
        let Some(list) = self.lists.get_mut(at) else { return (name, None) };
        if let Some((_, n, p)) = list.iter().find(|(s, _, _)| *s == signature) {
            return (n.clone(), Some(*p));
        }
        let taken: Vec<u32> = list.iter().map(|(_, _, p)| *p).collect();
        let priority = crate::nsg::free_priority_below_excluding(nsg, direction, below, &taken);
        let mut unique = name.clone();
        let mut k: u32 = 2;
        while list.iter().any(|(_, n, _)| n.eq_ignore_ascii_case(&unique)) || nsg.rules.iter().any(|r| r.name.eq_ignore_ascii_case(&unique)) {
            unique = format!("{name}-{k}");
            k = k.saturating_add(1);
        }
        if let Some(p) = priority {
            list.push((signature, unique.clone(), p));
        }
        (unique, priority)
    }
}

impl<'m> Ctx<'m> {
    /// Whether the checks run under the 2023 (GA) profile.
    pub fn is_profile_2023(&self) -> bool {
        self.scenario.profile == crate::report::Profile::Ga2023
    }

    /// One finding per target, with the target as subject.
    pub fn per_target(&self, mut f: impl FnMut(&Target<'m>) -> Finding) -> Vec<Finding> {
        self.targets
            .iter()
            .map(|t| {
                let mut finding = f(t);
                if finding.subject.is_none() {
                    finding.subject = Some(t.subject());
                }
                finding
            })
            .collect()
    }
}

/// A rule named as evidence of a finding.
pub fn rule_evidence(nsg: &Nsg, rule: &crate::model::SecurityRule, role: crate::report::Role) -> crate::report::Evidence {
    crate::report::Evidence {
        nsg: Some(nsg.name.clone()),
        rule: rule.name.clone(),
        priority: rule.priority,
        access: rule.access.map(|a| a.as_str().to_string()),
        direction: rule.direction.map(|d| d.as_str().to_string()),
        role,
        location: rule.loc.clone(),
    }
}

/// Usable addresses of a subnet (spec 4.1): 2^(32-p) - 5 per IPv4 prefix.
pub fn usable_addresses(subnet: &Subnet) -> Option<u64> {
    if subnet.prefixes.is_empty() || !subnet.bad_prefixes.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    for p in &subnet.prefixes {
        if let ipnet::IpNet::V4(n) = p {
            let size = 1u64.checked_shl(32u32.saturating_sub(u32::from(n.prefix_len()))).unwrap_or(0);
            total = total.saturating_add(size.saturating_sub(5));
        }
    }
    Some(total)
}

/// The az command prefix for a subnet update.
pub fn az_subnet(subnet: Option<&Subnet>) -> String {
    let rg = subnet.and_then(|s| s.id.as_deref()).and_then(crate::model::resource_group_of).unwrap_or_else(|| "<resource-group>".into());
    let vnet = subnet.and_then(|s| s.vnet.clone()).unwrap_or_else(|| "<vnet>".into());
    let name = subnet.map(|s| s.name.clone()).unwrap_or_else(|| "<subnet>".into());
    format!("az network vnet subnet update --resource-group {rg} --vnet-name {vnet} --name {name}")
}
