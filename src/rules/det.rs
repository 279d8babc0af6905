//! Mode detection (spec 2.1): which scenario the other checks run for.

use super::{docs, scope, Check, Ctx};
use crate::model::ComputeKind;
use crate::report::{Finding, NoteAbout, Severity, Status, Subject};

pub static CHECKS: &[&Check] = &[&DET_001, &DET_002, &DET_003];

pub static DET_001: Check = Check {
    id: "AML-DET-001",
    name: "compute-type-detected",
    title: "Compute type is known",
    severity: Severity::Info,
    scope: scope::ALL,
    docs: docs! {
        what: "Reads the compute type (`properties.computeType` in ARM, `type` in `az ml compute show`) and picks the scenario family: cluster, instance, attached VM, HDInsight or Databricks. An AKS agent pool also has `enableNodePublicIp`, but it is not Azure ML compute.",
        why: "Each compute type has different network requirements: clusters and instances need the Batch and Azure ML management ports, attached VMs need SSH from AzureMachineLearning, Databricks needs delegated subnets.",
        example: "{\"type\": \"Microsoft.ContainerService/managedClusters/agentPools\", \"properties\": {\"enableNodePublicIp\": false}}  (not AML compute)",
        fix: "Paste the Azure ML compute JSON (`az ml compute show -n <name>`), or choose the compute type with `--compute`.",
        source: "Spec 2.1; REST API Microsoft.MachineLearningServices 2022-05-01",
    },
    run: run_001,
};

fn run_001(ctx: &Ctx, check: &'static Check) -> Vec<Finding> {
    let computes: Vec<String> = ctx.model.computes.iter().map(|c| format!("`{}` ({})", c.name, c.kind.as_str())).collect();
    let from = if computes.is_empty() { "no compute document was given".to_string() } else { format!("computes found: {}", computes.join(", ")) };
    let mut f = check.finding(Status::Info, format!("checking for compute type `{}`; {from}", ctx.scenario.compute.as_str()));
    f.location = ctx.model.computes.first().and_then(|c| c.loc.clone());
    if ctx.model.computes.iter().any(|c| c.kind == ComputeKind::Other) {
        f.message.push_str("; computes of other types (AKS, Kubernetes, …) are not training compute in a subnet and are left out");
    }
    vec![f]
}

pub static DET_002: Check = Check {
    id: "AML-DET-002",
    name: "public-ip-mode-detected",
    title: "Public IP mode is known",
    severity: Severity::Info,
    scope: scope::AML,
    docs: docs! {
        what: "Reads `enableNodePublicIp` (ARM; also written `enableNodePublicIP`) or `enable_node_public_ip` (`az ml`). `false` means no public IP; `true` or absent means public IP, the API default.",
        why: "Public-IP compute needs inbound management rules from BatchNodeManagement and AzureMachineLearning; no-public-IP compute needs a private endpoint, disabled network policies and an egress path instead.",
        example: "{\"properties\": {\"computeType\": \"AmlCompute\", \"properties\": {\"enableNodePublicIp\": false}}}",
        fix: "Paste the compute JSON or pass `--public-ip yes|no`.",
        source: "Seed article, \"No public IP\" sections; REST spec 2022-05-01",
    },
    run: run_002,
};

fn run_002(ctx: &Ctx, check: &'static Check) -> Vec<Finding> {
    let mode = if ctx.scenario.public_ip { "public IP" } else { "no public IP" };
    let notes: Vec<&String> = ctx.scenario.notes.iter().filter(|n| n.about == NoteAbout::PublicIp).map(|n| &n.text).collect();
    let mut message = format!("checking for compute with {mode}");
    for n in notes {
        message.push_str("; ");
        message.push_str(n);
    }
    let unresolved: Vec<&str> = ctx.model.computes.iter().filter(|c| c.public_ip_unresolved).map(|c| c.name.as_str()).collect();
    if !unresolved.is_empty() {
        message.push_str(&format!("; `enableNodePublicIp` of {} is an unresolved expression", unresolved.join(", ")));
    }
    let mut f = check.finding(Status::Info, message);
    f.location = ctx.model.computes.first().and_then(|c| c.loc.clone());
    vec![f]
}

pub static DET_003: Check = Check {
    id: "AML-DET-003",
    name: "region-known",
    title: "Workspace region is known",
    severity: Severity::Info,
    scope: scope::ALL,
    docs: docs! {
        what: "Finds the workspace region (the `location` of the pasted resources, or `--region`), which names the regional service tags such as `Storage.<region>` and `BatchNodeManagement.<region>`.",
        why: "A rule for `Storage.eastus` does not open `Storage.westus2`. Without the region, checks on regional tags can only be decided when the answer is the same for every region.",
        example: "An NSG allowing `Storage.eastus` pasted alone, for a workspace in westus2.",
        fix: "Pass `--region <arm-location>` (for example `westus2`) or paste the workspace JSON.",
        source: "Include: required public internet access",
    },
    run: run_003,
};

fn run_003(ctx: &Ctx, check: &'static Check) -> Vec<Finding> {
    let notes: Vec<&String> = ctx.scenario.notes.iter().filter(|n| n.about == NoteAbout::Region).map(|n| &n.text).collect();
    let mut f = match &ctx.scenario.region {
        Some(_) => check.finding(Status::Info, format!("region: {}", ctx.scenario.region_label())),
        None => check.finding(
            Status::Unknown,
            "the region is unknown: checks on regional service tags are decided only where the region doesn't matter; pass --region or paste the workspace JSON",
        ),
    };
    for n in notes {
        f.message.push_str("; ");
        f.message.push_str(n);
    }
    f.subject = ctx.workspace.map(|w| Subject { kind: "workspace", name: w.name.clone() });
    vec![f]
}
