//! The JSON report of the contract (`amlvnet-report/1`), and a small JSON writer.

use super::{Evidence, Finding, FlowOutcome, Report};
use crate::model::Loc;

/// A JSON value to write.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum J {
    #[default]
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl J {
    pub fn s(text: impl Into<String>) -> J {
        J::Str(text.into())
    }
    pub fn obj(members: Vec<(&str, J)>) -> J {
        J::Obj(members.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }
    pub fn opt_str(text: Option<&str>) -> J {
        text.map(J::s).unwrap_or(J::Null)
    }

    /// Pretty text, two-space indented.
    pub fn pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0, true);
        out
    }

    /// Compact text.
    pub fn compact(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0, false);
        out
    }

    fn write(&self, out: &mut String, indent: usize, pretty: bool) {
        let newline = |out: &mut String, level: usize| {
            if pretty {
                out.push('\n');
                out.push_str(&"  ".repeat(level));
            }
        };
        match self {
            J::Null => out.push_str("null"),
            J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            J::Int(i) => out.push_str(&i.to_string()),
            J::Str(s) => write_string(out, s),
            J::Arr(items) if items.is_empty() => out.push_str("[]"),
            J::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, indent.saturating_add(1));
                    item.write(out, indent.saturating_add(1), pretty);
                }
                newline(out, indent);
                out.push(']');
            }
            J::Obj(members) if members.is_empty() => out.push_str("{}"),
            J::Obj(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, indent.saturating_add(1));
                    write_string(out, k);
                    out.push_str(if pretty { ": " } else { ":" });
                    v.write(out, indent.saturating_add(1), pretty);
                }
                newline(out, indent);
                out.push('}');
            }
        }
    }
}

/// The escape JSON and HCL strings share for a character, if it needs one.
pub fn common_escape(c: char) -> Option<&'static str> {
    match c {
        '"' => Some("\\\""),
        '\\' => Some("\\\\"),
        '\n' => Some("\\n"),
        '\r' => Some("\\r"),
        '\t' => Some("\\t"),
        _ => None,
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        if let Some(escape) = common_escape(c) {
            out.push_str(escape);
            continue;
        }
        match c {
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            // Keep the output safe to embed in HTML script blocks.
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Converts a parsed JSON node to a writable value.
pub fn from_node(node: &crate::json::Node) -> J {
    use crate::json::Value;
    match &node.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Number(n) => J::Int(*n as i64),
        Value::String(s) | Value::Unresolved(s) => J::s(s.clone()),
        Value::Array(a) => J::Arr(a.iter().map(from_node).collect()),
        Value::Object(m) => J::Obj(m.iter().map(|(k, v)| (k.to_string(), from_node(v))).collect()),
    }
}

pub fn location(report: &Report, loc: &Loc) -> J {
    let mut m = vec![
        ("document", J::s(report.document_name(loc))),
        ("pointer", J::s(loc.pointer.clone())),
        ("line", J::Int(i64::from(loc.line))),
        ("column", J::Int(i64::from(loc.column))),
    ];
    if let Some(address) = &loc.address {
        m.push(("address", J::s(address.clone())));
    }
    J::obj(m)
}

fn evidence(report: &Report, e: &Evidence) -> J {
    let mut m = vec![
        ("nsg", J::opt_str(e.nsg.as_deref())),
        ("rule", J::s(e.rule.clone())),
        ("priority", e.priority.map(|p| J::Int(i64::from(p))).unwrap_or(J::Null)),
        ("access", J::opt_str(e.access.as_deref())),
        ("direction", J::opt_str(e.direction.as_deref())),
        ("role", J::s(e.role.as_str())),
    ];
    if let Some(l) = &e.location {
        m.push(("location", location(report, l)));
    }
    J::obj(m)
}

fn flow(f: &FlowOutcome) -> J {
    J::obj(vec![
        ("direction", J::s(f.direction)),
        ("protocol", J::s(f.protocol)),
        ("source", J::s(f.source.clone())),
        ("destination", J::s(f.destination.clone())),
        ("port", J::Int(i64::from(f.port))),
        ("status", J::s(f.status.as_str())),
        (
            "hops",
            J::Arr(
                f.hops
                    .iter()
                    .map(|h| {
                        J::obj(vec![
                            ("nsg", J::s(h.nsg.clone())),
                            ("nsg_index", J::Int(h.nsg_index as i64)),
                            ("level", J::s(h.level)),
                            ("status", J::s(h.status.as_str())),
                            ("deciding_rule", h.deciding.map(|i| J::Int(i as i64)).unwrap_or(J::Null)),
                            (
                                "trace",
                                J::Arr(h.trace.iter().map(|(i, role)| J::obj(vec![("rule", J::Int(*i as i64)), ("role", J::s(role.as_str()))])).collect()),
                            ),
                        ])
                    })
                    .collect(),
            ),
        ),
    ])
}

/// One finding as JSON.
pub fn finding(report: &Report, f: &Finding) -> J {
    let mut m = vec![
        ("id", J::s(f.id)),
        ("title", J::s(f.title)),
        ("status", J::s(f.status.as_str())),
        ("severity", J::s(f.severity.as_str())),
        ("message", J::s(f.message.clone())),
    ];
    if let Some(s) = &f.subject {
        m.push(("subject", J::obj(vec![("kind", J::s(s.kind)), ("name", J::s(s.name.clone()))])));
    }
    m.push(("evidence", J::Arr(f.evidence.iter().map(|e| evidence(report, e)).collect())));
    if let Some(l) = &f.location {
        m.push(("location", location(report, l)));
    }
    if !f.flows.is_empty() {
        m.push(("flows", J::Arr(f.flows.iter().map(flow).collect())));
    }
    if let Some(fix) = &f.fix {
        let arm = fix.arm.clone();
        let mut members = vec![("summary", J::s(fix.summary.clone())), ("az", J::s(fix.az.clone())), ("arm", arm), ("bicep", J::s(fix.bicep.clone()))];
        if let Some(hcl) = &fix.terraform {
            members.push(("terraform", J::s(hcl.clone())));
        }
        m.push(("fix", J::obj(members)));
    }
    J::obj(m)
}

/// The whole report as a JSON value.
pub fn report(report: &Report) -> J {
    let sc = &report.scenario;
    let public_ip = if sc.is_aml_compute() { J::Bool(sc.public_ip) } else { J::Null };
    J::obj(vec![
        ("schema", J::s("amlvnet-report/1")),
        ("tool", J::obj(vec![("name", J::s("amlvnet")), ("version", J::s(crate::VERSION))])),
        ("profile", J::s(report.profile.as_str())),
        (
            "scenario",
            J::obj(vec![
                ("compute", J::s(sc.compute.as_str())),
                ("public_ip", public_ip),
                ("region", J::opt_str(sc.region_name())),
                ("key", J::s(sc.key())),
                ("notes", J::Arr(sc.notes.iter().map(|n| J::s(n.text.clone())).collect())),
            ]),
        ),
        (
            "documents",
            J::Arr(
                report
                    .documents
                    .iter()
                    .map(|d| {
                        let mut m = vec![
                            ("name", J::s(d.name.clone())),
                            ("shape", J::s(d.shape.clone())),
                            ("shape_label", J::s(d.shape_label.clone())),
                            ("resources", J::Arr(d.resources.iter().map(|r| J::s(r.clone())).collect())),
                        ];
                        if let Some((line, column, message)) = &d.error {
                            m.push((
                                "error",
                                J::obj(vec![("line", J::Int(i64::from(*line))), ("column", J::Int(i64::from(*column))), ("message", J::s(message.clone()))]),
                            ));
                        }
                        J::obj(m)
                    })
                    .collect(),
            ),
        ),
        ("findings", J::Arr(report.findings.iter().map(|f| finding(report, f)).collect())),
        ("summary", J::Obj(report.summary().into_iter().map(|(s, n)| (s.as_str().to_string(), J::Int(n as i64))).collect())),
        (
            "nsgs",
            J::Arr(
                report
                    .nsgs
                    .iter()
                    .map(|n| {
                        J::obj(vec![
                            ("name", J::s(n.name.clone())),
                            ("defaults_added", J::Bool(n.defaults_added)),
                            (
                                "rules",
                                J::Arr(
                                    n.rules
                                        .iter()
                                        .map(|r| {
                                            let mut m = vec![
                                                ("name", J::s(r.name.clone())),
                                                ("priority", r.priority.map(|p| J::Int(i64::from(p))).unwrap_or(J::Null)),
                                                ("direction", J::s(r.direction)),
                                                ("access", J::s(r.access)),
                                                ("protocol", J::s(r.protocol)),
                                                ("source", J::s(r.source.clone())),
                                                ("source_ports", J::s(r.source_ports.clone())),
                                                ("destination", J::s(r.destination.clone())),
                                                ("destination_ports", J::s(r.destination_ports.clone())),
                                                ("default", J::Bool(r.is_default)),
                                                ("valid", J::Bool(r.valid)),
                                            ];
                                            if let Some(l) = &r.location {
                                                m.push(("location", location(report, l)));
                                            }
                                            J::obj(m)
                                        })
                                        .collect(),
                                ),
                            ),
                        ])
                    })
                    .collect(),
            ),
        ),
        ("notes", J::Arr(report.notes.iter().map(|n| J::s(n.clone())).collect())),
        (
            "fixes_by_nsg",
            J::Arr(
                report
                    .fixes_by_nsg
                    .iter()
                    .map(|g| {
                        J::obj(vec![
                            ("nsg", J::s(g.nsg.clone())),
                            ("rules", J::Arr(g.rules.iter().map(|r| J::s(r.clone())).collect())),
                            ("az", J::s(g.az.clone())),
                            ("arm", g.arm.clone()),
                            ("bicep", J::s(g.bicep.clone())),
                        ])
                    })
                    .collect(),
            ),
        ),
        // The service-tag data the report used (contract.md, additions of December 2026);
        // `prefixes` says whether address prefixes were among it.
        (
            "service_tags",
            J::obj(vec![
                ("change_number", J::Int(i64::from(report.service_tags.change_number))),
                ("source", J::s(report.service_tags.source.clone())),
                ("prefixes", J::Bool(report.service_tags.prefixes)),
            ]),
        ),
    ])
}

/// The catalogue as JSON (`amlvnet rules --format json`, and the JavaScript API's `rules()`).
pub fn catalogue<C: super::CheckInfo>(checks: &[&C]) -> J {
    J::Arr(
        checks
            .iter()
            .map(|c| {
                J::obj(vec![
                    ("id", J::s(c.id())),
                    ("name", J::s(c.name())),
                    ("title", J::s(c.title())),
                    ("severity", J::s(c.severity().as_str())),
                    ("applies_to", J::s(c.applies_to())),
                    (
                        "docs",
                        J::obj(vec![
                            ("what", J::s(c.docs().what)),
                            ("why", J::s(c.docs().why)),
                            ("example", J::s(c.docs().example)),
                            ("fix", J::s(c.docs().fix)),
                            ("source", J::s(c.docs().source)),
                        ]),
                    ),
                ])
            })
            .collect(),
    )
}

/// `amlvnet flow --format json`: Network Watcher's NSG-diagnostics shape with a third
/// answer (`Unknown`, and `"partial"` per field), plus the service tags that hold an
/// address endpoint and notes.
pub fn flow_diagnosis(d: &crate::flow::Diagnosis) -> J {
    use crate::flow::matched;
    let field = |c: crate::net::Cover| match matched(c) {
        "true" => J::Bool(true),
        "false" => J::Bool(false),
        other => J::s(other),
    };
    let nsgs = d.nsgs.iter().map(|n| {
        let rules = n.rules.iter().map(|r| {
            J::obj(vec![
                ("name", J::s(r.name.clone())),
                ("priority", r.priority.map_or(J::Null, |p| J::Int(i64::from(p)))),
                ("access", J::opt_str(r.access.map(|a| a.as_str()))),
                ("protocolMatched", field(r.matched.protocol)),
                ("sourceMatched", field(r.matched.source)),
                ("sourcePortMatched", field(r.matched.source_port)),
                ("destinationMatched", field(r.matched.destination)),
                ("destinationPortMatched", field(r.matched.destination_port)),
            ])
        });
        J::obj(vec![
            ("networkSecurityGroupId", J::s(if n.id.is_empty() { n.name.clone() } else { n.id.clone() })),
            ("appliedTo", J::s(n.applied_to.clone())),
            ("access", J::s(n.access.as_str())),
            (
                "matchedRule",
                match &n.matched {
                    Some((name, action)) => J::obj(vec![("ruleName", J::s(name.clone())), ("action", J::s(action.clone()))]),
                    None => J::Null,
                },
            ),
            ("rulesEvaluationResult", J::Arr(rules.collect())),
        ])
    });
    let strings = |v: &[String]| J::Arr(v.iter().map(|s| J::s(s.clone())).collect());
    J::obj(vec![(
        "results",
        J::Arr(vec![J::obj(vec![
            (
                "profile",
                J::obj(vec![
                    ("direction", J::s(d.direction.as_str())),
                    ("protocol", J::s(d.protocol.as_str())),
                    ("source", J::s(d.source.clone())),
                    ("destination", J::s(d.destination.clone())),
                    ("destinationPort", J::s(d.port.to_string())),
                    ("sourcePort", J::s(d.source_port.map_or_else(|| "*".to_string(), |p| p.to_string()))),
                ]),
            ),
            (
                "networkSecurityGroupResult",
                J::obj(vec![("securityRuleAccessResult", J::s(d.access.as_str())), ("evaluatedNetworkSecurityGroups", J::Arr(nsgs.collect()))]),
            ),
            ("sourceServiceTags", strings(&d.source_tags)),
            ("destinationServiceTags", strings(&d.destination_tags)),
            ("serviceTagsChangeNumber", d.change_number.map_or(J::Null, |c| J::Int(i64::from(c)))),
            ("notes", strings(&d.notes)),
        ])]),
    )])
}
