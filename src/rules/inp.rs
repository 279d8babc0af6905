//! Input diagnostics (spec 2.7): problems with the pasted documents themselves.

use super::{docs, scope, Check, Ctx};
use crate::model::InputIssue;
use crate::report::{Finding, Severity, Status, Subject};

pub static CHECKS: &[&Check] = &[&INP_001, &INP_002, &INP_003, &INP_004, &INP_005, &INP_006, &INP_007, &INP_008];

/// One finding per issue of this ID, or a pass when there is none.
fn from_issues(ctx: &Ctx, check: &'static Check, status: Status, none: &str) -> Vec<Finding> {
    let issues: Vec<&InputIssue> = ctx.model.issues.iter().chain(ctx.link_issues.iter()).filter(|i| i.kind.id() == check.id).collect();
    if issues.is_empty() {
        return vec![check.finding(Status::Pass, none)];
    }
    issues
        .into_iter()
        .take(100)
        .map(|i| {
            let mut f = check.finding(if i.warn { Status::Warn } else { status }, i.message.clone());
            f.location = i.loc.clone();
            if let Some(loc) = &i.loc {
                if let Some(doc) = ctx.model.documents.get(loc.document) {
                    f.subject = Some(Subject { kind: "document", name: doc.name.clone() });
                }
            }
            f
        })
        .collect()
}

pub static INP_001: Check = Check {
    id: "AML-INP-001",
    name: "document-not-json",
    title: "Every document is valid JSON",
    severity: Severity::Error,
    scope: scope::ALL,
    docs: docs! {
        what: "Parses every document as JSON and reports the line and column of the first error.",
        why: "A document that is not JSON can't be checked; unresolved git merge markers (`<<<<<<<`) and trailing commas are the usual causes.",
        example: "{ \"securityRules\": [ { \"name\": \"a\", }, ] }",
        fix: "Fix the JSON at the reported line and column (re-export it with `az … -o json`).",
        source: "Spec 2.7 (input diagnostics)",
    },
    run: |ctx, check| from_issues(ctx, check, Status::Fail, "every document is valid JSON"),
};

pub static INP_002: Check = Check {
    id: "AML-INP-002",
    name: "document-not-recognised",
    title: "Every document holds something the checker recognises",
    severity: Severity::Warning,
    scope: scope::ALL,
    docs: docs! {
        what: "Warns about a document that holds no NSG, rule list, subnet, VNet, route table, NAT gateway, Azure ML compute or workspace.",
        why: "A document the engine doesn't recognise is silently useless; it usually means the wrong command's output was pasted.",
        example: "{ \"hello\": \"world\" }",
        fix: "Paste one of the accepted shapes: ARM/REST resources, `az network nsg show`, `az network nsg rule list`, `az network vnet subnet show`, `az network vnet show`, `az network route-table show`, `az ml compute show`, or an ARM template.",
        source: "Spec 2.7 and 5",
    },
    run: |ctx, check| from_issues(ctx, check, Status::Warn, "every document holds resources the checker recognises"),
};

pub static INP_003: Check = Check {
    id: "AML-INP-003",
    name: "duplicate-rule-priority",
    title: "Rule priorities are unique per direction",
    severity: Severity::Error,
    scope: scope::ALL,
    docs: docs! {
        what: "Finds two custom rules of one NSG with the same priority in the same direction.",
        why: "Azure rejects such an NSG, so the configuration cannot be deployed; which rule would win is undefined.",
        example: "Two Inbound rules `allow-a` and `deny-b`, both at priority 200.",
        fix: "Give one of the rules another, unused priority.",
        source: "Spec 1.2 (priority order)",
    },
    run: run_003,
};

fn run_003(ctx: &Ctx, check: &'static Check) -> Vec<Finding> {
    let mut out = Vec::new();
    for nsg in &ctx.model.nsgs {
        // Linear: the first rule seen at each (direction, priority).
        let mut seen: std::collections::HashMap<(u8, u32), &crate::model::SecurityRule> = std::collections::HashMap::new();
        for b in nsg.rules.iter().filter(|r| !r.is_default) {
            let (Some(direction), Some(priority)) = (b.direction, b.priority) else { continue };
            let Some(a) = seen.get(&(direction as u8, priority)).copied() else {
                seen.insert((direction as u8, priority), b);
                continue;
            };
            if out.len() >= 100 {
                break;
            }
            let mut f = check.finding(
                Status::Fail,
                format!(
                    "NSG `{}`: rules `{}` and `{}` both have priority {priority} ({}); Azure rejects the NSG",
                    nsg.name,
                    a.name,
                    b.name,
                    direction.as_str()
                ),
            );
            f.subject = Some(Subject { kind: "nsg", name: nsg.name.clone() });
            f.location = b.loc.clone();
            f.evidence = vec![super::rule_evidence(nsg, a, crate::report::Role::Field), super::rule_evidence(nsg, b, crate::report::Role::Field)];
            out.push(f);
        }
    }
    if out.is_empty() {
        out.push(check.finding(Status::Pass, "no two custom rules of one NSG share a priority in the same direction"));
    }
    out
}

pub static INP_004: Check = Check {
    id: "AML-INP-004",
    name: "invalid-field-value",
    title: "Rule and route fields hold values Azure accepts",
    severity: Severity::Error,
    scope: scope::ALL,
    docs: docs! {
        what: "Finds rule and route fields Azure would reject: priority outside 100-4096, a bad port or range, a bad address prefix, an unknown protocol, access or direction, a next-hop IP without `VirtualAppliance`.",
        why: "Azure rejects the deployment. The engine leaves such a rule out of the verdict and turns the checks it could have decided into `warn` or `unknown`, never `pass`.",
        example: "{\"priority\": 0, \"destinationPortRange\": \"abc\", \"sourceAddressPrefix\": \"10.0.0.0/33\"}",
        fix: "Correct the named field; priorities are 100-4096, ports 0-65535 (`N`, `N-M` or `*`), prefixes a CIDR, an IP or one service tag.",
        source: "Spec 1.1, 2.7, 3.3",
    },
    run: run_004,
};

fn run_004(ctx: &Ctx, check: &'static Check) -> Vec<Finding> {
    let mut out = from_issues(ctx, check, Status::Fail, "every rule and route field holds a value Azure accepts");
    // Next-hop IP without VirtualAppliance.
    for table in &ctx.model.route_tables {
        for route in &table.routes {
            let hop = route.next_hop_type.as_deref().unwrap_or_default();
            if route.next_hop_ip.is_some() && !hop.eq_ignore_ascii_case("VirtualAppliance") {
                let mut f = check.finding(
                    Status::Fail,
                    format!(
                        "route table `{}`, route `{}`: `nextHopIpAddress` is set but `nextHopType` is \"{hop}\"; only VirtualAppliance takes a next-hop IP",
                        table.name, route.name
                    ),
                );
                f.location = route.loc.clone();
                f.subject = Some(Subject { kind: "route_table", name: table.name.clone() });
                out.retain(|x| x.status != Status::Pass);
                out.push(f);
            }
        }
    }
    out
}

pub static INP_005: Check = Check {
    id: "AML-INP-005",
    name: "unresolved-template-expression",
    title: "Template expressions could be evaluated",
    severity: Severity::Warning,
    scope: scope::ALL,
    docs: docs! {
        what: "Reports ARM template expressions the engine could not evaluate (parameters without a default and no parameters file, `reference()` to deployed resources, `copy` loops, linked templates).",
        why: "A field whose value is unknown can't prove a requirement: checks that depend on it become `warn` or `unknown`, never `pass`.",
        example: "\"destinationPortRange\": \"[parameters('mlPort')]\" with no default and no parameters file",
        fix: "Paste the parameters file with the template, or the deployed resource (`az network nsg show`).",
        source: "Spec 5.5 (ARM templates)",
    },
    run: |ctx, check| from_issues(ctx, check, Status::Warn, "every template expression the checks need could be evaluated"),
};

pub static INP_006: Check = Check {
    id: "AML-INP-006",
    name: "referenced-resource-missing",
    title: "Referenced resources are among the inputs",
    severity: Severity::Warning,
    scope: scope::ALL,
    docs: docs! {
        what: "Finds references to resources that were not pasted: a subnet's NSG or route table, a compute's subnet.",
        why: "Without the referenced document the checks that need it can only say `unknown`.",
        example: "A subnet with `networkSecurityGroup.id` of `nsg-train`, pasted without `nsg-train`.",
        fix: "Add the named document, for example the output of `az network nsg show -g <rg> -n <nsg>`.",
        source: "Spec 2.7 (input diagnostics)",
    },
    run: |ctx, check| from_issues(ctx, check, Status::Unknown, "every referenced NSG, route table and subnet is among the inputs"),
};

pub static INP_007: Check = Check {
    id: "AML-INP-007",
    name: "service-tag-unknown",
    title: "Every service tag exists",
    severity: Severity::Error,
    scope: scope::ALL,
    docs: docs! {
        what: "Compares every service tag in NSG rules and routes with Azure's service-tag data (names, case-insensitive, and region suffixes), and names the closest real tag.",
        why: "Azure rejects a rule or route that names a tag it doesn't have, so the deployment fails; the docs' own tables spell tags that don't exist (`Keyvault.<region>`, `ContainerRegistry.<region>`, `MCR`) and a region (`uswest`) that isn't an ARM location.",
        example: "\"destinationAddressPrefix\": \"Keyvault.westus2\" (the tag is `AzureKeyVault.WestUS2`)",
        fix: "Use the tag the finding names, for example `AzureKeyVault.WestUS2` for `Keyvault.westus2`.",
        source: "Spec 2.7 (AML-INP-007), 5.8 and 7 item 10; Azure service-tag data",
    },
    run: |ctx, check| {
        from_issues(
            ctx,
            check,
            Status::Fail,
            &format!(
                "every service tag exists (service-tag data changeNumber {})",
                ctx.model.service_tags.as_ref().map_or(crate::service_tags::CHANGE_NUMBER, |p| p.table.change_number)
            ),
        )
    },
};

pub static INP_008: Check = Check {
    id: "AML-INP-008",
    name: "service-tag-not-accepted-here",
    title: "Service tags are used where Azure accepts them",
    severity: Severity::Error,
    scope: scope::ALL,
    docs: docs! {
        what: "Checks each service tag against its `networkFeatures`: an NSG rule needs a tag with `NSG`, a route a tag with `UDR`.",
        why: "Azure rejects the rule or route otherwise. The regional `AzureMachineLearning.<region>` tags are IP lists only (no NSG, no UDR), and the regional `BatchNodeManagement.<region>` tags can't be used in route tables.",
        example: "A route with `addressPrefix` `BatchNodeManagement.westus2` and next hop Internet.",
        fix: "Use the global tag the finding names (`AzureMachineLearning`, `BatchNodeManagement`).",
        source: "Spec 2.7 (AML-INP-008) and 5.8; Azure service-tag data (networkFeatures)",
    },
    run: |ctx, check| {
        from_issues(
            ctx,
            check,
            Status::Fail,
            &format!(
                "every service tag is used where Azure accepts it (service-tag data changeNumber {})",
                ctx.model.service_tags.as_ref().map_or(crate::service_tags::CHANGE_NUMBER, |p| p.table.change_number)
            ),
        )
    },
};
