//! Required outbound destinations (spec 3.1), one check per row, and the summary checks
//! that take the worst of them (AML-CMP-006, AML-PIP-006, AML-NPIP-014, AML-VMH-002).

use super::flows::{self, FlowReq};
use super::{docs, scope, Check, Ctx};
use crate::model::ComputeKind;
use crate::net::{Address, Direction, Endpoint, Protocol};
use crate::report::{Finding, Severity, Status, Subject};

pub static CHECKS: &[&Check] =
    &[&OUT_001, &OUT_002, &OUT_003, &OUT_004, &OUT_005, &OUT_006, &OUT_007, &OUT_008, &OUT_009, &OUT_010, &OUT_011, &OUT_012, &OUT_013, &OUT_014, &OUT_015];

/// How much a destination is needed, for the scenario and profile.
enum Need {
    /// Blocked means `fail`.
    Required,
    /// Blocked means `warn`.
    Optional,
    /// Blocked means `unknown`: it depends on something the inputs don't show.
    Conditional(&'static str),
    NotApplicable(String),
}

struct Row {
    tag: &'static str,
    regional: bool,
    protocol: Protocol,
    ports: &'static [u16],
    need: fn(&Ctx) -> Need,
}

impl Row {
    const fn new(tag: &'static str, regional: bool, protocol: Protocol, ports: &'static [u16], need: fn(&Ctx) -> Need) -> Row {
        Row { tag, regional, protocol, ports, need }
    }
}

fn required(_: &Ctx) -> Need {
    Need::Required
}
fn optional(_: &Ctx) -> Need {
    Need::Optional
}

/// Each outbound check with its row: the check's static itself, so a row can't name a
/// check that doesn't exist.
static ROWS: [(&Check, Row); 15] = [
    (&OUT_001, Row::new("AzureActiveDirectory", false, Protocol::Tcp, &[80, 443], required)),
    (&OUT_002, Row::new("AzureMachineLearning", false, Protocol::Tcp, &[443], required)),
    (
        &OUT_003,
        Row::new("AzureMachineLearning", false, Protocol::Tcp, &[8787], |ctx| {
            if ctx.scenario.compute != ComputeKind::Instance {
                Need::NotApplicable("RStudio runs on compute instances only".into())
            } else if ctx.is_profile_2023() && ctx.workspace.is_some_and(|w| w.private_endpoints_known && w.private_endpoint_statuses.is_empty()) {
                Need::NotApplicable("the 2023 docs need it only when the workspace has a private endpoint".into())
            } else {
                Need::Optional
            }
        }),
    ),
    (
        &OUT_004,
        Row::new("AzureMachineLearning", false, Protocol::Tcp, &[18881], |ctx| {
            if ctx.scenario.compute == ComputeKind::Instance {
                Need::Optional
            } else {
                Need::NotApplicable("the notebook language server runs on compute instances only".into())
            }
        }),
    ),
    (
        &OUT_005,
        Row::new("AzureMachineLearning", false, Protocol::Udp, &[5831], |ctx| {
            if !ctx.is_profile_2023() {
                Need::NotApplicable("not in the mid-2022 docs (required from the 2023 GA; see profile 2023-04)".into())
            } else if ctx.scenario.compute == ComputeKind::Instance {
                Need::Required
            } else {
                Need::NotApplicable("the 2023 docs require it for compute instances".into())
            }
        }),
    ),
    (&OUT_006, Row::new("BatchNodeManagement", true, Protocol::Tcp, &[443], |ctx| if ctx.is_profile_2023() { Need::Required } else { Need::Optional })),
    (&OUT_007, Row::new("AzureResourceManager", false, Protocol::Tcp, &[443], required)),
    (&OUT_008, Row::new("Storage", true, Protocol::Tcp, &[443], required)),
    (&OUT_009, Row::new("Storage", true, Protocol::Tcp, &[445], optional)),
    (&OUT_010, Row::new("AzureFrontDoor.FrontEnd", false, Protocol::Tcp, &[443], required)),
    (&OUT_011, Row::new("MicrosoftContainerRegistry", true, Protocol::Tcp, &[443], required)),
    (&OUT_012, Row::new("AzureFrontDoor.FirstParty", false, Protocol::Tcp, &[443], required)),
    (&OUT_013, Row::new("AzureContainerRegistry", true, Protocol::Tcp, &[443], optional)),
    (&OUT_014, Row::new("AzureMonitor", false, Protocol::Tcp, &[443], optional)),
    (
        &OUT_015,
        Row::new("AzureKeyVault", true, Protocol::Tcp, &[443], |ctx| match ctx.workspace.and_then(|w| w.hbi) {
            Some(true) => Need::Required,
            Some(false) => Need::NotApplicable("the workspace is not an HBI workspace (`hbiWorkspace` false)".into()),
            None => Need::Conditional("needed only for an HBI workspace (`hbiWorkspace: true`); paste the workspace JSON to decide"),
        }),
    ),
];

/// The row of an outbound check.
fn row(check: &Check) -> Option<&'static Row> {
    ROWS.iter().find(|(c, _)| std::ptr::eq(*c, check)).map(|(_, r)| r)
}

/// The outbound check that requires `protocol` to `tag` (the tag's name without region,
/// any case) on `port`, for the error decoder.
pub(crate) fn requiring(tag: &str, port: u16, protocol: Protocol) -> Option<&'static Check> {
    CHECKS.iter().copied().find(|c| row(c).is_some_and(|r| r.protocol == protocol && r.ports.contains(&port) && r.tag.eq_ignore_ascii_case(tag)))
}

fn endpoint(ctx: &Ctx, tag: &str, regional: bool) -> Endpoint {
    match Address::parse(tag) {
        Some(Address::Tag { name, region: Some(sub) }) => Endpoint::Service { name, region: Some(sub) },
        _ => flows::service(ctx, tag, regional),
    }
}

/// One outbound row, from the cache of all rows.
fn run_row(ctx: &Ctx, check: &'static Check) -> Vec<Finding> {
    all_rows(ctx).iter().filter(|f| f.id == check.id).cloned().collect()
}

/// Every outbound row, computed once per check run.
fn all_rows<'c>(ctx: &'c Ctx) -> &'c [Finding] {
    ctx.out_cache.get_or_init(|| CHECKS.iter().flat_map(|c| compute_row(ctx, c)).collect())
}

/// Runs one outbound row for every target.
fn compute_row(ctx: &Ctx, check: &'static Check) -> Vec<Finding> {
    let Some(row) = row(check) else { return vec![check.finding(Status::Unknown, "no definition")] };
    let need = (row.need)(ctx);
    if let Need::NotApplicable(reason) = need {
        return vec![check.finding(Status::NotApplicable, reason)];
    }
    let destination = endpoint(ctx, row.tag, row.regional);
    let mut findings = flows::findings(
        ctx,
        check,
        |t| FlowReq {
            direction: Direction::Outbound,
            protocol: row.protocol,
            source: flows::subnet_endpoint(t),
            destination: destination.clone(),
            ports: row.ports.to_vec(),
        },
        |s| match (&need, s) {
            (Need::Optional, Status::Fail) => Status::Warn,
            (Need::Conditional(_), Status::Fail | Status::Warn) => Status::Unknown,
            _ => s,
        },
    );
    for f in &mut findings {
        match &need {
            Need::Optional => {
                f.severity = Severity::Warning;
                if f.status == Status::Warn {
                    f.message.push_str(" (optional: needed only for the feature this destination serves)");
                }
            }
            Need::Conditional(why) if f.status == Status::Unknown => {
                f.message = format!("{}; {why}", f.message);
            }
            _ => {}
        }
    }
    findings
}

/// The summary: per target, the worst of the outbound checks that apply.
pub fn summary(ctx: &Ctx, check: &'static Check) -> Vec<Finding> {
    let mut per_subject: Vec<(Option<Subject>, Vec<Finding>)> = Vec::new();
    {
        // Subjects in order of first appearance, found by key (a tenant's export has
        // tens of thousands of subjects).
        let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for f in all_rows(ctx).iter().cloned() {
            if f.status == Status::NotApplicable {
                continue;
            }
            let key = f.subject.as_ref().map(|s| format!("{}\u{0}{}", s.kind, s.name)).unwrap_or_default();
            match index.get(&key).and_then(|&i| per_subject.get_mut(i)) {
                Some((_, list)) => list.push(f),
                None => {
                    index.insert(key, per_subject.len());
                    per_subject.push((f.subject.clone(), vec![f]));
                }
            }
        }
    }
    if per_subject.is_empty() {
        return vec![check.finding(Status::NotApplicable, "no outbound destination applies")];
    }
    per_subject
        .into_iter()
        .map(|(subject, list)| {
            let worst = list.iter().map(|f| f.status).reduce(Status::worst).unwrap_or(Status::Pass);
            let bad: Vec<String> =
                list.iter().filter(|f| matches!(f.status, Status::Fail | Status::Warn | Status::Unknown)).map(|f| format!("{} ({})", f.id, f.status)).collect();
            let met = list.iter().filter(|f| f.status == Status::Pass).count();
            let mut message = if bad.is_empty() {
                format!("all {} outbound destinations that apply are allowed at the NSG layer", list.len())
            } else {
                format!("{met} of {} outbound destinations are allowed; not met: {}", list.len(), bad.join(", "))
            };
            message.push_str("; firewalls and routes on the path are not evaluated");
            let mut f = check.finding(worst, message);
            f.subject = subject;
            f.add_evidence(
                list.iter().filter(|x| x.status == Status::Fail).flat_map(|x| x.evidence.iter().filter(|e| e.role == crate::report::Role::Deciding).cloned()),
            );
            f.location = list.iter().find(|x| x.status == worst).and_then(|x| x.location.clone());
            f
        })
        .collect()
}

macro_rules! out_check {
    ($static:ident, $id:literal, $name:literal, $title:literal, $sev:expr, $scope:expr, $what:literal, $why:literal, $example:literal, $fix:literal, $source:literal) => {
        pub static $static: Check = Check {
            id: $id,
            name: $name,
            title: $title,
            severity: $sev,
            scope: $scope,
            docs: docs! { what: $what, why: $why, example: $example, fix: $fix, source: $source },
            run: run_row,
        };
    };
}

const OUT_SCOPE: u8 = scope::AML | scope::VMH;

out_check!(
    OUT_001,
    "AML-OUT-001",
    "outbound-azure-ad-blocked",
    "Outbound to AzureActiveDirectory on TCP 80 and 443 is allowed",
    Severity::Error,
    OUT_SCOPE,
    "Evaluates outbound TCP 80 and 443 to the `AzureActiveDirectory` tag through the subnet NSG.",
    "Compute authenticates with Azure AD; without it nothing starts.",
    "Outbound `Deny Internet` at 4000 with no allow for AzureActiveDirectory.",
    "Allow outbound TCP 80, 443 to `AzureActiveDirectory` before the deny.",
    "Include: public internet access"
);
out_check!(
    OUT_002,
    "AML-OUT-002",
    "outbound-azureml-blocked",
    "Outbound to AzureMachineLearning on TCP 443 is allowed",
    Severity::Error,
    OUT_SCOPE,
    "Evaluates outbound TCP 443 to the `AzureMachineLearning` tag.",
    "The compute calls the Azure ML service API.",
    "Outbound `Deny *` at 100.",
    "Allow outbound TCP 443 to `AzureMachineLearning` before the deny.",
    "Include: public internet access"
);
out_check!(
    OUT_003,
    "AML-OUT-003",
    "outbound-rstudio-blocked",
    "Outbound to AzureMachineLearning on TCP 8787 is allowed (RStudio)",
    Severity::Warning,
    scope::CI,
    "Evaluates outbound TCP 8787 to `AzureMachineLearning` for compute instances.",
    "RStudio on a compute instance uses it; the 2023 docs need it only with a private-endpoint workspace.",
    "Outbound `Deny Internet` with an allow for AzureMachineLearning on 443 only.",
    "Allow outbound TCP 8787 to `AzureMachineLearning` if RStudio is used.",
    "Include: public internet access"
);
out_check!(
    OUT_004,
    "AML-OUT-004",
    "outbound-intellisense-blocked",
    "Outbound to AzureMachineLearning on TCP 18881 is allowed (notebooks)",
    Severity::Warning,
    scope::CI,
    "Evaluates outbound TCP 18881 to `AzureMachineLearning` for compute instances.",
    "The notebook IntelliSense language server uses it.",
    "Outbound `Deny Internet` with an allow for AzureMachineLearning on 443 only.",
    "Allow outbound TCP 18881 to `AzureMachineLearning`.",
    "Include: public internet access"
);
out_check!(
    OUT_005,
    "AML-OUT-005",
    "outbound-udp-5831-blocked",
    "Outbound to AzureMachineLearning on UDP 5831 is allowed",
    Severity::Error,
    scope::CI,
    "Evaluates outbound UDP 5831 to `AzureMachineLearning` (profile 2023-04 only).",
    "From the 2023 GA, compute instance create, update and delete need it.",
    "An outbound allow list with TCP rules only, then `Deny *`.",
    "Allow outbound UDP 5831 to `AzureMachineLearning`.",
    "2023 include: public internet access"
);
out_check!(
    OUT_006,
    "AML-OUT-006",
    "outbound-batch-blocked",
    "Outbound to BatchNodeManagement.<region> on 443 is allowed",
    Severity::Warning,
    OUT_SCOPE,
    "Evaluates outbound TCP 443 to `BatchNodeManagement.<region>`.",
    "The nodes talk to the Batch back end. Missing from the mid-2022 include (warning), added in September 2022 and required at GA (error under 2023-04).",
    "Outbound `Deny Internet` with no Batch allow.",
    "Allow outbound 443 to `BatchNodeManagement.<region>`.",
    "Include: public internet access (09/08/2022 and later)"
);
out_check!(
    OUT_007,
    "AML-OUT-007",
    "outbound-arm-blocked",
    "Outbound to AzureResourceManager on TCP 443 is allowed",
    Severity::Error,
    OUT_SCOPE,
    "Evaluates outbound TCP 443 to `AzureResourceManager`.",
    "Creating Azure resources from Azure ML, the CLI or the SDK goes through Resource Manager.",
    "Outbound `Deny *` at 4000 with no ARM allow.",
    "Allow outbound TCP 443 to `AzureResourceManager`.",
    "Include: public internet access"
);
out_check!(
    OUT_008,
    "AML-OUT-008",
    "outbound-storage-blocked",
    "Outbound to Storage.<region> on TCP 443 is allowed",
    Severity::Error,
    OUT_SCOPE,
    "Evaluates outbound TCP 443 to `Storage.<region>` (the workspace region).",
    "Compute uses storage, including the Microsoft-managed Batch storage on the public network. A rule for another region's storage doesn't count.",
    "An allow for `Storage.eastus` for a westus2 workspace, then `Deny Internet`.",
    "Allow outbound TCP 443 to `Storage.<region>`; a service endpoint policy can limit exfiltration.",
    "Include: public internet access; seed › Limitations"
);
out_check!(
    OUT_009,
    "AML-OUT-009",
    "outbound-storage-445-blocked",
    "Outbound to Storage.<region> on TCP 445 is allowed",
    Severity::Warning,
    OUT_SCOPE,
    "Evaluates outbound TCP 445 to `Storage.<region>`.",
    "Needed when a firewall sits between the VNet and the storage private endpoints; the 2023 article says 445 must stay open for the default storage.",
    "Storage allowed on 443 only.",
    "Allow outbound TCP 445 to `Storage.<region>` if file shares are used.",
    "Include: public internet access"
);
out_check!(
    OUT_010,
    "AML-OUT-010",
    "outbound-frontdoor-blocked",
    "Outbound to AzureFrontDoor.FrontEnd on TCP 443 is allowed",
    Severity::Error,
    OUT_SCOPE,
    "Evaluates outbound TCP 443 to `AzureFrontDoor.FrontEnd`.",
    "The studio entry point, AutoML images and environments are served through Front Door (not needed in Azure China).",
    "Outbound `Deny Internet` with no Front Door allow.",
    "Allow outbound TCP 443 to `AzureFrontDoor.FrontEnd`.",
    "Include: public internet access"
);
out_check!(
    OUT_011,
    "AML-OUT-011",
    "outbound-mcr-blocked",
    "Outbound to MicrosoftContainerRegistry.<region> on TCP 443 is allowed",
    Severity::Error,
    OUT_SCOPE,
    "Evaluates outbound TCP 443 to `MicrosoftContainerRegistry.<region>`.",
    "Microsoft's Docker images come from MCR; it depends on AzureFrontDoor.FirstParty.",
    "An allow for `MicrosoftContainerRegistry` on port 80 only.",
    "Allow outbound TCP 443 to `MicrosoftContainerRegistry.<region>`.",
    "Include: public internet access; firewall article"
);
out_check!(
    OUT_012,
    "AML-OUT-012",
    "outbound-frontdoor-firstparty-blocked",
    "Outbound to AzureFrontDoor.FirstParty on TCP 443 is allowed",
    Severity::Error,
    OUT_SCOPE,
    "Evaluates outbound TCP 443 to `AzureFrontDoor.FirstParty` (the docs also write `Frontdoor.FirstParty`).",
    "MCR serves its images through it.",
    "An allow for MCR but not for AzureFrontDoor.FirstParty.",
    "Allow outbound TCP 443 to `AzureFrontDoor.FirstParty`.",
    "Include: public internet access"
);
out_check!(
    OUT_013,
    "AML-OUT-013",
    "outbound-acr-blocked",
    "Outbound to AzureContainerRegistry.<region> on TCP 443 is allowed",
    Severity::Warning,
    OUT_SCOPE,
    "Evaluates outbound TCP 443 to `AzureContainerRegistry.<region>` (the mid-2022 include wrote `ContainerRegistry.region`).",
    "Custom images, including small changes to Microsoft base images, come from the workspace's registry.",
    "Outbound `Deny Internet` with no registry allow.",
    "Allow outbound TCP 443 to `AzureContainerRegistry.<region>`, or use a private endpoint for the registry.",
    "Include: public internet access; firewall article"
);
out_check!(
    OUT_014,
    "AML-OUT-014",
    "outbound-monitor-blocked",
    "Outbound to AzureMonitor on TCP 443 is allowed",
    Severity::Warning,
    OUT_SCOPE,
    "Evaluates outbound TCP 443 to `AzureMonitor`.",
    "Metrics and logs (also used by support); the later docs need it only when Azure Monitor isn't privately secured.",
    "Outbound `Deny Internet` with no AzureMonitor allow.",
    "Allow outbound TCP 443 to `AzureMonitor`.",
    "Include: public internet access"
);
out_check!(
    OUT_015,
    "AML-OUT-015",
    "outbound-keyvault-blocked",
    "Outbound to AzureKeyVault.<region> on TCP 443 is allowed (HBI)",
    Severity::Error,
    OUT_SCOPE,
    "Evaluates outbound TCP 443 to `AzureKeyVault.<region>` when the workspace has `hbiWorkspace: true`.",
    "The back-end Batch service of an HBI workspace uses a key vault.",
    "An HBI workspace with outbound `Deny Internet` and no key vault allow.",
    "Allow outbound TCP 443 to `AzureKeyVault.<region>`.",
    "Include: public internet access"
);

#[cfg(test)]
mod tests {
    #[test]
    fn every_outbound_check_has_its_row_and_every_row_its_check() {
        for c in super::CHECKS {
            assert!(super::row(c).is_some(), "{} has no row", c.id);
        }
        assert_eq!(super::ROWS.len(), super::CHECKS.len());
    }
}
