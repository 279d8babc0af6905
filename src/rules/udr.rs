//! Routes (spec 3.3) and the optional exfiltration hardening (spec 3.4).

use super::{docs, scope, Check};
use crate::model::same_resource;
use crate::report::{Severity, Status, Subject};

pub static CHECKS: &[&Check] = &[&UDR_003, &UDR_004, &DEX_001];

const HOPS: &[&str] = &["VirtualNetworkGateway", "VnetLocal", "Internet", "VirtualAppliance", "None"];

pub static UDR_003: Check = Check {
    id: "AML-UDR-003",
    name: "service-tag-route-precedence",
    title: "Service-tag routes behave as expected",
    severity: Severity::Info,
    scope: scope::ALL,
    docs: docs! {
        what: "Explains how service-tag routes combine: GA since March 2022, limited in number per route table (25 at the time); on an exact prefix tie an explicit-IP route beats a tag route; among tags, regional beats global beats `AzureCloud.<region>` beats `AzureCloud`; otherwise the longest prefix wins, and at equal prefix UDR beats BGP beats system.",
        why: "A tag route can be shadowed by a more specific IP route to the firewall.",
        example: "`AzureMachineLearning` → Internet, plus `20.0.0.0/8` → VirtualAppliance.",
        fix: "Check that no more specific route sends the service's ranges elsewhere.",
        source: "UDR include; UDR overview",
    },
    run: |ctx, check| {
        let tables: Vec<_> = ctx.model.route_tables.iter().collect();
        let tag_routes: usize = tables
            .iter()
            .map(|t| t.routes.iter().filter(|r| r.address_prefix.as_deref().is_some_and(|p| p.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))).count())
            .sum();
        let text = if tag_routes == 0 {
            "service-tag routes: an exact-prefix IP route beats a tag route, regional tags beat global ones, otherwise the longest prefix wins".to_string()
        } else {
            format!("{tag_routes} service-tag route(s): an exact-prefix IP route beats a tag route, regional tags beat global ones, otherwise the longest prefix wins; at most 25 tag routes per table were allowed")
        };
        vec![check.finding(Status::Info, text)]
    },
};

pub static UDR_004: Check = Check {
    id: "AML-UDR-004",
    name: "malformed-route",
    title: "Routes use valid next-hop combinations",
    severity: Severity::Warning,
    scope: scope::ALL,
    docs: docs! {
        what: "Checks every route: `nextHopType` is one of VirtualNetworkGateway, VnetLocal, Internet, VirtualAppliance or None, `nextHopIpAddress` appears only with VirtualAppliance (and VirtualAppliance has one), and `addressPrefix` is a CIDR or a service tag.",
        why: "A malformed route is rejected, or sends traffic somewhere unintended.",
        example: "{\"addressPrefix\": \"0.0.0.0/0\", \"nextHopType\": \"VirtualAppliance\"} without nextHopIpAddress",
        fix: "Set a valid next hop; give VirtualAppliance routes the firewall's private IP.",
        source: "UDR include; REST routeTable.json",
    },
    run: |ctx, check| {
        if ctx.model.route_tables.is_empty() {
            return vec![check.finding(Status::NotApplicable, "no route table among the inputs")];
        }
        let mut out = Vec::new();
        for table in &ctx.model.route_tables {
            for route in &table.routes {
                let hop = route.next_hop_type.as_deref().unwrap_or_default();
                let known = HOPS.iter().find(|h| h.eq_ignore_ascii_case(hop));
                let problem = match known {
                    None if hop.is_empty() => Some("has no `nextHopType`".to_string()),
                    None => Some(format!("has unknown `nextHopType` \"{hop}\"")),
                    Some(&"VirtualAppliance") if route.next_hop_ip.is_none() => Some("is VirtualAppliance without `nextHopIpAddress`".into()),
                    Some(h) if *h != "VirtualAppliance" && route.next_hop_ip.is_some() => Some(format!("sets `nextHopIpAddress` with next hop {h}")),
                    _ => match route.address_prefix.as_deref() {
                        None => Some("has no `addressPrefix`".into()),
                        Some(p) if p.trim().parse::<ipnet::IpNet>().is_err() && crate::net::Address::parse(p).is_none() => {
                            Some(format!("has `addressPrefix` \"{p}\", neither a CIDR nor a service tag"))
                        }
                        _ => None,
                    },
                };
                if let Some(problem) = problem {
                    let mut f = check.finding(Status::Warn, format!("route table `{}`, route `{}` {problem}", table.name, route.name));
                    f.location = route.loc.clone();
                    f.subject = Some(Subject { kind: "route_table", name: table.name.clone() });
                    out.push(f);
                }
            }
        }
        if out.is_empty() {
            out.push(check.finding(Status::Pass, "every route has a valid next hop"));
        }
        out
    },
};

pub static DEX_001: Check = Check {
    id: "AML-DEX-001",
    name: "exfiltration-policy-incomplete",
    title: "A service endpoint policy allows the Azure ML storage",
    severity: Severity::Warning,
    scope: scope::AML,
    docs: docs! {
        what: "When the compute subnet has a service endpoint policy, checks that it contains the alias `/services/Azure/MachineLearning` (and the workspace's default storage account).",
        why: "The exfiltration guidance limits `Storage.<region>` with such a policy; without the alias the compute's system storage is blocked.",
        example: "A policy listing only the workspace storage account.",
        fix: "Add `/services/Azure/MachineLearning` to the policy definitions (the portal could add the alias; the CLI could not).",
        source: "Data exfiltration prevention article (linked from the seed)",
    },
    run: |ctx, check| {
        ctx.per_target(|t| {
            let Some(s) = t.subnet else { return check.finding(Status::NotApplicable, "optional hardening: no subnet given") };
            if s.service_endpoint_policies.is_empty() {
                return check
                    .finding(Status::NotApplicable, format!("subnet `{}` has no service endpoint policy (optional hardening against exfiltration)", s.name));
            }
            let mut missing_docs = Vec::new();
            let mut incomplete = Vec::new();
            for r in &s.service_endpoint_policies {
                match ctx
                    .model
                    .endpoint_policies
                    .iter()
                    .find(|p| p.id.as_deref().is_some_and(|id| same_resource(id, &r.id)) || p.name.eq_ignore_ascii_case(r.name()))
                {
                    None => missing_docs.push(r.name().to_string()),
                    Some(p) => {
                        let alias = p.resources.iter().any(|x| x.eq_ignore_ascii_case("/services/Azure/MachineLearning"));
                        let storage =
                            ctx.workspace.and_then(|w| w.storage_account.as_deref()).is_none_or(|st| p.resources.iter().any(|x| same_resource(x, st)));
                        if !(alias && storage) {
                            incomplete.push(format!(
                                "`{}` lacks {}",
                                p.name,
                                if alias { "the workspace storage account" } else { "/services/Azure/MachineLearning" }
                            ));
                        }
                    }
                }
            }
            if !incomplete.is_empty() {
                check.finding(Status::Warn, incomplete.join("; "))
            } else if !missing_docs.is_empty() {
                check.finding(Status::Unknown, format!("paste service endpoint policy {} to check its definitions", missing_docs.join(", ")))
            } else {
                check.finding(Status::Pass, "the service endpoint policy includes /services/Azure/MachineLearning")
            }
        })
    },
};
