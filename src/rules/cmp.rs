//! Requirements common to clusters and instances (spec 2.2).

use super::{az_subnet, docs, scope, usable_addresses, Check, Ctx, Target};
use crate::model::{same_resource, subscription_of, ComputeKind, Subnet};
use crate::net::Region;
use crate::report::json::J;
use crate::report::{Finding, Fix, Severity, Status, Subject};

pub static CHECKS: &[&Check] =
    &[&CMP_001, &CMP_002, &CMP_003, &CMP_004, &CMP_005, &CMP_006, &CMP_007, &CMP_008, &CMP_009, &CMP_010, &CMP_011, &CMP_012, &CMP_013, &CMP_014, &CMP_015];

fn subnet_unknown(check: &'static Check, t: &Target, what: &str) -> Finding {
    let mut f = check.finding(
        Status::Unknown,
        format!("{what} cannot be checked: the subnet of {} was not given (paste `az network vnet subnet show` or the VNet)", t.label),
    );
    f.subject = Some(t.subject());
    f
}

pub static CMP_001: Check = Check {
    id: "AML-CMP-001",
    name: "subnet-delegated",
    title: "The compute subnet is not delegated",
    severity: Severity::Error,
    scope: scope::AML,
    docs: docs! {
        what: "Fails when the compute subnet has any delegation (`properties.delegations[]`), whatever the service.",
        why: "Azure ML clusters and instances can't be created in a subnet delegated to another service, for example to ACI (`Microsoft.ContainerInstance/containerGroups`).",
        example: "\"delegations\": [{\"name\": \"aci\", \"properties\": {\"serviceName\": \"Microsoft.ContainerInstance/containerGroups\"}}]",
        fix: "Remove the delegation (`az network vnet subnet update … --remove delegations`) or use another subnet.",
        source: "Seed › Prerequisites › compute cluster/instance",
    },
    run: |ctx, check| {
        ctx.per_target(|t| {
            let Some(s) = t.subnet else { return subnet_unknown(check, t, "delegation") };
            if s.delegations.is_empty() {
                let mut f = check.finding(Status::Pass, format!("subnet `{}` is not delegated", s.name));
                f.location = s.loc.clone();
                return f;
            }
            let mut f = check.finding(
                Status::Fail,
                format!("subnet `{}` is delegated to {}; Azure ML compute needs a subnet without delegations", s.name, s.delegations.join(", ")),
            );
            f.location = s.loc.clone();
            f.fix = Some(Fix {
                summary: format!("Remove the delegation from subnet `{}` (or use a subnet without one).", s.name),
                az: format!("{} --remove delegations", az_subnet(Some(s))),
                arm: J::obj(vec![("properties", J::obj(vec![("delegations", J::Arr(Vec::new()))]))]),
                bicep: "properties: {\n  delegations: []\n}".into(),
                terraform: s.terraform.as_deref().map(|o| super::hcl::subnet(o, super::hcl::SubnetChange::RemoveDelegations)),
            });
            f
        })
    },
};

pub static CMP_002: Check = Check {
    id: "AML-CMP-002",
    name: "vnet-other-subscription",
    title: "The VNet is in the workspace's subscription",
    severity: Severity::Error,
    scope: scope::AML,
    docs: docs! {
        what: "Compares the subscription in the compute subnet's ID with the workspace's (or the compute's) ID.",
        why: "The VNet must be in the same subscription as the workspace; otherwise compute creation fails.",
        example: "Subnet `/subscriptions/2222…/…/subnets/train` for a workspace in `/subscriptions/1111…`.",
        fix: "Use a VNet in the workspace's subscription.",
        source: "Seed › Prerequisites",
    },
    run: |ctx, check| {
        ctx.per_target(|t| {
            let subnet_id = t.subnet.and_then(|s| s.id.clone()).or_else(|| t.computes.iter().find_map(|c| c.subnet.as_ref().map(|r| r.id.clone())));
            let other = ctx.workspace.and_then(|w| w.id.clone()).or_else(|| t.computes.iter().find_map(|c| c.id.clone()));
            let a = subnet_id.as_deref().and_then(subscription_of);
            let b = other.as_deref().and_then(subscription_of);
            match (a, b) {
                (Some(a), Some(b)) if a.starts_with('<') || b.starts_with('<') => {
                    check.finding(Status::Unknown, "the subscription is a template placeholder on one side")
                }
                (Some(a), Some(b)) if a == b => check.finding(Status::Pass, format!("the subnet and the workspace are both in subscription {a}")),
                (Some(a), Some(b)) => {
                    let mut f = check.finding(Status::Fail, format!("the subnet is in subscription {a} but the workspace is in {b}"));
                    f.location = t.subnet_loc();
                    f
                }
                _ => check.finding(Status::Unknown, "needs both the subnet ID and the workspace (or compute) ID"),
            }
        })
    },
};

/// Free addresses of a subnet (usable minus used), or why it's unknown.
fn free_addresses(s: &Subnet) -> Result<u64, String> {
    let usable = usable_addresses(s).ok_or_else(|| format!("the address prefix of subnet `{}` is unknown", s.name))?;
    Ok(usable.saturating_sub(s.ip_configurations.len() as u64))
}

pub static CMP_003: Check = Check {
    id: "AML-CMP-003",
    name: "no-free-address-instance",
    title: "The subnet has a free address for the compute instance",
    severity: Severity::Error,
    scope: scope::CI,
    docs: docs! {
        what:
            "Counts free addresses: 2^(32-p) - 5 per prefix (Azure reserves five), minus the `ipConfigurations` already in the subnet. An instance needs one.",
        why: "Creation fails when the subnet is full.",
        example: "A /29 subnet (3 usable addresses) with 3 NICs.",
        fix: "Use a larger subnet, or free addresses.",
        source: "Seed › Prerequisites; spec 4.1",
    },
    run: |ctx, check| {
        ctx.per_target(|t| {
            let Some(s) = t.subnet else { return subnet_unknown(check, t, "free addresses") };
            let mut f = match free_addresses(s) {
                Err(e) => check.finding(Status::Unknown, e),
                Ok(0) => check.finding(
                    Status::Fail,
                    format!("subnet `{}` has no free address ({} used of {})", s.name, s.ip_configurations.len(), usable_addresses(s).unwrap_or(0)),
                ),
                Ok(n) => check.finding(Status::Pass, format!("subnet `{}` has {n} free addresses; an instance needs 1", s.name)),
            };
            f.location = s.loc.clone();
            f
        })
    },
};

pub static CMP_004: Check = Check {
    id: "AML-CMP-004",
    name: "too-few-addresses-cluster",
    title: "The subnet has addresses for the cluster's nodes",
    severity: Severity::Error,
    scope: scope::CC,
    docs: docs! {
        what: "Compares the subnet's free addresses (2^(32-p) - 5 per prefix, minus used ones) with the clusters' `minNodeCount` and `maxNodeCount` (all clusters on the subnet added up).",
        why: "Each node takes one address. Fewer than the minimum: the cluster can't start. Fewer than the maximum: it is only partly allocated when it scales out.",
        example: "A /28 subnet (11 usable) for a cluster with `maxNodeCount` 20.",
        fix: "Use a larger subnet, or lower `maxNodeCount`.",
        source: "Seed › Prerequisites; spec 4.1",
    },
    run: |ctx, check| {
        ctx.per_target(|t| {
            let Some(s) = t.subnet else { return subnet_unknown(check, t, "free addresses") };
            let clusters: Vec<_> = t.computes.iter().filter(|c| c.kind == ComputeKind::Cluster).collect();
            let min: u64 = clusters.iter().map(|c| u64::from(c.min_nodes.unwrap_or(0))).sum();
            let max: Option<u64> = if clusters.is_empty() || clusters.iter().any(|c| c.max_nodes.is_none()) {
                None
            } else {
                Some(clusters.iter().map(|c| u64::from(c.max_nodes.unwrap_or(0))).sum())
            };
            let mut f = match (free_addresses(s), max) {
                (Err(e), _) => check.finding(Status::Unknown, e),
                (Ok(free), _) if free < min => {
                    check.finding(Status::Fail, format!("subnet `{}` has {free} free addresses but the clusters need at least {min} nodes", s.name))
                }
                (Ok(free), Some(max)) if free < max => check.finding(
                    Status::Warn,
                    format!("subnet `{}` has {free} free addresses for up to {max} nodes: the cluster will be partly allocated", s.name),
                ),
                (Ok(free), Some(max)) => check.finding(Status::Pass, format!("subnet `{}` has {free} free addresses for up to {max} nodes", s.name)),
                (Ok(free), None) => check.finding(
                    Status::Unknown,
                    format!("subnet `{}` has {free} free addresses; paste the cluster JSON to compare with its maxNodeCount", s.name),
                ),
            };
            f.location = s.loc.clone();
            f
        })
    },
};

pub static CMP_005: Check = Check {
    id: "AML-CMP-005",
    name: "service-endpoint-policy",
    title: "No service endpoint policy blocks the compute's system storage",
    severity: Severity::Warning,
    scope: scope::AML,
    docs: docs! {
        what: "Warns when the compute subnet has service endpoint policies (`serviceEndpointPolicies[]`).",
        why: "In mid-2022, service endpoint policies didn't work with the compute's system storage accounts. The later exfiltration guidance uses a policy that includes the alias `/services/Azure/MachineLearning`; with that alias it is fine.",
        example: "\"serviceEndpointPolicies\": [{\"id\": \".../serviceEndpointPolicies/sep-storage\"}]",
        fix: "Remove the policy, or (2023 profile) add the `/services/Azure/MachineLearning` alias to it.",
        source: "Seed › Limitations; data exfiltration article",
    },
    run: |ctx, check| {
        ctx.per_target(|t| {
            let Some(s) = t.subnet else { return subnet_unknown(check, t, "service endpoint policies") };
            if s.service_endpoint_policies.is_empty() {
                return check.finding(Status::Pass, format!("subnet `{}` has no service endpoint policy", s.name));
            }
            let names: Vec<&str> = s.service_endpoint_policies.iter().map(|r| r.name()).collect();
            let with_alias = s.service_endpoint_policies.iter().all(|r| {
                ctx.model.endpoint_policies.iter().any(|p| {
                    (p.id.as_deref().is_some_and(|id| same_resource(id, &r.id)) || p.name.eq_ignore_ascii_case(r.name()))
                        && p.resources.iter().any(|x| x.eq_ignore_ascii_case("/services/Azure/MachineLearning"))
                })
            });
            let mut f = if with_alias && ctx.is_profile_2023() {
                check.finding(
                    Status::Info,
                    format!("subnet `{}` has service endpoint policies ({}) that include `/services/Azure/MachineLearning`", s.name, names.join(", ")),
                )
            } else {
                check.finding(
                    Status::Warn,
                    format!(
                        "subnet `{}` has service endpoint policies ({}); they don't work with the compute's system storage accounts",
                        s.name,
                        names.join(", ")
                    ),
                )
            };
            f.location = s.loc.clone();
            f
        })
    },
};

pub static CMP_006: Check = Check {
    id: "AML-CMP-006",
    name: "outbound-requirements",
    title: "Required outbound destinations are allowed",
    severity: Severity::Error,
    scope: scope::AML,
    docs: docs! {
        what: "Sums up the AML-OUT checks that apply: the worst of them, naming each that isn't met.",
        why: "Compute needs outbound access to Azure AD, Azure ML, Batch, Resource Manager, Storage, Front Door and the registries; a `Deny Internet` without those allows breaks compute creation.",
        example: "An outbound `Deny *` at priority 4000 with no allow for `Storage.<region>`.",
        fix: "Keep `AllowInternetOutBound`, or allow every destination of the AML-OUT series before the deny.",
        source: "Seed › Required public internet access",
    },
    run: |ctx, check| super::out::summary(ctx, check),
};

pub static CMP_007: Check = Check {
    id: "AML-CMP-007",
    name: "cluster-other-region",
    title: "A cluster in another region is supported",
    severity: Severity::Error,
    scope: scope::CC,
    docs: docs! {
        what: "Compares the cluster's location with the workspace's, and looks for a workspace private endpoint.",
        why: "Mid-2022, a cluster in another region was a preview, unsupported with a private-endpoint workspace, and needs global peering when the workspace resources sit in another VNet.",
        example: "Cluster in eastus, workspace in westus2 with an approved private endpoint.",
        fix: "Create the cluster in the workspace's region.",
        source: "Seed › Limitations › compute clusters in a different region",
    },
    run: |ctx, check| region_check(ctx, check, ComputeKind::Cluster),
};

pub static CMP_008: Check = Check {
    id: "AML-CMP-008",
    name: "instance-other-region",
    title: "The compute instance is in the workspace's region",
    severity: Severity::Error,
    scope: scope::CI,
    docs: docs! {
        what: "Compares the compute instance's location with the workspace's.",
        why: "Only clusters may live in another region than the workspace.",
        example: "Instance in eastus, workspace in westus2.",
        fix: "Create the instance in the workspace's region.",
        source: "Seed › Limitations",
    },
    run: |ctx, check| region_check(ctx, check, ComputeKind::Instance),
};

fn region_check(ctx: &Ctx, check: &'static Check, kind: ComputeKind) -> Vec<Finding> {
    let workspace_region = ctx.workspace.and_then(|w| w.location.as_ref());
    let computes: Vec<_> = ctx.model.computes.iter().filter(|c| c.kind == kind).collect();
    if computes.is_empty() {
        return vec![check.finding(Status::Unknown, "needs the compute JSON and the workspace JSON to compare their regions")];
    }
    computes
        .into_iter()
        .map(|c| {
            let mut f = match (c.location.as_ref(), workspace_region) {
                (Some(Region::Deployment), Some(Region::Deployment)) => {
                    check.finding(Status::Pass, format!("compute `{}` and the workspace are deployed to the same region", c.name))
                }
                (Some(Region::Named(a)), Some(Region::Named(b))) if a == b => check.finding(Status::Pass, format!("compute `{}` is in the workspace's region `{a}`", c.name)),
                (Some(Region::Named(a)), Some(Region::Named(b))) => {
                    let pe = ctx.workspace.is_some_and(|w| w.has_approved_private_endpoint() || !w.private_endpoint_statuses.is_empty());
                    if kind == ComputeKind::Instance {
                        check.finding(Status::Fail, format!("compute instance `{}` is in `{a}` but the workspace is in `{b}`; only clusters may be in another region", c.name))
                    } else if pe && !ctx.is_profile_2023() {
                        check.finding(Status::Fail, format!("cluster `{}` is in `{a}` but the private-endpoint workspace is in `{b}`: unsupported", c.name))
                    } else {
                        check.finding(
                            Status::Warn,
                            format!("cluster `{}` is in `{a}`, the workspace in `{b}`: global peering is needed when the workspace resources sit in another VNet; expect latency and transfer costs", c.name),
                        )
                    }
                }
                _ => check.finding(Status::Unknown, format!("the region of compute `{}` or of the workspace is unknown (paste the workspace JSON)", c.name)),
            };
            f.subject = Some(Subject { kind: "compute", name: c.name.clone() });
            f.location = c.loc.clone();
            f
        })
        .collect()
}

pub static CMP_009: Check = Check {
    id: "AML-CMP-009",
    name: "storage-not-in-compute-subnet",
    title: "VNet-restricted storage is reachable from the compute subnet",
    severity: Severity::Warning,
    scope: scope::AML,
    docs: docs! {
        what: "For a storage account whose firewall denies by default, looks for a VNet rule or private endpoint in the compute subnet.",
        why: "Studio and designer need the storage in the same subnet as the compute; \"Allow trusted Microsoft services\" or a resource-instance rule is not enough. SDK-only use may be in another subnet.",
        example: "Storage with `networkAcls.defaultAction: Deny` and a VNet rule for `snet-pe` only, compute in `snet-train`.",
        fix: "Add a VNet rule (with a Microsoft.Storage service endpoint) or a private endpoint for the compute subnet.",
        source: "Seed › Limitations › storage in the VNet",
    },
    run: |ctx, check| {
        let restricted: Vec<_> = ctx.model.storage_accounts.iter().filter(|s| s.default_action_deny).collect();
        if ctx.model.storage_accounts.is_empty() {
            return vec![check.finding(
                Status::Unknown,
                "no storage account JSON was given; paste `az storage account show` to check studio access from the compute subnet",
            )];
        }
        if restricted.is_empty() {
            return vec![check.finding(Status::Pass, "no pasted storage account restricts access to VNets")];
        }
        ctx.per_target(|t| {
            let Some(s) = t.subnet else { return subnet_unknown(check, t, "storage reachability") };
            let unreachable: Vec<&str> = restricted
                .iter()
                .filter(|st| {
                    let rule = st.vnet_rule_subnets.iter().any(|id| {
                        s.id.as_deref().is_some_and(|sid| same_resource(id, sid)) || id.rsplit('/').next().is_some_and(|n| n.eq_ignore_ascii_case(&s.name))
                    });
                    let pe = ctx.model.private_endpoints.iter().any(|pe| {
                        pe.subnet.as_ref().is_some_and(|r| r.name().eq_ignore_ascii_case(&s.name))
                            && pe.targets.iter().any(|x| x.rsplit('/').next().is_some_and(|n| n.eq_ignore_ascii_case(&st.name)))
                    });
                    !(rule || pe)
                })
                .map(|st| st.name.as_str())
                .collect();
            if unreachable.is_empty() {
                check.finding(Status::Pass, format!("the VNet-restricted storage is reachable from subnet `{}`", s.name))
            } else {
                check.finding(
                    Status::Warn,
                    format!(
                        "storage {} denies by default and has no VNet rule or private endpoint for subnet `{}`: studio and designer won't reach it",
                        unreachable.join(", "),
                        s.name
                    ),
                )
            }
        })
    },
};

fn info(check: &'static Check, message: &str) -> Vec<Finding> {
    vec![check.finding(Status::Info, message)]
}

pub static CMP_010: Check = Check {
    id: "AML-CMP-010",
    name: "custom-dns-instance-record",
    title: "Custom DNS resolves the compute instance",
    severity: Severity::Info,
    scope: scope::AML,
    docs: docs! {
        what: "When the VNet uses custom DNS servers and the workspace has a private endpoint, reminds that `<instance-name>.<region>.instances.azureml.ms` must resolve to the workspace private endpoint IP.",
        why: "With a private-endpoint workspace, the instance is reachable only from inside the VNet, through that name.",
        example: "\"dhcpOptions\": {\"dnsServers\": [\"10.0.0.4\"]} with a private-endpoint workspace.",
        fix: "Add the DNS record (or a conditional forwarder to Azure DNS, 168.63.129.16).",
        source: "Seed › Limitations (custom DNS)",
    },
    run: |ctx, check| {
        let custom: Vec<String> =
            ctx.model.vnets.iter().filter(|v| !v.dns_servers.is_empty()).map(|v| format!("`{}` ({})", v.name, v.dns_servers.join(", "))).collect();
        let pe = ctx.workspace.is_some_and(|w| !w.private_endpoint_statuses.is_empty());
        // The record's name with the region filled in when it is known.
        let host = format!("<instance-name>.{}.instances.azureml.ms", ctx.scenario.region_name().unwrap_or("<region>"));
        if custom.is_empty() {
            vec![check.finding(
                Status::Info,
                format!("if the VNet uses custom DNS and the workspace a private endpoint, add a record for {host} pointing at the workspace private endpoint"),
            )]
        } else {
            vec![check.finding(
                Status::Info,
                format!(
                    "VNet {} uses custom DNS{}: add a record for {host} pointing at the workspace private endpoint IP",
                    custom.join(", "),
                    if pe { " and the workspace has a private endpoint" } else { "" }
                ),
            )]
        }
    },
};

pub static CMP_011: Check = Check {
    id: "AML-CMP-011",
    name: "websockets-to-instances",
    title: "Websockets to the instance hosts pass firewalls and proxies",
    severity: Severity::Info,
    scope: scope::CI,
    docs: docs! {
        what: "Reminds that websocket traffic to `*.instances.azureml.net` and `*.instances.azureml.ms` must not be blocked.",
        why: "Jupyter on a compute instance uses websockets; a proxy or firewall that blocks them breaks notebooks. NSG JSON can't show this.",
        example: "A proxy that strips `Upgrade: websocket` headers.",
        fix: "Allow websockets to those hosts on the firewall or proxy.",
        source: "Seed › Limitations › Jupyter",
    },
    run: |_, check| info(check, "allow websocket traffic to *.instances.azureml.net and *.instances.azureml.ms on any firewall or proxy"),
};

pub static CMP_012: Check = Check {
    id: "AML-CMP-012",
    name: "compute-creates-network-resources",
    title: "Compute can create its IP, load balancer and NSG",
    severity: Severity::Info,
    scope: scope::AML,
    docs: docs! {
        what: "Reminds that clusters and instances create a public IP, a load balancer and an NSG in the VNet's resource group.",
        why:
            "A resource lock on that group, or an Azure Policy that forbids NSGs or public IPs, makes create, scale or delete fail; subscription quotas apply.",
        example: "A `CanNotDelete` lock on the VNet's resource group.",
        fix: "Remove the lock or exempt the policy for that resource group; check the quotas.",
        source: "Seed › Prerequisites; Limitations",
    },
    run: |ctx, check| {
        let mode =
            if ctx.scenario.public_ip { "a public IP, a load balancer and an NSG" } else { "an NSG (and, mid-2022, a private link service and endpoint)" };
        info(check, &format!("the compute creates {mode} in the VNet's resource group: no resource lock or policy may block that, and quotas apply"))
    },
};

pub static CMP_013: Check = Check {
    id: "AML-CMP-013",
    name: "rbac-for-vnet",
    title: "The deploying identity may use the VNet",
    severity: Severity::Info,
    scope: scope::AML,
    docs: docs! {
        what: "Reminds of the permissions: `Microsoft.Network/virtualNetworks/*/read` on the VNet (not for ARM deployments) and `Microsoft.Network/virtualNetworks/subnets/join/action` on the subnet.",
        why: "Without them, creating compute in the subnet fails with an authorization error.",
        example: "A user with only the AzureML Data Scientist role on the workspace.",
        fix: "Grant Network Contributor on the VNet, or a custom role with those actions.",
        source: "Seed › Prerequisites (RBAC)",
    },
    run: |_, check| info(check, "the identity that creates the compute needs virtualNetworks/*/read on the VNet and subnets/join/action on the subnet"),
};

pub static CMP_014: Check = Check {
    id: "AML-CMP-014",
    name: "private-acr-no-managed-identity",
    title: "Managed identity on the instance with a private ACR",
    severity: Severity::Info,
    scope: scope::CI,
    docs: docs! {
        what: "If the workspace's container registry uses a private endpoint, reminds that the compute instance can't use a managed identity.",
        why: "A documented limitation of the time: the instance's managed identity doesn't work with a VNet-bound ACR.",
        example: "A registry with `privateEndpointConnections`, and an instance with a system-assigned identity.",
        fix: "Don't put the registry in the VNet if the instance needs a managed identity.",
        source: "Seed › Limitations",
    },
    run: |ctx, check| {
        let private: Vec<&str> = ctx.model.container_registries.iter().filter(|(_, p)| *p).map(|(n, _)| n.as_str()).collect();
        if private.is_empty() {
            info(check, "if the workspace's container registry uses a private endpoint, the compute instance can't use a managed identity")
        } else {
            info(check, &format!("registry {} is private: the compute instance can't use a managed identity", private.join(", ")))
        }
    },
};

pub static CMP_015: Check = Check {
    id: "AML-CMP-015",
    name: "storage-other-region",
    title: "Storage is in the compute's region",
    severity: Severity::Warning,
    scope: scope::AML,
    docs: docs! {
        what: "Compares the location of pasted storage accounts with the compute's region.",
        why: "Storage and compute in different regions give intermittent timeouts and transfer costs.",
        example: "Storage in eastus, compute in westus2.",
        fix: "Keep the workspace storage in the compute's region.",
        source: "Seed › Limitations",
    },
    run: |ctx, check| {
        let named = |l: &&Region| matches!(l, Region::Named(_));
        let region = ctx.model.computes.iter().find_map(|c| c.location.as_ref().filter(named)).or(ctx.scenario.region.as_ref());
        if ctx.model.storage_accounts.is_empty() {
            return vec![check.finding(Status::Unknown, "no storage account JSON was given")];
        }
        let shown = match region {
            Some(Region::Named(r)) => format!("`{r}`"),
            Some(Region::Deployment) => "the template's deployment region".to_string(),
            Some(Region::Unknown) | None => return vec![check.finding(Status::Unknown, "the compute's region is unknown")],
        };
        let (mut far, mut unknown) = (Vec::new(), Vec::new());
        for s in &ctx.model.storage_accounts {
            let Some(l) = s.location.as_ref() else { continue };
            match (l, region) {
                (Region::Named(a), Some(Region::Named(b))) if a != b => far.push(format!("`{}` ({a})", s.name)),
                (Region::Named(_), Some(Region::Named(_))) | (Region::Deployment, Some(Region::Deployment)) => {}
                // An unresolved location, or the template's region against a named one.
                _ => unknown.push(format!("`{}`", s.name)),
            }
        }
        if !far.is_empty() {
            vec![check.finding(Status::Warn, format!("storage {} is not in the compute's region {shown}: expect intermittent timeouts", far.join(", ")))]
        } else if !unknown.is_empty() {
            vec![check.finding(
                Status::Unknown,
                format!("the region of storage {} is not known, so it can't be compared with the compute's region {shown}", unknown.join(", ")),
            )]
        } else {
            vec![check.finding(Status::Pass, format!("the pasted storage accounts are in the compute's region ({shown})"))]
        }
    },
};
