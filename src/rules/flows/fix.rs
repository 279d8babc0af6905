//! A required flow's fix as values: an allow rule with a free priority and a distinct name
//! (allocated per report), in az, ARM, Bicep and Terraform.

use super::*;

/// `29876, 29877` → `29876-29877`.
pub(super) fn port_ranges(ports: &[u16]) -> Vec<String> {
    let mut sorted = ports.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out: Vec<(u16, u16)> = Vec::new();
    for p in sorted {
        match out.last_mut() {
            Some((_, high)) if u32::from(*high) + 1 == u32::from(p) => *high = p,
            _ => out.push((p, p)),
        }
    }
    out.into_iter().map(|(a, b)| if a == b { a.to_string() } else { format!("{a}-{b}") }).collect()
}

pub(super) fn endpoint_prefix(e: &Endpoint) -> String {
    match e {
        Endpoint::Service { name, region: Some(r @ crate::net::Region::Named(_)) } => format!("{name}.{r}"),
        Endpoint::Service { name, region: Some(_) } => format!("{name}.<region>"),
        Endpoint::Service { name, region: None } => name.clone(),
        Endpoint::VirtualNetwork => "VirtualNetwork".into(),
        Endpoint::Subnet(p) | Endpoint::Prefixes(p) if p.len() == 1 => p.first().map(|n| n.to_string()).unwrap_or_default(),
        Endpoint::Subnet(_) | Endpoint::Prefixes(_) => "VirtualNetwork".into(),
        Endpoint::LoadBalancer => "AzureLoadBalancer".into(),
    }
}

pub(super) fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').chars().take(60).collect()
}

/// An allow rule with a free priority that beats the blocking rule (spec: fixes).
pub(super) fn build_fix(ctx: &Ctx, req: &FlowReq, results: &[(u16, PathVerdict)]) -> Option<Fix> {
    // The first NSG that denies or doubts, and the lowest priority that blocks there.
    let mut blocking: Option<(&Nsg, u32)> = None;
    let mut unplaced = false;
    let mut ports = Vec::new();
    for (port, path) in results {
        if path.status == FlowStatus::Pass {
            continue;
        }
        ports.push(*port);
        for (_, nsg, verdict) in &path.hops {
            if verdict.status == FlowStatus::Pass {
                continue;
            }
            let mut bound = verdict.deciding.and_then(|d| nsg.rules.get(d)).and_then(|r| r.priority).unwrap_or(65500);
            for hit in &verdict.trace {
                if let Some(r) = nsg.rules.get(hit.index) {
                    if r.access != Some(Access::Allow) || hit.kind == MatchKind::Uncertain {
                        // A rule whose priority is unknown can't be placed: the fix says so.
                        match r.priority {
                            Some(p) => bound = bound.min(p),
                            None => unplaced = true,
                        }
                    }
                }
            }
            match blocking {
                Some((n, b)) if std::ptr::eq(n, *nsg) => blocking = Some((n, b.min(bound))),
                Some(_) => {}
                None => blocking = Some((nsg, bound)),
            }
            break;
        }
    }
    let (nsg, bound) = blocking?;
    let source = endpoint_prefix(&req.source);
    let destination = endpoint_prefix(&req.destination);
    let dir = req.direction.as_str();
    let port_text = port_ranges(&ports).join(",");
    let tag = match req.direction {
        Direction::Inbound => &source,
        Direction::Outbound => &destination,
    };
    let name = slug(&format!("allow-{tag}-{}-{}", port_text.replace(',', "-"), if dir == "Inbound" { "in" } else { "out" }));
    // One allocation of names and priorities for the whole report.
    let signature = format!("{} {source} {destination} {port_text}", req.protocol.as_str());
    let (name, priority) = ctx.proposals.borrow_mut().propose(nsg, req.direction, signature, name, bound);
    let rg = nsg.id.as_deref().and_then(resource_group_of).unwrap_or_else(|| "<resource-group>".into());
    let (priority, note) = match priority {
        Some(p) => (p, String::new()),
        None => (100, format!(" No priority between 100 and {} is free: first move the blocking rule to a higher number.", bound.saturating_sub(1))),
    };
    let proto = req.protocol.as_str();
    let region_note = if tag.contains("<region>") { " Replace <region> with the workspace region." } else { "" };
    let note =
        if unplaced { format!("{note} Rules of NSG `{}` whose priority could not be read (AML-INP-005) may still come before it.", nsg.name) } else { note };
    let summary = format!(
        "Add an {dir} allow rule `{name}` at priority {priority} (below {bound}, unused) to NSG `{}`: {proto} {port_text} from {source} to {destination}.{note}{region_note}",
        nsg.name
    );
    let az = format!(
        "az network nsg rule create --resource-group {rg} --nsg-name {} --name {name} --priority {priority} --direction {dir} --access Allow --protocol {proto} --source-address-prefixes {source} --source-port-ranges '*' --destination-address-prefixes {destination} --destination-port-ranges {}",
        nsg.name,
        port_text.replace(',', " ")
    );
    let port_field = if ports.len() == 1 || port_ranges(&ports).len() == 1 {
        ("destinationPortRange", J::s(port_text.clone()))
    } else {
        ("destinationPortRanges", J::Arr(port_ranges(&ports).into_iter().map(J::s).collect()))
    };
    let arm = J::obj(vec![
        ("type", J::s("Microsoft.Network/networkSecurityGroups/securityRules")),
        ("apiVersion", J::s("2023-05-01")),
        ("name", J::s(format!("{}/{name}", nsg.name))),
        (
            "properties",
            J::obj(vec![
                ("priority", J::Int(i64::from(priority))),
                ("direction", J::s(dir)),
                ("access", J::s("Allow")),
                ("protocol", J::s(proto)),
                ("sourceAddressPrefix", J::s(source.clone())),
                ("sourcePortRange", J::s("*")),
                ("destinationAddressPrefix", J::s(destination.clone())),
                port_field,
            ]),
        ),
    ]);
    let bicep_ports = if port_ranges(&ports).len() == 1 {
        format!("    destinationPortRange: '{port_text}'")
    } else {
        format!("    destinationPortRanges: [ {} ]", port_ranges(&ports).iter().map(|p| format!("'{p}'")).collect::<Vec<_>>().join(", "))
    };
    let bicep = format!(
        "resource {} 'Microsoft.Network/networkSecurityGroups/securityRules@2023-05-01' = {{\n  name: '{}/{name}'\n  properties: {{\n    priority: {priority}\n    direction: '{dir}'\n    access: 'Allow'\n    protocol: '{proto}'\n    sourceAddressPrefix: '{source}'\n    sourcePortRange: '*'\n    destinationAddressPrefix: '{destination}'\n{bicep_ports}\n  }}\n}}",
        camel(&name),
        nsg.name
    );
    let terraform = nsg.terraform.as_deref().map(|origin| {
        let ranges = port_ranges(&ports);
        let spec =
            crate::rules::hcl::RuleSpec { name: &name, priority, direction: dir, protocol: proto, source: &source, destination: &destination, ports: &ranges };
        crate::rules::hcl::nsg_rule(origin, &spec)
    });
    Some(Fix { summary, az, arm, bicep, terraform })
}

pub(super) fn camel(slug: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in slug.chars() {
        if c == '-' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}
