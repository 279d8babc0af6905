//! The service-tag prefix table and exact cover, against Azure's published file in
//! `../shared/data/service-tags/` (read in place; skipped when absent, as on a user's
//! fresh clone).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use amlvnet::model::{Nsg, SecurityRule};
use amlvnet::net::{Access, Address, Direction, Endpoint, PortSet, Protocol, Scope, VnetExtent};
use amlvnet::nsg::{evaluate, prepare, Flow, FlowStatus};
use amlvnet::report::Status;
use amlvnet::service_tags::{builtin, TagPrefixes};
use amlvnet::{Document, Options};
use ipnet::IpNet;
use std::path::Path;
use std::sync::OnceLock;

/// The published file's text, or `None` (test skipped) when `../shared` is absent.
fn published() -> Option<&'static str> {
    static TEXT: OnceLock<Option<String>> = OnceLock::new();
    TEXT.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/service-tags/ServiceTags_Public_20251109.json");
        let bytes = std::fs::read(path).ok();
        if bytes.is_none() {
            eprintln!("skipped: ../shared/data/service-tags is absent (a user's fresh clone)");
        }
        bytes.map(|b| amlvnet::input::decode(b).unwrap())
    })
    .as_deref()
}

fn file_table() -> Option<&'static TagPrefixes> {
    static TABLE: OnceLock<Option<TagPrefixes>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            let text = published()?;
            let root = amlvnet::json::parse(text.trim_start_matches('\u{feff}')).unwrap();
            let (table, skipped) = TagPrefixes::from_json(&root).unwrap();
            assert_eq!(skipped, 0);
            Some(table)
        })
        .as_ref()
}

fn v4(table: &TagPrefixes, tag: &str) -> Vec<String> {
    table.get(tag).unwrap().prefixes().iter().filter(|p| matches!(p, IpNet::V4(_))).map(|p| p.to_string()).collect()
}

fn nsg_json(rules: &str) -> String {
    format!(r#"{{"name": "nsg-train", "type": "Microsoft.Network/networkSecurityGroups", "securityRules": [{rules}]}}"#)
}

fn batch_rule(prefixes: &[String]) -> String {
    let list = prefixes.iter().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(", ");
    format!(
        r#"{{"name": "allow-batch-ips", "properties": {{"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
        "sourceAddressPrefixes": [{list}], "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "29876-29877"}}}},
        {{"name": "allow-aml", "properties": {{"priority": 110, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
        "sourceAddressPrefix": "AzureMachineLearning", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "44224"}}}}"#
    )
}

fn pip_001(docs: &[Document], region: &str) -> amlvnet::report::Finding {
    let r = amlvnet::check(docs, &Options { region: Some(region.into()), public_ip: Some(true), ..Options::default() });
    r.findings.into_iter().find(|f| f.id == "AML-PIP-001").unwrap()
}

#[test]
fn the_built_in_table_round_trips_every_prefix_of_every_kept_tag() {
    let Some(file) = file_table() else { return };
    let table = builtin().expect("the CLI build carries the table");
    assert_eq!(table.change_number, 376);
    assert_eq!(file.change_number, 376);
    assert!(table.len() > 600, "the checks' families and AzureCloud, global and regional: {}", table.len());
    let mut prefixes = 0;
    for name in ["AzureMachineLearning", "BatchNodeManagement.WestUS2", "Storage.WestUS2", "AzureCloud", "AzureFrontDoor.FirstParty", "AzureActiveDirectory"] {
        let (a, b) = (table.get(name).unwrap(), file.get(name).unwrap());
        assert_eq!(a.prefixes(), b.prefixes(), "{name}");
        assert_eq!(a.features, b.features, "{name}");
    }
    // And every tag the table keeps, prefix for prefix.
    let mut checked = 0;
    for tag in ["AzureMachineLearning", "BatchNodeManagement", "Storage", "AzureCloud", "AzureKeyVault", "MicrosoftContainerRegistry"] {
        for region in ["", ".WestUS2", ".EastUS", ".NorthEurope", ".JapanEast"] {
            let name = format!("{tag}{region}");
            if let (Some(a), Some(b)) = (table.get(&name), file.get(&name)) {
                assert_eq!(a.prefixes(), b.prefixes(), "{name}");
                prefixes += a.prefixes().len();
                checked += 1;
            }
        }
    }
    assert!(checked > 20 && prefixes > 10_000, "{checked} tags, {prefixes} prefixes");
    assert!(table.get("Sql").is_none(), "families the checks don't name are left out of the built-in table");
}

#[test]
fn a_rule_listing_the_regions_batch_prefixes_passes_for_that_region_only() {
    let Some(file) = file_table() else { return };
    let all: Vec<String> = file.get("BatchNodeManagement.WestUS2").unwrap().prefixes().iter().map(|p| p.to_string()).collect();
    assert_eq!(all.len(), 13, "the README of the data says 13");
    let batch = v4(file, "BatchNodeManagement.WestUS2");
    assert_eq!(batch.len(), 12, "twelve of them IPv4");
    let doc = Document::new("nsg.json", nsg_json(&batch_rule(&all)));
    let f = pip_001(std::slice::from_ref(&doc), "westus2");
    assert_eq!(f.status, Status::Pass, "{}", f.message);
    assert!(f.message.contains("allow-batch-ips"), "{}", f.message);
    // Another region's Batch addresses: the rule doesn't carry the flow.
    let f = pip_001(&[doc], "eastus");
    assert_ne!(f.status, Status::Pass, "{}", f.message);
    // Eleven of the twelve IPv4 prefixes: partial, and the finding names what is left.
    let doc = Document::new("nsg.json", nsg_json(&batch_rule(&batch[..11])));
    let f = pip_001(&[doc], "westus2");
    assert_eq!(f.status, Status::Warn, "{}", f.message);
    assert!(f.message.contains("covers 11 of the 12 IPv4 prefixes of BatchNodeManagement.WestUS2"), "{}", f.message);
    assert!(f.message.contains(&batch[11]), "names an uncovered prefix: {}", f.message);
}

fn rule(name: &str, access: Access, destination: Vec<Address>) -> SecurityRule {
    SecurityRule {
        name: name.into(),
        priority: Some(100),
        direction: Some(Direction::Outbound),
        access: Some(access),
        protocol: Some(Protocol::Any),
        source: vec![Address::Any],
        source_ports: PortSet::all(),
        destination,
        destination_ports: PortSet::all(),
        is_default: false,
        valid: true,
        loc: None,
    }
}

fn outbound(destination: Endpoint) -> Flow {
    Flow {
        direction: Direction::Outbound,
        protocol: Protocol::Tcp,
        source: Endpoint::Prefixes(vec!["10.0.0.4/32".parse().unwrap()]),
        destination,
        port: 443,
        source_port: None,
    }
}

fn decide(rules: Vec<SecurityRule>, flow: &Flow, tags: Option<&TagPrefixes>) -> (FlowStatus, String) {
    let mut n = Nsg { name: "n".into(), rules, ..Nsg::default() };
    prepare(&mut n);
    let v = evaluate(&n, flow, Scope { vnet: VnetExtent::default(), tags });
    (v.status, v.deciding.map(|i| n.rules[i].name.clone()).unwrap_or_default())
}

#[test]
fn azure_cloud_against_a_regional_storage_tag_is_exact() {
    let Some(file) = file_table() else { return };
    let storage = Endpoint::Service { name: "Storage".into(), region: Some(amlvnet::net::Region::Named("westus2".into())) };
    let deny_cloud = || vec![rule("deny-azurecloud", Access::Deny, vec!["AzureCloud".parse_address()])];
    assert_eq!(decide(deny_cloud(), &outbound(storage.clone()), Some(file)), (FlowStatus::Fail, "deny-azurecloud".into()));
    assert_eq!(decide(deny_cloud(), &outbound(storage.clone()), None).0, FlowStatus::Warn, "without data: unknown");
    // AzureCloud of another region misses Storage.WestUS2 entirely.
    let (status, decider) = decide(vec![rule("deny-eastus", Access::Deny, vec!["AzureCloud.eastus".parse_address()])], &outbound(storage), Some(file));
    assert_eq!((status, decider.as_str()), (FlowStatus::Pass, "AllowInternetOutBound"));
}

#[test]
fn ipv6_rules_and_flows() {
    let Some(file) = file_table() else { return };
    let six: Vec<Address> = file.get("Storage.WestUS2").unwrap().prefixes().iter().filter(|p| matches!(p, IpNet::V6(_))).map(|p| Address::Prefix(*p)).collect();
    assert!(!six.is_empty());
    // IPv6 prefixes alone don't touch the IPv4 addresses the compute uses.
    let storage = Endpoint::Service { name: "Storage".into(), region: Some(amlvnet::net::Region::Named("westus2".into())) };
    assert_eq!(decide(vec![rule("deny-v6", Access::Deny, six.clone())], &outbound(storage), Some(file)).1, "AllowInternetOutBound");
    // A dual-stack destination inside them is matched by them.
    let inside = match six.first() {
        Some(Address::Prefix(IpNet::V6(n))) => Endpoint::Prefixes(vec![IpNet::V6(ipnet::Ipv6Net::new(n.network(), 128).unwrap())]),
        _ => unreachable!(),
    };
    assert_eq!(decide(vec![rule("deny-v6", Access::Deny, six)], &outbound(inside.clone()), Some(file)), (FlowStatus::Fail, "deny-v6".into()));
    // And the tag matches it too, by the data.
    let tag = vec![rule("deny-tag", Access::Deny, vec!["Storage.WestUS2".parse_address()])];
    assert_eq!(decide(tag, &outbound(inside), Some(file)), (FlowStatus::Fail, "deny-tag".into()));
}

#[test]
fn pasted_service_tag_data_wins_and_is_named() {
    let Some(text) = published() else { return };
    let nsg = Document::new("nsg.json", nsg_json(""));
    let r = amlvnet::check(&[nsg.clone(), Document::new("ServiceTags_Public_20251109.json", text)], &Options::default());
    assert_eq!(r.service_tags.source, "ServiceTags_Public_20251109.json");
    assert_eq!(r.service_tags.change_number, 376);
    assert!(r.service_tags.prefixes);
    assert_eq!(r.documents[1].shape, "service-tags");
    assert!(!r.findings.iter().any(|f| f.id == "AML-INP-002" && f.status != Status::Pass), "the data is not an unrecognised document");
    let r = amlvnet::check(&[nsg], &Options::default());
    assert_eq!(r.service_tags.source, "built-in");
}

trait ParseAddress {
    fn parse_address(&self) -> Address;
}
impl ParseAddress for str {
    fn parse_address(&self) -> Address {
        Address::parse(self).unwrap()
    }
}

fn pip_004(routes: &[(String, &str)], region: &str) -> amlvnet::report::Finding {
    let subnet = r#"{"name": "snet-train", "type": "Microsoft.Network/virtualNetworks/subnets", "properties": {"addressPrefix": "10.20.4.0/24",
        "routeTable": {"id": ".../routeTables/rt"}}}"#;
    let mut list = vec![
        r#"{"name": "to-fw", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.4"}}"#.to_string(),
    ];
    for (i, (prefix, hop)) in routes.iter().enumerate() {
        list.push(format!(r#"{{"name": "r{i}", "properties": {{"addressPrefix": "{prefix}", "nextHopType": "{hop}"}}}}"#));
    }
    let rt = format!(r#"{{"name": "rt", "type": "Microsoft.Network/routeTables", "properties": {{"routes": [{}]}}}}"#, list.join(","));
    let r = amlvnet::check(
        &[Document::new("subnet.json", subnet), Document::new("rt.json", rt)],
        &Options { region: Some(region.into()).filter(|r: &String| !r.is_empty()), public_ip: Some(true), ..Options::default() },
    );
    r.findings.into_iter().find(|f| f.id == "AML-PIP-004").unwrap()
}

#[test]
fn forced_tunnel_ip_routes_are_checked_against_the_region_and_its_pair() {
    let Some(file) = file_table() else { return };
    let internet = |tags: &[&str]| -> Vec<(String, &'static str)> { tags.iter().flat_map(|t| v4(file, t)).map(|p| (p, "Internet")).collect() };
    // AML of West US 2 and its pair West Central US, Batch of West US 2: covered.
    let full = internet(&["AzureMachineLearning.WestUS2", "AzureMachineLearning.WestCentralUS", "BatchNodeManagement.WestUS2"]);
    let f = pip_004(&full, "westus2");
    assert_eq!(f.status, Status::Pass, "{}", f.message);
    // Without the paired region's AML addresses: partial.
    let f = pip_004(&internet(&["AzureMachineLearning.WestUS2", "BatchNodeManagement.WestUS2"]), "westus2");
    assert_eq!(f.status, Status::Warn, "{}", f.message);
    assert!(f.message.contains("westcentralus"), "{}", f.message);
    // A more specific route back to the firewall takes part of an Internet route.
    let mut stolen = full.clone();
    let first = v4(file, "BatchNodeManagement.WestUS2").remove(0);
    let inner = first.parse::<IpNet>().unwrap();
    let narrower = IpNet::new(inner.network(), inner.prefix_len().saturating_add(1).min(32)).unwrap();
    stolen.push((narrower.to_string(), "VirtualAppliance"));
    assert_eq!(pip_004(&stolen, "westus2").status, Status::Warn);
    // Another region's addresses: nothing covered.
    let f = pip_004(&internet(&["AzureMachineLearning.EastUS", "BatchNodeManagement.EastUS"]), "westus2");
    assert_eq!(f.status, Status::Fail, "{}", f.message);
    // Region unknown: unverifiable, never pass.
    let f = pip_004(&full, "");
    assert_eq!(f.status, Status::Warn, "{}", f.message);
}
