//! A full check of an NSG of N rules (1,000 is Azure's maximum) with its subnet and route
//! table: parsing, linking, every catalogue check, both directions. Run with
//! `cargo bench --bench check`; the figures are in the README.

use amlvnet::{Document, Options};

fn main() {
    divan::main();
}

mod input;
use input::{nsg_with_rules, ROUTES, SUBNET};

#[divan::bench(args = [10, 100, 300, 1000])]
fn full_check(bencher: divan::Bencher, rules: usize) {
    let docs = vec![Document::new("nsg.json", nsg_with_rules(rules)), Document::new("subnet.json", SUBNET), Document::new("rt.json", ROUTES)];
    let options = Options { region: Some("westus2".into()), ..Options::default() };
    bencher.bench(|| amlvnet::check(divan::black_box(&docs), &options));
}

#[divan::bench(args = [1000])]
fn parse_only(bencher: divan::Bencher, rules: usize) {
    let text = nsg_with_rules(rules);
    bencher.bench(|| amlvnet::json::parse(divan::black_box(&text)));
}

#[divan::bench(args = [1000])]
fn json_report(bencher: divan::Bencher, rules: usize) {
    let docs = vec![Document::new("nsg.json", nsg_with_rules(rules)), Document::new("subnet.json", SUBNET), Document::new("rt.json", ROUTES)];
    let report = amlvnet::check(&docs, &Options { region: Some("westus2".into()), ..Options::default() });
    bencher.bench(|| amlvnet::report::json::report(divan::black_box(&report)).compact());
}

/// The checks alone, on documents already read (what a scenario change costs).
#[divan::bench(args = [10, 100, 300, 1000])]
fn checks_only(bencher: divan::Bencher, rules: usize) {
    let docs = vec![Document::new("nsg.json", nsg_with_rules(rules)), Document::new("subnet.json", SUBNET), Document::new("rt.json", ROUTES)];
    let model = amlvnet::input::read(&docs);
    let options = Options { region: Some("westus2".into()), ..Options::default() };
    bencher.bench(|| amlvnet::check_model(divan::black_box(&model), &options));
}

/// The checks on a 1,000-rule NSG whose rules list public CIDRs: every required
/// service-tag flow is an exact cover by the built-in prefixes (spec 5.8).
#[divan::bench(args = [1000])]
fn checks_public_cidrs(bencher: divan::Bencher, rules: usize) {
    let docs = vec![Document::new("nsg.json", input::nsg_with_public_cidrs(rules)), Document::new("subnet.json", SUBNET), Document::new("rt.json", ROUTES)];
    let model = amlvnet::input::read(&docs);
    let options = Options { region: Some("westus2".into()), ..Options::default() };
    bencher.bench(|| amlvnet::check_model(divan::black_box(&model), &options));
}

/// Building the built-in service-tag prefix table (641 tags, 27,000 prefixes), as the
/// CLI does at start and the page when it first needs it.
#[divan::bench]
fn decode_prefix_table(bencher: divan::Bencher) {
    let bytes: &[u8] = include_bytes!("../src/service_tags/prefixes.bin");
    bencher.bench(|| amlvnet::service_tags::TagPrefixes::decode(divan::black_box(bytes)));
}

/// A 1.7 MB compiled pattern template (the size of the largest Azure Verified Modules
/// patterns): the three largest AVM templates of `../shared/corpus`, each a nested
/// deployment of one outer template, read in place. Skipped when `../shared` is absent.
#[divan::bench]
fn pattern_template_1_7_mb(bencher: divan::Bencher) {
    let Some(text) = input::pattern_template() else { return };
    let docs = vec![Document::new("pattern.json", text)];
    bencher.bench(|| amlvnet::check(divan::black_box(&docs), &Options::default()));
}
