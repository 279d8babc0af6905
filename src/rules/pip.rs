//! Public-IP mode (spec 2.3): inbound management traffic and forced tunnelling.

use super::flows::{self, subnet_endpoint, FlowReq};
use super::{docs, scope, Check, Ctx, NsgState, RouteState};
use crate::model::{resource_group_of, Route, RouteTable};
use crate::net::{field_cover, Access, Address, Cover, Direction, Endpoint, Region};
use crate::report::json::J;
use crate::report::{Finding, Fix, Severity, Status};
use ipnet::IpNet;

pub static CHECKS: &[&Check] = &[&PIP_001, &PIP_002, &PIP_003, &PIP_004, &PIP_005, &PIP_006];

pub static PIP_001: Check = Check {
    id: "AML-PIP-001",
    name: "batch-management-inbound-blocked",
    title: "Inbound from BatchNodeManagement on TCP 29876-29877 is allowed",
    severity: Severity::Error,
    scope: scope::PIP,
    docs: docs! {
        what: "Evaluates the subnet NSG (and a NIC NSG, if given) for inbound TCP 29876 and 29877 from the `BatchNodeManagement` service tag to the compute subnet, with Azure's default rules and priority order.",
        why: "Batch manages the nodes of public-IP clusters and instances through these ports. The default `AllowVnetInBound` and `AllowAzureLoadBalancerInBound` don't cover a public Azure tag, so an NSG with only default rules drops the traffic at `DenyAllInBound`, and compute creation fails. A subnet without an NSG passes.",
        example: "An NSG with no custom inbound rule (only the defaults), or an inbound `Deny *` at priority 100.",
        fix: "Add an inbound allow from `BatchNodeManagement`, TCP, destination ports 29876-29877, at a priority below any deny that matches.",
        source: "Seed › Limitations (NSG rules list); include: public internet access. The 2023 docs no longer list it (profile 2023-04: info).",
    },
    run: |ctx, check| {
        // Batch traffic comes from the region's Batch service: `BatchNodeManagement` and
        // `BatchNodeManagement.<region>` are both accepted (spec 1.5).
        let batch = flows::service(ctx, "BatchNodeManagement", true);
        flows::findings(ctx, check, |t| FlowReq::inbound_tcp(batch.clone(), t, vec![29876, 29877]), |s| later_info(ctx, s))
            .into_iter()
            .map(|mut f| {
                if ctx.is_profile_2023() {
                    f.severity = Severity::Info;
                    f.message = format!("{} (not required by the 2023 docs)", f.message);
                }
                f
            })
            .collect()
    },
};

fn later_info(ctx: &Ctx, s: Status) -> Status {
    if ctx.is_profile_2023() {
        Status::Info
    } else {
        s
    }
}

pub static PIP_002: Check = Check {
    id: "AML-PIP-002",
    name: "azureml-inbound-blocked",
    title: "Inbound from AzureMachineLearning on TCP 44224 is allowed",
    severity: Severity::Error,
    scope: scope::PIP,
    docs: docs! {
        what: "Evaluates inbound TCP 44224 from the `AzureMachineLearning` service tag to the compute subnet through the subnet NSG (and NIC NSG).",
        why: "Azure ML reaches public-IP compute on this port. The seed lists it for both clusters and instances; without it compute creation fails.",
        example: "Inbound allows only for BatchNodeManagement, then `DenyAllInBound`.",
        fix: "Add an inbound allow from `AzureMachineLearning`, TCP, destination port 44224, at a priority below any deny that matches.",
        source: "Seed › Limitations; include: public internet access",
    },
    run: |ctx, check| {
        flows::findings(ctx, check, |t| FlowReq::inbound_tcp(Endpoint::Service { name: "AzureMachineLearning".into(), region: None }, t, vec![44224]), |s| s)
    },
};

pub static PIP_003: Check = Check {
    id: "AML-PIP-003",
    name: "management-rule-destination-narrow",
    title: "Management allow rules cover the whole compute subnet",
    severity: Severity::Warning,
    scope: scope::PIP,
    docs: docs! {
        what: "Finds inbound allow rules for BatchNodeManagement or AzureMachineLearning whose destination is narrower than the compute subnet (specific IPs, a CIDR that doesn't contain the subnet) or an application security group.",
        why: "Node IPs are assigned dynamically, so a rule for today's IPs misses tomorrow's nodes; Azure ML doesn't add its NICs to your ASGs.",
        example: "Allow BatchNodeManagement → 10.0.4.4/32 on 29876-29877.",
        fix: "Use the subnet prefix, `VirtualNetwork` or `*` as the destination.",
        source: "Derived from the 2023 text on dynamically assigned IPs, plus ASG semantics",
    },
    run: run_003,
};

fn run_003(ctx: &Ctx, check: &'static Check) -> Vec<Finding> {
    ctx.per_target(|t| {
        let NsgState::Given(nsg) = &t.nsg else {
            return match &t.nsg {
                NsgState::None => check.finding(Status::Pass, "the subnet has no NSG"),
                _ => check.finding(Status::Unknown, "the subnet's NSG was not given"),
            };
        };
        let subnet = subnet_endpoint(t);
        let mut narrow = Vec::new();
        let mut unknown = false;
        for rule in &nsg.rules {
            if rule.is_default || rule.direction != Some(Direction::Inbound) || rule.access != Some(Access::Allow) {
                continue;
            }
            let management = [("BatchNodeManagement", [29876u16, 29877]), ("AzureMachineLearning", [44224, 44224])].iter().any(|(tag, ports)| {
                let src = Endpoint::Service { name: (*tag).into(), region: None };
                field_cover(&rule.source, &src, ctx.scope(t)) != Cover::None
                    && !rule.source.iter().all(|a| matches!(a, crate::net::Address::Any))
                    && ports.iter().any(|p| rule.destination_ports.contains_port(*p))
            });
            if !management {
                continue;
            }
            let cover = field_cover(&rule.destination, &subnet, ctx.scope(t));
            let asg = rule.destination.iter().any(|a| matches!(a, crate::net::Address::Asg(_)));
            if matches!(&subnet, Endpoint::Subnet(p) if p.is_empty()) && rule.destination.iter().any(|a| matches!(a, crate::net::Address::Prefix(_))) {
                unknown = true;
            } else if cover != Cover::Full || asg {
                narrow.push(rule);
            }
        }
        if !narrow.is_empty() {
            let mut f = check.finding(
                Status::Warn,
                format!(
                    "management rule {} of NSG `{}` targets less than the whole compute subnet; node IPs are dynamic (and AML NICs are never in your ASGs)",
                    narrow
                        .iter()
                        .map(|r| format!("`{}` → {}", r.name, r.destination.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ")))
                        .collect::<Vec<_>>()
                        .join(", "),
                    nsg.name
                ),
            );
            f.location = narrow.first().and_then(|r| r.loc.clone());
            f.evidence = narrow.iter().map(|r| super::rule_evidence(nsg, r, crate::report::Role::Field)).collect();
            f
        } else if unknown {
            check.finding(Status::Unknown, "a management rule targets a CIDR, and the subnet's prefix is unknown")
        } else {
            check.finding(Status::Pass, "every management allow rule covers the whole compute subnet")
        }
    })
}

/// What a route table says about the default route.
pub(crate) struct Tunnel<'r> {
    /// Routes that send public traffic to something other than the internet.
    pub forced: Vec<&'r Route>,
    pub aml_route: bool,
    pub batch_route: bool,
    /// Only a regional Batch route exists and the region is unknown: it decides nothing.
    pub batch_regional_unknown: bool,
    pub internet_ip_routes: Vec<&'r Route>,
}

/// Forced tunnelling: a `0.0.0.0/0` route (or routes covering all public space) whose
/// next hop isn't `Internet`.
pub(crate) fn tunnel<'r>(table: &'r RouteTable, region: Option<&Region>) -> Tunnel<'r> {
    let is_internet = |r: &Route| r.next_hop_type.as_deref().is_some_and(|h| h.eq_ignore_ascii_case("Internet"));
    let prefix = |r: &Route| r.address_prefix.as_deref().and_then(|p| p.trim().parse::<IpNet>().ok());
    let non_internet: Vec<&Route> = table.routes.iter().filter(|r| !is_internet(r) && r.next_hop_type.is_some()).collect();
    let nets: Vec<IpNet> = non_internet.iter().filter_map(|r| prefix(r)).collect();
    let covered = crate::net::covers_all_v4(&nets);
    let forced = if covered { non_internet.into_iter().filter(|r| prefix(r).is_some_and(|p| p.prefix_len() <= 1)).collect() } else { Vec::new() };
    // Some(true): a route for the tag (global, or regional in the known region); None: only
    // regional routes while the region is unknown.
    let tag_route = |name: &str, regional: bool| -> Option<bool> {
        let mut unknown = false;
        for r in table.routes.iter().filter(|r| is_internet(r)) {
            let Some(Address::Tag { name: n, region: reg }) = r.address_prefix.as_deref().and_then(Address::parse) else { continue };
            if !n.eq_ignore_ascii_case(name) {
                continue;
            }
            match (reg, regional, region) {
                (None, _, _) => return Some(true),
                (Some(reg), true, Some(want)) if reg == *want && reg != Region::Unknown => return Some(true),
                (Some(_), true, None | Some(Region::Unknown)) => unknown = true,
                _ => {}
            }
        }
        if unknown {
            None
        } else {
            Some(false)
        }
    };
    let batch = tag_route("BatchNodeManagement", true);
    Tunnel {
        forced,
        aml_route: tag_route("AzureMachineLearning", false) == Some(true),
        batch_route: batch == Some(true),
        batch_regional_unknown: batch.is_none(),
        internet_ip_routes: table.routes.iter().filter(|r| is_internet(r) && prefix(r).is_some()).collect(),
    }
}

pub static PIP_004: Check = Check {
    id: "AML-PIP-004",
    name: "forced-tunnel-missing-routes",
    title: "Forced tunnelling keeps the management return path",
    severity: Severity::Error,
    scope: scope::PIP,
    docs: docs! {
        what: "If the subnet's route table sends `0.0.0.0/0` (or routes covering all public space) to a firewall, gateway or `None`, requires routes with next hop `Internet` for the `AzureMachineLearning` and `BatchNodeManagement` service tags (the regional Batch tag is not accepted in route tables).",
        why: "Management traffic enters through the compute's public IP; without these routes the replies leave through the firewall, the path is asymmetric and the replies are dropped.",
        example: "Routes: `0.0.0.0/0` → VirtualAppliance 10.0.0.4, and nothing else.",
        fix: "Add routes `AzureMLRoute` (AzureMachineLearning → Internet) and `BatchRoute` (BatchNodeManagement → Internet); route tables accept only the global Batch tag.",
        source: "Seed › Inbound traffic (UDR include); firewall article › inbound configuration",
    },
    run: run_004,
};

fn run_004(ctx: &Ctx, check: &'static Check) -> Vec<Finding> {
    ctx.per_target(|t| {
        let table = match &t.route_table {
            RouteState::None => return check.finding(Status::Pass, "the subnet has no route table: system routes send internet traffic directly"),
            RouteState::Missing(reason) => return check.finding(Status::Unknown, format!("forced tunnelling can't be checked: {reason}")),
            RouteState::Given(table) => *table,
        };
        let tun = tunnel(table, ctx.scenario.region.as_ref());
        let mut f = if tun.forced.is_empty() {
            check.finding(Status::Pass, format!("route table `{}` does not force-tunnel internet traffic", table.name))
        } else if tun.aml_route && tun.batch_route {
            check.finding(Status::Pass, format!("route table `{}` force-tunnels, and has Internet routes for AzureMachineLearning and BatchNodeManagement", table.name))
        } else if tun.aml_route && tun.batch_regional_unknown {
            return check.finding(
                Status::Unknown,
                format!(
                    "route table `{}` force-tunnels and routes only a regional BatchNodeManagement tag to Internet: with the region unknown it decides nothing (give --region); Azure does not accept regional Batch tags in routes anyway, use `BatchNodeManagement`",
                    table.name
                ),
            );
        } else {
            let missing: Vec<&str> = [(!tun.aml_route).then_some("AzureMachineLearning"), (!tun.batch_route).then_some("BatchNodeManagement")].into_iter().flatten().collect();
            let hop = tun.forced.first().map(|r| format!("`{}` ({} → {})", r.name, r.address_prefix.clone().unwrap_or_default(), r.next_hop_type.clone().unwrap_or_default())).unwrap_or_default();
            // The page leaves this out to keep its first load within budget: there, IP routes
            // stay "can't be verified" (warn), as without data.
            let by_data = (cfg!(not(feature = "web")) && !tun.internet_ip_routes.is_empty()).then(|| ip_routes_by_data(ctx, table, &missing)).flatten();
            if let Some((status, message)) = by_data {
                check.finding(status, format!("route table `{}` force-tunnels with {hop}; {message}", table.name))
            } else if !tun.internet_ip_routes.is_empty() {
                check.finding(
                    Status::Warn,
                    format!("route table `{}` force-tunnels with {hop}; IP routes to Internet exist instead of service-tag routes for {}: they can't be verified and must cover the primary and paired region's addresses", table.name, missing.join(" and ")),
                )
            } else {
                check.finding(
                    Status::Fail,
                    format!("route table `{}` force-tunnels with {hop} but has no Internet route for {}: management replies take the firewall path and are dropped", table.name, missing.join(" and ")),
                )
            }
        };
        if matches!(f.status, Status::Fail | Status::Warn) {
            f.location = tun.forced.first().and_then(|r| r.loc.clone());
            let rg = table.id.as_deref().and_then(resource_group_of).unwrap_or_else(|| "<resource-group>".into());
            let mut az = Vec::new();
            let mut arm = Vec::new();
            let mut bicep = Vec::new();
            for (name, prefix, need) in [("AzureMLRoute", "AzureMachineLearning".to_string(), !tun.aml_route), ("BatchRoute", "BatchNodeManagement".to_string(), !tun.batch_route)] {
                if !need {
                    continue;
                }
                az.push(format!("az network route-table route create --resource-group {rg} --route-table-name {} --name {name} --address-prefix {prefix} --next-hop-type Internet", table.name));
                arm.push(J::obj(vec![("name", J::s(name)), ("properties", J::obj(vec![("addressPrefix", J::s(prefix.clone())), ("nextHopType", J::s("Internet"))]))]));
                bicep.push(format!("{{\n  name: '{name}'\n  properties: {{\n    addressPrefix: '{prefix}'\n    nextHopType: 'Internet'\n  }}\n}}"));
            }
            f.fix = Some(Fix {
                summary: format!("Add routes with next hop Internet to route table `{}`.", table.name),
                az: az.join("\n"),
                arm: J::Arr(arm),
                bicep: format!("// add to properties.routes of route table '{}'\n{}", table.name, bicep.join("\n")),
                terraform: None,
            });
        }
        f
    })
}

/// Internet-hop IP routes against the AML and Batch prefixes of the region and its pair
/// (spec 5.8): `None` without data or region, else the status and what is covered. A
/// required prefix counts only when an Internet route holds it and no route with another
/// next hop is as specific or more and overlaps it (the longest prefix wins); a
/// service-tag route with another hop might be more specific, so it leaves a doubt.
fn ip_routes_by_data(ctx: &Ctx, table: &RouteTable, missing: &[&str]) -> Option<(Status, String)> {
    let tags = ctx.tags?;
    let region = ctx.scenario.region_name()?;
    let is_internet = |r: &Route| r.next_hop_type.as_deref().is_some_and(|h| h.eq_ignore_ascii_case("Internet"));
    let mut internet: Vec<IpNet> = Vec::new();
    let mut other: Vec<IpNet> = Vec::new();
    let mut tag_doubt = false;
    for r in &table.routes {
        match r.address_prefix.as_deref().map(|p| p.trim().parse::<IpNet>()) {
            Some(Ok(p)) if is_internet(r) => internet.push(p.trunc()),
            Some(Ok(p)) => other.push(p.trunc()),
            _ if !is_internet(r) => tag_doubt = true,
            _ => {}
        }
    }
    let pair = crate::service_tags::paired_region(region);
    let mut regions = vec![region.to_string()];
    if let crate::service_tags::Pair::Paired(p) = pair {
        regions.push(p.to_string());
    }
    let mut parts = Vec::new();
    let mut worst = Status::Pass;
    for family in missing {
        // AML management comes from the region and its pair; Batch from the region.
        let wanted: &[String] = if *family == "AzureMachineLearning" { &regions } else { regions.get(..1).unwrap_or_default() };
        let mut required: Vec<IpNet> = Vec::new();
        for r in wanted {
            let tag = tags.get(&format!("{family}.{r}"))?;
            required.extend(tag.prefixes().iter().filter(|p| matches!(p, IpNet::V4(_))));
        }
        if required.is_empty() {
            return None;
        }
        let routed = |p: &IpNet| {
            let best = internet.iter().filter(|i| i.contains(p)).map(|i| i.prefix_len()).max();
            best.is_some_and(|len| !other.iter().any(|o| o.prefix_len() >= len && (o.contains(p) || p.contains(o))))
        };
        let left: Vec<&IpNet> = required.iter().filter(|p| !routed(p)).collect();
        let what = format!("the {} IPv4 prefixes of {family} in {}", required.len(), wanted.join(" and "));
        let status = if left.is_empty() {
            parts.push(format!("IP routes to Internet cover {what}"));
            if tag_doubt {
                Status::Warn
            } else {
                Status::Pass
            }
        } else {
            let shown: Vec<String> = left.iter().take(3).map(|p| p.to_string()).collect();
            let more = if left.len() > 3 { ", …" } else { "" };
            parts.push(format!("IP routes to Internet leave {} of {what} on the tunnel ({}{more})", left.len(), shown.join(", ")));
            if left.len() == required.len() {
                Status::Fail
            } else {
                Status::Warn
            }
        };
        worst = worst.worst(status);
    }
    if pair == crate::service_tags::Pair::Unknown && worst == Status::Pass {
        worst = Status::Warn;
        parts.push(format!("the pair of region `{region}` is not in amlvnet's table, so its AzureMachineLearning addresses were not checked"));
    }
    if tag_doubt && worst != Status::Fail {
        parts.push("a service-tag route with another next hop may be more specific for some of them".into());
    }
    parts.push(format!(
        "service-tag data changeNumber {}; service-tag routes (`AzureMachineLearning`, `BatchNodeManagement` → Internet) follow address changes by themselves",
        tags.change_number
    ));
    Some((worst, parts.join("; ")))
}

pub static PIP_005: Check = Check {
    id: "AML-PIP-005",
    name: "bgp-default-route-invisible",
    title: "No default route arrives over BGP",
    severity: Severity::Info,
    scope: scope::PIP,
    docs: docs! {
        what: "When the route table propagates gateway routes (`disableBgpRoutePropagation: false`), reminds that a default route learned over BGP (ExpressRoute, VPN) doesn't appear in the JSON.",
        why: "A BGP-advertised 0.0.0.0/0 force-tunnels the compute just like a UDR, with the same asymmetric-path failure.",
        example: "A route table with `disableBgpRoutePropagation: false` on a VNet with an ExpressRoute gateway.",
        fix: "Check the effective routes of a NIC in the subnet (`az network nic show-effective-route-table`), or add the AzureMachineLearning and BatchNodeManagement Internet routes anyway.",
        source: "UDR overview (inference)",
    },
    run: |ctx, check| {
        ctx.per_target(|t| match &t.route_table {
            RouteState::Given(table) if table.disable_bgp_route_propagation != Some(true) => check.finding(
                Status::Info,
                format!("route table `{}` propagates gateway routes: a default route learned over BGP would force-tunnel the subnet without showing here; check the effective routes", table.name),
            ),
            _ => check.finding(Status::Info, "if the VNet has a VPN or ExpressRoute gateway, a default route learned over BGP doesn't show in the JSON; check the effective routes"),
        })
    },
};

pub static PIP_006: Check = Check {
    id: "AML-PIP-006",
    name: "pip-outbound-requirements",
    title: "Public-IP compute reaches its outbound destinations",
    severity: Severity::Error,
    scope: scope::PIP,
    docs: docs! {
        what: "Sums up the AML-OUT checks for public-IP compute: the worst of them, naming each that isn't met.",
        why: "`AllowInternetOutBound` left in place satisfies every row; a custom outbound deny needs the full allow list before it.",
        example: "Outbound `Deny Internet` at 4000 with allows only for AzureActiveDirectory and AzureMachineLearning.",
        fix: "Allow each destination of the AML-OUT series before the deny, or remove the deny.",
        source: "Include: public internet access",
    },
    run: |ctx, check| super::out::summary(ctx, check),
};
