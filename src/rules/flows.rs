//! Required flows: evaluate a requirement (several ports) through a target's NSGs,
//! explain the verdict and build the fix.

use super::{Ctx, NsgState, Target};
use crate::model::{resource_group_of, Model, Nsg};
use crate::net::{Access, Direction, Endpoint, Protocol, REGION_UNKNOWN};
use crate::nsg::{self, FlowStatus, MatchKind, PathVerdict};
use crate::report::json::J;
use crate::report::{Evidence, Fix, FlowOutcome, Hop, Role, Status};

/// A requirement made of one flow per destination port.
#[derive(Clone, Debug)]
pub struct FlowReq {
    pub direction: Direction,
    pub protocol: Protocol,
    pub source: Endpoint,
    pub destination: Endpoint,
    pub ports: Vec<u16>,
}

impl FlowReq {
    /// `inbound TCP 29876, 29877 from BatchNodeManagement`.
    pub fn describe(&self, ports: &[u16]) -> String {
        let proto = self.protocol.as_str().to_ascii_uppercase();
        let ports = port_list(ports);
        match self.direction {
            Direction::Inbound => format!("inbound {proto} {ports} from {} to {}", self.source, self.destination),
            Direction::Outbound => format!("outbound {proto} {ports} to {}", self.destination),
        }
    }
}

/// The outcome of a requirement for one target.
#[derive(Clone, Debug)]
pub struct ReqResult {
    pub status: Status,
    pub message: String,
    pub evidence: Vec<Evidence>,
    pub flows: Vec<FlowOutcome>,
    pub fix: Option<Fix>,
    pub location: Option<crate::model::Loc>,
}

/// A required service tag, regional when `regional` (the scenario region, or unknown).
pub fn service(ctx: &Ctx, name: &str, regional: bool) -> Endpoint {
    let region = regional.then(|| ctx.scenario.region.clone().unwrap_or_else(|| REGION_UNKNOWN.to_string()));
    Endpoint::Service { name: name.to_string(), region }
}

/// The compute subnet as an endpoint.
pub fn subnet_endpoint(target: &Target) -> Endpoint {
    Endpoint::Subnet(target.subnet.map(|s| s.prefixes.clone()).unwrap_or_default())
}

fn status_of(s: FlowStatus) -> Status {
    match s {
        FlowStatus::Pass => Status::Pass,
        FlowStatus::Fail => Status::Fail,
        FlowStatus::Warn => Status::Warn,
    }
}

fn nsg_index(model: &Model, nsg: &Nsg) -> usize {
    model.nsgs.iter().position(|n| std::ptr::eq(n, nsg)).unwrap_or(usize::MAX)
}

/// Evaluates a requirement through the target's NSGs.
pub fn evaluate(ctx: &Ctx, target: &Target, req: &FlowReq) -> ReqResult {
    let subnet_nsg = match &target.nsg {
        NsgState::Given(n) => Some(*n),
        NsgState::None => None,
        NsgState::Missing(reason) => {
            return ReqResult {
                status: Status::Unknown,
                message: format!("{} cannot be evaluated: {reason}", req.describe(&req.ports)),
                evidence: Vec::new(),
                flows: Vec::new(),
                fix: None,
                location: target.subnet_loc(),
            }
        }
    };
    if subnet_nsg.is_none() && target.nic_nsg.is_none() {
        return ReqResult {
            status: Status::Pass,
            message: format!("{} is not filtered: the subnet has no NSG", req.describe(&req.ports)),
            evidence: Vec::new(),
            flows: Vec::new(),
            fix: None,
            location: target.subnet_loc(),
        };
    }
    let mut results: Vec<(u16, PathVerdict)> = Vec::new();
    for &port in &req.ports {
        let flow = nsg::Flow {
            direction: req.direction,
            protocol: req.protocol,
            source: req.source.clone(),
            destination: req.destination.clone(),
            port,
            source_port: None,
        };
        results.push((port, nsg::evaluate_path(subnet_nsg, target.nic_nsg, &flow, ctx.scope(target))));
    }
    let status = results.iter().map(|(_, r)| status_of(r.status)).reduce(Status::worst).unwrap_or(Status::Pass);
    let mut evidence: Vec<Evidence> = Vec::new();
    let mut flows = Vec::new();
    let mut swapped: Vec<String> = Vec::new();
    for (port, path) in &results {
        let mut hops = Vec::new();
        for (level, nsg, verdict) in &path.hops {
            let mut trace = Vec::new();
            for hit in &verdict.trace {
                let role = match hit.kind {
                    MatchKind::Deciding => Role::Deciding,
                    MatchKind::Partial => Role::Partial,
                    MatchKind::SourcePortOnly { swapped: true } => Role::SwappedPorts,
                    MatchKind::SourcePortOnly { swapped: false } => Role::SourcePort,
                    MatchKind::Uncertain => Role::Uncertain,
                };
                trace.push((hit.index, role));
                if let Some(rule) = nsg.rules.get(hit.index) {
                    if role == Role::SwappedPorts && !swapped.contains(&rule.name) {
                        swapped.push(rule.name.clone());
                    }
                    // Only doubts that matter for the outcome go into the evidence.
                    if path.status != FlowStatus::Pass || role == Role::SwappedPorts {
                        push_evidence(&mut evidence, nsg, hit.index, role);
                    }
                }
            }
            if let Some(d) = verdict.deciding {
                push_evidence(&mut evidence, nsg, d, Role::Deciding);
            }
            hops.push(Hop {
                nsg: nsg.name.clone(),
                nsg_index: nsg_index(ctx.model, nsg),
                level: level.as_str(),
                status: status_of(verdict.status),
                deciding: verdict.deciding,
                trace,
            });
        }
        flows.push(FlowOutcome {
            direction: req.direction.as_str(),
            protocol: req.protocol.as_str(),
            source: req.source.to_string(),
            destination: req.destination.to_string(),
            port: *port,
            status: status_of(path.status),
            hops,
        });
    }
    let message = explain(req, &results, status, &swapped, ctx.scope(target));
    let fix = if matches!(status, Status::Fail | Status::Warn) { build_fix(ctx, req, &results) } else { None };
    let location = evidence.iter().find(|e| e.role == Role::Deciding && status != Status::Pass).or_else(|| evidence.first()).and_then(|e| e.location.clone());
    let regional_doubt = results.iter().any(|(_, path)| {
        path.hops.iter().any(|(_, nsg, v)| {
            v.trace.iter().filter_map(|h| nsg.rules.get(h.index)).any(|r| {
                r.source
                    .iter()
                    .chain(r.destination.iter())
                    .any(|a| matches!(a, crate::net::Address::Tag { region: Some(reg), .. } if !matches!(reg.as_str(), "frontend" | "firstparty" | "backend")))
            })
        })
    });
    let (status, message) = if status == Status::Warn && has_unknown_region(req) && regional_doubt {
        (
            Status::Unknown,
            format!("{message}; the region is unknown, so regional service tags cannot be compared (pass --region or paste a resource with its location)"),
        )
    } else {
        (status, message)
    };
    ReqResult { status, message, evidence, flows, fix, location }
}

fn has_unknown_region(req: &FlowReq) -> bool {
    [&req.source, &req.destination].iter().any(|e| matches!(e, Endpoint::Service { region: Some(r), .. } if r == REGION_UNKNOWN))
}

fn push_evidence(evidence: &mut Vec<Evidence>, nsg: &Nsg, index: usize, role: Role) {
    let Some(rule) = nsg.rules.get(index) else { return };
    let e = super::rule_evidence(nsg, rule, role);
    if !evidence.contains(&e) {
        evidence.push(e);
    }
}

fn rule_phrase(nsg: &Nsg, index: usize) -> String {
    match nsg.rules.get(index) {
        Some(r) => {
            let prio = r.priority.map(|p| p.to_string()).unwrap_or_else(|| "unknown".into());
            let kind = if r.is_default { "default rule" } else { "rule" };
            format!("{kind} `{}` (priority {prio}) of NSG `{}`", r.name, nsg.name)
        }
        None => format!("NSG `{}`", nsg.name),
    }
}

fn explain(req: &FlowReq, results: &[(u16, PathVerdict)], status: Status, swapped: &[String], scope: crate::net::Scope) -> String {
    let ports_with = |s: FlowStatus| -> Vec<u16> { results.iter().filter(|(_, r)| r.status == s).map(|(p, _)| *p).collect() };
    let mut message = match status {
        Status::Fail => {
            let failing = ports_with(FlowStatus::Fail);
            let first = results.iter().find(|(_, r)| r.status == FlowStatus::Fail);
            let decider = first
                .and_then(|(_, r)| r.hops.iter().find(|(_, _, v)| v.status == FlowStatus::Fail))
                .map(|(_, nsg, v)| rule_phrase(nsg, v.deciding.unwrap_or(usize::MAX)))
                .unwrap_or_default();
            format!("{} is denied by {decider}", req.describe(&failing))
        }
        Status::Warn => {
            let unsure = ports_with(FlowStatus::Warn);
            let first = results.iter().find(|(_, r)| r.status == FlowStatus::Warn);
            let detail = first
                .and_then(|(_, r)| r.hops.iter().find(|(_, _, v)| v.status == FlowStatus::Warn))
                .map(|(_, nsg, v)| {
                    let doubts: Vec<String> = v
                        .trace
                        .iter()
                        .filter_map(|h| nsg.rules.get(h.index).map(|r| (h, r)))
                        .map(|(h, r)| {
                            let detail = || {
                                crate::net::cover_detail(&r.destination, &req.destination, scope)
                                    .or_else(|| crate::net::cover_detail(&r.source, &req.source, scope))
                                    .map(|d| format!("matches only part of the traffic: it {d}"))
                            };
                            let why = match h.kind {
                                MatchKind::Uncertain => "could not be read".to_string(),
                                MatchKind::SourcePortOnly { .. } => "matches only some source ports".to_string(),
                                _ => detail().unwrap_or_else(|| "matches only part of the traffic (or the service tag's addresses are not known)".to_string()),
                            };
                            match (r.priority, r.access) {
                                (Some(p), Some(a)) => format!("`{}` (priority {p}, {}) {why}", r.name, a.as_str()),
                                (Some(p), None) => format!("`{}` (priority {p}) {why}", r.name),
                                _ => format!("`{}` {why}", r.name),
                            }
                        })
                        .take(3)
                        .collect();
                    let verdict = match v.deciding.and_then(|d| nsg.rules.get(d)).and_then(|r| r.access) {
                        Some(Access::Allow) => "allowed",
                        _ => "denied",
                    };
                    format!(
                        "it is {verdict} by {}, but {}",
                        rule_phrase(nsg, v.deciding.unwrap_or(usize::MAX)),
                        if doubts.is_empty() { "an earlier rule is uncertain".into() } else { doubts.join("; ") }
                    )
                })
                .unwrap_or_default();
            format!("{} may be blocked: {detail}", req.describe(&unsure))
        }
        _ => {
            let first = results.first();
            let decider = first
                .map(|(_, r)| r.hops.iter().map(|(_, nsg, v)| rule_phrase(nsg, v.deciding.unwrap_or(usize::MAX))).collect::<Vec<_>>().join(" and "))
                .unwrap_or_default();
            format!("{} is allowed by {decider}", req.describe(&req.ports))
        }
    };
    if !swapped.is_empty() {
        message.push_str(&format!(
            "; rule {} restricts the source port to the required port: source and destination ports look swapped (clients use ephemeral source ports)",
            swapped.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    message
}

/// `29876, 29877` → `29876-29877`.
pub fn port_ranges(ports: &[u16]) -> Vec<String> {
    let mut sorted = ports.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out: Vec<(u16, u16)> = Vec::new();
    for p in sorted {
        match out.last_mut() {
            Some((_, high)) if u32::from(*high) + 1 == u32::from(p) => *high = p,
            _ => out.push((p, p)),
        }
    }
    out.into_iter().map(|(a, b)| if a == b { a.to_string() } else { format!("{a}-{b}") }).collect()
}

fn port_list(ports: &[u16]) -> String {
    port_ranges(ports).join(", ")
}

fn endpoint_prefix(e: &Endpoint) -> String {
    match e {
        Endpoint::Service { name, region: Some(r) } if r != REGION_UNKNOWN && r != crate::net::REGION_MARKER => {
            format!("{name}.{}", crate::net::sub_tag_case(r))
        }
        Endpoint::Service { name, region } => match region {
            Some(_) => format!("{name}.<region>"),
            None => name.clone(),
        },
        Endpoint::VirtualNetwork => "VirtualNetwork".into(),
        Endpoint::Subnet(p) | Endpoint::Prefixes(p) if p.len() == 1 => p.first().map(|n| n.to_string()).unwrap_or_default(),
        Endpoint::Subnet(_) | Endpoint::Prefixes(_) => "VirtualNetwork".into(),
        Endpoint::LoadBalancer => "AzureLoadBalancer".into(),
    }
}

fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').chars().take(60).collect()
}

/// An allow rule with a free priority that beats the blocking rule (spec: fixes).
fn build_fix(ctx: &Ctx, req: &FlowReq, results: &[(u16, PathVerdict)]) -> Option<Fix> {
    // The first NSG that denies or doubts, and the lowest priority that blocks there.
    let mut blocking: Option<(&Nsg, u32)> = None;
    let mut unplaced = false;
    let mut ports = Vec::new();
    for (port, path) in results {
        if path.status == FlowStatus::Pass {
            continue;
        }
        ports.push(*port);
        for (_, nsg, verdict) in &path.hops {
            if verdict.status == FlowStatus::Pass {
                continue;
            }
            let mut bound = verdict.deciding.and_then(|d| nsg.rules.get(d)).and_then(|r| r.priority).unwrap_or(65500);
            for hit in &verdict.trace {
                if let Some(r) = nsg.rules.get(hit.index) {
                    if r.access != Some(Access::Allow) || hit.kind == MatchKind::Uncertain {
                        // A rule whose priority is unknown can't be placed: the fix says so.
                        match r.priority {
                            Some(p) => bound = bound.min(p),
                            None => unplaced = true,
                        }
                    }
                }
            }
            match blocking {
                Some((n, b)) if std::ptr::eq(n, *nsg) => blocking = Some((n, b.min(bound))),
                Some(_) => {}
                None => blocking = Some((nsg, bound)),
            }
            break;
        }
    }
    let (nsg, bound) = blocking?;
    let source = endpoint_prefix(&req.source);
    let destination = endpoint_prefix(&req.destination);
    let dir = req.direction.as_str();
    let port_text = port_ranges(&ports).join(",");
    let tag = match req.direction {
        Direction::Inbound => &source,
        Direction::Outbound => &destination,
    };
    let name = slug(&format!("allow-{tag}-{}-{}", port_text.replace(',', "-"), if dir == "Inbound" { "in" } else { "out" }));
    // One allocation of names and priorities for the whole report.
    let signature = format!("{} {source} {destination} {port_text}", req.protocol.as_str());
    let (name, priority) = ctx.proposals.borrow_mut().propose(nsg, req.direction, signature, name, bound);
    let rg = nsg.id.as_deref().and_then(resource_group_of).unwrap_or_else(|| "<resource-group>".into());
    let (priority, note) = match priority {
        Some(p) => (p, String::new()),
        None => (100, format!(" No priority between 100 and {} is free: first move the blocking rule to a higher number.", bound.saturating_sub(1))),
    };
    let proto = req.protocol.as_str();
    let region_note = if tag.contains("<region>") { " Replace <region> with the workspace region." } else { "" };
    let note =
        if unplaced { format!("{note} Rules of NSG `{}` whose priority could not be read (AML-INP-005) may still come before it.", nsg.name) } else { note };
    let summary = format!(
        "Add an {dir} allow rule `{name}` at priority {priority} (below {bound}, unused) to NSG `{}`: {proto} {port_text} from {source} to {destination}.{note}{region_note}",
        nsg.name
    );
    let az = format!(
        "az network nsg rule create --resource-group {rg} --nsg-name {} --name {name} --priority {priority} --direction {dir} --access Allow --protocol {proto} --source-address-prefixes {source} --source-port-ranges '*' --destination-address-prefixes {destination} --destination-port-ranges {}",
        nsg.name,
        port_text.replace(',', " ")
    );
    let port_field = if ports.len() == 1 || port_ranges(&ports).len() == 1 {
        ("destinationPortRange", J::s(port_text.clone()))
    } else {
        ("destinationPortRanges", J::Arr(port_ranges(&ports).into_iter().map(J::s).collect()))
    };
    let arm = J::obj(vec![
        ("type", J::s("Microsoft.Network/networkSecurityGroups/securityRules")),
        ("apiVersion", J::s("2023-05-01")),
        ("name", J::s(format!("{}/{name}", nsg.name))),
        (
            "properties",
            J::obj(vec![
                ("priority", J::Int(i64::from(priority))),
                ("direction", J::s(dir)),
                ("access", J::s("Allow")),
                ("protocol", J::s(proto)),
                ("sourceAddressPrefix", J::s(source.clone())),
                ("sourcePortRange", J::s("*")),
                ("destinationAddressPrefix", J::s(destination.clone())),
                port_field,
            ]),
        ),
    ]);
    let bicep_ports = if port_ranges(&ports).len() == 1 {
        format!("    destinationPortRange: '{port_text}'")
    } else {
        format!("    destinationPortRanges: [ {} ]", port_ranges(&ports).iter().map(|p| format!("'{p}'")).collect::<Vec<_>>().join(", "))
    };
    let bicep = format!(
        "resource {} 'Microsoft.Network/networkSecurityGroups/securityRules@2023-05-01' = {{\n  name: '{}/{name}'\n  properties: {{\n    priority: {priority}\n    direction: '{dir}'\n    access: 'Allow'\n    protocol: '{proto}'\n    sourceAddressPrefix: '{source}'\n    sourcePortRange: '*'\n    destinationAddressPrefix: '{destination}'\n{bicep_ports}\n  }}\n}}",
        camel(&name),
        nsg.name
    );
    let terraform = terraform_fix!(nsg.terraform.as_deref().map(|origin| {
        let ranges = port_ranges(&ports);
        let spec = super::hcl::RuleSpec { name: &name, priority, direction: dir, protocol: proto, source: &source, destination: &destination, ports: &ranges };
        super::hcl::nsg_rule(origin, &spec)
    }));
    Some(Fix { summary, az, arm, bicep, terraform })
}

fn camel(slug: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in slug.chars() {
        if c == '-' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Runs a flow requirement for every target and turns it into findings.
pub fn findings(
    ctx: &Ctx,
    check: &'static super::Check,
    req_for: impl Fn(&Target) -> FlowReq,
    adjust: impl Fn(Status) -> Status,
) -> Vec<crate::report::Finding> {
    ctx.per_target(|t| {
        let req = req_for(t);
        let r = evaluate(ctx, t, &req);
        let mut f = check.finding(adjust(r.status), r.message);
        f.evidence = r.evidence;
        f.flows = r.flows;
        f.fix = r.fix;
        f.location = r.location;
        f
    })
}
