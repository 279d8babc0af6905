//! Required flows: evaluate a requirement (several ports) through a target's NSGs,
//! explain the verdict and build the fix.

use super::{Ctx, NsgState, Target};
use crate::model::{resource_group_of, Model, Nsg};
use crate::net::{Access, Direction, Endpoint, Protocol, Region};
use crate::nsg::{self, FlowStatus, MatchKind, PathVerdict};
use crate::report::json::J;
use crate::report::{Evidence, Fix, FlowOutcome, Hop, Role, Status};

mod explain;
mod fix;

use explain::{explain, port_list};
use fix::build_fix;
use fix::port_ranges;

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
    /// Inbound TCP from `source` to the target's subnet on `ports`.
    pub fn inbound_tcp(source: Endpoint, target: &Target, ports: Vec<u16>) -> FlowReq {
        FlowReq { direction: Direction::Inbound, protocol: Protocol::Tcp, source, destination: subnet_endpoint(target), ports }
    }

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
    let region = regional.then(|| ctx.scenario.region.clone().unwrap_or(Region::Unknown));
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
                r.source.iter().chain(r.destination.iter()).any(
                    |a| matches!(a, crate::net::Address::Tag { region: Some(reg), .. } if !matches!(reg.name(), Some("frontend" | "firstparty" | "backend"))),
                )
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
    [&req.source, &req.destination].iter().any(|e| matches!(e, Endpoint::Service { region: Some(Region::Unknown), .. }))
}

fn push_evidence(evidence: &mut Vec<Evidence>, nsg: &Nsg, index: usize, role: Role) {
    let Some(rule) = nsg.rules.get(index) else { return };
    let e = super::rule_evidence(nsg, rule, role);
    if !evidence.contains(&e) {
        evidence.push(e);
    }
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
