//! Azure Databricks with VNet injection (spec 2.5).

use super::flows::{self, FlowReq};
use super::{docs, scope, Check, Ctx, NsgState};
use crate::model::{same_resource, subscription_of};
use crate::net::{Direction, Endpoint, Protocol};
use crate::report::{Finding, Severity, Status};

pub static CHECKS: &[&Check] = &[&DBX_001, &DBX_002, &DBX_003, &DBX_004, &DBX_005, &DBX_006, &DBX_007, &DBX_008, &DBX_009];

const DATABRICKS: &str = "Microsoft.Databricks/workspaces";

pub static DBX_001: Check = Check {
    id: "AML-DBX-001",
    name: "databricks-vnet-other-subscription-or-region",
    title: "The Databricks VNet is in the workspace's subscription and region",
    severity: Severity::Error,
    scope: scope::DBX,
    docs: docs! {
        what: "Compares the Databricks workspace's location and the subscription of its `customVirtualNetworkId` with the Azure ML workspace's.",
        why: "The article requires the same subscription and region.",
        example: "Databricks in eastus with a VNet in another subscription, AML workspace in westus2.",
        fix: "Deploy Databricks into a VNet in the workspace's subscription and region.",
        source: "Seed › Prerequisites › Azure Databricks",
    },
    run: |ctx, check| {
        let (Some(d), Some(w)) = (ctx.model.databricks.first(), ctx.workspace) else {
            return vec![check.finding(Status::Unknown, "needs the Databricks workspace JSON and the Azure ML workspace JSON")];
        };
        use crate::net::Region;
        let mut problems = Vec::new();
        // A location left unknown (an unresolved expression), or the deployment's region
        // against a named one, decides nothing: never a pass.
        let doubt = match (&d.location, &w.location) {
            (Some(Region::Named(a)), Some(Region::Named(b))) => {
                if a != b {
                    problems.push(format!("Databricks is in `{a}`, the workspace in `{b}`"));
                }
                false
            }
            (Some(Region::Deployment), Some(Region::Deployment)) | (None, _) | (_, None) => false,
            (Some(_), Some(_)) => true,
        };
        if let (Some(a), Some(b)) = (d.vnet_id.as_deref().and_then(subscription_of), w.id.as_deref().and_then(subscription_of)) {
            if a != b {
                problems.push(format!("the Databricks VNet is in subscription {a}, the workspace in {b}"));
            }
        }
        let mut f = if problems.is_empty() && doubt {
            check.finding(Status::Unknown, "the region of the Databricks workspace or of the Azure ML workspace is not known, so they can't be compared")
        } else if problems.is_empty() {
            check.finding(Status::Pass, "Databricks and the workspace share subscription and region (as far as the JSON shows)")
        } else {
            check.finding(Status::Fail, problems.join("; "))
        };
        f.location = d.loc.clone();
        vec![f]
    },
};

pub static DBX_002: Check = Check {
    id: "AML-DBX-002",
    name: "storage-not-in-databricks-vnet",
    title: "VNet-secured storage is in the Databricks VNet",
    severity: Severity::Warning,
    scope: scope::DBX,
    docs: docs! {
        what: "For storage accounts that deny by default, checks that their VNet rules point at the Databricks VNet.",
        why: "The article requires VNet-secured workspace storage to be in the same VNet as the Databricks cluster.",
        example: "Storage with VNet rules for `vnet-ml` while Databricks is injected into `vnet-dbx`.",
        fix: "Add the Databricks VNet's subnets to the storage network rules, or move the storage.",
        source: "Seed › Prerequisites › Azure Databricks",
    },
    run: |ctx, check| {
        let restricted: Vec<_> = ctx.model.storage_accounts.iter().filter(|s| s.default_action_deny).collect();
        let vnet = ctx.model.databricks.first().and_then(|d| d.vnet_id.clone()).map(|id| id.rsplit('/').next().unwrap_or(&id).to_string());
        if restricted.is_empty() {
            return vec![
                check.finding(if ctx.model.storage_accounts.is_empty() { Status::Unknown } else { Status::Pass }, "no pasted storage account is VNet-secured")
            ];
        }
        let Some(vnet) = vnet else { return vec![check.finding(Status::Unknown, "the Databricks VNet is unknown (paste the Databricks workspace JSON)")] };
        let elsewhere: Vec<&str> = restricted
            .iter()
            .filter(|s| !s.vnet_rule_subnets.iter().any(|id| crate::model::vnet_of_subnet_id(id).is_some_and(|v| v.eq_ignore_ascii_case(&vnet))))
            .map(|s| s.name.as_str())
            .collect();
        if elsewhere.is_empty() {
            vec![check.finding(Status::Pass, format!("the VNet-secured storage allows VNet `{vnet}`"))]
        } else {
            vec![check.finding(Status::Warn, format!("storage {} is VNet-secured but not in Databricks VNet `{vnet}`", elsewhere.join(", ")))]
        }
    },
};

pub static DBX_003: Check = Check {
    id: "AML-DBX-003",
    name: "default-subnet-missing",
    title: "The VNet keeps its `default` subnet",
    severity: Severity::Warning,
    scope: scope::DBX,
    docs: docs! {
        what: "Warns when the VNet has no subnet named `default` besides the Databricks subnets.",
        why: "The article says the `default` subnet created with the VNet is also required (a claim that is hard to justify technically, hence a warning).",
        example: "A VNet with only `databricks-public` and `databricks-private`.",
        fix: "Keep (or add) a subnet named `default`.",
        source: "Seed › Limitations › Azure Databricks",
    },
    run: |ctx, check| {
        if ctx.model.vnets.is_empty() {
            return vec![check.finding(Status::Unknown, "paste the VNet JSON to see its subnets")];
        }
        ctx.model
            .vnets
            .iter()
            .map(|v| {
                let mut f = if v.subnet_names.iter().any(|n| n.eq_ignore_ascii_case("default")) {
                    check.finding(Status::Pass, format!("VNet `{}` has a `default` subnet", v.name))
                } else {
                    check.finding(Status::Warn, format!("VNet `{}` has no subnet named `default` ({})", v.name, v.subnet_names.join(", ")))
                };
                f.location = v.loc.clone();
                f
            })
            .collect()
    },
};

pub static DBX_004: Check = Check {
    id: "AML-DBX-004",
    name: "databricks-no-private-endpoint",
    title: "Databricks doesn't use a private endpoint to the VNet",
    severity: Severity::Info,
    scope: scope::DBX,
    docs: docs! {
        what: "Reminds that Azure Databricks doesn't reach the VNet through a private endpoint.",
        why: "Don't plan on one; Databricks is injected into its own subnets.",
        example: "A plan that expects a Databricks private endpoint in the compute subnet.",
        fix: "Use VNet injection as described in the Databricks article.",
        source: "Seed › Limitations › Azure Databricks",
    },
    run: |_, check| vec![check.finding(Status::Info, "Azure Databricks doesn't use a private endpoint to reach the VNet")],
};

pub static DBX_005: Check = Check {
    id: "AML-DBX-005",
    name: "databricks-subnet-not-delegated",
    title: "The Databricks subnets are delegated to Databricks",
    severity: Severity::Error,
    scope: scope::DBX,
    docs: docs! {
        what: "Requires both the host and the container subnet to be delegated to `Microsoft.Databricks/workspaces` (the opposite of AML-CMP-001).",
        why: "VNet injection fails without the delegation.",
        example: "`databricks-public` with `delegations: []`.",
        fix: "`az network vnet subnet update … --delegations Microsoft.Databricks/workspaces`.",
        source: "Databricks VNet-injection docs",
    },
    run: |ctx, check| {
        ctx.per_target(|t| {
            let Some(s) = t.subnet else { return check.finding(Status::Unknown, format!("the subnet of {} was not given", t.label)) };
            let mut f = if s.delegations.iter().any(|d| d.eq_ignore_ascii_case(DATABRICKS)) {
                check.finding(Status::Pass, format!("subnet `{}` is delegated to {DATABRICKS}", s.name))
            } else {
                check.finding(Status::Fail, format!("subnet `{}` is not delegated to {DATABRICKS}", s.name))
            };
            f.location = s.loc.clone();
            f
        })
    },
};

pub static DBX_006: Check = Check {
    id: "AML-DBX-006",
    name: "databricks-subnet-nsg",
    title: "Both Databricks subnets have the same NSG",
    severity: Severity::Error,
    scope: scope::DBX,
    docs: docs! {
        what: "Requires an NSG on each Databricks subnet, and warns when the two differ.",
        why: "Databricks manages its rules in the NSG of the injected subnets; the docs ask for one NSG on both.",
        example: "`databricks-private` without `networkSecurityGroup`.",
        fix: "Attach the same NSG to both subnets.",
        source: "Databricks VNet-injection docs",
    },
    run: |ctx, check| {
        let subnets: Vec<_> = ctx.targets.iter().filter_map(|t| t.subnet).collect();
        if subnets.is_empty() {
            return vec![check.finding(Status::Unknown, "paste the Databricks subnets (or their VNet)")];
        }
        let missing: Vec<&str> = subnets.iter().filter(|s| s.nsg.is_none()).map(|s| s.name.as_str()).collect();
        if !missing.is_empty() {
            return vec![check.finding(Status::Fail, format!("subnet {} has no NSG", missing.join(", ")))];
        }
        let ids: Vec<&str> = subnets.iter().filter_map(|s| s.nsg.as_ref().map(|r| r.id.as_str())).collect();
        let same = ids.windows(2).all(|w| matches!(w, [a, b] if same_resource(a, b)));
        if same {
            vec![check.finding(Status::Pass, "the Databricks subnets share one NSG")]
        } else {
            vec![check.finding(Status::Warn, "the Databricks subnets have different NSGs; the docs ask for the same one")]
        }
    },
};

pub static DBX_007: Check = Check {
    id: "AML-DBX-007",
    name: "databricks-address-space",
    title: "The Databricks VNet and subnets are big enough",
    severity: Severity::Error,
    scope: scope::DBX,
    docs: docs! {
        what: "Requires a VNet prefix between /16 and /24, and each Databricks subnet /26 or larger.",
        why: "Every cluster node takes an address in each of the two subnets, and Azure reserves five per subnet; 59 nodes fit in a /26.",
        example: "A `databricks-private` subnet of /28.",
        fix: "Use a /26 or larger subnet in a /16 to /24 VNet.",
        source: "Databricks VNet-injection docs",
    },
    run: |ctx, check| {
        let mut problems = Vec::new();
        for v in &ctx.model.vnets {
            for p in &v.address_prefixes {
                if p.prefix_len() < 16 || p.prefix_len() > 24 {
                    problems.push(format!("VNet `{}` prefix {p} is not between /16 and /24", v.name));
                }
            }
        }
        let mut known = !ctx.model.vnets.is_empty();
        for t in &ctx.targets {
            if let Some(s) = t.subnet {
                known = true;
                for p in &s.prefixes {
                    if p.prefix_len() > 26 {
                        problems.push(format!("subnet `{}` prefix {p} is smaller than /26", s.name));
                    }
                }
            }
        }
        if !known {
            return vec![check.finding(Status::Unknown, "paste the VNet or the Databricks subnets")];
        }
        if problems.is_empty() {
            vec![check.finding(Status::Pass, "the VNet and the Databricks subnets are large enough")]
        } else {
            vec![check.finding(Status::Fail, problems.join("; "))]
        }
    },
};

pub static DBX_008: Check = Check {
    id: "AML-DBX-008",
    name: "databricks-subnet-shared",
    title: "The Databricks subnets are dedicated",
    severity: Severity::Warning,
    scope: scope::DBX,
    docs: docs! {
        what: "Warns when a Databricks subnet's `ipConfigurations` point at resources that are not Databricks's.",
        why: "Each workspace needs its own pair of subnets with nothing else in them.",
        example: "A VM NIC in `databricks-public`.",
        fix: "Move other resources out of the Databricks subnets.",
        source: "Databricks VNet-injection docs",
    },
    run: |ctx, check| {
        ctx.per_target(|t| {
            let Some(s) = t.subnet else { return check.finding(Status::Unknown, format!("the subnet of {} was not given", t.label)) };
            let other: Vec<&str> = s.ip_configurations.iter().filter(|id| !id.to_ascii_lowercase().contains("databricks")).map(|id| id.as_str()).collect();
            if other.is_empty() {
                check.finding(Status::Pass, format!("subnet `{}` holds no other resources", s.name))
            } else {
                check.finding(Status::Warn, format!("subnet `{}` also holds {}", s.name, other.iter().take(3).copied().collect::<Vec<_>>().join(", ")))
            }
        })
    },
};

pub static DBX_009: Check = Check {
    id: "AML-DBX-009",
    name: "databricks-flows-denied",
    title: "No custom rule denies the Databricks-managed flows",
    severity: Severity::Warning,
    scope: scope::DBX,
    docs: docs! {
        what: "Evaluates the flows Databricks manages (`Microsoft.Databricks-workspaces_UseOnly_*`): inbound VirtualNetwork → VirtualNetwork; outbound to AzureDatabricks TCP 443, Sql TCP 3306, Storage TCP 443, EventHub TCP 9093, and VirtualNetwork.",
        why: "A custom rule with a lower priority number that denies them breaks the workspace.",
        example: "An outbound `Deny Internet` at 100 in the Databricks NSG.",
        fix: "Move the deny below the Databricks rules, or remove it.",
        source: "Databricks VNet-injection docs",
    },
    run: run_009,
};

fn run_009(ctx: &Ctx, check: &'static Check) -> Vec<Finding> {
    let flows_required: Vec<(Direction, Endpoint, Endpoint, u16)> = vec![
        (Direction::Inbound, Endpoint::VirtualNetwork, Endpoint::VirtualNetwork, 443),
        (Direction::Outbound, Endpoint::VirtualNetwork, Endpoint::Service { name: "AzureDatabricks".into(), region: None }, 443),
        (Direction::Outbound, Endpoint::VirtualNetwork, Endpoint::Service { name: "Sql".into(), region: None }, 3306),
        (Direction::Outbound, Endpoint::VirtualNetwork, Endpoint::Service { name: "Storage".into(), region: None }, 443),
        (Direction::Outbound, Endpoint::VirtualNetwork, Endpoint::Service { name: "EventHub".into(), region: None }, 9093),
        (Direction::Outbound, Endpoint::VirtualNetwork, Endpoint::VirtualNetwork, 443),
    ];
    ctx.per_target(|t| {
        if let NsgState::Missing(reason) = &t.nsg {
            return check.finding(Status::Unknown, format!("the Databricks NSG can't be evaluated: {reason}"));
        }
        let mut worst = Status::Pass;
        let mut messages = Vec::new();
        let mut evidence = Vec::new();
        let mut all_flows = Vec::new();
        for (direction, source, destination, port) in &flows_required {
            let req = FlowReq { direction: *direction, protocol: Protocol::Tcp, source: source.clone(), destination: destination.clone(), ports: vec![*port] };
            let r = flows::evaluate(ctx, t, &req);
            if r.status != Status::Pass {
                messages.push(r.message.clone());
                evidence.extend(r.evidence);
            }
            all_flows.extend(r.flows);
            worst = worst.worst(r.status);
        }
        let mut f = if messages.is_empty() {
            check.finding(Status::Pass, "the Databricks-managed flows are not denied by a custom rule")
        } else {
            check.finding(worst, messages.join("; "))
        };
        f.add_evidence(evidence);
        f.flows = all_flows;
        f
    })
}
