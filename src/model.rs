//! The one model every input shape is read into, and that checks query.
//!
//! Every resource and rule keeps its `Loc`: the document, JSON pointer, line and column
//! where it was written. Values that could not be read are kept as "uncertain" rather
//! than dropped, so that a check never reports `pass` on the strength of a value it did
//! not understand.

use crate::net::{Access, Address, Direction, PortSet, Protocol, Region};
use ipnet::IpNet;

/// Where something is in the pasted text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Loc {
    /// Index into `Model::documents`.
    pub document: usize,
    pub pointer: String,
    pub line: u32,
    pub column: u32,
    /// The Terraform resource address, for resources read from a Terraform document.
    pub address: Option<String>,
}

/// How a resource read from a Terraform document is written there, for fixes in HCL.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TfOrigin {
    /// The resource address (`module.net.azurerm_subnet.train["a"]`).
    pub address: String,
    /// The resource type (`azurerm_network_security_group`).
    pub kind: String,
    /// The reference to the resource from its own module (`azurerm_subnet.train["a"]`).
    pub reference: String,
    /// The module that declares it (`module.net`), empty for the root module.
    pub module: String,
    /// NSG: its rules are written as inline `security_rule` blocks.
    pub inline_rules: bool,
    /// Subnet: the attribute that sets each network policy in this provider generation,
    /// private endpoint first, then private link service.
    pub policy_attributes: [PolicyAttribute; 2],
    /// Values the configuration leaves to the provider's default: (ARM field, what was
    /// assumed).
    pub defaulted: Vec<(&'static str, String)>,
}

/// The azurerm attribute that sets a subnet's network policy, by provider generation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PolicyAttribute {
    /// `enforce_private_link_…_network_policies` (2.x – 3.117): `true` means Disabled.
    Enforce,
    /// `private_…_network_policies_enabled` (3.18+): `false` means Disabled.
    #[default]
    Enabled,
    /// `private_endpoint_network_policies` (3.103+): the ARM string.
    Text,
}

/// What kind of document a text is (spec section 5): its identifier in the report and
/// its name for people, in one place.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Shape {
    /// Not detected yet.
    #[default]
    Unset,
    Unrecognised,
    InvalidJson,
    ArmResource,
    ArmTemplate,
    ParametersFile,
    RestExample,
    ResourceArray,
    ResourceList,
    ResourceGraph,
    ResourceGraphRow,
    PowerShell,
    AzNsgShow,
    AzNsgCreate,
    AzNsgRuleList,
    AzNsgRuleShow,
    AzNicEffectiveNsg,
    AzSubnetShow,
    AzVnetShow,
    AzRouteTableShow,
    AzMlCompute,
    AzMlWorkspace,
    TerraformPlan,
    TerraformState,
    TerraformRawState,
    TerraformPlanStream,
    /// Azure's service-tag file, with its changeNumber.
    ServiceTags(u32),
}

impl Shape {
    /// The report's identifier (`documents[].shape`).
    pub fn id(self) -> &'static str {
        use Shape::*;
        match self {
            Unset => "",
            Unrecognised => "unrecognised",
            InvalidJson => "invalid-json",
            ArmResource => "arm-resource",
            ArmTemplate => "arm-template",
            ParametersFile => "parameters-file",
            RestExample => "rest-example",
            ResourceArray => "resource-array",
            ResourceList => "resource-list",
            ResourceGraph | ResourceGraphRow => "resource-graph",
            PowerShell => "powershell",
            AzNsgShow => "az-nsg-show",
            AzNsgCreate => "az-nsg-show",
            AzNsgRuleList => "az-nsg-rule-list",
            AzNsgRuleShow => "az-nsg-rule-show",
            AzNicEffectiveNsg => "az-nic-effective-nsg",
            AzSubnetShow => "az-subnet-show",
            AzVnetShow => "az-vnet-show",
            AzRouteTableShow => "az-route-table-show",
            AzMlCompute => "az-ml-compute",
            AzMlWorkspace => "az-ml-workspace",
            TerraformPlan => "terraform-plan",
            TerraformState => "terraform-state",
            TerraformRawState => "terraform-raw-state",
            TerraformPlanStream => "terraform-plan-stream",
            ServiceTags(_) => "service-tags",
        }
    }

    /// The shape's name for people (the page's document card, the text report).
    pub fn label(self) -> String {
        use Shape::*;
        let label = match self {
            Unset => "",
            Unrecognised => "unrecognised",
            InvalidJson => "not JSON",
            ArmResource => "ARM/REST resource",
            ArmTemplate => "ARM template",
            ParametersFile => "ARM parameters file",
            RestExample => "REST API example",
            ResourceArray => "array of resources",
            ResourceList => "list of resources",
            ResourceGraph => "Azure Resource Graph result",
            ResourceGraphRow => "Azure Resource Graph row",
            PowerShell => "PowerShell ConvertTo-Json (best effort)",
            AzNsgShow => "az network nsg show",
            AzNsgCreate => "az network nsg create",
            AzNsgRuleList => "az network nsg rule list",
            AzNsgRuleShow => "az network nsg rule show",
            AzNicEffectiveNsg => "az network nic list-effective-nsg",
            AzSubnetShow => "az network vnet subnet show",
            AzVnetShow => "az network vnet show",
            AzRouteTableShow => "az network route-table show",
            AzMlCompute => "az ml compute show",
            AzMlWorkspace => "az ml workspace show",
            TerraformPlan => "Terraform plan (terraform show -json)",
            TerraformState => "Terraform state (terraform show -json)",
            TerraformRawState => "raw Terraform state file",
            TerraformPlanStream => "terraform plan -json output",
            ServiceTags(change) => return format!("Azure service tags (changeNumber {change})"),
        };
        label.to_string()
    }
}

/// One input document as the engine saw it.
#[derive(Clone, Debug, Default)]
pub struct DocumentInfo {
    pub name: String,
    pub shape: Shape,
    /// Kinds and names of the resources found, for the document card.
    pub resources: Vec<String>,
    /// Set when the text was not JSON: `line:column: message`.
    pub parse_error: Option<(u32, u32, String)>,
}

/// A security rule after normalisation.
#[derive(Clone, Debug)]
pub struct SecurityRule {
    pub name: String,
    /// `None` when the priority was missing, invalid or unresolved.
    pub priority: Option<u32>,
    pub direction: Option<Direction>,
    pub access: Option<Access>,
    /// `None` when unknown or invalid.
    pub protocol: Option<Protocol>,
    pub source: Vec<Address>,
    pub source_ports: PortSet,
    pub destination: Vec<Address>,
    pub destination_ports: PortSet,
    /// One of Azure's six default rules.
    pub is_default: bool,
    /// False when a field held a value Azure would reject (AML-INP-004/005): the rule is
    /// then never decisive, only a source of doubt.
    pub valid: bool,
    pub loc: Option<Loc>,
}

/// A network security group.
#[derive(Clone, Debug, Default)]
pub struct Nsg {
    pub name: String,
    pub id: Option<String>,
    pub location: Option<Region>,
    /// Custom and default rules, sorted for evaluation (see `nsg::prepare`).
    pub rules: Vec<SecurityRule>,
    /// The default rules were added by the engine (not in the input).
    pub defaults_added: bool,
    /// IDs of subnets and NICs the NSG says it is attached to.
    pub attached_subnets: Vec<String>,
    /// The rules came from a bare rule list: the NSG's name and attachment are unknown.
    pub from_rule_list: bool,
    pub terraform: Option<Box<TfOrigin>>,
    pub loc: Option<Loc>,
}

/// A user-defined route.
#[derive(Clone, Debug)]
pub struct Route {
    pub name: String,
    /// A CIDR or a service tag; `None` if missing or unresolved.
    pub address_prefix: Option<String>,
    pub next_hop_type: Option<String>,
    pub next_hop_ip: Option<String>,
    pub loc: Option<Loc>,
}

/// A route table.
#[derive(Clone, Debug, Default)]
pub struct RouteTable {
    pub name: String,
    pub id: Option<String>,
    pub routes: Vec<Route>,
    pub disable_bgp_route_propagation: Option<bool>,
    pub loc: Option<Loc>,
}

/// A reference by ID (or by name in templates) to another resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The ID as written, or the name when only a name is known.
    pub id: String,
    /// Unresolved template expression: the link cannot be followed.
    pub unresolved: bool,
    pub loc: Option<Loc>,
}

impl Reference {
    /// The last path segment (the resource name).
    pub fn name(&self) -> &str {
        self.id.trim_end_matches('/').rsplit('/').next().unwrap_or(&self.id)
    }
}

/// A subnet.
#[derive(Clone, Debug, Default)]
pub struct Subnet {
    pub name: String,
    pub id: Option<String>,
    /// The VNet name, when known.
    pub vnet: Option<String>,
    pub prefixes: Vec<IpNet>,
    /// Prefixes that could not be read (invalid or unresolved).
    pub bad_prefixes: Vec<String>,
    pub nsg: Option<Reference>,
    pub route_table: Option<Reference>,
    pub nat_gateway: Option<Reference>,
    /// Service names of the delegations.
    pub delegations: Vec<String>,
    pub service_endpoints: Vec<String>,
    pub service_endpoint_policies: Vec<Reference>,
    pub private_endpoint_network_policies: Option<String>,
    pub private_link_service_network_policies: Option<String>,
    pub ip_configurations: Vec<String>,
    pub private_endpoints: usize,
    pub default_outbound_access: Option<bool>,
    pub terraform: Option<Box<TfOrigin>>,
    pub loc: Option<Loc>,
}

/// A virtual network.
#[derive(Clone, Debug, Default)]
pub struct Vnet {
    pub name: String,
    pub id: Option<String>,
    pub location: Option<Region>,
    pub address_prefixes: Vec<IpNet>,
    pub dns_servers: Vec<String>,
    pub subnet_names: Vec<String>,
    pub subscription: Option<String>,
    pub loc: Option<Loc>,
}

/// Kinds of Azure ML compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComputeKind {
    Cluster,
    Instance,
    Vm,
    HdInsight,
    Databricks,
    /// Other compute types (AKS, Kubernetes, …): not training compute in a subnet.
    Other,
}

impl ComputeKind {
    pub fn parse(text: &str) -> Option<ComputeKind> {
        Some(match text.trim().to_ascii_lowercase().replace(['_', '-'], "").as_str() {
            "amlcompute" | "cluster" | "computecluster" => ComputeKind::Cluster,
            "computeinstance" | "instance" => ComputeKind::Instance,
            "virtualmachine" | "vm" => ComputeKind::Vm,
            "hdinsight" => ComputeKind::HdInsight,
            "databricks" => ComputeKind::Databricks,
            "" => return None,
            _ => ComputeKind::Other,
        })
    }

    /// The contract's scenario words only (`cluster`, `instance`, `vm`, `hdinsight`,
    /// `databricks`), for the CLI and the JavaScript API.
    pub fn from_contract(text: &str) -> Option<ComputeKind> {
        [ComputeKind::Cluster, ComputeKind::Instance, ComputeKind::Vm, ComputeKind::HdInsight, ComputeKind::Databricks].into_iter().find(|k| k.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ComputeKind::Cluster => "cluster",
            ComputeKind::Instance => "instance",
            ComputeKind::Vm => "vm",
            ComputeKind::HdInsight => "hdinsight",
            ComputeKind::Databricks => "databricks",
            ComputeKind::Other => "other",
        }
    }
}

/// An Azure ML compute resource.
#[derive(Clone, Debug)]
pub struct Compute {
    pub name: String,
    pub id: Option<String>,
    pub kind: ComputeKind,
    /// `enableNodePublicIp`; `None` when absent (the API default is true).
    pub public_ip: Option<bool>,
    /// Set when the flag was an expression that could not be resolved.
    pub public_ip_unresolved: bool,
    pub subnet: Option<Reference>,
    pub location: Option<Region>,
    pub min_nodes: Option<u32>,
    pub max_nodes: Option<u32>,
    pub ssh_port: Option<u16>,
    pub workspace: Option<String>,
    pub loc: Option<Loc>,
}

/// An Azure ML workspace.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    pub name: String,
    pub id: Option<String>,
    pub location: Option<Region>,
    /// Statuses of the private endpoint connections.
    pub private_endpoint_statuses: Vec<String>,
    /// Whether the document said anything about private endpoints at all.
    pub private_endpoints_known: bool,
    pub hbi: Option<bool>,
    pub image_build_compute: Option<String>,
    pub storage_account: Option<String>,
    pub container_registry: Option<String>,
    pub loc: Option<Loc>,
}

impl Workspace {
    pub fn has_approved_private_endpoint(&self) -> bool {
        self.private_endpoint_statuses.iter().any(|s| s.eq_ignore_ascii_case("approved"))
    }
}

/// A storage account (for the same-VNet and same-region checks).
#[derive(Clone, Debug, Default)]
pub struct StorageAccount {
    pub name: String,
    pub id: Option<String>,
    pub location: Option<Region>,
    pub vnet_rule_subnets: Vec<String>,
    pub default_action_deny: bool,
    pub loc: Option<Loc>,
}

/// A private endpoint (to find which services are reachable privately from a subnet).
#[derive(Clone, Debug, Default)]
pub struct PrivateEndpoint {
    pub name: String,
    pub subnet: Option<Reference>,
    /// Resource IDs the endpoint connects to.
    pub targets: Vec<String>,
    pub loc: Option<Loc>,
}

/// A virtual machine (for the attached-VM checks).
#[derive(Clone, Debug, Default)]
pub struct VirtualMachine {
    pub name: String,
    pub os_hint: Option<String>,
    pub loc: Option<Loc>,
}

/// A network interface with its NSG (the NIC level of NSG evaluation).
#[derive(Clone, Debug, Default)]
pub struct Nic {
    pub name: String,
    pub id: Option<String>,
    pub nsg: Option<Reference>,
    pub subnets: Vec<Reference>,
    pub loc: Option<Loc>,
}

/// An Azure Databricks workspace.
#[derive(Clone, Debug, Default)]
pub struct DatabricksWorkspace {
    pub name: String,
    pub location: Option<Region>,
    pub vnet_id: Option<String>,
    pub public_subnet: Option<String>,
    pub private_subnet: Option<String>,
    pub loc: Option<Loc>,
}

/// A service endpoint policy (for AML-CMP-005 and AML-DEX-001).
#[derive(Clone, Debug, Default)]
pub struct ServiceEndpointPolicy {
    pub name: String,
    pub id: Option<String>,
    pub resources: Vec<String>,
    pub loc: Option<Loc>,
}

/// A problem found while reading the input (the AML-INP series).
#[derive(Clone, Debug)]
pub struct InputIssue {
    pub kind: Diagnostic,
    pub message: String,
    pub loc: Option<Loc>,
    /// Reported as `warn` rather than the ID's usual status.
    pub warn: bool,
}

/// The input diagnostics of spec 2.7 by what they mean; `id()` is the check that reports
/// them (the catalogue's AML-INP checks select their issues by it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Diagnostic {
    InvalidJson,
    Unrecognised,
    DuplicatePriority,
    BadValue,
    Unresolved,
    MissingReference,
    UnknownTag,
    TagNotAccepted,
}

impl Diagnostic {
    pub fn id(self) -> &'static str {
        match self {
            Diagnostic::InvalidJson => "AML-INP-001",
            Diagnostic::Unrecognised => "AML-INP-002",
            Diagnostic::DuplicatePriority => "AML-INP-003",
            Diagnostic::BadValue => "AML-INP-004",
            Diagnostic::Unresolved => "AML-INP-005",
            Diagnostic::MissingReference => "AML-INP-006",
            Diagnostic::UnknownTag => "AML-INP-007",
            Diagnostic::TagNotAccepted => "AML-INP-008",
        }
    }
}

/// Everything read from the input documents.
#[derive(Clone, Debug, Default)]
pub struct Model {
    pub documents: Vec<DocumentInfo>,
    pub nsgs: Vec<Nsg>,
    pub subnets: Vec<Subnet>,
    pub route_tables: Vec<RouteTable>,
    pub vnets: Vec<Vnet>,
    pub nat_gateways: Vec<(String, Option<String>)>,
    pub computes: Vec<Compute>,
    pub workspaces: Vec<Workspace>,
    pub storage_accounts: Vec<StorageAccount>,
    pub private_endpoints: Vec<PrivateEndpoint>,
    pub container_registries: Vec<(String, bool)>,
    pub vms: Vec<VirtualMachine>,
    pub nics: Vec<Nic>,
    pub databricks: Vec<DatabricksWorkspace>,
    pub endpoint_policies: Vec<ServiceEndpointPolicy>,
    pub issues: Vec<InputIssue>,
    /// Locations seen on resources, to infer the region (`global` left out).
    pub locations: Vec<String>,
    /// Some template resource is deployed to `resourceGroup().location`.
    pub template_region: bool,
    /// Service-tag data pasted among the documents (it wins over the built-in table).
    pub service_tags: Option<PastedTags>,
}

/// A pasted service-tag document: which document, and its table.
#[derive(Clone, Debug)]
pub struct PastedTags {
    pub document: usize,
    pub table: std::sync::Arc<crate::service_tags::TagPrefixes>,
}

/// Case-insensitive comparison of resource IDs, tolerant of the `...` elisions people
/// write in examples: two IDs match when equal, or when the type/name tails agree.
pub fn same_resource(a: &str, b: &str) -> bool {
    let a = a.trim().trim_end_matches('/');
    let b = b.trim().trim_end_matches('/');
    if a.eq_ignore_ascii_case(b) {
        return true;
    }
    let tail = |s: &str| -> Vec<String> { s.rsplit('/').take(2).map(|p| p.to_ascii_lowercase()).collect() };
    let (ta, tb) = (tail(a), tail(b));
    if ta.len() < 2 || tb.len() < 2 || ta != tb {
        return false;
    }
    // Same type segment and name: accept when one side is elided (`...`) or not a full ID.
    let elided = |s: &str| s.contains("...") || !s.to_ascii_lowercase().starts_with("/subscriptions/");
    if elided(a) || elided(b) {
        return true;
    }
    // Both full: the subnet's VNet must agree too.
    let parent = |s: &str| -> Vec<String> { s.rsplit('/').skip(2).take(2).map(|p| p.to_ascii_lowercase()).collect() };
    parent(a) == parent(b) && subscription_of(a) == subscription_of(b)
}

/// The subscription GUID in a resource ID, when the ID has one.
pub fn subscription_of(id: &str) -> Option<String> {
    let mut parts = id.split('/');
    while let Some(p) = parts.next() {
        if p.eq_ignore_ascii_case("subscriptions") {
            return parts.next().filter(|s| !s.is_empty() && !s.contains("...")).map(|s| s.to_ascii_lowercase());
        }
    }
    None
}

/// The resource group in a resource ID.
pub fn resource_group_of(id: &str) -> Option<String> {
    let mut parts = id.split('/');
    while let Some(p) = parts.next() {
        if p.eq_ignore_ascii_case("resourceGroups") {
            return parts.next().filter(|s| !s.is_empty()).map(String::from);
        }
    }
    None
}

/// The VNet name in a subnet ID.
pub fn vnet_of_subnet_id(id: &str) -> Option<String> {
    let parts: Vec<&str> = id.split('/').collect();
    parts.iter().position(|p| p.eq_ignore_ascii_case("virtualNetworks")).and_then(|i| parts.get(i.saturating_add(1))).map(|s| s.to_string())
}
