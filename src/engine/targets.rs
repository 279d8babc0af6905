//! The compute subnets to check and their links: NSGs (subnet and NIC level), route
//! tables, what VirtualNetwork holds beyond the VNet, and AML-INP-006 for what is missing.

use crate::link::{by_name, Links, Via};
use crate::model::{ComputeKind, InputIssue, Model, Reference, RouteTable, Subnet};
use crate::net::VnetExtent;
use crate::report::Scenario;
use crate::rules::{NsgState, RouteState, Target};
use ipnet::IpNet;

const SPECIAL_SUBNETS: &[&str] = &["azurebastionsubnet", "gatewaysubnet", "azurefirewallsubnet", "azurefirewallmanagementsubnet", "routeserversubnet"];

/// AML-INP-006 issues, each message once (a set, so a tenant's export stays linear).
#[derive(Default)]
struct Missing {
    issues: Vec<InputIssue>,
    seen: std::collections::HashSet<String>,
}

impl Missing {
    /// What to say of a reference to `what` (`NSG`, `route table`, `subnet`) that is not among
    /// the inputs, and which command gives it; an unresolved reference is said to be one.
    fn absent(user: &str, what: &str, r: &Reference, command: &str) -> String {
        if r.unresolved {
            format!("{user} uses {what} `{}`, an expression that could not be evaluated (AML-INP-005): paste the parameters file, or the {what} itself (`{command}`)", r.name())
        } else {
            format!("{user} uses {what} `{}`, which is not among the inputs: add `{command} --name {}`", r.name(), r.name())
        }
    }

    fn add(&mut self, r: &Reference, message: String) -> String {
        if self.seen.insert(message.clone()) {
            self.issues.push(InputIssue { kind: crate::model::Diagnostic::MissingReference, message: message.clone(), loc: r.loc.clone(), warn: false });
        }
        message
    }
}

/// What VirtualNetwork holds for a subnet, by its route table (given among the inputs).
pub(crate) fn subnet_extent(links: &Links, subnet: &Subnet) -> VnetExtent {
    vnet_extent(subnet.route_table.as_ref().and_then(|r| links.route_table(r)).map(|(t, _)| t))
}

/// The UDR prefixes that join VirtualNetwork (spec 1.5).
fn vnet_extent(table: Option<&RouteTable>) -> VnetExtent {
    let mut extent = VnetExtent::default();
    let Some(table) = table else { return extent };
    let nets: Vec<IpNet> = table.routes.iter().filter_map(|r| r.address_prefix.as_deref()).filter_map(|p| p.trim().parse::<IpNet>().ok()).collect();
    extent.has_default_route = crate::net::covers_all_v4(&nets);
    extent.has_public_route = nets.iter().any(|n| !crate::net::is_private(n));
    extent
}

fn subnet_target<'m>(links: &Links<'m>, subnet: &'m Subnet, issues: &mut Missing, with_nics: bool) -> Target<'m> {
    let mut linked_by_name = Vec::new();
    let nsg = match &subnet.nsg {
        None => match links.nsg_attached_to(subnet) {
            Some(n) => NsgState::Given(n),
            None => NsgState::None,
        },
        Some(r) => match links.nsg(r) {
            Some((n, via)) => {
                if via == Via::Name {
                    linked_by_name.push(by_name("subnet", &subnet.name, "NSG", &n.name));
                }
                NsgState::Given(n)
            }
            None => NsgState::Missing(issues.add(r, Missing::absent(&format!("subnet `{}`", subnet.name), "NSG", r, "az network nsg show"))),
        },
    };
    let route_table = match &subnet.route_table {
        None => RouteState::None,
        Some(r) => match links.route_table(r) {
            Some((t, via)) => {
                if via == Via::Name {
                    linked_by_name.push(by_name("subnet", &subnet.name, "route table", &t.name));
                }
                RouteState::Given(t)
            }
            None => RouteState::Missing(issues.add(r, Missing::absent(&format!("subnet `{}`", subnet.name), "route table", r, "az network route-table show"))),
        },
    };
    // AML compute nodes get an AML-managed NIC NSG (assumed correct, spec 1.4); other
    // NICs in the subnet (a jump box) say nothing about them. Attached VMs are NICs.
    let nic_nsg = if with_nics { links.nic_nsg(subnet) } else { None };
    let extent = vnet_extent(match &route_table {
        RouteState::Given(t) => Some(*t),
        _ => None,
    });
    Target {
        label: subnet.name.clone(),
        subject_kind: "subnet",
        subnet: Some(subnet),
        nsg,
        nic_nsg,
        route_table,
        computes: Vec::new(),
        vnet_extent: extent,
        linked_by_name,
    }
}

/// The compute subnets to check, and the AML-INP-006 issues found on the way.
pub(super) fn build_targets<'m>(model: &'m Model, scenario: &Scenario) -> (Vec<Target<'m>>, Vec<InputIssue>) {
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
            Some((s, via)) => match links.subnet_position(s).and_then(|p| by_subnet.get(p).copied().flatten()).and_then(|t| targets.get_mut(t)) {
                Some(t) => {
                    if via == Via::Name {
                        t.linked_by_name.push(by_name("compute", &c.name, "subnet", &s.name));
                    }
                    t.computes.push(c);
                }
                None => {
                    let mut t = subnet_target(&links, s, &mut issues, with_nics);
                    if via == Via::Name {
                        t.linked_by_name.insert(0, by_name("compute", &c.name, "subnet", &s.name));
                    }
                    t.computes.push(c);
                    if let Some(slot) = links.subnet_position(s).and_then(|p| by_subnet.get_mut(p)) {
                        *slot = Some(targets.len());
                    }
                    targets.push(t);
                }
            },
            None => {
                unresolved_compute_subnet = true;
                issues.add(r, Missing::absent(&format!("compute `{}`", c.name), "subnet", r, "az network vnet subnet show"));
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
                linked_by_name: Vec::new(),
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
                linked_by_name: Vec::new(),
            });
        }
    }
    // Two subnets of one name (`default` in two VNets) are told apart by their VNet.
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for t in &targets {
        let n = seen.entry(t.label.to_ascii_lowercase()).or_insert(0);
        *n = n.saturating_add(1);
    }
    for t in targets.iter_mut().filter(|t| seen.get(&t.label.to_ascii_lowercase()).is_some_and(|&n| n > 1)) {
        if let Some(vnet) = t.subnet.and_then(|s| s.vnet.as_deref()) {
            t.label = format!("{vnet}/{}", t.label);
        }
    }
    (targets, issues.issues)
}
