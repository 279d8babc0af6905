//! The error decoder (`amlvnet explain-error`): the text of an Azure ML, Databricks or
//! Terraform provisioning error in, the checks it corresponds to, the documents that
//! confirm it and the fix out. The messages are data beside the checks they point to
//! (each entry names its checks by their `static`, so an ID can't drift), with where the
//! message was seen.
//!
//! Bounded: the text is cut at `MAX_TEXT` bytes, every pattern is one substring search of
//! the lower-cased text, and at most `MAX_ROWS` rules are read from an error's table.

use super::{cmp, dbx, det, npip, out, pip, Check};
use crate::net::Protocol;
use crate::report::json::J;

/// How much of a pasted error is read (an error message is a few KB; a log may be long).
pub const MAX_TEXT: usize = 256 * 1024;
/// How many rules of an NSG error's table are read.
pub const MAX_ROWS: usize = 64;

/// A provisioning or job error that users report, and what it means.
#[derive(Debug)]
pub struct KnownError {
    /// The error's code, or a short name when it has none.
    pub code: &'static str,
    pub title: &'static str,
    /// Lower-case substrings; the error matches when any of them occurs in the text.
    pub patterns: &'static [&'static str],
    /// The checks that decide whether the network causes it.
    pub checks: &'static [&'static Check],
    /// The message lists the NSG rules it wants (`"name": …` blocks), read rule by rule.
    pub lists_rules: bool,
    /// Which documents to paste into `amlvnet check` to confirm it.
    pub paste: &'static str,
    pub fix: &'static str,
    /// Where the message comes from.
    pub source: &'static str,
}

/// Every known error, most specific first.
pub static KNOWN_ERRORS: &[KnownError] = &[
    KnownError {
        code: "NsgMissingRules",
        title: "The compute's subnet NSG lacks rules that Azure ML checks before creating compute",
        patterns: &["is missing the following rules", "missing the following rules below"],
        checks: &[&pip::PIP_001, &pip::PIP_002, &npip::NPIP_004, &npip::NPIP_005, &npip::NPIP_006, &out::OUT_008, &out::OUT_009],
        lists_rules: true,
        paste: "the NSG named in the message (`az network nsg show -g RG -n NSG`) and the compute subnet (`az network vnet subnet show`)",
        fix: "Add each rule the message lists (or raise the priority of an existing allow above the deny that wins), in the NSG it names.",
        source: "Azure ML compute provisioning error; reported in microsoft/AzureTRE issue 2780 (October 2022) for `Outbound Storage 445`",
    },
    KnownError {
        code: "PrivateLinkNetworkPoliciesEnabled",
        title: "The subnet's private endpoint or private link service network policies are enabled",
        patterns: &["privatelinkservicenetworkpolicies or privateendpointnetworkendpoints", "privatelinkservicenetworkpolicies", "privateendpointnetworkpolicies"],
        checks: &[&npip::NPIP_002, &npip::NPIP_003],
        lists_rules: false,
        paste: "the compute subnet (`az network vnet subnet show`)",
        fix: "az network vnet subnet update -g RG --vnet-name VNET -n SUBNET --disable-private-endpoint-network-policies true --disable-private-link-service-network-policies true (ARM: privateEndpointNetworkPolicies and privateLinkServiceNetworkPolicies `Disabled`; Terraform 4.x: `private_endpoint_network_policies = \"Disabled\"` and `private_link_service_network_policies_enabled = false` on the azurerm_subnet; 2.x and early 3.x: `enforce_private_link_endpoint_network_policies = true` and `enforce_private_link_service_network_policies = true`).",
        source: "Azure ML no-public-IP compute error quoted in the seed article (2022-07), Troubleshooting",
    },
    KnownError {
        code: "StorageMountError",
        title: "The compute could not mount the workspace storage",
        patterns: &["storagemounterror", "allow outbound connection to ports 443", "unable to mount storage", "failed to mount"],
        checks: &[&out::OUT_008, &out::OUT_009, &cmp::CMP_009],
        lists_rules: false,
        paste: "the compute subnet's NSG, the subnet, its route table, and the workspace storage account (`az storage account show`)",
        fix: "Allow outbound TCP 443 and 445 to `Storage.<region>` (or `Storage`) in the subnet NSG and on any firewall on the path, and make the storage reachable from the compute subnet (service endpoint or private endpoint).",
        source: "Azure ML job error (`StorageMountError`), which names ports 443 and 445; spec AML-OUT-009",
    },
    KnownError {
        code: "ConflictWithNetworkIntentPolicy",
        title: "The NSG lacks rules that Databricks' network intent policy requires",
        patterns: &["conflictwithnetworkintentpolicy", "conflicts with network intent policy", "found conflicts with networkintentpolicy"],
        checks: &[&dbx::DBX_009, &dbx::DBX_006],
        lists_rules: false,
        paste: "the NSG of the Databricks host and container subnets, and both subnets",
        fix: "Keep the `Microsoft.Databricks-workspaces_UseOnly_*` rules Databricks added (deploy the NSG with them, or leave securityRules out of later deployments), and deny nothing above them that they allow.",
        source: "Databricks VNet injection deployment error; Azure/azure-quickstart-templates issue 6670, Azure/bicep-registry-modules issue 1608",
    },
    KnownError {
        code: "PrepareNetworkPoliciesRequestIsMissingNetworkIntentPolicies",
        title: "The subnet already carries another Databricks workspace's network intent policy",
        patterns: &["preparenetworkpoliciesrequestismissingnetworkintentpolicies", "all associated network intent policies of subnet"],
        checks: &[&dbx::DBX_008, &dbx::DBX_005],
        lists_rules: false,
        paste: "the VNet with both Databricks subnets, and the Databricks workspace JSON",
        fix: "Give each Databricks workspace its own pair of delegated subnets; a subnet used by another workspace (or left over from a deleted one) can't be reused until its network intent policy is gone.",
        source: "Databricks deployment error; MicrosoftDocs/azure-docs issue 42052",
    },
    KnownError {
        code: "SubnetIsDelegated",
        title: "The compute subnet is delegated to another service",
        patterns: &["subnetisdelegated", "subnet is delegated"],
        checks: &[&cmp::CMP_001],
        lists_rules: false,
        paste: "the compute subnet (`az network vnet subnet show`)",
        fix: "Use a subnet without delegations for Azure ML compute (az network vnet subnet update ... --remove delegations).",
        source: "Azure ML compute creation error; spec AML-CMP-001",
    },
    KnownError {
        code: "InsufficientSubnetSize",
        title: "The subnet has too few free addresses for the compute",
        patterns: &["insufficientsubnetsize", "insufficient subnet size", "not enough ip addresses", "subnet does not have enough"],
        checks: &[&cmp::CMP_003, &cmp::CMP_004, &dbx::DBX_007],
        lists_rules: false,
        paste: "the compute subnet with its ipConfigurations (`az network vnet subnet show`) and the compute (`az ml compute show`)",
        fix: "Use a larger subnet (Azure reserves 5 addresses of each), or lower the cluster's maxNodeCount to what is free.",
        source: "Azure ML compute creation error; spec section 4",
    },
    KnownError {
        code: "SubnetIsNotWithinVnetError",
        title: "The subnet ID does not name a subnet of the VNet the compute may use",
        patterns: &["subnetisnotwithinvneterror", "subnet is not within", "not within vnet"],
        checks: &[&cmp::CMP_002],
        lists_rules: false,
        paste: "the compute (`az ml compute show`), the workspace, and the VNet (`az network vnet show`)",
        fix: "Give the compute the full ID of a subnet of a VNet in the workspace's subscription (and, for instances, its region).",
        source: "Azure ML compute creation error; spec AML-CMP-002",
    },
    KnownError {
        code: "NodesUnusable",
        title: "Cluster nodes are unusable: they can't reach the services they are managed through",
        patterns: &["unusable", "nodes are in an unusable state", "node is unusable"],
        checks: &[&pip::PIP_001, &pip::PIP_004, &out::OUT_006, &out::OUT_008, &npip::NPIP_008],
        lists_rules: false,
        paste: "the compute subnet, its NSG and its route table (and the compute, for the public-IP setting)",
        fix: "Let BatchNodeManagement in on TCP 29876-29877 (public-IP mode), give forced-tunnelled subnets Internet routes for AzureMachineLearning and BatchNodeManagement, and allow the outbound destinations of AML-OUT-*.",
        source: "Azure ML compute cluster state `unusable`; spec AML-PIP-001, AML-PIP-004",
    },
    KnownError {
        code: "SubnetRequiredWithoutPublicIp",
        title: "No public IP was asked for, but no subnet was given",
        patterns: &["subnet_resource_id must be set if node_public_ip_enabled", "subnet_resource_id must be set"],
        checks: &[&det::DET_002, &npip::NPIP_008],
        lists_rules: false,
        paste: "the Terraform plan (`terraform show -json tfplan`)",
        fix: "Set `subnet_resource_id` on the compute (a subnet of the workspace's VNet), or set `node_public_ip_enabled = true`.",
        source: "azurerm provider validation of azurerm_machine_learning_compute_cluster / _compute_instance",
    },
];

/// One rule of an NSG error's table ("missing the following rules below").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingRule {
    pub name: String,
    pub direction: String,
    pub protocol: String,
    pub source: String,
    pub destination: String,
    pub port: String,
    /// The check that requires this flow, when one does.
    pub check: Option<&'static str>,
}

/// A known error found in the text.
#[derive(Debug)]
pub struct ErrorMatch {
    pub error: &'static KnownError,
    /// The rules listed in the text, for the NSG error.
    pub rules: Vec<MissingRule>,
}

/// The known errors in the text, in catalogue order (empty when nothing matches).
pub fn explain_error(text: &str) -> Vec<ErrorMatch> {
    let mut cut = text.len().min(MAX_TEXT);
    while !text.is_char_boundary(cut) {
        cut = cut.saturating_sub(1);
    }
    // Lower case, without the backticks Terraform and Markdown put around names.
    let text = text.get(..cut).unwrap_or_default();
    let lower: String = text.chars().filter(|&c| c != '`').map(|c| c.to_ascii_lowercase()).collect();
    KNOWN_ERRORS
        .iter()
        .filter(|e| e.patterns.iter().any(|p| lower.contains(p)))
        .map(|error| ErrorMatch { error, rules: if error.lists_rules { missing_rules(text) } else { Vec::new() } })
        .collect()
}

/// Reads the rules of the NSG error's table: `"name": "…"` opens a rule, and the
/// `"key": "value"` pairs after it fill it (keys in any case, values as written).
fn missing_rules(text: &str) -> Vec<MissingRule> {
    let mut rules: Vec<MissingRule> = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('"') {
        rest = rest.get(at.saturating_add(1)..).unwrap_or_default();
        let Some(end) = rest.find('"') else { break };
        let key = rest.get(..end).unwrap_or_default().to_ascii_lowercase();
        rest = rest.get(end.saturating_add(1)..).unwrap_or_default();
        let after = rest.trim_start();
        if !after.starts_with(':') {
            continue;
        }
        let value = after.get(1..).unwrap_or_default().trim_start();
        let Some(value) = value.strip_prefix('"') else { continue };
        let Some(close) = value.find('"') else { break };
        let text = value.get(..close).unwrap_or_default().trim().to_string();
        rest = value.get(close.saturating_add(1)..).unwrap_or_default();
        if key == "name" {
            if rules.len() == MAX_ROWS {
                break;
            }
            rules.push(MissingRule {
                name: text,
                direction: String::new(),
                protocol: String::new(),
                source: String::new(),
                destination: String::new(),
                port: String::new(),
                check: None,
            });
            continue;
        }
        let Some(rule) = rules.last_mut() else { continue };
        match key.as_str() {
            "direction" => rule.direction = text,
            "protocol" => rule.protocol = text,
            "sourceaddressprefix" => rule.source = text,
            "destinationaddressprefix" => rule.destination = text,
            "destinationportrange" => rule.port = text,
            _ => {}
        }
    }
    for rule in &mut rules {
        rule.check = check_for(rule).map(|c| c.id);
    }
    rules
}

/// The first service tag of a table cell such as "Storage OR Internet OR Storage.uksouth",
/// without its region.
fn tag_base(cell: &str) -> String {
    let first = cell.split([' ', ',']).next().unwrap_or_default();
    first.split('.').next().unwrap_or_default().to_ascii_lowercase()
}

/// The check that requires the flow of a listed rule.
fn check_for(rule: &MissingRule) -> Option<&'static Check> {
    let port = rule.port.split('-').next().and_then(|p| p.trim().parse::<u16>().ok())?;
    let protocol = if rule.protocol.eq_ignore_ascii_case("udp") { Protocol::Udp } else { Protocol::Tcp };
    if rule.direction.eq_ignore_ascii_case("outbound") {
        return out::requiring(&tag_base(&rule.destination), port, protocol);
    }
    match (tag_base(&rule.source).as_str(), port) {
        ("batchnodemanagement", 29876 | 29877) => Some(&pip::PIP_001),
        ("azuremachinelearning", 44224) => Some(&pip::PIP_002),
        ("virtualnetwork", 29876 | 29877) => Some(&npip::NPIP_004),
        ("azureloadbalancer", 44224) => Some(&npip::NPIP_005),
        ("virtualnetwork", 44224) => Some(&npip::NPIP_006),
        _ => None,
    }
}

/// What `amlvnet explain-error --format json` prints, and the JavaScript API's
/// `explainError()` returns: `{ "matches": [ { code, title, checks: [{id, title}], paste,
/// fix, source, rules: [...] } ] }`.
pub fn to_json(matches: &[ErrorMatch]) -> J {
    let matched = matches.iter().map(|m| {
        let e = m.error;
        let rules = m.rules.iter().map(|r| {
            J::obj(vec![
                ("name", J::s(r.name.clone())),
                ("direction", J::s(r.direction.clone())),
                ("protocol", J::s(r.protocol.clone())),
                ("source", J::s(r.source.clone())),
                ("destination", J::s(r.destination.clone())),
                ("port", J::s(r.port.clone())),
                ("check", J::opt_str(r.check)),
            ])
        });
        J::obj(vec![
            ("code", J::s(e.code)),
            ("title", J::s(e.title)),
            ("checks", J::Arr(e.checks.iter().map(|c| J::obj(vec![("id", J::s(c.id)), ("title", J::s(c.title))])).collect())),
            ("paste", J::s(e.paste)),
            ("fix", J::s(e.fix)),
            ("source", J::s(e.source)),
            ("rules", J::Arr(rules.collect())),
        ])
    });
    J::obj(vec![("matches", J::Arr(matched.collect()))])
}

/// What `amlvnet explain-error` prints: each known error found, its checks, the rules of
/// its table, what to paste and the fix; or that nothing matched.
pub fn to_text(matches: &[ErrorMatch]) -> String {
    use std::fmt::Write;
    if matches.is_empty() {
        return "No known Azure ML, Databricks or Terraform network error in this text.\n\
                Paste the network JSON instead (`az network nsg show`, `az network vnet subnet show`, \
                the route table, the compute): `amlvnet check FILE...` tells what is wrong with it.\n"
            .into();
    }
    let mut out = String::new();
    for m in matches {
        let e = m.error;
        let _ = writeln!(out, "{}: {}", e.code, e.title);
        for c in e.checks {
            let _ = writeln!(out, "  check   {}  {}", c.id, c.title);
        }
        for r in &m.rules {
            let _ = writeln!(
                out,
                "  rule    \"{}\": {} {} from {} to {} port {} -> {}",
                r.name,
                r.direction,
                r.protocol,
                or_any(&r.source),
                or_any(&r.destination),
                or_any(&r.port),
                r.check.unwrap_or("no check of the catalogue")
            );
        }
        let _ = writeln!(out, "  paste   {}", e.paste);
        let _ = writeln!(out, "  fix     {}", e.fix);
        let _ = writeln!(out, "  source  {}\n", e.source);
    }
    out
}

fn or_any(text: &str) -> &str {
    if text.is_empty() {
        "?"
    } else {
        text
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<&'static str> {
        explain_error(text).iter().map(|m| m.error.code).collect()
    }

    #[test]
    fn the_nsg_error_table_is_read_rule_by_rule() {
        let text = r#"Provisioning error
The subnet has a network security group (/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-ws) that is
missing the following rules below. Please add those rules or increase the priority to allow traffic if the rules already exist.
{
"name": "Outbound Storage 445"
"properties": {
"protocol": "TCP",
"sourcePortRange": "*"
"destinationPortRange": "445"
"sourceAddressPrefix": "VirtualNetwork"
"destinationAddressPrefix": "Storage OR Internet OR Storage.uksouth",
"priority": "Higher than 4096",
"direction": "Outbound"
},
"name": "Inbound BatchNodeManagement",
"properties": { "protocol": "TCP", "destinationPortRange": "29876-29877", "sourceAddressPrefix": "BatchNodeManagement", "direction": "Inbound" }
"#;
        let found = explain_error(text);
        assert_eq!(found.len(), 1);
        let rules = &found[0].rules;
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].name, "Outbound Storage 445");
        assert_eq!(rules[0].port, "445");
        assert_eq!(rules[0].check, Some("AML-OUT-009"));
        assert_eq!(rules[1].check, Some("AML-PIP-001"));
    }

    #[test]
    fn each_reported_message_names_its_checks() {
        let cases = [
            ("The specified subnet has PrivateLinkServiceNetworkPolicies or PrivateEndpointNetworkEndpoints enabled", "PrivateLinkNetworkPoliciesEnabled"),
            ("StorageMountError: please allow outbound connection to ports 443, 445", "StorageMountError"),
            ("\"code\":\"ConflictWithNetworkIntentPolicy\",\"message\":\"Found conflicts with NetworkIntentPolicy.", "ConflictWithNetworkIntentPolicy"),
            ("\"code\": \"PrepareNetworkPoliciesRequestIsMissingNetworkIntentPolicies\"", "PrepareNetworkPoliciesRequestIsMissingNetworkIntentPolicies"),
            ("Code: SubnetIsNotWithinVnetError", "SubnetIsNotWithinVnetError"),
            ("InsufficientSubnetSize: subnet too small", "InsufficientSubnetSize"),
            ("Code: SubnetIsDelegated", "SubnetIsDelegated"),
            ("2 nodes are in an unusable state", "NodesUnusable"),
            ("Error: `subnet_resource_id` must be set if `node_public_ip_enabled` is set to `false`", "SubnetRequiredWithoutPublicIp"),
        ];
        for (text, code) in cases {
            assert_eq!(codes(text), vec![code], "{text}");
        }
        assert!(codes("Quota exceeded for Standard_NC6").is_empty());
    }

    #[test]
    fn huge_text_is_read_within_its_bound() {
        let text = "\"name\": \"x\", ".repeat(200_000) + "is missing the following rules";
        // The pattern lies past MAX_TEXT: not read, and nothing panics.
        assert!(explain_error(&text).is_empty());
        let text = "is missing the following rules ".to_string() + &"\"name\": \"x\", ".repeat(10_000);
        assert_eq!(explain_error(&text)[0].rules.len(), MAX_ROWS);
    }
}
