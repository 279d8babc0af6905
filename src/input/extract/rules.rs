//! NSGs and their rules: inline, child, `az` rule lists and effective-NSG lists; ports,
//! addresses and service tags, each field validated into the model's types.

use super::*;

impl Reader<'_> {
    pub(super) fn nsg(&mut self, node: &Node, pointer: &str) {
        let name = name_of(node);
        let props_ptr = props_pointer(node, pointer);
        let mut rules = Vec::new();
        for (key, is_default) in [("securityRules", false), ("defaultSecurityRules", true)] {
            match prop(node, key) {
                Some(r) if r.is_unresolved() && !is_default => {
                    // Rules from an expression or loop that can't be evaluated: unknown rules
                    // that may come before any other, a doubt for every flow.
                    let p = format!("{props_ptr}/{key}");
                    self.warn_issue(
                        Diagnostic::Unresolved,
                        format!("NSG `{name}`: `securityRules` is {}; every flow through it is unknown", r.describe()),
                        &p,
                        r,
                    );
                    rules.push(unknown_rules(self.loc(&p, r)));
                }
                Some(r) => {
                    for (i, item) in r.as_array().unwrap_or_default().iter().enumerate() {
                        let p = format!("{props_ptr}/{key}/{i}");
                        let mut rule = self.rule(item, &p, is_default);
                        rule.valid = rule.valid && !self.conditional;
                        rules.push(rule);
                    }
                }
                None => {}
            }
        }
        // Child resources declared inside the NSG (templates): `resources[]` of type securityRules.
        let attached =
            prop(node, "subnets").and_then(|s| s.as_array()).map(|a| a.iter().filter_map(|s| s.get("id").and_then(text_of)).collect()).unwrap_or_default();
        self.found(format!("network security group {name} ({} rules)", rules.iter().filter(|r| !r.is_default).count()));
        let loc = self.loc(pointer, node);
        self.model.nsgs.push(Nsg {
            name,
            id: node.get("id").and_then(text_of),
            location: node.get("location").and_then(text_of).and_then(|l| Region::read(&l)),
            rules,
            defaults_added: false,
            attached_subnets: attached,
            from_rule_list: false,
            terraform: self.tf_origin(),
            loc,
        });
    }

    pub(super) fn rule_list(&mut self, items: &[Node], base: &str) {
        let mut rules = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let p = format!("{base}/{i}");
            // A default rule says so by its type or ID; a custom rule at 65000 or above is
            // an invalid custom rule (AML-INP-004), never a default.
            let says = |key: &str| item.get(key).and_then(|t| t.as_str()).is_some_and(|t| t.to_ascii_lowercase().contains("defaultsecurityrules"));
            let is_default = says("type") || says("id");
            rules.push(self.rule(item, &p, is_default));
        }
        let name = items
            .iter()
            .find_map(|i| i.get("id").and_then(text_of).and_then(|id| parent_name(&id, "networkSecurityGroups")))
            .unwrap_or_else(|| "(rule list)".into());
        self.found(format!("{} rules of NSG {name}", rules.len()));
        let doc_name = self.model.documents.get(self.document).map(|d| d.name.clone()).unwrap_or_default();
        let loc = Some(Loc { document: self.document, pointer: base.into(), line: 1, column: 1, address: None });
        self.model.nsgs.push(Nsg {
            name: if name == "(rule list)" { format!("rules of {doc_name}") } else { name },
            id: None,
            location: None,
            rules,
            defaults_added: false,
            attached_subnets: Vec::new(),
            from_rule_list: true,
            terraform: None,
            loc,
        });
    }

    pub(super) fn effective_nsgs(&mut self, items: &[Node], base: &str) {
        for (i, item) in items.iter().enumerate() {
            let pointer = format!("{base}/{i}");
            let nsg_id = item.get("networkSecurityGroup").and_then(|n| n.get("id")).and_then(text_of);
            let name = nsg_id.as_deref().map(|id| id.rsplit('/').next().unwrap_or(id).to_string()).unwrap_or_else(|| format!("effective NSG {i}"));
            let mut rules = Vec::new();
            if let Some(list) = item.get("effectiveSecurityRules").and_then(|r| r.as_array()) {
                for (j, r) in list.iter().enumerate() {
                    let is_default = r.get("name").and_then(|n| n.as_str()).is_some_and(|n| n.to_ascii_lowercase().starts_with("defaultsecurityrules/"));
                    rules.push(self.rule(r, &format!("{pointer}/effectiveSecurityRules/{j}"), is_default));
                }
            }
            let association = item.get("association");
            let subnet = association.and_then(|a| a.get_present("subnet")).and_then(|s| s.get("id")).and_then(text_of);
            let nic = association.and_then(|a| a.get_present("networkInterface")).and_then(|s| s.get("id")).and_then(text_of);
            self.found(format!("effective rules of NSG {name} ({})", if subnet.is_some() { "subnet" } else { "NIC" }));
            let loc = self.loc(&pointer, item);
            if let Some(nic_id) = nic {
                self.model.nics.push(Nic {
                    name: nic_id.rsplit('/').next().unwrap_or(&nic_id).to_string(),
                    id: Some(nic_id.clone()),
                    nsg: Some(Reference { id: nsg_id.clone().unwrap_or_else(|| name.clone()), unresolved: false, loc: loc.clone() }),
                    subnets: Vec::new(),
                    loc: loc.clone(),
                });
            }
            self.model.nsgs.push(Nsg {
                name,
                id: nsg_id,
                location: None,
                rules,
                defaults_added: false,
                attached_subnets: subnet.into_iter().collect(),
                from_rule_list: false,
                terraform: None,
                loc,
            });
        }
    }

    /// Reads one security rule, recording every value Azure would reject.
    pub(super) fn rule(&mut self, node: &Node, pointer: &str, is_default: bool) -> SecurityRule {
        let raw_name = name_of(node);
        let name = raw_name
            .strip_prefix("securityRules/")
            .or_else(|| raw_name.strip_prefix("defaultSecurityRules/"))
            .unwrap_or(&raw_name)
            .rsplit('/')
            .next()
            .unwrap_or(&raw_name)
            .to_string();
        let p = properties(node);
        let pp = PropsPointer(node, pointer);
        let mut valid = true;
        let label = RuleLabel(&name);

        let priority = match p.get_present("priority") {
            None => {
                self.issue(Diagnostic::BadValue, format!("{label}: `priority` is missing"), pointer, node);
                valid = false;
                None
            }
            Some(n) if n.is_unresolved() => {
                self.unknown_field(format!("{label}: `priority`"), &format!("{pp}/priority"), n);
                valid = false;
                None
            }
            Some(n) => match number(n) {
                Some(x) if x.fract() == 0.0 && ((100.0..=4096.0).contains(&x) || (is_default && (65000.0..=65500.0).contains(&x))) => Some(x as u32),
                _ => {
                    self.issue(
                        Diagnostic::BadValue,
                        format!("{label}: `priority` {} is not an integer between 100 and 4096", n.describe()),
                        &format!("{pp}/priority"),
                        n,
                    );
                    valid = false;
                    None
                }
            },
        };
        let enum_field = |reader: &mut Self, key: &str, allowed: &str| -> Option<(&str, crate::json::Pos)> {
            match p.get_present(key) {
                None => {
                    reader.issue(Diagnostic::BadValue, format!("{label}: `{key}` is missing (expected {allowed})"), pointer, node);
                    None
                }
                Some(n) if n.is_unresolved() => {
                    reader.unknown_field(format!("{label}: `{key}`"), &format!("{pp}/{key}"), n);
                    None
                }
                Some(n) => match n.as_str() {
                    Some(s) => Some((s, n.pos)),
                    None => {
                        reader.issue(Diagnostic::BadValue, format!("{label}: `{key}` is {}, expected {allowed}", n.describe()), &format!("{pp}/{key}"), n);
                        None
                    }
                },
            }
        };
        let direction_text = enum_field(self, "direction", "Inbound or Outbound");
        let access_text = enum_field(self, "access", "Allow or Deny");
        let protocol_text = enum_field(self, "protocol", "Tcp, Udp, Icmp, Esp, Ah or *");
        let at = |pos: crate::json::Pos| Node { value: Value::Null, pos };
        let direction = direction_text.and_then(|(t, pos)| {
            let d = Direction::parse(t);
            if d.is_none() {
                self.issue(Diagnostic::BadValue, format!("{label}: `direction` \"{t}\" is not Inbound or Outbound"), &format!("{pp}/direction"), &at(pos));
            }
            d
        });
        let access = access_text.and_then(|(t, pos)| {
            let a = Access::parse(t);
            if a.is_none() {
                self.issue(Diagnostic::BadValue, format!("{label}: `access` \"{t}\" is not Allow or Deny"), &format!("{pp}/access"), &at(pos));
            }
            a
        });
        let protocol = protocol_text.and_then(|(t, pos)| {
            let pr = Protocol::parse(t);
            if pr.is_none() {
                self.issue(
                    Diagnostic::BadValue,
                    format!("{label}: unknown `protocol` \"{t}\" (expected Tcp, Udp, Icmp, Esp, Ah or *)"),
                    &format!("{pp}/protocol"),
                    &at(pos),
                );
            }
            pr
        });
        if direction.is_none() || access.is_none() || protocol.is_none() {
            valid = false;
        }
        let (source_ports, ok1) = self.ports(p, &pp, &label, "sourcePortRange", "sourcePortRanges", node, pointer);
        let (destination_ports, ok2) = self.ports(p, &pp, &label, "destinationPortRange", "destinationPortRanges", node, pointer);
        let (source, ok3) = self.addresses(p, &pp, &label, "source", node, pointer);
        let (destination, ok4) = self.addresses(p, &pp, &label, "destination", node, pointer);
        valid = valid && ok1 && ok2 && ok3 && ok4;
        // Service tags Azure doesn't have, or doesn't accept in an NSG (AML-INP-007/008).
        for key in ["sourceAddressPrefix", "sourceAddressPrefixes", "destinationAddressPrefix", "destinationAddressPrefixes"] {
            let Some(n) = p.get_present(key) else { continue };
            let items: Vec<&Node> = match &n.value {
                Value::Array(items) => items.iter().collect(),
                _ => vec![n],
            };
            let listed = n.as_array().is_some();
            for (i, item) in items.into_iter().enumerate() {
                if let Some(text) = item.as_str() {
                    let at = || if listed { format!("{pp}/{key}/{i}") } else { format!("{pp}/{key}") };
                    valid &= self.tag_usable(text, TagUse::Nsg, &|| format!("{label}: `{key}`"), &at, item);
                }
            }
        }
        SecurityRule {
            name,
            priority,
            direction,
            access,
            protocol,
            source,
            source_ports,
            destination,
            destination_ports,
            is_default,
            valid,
            loc: self.loc(pointer, node),
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn ports(
        &mut self,
        p: &Node,
        pp: &dyn fmt::Display,
        label: &dyn fmt::Display,
        singular: &str,
        plural: &str,
        node: &Node,
        pointer: &str,
    ) -> (PortSet, bool) {
        // The singular field's items, then the plural's from `split` on.
        let mut items: Vec<(Ptr, &Node)> = Vec::new();
        if let Some(s) = p.get_present(singular) {
            match &s.value {
                Value::Array(a) => a.iter().for_each(|n| items.push((Ptr(singular, None), n))),
                Value::String(t) if t.trim().is_empty() => {}
                _ => items.push((Ptr(singular, None), s)),
            }
        }
        let split = items.len();
        if let Some(a) = p.get_present(plural).and_then(|n| n.as_array()) {
            for (i, n) in a.iter().enumerate() {
                items.push((Ptr(plural, Some(i)), n));
            }
        }
        let mut ok = true;
        if split > 0 && items.len() > split {
            let describe = |part: &[(Ptr, &Node)]| part.iter().map(|(_, n)| n.describe()).collect::<Vec<_>>();
            let (a, b) = (describe(items.get(..split).unwrap_or_default()), describe(items.get(split..).unwrap_or_default()));
            if a != b {
                self.warn_issue(
                    Diagnostic::BadValue,
                    format!("{label}: both `{singular}` ({}) and `{plural}` ({}) are set; the union is used", a.join(", "), b.join(", ")),
                    &pp.to_string(),
                    node,
                );
            }
        }
        if items.is_empty() {
            self.issue(Diagnostic::BadValue, format!("{label}: neither `{singular}` nor `{plural}` is set"), pointer, node);
            return (PortSet { ranges: Vec::new(), uncertain: true }, false);
        }
        let mut set = PortSet { ranges: Vec::new(), uncertain: false };
        for (ptr, n) in items {
            match &n.value {
                Value::String(t) => {
                    // A comma-separated list is a common paste from the portal.
                    for part in t.split(',') {
                        match PortRange::parse(part) {
                            Some(r) => set.ranges.push(r),
                            None => {
                                self.issue(
                                    Diagnostic::BadValue,
                                    format!("{label}: `{singular}` \"{}\" is not a port (0-65535), a range N-M or *", part.trim()),
                                    &ptr.path(pp),
                                    n,
                                );
                                set.uncertain = true;
                                ok = false;
                            }
                        }
                    }
                }
                Value::Number(x) if x.fract() == 0.0 && (0.0..=65535.0).contains(x) => set.ranges.push(PortRange { low: *x as u16, high: *x as u16 }),
                Value::Unresolved(_) => {
                    self.unknown_field(format!("{label}: `{singular}`"), &ptr.path(pp), n);
                    set.uncertain = true;
                    ok = false;
                }
                _ => {
                    self.issue(Diagnostic::BadValue, format!("{label}: `{singular}` is {}, expected a port string", n.describe()), &ptr.path(pp), n);
                    set.uncertain = true;
                    ok = false;
                }
            }
        }
        (set, ok)
    }

    pub(super) fn addresses(
        &mut self,
        p: &Node,
        pp: &dyn fmt::Display,
        label: &dyn fmt::Display,
        side: &str,
        node: &Node,
        pointer: &str,
    ) -> (Vec<Address>, bool) {
        let (singular, plural, asgs) = if side == "source" {
            ("sourceAddressPrefix", "sourceAddressPrefixes", "sourceApplicationSecurityGroups")
        } else {
            ("destinationAddressPrefix", "destinationAddressPrefixes", "destinationApplicationSecurityGroups")
        };
        let mut out = Vec::new();
        let mut ok = true;
        // (key, index in a plural list) of each item; pointers are built only for issues.
        let mut items: Vec<(&str, Option<usize>, &Node)> = Vec::new();
        if let Some(s) = p.get_present(singular) {
            match &s.value {
                Value::Array(a) => a.iter().for_each(|n| items.push((singular, None, n))),
                Value::String(t) if t.trim().is_empty() => {}
                _ => items.push((singular, None, s)),
            }
        }
        if let Some(a) = p.get_present(plural).and_then(|n| n.as_array()) {
            let single_given = !items.is_empty();
            for (i, n) in a.iter().enumerate() {
                items.push((plural, Some(i), n));
            }
            if single_given && !a.is_empty() {
                self.warn_issue(Diagnostic::BadValue, format!("{label}: both `{singular}` and `{plural}` are set; the union is used"), &pp.to_string(), node);
            }
        }
        let at = |key: &str, index: Option<usize>| match index {
            Some(i) => format!("{pp}/{key}/{i}"),
            None => format!("{pp}/{key}"),
        };
        for (key, index, n) in items {
            match &n.value {
                Value::String(t) => match Address::parse(t) {
                    Some(a) => out.push(a),
                    None => {
                        self.issue(
                            Diagnostic::BadValue,
                            format!("{label}: `{singular}` \"{t}\" is not a valid address prefix, IP, CIDR or service tag"),
                            &at(key, index),
                            n,
                        );
                        out.push(Address::Unknown(t.to_string()));
                        ok = false;
                    }
                },
                Value::Unresolved(sym) => {
                    self.unknown_field(format!("{label}: `{singular}`"), &at(key, index), n);
                    out.push(Address::Unknown(sym.to_string()));
                    ok = false;
                }
                _ => {
                    self.issue(Diagnostic::BadValue, format!("{label}: `{singular}` is {}, expected a string", n.describe()), &at(key, index), n);
                    out.push(Address::Unknown(n.describe()));
                    ok = false;
                }
            }
        }
        if let Some(a) = p.get_present(asgs).and_then(|n| n.as_array()) {
            for n in a {
                let id = n.get("id").and_then(text_of).unwrap_or_else(|| "?".into());
                out.push(Address::Asg(id));
            }
        }
        if out.is_empty() {
            self.issue(Diagnostic::BadValue, format!("{label}: no {side} address is set (`{singular}`, `{plural}` or `{asgs}`)"), pointer, node);
            return (vec![Address::Unknown(format!("missing {side}"))], false);
        }
        (out, ok)
    }

    /// Checks a service tag against the service-tag data: AML-INP-007 when Azure has no
    /// such tag, AML-INP-008 when it doesn't accept the tag here. False when Azure would
    /// reject the value. Messages and pointers are written only for a finding.
    pub(super) fn tag_usable(&mut self, text: &str, usage: TagUse, what: &dyn Fn() -> String, pointer: &dyn Fn() -> String, node: &Node) -> bool {
        let t = text.trim();
        // Addresses, prefixes and `*` are not service tags (cheap tests first: this runs
        // for every address of every rule).
        if t.is_empty() || t.starts_with(|c: char| c.is_ascii_digit() || c == '*') || t.contains(':') {
            return true;
        }
        let tag = match Address::parse(t) {
            Some(Address::Tag { .. } | Address::AzureCloud(_)) => t,
            _ => return true,
        };
        // Pasted service-tag data wins over the built-in names (spec 5.8).
        let pasted = self.model.service_tags.as_ref().map(|p| p.table.clone());
        let change = pasted.as_ref().map_or(crate::service_tags::CHANGE_NUMBER, |t| t.change_number);
        let lookup_in = |name: &str| match &pasted {
            Some(table) if !name.contains(crate::input::DEPLOYMENT_REGION) => match table.get(name) {
                Some(t) => Lookup::Exists { name: t.name.to_string(), features: t.features },
                None => match crate::service_tags::lookup(name, crate::input::DEPLOYMENT_REGION) {
                    Lookup::Missing { closest } => Lookup::Missing { closest },
                    _ => Lookup::Missing { closest: None },
                },
            },
            _ => crate::service_tags::lookup(name, crate::input::DEPLOYMENT_REGION),
        };
        let lookup = lookup_in(tag);
        let needed = usage.needs();
        match lookup {
            Lookup::RegionUnknown { .. } => true,
            Lookup::Exists { features, .. } if features & needed != 0 => true,
            Lookup::Exists { name, features } => {
                let data = format!("service-tag data changeNumber {change}");
                let place = match usage {
                    TagUse::Nsg => "in an NSG rule",
                    TagUse::Route => "in a route table",
                };
                let family = name.split('.').next().unwrap_or(&name).to_string();
                let instead = match lookup_in(&family) {
                    Lookup::Exists { features, .. } if features & needed != 0 => format!("; use `{family}` instead"),
                    _ => String::new(),
                };
                let message = format!(
                    "{} is `{tag}`, which Azure does not accept {place}: that tag may be used for {} ({data}){instead}",
                    what(),
                    crate::service_tags::describe(features)
                );
                self.issue(Diagnostic::TagNotAccepted, message, &pointer(), node);
                false
            }
            Lookup::Missing { closest } => {
                let data = format!("service-tag data changeNumber {change}");
                let hint = closest.map(|c| format!("; did you mean `{c}`?")).unwrap_or_default();
                self.issue(Diagnostic::UnknownTag, format!("{} is `{tag}`, which is not a service tag Azure has ({data}){hint}", what()), &pointer(), node);
                false
            }
        }
    }
}

/// Rules that exist but can't be read (an unresolved `securityRules`): one invalid rule of
/// unknown priority, direction, access and match, which the evaluator puts first and
/// treats as a doubt for every flow.
fn unknown_rules(loc: Option<Loc>) -> SecurityRule {
    SecurityRule {
        name: "securityRules (not evaluated)".into(),
        priority: None,
        direction: None,
        access: None,
        protocol: None,
        source: vec![Address::Any],
        source_ports: PortSet::all(),
        destination: vec![Address::Any],
        destination_ports: PortSet::all(),
        is_default: false,
        valid: false,
        loc,
    }
}

/// Where a service tag is used.
#[derive(Clone, Copy)]
pub(super) enum TagUse {
    Nsg,
    Route,
}

impl TagUse {
    /// The `networkFeatures` bit Azure requires there.
    pub(super) fn needs(self) -> u8 {
        match self {
            TagUse::Nsg => crate::service_tags::NSG,
            TagUse::Route => crate::service_tags::UDR,
        }
    }
}
