//! A Terraform plan of one NSG with 1,000 inline rules against the equivalent ARM
//! resource: the plan is checked within 1.5 times the ARM document's time (issue
//! "Terraform: …"). Run with `cargo bench --bench terraform`; figures in the README.

use amlvnet::{Document, Options};

fn main() {
    divan::main();
}

const N: usize = 1_000;

mod input;

fn arm() -> String {
    input::terraform_arm_nsg(N)
}

fn plan() -> String {
    input::terraform_plan_nsg(N)
}

#[divan::bench]
fn check_arm_nsg_1000_rules(bencher: divan::Bencher) {
    let docs = vec![Document::new("nsg.json", arm())];
    bencher.bench(|| amlvnet::check(divan::black_box(&docs), &Options::default()));
}

#[divan::bench]
fn check_terraform_plan_1000_rules(bencher: divan::Bencher) {
    let docs = vec![Document::new("plan.json", plan())];
    bencher.bench(|| amlvnet::check(divan::black_box(&docs), &Options::default()));
}

#[divan::bench]
fn parse_terraform_plan_1000_rules(bencher: divan::Bencher) {
    let text = plan();
    bencher.bench(|| amlvnet::json::parse(divan::black_box(&text)).is_ok());
}

#[divan::bench]
fn read_terraform_plan_1000_rules(bencher: divan::Bencher) {
    let docs = vec![Document::new("plan.json", plan())];
    bencher.bench(|| amlvnet::input::read(divan::black_box(&docs)));
}

#[divan::bench]
fn read_arm_nsg_1000_rules(bencher: divan::Bencher) {
    let docs = vec![Document::new("nsg.json", arm())];
    bencher.bench(|| amlvnet::input::read(divan::black_box(&docs)));
}
