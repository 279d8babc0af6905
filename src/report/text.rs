//! The readable text report for terminals (coloured when asked).

use super::{Report, Status};

/// Renders the report; `color` adds ANSI colours for a terminal.
pub fn render(report: &Report, color: bool) -> String {
    let paint = |code: &str, text: &str| if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() };
    let badge = |s: Status| {
        let (code, word) = match s {
            Status::Fail => ("1;31", "FAIL"),
            Status::Warn => ("1;33", "WARN"),
            Status::Unknown => ("1;35", "UNKN"),
            Status::Pass => ("32", "PASS"),
            Status::Info => ("36", "INFO"),
            Status::NotApplicable => ("2", "N/A "),
        };
        paint(code, word)
    };
    let mut out = String::new();
    let sc = &report.scenario;
    out.push_str(&format!(
        "amlvnet {}: profile {}, scenario {} (compute {}, {}), region {}\n",
        crate::VERSION,
        report.profile.as_str(),
        sc.key(),
        sc.compute.as_str(),
        if sc.is_aml_compute() {
            if sc.public_ip {
                "public IP"
            } else {
                "no public IP"
            }
        } else {
            "n/a"
        },
        sc.region_label()
    ));
    for n in &sc.notes {
        out.push_str(&format!("  note: {}\n", n.text));
    }
    for d in &report.documents {
        match &d.error {
            Some((line, column, message)) => out.push_str(&format!("  {}:{line}:{column}: {message}\n", d.name)),
            None => out.push_str(&format!("  {}: {} ({} resources)\n", d.name, d.shape_label, d.resources.len())),
        }
    }
    for n in &report.notes {
        out.push_str(&format!("  {n}\n"));
    }
    out.push('\n');
    for status in [Status::Fail, Status::Warn, Status::Unknown, Status::Pass, Status::Info, Status::NotApplicable] {
        for f in report.findings.iter().filter(|f| f.status == status) {
            if status == Status::NotApplicable {
                continue;
            }
            let subject = f.subject.as_ref().map(|s| format!(" [{}]", s.name)).unwrap_or_default();
            out.push_str(&format!("{} {} {}{}\n", badge(f.status), paint("1", f.id), f.title, subject));
            out.push_str(&format!("     {}\n", f.message));
            if let Some(loc) = &f.location {
                if loc.line > 0 {
                    let address = loc.address.as_ref().map(|a| format!(" ({a})")).unwrap_or_default();
                    out.push_str(&format!("     at {}:{}:{}{address}\n", report.document_name(loc), loc.line, loc.column));
                }
            }
            if let Some(fix) = &f.fix {
                out.push_str(&format!("     fix: {}\n", fix.summary));
                // The user's own language first: HCL for Terraform inputs.
                for line in fix.terraform.as_deref().unwrap_or(&fix.az).lines() {
                    out.push_str(&format!("       {}\n", paint("2", line)));
                }
            }
        }
    }
    // Several rules for one NSG: one script to apply them together.
    for g in &report.fixes_by_nsg {
        out.push_str(&format!("\nAll {} rules the fixes add to NSG `{}`, together:\n", g.rules.len(), g.nsg));
        for line in g.az.lines() {
            out.push_str(&format!("  {}\n", paint("2", line)));
        }
    }
    let na = report.findings.iter().filter(|f| f.status == Status::NotApplicable).count();
    out.push('\n');
    let counts: Vec<String> = report.summary().iter().map(|(s, n)| format!("{n} {}", s.as_str())).collect();
    out.push_str(&format!("{} ({na} not applicable to this scenario are not listed)\n", counts.join(", ")));
    out
}

/// `amlvnet flow` as text: the verdict, each NSG's deciding rule, the rules that matched
/// at least partly, and what the address endpoints are.
pub fn flow_diagnosis(d: &crate::flow::Diagnosis) -> String {
    use crate::flow::matched;
    use crate::net::Cover;
    use std::fmt::Write;
    let mut out = String::new();
    let sport = d.source_port.map_or_else(|| "any source port".to_string(), |p| format!("source port {p}"));
    let _ = writeln!(
        out,
        "{}: {} {} from {} to {} port {} ({sport})",
        d.access.as_str().to_ascii_uppercase(),
        d.direction.as_str().to_ascii_lowercase(),
        d.protocol.as_str().to_ascii_uppercase(),
        d.source,
        d.destination,
        d.port
    );
    for (what, tags) in [("source", &d.source_tags), ("destination", &d.destination_tags)] {
        if !tags.is_empty() {
            let _ = writeln!(out, "  {what} is in service tags {}", tags.join(", "));
        }
    }
    for n in &d.nsgs {
        let decided = n.matched.as_ref().map_or_else(|| "no rule decides".to_string(), |(r, a)| format!("{a} by `{r}`"));
        let _ = writeln!(out, "  NSG `{}` ({}): {} — {decided}", n.name, n.applied_to, n.access.as_str());
        for r in &n.rules {
            let m = r.matched;
            let fields = [m.protocol, m.source, m.source_port, m.destination, m.destination_port];
            if fields.contains(&Cover::None) {
                continue;
            }
            let _ = writeln!(
                out,
                "    {:>5} {:<5} {:<32} protocol {} source {} source port {} destination {} port {}",
                r.priority.map_or_else(|| "?".to_string(), |p| p.to_string()),
                r.access.map_or("?", |a| a.as_str()),
                r.name,
                matched(m.protocol),
                matched(m.source),
                matched(m.source_port),
                matched(m.destination),
                matched(m.destination_port)
            );
        }
    }
    for note in &d.notes {
        let _ = writeln!(out, "  note: {note}");
    }
    if let Some(c) = d.change_number {
        let _ = writeln!(out, "  service-tag data changeNumber {c}");
    }
    out
}
