//! Real documents written by others, kept in `../shared/corpus/` (third-party files: they
//! are read from there, never copied into the project). When that folder is absent, as
//! in a user's fresh clone, these tests say so and skip.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;
use amlvnet::model::ComputeKind;
use amlvnet::report::Status;
use amlvnet::Document;
use std::path::{Path, PathBuf};

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/corpus is absent (a user's fresh clone)");
        None
    }
}

fn doc(dir: &Path, rel: &str) -> Document {
    Document::new(rel, std::fs::read_to_string(dir.join(rel)).unwrap_or_default())
}

fn all_json(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_corpus_document_gives_a_sensible_report() {
    let Some(dir) = corpus() else { return };
    let files = all_json(&dir);
    assert!(files.len() >= 13, "expected the 13 corpus files, found {}", files.len());
    for path in files {
        let rel = path.strip_prefix(&dir).map(|p| p.to_string_lossy().to_string()).unwrap_or_default();
        let report = common::check_both(&[doc(&dir, &rel)], &Default::default());
        let d = &report.documents[0];
        if rel.contains("conflict-markers") {
            let (line, column, message) = d.error.clone().expect("merge markers are a parse error");
            assert_eq!((line, column), (3, 1), "{rel}");
            assert!(message.contains("merge conflict"), "{rel}: {message}");
            assert!(report.findings.iter().any(|f| f.id == "AML-INP-001" && f.status == Status::Fail));
        } else if rel.starts_with("terraform/") {
            assert!(d.error.is_none(), "{rel}: {:?}", d.error);
            assert_eq!(d.shape, "terraform-plan", "{rel}");
            assert!(!d.resources.is_empty(), "{rel}: nothing recognised");
            assert!(report.findings.iter().all(|f| f.id != "AML-INP-002" || f.status == Status::Pass), "{rel}");
        } else {
            assert!(d.error.is_none(), "{rel}: {:?}", d.error);
            // A template may deploy nothing with its default parameters (the hub pattern's
            // VNets come from a nullable map): the report says so.
            // Documents of kinds no check reads: a managed VNet's outbound rules, a firewall
            // policy, the service-tag list (read as data by the issue "Service tags: …").
            let not_read =
                ["ManagedNetwork/listRule.json", "FirewallPolicyRuleCollectionGroupPut.json", "ServiceTagsList.json"].iter().any(|n| rel.ends_with(n));
            let deploys_nothing = not_read || report.findings.iter().any(|f| f.id == "AML-INP-002" && f.message.contains("deploys no"));
            if !rel.ends_with(".parameters.json") && !deploys_nothing {
                assert!(!d.resources.is_empty(), "{rel}: nothing recognised");
            }
            assert!(deploys_nothing || report.findings.iter().all(|f| f.id != "AML-INP-002" || f.status == Status::Pass), "{rel}");
        }
        assert!(!report.findings.is_empty());
    }
}

#[test]
fn rest_examples_are_recognised_and_checked() {
    let Some(dir) = corpus() else { return };
    let nsg = common::check_both(&[doc(&dir, "rest-api-specs-network-2023-05-01/NetworkSecurityGroupCreateWithRule.json")], &Default::default());
    let status = |r: &amlvnet::Report, id: &str| r.findings.iter().filter(|f| f.id == id).map(|f| f.status).collect::<Vec<_>>();
    // testnsg has only "allow port 80" and the defaults: public-IP management traffic is denied.
    assert_eq!(status(&nsg, "AML-PIP-001"), vec![Status::Fail]);
    let delegated = common::check_both(&[doc(&dir, "rest-api-specs-network-2023-05-01/SubnetGetWithDelegation.json")], &Default::default());
    assert_eq!(status(&delegated, "AML-CMP-001"), vec![Status::Fail]);
    let vnet = common::check_both(&[doc(&dir, "rest-api-specs-network-2022-05-01/VirtualNetworkCreateSubnetWithDelegation.json")], &Default::default());
    assert_eq!(status(&vnet, "AML-CMP-001"), vec![Status::Fail], "test-1 is delegated to Microsoft.Sql/managedInstances");
    let ws = common::check_both(
        &[doc(&dir, "rest-api-specs-machinelearningservices-2022-05-01/Workspace/get.json")],
        &amlvnet::Options { public_ip: Some(false), ..Default::default() },
    );
    assert_eq!(status(&ws, "AML-NPIP-001"), vec![Status::Pass], "one approved private endpoint connection");
    let ci =
        common::check_both(&[doc(&dir, "rest-api-specs-machinelearningservices-2022-05-01/Compute/createOrUpdate/ComputeInstance.json")], &Default::default());
    assert_eq!(ci.scenario.compute, ComputeKind::Instance);
    assert!(ci.scenario.public_ip, "no enableNodePublicIp: the API default, public IP");
}

#[test]
fn quickstart_template_training_subnet_nsg_and_cluster_are_joined() {
    let Some(dir) = corpus() else { return };
    let d = doc(&dir, "quickstart-machine-learning-end-to-end-secure/azuredeploy.json");
    let model = amlvnet::input::read(std::slice::from_ref(&d));
    let subnet = model.subnets.iter().find(|s| s.name == "snet-training").expect("snet-training found through the nested VNet deployment");
    assert_eq!(subnet.prefixes.iter().map(|p| p.to_string()).collect::<Vec<_>>(), vec!["192.168.0.0/24"]);
    let nsg_ref = subnet.nsg.clone().expect("the subnet's NSG comes from reference(nsg deployment).outputs");
    let nsg = model.nsgs.iter().find(|n| n.name.eq_ignore_ascii_case(nsg_ref.name())).expect("the NSG of the nested NSG deployment");
    assert!(nsg.rules.iter().any(|r| r.name == "BatchNodeManagement" && r.priority == Some(120)));
    let cluster = model.computes.iter().find(|c| c.name == "cluster001").expect("cluster001");
    assert_eq!(cluster.kind, ComputeKind::Cluster);
    assert_eq!(cluster.public_ip, Some(true), "amlComputePublicIp defaults to true");
    assert!(cluster.subnet.as_ref().is_some_and(|r| r.name() == "snet-training"));
    let storage_rule = nsg.rules.iter().find(|r| r.name == "AzureStorageAccount").expect("storage rule");
    assert_eq!(storage_rule.destination[0].to_string(), "Storage.<deployment region>", "format('Storage.{{0}}', location) keeps the deployment region");

    let report = common::check_both(&[d], &Default::default());
    let for_training = |id: &str| {
        report.findings.iter().filter(|f| f.id == id && f.subject.as_ref().is_some_and(|s| s.name == "snet-training")).map(|f| f.status).collect::<Vec<_>>()
    };
    for id in ["AML-PIP-001", "AML-PIP-002", "AML-CMP-001", "AML-OUT-008", "AML-OUT-002", "AML-CMP-006"] {
        assert_eq!(for_training(id), vec![Status::Pass], "{id}");
    }
    // With no public IP, the template's subnet lacks an egress path.
    let npip = common::check_both(
        &[doc(&dir, "quickstart-machine-learning-end-to-end-secure/azuredeploy.json")],
        &amlvnet::Options { public_ip: Some(false), ..Default::default() },
    );
    let egress: Vec<_> = npip.findings.iter().filter(|f| f.id == "AML-NPIP-008").map(|f| f.status).collect();
    assert_eq!(egress, vec![Status::Fail]);
}

fn statuses(r: &amlvnet::Report, id: &str) -> Vec<Status> {
    r.findings.iter().filter(|f| f.id == id).map(|f| f.status).collect()
}

#[test]
fn variable_copy_over_a_parameters_file_gives_the_real_rules() {
    let Some(dir) = corpus() else { return };
    let template = doc(&dir, "azure-docs-json-samples/multiplesecurityrules.json");
    let params = doc(&dir, "azure-docs-json-samples/multiplesecurityrules.parameters.json");
    // Alone, the required array parameter is unknown: the NSG's rules are unknown, never zero.
    let alone = common::check_both(std::slice::from_ref(&template), &Default::default());
    assert!(alone.findings.iter().any(|f| f.id == "AML-INP-005" && f.message.contains("securityRules")), "the parameter is named");
    for id in ["AML-PIP-001", "AML-PIP-002", "AML-OUT-002", "AML-OUT-008"] {
        assert!(!statuses(&alone, id).contains(&Status::Pass), "{id} must not pass on unknown rules");
    }
    let model = amlvnet::input::read(&[template.clone(), params.clone()]);
    let nsg = model.nsgs.iter().find(|n| n.name == "NSG1").expect("NSG1");
    let names: Vec<_> = nsg.rules.iter().filter(|r| !r.is_default).map(|r| (r.name.as_str(), r.priority)).collect();
    assert_eq!(names, [("RDPAllow", Some(100)), ("HTTPAllow", Some(200))]);
    let both = common::check_both(&[template, params], &Default::default());
    assert_eq!(statuses(&both, "AML-PIP-001"), [Status::Fail], "only RDP and HTTP are allowed in: Batch management is denied");
}

#[test]
fn portal_export_subnets_declared_twice_are_one() {
    let Some(dir) = corpus() else { return };
    let model = amlvnet::input::read(&[doc(&dir, "microsoftlearning-az700/M01-template.json")]);
    let mut keys: Vec<String> = model.subnets.iter().map(|s| format!("{}/{}", s.vnet.clone().unwrap_or_default(), s.name)).collect();
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n, "no subnet twice: {keys:?}");
    assert_eq!(n, 9);
}

#[test]
fn property_copies_of_concrete_parameters_are_expanded() {
    let Some(dir) = corpus() else { return };
    let model = amlvnet::input::read(&[doc(&dir, "resource-modules/networkSecurityGroups-test-common-deploy.test.json")]);
    let rules: Vec<_> = model.nsgs.iter().flat_map(|n| n.rules.iter().filter(|r| !r.is_default).map(|r| (r.name.clone(), r.priority))).collect();
    assert_eq!(rules, [("Specific".to_string(), Some(100)), ("Ranges".to_string(), Some(101)), ("Port_8082".to_string(), Some(102))]);
    let model = amlvnet::input::read(&[doc(&dir, "resource-modules/virtualNetworks-test-common-deploy.test.json")]);
    let names: Vec<_> = model.subnets.iter().map(|s| s.name.clone()).collect();
    assert!(names.contains(&"GatewaySubnet".to_string()) && names.len() == 4, "{names:?}");
    assert!(model.subnets.iter().any(|s| s.delegations == ["Microsoft.Netapp/volumes"]));
}

#[test]
fn templates_with_comments_are_read() {
    let Some(dir) = corpus() else { return };
    for rel in [
        "vscode-azurearmtools/regression-730c.json",
        "vscode-azurearmtools/portal-new-vmscaleset1.json",
        "vscode-azurearmtools/portal-new-vmscaleset1.parameters.json",
    ] {
        let r = common::check_both(&[doc(&dir, rel)], &Default::default());
        assert!(r.documents[0].error.is_none(), "{rel}: {:?}", r.documents[0].error);
    }
    let model = amlvnet::input::read(&[doc(&dir, "vscode-azurearmtools/regression-730c.json")]);
    assert!(model.nsgs.iter().any(|n| n.rules.iter().any(|r| r.destination_ports.contains_port(3389))));
}

#[test]
fn conditions_that_are_false_deploy_nothing() {
    let Some(dir) = corpus() else { return };
    // enablePE is false by default: no VNet or subnet is deployed.
    let model = amlvnet::input::read(&[doc(&dir, "azureml-examples/featurestore-arm-template.json")]);
    assert!(model.subnets.is_empty() && model.vnets.is_empty());
    // enableDatabricks defaults to false: no Databricks subnet or NSG is deployed.
    let model = amlvnet::input::read(&[doc(&dir, "bicep-registry-modules/avm-ptn-data-private-analytical-workspace-main.json")]);
    let names: Vec<_> = model.subnets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["private-link-subnet"]);
    assert!(model.nsgs.iter().all(|n| !n.name.to_ascii_lowercase().contains("dbw")), "{:?}", model.nsgs.iter().map(|n| &n.name).collect::<Vec<_>>());
}

#[test]
fn large_pattern_templates_are_bounded() {
    let Some(dir) = corpus() else { return };
    for rel in ["bicep-registry-modules/avm-ptn-data-private-analytical-workspace-main.json", "bicep-registry-modules/avm-ptn-network-hub-networking-main.json"]
    {
        let r = common::check_both(&[doc(&dir, rel)], &Default::default());
        assert!(r.documents[0].error.is_none());
        assert!(r.findings.iter().filter(|f| f.id == "AML-INP-005").count() <= 100, "{rel}: notes are per cause");
    }
}
