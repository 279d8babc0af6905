//! Documents that compute, read elsewhere and handed over as bytes: ARM templates (their
//! evaluation, `template/`) and Terraform plans and states (their translation,
//! `terraform.rs`). The page's wasm has room for neither (27 and 28 KB of its 250 KB
//! budget); its guard's worker runs the JavaScript API (`__prepare`, loaded from the page's
//! origin when a document first needs it), under the guard's time limit, and the page
//! reads the bytes with `read_with` where the CLI evaluates and translates itself. Same
//! resources, same notes, same positions and origins: the tests read every template and
//! Terraform fixture both ways and compare the models.
//!
//! The format (both ends are this file): `MAGIC`, the kind, then the resources (node,
//! pointer and origin or loop iteration) and a template's notes. A node is its line and
//! column, a tag and its value; integers are LEB128; strings are a length and UTF-8.
//! Decoding checks every length and tag and bounds the depth, so bad bytes are `None`,
//! never a panic.

use super::template::{FlatResource, TemplateNote};
use super::terraform::{Kind, Translated};
use crate::json::{Node, Pos, Text, Value};
use crate::model::{PolicyAttribute, TfOrigin};

const MAGIC: &[u8] = b"amlvnet-wire-1";
/// The kind byte of a template (Terraform's are its `Kind`).
const TEMPLATE: u8 = 3;
/// Deepest node handed over: a template's computed values go deeper than parsed JSON
/// (`template::MAX_VALUE_DEPTH`), inside resources.
const MAX_DEPTH: usize = 2 * crate::json::MAX_DEPTH;
/// The ARM fields a Terraform origin can note a provider default for.
const DEFAULTED: [&str; 2] = ["privateEndpointNetworkPolicies", "privateLinkServiceNetworkPolicies"];

/// A document read elsewhere (`decode`).
pub struct Translation(pub(super) Wired);

pub(super) enum Wired {
    Terraform { kind: Kind, resources: Vec<Translated> },
    Template { resources: Vec<FlatResource>, notes: Vec<TemplateNote> },
}

/// What each document that computes (a template, a Terraform plan or state) reads as, as
/// bytes; `None` for the others, which the page reads itself.
#[cfg(not(feature = "web"))]
pub fn prepare(documents: &[super::Document]) -> Vec<Option<Vec<u8>>> {
    (0..documents.len()).map(|i| prepare_one(documents, i)).collect()
}

/// `prepare` for the document at `index` (the others are read only to find a template's
/// parameters file, as `read` finds it: the first one).
#[cfg(not(feature = "web"))]
pub fn prepare_one(documents: &[super::Document], index: usize) -> Option<Vec<u8>> {
    let root = crate::json::parse_document(&documents.get(index)?.text).ok()?.root;
    if super::terraform::detect(&root).is_some() {
        return terraform_bytes(root);
    }
    if !super::extract::is_template(&root) {
        return None;
    }
    let parameters = documents.iter().enumerate().find_map(|(i, d)| {
        if i == index {
            super::is_parameters_file(&root).then(|| root.clone())
        } else {
            crate::json::parse_document(&d.text).ok().map(|p| p.root).filter(super::is_parameters_file)
        }
    });
    let (resources, notes) = super::template::flatten(&root, parameters.as_ref(), super::extract::reads_type);
    let mut out = MAGIC.to_vec();
    out.push(TEMPLATE);
    uint(&mut out, resources.len() as u64);
    for r in &resources {
        node(&mut out, &r.node, 0);
        string(&mut out, &r.pointer);
        uint(&mut out, r.iteration.map_or(0, |i| (i as u64).saturating_add(1)));
        out.push(u8::from(r.conditional));
    }
    uint(&mut out, notes.len() as u64);
    for n in &notes {
        string(&mut out, &n.message);
        string(&mut out, &n.pointer);
        uint(&mut out, u64::from(n.pos.line));
        uint(&mut out, u64::from(n.pos.column));
    }
    Some(out)
}

/// The translation of a plan or state, as bytes; `None` for any other document.
#[cfg(not(feature = "web"))]
fn terraform_bytes(root: Node) -> Option<Vec<u8>> {
    let kind = super::terraform::detect(&root)?;
    let resources = super::terraform::read_all(root, kind);
    let mut out = MAGIC.to_vec();
    out.push(kind as u8);
    uint(&mut out, resources.len() as u64);
    for t in &resources {
        node(&mut out, &t.node, 0);
        string(&mut out, &t.pointer);
        let o = &t.origin;
        for s in [&o.address, &o.kind, &o.reference, &o.module] {
            string(&mut out, s);
        }
        out.push(u8::from(o.inline_rules));
        out.extend(o.policy_attributes.map(|a| a as u8));
        uint(&mut out, o.defaulted.len() as u64);
        for (field, note) in &o.defaulted {
            out.push(DEFAULTED.iter().position(|f| f == field).unwrap_or(0) as u8);
            string(&mut out, note);
        }
    }
    Some(out)
}

#[cfg(not(feature = "web"))]
fn uint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

#[cfg(not(feature = "web"))]
fn string(out: &mut Vec<u8>, s: &str) {
    uint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

#[cfg(not(feature = "web"))]
fn node(out: &mut Vec<u8>, n: &Node, depth: usize) {
    uint(out, u64::from(n.pos.line));
    uint(out, u64::from(n.pos.column));
    match &n.value {
        // Deeper than any document or computed value: nothing real is cut here.
        _ if depth > MAX_DEPTH => out.push(0),
        Value::Null => out.push(0),
        Value::Bool(b) => out.push(if *b { 2 } else { 1 }),
        Value::Number(x) => {
            out.push(3);
            out.extend_from_slice(&x.to_le_bytes());
        }
        Value::String(s) => {
            out.push(4);
            string(out, s);
        }
        Value::Unresolved(s) => {
            out.push(5);
            string(out, s);
        }
        Value::Array(items) => {
            out.push(6);
            uint(out, items.len() as u64);
            items.iter().for_each(|i| node(out, i, depth.saturating_add(1)));
        }
        Value::Object(members) => {
            out.push(7);
            uint(out, members.len() as u64);
            for (k, v) in members {
                string(out, k);
                node(out, v, depth.saturating_add(1));
            }
        }
    }
}

/// Reads `prepare`'s bytes; `None` when they are not that.
pub fn decode(bytes: &[u8]) -> Option<Translation> {
    let mut r = Reader { bytes: bytes.strip_prefix(MAGIC)? };
    let kind = match r.byte()? {
        0 => Kind::Plan,
        1 => Kind::State,
        2 => Kind::RawState,
        TEMPLATE => {
            let mut resources = Vec::new();
            for _ in 0..r.count()? {
                let node = r.node(0)?;
                let pointer = r.string()?.into_owned();
                let iteration = r.uint()?.checked_sub(1).map(usize::try_from).transpose().ok()?;
                resources.push(FlatResource { node, pointer, iteration, conditional: r.byte()? != 0 });
            }
            let mut notes = Vec::new();
            for _ in 0..r.count()? {
                let (message, pointer) = (r.string()?.into_owned(), r.string()?.into_owned());
                notes.push(TemplateNote { message, pointer, pos: r.pos()? });
            }
            return r.bytes.is_empty().then_some(Translation(Wired::Template { resources, notes }));
        }
        _ => return None,
    };
    let mut resources = Vec::new();
    for _ in 0..r.count()? {
        let node = r.node(0)?;
        let pointer = r.string()?.into_owned();
        let mut origin = TfOrigin {
            address: r.string()?.into_owned(),
            kind: r.string()?.into_owned(),
            reference: r.string()?.into_owned(),
            module: r.string()?.into_owned(),
            inline_rules: r.byte()? != 0,
            ..TfOrigin::default()
        };
        for slot in &mut origin.policy_attributes {
            *slot = match r.byte()? {
                0 => PolicyAttribute::Enforce,
                1 => PolicyAttribute::Enabled,
                2 => PolicyAttribute::Text,
                _ => return None,
            };
        }
        for _ in 0..r.count()? {
            let field = *DEFAULTED.get(usize::from(r.byte()?))?;
            origin.defaulted.push((field, r.string()?.into_owned()));
        }
        resources.push(Translated { node, pointer, rules_at: None, origin });
    }
    r.bytes.is_empty().then_some(Translation(Wired::Terraform { kind, resources }))
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        Some(b)
    }

    fn uint(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7F).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    /// A count of items that each take at least a byte: never more than the bytes left,
    /// so a bad count can't make a huge allocation.
    fn count(&mut self) -> Option<usize> {
        usize::try_from(self.uint()?).ok().filter(|&n| n <= self.bytes.len())
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.bytes.get(..n)?, self.bytes.get(n..)?);
        self.bytes = rest;
        Some(head)
    }

    fn string(&mut self) -> Option<Text> {
        let n = self.count()?;
        let s = std::str::from_utf8(self.take(n)?).ok()?;
        Some(crate::json::text(s))
    }

    fn pos(&mut self) -> Option<Pos> {
        Some(Pos { line: u32::try_from(self.uint()?).ok()?, column: u32::try_from(self.uint()?).ok()? })
    }

    fn node(&mut self, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH.saturating_add(1) {
            return None;
        }
        let pos = self.pos()?;
        let value = match self.byte()? {
            0 => Value::Null,
            1 => Value::Bool(false),
            2 => Value::Bool(true),
            3 => Value::Number(f64::from_le_bytes(self.take(8)?.try_into().ok()?)),
            4 => Value::String(self.string()?),
            5 => Value::Unresolved(self.string()?),
            6 => Value::Array((0..self.count()?).map(|_| self.node(depth.saturating_add(1))).collect::<Option<_>>()?),
            7 => Value::Object((0..self.count()?).map(|_| Some((self.string()?, self.node(depth.saturating_add(1))?))).collect::<Option<_>>()?),
            _ => return None,
        };
        Some(Node { value, pos })
    }
}
