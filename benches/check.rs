//! A full check of an NSG of N rules (1,000 is Azure's maximum) with its subnet and route
//! table: parsing, linking, every catalogue check, both directions. Run with
//! `cargo bench --bench check`; the figures are in the README.

use amlvnet::{Document, Options};

fn main() {
    divan::main();
}

/// An NSG whose rules never match the required flows, so every evaluation scans them all,
/// then the management allows and an outbound deny.
pub fn nsg_with_rules(n: usize) -> String {
    let mut rules = Vec::new();
    for i in 0..n.saturating_sub(3) {
        let direction = if i % 2 == 0 { "Inbound" } else { "Outbound" };
        let access = if i % 3 == 0 { "Deny" } else { "Allow" };
        rules.push(format!(
            r#"{{"name": "r{i}", "properties": {{"priority": {}, "direction": "{direction}", "access": "{access}", "protocol": "Tcp",
               "sourceAddressPrefix": "10.{}.{}.0/24", "sourcePortRange": "*", "destinationAddressPrefixes": ["10.200.0.0/24", "10.201.0.0/24"],
               "destinationPortRanges": ["{}", "{}-{}"]}}}}"#,
            100 + i,
            i / 250,
            i % 250,
            1000 + i % 500,
            2000 + i % 100,
            2100 + i % 100
        ));
    }
    rules.push(r#"{"name": "batch", "properties": {"priority": 4094, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "BatchNodeManagement", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "29876-29877"}}"#.into());
    rules.push(r#"{"name": "aml", "properties": {"priority": 4095, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "AzureMachineLearning", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "44224"}}"#.into());
    rules.push(r#"{"name": "deny-out", "properties": {"priority": 4096, "direction": "Outbound", "access": "Deny", "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "Internet", "destinationPortRange": "*"}}"#.into());
    format!(
        r#"{{"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg-train", "location": "westus2", "properties": {{"securityRules": [{}]}}}}"#,
        rules.join(",\n")
    )
}

const SUBNET: &str = r#"{"type": "Microsoft.Network/virtualNetworks/subnets", "name": "snet-train", "properties": {"addressPrefix": "10.20.4.0/24",
  "networkSecurityGroup": {"id": ".../networkSecurityGroups/nsg-train"}, "routeTable": {"id": ".../routeTables/rt-train"},
  "privateEndpointNetworkPolicies": "Disabled", "privateLinkServiceNetworkPolicies": "Disabled"}}"#;
const ROUTES: &str = r#"{"type": "Microsoft.Network/routeTables", "name": "rt-train", "properties": {"routes": [
  {"name": "to-fw", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.20.0.4"}},
  {"name": "aml", "properties": {"addressPrefix": "AzureMachineLearning", "nextHopType": "Internet"}},
  {"name": "batch", "properties": {"addressPrefix": "BatchNodeManagement.westus2", "nextHopType": "Internet"}}]}}"#;

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
    bencher.bench(|| amlvnet::check_model(divan::black_box(&model), &options, false));
}
