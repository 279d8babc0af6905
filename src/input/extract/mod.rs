//! Reads resources of every shape into the model, then links them.

mod network;
mod rules;
mod services;

use super::template::escape_pointer;
use super::text_of;
use crate::json::{Node, Value};
use crate::model::*;
use crate::net::{Access, Address, Direction, PortRange, PortSet, Protocol, Region};
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
    /// The document's Terraform translation made elsewhere (the page's, by the JavaScript
    /// API: `wire`).
    pub(super) translation: Option<super::wire::Translation>,
    /// A Terraform document the page has no translation of yet.
    untranslated: bool,
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
            translation: None,
            untranslated: false,
        }
    }

    fn loc(&self, pointer: &str, node: &Node) -> Option<Loc> {
        // Under a Terraform resource: its attribute names, and its address.
        let (pointer, address) = match &self.tf {
            Some((origin, base)) => {
                let suffix = pointer.strip_prefix(base.as_str()).unwrap_or_default();
                let mut at = String::with_capacity(base.len().saturating_add(suffix.len()));
                at.push_str(base);
                super::terraform::attribute_pointer(&mut at, suffix);
                (at, Some(origin.address.clone()))
            }
            None => (pointer.to_string(), None),
        };
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
    pub(super) fn document(&mut self, root: Node, parameters: Option<&Node>) {
        let before = self.resource_count();
        // (What the message below needs: a reader may take the document apart.)
        let terraform =
            root.get("format_version").is_some() && ["planned_values", "resource_changes", "values", "prior_state"].iter().any(|k| root.get(k).is_some());
        let at = Node { value: Value::Null, pos: root.pos };
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
            let message = if self.untranslated {
                let what = if shape == Shape::ArmTemplate { "an ARM template" } else { "Terraform JSON (`terraform show -json`)" };
                format!("`{name}` is {what}, which the page reads with amlvnet.js from this site, in a worker: waiting for it; if this stays, it could not be started here (the offline single file has none): check it with `amlvnet check {name}`")
            } else if shape == Shape::ArmTemplate {
                format!("`{name}` deploys no network, Azure ML or storage resource with these parameters (its loops have no items or its conditions are false); paste the parameters file it is deployed with")
            } else if terraform {
                format!("`{name}` is Terraform JSON with no resource the checks read (azurerm NSGs and rules, VNets, subnets and their associations, route tables, NAT gateways, NICs, private endpoints, storage accounts, Azure ML workspaces and computes, Databricks workspaces, VMs; azapi resources)")
            } else {
                format!(
                    "`{name}` holds nothing the checker recognises; accepted: NSG, rule list, subnet, VNet, route table, NAT gateway, Azure ML compute or workspace JSON (ARM/REST resources, az CLI output, ARM templates)"
                )
            };
            self.warn_issue(Diagnostic::Unrecognised, message, "", &at);
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

    fn object_document(&mut self, root: Node, parameters: Option<&Node>) {
        if let Some(kind) = super::terraform::detect(&root) {
            let at = Node { value: Value::Null, pos: root.pos };
            match self.translation.take() {
                Some(super::wire::Translation(super::wire::Wired::Terraform { kind, resources })) => self.terraform(kind, resources, &at),
                Some(_) => {}
                #[cfg(not(feature = "web"))]
                None => self.terraform(kind, super::terraform::read_all(root, kind), &at),
                // The page: its translation comes from the JavaScript API (`wire`); until
                // then the document is named as waiting for it.
                #[cfg(feature = "web")]
                None if kind == super::terraform::Kind::RawState => self.terraform(kind, Vec::new(), &at),
                #[cfg(feature = "web")]
                None => {
                    self.set_shape(if kind == super::terraform::Kind::Plan { Shape::TerraformPlan } else { Shape::TerraformState });
                    self.untranslated = true;
                }
            }
            return;
        }
        let root = &root;
        if is_template(root) {
            self.set_shape(Shape::ArmTemplate);
            let (resources, notes) = match self.translation.take() {
                Some(super::wire::Translation(super::wire::Wired::Template { resources, notes })) => (resources, notes),
                #[cfg(not(feature = "web"))]
                _ => super::template::flatten(root, parameters, reads_type),
                // The page: the evaluation comes from its guard's worker (`wire`).
                #[cfg(feature = "web")]
                _ => {
                    let _ = parameters;
                    self.untranslated = true;
                    return;
                }
            };
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
            match Region::read(location) {
                Some(Region::Deployment) => self.model.template_region = true,
                Some(Region::Named(l)) if l != "global" && !self.model.locations.contains(&l) => self.model.locations.push(l),
                _ => {}
            }
        }
    }

    /// A Terraform document's resources, translated (`terraform.rs`) here or elsewhere.
    fn terraform(&mut self, kind: super::terraform::Kind, resources: Vec<super::terraform::Translated>, at: &Node) {
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
                self.warn_issue(Diagnostic::Unrecognised, message, "", at);
                return;
            }
        }
        for t in resources {
            self.tf = Some((t.origin, t.pointer.clone()));
            self.resource(&t.node, &t.pointer, None);
        }
        self.tf = None;
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

/// Whether a document is an ARM template (or Bicep's output).
pub(in crate::input) fn is_template(root: &Node) -> bool {
    let schema = root.get("$schema").and_then(|s| s.as_str()).unwrap_or_default().to_ascii_lowercase();
    schema.contains("deploymenttemplate") || (root.get("resources").is_some() && root.get("contentVersion").is_some())
}

/// The resource types the readers use (lower case); a template's other resources are
/// only listed.
#[cfg_attr(feature = "web", allow(dead_code))]
pub(in crate::input) fn reads_type(kind: &str) -> bool {
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
