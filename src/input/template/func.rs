//! ARM template functions that need nothing but their arguments' values.
//!
//! An argument that is unresolved makes the result unresolved, unless the function's
//! answer does not depend on it. Results that could be large are sized before they are
//! built (`replace` with an empty pattern, `range`, string building), so no call
//! allocates beyond the value cap.

use super::{symbolic, unresolved, MAX_VALUE_WEIGHT};
use crate::json::{format_number, Node, Pos, Text, Value};

/// Longest string a function may build, in bytes.
const MAX_STRING: usize = (MAX_VALUE_WEIGHT as usize) * 8;

/// Deep equality of two values, ignoring positions (ARM compares strings ignoring case).
pub fn same(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        (Value::String(x), Value::String(y)) => x.eq_ignore_ascii_case(y),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        (Value::Object(x), Value::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w))),
        (Value::Unresolved(_), _) | (_, Value::Unresolved(_)) => false,
        (x, y) => x == y,
    }
}

fn int(n: &Node) -> Option<i64> {
    match n.value {
        Value::Number(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Some(x as i64),
        Value::String(ref s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[inline(never)]
pub(super) fn string(text: String, pos: Pos) -> Node {
    Node { value: Value::String(text.into()), pos }
}

fn contains_unresolved(n: &Node) -> bool {
    let mut stack = vec![n];
    while let Some(n) = stack.pop() {
        match &n.value {
            Value::Unresolved(_) => return true,
            Value::Array(items) => stack.extend(items.iter()),
            Value::Object(members) => stack.extend(members.iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    false
}

/// Merges objects as `union` does: later keys win, nested objects merge.
fn merge(into: &mut Vec<(Text, Node)>, from: &[(Text, Node)], deep: bool) {
    for (k, v) in from {
        match into.iter_mut().find(|(key, _)| key.eq_ignore_ascii_case(k)) {
            Some((_, existing)) => match (&mut existing.value, &v.value) {
                (Value::Object(a), Value::Object(b)) if deep => merge(a, b, true),
                _ => *existing = v.clone(),
            },
            None => into.push((k.clone(), v.clone())),
        }
    }
}

/// The result of a call that can't be evaluated. An unknown argument names it:
/// `string(parameters('p'))` is `<p>`. (One function, not a closure per call site: the
/// page's wasm is built for size.)
#[inline(never)]
fn failed(name: &str, vals: &[Node], pos: Pos) -> Node {
    match vals.iter().find(|n| n.is_unresolved()) {
        Some(u) => Node { value: u.value.clone(), pos },
        None => unresolved(&format!("<{name}(…)>"), pos),
    }
}

/// An object's members by key, ignoring case, as `items()` lists them: a bottom-up merge
/// sort (n log n), written out because a library sort's generic code costs the page's
/// wasm more than this.
fn sorted_by_key(members: &[(Text, Node)]) -> Vec<&(Text, Node)> {
    let key = |m: &(Text, Node)| m.0.to_ascii_lowercase();
    let mut items: Vec<(String, &(Text, Node))> = members.iter().map(|m| (key(m), m)).collect();
    let mut width = 1;
    while width < items.len() {
        let mut merged = Vec::with_capacity(items.len());
        for pair in items.chunks(width.saturating_mul(2)) {
            let (a, b) = pair.split_at(width.min(pair.len()));
            let (mut i, mut j) = (0, 0);
            while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
                if y.0 < x.0 {
                    merged.push(y.clone());
                    j = j.saturating_add(1);
                } else {
                    merged.push(x.clone());
                    i = i.saturating_add(1);
                }
            }
            merged.extend(a.iter().skip(i).cloned());
            merged.extend(b.iter().skip(j).cloned());
        }
        items = merged;
        width = width.saturating_mul(2);
    }
    items.into_iter().map(|(_, m)| m).collect()
}

/// One function call on evaluated arguments.
pub fn call(lower: &str, name: &str, vals: &[Node], pos: Pos) -> Node {
    let v = |value: Value| Node { value, pos };
    let arg = |i: usize| vals.get(i);
    let s = |i: usize| arg(i).and_then(|n| n.as_str().map(String::from));
    let any_unresolved = vals.iter().any(Node::is_unresolved);
    let fail = || failed(name, vals, pos);
    match lower {
        "concat" => {
            if !vals.is_empty() && vals.iter().all(|n| n.as_array().is_some()) {
                return v(Value::Array(vals.iter().flat_map(|n| n.as_array().unwrap_or_default().iter().cloned()).collect()));
            }
            if vals.iter().any(|n| matches!(n.value, Value::Array(_) | Value::Object(_))) {
                return fail();
            }
            let len: usize = vals.iter().map(|n| symbolic(n).len()).fold(0, usize::saturating_add);
            if len > MAX_STRING {
                return fail();
            }
            let text: String = vals.iter().map(symbolic).collect();
            if any_unresolved {
                unresolved(&text, pos)
            } else {
                string(text, pos)
            }
        }
        "format" => {
            let Some(fmt) = arg(0) else { return fail() };
            let text = symbolic(fmt);
            let mut out = String::new();
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
                    let index = inside.split(':').next().unwrap_or("").trim().parse::<usize>().ok().and_then(|i| i.checked_add(1));
                    match index.and_then(&arg) {
                        Some(a) => out.push_str(&symbolic(a)),
                        None => return fail(),
                    }
                    if out.len() > MAX_STRING {
                        return fail();
                    }
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
                string(out, pos)
            }
        }
        "string" => match arg(0).map(|n| &n.value) {
            Some(Value::String(x)) => v(Value::String(x.clone())),
            Some(Value::Number(n)) => string(format_number(*n), pos),
            Some(Value::Bool(b)) => string(b.to_string(), pos),
            Some(Value::Null) => string(String::new(), pos),
            _ => fail(),
        },
        "int" => match arg(0).and_then(int) {
            Some(n) => v(Value::Number(n as f64)),
            None => fail(),
        },
        "bool" => match arg(0).and_then(|n| n.as_bool()) {
            Some(b) => v(Value::Bool(b)),
            None => match arg(0).map(|n| &n.value) {
                Some(Value::Number(n)) => v(Value::Bool(*n != 0.0)),
                _ => fail(),
            },
        },
        "json" => match s(0) {
            Some(text) => crate::json::parse(&text).map(|n| Node { value: n.value, pos }).unwrap_or_else(|_| fail()),
            None => fail(),
        },
        "tolower" | "toupper" => match arg(0).map(|n| &n.value) {
            Some(Value::String(x)) => string(if lower == "tolower" { x.to_lowercase() } else { x.to_uppercase() }, pos),
            Some(Value::Unresolved(x)) => unresolved(x, pos),
            _ => fail(),
        },
        "trim" => match s(0) {
            Some(x) => string(x.trim().to_string(), pos),
            None => fail(),
        },
        "substring" => {
            let Some(text) = s(0) else { return fail() };
            let start = arg(1).and_then(int).unwrap_or(0).max(0) as usize;
            let len = arg(2).and_then(int).map_or(usize::MAX, |n| n.max(0) as usize);
            string(text.chars().skip(start).take(len).collect(), pos)
        }
        "replace" => match (s(0), s(1), s(2)) {
            (Some(a), Some(b), Some(c)) => {
                let hits = if b.is_empty() { a.chars().count().saturating_add(1) } else { a.matches(b.as_str()).count() };
                let size = a.len().saturating_add(hits.saturating_mul(c.len()));
                if size > MAX_STRING {
                    return fail();
                }
                string(a.replace(&b, &c), pos)
            }
            _ => fail(),
        },
        "startswith" | "endswith" => match (s(0), s(1)) {
            (Some(a), Some(b)) => {
                let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
                v(Value::Bool(if lower == "startswith" { a.starts_with(&b) } else { a.ends_with(&b) }))
            }
            _ => fail(),
        },
        "indexof" | "lastindexof" => match (s(0), s(1)) {
            (Some(a), Some(b)) => {
                let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
                let found = if lower == "indexof" { a.find(&b) } else { a.rfind(&b) };
                v(Value::Number(found.map_or(-1.0, |i| a.get(..i).map_or(0, |p| p.chars().count()) as f64)))
            }
            _ => fail(),
        },
        "split" => {
            let Some(a) = s(0) else { return fail() };
            let delims: Vec<String> = match arg(1).map(|n| &n.value) {
                Some(Value::String(d)) => vec![d.to_string()],
                Some(Value::Array(ds)) => ds.iter().filter_map(|d| d.as_str().map(String::from)).collect(),
                _ => return fail(),
            };
            if delims.iter().any(String::is_empty) {
                return fail();
            }
            let mut parts = vec![a];
            for d in &delims {
                parts = parts.iter().flat_map(|p| p.split(d.as_str()).map(String::from).collect::<Vec<_>>()).collect();
            }
            v(Value::Array(parts.into_iter().map(|p| string(p, pos)).collect()))
        }
        "join" => match (arg(0).and_then(|a| a.as_array()), s(1)) {
            (Some(items), Some(d)) if items.iter().all(|i| !matches!(i.value, Value::Array(_) | Value::Object(_))) => {
                let parts: Vec<String> = items.iter().map(symbolic).collect();
                let text = parts.join(&d);
                if items.iter().any(Node::is_unresolved) {
                    unresolved(&text, pos)
                } else {
                    string(text, pos)
                }
            }
            _ => fail(),
        },
        "uniquestring" | "guid" => {
            let text: String = vals.iter().map(symbolic).collect::<Vec<_>>().join("|");
            if any_unresolved {
                // A name built from unknown values is itself unknown (but stable, so it links).
                return unresolved(&format!("<{name}({})>", crate::json::truncate(&text, 60)), pos);
            }
            string(unique_string(&text, if lower == "guid" { 32 } else { 13 }), pos)
        }
        "resourceid" | "subscriptionresourceid" | "extensionresourceid" | "tenantresourceid" | "managementgroupresourceid" => resource_id(lower, vals, pos),
        "environment" => v(Value::Object(vec![
            ("name".into(), string("AzureCloud".into(), pos)),
            ("suffixes".into(), v(Value::Object(vec![("storage".into(), string("core.windows.net".into(), pos))]))),
        ])),
        "equals" => match (arg(0), arg(1)) {
            (Some(a), Some(b)) if !contains_unresolved(a) && !contains_unresolved(b) => v(Value::Bool(same(a, b))),
            _ => fail(),
        },
        "not" => match arg(0).and_then(|n| n.as_bool()) {
            Some(b) => v(Value::Bool(!b)),
            None => fail(),
        },
        "greater" | "less" | "greaterorequals" | "lessorequals" => {
            let ord = match (arg(0).map(|n| &n.value), arg(1).map(|n| &n.value)) {
                (Some(Value::Number(a)), Some(Value::Number(b))) => a.partial_cmp(b),
                (Some(Value::String(a)), Some(Value::String(b))) => Some(a.cmp(b)),
                _ => None,
            };
            let Some(ord) = ord else { return fail() };
            use std::cmp::Ordering::*;
            v(Value::Bool(match lower {
                "greater" => ord == Greater,
                "less" => ord == Less,
                "greaterorequals" => ord != Less,
                _ => ord != Greater,
            }))
        }
        "add" | "sub" | "mul" | "div" | "mod" => {
            let (Some(a), Some(b)) = (arg(0).and_then(int), arg(1).and_then(int)) else { return fail() };
            let r = match lower {
                "add" => a.checked_add(b),
                "sub" => a.checked_sub(b),
                "mul" => a.checked_mul(b),
                "div" => a.checked_div(b),
                _ => a.checked_rem(b),
            };
            r.filter(|r| r.abs() < 9_000_000_000_000_000).map_or_else(fail, |r| v(Value::Number(r as f64)))
        }
        "min" | "max" => {
            let nums: Option<Vec<i64>> = match vals {
                [one] => one.as_array().map(|a| a.iter().filter_map(int).collect()),
                _ => vals.iter().map(int).collect(),
            };
            let r = nums.and_then(|n| if lower == "min" { n.into_iter().min() } else { n.into_iter().max() });
            r.map_or_else(fail, |r| v(Value::Number(r as f64)))
        }
        "empty" => match arg(0).map(|n| &n.value) {
            Some(Value::Null) => v(Value::Bool(true)),
            Some(Value::String(x)) => v(Value::Bool(x.is_empty())),
            Some(Value::Array(a)) => v(Value::Bool(a.is_empty())),
            Some(Value::Object(m)) => v(Value::Bool(m.is_empty())),
            _ => fail(),
        },
        "length" => match arg(0).map(|n| &n.value) {
            Some(Value::String(x)) => v(Value::Number(x.chars().count() as f64)),
            Some(Value::Array(a)) => v(Value::Number(a.len() as f64)),
            Some(Value::Object(m)) => v(Value::Number(m.len() as f64)),
            _ => fail(),
        },
        "contains" => match (arg(0).map(|n| &n.value), arg(1)) {
            (Some(Value::String(x)), Some(item)) => match &item.value {
                Value::String(y) => v(Value::Bool(x.contains(y.as_ref()))),
                Value::Number(n) => v(Value::Bool(x.contains(&format_number(*n)))),
                _ => fail(),
            },
            (Some(Value::Array(items)), Some(item)) if !contains_unresolved(item) => {
                if items.iter().any(|i| same(i, item)) {
                    v(Value::Bool(true))
                } else if items.iter().any(contains_unresolved) {
                    fail()
                } else {
                    v(Value::Bool(false))
                }
            }
            (Some(Value::Object(_)), Some(key)) => match key.as_str() {
                Some(k) => v(Value::Bool(arg(0).and_then(|o| o.get(k)).is_some())),
                None => fail(),
            },
            _ => fail(),
        },
        "createarray" | "array" => {
            if lower == "array" {
                if let Some(Value::Array(_)) = arg(0).map(|n| &n.value) {
                    return arg(0).cloned().unwrap_or_else(fail);
                }
            }
            v(Value::Array(vals.to_vec()))
        }
        "createobject" => {
            let mut out: Vec<(Text, Node)> = Vec::new();
            for pair in vals.chunks(2) {
                let [k, value] = pair else { return fail() };
                let Some(k) = k.as_str() else { return fail() };
                out.retain(|(key, _)| !key.eq_ignore_ascii_case(k));
                out.push((k.to_string().into(), value.clone()));
            }
            v(Value::Object(out))
        }
        "union" | "shallowmerge" | "intersection" => {
            let list: Vec<&Node> = if lower == "shallowmerge" {
                match arg(0).and_then(|a| a.as_array()) {
                    Some(items) => items.iter().collect(),
                    None => return fail(),
                }
            } else {
                vals.iter().collect()
            };
            if list.iter().any(|n| n.is_unresolved()) {
                return fail();
            }
            if list.iter().all(|n| n.is_object()) {
                if lower == "intersection" {
                    let first = list.first().and_then(|f| f.as_object()).unwrap_or_default();
                    let kept = first.iter().filter(|(k, value)| list.iter().all(|o| o.get(k).is_some_and(|w| same(value, w)))).cloned().collect();
                    return v(Value::Object(kept));
                }
                let mut out = Vec::new();
                for o in &list {
                    merge(&mut out, o.as_object().unwrap_or_default(), lower == "union");
                }
                return v(Value::Object(out));
            }
            if list.iter().all(|n| n.as_array().is_some()) && lower != "shallowmerge" {
                let mut out: Vec<Node> = Vec::new();
                if lower == "intersection" {
                    let first = list.first().and_then(|f| f.as_array()).unwrap_or_default();
                    for item in first {
                        if list.iter().all(|a| a.as_array().unwrap_or_default().iter().any(|w| same(item, w))) && !out.iter().any(|o| same(o, item)) {
                            out.push(item.clone());
                        }
                    }
                } else {
                    for a in &list {
                        for item in a.as_array().unwrap_or_default() {
                            if !out.iter().any(|o| same(o, item)) {
                                out.push(item.clone());
                            }
                        }
                    }
                }
                return v(Value::Array(out));
            }
            fail()
        }
        "items" => match arg(0).map(|n| &n.value) {
            Some(Value::Object(members)) => {
                let sorted = sorted_by_key(members);
                v(Value::Array(
                    sorted
                        .into_iter()
                        .map(|(k, value)| v(Value::Object(vec![("key".into(), string(k.to_string(), pos)), ("value".into(), value.clone())])))
                        .collect(),
                ))
            }
            _ => fail(),
        },
        "objectkeys" => match arg(0).map(|n| &n.value) {
            Some(Value::Object(members)) => v(Value::Array(members.iter().map(|(k, _)| string(k.to_string(), pos)).collect())),
            _ => fail(),
        },
        "trygetproperty" | "tryget" => {
            let Some(mut cur) = arg(0).cloned() else { return fail() };
            for key in vals.iter().skip(1) {
                cur = match (&cur.value, &key.value) {
                    (Value::Object(_), Value::String(k)) => match cur.get(k) {
                        Some(n) => n.clone(),
                        None => return v(Value::Null),
                    },
                    (Value::Array(items), Value::Number(n)) if n.fract() == 0.0 && *n >= 0.0 => match items.get(*n as usize) {
                        Some(n) => n.clone(),
                        None => return v(Value::Null),
                    },
                    (Value::Null, _) => return v(Value::Null),
                    _ => return fail(),
                };
            }
            Node { value: cur.value, pos }
        }
        "range" => match (arg(0).and_then(int), arg(1).and_then(int)) {
            (Some(start), Some(count)) if (0..=10_000).contains(&count) && start.checked_add(count).is_some() => {
                v(Value::Array((0..count).map(|i| v(Value::Number(start.saturating_add(i) as f64))).collect()))
            }
            _ => fail(),
        },
        "first" | "last" => match arg(0).map(|n| &n.value) {
            Some(Value::Array(a)) => {
                (if lower == "last" { a.last() } else { a.first() }).map(|n| Node { value: n.value.clone(), pos }).unwrap_or_else(|| v(Value::Null))
            }
            Some(Value::String(x)) => string(if lower == "last" { x.chars().last() } else { x.chars().next() }.map(String::from).unwrap_or_default(), pos),
            _ => fail(),
        },
        "skip" | "take" => {
            let Some(n) = arg(1).and_then(int) else { return fail() };
            let n = n.max(0) as usize;
            match arg(0).map(|a| &a.value) {
                Some(Value::Array(a)) => {
                    v(Value::Array(if lower == "skip" { a.iter().skip(n).cloned().collect() } else { a.iter().take(n).cloned().collect() }))
                }
                Some(Value::String(x)) => string(if lower == "skip" { x.chars().skip(n).collect() } else { x.chars().take(n).collect() }, pos),
                _ => fail(),
            }
        }
        "flatten" => match arg(0).and_then(|a| a.as_array()) {
            Some(items) if items.iter().all(|i| i.as_array().is_some()) => {
                v(Value::Array(items.iter().flat_map(|i| i.as_array().unwrap_or_default().iter().cloned()).collect()))
            }
            _ => fail(),
        },
        "coalesce" => {
            for n in vals {
                match n.value {
                    Value::Null => continue,
                    _ => return n.clone(),
                }
            }
            v(Value::Null)
        }
        "cidrsubnet" => match (s(0).and_then(|n| n.trim().parse::<ipnet::IpNet>().ok()), arg(1).and_then(int), arg(2).and_then(int)) {
            (Some(net), Some(len), Some(index)) if len >= i64::from(net.prefix_len()) && index >= 0 => {
                let len = u8::try_from(len).ok();
                let subnet = len.and_then(|l| net.subnets(l).ok()).and_then(|mut it| it.nth(index as usize));
                subnet.map_or_else(fail, |n| string(n.to_string(), pos))
            }
            _ => fail(),
        },
        "true" => v(Value::Bool(true)),
        "false" => v(Value::Bool(false)),
        "null" => v(Value::Null),
        _ => fail(),
    }
}

pub(super) fn resource_id(lower: &str, vals: &[Node], pos: Pos) -> Node {
    let type_index = vals.iter().position(|n| n.as_str().is_some_and(|s| s.contains('/') && s.contains('.') && !s.starts_with('/')));
    let Some(ti) = type_index else { return unresolved("<resourceId(…)>", pos) };
    let kind = vals.get(ti).map(symbolic).unwrap_or_default();
    let names: Vec<String> = vals.iter().skip(ti.saturating_add(1)).map(symbolic).collect();
    let segments: Vec<&str> = kind.split('/').collect();
    let mut id = match lower {
        "extensionresourceid" => format!("{}/providers/{}", vals.first().map(symbolic).unwrap_or_default(), segments.first().unwrap_or(&"")),
        "tenantresourceid" | "managementgroupresourceid" => format!("/providers/{}", segments.first().unwrap_or(&"")),
        "subscriptionresourceid" => {
            let sub = if ti == 1 { vals.first().map(symbolic) } else { None };
            format!("/subscriptions/{}/providers/{}", sub.unwrap_or_else(|| "<subscription>".into()), segments.first().unwrap_or(&""))
        }
        _ => {
            let (sub, rg) = match ti {
                2 => (vals.first().map(symbolic), vals.get(1).map(symbolic)),
                1 => (None, vals.first().map(symbolic)),
                _ => (None, None),
            };
            format!(
                "/subscriptions/{}/resourceGroups/{}/providers/{}",
                sub.unwrap_or_else(|| "<subscription>".into()),
                rg.unwrap_or_else(|| "<resource group>".into()),
                segments.first().unwrap_or(&"")
            )
        }
    };
    for (i, seg) in segments.iter().skip(1).enumerate() {
        id.push('/');
        id.push_str(seg);
        id.push('/');
        id.push_str(names.get(i).map(String::as_str).unwrap_or("<name>"));
    }
    if vals.iter().any(Node::is_unresolved) {
        unresolved(&id, pos)
    } else {
        string(id, pos)
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
