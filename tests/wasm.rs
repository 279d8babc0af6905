//! The core compiled to wasm, run in headless Chromium (wasm-bindgen-test): the same
//! reports as native on fixtures (the native snapshots are the reference).

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const CASES: &[(&str, &str, &str)] = &[
    ("AML-CMP-004", include_str!("fixtures/AML-CMP-004/below-max.case"), include_str!("snapshots/AML-CMP-004__below-max.snap")),
    ("AML-CMP-004", include_str!("fixtures/AML-CMP-004/below-min.case"), include_str!("snapshots/AML-CMP-004__below-min.snap")),
    ("AML-CMP-004", include_str!("fixtures/AML-CMP-004/room.case"), include_str!("snapshots/AML-CMP-004__room.snap")),
    ("AML-DBX-009", include_str!("fixtures/AML-DBX-009/defaults.case"), include_str!("snapshots/AML-DBX-009__defaults.snap")),
    ("AML-DBX-009", include_str!("fixtures/AML-DBX-009/deny-internet-out.case"), include_str!("snapshots/AML-DBX-009__deny-internet-out.snap")),
    ("AML-DEX-001", include_str!("fixtures/AML-DEX-001/no-policy.case"), include_str!("snapshots/AML-DEX-001__no-policy.snap")),
    ("AML-DEX-001", include_str!("fixtures/AML-DEX-001/policy-with-alias.case"), include_str!("snapshots/AML-DEX-001__policy-with-alias.snap")),
    ("AML-DEX-001", include_str!("fixtures/AML-DEX-001/policy-without-alias.case"), include_str!("snapshots/AML-DEX-001__policy-without-alias.snap")),
    ("AML-INP-004", include_str!("fixtures/AML-INP-004/bad-values.case"), include_str!("snapshots/AML-INP-004__bad-values.snap")),
    ("AML-INP-004", include_str!("fixtures/AML-INP-004/valid.case"), include_str!("snapshots/AML-INP-004__valid.snap")),
    ("AML-INP-005", include_str!("fixtures/AML-INP-005/parameter-without-value.case"), include_str!("snapshots/AML-INP-005__parameter-without-value.snap")),
    ("AML-INP-005", include_str!("fixtures/AML-INP-005/resolvable.case"), include_str!("snapshots/AML-INP-005__resolvable.snap")),
    ("AML-NPIP-002", include_str!("fixtures/AML-NPIP-002/absent.case"), include_str!("snapshots/AML-NPIP-002__absent.snap")),
    ("AML-NPIP-002", include_str!("fixtures/AML-NPIP-002/disabled.case"), include_str!("snapshots/AML-NPIP-002__disabled.snap")),
    ("AML-NPIP-002", include_str!("fixtures/AML-NPIP-002/enabled.case"), include_str!("snapshots/AML-NPIP-002__enabled.snap")),
    (
        "AML-OUT-008",
        include_str!("fixtures/AML-OUT-008/allowed-by-tag-before-deny.case"),
        include_str!("snapshots/AML-OUT-008__allowed-by-tag-before-deny.snap"),
    ),
    ("AML-OUT-008", include_str!("fixtures/AML-OUT-008/default-outbound.case"), include_str!("snapshots/AML-OUT-008__default-outbound.snap")),
    ("AML-OUT-008", include_str!("fixtures/AML-OUT-008/deny-all-outbound.case"), include_str!("snapshots/AML-OUT-008__deny-all-outbound.snap")),
    ("AML-OUT-008", include_str!("fixtures/AML-OUT-008/other-region-storage-only.case"), include_str!("snapshots/AML-OUT-008__other-region-storage-only.snap")),
    ("AML-PIP-001", include_str!("fixtures/AML-PIP-001/allowed.case"), include_str!("snapshots/AML-PIP-001__allowed.snap")),
    ("AML-PIP-001", include_str!("fixtures/AML-PIP-001/defaults-only.case"), include_str!("snapshots/AML-PIP-001__defaults-only.snap")),
    ("AML-PIP-001", include_str!("fixtures/AML-PIP-001/no-nsg.case"), include_str!("snapshots/AML-PIP-001__no-nsg.snap")),
    ("AML-PIP-001", include_str!("fixtures/AML-PIP-001/profile-2023.case"), include_str!("snapshots/AML-PIP-001__profile-2023.snap")),
    (
        "AML-PIP-004",
        include_str!("fixtures/AML-PIP-004/forced-tunnel-with-tag-routes.case"),
        include_str!("snapshots/AML-PIP-004__forced-tunnel-with-tag-routes.snap"),
    ),
    ("AML-PIP-004", include_str!("fixtures/AML-PIP-004/forced-tunnel.case"), include_str!("snapshots/AML-PIP-004__forced-tunnel.snap")),
    ("AML-PIP-004", include_str!("fixtures/AML-PIP-004/no-route-table.case"), include_str!("snapshots/AML-PIP-004__no-route-table.snap")),
    ("AML-PIP-004", include_str!("fixtures/AML-PIP-004/split-default-routes.case"), include_str!("snapshots/AML-PIP-004__split-default-routes.snap")),
    ("AML-VMH-001", include_str!("fixtures/AML-VMH-001/defaults-only.case"), include_str!("snapshots/AML-VMH-001__defaults-only.snap")),
    ("AML-VMH-001", include_str!("fixtures/AML-VMH-001/ssh-allowed.case"), include_str!("snapshots/AML-VMH-001__ssh-allowed.snap")),
];

fn parse_case(text: &str) -> common::Case {
    let mut args = Vec::new();
    let mut expect = String::new();
    let mut documents: Vec<amlvnet::Document> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# args:") {
            args = rest.split_whitespace().map(String::from).collect();
        } else if let Some(rest) = line.strip_prefix("# expect:") {
            expect = rest.trim().to_string();
        } else if let Some(name) = line.strip_prefix("--- ") {
            documents.push(amlvnet::Document::new(name.trim(), String::new()));
        } else if let Some(doc) = documents.last_mut() {
            doc.text.push_str(line);
            doc.text.push('\n');
        }
    }
    common::Case { path: Default::default(), args, expect, documents }
}

#[wasm_bindgen_test]
fn wasm_reports_equal_native_snapshots() {
    assert!(CASES.len() >= 20);
    for (id, case, snapshot) in CASES {
        let case = parse_case(case);
        let report = common::run(&case);
        let mine: Vec<_> = report.findings.iter().filter(|f| f.id == *id).collect();
        let rendered = common::render(&report, &mine);
        // insta snapshots: a header between `---` lines, then the body.
        let body = snapshot.splitn(3, "---\n").nth(2).unwrap_or_default();
        assert_eq!(rendered.trim_end(), body.trim_end(), "{id} differs in wasm");
    }
}
