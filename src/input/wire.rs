//! A Terraform document's translation as bytes, from the JavaScript API to the page.
//!
//! The page's wasm has no room for the translation (`terraform.rs`, 28 KB of its 250 KB
//! budget) but reads its result: the page hands a plan's text to the JavaScript API
//! (`translateTerraform`, loaded from the page's origin the first time a plan is pasted),
//! which returns these bytes, and `read_with` reads them where the CLI reads the
//! translation itself. Same resources, same positions, same origins: a test reads every
//! Terraform fixture both ways and compares the models.
//!
//! The format (both ends are this file): `MAGIC`, the kind, then each resource as its
//! node, pointer and origin. A node is its line and column, a tag and its value; integers
//! are LEB128; strings are a length and UTF-8. Decoding checks every length and tag and
//! bounds the depth, so bad bytes are `None`, never a panic.

use super::terraform::{Kind, Translated};
use crate::json::{Node, Pos, Text, Value, MAX_DEPTH};
use crate::model::{PolicyAttribute, TfOrigin};

const MAGIC: &[u8] = b"amlvnet-tf-1";

/// A Terraform document read elsewhere: what kind it is and its resources.
pub struct Translation {
    pub(super) kind: Kind,
    pub(super) resources: Vec<Translated>,
}

/// The ARM fields a Terraform origin can note a provider default for.
const DEFAULTED: [&str; 2] = ["privateEndpointNetworkPolicies", "privateLinkServiceNetworkPolicies"];

/// The translation of a plan or state, as bytes; `None` for any other text.
#[cfg(not(feature = "web"))]
pub fn translate_terraform(text: &str) -> Option<Vec<u8>> {
    let mut root = crate::json::parse_document(text).ok()?.root;
    let kind = super::terraform::detect(&root)?;
    let mut resources = match kind {
        Kind::RawState => Vec::new(),
        _ => super::terraform::translate(&root, kind),
    };
    for t in &mut resources {
        super::terraform::take_rules(&mut root, t);
    }
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
        // Deeper than the parser lets a document be: nothing real is cut here.
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

/// Reads `translate_terraform`'s bytes; `None` when they are not that.
pub fn decode(bytes: &[u8]) -> Option<Translation> {
    let mut r = Reader { bytes: bytes.strip_prefix(MAGIC)? };
    let kind = match r.byte()? {
        0 => Kind::Plan,
        1 => Kind::State,
        2 => Kind::RawState,
        _ => return None,
    };
    let count = r.count()?;
    let mut resources = Vec::with_capacity(count);
    for _ in 0..count {
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
    r.bytes.is_empty().then_some(Translation { kind, resources })
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

    fn node(&mut self, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH.saturating_add(1) {
            return None;
        }
        let pos = Pos { line: u32::try_from(self.uint()?).ok()?, column: u32::try_from(self.uint()?).ok()? };
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
