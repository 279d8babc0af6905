//! NSG evaluation as Azure does it (spec sections 1.2 to 1.6).
//!
//! Checks only query this module: `evaluate` answers one required flow against one NSG
//! with a three-valued status, the deciding rule and the trace of rules that partly
//! matched; `evaluate_path` combines the NSGs on a path (inbound: subnet then NIC;
//! outbound: NIC then subnet; every NSG present must allow).
//!
//! Soundness is the contract, checked against a brute-force oracle by property tests:
//! `Pass` means every packet of the flow is allowed, `Fail` means some packet is denied
//! for certain, `Warn` means the engine cannot tell.

use crate::model::{Nsg, SecurityRule};
use crate::net::{field_cover, field_cover_in, Access, Address, Cover, Direction, Endpoint, PortSet, Protocol, Scope};

/// One required flow, atomic: one protocol, one destination port, any source port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    pub direction: Direction,
    pub protocol: Protocol,
    pub source: Endpoint,
    pub destination: Endpoint,
    pub port: u16,
    /// One source port (`amlvnet flow --source-port`); `None`: any, as a client's
    /// ephemeral ports are.
    pub source_port: Option<u16>,
}

/// How far each field of one rule matches a flow (`Cover::Partial`: part of it, or can't
/// be known); the source port is `Full` only for a rule open to every source port when
/// the flow's source port is any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleMatch {
    pub protocol: Cover,
    pub source: Cover,
    pub source_port: Cover,
    pub destination: Cover,
    pub destination_port: Cover,
}

fn protocol_cover(rule: &SecurityRule, flow: &Flow) -> Cover {
    match rule.protocol {
        Some(p) if p.matches(flow.protocol) => Cover::Full,
        Some(_) => Cover::None,
        None => Cover::Partial,
    }
}

/// Matches one rule's fields against a flow (direction aside).
pub fn rule_match(rule: &SecurityRule, flow: &Flow, scope: Scope) -> RuleMatch {
    let protocol = protocol_cover(rule, flow);
    let source_port = match flow.source_port {
        Some(p) => rule.source_ports.cover_port(p),
        None if rule.source_ports.uncertain => Cover::Partial,
        None if rule.source_ports.covers_all() => Cover::Full,
        None => Cover::Partial,
    };
    RuleMatch {
        protocol,
        source: field_cover(&rule.source, &flow.source, scope),
        source_port,
        destination: field_cover(&rule.destination, &flow.destination, scope),
        destination_port: rule.destination_ports.cover_port(flow.port),
    }
}

/// The verdict for one flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowStatus {
    Pass,
    Fail,
    /// Possibly allowed, possibly denied.
    Warn,
}

/// Why a rule is in the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchKind {
    /// The first rule that matched the whole flow.
    Deciding,
    /// Matched part of the flow (or could not be read), so it may decide some traffic.
    Partial,
    /// Restricted source ports: never carries a client's ephemeral ports. If its source
    /// range holds the required destination port, it is a likely swapped-port mistake.
    SourcePortOnly { swapped: bool },
    /// An invalid or unresolved rule that may match: a source of doubt.
    Uncertain,
}

/// A rule named in a verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleHit {
    /// Index into `Nsg::rules`.
    pub index: usize,
    pub kind: MatchKind,
}

/// The answer for one flow against one NSG.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub status: FlowStatus,
    /// Index of the deciding rule in `Nsg::rules` (there always is one: the defaults end
    /// in a deny-all).
    pub deciding: Option<usize>,
    /// The rules before the deciding one that partly matched, in evaluation order.
    pub trace: Vec<RuleHit>,
}

/// Adds the six default rules when missing and sorts the rules for evaluation by
/// priority; rules whose priority is unknown come first (they could be anywhere, so they
/// are treated as a doubt in front of everything).
pub fn prepare(nsg: &mut Nsg) {
    let has_defaults = nsg.rules.iter().any(|r| r.is_default);
    if !has_defaults {
        nsg.rules.extend(default_rules());
        nsg.defaults_added = true;
    } else {
        // Keep any default the input left out (a partial paste).
        for d in default_rules() {
            let present = nsg.rules.iter().any(|r| r.is_default && r.direction == d.direction && r.priority == d.priority);
            if !present {
                nsg.rules.push(d);
            }
        }
    }
    // By priority only: evaluation skips the other direction, and a rule whose direction
    // can't be read stays at its own priority (a doubt from there on, not before every
    // valid rule).
    nsg.rules.sort_by_key(|r| (r.priority.unwrap_or(0), r.direction.map(|d| d as u8)));
}

/// Azure's six default security rules (spec 1.3).
pub fn default_rules() -> Vec<SecurityRule> {
    let rule = |name: &str, priority: u32, direction: Direction, access: Access, source: Address, destination: Address| SecurityRule {
        name: name.into(),
        priority: Some(priority),
        direction: Some(direction),
        access: Some(access),
        protocol: Some(Protocol::Any),
        source: vec![source],
        source_ports: PortSet::all(),
        destination: vec![destination],
        destination_ports: PortSet::all(),
        is_default: true,
        valid: true,
        loc: None,
    };
    use Access::*;
    use Address as A;
    use Direction::*;
    vec![
        rule("AllowVnetInBound", 65000, Inbound, Allow, A::VirtualNetwork, A::VirtualNetwork),
        rule("AllowAzureLoadBalancerInBound", 65001, Inbound, Allow, A::AzureLoadBalancer, A::Any),
        rule("DenyAllInBound", 65500, Inbound, Deny, A::Any, A::Any),
        rule("AllowVnetOutBound", 65000, Outbound, Allow, A::VirtualNetwork, A::VirtualNetwork),
        rule("AllowInternetOutBound", 65001, Outbound, Allow, A::Any, A::Internet),
        rule("DenyAllOutBound", 65500, Outbound, Deny, A::Any, A::Any),
    ]
}

/// Evaluates one atomic flow against one prepared NSG (spec 1.6).
pub fn evaluate(nsg: &Nsg, flow: &Flow, scope: Scope) -> Verdict {
    let mut allowed_somewhere = false;
    let mut denied_somewhere = false;
    let mut trace = Vec::new();
    let (source_req, destination_req) = (scope.required(&flow.source), scope.required(&flow.destination));
    for (index, rule) in nsg.rules.iter().enumerate() {
        match rule.direction {
            Some(d) if d != flow.direction => continue,
            _ => {}
        }
        // The cheap fields first: a rule that misses on one is skipped before its
        // addresses are matched.
        let protocol = protocol_cover(rule, flow);
        let destination_port = rule.destination_ports.cover_port(flow.port);
        // A given source port is matched like the destination port; any source port is
        // handled below.
        let source_port = flow.source_port.map_or(Cover::Full, |p| rule.source_ports.cover_port(p));
        if [protocol, destination_port, source_port].contains(&Cover::None) {
            continue;
        }
        let source = field_cover_in(&rule.source, &source_req, scope);
        if source == Cover::None {
            continue;
        }
        let destination = field_cover_in(&rule.destination, &destination_req, scope);
        let covers = [protocol, destination_port, source_port, source, destination];
        if covers.contains(&Cover::None) {
            continue;
        }
        let all_full = covers.iter().all(|c| *c == Cover::Full);
        let certain = rule.valid && rule.direction.is_some() && rule.priority.is_some();
        if flow.source_port.is_some() {
            // Decided by the covers above.
        } else if rule.source_ports.uncertain {
            push_hit(&mut trace, RuleHit { index, kind: MatchKind::Uncertain });
            allowed_somewhere = true;
            denied_somewhere = true;
            continue;
        } else if !rule.source_ports.covers_all() {
            // Restricted source ports: an allow never carries the flow; a deny may drop
            // the packets that happen to use those ports.
            let swapped = rule.source_ports.contains_port(flow.port);
            push_hit(&mut trace, RuleHit { index, kind: MatchKind::SourcePortOnly { swapped } });
            if rule.access != Some(Access::Allow) {
                denied_somewhere = true;
            }
            continue;
        }
        if all_full && certain {
            if let Some(access) = rule.access {
                let status = match access {
                    Access::Allow if denied_somewhere => FlowStatus::Warn,
                    Access::Allow => FlowStatus::Pass,
                    Access::Deny if allowed_somewhere => FlowStatus::Warn,
                    Access::Deny => FlowStatus::Fail,
                };
                return Verdict { status, deciding: Some(index), trace };
            }
        }
        push_hit(&mut trace, RuleHit { index, kind: if certain { MatchKind::Partial } else { MatchKind::Uncertain } });
        match rule.access {
            Some(Access::Allow) => allowed_somewhere = true,
            Some(Access::Deny) => denied_somewhere = true,
            None => {
                allowed_somewhere = true;
                denied_somewhere = true;
            }
        }
    }
    // Only reachable when the defaults were removed from a hand-made model.
    Verdict { status: FlowStatus::Warn, deciding: None, trace }
}

/// Rules kept in a trace; the flags still account for every rule beyond it.
pub const MAX_TRACE: usize = 32;

fn push_hit(trace: &mut Vec<RuleHit>, hit: RuleHit) {
    if trace.len() < MAX_TRACE {
        trace.push(hit);
    }
}

/// Which NSG of a path a verdict belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Subnet,
    Nic,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Subnet => "subnet",
            Level::Nic => "NIC",
        }
    }
}

/// The answer for one flow across every NSG on its path.
#[derive(Clone, Debug)]
pub struct PathVerdict<'n> {
    pub status: FlowStatus,
    /// One verdict per NSG, in evaluation order.
    pub hops: Vec<(Level, &'n Nsg, Verdict)>,
}

/// Evaluates a flow through the subnet NSG and the NIC NSG (either may be absent).
/// Inbound traffic meets the subnet NSG first; outbound traffic meets the NIC NSG first.
/// A flow passes only if every NSG present allows it; a certain deny anywhere is a fail.
pub fn evaluate_path<'n>(subnet: Option<&'n Nsg>, nic: Option<&'n Nsg>, flow: &Flow, scope: Scope) -> PathVerdict<'n> {
    let order: [(Level, Option<&Nsg>); 2] = match flow.direction {
        Direction::Inbound => [(Level::Subnet, subnet), (Level::Nic, nic)],
        Direction::Outbound => [(Level::Nic, nic), (Level::Subnet, subnet)],
    };
    let mut hops = Vec::new();
    let mut status = FlowStatus::Pass;
    for (level, nsg) in order {
        let Some(nsg) = nsg else { continue };
        let verdict = evaluate(nsg, flow, scope);
        let this = verdict.status;
        hops.push((level, nsg, verdict));
        status = match (status, this) {
            (FlowStatus::Fail, _) | (_, FlowStatus::Fail) => FlowStatus::Fail,
            (FlowStatus::Warn, _) | (_, FlowStatus::Warn) => FlowStatus::Warn,
            _ => FlowStatus::Pass,
        };
        if this == FlowStatus::Fail {
            // A certain deny stops the traffic; the next NSG is never consulted.
            break;
        }
    }
    PathVerdict { status, hops }
}

/// Free custom priorities in one direction, for fixes.
pub fn free_priority_below(nsg: &Nsg, direction: Direction, below: u32) -> Option<u32> {
    free_priority_below_excluding(nsg, direction, below, &[])
}

/// `free_priority_below`, also avoiding priorities other fixes already propose.
pub fn free_priority_below_excluding(nsg: &Nsg, direction: Direction, below: u32, proposed: &[u32]) -> Option<u32> {
    let mut used: Vec<u32> = nsg.rules.iter().filter(|r| r.direction == Some(direction) && !r.is_default).filter_map(|r| r.priority).collect();
    used.extend_from_slice(proposed);
    used.sort_unstable();
    used.dedup();
    let used = Used(used);
    let top = below.min(4097);
    // Prefer a round number just under the blocking rule, then any free number.
    let round = (100..top).rev().filter(|p| p % 10 == 0).find(|p| !used.contains(p));
    round.or_else(|| (100..top).rev().find(|p| !used.contains(p)))
}

/// Sorted priorities in use (binary search: a 1,000-rule NSG is scanned once).
struct Used(Vec<u32>);

impl Used {
    fn contains(&self, p: &u32) -> bool {
        self.0.binary_search(p).is_ok()
    }
}
