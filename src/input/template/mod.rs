//! ARM templates evaluated as Azure does, for what real templates use.
//!
//! `flatten` turns a template into the resources it would deploy, with their expressions
//! evaluated: `copy` loops (resource, property, variable and output level, named loops,
//! `copyIndex`), `condition`, languageVersion 2.0 (symbolic resources, `existing`),
//! user-defined functions, lambdas, nested deployments with inner or outer scope and
//! `reference(...).outputs`. What can't be known stays unknown: a value becomes
//! `Value::Unresolved` with a symbolic text (`nsg-<prefix>`), so names still link while
//! checks that need the value say "unknown"; a loop whose count can't be evaluated makes
//! no resource and a note (AML-INP-005), once per cause.
//!
//! Bounded: every evaluation step and every value built is charged to one budget
//! proportional to the template's size, values are capped in size and depth, expression
//! and evaluation nesting are capped, and nested deployments' outputs are memoised with
//! cycle detection. A template that exceeds the budget gets a note naming where it
//! stopped, and everything evaluated after that is unresolved.

mod expr;
mod func;

use crate::input::DEPLOYMENT_REGION;
use crate::json::{format_number, Node, Pos, Value};
use expr::Ex;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

/// A resource found in a template, with its expressions evaluated.
pub struct FlatResource {
    pub node: Node,
    /// JSON pointer of the resource (the loop body for a copy) in the document.
    pub pointer: String,
    /// The copy iteration that made it, if any.
    pub iteration: Option<usize>,
    /// Its `condition` could not be evaluated: it may or may not be deployed.
    pub conditional: bool,
}

/// Notes about what could not be evaluated (AML-INP-005).
pub struct TemplateNote {
    pub message: String,
    pub pointer: String,
    pub pos: Pos,
}

/// ARM's limit on the iterations of one copy loop.
pub const MAX_COPIES: usize = 800;
/// Largest computed value, in weight units (about a node or eight bytes of text each).
pub const MAX_VALUE_WEIGHT: u64 = 1 << 20;
/// Deepest computed value (parsed JSON is limited to `json::MAX_DEPTH`).
pub const MAX_VALUE_DEPTH: usize = crate::json::MAX_DEPTH + 16;
/// Deepest evaluation (JSON nesting, expression nesting and variable chains together).
const MAX_NESTING: usize = 160;
/// Nested deployments followed.
const MAX_DEPLOYMENT_LEVELS: usize = 16;
/// Notes kept per template.
const MAX_NOTES: usize = 100;

/// Work units a template may cost: a fixed floor plus a multiple of its size.
pub fn budget_for(template: &Node) -> u64 {
    let (weight, _) = measure(template, u64::MAX);
    4_000_000u64.saturating_add(weight.saturating_mul(64))
}

/// Which resource types the caller reads (lower-case full type); the others are listed
/// by type and name only, never evaluated further, so their expressions cost nothing and
/// note nothing.
pub type Interest = fn(&str) -> bool;

/// Flattens a template (and every nested inline deployment) into resources.
pub fn flatten(template: &Node, parameters_file: Option<&Node>, interest: Interest) -> (Vec<FlatResource>, Vec<TemplateNote>) {
    let budget = budget_for(template);
    let mut given = HashMap::new();
    if let Some(file) = parameters_file.and_then(|f| f.get("parameters")).and_then(|p| p.as_object()) {
        for (name, value) in file {
            if let Some(v) = value.get("value") {
                given.insert(name.to_ascii_lowercase(), v.clone());
            } else if value.get("reference").is_some() {
                given.insert(name.to_ascii_lowercase(), unresolved(&format!("<{name} from Key Vault>"), value.pos));
            }
        }
    }
    let ctx = Ctx {
        left: Cell::new(budget),
        stopped: Cell::new(false),
        nesting: Cell::new(0),
        notes: RefCell::new(Vec::new()),
        causes: RefCell::new(HashSet::new()),
        outputs: RefCell::new(HashMap::new()),
        interest,
    };
    let scope = Scope::new(&ctx, template, given, None, String::new());
    let mut out = Vec::new();
    scope.collect(template, "", &Locals::default(), &mut out, 0, false);
    (out, ctx.notes.into_inner())
}

/// State shared by every scope of one flattening: the budget and the notes.
struct Ctx {
    left: Cell<u64>,
    stopped: Cell<bool>,
    nesting: Cell<usize>,
    notes: RefCell<Vec<TemplateNote>>,
    /// Causes already noted (one note per cause, not per use).
    causes: RefCell<HashSet<String>>,
    /// Outputs of nested deployments, by scope and deployment (`Null` while evaluating:
    /// a cycle).
    outputs: RefCell<HashMap<String, Node>>,
    interest: Interest,
}

impl Ctx {
    /// Charges work; false once the budget is spent (and notes it once).
    fn charge(&self, units: u64, pointer: &str, pos: Pos) -> bool {
        if self.stopped.get() {
            return false;
        }
        match self.left.get().checked_sub(units) {
            Some(left) => {
                self.left.set(left);
                true
            }
            None => {
                self.stopped.set(true);
                self.note_cause(
                    "budget".into(),
                    "evaluation stopped here: the template needs more work than its size allows (a loop or a value that grows without bound); everything evaluated after this point is unknown".into(),
                    pointer,
                    pos,
                );
                false
            }
        }
    }

    fn note_cause(&self, cause: String, message: String, pointer: &str, pos: Pos) {
        let mut notes = self.notes.borrow_mut();
        if notes.len() >= MAX_NOTES || !self.causes.borrow_mut().insert(cause) {
            return;
        }
        notes.push(TemplateNote { message, pointer: pointer.to_string(), pos });
    }

    /// Enters one level of nesting; false when too deep.
    fn enter(&self) -> bool {
        let n = self.nesting.get();
        if n >= MAX_NESTING {
            return false;
        }
        self.nesting.set(n.saturating_add(1));
        true
    }

    fn leave(&self) {
        self.nesting.set(self.nesting.get().saturating_sub(1));
    }
}

/// Loop indexes and lambda variables visible to an expression.
#[derive(Clone, Default)]
struct Locals {
    /// Enclosing copy loops, innermost last: (loop name, index).
    copies: Vec<(Option<String>, usize)>,
    /// Lambda variables, innermost last.
    lambdas: Vec<(String, Node)>,
    /// Inside a user-defined function: its parameters (nothing else is visible).
    function: Option<Vec<(String, Node)>>,
}

impl Locals {
    fn with_copy(&self, name: Option<&str>, index: usize) -> Locals {
        let mut l = self.clone();
        l.copies.push((name.map(str::to_ascii_lowercase), index));
        l
    }
}

struct Scope<'a> {
    ctx: &'a Ctx,
    template: &'a Node,
    /// Identifies the scope in memo keys.
    id: String,
    params: HashMap<String, Node>,
    /// Parameters a nested deployment passes in, evaluated in `outer` on first use.
    passed: Vec<(String, &'a Node, Locals, String)>,
    param_cache: RefCell<HashMap<String, Node>>,
    var_cache: RefCell<HashMap<String, Node>>,
    /// The scope the template is nested in (for `reference()` to sibling deployments).
    outer: Option<&'a Scope<'a>>,
}

impl<'a> Scope<'a> {
    fn new(ctx: &'a Ctx, template: &'a Node, params: HashMap<String, Node>, outer: Option<&'a Scope<'a>>, id: String) -> Scope<'a> {
        Scope { ctx, template, id, params, passed: Vec::new(), param_cache: RefCell::new(HashMap::new()), var_cache: RefCell::new(HashMap::new()), outer }
    }

    fn note(&self, cause: String, message: String, pointer: &str, pos: Pos) {
        self.ctx.note_cause(format!("{}|{cause}", self.id), message, pointer, pos);
    }

    /// The template's resources with their pointers: an array, or (languageVersion 2.0)
    /// an object keyed by symbolic name.
    fn resources_of(template: &'a Node, base: &str) -> Vec<(String, Option<&'a str>, &'a Node)> {
        match template.get("resources").map(|r| &r.value) {
            Some(Value::Array(a)) => a.iter().enumerate().map(|(i, n)| (format!("{base}/resources/{i}"), None, n)).collect(),
            Some(Value::Object(m)) => m.iter().map(|(k, n)| (format!("{base}/resources/{}", escape_pointer(k)), Some(k.as_ref()), n)).collect(),
            _ => Vec::new(),
        }
    }

    fn collect(&self, template: &Node, base: &str, locals: &Locals, out: &mut Vec<FlatResource>, level: usize, conditional: bool) {
        for (pointer, _, resource) in Scope::resources_of(template, base) {
            self.collect_resource(resource, Site { pointer: &pointer, parent: None, level, conditional }, locals, out);
        }
    }

    /// The iterations of a resource's `copy` (one, without a loop); `None` when the count
    /// can't be known (noted).
    fn iterations(&self, resource: &Node, pointer: &str, locals: &Locals) -> Option<Vec<Locals>> {
        let Some(copy) = resource.get("copy") else { return Some(vec![locals.clone()]) };
        let name = copy.get("name").map(|n| self.resolve(n, pointer, locals)).and_then(|n| n.as_str().map(String::from));
        let label = name.clone().unwrap_or_else(|| "copy".into());
        let count = self.loop_count(copy.get("count"), &label, pointer, locals, copy.pos)?;
        Some((0..count).map(|i| locals.with_copy(name.as_deref(), i)).collect())
    }

    /// A loop's count: a whole number from 0 to 800, or `None` with a note.
    fn loop_count(&self, count: Option<&Node>, label: &str, pointer: &str, locals: &Locals, pos: Pos) -> Option<usize> {
        let value = count.map(|c| self.resolve(c, pointer, locals));
        match value.as_ref().map(|v| &v.value) {
            Some(Value::Number(n)) if n.fract() == 0.0 && *n >= 0.0 && *n <= MAX_COPIES as f64 => Some(*n as usize),
            Some(Value::Number(n)) if *n > MAX_COPIES as f64 => {
                self.note(
                    format!("copy-limit {pointer}"),
                    format!(
                        "copy loop `{label}` asks for {} copies, more than ARM's limit of {MAX_COPIES}: Azure rejects the template; its items are not read",
                        format_number(*n)
                    ),
                    pointer,
                    pos,
                );
                None
            }
            other => {
                let what = other.map(|v| Node { value: v.clone(), pos }.describe()).unwrap_or_else(|| "missing".into());
                self.note(
                    format!("copy-count {pointer}"),
                    format!("copy loop `{label}`: its count is {what}, so what it creates is unknown and not read"),
                    pointer,
                    pos,
                );
                None
            }
        }
    }

    fn collect_resource(&self, resource: &Node, site: Site<'_>, locals: &Locals, out: &mut Vec<FlatResource>) {
        let Site { pointer, parent, level, conditional } = site;
        if !resource.is_object() || !self.ctx.charge(1, pointer, resource.pos) {
            return;
        }
        // languageVersion 2.0: a resource that already exists is not deployed here.
        if resource.get("existing").and_then(|e| e.as_bool()) == Some(true) {
            return;
        }
        // A type the caller doesn't read: listed by type and name, nothing evaluated.
        let kind = resource.get("type").map(|t| self.resolve(t, pointer, locals)).map(|t| symbolic(&t)).unwrap_or_default();
        let full_kind = match parent {
            Some((parent_type, _)) if !kind.contains('.') => format!("{parent_type}/{kind}"),
            _ => kind.clone(),
        };
        let lower = full_kind.to_ascii_lowercase();
        if lower != "microsoft.resources/deployments" && !(self.ctx.interest)(&lower) {
            let name = match resource.get("name") {
                Some(n) if resource.get("copy").is_none() => self.resolve(n, pointer, locals),
                _ => unresolved("<name>", resource.pos),
            };
            let node = Node {
                value: Value::Object(vec![("type".into(), Node { value: Value::String(full_kind.into()), pos: resource.pos }), ("name".into(), name)]),
                pos: resource.pos,
            };
            out.push(FlatResource { node, pointer: pointer.to_string(), iteration: None, conditional });
            return;
        }
        if lower == "microsoft.resources/deployments" {
            if let Some(inner) = resource.get("properties").and_then(|p| p.get("template")) {
                if !deploys_any(inner, self.ctx.interest) {
                    // Nothing inside is read (role assignments, DNS records, …): skip it.
                    return;
                }
            }
        }
        let Some(iterations) = self.iterations(resource, pointer, locals) else { return };
        let looped = resource.get("copy").is_some();
        for (i, locals) in iterations.iter().enumerate() {
            let mut maybe = conditional;
            if let Some(cond) = resource.get("condition") {
                let c = self.resolve(cond, pointer, locals);
                match c.value {
                    Value::Bool(false) => continue,
                    Value::Bool(true) => {}
                    _ => {
                        self.note(
                            format!("condition {pointer}"),
                            format!("the resource's `condition` is {}: it may or may not be deployed; it is read as deployed, and its rules only as a source of doubt", c.describe()),
                            pointer,
                            cond.pos,
                        );
                        maybe = true;
                    }
                }
            }
            let iteration = looped.then_some(i);
            if lower == "microsoft.resources/deployments" {
                self.collect_deployment(resource, pointer, locals, out, level, maybe);
            } else {
                self.collect_one(resource, Site { conditional: maybe, ..site }, locals, iteration, out);
            }
        }
    }

    fn collect_one(&self, resource: &Node, site: Site<'_>, locals: &Locals, iteration: Option<usize>, out: &mut Vec<FlatResource>) {
        let Site { pointer, parent, level, conditional } = site;
        let mut node = self.resolve_resource(resource, pointer, locals);
        // Child resources declared inside their parent with short type and name.
        if let (Some((parent_type, parent_name)), Value::Object(members)) = (parent, &mut node.value) {
            for (key, value) in members.iter_mut() {
                if key.eq_ignore_ascii_case("type") {
                    if let Value::String(t) = &value.value {
                        if !t.contains('/') || !t.contains('.') {
                            value.value = Value::String(format!("{parent_type}/{t}").into());
                        }
                    }
                }
                if key.eq_ignore_ascii_case("name") {
                    let short = match &value.value {
                        Value::String(s) | Value::Unresolved(s) => s.to_string(),
                        _ => String::new(),
                    };
                    if !short.contains('/') {
                        let full = format!("{parent_name}/{short}");
                        value.value = if value.is_unresolved() { Value::Unresolved(full.into()) } else { Value::String(full.into()) };
                    }
                }
            }
        }
        let full_type = node.get("type").and_then(|t| t.as_str()).unwrap_or_default().to_string();
        let node_is_string = |n: Option<&Node>| n.is_some_and(|n| n.as_str().is_some());
        let full_name = match node.get("name").map(|n| &n.value) {
            Some(Value::String(s) | Value::Unresolved(s)) => s.to_string(),
            _ => String::new(),
        };
        // Its resource ID, as `resourceId()` writes it (placeholders for subscription and
        // group), so that references built by `resourceId()` link to it by ID, not by name.
        if let (Value::Object(members), false) = (&mut node.value, full_type.is_empty() || full_name.is_empty()) {
            let named = node_is_string(members.iter().find(|(k, _)| k.eq_ignore_ascii_case("name")).map(|(_, v)| v));
            if named && !members.iter().any(|(k, _)| k.eq_ignore_ascii_case("id")) {
                let mut parts = vec![func::string(full_type.clone(), resource.pos)];
                parts.extend(full_name.split('/').map(|n| func::string(n.to_string(), resource.pos)));
                let id = func::resource_id("resourceid", &parts, resource.pos);
                if id.as_str().is_some() {
                    members.push(("id".into(), id));
                }
            }
        }
        out.push(FlatResource { node, pointer: pointer.to_string(), iteration, conditional });
        // Child resources are flattened from the raw template, with their own conditions.
        if let Some(raw_children) = resource.get("resources").and_then(|r| r.as_array()) {
            for (i, child) in raw_children.iter().enumerate() {
                let child_pointer = format!("{pointer}/resources/{i}");
                let site = Site { pointer: &child_pointer, parent: Some((&full_type, &full_name)), level, conditional };
                self.collect_resource(child, site, locals, out);
            }
        }
    }

    fn collect_deployment(&self, resource: &Node, pointer: &str, locals: &Locals, out: &mut Vec<FlatResource>, level: usize, conditional: bool) {
        let props = resource.get("properties");
        let Some(inner) = props.and_then(|p| p.get("template")) else {
            if props.and_then(|p| p.get("templateLink")).is_some() {
                self.note(
                    format!("link {pointer}"),
                    "a linked template (`templateLink`) is not fetched: paste the linked template as its own document; what it deploys is unknown".into(),
                    pointer,
                    resource.pos,
                );
            }
            return;
        };
        if level >= MAX_DEPLOYMENT_LEVELS {
            self.note(
                format!("levels {pointer}"),
                format!("nested deployments deeper than {MAX_DEPLOYMENT_LEVELS} levels are not read"),
                pointer,
                resource.pos,
            );
            return;
        }
        let inner_pointer = format!("{pointer}/properties/template");
        match self.deployment_scope(resource, pointer, locals) {
            Some(scope) => scope.collect(inner, &inner_pointer, &Locals::default(), out, level.saturating_add(1), conditional),
            // Outer scope: the inner template's expressions see this scope.
            None => self.collect(inner, &inner_pointer, locals, out, level.saturating_add(1), conditional),
        }
    }

    /// The scope of a nested deployment with `inner` evaluation: parameters passed in are
    /// evaluated here. `None` for outer scope (the ARM default), which shares this one.
    fn deployment_scope<'s>(&'s self, resource: &'s Node, pointer: &str, locals: &Locals) -> Option<Scope<'s>> {
        let props = resource.get("properties");
        let inner = props.and_then(|p| p.get("template"))?;
        let inner_scope = props
            .and_then(|p| p.get("expressionEvaluationOptions"))
            .and_then(|o| o.get("scope"))
            .and_then(|s| s.as_str())
            .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
        if !inner_scope {
            return None;
        }
        let mut params = HashMap::new();
        let mut passed = Vec::new();
        if let Some(given) = props.and_then(|p| p.get("parameters")).and_then(|p| p.as_object()) {
            for (name, value) in given {
                if let Some(v) = value.get("value") {
                    // Evaluated here when first used inside (most are never needed).
                    passed.push((name.to_ascii_lowercase(), v, locals.clone(), format!("{pointer}/properties/parameters/{}/value", escape_pointer(name))));
                } else if value.get("reference").is_some() {
                    params.insert(name.to_ascii_lowercase(), unresolved(&format!("<{name} from Key Vault>"), value.pos));
                }
            }
        }
        let index: String = locals.copies.iter().map(|(_, i)| format!("[{i}]")).collect();
        let mut scope = Scope::new(self.ctx, inner, params, Some(self), format!("{}{pointer}{index}", self.id));
        scope.passed = passed;
        Some(scope)
    }

    /// Evaluates a resource's expressions, leaving out its child `resources` (flattened on
    /// their own) and its loop and condition.
    fn resolve_resource(&self, resource: &Node, pointer: &str, locals: &Locals) -> Node {
        match &resource.value {
            Value::Object(members) => Node {
                value: Value::Object(
                    members
                        .iter()
                        .filter(|(k, _)| !["resources", "copy", "condition", "dependsOn"].iter().any(|x| k.eq_ignore_ascii_case(x)))
                        .map(|(k, n)| (k.clone(), self.resolve(n, &format!("{pointer}/{}", escape_pointer(k)), locals)))
                        .collect(),
                ),
                pos: resource.pos,
            },
            _ => self.resolve(resource, pointer, locals),
        }
    }

    /// Evaluates every expression inside a value, and property `copy` loops.
    fn resolve(&self, node: &Node, pointer: &str, locals: &Locals) -> Node {
        if !self.ctx.charge(1, pointer, node.pos) {
            return unresolved("<evaluation stopped>", node.pos);
        }
        if !self.ctx.enter() {
            self.note("nesting".into(), "values nested too deeply to evaluate are unknown".into(), pointer, node.pos);
            return unresolved("<nested too deeply>", node.pos);
        }
        let result = match &node.value {
            Value::String(s) => match expr::classify(s) {
                expr::Text::Literal(lit) => Node { value: Value::String(lit.into_owned().into()), pos: node.pos },
                expr::Text::Expression(text) => self.evaluate_text(text, node.pos, pointer, locals),
            },
            Value::Array(items) => {
                Node { value: Value::Array(items.iter().enumerate().map(|(i, n)| self.resolve(n, &format!("{pointer}/{i}"), locals)).collect()), pos: node.pos }
            }
            Value::Object(members) => {
                let mut out: Vec<(crate::json::Text, Node)> = Vec::with_capacity(members.len());
                for (k, n) in members {
                    let p = format!("{pointer}/{}", escape_pointer(k));
                    if k.eq_ignore_ascii_case("copy") {
                        if let Some(loops) = property_loops(n) {
                            for (name, count, input) in loops {
                                let value = self.property_loop(name, count, input, &p, locals, n.pos);
                                let key: crate::json::Text = name.to_string().into();
                                out.retain(|(k, _)| !k.eq_ignore_ascii_case(&key));
                                out.push((key, value));
                            }
                            continue;
                        }
                    }
                    let value = self.resolve(n, &p, locals);
                    out.push((k.clone(), value));
                }
                Node { value: Value::Object(out), pos: node.pos }
            }
            _ => node.clone(),
        };
        self.ctx.leave();
        result
    }

    /// A property (or variable) loop: `{name, count, input}` gives `name: [input…]`.
    fn property_loop(&self, name: &str, count: Option<&Node>, input: &Node, pointer: &str, locals: &Locals, pos: Pos) -> Node {
        let Some(count) = self.loop_count(count, name, pointer, locals, pos) else {
            return unresolved(&format!("<copy loop {name}>"), pos);
        };
        let items: Vec<Node> = (0..count).map(|i| self.resolve(input, &format!("{pointer}/input"), &locals.with_copy(Some(name), i))).collect();
        if items.iter().any(Node::is_unresolved) {
            // An item that is entirely unknown leaves the whole list unknown.
            return unresolved(&format!("<copy loop {name}>"), pos);
        }
        Node { value: Value::Array(items), pos }
    }

    fn evaluate_text(&self, text: &str, pos: Pos, pointer: &str, locals: &Locals) -> Node {
        if !self.ctx.charge((text.len() as u64 / 8).saturating_add(1), pointer, pos) {
            return unresolved("<evaluation stopped>", pos);
        }
        match expr::parse(text) {
            Some(e) => self.eval(&e, pos, pointer, locals),
            None => {
                self.note(
                    format!("syntax {text}"),
                    format!(
                        "the expression `[{}]` could not be read (syntax, or nested deeper than {} levels)",
                        crate::json::truncate(text, 80),
                        expr::MAX_EXPR_DEPTH
                    ),
                    pointer,
                    pos,
                );
                unresolved(&format!("[{}]", crate::json::truncate(text, 80)), pos)
            }
        }
    }

    /// A computed value, checked against the size and depth caps and charged.
    fn checked(&self, node: Node, what: &str, pointer: &str) -> Node {
        let (weight, depth) = measure(&node, MAX_VALUE_WEIGHT);
        if !self.ctx.charge(weight, pointer, node.pos) {
            return unresolved("<evaluation stopped>", node.pos);
        }
        if weight > MAX_VALUE_WEIGHT || depth > MAX_VALUE_DEPTH {
            let why = if weight > MAX_VALUE_WEIGHT { "would build a value of more than 8 MB" } else { "would build a value nested too deeply" };
            self.note(format!("size {what} {pointer}"), format!("evaluation stopped: `{what}(…)` {why}; the value is unknown"), pointer, node.pos);
            return unresolved(&format!("<{what}(…)>"), node.pos);
        }
        node
    }

    fn parameter(&self, name: &str, pos: Pos, pointer: &str, locals: &Locals) -> Node {
        if let Some(params) = &locals.function {
            return match params.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
                Some((_, v)) => Node { value: v.value.clone(), pos },
                None => unresolved(&format!("<{name}>"), pos),
            };
        }
        let key = name.to_ascii_lowercase();
        let declared = self.template.get("parameters").and_then(|p| p.get(name));
        if let Some(v) = self.params.get(&key) {
            return self.checked(Node { value: v.value.clone(), pos }, "parameters", pointer);
        }
        if let Some(v) = self.param_cache.borrow().get(&key) {
            return self.checked(Node { value: v.value.clone(), pos }, "parameters", pointer);
        }
        // A scan (deployments pass a handful), charged so that no template makes it slow.
        if !self.ctx.charge(self.passed.len() as u64 / 4, pointer, pos) {
            return unresolved("<evaluation stopped>", pos);
        }
        let passed = self.passed.iter().find(|(k, ..)| *k == key).zip(self.outer);
        let value = match declared.and_then(|d| d.get("defaultValue")) {
            _ if passed.is_some() => {
                self.param_cache.borrow_mut().insert(key.clone(), unresolved(&format!("<{name}>"), pos));
                match passed {
                    Some(((_, raw, locals, at), outer)) => outer.resolve(raw, at, locals),
                    None => unresolved(&format!("<{name}>"), pos),
                }
            }
            Some(default) => {
                self.param_cache.borrow_mut().insert(key.clone(), unresolved(&format!("<{name}>"), pos));
                self.resolve(default, pointer, &Locals::default())
            }
            None if declared.and_then(|d| d.get("nullable")).and_then(|n| n.as_bool()) == Some(true) => Node { value: Value::Null, pos },
            None => {
                let why = if declared.is_some() { "has no value (no defaultValue, and no parameters file sets it)" } else { "is not declared" };
                self.note(
                    format!("param {key}"),
                    format!("parameter `{name}` {why}: every value built from it is unknown; paste the parameters file to evaluate it"),
                    &declared.map_or_else(|| pointer.to_string(), |_| format!("/parameters/{}", escape_pointer(name))),
                    declared.map_or(pos, |d| d.pos),
                );
                unresolved(&format!("<{name}>"), pos)
            }
        };
        self.param_cache.borrow_mut().insert(key, value.clone());
        Node { value: value.value, pos }
    }

    fn variable(&self, name: &str, pos: Pos, pointer: &str) -> Node {
        let key = name.to_ascii_lowercase();
        if let Some(v) = self.var_cache.borrow().get(&key) {
            return self.checked(Node { value: v.value.clone(), pos }, "variables", pointer);
        }
        let vars = self.template.get("variables");
        let raw = vars.and_then(|v| v.as_object()).and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(name) && !k.eq_ignore_ascii_case("copy")));
        self.var_cache.borrow_mut().insert(key.clone(), unresolved(&format!("<variable {name}>"), pos));
        let value = match raw {
            Some((k, raw)) => self.resolve(raw, &format!("/variables/{}", escape_pointer(k)), &Locals::default()),
            None => {
                // A variable-level copy: `variables.copy: [{name, count, input}]`.
                let looped =
                    vars.and_then(|v| v.get("copy")).and_then(property_loops).and_then(|l| l.into_iter().find(|(n, _, _)| n.eq_ignore_ascii_case(name)));
                match looped {
                    Some((n, count, input)) => self.property_loop(n, count, input, "/variables/copy", &Locals::default(), pos),
                    None => {
                        self.note(format!("var {key}"), format!("variable `{name}` is not declared"), pointer, pos);
                        unresolved(&format!("<variable {name}>"), pos)
                    }
                }
            }
        };
        self.var_cache.borrow_mut().insert(key, value.clone());
        Node { value: value.value, pos }
    }

    /// `reference(x)`: the outputs of a nested deployment named by resource ID or (2.0)
    /// symbolic name, in this scope or an enclosing one. Anything else is a runtime value.
    fn reference(&self, target: &Node, pos: Pos) -> Node {
        // An unresolved ID still matches a deployment whose name was built from the same
        // unknown values (the same symbolic text).
        let id = symbolic(target);
        let lower = id.to_ascii_lowercase();
        let by_id =
            lower.find("microsoft.resources/deployments/").map(|i| id.get(i.saturating_add("microsoft.resources/deployments/".len())..).unwrap_or_default());
        // A symbolic name, possibly indexed: `name` or `name[2]`.
        let (symbol, symbol_index) = match id.split_once('[') {
            Some((s, rest)) => (s, rest.trim_end_matches(']').trim().parse::<usize>().ok()),
            None => (id.as_str(), None),
        };
        for (rpointer, key, resource) in Scope::resources_of(self.template, "") {
            let is_deployment = resource.get("type").and_then(|t| t.as_str()).is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.Resources/deployments"));
            let symbolic_match = key.is_some_and(|k| k.eq_ignore_ascii_case(symbol)) && by_id.is_none();
            if !is_deployment && !symbolic_match {
                continue;
            }
            let iterations = match self.iterations(resource, &rpointer, &Locals::default()) {
                Some(it) => it,
                None => continue,
            };
            for (i, locals) in iterations.iter().enumerate() {
                let hit = match by_id {
                    Some(wanted) => {
                        let name = resource.get("name").map(|n| self.resolve(n, &rpointer, locals)).map(|n| symbolic(&n)).unwrap_or_default();
                        name.eq_ignore_ascii_case(wanted)
                    }
                    None => symbolic_match && symbol_index.is_none_or(|s| s == i),
                };
                if !hit {
                    continue;
                }
                if !is_deployment {
                    return unresolved(&format!("<reference({id})>"), pos);
                }
                return self.deployment_outputs(resource, &rpointer, locals, i, pos);
            }
        }
        if let Some(outer) = self.outer {
            return outer.reference(target, pos);
        }
        unresolved(&format!("<reference({id})>"), pos)
    }

    /// `{ outputs: { name: { value } } }` of a nested deployment, memoised.
    fn deployment_outputs(&self, resource: &Node, rpointer: &str, locals: &Locals, iteration: usize, pos: Pos) -> Node {
        let key = format!("{}{rpointer}#{iteration}", self.id);
        let memo = self.ctx.outputs.borrow().get(&key).cloned();
        if let Some(memo) = memo {
            if matches!(memo.value, Value::Null) {
                self.note(format!("cycle {key}"), "nested deployments refer to each other's outputs in a cycle; the values are unknown".into(), rpointer, pos);
                return unresolved("<reference cycle>", pos);
            }
            return self.checked(Node { value: memo.value, pos }, "reference", rpointer);
        }
        self.ctx.outputs.borrow_mut().insert(key.clone(), Node { value: Value::Null, pos });
        let inner = resource.get("properties").and_then(|p| p.get("template"));
        let owned_scope = self.deployment_scope(resource, rpointer, locals);
        let scope = owned_scope.as_ref().unwrap_or(self);
        let inner_locals = if owned_scope.is_some() { Locals::default() } else { locals.clone() };
        let mut members = Vec::new();
        if let Some(outs) = inner.and_then(|t| t.get("outputs")).and_then(|o| o.as_object()) {
            for (name, out) in outs {
                let p = format!("{rpointer}/properties/template/outputs/{}", escape_pointer(name));
                let value = match (out.get("copy"), out.get("value")) {
                    (Some(copy), _) => match copy.get("input") {
                        Some(input) => scope.property_loop(name, copy.get("count"), input, &p, &inner_locals, out.pos),
                        None => unresolved(&format!("<output {name}>"), pos),
                    },
                    (None, Some(v)) => scope.resolve(v, &p, &inner_locals),
                    (None, None) => unresolved(&format!("<output {name}>"), pos),
                };
                members.push((name.clone(), Node { value: Value::Object(vec![("value".into(), value)]), pos }));
            }
        }
        let node = Node { value: Value::Object(vec![("outputs".into(), Node { value: Value::Object(members), pos })]), pos };
        let node = self.checked(node, "reference", rpointer);
        self.ctx.outputs.borrow_mut().insert(key, node.clone());
        node
    }

    fn eval(&self, e: &Ex, pos: Pos, pointer: &str, locals: &Locals) -> Node {
        if !self.ctx.charge(1, pointer, pos) {
            return unresolved("<evaluation stopped>", pos);
        }
        if !self.ctx.enter() {
            self.note("nesting".into(), "values nested too deeply to evaluate are unknown".into(), pointer, pos);
            return unresolved("<nested too deeply>", pos);
        }
        let result = self.eval_inner(e, pos, pointer, locals);
        self.ctx.leave();
        result
    }

    fn eval_inner(&self, e: &Ex, pos: Pos, pointer: &str, locals: &Locals) -> Node {
        let v = |value: Value| Node { value, pos };
        match e {
            Ex::Str(s) => v(Value::String(s.clone().into())),
            Ex::Num(n) => v(Value::Number(*n)),
            Ex::Bool(b) => v(Value::Bool(*b)),
            Ex::Null => v(Value::Null),
            Ex::Member { base, name, safe } => {
                let b = self.eval(base, pos, pointer, locals);
                let got = match &b.value {
                    Value::Object(_) => match b.get(name) {
                        Some(n) => Node { value: n.value.clone(), pos },
                        None if *safe => v(Value::Null),
                        None => unresolved(&format!("<{}.{name}>", symbolic(&b)), pos),
                    },
                    Value::Null if *safe => v(Value::Null),
                    _ => unresolved(&format!("{}.{name}", symbolic(&b)), pos),
                };
                self.checked(got, "member", pointer)
            }
            Ex::Index { base, index, safe } => {
                let b = self.eval(base, pos, pointer, locals);
                let i = self.eval(index, pos, pointer, locals);
                let got = match (&b.value, &i.value) {
                    (Value::Array(items), Value::Number(n)) if n.fract() == 0.0 && *n >= 0.0 => match items.get(*n as usize) {
                        Some(item) => Node { value: item.value.clone(), pos },
                        None if *safe => v(Value::Null),
                        None => unresolved("<index out of range>", pos),
                    },
                    (Value::Object(_), Value::String(k)) => match b.get(k) {
                        Some(n) => Node { value: n.value.clone(), pos },
                        None if *safe => v(Value::Null),
                        None => unresolved(&format!("<{k}>"), pos),
                    },
                    (Value::Null, _) if *safe => v(Value::Null),
                    _ => unresolved(&format!("{}[{}]", symbolic(&b), symbolic(&i)), pos),
                };
                self.checked(got, "index", pointer)
            }
            Ex::Call(name, args) => {
                let lower = name.to_ascii_lowercase();
                let result = self.call(&lower, name, args, pos, pointer, locals);
                self.checked(result, name, pointer)
            }
        }
    }

    fn call(&self, lower: &str, name: &str, args: &[Ex], pos: Pos, pointer: &str, locals: &Locals) -> Node {
        let v = |value: Value| Node { value, pos };
        // Functions that must not evaluate all their arguments first.
        match lower {
            "if" => {
                let cond = args.first().map(|a| self.eval(a, pos, pointer, locals));
                let branch = |i: usize| args.get(i).map(|a| self.eval(a, pos, pointer, locals)).unwrap_or_else(|| unresolved("<if>", pos));
                return match cond.and_then(|c| c.as_bool()) {
                    Some(true) => branch(1),
                    Some(false) => branch(2),
                    None => {
                        // Unknown condition: known only if both branches agree.
                        let (a, b) = (branch(1), branch(2));
                        if !a.is_unresolved() && func::same(&a, &b) {
                            a
                        } else {
                            unresolved("<if(…)>", pos)
                        }
                    }
                };
            }
            "and" | "or" => {
                let short = lower == "or";
                let mut unknown = false;
                for a in args {
                    match self.eval(a, pos, pointer, locals).as_bool() {
                        Some(b) if b == short => return v(Value::Bool(short)),
                        Some(_) => {}
                        None => unknown = true,
                    }
                }
                return if unknown { unresolved(&format!("<{lower}(…)>"), pos) } else { v(Value::Bool(!short)) };
            }
            "lambda" => return unresolved("<lambda>", pos),
            "map" | "filter" | "reduce" | "sort" | "toobject" | "mapvalues" | "groupby" => return self.lambda_call(lower, args, pos, pointer, locals),
            _ => {}
        }
        let vals: Vec<Node> = args.iter().map(|a| self.eval(a, pos, pointer, locals)).collect();
        let s = |i: usize| vals.get(i).and_then(|n| n.as_str().map(String::from));
        match lower {
            "parameters" => match s(0) {
                Some(n) => self.parameter(&n, pos, pointer, locals),
                None => unresolved("<parameters(…)>", pos),
            },
            "variables" => match s(0) {
                Some(n) => self.variable(&n, pos, pointer),
                None => unresolved("<variables(…)>", pos),
            },
            "copyindex" => self.copy_index(&vals, pos, pointer, locals),
            "lambdavariables" => match s(0).and_then(|n| locals.lambdas.iter().rev().find(|(k, _)| k.eq_ignore_ascii_case(&n))) {
                Some((_, value)) => Node { value: value.value.clone(), pos },
                None => unresolved("<lambdaVariables(…)>", pos),
            },
            "reference" => match vals.first() {
                Some(target) => self.reference(target, pos),
                None => unresolved("<reference>", pos),
            },
            "resourcegroup" => v(Value::Object(vec![
                ("location".into(), Node { value: Value::String(DEPLOYMENT_REGION.into()), pos }),
                ("name".into(), Node { value: Value::String("<resource group>".into()), pos }),
                ("id".into(), Node { value: Value::String("/subscriptions/<subscription>/resourceGroups/<resource group>".into()), pos }),
            ])),
            "subscription" => v(Value::Object(vec![
                ("subscriptionId".into(), Node { value: Value::String("<subscription>".into()), pos }),
                ("id".into(), Node { value: Value::String("/subscriptions/<subscription>".into()), pos }),
                ("tenantId".into(), unresolved("<tenant>", pos)),
            ])),
            "deployment" => v(Value::Object(vec![
                ("name".into(), unresolved("<deployment>", pos)),
                ("location".into(), Node { value: Value::String(DEPLOYMENT_REGION.into()), pos }),
            ])),
            "tenant" => v(Value::Object(vec![("tenantId".into(), unresolved("<tenant>", pos))])),
            _ if lower.contains('.') => self.user_function(lower, name, vals, pos, pointer),
            _ => func::call(lower, name, &vals, pos),
        }
    }

    fn copy_index(&self, vals: &[Node], pos: Pos, pointer: &str, locals: &Locals) -> Node {
        let (name, offset) = match (vals.first().map(|n| &n.value), vals.get(1).map(|n| &n.value)) {
            (Some(Value::String(n)), Some(Value::Number(o))) => (Some(n.to_ascii_lowercase()), *o),
            (Some(Value::String(n)), None) => (Some(n.to_ascii_lowercase()), 0.0),
            (Some(Value::Number(o)), None) => (None, *o),
            (None, None) => (None, 0.0),
            _ => return unresolved("<copyIndex(…)>", pos),
        };
        let found = match &name {
            Some(n) => locals.copies.iter().rev().find(|(k, _)| k.as_deref() == Some(n.as_str())),
            None => locals.copies.last(),
        };
        match found {
            Some((_, i)) => Node { value: Value::Number(*i as f64 + offset.trunc()), pos },
            None => {
                self.note("copyindex".into(), "`copyIndex()` is used outside a loop it can name; its value is unknown".into(), pointer, pos);
                unresolved("<copyIndex()>", pos)
            }
        }
    }

    /// `map`, `filter`, `reduce`, `sort`, `toObject`, `mapValues`, `groupBy` with `lambda`.
    fn lambda_call(&self, lower: &str, args: &[Ex], pos: Pos, pointer: &str, locals: &Locals) -> Node {
        let lambda_of = |e: Option<&Ex>| -> Option<(Vec<String>, Ex)> {
            match e {
                Some(Ex::Call(n, parts)) if n.eq_ignore_ascii_case("lambda") => {
                    let (body, names) = parts.split_last()?;
                    let names: Option<Vec<String>> = names.iter().map(|p| if let Ex::Str(s) = p { Some(s.clone()) } else { None }).collect();
                    Some((names?, body.clone()))
                }
                _ => None,
            }
        };
        let apply = |lambda: &(Vec<String>, Ex), values: Vec<Node>| -> Node {
            let mut inner = locals.clone();
            for (name, value) in lambda.0.iter().zip(values) {
                inner.lambdas.push((name.clone(), value));
            }
            self.eval(&lambda.1, pos, pointer, &inner)
        };
        let input = args.first().map(|a| self.eval(a, pos, pointer, locals));
        let fail = || unresolved(&format!("<{lower}(…)>"), pos);
        if lower == "mapvalues" {
            let (Some(Value::Object(members)), Some(f)) = (input.map(|i| i.value), lambda_of(args.get(1))) else { return fail() };
            let out: Vec<(crate::json::Text, Node)> = members.into_iter().map(|(k, n)| (k, apply(&f, vec![n]))).collect();
            return Node { value: Value::Object(out), pos };
        }
        let Some(Value::Array(items)) = input.map(|i| i.value) else { return fail() };
        let with_index = |f: &(Vec<String>, Ex), item: Node, i: usize| {
            let mut vals = vec![item];
            if f.0.len() > 1 {
                vals.push(Node { value: Value::Number(i as f64), pos });
            }
            apply(f, vals)
        };
        match lower {
            "map" => {
                let Some(f) = lambda_of(args.get(1)) else { return fail() };
                Node { value: Value::Array(items.into_iter().enumerate().map(|(i, item)| with_index(&f, item, i)).collect()), pos }
            }
            "filter" => {
                let Some(f) = lambda_of(args.get(1)) else { return fail() };
                let mut out = Vec::new();
                for (i, item) in items.into_iter().enumerate() {
                    match with_index(&f, item.clone(), i).as_bool() {
                        Some(true) => out.push(item),
                        Some(false) => {}
                        None => return fail(),
                    }
                }
                Node { value: Value::Array(out), pos }
            }
            "reduce" => {
                let (Some(initial), Some(f)) = (args.get(1).map(|a| self.eval(a, pos, pointer, locals)), lambda_of(args.get(2))) else { return fail() };
                let mut acc = initial;
                for (i, item) in items.into_iter().enumerate() {
                    let mut vals = vec![acc, item];
                    if f.0.len() > 2 {
                        vals.push(Node { value: Value::Number(i as f64), pos });
                    }
                    acc = self.checked(apply(&f, vals), "reduce", pointer);
                    if acc.is_unresolved() {
                        return acc;
                    }
                }
                acc
            }
            "sort" => {
                let Some(f) = lambda_of(args.get(1)) else { return fail() };
                // Insertion by binary search: n log n comparisons, each charged.
                let mut out: Vec<Node> = Vec::with_capacity(items.len());
                for item in items {
                    let (mut lo, mut hi) = (0usize, out.len());
                    while lo < hi {
                        let mid = lo.saturating_add(hi.saturating_sub(lo) / 2);
                        let Some(pivot) = out.get(mid) else { return fail() };
                        match apply(&f, vec![item.clone(), pivot.clone()]).as_bool() {
                            Some(true) => hi = mid,
                            Some(false) => lo = mid.saturating_add(1),
                            None => return fail(),
                        }
                    }
                    out.insert(lo, item);
                }
                Node { value: Value::Array(out), pos }
            }
            "toobject" | "groupby" => {
                let Some(kf) = lambda_of(args.get(1)) else { return fail() };
                let vf = lambda_of(args.get(2));
                let mut out: Vec<(crate::json::Text, Node)> = Vec::new();
                for item in items {
                    let key = apply(&kf, vec![item.clone()]);
                    let Some(key) = key.as_str().map(String::from) else { return fail() };
                    if lower == "groupby" {
                        match out.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(&key)) {
                            Some((_, Node { value: Value::Array(list), .. })) => list.push(item),
                            _ => out.push((key.into(), Node { value: Value::Array(vec![item]), pos })),
                        }
                        continue;
                    }
                    let value = match &vf {
                        Some(f) => apply(f, vec![item]),
                        None => item,
                    };
                    out.retain(|(k, _)| !k.eq_ignore_ascii_case(&key));
                    out.push((key.into(), value));
                }
                Node { value: Value::Object(out), pos }
            }
            _ => fail(),
        }
    }

    /// A user-defined function (`functions[].members`): its output, with only its own
    /// parameters visible.
    fn user_function(&self, lower: &str, name: &str, vals: Vec<Node>, pos: Pos, pointer: &str) -> Node {
        let (ns, member) = lower.split_once('.').unwrap_or((lower, ""));
        let def = self
            .template
            .get("functions")
            .and_then(|f| f.as_array())
            .into_iter()
            .flatten()
            .filter(|f| f.get("namespace").and_then(|n| n.as_str()).is_some_and(|n| n.eq_ignore_ascii_case(ns)))
            .find_map(|f| f.get("members").and_then(|m| m.get(member)));
        let Some(def) = def else {
            return self.outer.map(|o| o.user_function(lower, name, vals.clone(), pos, pointer)).unwrap_or_else(|| unresolved(&format!("<{name}(…)>"), pos));
        };
        let names: Vec<String> = def
            .get("parameters")
            .and_then(|p| p.as_array())
            .into_iter()
            .flatten()
            .filter_map(|p| p.get("name").and_then(|n| n.as_str()).map(String::from))
            .collect();
        let locals = Locals { function: Some(names.into_iter().zip(vals).collect()), ..Locals::default() };
        match def.get("output").and_then(|o| o.get("value")) {
            Some(body) => self.resolve(body, pointer, &locals),
            None => unresolved(&format!("<{name}(…)>"), pos),
        }
    }
}

/// Whether a template declares, anywhere inside, a resource type the caller reads
/// (types written as expressions count, since they can't be ruled out).
fn deploys_any(template: &Node, interest: Interest) -> bool {
    // Resources (array, or object keyed by symbolic name), and nested templates inside.
    let mut stack = vec![template];
    while let Some(t) = stack.pop() {
        let resources: Vec<&Node> = match t.get("resources").map(|r| &r.value) {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(Value::Object(members)) => members.iter().map(|(_, v)| v).collect(),
            _ => Vec::new(),
        };
        for r in resources {
            if let Some(kind) = r.get("type").and_then(|k| k.as_str()) {
                let kind = kind.to_ascii_lowercase();
                if kind.starts_with('[') || (kind != "microsoft.resources/deployments" && interest(&kind)) {
                    return true;
                }
                if !kind.contains('.') {
                    // A child with a short type: its parent decides; keep it.
                    return true;
                }
            }
            if let Some(inner) = r.get("properties").and_then(|p| p.get("template")) {
                stack.push(inner);
            }
            // Child resources declared inside their parent.
            if r.get("resources").is_some() {
                stack.push(r);
            }
        }
    }
    false
}

/// The loops of a property `copy` array: (name, count, input) for each well-formed one.
fn property_loops(n: &Node) -> Option<Vec<(&str, Option<&Node>, &Node)>> {
    let items = n.as_array()?;
    items.iter().map(|l| Some((l.get("name")?.as_str()?, l.get("count"), l.get("input")?))).collect()
}

fn unresolved(text: &str, pos: Pos) -> Node {
    Node { value: Value::Unresolved(crate::json::truncate(text, 200).into()), pos }
}

/// The text of a value for string building: strings as is, unresolved as their symbol.
fn symbolic(n: &Node) -> String {
    match &n.value {
        Value::String(s) | Value::Unresolved(s) => s.to_string(),
        Value::Number(x) => format_number(*x),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        Value::Array(_) => "<array>".into(),
        Value::Object(_) => "<object>".into(),
    }
}

/// Weight (nodes plus text in eight-byte units) and depth of a value, without recursion;
/// stops counting past `limit`.
pub fn measure(node: &Node, limit: u64) -> (u64, usize) {
    let mut stack: Vec<(&Node, usize)> = vec![(node, 1)];
    let (mut weight, mut depth) = (0u64, 0usize);
    while let Some((n, d)) = stack.pop() {
        weight = weight.saturating_add(1);
        depth = depth.max(d);
        if weight > limit {
            break;
        }
        match &n.value {
            Value::String(s) | Value::Unresolved(s) => weight = weight.saturating_add(s.len() as u64 / 8),
            Value::Array(items) => stack.extend(items.iter().map(|i| (i, d.saturating_add(1)))),
            Value::Object(members) => {
                for (k, v) in members {
                    weight = weight.saturating_add(k.len() as u64 / 8);
                    stack.push((v, d.saturating_add(1)));
                }
            }
            _ => {}
        }
    }
    (weight, depth)
}

/// Escapes a key for a JSON pointer.
pub fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Where a resource stands in the template being flattened: its JSON pointer, the parent
/// that declares it inline (type and name), the nesting level of deployments, and whether
/// a condition that could not be evaluated guards it.
#[derive(Clone, Copy)]
struct Site<'a> {
    pointer: &'a str,
    parent: Option<(&'a str, &'a str)>,
    level: usize,
    conditional: bool,
}

#[cfg(test)]
mod tests;
