//! SARIF 2.1.0: one result per `fail` or `warn` finding, the catalogue as rules.

use super::json::J;
use super::{CheckInfo, Report, Severity, Status};

/// The report as a SARIF log; `checks` (the catalogue, `rules::catalogue()`) become its rules.
pub fn render<C: CheckInfo>(report: &Report, checks: &[&C]) -> J {
    let rules: Vec<J> = checks
        .iter()
        .map(|c| {
            let level = match c.severity() {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            let mut rule = vec![("id", J::s(c.id())), ("name", J::s(c.name())), ("shortDescription", J::obj(vec![("text", J::s(c.title()))]))];
            // The page's build carries no docs (they are fetched when shown): its SARIF
            // then names each rule without describing it, rather than with empty text.
            if !c.docs().what.is_empty() {
                rule.push(("fullDescription", J::obj(vec![("text", J::s(c.docs().what))])));
                rule.push((
                    "help",
                    J::obj(vec![("text", J::s(format!("{} Fix: {}", c.docs().why, c.docs().fix))), ("markdown", J::s(super::markdown::explain(*c)))]),
                ));
            }
            rule.push(("defaultConfiguration", J::obj(vec![("level", J::s(level))])));
            rule.push(("properties", J::obj(vec![("tags", J::Arr(vec![J::s("azure"), J::s("network"), J::s("azure-ml")]))])));
            J::obj(rule)
        })
        .collect();
    let results: Vec<J> = report
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Warn))
        .map(|f| {
            let level = if f.status == Status::Fail && f.severity == Severity::Error { "error" } else { "warning" };
            let index = checks.iter().position(|c| c.id() == f.id).unwrap_or(0);
            let mut m = vec![
                ("ruleId", J::s(f.id)),
                ("ruleIndex", J::Int(index as i64)),
                ("level", J::s(level)),
                ("message", J::obj(vec![("text", J::s(f.message.clone()))])),
            ];
            if let Some(loc) = f.location.as_ref().filter(|l| l.line > 0) {
                m.push((
                    "locations",
                    J::Arr(vec![J::obj(vec![(
                        "physicalLocation",
                        J::obj(vec![
                            ("artifactLocation", J::obj(vec![("uri", J::s(uri(report.document_name(loc))))])),
                            ("region", J::obj(vec![("startLine", J::Int(i64::from(loc.line))), ("startColumn", J::Int(i64::from(loc.column.max(1))))])),
                        ]),
                    )])]),
                ));
            }
            let mut props = vec![("status", J::s(f.status.as_str())), ("profile", J::s(report.profile.as_str()))];
            if let Some(s) = &f.subject {
                props.push(("subject", J::s(s.name.clone())));
            }
            if let Some(fix) = &f.fix {
                props.push(("fix", J::s(fix.az.clone())));
            }
            m.push(("properties", J::obj(props)));
            J::obj(m)
        })
        .collect();
    J::obj(vec![
        ("$schema", J::s("https://json.schemastore.org/sarif-2.1.0.json")),
        ("version", J::s("2.1.0")),
        (
            "runs",
            J::Arr(vec![J::obj(vec![
                (
                    "tool",
                    J::obj(vec![(
                        "driver",
                        J::obj(vec![
                            ("name", J::s("amlvnet")),
                            ("version", J::s(crate::VERSION)),
                            ("informationUri", J::s("https://learn.microsoft.com/azure/machine-learning/how-to-secure-training-vnet")),
                            ("rules", J::Arr(rules)),
                        ]),
                    )]),
                ),
                ("results", J::Arr(results)),
            ])]),
        ),
    ])
}

/// A relative URI for a document name (SARIF wants URI references).
fn uri(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '_' | '.' | '~' | '/' => out.push(c),
            '\\' => out.push('/'),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    if out.is_empty() {
        "stdin".into()
    } else if out.starts_with('/') {
        // An absolute path is a file URI, not a relative reference.
        format!("file://{out}")
    } else if out.as_bytes().get(1) == Some(&b'%') && name.as_bytes().get(1) == Some(&b':') {
        format!("file:///{}", name.replace('\\', "/"))
    } else {
        out
    }
}
