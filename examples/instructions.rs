//! The benchmark's 1,000-rule NSG, subnet and route table through one stage of the
//! pipeline, for an instruction count that a noisy machine cannot blur:
//!
//! ```sh
//! cargo build --release --example instructions
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/instructions check
//! ```
//!
//! Stages: `none` (building the input only: subtract it), `parse`, `read` (parse and
//! model), `check` (everything, as `amlvnet check` without the output), `cidrs` (the
//! same for a 1,000-rule NSG of public CIDR lists: exact cover by the service-tag
//! prefixes; subtract `cidrs-input`), `tags` (building the prefix table; the first
//! `check` builds it too), `tf-plan` and `tf-arm` (a Terraform plan of a 1,000-rule NSG
//! and the same NSG as ARM). Each runs 3 times.
//! `write DIR` writes the three documents as files instead, for timing the CLI:
//! `hyperfine -N --warmup 5 'target/release/amlvnet check --region westus2 DIR/nsg.json DIR/subnet.json DIR/rt.json'`.

#[path = "../benches/input/mod.rs"]
mod input;

use amlvnet::{Document, Options};

fn main() {
    let stage = std::env::args().nth(1).unwrap_or_else(|| "check".into());
    let docs =
        vec![Document::new("nsg.json", input::nsg_with_rules(1000)), Document::new("subnet.json", input::SUBNET), Document::new("rt.json", input::ROUTES)];
    let options = Options { region: Some("westus2".into()), ..Options::default() };
    if stage == "write" {
        let dir = std::path::PathBuf::from(std::env::args().nth(2).unwrap_or_else(|| ".".into()));
        for d in &docs {
            if let Err(e) = std::fs::write(dir.join(&d.name), &d.text) {
                eprintln!("{}: {e}", dir.join(&d.name).display());
                std::process::exit(1);
            }
        }
        return;
    }
    // `models` (reading both inputs once: subtract it) then `checks` / `cidr-checks`: the
    // checks alone on documents already read, as a scenario change costs.
    let models = matches!(stage.as_str(), "models" | "checks" | "cidr-checks").then(|| {
        (
            amlvnet::input::read(&docs),
            amlvnet::input::read(&[
                Document::new("nsg.json", input::nsg_with_public_cidrs(1000)),
                Document::new("subnet.json", input::SUBNET),
                Document::new("rt.json", input::ROUTES),
            ]),
        )
    });
    let cidrs = vec![
        Document::new("nsg.json", input::nsg_with_public_cidrs(1000)),
        Document::new("subnet.json", input::SUBNET),
        Document::new("rt.json", input::ROUTES),
    ];
    // A Terraform plan of one NSG with 1,000 inline rules and its ARM twin (`tf-plan`,
    // `tf-arm`; subtract `none`): the plan's cost against the same NSG as ARM.
    let tf_plan = vec![Document::new("plan.json", input::terraform_plan_nsg(1000))];
    let tf_arm = vec![Document::new("nsg.json", input::terraform_arm_nsg(1000))];
    for _ in 0..3 {
        match stage.as_str() {
            "none" | "cidrs-input" | "models" => {}
            "checks" => drop(std::hint::black_box(models.as_ref().map(|(m, _)| amlvnet::check_model(m, &options)))),
            "cidr-checks" => drop(std::hint::black_box(models.as_ref().map(|(_, m)| amlvnet::check_model(m, &options)))),
            "cidrs" => drop(std::hint::black_box(amlvnet::check(&cidrs, &options))),
            "tags" => drop(std::hint::black_box(amlvnet::service_tags::TagPrefixes::decode(include_bytes!("../src/service_tags/prefixes.bin")))),
            "parse" => drop(std::hint::black_box(docs.first().map(|d| amlvnet::json::parse(&d.text)))),
            "read" => drop(std::hint::black_box(amlvnet::input::read(&docs))),
            "check" => drop(std::hint::black_box(amlvnet::check(&docs, &options))),
            "tf-plan" => drop(std::hint::black_box(amlvnet::check(&tf_plan, &Options::default()))),
            "tf-arm" => drop(std::hint::black_box(amlvnet::check(&tf_arm, &Options::default()))),
            other => {
                eprintln!("unknown stage {other}: none, parse, read, check, cidrs, models, checks, cidr-checks, tags, tf-plan or tf-arm");
                std::process::exit(2);
            }
        }
    }
}
