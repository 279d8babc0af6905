//! The English of a required flow's verdict: which rule decided, which were uncertain.

use super::*;

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

pub(super) fn explain(req: &FlowReq, results: &[(u16, PathVerdict)], status: Status, swapped: &[String], scope: crate::net::Scope) -> String {
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

pub(super) fn port_list(ports: &[u16]) -> String {
    port_ranges(ports).join(", ")
}
