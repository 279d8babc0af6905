//! Markdown, for pull-request comments, and the catalogue as Markdown.

use super::CheckInfo;
use super::{Report, Status};

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The report as Markdown: a summary line, then a table of what needs attention, then
/// fixes.
pub fn render(report: &Report) -> String {
    let sc = &report.scenario;
    let mut out = String::from("## amlvnet: Azure ML training network check\n\n");
    out.push_str(&format!(
        "Profile `{}`, scenario **{}** (compute {}, region {}).\n\n",
        report.profile.as_str(),
        sc.key(),
        sc.compute.as_str(),
        sc.region_label()
    ));
    let counts: Vec<String> = report.summary().iter().filter(|(_, n)| *n > 0).map(|(s, n)| format!("{n} {}", s.as_str())).collect();
    out.push_str(&format!("**{}**\n\n", counts.join(" · ")));
    for d in &report.documents {
        if let Some((line, column, message)) = &d.error {
            out.push_str(&format!("- `{}:{line}:{column}`: {}\n", d.name, cell(message)));
        }
    }
    let attention: Vec<_> = report.findings.iter().filter(|f| matches!(f.status, Status::Fail | Status::Warn | Status::Unknown)).collect();
    if attention.is_empty() {
        out.push_str("Every applicable requirement passes.\n\n");
    } else {
        out.push_str("| status | check | subject | finding |\n| --- | --- | --- | --- |\n");
        for f in &attention {
            let icon = match f.status {
                Status::Fail => "❌ fail",
                Status::Warn => "⚠️ warn",
                _ => "❔ unknown",
            };
            let subject = f.subject.as_ref().map(|s| s.name.as_str()).unwrap_or("");
            let at = f
                .location
                .as_ref()
                .filter(|l| l.line > 0)
                .map(|l| {
                    format!(" (`{}:{}:{}`{})", report.document_name(l), l.line, l.column, l.address.as_ref().map(|a| format!(" `{a}`")).unwrap_or_default())
                })
                .unwrap_or_default();
            out.push_str(&format!("| {icon} | `{}` {} | {} | {}{} |\n", f.id, cell(f.title), cell(subject), cell(&f.message), at));
        }
        out.push('\n');
    }
    let fixes: Vec<_> = attention.iter().filter_map(|f| f.fix.as_ref().map(|x| (f.id, x))).collect();
    if !fixes.is_empty() {
        out.push_str("<details><summary>Fixes</summary>\n\n");
        for (id, fix) in fixes {
            if let Some(hcl) = &fix.terraform {
                out.push_str(&format!("**{id}**: {}\n\n```hcl\n{}```\n\n```sh\n{}\n```\n\n", fix.summary, hcl, fix.az));
                continue;
            }
            out.push_str(&format!("**{id}**: {}\n\n```sh\n{}\n```\n\n", fix.summary, fix.az));
        }
        out.push_str("</details>\n\n");
    }
    for g in &report.fixes_by_nsg {
        out.push_str(&format!(
            "<details><summary>All {} rules for NSG <code>{}</code>, together</summary>\n\n```sh\n{}\n```\n\n```bicep\n{}\n```\n\n</details>\n\n",
            g.rules.len(),
            cell(&g.nsg),
            g.az,
            g.bicep
        ));
    }
    let passed = report.findings.iter().filter(|f| f.status == Status::Pass).count();
    out.push_str(&format!("{passed} requirements pass; run `amlvnet check` locally for the full list.\n"));
    out
}

/// The catalogue as Markdown, one section per check.
pub fn catalogue<C: CheckInfo>(checks: &[&C]) -> String {
    let mut out = String::from("# amlvnet checks\n\n");
    for c in checks {
        out.push_str(&explain(*c));
        out.push('\n');
    }
    out
}

/// One check's documentation as Markdown.
pub fn explain<C: CheckInfo + ?Sized>(c: &C) -> String {
    format!(
        "## {} {}\n\n`{}` · severity {} · applies to {}\n\n**What it checks.** {}\n\n**Why.** {}\n\n**Example that fails.** `{}`\n\n**Fix.** {}\n\n**Source.** {}\n",
        c.id(),
        c.title(),
        c.name(),
        c.severity().as_str(),
        c.applies_to(),
        c.docs().what,
        c.docs().why,
        c.docs().example,
        c.docs().fix,
        c.docs().source
    )
}
