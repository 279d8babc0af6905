//! The fuzz harness as a bounded test: a fixed number of structure-aware inputs from a
//! seeded generator (`amlvnet::fuzz`), each checked for what must always hold: no panic,
//! a complete report (every check that applies has a finding), and JSON, SARIF and text
//! renderings that our own parser reads back. Longer runs: `cargo fuzz run check` in
//! `fuzz/` (nightly; see the README).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;
use amlvnet::report::{json, sarif, text};

/// xorshift64*: a seeded byte stream.
fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

#[test]
fn generated_inputs_always_give_a_complete_report() {
    let cases = std::env::var("AMLVNET_FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(1500u64);
    let ids: Vec<&str> = amlvnet::rules::catalogue().iter().map(|c| c.id).collect();
    for seed in 0..cases {
        let input = bytes(seed, 512);
        let docs = amlvnet::fuzz::documents(&input);
        let started = std::time::Instant::now();
        let report = common::check_both(&docs, &Default::default());
        let elapsed = started.elapsed();
        assert!(elapsed.as_secs() < 10, "seed {seed}: {elapsed:?}");
        for id in &ids {
            assert!(report.findings.iter().any(|f| f.id == *id), "seed {seed}: no finding for {id}");
        }
        let j = json::report(&report).compact();
        amlvnet::json::parse(&j).unwrap_or_else(|e| panic!("seed {seed}: report JSON: {e}"));
        let s = sarif::render(&report, amlvnet::rules::catalogue()).compact();
        let sarif = amlvnet::json::parse(&s).unwrap_or_else(|e| panic!("seed {seed}: SARIF: {e}"));
        assert_eq!(sarif.get("version").and_then(|v| v.as_str()), Some("2.1.0"));
        assert!(!text::render(&report, false).is_empty());
    }
}
