//! Attached VM or HDInsight (spec 2.6).

use super::flows::{self, subnet_endpoint, FlowReq};
use super::{docs, scope, Check};
use crate::model::ComputeKind;
use crate::net::{Direction, Endpoint, Protocol};
use crate::report::{Severity, Status};

pub static CHECKS: &[&Check] = &[&VMH_001, &VMH_002, &VMH_003, &VMH_004, &VMH_005];

pub static VMH_001: Check = Check {
    id: "AML-VMH-001",
    name: "ssh-from-azureml-blocked",
    title: "Inbound SSH from AzureMachineLearning is allowed",
    severity: Severity::Error,
    scope: scope::VMH,
    docs: docs! {
        what: "Evaluates inbound TCP 22 (or the compute's `sshPort`) from the `AzureMachineLearning` tag through the subnet NSG and the NIC NSG.",
        why: "Azure ML drives an attached VM or HDInsight cluster over SSH; both NSGs must allow it.",
        example: "An NSG with only the default rules: `DenyAllInBound` drops it.",
        fix: "Add an inbound allow: source service tag AzureMachineLearning, source ports *, destination Any, port 22, protocol Any.",
        source: "Seed › Configure network ports",
    },
    run: |ctx, check| {
        let port = ctx.model.computes.iter().filter(|c| matches!(c.kind, ComputeKind::Vm | ComputeKind::HdInsight)).find_map(|c| c.ssh_port).unwrap_or(22);
        flows::findings(
            ctx,
            check,
            |t| FlowReq {
                direction: Direction::Inbound,
                protocol: Protocol::Tcp,
                source: Endpoint::Service { name: "AzureMachineLearning".into(), region: None },
                destination: subnet_endpoint(t),
                ports: vec![port],
            },
            |s| s,
        )
    },
};

pub static VMH_002: Check = Check {
    id: "AML-VMH-002",
    name: "vm-outbound-restricted",
    title: "The VM's outbound access meets the requirements",
    severity: Severity::Warning,
    scope: scope::VMH,
    docs: docs! {
        what: "Passes when the default outbound rules are effective; when outbound is restricted, sums up the AML-OUT checks and warns if they aren't met.",
        why: "The article says to keep the default outbound rules; a restricted VM needs the same outbound list as clusters.",
        example: "Outbound `Deny Internet` at 100 on the VM's subnet.",
        fix: "Keep the default outbound rules, or allow the AML-OUT destinations.",
        source: "Seed › Configure network ports",
    },
    run: |ctx, check| {
        super::out::summary(ctx, check)
            .into_iter()
            .map(|mut f| {
                if f.status == Status::Fail {
                    f.status = Status::Warn;
                    f.message = format!("outbound is restricted: {}", f.message);
                }
                f.severity = Severity::Warning;
                f
            })
            .collect()
    },
};

pub static VMH_003: Check = Check {
    id: "AML-VMH-003",
    name: "vm-not-ubuntu",
    title: "The attached VM runs Ubuntu",
    severity: Severity::Warning,
    scope: scope::VMH,
    docs: docs! {
        what: "Reads the VM's image reference and OS disk type, and warns when another OS than Ubuntu is evident.",
        why: "Azure ML supports only Ubuntu VMs for attached compute.",
        example: "\"imageReference\": {\"publisher\": \"MicrosoftWindowsServer\", \"offer\": \"WindowsServer\"}",
        fix: "Attach an Ubuntu VM (for example the Data Science VM for Ubuntu).",
        source: "Seed › Limitations › HDInsight or VM",
    },
    run: |ctx, check| {
        if ctx.model.vms.is_empty() {
            return vec![check.finding(Status::Unknown, "no VM JSON was given (`az vm show`)")];
        }
        ctx.model
            .vms
            .iter()
            .map(|vm| {
                let os = vm.os_hint.clone().unwrap_or_default().to_ascii_lowercase();
                let mut f = if os.contains("ubuntu") {
                    check.finding(Status::Pass, format!("VM `{}` runs Ubuntu", vm.name))
                } else if os.contains("windows") || os.contains("centos") || os.contains("rhel") || os.contains("suse") || os.contains("debian") {
                    check.finding(Status::Warn, format!("VM `{}` runs {}; Azure ML supports only Ubuntu", vm.name, vm.os_hint.clone().unwrap_or_default()))
                } else {
                    check.finding(
                        Status::Unknown,
                        format!("the OS of VM `{}` isn't evident ({})", vm.name, if os.is_empty() { "no image reference" } else { &os }),
                    )
                };
                f.location = vm.loc.clone();
                f
            })
            .collect()
    },
};

pub static VMH_004: Check = Check {
    id: "AML-VMH-004",
    name: "hdinsight-own-requirements",
    title: "HDInsight's own network requirements are met",
    severity: Severity::Info,
    scope: scope::VMH,
    docs: docs! {
        what: "Reminds that HDInsight has its own inbound management requirements (health and management service traffic).",
        why: "They are not part of the Azure ML article and not catalogued here.",
        example: "An HDInsight subnet NSG that allows only AzureMachineLearning on 22.",
        fix: "Follow the HDInsight virtual network planning article.",
        source: "Seed links to the HDInsight VNet article",
    },
    run: |ctx, check| {
        let text = if ctx.scenario.compute == ComputeKind::HdInsight {
            "HDInsight needs its own inbound management traffic (HDInsight health and management services); see the HDInsight VNet planning article"
        } else {
            "for HDInsight, its own inbound management requirements apply as well"
        };
        vec![check.finding(Status::Info, text)]
    },
};

pub static VMH_005: Check = Check {
    id: "AML-VMH-005",
    name: "vm-in-vnet-before-attach",
    title: "The machine is in the VNet before it is attached",
    severity: Severity::Info,
    scope: scope::VMH,
    docs: docs! {
        what: "Reminds that the VM or HDInsight cluster must be placed in the VNet before attaching it to the workspace.",
        why: "Attaching first and moving later is not supported by the article's procedure.",
        example: "A VM attached, then moved to the VNet.",
        fix: "Create the machine in the VNet, then attach it.",
        source: "Seed › Create the VM or HDInsight cluster",
    },
    run: |_, check| vec![check.finding(Status::Info, "create the VM or HDInsight cluster in the VNet before attaching it to the workspace")],
};
