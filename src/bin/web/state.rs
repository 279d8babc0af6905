//! The page's state and its transitions: plain data, no Yew types, so it is tested
//! natively (`cargo test --features web --bin web` is not needed: see tests in this file).

use amlvnet::model::ComputeKind;
use amlvnet::{Options, Profile};
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
];

/// One pasted or dropped document.
#[derive(Clone, Debug, PartialEq)]
pub struct Doc {
    pub id: u32,
    pub name: String,
    pub text: String,
}

/// Everything the page shows is derived from this.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub docs: Vec<Doc>,
    next_id: u32,
    /// The documents as last checked (updated after typing pauses).
    pub checked: Rc<Vec<Doc>>,
    /// `""` means "from the documents".
    pub compute: String,
    pub public_ip: String,
    pub region: String,
    pub profile: String,
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
    Remove(u32),
    Example(usize),
    Compute(String),
    PublicIp(String),
    Region(String),
    Profile(String),
    /// Check the documents as they are now (after a pause in typing).
    Commit,
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
            compute: String::new(),
            public_ip: String::new(),
            region: String::new(),
            profile: "2022-07".into(),
        }
    }

    /// The transition function.
    pub fn apply(mut self, action: Action) -> State {
        match action {
            Action::Add { name, text } => {
                let name = if name.trim().is_empty() { format!("document-{}.json", self.next_id) } else { name };
                self.docs.push(Doc { id: self.next_id, name, text });
                self.next_id += 1;
                self.checked = Rc::new(self.docs.clone());
            }
            Action::Edit { id, text } => {
                if let Some(d) = self.docs.iter_mut().find(|d| d.id == id) {
                    d.text = text;
                }
            }
            Action::Rename { id, name } => {
                if let Some(d) = self.docs.iter_mut().find(|d| d.id == id) {
                    d.name = name;
                }
                self.checked = Rc::new(self.docs.clone());
            }
            Action::Remove(id) => {
                self.docs.retain(|d| d.id != id);
                self.checked = Rc::new(self.docs.clone());
            }
            Action::Example(index) => {
                if let Some((_, name, text)) = EXAMPLES.get(index) {
                    self.docs = vec![Doc { id: self.next_id, name: (*name).into(), text: (*text).into() }];
                    self.next_id += 1;
                    self.compute.clear();
                    self.public_ip.clear();
                    self.region.clear();
                    self.checked = Rc::new(self.docs.clone());
                }
            }
            Action::Compute(v) => self.compute = v,
            Action::PublicIp(v) => self.public_ip = v,
            Action::Region(v) => self.region = v,
            Action::Profile(v) => self.profile = v,
            Action::Commit => self.checked = Rc::new(self.docs.clone()),
        }
        self
    }

    /// The options of the user's explicit choices.
    pub fn options(&self) -> Options {
        Options {
            compute: if self.compute.is_empty() { None } else { ComputeKind::parse(&self.compute) },
            public_ip: match self.public_ip.as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
            region: Some(amlvnet::input_region(&self.region)).filter(|r| !r.is_empty()),
            profile: Profile::parse(&self.profile).unwrap_or_default(),
        }
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

    #[test]
    fn transitions() {
        let s = State::default();
        assert_eq!(s.docs.len(), 1);
        assert_eq!(s.checked.len(), 1);
        let id = s.docs[0].id;
        let s = s.apply(Action::Edit { id, text: "{}".into() });
        assert_ne!(s.checked[0].text, "{}", "edits are checked only on commit");
        let s = s.apply(Action::Commit);
        assert_eq!(s.checked[0].text, "{}");
        let s = s.apply(Action::PublicIp("no".into())).apply(Action::Region("West US 2".into()));
        assert_eq!(s.options().public_ip, Some(false));
        assert_eq!(s.options().region.as_deref(), Some("westus2"));
        let s = s.apply(Action::Remove(id));
        assert!(s.docs.is_empty() && s.checked.is_empty());
    }
}
