//! ARM template expressions and nested deployments.
//!
//! Flattens a template into plain resources whose expressions are evaluated. What can't
//! be evaluated becomes `Value::Unresolved` with a symbolic text (`nsg-<prefix>-x7k2`),
//! so that names still link up while checks that need the value say "unknown".
//! `resourceGroup().location` evaluates to the region marker, which the engine later
//! replaces with the scenario's region.

use crate::json::{format_number, Node, Pos, Value};
use crate::net::REGION_MARKER;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

/// A resource found in a template, with its expressions evaluated.
pub struct FlatResource {
    pub node: Node,
    /// JSON pointer of the resource in the document.
    pub pointer: String,
}

/// Notes about what could not be evaluated (AML-INP-005).
pub struct TemplateNote {
    pub message: String,
    pub pointer: String,
    pub pos: Pos,
}

const MAX_EVAL_DEPTH: usize = 64;

/// Flattens a template (and every nested inline deployment) into resources.
pub fn flatten(template: &Node, parameters_file: Option<&Node>) -> (Vec<FlatResource>, Vec<TemplateNote>) {
    let mut given = HashMap::new();
    if let Some(file) = parameters_file.and_then(|f| f.get("parameters")).and_then(|p| p.as_object()) {
        for (name, value) in file {
            if let Some(v) = value.get("value") {
                given.insert(name.to_ascii_lowercase(), v.clone());
            }
        }
    }
    let notes = RefCell::new(Vec::new());
    let depth = Cell::new(0);
    let scope = Scope::new(template, given, None, &notes, &depth);
    let mut out = Vec::new();
    scope.collect(template, "", &mut out, 0);
    (out, notes.into_inner())
}

struct Scope<'a> {
    template: &'a Node,
    params: HashMap<String, Node>,
    param_cache: RefCell<HashMap<String, Node>>,
    var_cache: RefCell<HashMap<String, Node>>,
    /// The scope the template is nested in (for `reference()` to sibling deployments).
    outer: Option<&'a Scope<'a>>,
    notes: &'a RefCell<Vec<TemplateNote>>,
    depth: &'a Cell<usize>,
}

impl<'a> Scope<'a> {
    fn new(
        template: &'a Node,
        params: HashMap<String, Node>,
        outer: Option<&'a Scope<'a>>,
        notes: &'a RefCell<Vec<TemplateNote>>,
        depth: &'a Cell<usize>,
    ) -> Scope<'a> {
        Scope { template, params, param_cache: RefCell::new(HashMap::new()), var_cache: RefCell::new(HashMap::new()), outer, notes, depth }
    }

    fn note(&self, message: String, pointer: &str, pos: Pos) {
        let mut notes = self.notes.borrow_mut();
        if notes.len() < 200 && !notes.iter().any(|n| n.message == message && n.pointer == pointer) {
            notes.push(TemplateNote { message, pointer: pointer.to_string(), pos });
        }
    }

    fn collect(&self, template: &Node, base: &str, out: &mut Vec<FlatResource>, level: usize) {
        let Some(resources) = template.get("resources") else { return };
        // Language-version 2.0 templates hold resources in an object keyed by symbolic name.
        let items: Vec<(String, &Node)> = match &resources.value {
            Value::Array(a) => a.iter().enumerate().map(|(i, n)| (format!("{base}/resources/{i}"), n)).collect(),
            Value::Object(m) => m.iter().map(|(k, n)| (format!("{base}/resources/{}", escape_pointer(k)), n)).collect(),
            _ => Vec::new(),
        };
        for (pointer, resource) in items {
            self.collect_resource(resource, &pointer, None, out, level);
        }
    }

    fn collect_resource(&self, resource: &Node, pointer: &str, parent: Option<(&str, &str)>, out: &mut Vec<FlatResource>, level: usize) {
        if !resource.is_object() {
            return;
        }
        if let Some(cond) = resource.get("condition") {
            match self.resolve(cond, pointer).value {
                Value::Bool(false) => return,
                Value::Bool(true) => {}
                _ => self.note(format!("the resource's `condition` {} could not be evaluated; it is assumed deployed", cond.describe()), pointer, cond.pos),
            }
        }
        if resource.get("copy").is_some() {
            self.note("`copy` loops are not expanded; the resource is read once, and values using copyIndex() are unknown".into(), pointer, resource.pos);
        }
        let kind = resource.get("type").map(|t| self.resolve(t, pointer)).and_then(|t| t.as_str().map(String::from)).unwrap_or_default();
        if kind.eq_ignore_ascii_case("Microsoft.Resources/deployments") {
            self.collect_deployment(resource, pointer, out, level);
            return;
        }
        let mut node = self.resolve_resource(resource, pointer);
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
                        value.value = Value::String(format!("{parent_name}/{short}").into());
                    }
                }
            }
        }
        let full_type = node.get("type").and_then(|t| t.as_str()).unwrap_or_default().to_string();
        let full_name = match node.get("name").map(|n| &n.value) {
            Some(Value::String(s) | Value::Unresolved(s)) => s.to_string(),
            _ => String::new(),
        };
        out.push(FlatResource { node, pointer: pointer.to_string() });
        // Child resources are flattened from the raw template, with their own conditions.
        if let Some(raw_children) = resource.get("resources").and_then(|r| r.as_array()) {
            for (i, child) in raw_children.iter().enumerate() {
                let child_pointer = format!("{pointer}/resources/{i}");
                self.collect_resource(child, &child_pointer, Some((&full_type, &full_name)), out, level);
            }
        }
    }

    fn collect_deployment(&self, resource: &Node, pointer: &str, out: &mut Vec<FlatResource>, level: usize) {
        let props = resource.get("properties");
        let Some(inner) = props.and_then(|p| p.get("template")) else {
            if props.and_then(|p| p.get("templateLink")).is_some() {
                self.note("a linked template (`templateLink`) is not fetched: paste the linked template as its own document".into(), pointer, resource.pos);
            }
            return;
        };
        if level > 16 {
            self.note("nested deployments deeper than 16 levels are not read".into(), pointer, resource.pos);
            return;
        }
        let inner_pointer = format!("{pointer}/properties/template");
        let scope = self.deployment_scope(resource, pointer);
        scope.collect(inner, &inner_pointer, out, level + 1);
    }

    /// The scope of a nested deployment: `inner` evaluates parameters passed in here;
    /// `outer` (the ARM default) shares this scope's parameters and variables.
    fn deployment_scope<'s>(&'s self, resource: &'s Node, pointer: &str) -> Scope<'s> {
        let props = resource.get("properties");
        let inner = props.and_then(|p| p.get("template"));
        let inner_scope = props
            .and_then(|p| p.get("expressionEvaluationOptions"))
            .and_then(|o| o.get("scope"))
            .and_then(|s| s.as_str())
            .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
        let empty = self.template;
        if inner_scope {
            let mut params = HashMap::new();
            if let Some(given) = props.and_then(|p| p.get("parameters")).and_then(|p| p.as_object()) {
                for (name, value) in given {
                    if let Some(v) = value.get("value") {
                        params.insert(name.to_ascii_lowercase(), self.resolve(v, pointer));
                    } else if value.get("reference").is_some() {
                        params.insert(name.to_ascii_lowercase(), unresolved(&format!("<{name} from Key Vault>"), value.pos));
                    }
                }
            }
            Scope::new(inner.unwrap_or(empty), params, Some(self), self.notes, self.depth)
        } else {
            // Outer scope: same parameters and variables as here.
            Scope {
                template: self.template,
                params: self.params.clone(),
                param_cache: RefCell::new(self.param_cache.borrow().clone()),
                var_cache: RefCell::new(self.var_cache.borrow().clone()),
                outer: self.outer,
                notes: self.notes,
                depth: self.depth,
            }
        }
    }

    /// Evaluates a resource's expressions, leaving out its child `resources` (they are
    /// flattened on their own).
    fn resolve_resource(&self, resource: &Node, pointer: &str) -> Node {
        match &resource.value {
            Value::Object(members) => Node {
                value: Value::Object(
                    members
                        .iter()
                        .filter(|(k, _)| !k.eq_ignore_ascii_case("resources"))
                        .map(|(k, n)| (k.clone(), self.resolve(n, &format!("{pointer}/{}", escape_pointer(k)))))
                        .collect(),
                ),
                pos: resource.pos,
            },
            _ => self.resolve(resource, pointer),
        }
    }

    /// Evaluates every expression inside a value.
    fn resolve(&self, node: &Node, pointer: &str) -> Node {
        match &node.value {
            Value::String(s) => match expression_text(s) {
                Expr::Literal(lit) => Node { value: Value::String(lit.into()), pos: node.pos },
                Expr::Expression(text) => self.evaluate_text(&text, node.pos, pointer),
            },
            Value::Array(items) => {
                Node { value: Value::Array(items.iter().enumerate().map(|(i, n)| self.resolve(n, &format!("{pointer}/{i}"))).collect()), pos: node.pos }
            }
            Value::Object(members) => Node {
                value: Value::Object(members.iter().map(|(k, n)| (k.clone(), self.resolve(n, &format!("{pointer}/{}", escape_pointer(k))))).collect()),
                pos: node.pos,
            },
            _ => node.clone(),
        }
    }

    fn evaluate_text(&self, text: &str, pos: Pos, pointer: &str) -> Node {
        let depth = self.depth.get();
        if depth > MAX_EVAL_DEPTH {
            return unresolved("<expression too deep>", pos);
        }
        self.depth.set(depth + 1);
        let result = match Lexer::new(text).parse_all() {
            Some(expr) => self.eval(&expr, pos, pointer),
            None => unresolved(&format!("[{text}]"), pos),
        };
        self.depth.set(depth);
        result
    }

    fn parameter(&self, name: &str, pos: Pos, pointer: &str) -> Node {
        let key = name.to_ascii_lowercase();
        if let Some(v) = self.params.get(&key) {
            return Node { value: v.value.clone(), pos };
        }
        if let Some(v) = self.param_cache.borrow().get(&key) {
            return Node { value: v.value.clone(), pos };
        }
        let declared = self.template.get("parameters").and_then(|p| p.get(name));
        let value = match declared.and_then(|d| d.get("defaultValue")) {
            Some(default) => {
                self.param_cache.borrow_mut().insert(key.clone(), unresolved(&format!("<{name}>"), pos));
                self.resolve(default, pointer)
            }
            None => unresolved(&format!("<{name}>"), pos),
        };
        self.param_cache.borrow_mut().insert(key, value.clone());
        Node { value: value.value, pos }
    }

    fn variable(&self, name: &str, pos: Pos, pointer: &str) -> Node {
        let key = name.to_ascii_lowercase();
        if let Some(v) = self.var_cache.borrow().get(&key) {
            return Node { value: v.value.clone(), pos };
        }
        let value = match self.template.get("variables").and_then(|v| v.get(name)) {
            Some(raw) => {
                self.var_cache.borrow_mut().insert(key.clone(), unresolved(&format!("<variable {name}>"), pos));
                self.resolve(raw, pointer)
            }
            None => unresolved(&format!("<variable {name}>"), pos),
        };
        self.var_cache.borrow_mut().insert(key, value.clone());
        Node { value: value.value, pos }
    }

    /// `reference(<deployment id>)`: the outputs of a sibling nested deployment.
    fn reference(&self, id: &str, pos: Pos, pointer: &str) -> Node {
        let lower = id.to_ascii_lowercase();
        let Some(idx) = lower.find("microsoft.resources/deployments/") else {
            return unresolved(&format!("<reference({id})>"), pos);
        };
        let wanted = id.get(idx + "microsoft.resources/deployments/".len()..).unwrap_or_default();
        let Some(resources) = self.template.get("resources").and_then(|r| r.as_array()) else {
            return unresolved(&format!("<reference({id})>"), pos);
        };
        for (i, resource) in resources.iter().enumerate() {
            let is_deployment = resource.get("type").and_then(|t| t.as_str()).is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.Resources/deployments"));
            if !is_deployment {
                continue;
            }
            let rpointer = format!("/resources/{i}");
            let name = resource.get("name").map(|n| self.resolve(n, &rpointer)).map(|n| symbolic(&n)).unwrap_or_default();
            if !name.eq_ignore_ascii_case(wanted) {
                continue;
            }
            let scope = self.deployment_scope(resource, &rpointer);
            let outputs = resource.get("properties").and_then(|p| p.get("template")).and_then(|t| t.get("outputs"));
            let mut members = Vec::new();
            if let Some(outs) = outputs.and_then(|o| o.as_object()) {
                for (name, out) in outs {
                    let value = out.get("value").map(|v| scope.resolve(v, pointer)).unwrap_or_else(|| unresolved(&format!("<output {name}>"), pos));
                    members.push((name.clone(), Node { value: Value::Object(vec![("value".into(), value)]), pos }));
                }
            }
            return Node { value: Value::Object(vec![("outputs".into(), Node { value: Value::Object(members), pos })]), pos };
        }
        if let Some(outer) = self.outer {
            return outer.reference(id, pos, pointer);
        }
        unresolved(&format!("<reference({id})>"), pos)
    }

    fn eval(&self, expr: &Ex, pos: Pos, pointer: &str) -> Node {
        let v = |value: Value| Node { value, pos };
        match expr {
            Ex::Str(s) => v(Value::String(s.clone().into())),
            Ex::Num(n) => v(Value::Number(*n)),
            Ex::Member(base, name) => {
                let b = self.eval(base, pos, pointer);
                match &b.value {
                    Value::Object(_) => {
                        b.get(name).cloned().map(|n| Node { value: n.value, pos }).unwrap_or_else(|| unresolved(&format!("<{}.{name}>", symbolic(&b)), pos))
                    }
                    _ => unresolved(&format!("{}.{name}", symbolic(&b)), pos),
                }
            }
            Ex::Index(base, index) => {
                let b = self.eval(base, pos, pointer);
                let i = self.eval(index, pos, pointer);
                match (&b.value, &i.value) {
                    (Value::Array(items), Value::Number(n)) => items.get(*n as usize).cloned().unwrap_or_else(|| unresolved("<index>", pos)),
                    (Value::Object(_), Value::String(k)) => b.get(k).cloned().unwrap_or_else(|| unresolved(&format!("<{k}>"), pos)),
                    _ => unresolved(&format!("{}[{}]", symbolic(&b), symbolic(&i)), pos),
                }
            }
            Ex::Call(name, args) => self.call(name, args, pos, pointer),
        }
    }

    fn call(&self, name: &str, args: &[Ex], pos: Pos, pointer: &str) -> Node {
        let v = |value: Value| Node { value, pos };
        let lower = name.to_ascii_lowercase();
        // Functions that must not evaluate all their arguments first.
        if lower == "if" {
            let cond = args.first().map(|a| self.eval(a, pos, pointer));
            return match cond.map(|c| c.value) {
                Some(Value::Bool(true)) => args.get(1).map(|a| self.eval(a, pos, pointer)).unwrap_or_else(|| unresolved("<if>", pos)),
                Some(Value::Bool(false)) => args.get(2).map(|a| self.eval(a, pos, pointer)).unwrap_or_else(|| unresolved("<if>", pos)),
                _ => unresolved("<if(…)>", pos),
            };
        }
        let vals: Vec<Node> = args.iter().map(|a| self.eval(a, pos, pointer)).collect();
        let arg = |i: usize| vals.get(i);
        let s = |i: usize| arg(i).and_then(|n| n.as_str().map(String::from));
        let any_unresolved = vals.iter().any(|n| n.is_unresolved());
        match lower.as_str() {
            "parameters" => match s(0) {
                Some(n) => self.parameter(&n, pos, pointer),
                None => unresolved("<parameters(…)>", pos),
            },
            "variables" => match s(0) {
                Some(n) => self.variable(&n, pos, pointer),
                None => unresolved("<variables(…)>", pos),
            },
            "concat" => {
                if vals.iter().all(|n| n.as_array().is_some()) && !vals.is_empty() {
                    let mut items = Vec::new();
                    for n in &vals {
                        items.extend(n.as_array().unwrap_or_default().iter().cloned());
                    }
                    return v(Value::Array(items));
                }
                let text: String = vals.iter().map(symbolic).collect();
                if any_unresolved {
                    unresolved(&text, pos)
                } else {
                    v(Value::String(text.into()))
                }
            }
            "format" => {
                let Some(fmt) = arg(0) else { return unresolved("<format>", pos) };
                let mut out = String::new();
                let text = symbolic(fmt);
                let mut chars = text.chars().peekable();
                while let Some(c) = chars.next() {
                    if c == '{' {
                        if chars.peek() == Some(&'{') {
                            chars.next();
                            out.push('{');
                            continue;
                        }
                        let mut inside = String::new();
                        for d in chars.by_ref() {
                            if d == '}' {
                                break;
                            }
                            inside.push(d);
                        }
                        let index: usize = inside.split(':').next().unwrap_or("").trim().parse().unwrap_or(usize::MAX);
                        out.push_str(&arg(index + 1).map(symbolic).unwrap_or_default());
                    } else if c == '}' && chars.peek() == Some(&'}') {
                        chars.next();
                        out.push('}');
                    } else {
                        out.push(c);
                    }
                }
                if any_unresolved {
                    unresolved(&out, pos)
                } else {
                    v(Value::String(out.into()))
                }
            }
            "string" => match arg(0).map(|n| &n.value) {
                Some(Value::String(x)) => v(Value::String(x.clone())),
                Some(Value::Number(n)) => v(Value::String(format_number(*n).into())),
                Some(Value::Bool(b)) => v(Value::String(b.to_string().into())),
                Some(other) => {
                    let n = Node { value: other.clone(), pos };
                    unresolved(&symbolic(&n), pos)
                }
                None => unresolved("<string>", pos),
            },
            "int" => match arg(0).map(|n| &n.value) {
                Some(Value::Number(n)) => v(Value::Number(n.trunc())),
                Some(Value::String(x)) => x.trim().parse::<f64>().map(|n| v(Value::Number(n))).unwrap_or_else(|_| unresolved("<int>", pos)),
                _ => unresolved("<int>", pos),
            },
            "bool" => match arg(0).and_then(|n| n.as_bool()) {
                Some(b) => v(Value::Bool(b)),
                None => unresolved("<bool>", pos),
            },
            "tolower" | "toupper" => match arg(0).map(|n| &n.value) {
                Some(Value::String(x)) => v(Value::String(if lower == "tolower" { x.to_lowercase() } else { x.to_uppercase() }.into())),
                Some(Value::Unresolved(x)) => unresolved(x, pos),
                _ => unresolved("<string>", pos),
            },
            "substring" => {
                let text = arg(0).map(symbolic).unwrap_or_default();
                let start = arg(1).and_then(num).unwrap_or(0.0) as usize;
                let len = arg(2).and_then(num).map(|n| n as usize).unwrap_or(usize::MAX);
                let out: String = text.chars().skip(start).take(len).collect();
                if any_unresolved {
                    unresolved(&text, pos)
                } else {
                    v(Value::String(out.into()))
                }
            }
            "replace" => match (s(0), s(1), s(2)) {
                (Some(a), Some(b), Some(c)) => v(Value::String(a.replace(&b, &c).into())),
                _ => unresolved("<replace>", pos),
            },
            "uniquestring" | "guid" => {
                let text: String = vals.iter().map(symbolic).collect::<Vec<_>>().join("|");
                v(Value::String(unique_string(&text, if lower == "guid" { 32 } else { 13 }).into()))
            }
            "resourceid" | "subscriptionresourceid" | "extensionresourceid" => resource_id(&vals, pos),
            "resourcegroup" => v(Value::Object(vec![
                ("location".into(), Node { value: Value::String(REGION_MARKER.into()), pos }),
                ("name".into(), unresolved("<resource group>", pos)),
                ("id".into(), Node { value: Value::String("/subscriptions/<subscription>/resourceGroups/<resource group>".into()), pos }),
            ])),
            "subscription" => v(Value::Object(vec![
                ("subscriptionId".into(), unresolved("<subscription>", pos)),
                ("id".into(), unresolved("/subscriptions/<subscription>", pos)),
            ])),
            "deployment" => v(Value::Object(vec![("name".into(), unresolved("<deployment>", pos))])),
            "environment" => v(Value::Object(vec![("name".into(), Node { value: Value::String("AzureCloud".into()), pos })])),
            "reference" => match arg(0).map(symbolic) {
                Some(id) => self.reference(&id, pos, pointer),
                None => unresolved("<reference>", pos),
            },
            "json" => match s(0) {
                Some(text) => crate::json::parse(&text).map(|n| Node { value: n.value, pos }).unwrap_or_else(|_| unresolved("<json>", pos)),
                None => unresolved("<json>", pos),
            },
            "equals" => match (arg(0), arg(1)) {
                (Some(a), Some(b)) if !any_unresolved => v(Value::Bool(match (&a.value, &b.value) {
                    (Value::String(x), Value::String(y)) => x.eq_ignore_ascii_case(y),
                    (x, y) => x == y,
                })),
                _ => unresolved("<equals>", pos),
            },
            "not" => match arg(0).and_then(|n| n.as_bool()) {
                Some(b) => v(Value::Bool(!b)),
                None => unresolved("<not>", pos),
            },
            "and" | "or" => {
                let bools: Option<Vec<bool>> = vals.iter().map(|n| n.as_bool()).collect();
                match bools {
                    Some(b) => v(Value::Bool(if lower == "and" { b.iter().all(|x| *x) } else { b.iter().any(|x| *x) })),
                    None => unresolved("<bool>", pos),
                }
            }
            "empty" => match arg(0).map(|n| &n.value) {
                Some(Value::Null) => v(Value::Bool(true)),
                Some(Value::String(x)) => v(Value::Bool(x.is_empty())),
                Some(Value::Array(a)) => v(Value::Bool(a.is_empty())),
                Some(Value::Object(m)) => v(Value::Bool(m.is_empty())),
                _ => unresolved("<empty>", pos),
            },
            "createarray" | "array" => v(Value::Array(vals.clone())),
            "true" => v(Value::Bool(true)),
            "false" => v(Value::Bool(false)),
            "null" => v(Value::Null),
            "last" | "first" => match arg(0).map(|n| &n.value) {
                Some(Value::Array(a)) => (if lower == "last" { a.last() } else { a.first() }).cloned().unwrap_or_else(|| unresolved("<item>", pos)),
                Some(Value::String(x)) => {
                    v(Value::String(if lower == "last" { x.chars().last() } else { x.chars().next() }.map(String::from).unwrap_or_default().into()))
                }
                _ => unresolved(&format!("<{lower}>"), pos),
            },
            "split" => match (s(0), s(1)) {
                (Some(a), Some(b)) => v(Value::Array(a.split(b.as_str()).map(|p| Node { value: Value::String(p.to_string().into()), pos }).collect())),
                _ => unresolved("<split>", pos),
            },
            "coalesce" => vals.iter().find(|n| !matches!(n.value, Value::Null)).cloned().unwrap_or_else(|| v(Value::Null)),
            _ => unresolved(&format!("<{name}(…)>"), pos),
        }
    }
}

fn num(n: &Node) -> Option<f64> {
    match n.value {
        Value::Number(x) => Some(x),
        _ => None,
    }
}

fn unresolved(text: &str, pos: Pos) -> Node {
    Node { value: Value::Unresolved(text.to_string().into()), pos }
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

fn resource_id(vals: &[Node], pos: Pos) -> Node {
    let type_index = vals.iter().position(|n| n.as_str().is_some_and(|s| s.contains('/') && s.contains('.')));
    let Some(ti) = type_index else { return unresolved("<resourceId(…)>", pos) };
    let kind = vals.get(ti).map(symbolic).unwrap_or_default();
    let names: Vec<String> = vals.iter().skip(ti + 1).map(symbolic).collect();
    let segments: Vec<&str> = kind.split('/').collect();
    let (sub, rg) = match ti {
        2 => (vals.first().map(symbolic), vals.get(1).map(symbolic)),
        1 => (None, vals.first().map(symbolic)),
        _ => (None, None),
    };
    let mut id = format!(
        "/subscriptions/{}/resourceGroups/{}/providers/{}",
        sub.unwrap_or_else(|| "<subscription>".into()),
        rg.unwrap_or_else(|| "<resource group>".into()),
        segments.first().unwrap_or(&"")
    );
    for (i, seg) in segments.iter().skip(1).enumerate() {
        id.push('/');
        id.push_str(seg);
        id.push('/');
        id.push_str(names.get(i).map(String::as_str).unwrap_or("<name>"));
    }
    if vals.iter().any(|n| n.is_unresolved()) {
        unresolved(&id, pos)
    } else {
        Node { value: Value::String(id.into()), pos }
    }
}

/// A deterministic stand-in for ARM's `uniqueString` (the real one hashes values we
/// don't have, such as the resource group ID). It only needs to be consistent.
fn unique_string(text: &str, len: usize) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut out = String::new();
    let alphabet = b"abcdefghijklmnopqrstuvwxyz234567";
    while out.len() < len {
        for b in text.bytes().chain(out.clone().into_bytes()) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        let mut h = hash;
        for _ in 0..12 {
            if out.len() >= len {
                break;
            }
            out.push(char::from(*alphabet.get((h % 32) as usize).unwrap_or(&b'a')));
            h /= 32;
        }
    }
    out
}

/// Escapes a key for a JSON pointer.
pub fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

enum Expr {
    Literal(String),
    Expression(String),
}

fn expression_text(s: &str) -> Expr {
    let t = s.trim();
    if t.starts_with("[[") {
        return Expr::Literal(s.replacen("[[", "[", 1));
    }
    if t.starts_with('[') && t.ends_with(']') && t.len() >= 2 {
        return Expr::Expression(t.get(1..t.len() - 1).unwrap_or_default().to_string());
    }
    Expr::Literal(s.to_string())
}

#[derive(Debug)]
enum Ex {
    Str(String),
    Num(f64),
    Call(String, Vec<Ex>),
    Member(Box<Ex>, String),
    Index(Box<Ex>, Box<Ex>),
}

struct Lexer {
    chars: Vec<char>,
    at: usize,
}

impl Lexer {
    fn new(text: &str) -> Lexer {
        Lexer { chars: text.chars().collect(), at: 0 }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn parse_all(&mut self) -> Option<Ex> {
        let e = self.expr(0)?;
        self.skip_ws();
        (self.at == self.chars.len()).then_some(e)
    }

    fn expr(&mut self, depth: usize) -> Option<Ex> {
        if depth > 64 {
            return None;
        }
        self.skip_ws();
        let mut e = match self.peek()? {
            '\'' => {
                self.at += 1;
                let mut s = String::new();
                loop {
                    let c = self.peek()?;
                    self.at += 1;
                    if c == '\'' {
                        if self.peek() == Some('\'') {
                            self.at += 1;
                            s.push('\'');
                        } else {
                            break;
                        }
                    } else {
                        s.push(c);
                    }
                }
                Ex::Str(s)
            }
            c if c.is_ascii_digit() || c == '-' => {
                let start = self.at;
                self.at += 1;
                while self.peek().is_some_and(|c| c.is_ascii_digit() || c == '.') {
                    self.at += 1;
                }
                let text: String = self.chars.get(start..self.at)?.iter().collect();
                Ex::Num(text.parse().ok()?)
            }
            c if c.is_alphabetic() || c == '_' => {
                let name = self.ident()?;
                self.skip_ws();
                if self.peek() != Some('(') {
                    return None;
                }
                self.at += 1;
                let mut args = Vec::new();
                self.skip_ws();
                if self.peek() == Some(')') {
                    self.at += 1;
                } else {
                    loop {
                        args.push(self.expr(depth + 1)?);
                        self.skip_ws();
                        match self.peek()? {
                            ',' => self.at += 1,
                            ')' => {
                                self.at += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                Ex::Call(name, args)
            }
            _ => return None,
        };
        loop {
            self.skip_ws();
            match self.peek() {
                Some('.') => {
                    self.at += 1;
                    let name = self.ident()?;
                    e = Ex::Member(Box::new(e), name);
                }
                Some('[') => {
                    self.at += 1;
                    let index = self.expr(depth + 1)?;
                    self.skip_ws();
                    if self.peek() != Some(']') {
                        return None;
                    }
                    self.at += 1;
                    e = Ex::Index(Box::new(e), Box::new(index));
                }
                _ => return Some(e),
            }
        }
    }

    fn ident(&mut self) -> Option<String> {
        self.skip_ws();
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            self.at += 1;
        }
        (self.at > start).then(|| self.chars.get(start..self.at).map(|c| c.iter().collect()).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(template: &str, expr: &str) -> Value {
        let t = crate::json::parse(template).unwrap_or_else(|_| Node::synthetic(Value::Null, Pos::default()));
        let notes = RefCell::new(Vec::new());
        let depth = Cell::new(0);
        let scope = Scope::new(&t, HashMap::new(), None, &notes, &depth);
        scope.evaluate_text(expr, Pos::default(), "").value
    }

    #[test]
    fn functions() {
        let t = r#"{"parameters": {"nsg": {"defaultValue": "nsg1"}, "port": {"defaultValue": 44224}, "p": {"type": "string"}},
                    "variables": {"tag": "[concat('Storage.', resourceGroup().location)]"}}"#;
        assert_eq!(eval(t, "parameters('nsg')"), Value::String("nsg1".into()));
        assert_eq!(eval(t, "string(parameters('port'))"), Value::String("44224".into()));
        assert_eq!(eval(t, "variables('tag')"), Value::String("Storage.$region".into()));
        assert_eq!(eval(t, "format('{0}/{1}', parameters('nsg'), 'r1')"), Value::String("nsg1/r1".into()));
        assert_eq!(
            eval(t, "resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 's')"),
            Value::String("/subscriptions/<subscription>/resourceGroups/<resource group>/providers/Microsoft.Network/virtualNetworks/v/subnets/s".into())
        );
        assert_eq!(eval(t, "parameters('p')"), Value::Unresolved("<p>".into()));
        assert_eq!(eval(t, "format('nsg-{0}', parameters('p'))"), Value::Unresolved("nsg-<p>".into()));
        assert_eq!(eval(t, "if(equals(1, 1), 'a', 'b')"), Value::String("a".into()));
        assert_eq!(eval(t, "json('null')"), Value::Null);
        assert!(matches!(eval(t, "bogus(("), Value::Unresolved(_)));
    }
}
