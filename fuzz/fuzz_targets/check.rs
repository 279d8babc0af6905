//! libFuzzer's bytes choose the documents (`amlvnet::fuzz`); every input must give a
//! complete report whose JSON and SARIF read back.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let docs = amlvnet::fuzz::documents(data);
    let report = amlvnet::check(&docs, &Default::default());
    for c in amlvnet::rules::catalogue() {
        assert!(report.findings.iter().any(|f| f.id == c.id), "no finding for {}", c.id);
    }
    assert!(amlvnet::json::parse(&amlvnet::report::json::report(&report).compact()).is_ok());
    assert!(amlvnet::json::parse(&amlvnet::report::sarif::render(&report).compact()).is_ok());
});
