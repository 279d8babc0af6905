//! The benchmark input, shared by `benches/check.rs`, `benches/terraform.rs` and
//! `examples/instructions.rs` (each uses some of it).

#![allow(dead_code)]

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

pub const SUBNET: &str = r#"{"type": "Microsoft.Network/virtualNetworks/subnets", "name": "snet-train", "properties": {"addressPrefix": "10.20.4.0/24",
  "networkSecurityGroup": {"id": ".../networkSecurityGroups/nsg-train"}, "routeTable": {"id": ".../routeTables/rt-train"},
  "privateEndpointNetworkPolicies": "Disabled", "privateLinkServiceNetworkPolicies": "Disabled"}}"#;
pub const ROUTES: &str = r#"{"type": "Microsoft.Network/routeTables", "name": "rt-train", "properties": {"routes": [
  {"name": "to-fw", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.20.0.4"}},
  {"name": "aml", "properties": {"addressPrefix": "AzureMachineLearning", "nextHopType": "Internet"}},
  {"name": "batch", "properties": {"addressPrefix": "BatchNodeManagement.westus2", "nextHopType": "Internet"}}]}}"#;

/// An NSG of `n` rules whose addresses are lists of public CIDRs (in Azure's ranges), in
/// both directions: with the service-tag prefixes, each is an exact interval cover
/// against the required tags.
pub fn nsg_with_public_cidrs(n: usize) -> String {
    let mut rules = Vec::new();
    for i in 0..n {
        let direction = if i % 2 == 0 { "Inbound" } else { "Outbound" };
        let access = if i % 3 == 0 { "Deny" } else { "Allow" };
        let (a, b) = (i / 250, i % 250);
        let cidrs = format!(r#""20.{a}.{b}.0/24", "40.{a}.{b}.0/25", "52.{a}.{b}.128/25", "13.{}.{b}.0/24""#, 64 + a);
        rules.push(format!(
            r#"{{"name": "r{i}", "properties": {{"priority": {}, "direction": "{direction}", "access": "{access}", "protocol": "Tcp",
               "sourceAddressPrefixes": [{cidrs}], "sourcePortRange": "*", "destinationAddressPrefixes": [{cidrs}], "destinationPortRange": "*"}}}}"#,
            100 + i
        ));
    }
    format!(
        r#"{{"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg-train", "location": "westus2", "properties": {{"securityRules": [{}]}}}}"#,
        rules.join(",\n")
    )
}

/// The three largest Azure Verified Modules templates of `../shared/corpus`, each as a
/// nested deployment (inner scope) of one outer template: 1.7 MB, the size of the largest
/// AVM patterns. `None` when the corpus is absent (a user's fresh clone).
pub fn pattern_template() -> Option<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/bicep-registry-modules");
    let parts = ["avm-ptn-data-private-analytical-workspace-main.json", "avm-ptn-network-hub-networking-main.json", "avm-res-network-nat-gateway-main.json"];
    let mut deployments = Vec::new();
    for (i, name) in parts.iter().enumerate() {
        let inner = std::fs::read_to_string(dir.join(name)).ok()?;
        deployments.push(format!(
            r#"{{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "part{i}",
  "properties": {{"mode": "Incremental", "expressionEvaluationOptions": {{"scope": "inner"}}, "template": {inner}}}}}"#
        ));
    }
    Some(format!(
        r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
 "resources": [{}]}}"#,
        deployments.join(",\n")
    ))
}

/// The ARM twin of `terraform_plan_nsg`: one NSG of `n` inline rules.
pub fn terraform_arm_nsg(n: usize) -> String {
    let rules: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"name":"r{i}","properties":{{"priority":{},"direction":"Outbound","access":"Allow","protocol":"Tcp","sourceAddressPrefix":"*","sourcePortRange":"*","destinationAddressPrefix":"10.{}.{}.0/24","destinationPortRange":"{}"}}}}"#, 100 + i, i / 256, i % 256, 1000 + i))
        .collect();
    format!(r#"{{"type":"Microsoft.Network/networkSecurityGroups","name":"nsg","location":"westus2","properties":{{"securityRules":[{}]}}}}"#, rules.join(","))
}

/// A `terraform show -json` plan of one NSG with `n` inline rules (provider 3.x names).
pub fn terraform_plan_nsg(n: usize) -> String {
    let rules: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"name":"r{i}","priority":{},"direction":"Outbound","access":"Allow","protocol":"Tcp","source_address_prefix":"*","source_address_prefixes":[],"source_port_range":"*","source_port_ranges":[],"destination_address_prefix":"10.{}.{}.0/24","destination_address_prefixes":[],"destination_port_range":"{}","destination_port_ranges":[],"source_application_security_group_ids":[],"destination_application_security_group_ids":[],"description":""}}"#, 100 + i, i / 256, i % 256, 1000 + i))
        .collect();
    let values = format!(r#"{{"name":"nsg","location":"westus2","resource_group_name":"rg","security_rule":[{}]}}"#, rules.join(","));
    format!(
        r#"{{"format_version":"1.2","terraform_version":"1.9.5","planned_values":{{"root_module":{{"resources":[{{"address":"azurerm_network_security_group.nsg","mode":"managed","type":"azurerm_network_security_group","name":"nsg","values":{values}}}]}}}},"resource_changes":[{{"address":"azurerm_network_security_group.nsg","type":"azurerm_network_security_group","name":"nsg","change":{{"actions":["create"],"after":{values},"after_unknown":{{"id":true}}}}}}],"configuration":{{"root_module":{{"resources":[{{"address":"azurerm_network_security_group.nsg","mode":"managed","type":"azurerm_network_security_group","name":"nsg","expressions":{{"name":{{"constant_value":"nsg"}}}}}}]}}}}}}"#
    )
}
