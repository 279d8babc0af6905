//! Terraform JSON (`terraform show -json`): the corpus plans read in place (skipped when
//! `../shared` is absent) and own fixtures for each provider generation's policy flags,
//! separate rules in a child module, route tables with separate routes, Databricks,
//! deleted resources and unknown values. Every Terraform fix is parsed by a real HCL
//! parser.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use amlvnet::report::{Report, Status};
use amlvnet::{Document, Options};
use common::{check_both, read_both};
use std::path::{Path, PathBuf};

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/terraform");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/corpus/terraform is absent (a user's fresh clone)");
        None
    }
}

fn read(dir: &Path, name: &str) -> Document {
    Document::new(name, std::fs::read_to_string(dir.join(name)).unwrap())
}

fn statuses(r: &Report, id: &str) -> Vec<Status> {
    r.findings.iter().filter(|f| f.id == id).map(|f| f.status).collect()
}

fn no_public_ip() -> Options {
    Options { public_ip: Some(false), ..Default::default() }
}

/// Every HCL fix of a report parses.
fn fixes_parse(r: &Report) -> usize {
    let mut n = 0;
    for f in &r.findings {
        if let Some(hcl) = f.fix.as_ref().and_then(|x| x.terraform.as_ref()) {
            hcl::parse(hcl).unwrap_or_else(|e| panic!("{}: fix is not valid HCL: {e}\n{hcl}", f.id));
            n += 1;
        }
    }
    n
}

/// A plan with the given resources: `(address, type, name, values, after_unknown)`, and
/// configuration expressions per address.
fn plan(resources: &[(&str, &str, &str, &str, &str)], config: &str, provider: &str) -> String {
    let mut root = Vec::new();
    let mut modules: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut changes = Vec::new();
    for (address, kind, name, values, unknown) in resources {
        let module = address.rsplit_once(&format!(".{kind}.")).map(|(m, _)| m.to_string()).unwrap_or_default();
        let index = address.rsplit_once('[').map(|(_, k)| k.trim_end_matches(']').to_string());
        let index = index.map(|k| format!(", \"index\": {k}")).unwrap_or_default();
        let r = format!(
            "{{\"address\": \"{}\", \"mode\": \"managed\", \"type\": \"{kind}\", \"name\": \"{name}\"{index}, \"provider_name\": \"registry.terraform.io/hashicorp/azurerm\", \"values\": {values}}}",
            address.replace('"', "\\\"")
        );
        if module.is_empty() {
            root.push(r);
        } else {
            modules.entry(module.clone()).or_default().push(r);
        }
        changes.push(format!(
            "{{\"address\": \"{}\", \"type\": \"{kind}\", \"name\": \"{name}\", \"change\": {{\"actions\": [\"create\"], \"after\": {values}, \"after_unknown\": {unknown}}}}}",
            address.replace('"', "\\\"")
        ));
    }
    let children: Vec<String> =
        modules.iter().map(|(m, rs)| format!("{{\"address\": \"{}\", \"resources\": [{}]}}", m.replace('"', "\\\""), rs.join(","))).collect();
    format!(
        "{{\"format_version\": \"1.2\", \"terraform_version\": \"1.9.5\", \"planned_values\": {{\"root_module\": {{\"resources\": [{}], \"child_modules\": [{}]}}}}, \"resource_changes\": [{}], \"configuration\": {{\"provider_config\": {{\"azurerm\": {{\"name\": \"azurerm\", \"version_constraint\": \"{provider}\"}}}}, \"root_module\": {config}}}}}",
        root.join(","),
        children.join(","),
        changes.join(",")
    )
}

#[test]
fn corpus_plans_yield_their_resources_links_and_unknowns() {
    let Some(dir) = corpus() else { return };
    // Separate deny rule linked by name; NSGs whose inline rules are unknown because
    // the configuration doesn't write any.
    let d = read(&dir, "checkov_nsg-separate-deny-rule_tf1.3_plan.json");
    let model = read_both(std::slice::from_ref(&d));
    assert_eq!(model.documents[0].shape.id(), "terraform-plan");
    let pass = model.nsgs.iter().find(|n| n.name == "pass").expect("NSG pass");
    let rule = pass.rules.iter().find(|r| !r.is_default).expect("the separate rule joined its NSG");
    assert_eq!((rule.priority, rule.access.map(|a| a.as_str())), (Some(100), Some("Deny")));
    assert!(rule.loc.as_ref().unwrap().address.as_deref().unwrap().contains("azurerm_network_security_rule"));
    assert!(pass.terraform.as_ref().is_some_and(|o| !o.inline_rules));
    let report = check_both(&[d], &Default::default());
    let for_nsg = |nsg: &str| {
        report
            .findings
            .iter()
            .find(|f| f.id == "AML-PIP-001" && f.subject.as_ref().is_some_and(|s| s.name.contains(&format!("NSG {nsg}"))))
            .map(|f| f.status)
            .unwrap()
    };
    assert_eq!(for_nsg("pass"), Status::Fail, "its only rule denies 3389; the defaults deny the rest");
    // `fail` has no separate rule and its inline rules are unknown: never a pass.
    assert!(matches!(for_nsg("fail"), Status::Warn | Status::Unknown));
    assert!(fixes_parse(&report) > 0);
    let json = amlvnet::report::json::report(&report).pretty();
    assert!(json.contains("\"terraform\": \"# azurerm_network_security_group.pass"), "fix.terraform in the JSON report");
    assert!(json.contains("resource \\\"azurerm_network_security_rule\\\""), "rules are separate resources there, so the fix is one too");

    // Inline rules with port lists and duplicate priorities among separate rules.
    let report = check_both(&[read(&dir, "regula_nsg-inbound-22_tf0.13_plan.json")], &Default::default());
    assert!(statuses(&report, "AML-INP-003").contains(&Status::Fail), "five separate rules at priority 100 on testnsg");
    let model = read_both(&[read(&dir, "regula_nsg-inbound-22_tf0.13_plan.json")]);
    let testnsg = model.nsgs.iter().find(|n| n.name == "testnsg").unwrap();
    // Five rule resources, two of them named `validrule2`: one Azure rule, the last wins.
    assert_eq!(testnsg.rules.iter().filter(|r| !r.is_default).count(), 4);
    assert!(model.nsgs.iter().filter(|n| n.name != "testnsg").all(|n| n.terraform.as_ref().unwrap().inline_rules));
    assert!(fixes_parse(&report) > 0);

    // 2.x enforce flags false: Enabled, from the provider default, said so.
    let report = check_both(&[read(&dir, "terraform-compliance_issue-294_azurerm2-modules-nic-nsg_plan.json")], &no_public_ip());
    let f = report.findings.iter().find(|f| f.id == "AML-NPIP-002").unwrap();
    assert_eq!(f.status, Status::Fail);
    assert!(f.message.contains("Terraform: `enforce_private_link_endpoint_network_policies` is not set"), "{}", f.message);
    assert!(f.fix.as_ref().unwrap().terraform.as_ref().unwrap().contains("enforce_private_link_endpoint_network_policies = true"));
    assert_eq!(statuses(&report, "AML-INP-005"), vec![Status::Pass], "address_prefix is computed from the known address_prefixes");
    fixes_parse(&report);
    // The NIC NSGs of the two modules' VMs joined through the association and `var.vnet_subnet_id`.
    let model = read_both(&[read(&dir, "terraform-compliance_issue-294_azurerm2-modules-nic-nsg_plan.json")]);
    assert_eq!(model.nics.len(), 2);
    for nic in &model.nics {
        let nsg = nic.nsg.as_ref().expect("NIC NSG through the association");
        assert!(model.nsgs.iter().any(|n| n.id.as_deref() == Some(nsg.id.as_str())), "{nsg:?}");
        assert!(nic.subnets.iter().any(|s| s.id.ends_with("/subnets/internal")), "the module's var.vnet_subnet_id is the root's subnet");
    }

    // 3.68+: the set flag decides; the unset one is the provider's legacy default.
    let report = check_both(&[read(&dir, "zodiac_pe-appgw-subnet-policy-flags_azurerm3_plan.json")], &no_public_ip());
    let by_subnet =
        |id: &str, subnet: &str| report.findings.iter().find(|f| f.id == id && f.subject.as_ref().is_some_and(|s| s.name == subnet)).map(|f| f.status).unwrap();
    assert_eq!(by_subnet("AML-NPIP-002", "endpoint"), Status::Pass);
    assert_eq!(by_subnet("AML-NPIP-003", "gateway"), Status::Pass);
    assert_eq!(by_subnet("AML-NPIP-002", "gateway"), Status::Fail);
    let hcl_fix = report
        .findings
        .iter()
        .find(|f| f.id == "AML-NPIP-002" && f.status == Status::Fail)
        .and_then(|f| f.fix.as_ref())
        .and_then(|x| x.terraform.clone())
        .unwrap();
    assert!(hcl_fix.contains("private_endpoint_network_policies_enabled = false"), "named as the 3.x generation names it: {hcl_fix}");
    fixes_parse(&report);

    // 3.18: all four flags unknown and none configured: the legacy default, said so.
    let report = check_both(&[read(&dir, "ambika_vm-linux-nic-nsg_azurerm3.18_plan.json")], &no_public_ip());
    let f = report.findings.iter().find(|f| f.id == "AML-NPIP-002").unwrap();
    assert_eq!(f.status, Status::Fail);
    assert!(f.message.contains("azurerm 3.x sends its default"), "{}", f.message);

    // `address_prefix` unknown beside a known `address_prefixes` (computed from it): no doubt.
    let report = check_both(&[read(&dir, "infracost_azure-firewall-subnet_fv0.2_plan.json")], &Default::default());
    assert_eq!(statuses(&report, "AML-INP-005"), vec![Status::Pass]);

    // Storage VNet rules that name the subnet only in the configuration.
    let report = check_both(&[read(&dir, "regula_subnet-service-endpoints_tf0.13_plan.json")], &Default::default());
    let f = report.findings.iter().find(|f| f.id == "AML-CMP-009").unwrap();
    assert!(!f.message.contains("validstorageaccount1"), "validstorageaccount1's rule names the subnet through a reference: {}", f.message);
}

#[test]
fn policy_flags_of_every_provider_generation() {
    let subnet = |values: &str, unknown: &str, config: &str| {
        let text = plan(
            &[
                (
                    "azurerm_virtual_network.v",
                    "azurerm_virtual_network",
                    "v",
                    r#"{"name":"vnet","resource_group_name":"rg","location":"westus2","address_space":["10.0.0.0/16"]}"#,
                    "{}",
                ),
                ("azurerm_subnet.train", "azurerm_subnet", "train", values, unknown),
            ],
            &format!(
                r#"{{"resources":[{{"address":"azurerm_subnet.train","mode":"managed","type":"azurerm_subnet","name":"train","expressions":{config}}}]}}"#
            ),
            "~> 3.0",
        );
        let report = check_both(&[Document::new("plan.json", text)], &no_public_ip());
        fixes_parse(&report);
        let pe = report.findings.iter().find(|f| f.id == "AML-NPIP-002").cloned().unwrap();
        let pls = report.findings.iter().find(|f| f.id == "AML-NPIP-003").cloned().unwrap();
        (pe, pls)
    };
    let base = r#""name":"train","resource_group_name":"rg","virtual_network_name":"vnet","address_prefixes":["10.0.1.0/24"]"#;
    // 2.x: enforce_* true means Disabled.
    let (pe, pls) = subnet(
        &format!(r#"{{{base},"enforce_private_link_endpoint_network_policies":true,"enforce_private_link_service_network_policies":false}}"#),
        "{}",
        r#"{"enforce_private_link_endpoint_network_policies":{"constant_value":true}}"#,
    );
    assert_eq!((pe.status, pls.status), (Status::Pass, Status::Fail));
    assert!(pls.fix.unwrap().terraform.unwrap().contains("enforce_private_link_service_network_policies = true"));
    // 3.x booleans, not inverted; the unset one unknown with none configured: Enabled.
    let (pe, pls) = subnet(
        &format!(r#"{{{base},"private_link_service_network_policies_enabled":false}}"#),
        r#"{"private_endpoint_network_policies_enabled":true,"enforce_private_link_endpoint_network_policies":true,"enforce_private_link_service_network_policies":true}"#,
        r#"{"private_link_service_network_policies_enabled":{"constant_value":false}}"#,
    );
    assert_eq!((pe.status, pls.status), (Status::Fail, Status::Pass));
    assert!(pe.message.contains("azurerm 3.x sends its default, Enabled"));
    // A flag set from a variable that is unknown: never a pass.
    let (pe, _) = subnet(
        &format!(r#"{{{base}}}"#),
        r#"{"private_endpoint_network_policies_enabled":true,"enforce_private_link_endpoint_network_policies":true}"#,
        r#"{"private_endpoint_network_policies_enabled":{"references":["var.pe"]}}"#,
    );
    assert_eq!(pe.status, Status::Warn, "{}", pe.message);
    // 4.x: the string, default Disabled; the bool default true (Enabled).
    let (pe, pls) =
        subnet(&format!(r#"{{{base},"private_endpoint_network_policies":"Disabled","private_link_service_network_policies_enabled":true}}"#), "{}", "{}");
    assert_eq!((pe.status, pls.status), (Status::Pass, Status::Fail));
    assert!(pe.message.contains("Terraform:"), "the default is named: {}", pe.message);
    let (pe, _) = subnet(
        &format!(r#"{{{base},"private_endpoint_network_policies":"NetworkSecurityGroupEnabled"}}"#),
        "{}",
        r#"{"private_endpoint_network_policies":{"constant_value":"NetworkSecurityGroupEnabled"}}"#,
    );
    assert_eq!(pe.status, Status::Fail);
    assert!(pe.fix.unwrap().terraform.unwrap().contains("private_endpoint_network_policies = \"Disabled\""));
}

const NSG_MODULE_CONFIG: &str = r#"{"resources":[
  {"address":"azurerm_subnet.train","mode":"managed","type":"azurerm_subnet","name":"train","expressions":{"name":{"constant_value":"train"}}},
  {"address":"azurerm_subnet_network_security_group_association.train","mode":"managed","type":"azurerm_subnet_network_security_group_association","name":"train",
   "expressions":{"subnet_id":{"references":["azurerm_subnet.train.id","azurerm_subnet.train"]},"network_security_group_id":{"references":["module.net.nsg_id","module.net"]}}},
  {"address":"azurerm_machine_learning_compute_cluster.gpu","mode":"managed","type":"azurerm_machine_learning_compute_cluster","name":"gpu",
   "expressions":{"subnet_resource_id":{"references":["azurerm_subnet.train.id","azurerm_subnet.train"]}}}
 ],
 "module_calls":{"net":{"source":"./net","module":{
   "outputs":{"nsg_id":{"expression":{"references":["azurerm_network_security_group.train.id","azurerm_network_security_group.train"]}}},
   "resources":[
    {"address":"azurerm_network_security_group.train","mode":"managed","type":"azurerm_network_security_group","name":"train","expressions":{"name":{"constant_value":"nsg-train"}}},
    {"address":"azurerm_network_security_rule.rules","mode":"managed","type":"azurerm_network_security_rule","name":"rules",
     "expressions":{"network_security_group_name":{"references":["azurerm_network_security_group.train.name","azurerm_network_security_group.train"]}}}
   ]}}}}"#;

fn rule(name: &str, priority: u32, direction: &str, access: &str, source: &str, ports: &str, destination: &str) -> String {
    format!(
        r#"{{"name":"{name}","priority":{priority},"direction":"{direction}","access":"{access}","protocol":"Tcp","source_port_range":"*","source_port_ranges":null,"destination_port_range":"{ports}","destination_port_ranges":null,"source_address_prefix":"{source}","source_address_prefixes":null,"destination_address_prefix":"{destination}","destination_address_prefixes":null,"resource_group_name":"rg","network_security_group_name":"nsg-train"}}"#
    )
}

fn module_plan(rules: &[(&str, String)], deleted_rule: bool) -> String {
    let mut resources: Vec<(String, &str, &str, String, String)> = vec![
        ("azurerm_subnet.train".into(), "azurerm_subnet", "train", r#"{"name":"train","resource_group_name":"rg","virtual_network_name":"vnet","address_prefixes":["10.0.1.0/24"],"private_endpoint_network_policies":"Disabled","private_link_service_network_policies_enabled":false,"delegation":[]}"#.into(), r#"{"id":true}"#.into()),
        ("azurerm_subnet_network_security_group_association.train".into(), "azurerm_subnet_network_security_group_association", "train", "{}".into(), r#"{"id":true,"subnet_id":true,"network_security_group_id":true}"#.into()),
        ("azurerm_machine_learning_compute_cluster.gpu".into(), "azurerm_machine_learning_compute_cluster", "gpu", r#"{"name":"gpu","location":"westus2","node_public_ip_enabled":true,"vm_priority":"Dedicated","scale_settings":[{"min_node_count":0,"max_node_count":4}]}"#.into(), r#"{"id":true,"subnet_resource_id":true,"machine_learning_workspace_id":true}"#.into()),
        ("module.net.azurerm_network_security_group.train".into(), "azurerm_network_security_group", "train", r#"{"name":"nsg-train","resource_group_name":"rg","location":"westus2"}"#.into(), r#"{"id":true,"security_rule":true}"#.into()),
    ];
    for (key, values) in rules {
        resources.push((
            format!("module.net.azurerm_network_security_rule.rules[\"{key}\"]"),
            "azurerm_network_security_rule",
            "rules",
            values.clone(),
            r#"{"id":true}"#.into(),
        ));
    }
    let borrowed: Vec<(&str, &str, &str, &str, &str)> = resources.iter().map(|(a, k, n, v, u)| (a.as_str(), *k, *n, v.as_str(), u.as_str())).collect();
    let mut text = plan(&borrowed, NSG_MODULE_CONFIG, "~> 4.0");
    if deleted_rule {
        // A rule being destroyed is in resource_changes only, not in planned_values.
        let gone = r#"{"address":"module.net.azurerm_network_security_rule.old","type":"azurerm_network_security_rule","name":"old","change":{"actions":["delete"],"before":{"name":"deny-all","priority":100,"direction":"Inbound","access":"Deny"},"after":null,"after_unknown":{}}}"#;
        text = text.replacen("\"resource_changes\": [", &format!("\"resource_changes\": [{gone},"), 1);
    }
    text
}

#[test]
fn separate_rules_in_a_child_module_join_their_nsg_through_outputs() {
    let batch = rule("batch", 1000, "Inbound", "Allow", "BatchNodeManagement", "29876-29877", "*");
    let aml = rule("aml", 1010, "Inbound", "Allow", "AzureMachineLearning", "44224", "*");
    let report = check_both(&[Document::new("plan.json", module_plan(&[("batch", batch.clone()), ("aml", aml)], true))], &Default::default());
    assert_eq!(statuses(&report, "AML-PIP-001"), vec![Status::Pass], "the subnet's NSG is the module's, with its separate rules");
    assert_eq!(statuses(&report, "AML-PIP-002"), vec![Status::Pass]);
    assert_eq!(statuses(&report, "AML-CMP-001"), vec![Status::Pass], "the compute's subnet found through configuration references");
    let pip1 = report.findings.iter().find(|f| f.id == "AML-PIP-001").unwrap();
    let loc = pip1.location.as_ref().unwrap();
    assert_eq!(loc.address.as_deref(), Some("module.net.azurerm_network_security_rule.rules[\"batch\"]"));
    assert!(loc.pointer.starts_with("/planned_values/root_module/child_modules/0/resources/"), "{}", loc.pointer);
    assert!(loc.line > 0);

    // Without the AML rule: the fix is a separate rule resource referring to the NSG.
    let report = check_both(&[Document::new("plan.json", module_plan(&[("batch", batch)], false))], &Default::default());
    let f = report.findings.iter().find(|f| f.id == "AML-PIP-002").unwrap();
    assert_eq!(f.status, Status::Fail);
    let hcl_text = f.fix.as_ref().unwrap().terraform.clone().unwrap();
    assert!(hcl_text.contains("network_security_group_name = azurerm_network_security_group.train.name"), "{hcl_text}");
    assert!(hcl_text.contains("(in the configuration of module.net)"));
    let body: hcl::Body = hcl::from_str(&hcl_text).unwrap();
    let block = body.blocks().next().unwrap();
    assert_eq!(block.identifier(), "resource");
    assert_eq!(block.labels()[0].as_str(), "azurerm_network_security_rule");
    let priority = block.body().attributes().find(|a| a.key() == "priority").unwrap();
    assert!(matches!(priority.expr(), hcl::Expression::Number(_)));
    fixes_parse(&report);
}

#[test]
fn route_table_with_a_separate_route_and_databricks_subnets() {
    let text = plan(
        &[
            (
                "azurerm_virtual_network.v",
                "azurerm_virtual_network",
                "v",
                r#"{"name":"vnet","resource_group_name":"rg","location":"eastus","address_space":["10.1.0.0/16"]}"#,
                r#"{"id":true,"subnet":true}"#,
            ),
            (
                "azurerm_subnet.public",
                "azurerm_subnet",
                "public",
                r#"{"name":"dbx-public","resource_group_name":"rg","virtual_network_name":"vnet","address_prefixes":["10.1.1.0/24"],"delegation":[{"name":"dbx","service_delegation":[{"name":"Microsoft.Databricks/workspaces","actions":["Microsoft.Network/virtualNetworks/subnets/join/action"]}]}]}"#,
                r#"{"id":true}"#,
            ),
            (
                "azurerm_subnet.private",
                "azurerm_subnet",
                "private",
                r#"{"name":"dbx-private","resource_group_name":"rg","virtual_network_name":"vnet","address_prefixes":["10.1.2.0/24"],"delegation":[{"name":"dbx","service_delegation":[{"name":"Microsoft.Databricks/workspaces","actions":[]}]}]}"#,
                r#"{"id":true}"#,
            ),
            (
                "azurerm_databricks_workspace.w",
                "azurerm_databricks_workspace",
                "w",
                r#"{"name":"dbx","location":"eastus","resource_group_name":"rg","sku":"premium","custom_parameters":[{"public_subnet_name":"dbx-public","private_subnet_name":"dbx-private","no_public_ip":true}]}"#,
                r#"{"id":true,"custom_parameters":[{"virtual_network_id":true}]}"#,
            ),
            (
                "azurerm_route_table.rt",
                "azurerm_route_table",
                "rt",
                r#"{"name":"rt","resource_group_name":"rg","location":"eastus"}"#,
                r#"{"id":true,"route":true}"#,
            ),
            (
                "azurerm_route.default",
                "azurerm_route",
                "default",
                r#"{"name":"to-firewall","resource_group_name":"rg","route_table_name":"rt","address_prefix":"0.0.0.0/0","next_hop_type":"VirtualAppliance","next_hop_in_ip_address":"10.1.0.4"}"#,
                r#"{"id":true}"#,
            ),
        ],
        r#"{"resources":[
          {"address":"azurerm_databricks_workspace.w","mode":"managed","type":"azurerm_databricks_workspace","name":"w","expressions":{"custom_parameters":[{"virtual_network_id":{"references":["azurerm_virtual_network.v.id","azurerm_virtual_network.v"]}}]}},
          {"address":"azurerm_route.default","mode":"managed","type":"azurerm_route","name":"default","expressions":{"route_table_name":{"references":["azurerm_route_table.rt.name","azurerm_route_table.rt"]}}}]}"#,
        "~> 3.100",
    );
    let model = read_both(&[Document::new("plan.json", text.clone())]);
    let table = model.route_tables.iter().find(|t| t.name == "rt").unwrap();
    assert_eq!(table.routes.len(), 1, "the separate azurerm_route joined its table");
    assert_eq!(table.routes[0].next_hop_ip.as_deref(), Some("10.1.0.4"));
    let dbx = &model.databricks[0];
    assert_eq!((dbx.public_subnet.as_deref(), dbx.private_subnet.as_deref()), (Some("dbx-public"), Some("dbx-private")));
    assert!(dbx.vnet_id.as_deref().is_some_and(|id| id.ends_with("/virtualNetworks/vnet")), "{:?}", dbx.vnet_id);
    let sub = model.subnets.iter().find(|s| s.name == "dbx-public").unwrap();
    assert_eq!(sub.delegations, vec!["Microsoft.Databricks/workspaces"]);
    let report = check_both(&[Document::new("plan.json", text)], &Default::default());
    assert_eq!(report.scenario.compute, amlvnet::model::ComputeKind::Databricks);
    assert_eq!(statuses(&report, "AML-DBX-005"), vec![Status::Pass, Status::Pass], "both subnets delegated");
    assert_eq!(statuses(&report, "AML-DBX-006"), vec![Status::Fail], "no NSG association for the Databricks subnets");
}

#[test]
fn an_unknown_address_prefix_is_never_a_pass() {
    let text = plan(
        &[(
            "azurerm_subnet.train",
            "azurerm_subnet",
            "train",
            r#"{"name":"train","resource_group_name":"rg","virtual_network_name":"vnet","delegation":[]}"#,
            r#"{"id":true,"address_prefixes":true}"#,
        )],
        r#"{"resources":[{"address":"azurerm_subnet.train","mode":"managed","type":"azurerm_subnet","name":"train","expressions":{"address_prefixes":{"references":["var.prefixes"]}}}]}"#,
        "~> 4.0",
    );
    let report = check_both(&[Document::new("plan.json", text)], &Default::default());
    let inp5 = report.findings.iter().find(|f| f.id == "AML-INP-005").unwrap();
    assert_eq!(inp5.status, Status::Warn);
    assert!(inp5.message.contains("known only after apply (`azurerm_subnet.train.address_prefixes`)"), "{}", inp5.message);
    assert!(statuses(&report, "AML-CMP-004").iter().all(|s| *s != Status::Pass));
}

#[test]
fn wrong_terraform_files_say_which_command_to_run() {
    let stream = "{\"@level\":\"info\",\"@message\":\"Terraform 1.9.5\",\"type\":\"version\"}\n{\"@level\":\"info\",\"@message\":\"Plan: 1 to add\",\"type\":\"change_summary\"}\n";
    let report = check_both(&[Document::new("plan.ndjson", stream)], &Default::default());
    let f = report.findings.iter().find(|f| f.id == "AML-INP-002" && f.status == Status::Warn).unwrap();
    assert!(f.message.contains("terraform show -json tfplan"), "{}", f.message);
    let raw = r#"{"version":4,"terraform_version":"1.9.5","serial":3,"lineage":"x","outputs":{},"resources":[]}"#;
    let report = check_both(&[Document::new("terraform.tfstate", raw)], &Default::default());
    let f = report.findings.iter().find(|f| f.id == "AML-INP-002" && f.status == Status::Warn).unwrap();
    assert!(f.message.contains("terraform show -json"), "{}", f.message);
}

#[test]
fn a_state_document_is_read_with_its_ids() {
    let state = r#"{"format_version":"1.0","terraform_version":"1.9.5","values":{"root_module":{"resources":[
      {"address":"azurerm_network_security_group.n","mode":"managed","type":"azurerm_network_security_group","name":"n","values":{"id":"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg","name":"nsg","location":"westus2","resource_group_name":"rg",
        "security_rule":[{"name":"everything","priority":100,"direction":"Inbound","access":"Allow","protocol":"*","source_port_range":"*","source_port_ranges":[],"destination_port_range":"*","destination_port_ranges":[],"source_address_prefix":"*","source_address_prefixes":[],"destination_address_prefix":"*","destination_address_prefixes":[],"source_application_security_group_ids":[],"destination_application_security_group_ids":[],"description":""}]}},
      {"address":"azurerm_subnet.s","mode":"managed","type":"azurerm_subnet","name":"s","values":{"id":"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/train","name":"train","virtual_network_name":"vnet","resource_group_name":"rg","address_prefixes":["10.0.0.0/24"]}},
      {"address":"azurerm_subnet_network_security_group_association.a","mode":"managed","type":"azurerm_subnet_network_security_group_association","name":"a","values":{"id":"x","subnet_id":"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/train","network_security_group_id":"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg"}}
    ]}}}"#;
    let report = check_both(&[Document::new("state.json", state)], &Default::default());
    assert_eq!(report.documents[0].shape, "terraform-state");
    assert_eq!(statuses(&report, "AML-PIP-001"), vec![Status::Pass]);
    let f = report.findings.iter().find(|f| f.id == "AML-PIP-001").unwrap();
    assert_eq!(f.subject.as_ref().unwrap().name, "train");
}

#[test]
fn terraform_reading_is_bounded() {
    // 2,000 separate rules, each referring to its NSG: linear joins.
    let mut rules = Vec::new();
    for i in 0..2000u32 {
        rules.push((format!("r{i}"), rule(&format!("r{i}"), 100 + i, "Outbound", "Allow", "*", &format!("{}", 1000 + i), "Internet")));
    }
    let borrowed: Vec<(&str, String)> = rules.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let text = module_plan(&borrowed, false);
    let model = read_both(&[Document::new("plan.json", text)]);
    let nsg = model.nsgs.iter().find(|n| n.name == "nsg-train").unwrap();
    assert_eq!(nsg.rules.iter().filter(|r| !r.is_default).count(), 2000);
}

#[test]
fn references_that_fan_out_at_every_module_level_stay_bounded() {
    // 16 nested modules; every call passes `x` as 200 references to its own `var.x`, and
    // the root's is a variable: following every path would take 200^16 steps.
    let refs = format!("[{}]", vec!["\"var.x\""; 200].join(","));
    let depth = 16;
    let mut module = r#"{"resources":[{"address":"azurerm_network_interface.n","mode":"managed","type":"azurerm_network_interface","name":"n","expressions":{"ip_configuration":[{"subnet_id":{"references":["var.x"]}}]}}]}"#.to_string();
    for level in (0..depth).rev() {
        module = format!(r#"{{"module_calls":{{"m{level}":{{"source":"./m","expressions":{{"x":{{"references":{refs}}}}},"module":{module}}}}}}}"#);
    }
    let address: String = (0..depth).map(|l| format!("module.m{l}.")).collect::<String>() + "azurerm_network_interface.n";
    let module_address = address.trim_end_matches(".azurerm_network_interface.n").to_string();
    let text = format!(
        r#"{{"format_version":"1.2","terraform_version":"1.9.5","planned_values":{{"root_module":{{"child_modules":[{{"address":"{module_address}","resources":[{{"address":"{address}","mode":"managed","type":"azurerm_network_interface","name":"n","values":{{"name":"nic","ip_configuration":[{{"name":"c"}}]}}}}]}}]}}}},"resource_changes":[{{"address":"{address}","change":{{"actions":["create"],"after_unknown":{{"ip_configuration":[{{"subnet_id":true}}]}}}}}}],"configuration":{{"root_module":{module}}}}}"#
    );
    let model = read_both(&[Document::new("plan.json", text)]);
    assert_eq!(model.nics.len(), 1);
    assert!(model.nics[0].subnets.iter().all(|s| s.unresolved), "the subnet stays unknown: {:?}", model.nics[0].subnets);
}

#[path = "../benches/input/mod.rs"]
mod bench_input;

/// Known inline rules are moved out of the parsed plan and renamed in place; with a `true`
/// in `after_unknown` over a value the plan knows (which changes nothing: a known value is
/// known) the same rules go through the copying path. Both read alike, field by field:
/// application security groups (a null among their IDs), nulls, other attributes, names
/// in another case, the rule's place and address.
#[test]
fn inline_rules_moved_in_place_read_as_the_copying_path_reads_them() {
    let rules = r#"[
        {"name": "a", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "source_address_prefix": "VirtualNetwork",
         "source_address_prefixes": [], "source_port_range": "*", "source_port_ranges": [], "destination_address_prefix": null,
         "destination_address_prefixes": ["10.0.0.0/24", "10.0.1.0/24"], "destination_port_range": null, "destination_port_ranges": ["443", "8000-8999"],
         "source_application_security_group_ids": ["/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/applicationSecurityGroups/x", null],
         "destination_application_security_group_ids": [], "description": "web"},
        {"name": "b", "Priority": 4096, "direction": "Outbound", "access": "Deny", "protocol": "*", "source_address_prefix": "*", "source_port_range": "*",
         "destination_address_prefix": "Internet", "destination_port_range": "*", "Description": null},
        {"name": "c", "priority": "x", "direction": "Sideways", "access": "Allow", "protocol": "Tcp", "source_address_prefix": "Storage.nowhere",
         "source_port_range": "99999", "destination_address_prefix": "*", "destination_port_range": "22"}
    ]"#;
    let values = format!(r#"{{"name": "nsg", "location": "westus2", "resource_group_name": "rg", "security_rule": {rules}}}"#);
    let read = |unknown: &str| {
        let text =
            plan(&[("azurerm_network_security_group.nsg", "azurerm_network_security_group", "nsg", &values, unknown)], r#"{"resources": []}"#, "~> 3.100");
        read_both(&[Document::new("plan.json", text)])
    };
    let moved = read(r#"{"id": true, "security_rule": [{}, {}, {}]}"#);
    let copied = read(r#"{"id": true, "security_rule": [{"name": true}, {}, {}]}"#);
    assert_eq!(moved.nsgs.len(), 1);
    assert_eq!(moved.nsgs[0].rules.iter().filter(|r| !r.is_default).count(), 3);
    assert_eq!(format!("{:?}", moved.nsgs), format!("{:?}", copied.nsgs));
    assert_eq!(format!("{:?}", moved.issues), format!("{:?}", copied.issues));
    assert!(!moved.issues.is_empty(), "rule c's mistakes are found");
}

/// The benchmark's plan and its ARM twin (`benches/terraform.rs`) are the same NSG: every
/// check gives the same status for both.
#[test]
fn the_benchmark_plan_and_its_arm_twin_give_the_same_verdicts() {
    let plan = check_both(&[Document::new("plan.json", bench_input::terraform_plan_nsg(50))], &Options::default());
    let arm = check_both(&[Document::new("nsg.json", bench_input::terraform_arm_nsg(50))], &Options::default());
    let verdicts = |r: &Report| r.findings.iter().map(|f| (f.id, f.status)).collect::<Vec<_>>();
    assert_eq!(verdicts(&plan), verdicts(&arm));
    assert!(plan.findings.iter().any(|f| f.status == Status::Fail), "the twins fail somewhere, so the comparison means something");
}

/// Every corpus document read both ways (`read_both`), and the bytes handed over are
/// checked like input: any truncation or flipped byte of a real translation decodes to
/// `None` or to a translation, never a panic, and anything else is not a translation.
#[test]
fn translations_handed_over_as_bytes_read_as_the_cli_reads_and_bad_bytes_are_refused() {
    let mut texts = vec![module_plan(&[("batch", rule("b", 100, "Outbound", "Allow", "*", "443", "Storage"))], true)];
    if let Some(dir) = corpus() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                let doc = Document::new(path.file_name().unwrap().to_string_lossy(), std::fs::read_to_string(&path).unwrap());
                read_both(std::slice::from_ref(&doc));
                texts.push(doc.text);
            }
        }
    }
    for text in &texts {
        let bytes = amlvnet::input::wire::prepare(&[Document::new("plan.json", text.as_str())]).remove(0).unwrap();
        assert!(amlvnet::input::wire::decode(&bytes).is_some());
        for cut in (0..bytes.len()).step_by(97.max(bytes.len() / 300)) {
            assert!(amlvnet::input::wire::decode(&bytes[..cut]).is_none(), "a truncated translation is refused");
            let mut flipped = bytes.clone();
            flipped[cut] ^= 0x5A;
            let _ = amlvnet::input::wire::decode(&flipped);
        }
    }
    assert!(amlvnet::input::wire::prepare(&[Document::new("nsg.json", r#"{"type": "Microsoft.Network/networkSecurityGroups"}"#)])[0].is_none());
    assert!(amlvnet::input::wire::decode(b"amlvnet-wire-1\x00\xff\xff\xff\xff\x0f").is_none(), "a count past the bytes left allocates nothing");
}
