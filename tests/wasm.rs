//! The core compiled to wasm, run in headless Chromium (wasm-bindgen-test): the same
//! reports as native on fixtures (the native snapshots are the reference).

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Every fixture case with its native snapshot, listed by `build.rs` from `tests/fixtures`.
const CASES: &[(&str, &str, &str)] = include!(concat!(env!("OUT_DIR"), "/wasm_cases.rs"));

#[wasm_bindgen_test]
fn wasm_reports_equal_native_snapshots() {
    assert!(CASES.len() >= 160);
    for (id, case, snapshot) in CASES {
        let case = common::parse_case(case);
        let report = common::run(&case);
        let mine: Vec<_> = report.findings.iter().filter(|f| f.id == *id).collect();
        let rendered = common::render(&report, &mine);
        // insta snapshots: a header between `---` lines, then the body.
        let body = snapshot.splitn(3, "---\n").nth(2).unwrap_or_default();
        assert_eq!(rendered.trim_end(), body.trim_end(), "{id} differs in wasm");
    }
}
