//! The page's state and its transitions: plain data, no Yew types, so it is tested
//! natively (`cargo test --features web --bin web` is not needed: see tests in this file).

use amlvnet::Options;
use std::rc::Rc;

/// The example documents of the menu, compiled in (the page fetches nothing).
pub const EXAMPLES: &[(&str, &str, &str)] = &[
    ("Compliant public-IP cluster", "cluster-public-ip-compliant.json", include_str!("../../../www/examples/cluster-public-ip-compliant.json")),
    ("az network nsg show export (with mistakes)", "az-nsg-show.json", include_str!("../../../www/examples/az-nsg-show.json")),
    (
        "No-public-IP cluster, subnet policies enabled",
        "cluster-no-public-ip-policies-enabled.json",
        include_str!("../../../www/examples/cluster-no-public-ip-policies-enabled.json"),
    ),
    ("Forced-tunnel subnet missing its routes", "forced-tunnel-missing-routes.json", include_str!("../../../www/examples/forced-tunnel-missing-routes.json")),
    ("ARM template with child rules", "arm-template-child-rules.json", include_str!("../../../www/examples/arm-template-child-rules.json")),
    ("NSG with only the default rules", "nsg-defaults-only.json", include_str!("../../../www/examples/nsg-defaults-only.json")),
    ("Terraform plan: no-public-IP cluster (terraform show -json)", "terraform-plan.json", include_str!("../../../www/examples/terraform-plan.json")),
];

/// One pasted or dropped document. The text is shared, not copied, between the states a
/// render compares (a 1,000-rule NSG is 300 KB): a clone is a pointer, and an unchanged
/// text compares equal by its pointer (`Rc<T: Eq>`), without reading it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Doc {
    pub id: u32,
    pub name: String,
    pub text: Rc<str>,
    /// `Some(lines)` when the text is not in the editor (see `EDITOR_MAX_BYTES`).
    pub hidden_lines: Option<usize>,
}

/// Texts longer than this stay out of the editor until the user asks for them: a browser
/// lays a textarea's whole text out at once, which freezes the page (on a 2-core VM, 0.4 s
/// for 320 KB and 17,000 lines, 40 s for 20 MB). The checks read them all the same.
pub const EDITOR_MAX_BYTES: usize = 1_000_000;

/// Files larger than this are not read at all (the CLI has no such limit).
pub const READ_MAX_BYTES: u64 = 25_000_000;

impl Doc {
    pub fn new(id: u32, name: String, text: Rc<str>) -> Doc {
        let hidden_lines = (text.len() > EDITOR_MAX_BYTES).then(|| text.bytes().filter(|&b| b == b'\n').count() + 1);
        Doc { id, name, text, hidden_lines }
    }
}

/// `text` with the UTF-16 range `start..end` (a textarea's selection) replaced by `insert`.
pub fn splice_utf16(text: &str, start: u32, end: u32, insert: &str) -> String {
    let byte = |at: u32| {
        let mut units = 0;
        for (i, c) in text.char_indices() {
            if units >= at as usize {
                return i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let (a, b) = (byte(start.min(end)), byte(end.max(start)));
    let mut out = String::with_capacity(text.len() + insert.len());
    out.push_str(text.get(..a).unwrap_or_default());
    out.push_str(insert);
    out.push_str(text.get(b..).unwrap_or_default());
    out
}

/// Everything the page shows is derived from this.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub docs: Vec<Doc>,
    next_id: u32,
    /// The documents as last checked (updated after typing pauses).
    pub checked: Rc<Vec<Doc>>,
    /// What the checks run on: `checked`, or, while the guard's worker reads it first
    /// (`guard.rs`), the last set it finished, and never a document it set aside.
    pub checking: Rc<Vec<Doc>>,
    /// The guard's word on `checked`.
    pub guard: Guard,
    /// `""` means "from the documents".
    pub compute: String,
    pub public_ip: String,
    pub region: String,
    pub profile: String,
    /// Files that were not read, and why (shown until dismissed).
    pub refused: Vec<String>,
}

/// What the user can do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Add {
        name: String,
        text: String,
    },
    Edit {
        id: u32,
        text: String,
    },
    Rename {
        id: u32,
        name: String,
    },
    /// A paste too big for the editor: the document's new text, checked at once and kept
    /// out of the editor.
    Replace {
        id: u32,
        text: String,
    },
    /// Put a document's text in the editor although it is big.
    ShowText(u32),
    /// A file too big to read (`READ_MAX_BYTES`).
    Refuse {
        name: String,
        bytes: u64,
    },
    DismissRefused,
    Remove(u32),
    Example(usize),
    Compute(String),
    PublicIp(String),
    Region(String),
    Profile(String),
    /// Check the documents as they are now (after a pause in typing).
    Commit,
    /// A whole new state (a share link, read).
    Load(Box<State>),
    /// The guard's worker finished with `docs` (a `checked` of an earlier state or this one).
    Guarded {
        docs: Rc<Vec<Doc>>,
        verdict: Verdict,
    },
}

/// The guard's word on the documents (`guard.rs`).
#[derive(Clone, Debug, PartialEq)]
pub enum Guard {
    /// Checked on the page: finished in the worker, or not in need of it.
    Clear,
    /// In the worker.
    Waiting,
    /// A document was set aside: why, for people.
    Stopped(String),
}

/// What the guard's worker found for one set of documents.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Every document finished within the limit, alone and together.
    Cleared,
    /// The document at `index` (`None`: the documents together) did not finish.
    Stopped { index: Option<usize>, why: String },
}

/// Plain JSON up to this size is checked on the page at once (`guard.rs`).
const DIRECT_MAX_BYTES: usize = 1_000_000;

/// Whether a document is read alone in the guard's worker first: one that computes, or a
/// text over `DIRECT_MAX_BYTES`.
pub fn guard_alone(d: &Doc) -> bool {
    d.text.len() > DIRECT_MAX_BYTES || computes(d)
}

/// Whether a document may be an ARM template (its expressions compute) or Terraform JSON
/// (translated): the page reads those with what the guard's worker makes of them
/// (`prepared.rs`). The words every template (`contentVersion`, the schema's
/// `deploymentTemplate`) and every `terraform show -json` document (`format_version`,
/// `terraform_version`) holds are found by substring searches (which skip ahead: 0.3 ms
/// natively for a 550 KB export, a third of one pass over its quotes), and an expression's
/// `"[` by memchr (a 1,000-rule export has a handful of `[`). Not a parse: it runs on every
/// edit.
pub fn computes(d: &Doc) -> bool {
    let t = &*d.text;
    t.contains("contentVersion")
        || t.contains("deploymentTemplate")
        || t.contains("\"format_version\"")
        || t.contains("\"terraform_version\"")
        || t.match_indices('[').any(|(i, _)| i.checked_sub(1).and_then(|p| t.as_bytes().get(p)) == Some(&b'"'))
}

/// Whether these documents go through the guard's worker first: one needs it alone, or
/// together they are over `DIRECT_MAX_BYTES`.
pub fn guard_needed(docs: &[Doc]) -> bool {
    docs.iter().map(|d| d.text.len()).sum::<usize>() > DIRECT_MAX_BYTES || docs.iter().any(guard_alone)
}

impl Default for State {
    fn default() -> State {
        State::new().apply(Action::Example(1))
    }
}

impl State {
    /// An empty page.
    pub fn new() -> State {
        State {
            docs: Vec::new(),
            next_id: 1,
            checked: Rc::new(Vec::new()),
            checking: Rc::new(Vec::new()),
            guard: Guard::Clear,
            compute: String::new(),
            public_ip: String::new(),
            region: String::new(),
            profile: "2022-07".into(),
            refused: Vec::new(),
        }
    }

    /// Check the documents as they are now.
    pub(crate) fn commit(&mut self) {
        self.checked = Rc::new(self.docs.clone());
        if guard_needed(&self.checked) {
            self.guard = Guard::Waiting;
        } else {
            self.checking = self.checked.clone();
            self.guard = Guard::Clear;
        }
    }

    /// The transition function.
    pub fn apply(mut self, action: Action) -> State {
        match action {
            Action::Load(state) => return *state,
            Action::Add { name, text } => {
                let name = if name.trim().is_empty() { format!("document-{}.json", self.next_id) } else { name };
                self.docs.push(Doc::new(self.next_id, name, text.into()));
                self.next_id += 1;
                self.commit();
            }
            Action::Edit { id, text } => {
                if let Some(d) = self.docs.iter_mut().find(|d| d.id == id) {
                    d.text = text.into();
                }
            }
            Action::Replace { id, text } => {
                if let Some(d) = self.docs.iter_mut().find(|d| d.id == id) {
                    *d = Doc::new(id, std::mem::take(&mut d.name), text.into());
                }
                self.commit();
            }
            Action::ShowText(id) => {
                if let Some(d) = self.docs.iter_mut().find(|d| d.id == id) {
                    d.hidden_lines = None;
                }
            }
            Action::Rename { id, name } => {
                if let Some(d) = self.docs.iter_mut().find(|d| d.id == id) {
                    d.name = name;
                }
                self.commit();
            }
            Action::Remove(id) => {
                self.docs.retain(|d| d.id != id);
                self.commit();
            }
            Action::Example(index) => {
                if let Some((_, name, text)) = EXAMPLES.get(index) {
                    self.docs = vec![Doc::new(self.next_id, (*name).into(), (*text).into())];
                    self.next_id += 1;
                    self.compute.clear();
                    self.public_ip.clear();
                    self.region.clear();
                    self.commit();
                }
            }
            Action::Compute(v) => self.compute = v,
            Action::PublicIp(v) => self.public_ip = v,
            Action::Region(v) => self.region = v,
            Action::Profile(v) => self.profile = v,
            Action::Refuse { name, bytes } => self.refused.push(format!(
                "{name} was not read: {} MB is more than the {} MB this page reads. The command line reads any size: amlvnet check {name}",
                {
                    let t = amlvnet::json::fixed(bytes as f64 / 1e6, 1);
                    if t.contains('.') {
                        t
                    } else {
                        format!("{t}.0")
                    }
                },
                READ_MAX_BYTES / 1_000_000
            )),
            Action::DismissRefused => self.refused.clear(),
            Action::Commit => self.commit(),
            Action::Guarded { docs, verdict } if Rc::ptr_eq(&docs, &self.checked) => match verdict {
                Verdict::Cleared => {
                    self.checking = docs;
                    self.guard = Guard::Clear;
                }
                Verdict::Stopped { index, why } => {
                    let which = match index.and_then(|i| docs.get(i)) {
                        Some(d) => format!("`{}` was", d.name),
                        None => "the documents together were".into(),
                    };
                    let kept: Vec<Doc> = docs.iter().enumerate().filter(|(j, _)| index.is_some_and(|i| i != *j)).map(|(_, d)| d.clone()).collect();
                    let rest = if kept.is_empty() { "" } else { " The other documents are checked." };
                    self.guard = Guard::Stopped(format!("Checking stopped: {which} set aside, because {why}.{rest} Edit or remove it to check again."));
                    self.checking = Rc::new(kept);
                }
            },
            Action::Guarded { .. } => {}
        }
        self
    }

    /// The options of the user's explicit choices, read by the parser every front end
    /// uses (`Options::set`); a choice it refuses (a share link's odd value, a region typed
    /// with other characters) is left to the documents, as the scenario line shows.
    pub fn options(&self) -> Options {
        let mut options = Options::default();
        for (name, value) in [("compute", &self.compute), ("public-ip", &self.public_ip), ("region", &self.region), ("profile", &self.profile)] {
            let _ = options.set(name, value);
        }
        options
    }
}

/// Azure regions for the region list (free text is allowed too).
pub const REGIONS: &[&str] = &[
    "australiaeast",
    "australiasoutheast",
    "brazilsouth",
    "canadacentral",
    "canadaeast",
    "centralindia",
    "centralus",
    "eastasia",
    "eastus",
    "eastus2",
    "francecentral",
    "germanywestcentral",
    "japaneast",
    "japanwest",
    "koreacentral",
    "northcentralus",
    "northeurope",
    "norwayeast",
    "southafricanorth",
    "southcentralus",
    "southeastasia",
    "southindia",
    "swedencentral",
    "switzerlandnorth",
    "uaenorth",
    "uksouth",
    "ukwest",
    "westcentralus",
    "westeurope",
    "westus",
    "westus2",
    "westus3",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The option spellings every front end takes alike (`tests/options.json`; the CLI and
    /// the JavaScript API run the same table): a refused one is left to the documents.
    #[test]
    fn option_spellings_are_the_shared_table() {
        let table = amlvnet::json::parse(include_str!("../../../tests/options.json")).expect("table");
        for row in table.as_array().expect("rows") {
            let text = |k: &str| row.get(k).and_then(|n| n.as_str()).unwrap_or_default().to_string();
            let (option, value) = (text("option"), text("value"));
            let ok = row.get("ok").and_then(|n| n.as_bool()) == Some(true);
            let mut s = State::default();
            match option.as_str() {
                "compute" => s.compute = value.clone(),
                "public-ip" => s.public_ip = value.clone(),
                "region" => s.region = value.clone(),
                _ => s.profile = value.clone(),
            }
            let o = s.options();
            let got = match option.as_str() {
                "compute" => o.compute.map(|c| c.as_str().to_string()),
                "public-ip" => o.public_ip.map(|b| b.to_string()),
                "region" => o.region.clone(),
                _ => Some(o.profile.as_str().to_string()).filter(|_| ok),
            };
            let expect = row.get("expect").map(|e| e.as_str().map(str::to_string).or_else(|| e.as_bool().map(|b| b.to_string())).unwrap_or_default());
            assert_eq!(got, if ok { expect } else { None }, "{option} {value:?}");
            if !ok && option == "profile" {
                assert_eq!(o.profile, amlvnet::Profile::default());
            }
        }
    }

    #[test]
    fn transitions() {
        let s = State::default();
        assert_eq!(s.docs.len(), 1);
        assert_eq!(s.checked.len(), 1);
        let id = s.docs[0].id;
        let s = s.apply(Action::Edit { id, text: "{}".into() });
        assert_ne!(&*s.checked[0].text, "{}", "edits are checked only on commit");
        let s = s.apply(Action::Commit);
        assert_eq!(&*s.checked[0].text, "{}");
        let s = s.apply(Action::PublicIp("no".into())).apply(Action::Region("West US 2".into()));
        assert_eq!(s.options().public_ip, Some(false));
        assert_eq!(s.options().region.as_deref(), Some("westus2"));
        let s = s.apply(Action::Remove(id));
        assert!(s.docs.is_empty() && s.checked.is_empty());
    }

    #[test]
    fn big_texts_stay_out_of_the_editor_until_asked() {
        let big = format!("{{\n{}\n}}", "\"x\": 1,\n".repeat(EDITOR_MAX_BYTES / 8));
        let s = State::new().apply(Action::Add { name: "big.json".into(), text: big.clone() });
        let id = s.docs[0].id;
        assert_eq!(s.docs[0].hidden_lines, Some(big.lines().count()));
        assert_eq!(&*s.checked[0].text, big, "checked all the same");
        let s = s.apply(Action::ShowText(id));
        assert_eq!(s.docs[0].hidden_lines, None);
        let s = s.apply(Action::Replace { id, text: "{}".into() });
        assert_eq!((s.docs[0].hidden_lines, &*s.checked[0].text, s.docs[0].name.as_str()), (None, "{}", "big.json"));
        let s = s.apply(Action::Replace { id, text: big.clone() });
        assert!(s.docs[0].hidden_lines.is_some() && *s.checked[0].text == *big, "a big paste is checked at once");
        assert_eq!(State::new().apply(Action::Add { name: "a".into(), text: "x".repeat(EDITOR_MAX_BYTES) }).docs[0].hidden_lines, None);
    }

    #[test]
    fn documents_that_compute_are_told_from_the_others_without_a_parse() {
        let doc = |text: &str| Doc { id: 0, name: "d.json".into(), text: text.into(), hidden_lines: None };
        for (text, expected) in [
            (r#"{"resources": [], "contentVersion": "1.0.0.0"}"#, true),
            (r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": []}"#, true),
            (r#"{"name": "[parameters('n')]"}"#, true),
            (r#"{"format_version": "1.2", "planned_values": {}}"#, true),
            (r#"{"values": {"root_module": {}}, "terraform_version": "1.9.5"}"#, true),
            (include_str!("../../../www/examples/terraform-plan.json"), true),
            (include_str!("../../../www/examples/arm-template-child-rules.json"), true),
            (include_str!("../../../www/examples/az-nsg-show.json"), false),
            (include_str!("../../../www/examples/cluster-public-ip-compliant.json"), false),
            (r#"{"name": "nsg", "description": "format_version [x]"}"#, false),
            ("", false),
            ("\"", false),
        ] {
            assert_eq!(computes(&doc(text)), expected, "{text:.80}");
        }
    }

    #[test]
    fn the_guard_holds_back_templates_and_big_texts_and_sets_aside_what_it_stopped() {
        let template = r#"{"resources": [{"name": "[concat('a', 'b')]"}]}"#;
        let s = State::default();
        assert_eq!(s.guard, Guard::Clear, "a plain export is checked at once");
        assert!(Rc::ptr_eq(&s.checking, &s.checked));
        let before = s.checking.clone();
        let s = s.apply(Action::Add { name: "t.json".into(), text: template.into() });
        assert_eq!(s.guard, Guard::Waiting);
        assert!(Rc::ptr_eq(&s.checking, &before), "the last cleared set is still what is checked");
        // A verdict for documents that are no longer the current ones changes nothing.
        let stale = s.clone().apply(Action::Guarded { docs: before.clone(), verdict: Verdict::Cleared });
        assert_eq!(stale.guard, Guard::Waiting);
        let docs = s.checked.clone();
        let cleared = s.clone().apply(Action::Guarded { docs: docs.clone(), verdict: Verdict::Cleared });
        assert_eq!((cleared.guard, cleared.checking.len()), (Guard::Clear, 2));
        let stopped = s
            .clone()
            .apply(Action::Guarded { docs: docs.clone(), verdict: Verdict::Stopped { index: Some(1), why: "it ran past the time limit (10 s)".into() } });
        assert_eq!(
            stopped.guard,
            Guard::Stopped("Checking stopped: `t.json` was set aside, because it ran past the time limit (10 s). The other documents are checked. Edit or remove it to check again.".into())
        );
        assert_eq!(stopped.checking.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), ["az-nsg-show.json"]);
        let together =
            s.apply(Action::Guarded { docs, verdict: Verdict::Stopped { index: None, why: "it stopped the checker (RuntimeError: unreachable)".into() } });
        assert!(together.checking.is_empty() && matches!(&together.guard, Guard::Stopped(m) if m.starts_with("Checking stopped: the documents together were")));
        // Over 1 MB, plain JSON goes through the worker too.
        let big = format!("[{}0]", "0,".repeat(600_000));
        assert_eq!(State::new().apply(Action::Add { name: "big.json".into(), text: big }).guard, Guard::Waiting);
    }

    #[test]
    fn files_too_big_to_read_are_named_not_added() {
        let s = State::new().apply(Action::Refuse { name: "huge.json".into(), bytes: 31_200_000 });
        assert!(s.docs.is_empty());
        assert_eq!(
            s.refused,
            ["huge.json was not read: 31.2 MB is more than the 25 MB this page reads. The command line reads any size: amlvnet check huge.json"]
        );
        assert!(s.apply(Action::DismissRefused).refused.is_empty());
    }

    #[test]
    fn a_paste_replaces_the_selection_counted_in_utf16() {
        assert_eq!(splice_utf16("abc", 1, 2, "XY"), "aXYc");
        assert_eq!(splice_utf16("abc", 3, 3, "!"), "abc!");
        assert_eq!(splice_utf16("", 0, 0, "new"), "new");
        assert_eq!(splice_utf16("é😀z", 1, 3, "-"), "é-z", "an astral character is two UTF-16 units");
        assert_eq!(splice_utf16("ab", 2, 0, "-"), "-", "a backwards selection");
        assert_eq!(splice_utf16("ab", 9, 12, "-"), "ab-", "offsets past the end");
    }
}

/// Share links: the inputs and scenario, deflated and base64url-encoded into the URL
/// fragment (`#s=…`), which browsers never send to a server.
pub mod share {
    use super::{Doc, State};
    use amlvnet::report::json::J;

    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    /// Links longer than this are refused (browsers cap URLs around 2 MB).
    pub const MAX_LINK: usize = 1_500_000;

    fn base64url(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len() * 4 / 3 + 4);
        for chunk in bytes.chunks(3) {
            let b = [chunk.first().copied().unwrap_or(0), chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..=chunk.len() {
                out.push(char::from(ALPHABET.get(((n >> (18 - 6 * i)) & 63) as usize).copied().unwrap_or(b'A')));
            }
        }
        out
    }

    fn unbase64url(text: &str) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(text.len() * 3 / 4);
        let mut acc: u32 = 0;
        let mut bits = 0;
        for c in text.bytes() {
            let v = ALPHABET.iter().position(|a| *a == c)? as u32;
            acc = (acc << 6) | v;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push(((acc >> bits) & 0xFF) as u8);
            }
        }
        Some(out)
    }

    /// Replaces GUIDs (subscription IDs) and public IPv4 addresses with stand-ins, the same
    /// value always by the same stand-in, so that links between documents still hold.
    pub fn redact(text: &str) -> String {
        // Stand-in numbers by first appearance (maps: linear in the text, however many).
        let mut guids: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let mut ips: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        let is_hex = |c: char| c.is_ascii_hexdigit();
        let prev = |i: usize| i.checked_sub(1).and_then(|k| chars.get(k)).copied();
        while let Some(&c) = chars.get(i) {
            // A GUID: 8-4-4-4-12 hex digits.
            let guid_len = 36;
            if let (Some(run), false) = (chars.get(i..i + guid_len), prev(i).is_some_and(is_hex)) {
                let cand: String = run.iter().collect();
                let shape = cand.char_indices().all(|(k, c)| if [8, 13, 18, 23].contains(&k) { c == '-' } else { is_hex(c) });
                if shape && chars.get(i + guid_len).is_none_or(|c| !is_hex(*c)) {
                    let lower = cand.to_ascii_lowercase();
                    let next = guids.len();
                    let n = *guids.entry(lower).or_insert(next);
                    out.push_str(&format!("00000000-0000-0000-0000-{:012}", n + 1));
                    i += guid_len;
                    continue;
                }
            }
            // An IPv4 address that is not private.
            if c.is_ascii_digit() && !prev(i).is_some_and(|p| p.is_ascii_digit() || p == '.') {
                let mut j = i;
                while chars.get(j).is_some_and(|d| d.is_ascii_digit() || *d == '.') {
                    j += 1;
                }
                let cand: String = chars.get(i..j).unwrap_or_default().iter().collect();
                if let Ok(ip) = cand.parse::<std::net::Ipv4Addr>() {
                    if !(ip.is_private() || ip.is_loopback() || ip.is_unspecified() || ip.octets()[0] == 100 || ip.octets()[0] == 168) {
                        let next = ips.len();
                        let n = *ips.entry(cand.clone()).or_insert(next);
                        out.push_str(&format!("203.0.113.{}", (n % 254) + 1));
                        i = j;
                        continue;
                    }
                }
                out.push_str(&cand);
                i = j;
                continue;
            }
            out.push(c);
            i += 1;
        }
        out
    }

    /// What a link carries for a state: the documents and scenario as compact JSON, to be
    /// deflated (`crate::zip`) and given to `fragment`.
    pub fn payload(state: &State, redacted: bool) -> Vec<u8> {
        let fix = |t: &str| if redacted { redact(t) } else { t.to_string() };
        let value = J::obj(vec![
            ("v", J::Int(1)),
            ("docs", J::Arr(state.docs.iter().map(|d| J::Arr(vec![J::s(fix(&d.name)), J::s(fix(&d.text))])).collect())),
            ("compute", J::s(state.compute.clone())),
            ("publicIp", J::s(state.public_ip.clone())),
            ("region", J::s(state.region.clone())),
            ("profile", J::s(state.profile.clone())),
        ]);
        value.compact().into_bytes()
    }

    /// The fragment (without `#`) for a deflated payload.
    pub fn fragment(deflated: &[u8]) -> String {
        format!("s={}", base64url(deflated))
    }

    /// The deflated payload a fragment carries, or why it can't be read.
    pub fn deflated(fragment: &str) -> Result<Vec<u8>, String> {
        let data = fragment.trim_start_matches('#').strip_prefix("s=").ok_or("not a share link")?;
        if data.len() > MAX_LINK {
            return Err("the share link is too long".into());
        }
        unbase64url(data).ok_or_else(|| "the share link is damaged (not base64url)".into())
    }

    /// Largest payload a link may expand to.
    pub const MAX_PAYLOAD: usize = 30_000_000;
    /// Said when a link expands past `MAX_PAYLOAD`.
    pub const TOO_LARGE: &str = "the share link expands to more than 30 MB, more than any document the page takes";
    /// Said when a link's data is not DEFLATE.
    pub const DAMAGED: &str = "the share link is damaged (not compressed data)";

    /// Documents a link brings in; more are named, not silently dropped.
    pub const MAX_DOCS: usize = 50;

    /// A state from an inflated payload and what it leaves out, or why it can't be read.
    pub fn state_of(inflated: Vec<u8>) -> Result<(State, Option<String>), String> {
        let text = String::from_utf8(inflated).map_err(|_| "the share link is damaged (not text)")?;
        let node = amlvnet::json::parse(&text).map_err(|e| format!("the share link is damaged ({e})"))?;
        let field = |k: &str| node.get(k).and_then(|n| n.as_str()).unwrap_or_default().to_string();
        let mut state = State::new();
        let docs = node.get("docs").and_then(|d| d.as_array()).ok_or("the share link holds no documents")?;
        for (i, d) in docs.iter().enumerate().take(MAX_DOCS) {
            let pair = d.as_array().unwrap_or_default();
            let name = pair.first().and_then(|n| n.as_str()).unwrap_or("shared.json").to_string();
            let text = pair.get(1).and_then(|n| n.as_str()).unwrap_or_default().to_string();
            state.docs.push(Doc::new(i as u32 + 1, name, text.into()));
        }
        state.next_id = state.docs.len() as u32 + 1;
        let pick = |v: String, allowed: &[&str]| if allowed.contains(&v.as_str()) { v } else { String::new() };
        state.compute = pick(field("compute"), &["cluster", "instance", "vm", "hdinsight", "databricks"]);
        state.public_ip = pick(field("publicIp"), &["yes", "no"]);
        state.region = field("region").chars().filter(|c| c.is_ascii_alphanumeric() || *c == ' ').take(40).collect();
        state.profile = if field("profile") == "2023-04" { "2023-04".into() } else { "2022-07".into() };
        state.commit();
        let left_out = (docs.len() > MAX_DOCS).then(|| {
            format!("The share link holds {} documents; the first {MAX_DOCS} are shown, the other {} are left out.", docs.len(), docs.len() - MAX_DOCS)
        });
        Ok((state, left_out))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        // The deflate step is the browser's (`crate::zip`, tested in e2e/page.test.mjs with
        // links that Node's zlib writes, a deflate bomb among them); here, the rest.
        #[test]
        fn round_trip_and_tampering() {
            let s = State::default().apply(super::super::Action::PublicIp("no".into()));
            let link = fragment(&payload(&s, false));
            let (back, left_out) = state_of(deflated(&link).unwrap_or_else(|e| panic!("{e}"))).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(left_out, None);
            assert_eq!(back.docs.iter().map(|d| &d.text).collect::<Vec<_>>(), s.docs.iter().map(|d| &d.text).collect::<Vec<_>>());
            assert_eq!(back.public_ip, "no");
            assert!(deflated("s=!!!").is_err());
            assert!(deflated("nothing").is_err());
            assert!(deflated(&format!("s={}", "A".repeat(MAX_LINK + 1))).is_err());
            assert!(state_of(b"AAAA".to_vec()).is_err());
            assert!(state_of(vec![0xff, 0xfe]).is_err());
            let mut cut = payload(&s, false);
            cut.truncate(cut.len() / 2);
            assert!(state_of(cut).is_err());
        }

        #[test]
        fn what_a_link_leaves_out_is_named() {
            let mut s = State::default();
            s.docs = (0..53).map(|i| Doc::new(i + 1, format!("d{i}.json"), "{}".into())).collect();
            let (back, left_out) = state_of(payload(&s, false)).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(back.docs.len(), MAX_DOCS);
            assert!(left_out.is_some_and(|m| m.contains("53 documents") && m.contains("other 3")));
        }

        #[test]
        fn redaction_is_consistent_and_keeps_private_space() {
            let t = r#"{"id": "/subscriptions/11111111-2222-3333-4444-555555555555/x", "other": "11111111-2222-3333-4444-555555555555", "ip": "52.1.2.3", "p": "10.0.0.0/24"}"#;
            let r = redact(t);
            assert!(!r.contains("11111111-2222") && !r.contains("52.1.2.3"));
            assert_eq!(r.matches("00000000-0000-0000-0000-000000000001").count(), 2);
            assert!(r.contains("10.0.0.0/24") && r.contains("203.0.113.1"));
        }
    }
}
