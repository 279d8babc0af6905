//! The ten rules a naive checker gets wrong (spec section 7), one test each.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use amlvnet::model::ComputeKind;
use amlvnet::report::{Report, Status};
use amlvnet::{Document, Options, Profile};

fn check(docs: &[(&str, &str)], options: Options) -> Report {
    let documents: Vec<Document> = docs.iter().map(|(n, t)| Document::new(*n, *t)).collect();
    amlvnet::check(&documents, &options)
}

fn statuses(report: &Report, id: &str) -> Vec<Status> {
    report.findings.iter().filter(|f| f.id == id).map(|f| f.status).collect()
}

fn opts(region: &str) -> Options {
    Options { region: Some(region.into()), ..Options::default() }
}

fn nsg(rules: &str) -> String {
    format!(r#"{{"name": "nsg-train", "type": "Microsoft.Network/networkSecurityGroups", "location": "westus2", "securityRules": [{rules}]}}"#)
}

fn rule(name: &str, priority: u32, direction: &str, access: &str, src: &str, dst: &str, dport: &str) -> String {
    format!(
        r#"{{"name": "{name}", "priority": {priority}, "direction": "{direction}", "access": "{access}", "protocol": "Tcp",
           "sourceAddressPrefix": "{src}", "sourcePortRange": "*", "destinationAddressPrefix": "{dst}", "destinationPortRange": "{dport}"}}"#
    )
}

const SUBNET_WITH_NSG: &str = r#"{"name": "snet-train", "type": "Microsoft.Network/virtualNetworks/subnets",
  "id": "/subscriptions/1111/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet-train",
  "properties": {"addressPrefix": "10.20.4.0/24", "networkSecurityGroup": {"id": ".../networkSecurityGroups/nsg-train"},
  "privateEndpointNetworkPolicies": "Disabled", "privateLinkServiceNetworkPolicies": "Disabled"}}"#;

#[test]
fn mistake_1_defaults_only_nsg_blocks_public_ip_compute_but_no_nsg_passes() {
    let r = check(&[("nsg.json", &nsg(""))], opts("westus2"));
    assert_eq!(statuses(&r, "AML-PIP-001"), vec![Status::Fail]);
    assert_eq!(statuses(&r, "AML-PIP-002"), vec![Status::Fail]);
    let decided_by = &r.findings.iter().find(|f| f.id == "AML-PIP-001").map(|f| f.evidence.iter().map(|e| e.rule.clone()).collect::<Vec<_>>());
    assert_eq!(decided_by.as_deref(), Some(&["DenyAllInBound".to_string()][..]));
    let no_nsg = r#"{"name": "snet-train", "type": "Microsoft.Network/virtualNetworks/subnets", "properties": {"addressPrefix": "10.20.4.0/24"}}"#;
    let r = check(&[("subnet.json", no_nsg)], opts("westus2"));
    assert_eq!(statuses(&r, "AML-PIP-001"), vec![Status::Pass]);
    assert_eq!(statuses(&r, "AML-PIP-002"), vec![Status::Pass]);
}

#[test]
fn mistake_2_default_rules_are_always_there() {
    // A bare rule list (no defaults in it) with no inbound rule at all: the defaults
    // satisfy the no-public-IP inbound needs.
    let list = format!("[{}]", rule("allow-aad", 300, "Outbound", "Allow", "VirtualNetwork", "AzureActiveDirectory", "443"));
    let r = check(&[("rules.json", &list)], Options { public_ip: Some(false), ..opts("westus2") });
    assert_eq!(statuses(&r, "AML-NPIP-004"), vec![Status::Pass]);
    assert_eq!(statuses(&r, "AML-NPIP-005"), vec![Status::Pass]);
    let f = r.findings.iter().find(|f| f.id == "AML-NPIP-004");
    assert!(f.is_some_and(|f| f.evidence.iter().any(|e| e.rule == "AllowVnetInBound")));
    // A custom deny with a lower number shadows them.
    let shadow = nsg(&rule("deny-vnet", 500, "Inbound", "Deny", "VirtualNetwork", "*", "*"));
    let r = check(&[("nsg.json", &shadow)], Options { public_ip: Some(false), ..opts("westus2") });
    assert_eq!(statuses(&r, "AML-NPIP-004"), vec![Status::Fail]);
}

#[test]
fn mistake_3_virtual_network_includes_udr_prefixes() {
    let rules = [
        rule("allow-vnet-out", 100, "Outbound", "Allow", "VirtualNetwork", "VirtualNetwork", "*"),
        rule("deny-all-out", 4000, "Outbound", "Deny", "*", "*", "*"),
    ]
    .join(",");
    let subnet = r#"{"name": "snet-train", "type": "Microsoft.Network/virtualNetworks/subnets", "properties": {"addressPrefix": "10.20.4.0/24",
        "networkSecurityGroup": {"id": ".../networkSecurityGroups/nsg-train"}, "routeTable": {"id": ".../routeTables/rt"}}}"#;
    let forced = r#"{"name": "rt", "type": "Microsoft.Network/routeTables", "properties": {"routes": [
        {"name": "to-fw", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.4"}}]}}"#;
    let plain = r#"{"name": "rt", "type": "Microsoft.Network/routeTables", "properties": {"routes": []}}"#;
    let with_udr = check(&[("subnet.json", subnet), ("nsg.json", &nsg(&rules)), ("rt.json", forced)], opts("westus2"));
    assert_eq!(statuses(&with_udr, "AML-OUT-008"), vec![Status::Pass], "with a 0.0.0.0/0 UDR, VirtualNetwork covers Storage");
    let without = check(&[("subnet.json", subnet), ("nsg.json", &nsg(&rules)), ("rt.json", plain)], opts("westus2"));
    assert_eq!(statuses(&without, "AML-OUT-008"), vec![Status::Fail]);
}

#[test]
fn mistake_4_internet_contains_azure_service_tags() {
    let deny = nsg(&rule("deny-internet", 4000, "Outbound", "Deny", "*", "Internet", "*"));
    let r = check(&[("nsg.json", &deny)], opts("westus2"));
    for id in ["AML-OUT-001", "AML-OUT-002", "AML-OUT-007", "AML-OUT-008"] {
        assert_eq!(statuses(&r, id), vec![Status::Fail], "{id}");
    }
    let allow_first =
        nsg(&[rule("storage", 200, "Outbound", "Allow", "*", "Storage.westus2", "443"), rule("deny-internet", 4000, "Outbound", "Deny", "*", "Internet", "*")]
            .join(","));
    let r = check(&[("nsg.json", &allow_first)], opts("westus2"));
    assert_eq!(statuses(&r, "AML-OUT-008"), vec![Status::Pass]);
    // The parent tag covers the regional one; another region doesn't.
    let parent =
        nsg(&[rule("storage", 200, "Outbound", "Allow", "*", "Storage", "443"), rule("deny-internet", 4000, "Outbound", "Deny", "*", "Internet", "*")]
            .join(","));
    assert_eq!(statuses(&check(&[("nsg.json", &parent)], opts("westus2")), "AML-OUT-008"), vec![Status::Pass]);
    let other =
        nsg(&[rule("storage", 200, "Outbound", "Allow", "*", "Storage.eastus", "443"), rule("deny-internet", 4000, "Outbound", "Deny", "*", "Internet", "*")]
            .join(","));
    assert_eq!(statuses(&check(&[("nsg.json", &other)], opts("westus2")), "AML-OUT-008"), vec![Status::Fail]);
}

#[test]
fn mistake_5_priority_order_nsg_combination_and_duplicates() {
    // Lower number wins: a deny at 100 beats an allow at 200.
    let rules = [
        rule("allow-batch", 200, "Inbound", "Allow", "BatchNodeManagement", "*", "29876-29877"),
        rule("deny-batch", 100, "Inbound", "Deny", "BatchNodeManagement", "*", "*"),
    ]
    .join(",");
    assert_eq!(statuses(&check(&[("nsg.json", &nsg(&rules))], opts("westus2")), "AML-PIP-001"), vec![Status::Fail]);
    // Subnet NSG allows, NIC NSG (from effective-rules output) denies: both must allow.
    let effective = r#"{"value": [
      {"networkSecurityGroup": {"id": "/subscriptions/1/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-subnet"},
       "association": {"subnet": {"id": "/subscriptions/1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet-train"}, "networkInterface": null},
       "effectiveSecurityRules": [
         {"name": "securityRules/allow-aml", "priority": 130, "direction": "Inbound", "access": "Allow", "protocol": "All", "sourceAddressPrefix": "AzureMachineLearning", "sourcePortRange": "0-65535", "destinationAddressPrefix": "0.0.0.0/0", "destinationPortRange": "44224-44224"},
         {"name": "defaultSecurityRules/DenyAllInBound", "priority": 65500, "direction": "Inbound", "access": "Deny", "protocol": "All", "sourceAddressPrefix": "0.0.0.0/0", "sourcePortRange": "0-65535", "destinationAddressPrefix": "0.0.0.0/0", "destinationPortRange": "0-65535"}]},
      {"networkSecurityGroup": {"id": "/subscriptions/1/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-nic"},
       "association": {"networkInterface": {"id": "/subscriptions/1/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic1"}, "subnet": null},
       "effectiveSecurityRules": [
         {"name": "defaultSecurityRules/DenyAllInBound", "priority": 65500, "direction": "Inbound", "access": "Deny", "protocol": "All", "sourceAddressPrefix": "0.0.0.0/0", "sourcePortRange": "0-65535", "destinationAddressPrefix": "0.0.0.0/0", "destinationPortRange": "0-65535"}]}]}"#;
    let model = amlvnet::input::read(&[Document::new("effective.json", effective)]);
    let subnet_nsg = model.nsgs.iter().find(|n| n.name == "nsg-subnet");
    let nic_nsg = model.nsgs.iter().find(|n| n.name == "nsg-nic");
    assert!(subnet_nsg.is_some() && nic_nsg.is_some());
    let flow = amlvnet::nsg::Flow {
        direction: amlvnet::net::Direction::Inbound,
        protocol: amlvnet::net::Protocol::Tcp,
        source: amlvnet::net::Endpoint::Service { name: "AzureMachineLearning".into(), region: None },
        destination: amlvnet::net::Endpoint::Subnet(vec![]),
        port: 44224,
        source_port: None,
    };
    let both = amlvnet::nsg::evaluate_path(subnet_nsg, nic_nsg, &flow, Default::default());
    assert_eq!(both.status, amlvnet::nsg::FlowStatus::Fail);
    assert_eq!(both.hops.len(), 2, "the subnet NSG allows, so the NIC NSG is consulted");
    let subnet_only = amlvnet::nsg::evaluate_path(subnet_nsg, None, &flow, Default::default());
    assert_eq!(subnet_only.status, amlvnet::nsg::FlowStatus::Pass);
    // Duplicate priorities are invalid input, not a coin toss.
    let dup = [rule("a", 200, "Inbound", "Allow", "*", "*", "22"), rule("b", 200, "Inbound", "Deny", "*", "*", "22")].join(",");
    assert_eq!(statuses(&check(&[("nsg.json", &nsg(&dup))], opts("westus2")), "AML-INP-003"), vec![Status::Fail]);
}

#[test]
fn mistake_6_source_ports_and_synonyms() {
    let swapped = r#"{"name": "aml-in", "priority": 130, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
        "sourceAddressPrefix": "AzureMachineLearning", "sourcePortRange": "44224", "destinationAddressPrefix": "*", "destinationPortRange": "*"}"#;
    let r = check(&[("nsg.json", &nsg(swapped))], opts("westus2"));
    assert_eq!(statuses(&r, "AML-PIP-002"), vec![Status::Fail]);
    let f = r.findings.iter().find(|f| f.id == "AML-PIP-002");
    assert!(f.is_some_and(|f| f.message.contains("swapped")), "names the swapped-port mistake");
    let synonyms = r#"{"name": "aml-in", "priority": 130, "direction": "inbound", "access": "ALLOW", "protocol": "Any",
        "sourceAddressPrefix": "AzureMachineLearning", "sourcePortRange": "0-65535", "destinationAddressPrefix": "0.0.0.0/0",
        "destinationPortRange": null, "destinationPortRanges": ["44224"]}"#;
    assert_eq!(statuses(&check(&[("nsg.json", &nsg(synonyms))], opts("westus2")), "AML-PIP-002"), vec![Status::Pass]);
}

#[test]
fn mistake_7_forced_tunnel_needs_routes_and_npip_needs_egress() {
    let subnet = r#"{"name": "snet-train", "type": "Microsoft.Network/virtualNetworks/subnets", "properties": {"addressPrefix": "10.20.4.0/24",
        "routeTable": {"id": ".../routeTables/rt"}, "privateEndpointNetworkPolicies": "Disabled", "privateLinkServiceNetworkPolicies": "Disabled"}}"#;
    let forced = r#"{"name": "rt", "type": "Microsoft.Network/routeTables", "properties": {"routes": [
        {"name": "to-fw", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.4"}}]}}"#;
    let pip = check(&[("subnet.json", subnet), ("rt.json", forced)], opts("westus2"));
    assert_eq!(statuses(&pip, "AML-PIP-004"), vec![Status::Fail]);
    let npip = check(&[("subnet.json", subnet), ("rt.json", forced)], Options { public_ip: Some(false), ..opts("westus2") });
    assert_eq!(statuses(&npip, "AML-NPIP-008"), vec![Status::Pass]);
    assert_eq!(statuses(&npip, "AML-PIP-004"), vec![Status::NotApplicable]);
    let bare = r#"{"name": "snet-train", "type": "Microsoft.Network/virtualNetworks/subnets", "properties": {"addressPrefix": "10.20.4.0/24"}}"#;
    let npip = check(&[("subnet.json", bare)], Options { public_ip: Some(false), ..opts("westus2") });
    assert_eq!(statuses(&npip, "AML-NPIP-008"), vec![Status::Fail]);
    assert_eq!(statuses(&check(&[("subnet.json", bare)], opts("westus2")), "AML-PIP-004"), vec![Status::Pass]);
}

#[test]
fn mistake_8_private_link_policy_fields() {
    let subnet = |pe: &str, pls: &str| format!(r#"{{"name": "s", "addressPrefix": "10.0.0.0/24", "delegations": [], {pe}{pls} "networkSecurityGroup": null}}"#);
    let npip = || Options { public_ip: Some(false), ..opts("westus2") };
    let r = check(&[("s.json", &subnet("", ""))], npip());
    assert_eq!(statuses(&r, "AML-NPIP-003"), vec![Status::Fail], "absent privateLinkServiceNetworkPolicies means Enabled");
    assert_eq!(statuses(&r, "AML-NPIP-002"), vec![Status::Warn], "absent privateEndpointNetworkPolicies is ambiguous");
    let r = check(
        &[("s.json", &subnet(r#""privateEndpointNetworkPolicies": "NetworkSecurityGroupEnabled","#, r#""privateLinkServiceNetworkPolicies": "Disabled","#))],
        npip(),
    );
    assert_eq!(statuses(&r, "AML-NPIP-002"), vec![Status::Fail]);
    assert_eq!(statuses(&r, "AML-NPIP-003"), vec![Status::Pass]);
    let fix = r.findings.iter().find(|f| f.id == "AML-NPIP-002").and_then(|f| f.fix.clone());
    assert!(fix.is_some_and(|f| f.az.contains("--disable-private-endpoint-network-policies true") && f.arm.compact().contains("\"Disabled\"")));
}

#[test]
fn mistake_9_delegation_fatal_for_aml_required_for_databricks() {
    let subnet = r#"{"name": "databricks-public", "type": "Microsoft.Network/virtualNetworks/subnets", "properties": {"addressPrefix": "10.30.1.0/26",
        "delegations": [{"name": "dbx", "properties": {"serviceName": "Microsoft.Databricks/workspaces"}}]}}"#;
    assert_eq!(statuses(&check(&[("s.json", subnet)], opts("westus2")), "AML-CMP-001"), vec![Status::Fail]);
    let dbx = check(&[("s.json", subnet)], Options { compute: Some(ComputeKind::Databricks), ..opts("westus2") });
    assert_eq!(statuses(&dbx, "AML-DBX-005"), vec![Status::Pass]);
    assert_eq!(statuses(&dbx, "AML-CMP-001"), vec![Status::NotApplicable]);
}

#[test]
fn mistake_10_names_casing_and_sizes() {
    let compute = |key: &str| {
        format!(
            r#"{{"type": "Microsoft.MachineLearningServices/workspaces/computes", "name": "ws/c", "location": "westus2",
               "properties": {{"computeType": "AmlCompute", "properties": {{{key} "subnet": {{"id": ".../subnets/snet-train"}}}}}}}}"#
        )
    };
    let mode = |doc: &str| check(&[("subnet.json", SUBNET_WITH_NSG), ("c.json", doc)], Options::default()).scenario.public_ip;
    assert!(!mode(&compute(r#""enableNodePublicIP": false,"#)));
    assert!(!mode(&compute(r#""ENABLENODEPUBLICIP": "false","#)));
    assert!(mode(&compute("")), "absent means public IP");
    let az_ml = r#"{"name": "cpu", "type": "amlcompute", "location": "westus2", "enable_node_public_ip": false, "max_instances": 4,
        "network_settings": {"subnet": "/subscriptions/1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/snet-train"}}"#;
    assert!(!mode(az_ml));
    let aks = r#"{"type": "Microsoft.ContainerService/managedClusters/agentPools", "name": "aks/np", "properties": {"enableNodePublicIp": false}}"#;
    assert!(mode(aks), "an AKS agent pool is not AML compute");
    // Doc spellings of tags: `Keyvault.<region>` is not a tag Azure has (it rejects the
    // rule, AML-INP-007, naming AzureKeyVault.WestUS2), so the rule proves nothing.
    let kv = nsg(&[rule("kv", 200, "Outbound", "Allow", "*", "Keyvault.westus2", "443"), rule("deny", 4000, "Outbound", "Deny", "*", "*", "*")].join(","));
    let ws = r#"{"type": "Microsoft.MachineLearningServices/workspaces", "name": "ws", "location": "westus2", "properties": {"hbiWorkspace": true}}"#;
    let r = check(&[("nsg.json", &kv), ("ws.json", ws)], Options::default());
    assert!(!statuses(&r, "AML-OUT-015").contains(&Status::Pass));
    assert!(r.findings.iter().any(|f| f.id == "AML-INP-007" && f.status == Status::Fail && f.message.contains("AzureKeyVault.WestUS2")));
    let real =
        nsg(&[rule("kv", 200, "Outbound", "Allow", "*", "azurekeyvault.westus2", "443"), rule("deny", 4000, "Outbound", "Deny", "*", "*", "*")].join(","));
    assert_eq!(statuses(&check(&[("nsg.json", &real), ("ws.json", ws)], Options::default()), "AML-OUT-015"), vec![Status::Pass], "tags are case-insensitive");
    // A /29 holds 3 usable addresses: 2^3 - 5.
    let small = r#"{"name": "s", "type": "Microsoft.Network/virtualNetworks/subnets", "properties": {"addressPrefix": "10.0.0.0/29"}}"#;
    let cluster = r#"{"type": "Microsoft.MachineLearningServices/workspaces/computes", "name": "ws/c", "properties": {"computeType": "AmlCompute",
        "properties": {"subnet": {"id": ".../subnets/s"}, "scaleSettings": {"minNodeCount": 0, "maxNodeCount": 4}}}}"#;
    let r = check(&[("s.json", small), ("c.json", cluster)], Options::default());
    let f = r.findings.iter().find(|f| f.id == "AML-CMP-004");
    assert!(f.is_some_and(|f| f.status == Status::Warn && f.message.contains("3 free addresses")), "{:?}", f.map(|f| &f.message));
    let _ = Profile::Ga2023;
}

#[test]
fn all_fixes_of_one_report_can_be_applied_together() {
    // Deny-all rules in both directions: every required flow fails, so every check
    // proposes a rule, all below 4096 in the same NSG.
    let denies = nsg(&[rule("deny-in", 4096, "Inbound", "Deny", "*", "*", "*"), rule("deny-out", 4096, "Outbound", "Deny", "*", "*", "*")].join(","));
    for public_ip in [true, false] {
        let r = check(&[("nsg.json", &denies)], Options { public_ip: Some(public_ip), region: Some("westus2".into()), ..Options::default() });
        let mut seen: std::collections::HashMap<(String, String), String> = std::collections::HashMap::new();
        let mut names: std::collections::HashMap<String, String> = std::collections::HashMap::new();
        let mut count = 0;
        for f in r.findings.iter().filter_map(|f| f.fix.as_ref()) {
            let words: Vec<&str> = f.az.split_whitespace().collect();
            let arg = |flag: &str| words.iter().position(|w| *w == flag).and_then(|i| words.get(i + 1)).map(|s| s.to_string());
            let (Some(priority), Some(direction), Some(name)) = (arg("--priority"), arg("--direction"), arg("--name")) else { continue };
            count += 1;
            // The same rule may be proposed by two checks; a different rule never shares
            // a priority or a name with it.
            let rule = f.az.clone();
            if let Some(other) = seen.insert((direction.clone(), priority.clone()), rule.clone()) {
                assert_eq!(other, rule, "two different rules at {direction} {priority}");
            }
            if let Some(other) = names.insert(name.clone(), rule.clone()) {
                assert_eq!(other, rule, "two different rules named {name}");
            }
        }
        assert!(count >= 10, "{count} fixes");
    }
}

/// One rule for severities: an uncertain (`warn`) finding is at most a warning, whichever
/// check made it (AML-PIP-001 and AML-CMP-004 once reported `warn` as `error` and `warning`).
#[test]
fn a_warn_finding_is_never_an_error() {
    // A partial allow then the default deny: AML-PIP-001 warns.
    let partial = nsg(&rule("batch-some", 100, "Inbound", "Allow", "52.0.0.0/8", "*", "29876-29877"));
    let r = check(&[("nsg.json", &partial), ("subnet.json", SUBNET_WITH_NSG)], opts("westus2"));
    assert!(r.findings.iter().any(|f| f.status == Status::Warn), "the case has a warn");
    for f in r.findings.iter().filter(|f| f.status == Status::Warn) {
        assert_ne!(f.severity, amlvnet::report::Severity::Error, "{} {}", f.id, f.message);
    }
}

/// The fixes for one NSG come together as one change: every rule once, distinct names
/// and priorities, the az script, the ARM array and the Bicep block all of them.
#[test]
fn fixes_for_one_nsg_combine_into_one_change() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/www/examples/az-nsg-show.json")).unwrap();
    let r = check(&[("az-nsg-show.json", &text)], opts("westus2"));
    let [g] = r.fixes_by_nsg.as_slice() else { panic!("one NSG gets fixes: {:?}", r.fixes_by_nsg) };
    assert!(g.rules.len() >= 2);
    let mut names = g.rules.clone();
    names.dedup();
    assert_eq!(names.len(), g.rules.len(), "each rule once");
    assert_eq!(g.az.lines().count(), g.rules.len());
    let priorities: std::collections::BTreeSet<&str> = g.az.split("--priority ").skip(1).filter_map(|p| p.split_whitespace().next()).collect();
    assert_eq!(priorities.len(), g.rules.len(), "distinct priorities");
    let amlvnet::report::json::J::Arr(arm) = &g.arm else { panic!("an ARM array") };
    assert_eq!(arm.len(), g.rules.len());
    assert_eq!(g.bicep.matches("resource ").count(), g.rules.len());
    let json = amlvnet::report::json::report(&r).compact();
    assert!(json.contains("\"fixes_by_nsg\":[{\"nsg\":\""), "in the JSON report");
    assert!(amlvnet::report::text::render(&r, false).contains("rules the fixes add to NSG"), "in the text report");
}

#[test]
fn a_link_made_by_name_only_is_said_in_every_finding_about_the_subnet() {
    let sub = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Network";
    let compute = format!(
        r#"{{"name": "cpu", "type": "Microsoft.MachineLearningServices/workspaces/computes", "properties": {{"computeType": "AmlCompute",
          "properties": {{"subnet": {{"id": "{sub}/virtualNetworks/vnet/subnets/train"}}, "enableNodePublicIp": false}}}}}}"#
    );
    let subnet = |id: &str| {
        format!(
            r#"{{"name": "train", {id} "type": "Microsoft.Network/virtualNetworks/subnets", "properties": {{"addressPrefix": "10.0.0.0/24",
              "networkSecurityGroup": {{"id": "{sub}/networkSecurityGroups/nsg-train"}}}}}}"#
        )
    };
    let with_ids = check(
        &[("compute.json", &compute), ("subnet.json", &subnet(&format!(r#""id": "{sub}/virtualNetworks/vnet/subnets/train","#))), ("nsg.json", &nsg(""))],
        opts("westus2"),
    );
    let about_subnet =
        |r: &Report| r.findings.iter().filter(|f| f.subject.as_ref().is_some_and(|s| s.name == "train")).map(|f| f.message.clone()).collect::<Vec<_>>();
    let messages = about_subnet(&with_ids);
    assert!(!messages.is_empty());
    // The NSG has no ID: its link is by name, and said; the subnet's is by ID, not said.
    assert!(
        messages.iter().all(|m| m.contains("subnet `train` is linked to NSG `nsg-train` by name only (the two do not both carry a full resource ID)")),
        "{messages:#?}"
    );
    assert!(messages.iter().all(|m| !m.contains("compute `cpu` is linked")), "{messages:#?}");
    let without = check(&[("compute.json", &compute), ("subnet.json", &subnet("")), ("nsg.json", &nsg(""))], opts("westus2"));
    let messages = about_subnet(&without);
    assert!(
        messages.iter().all(|m| m.contains("compute `cpu` is linked to subnet `train` by name only (the two do not both carry a full resource ID)")),
        "{messages:#?}"
    );
}

#[test]
fn template_resources_link_by_the_id_resource_id_gives_them() {
    let template = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
      "resources": [
        {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-05-01", "name": "nsg-train", "location": "westus2", "properties": {"securityRules": []}},
        {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-05-01", "name": "vnet", "location": "westus2",
         "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [{"name": "train", "properties": {"addressPrefix": "10.0.0.0/24",
           "networkSecurityGroup": {"id": "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg-train')]"}}}]}}
      ]}"#;
    let report = check(&[("t.json", template)], opts("westus2"));
    assert!(report.findings.iter().all(|f| !f.message.contains("by name only")), "{:#?}", report.findings.iter().map(|f| &f.message).collect::<Vec<_>>());
    assert!(report.findings.iter().any(|f| f.subject.as_ref().is_some_and(|s| s.name == "train")));
}

#[test]
fn two_subnets_of_one_name_in_two_vnets_are_told_apart() {
    let vnet = |name: &str, prefix: &str| {
        format!(
            r#"{{"name": "{name}", "type": "Microsoft.Network/virtualNetworks", "location": "westus2",
              "id": "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/{name}",
              "properties": {{"addressSpace": {{"addressPrefixes": ["{prefix}/16"]}}, "subnets": [{{"name": "default", "properties": {{"addressPrefix": "{prefix}/24"}}}}]}}}}"#
        )
    };
    let report = check(&[("a.json", &vnet("vnet-a", "10.0.0.0")), ("b.json", &vnet("vnet-b", "10.1.0.0"))], opts("westus2"));
    let subjects: std::collections::BTreeSet<String> =
        report.findings.iter().filter(|f| f.id == "AML-CMP-001").filter_map(|f| f.subject.as_ref().map(|s| s.name.clone())).collect();
    assert_eq!(subjects.into_iter().collect::<Vec<_>>(), ["vnet-a/default", "vnet-b/default"]);
}

#[test]
fn rules_that_could_not_be_read_do_not_push_a_fix_below_priority_100() {
    let template = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
      "parameters": {"rules": {"type": "array"}},
      "resources": [{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-05-01", "name": "nsg-train", "location": "westus2",
                     "properties": {"securityRules": "[parameters('rules')]"}}]}"#;
    let report = check(&[("t.json", template)], opts("westus2"));
    let fixes: Vec<&amlvnet::report::Fix> = report.findings.iter().filter(|f| f.status == Status::Warn).filter_map(|f| f.fix.as_ref()).collect();
    assert!(!fixes.is_empty());
    for fix in fixes {
        assert!(!fix.summary.contains("No priority between"), "{}", fix.summary);
        assert!(fix.summary.contains("whose priority could not be read (AML-INP-005) may still come before it"), "{}", fix.summary);
    }
    let messages: Vec<&str> = report.findings.iter().filter(|f| f.status == Status::Warn && f.id.starts_with("AML-OUT")).map(|f| f.message.as_str()).collect();
    assert!(messages.iter().all(|m| !m.contains("priority ?") && m.contains("`securityRules (not evaluated)` could not be read")), "{messages:#?}");
}
