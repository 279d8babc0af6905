//! No-public-IP mode (spec 2.4).

use super::flows::{self, FlowReq};
use super::hcl;
use super::{az_subnet, docs, scope, Check, Ctx, NsgState, RouteState, Target};
use crate::model::{ComputeKind, Subnet};
use crate::net::{Access, Address, Direction, Endpoint};
use crate::report::json::J;
use crate::report::{Finding, Fix, Severity, Status};

pub static CHECKS: &[&Check] =
    &[&NPIP_001, &NPIP_002, &NPIP_003, &NPIP_004, &NPIP_005, &NPIP_006, &NPIP_007, &NPIP_008, &NPIP_009, &NPIP_010, &NPIP_011, &NPIP_012, &NPIP_013, &NPIP_014];

pub static NPIP_001: Check = Check {
    id: "AML-NPIP-001",
    name: "workspace-private-endpoint-missing",
    title: "The workspace has an approved private endpoint",
    severity: Severity::Error,
    scope: scope::NPIP,
    docs: docs! {
        what: "Looks for a workspace private endpoint connection with status `Approved` (`properties.privateEndpointConnections[].properties.privateLinkServiceConnectionState.status`).",
        why: "No-public-IP compute talks to the workspace only through Private Link; without a workspace private endpoint it can't be created.",
        example: "A workspace with `privateEndpointConnections: []`.",
        fix: "Add a private endpoint for the workspace in the VNet (`az network private-endpoint create --group-id amlworkspace …`).",
        source: "Seed › Prerequisites; \"No public IP\" sections",
    },
    run: |ctx, check| {
        let Some(w) = ctx.workspace else {
            return vec![check.finding(Status::Unknown, "paste the workspace JSON (`az ml workspace show` or the ARM resource) to check its private endpoint")];
        };
        let mut f = if w.has_approved_private_endpoint() {
            check.finding(Status::Pass, format!("workspace `{}` has an approved private endpoint", w.name))
        } else if !w.private_endpoints_known {
            check.finding(Status::Unknown, format!("the JSON of workspace `{}` doesn't list private endpoint connections", w.name))
        } else if w.private_endpoint_statuses.is_empty() {
            check.finding(Status::Fail, format!("workspace `{}` has no private endpoint: no-public-IP compute needs one", w.name))
        } else {
            check.finding(
                Status::Fail,
                format!("workspace `{}` has private endpoints but none is Approved ({})", w.name, w.private_endpoint_statuses.join(", ")),
            )
        };
        f.location = w.loc.clone();
        vec![f]
    },
};

fn policy_enabled(value: &str) -> bool {
    ["enabled", "networksecuritygroupenabled", "routetableenabled"].contains(&value.trim().to_ascii_lowercase().as_str())
}

/// The two subnet network-policy flags a no-public-IP compute needs disabled.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Policy {
    PrivateEndpoint,
    PrivateLinkService,
}

impl Policy {
    /// The ARM property name.
    fn field(self) -> &'static str {
        match self {
            Policy::PrivateEndpoint => "privateEndpointNetworkPolicies",
            Policy::PrivateLinkService => "privateLinkServiceNetworkPolicies",
        }
    }

    fn value(self, s: &Subnet) -> &Option<String> {
        match self {
            Policy::PrivateEndpoint => &s.private_endpoint_network_policies,
            Policy::PrivateLinkService => &s.private_link_service_network_policies,
        }
    }

    /// The `az network vnet subnet update` flag that disables it.
    fn az_flag(self) -> &'static str {
        match self {
            Policy::PrivateEndpoint => "--disable-private-endpoint-network-policies true",
            Policy::PrivateLinkService => "--disable-private-link-service-network-policies true",
        }
    }
}

fn policy_check(ctx: &Ctx, check: &'static Check, t: &Target, policy: Policy, absent_fails: bool) -> Finding {
    let field = policy.field();
    let Some(s) = t.subnet else {
        return check.finding(Status::Unknown, format!("`{field}` can't be checked: the subnet of {} was not given", t.label));
    };
    let value = policy.value(s);
    let flag = policy.az_flag();
    let fix = |s: &Subnet| Fix {
        summary: format!("Set `{field}` to `Disabled` on subnet `{}`.", s.name),
        az: format!("{} {flag}", az_subnet(Some(s))),
        arm: J::obj(vec![("properties", J::obj(vec![(field, J::s("Disabled"))]))]),
        bicep: format!("properties: {{\n  {field}: 'Disabled'\n}}"),
        terraform: s.terraform.as_deref().map(|o| hcl::subnet(o, hcl::SubnetChange::DisablePolicy { private_endpoint: policy == Policy::PrivateEndpoint })),
    };
    let error = "the seed quotes the error `The specified subnet has PrivateLinkServiceNetworkPolicies or PrivateEndpointNetworkEndpoints enabled`";
    let mut f = match value.as_deref() {
        Some(v) if v.eq_ignore_ascii_case("disabled") => check.finding(Status::Pass, format!("subnet `{}` has `{field}` Disabled", s.name)),
        Some(v) if policy_enabled(v) => {
            let mut f = check.finding(Status::Fail, format!("subnet `{}` has `{field}` \"{v}\"; no-public-IP compute needs Disabled ({error})", s.name));
            f.fix = Some(fix(s));
            f
        }
        Some(v) => check.finding(Status::Warn, format!("subnet `{}` has `{field}` \"{v}\", a value the checker doesn't know", s.name)),
        None if absent_fails => {
            let mut f = check.finding(
                Status::Fail,
                format!("subnet `{}` doesn't set `{field}`, and the API default is Enabled; no-public-IP compute needs Disabled ({error})", s.name),
            );
            f.fix = Some(fix(s));
            f
        }
        None => {
            let mut f = check.finding(
                Status::Warn,
                format!("subnet `{}` doesn't set `{field}`; the default depends on API version and client, so set it to Disabled explicitly", s.name),
            );
            f.fix = Some(fix(s));
            f
        }
    };
    // A value the Terraform configuration leaves to the provider: say so.
    if let Some(note) = s.terraform.as_deref().and_then(|o| o.defaulted.iter().find(|(k, _)| *k == field)).map(|(_, n)| n) {
        f.message.push_str(&format!(" (Terraform: {note})"));
    }
    if ctx.is_profile_2023() {
        f.status = Status::Info;
        f.severity = Severity::Info;
        f.message.push_str(" (the 2023 docs no longer ask for this)");
    }
    f.location = s.loc.clone();
    f
}

pub static NPIP_002: Check = Check {
    id: "AML-NPIP-002",
    name: "private-endpoint-network-policies-enabled",
    title: "Private endpoint network policies are disabled on the subnet",
    severity: Severity::Error,
    scope: scope::NPIP,
    docs: docs! {
        what: "Requires `privateEndpointNetworkPolicies: Disabled` on the compute subnet. `Enabled`, `NetworkSecurityGroupEnabled` and `RouteTableEnabled` fail; an absent value warns (its default depends on API version and client).",
        why: "Mid-2022 no-public-IP compute placed a private endpoint in the subnet; creation fails with `The specified subnet has PrivateLinkServiceNetworkPolicies or PrivateEndpointNetworkEndpoints enabled`.",
        example: "\"privateEndpointNetworkPolicies\": \"Enabled\"",
        fix: "`az network vnet subnet update … --disable-private-endpoint-network-policies true` (that `true` means the JSON value `Disabled`).",
        source: "Seed › \"No public IP\" sections; Troubleshooting. The 2023 docs no longer ask for it (profile 2023-04: info).",
    },
    run: |ctx, check| ctx.per_target(|t| policy_check(ctx, check, t, Policy::PrivateEndpoint, false)),
};

pub static NPIP_003: Check = Check {
    id: "AML-NPIP-003",
    name: "private-link-service-network-policies-enabled",
    title: "Private link service network policies are disabled on the subnet",
    severity: Severity::Error,
    scope: scope::NPIP,
    docs: docs! {
        what: "Requires `privateLinkServiceNetworkPolicies: Disabled` on the compute subnet. `Enabled` fails, and so does an absent value: the REST default is Enabled.",
        why: "Mid-2022 no-public-IP compute placed a private link service in the subnet; creation fails while the policy is enabled.",
        example: "A subnet without `privateLinkServiceNetworkPolicies`.",
        fix: "`az network vnet subnet update … --disable-private-link-service-network-policies true`.",
        source: "Seed › \"No public IP\" sections; Troubleshooting. The 2023 docs no longer ask for it (profile 2023-04: info).",
    },
    run: |ctx, check| ctx.per_target(|t| policy_check(ctx, check, t, Policy::PrivateLinkService, true)),
};

pub static NPIP_004: Check = Check {
    id: "AML-NPIP-004",
    name: "vnet-inbound-29876-blocked",
    title: "Inbound VirtualNetwork to VirtualNetwork on TCP 29876-29877 is allowed",
    severity: Severity::Error,
    scope: scope::NPIP,
    docs: docs! {
        what: "Evaluates inbound TCP 29876 and 29877 from `VirtualNetwork` to the compute subnet. The default `AllowVnetInBound` allows it unless a custom rule with a lower priority number denies it.",
        why: "No-public-IP compute is managed through the VNet on these ports. A checker that demands an explicit rule here reports a false failure: the default rule already does it.",
        example: "An inbound `Deny VirtualNetwork → *` at priority 1000.",
        fix: "Allow VirtualNetwork → VirtualNetwork on TCP 29876-29877 before the deny.",
        source: "Seed › \"No public IP\" sections",
    },
    run: |ctx, check| flows::findings(ctx, check, |t| FlowReq::inbound_tcp(Endpoint::VirtualNetwork, t, vec![29876, 29877]), |s| s),
};

pub static NPIP_005: Check = Check {
    id: "AML-NPIP-005",
    name: "load-balancer-inbound-44224-blocked",
    title: "Inbound AzureLoadBalancer on TCP 44224 is allowed (cluster)",
    severity: Severity::Error,
    scope: scope::CC_NPIP,
    docs: docs! {
        what: "Evaluates inbound TCP 44224 from `AzureLoadBalancer` to the compute subnet; the default `AllowAzureLoadBalancerInBound` allows it unless overridden.",
        why: "A no-public-IP cluster receives this traffic from the Azure host; denying it breaks the cluster.",
        example: "An inbound `Deny *` at priority 4096 (before the defaults).",
        fix: "Allow AzureLoadBalancer → VirtualNetwork on TCP 44224 before the deny.",
        source: "Seed › No public IP for compute clusters",
    },
    run: |ctx, check| flows::findings(ctx, check, |t| FlowReq::inbound_tcp(Endpoint::LoadBalancer, t, vec![44224]), |s| s),
};

pub static NPIP_006: Check = Check {
    id: "AML-NPIP-006",
    name: "vnet-inbound-44224-blocked",
    title: "Inbound VirtualNetwork on TCP 44224 is allowed (instance)",
    severity: Severity::Error,
    scope: scope::CI_NPIP,
    docs: docs! {
        what: "Evaluates inbound TCP 44224 from `VirtualNetwork` to the compute subnet; the default `AllowVnetInBound` allows it unless overridden.",
        why: "A no-public-IP compute instance is reached on this port from the VNet.",
        example: "An inbound `Deny VirtualNetwork` at priority 200.",
        fix: "Allow VirtualNetwork → VirtualNetwork on TCP 44224 before the deny.",
        source: "Seed › No public IP for compute instances",
    },
    run: |ctx, check| flows::findings(ctx, check, |t| FlowReq::inbound_tcp(Endpoint::VirtualNetwork, t, vec![44224]), |s| s),
};

pub static NPIP_007: Check = Check {
    id: "AML-NPIP-007",
    name: "unneeded-management-rules",
    title: "Public management inbound rules are not needed",
    severity: Severity::Info,
    scope: scope::NPIP,
    docs: docs! {
        what: "Lists inbound allow rules for `BatchNodeManagement` or `AzureMachineLearning`: no-public-IP compute doesn't need them.",
        why: "They are harmless but open the subnet to public Azure ranges for nothing.",
        example: "Allow BatchNodeManagement → * on 29876-29877 for a no-public-IP cluster.",
        fix: "Remove them if nothing else needs them.",
        source: "Seed › \"No public IP\" sections",
    },
    run: |ctx, check| {
        ctx.per_target(|t| {
            let NsgState::Given(nsg) = &t.nsg else {
                return check.finding(Status::Info, "no-public-IP compute needs no inbound rules from BatchNodeManagement or AzureMachineLearning");
            };
            let extra: Vec<String> = nsg
                .rules
                .iter()
                .filter(|r| !r.is_default && r.direction == Some(Direction::Inbound) && r.access == Some(Access::Allow))
                .filter(|r| r.source.iter().any(|a| matches!(a, Address::Tag { name, .. } if name == "BatchNodeManagement" || name == "AzureMachineLearning")))
                .map(|r| format!("`{}`", r.name))
                .collect();
            if extra.is_empty() {
                check.finding(Status::Info, "no-public-IP compute needs no inbound rules from BatchNodeManagement or AzureMachineLearning, and there are none")
            } else {
                check.finding(
                    Status::Info,
                    format!("rules {} of NSG `{}` allow public management traffic that no-public-IP compute doesn't need", extra.join(", "), nsg.name),
                )
            }
        })
    },
};

/// Whether the subnet has an egress path, and how (spec AML-NPIP-008).
pub(crate) fn egress(t: &Target) -> Result<String, Option<String>> {
    let Some(s) = t.subnet else { return Err(Some(format!("the subnet of {} was not given", t.label))) };
    if let Some(nat) = &s.nat_gateway {
        return Ok(format!("NAT gateway `{}`", nat.name()));
    }
    match &t.route_table {
        RouteState::Given(table) => {
            for r in &table.routes {
                let default = r.address_prefix.as_deref().is_some_and(|p| p.trim() == "0.0.0.0/0");
                let hop = r.next_hop_type.as_deref().unwrap_or_default().to_ascii_lowercase();
                if default && ((hop == "virtualappliance" && r.next_hop_ip.is_some()) || hop == "virtualnetworkgateway") {
                    return Ok(format!("route `{}` (0.0.0.0/0 → {})", r.name, r.next_hop_type.clone().unwrap_or_default()));
                }
            }
            Err(None)
        }
        RouteState::None => Err(None),
        RouteState::Missing(reason) => Err(Some(reason.clone())),
    }
}

pub static NPIP_008: Check = Check {
    id: "AML-NPIP-008",
    name: "no-egress-path",
    title: "No-public-IP compute has an egress path",
    severity: Severity::Error,
    scope: scope::NPIP,
    docs: docs! {
        what: "Looks for a NAT gateway on the subnet, or a `0.0.0.0/0` route to a `VirtualAppliance` (with `nextHopIpAddress`) or `VirtualNetworkGateway`.",
        why: "Mid-2022, no-public-IP compute had no internet access by default, yet it needs Azure AD, Resource Manager, MCR, PyPI and conda. The 2023 docs say default outbound access may exist but shouldn't be relied on; with `defaultOutboundAccess: false` there is none.",
        example: "A subnet with no NAT gateway and no route table.",
        fix: "Attach a NAT gateway (`az network vnet subnet update … --nat-gateway <nat>`), or route 0.0.0.0/0 to your firewall's private IP.",
        source: "Seed › warnings in both \"No public IP\" sections",
    },
    run: |ctx, check| {
        ctx.per_target(|t| {
            let mut f = match egress(t) {
                Ok(how) => check.finding(Status::Pass, format!("egress through {how}")),
                Err(Some(reason)) => check.finding(Status::Unknown, format!("the egress path can't be checked: {reason}")),
                Err(None) => {
                    let explicit_off = t.subnet.and_then(|s| s.default_outbound_access) == Some(false);
                    let mut f = if ctx.is_profile_2023() && !explicit_off {
                        check.finding(Status::Warn, "no NAT gateway and no 0.0.0.0/0 route to a firewall: the compute relies on Azure's default outbound access, which the docs advise against")
                    } else {
                        check.finding(
                            Status::Fail,
                            format!(
                                "no NAT gateway and no 0.0.0.0/0 route to a firewall or gateway{}: no-public-IP compute can't reach Azure AD, Resource Manager, MCR or package repositories",
                                if explicit_off { " and `defaultOutboundAccess` is false" } else { "" }
                            ),
                        )
                    };
                    f.fix = Some(Fix {
                        summary: "Attach a NAT gateway to the subnet (or add a 0.0.0.0/0 route to your firewall's private IP).".into(),
                        az: format!(
                            "az network public-ip create --resource-group <resource-group> --name pip-nat --sku Standard\naz network nat gateway create --resource-group <resource-group> --name nat-aml --public-ip-addresses pip-nat\n{} --nat-gateway nat-aml",
                            super::az_subnet(t.subnet)
                        ),
                        arm: J::obj(vec![(
                            "properties",
                            J::obj(vec![("natGateway", J::obj(vec![("id", J::s("[resourceId('Microsoft.Network/natGateways', 'nat-aml')]"))]))]),
                        )]),
                        bicep: "properties: {\n  natGateway: {\n    id: natGateway.id\n  }\n}".into(),
                        terraform: t.subnet.and_then(|s| s.terraform.as_deref()).map(hcl::nat_gateway),
                    });
                    f
                }
            };
            f.location = t.subnet_loc();
            f
        })
    },
};

pub static NPIP_009: Check = Check {
    id: "AML-NPIP-009",
    name: "storage-acr-not-private",
    title: "Storage and ACR are reachable privately from the subnet",
    severity: Severity::Warning,
    scope: scope::NPIP,
    docs: docs! {
        what: "Looks for `Microsoft.Storage` and `Microsoft.ContainerRegistry` service endpoints on the compute subnet, or private endpoints for storage and the registry.",
        why: "Jobs on no-public-IP compute fail with connection errors to ACR or Storage otherwise.",
        example: "A subnet with `serviceEndpoints: []` and no private endpoints.",
        fix: "`az network vnet subnet update … --service-endpoints Microsoft.Storage Microsoft.ContainerRegistry`, or add private endpoints.",
        source: "Seed › compute cluster section; Troubleshooting",
    },
    run: |ctx, check| {
        ctx.per_target(|t| {
            let Some(s) = t.subnet else { return check.finding(Status::Unknown, format!("the subnet of {} was not given", t.label)) };
            let has = |service: &str, target_type: &str| {
                s.service_endpoints.iter().any(|e| e.eq_ignore_ascii_case(service))
                    || ctx.model.private_endpoints.iter().any(|pe| pe.targets.iter().any(|x| x.to_ascii_lowercase().contains(target_type)))
            };
            let missing: Vec<&str> = [
                (!has("Microsoft.Storage", "microsoft.storage/")).then_some("Storage"),
                (!has("Microsoft.ContainerRegistry", "microsoft.containerregistry/")).then_some("ACR"),
            ]
            .into_iter()
            .flatten()
            .collect();
            let mut f = if missing.is_empty() {
                check.finding(Status::Pass, format!("Storage and ACR are reachable privately from subnet `{}`", s.name))
            } else {
                let mut f = check.finding(
                    Status::Warn,
                    format!("subnet `{}` has no service endpoint or private endpoint for {}: jobs may fail to reach them", s.name, missing.join(" and ")),
                );
                f.fix = Some(Fix {
                    summary: "Add service endpoints for Storage and ACR to the subnet (or private endpoints).".into(),
                    az: format!("{} --service-endpoints Microsoft.Storage Microsoft.ContainerRegistry", az_subnet(Some(s))),
                    arm: J::obj(vec![(
                        "properties",
                        J::obj(vec![(
                            "serviceEndpoints",
                            J::Arr(["Microsoft.Storage", "Microsoft.ContainerRegistry"].into_iter().map(|s| J::obj(vec![("service", J::s(s))])).collect()),
                        )]),
                    )]),
                    bicep: "properties: {\n  serviceEndpoints: [\n    { service: 'Microsoft.Storage' }\n    { service: 'Microsoft.ContainerRegistry' }\n  ]\n}"
                        .into(),
                    terraform: s
                        .terraform
                        .as_deref()
                        .map(|o| hcl::subnet(o, hcl::SubnetChange::ServiceEndpoints(&["Microsoft.Storage", "Microsoft.ContainerRegistry"]))),
                });
                f
            };
            f.location = s.loc.clone();
            f
        })
    },
};

const PREVIEW_REGIONS: &[&str] = &[
    "francecentral",
    "eastasia",
    "southeastasia",
    "westcentralus",
    "southcentralus",
    "westus2",
    "westus3",
    "eastus",
    "eastus2",
    "northeurope",
    "westeurope",
    "centralus",
    "northcentralus",
    "westus",
    "australiaeast",
    "australiasoutheast",
    "japaneast",
    "japanwest",
    "brazilsoutheast",
    "brazilsouth",
    "canadacentral",
    "canadaeast",
    "centralindia",
    "southindia",
    "koreacentral",
    "koreasouth",
    "swedencentral",
    "swedensouth",
    "switzerlandnorth",
    "switzerlandwest",
    "ukwest",
    "uksouth",
    "uaenorth",
    "germanywestcentral",
    "norwayeast",
    "southafricanorth",
];

pub static NPIP_010: Check = Check {
    id: "AML-NPIP-010",
    name: "npip-region-not-in-preview",
    title: "The region offered the no-public-IP preview",
    severity: Severity::Warning,
    scope: scope::NPIP,
    docs: docs! {
        what: "Warns when the region is not in the October 2022 list of regions for the no-public-IP preview.",
        why: "Outside those regions the preview wasn't available; the feature became generally available in 2023 (profile 2023-04: not applicable).",
        example: "Region `qatarcentral`.",
        fix: "Use a listed region, or a public-IP compute with inbound management rules.",
        source: "Include: no-public-ip availability (10/12/2022)",
    },
    run: |ctx, check| {
        if ctx.is_profile_2023() {
            return vec![check.finding(Status::NotApplicable, "no-public-IP compute is generally available under the 2023 docs")];
        }
        match ctx.scenario.region_name() {
            None => vec![check.finding(Status::Unknown, "the region is unknown; pass --region")],
            Some(r) if PREVIEW_REGIONS.contains(&r) => vec![check.finding(Status::Pass, format!("`{r}` offered the no-public-IP preview"))],
            Some(r) => vec![check.finding(Status::Warn, format!("`{r}` is not in the October 2022 list of regions for the no-public-IP preview"))],
        }
    },
};

pub static NPIP_011: Check = Check {
    id: "AML-NPIP-011",
    name: "workspace-identity-reader-on-vnet",
    title: "The workspace identity can read the VNet",
    severity: Severity::Info,
    scope: scope::CI_NPIP,
    docs: docs! {
        what: "Reminds that the workspace's managed identity needs the Reader role on the VNet for a no-public-IP compute instance.",
        why: "Without it, creating the instance fails; role assignments aren't in network JSON.",
        example: "A workspace identity with no role on the VNet.",
        fix: "`az role assignment create --assignee <workspace-identity> --role Reader --scope <vnet-id>`.",
        source: "Seed › Limitations",
    },
    run: |_, check| vec![check.finding(Status::Info, "the workspace's managed identity needs the Reader role on the VNet")],
};

pub static NPIP_012: Check = Check {
    id: "AML-NPIP-012",
    name: "npip-preview-opt-in",
    title: "The subscription opted in to the no-public-IP preview",
    severity: Severity::Info,
    scope: scope::NPIP,
    docs: docs! {
        what: "Reminds that the mid-2022 preview needed opt-in (allow-listing took one to two weeks) and that compute made before allow-listing must be recreated (clusters: scaled to 0 and back).",
        why: "Compute created without the opt-in used the old architecture.",
        example: "An instance created the week before the subscription was allow-listed.",
        fix: "Opt in, then recreate the instance or scale the cluster to 0.",
        source: "Seed › Limitations",
    },
    run: |ctx, check| {
        let text = if ctx.is_profile_2023() {
            "no-public-IP compute is GA; compute created under the preview without opt-in must be recreated"
        } else {
            "the no-public-IP preview needs opt-in (one to two weeks); compute created before allow-listing must be recreated, clusters scaled to 0 and back"
        };
        vec![check.finding(Status::Info, text)]
    },
};

pub static NPIP_013: Check = Check {
    id: "AML-NPIP-013",
    name: "image-build-needs-internet",
    title: "The image-build cluster can reach the internet",
    severity: Severity::Warning,
    scope: scope::CC_NPIP,
    docs: docs! {
        what: "When the workspace's ACR is behind the VNet, images are built on the cluster named by `imageBuildCompute`; if that cluster has no public IP, it needs an egress path (AML-NPIP-008).",
        why: "Image builds pull from MCR, PyPI and conda.",
        example: "`imageBuildCompute: cpu-cluster`, a private ACR, and no NAT gateway or firewall route.",
        fix: "Give the build cluster an egress path (NAT gateway or firewall route).",
        source: "Seed › Limitations (ACR behind VNet)",
    },
    run: |ctx, check| {
        let Some(w) = ctx.workspace else { return vec![check.finding(Status::Unknown, "paste the workspace JSON to see its image-build compute")] };
        let Some(build) = w.image_build_compute.as_deref() else {
            return vec![check.finding(Status::Pass, format!("workspace `{}` sets no image-build compute", w.name))];
        };
        let private_acr = ctx.model.container_registries.iter().any(|(_, p)| *p)
            || ctx.model.private_endpoints.iter().any(|pe| pe.targets.iter().any(|x| x.to_ascii_lowercase().contains("microsoft.containerregistry/")));
        if !private_acr {
            return vec![check.finding(Status::Pass, format!("image-build compute `{build}` is set, but no pasted registry sits behind the VNet"))];
        }
        let target = ctx.targets.iter().find(|t| t.computes.iter().any(|c| c.name.eq_ignore_ascii_case(build) && c.kind == ComputeKind::Cluster));
        match target.map(egress) {
            Some(Ok(how)) => vec![check.finding(Status::Pass, format!("image-build cluster `{build}` has egress through {how}"))],
            Some(Err(_)) => vec![check.finding(
                Status::Warn,
                format!("the registry is behind the VNet and image-build cluster `{build}` has no egress path: image builds can't reach MCR, PyPI or conda"),
            )],
            None => vec![check.finding(Status::Unknown, format!("image-build cluster `{build}` is not among the inputs"))],
        }
    },
};

pub static NPIP_014: Check = Check {
    id: "AML-NPIP-014",
    name: "npip-outbound-requirements",
    title: "No-public-IP compute reaches its outbound destinations",
    severity: Severity::Error,
    scope: scope::NPIP,
    docs: docs! {
        what: "Sums up the AML-OUT checks for no-public-IP compute: the worst of them, naming each that isn't met.",
        why: "No public IP doesn't remove the outbound requirements; the traffic just leaves through the NAT gateway or firewall.",
        example: "Outbound `Deny *` at 4000 on a subnet behind a NAT gateway.",
        fix: "Allow each destination of the AML-OUT series before the deny.",
        source: "Seed › warnings in \"No public IP\" sections",
    },
    run: |ctx, check| super::out::summary(ctx, check),
};
