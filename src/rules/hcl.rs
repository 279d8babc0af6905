//! Fixes in Terraform (HCL) for resources read from a Terraform document: written as the
//! configuration declares the resource (inline `security_rule` blocks or separate
//! `azurerm_network_security_rule` resources) and in the attribute names of the provider
//! generation in the plan.
//!
//! The page has them too: it reads Terraform documents that its guard's worker translated
//! (`input::wire`).

use crate::model::{PolicyAttribute, TfOrigin};

/// A security rule to add.
pub struct RuleSpec<'a> {
    pub name: &'a str,
    pub priority: u32,
    pub direction: &'a str,
    pub protocol: &'a str,
    pub source: &'a str,
    pub destination: &'a str,
    pub ports: &'a [String],
}

/// An HCL string literal.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len().saturating_add(2));
    out.push('"');
    for c in text.chars() {
        if let Some(escape) = crate::report::json::common_escape(c) {
            out.push_str(escape);
            continue;
        }
        match c {
            // `${` and `%{` start templates in HCL strings.
            '$' => out.push_str("$$"),
            '%' => out.push_str("%%"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Terraform identifier from any text (labels must start with a letter or `_`).
fn identifier(text: &str) -> String {
    let mut out: String = text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// The configuration name of a resource (`azurerm_subnet.train["a"]` is `train`).
fn config_name(origin: &TfOrigin) -> String {
    let rest = origin.reference.strip_prefix("data.").unwrap_or(&origin.reference);
    let rest = rest.strip_prefix(origin.kind.as_str()).map(|r| r.trim_start_matches('.')).unwrap_or(rest);
    identifier(rest.split('[').next().unwrap_or(rest))
}

/// Where the block goes, as comment lines.
fn place(origin: &TfOrigin) -> String {
    let module = if origin.module.is_empty() { String::new() } else { format!(" (in the configuration of {})", origin.module) };
    format!("# {}{module}\n", origin.address)
}

fn rule_lines(rule: &RuleSpec, indent: &str, extra: &[(&str, String)]) -> String {
    let ports = match rule.ports {
        [one] => ("destination_port_range", quote(one)),
        many => ("destination_port_ranges", format!("[{}]", many.iter().map(|p| quote(p)).collect::<Vec<_>>().join(", "))),
    };
    let mut lines: Vec<(&str, String)> = vec![
        ("name", quote(rule.name)),
        ("priority", rule.priority.to_string()),
        ("direction", quote(rule.direction)),
        ("access", quote("Allow")),
        ("protocol", quote(rule.protocol)),
        ("source_port_range", quote("*")),
        ports,
        ("source_address_prefix", quote(rule.source)),
        ("destination_address_prefix", quote(rule.destination)),
    ];
    lines.extend(extra.iter().cloned());
    let width = lines.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    lines.iter().map(|(k, v)| format!("{indent}{k:width$} = {v}\n")).collect()
}

/// A rule for an NSG read from Terraform: a `security_rule` block when the NSG writes its
/// rules inline (mixing both forms makes each overwrite the other), else a separate
/// `azurerm_network_security_rule` beside it.
pub fn nsg_rule(origin: &TfOrigin, rule: &RuleSpec) -> String {
    if origin.kind == "azurerm_network_security_group" && origin.inline_rules {
        return format!(
            "{}# add this block to the NSG's own security_rule blocks\nresource \"azurerm_network_security_group\" \"{}\" {{\n  security_rule {{\n{}  }}\n}}\n",
            place(origin),
            config_name(origin),
            rule_lines(rule, "    ", &[])
        );
    }
    let nsg = if origin.kind == "azurerm_network_security_group" { origin.reference.clone() } else { String::new() };
    let links = if nsg.is_empty() {
        vec![("resource_group_name", quote("<resource-group>")), ("network_security_group_name", quote("<nsg-name>"))]
    } else {
        vec![("resource_group_name", format!("{nsg}.resource_group_name")), ("network_security_group_name", format!("{nsg}.name"))]
    };
    format!(
        "{}resource \"azurerm_network_security_rule\" \"{}\" {{\n{}}}\n",
        place(origin),
        identifier(&rule.name.replace('-', "_")),
        rule_lines(rule, "  ", &links)
    )
}

/// A subnet attribute to set, in the provider generation's name.
pub enum SubnetChange {
    /// Disable a network policy: private endpoint (`true`) or private link service.
    DisablePolicy {
        private_endpoint: bool,
    },
    RemoveDelegations,
    ServiceEndpoints(&'static [&'static str]),
}

pub fn subnet(origin: &TfOrigin, change: SubnetChange) -> String {
    let line = match change {
        SubnetChange::DisablePolicy { private_endpoint: true } => match origin.policy_attributes[0] {
            PolicyAttribute::Text => "private_endpoint_network_policies = \"Disabled\"".to_string(),
            PolicyAttribute::Enabled => "private_endpoint_network_policies_enabled = false".to_string(),
            PolicyAttribute::Enforce => "enforce_private_link_endpoint_network_policies = true".to_string(),
        },
        SubnetChange::DisablePolicy { private_endpoint: false } => match origin.policy_attributes[1] {
            PolicyAttribute::Enforce => "enforce_private_link_service_network_policies = true".to_string(),
            _ => "private_link_service_network_policies_enabled = false".to_string(),
        },
        SubnetChange::RemoveDelegations => "# remove every delegation { … } block".to_string(),
        SubnetChange::ServiceEndpoints(services) => {
            format!("service_endpoints = [{}]", services.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", "))
        }
    };
    if origin.kind == "azurerm_subnet" {
        format!("{}resource \"azurerm_subnet\" \"{}\" {{\n  # … keep the other arguments\n  {line}\n}}\n", place(origin), config_name(origin))
    } else {
        // An inline `subnet` block of a VNet: declare the subnet as its own resource
        // (before azurerm 4.0 inline blocks can't set these).
        format!(
            "{}# declare the subnet as an azurerm_subnet resource instead of an inline subnet block\nresource \"azurerm_subnet\" \"compute\" {{\n  # … name, resource_group_name, virtual_network_name, address_prefixes\n  {line}\n}}\n",
            place(origin)
        )
    }
}

/// A NAT gateway for a subnet read from Terraform.
pub fn nat_gateway(origin: &TfOrigin) -> String {
    let subnet = if origin.kind == "azurerm_subnet" { format!("{}.id", origin.reference) } else { quote("<subnet-id>") };
    format!(
        "{}resource \"azurerm_public_ip\" \"nat\" {{\n  name                = \"pip-nat\"\n  location            = \"<region>\"\n  resource_group_name = \"<resource-group>\"\n  allocation_method   = \"Static\"\n  sku                 = \"Standard\"\n}}\n\nresource \"azurerm_nat_gateway\" \"aml\" {{\n  name                = \"nat-aml\"\n  location            = \"<region>\"\n  resource_group_name = \"<resource-group>\"\n  sku_name            = \"Standard\"\n}}\n\nresource \"azurerm_nat_gateway_public_ip_association\" \"aml\" {{\n  nat_gateway_id       = azurerm_nat_gateway.aml.id\n  public_ip_address_id = azurerm_public_ip.nat.id\n}}\n\nresource \"azurerm_subnet_nat_gateway_association\" \"aml\" {{\n  subnet_id      = {subnet}\n  nat_gateway_id = azurerm_nat_gateway.aml.id\n}}\n",
        place(origin)
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_for_hcl() {
        assert_eq!(quote("a\"b${x}%{y}\\"), "\"a\\\"b$${x}%%{y}\\\\\"");
        assert_eq!(identifier("9 rules"), "_9_rules");
    }
}
