//! Every input shape of spec section 5, parsed from a realistic document.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;
use amlvnet::input::read;
use amlvnet::model::{ComputeKind, Model};
use amlvnet::Document;

fn model(docs: &[(&str, &str)]) -> Model {
    read(&docs.iter().map(|(n, t)| Document::new(*n, *t)).collect::<Vec<_>>())
}

fn shape(m: &Model, i: usize) -> String {
    m.documents.get(i).map(|d| d.shape.id().to_string()).unwrap_or_default()
}

const DEFAULTS: &str = r#"
    {"name": "AllowVnetInBound", "priority": 65000, "direction": "Inbound", "access": "Allow", "protocol": "*", "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*", "destinationAddressPrefix": "VirtualNetwork", "destinationPortRange": "*", "sourceAddressPrefixes": [], "destinationAddressPrefixes": [], "sourcePortRanges": [], "destinationPortRanges": [], "type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules"},
    {"name": "AllowAzureLoadBalancerInBound", "priority": 65001, "direction": "Inbound", "access": "Allow", "protocol": "*", "sourceAddressPrefix": "AzureLoadBalancer", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*", "type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules"},
    {"name": "DenyAllInBound", "priority": 65500, "direction": "Inbound", "access": "Deny", "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*", "type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules"},
    {"name": "AllowVnetOutBound", "priority": 65000, "direction": "Outbound", "access": "Allow", "protocol": "*", "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*", "destinationAddressPrefix": "VirtualNetwork", "destinationPortRange": "*", "type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules"},
    {"name": "AllowInternetOutBound", "priority": 65001, "direction": "Outbound", "access": "Allow", "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "Internet", "destinationPortRange": "*", "type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules"},
    {"name": "DenyAllOutBound", "priority": 65500, "direction": "Outbound", "access": "Deny", "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*", "type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules"}"#;

#[test]
fn arm_resource_nsg_with_rules_and_positions() {
    let text = r#"{
  "type": "Microsoft.Network/networkSecurityGroups",
  "name": "snet-train-nsg",
  "id": "/subscriptions/1111/resourceGroups/rg-ml/providers/Microsoft.Network/networkSecurityGroups/snet-train-nsg",
  "location": "westus2",
  "properties": {
    "securityRules": [
      {
        "name": "batch-mgmt-in",
        "properties": {
          "priority": 200, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
          "sourceAddressPrefix": "BatchNodeManagement", "sourcePortRange": "*",
          "destinationAddressPrefix": "VirtualNetwork", "destinationPortRanges": ["29876-29877"]
        }
      }
    ],
    "subnets": [ { "id": ".../virtualNetworks/vnet-ml/subnets/snet-train" } ]
  }
}"#;
    let m = model(&[("nsg.json", text)]);
    assert_eq!(shape(&m, 0), "arm-resource");
    let nsg = &m.nsgs[0];
    assert_eq!(nsg.name, "snet-train-nsg");
    assert!(nsg.defaults_added, "defaults are added when absent");
    assert_eq!(nsg.rules.len(), 7);
    let rule = nsg.rules.iter().find(|r| r.name == "batch-mgmt-in").expect("rule");
    let loc = rule.loc.clone().expect("loc");
    assert_eq!((loc.line, loc.column, loc.pointer.as_str()), (8, 7, "/properties/securityRules/0"));
    assert_eq!(rule.destination_ports.to_string(), "29876-29877");
    assert_eq!(nsg.attached_subnets.len(), 1);
    assert!(m.issues.is_empty(), "{:?}", m.issues);
}

#[test]
fn az_nsg_show_with_all_defaults() {
    let text = format!(
        r#"{{"name": "nsg", "resourceGroup": "rg", "location": "westus2", "type": "Microsoft.Network/networkSecurityGroups",
        "securityRules": [{{"name": "aml", "priority": 210, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "AzureMachineLearning", "sourceAddressPrefixes": [], "sourcePortRange": "*", "sourcePortRanges": [], "destinationAddressPrefix": "*", "destinationAddressPrefixes": [], "destinationPortRange": "44224", "destinationPortRanges": [], "type": "Microsoft.Network/networkSecurityGroups/securityRules"}}],
        "defaultSecurityRules": [{DEFAULTS}], "subnets": [{{"id": ".../subnets/snet-train", "resourceGroup": "rg"}}]}}"#
    );
    let m = model(&[("nsg.json", &text)]);
    assert_eq!(shape(&m, 0), "az-nsg-show");
    assert!(!m.nsgs[0].defaults_added);
    assert_eq!(m.nsgs[0].rules.len(), 7, "six defaults from the input, none added twice");
    assert!(m.issues.is_empty(), "{:?}", m.issues);
}

#[test]
fn az_nsg_rule_list_with_and_without_include_default() {
    let rule = r#"{"name": "allow-aad", "priority": 300, "direction": "Outbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*", "destinationAddressPrefix": "AzureActiveDirectory", "destinationPortRanges": ["80", "443"], "destinationPortRange": null}"#;
    let m = model(&[("rules.json", &format!("[{rule}]"))]);
    assert_eq!(shape(&m, 0), "az-nsg-rule-list");
    assert_eq!(m.nsgs[0].rules.len(), 7);
    assert!(m.nsgs[0].from_rule_list);
    let m = model(&[("rules.json", &format!("[{rule},{DEFAULTS}]"))]);
    assert_eq!(m.nsgs[0].rules.len(), 7, "--include-default appends the defaults; they are not added again");
    assert!(!m.nsgs[0].defaults_added);
}

#[test]
fn az_subnet_show_and_vnet_with_inline_subnets() {
    let subnet = r#"{"name": "snet-train", "addressPrefix": "10.20.4.0/24",
      "delegations": [{"name": "aci", "serviceName": "Microsoft.ContainerInstance/containerGroups", "actions": ["Microsoft.Network/virtualNetworks/subnets/action"], "type": "Microsoft.Network/virtualNetworks/subnets/delegations"}],
      "networkSecurityGroup": {"id": ".../networkSecurityGroups/snet-train-nsg", "resourceGroup": "rg-ml"}, "natGateway": null, "routeTable": null,
      "privateEndpointNetworkPolicies": "Enabled", "privateLinkServiceNetworkPolicies": "Enabled", "serviceEndpoints": [],
      "ipConfigurations": [{"id": ".../networkInterfaces/nic-a/ipConfigurations/ipconfig1", "resourceGroup": "rg-ml"}],
      "resourceGroup": "rg-ml", "type": "Microsoft.Network/virtualNetworks/subnets"}"#;
    let vnet = r#"{"type": "Microsoft.Network/virtualNetworks", "name": "vnet-ml", "id": "/subscriptions/1111/resourceGroups/rg-ml/providers/Microsoft.Network/virtualNetworks/vnet-ml", "location": "westus2",
      "properties": {"addressSpace": {"addressPrefixes": ["10.20.0.0/16"]}, "dhcpOptions": {"dnsServers": ["10.20.0.4"]},
      "subnets": [{"name": "snet-a", "properties": {"addressPrefixes": ["10.20.1.0/24", "10.20.2.0/24"], "serviceEndpoints": [{"service": "Microsoft.Storage", "locations": ["westus2"]}]}}]}}"#;
    let m = model(&[("subnet.json", subnet), ("vnet.json", vnet)]);
    assert_eq!(shape(&m, 0), "az-subnet-show");
    assert_eq!(shape(&m, 1), "arm-resource");
    let s = m.subnets.iter().find(|s| s.name == "snet-train").expect("subnet");
    assert_eq!(s.delegations, vec!["Microsoft.ContainerInstance/containerGroups"]);
    assert_eq!(s.ip_configurations.len(), 1);
    assert!(s.route_table.is_none() && s.nat_gateway.is_none());
    let a = m.subnets.iter().find(|s| s.name == "snet-a").expect("inline subnet");
    assert_eq!(a.prefixes.len(), 2);
    assert_eq!(a.vnet.as_deref(), Some("vnet-ml"));
    assert!(a.id.as_deref().is_some_and(|id| id.ends_with("/virtualNetworks/vnet-ml/subnets/snet-a")));
    assert_eq!(m.vnets[0].dns_servers, vec!["10.20.0.4"]);
}

#[test]
fn route_table_resource_graph_rows_and_lists() {
    let graph = r#"{"count": 2, "data": [
      {"id": "/subscriptions/1111/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt", "name": "rt", "type": "microsoft.network/routetables", "resourceGroup": "rg", "subscriptionId": "1111", "location": "westus2",
       "properties": {"disableBgpRoutePropagation": true, "routes": [{"name": "to-fw", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.4"}}]}},
      {"id": "/subscriptions/1111/resourceGroups/rg/providers/Microsoft.Network/natGateways/nat", "name": "nat", "type": "microsoft.network/natgateways", "properties": {}}]}"#;
    let m = model(&[("graph.json", graph)]);
    assert_eq!(shape(&m, 0), "resource-graph");
    assert_eq!(m.route_tables[0].routes[0].next_hop_ip.as_deref(), Some("10.0.0.4"));
    assert_eq!(m.route_tables[0].disable_bgp_route_propagation, Some(true));
    assert_eq!(m.nat_gateways.len(), 1);
    let arr = format!("[{}]", r#"{"type": "Microsoft.Network/routeTables", "name": "rt2", "properties": {"routes": []}}"#);
    assert_eq!(shape(&model(&[("a.json", &arr)]), 0), "resource-array");
}

#[test]
fn nic_effective_nsg() {
    let text = r#"{"value": [{"association": {"networkInterface": null, "subnet": {"id": "/subscriptions/1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s"}},
      "networkSecurityGroup": {"id": "/subscriptions/1/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-s"},
      "effectiveSecurityRules": [{"name": "defaultSecurityRules/AllowInternetOutBound", "protocol": "All", "sourcePortRange": "0-65535", "destinationPortRange": "0-65535",
        "sourceAddressPrefix": "0.0.0.0/0", "destinationAddressPrefix": "Internet", "expandedDestinationAddressPrefix": ["1.0.0.0/8"], "access": "Allow", "priority": 65001, "direction": "Outbound"},
        {"name": "securityRules/rdp", "protocol": "Tcp", "sourcePortRange": "0-65535", "destinationPortRange": "3389-3389", "sourceAddressPrefix": "0.0.0.0/0", "destinationAddressPrefix": "0.0.0.0/0", "access": "Allow", "priority": 300, "direction": "Inbound"}]}]}"#;
    let m = model(&[("eff.json", text)]);
    assert_eq!(shape(&m, 0), "az-nic-effective-nsg");
    let n = &m.nsgs[0];
    assert_eq!(n.name, "nsg-s");
    let rdp = n.rules.iter().find(|r| r.name == "rdp").expect("rdp");
    assert_eq!(rdp.destination_ports.to_string(), "3389");
    assert!(n.rules.iter().any(|r| r.name == "AllowInternetOutBound" && r.is_default));
    assert!(m.issues.is_empty(), "{:?}", m.issues);
}

#[test]
fn arm_template_inline_child_and_nested_rules_with_expressions_and_parameters_file() {
    let template = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "nsgName": { "type": "string", "defaultValue": "snet-train-nsg" },
    "mlPort":  { "type": "int", "defaultValue": 44224 },
    "vnetName": { "type": "string" }
  },
  "variables": { "batchTag": "[concat('BatchNodeManagement.', resourceGroup().location)]" },
  "resources": [
    { "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2022-01-01", "name": "[parameters('nsgName')]", "location": "[resourceGroup().location]",
      "properties": { "securityRules": [ { "name": "aml-in", "properties": { "priority": 210, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
          "sourceAddressPrefix": "AzureMachineLearning", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "[string(parameters('mlPort'))]" } } ] },
      "resources": [ { "type": "securityRules", "name": "storage-out", "apiVersion": "2022-01-01", "dependsOn": ["[parameters('nsgName')]"],
          "properties": { "priority": 300, "direction": "Outbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "*", "sourcePortRange": "*",
            "destinationAddressPrefix": "[concat('Storage.', resourceGroup().location)]", "destinationPortRange": "443" } } ] },
    { "type": "Microsoft.Network/networkSecurityGroups/securityRules", "apiVersion": "2022-01-01", "name": "[format('{0}/{1}', parameters('nsgName'), 'batch-in')]",
      "properties": { "priority": 200, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "[variables('batchTag')]", "sourcePortRange": "*",
        "destinationAddressPrefix": "*", "destinationPortRange": "29876-29877" } },
    { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2022-01-01", "name": "[parameters('vnetName')]", "location": "[resourceGroup().location]",
      "properties": { "addressSpace": { "addressPrefixes": ["10.20.0.0/16"] }, "subnets": [ { "name": "snet-train", "properties": { "addressPrefix": "10.20.4.0/24",
        "networkSecurityGroup": { "id": "[resourceId('Microsoft.Network/networkSecurityGroups', parameters('nsgName'))]" },
        "privateEndpointNetworkPolicies": "Disabled", "privateLinkServiceNetworkPolicies": "Disabled" } } ] } },
    { "type": "Microsoft.Network/virtualNetworks/subnets", "apiVersion": "2022-01-01", "name": "[concat(parameters('vnetName'), '/snet-child')]",
      "properties": { "addressPrefix": "10.20.5.0/24" } }
  ]
}"#;
    let params = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0", "parameters": {"vnetName": {"value": "vnet-ml"}}}"#;
    let m = model(&[("azuredeploy.json", template), ("azuredeploy.parameters.json", params)]);
    assert_eq!(shape(&m, 0), "arm-template");
    assert_eq!(shape(&m, 1), "parameters-file");
    assert_eq!(m.nsgs.len(), 1, "inline, top-level child and nested child rules merge into one NSG");
    let nsg = &m.nsgs[0];
    let names: Vec<&str> = nsg.rules.iter().filter(|r| !r.is_default).map(|r| r.name.as_str()).collect();
    assert!(names.contains(&"aml-in") && names.contains(&"batch-in") && names.contains(&"storage-out"), "{names:?}");
    let aml = nsg.rules.iter().find(|r| r.name == "aml-in").expect("aml-in");
    assert_eq!(aml.destination_ports.to_string(), "44224");
    let batch = nsg.rules.iter().find(|r| r.name == "batch-in").expect("batch-in");
    assert_eq!(batch.source[0].to_string(), "BatchNodeManagement.<deployment region>");
    let subnets: Vec<(&str, Option<&str>)> = m.subnets.iter().map(|s| (s.name.as_str(), s.vnet.as_deref())).collect();
    assert!(subnets.contains(&("snet-train", Some("vnet-ml"))) && subnets.contains(&("snet-child", Some("vnet-ml"))), "{subnets:?}");
    let train = m.subnets.iter().find(|s| s.name == "snet-train").expect("train");
    assert!(train.nsg.as_ref().is_some_and(|r| r.name() == "snet-train-nsg" && !r.unresolved));
    assert!(m.issues.is_empty(), "{:?}", m.issues);
    // With the region known, the regional tag resolves and the check decides.
    let report = common::check_both(
        &[Document::new("azuredeploy.json", template), Document::new("p.json", params)],
        &amlvnet::Options { region: Some("westus2".into()), ..Default::default() },
    );
    let pip1: Vec<_> =
        report.findings.iter().filter(|f| f.id == "AML-PIP-001").map(|f| (f.subject.clone().map(|s| s.name).unwrap_or_default(), f.status)).collect();
    assert!(pip1.contains(&("snet-train".to_string(), amlvnet::Status::Pass)), "{pip1:?}");
}

#[test]
fn bicep_nested_deployments_with_reference_outputs() {
    let template = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
  "parameters": { "prefix": { "type": "string" } },
  "variables": { "name": "[toLower(parameters('prefix'))]" },
  "resources": [
    { "type": "Microsoft.Resources/deployments", "apiVersion": "2020-10-01", "name": "[format('nsg-{0}-deployment', variables('name'))]",
      "properties": { "expressionEvaluationOptions": { "scope": "inner" }, "mode": "Incremental",
        "parameters": { "nsgName": { "value": "[format('nsg-{0}', variables('name'))]" } },
        "template": { "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
          "parameters": { "nsgName": { "type": "string" } },
          "resources": [ { "type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2020-11-01", "name": "[parameters('nsgName')]",
            "properties": { "securityRules": [ { "name": "AzureMachineLearning", "properties": { "protocol": "Tcp", "sourcePortRange": "*", "destinationPortRange": "44224",
              "sourceAddressPrefix": "AzureMachineLearning", "destinationAddressPrefix": "*", "access": "Allow", "priority": 130, "direction": "Inbound" } } ] } } ],
          "outputs": { "networkSecurityGroup": { "type": "string", "value": "[resourceId('Microsoft.Network/networkSecurityGroups', parameters('nsgName'))]" } } } } },
    { "type": "Microsoft.Resources/deployments", "apiVersion": "2020-10-01", "name": "vnet-deployment",
      "properties": { "expressionEvaluationOptions": { "scope": "inner" }, "mode": "Incremental",
        "parameters": { "nsgId": { "value": "[reference(resourceId('Microsoft.Resources/deployments', format('nsg-{0}-deployment', variables('name')))).outputs.networkSecurityGroup.value]" } },
        "template": { "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
          "parameters": { "nsgId": { "type": "string" }, "location": { "type": "string", "defaultValue": "[resourceGroup().location]" } },
          "resources": [ { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2020-11-01", "name": "vnet", "location": "[parameters('location')]",
            "properties": { "addressSpace": { "addressPrefixes": [ "192.168.0.0/16" ] }, "subnets": [ { "name": "snet-training",
              "properties": { "addressPrefix": "192.168.0.0/24", "networkSecurityGroup": { "id": "[parameters('nsgId')]" } } } ] } } ] } } }
  ]
}"#;
    let m = model(&[("main.json", template)]);
    assert_eq!(m.nsgs.len(), 1);
    assert_eq!(m.nsgs[0].name, "nsg-<prefix>");
    let subnet = m.subnets.iter().find(|s| s.name == "snet-training").expect("subnet");
    let nsg_ref = subnet.nsg.clone().expect("nsg ref");
    assert_eq!(nsg_ref.name(), "nsg-<prefix>", "the reference() to the nested deployment's output resolves to the NSG");
}

#[test]
fn rest_example_envelope_az_ml_compute_and_arm_compute() {
    let rest = r#"{"parameters": {"api-version": "2023-05-01", "subscriptionId": "subid"}, "responses": {"200": {"body": {
        "name": "subnet1", "id": "/subscriptions/subid/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/vnetname/subnets/subnet1",
        "properties": {"addressPrefix": "10.0.0.0/16", "provisioningState": "Succeeded"}}}}}"#;
    let az_ml = r#"{"name": "cpu-cluster", "type": "amlcompute", "id": "/subscriptions/1111/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/ws1/computes/cpu-cluster",
      "location": "westus2", "size": "STANDARD_DS3_V2", "tier": "dedicated", "min_instances": 0, "max_instances": 8, "idle_time_before_scale_down": 120,
      "ssh_public_access_enabled": false, "network_settings": {"subnet": "/subscriptions/1111/resourceGroups/rg-ml/providers/Microsoft.Network/virtualNetworks/vnet-ml/subnets/snet-train"},
      "enable_node_public_ip": false, "provisioning_state": "Succeeded"}"#;
    let arm = r#"{"type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2022-05-01", "name": "ws1/ci-alice", "location": "westus2",
      "properties": {"computeType": "ComputeInstance", "properties": {"vmSize": "Standard_DS3_v2", "subnet": {"id": "/x/subnets/snet-train"}, "enableNodePublicIp": false, "sshSettings": {"sshPublicAccess": "Disabled"}}}}"#;
    let ws = r#"{"name": "ws1", "type": "Microsoft.MachineLearningServices/workspaces", "location": "westus2", "properties": {"hbiWorkspace": false, "imageBuildCompute": "cpu-cluster",
      "privateEndpointConnections": [{"properties": {"privateLinkServiceConnectionState": {"status": "Approved"}}}]}}"#;
    let m = model(&[("rest.json", rest), ("compute.json", az_ml), ("ci.json", arm), ("ws.json", ws)]);
    assert_eq!(shape(&m, 0), "rest-example");
    assert_eq!(shape(&m, 1), "az-ml-compute");
    assert_eq!(m.subnets[0].name, "subnet1");
    let c = &m.computes[0];
    assert_eq!((c.kind, c.public_ip, c.max_nodes, c.workspace.as_deref()), (ComputeKind::Cluster, Some(false), Some(8), Some("ws1")));
    assert!(c.subnet.as_ref().is_some_and(|r| r.name() == "snet-train"));
    let ci = &m.computes[1];
    assert_eq!((ci.kind, ci.public_ip, ci.workspace.as_deref()), (ComputeKind::Instance, Some(false), Some("ws1")));
    assert!(m.workspaces[0].has_approved_private_endpoint());
    assert_eq!(m.workspaces[0].image_build_compute.as_deref(), Some("cpu-cluster"));
}

#[test]
fn new_nsg_wrapper_and_powershell_best_effort() {
    let wrapped = r#"{"NewNSG": {"name": "nsg1", "securityRules": [], "defaultSecurityRules": []}}"#;
    let m = model(&[("create.json", wrapped)]);
    assert_eq!(m.nsgs[0].name, "nsg1");
    let ps = r#"{"Name": "nsg-ps", "SecurityRules": [{"Name": "aml", "Protocol": "Tcp", "SourcePortRange": ["*"], "DestinationPortRange": ["44224"],
        "SourceAddressPrefix": ["AzureMachineLearning"], "DestinationAddressPrefix": ["*"], "Access": "Allow", "Priority": 130, "Direction": "Inbound"}]}"#;
    let m = model(&[("ps.json", ps)]);
    assert_eq!(shape(&m, 0), "powershell");
    let r = m.nsgs[0].rules.iter().find(|r| r.name == "aml").expect("aml");
    assert!(r.valid && r.destination_ports.contains_port(44224));
}

#[test]
fn bad_values_become_findings_and_the_rest_still_runs() {
    let text = r#"{"name": "nsg", "securityRules": [
      {"name": "zero", "priority": 0, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*"},
      {"name": "numbers", "priority": 200, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": 5, "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": 443},
      {"name": "dir", "priority": 210, "direction": "Sideways", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22"}]}"#;
    let report = common::check_both(&[Document::new("nsg.json", text)], &Default::default());
    let inp4: Vec<_> = report.findings.iter().filter(|f| f.id == "AML-INP-004").map(|f| f.message.clone()).collect();
    assert!(inp4.iter().any(|m| m.contains("`priority` 0")), "{inp4:?}");
    assert!(inp4.iter().any(|m| m.contains("sourceAddressPrefix` is 5")), "{inp4:?}");
    assert!(inp4.iter().any(|m| m.contains("Sideways")), "{inp4:?}");
    // An invalid allow-all rule may have decided the management flows: never pass.
    let pip = report.findings.iter().find(|f| f.id == "AML-PIP-001").map(|f| f.status);
    assert_eq!(pip, Some(amlvnet::Status::Warn));
    assert!(report.findings.iter().any(|f| f.id == "AML-OUT-001"), "the rest of the report still comes");
}

#[test]
fn hostile_documents_never_panic() {
    let deep = "[".repeat(10_000) + &"]".repeat(10_000);
    // 20 MB: a long description and a few thousand rules, as a huge export would have.
    let rules: String = (0..5_000).map(|i| format!(r#"{{"name": "r{i}", "priority": {}, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "10.0.0.{}", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22"}},"#, 100 + i % 3997, i % 250)).collect();
    let big = format!(r#"{{"name": "big", "description": "{}", "securityRules": [{rules}{{}}]}}"#, "x".repeat(20_000_000));
    assert!(big.len() > 20_000_000);
    let cases: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("blank", "  \n ".into()),
        ("deep", deep),
        ("number", "42".into()),
        ("string-for-object", r#"{"securityRules": "nope", "properties": 5}"#.into()),
        ("nulls", r#"{"type": null, "properties": null, "securityRules": [null, 1, "x", []]}"#.into()),
        ("big", big),
        ("unicode", "{\"name\": \"\u{1F600}\", \"securityRules\": [{\"name\": \"<img src=x onerror=alert(1)>\"}]}".into()),
    ];
    for (name, text) in cases {
        let report = common::check_both(&[Document::new(name, text)], &Default::default());
        assert!(!report.findings.is_empty(), "{name}");
    }
    let e = common::check_both(&[Document::new("e.json", "")], &Default::default());
    assert!(e.findings.iter().any(|f| f.id == "AML-INP-001" && f.message.contains("e.json:1:1: empty document")));
}

#[test]
fn a_pasted_nsg_no_checked_subnet_uses_is_named_not_dropped() {
    let subnet = r#"{"name":"snet-train","id":"/subscriptions/1111/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/snet-train","type":"Microsoft.Network/virtualNetworks/subnets","properties":{"addressPrefix":"10.0.0.0/24","networkSecurityGroup":{"id":"/subscriptions/1111/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-a"}}}"#;
    let nsgs = r#"[{"name":"nsg-a","id":"/subscriptions/1111/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-a","type":"Microsoft.Network/networkSecurityGroups","properties":{"securityRules":[]}},
                   {"name":"nsg-b","id":"/subscriptions/1111/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-b","type":"Microsoft.Network/networkSecurityGroups","properties":{"securityRules":[]}}]"#;
    let report = common::check_both(&[Document::new("subnet.json", subnet), Document::new("nsgs.json", nsgs)], &Default::default());
    let unused: Vec<_> = report.notes.iter().filter(|n| n.contains("no check evaluated it")).collect();
    assert_eq!(unused.len(), 1, "{:?}", report.notes);
    assert!(unused[0].contains("`nsg-b`"));
    // An NSG pasted alone is the one checked: no note.
    let alone = common::check_both(&[Document::new("nsg.json", nsgs.replace("nsg-b", "nsg-a"))], &Default::default());
    assert!(!alone.notes.iter().any(|n| n.contains("no check evaluated it")), "{:?}", alone.notes);
}

#[test]
fn one_unresolved_expression_is_one_note_naming_the_fields_it_leaves_unknown() {
    let rule = |name: &str, priority: &str| {
        format!(
            r#"{{"name": "{name}", "properties": {{"priority": "{priority}", "direction": "Outbound", "access": "Deny", "protocol": "*",
              "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "[parameters('dest')]", "destinationPortRange": "*"}}}}"#
        )
    };
    let rules: Vec<String> = (0..8).map(|i| rule(&format!("r{i}"), &format!("[add(parameters('prio'), {i})]"))).collect();
    let text = format!(
        r#"{{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
          "parameters": {{"prio": {{"type": "int"}}, "dest": {{"type": "string"}}}},
          "resources": [{{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-05-01", "name": "nsg", "location": "westus2",
            "properties": {{"securityRules": [{}]}}}}]}}"#,
        rules.join(",")
    );
    let m = model(&[("t.json", &text)]);
    let notes: Vec<&str> = m.issues.iter().filter(|i| i.kind.id() == "AML-INP-005").map(|i| i.message.as_str()).collect();
    let about = |field: &str| notes.iter().filter(|n| n.starts_with("rule `r0`") && n.contains(field)).count();
    // The two parameters, and one note per expression: not 16 notes for 8 rules.
    assert_eq!(notes.len(), 4, "{notes:#?}");
    assert_eq!(about("`priority` is unresolved expression"), 1, "{notes:#?}");
    assert_eq!(about("`destinationAddressPrefix` is unresolved expression"), 1, "{notes:#?}");
    let priority = notes.iter().find(|n| n.starts_with("rule `r0`: `priority`")).unwrap();
    assert!(priority.contains("rule `r1`: `priority`, rule `r2`: `priority`, rule `r3`: `priority` and 4 more fields"), "{priority}");
    // Every rule is still unknown where it counts: none of the eight has a priority.
    assert!(m.nsgs[0].rules.iter().filter(|r| !r.is_default).all(|r| r.priority.is_none() && !r.valid));
}

#[test]
fn a_five_megabyte_name_is_shortened_once_not_repeated_in_every_finding() {
    let nsg = |name: &str, rule: &str| {
        format!(
            r#"{{"name": "{name}", "type": "Microsoft.Network/networkSecurityGroups", "location": "westus2", "properties": {{"securityRules": [
              {{"name": "{rule}", "properties": {{"priority": 100, "direction": "Outbound", "access": "Deny", "protocol": "*", "sourceAddressPrefix": "*",
                "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*"}}}}]}}}}"#
        )
    };
    let long = "n".repeat(5_000_000);
    let text = nsg(&long, &"r".repeat(100_000));
    let report = common::check_both(&[Document::new("nsg.json", text.as_str())], &amlvnet::Options::default());
    let json = amlvnet::report::json::report(&report).compact();
    // The whole report is a fraction of the document, not the name times every finding.
    assert!(json.len() < 1_000_000, "{} bytes", json.len());
    let name = &report.nsgs[0].name;
    assert!(name.len() < 300 && name.ends_with("(5000000 characters, shortened)"), "{name}");
    // Two long names that share their start stay two NSGs.
    let other = format!("{}x", "n".repeat(4_999_999));
    let m = model(&[("a.json", &nsg(&long, "a")), ("b.json", &nsg(&other, "b"))]);
    assert_ne!(m.nsgs[0].name, m.nsgs[1].name);
}

#[test]
fn regions_are_named_the_deployments_or_unknown_and_only_named_ones_are_compared() {
    use amlvnet::net::Region;
    // A cluster whose location is a parameter without a value, a workspace in westus2, and
    // a storage account and an NSG rule deployed to the resource group's region.
    let text = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
      "parameters": {"loc": {"type": "string"}},
      "resources": [
        {"type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2024-04-01", "name": "ws/cpu", "location": "[parameters('loc')]",
         "properties": {"computeType": "AmlCompute", "properties": {"enableNodePublicIp": true}}},
        {"type": "Microsoft.MachineLearningServices/workspaces", "apiVersion": "2024-04-01", "name": "ws", "location": "westus2", "properties": {}},
        {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "st", "location": "[resourceGroup().location]", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}, "properties": {}},
        {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-05-01", "name": "nsg", "location": "[resourceGroup().location]",
         "properties": {"securityRules": [{"name": "st", "properties": {"priority": 100, "direction": "Outbound", "access": "Allow", "protocol": "Tcp",
           "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*", "destinationAddressPrefix": "[concat('Storage.', resourceGroup().location)]", "destinationPortRange": "443"}}]}}
      ]}"#;
    let m = model(&[("t.json", text)]);
    assert_eq!(m.computes[0].location, Some(Region::Unknown), "an unresolved parameter is no region");
    assert_eq!(m.workspaces[0].location, Some(Region::Named("westus2".into())));
    assert_eq!(m.storage_accounts[0].location, Some(Region::Deployment));
    assert!(m.template_region && m.locations == ["westus2"], "{:?}", m.locations);
    assert!(matches!(&m.nsgs[0].rules[0].destination[0], amlvnet::net::Address::Tag { region: Some(Region::Deployment), .. }));

    let report = common::check_both(&[Document::new("t.json", text)], &Default::default());
    let status = |id: &str| report.findings.iter().filter(|f| f.id == id).map(|f| f.status.as_str()).collect::<Vec<_>>();
    // The cluster's region is not `<parameters('loc')>`: unknown, never a different region.
    assert_eq!(status("AML-CMP-007"), ["unknown"]);
    // The workspace names the region, so the deployment's storage tag is compared as westus2.
    assert_eq!(report.scenario.region, Some(Region::Named("westus2".into())));
}

#[test]
fn a_databricks_location_left_unknown_is_never_a_same_region_pass() {
    let text = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
      "parameters": {"loc": {"type": "string"}},
      "resources": [
        {"type": "Microsoft.Databricks/workspaces", "apiVersion": "2023-02-01", "name": "dbx", "location": "[parameters('loc')]", "properties": {}},
        {"type": "Microsoft.MachineLearningServices/workspaces", "apiVersion": "2024-04-01", "name": "ws", "location": "westus2", "properties": {}}
      ]}"#;
    let m = model(&[("t.json", text)]);
    assert_eq!(m.databricks[0].location, Some(amlvnet::net::Region::Unknown));
    let report = common::check_both(&[Document::new("t.json", text)], &Default::default());
    let status: Vec<&str> = report.findings.iter().filter(|f| f.id == "AML-DBX-001").map(|f| f.status.as_str()).collect();
    assert_eq!(status, ["unknown"]);
}
