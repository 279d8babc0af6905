//! A Terraform plan of one NSG with 1,000 inline rules against the equivalent ARM
//! resource: the plan is checked within 1.5 times the ARM document's time (issue
//! "Terraform: …"). Run with `cargo bench --bench terraform`; figures in the README.

use amlvnet::{Document, Options};

fn main() {
    divan::main();
}

const N: usize = 1_000;

fn arm() -> String {
    let rules: Vec<String> = (0..N)
        .map(|i| format!(r#"{{"name":"r{i}","properties":{{"priority":{},"direction":"Outbound","access":"Allow","protocol":"Tcp","sourceAddressPrefix":"*","sourcePortRange":"*","destinationAddressPrefix":"10.{}.{}.0/24","destinationPortRange":"{}"}}}}"#, 100 + i, i / 256, i % 256, 1000 + i))
        .collect();
    format!(r#"{{"type":"Microsoft.Network/networkSecurityGroups","name":"nsg","location":"westus2","properties":{{"securityRules":[{}]}}}}"#, rules.join(","))
}

fn plan() -> String {
    let rules: Vec<String> = (0..N)
        .map(|i| format!(r#"{{"name":"r{i}","priority":{},"direction":"Outbound","access":"Allow","protocol":"Tcp","source_address_prefix":"*","source_address_prefixes":[],"source_port_range":"*","source_port_ranges":[],"destination_address_prefix":"10.{}.{}.0/24","destination_address_prefixes":[],"destination_port_range":"{}","destination_port_ranges":[],"source_application_security_group_ids":[],"destination_application_security_group_ids":[],"description":""}}"#, 100 + i, i / 256, i % 256, 1000 + i))
        .collect();
    let values = format!(r#"{{"name":"nsg","location":"westus2","resource_group_name":"rg","security_rule":[{}]}}"#, rules.join(","));
    format!(
        r#"{{"format_version":"1.2","terraform_version":"1.9.5","planned_values":{{"root_module":{{"resources":[{{"address":"azurerm_network_security_group.nsg","mode":"managed","type":"azurerm_network_security_group","name":"nsg","values":{values}}}]}}}},"resource_changes":[{{"address":"azurerm_network_security_group.nsg","type":"azurerm_network_security_group","name":"nsg","change":{{"actions":["create"],"after":{values},"after_unknown":{{"id":true}}}}}}],"configuration":{{"root_module":{{"resources":[{{"address":"azurerm_network_security_group.nsg","mode":"managed","type":"azurerm_network_security_group","name":"nsg","expressions":{{"name":{{"constant_value":"nsg"}}}}}}]}}}}}}"#
    )
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
