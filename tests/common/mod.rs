//! Shared helpers for the integration tests: the `.case` fixture format.
//!
//! A case file holds a header (`# args: …`, `# expect: <status>`) and one or more
//! documents, each introduced by `--- <name>`.

#![allow(dead_code)]

use amlvnet::model::ComputeKind;
use amlvnet::report::{Finding, Report};
use amlvnet::{Document, Options, Profile};
use std::path::{Path, PathBuf};

pub struct Case {
    pub path: PathBuf,
    pub args: Vec<String>,
    pub expect: String,
    pub documents: Vec<Document>,
}

pub fn read_case(path: &Path) -> Case {
    let mut case = parse_case(&std::fs::read_to_string(path).unwrap_or_default());
    case.path = path.to_path_buf();
    case
}

/// Parses the text of a `.case` file.
pub fn parse_case(text: &str) -> Case {
    let mut args = Vec::new();
    let mut expect = String::new();
    let mut documents: Vec<Document> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# args:") {
            args = rest.split_whitespace().map(String::from).collect();
        } else if let Some(rest) = line.strip_prefix("# expect:") {
            expect = rest.trim().to_string();
        } else if let Some(name) = line.strip_prefix("--- ") {
            documents.push(Document::new(name.trim(), String::new()));
        } else if let Some(doc) = documents.last_mut() {
            doc.text.push_str(line);
            doc.text.push('\n');
        }
    }
    Case { path: PathBuf::new(), args, expect, documents }
}

pub fn options(args: &[String]) -> Options {
    let mut o = Options::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let v = it.next().cloned().unwrap_or_default();
        match a.as_str() {
            "--region" => o.region = Some(v),
            "--public-ip" => o.public_ip = Some(v == "yes"),
            "--profile" => o.profile = Profile::parse(&v).unwrap_or_default(),
            "--compute" => o.compute = ComputeKind::parse(&v),
            _ => {}
        }
    }
    o
}

pub fn run(case: &Case) -> Report {
    check_both(&case.documents, &options(&case.args))
}

/// A compact, stable rendering of findings for snapshots.
pub fn render(report: &Report, findings: &[&Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let subject = f.subject.as_ref().map(|s| format!(" [{} {}]", s.kind, s.name)).unwrap_or_default();
        out.push_str(&format!("{} {} ({}){}\n  {}\n", f.id, f.status, f.severity.as_str(), subject, f.message));
        for e in &f.evidence {
            let at = e.location.as_ref().map(|l| format!(" at {}:{}:{}", report.document_name(l), l.line, l.column)).unwrap_or_default();
            out.push_str(&format!(
                "  evidence: {} `{}` priority {} {} ({}){at}\n",
                e.nsg.as_deref().unwrap_or("-"),
                e.rule,
                e.priority.map(|p| p.to_string()).unwrap_or_else(|| "?".into()),
                e.access.as_deref().unwrap_or("?"),
                e.role.as_str()
            ));
        }
        if let Some(l) = &f.location {
            out.push_str(&format!("  location: {}:{}:{} {}\n", report.document_name(l), l.line, l.column, l.pointer));
        }
        if let Some(fix) = &f.fix {
            out.push_str(&format!("  fix: {}\n  az: {}\n", fix.summary, fix.az.replace('\n', "\n      ")));
        }
    }
    out
}

pub fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures")
}

/// The documents read as the CLI reads them, and again as the page does: the templates
/// and Terraform documents read elsewhere (`input::wire::prepare`, which the JavaScript
/// API runs for the page's worker) and handed over as bytes. Both models must be the same,
/// field by field.
pub fn read_both(docs: &[Document]) -> amlvnet::model::Model {
    let bytes = amlvnet::input::wire::prepare(docs);
    let translations: Vec<Option<&[u8]>> = bytes.iter().map(|b| b.as_deref()).collect();
    let model = amlvnet::input::read(docs);
    let wired = amlvnet::input::read_with(docs, &translations);
    assert_eq!(format!("{model:?}"), format!("{wired:?}"), "what was read elsewhere and handed over as bytes reads differently");
    model
}

/// `amlvnet::check`, with the models of both ways of reading compared (`read_both`).
pub fn check_both(docs: &[Document], options: &Options) -> Report {
    amlvnet::check_model(&read_both(docs), options)
}
