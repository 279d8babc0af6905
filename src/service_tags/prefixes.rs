//! Service-tag address prefixes as sorted intervals, and exact cover by interval
//! arithmetic (spec 5.8).
//!
//! IPv4 and IPv6 share one number line: an IPv4 address `a.b.c.d` is the IPv4-mapped
//! IPv6 address `::ffff:a.b.c.d`, which no service tag lists as IPv6. So one sorted list
//! of disjoint inclusive intervals holds a tag's addresses, and its IPv4 part is the
//! slice inside `V4_LOW..=V4_HIGH`.
//!
//! Two sources: the compact table `scripts/update-service-tags.sh` writes (`decode`),
//! and the published JSON or `az network list-service-tags` output a user pastes
//! (`from_json`). Both give the same `TagPrefixes`.

use crate::json::{Node, Value};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// An inclusive address interval on the shared IPv4/IPv6 line.
pub type Interval = (u128, u128);

/// First and last IPv4 address on the shared line.
pub const V4_LOW: u128 = 0xffff_0000_0000;
pub const V4_HIGH: u128 = 0xffff_ffff_ffff;

/// The interval of a prefix.
pub fn interval(net: &IpNet) -> Interval {
    match net {
        IpNet::V4(n) => (V4_LOW | u128::from(u32::from(n.network())), V4_LOW | u128::from(u32::from(n.broadcast()))),
        IpNet::V6(n) => (u128::from(n.network()), u128::from(n.broadcast())),
    }
}

/// Sorts and merges intervals into disjoint, non-adjacent ones.
pub fn merge(mut items: Vec<Interval>) -> Vec<Interval> {
    // The tables list prefixes in order: most calls skip the sort.
    if !items.is_sorted() {
        items = sort_runs(items);
    }
    // Merged in place: no second buffer.
    let mut kept: usize = 0;
    for i in 0..items.len() {
        let Some(&(lo, hi)) = items.get(i) else { break };
        match kept.checked_sub(1).and_then(|last| items.get_mut(last)) {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => {
                if let Some(slot) = items.get_mut(kept) {
                    *slot = (lo, hi);
                }
                kept = kept.saturating_add(1);
            }
        }
    }
    items.truncate(kept);
    items
}

/// Sorts intervals by merging their ascending runs pairwise (a natural merge sort):
/// O(n log runs), and the inputs are a few sorted runs (the union of a rule's sets, a
/// table's lists). Written out because the standard sort's code costs the page 3 KB per
/// element type.
fn sort_runs(items: Vec<Interval>) -> Vec<Interval> {
    let mut runs: Vec<Vec<Interval>> = Vec::new();
    for i in items {
        match runs.last_mut() {
            Some(run) if run.last().is_some_and(|l| *l <= i) => run.push(i),
            _ => runs.push(vec![i]),
        }
    }
    while runs.len() > 1 {
        let mut next = Vec::with_capacity(runs.len().div_ceil(2));
        let mut pairs = runs.into_iter();
        while let Some(a) = pairs.next() {
            let Some(b) = pairs.next() else {
                next.push(a);
                break;
            };
            let mut out = Vec::with_capacity(a.len().saturating_add(b.len()));
            let (mut x, mut y) = (a.into_iter().peekable(), b.into_iter().peekable());
            loop {
                let take_x = match (x.peek(), y.peek()) {
                    (Some(p), Some(q)) => p <= q,
                    (Some(_), None) => true,
                    (None, Some(_)) => false,
                    (None, None) => break,
                };
                out.extend(if take_x { x.next() } else { y.next() });
            }
            next.push(out);
        }
        runs = next;
    }
    runs.pop().unwrap_or_default()
}

/// The index of the first interval of a merged list that ends at or after `at`.
fn first_ending_from(set: &[Interval], at: u128) -> usize {
    set.partition_point(|&(_, hi)| hi < at)
}

/// Whether `(lo, hi)` overlaps the merged set.
pub fn overlaps(set: &[Interval], (lo, hi): Interval) -> bool {
    set.get(first_ending_from(set, lo)).is_some_and(|&(l, _)| l <= hi)
}

/// Whether the merged set holds every address of `(lo, hi)`.
pub fn contains(set: &[Interval], (lo, hi): Interval) -> bool {
    set.get(first_ending_from(set, lo)).is_some_and(|&(l, h)| l <= lo && hi <= h)
}

/// One service tag: its name as the data spells it, `networkFeatures` bits, and its
/// addresses, decoded from the table the first time they are asked for.
#[derive(Clone, Debug)]
pub struct Tag {
    pub name: Box<str>,
    /// The name in lower case: the key lookups compare (byte slices, no case folding).
    key: Box<[u8]>,
    pub features: u8,
    /// The encoded prefix lists in the table (empty for a tag built from JSON).
    body: Option<(Arc<[u8]>, Range<usize>)>,
    addrs: OnceLock<Option<Addrs>>,
}

/// A tag's prefixes as listed, and the same addresses merged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Addrs {
    pub prefixes: Vec<IpNet>,
    pub intervals: Vec<Interval>,
}

impl Addrs {
    fn new(prefixes: Vec<IpNet>) -> Addrs {
        let intervals = merge(prefixes.iter().map(interval).collect());
        Addrs { prefixes, intervals }
    }

    /// The IPv4 part of the addresses.
    pub fn v4(&self) -> &[Interval] {
        let from = self.intervals.partition_point(|&(lo, _)| lo < V4_LOW);
        let to = self.intervals.partition_point(|&(lo, _)| lo <= V4_HIGH);
        self.intervals.get(from..to).unwrap_or_default()
    }
}

impl PartialEq for Tag {
    fn eq(&self, other: &Tag) -> bool {
        self.name == other.name && self.features == other.features && self.addrs() == other.addrs()
    }
}

impl Tag {
    fn new(name: &str, features: u8, prefixes: Vec<IpNet>) -> Tag {
        Tag { name: name.into(), key: lower(name), features, body: None, addrs: OnceLock::from(Some(Addrs::new(prefixes))) }
    }

    /// The tag's addresses; `None` when its part of the table can't be read (then the
    /// tag is treated as absent: the lattice answers for it, never a guess).
    pub fn addrs(&self) -> Option<&Addrs> {
        self.addrs
            .get_or_init(|| {
                let (bytes, range) = self.body.as_ref()?;
                decode_body(bytes.get(range.clone())?).ok().map(Addrs::new)
            })
            .as_ref()
    }

    pub fn prefixes(&self) -> &[IpNet] {
        self.addrs().map_or(&[], |a| &a.prefixes)
    }

    pub fn intervals(&self) -> &[Interval] {
        self.addrs().map_or(&[], |a| &a.intervals)
    }

    /// The IPv4 part of the tag's addresses.
    pub fn v4(&self) -> &[Interval] {
        self.addrs().map_or(&[], Addrs::v4)
    }
}

fn lower(name: &str) -> Box<[u8]> {
    name.bytes().map(|c| c.to_ascii_lowercase()).collect()
}

/// A tag's encoded prefix lists: IPv4 then IPv6, each a count followed by (address delta
/// from the previous, prefix length).
fn decode_body(body: &[u8]) -> Result<Vec<IpNet>, String> {
    let mut r = Bytes { bytes: body, at: 0 };
    let mut prefixes: Vec<IpNet> = Vec::new();
    for v6 in [false, true] {
        let n = usize::try_from(r.varint()?).map_err(|_| "count out of range")?;
        // Each prefix takes at least two bytes: a count can't reserve beyond the body.
        if n > body.len() / 2 {
            return Err("count out of range".into());
        }
        prefixes.reserve_exact(n);
        let mut addr: u128 = 0;
        for _ in 0..n {
            addr = addr.checked_add(r.varint()?).ok_or("address out of range")?;
            let len = r.byte()?;
            let net = if v6 {
                Ipv6Net::new(Ipv6Addr::from(addr), len).map(IpNet::V6)
            } else {
                let a = u32::try_from(addr).map_err(|_| "IPv4 address out of range")?;
                Ipv4Net::new(Ipv4Addr::from(a), len).map(IpNet::V4)
            };
            prefixes.push(net.map_err(|_| "bad prefix length")?);
        }
    }
    if r.at != body.len() {
        return Err("trailing bytes in a tag".into());
    }
    Ok(prefixes)
}

/// A set of service tags with their prefixes, from one changeNumber.
#[derive(Clone, Debug, PartialEq)]
pub struct TagPrefixes {
    pub change_number: u32,
    /// Sorted by lower-case name.
    tags: Vec<Tag>,
}

/// How many tags and prefixes a table may hold (the published file has about 3,000
/// tags and 100,000 prefixes): a pasted document can't make the tables unbounded.
pub const MAX_TAGS: usize = 20_000;
pub const MAX_PREFIXES: usize = 1_000_000;

/// The compact table's first bytes.
const MAGIC: &[u8] = b"AMLTAGS2";

impl TagPrefixes {
    fn from_tags(change_number: u32, mut tags: Vec<Tag>) -> TagPrefixes {
        // The generated table is in order; a pasted file (never in the page) may not be.
        if !tags.is_sorted_by(|a, b| a.key <= b.key) {
            #[cfg(not(feature = "web"))]
            tags.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        }
        tags.dedup_by(|a, b| a.key == b.key);
        TagPrefixes { change_number, tags }
    }

    /// A table from (name, networkFeatures bits, prefixes) triples.
    pub fn from_parts(change_number: u32, tags: Vec<(String, u8, Vec<IpNet>)>) -> TagPrefixes {
        TagPrefixes::from_tags(change_number, tags.into_iter().map(|(name, features, prefixes)| Tag::new(&name, features, prefixes)).collect())
    }

    /// Reads the compact table: `AMLTAGS2`, changeNumber, tag count, then per tag its
    /// name (length byte + bytes), features byte, the byte length of its prefix lists and
    /// the lists (see `decode_body`). Numbers are LEB128 varints. Only the framing is
    /// read here; a tag's prefixes are decoded when first used, so building the table
    /// costs a pass over 641 names, not 27,000 prefixes.
    pub fn decode(bytes: &[u8]) -> Result<TagPrefixes, String> {
        let shared: Arc<[u8]> = Arc::from(bytes);
        let mut r = Bytes { bytes, at: 0 };
        if r.take(MAGIC.len())? != MAGIC {
            return Err("not a service-tag table (bad magic)".into());
        }
        let change_number = u32::try_from(r.varint()?).map_err(|_| "changeNumber out of range")?;
        let count = usize::try_from(r.varint()?).map_err(|_| "count out of range")?;
        if count > MAX_TAGS {
            return Err("too many tags".into());
        }
        let mut tags = Vec::with_capacity(count.min(bytes.len()));
        for _ in 0..count {
            let len = usize::from(r.byte()?);
            let name = std::str::from_utf8(r.take(len)?).map_err(|_| "a tag name is not UTF-8")?;
            let features = r.byte()?;
            let size = usize::try_from(r.varint()?).map_err(|_| "size out of range")?;
            let start = r.at;
            r.take(size)?;
            tags.push(Tag {
                name: name.into(),
                key: lower(name),
                features,
                body: Some((shared.clone(), start..start.saturating_add(size))),
                addrs: OnceLock::new(),
            });
        }
        if r.at != bytes.len() {
            return Err("trailing bytes after the last tag".into());
        }
        Ok(TagPrefixes::from_tags(change_number, tags))
    }

    /// Whether a parsed document is the published file or `az network
    /// list-service-tags` output: `values` whose items carry `properties.addressPrefixes`.
    pub fn is_service_tag_json(root: &Node) -> bool {
        root.get("values")
            .and_then(|v| v.as_array())
            .and_then(|items| items.first())
            .is_some_and(|first| first.get("name").is_some() && first.get("properties").and_then(|p| p.get("addressPrefixes")).is_some())
    }

    /// Reads the published file or `az network list-service-tags` output. Invalid
    /// prefixes are skipped and counted in the second value.
    pub fn from_json(root: &Node) -> Result<(TagPrefixes, usize), String> {
        let items = root.get("values").and_then(|v| v.as_array()).ok_or("no `values` list of service tags")?;
        if items.len() > MAX_TAGS {
            return Err(format!("more than {MAX_TAGS} service tags"));
        }
        let number = |n: Option<&Node>| match n.map(|n| &n.value) {
            Some(Value::Number(x)) => Some(*x).filter(|v| *v >= 0.0 && *v <= f64::from(u32::MAX)).map(|v| v as u32),
            _ => None,
        };
        let mut change_number = number(root.get("changeNumber"));
        let mut tags = Vec::with_capacity(items.len());
        let (mut total, mut skipped) = (0usize, 0usize);
        for item in items {
            let Some(name) = item.get("name").and_then(|n| n.as_str()) else {
                skipped = skipped.saturating_add(1);
                continue;
            };
            let props = item.get("properties");
            if change_number.is_none() {
                change_number = number(props.and_then(|p| p.get("changeNumber")));
            }
            let features = props
                .and_then(|p| p.get("networkFeatures"))
                .and_then(|f| f.as_array())
                .map(|fs| fs.iter().filter_map(|f| f.as_str()).map(super::feature_bit).fold(0, |a, b| a | b))
                .unwrap_or(0);
            let list = props.and_then(|p| p.get("addressPrefixes")).and_then(|a| a.as_array()).unwrap_or_default();
            total = total.saturating_add(list.len());
            if total > MAX_PREFIXES {
                return Err(format!("more than {MAX_PREFIXES} address prefixes"));
            }
            let mut prefixes = Vec::with_capacity(list.len());
            for p in list {
                match p.as_str().and_then(|t| t.trim().parse::<IpNet>().ok()) {
                    Some(net) => prefixes.push(net.trunc()),
                    None => skipped = skipped.saturating_add(1),
                }
            }
            tags.push(Tag::new(name, features, prefixes));
        }
        Ok((TagPrefixes::from_tags(change_number.unwrap_or(0), tags), skipped))
    }

    /// A tag by name, any case.
    pub fn get(&self, name: &str) -> Option<&Tag> {
        self.get_parts(name, "")
    }

    /// A tag by its two parts (`Storage`, `westus2` for `Storage.westus2`; an empty
    /// second part for a global tag), any case, without allocating: lookups run per rule
    /// field and flow. Only tags whose addresses could be read are found.
    pub fn get_parts(&self, family: &str, part: &str) -> Option<&Tag> {
        let mut buf = [0u8; 128];
        let len = family.len().saturating_add(usize::from(!part.is_empty())).saturating_add(part.len());
        let key = buf.get_mut(..len)?;
        let dot: &[u8] = if part.is_empty() { b"" } else { b"." };
        for (slot, c) in key.iter_mut().zip(family.bytes().chain(dot.iter().copied()).chain(part.bytes())) {
            *slot = c.to_ascii_lowercase();
        }
        let key: &[u8] = key;
        self.tags.binary_search_by(|t| (*t.key).cmp(key)).ok().and_then(|i| self.tags.get(i)).filter(|t| t.addrs().is_some())
    }

    pub fn len(&self) -> usize {
        self.tags.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
    }

    /// The tags that hold every address of `net`, global tags before regional ones
    /// within a family; at most `limit`.
    pub fn containing(&self, net: &IpNet, limit: usize) -> Vec<&str> {
        let want = interval(net);
        self.tags.iter().filter(|t| contains(t.intervals(), want)).map(|t| &*t.name).take(limit).collect()
    }
}

/// A byte reader that fails instead of panicking.
struct Bytes<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).ok_or("truncated table")?;
        let out = self.bytes.get(self.at..end).ok_or("truncated table")?;
        self.at = end;
        Ok(out)
    }
    fn byte(&mut self) -> Result<u8, String> {
        self.take(1)?.first().copied().ok_or_else(|| "truncated table".into())
    }
    fn varint(&mut self) -> Result<u128, String> {
        // Most numbers are one or two bytes.
        match self.bytes.get(self.at..self.at.saturating_add(2)) {
            Some([a, _]) if a & 0x80 == 0 => {
                self.at = self.at.saturating_add(1);
                return Ok(u128::from(*a));
            }
            Some([a, b]) if b & 0x80 == 0 => {
                self.at = self.at.saturating_add(2);
                return Ok(u128::from(a & 0x7f) | u128::from(*b) << 7);
            }
            _ => {}
        }
        let mut value: u128 = 0;
        for shift in (0..128).step_by(7) {
            let b = self.byte()?;
            value |= u128::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("varint too long".into())
    }
}

/// The prefixes of `required` that the union of `sets` does not wholly cover.
pub fn uncovered<'p>(required: &'p [IpNet], sets: &[&[Interval]]) -> Vec<&'p IpNet> {
    let union = merge(sets.iter().flat_map(|s| s.iter().copied()).collect());
    required.iter().filter(|p| !contains(&union, interval(p))).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn n(t: &str) -> IpNet {
        t.parse().unwrap()
    }

    #[test]
    fn intervals_merge_and_answer() {
        let set = merge(vec![interval(&n("10.0.0.0/25")), interval(&n("10.0.0.128/25")), interval(&n("10.0.2.0/24"))]);
        assert_eq!(set.len(), 2, "adjacent halves merge");
        assert!(contains(&set, interval(&n("10.0.0.0/24"))));
        assert!(!contains(&set, interval(&n("10.0.0.0/22"))));
        assert!(overlaps(&set, interval(&n("10.0.0.0/22"))));
        assert!(!overlaps(&set, interval(&n("10.0.1.0/24"))));
        assert!(overlaps(&set, interval(&n("0.0.0.0/0"))));
        assert!(!overlaps(&set, interval(&n("2603:1000::/40"))));
        let v6 = interval(&n("2603:1000::/40"));
        assert!(v6.1 < V4_LOW || v6.0 > V4_HIGH, "IPv6 space stays apart from IPv4");
    }

    #[test]
    fn a_pasted_file_is_bounded() {
        let item = r#"{"name": "T", "properties": {"addressPrefixes": ["20.0.0.0/24"]}}"#;
        let json = |n: usize| format!(r#"{{"changeNumber": 1, "values": [{}]}}"#, vec![item; n].join(","));
        let root = crate::json::parse(&json(MAX_TAGS + 1)).unwrap();
        assert!(TagPrefixes::from_json(&root).is_err(), "more tags than MAX_TAGS are refused");
        let root = crate::json::parse(&json(3)).unwrap();
        assert_eq!(TagPrefixes::from_json(&root).map(|(t, skipped)| (t.len(), skipped)), Ok((1, 0)), "one tag, named thrice");
    }

    #[test]
    fn runs_merge_into_order() {
        let items: Vec<Interval> = [5u128, 9, 1, 7, 3, 3, 8, 2, 6, 0, 4].iter().map(|&x| (x, x)).collect();
        let mut expected = items.clone();
        expected.sort_unstable();
        assert_eq!(sort_runs(items), expected);
        assert_eq!(sort_runs(Vec::new()), Vec::new());
    }

    #[test]
    fn uncovered_prefixes_are_named() {
        let a = merge(vec![interval(&n("20.0.0.0/24"))]);
        let listed = [n("20.0.0.0/24"), n("20.0.2.0/24")];
        assert_eq!(uncovered(&listed, &[&a]), vec![&listed[1]]);
    }

    #[test]
    fn decode_refuses_bad_tables_without_panicking() {
        for bad in [&b""[..], b"AMLTAGS2", b"AMLTAGS2\x01\xff\xff\xff\xff\xff\xff", b"nope", b"AMLTAGS2\x01\x01\x05ab", b"AMLTAGS2\x01\x01\x01a\x02\x09\x00"] {
            assert!(TagPrefixes::decode(bad).is_err(), "{bad:?}");
        }
        // Framing right, a tag's body wrong: the tag is absent, not empty.
        let table = TagPrefixes::decode(b"AMLTAGS2\x01\x01\x01a\x02\x02\x05\x00").unwrap();
        assert!(table.get("a").is_none());
        let good = TagPrefixes::decode(b"AMLTAGS2\x01\x01\x01a\x02\x04\x01\x00\x00\x00").unwrap();
        assert_eq!(good.get("A").map(|t| t.prefixes().to_vec()), Some(vec![n("0.0.0.0/0")]));
    }
}
