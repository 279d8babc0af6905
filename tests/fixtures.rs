//! Fixture suite: a folder per check ID under `tests/fixtures`, each case snapshotted.
//!
//! A case's `# expect:` status must be what the check reports for it: for `pass`, every
//! finding of the ID passes; for any other status, at least one finding has it. Every
//! catalogue ID must have its folder, with cases of at least two different statuses, and
//! complete docs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use amlvnet::report::Status;
use amlvnet::rules::catalogue;
use common::*;

/// The IDs of the spec (`requirements.md`), copied so that a fresh clone without the
/// shared folder still checks them; `spec_ids_match` compares with the spec when present.
const SPEC_IDS: &[&str] = &[
    "AML-CMP-001",
    "AML-CMP-002",
    "AML-CMP-003",
    "AML-CMP-004",
    "AML-CMP-005",
    "AML-CMP-006",
    "AML-CMP-007",
    "AML-CMP-008",
    "AML-CMP-009",
    "AML-CMP-010",
    "AML-CMP-011",
    "AML-CMP-012",
    "AML-CMP-013",
    "AML-CMP-014",
    "AML-CMP-015",
    "AML-DBX-001",
    "AML-DBX-002",
    "AML-DBX-003",
    "AML-DBX-004",
    "AML-DBX-005",
    "AML-DBX-006",
    "AML-DBX-007",
    "AML-DBX-008",
    "AML-DBX-009",
    "AML-DET-001",
    "AML-DET-002",
    "AML-DET-003",
    "AML-DEX-001",
    "AML-INP-001",
    "AML-INP-002",
    "AML-INP-003",
    "AML-INP-004",
    "AML-INP-005",
    "AML-INP-006",
    "AML-INP-007",
    "AML-INP-008",
    "AML-NPIP-001",
    "AML-NPIP-002",
    "AML-NPIP-003",
    "AML-NPIP-004",
    "AML-NPIP-005",
    "AML-NPIP-006",
    "AML-NPIP-007",
    "AML-NPIP-008",
    "AML-NPIP-009",
    "AML-NPIP-010",
    "AML-NPIP-011",
    "AML-NPIP-012",
    "AML-NPIP-013",
    "AML-NPIP-014",
    "AML-OUT-001",
    "AML-OUT-002",
    "AML-OUT-003",
    "AML-OUT-004",
    "AML-OUT-005",
    "AML-OUT-006",
    "AML-OUT-007",
    "AML-OUT-008",
    "AML-OUT-009",
    "AML-OUT-010",
    "AML-OUT-011",
    "AML-OUT-012",
    "AML-OUT-013",
    "AML-OUT-014",
    "AML-OUT-015",
    "AML-PIP-001",
    "AML-PIP-002",
    "AML-PIP-003",
    "AML-PIP-004",
    "AML-PIP-005",
    "AML-PIP-006",
    "AML-UDR-003",
    "AML-UDR-004",
    "AML-VMH-001",
    "AML-VMH-002",
    "AML-VMH-003",
    "AML-VMH-004",
    "AML-VMH-005",
];

#[test]
fn every_spec_id_is_implemented_documented_and_has_fixtures() {
    let checks = catalogue();
    let mut problems = Vec::new();
    for id in SPEC_IDS {
        let Some(check) = checks.iter().find(|c| c.id == *id) else {
            problems.push(format!("{id}: not in the catalogue"));
            continue;
        };
        let d = &check.docs;
        for (section, text) in [("what", d.what), ("why", d.why), ("example", d.example), ("fix", d.fix), ("source", d.source)] {
            if text.trim().len() < 10 {
                problems.push(format!("{id}: docs section `{section}` is missing"));
            }
        }
        if check.name.is_empty() || !check.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            problems.push(format!("{id}: name `{}` is not kebab-case", check.name));
        }
        let dir = fixture_root().join(id);
        let cases: Vec<_> =
            std::fs::read_dir(&dir).map(|r| r.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "case")).collect()).unwrap_or_default();
        let statuses: std::collections::BTreeSet<String> = cases.iter().map(|p| read_case(p).expect).collect();
        // Advice checks of every scenario can only say `info`; they need two cases.
        let always_info = check.severity == amlvnet::report::Severity::Info && check.scope == amlvnet::rules::scope::ALL;
        if statuses.len() < 2 && !(always_info && cases.len() >= 2) {
            problems.push(format!("{id}: needs fixtures with at least two different expected statuses (has {statuses:?})"));
        }
        if check.severity != amlvnet::report::Severity::Info && !(statuses.contains("pass") && statuses.iter().any(|s| s != "pass" && s != "not_applicable")) {
            problems.push(format!("{id}: needs a passing and a failing fixture (has {statuses:?})"));
        }
    }
    for c in checks {
        if !SPEC_IDS.contains(&c.id) {
            problems.push(format!("{}: in the catalogue but not in the spec", c.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn spec_ids_match() {
    let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/spec/requirements.md");
    let Ok(text) = std::fs::read_to_string(&spec) else {
        eprintln!("skipped: ../shared/spec/requirements.md is absent (a user's fresh clone)");
        return;
    };
    let mut ids: Vec<String> = Vec::new();
    let bytes: Vec<char> = text.chars().collect();
    let s: String = bytes.iter().collect();
    for (i, _) in s.match_indices("AML-") {
        let rest: String = s[i..].chars().take(13).collect();
        let id: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        let parts: Vec<&str> = id.split('-').collect();
        if parts.len() == 3 && parts[2].len() == 3 && parts[2].chars().all(|c| c.is_ascii_digit()) && !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids.sort();
    let mut ours: Vec<String> = SPEC_IDS.iter().map(|s| s.to_string()).collect();
    ours.sort();
    assert_eq!(ids, ours, "the spec's IDs changed");
}

#[test]
fn fixtures() {
    let mut failures = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(fixture_root()).map(|r| r.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect()).unwrap_or_default();
    dirs.sort();
    let mut count = 0;
    for dir in dirs {
        let id = dir.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let mut cases: Vec<_> =
            std::fs::read_dir(&dir).map(|r| r.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "case")).collect()).unwrap_or_default();
        cases.sort();
        for path in cases {
            count += 1;
            let case = read_case(&path);
            let report = run(&case);
            let mine: Vec<_> = report.findings.iter().filter(|f| f.id == id).collect();
            let statuses: Vec<Status> = mine.iter().map(|f| f.status).collect();
            let ok = match case.expect.as_str() {
                "pass" => !mine.is_empty() && mine.iter().all(|f| f.status == Status::Pass),
                other => mine.iter().any(|f| f.status.as_str() == other),
            };
            let label = path.file_stem().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            if !ok {
                failures.push(format!("{id}/{label}: expected {} but got {:?}\n{}", case.expect, statuses, render(&report, &mine)));
            }
            insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
                insta::assert_snapshot!(format!("{id}__{label}"), render(&report, &mine));
            });
        }
    }
    assert!(count > 150, "only {count} fixture cases");
    assert!(failures.is_empty(), "{} fixture(s) failed:\n{}", failures.len(), failures.join("\n"));
}
