//! Terraform JSON (`terraform show -json`, spec 5.7) to ARM-shaped resources.
//!
//! A plan or a state is translated resource by resource into the flattened ARM shape the
//! readers in `extract.rs` already read (the `az` CLI shape: no `properties` wrapper), so
//! every check applies unchanged. Leaves are the plan's own nodes, so positions stay
//! right. What this module adds is what Terraform does differently:
//!
//! - a value missing from `values` and `true` in `after_unknown` is unknown: it becomes an
//!   unresolved value named by resource address and attribute (AML-INP-005 says so and
//!   the checks that need it never pass);
//! - IDs are mostly unknown at plan time, so links follow the `configuration`
//!   references (through module inputs and outputs), else a known ID; a resource without
//!   a known ID gets an ID with placeholders (`/subscriptions/<subscription>/…`) that the
//!   links match exactly and no check takes for a real one;
//! - association resources and separate rules and routes are joined to their subnet,
//!   NSG or route table;
//! - the subnet network-policy flags are read per provider generation (three of them,
//!   one inverted; `ATTRIBUTES.md` beside the corpus), including what the provider sends
//!   when the configuration sets none.

// The page's wasm leaves the translation out (its 250 KB budget): only detection is built
// there; its guard's worker translates with the JavaScript API (`wire.rs`).
#![cfg_attr(feature = "web", allow(dead_code, unused_imports))]

use crate::json::{Node, Pos, Text, Value};
use crate::model::{PolicyAttribute, TfOrigin};
use std::borrow::Cow;
use std::collections::HashMap;

/// What `terraform show -json` printed, or a Terraform file that is not that.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Plan,
    State,
    /// A raw `terraform.tfstate` (or `terraform state pull`).
    RawState,
}

pub(super) fn detect(root: &Node) -> Option<Kind> {
    if root.get("format_version").is_some() || root.get("terraform_version").is_some() {
        if root.get("planned_values").is_some() || root.get("resource_changes").is_some() {
            return Some(Kind::Plan);
        }
        if root.get("values").is_some_and(|v| v.get("root_module").is_some()) {
            return Some(Kind::State);
        }
    }
    if root.get("lineage").is_some() && root.get("serial").is_some() && (root.get("resources").is_some() || root.get("modules").is_some()) {
        return Some(Kind::RawState);
    }
    None
}

/// A line of `terraform plan -json` (the machine-readable UI stream).
pub(super) fn is_plan_stream(text: &str) -> bool {
    let first = text.trim_start().lines().next().unwrap_or_default();
    first.starts_with('{') && first.contains("\"@level\"") && first.contains("\"@message\"")
}

/// One resource, ARM-shaped, with where it came from.
pub(super) struct Translated {
    pub node: Node,
    /// JSON pointer of the resource's `values`.
    pub pointer: String,
    /// An NSG whose inline rules are all known: the pointer of its `security_rule` list,
    /// whose items `take_rules` moves into the node's `securityRules` (renamed in place,
    /// not copied: a plan's rules are most of its nodes).
    pub rules_at: Option<String>,
    pub origin: TfOrigin,
}

/// Unknown values are written `known only after apply (`address.attribute`)`.
pub const AFTER_APPLY: &str = "known only after apply";

/// A value and what `after_unknown` says about it, walked together.
#[derive(Clone, Copy)]
struct F<'a> {
    v: Option<&'a Node>,
    u: Option<&'a Node>,
    pos: Pos,
}

impl<'a> F<'a> {
    fn get(self, key: &str) -> F<'a> {
        let v = self.v.and_then(|n| n.get(key));
        F { v, u: self.u.and_then(|n| n.get(key)), pos: v.map_or(self.pos, |n| n.pos) }
    }

    fn known(self) -> Option<&'a Node> {
        self.v.filter(|n| !matches!(n.value, Value::Null))
    }

    fn unknown(self) -> bool {
        self.known().is_none() && self.u.is_some_and(|u| u.as_bool() == Some(true))
    }

    /// Present in the schema the plan was made with (known, null or unknown).
    fn exists(self) -> bool {
        self.v.is_some() || self.u.is_some()
    }

    fn str(self) -> Option<&'a str> {
        self.known().and_then(|n| n.as_str()).filter(|s| !s.is_empty())
    }

    fn bool(self) -> Option<bool> {
        self.known().and_then(|n| n.as_bool())
    }

    fn items(self) -> Vec<F<'a>> {
        let unknowns = self.u.and_then(|u| u.as_array()).unwrap_or_default();
        self.known().and_then(|n| n.as_array()).unwrap_or_default().iter().enumerate().map(|(i, n)| F { v: Some(n), u: unknowns.get(i), pos: n.pos }).collect()
    }

    /// The first item of a block list (`custom_parameters`, `network_rules`, …).
    fn block(self) -> F<'a> {
        self.items().into_iter().next().unwrap_or(F { v: None, u: self.u.and_then(|u| u.as_array()).and_then(|a| a.first()), pos: self.pos })
    }
}

/// A resource instance of the document.
struct Res<'a> {
    address: String,
    /// The module instance (`module.net["a"]`), empty for the root module.
    module: String,
    kind: &'a str,
    name: &'a str,
    index: Option<&'a Node>,
    data: bool,
    values: F<'a>,
    pointer: String,
    /// The configuration block of the resource (`expressions`).
    config: Option<&'a Node>,
    /// Whether the plan records a configuration at all.
    configured: bool,
}

impl<'a> Res<'a> {
    fn attr(&self, key: &str) -> F<'a> {
        self.values.get(key)
    }

    /// The configuration expression of an attribute.
    fn expr(&self, key: &str) -> Option<&'a Node> {
        self.config.and_then(|c| c.get("expressions")).and_then(|e| e.get(key))
    }

    fn sets(&self, key: &str) -> bool {
        self.expr(key).is_some()
    }

    fn unknown_node(&self, attr: &str, pos: Pos) -> Node {
        Node { value: Value::Unresolved(Cow::Owned(format!("{AFTER_APPLY} (`{}.{attr}`)", self.address))), pos }
    }

    /// The value of an attribute as a node: known, unknown (unresolved) or absent.
    fn value(&self, f: F<'a>, attr: &str) -> Option<Node> {
        self.value_with(f, || attr.to_string())
    }

    /// `value`, with the attribute's name written only when it is unknown.
    fn value_with(&self, f: F<'a>, attr: impl FnOnce() -> String) -> Option<Node> {
        if let Some(n) = f.known() {
            return Some(n.clone());
        }
        f.unknown().then(|| self.unknown_node(&attr(), f.pos))
    }

    fn origin(&self) -> TfOrigin {
        let local = self.address.strip_prefix(&self.module).map(|r| r.trim_start_matches('.')).unwrap_or(&self.address).to_string();
        TfOrigin { address: self.address.clone(), kind: self.kind.to_string(), reference: local, module: self.module.clone(), ..TfOrigin::default() }
    }
}

/// Every resource of a plan or state (none of a raw state), the known inline rules moved
/// out of the parsed document into their NSGs (`take_rules`).
#[cfg(not(feature = "web"))]
pub(super) fn read_all(mut root: Node, kind: Kind) -> Vec<Translated> {
    let mut resources = if kind == Kind::RawState { Vec::new() } else { translate(&root, kind) };
    for t in &mut resources {
        take_rules(&mut root, t);
    }
    resources
}

/// Reads every resource of a plan or state.
#[cfg(not(feature = "web"))]
fn translate(root: &Node, kind: Kind) -> Vec<Translated> {
    let doc = Doc::new(root, kind);
    doc.translate()
}

struct Doc<'a> {
    res: Vec<Res<'a>>,
    /// (module instance, type, name) to the instances.
    by_name: HashMap<(String, String, String), Vec<usize>>,
    by_id: HashMap<String, usize>,
    ids: Vec<String>,
    /// The module calls' configuration by module path (`net.inner`).
    module_configs: HashMap<String, &'a Node>,
    /// Work left for following references: a crafted plan (references that fan out at
    /// every module level) must not make resolution exponential. Past it, links are
    /// unknown, which no check takes for a pass.
    budget: std::cell::Cell<usize>,
}

/// Terraform address segments split at dots outside brackets and quotes.
fn segments(address: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quoted, mut escaped, mut start) = (0usize, false, false, 0usize);
    for (i, c) in address.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '[' if !quoted => depth = depth.saturating_add(1),
            ']' if !quoted => depth = depth.saturating_sub(1),
            '.' if !quoted && depth == 0 => {
                out.push(address.get(start..i).unwrap_or_default());
                start = i.saturating_add(1);
            }
            _ => {}
        }
    }
    out.push(address.get(start..).unwrap_or_default());
    out
}

/// A segment's name and its instance key (`x["a"]` is `x` and `["a"]`).
fn split_key(segment: &str) -> (&str, &str) {
    match segment.find('[') {
        Some(i) => (segment.get(..i).unwrap_or(segment), segment.get(i..).unwrap_or_default()),
        None => (segment, ""),
    }
}

/// The module call names of a module instance address (`module.a[0].module.b` is `a.b`).
fn module_path(module: &str) -> String {
    let parts = segments(module);
    parts.chunks(2).filter_map(|c| c.get(1)).map(|s| split_key(s).0).collect::<Vec<_>>().join(".")
}

/// The parent of a module instance address.
fn parent_module(module: &str) -> String {
    let parts = segments(module);
    let keep = parts.len().saturating_sub(2);
    parts.get(..keep).unwrap_or_default().join(".")
}

fn index_text(n: Option<&Node>) -> String {
    match n.map(|n| &n.value) {
        Some(Value::Number(x)) => format!("[{}]", crate::json::format_number(*x)),
        Some(Value::String(s)) => format!("[\"{s}\"]"),
        _ => String::new(),
    }
}

impl<'a> Doc<'a> {
    fn new(root: &'a Node, kind: Kind) -> Doc<'a> {
        let (top, top_pointer) = match kind {
            Kind::Plan => (root.get("planned_values").and_then(|p| p.get("root_module")), "/planned_values/root_module"),
            _ => (root.get("values").and_then(|p| p.get("root_module")), "/values/root_module"),
        };
        let root_config = root.get("configuration").and_then(|c| c.get("root_module"));
        let mut changes: HashMap<&str, &Node> = HashMap::new();
        for c in root.get("resource_changes").and_then(|r| r.as_array()).unwrap_or_default() {
            if let (Some(a), Some(ch)) = (c.get("address").and_then(|a| a.as_str()), c.get("change")) {
                changes.insert(a, ch);
            }
        }
        let mut module_configs = HashMap::new();
        if let Some(rc) = root_config {
            let mut stack = vec![(String::new(), rc, 0usize)];
            while let Some((path, m, depth)) = stack.pop() {
                module_configs.insert(path.clone(), m);
                if depth > 32 {
                    continue;
                }
                for (name, call) in m.get("module_calls").and_then(|c| c.as_object()).unwrap_or_default() {
                    if let Some(inner) = call.get("module") {
                        let p = if path.is_empty() { name.to_string() } else { format!("{path}.{name}") };
                        stack.push((p, inner, depth.saturating_add(1)));
                    }
                }
            }
        }
        let mut doc = Doc { res: Vec::new(), by_name: HashMap::new(), by_id: HashMap::new(), ids: Vec::new(), module_configs, budget: std::cell::Cell::new(0) };
        let mut stack: Vec<(&Node, String)> = top.into_iter().map(|t| (t, top_pointer.to_string())).collect();
        let mut visited = 0usize;
        while let Some((module, pointer)) = stack.pop() {
            visited = visited.saturating_add(1);
            if visited > 100_000 {
                break;
            }
            let module_address = module.get("address").and_then(|a| a.as_str()).unwrap_or_default().to_string();
            let config_module = doc.module_configs.get(&module_path(&module_address)).copied();
            for (i, r) in module.get("resources").and_then(|r| r.as_array()).unwrap_or_default().iter().enumerate() {
                let str_of = |k: &str| r.get(k).and_then(|v| v.as_str()).unwrap_or_default();
                let address = str_of("address").to_string();
                let data = str_of("mode") == "data";
                let (kind, name) = (str_of("type"), str_of("name"));
                let unknown = changes.get(address.as_str()).and_then(|c| c.get("after_unknown"));
                let values = r.get("values");
                let local = if data { format!("data.{kind}.{name}") } else { format!("{kind}.{name}") };
                let config = config_module
                    .and_then(|m| m.get("resources"))
                    .and_then(|rs| rs.as_array())
                    .and_then(|rs| rs.iter().find(|c| c.get("address").and_then(|a| a.as_str()) == Some(local.as_str())));
                doc.res.push(Res {
                    address,
                    module: module_address.clone(),
                    kind,
                    name,
                    index: r.get("index"),
                    data,
                    values: F { v: values, u: unknown, pos: values.map_or(r.pos, |v| v.pos) },
                    pointer: format!("{pointer}/resources/{i}/values"),
                    config,
                    configured: config.is_some(),
                });
            }
            for (i, c) in module.get("child_modules").and_then(|c| c.as_array()).unwrap_or_default().iter().enumerate() {
                stack.push((c, format!("{pointer}/child_modules/{i}")));
            }
        }
        for (i, r) in doc.res.iter().enumerate() {
            let local = if r.data { format!("data.{}", r.kind) } else { r.kind.to_string() };
            doc.by_name.entry((r.module.clone(), local, r.name.to_string())).or_default().push(i);
        }
        let ids: Vec<String> = (0..doc.res.len()).map(|i| doc.own_id(i)).collect();
        for (i, id) in ids.iter().enumerate() {
            doc.by_id.entry(id.to_ascii_lowercase()).or_insert(i);
        }
        doc.ids = ids;
        doc.budget.set(doc.res.len().saturating_mul(64).saturating_add(200_000));
        doc
    }

    /// Takes `cost` from the budget; false when it is spent.
    fn charge(&self, cost: usize) -> bool {
        let left = self.budget.get();
        self.budget.set(left.saturating_sub(cost));
        left >= cost
    }

    fn get(&self, i: usize) -> Option<&Res<'a>> {
        self.res.get(i)
    }

    /// The resource's ID: known, or built from what is known with placeholders.
    fn own_id(&self, i: usize) -> String {
        let Some(r) = self.get(i) else { return String::new() };
        if let Some(id) = r.attr("id").str() {
            return id.to_string();
        }
        let name = r.attr("name").str().map(String::from).unwrap_or_else(|| format!("<{}>", r.address));
        let rg = r.attr("resource_group_name").str().unwrap_or("<resource-group>");
        let base = format!("/subscriptions/<subscription>/resourceGroups/{rg}/providers");
        match r.kind {
            "azurerm_network_security_group" => format!("{base}/Microsoft.Network/networkSecurityGroups/{name}"),
            "azurerm_virtual_network" => format!("{base}/Microsoft.Network/virtualNetworks/{name}"),
            "azurerm_subnet" => {
                let vnet = r.attr("virtual_network_name").str().unwrap_or("<virtual-network>");
                format!("{base}/Microsoft.Network/virtualNetworks/{vnet}/subnets/{name}")
            }
            "azurerm_route_table" => format!("{base}/Microsoft.Network/routeTables/{name}"),
            "azurerm_nat_gateway" => format!("{base}/Microsoft.Network/natGateways/{name}"),
            "azurerm_network_interface" => format!("{base}/Microsoft.Network/networkInterfaces/{name}"),
            "azurerm_machine_learning_workspace" => format!("{base}/Microsoft.MachineLearningServices/workspaces/{name}"),
            "azurerm_storage_account" => format!("{base}/Microsoft.Storage/storageAccounts/{name}"),
            _ => format!("<{}>", r.address),
        }
    }

    fn id(&self, i: usize) -> String {
        self.ids.get(i).cloned().unwrap_or_default()
    }

    /// The instances a configuration reference names, seen from `from`'s module.
    fn resolve(&self, module: &str, from_index: Option<&Node>, references: &Node, depth: usize) -> Option<usize> {
        if depth > 16 {
            return None;
        }
        for r in references.as_array().unwrap_or_default().iter().filter_map(|r| r.as_str()) {
            if !self.charge(1) {
                return None;
            }
            let parts = segments(r);
            let found = match parts.as_slice() {
                ["var", var, ..] => {
                    // A module input: the expression of the call in the parent module.
                    if module.is_empty() {
                        None
                    } else {
                        let call = split_key(segments(module).last().copied().unwrap_or_default()).0;
                        let parent = parent_module(module);
                        self.module_configs
                            .get(&module_path(&parent))
                            .and_then(|m| m.get("module_calls"))
                            .and_then(|c| c.get(call))
                            .and_then(|c| c.get("expressions"))
                            .and_then(|e| e.get(split_key(var).0))
                            .and_then(|e| e.get("references"))
                            .and_then(|refs| self.resolve(&parent, from_index, refs, depth.saturating_add(1)))
                    }
                }
                ["module", call, output, ..] => {
                    let (call_name, key) = split_key(call);
                    let path = module_path(module);
                    let inner_path = if path.is_empty() { call_name.to_string() } else { format!("{path}.{call_name}") };
                    let refs = self
                        .module_configs
                        .get(&inner_path)
                        .and_then(|m| m.get("outputs"))
                        .and_then(|o| o.get(split_key(output).0))
                        .and_then(|o| o.get("expression"))
                        .and_then(|e| e.get("references"));
                    let prefix = if module.is_empty() { format!("module.{call_name}") } else { format!("{module}.module.{call_name}") };
                    if refs.is_none() || !self.charge(self.res.len()) {
                        continue;
                    }
                    // The module instance: the one named, else the only one.
                    let mut instances: Vec<String> = self
                        .res
                        .iter()
                        .map(|r| r.module.as_str())
                        .filter(|m| *m == prefix || m.strip_prefix(&prefix).is_some_and(|rest| rest.starts_with('[')))
                        .filter(|m| key.is_empty() || m.ends_with(key))
                        .map(|m| segments(m).get(..segments(&prefix).len()).unwrap_or_default().join("."))
                        .collect();
                    instances.sort();
                    instances.dedup();
                    match (refs, instances.as_slice()) {
                        (Some(refs), [one]) => self.resolve(one, from_index, refs, depth.saturating_add(1)),
                        _ => None,
                    }
                }
                ["data", kind, name, ..] => self.pick(module, &format!("data.{kind}"), name, from_index),
                [kind, name, ..] if kind.starts_with("azurerm_") || kind.starts_with("azapi_") => self.pick(module, kind, name, from_index),
                _ => None,
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }

    /// The instance of `kind.name[key]` in a module: the key named, else the only one,
    /// else the one with the referrer's own index (`count.index`, `each.key`).
    fn pick(&self, module: &str, kind: &str, name_with_key: &str, from_index: Option<&Node>) -> Option<usize> {
        let (name, key) = split_key(name_with_key);
        let candidates = self.by_name.get(&(module.to_string(), kind.to_string(), name.to_string()))?;
        if !key.is_empty() {
            return candidates.iter().copied().find(|&i| self.get(i).is_some_and(|r| index_text(r.index) == key));
        }
        match candidates.as_slice() {
            [one] => Some(*one),
            many => {
                let own = index_text(from_index);
                many.iter().copied().find(|&i| !own.is_empty() && self.get(i).is_some_and(|r| index_text(r.index) == own))
            }
        }
    }

    /// Where a link attribute points: a resource of the document, a known ID, or unknown.
    fn link(&self, i: usize, f: F<'a>, expr: Option<&'a Node>) -> Link {
        let Some(r) = self.get(i) else { return Link::None };
        if let Some(id) = f.str() {
            return match self.by_id.get(&id.to_ascii_lowercase()) {
                Some(&t) => Link::Res(t),
                None => Link::Id(id.to_string()),
            };
        }
        let refs = expr.and_then(|e| e.get("references"));
        if let Some(t) = refs.and_then(|refs| self.resolve(&r.module, r.index, refs, 0)) {
            return Link::Res(t);
        }
        if f.unknown() || refs.is_some() {
            Link::Unknown
        } else {
            Link::None
        }
    }

    /// A link as the ID node the readers take.
    fn link_node(&self, i: usize, link: Link, attr: &str, pos: Pos) -> Option<Node> {
        let r = self.get(i)?;
        match link {
            Link::Res(t) => Some(s(self.id(t), pos)),
            Link::Id(id) => Some(s(id, pos)),
            Link::Unknown => Some(r.unknown_node(attr, pos)),
            Link::None => None,
        }
    }

    fn translate(&self) -> Vec<Translated> {
        // Associations and separate children, joined to their parents first.
        let mut subnet_nsg: HashMap<usize, Node> = HashMap::new();
        let mut subnet_route_table: HashMap<usize, Node> = HashMap::new();
        let mut subnet_nat: HashMap<usize, Node> = HashMap::new();
        let mut nic_nsg: HashMap<usize, Node> = HashMap::new();
        for (i, r) in self.res.iter().enumerate() {
            let (map, subject, attr) = match r.kind {
                "azurerm_subnet_network_security_group_association" => (&mut subnet_nsg, "subnet_id", "network_security_group_id"),
                "azurerm_subnet_route_table_association" => (&mut subnet_route_table, "subnet_id", "route_table_id"),
                "azurerm_subnet_nat_gateway_association" => (&mut subnet_nat, "subnet_id", "nat_gateway_id"),
                "azurerm_network_interface_security_group_association" => (&mut nic_nsg, "network_interface_id", "network_security_group_id"),
                _ => continue,
            };
            if let Link::Res(target) = self.link(i, r.attr(subject), r.expr(subject)) {
                let f = r.attr(attr);
                if let Some(node) = self.link_node(i, self.link(i, f, r.expr(attr)), attr, f.pos) {
                    map.insert(target, node);
                }
            }
        }
        // NSGs and route tables that separate rules and routes join.
        let mut by_name_and_group: HashMap<(&str, &str, &str), Vec<usize>> = HashMap::new();
        for (k, p) in self.res.iter().enumerate() {
            if matches!(p.kind, "azurerm_route_table" | "azurerm_network_security_group") {
                let key = (p.kind, p.attr("name").str().unwrap_or_default(), p.attr("resource_group_name").str().unwrap_or_default());
                by_name_and_group.entry(key).or_default().push(k);
            }
        }
        let mut has_children: std::collections::HashSet<usize> = Default::default();
        for (i, r) in self.res.iter().enumerate() {
            let attr = match r.kind {
                "azurerm_network_security_rule" => "network_security_group_name",
                "azurerm_route" => "route_table_name",
                _ => continue,
            };
            match self.link(i, r.attr(attr), r.expr(attr)) {
                Link::Res(t) => {
                    has_children.insert(t);
                }
                _ => {
                    // By name and resource group.
                    let parent = if attr == "route_table_name" { "azurerm_route_table" } else { "azurerm_network_security_group" };
                    let key = (parent, r.attr(attr).str().unwrap_or_default(), r.attr("resource_group_name").str().unwrap_or_default());
                    has_children.extend(by_name_and_group.get(&key).into_iter().flatten().copied());
                }
            }
        }
        let mut out = Vec::new();
        for (i, r) in self.res.iter().enumerate() {
            let separate = has_children.contains(&i);
            let node = match r.kind {
                "azurerm_network_security_group" => self.nsg(i, r, separate),
                "azurerm_network_security_rule" => self.separate_rule(i, r),
                "azurerm_virtual_network" => self.vnet(i, r),
                "azurerm_subnet" => self.subnet(i, r, &subnet_nsg, &subnet_route_table, &subnet_nat),
                "azurerm_route_table" => self.route_table(i, r, separate),
                "azurerm_route" => self.separate_route(i, r),
                "azurerm_nat_gateway" => Some(self.resource(i, r, "Microsoft.Network/natGateways", vec![])),
                "azurerm_network_interface" => self.nic(i, r, &nic_nsg),
                "azurerm_private_endpoint" => self.private_endpoint(i, r),
                "azurerm_storage_account" => self.storage(i, r),
                "azurerm_machine_learning_workspace" => self.workspace(i, r),
                "azurerm_machine_learning_compute_cluster" | "azurerm_machine_learning_compute_instance" => self.compute(i, r),
                "azurerm_databricks_workspace" => self.databricks(i, r),
                "azapi_resource" => self.azapi(i, r),
                "azurerm_linux_virtual_machine" | "azurerm_windows_virtual_machine" | "azurerm_virtual_machine" => self.vm(i, r),
                _ => None,
            };
            if let Some(node) = node {
                let mut origin = r.origin();
                if r.kind == "azurerm_network_security_group" {
                    origin.inline_rules = r.sets("security_rule") || !r.attr("security_rule").items().is_empty();
                }
                if r.kind == "azurerm_subnet" {
                    let (pe, pls) = (policy(r, &PE), policy(r, &PLS));
                    origin.policy_attributes = [pe.attribute, pls.attribute];
                    origin.defaulted.extend(pe.note.map(|n| ("privateEndpointNetworkPolicies", n)));
                    origin.defaulted.extend(pls.note.map(|n| ("privateLinkServiceNetworkPolicies", n)));
                }
                let rules_at = (r.kind == "azurerm_network_security_group" && movable_rules(r)).then(|| format!("{}/security_rule", r.pointer));
                out.push(Translated { node, pointer: r.pointer.clone(), rules_at, origin });
            }
        }
        out
    }

    /// An ARM-shaped resource: type, name, ID, location, then the given members.
    fn resource(&self, i: usize, r: &Res<'a>, arm_type: &'static str, members: Vec<(&'static str, Option<Node>)>) -> Node {
        let pos = r.values.pos;
        let mut all = vec![
            ("type", Some(s(arm_type.to_string(), pos))),
            ("name", Some(r.value(r.attr("name"), "name").unwrap_or_else(|| s(format!("<{}>", r.address), pos)))),
            ("id", Some(s(self.id(i), pos))),
            ("location", r.attr("location").known().cloned()),
        ];
        all.extend(members);
        obj(all, pos)
    }

    fn nsg(&self, i: usize, r: &Res<'a>, separate: bool) -> Option<Node> {
        // Known rules are moved in afterwards (`take_rules`); the others are built here.
        let rules = if movable_rules(r) {
            Some(arr(Vec::new(), r.attr("security_rule").pos))
        } else {
            children(r, "security_rule", separate, |item| self.rule_fields(r, item, "security_rule", None))
        };
        Some(self.resource(i, r, "Microsoft.Network/networkSecurityGroups", vec![("securityRules", rules)]))
    }

    /// A security rule's fields under their ARM names.
    fn rule_fields(&self, r: &Res<'a>, f: F<'a>, attr: &str, extra: Option<(&'static str, Node)>) -> Node {
        let field = |tf: &str| r.value_with(f.get(tf), || if attr.is_empty() { tf.to_string() } else { format!("{attr}.{tf}") });
        let asgs = |tf: &str| {
            let g = f.get(tf);
            if g.unknown() {
                return Some(r.unknown_node(&format!("{attr}.{tf}"), g.pos));
            }
            let items: Vec<Node> = g.items().into_iter().filter_map(|i| i.known().cloned()).map(|n| obj(vec![("id", Some(n.clone()))], n.pos)).collect();
            (!items.is_empty()).then(|| arr(items, g.pos))
        };
        let mut members: Vec<(&'static str, Option<Node>)> =
            RULE_ATTRIBUTES.iter().map(|&(tf, arm)| (arm, if tf.ends_with("_ids") { asgs(tf) } else { field(tf) })).collect();
        if let Some((k, v)) = extra {
            members.push((k, Some(v)));
        }
        obj(members, f.pos)
    }

    fn separate_rule(&self, i: usize, r: &Res<'a>) -> Option<Node> {
        // The NSG by configuration reference, else by name and resource group.
        let nsg = match self.link(i, r.attr("network_security_group_name"), r.expr("network_security_group_name")) {
            Link::Res(t) if self.get(t).is_some_and(|n| n.kind == "azurerm_network_security_group") => self.id(t),
            _ => {
                let name = r.attr("network_security_group_name").str().map(String::from).unwrap_or_else(|| format!("<NSG of {}>", r.address));
                let rg = r.attr("resource_group_name").str().unwrap_or("<resource-group>");
                format!("/subscriptions/<subscription>/resourceGroups/{rg}/providers/Microsoft.Network/networkSecurityGroups/{name}")
            }
        };
        let rule_name = r.attr("name").str().unwrap_or(r.name);
        let id = s(format!("{nsg}/securityRules/{rule_name}"), r.values.pos);
        let mut node = self.rule_fields(r, r.values, "", Some(("id", id)));
        if let Value::Object(m) = &mut node.value {
            m.insert(0, (Cow::Borrowed("type"), s("Microsoft.Network/networkSecurityGroups/securityRules".into(), r.values.pos)));
        }
        Some(node)
    }

    fn vnet(&self, i: usize, r: &Res<'a>) -> Option<Node> {
        let space = r.attr("address_space");
        let dns = r.attr("dns_servers");
        let f = r.attr("subnet");
        let subnets = if f.unknown() && r.sets("subnet") {
            Some(r.unknown_node("subnet", f.pos))
        } else {
            let items = f
                .items()
                .into_iter()
                .map(|sub| {
                    let field = |tf: &str| r.value_with(sub.get(tf), || format!("subnet.{tf}"));
                    let nsg = sub.get("security_group").str().map(|id| obj(vec![("id", Some(s(id.to_string(), sub.get("security_group").pos)))], sub.pos));
                    obj(
                        vec![
                            ("name", field("name")),
                            ("id", field("id")),
                            ("addressPrefix", field("address_prefix")),
                            ("addressPrefixes", field("address_prefixes")),
                            ("networkSecurityGroup", nsg),
                            ("delegations", delegations(r, sub.get("delegation"), "subnet.delegation")),
                            ("serviceEndpoints", service_endpoints(sub.get("service_endpoints"))),
                        ],
                        sub.pos,
                    )
                })
                .collect();
            Some(arr(items, f.pos))
        };
        Some(self.resource(
            i,
            r,
            "Microsoft.Network/virtualNetworks",
            vec![
                ("addressSpace", r.value(space, "address_space").map(|a| obj(vec![("addressPrefixes", Some(a))], space.pos))),
                ("dhcpOptions", dns.known().map(|d| obj(vec![("dnsServers", Some(d.clone()))], dns.pos))),
                ("subnets", subnets),
            ],
        ))
    }

    fn subnet(&self, i: usize, r: &Res<'a>, nsgs: &HashMap<usize, Node>, tables: &HashMap<usize, Node>, nats: &HashMap<usize, Node>) -> Option<Node> {
        let vnet = match self.link(i, r.attr("virtual_network_name"), r.expr("virtual_network_name")) {
            Link::Res(t) => self.get(t).and_then(|v| v.attr("name").str()).map(String::from),
            _ => None,
        }
        .or_else(|| r.attr("virtual_network_name").str().map(String::from))
        .unwrap_or_else(|| format!("<VNet of {}>", r.address));
        let name = r.attr("name").str().unwrap_or(r.name);
        let pos = r.values.pos;
        let id_ref = |n: &Node| obj(vec![("id", Some(n.clone()))], n.pos);
        // A data source reads the links from Azure.
        let nsg = nsgs.get(&i).map(id_ref).or_else(|| r.attr("network_security_group_id").str().map(|v| id_ref(&s(v.to_string(), pos))));
        let table = tables.get(&i).map(id_ref).or_else(|| r.attr("route_table_id").str().map(|v| id_ref(&s(v.to_string(), pos))));
        let policies = |which: &Policy| {
            let p = policy(r, which);
            p.value.map(|(v, at)| match v {
                Some(text) => s(text.to_string(), at),
                None => r.unknown_node(p.attribute_name(which), at),
            })
        };
        let default_outbound = r.attr("default_outbound_access_enabled");
        Some(obj(
            vec![
                ("type", Some(s("Microsoft.Network/virtualNetworks/subnets".into(), pos))),
                ("name", Some(s(format!("{vnet}/{name}"), pos))),
                ("id", Some(s(self.id(i), pos))),
                // One of the two is set; the other is computed from it (unknown in a plan).
                (
                    "addressPrefix",
                    if r.attr("address_prefixes").known().is_some() {
                        r.attr("address_prefix").known().cloned()
                    } else {
                        r.value(r.attr("address_prefix"), "address_prefix")
                    },
                ),
                (
                    "addressPrefixes",
                    if r.attr("address_prefix").known().is_some() {
                        r.attr("address_prefixes").known().cloned()
                    } else {
                        r.value(r.attr("address_prefixes"), "address_prefixes")
                    },
                ),
                ("networkSecurityGroup", nsg),
                ("routeTable", table),
                ("natGateway", nats.get(&i).map(id_ref)),
                ("delegations", delegations(r, r.attr("delegation"), "delegation")),
                ("serviceEndpoints", service_endpoints(r.attr("service_endpoints"))),
                (
                    "serviceEndpointPolicies",
                    r.attr("service_endpoint_policy_ids").known().and_then(|n| n.as_array()).map(|a| arr(a.iter().map(id_ref).collect(), pos)),
                ),
                ("privateEndpointNetworkPolicies", policies(&PE)),
                ("privateLinkServiceNetworkPolicies", policies(&PLS)),
                ("defaultOutboundAccess", default_outbound.known().cloned()),
            ],
            pos,
        ))
    }

    fn route_fields(&self, r: &Res<'a>, f: F<'a>, attr: &str, name: Option<Node>) -> Node {
        let field = |tf: &str| r.value_with(f.get(tf), || if attr.is_empty() { tf.to_string() } else { format!("{attr}.{tf}") });
        obj(
            vec![
                ("name", name.or_else(|| field("name"))),
                ("addressPrefix", field("address_prefix")),
                ("nextHopType", field("next_hop_type")),
                ("nextHopIpAddress", field("next_hop_in_ip_address")),
            ],
            f.pos,
        )
    }

    fn route_table(&self, i: usize, r: &Res<'a>, separate: bool) -> Option<Node> {
        let routes = children(r, "route", separate, |item| self.route_fields(r, item, "route", None));
        let bgp = r.attr("bgp_route_propagation_enabled").bool().map(|b| !b).or_else(|| r.attr("disable_bgp_route_propagation").bool());
        Some(self.resource(
            i,
            r,
            "Microsoft.Network/routeTables",
            vec![("routes", routes), ("disableBgpRoutePropagation", bgp.map(|b| Node { value: Value::Bool(b), pos: r.values.pos }))],
        ))
    }

    fn separate_route(&self, i: usize, r: &Res<'a>) -> Option<Node> {
        let table = match self.link(i, r.attr("route_table_name"), r.expr("route_table_name")) {
            Link::Res(t) => self.get(t).and_then(|t| t.attr("name").str()).map(String::from),
            _ => None,
        }
        .or_else(|| r.attr("route_table_name").str().map(String::from))
        .unwrap_or_else(|| format!("<route table of {}>", r.address));
        let name = s(format!("{table}/{}", r.attr("name").str().unwrap_or(r.name)), r.values.pos);
        let mut node = self.route_fields(r, r.values, "", Some(name));
        if let Value::Object(m) = &mut node.value {
            m.insert(0, (Cow::Borrowed("type"), s("Microsoft.Network/routeTables/routes".into(), r.values.pos)));
        }
        Some(node)
    }

    fn nic(&self, i: usize, r: &Res<'a>, nsgs: &HashMap<usize, Node>) -> Option<Node> {
        let configs = r.attr("ip_configuration").items();
        let expr_blocks = r.expr("ip_configuration").and_then(|e| e.as_array()).unwrap_or_default();
        let ip_configurations: Vec<Node> = configs
            .iter()
            .enumerate()
            .filter_map(|(k, c)| {
                let expr = expr_blocks.get(k).or(if expr_blocks.len() == 1 { expr_blocks.first() } else { None }).and_then(|b| b.get("subnet_id"));
                let link = self.link(i, c.get("subnet_id"), expr);
                let subnet = self.link_node(i, link, "ip_configuration.subnet_id", c.get("subnet_id").pos)?;
                Some(obj(vec![("subnet", Some(obj(vec![("id", Some(subnet))], c.pos)))], c.pos))
            })
            .collect();
        let nsg = nsgs.get(&i).map(|n| obj(vec![("id", Some(n.clone()))], n.pos));
        Some(self.resource(
            i,
            r,
            "Microsoft.Network/networkInterfaces",
            vec![("networkSecurityGroup", nsg), ("ipConfigurations", Some(arr(ip_configurations, r.values.pos)))],
        ))
    }

    fn private_endpoint(&self, i: usize, r: &Res<'a>) -> Option<Node> {
        let f = r.attr("subnet_id");
        let subnet = self.link_node(i, self.link(i, f, r.expr("subnet_id")), "subnet_id", f.pos).map(|n| obj(vec![("id", Some(n))], f.pos));
        let connections: Vec<Node> = r
            .attr("private_service_connection")
            .items()
            .into_iter()
            .filter_map(|c| c.get("private_connection_resource_id").known().cloned())
            .map(|n| obj(vec![("privateLinkServiceId", Some(n.clone()))], n.pos))
            .collect();
        Some(self.resource(
            i,
            r,
            "Microsoft.Network/privateEndpoints",
            vec![("subnet", subnet), ("privateLinkServiceConnections", Some(arr(connections, r.values.pos)))],
        ))
    }

    fn storage(&self, i: usize, r: &Res<'a>) -> Option<Node> {
        let rules = r.attr("network_rules").block();
        let default = rules.get("default_action");
        let subnets = rules.get("virtual_network_subnet_ids");
        let mut vnet_rules: Vec<Node> =
            subnets.items().into_iter().filter_map(|sub| sub.known().cloned()).map(|n| obj(vec![("id", Some(n.clone()))], n.pos)).collect();
        if subnets.unknown() {
            // Subnet IDs unknown at plan time: the subnets the configuration names.
            let refs = r
                .expr("network_rules")
                .and_then(|e| e.as_array())
                .and_then(|a| a.first())
                .and_then(|b| b.get("virtual_network_subnet_ids"))
                .and_then(|e| e.get("references"))
                .and_then(|refs| refs.as_array())
                .unwrap_or_default();
            let mut found: Vec<usize> = refs
                .iter()
                .filter_map(|one| self.resolve(&r.module, r.index, &arr(vec![one.clone()], one.pos), 0))
                .filter(|&t| self.get(t).is_some_and(|t| t.kind == "azurerm_subnet"))
                .collect();
            found.dedup();
            if found.is_empty() {
                vnet_rules.push(obj(vec![("id", Some(r.unknown_node("network_rules.virtual_network_subnet_ids", subnets.pos)))], subnets.pos));
            }
            vnet_rules.extend(found.into_iter().map(|t| obj(vec![("id", Some(s(self.id(t), subnets.pos)))], subnets.pos)));
        }
        let acls =
            default.known().map(|d| obj(vec![("defaultAction", Some(d.clone())), ("virtualNetworkRules", Some(arr(vnet_rules, subnets.pos)))], rules.pos));
        Some(self.resource(i, r, "Microsoft.Storage/storageAccounts", vec![("networkAcls", acls)]))
    }

    fn workspace(&self, i: usize, r: &Res<'a>) -> Option<Node> {
        let field = |tf: &str| r.attr(tf).known().cloned();
        Some(self.resource(
            i,
            r,
            "Microsoft.MachineLearningServices/workspaces",
            vec![
                ("hbiWorkspace", field("high_business_impact")),
                ("imageBuildCompute", field("image_build_compute_name")),
                ("storageAccount", field("storage_account_id")),
                ("containerRegistry", field("container_registry_id")),
            ],
        ))
    }

    fn compute(&self, i: usize, r: &Res<'a>) -> Option<Node> {
        let pos = r.values.pos;
        let workspace = match self.link(i, r.attr("machine_learning_workspace_id"), r.expr("machine_learning_workspace_id")) {
            Link::Res(t) => self.get(t).and_then(|w| w.attr("name").str()).map(String::from),
            Link::Id(id) => id.rsplit('/').next().map(String::from),
            _ => None,
        };
        let name = r.attr("name").str().unwrap_or(r.name);
        let full = match workspace {
            Some(w) => format!("{w}/{name}"),
            None => name.to_string(),
        };
        let kind = if r.kind.ends_with("cluster") { "AmlCompute" } else { "ComputeInstance" };
        let subnet_f = r.attr("subnet_resource_id");
        let subnet = self
            .link_node(i, self.link(i, subnet_f, r.expr("subnet_resource_id")), "subnet_resource_id", subnet_f.pos)
            .map(|n| obj(vec![("id", Some(n))], subnet_f.pos));
        let scale = r.attr("scale_settings").block();
        let ssh = r.attr("ssh").block();
        Some(obj(
            vec![
                ("type", Some(s("Microsoft.MachineLearningServices/workspaces/computes".into(), pos))),
                ("name", Some(s(full, pos))),
                ("location", r.attr("location").known().cloned()),
                ("computeType", Some(s(kind.into(), pos))),
                ("enableNodePublicIp", r.value(r.attr("node_public_ip_enabled"), "node_public_ip_enabled")),
                ("subnet", subnet),
                ("minNodeCount", scale.get("min_node_count").known().cloned()),
                ("maxNodeCount", scale.get("max_node_count").known().cloned()),
                ("sshPort", ssh.get("port").known().cloned()),
            ],
            pos,
        ))
    }

    fn vm(&self, i: usize, r: &Res<'a>) -> Option<Node> {
        let image = r.attr("source_image_reference").block();
        let image = if image.known().is_some() { image } else { r.attr("storage_image_reference").block() };
        let reference = obj(
            vec![
                ("offer", image.get("offer").known().cloned()),
                ("publisher", image.get("publisher").known().cloned()),
                ("sku", image.get("sku").known().cloned()),
            ],
            image.pos,
        );
        let os = match r.kind {
            "azurerm_linux_virtual_machine" => Some("Linux"),
            "azurerm_windows_virtual_machine" => Some("Windows"),
            _ => None,
        };
        let disk = os.map(|o| obj(vec![("osType", Some(s(o.into(), r.values.pos)))], r.values.pos));
        let storage = obj(vec![("imageReference", Some(reference)), ("osDisk", disk)], r.values.pos);
        Some(self.resource(i, r, "Microsoft.Compute/virtualMachines", vec![("storageProfile", Some(storage))]))
    }

    fn databricks(&self, i: usize, r: &Res<'a>) -> Option<Node> {
        let p = r.attr("custom_parameters").block();
        let wrap = |n: Option<Node>| n.map(|n| obj(vec![("value", Some(n.clone()))], n.pos));
        let vnet_f = p.get("virtual_network_id");
        let vnet_expr = r.expr("custom_parameters").and_then(|e| e.as_array()).and_then(|a| a.first()).and_then(|b| b.get("virtual_network_id"));
        let vnet = self.link_node(i, self.link(i, vnet_f, vnet_expr), "custom_parameters.virtual_network_id", vnet_f.pos);
        let params = obj(
            vec![
                ("customVirtualNetworkId", wrap(vnet)),
                ("customPublicSubnetName", wrap(r.value(p.get("public_subnet_name"), "custom_parameters.public_subnet_name"))),
                ("customPrivateSubnetName", wrap(r.value(p.get("private_subnet_name"), "custom_parameters.private_subnet_name"))),
                ("enableNoPublicIp", wrap(r.value(p.get("no_public_ip"), "custom_parameters.no_public_ip"))),
            ],
            p.pos,
        );
        Some(self.resource(i, r, "Microsoft.Databricks/workspaces", vec![("parameters", Some(params))]))
    }

    /// `azapi_resource`: its `body` is the ARM resource's body (an object, or in azapi 1.x
    /// a JSON string).
    fn azapi(&self, i: usize, r: &Res<'a>) -> Option<Node> {
        let kind = r.attr("type").str()?;
        let arm_type = kind.split('@').next().unwrap_or(kind);
        let body_f = r.attr("body");
        let body = match body_f.known().map(|b| &b.value) {
            Some(Value::String(text)) => crate::json::parse(text).ok().map(|mut n| {
                relocate(&mut n, body_f.pos, 0);
                n
            }),
            Some(_) => body_f.known().cloned(),
            None => None,
        };
        let pos = r.values.pos;
        let name = r.attr("name").str().unwrap_or(r.name);
        // A child type (`…/subnets`) is named `parent/child`.
        let name = if arm_type.matches('/').count() >= 2 {
            match self.link(i, r.attr("parent_id"), r.expr("parent_id")) {
                Link::Res(t) => format!("{}/{name}", self.get(t).and_then(|p| p.attr("name").str()).unwrap_or("<parent>")),
                Link::Id(id) => format!("{}/{name}", id.rsplit('/').next().unwrap_or_default()),
                _ => format!("<parent of {}>/{name}", r.address),
            }
        } else {
            name.to_string()
        };
        let mut members: Vec<(Text, Node)> =
            vec![(Cow::Borrowed("type"), s(arm_type.to_string(), pos)), (Cow::Borrowed("name"), s(name, pos)), (Cow::Borrowed("id"), s(self.id(i), pos))];
        if let Some(l) = r.attr("location").known() {
            members.push((Cow::Borrowed("location"), l.clone()));
        }
        match body {
            Some(Node { value: Value::Object(m), .. }) => members.extend(m.into_iter().filter(|(k, _)| !["type", "name", "id"].contains(&k.as_ref()))),
            _ if body_f.unknown() => members.push((Cow::Borrowed("properties"), r.unknown_node("body", body_f.pos))),
            _ => {}
        }
        Some(Node { value: Value::Object(members), pos })
    }
}

enum Link {
    Res(usize),
    Id(String),
    Unknown,
    None,
}

/// The three generations of one subnet network policy (ATTRIBUTES.md §1).
struct Policy {
    string: Option<&'static str>,
    enabled: &'static str,
    enforce: &'static str,
}

const PE: Policy = Policy {
    string: Some("private_endpoint_network_policies"),
    enabled: "private_endpoint_network_policies_enabled",
    enforce: "enforce_private_link_endpoint_network_policies",
};

const PLS: Policy = Policy { string: None, enabled: "private_link_service_network_policies_enabled", enforce: "enforce_private_link_service_network_policies" };

/// What a subnet's plan says about one policy.
struct PolicyValue {
    /// The ARM value (`None` inside: unknown) and where it was decided; `None`: absent.
    value: Option<(Option<&'static str>, Pos)>,
    /// The attribute a fix should set.
    attribute: PolicyAttribute,
    /// Set when the value is the provider's default for an unset configuration.
    note: Option<String>,
}

impl PolicyValue {
    fn attribute_name(&self, p: &Policy) -> &'static str {
        match self.attribute {
            PolicyAttribute::Text => p.string.unwrap_or(p.enabled),
            PolicyAttribute::Enabled => p.enabled,
            PolicyAttribute::Enforce => p.enforce,
        }
    }
}

fn arm_of_bool(enabled: bool) -> &'static str {
    if enabled {
        "Enabled"
    } else {
        "Disabled"
    }
}

fn arm_of_text(text: &str) -> &'static str {
    match text.to_ascii_lowercase().as_str() {
        "disabled" => "Disabled",
        "enabled" => "Enabled",
        "networksecuritygroupenabled" => "NetworkSecurityGroupEnabled",
        "routetableenabled" => "RouteTableEnabled",
        _ => "(invalid)",
    }
}

fn policy(r: &Res, p: &Policy) -> PolicyValue {
    let string = p.string.map(|k| (k, r.attr(k)));
    let enabled = r.attr(p.enabled);
    let enforce = r.attr(p.enforce);
    // The generation: the newest attribute the plan's schema has.
    let attribute = if string.is_some_and(|(_, f)| f.exists()) {
        PolicyAttribute::Text
    } else if enabled.exists() {
        PolicyAttribute::Enabled
    } else {
        PolicyAttribute::Enforce
    };
    // (value, position, set in the configuration, attribute)
    let read = |attr: PolicyAttribute| -> Option<(Option<&'static str>, Pos, bool)> {
        let (key, f) = match attr {
            PolicyAttribute::Text => string?,
            PolicyAttribute::Enabled => (p.enabled, enabled),
            PolicyAttribute::Enforce => (p.enforce, enforce),
        };
        if !f.exists() {
            return None;
        }
        let value = match attr {
            PolicyAttribute::Text => f.str().map(arm_of_text),
            PolicyAttribute::Enabled => f.bool().map(arm_of_bool),
            PolicyAttribute::Enforce => f.bool().map(|b| arm_of_bool(!b)),
        };
        if value.is_none() && !f.unknown() {
            return None;
        }
        Some((value, f.pos, r.sets(key)))
    };
    let all = [PolicyAttribute::Text, PolicyAttribute::Enabled, PolicyAttribute::Enforce];
    // The attribute the configuration sets decides (they conflict: at most one is set).
    if let Some((attr, (value, pos, _))) = all.iter().find_map(|&a| read(a).filter(|x| x.2).map(|x| (a, x))) {
        return PolicyValue { value: Some((value, pos)), attribute: attr, note: None };
    }
    // None set: a known value is what the provider sends (its default).
    if let Some((attr, (value, pos, _))) = all.iter().find_map(|&a| read(a).filter(|x| x.0.is_some()).map(|x| (a, x))) {
        let note = (r.configured).then(|| {
            let key = match attr {
                PolicyAttribute::Text => p.string.unwrap_or(p.enabled),
                PolicyAttribute::Enabled => p.enabled,
                PolicyAttribute::Enforce => p.enforce,
            };
            format!("`{key}` is not set in the configuration; the provider version of this plan sends {}", value.unwrap_or("?"))
        });
        return PolicyValue { value: Some((value, pos)), attribute, note };
    }
    // All unknown (azurerm 3.18 – 3.117, optional+computed): with none of them in the
    // configuration, the provider sends its legacy default, Enabled.
    let any_unknown = all.iter().any(|&a| read(a).is_some());
    if any_unknown {
        let pos = enabled.pos;
        if r.configured && ![Some(p.enabled), Some(p.enforce), p.string].into_iter().flatten().any(|k| r.sets(k)) {
            let note = format!(
                "none of `{}`, `{}`{} is set in the configuration, so azurerm 3.x sends its default, Enabled",
                p.enforce,
                p.enabled,
                p.string.map(|k| format!(", `{k}`")).unwrap_or_default()
            );
            return PolicyValue { value: Some((Some("Enabled"), pos)), attribute, note: Some(note) };
        }
        return PolicyValue { value: Some((None, pos)), attribute, note: None };
    }
    PolicyValue { value: None, attribute, note: None }
}

/// An inline child block list (`security_rule`, `route`), ARM-shaped item by item. Unknown
/// and not configured while separate resources join the parent: none (the provider
/// creates the parent without its own, and mixing both forms is unsupported); otherwise
/// unknown (one unknown value makes the whole set unknown).
/// Whether an NSG's inline rules are a list with nothing in it unknown at plan time.
fn movable_rules(r: &Res) -> bool {
    let f = r.attr("security_rule");
    f.known().and_then(|n| n.as_array()).is_some() && !any_unknown(f.u, 0)
}

/// Whether an `after_unknown` subtree marks anything unknown.
fn any_unknown(u: Option<&Node>, depth: usize) -> bool {
    match u.map(|n| &n.value) {
        Some(Value::Bool(b)) => *b,
        _ if depth > crate::json::MAX_DEPTH => true,
        Some(Value::Array(items)) => items.iter().any(|i| any_unknown(Some(i), depth.saturating_add(1))),
        Some(Value::Object(members)) => members.iter().any(|(_, v)| any_unknown(Some(v), depth.saturating_add(1))),
        _ => false,
    }
}

/// A security rule's Terraform attributes and their ARM names (`rule_fields` and
/// `arm_rule` read this one list; the application security groups are lists of IDs in
/// Terraform), and the lookup of one name as Terraform writes it.
macro_rules! rule_attributes {
    ($(($tf:literal, $arm:literal)),* $(,)?) => {
        const RULE_ATTRIBUTES: &[(&str, &str)] = &[$(($tf, $arm)),*];
        fn rule_attribute(key: &str) -> Option<(&'static str, &'static str)> {
            match key {
                $($tf => Some(($tf, $arm)),)*
                _ => None,
            }
        }
    };
}
rule_attributes!(
    ("name", "name"),
    ("priority", "priority"),
    ("direction", "direction"),
    ("access", "access"),
    ("protocol", "protocol"),
    ("source_port_range", "sourcePortRange"),
    ("source_port_ranges", "sourcePortRanges"),
    ("destination_port_range", "destinationPortRange"),
    ("destination_port_ranges", "destinationPortRanges"),
    ("source_address_prefix", "sourceAddressPrefix"),
    ("source_address_prefixes", "sourceAddressPrefixes"),
    ("destination_address_prefix", "destinationAddressPrefix"),
    ("destination_address_prefixes", "destinationAddressPrefixes"),
    ("source_application_security_group_ids", "sourceApplicationSecurityGroups"),
    ("destination_application_security_group_ids", "destinationApplicationSecurityGroups"),
);

/// Moves an NSG's known inline rules (`Translated::rules_at`) out of the parsed plan into
/// its translation, each renamed in place to what `rule_fields` would have built.
#[cfg(not(feature = "web"))]
fn take_rules(root: &mut Node, t: &mut Translated) {
    let Some(at) = t.rules_at.take() else { return };
    let mut list = Some(root);
    for part in at.split('/').filter(|p| !p.is_empty()) {
        list = list.and_then(|n| match &mut n.value {
            Value::Object(members) => members.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(part)).map(|(_, v)| v),
            Value::Array(items) => part.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
            _ => None,
        });
    }
    let Some(Value::Array(items)) = list.map(|n| &mut n.value) else { return };
    let mut items = std::mem::take(items);
    items.iter_mut().for_each(arm_rule);
    if let Value::Object(members) = &mut t.node.value {
        if let Some((_, rules)) = members.iter_mut().find(|(k, _)| k == "securityRules") {
            rules.value = Value::Array(items);
        }
    }
}

/// A known inline rule's members under their ARM names: nulls and other attributes
/// dropped, application security group IDs as `{"id": …}`, empty lists of them dropped.
fn arm_rule(item: &mut Node) {
    let Value::Object(members) = &mut item.value else {
        item.value = Value::Object(Vec::new());
        return;
    };
    members.retain_mut(|(key, value)| {
        // Terraform writes the names as listed; any other case is matched as `Node::get` does.
        let Some((tf, arm)) = rule_attribute(key).or_else(|| RULE_ATTRIBUTES.iter().copied().find(|(tf, _)| key.eq_ignore_ascii_case(tf))) else {
            return false;
        };
        if matches!(value.value, Value::Null) {
            return false;
        }
        if tf.ends_with("_ids") {
            let Value::Array(ids) = &mut value.value else { return false };
            ids.retain(|n| !matches!(n.value, Value::Null));
            if ids.is_empty() {
                return false;
            }
            for n in ids.iter_mut() {
                let pos = n.pos;
                let id = std::mem::replace(n, Node { value: Value::Null, pos });
                *n = obj(vec![("id", Some(id))], pos);
            }
        }
        *key = Cow::Borrowed(arm);
        true
    });
}

fn children<'a>(r: &Res<'a>, attr: &str, separate: bool, item: impl Fn(F<'a>) -> Node) -> Option<Node> {
    let f = r.attr(attr);
    if !f.unknown() {
        return Some(arr(f.items().into_iter().map(item).collect(), f.pos));
    }
    if separate && !r.sets(attr) {
        Some(arr(Vec::new(), f.pos))
    } else {
        Some(r.unknown_node(attr, f.pos))
    }
}

fn delegations(r: &Res, f: F, attr: &str) -> Option<Node> {
    if f.unknown() {
        return r.sets(attr).then(|| r.unknown_node(attr, f.pos));
    }
    let items: Vec<Node> = f
        .items()
        .into_iter()
        .map(|d| {
            let service = d.get("service_delegation").block();
            obj(vec![("name", d.get("name").known().cloned()), ("serviceName", service.get("name").known().cloned())], d.pos)
        })
        .collect();
    (!items.is_empty()).then(|| arr(items, f.pos))
}

fn service_endpoints(f: F) -> Option<Node> {
    let items: Vec<Node> = f.items().into_iter().filter_map(|e| e.known().cloned()).map(|n| obj(vec![("service", Some(n.clone()))], n.pos)).collect();
    (!items.is_empty()).then(|| arr(items, f.pos))
}

fn s(text: String, pos: Pos) -> Node {
    Node { value: Value::String(Cow::Owned(text)), pos }
}

fn arr(items: Vec<Node>, pos: Pos) -> Node {
    Node { value: Value::Array(items), pos }
}

fn obj(members: Vec<(&'static str, Option<Node>)>, pos: Pos) -> Node {
    Node { value: Value::Object(members.into_iter().filter_map(|(k, v)| v.map(|v| (Cow::Borrowed(k), v))).collect()), pos }
}

/// Positions inside a JSON string (azapi 1.x `body`) are those of the string.
fn relocate(n: &mut Node, pos: Pos, depth: usize) {
    n.pos = pos;
    if depth > crate::json::MAX_DEPTH {
        return;
    }
    match &mut n.value {
        Value::Array(items) => items.iter_mut().for_each(|i| relocate(i, pos, depth.saturating_add(1))),
        Value::Object(members) => members.iter_mut().for_each(|(_, v)| relocate(v, pos, depth.saturating_add(1))),
        _ => {}
    }
}

/// Writes a reader's ARM pointer suffix under a Terraform resource's `values` in Terraform's
/// attribute names (`/securityRules/0/sourceAddressPrefix` is
/// `/security_rule/0/source_address_prefix`).
pub(super) fn attribute_pointer(out: &mut String, suffix: &str) {
    for part in suffix.split('/').filter(|p| !p.is_empty() && *p != "properties") {
        out.push('/');
        let mapped = match part {
            "securityRules" => "security_rule",
            "subnets" => "subnet",
            "routes" => "route",
            "delegations" => "delegation",
            "addressSpace" => "address_space",
            "nextHopIpAddress" => "next_hop_in_ip_address",
            "sourceApplicationSecurityGroups" => "source_application_security_group_ids",
            "destinationApplicationSecurityGroups" => "destination_application_security_group_ids",
            "networkSecurityGroup" => "security_group",
            "subnet" => "subnet_resource_id",
            _ => "",
        };
        if !mapped.is_empty() {
            out.push_str(mapped);
            continue;
        }
        // camelCase to snake_case: the runs between capitals as they are.
        let mut rest = part;
        while let Some(at) = rest.find(|c: char| c.is_ascii_uppercase()) {
            let (run, capital) = rest.split_at(at);
            out.push_str(run);
            out.push('_');
            let mut chars = capital.chars();
            out.extend(chars.next().map(|c| c.to_ascii_lowercase()));
            rest = chars.as_str();
        }
        out.push_str(rest);
    }
}
