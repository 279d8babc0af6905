//! Reads resources of every shape into the model, then links them.

use super::template::{self, escape_pointer};
use super::text_of;
use crate::json::{Node, Value};
use crate::model::*;
use crate::net::{normalise_region, Access, Address, Direction, PortRange, PortSet, Protocol, REGION_MARKER};
use crate::service_tags::Lookup;
use ipnet::IpNet;
use std::collections::HashMap;
use std::fmt;

/// Issues kept per ID; a 20 MB paste of broken rules must not make millions.
const MAX_ISSUES: usize = 200;

/// Reads the documents of one input into the model.
pub(super) struct Reader<'m> {
    model: &'m mut Model,
    document: usize,
    /// Rules declared as child resources (`nsg/rule`), merged into their NSG at the end.
    child_rules: Vec<(String, SecurityRule)>,
    child_subnets: Vec<(String, Subnet)>,
    /// The template resource being read has a `condition` that can't be evaluated.
    conditional: bool,
    child_routes: Vec<(String, Route)>,
    /// The Terraform resource being read, and the pointer of its `values`.
    tf: Option<(TfOrigin, String)>,
    issue_counts: std::collections::HashMap<Diagnostic, usize>,
    /// Fields left unknown, by the expression that leaves them so: one AML-INP-005 note
    /// per cause, naming the other fields it affects.
    unknown_causes: HashMap<String, usize>,
    same_causes: Vec<SameCause>,
}

/// The note of an unresolved expression and the further fields built from it.
struct SameCause {
    issue: usize,
    more: usize,
    named: Vec<String>,
}

impl<'m> Reader<'m> {
    pub(super) fn new(model: &'m mut Model, document: usize) -> Reader<'m> {
        Reader {
            model,
            document,
            child_rules: Vec::new(),
            child_subnets: Vec::new(),
            child_routes: Vec::new(),
            issue_counts: Default::default(),
            unknown_causes: HashMap::new(),
            same_causes: Vec::new(),
            conditional: false,
            tf: None,
        }
    }

    fn loc(&self, pointer: &str, node: &Node) -> Option<Loc> {
        // Under a Terraform resource: its attribute names, and its address (the page's
        // build reads no Terraform).
        #[cfg(not(feature = "web"))]
        let (pointer, address) = match &self.tf {
            Some((origin, base)) => {
                let suffix = pointer.strip_prefix(base.as_str()).unwrap_or_default();
                (format!("{base}{}", super::terraform::attribute_pointer(suffix)), Some(origin.address.clone()))
            }
            None => (pointer.to_string(), None),
        };
        #[cfg(feature = "web")]
        let (pointer, address) = (pointer.to_string(), None);
        Some(Loc { document: self.document, pointer, line: node.pos.line, column: node.pos.column, address })
    }

    fn tf_origin(&self) -> Option<Box<TfOrigin>> {
        self.tf.as_ref().map(|(o, _)| Box::new(o.clone()))
    }

    fn issue(&mut self, kind: Diagnostic, message: String, pointer: &str, node: &Node) {
        self.push_issue(kind, message, pointer, node, false);
    }

    fn warn_issue(&mut self, kind: Diagnostic, message: String, pointer: &str, node: &Node) {
        self.push_issue(kind, message, pointer, node, true);
    }

    /// AML-INP-005 for a field (`what`: "rule `a`: `priority`") whose value is an
    /// unresolved expression: one note per expression, which names the other fields built
    /// from it (a parameter used by 40 rules is one cause, not 40 notes).
    fn unknown_field(&mut self, what: String, pointer: &str, node: &Node) {
        let Value::Unresolved(cause) = &node.value else {
            return self.warn_issue(Diagnostic::Unresolved, format!("{what} is {}", node.describe()), pointer, node);
        };
        if let Some(same) = self.unknown_causes.get(&**cause).and_then(|&i| self.same_causes.get_mut(i)) {
            if same.named.len() < 3 {
                same.named.push(what);
            } else {
                same.more = same.more.saturating_add(1);
            }
            return;
        }
        let issue = self.model.issues.len();
        self.warn_issue(Diagnostic::Unresolved, format!("{what} is {}", node.describe()), pointer, node);
        if self.model.issues.len() > issue {
            self.unknown_causes.insert(cause.to_string(), self.same_causes.len());
            self.same_causes.push(SameCause { issue, more: 0, named: Vec::new() });
        }
    }

    /// Names, in each unresolved expression's note, the other fields it leaves unknown.
    fn close_unknown_causes(&mut self) {
        self.unknown_causes.clear();
        for same in std::mem::take(&mut self.same_causes) {
            let Some(issue) = self.model.issues.get_mut(same.issue) else { continue };
            if same.named.is_empty() {
                continue;
            }
            issue.message.push_str("; so are ");
            issue.message.push_str(&same.named.join(", "));
            if same.more > 0 {
                issue.message.push_str(&format!(" and {} more field{}", same.more, if same.more == 1 { "" } else { "s" }));
            }
            issue.message.push_str(", built from the same expression");
        }
    }

    /// Records an input issue; past `MAX_ISSUES` per ID, only a count is kept.
    fn push_issue(&mut self, kind: Diagnostic, message: String, pointer: &str, node: &Node, warn: bool) {
        let same = self.issue_counts.entry(kind).or_insert(0);
        let same_before = *same;
        *same = same.saturating_add(1);
        let same = same_before;
        if same < MAX_ISSUES {
            let loc = self.loc(pointer, node);
            self.model.issues.push(InputIssue { kind, message, loc, warn });
        } else if same == MAX_ISSUES {
            self.model.issues.push(InputIssue { kind, message: format!("more {} problems are not listed", kind.id()), loc: None, warn });
        }
    }

    fn set_shape(&mut self, shape: Shape) {
        if let Some(info) = self.model.documents.get_mut(self.document) {
            info.shape = shape;
        }
    }

    fn found(&mut self, what: String) {
        if let Some(info) = self.model.documents.get_mut(self.document) {
            if info.resources.len() < 200 {
                info.resources.push(what);
            }
        }
    }

    /// Detects the shape of a document (spec section 5) and reads it.
    pub(super) fn document(&mut self, root: &Node, parameters: Option<&Node>) {
        let before = self.resource_count();
        match &root.value {
            Value::Array(items) => {
                if items.iter().any(|i| i.get("priority").is_some() && i.get("direction").is_some()) {
                    self.set_shape(Shape::AzNsgRuleList);
                    self.rule_list(items, "");
                } else {
                    self.set_shape(Shape::ResourceArray);
                    for (i, item) in items.iter().enumerate() {
                        self.resource(item, &format!("/{i}"), None);
                    }
                }
            }
            Value::Object(_) => self.object_document(root, parameters),
            _ => {
                self.set_shape(Shape::Unrecognised);
            }
        }
        self.finish();
        self.close_unknown_causes();
        if self.resource_count() == before && self.model.documents.get(self.document).is_some_and(|d| d.shape != Shape::ParametersFile) {
            if let Some(info) = self.model.documents.get_mut(self.document) {
                if info.shape == Shape::Unset {
                    info.shape = Shape::Unrecognised;
                }
            }
            let name = self.model.documents.get(self.document).map(|d| d.name.clone()).unwrap_or_default();
            let shape = self.model.documents.get(self.document).map(|d| d.shape).unwrap_or_default();
            let terraform =
                root.get("format_version").is_some() && ["planned_values", "resource_changes", "values", "prior_state"].iter().any(|k| root.get(k).is_some());
            let message = if shape == Shape::ArmTemplate {
                format!("`{name}` deploys no network, Azure ML or storage resource with these parameters (its loops have no items or its conditions are false); paste the parameters file it is deployed with")
            } else if terraform {
                format!("`{name}` is Terraform JSON (`terraform show -json`), which this version does not read yet; paste the deployed resources instead (`az network nsg show`, `az network vnet show`, …)")
            } else {
                format!(
                    "`{name}` holds nothing the checker recognises; accepted: NSG, rule list, subnet, VNet, route table, NAT gateway, Azure ML compute or workspace JSON (ARM/REST resources, az CLI output, ARM templates)"
                )
            };
            self.warn_issue(Diagnostic::Unrecognised, message, "", root);
        }
    }

    fn resource_count(&self) -> usize {
        let m = &self.model;
        [
            m.nsgs.len(),
            m.subnets.len(),
            m.route_tables.len(),
            m.vnets.len(),
            m.nat_gateways.len(),
            m.computes.len(),
            m.workspaces.len(),
            m.storage_accounts.len(),
            m.private_endpoints.len(),
            m.vms.len(),
            m.nics.len(),
            m.databricks.len(),
            m.endpoint_policies.len(),
            m.container_registries.len(),
            self.child_rules.len(),
            self.child_subnets.len(),
            self.child_routes.len(),
        ]
        .iter()
        .fold(0usize, |n, c| n.saturating_add(*c))
    }

    fn object_document(&mut self, root: &Node, parameters: Option<&Node>) {
        #[cfg(not(feature = "web"))]
        if let Some(kind) = super::terraform::detect(root) {
            self.terraform(root, kind);
            return;
        }
        let schema = root.get("$schema").and_then(|s| s.as_str()).unwrap_or_default().to_ascii_lowercase();
        if schema.contains("deploymenttemplate") || (root.get("resources").is_some() && root.get("contentVersion").is_some()) {
            self.set_shape(Shape::ArmTemplate);
            let (resources, notes) = template::flatten(root, parameters, reads_type);
            for note in notes {
                let node = Node { value: Value::Null, pos: note.pos };
                self.warn_issue(Diagnostic::Unresolved, note.message, &note.pointer, &node);
            }
            for r in resources {
                self.conditional = r.conditional;
                self.resource(&r.node, &r.pointer, None);
            }
            self.conditional = false;
            return;
        }
        if super::is_parameters_file(root) {
            self.set_shape(Shape::ParametersFile);
            return;
        }
        if let Some(responses) = root.get("responses") {
            self.set_shape(Shape::RestExample);
            let body = ["200", "201", "202"].iter().find_map(|code| responses.get(code).and_then(|r| r.get("body")).map(|b| (code.to_string(), b)));
            if let Some((code, body)) = body {
                let pointer = format!("/responses/{code}/body");
                if let Some(items) =
                    body.get("value").and_then(|v| v.as_array()).filter(|items| items.iter().any(|i| i.get("effectiveSecurityRules").is_some()))
                {
                    // `NetworkInterfaceEffectiveNSGList`: the same body as
                    // `az network nic list-effective-nsg`.
                    self.effective_nsgs(items, &format!("{pointer}/value"));
                } else if let Some(items) = body.get("value").and_then(|v| v.as_array()) {
                    for (i, item) in items.iter().enumerate() {
                        self.resource(item, &format!("{pointer}/value/{i}"), None);
                    }
                } else {
                    // A PUT example: what the request sets and the response leaves out
                    // (often all but `provisioningState`) is part of the resource too.
                    let request =
                        root.get("parameters").and_then(|p| p.as_object()).and_then(|m| m.iter().map(|(_, v)| v).find(|v| v.get("properties").is_some()));
                    match request {
                        Some(req) => {
                            let merged = merge_request(req, body);
                            self.resource(&merged, &pointer, None);
                        }
                        None => self.resource(body, &pointer, None),
                    }
                }
            }
            return;
        }
        if let Some(inner) = root.get("NewNSG") {
            self.set_shape(Shape::AzNsgCreate);
            self.resource(inner, "/NewNSG", Some("microsoft.network/networksecuritygroups"));
            return;
        }
        if let Some(items) = root.get("value").and_then(|v| v.as_array()) {
            if items.iter().any(|i| i.get("effectiveSecurityRules").is_some()) {
                self.set_shape(Shape::AzNicEffectiveNsg);
                self.effective_nsgs(items, "/value");
            } else {
                self.set_shape(Shape::ResourceList);
                for (i, item) in items.iter().enumerate() {
                    self.resource(item, &format!("/value/{i}"), None);
                }
            }
            return;
        }
        if let Some(items) = root.get("data").and_then(|v| v.as_array()) {
            self.set_shape(Shape::ResourceGraph);
            for (i, item) in items.iter().enumerate() {
                self.resource(item, &format!("/data/{i}"), None);
            }
            return;
        }
        self.resource(root, "", None);
    }

    /// Reads one resource of any type, ARM (nested `properties`) or CLI (flattened).
    fn resource(&mut self, node: &Node, pointer: &str, hint: Option<&str>) {
        if !node.is_object() {
            return;
        }
        let declared = node.get("type").and_then(text_of).unwrap_or_default();
        let lower = declared.to_ascii_lowercase();
        let kind = if lower.starts_with("microsoft.") { lower.clone() } else { hint.map(String::from).unwrap_or_else(|| guess_type(node, &lower)) };
        let shape_known = self.model.documents.get(self.document).is_some_and(|d| d.shape != Shape::Unset);
        if !shape_known {
            self.set_shape(shape_of(node, &declared, &kind));
        }
        match kind.as_str() {
            "microsoft.network/networksecuritygroups" => self.nsg(node, pointer),
            "microsoft.network/networksecuritygroups/securityrules" => {
                let full = name_of(node);
                let mut rule = self.rule(node, pointer, false);
                // A rule whose `condition` is unknown may or may not exist: only a doubt.
                rule.valid = rule.valid && !self.conditional;
                // The NSG's full ID when the rule's ID names it, else its name.
                let id = node.get("id").and_then(text_of);
                let parent_id = id.as_deref().and_then(|id| {
                    let lower = id.to_ascii_lowercase();
                    lower.find("/securityrules/").filter(|_| lower.starts_with('/')).and_then(|at| id.get(..at)).map(String::from)
                });
                let parent = parent_id
                    .or_else(|| full.rsplit_once('/').map(|(p, _)| p.to_string()))
                    .or_else(|| id.as_deref().and_then(|id| parent_name(id, "networkSecurityGroups")));
                match parent {
                    Some(p) => self.child_rules.push((p, rule)),
                    None => self.child_rules.push((String::new(), rule)),
                }
            }
            "microsoft.network/virtualnetworks" => self.vnet(node, pointer),
            "microsoft.network/virtualnetworks/subnets" => {
                let full = name_of(node);
                let mut subnet = self.subnet(node, pointer);
                if let Some((vnet, short)) = full.rsplit_once('/') {
                    subnet.name = short.to_string();
                    subnet.vnet = Some(vnet.to_string());
                }
                self.child_subnets.push((subnet.vnet.clone().unwrap_or_default(), subnet));
            }
            "microsoft.network/routetables" => self.route_table(node, pointer),
            "microsoft.network/routetables/routes" => {
                let full = name_of(node);
                let mut route = self.route(node, pointer);
                if let Some((table, short)) = full.rsplit_once('/') {
                    route.name = short.to_string();
                    self.child_routes.push((table.to_string(), route));
                } else {
                    let parent = node.get("id").and_then(text_of).and_then(|id| parent_name(&id, "routeTables")).unwrap_or_default();
                    self.child_routes.push((parent, route));
                }
            }
            "microsoft.network/natgateways" => {
                let name = name_of(node);
                self.found(format!("NAT gateway {name}"));
                self.model.nat_gateways.push((name, node.get("id").and_then(text_of)));
            }
            "microsoft.network/networkinterfaces" => self.nic(node, pointer),
            "microsoft.network/privateendpoints" => self.private_endpoint(node, pointer),
            "microsoft.network/serviceendpointpolicies" => self.endpoint_policy(node, pointer),
            "microsoft.machinelearningservices/workspaces" => self.workspace(node, pointer),
            "microsoft.machinelearningservices/workspaces/computes" => self.compute(node, pointer),
            "microsoft.storage/storageaccounts" => self.storage(node, pointer),
            "microsoft.containerregistry/registries" => {
                let name = name_of(node);
                let private = prop(node, "privateEndpointConnections").and_then(|p| p.as_array()).is_some_and(|a| !a.is_empty())
                    || prop(node, "publicNetworkAccess").and_then(|p| p.as_str()).is_some_and(|s| s.eq_ignore_ascii_case("disabled"));
                self.found(format!("container registry {name}"));
                self.model.container_registries.push((name, private));
            }
            "microsoft.compute/virtualmachines" => {
                let name = name_of(node);
                let image = prop(node, "storageProfile").and_then(|s| s.get("imageReference"));
                let os = [
                    image.and_then(|i| i.get("offer")).and_then(text_of),
                    image.and_then(|i| i.get("publisher")).and_then(text_of),
                    image.and_then(|i| i.get("sku")).and_then(text_of),
                    prop(node, "storageProfile").and_then(|s| s.get("osDisk")).and_then(|d| d.get("osType")).and_then(text_of),
                    prop(node, "osProfile").and_then(|o| o.get("windowsConfiguration")).map(|_| "Windows".to_string()),
                ]
                .into_iter()
                .flatten()
                .fold(Vec::<String>::new(), |mut words, part| {
                    // "WindowsServer MicrosoftWindowsServer 2019-Datacenter Windows": each
                    // word once, and not when an earlier word already contains it.
                    if !words.iter().any(|w| w.to_ascii_lowercase().contains(&part.to_ascii_lowercase())) {
                        words.push(part);
                    }
                    words
                })
                .join(" ");
                self.found(format!("virtual machine {name}"));
                let loc = self.loc(pointer, node);
                self.model.vms.push(VirtualMachine { name, os_hint: (!os.is_empty()).then_some(os), loc });
            }
            "microsoft.databricks/workspaces" => self.databricks(node, pointer),
            "az-ml-compute" => self.compute(node, pointer),
            "az-ml-workspace" => self.workspace(node, pointer),
            k if k.starts_with("microsoft.containerservice/") => {
                let name = name_of(node);
                self.found(format!("{declared} {name} (not Azure ML training compute)"));
            }
            k if k.starts_with("microsoft.") => {
                let name = name_of(node);
                let short = declared.rsplit('/').next().unwrap_or(&declared).to_string();
                self.found(format!("{short} {name} (not used by the checks)"));
            }
            _ => {}
        }
        if let Some(location) = node.get("location").and_then(|l| l.as_str()) {
            let l = normalise_region(location);
            if l == REGION_MARKER {
                self.model.template_region = true;
            } else if !l.is_empty() && l != "global" && !self.model.locations.contains(&l) {
                self.model.locations.push(l);
            }
        }
    }

    fn nsg(&mut self, node: &Node, pointer: &str) {
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
            location: node.get("location").and_then(text_of),
            rules,
            defaults_added: false,
            attached_subnets: attached,
            from_rule_list: false,
            terraform: self.tf_origin(),
            loc,
        });
    }

    #[cfg(not(feature = "web"))]
    fn terraform(&mut self, root: &Node, kind: super::terraform::Kind) {
        use super::terraform::Kind;
        let name = self.model.documents.get(self.document).map(|d| d.name.clone()).unwrap_or_default();
        match kind {
            Kind::Plan => self.set_shape(Shape::TerraformPlan),
            Kind::State => self.set_shape(Shape::TerraformState),
            Kind::RawState => {
                self.set_shape(Shape::TerraformRawState);
                let message = format!(
                    "`{name}` is a raw Terraform state file, which keeps no plan-time knowledge and changes format between versions; run `terraform show -json > state.json` (or `terraform plan -out tfplan && terraform show -json tfplan > plan.json`) and paste that"
                );
                self.warn_issue(Diagnostic::Unrecognised, message, "", root);
                return;
            }
        }
        for t in super::terraform::translate(root, kind) {
            self.tf = Some((t.origin, t.pointer.clone()));
            self.resource(&t.node, &t.pointer, None);
        }
        self.tf = None;
    }

    fn rule_list(&mut self, items: &[Node], base: &str) {
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

    fn effective_nsgs(&mut self, items: &[Node], base: &str) {
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
    fn rule(&mut self, node: &Node, pointer: &str, is_default: bool) -> SecurityRule {
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
    fn ports(
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

    fn addresses(&mut self, p: &Node, pp: &dyn fmt::Display, label: &dyn fmt::Display, side: &str, node: &Node, pointer: &str) -> (Vec<Address>, bool) {
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

    fn vnet(&mut self, node: &Node, pointer: &str) {
        let name = name_of(node);
        let id = node.get("id").and_then(text_of);
        let pp = props_pointer(node, pointer);
        let mut prefixes = Vec::new();
        if let Some(a) = prop(node, "addressSpace").and_then(|s| s.get("addressPrefixes")).and_then(|a| a.as_array()) {
            for n in a {
                if let Some(net) = n.as_str().and_then(|t| t.trim().parse::<IpNet>().ok()) {
                    prefixes.push(net);
                }
            }
        }
        let dns = prop(node, "dhcpOptions")
            .and_then(|d| d.get("dnsServers"))
            .and_then(|a| a.as_array())
            .map(|a| a.iter().filter_map(text_of).collect())
            .unwrap_or_default();
        let mut names = Vec::new();
        if let Some(items) = prop(node, "subnets").and_then(|s| s.as_array()) {
            for (i, item) in items.iter().enumerate() {
                let mut subnet = self.subnet(item, &format!("{pp}/subnets/{i}"));
                subnet.vnet = Some(name.clone());
                if subnet.id.is_none() {
                    subnet.id = id.as_ref().map(|v| format!("{v}/subnets/{}", subnet.name));
                }
                names.push(subnet.name.clone());
                self.found(format!("subnet {}", subnet.name));
                self.model.subnets.push(subnet);
            }
        }
        self.found(format!("virtual network {name}"));
        let loc = self.loc(pointer, node);
        self.model.vnets.push(Vnet {
            name,
            subscription: id.as_deref().and_then(subscription_of),
            id,
            location: node.get("location").and_then(text_of).map(|l| normalise_region(&l)),
            address_prefixes: prefixes,
            dns_servers: dns,
            subnet_names: names,
            loc,
        });
    }

    fn subnet(&mut self, node: &Node, pointer: &str) -> Subnet {
        let name = name_of(node);
        let id = node.get("id").and_then(text_of);
        let pp = props_pointer(node, pointer);
        let mut subnet = Subnet {
            name: name.rsplit('/').next().unwrap_or(&name).to_string(),
            vnet: id.as_deref().and_then(vnet_of_subnet_id),
            id,
            loc: self.loc(pointer, node),
            terraform: self.tf_origin(),
            ..Subnet::default()
        };
        let mut prefix_nodes: Vec<(String, &Node)> = Vec::new();
        if let Some(n) = prop(node, "addressPrefix").filter(|n| !matches!(n.value, Value::Null)) {
            prefix_nodes.push((format!("{pp}/addressPrefix"), n));
        }
        match prop(node, "addressPrefixes") {
            Some(a) if a.is_unresolved() => prefix_nodes.push((format!("{pp}/addressPrefixes"), a)),
            Some(a) => {
                for (i, n) in a.as_array().unwrap_or_default().iter().enumerate() {
                    prefix_nodes.push((format!("{pp}/addressPrefixes/{i}"), n));
                }
            }
            None => {}
        }
        for (ptr, n) in prefix_nodes {
            match &n.value {
                Value::String(t) => match t.trim().parse::<IpNet>() {
                    Ok(net) => {
                        if !subnet.prefixes.contains(&net) {
                            subnet.prefixes.push(net)
                        }
                    }
                    Err(_) => {
                        self.issue(Diagnostic::BadValue, format!("subnet `{}`: `addressPrefix` \"{t}\" is not a valid CIDR", subnet.name), &ptr, n);
                        subnet.bad_prefixes.push(t.to_string());
                    }
                },
                Value::Unresolved(sym) => {
                    self.unknown_field(format!("subnet `{}`: `addressPrefix`", subnet.name), &ptr, n);
                    subnet.bad_prefixes.push(sym.to_string());
                }
                _ => {
                    self.issue(Diagnostic::BadValue, format!("subnet `{}`: `addressPrefix` is {}, expected a CIDR string", subnet.name, n.describe()), &ptr, n);
                    subnet.bad_prefixes.push(n.describe());
                }
            }
        }
        subnet.nsg = self.reference(prop(node, "networkSecurityGroup"), &format!("{pp}/networkSecurityGroup"));
        subnet.route_table = self.reference(prop(node, "routeTable"), &format!("{pp}/routeTable"));
        subnet.nat_gateway = self.reference(prop(node, "natGateway"), &format!("{pp}/natGateway"));
        if let Some(a) = prop(node, "delegations").and_then(|d| d.as_array()) {
            for d in a {
                let service =
                    d.get("properties").and_then(|p| p.get("serviceName")).or_else(|| d.get("serviceName")).and_then(text_of).unwrap_or_else(|| name_of(d));
                subnet.delegations.push(service);
            }
        }
        if let Some(a) = prop(node, "serviceEndpoints").and_then(|d| d.as_array()) {
            for e in a {
                if let Some(s) = e.get("service").or_else(|| e.get("properties").and_then(|p| p.get("service"))).and_then(text_of) {
                    subnet.service_endpoints.push(s);
                }
            }
        }
        if let Some(a) = prop(node, "serviceEndpointPolicies").and_then(|d| d.as_array()) {
            for (i, e) in a.iter().enumerate() {
                if let Some(r) = self.reference(Some(e), &format!("{pp}/serviceEndpointPolicies/{i}")) {
                    subnet.service_endpoint_policies.push(r);
                }
            }
        }
        subnet.private_endpoint_network_policies = prop(node, "privateEndpointNetworkPolicies").and_then(text_of);
        subnet.private_link_service_network_policies = prop(node, "privateLinkServiceNetworkPolicies").and_then(text_of);
        if let Some(a) = prop(node, "ipConfigurations").and_then(|d| d.as_array()) {
            subnet.ip_configurations = a.iter().filter_map(|c| c.get("id").and_then(text_of)).collect();
        }
        subnet.private_endpoints = prop(node, "privateEndpoints").and_then(|d| d.as_array()).map(|a| a.len()).unwrap_or(0);
        subnet.default_outbound_access = prop(node, "defaultOutboundAccess").and_then(|b| b.as_bool());
        subnet
    }

    fn reference(&mut self, node: Option<&Node>, pointer: &str) -> Option<Reference> {
        let node = node?;
        let id_node = match &node.value {
            Value::Object(_) => node.get_present("id")?,
            Value::String(_) | Value::Unresolved(_) => node,
            _ => return None,
        };
        let loc = self.loc(pointer, id_node);
        match &id_node.value {
            Value::String(s) if !s.trim().is_empty() => Some(Reference { id: s.to_string(), unresolved: false, loc }),
            Value::Unresolved(s) => Some(Reference { id: s.to_string(), unresolved: true, loc }),
            _ => None,
        }
    }

    fn route_table(&mut self, node: &Node, pointer: &str) {
        let name = name_of(node);
        let pp = props_pointer(node, pointer);
        let mut routes = Vec::new();
        if let Some(items) = prop(node, "routes").and_then(|r| r.as_array()) {
            for (i, item) in items.iter().enumerate() {
                routes.push(self.route(item, &format!("{pp}/routes/{i}")));
            }
        }
        self.found(format!("route table {name} ({} routes)", routes.len()));
        let loc = self.loc(pointer, node);
        self.model.route_tables.push(RouteTable {
            name,
            id: node.get("id").and_then(text_of),
            routes,
            disable_bgp_route_propagation: prop(node, "disableBgpRoutePropagation").and_then(|b| b.as_bool()),
            loc,
        });
    }

    fn route(&mut self, node: &Node, pointer: &str) -> Route {
        let name = name_of(node);
        let p = properties(node);
        let pp = props_pointer(node, pointer);
        let field = |reader: &mut Self, key: &str| -> Option<String> {
            match p.get_present(key) {
                Some(n) if n.is_unresolved() => {
                    reader.unknown_field(format!("route `{name}`: `{key}`"), &format!("{pp}/{key}"), n);
                    None
                }
                Some(n) => n.as_str().map(String::from),
                None => None,
            }
        };
        let address_prefix = field(self, "addressPrefix");
        if let (Some(text), Some(n)) = (&address_prefix, p.get_present("addressPrefix")) {
            if !text.trim().starts_with(|c: char| c.is_ascii_digit()) && !text.contains(':') {
                self.tag_usable(text, TagUse::Route, &|| format!("route `{name}`: `addressPrefix`"), &|| format!("{pp}/addressPrefix"), n);
            }
        }
        let next_hop_type = field(self, "nextHopType");
        // An unresolved next hop address is there, only unknown (its symbol stands for it).
        let next_hop_ip = match p.get_present("nextHopIpAddress") {
            Some(n) if n.is_unresolved() => {
                field(self, "nextHopIpAddress");
                text_of(n)
            }
            _ => field(self, "nextHopIpAddress").filter(|s| !s.trim().is_empty()),
        };
        Route { name, address_prefix, next_hop_type, next_hop_ip, loc: self.loc(pointer, node) }
    }

    /// Checks a service tag against the service-tag data: AML-INP-007 when Azure has no
    /// such tag, AML-INP-008 when it doesn't accept the tag here. False when Azure would
    /// reject the value. Messages and pointers are written only for a finding.
    fn tag_usable(&mut self, text: &str, usage: TagUse, what: &dyn Fn() -> String, pointer: &dyn Fn() -> String, node: &Node) -> bool {
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
            Some(table) if !name.contains(REGION_MARKER) => match table.get(name) {
                Some(t) => Lookup::Exists { name: t.name.to_string(), features: t.features },
                None => match crate::service_tags::lookup(name, REGION_MARKER) {
                    Lookup::Missing { closest } => Lookup::Missing { closest },
                    _ => Lookup::Missing { closest: None },
                },
            },
            _ => crate::service_tags::lookup(name, REGION_MARKER),
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

    fn nic(&mut self, node: &Node, pointer: &str) {
        let name = name_of(node);
        let pp = props_pointer(node, pointer);
        let nsg = self.reference(prop(node, "networkSecurityGroup"), &format!("{pp}/networkSecurityGroup"));
        let mut subnets = Vec::new();
        if let Some(a) = prop(node, "ipConfigurations").and_then(|a| a.as_array()) {
            for (i, c) in a.iter().enumerate() {
                let sub = properties(c).get("subnet");
                if let Some(r) = self.reference(sub, &format!("{pp}/ipConfigurations/{i}/properties/subnet")) {
                    subnets.push(r);
                }
            }
        }
        self.found(format!("network interface {name}"));
        let loc = self.loc(pointer, node);
        self.model.nics.push(Nic { name, id: node.get("id").and_then(text_of), nsg, subnets, loc });
    }

    fn private_endpoint(&mut self, node: &Node, pointer: &str) {
        let name = name_of(node);
        let pp = props_pointer(node, pointer);
        let subnet = self.reference(prop(node, "subnet"), &format!("{pp}/subnet"));
        let mut targets = Vec::new();
        for key in ["privateLinkServiceConnections", "manualPrivateLinkServiceConnections"] {
            if let Some(a) = prop(node, key).and_then(|a| a.as_array()) {
                for c in a {
                    if let Some(t) = properties(c).get("privateLinkServiceId").and_then(text_of) {
                        targets.push(t);
                    }
                }
            }
        }
        self.found(format!("private endpoint {name}"));
        let loc = self.loc(pointer, node);
        self.model.private_endpoints.push(PrivateEndpoint { name, subnet, targets, loc });
    }

    fn endpoint_policy(&mut self, node: &Node, pointer: &str) {
        let name = name_of(node);
        let mut resources = Vec::new();
        if let Some(a) = prop(node, "serviceEndpointPolicyDefinitions").and_then(|a| a.as_array()) {
            for d in a {
                if let Some(r) = properties(d).get("serviceResources").and_then(|r| r.as_array()) {
                    resources.extend(r.iter().filter_map(text_of));
                }
            }
        }
        self.found(format!("service endpoint policy {name}"));
        let loc = self.loc(pointer, node);
        self.model.endpoint_policies.push(ServiceEndpointPolicy { name, id: node.get("id").and_then(text_of), resources, loc });
    }

    fn workspace(&mut self, node: &Node, pointer: &str) {
        let name = name_of(node);
        let mut statuses = Vec::new();
        let connections = prop(node, "privateEndpointConnections").or_else(|| node.get("private_endpoint_connections"));
        let known = connections.is_some();
        if let Some(a) = connections.and_then(|a| a.as_array()) {
            for c in a {
                let status =
                    properties(c).get("privateLinkServiceConnectionState").and_then(|s| s.get("status")).and_then(text_of).unwrap_or_else(|| "Unknown".into());
                statuses.push(status);
            }
        }
        let flag = |keys: &[&str]| keys.iter().find_map(|k| prop(node, k).and_then(|b| b.as_bool()));
        let text = |keys: &[&str]| keys.iter().find_map(|k| prop(node, k).and_then(text_of)).filter(|s| !s.is_empty());
        self.found(format!("Azure ML workspace {name}"));
        let loc = self.loc(pointer, node);
        self.model.workspaces.push(Workspace {
            name,
            id: node.get("id").and_then(text_of),
            location: node.get("location").and_then(text_of).map(|l| normalise_region(&l)),
            private_endpoint_statuses: statuses,
            private_endpoints_known: known,
            hbi: flag(&["hbiWorkspace", "hbi_workspace"]),
            image_build_compute: text(&["imageBuildCompute", "image_build_compute"]),
            storage_account: text(&["storageAccount", "storage_account"]),
            container_registry: text(&["containerRegistry", "container_registry"]),
            loc,
        });
    }

    fn compute(&mut self, node: &Node, pointer: &str) {
        let full_name = name_of(node);
        let (workspace, name) = match full_name.rsplit_once('/') {
            Some((w, n)) => (Some(w.to_string()), n.to_string()),
            None => (None, full_name.clone()),
        };
        let id = node.get("id").and_then(text_of);
        let workspace = workspace.or_else(|| id.as_deref().and_then(|i| parent_name(i, "workspaces")));
        let outer = properties(node);
        // ARM nests the compute's own settings in properties.properties.
        let inner = outer.get("properties").filter(|n| n.is_object());
        let kind_text =
            outer.get("computeType").and_then(text_of).or_else(|| node.get("type").and_then(text_of).filter(|t| !t.contains('/'))).unwrap_or_default();
        let kind = ComputeKind::parse(&kind_text).unwrap_or(ComputeKind::Other);
        if let Some(n) = outer.get("computeType").filter(|n| n.is_unresolved()) {
            let p = format!("{}/computeType", props_pointer(node, pointer));
            self.warn_issue(
                Diagnostic::Unresolved,
                format!("compute `{full_name}`: `computeType` is {}, so it is not known whether it is a cluster or an instance: pass --compute", n.describe()),
                &p,
                n,
            );
        }
        let find = |key: &str| inner.and_then(|i| i.get(key)).or_else(|| outer.get(key)).or_else(|| node.get(key));
        let pip_node = find("enableNodePublicIp").or_else(|| find("enable_node_public_ip"));
        let public_ip = pip_node.and_then(|n| n.as_bool());
        let public_ip_unresolved = pip_node.is_some_and(|n| n.is_unresolved());
        let subnet_node = find("subnet").or_else(|| node.get("network_settings").and_then(|n| n.get("subnet")));
        let pp = props_pointer(node, pointer);
        let subnet = self.reference(subnet_node, &format!("{pp}/properties/subnet"));
        let scale = find("scaleSettings");
        let count = |keys: &[&str]| -> Option<u32> {
            keys.iter().find_map(|k| scale.and_then(|s| s.get(k)).or_else(|| find(k)).and_then(number)).map(|x| x.max(0.0) as u32)
        };
        let ssh_port = find("sshPort")
            .or_else(|| find("sshSettings").and_then(|s| s.get("sshPort")))
            .or_else(|| find("ssh_settings").and_then(|s| s.get("ssh_port")))
            .or_else(|| find("ssh_port"))
            .and_then(number)
            .filter(|p| (1.0..=65535.0).contains(p))
            .map(|p| p as u16);
        let location = node.get("location").and_then(|l| l.as_str()).or_else(|| outer.get("computeLocation").and_then(|l| l.as_str())).map(normalise_region);
        self.found(format!("Azure ML compute {name} ({})", if kind_text.is_empty() { "type unknown".into() } else { kind_text.clone() }));
        let loc = self.loc(pointer, node);
        self.model.computes.push(Compute {
            name,
            id,
            kind,
            public_ip,
            public_ip_unresolved,
            subnet,
            location,
            min_nodes: count(&["minNodeCount", "min_instances", "min_node_count"]),
            max_nodes: count(&["maxNodeCount", "max_instances", "max_node_count"]),
            ssh_port,
            workspace,
            loc,
        });
    }

    fn storage(&mut self, node: &Node, pointer: &str) {
        let name = name_of(node);
        let acls = prop(node, "networkAcls");
        let rules = acls
            .and_then(|a| a.get("virtualNetworkRules"))
            .and_then(|r| r.as_array())
            .map(|a| a.iter().filter_map(|r| r.get("id").and_then(text_of)).collect())
            .unwrap_or_default();
        let deny = acls.and_then(|a| a.get("defaultAction")).and_then(|d| d.as_str()).is_some_and(|d| d.eq_ignore_ascii_case("deny"));
        self.found(format!("storage account {name}"));
        let loc = self.loc(pointer, node);
        self.model.storage_accounts.push(StorageAccount {
            name,
            id: node.get("id").and_then(text_of),
            location: node.get("location").and_then(text_of).map(|l| normalise_region(&l)),
            vnet_rule_subnets: rules,
            default_action_deny: deny,
            loc,
        });
    }

    fn databricks(&mut self, node: &Node, pointer: &str) {
        let name = name_of(node);
        let params = prop(node, "parameters");
        let value = |key: &str| params.and_then(|p| p.get(key)).and_then(|v| v.get("value")).and_then(text_of);
        self.found(format!("Databricks workspace {name}"));
        let loc = self.loc(pointer, node);
        self.model.databricks.push(DatabricksWorkspace {
            name,
            location: node.get("location").and_then(text_of).map(|l| normalise_region(&l)),
            vnet_id: value("customVirtualNetworkId"),
            public_subnet: value("customPublicSubnetName"),
            private_subnet: value("customPrivateSubnetName"),
            loc,
        });
    }

    /// Merges child resources (rules, subnets, routes) into their parents.
    fn finish(&mut self) {
        let mut nsg_index: HashMap<String, usize> = HashMap::new();
        let mut nsg_by_id: HashMap<String, usize> = HashMap::new();
        for (i, n) in self.model.nsgs.iter().enumerate() {
            nsg_index.entry(n.name.to_ascii_lowercase()).or_insert(i);
            if let Some(id) = &n.id {
                nsg_by_id.entry(id.to_ascii_lowercase()).or_insert(i);
            }
        }
        for (parent, rule) in std::mem::take(&mut self.child_rules) {
            let parent_short = parent.rsplit('/').next().unwrap_or(&parent).to_string();
            let key = parent_short.to_ascii_lowercase();
            let at = nsg_by_id.get(&parent.to_ascii_lowercase()).or_else(|| nsg_index.get(&key)).copied();
            match at.and_then(|i| self.model.nsgs.get_mut(i)) {
                Some(nsg) => {
                    // The same rule inline and as a child resource is one rule: the child,
                    // deployed last, wins.
                    match nsg.rules.iter_mut().find(|r| !r.is_default && r.name.eq_ignore_ascii_case(&rule.name)) {
                        Some(existing) => *existing = rule,
                        None => nsg.rules.push(rule),
                    }
                }
                None => {
                    nsg_index.insert(key, self.model.nsgs.len());
                    if parent.starts_with('/') {
                        nsg_by_id.insert(parent.to_ascii_lowercase(), self.model.nsgs.len());
                    }
                    self.found(format!("rules of NSG {parent_short}"));
                    let loc = rule.loc.clone();
                    self.model.nsgs.push(Nsg {
                        name: if parent_short.is_empty() { "(unnamed NSG)".into() } else { parent_short },
                        id: parent.starts_with('/').then(|| parent.clone()),
                        rules: vec![rule],
                        loc,
                        ..Nsg::default()
                    });
                }
            }
        }
        let mut vnet_index: HashMap<String, usize> = HashMap::new();
        for (i, v) in self.model.vnets.iter().enumerate() {
            vnet_index.entry(v.name.to_ascii_lowercase()).or_insert(i);
        }
        let subnet_key = |vnet: &str, name: &str| format!("{}/{}", vnet.to_ascii_lowercase(), name.to_ascii_lowercase());
        let mut subnet_index: HashMap<String, usize> = HashMap::new();
        for (i, s) in self.model.subnets.iter().enumerate() {
            if let Some(v) = &s.vnet {
                subnet_index.entry(subnet_key(v, &s.name)).or_insert(i);
            }
        }
        for (vnet, mut subnet) in std::mem::take(&mut self.child_subnets) {
            if let Some(v) = vnet_index.get(&vnet.to_ascii_lowercase()).and_then(|&i| self.model.vnets.get_mut(i)) {
                if !v.subnet_names.iter().any(|n| n.eq_ignore_ascii_case(&subnet.name)) {
                    v.subnet_names.push(subnet.name.clone());
                }
                if subnet.id.is_none() {
                    subnet.id = v.id.as_ref().map(|id| format!("{id}/subnets/{}", subnet.name));
                }
            }
            // A subnet declared inline in its VNet and again as a child resource (what the
            // portal's export writes) is one subnet: the child, deployed last, wins.
            let key = subnet_key(&vnet, &subnet.name);
            match subnet_index.get(&key).and_then(|&i| self.model.subnets.get_mut(i)) {
                Some(existing) => {
                    if subnet.id.is_none() {
                        subnet.id = existing.id.clone();
                    }
                    *existing = subnet;
                }
                None => {
                    self.found(format!("subnet {}", subnet.name));
                    subnet_index.insert(key, self.model.subnets.len());
                    self.model.subnets.push(subnet);
                }
            }
        }
        for (table, route) in std::mem::take(&mut self.child_routes) {
            let short = table.rsplit('/').next().unwrap_or(&table).to_string();
            match self.model.route_tables.iter_mut().find(|t| t.name.eq_ignore_ascii_case(&short)) {
                Some(t) => t.routes.push(route),
                None => {
                    let loc = route.loc.clone();
                    self.found(format!("route table {short}"));
                    self.model.route_tables.push(RouteTable { name: short, routes: vec![route], loc, ..RouteTable::default() });
                }
            }
        }
    }
}

/// Links references and completes NSGs with their default rules.
pub(super) fn link(model: &mut Model) {
    // Template child subnets whose VNet is elsewhere keep their own data; nothing to do.
    for nsg in &mut model.nsgs {
        crate::nsg::prepare(nsg);
    }
}

/// A JSON pointer suffix built only when an issue needs it.
#[derive(Clone, Copy)]
struct Ptr<'k>(&'k str, Option<usize>);

impl Ptr<'_> {
    fn path(self, base: &dyn fmt::Display) -> String {
        match self.1 {
            Some(i) => format!("{base}/{}/{i}", self.0),
            None => format!("{base}/{}", self.0),
        }
    }
}

/// `props_pointer`, written only when shown: a rule's field pointers are needed only
/// for its issues, and most rules have none.
struct PropsPointer<'a>(&'a Node, &'a str);

impl fmt::Display for PropsPointer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&props_pointer(self.0, self.1))
    }
}

/// How issues name a rule: rule `name`.
struct RuleLabel<'a>(&'a str);

impl fmt::Display for RuleLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rule `{}`", self.0)
    }
}

/// The `properties` object of an ARM resource, or the resource itself (CLI shape).
pub(crate) fn properties(node: &Node) -> &Node {
    match node.get("properties") {
        Some(p) if p.is_object() => p,
        _ => node,
    }
}

fn props_pointer(node: &Node, pointer: &str) -> String {
    match node.get("properties") {
        Some(p) if p.is_object() => {
            let key = node
                .as_object()
                .and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case("properties")).map(|(k, _)| k.clone()))
                .unwrap_or_else(|| "properties".into());
            format!("{pointer}/{}", escape_pointer(&key))
        }
        _ => pointer.to_string(),
    }
}

/// A property of a resource in either shape.
pub(crate) fn prop<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    properties(node).get_present(key).or_else(|| node.get_present(key))
}

fn name_of(node: &Node) -> String {
    let name = node
        .get("name")
        .and_then(text_of)
        .or_else(|| node.get("id").and_then(text_of).map(|id| id.rsplit('/').next().unwrap_or(&id).to_string()))
        .unwrap_or_else(|| "(unnamed)".into());
    shorten_name(name)
}

/// Longest name kept whole. Azure's names have at most 80 characters (a child's full name
/// `parent/child` 161); a longer one can't be deployed, and is shortened here, once, so that
/// a 5 MB name is not repeated in every finding, fix and table row.
const MAX_NAME: usize = 256;

/// A name longer than `MAX_NAME`: its start, a hash of the whole (two long names that
/// share their start stay apart) and its length.
fn shorten_name(name: String) -> String {
    if name.len() <= MAX_NAME {
        return name;
    }
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    name.hash(&mut hasher);
    format!("{}{:016x} ({} characters, shortened)", crate::json::truncate(&name, 100), hasher.finish(), name.chars().count())
}

fn number(node: &Node) -> Option<f64> {
    match &node.value {
        Value::Number(x) => Some(*x),
        Value::String(s) => crate::json::parse_number(s.trim()),
        _ => None,
    }
}

/// The name that follows `segment` in a resource ID.
fn parent_name(id: &str, segment: &str) -> Option<String> {
    let parts: Vec<&str> = id.split('/').collect();
    parts.iter().position(|p| p.eq_ignore_ascii_case(segment)).and_then(|i| parts.get(i.saturating_add(1))).map(|s| s.to_string())
}

/// Guesses the type of an object without a `Microsoft.*` type (CLI and SDK shapes).
fn guess_type(node: &Node, declared_lower: &str) -> String {
    let has = |k: &str| node.get(k).is_some();
    if matches!(declared_lower, "amlcompute" | "computeinstance" | "virtualmachine" | "hdinsight" | "databricks" | "compute_instance" | "kubernetes") {
        return "az-ml-compute".into();
    }
    if has("securityRules") || has("defaultSecurityRules") {
        "microsoft.network/networksecuritygroups".into()
    } else if has("network_settings") || has("enable_node_public_ip") || has("max_instances") || has("computeType") {
        "az-ml-compute".into()
    } else if has("hbi_workspace") || has("image_build_compute") || has("discovery_url") {
        "az-ml-workspace".into()
    } else if has("addressSpace") {
        "microsoft.network/virtualnetworks".into()
    } else if has("routes") || has("disableBgpRoutePropagation") {
        "microsoft.network/routetables".into()
    } else if (has("addressPrefix") || has("addressPrefixes"))
        && (has("privateEndpointNetworkPolicies") || has("delegations") || has("networkSecurityGroup") || has("ipConfigurations") || has("routeTable"))
    {
        "microsoft.network/virtualnetworks/subnets".into()
    } else if has("priority") && has("direction") {
        "microsoft.network/networksecuritygroups/securityrules".into()
    } else if let Some(p) = node.get("properties") {
        // REST bodies without a type: guess from the properties.
        if p.get("securityRules").is_some() || p.get("defaultSecurityRules").is_some() {
            "microsoft.network/networksecuritygroups".into()
        } else if p.get("addressSpace").is_some() {
            "microsoft.network/virtualnetworks".into()
        } else if p.get("routes").is_some() {
            "microsoft.network/routetables".into()
        } else if p.get("addressPrefix").is_some() || p.get("addressPrefixes").is_some() {
            "microsoft.network/virtualnetworks/subnets".into()
        } else if p.get("computeType").is_some() {
            "microsoft.machinelearningservices/workspaces/computes".into()
        } else if p.get("priority").is_some() && p.get("direction").is_some() {
            "microsoft.network/networksecuritygroups/securityrules".into()
        } else {
            String::new()
        }
    } else {
        String::new()
    }
}

fn shape_of(node: &Node, declared: &str, kind: &str) -> Shape {
    let lower = declared.to_ascii_lowercase();
    if lower.starts_with("microsoft.") && node.get("properties").is_some_and(|p| p.is_object()) {
        if declared == lower && node.get("subscriptionId").is_some() {
            return Shape::ResourceGraphRow;
        }
        return Shape::ArmResource;
    }
    if node.as_object().is_some_and(|m| m.iter().any(|(k, _)| k == "SecurityRules" || k == "Subnets" || k == "AddressPrefix")) {
        return Shape::PowerShell;
    }
    match kind {
        "microsoft.network/networksecuritygroups" => Shape::AzNsgShow,
        "microsoft.network/virtualnetworks/subnets" if node.get("properties").is_some() => Shape::ArmResource,
        "microsoft.network/virtualnetworks/subnets" => Shape::AzSubnetShow,
        "microsoft.network/virtualnetworks" if node.get("properties").is_some() => Shape::ArmResource,
        "microsoft.network/virtualnetworks" => Shape::AzVnetShow,
        "microsoft.network/routetables" if node.get("properties").is_none() => Shape::AzRouteTableShow,
        "az-ml-compute" => Shape::AzMlCompute,
        "az-ml-workspace" => Shape::AzMlWorkspace,
        "microsoft.network/networksecuritygroups/securityrules" => Shape::AzNsgRuleShow,
        "" => Shape::Unrecognised,
        _ => Shape::ArmResource,
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

/// The resource types the readers use (lower case); a template's other resources are
/// only listed.
fn reads_type(kind: &str) -> bool {
    const NETWORK: [&str; 7] =
        ["networksecuritygroups", "virtualnetworks", "routetables", "natgateways", "networkinterfaces", "privateendpoints", "serviceendpointpolicies"];
    kind.strip_prefix("microsoft.network/").is_some_and(|k| NETWORK.iter().any(|n| k == *n || k.strip_prefix(n).is_some_and(|c| c.starts_with('/'))))
        || kind.starts_with("microsoft.machinelearningservices/")
        || kind.starts_with("microsoft.containerservice/")
        || matches!(
            kind,
            "microsoft.storage/storageaccounts"
                | "microsoft.containerregistry/registries"
                | "microsoft.compute/virtualmachines"
                | "microsoft.databricks/workspaces"
        )
}

/// Where a service tag is used.
#[derive(Clone, Copy)]
enum TagUse {
    Nsg,
    Route,
}

impl TagUse {
    /// The `networkFeatures` bit Azure requires there.
    fn needs(self) -> u8 {
        match self {
            TagUse::Nsg => crate::service_tags::NSG,
            TagUse::Route => crate::service_tags::UDR,
        }
    }
}

/// A REST example's response completed with what its request set: members of the
/// response win, objects merge member by member, each value keeps its own position.
fn merge_request(request: &Node, response: &Node) -> Node {
    match (&request.value, &response.value) {
        (Value::Object(req), Value::Object(resp)) => {
            let mut out = resp.clone();
            for (k, v) in req {
                match out.iter_mut().find(|(key, _)| key.eq_ignore_ascii_case(k)) {
                    Some((_, existing)) => *existing = merge_request(v, existing),
                    None => out.push((k.clone(), v.clone())),
                }
            }
            Node { value: Value::Object(out), pos: response.pos }
        }
        _ => response.clone(),
    }
}
