//! Azure's service tags: which names exist and where Azure accepts each, and the
//! address prefixes of the tags the checks need (spec 5.8).
//!
//! `data.rs` and `prefixes.bin` are generated from the published service-tag file by
//! `scripts/update-service-tags.sh` (names, regions and `networkFeatures` of every tag;
//! the prefixes of the checks' families and AzureCloud; changeNumber `CHANGE_NUMBER`).
//! Lookups are binary searches over sorted tables. The prefix table is built into the
//! CLI and the JavaScript API (feature `builtin-tags`); the page fetches it from its own
//! origin when a document first needs it and hands it to `provide`.

mod data;
mod prefixes;

pub(crate) use prefixes::{contains, overlaps, uncovered};
pub use prefixes::{interval, merge, Interval, Tag, TagPrefixes, V4_HIGH, V4_LOW};

pub use data::CHANGE_NUMBER;
use data::{FAMILIES, NONE, REGIONS};

/// Where a tag may be used (`networkFeatures`).
pub const API: u8 = 1;
pub const NSG: u8 = 2;
pub const UDR: u8 = 4;

/// The `networkFeatures` bit of a feature name (`FW` and `VSE` too).
pub fn feature_bit(name: &str) -> u8 {
    match name.trim().to_ascii_uppercase().as_str() {
        "API" => API,
        "NSG" => NSG,
        "UDR" => UDR,
        "FW" => 8,
        "VSE" => 16,
        _ => 0,
    }
}

/// The prefix table this build carries or was given, decoded once.
static TABLE: std::sync::OnceLock<Option<TagPrefixes>> = std::sync::OnceLock::new();

/// The built-in prefix table: embedded in this build, or given to `provide`; `None`
/// when neither (then the checks fall back to the lattice of spec 1.5).
pub fn builtin() -> Option<&'static TagPrefixes> {
    #[cfg(feature = "builtin-tags")]
    {
        TABLE.get_or_init(|| TagPrefixes::decode(include_bytes!("prefixes.bin")).ok()).as_ref()
    }
    #[cfg(not(feature = "builtin-tags"))]
    {
        TABLE.get().and_then(|t| t.as_ref())
    }
}

/// Whether the prefixes could change a check on this model: a rule names a public
/// address or `AzureCloud`, or a route an address (the page fetches the table then).
pub fn wanted(model: &crate::model::Model) -> bool {
    use crate::net::Address;
    let rules = model.nsgs.iter().flat_map(|n| n.rules.iter()).flat_map(|r| r.source.iter().chain(r.destination.iter()));
    let routes = model.route_tables.iter().flat_map(|t| t.routes.iter()).filter_map(|r| r.address_prefix.as_deref());
    rules.clone().any(|a| matches!(a, Address::AzureCloud(_)) || matches!(a, Address::Prefix(p) if !crate::net::is_private(p)))
        || routes.clone().any(|p| p.trim().parse::<ipnet::IpNet>().is_ok_and(|n| !crate::net::is_private(&n) && n.prefix_len() > 0))
}

/// The prefixes a model is checked with: its pasted service-tag data, else `builtin`.
pub fn of_model<'t>(model: &'t crate::model::Model, builtin: Option<&'t TagPrefixes>) -> Option<&'t TagPrefixes> {
    model.service_tags.as_ref().map(|p| &*p.table).or(builtin)
}

/// Installs the prefix table (the bytes of `prefixes.bin`) in a build without one.
/// The first table given stays; a bad one is refused with the reason.
pub fn provide(bytes: &[u8]) -> Result<&'static TagPrefixes, String> {
    let table = TagPrefixes::decode(bytes)?;
    let _ = TABLE.set(Some(table));
    builtin().ok_or_else(|| "the build's own table is already in use".into())
}

/// A region's pair for disaster recovery (learn.microsoft.com, "Azure region pairs and
/// nonpaired regions"), which the AML management traffic may also come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pair {
    Paired(&'static str),
    /// A region without a pair.
    Unpaired,
    /// A region this table doesn't list.
    Unknown,
}

/// Region to its pair (directional: `westus3` pairs with `eastus`, `eastus` with `westus`),
/// sorted by region.
const PAIRS: [(&str, &str); 46] = [
    ("australiacentral", "australiacentral2"),
    ("australiacentral2", "australiacentral"),
    ("australiaeast", "australiasoutheast"),
    ("australiasoutheast", "australiaeast"),
    ("brazilsouth", "southcentralus"),
    ("brazilsoutheast", "brazilsouth"),
    ("canadacentral", "canadaeast"),
    ("canadaeast", "canadacentral"),
    ("centralindia", "southindia"),
    ("centralus", "eastus2"),
    ("eastasia", "southeastasia"),
    ("eastus", "westus"),
    ("eastus2", "centralus"),
    ("francecentral", "francesouth"),
    ("francesouth", "francecentral"),
    ("germanynorth", "germanywestcentral"),
    ("germanywestcentral", "germanynorth"),
    ("japaneast", "japanwest"),
    ("japanwest", "japaneast"),
    ("jioindiacentral", "jioindiawest"),
    ("jioindiawest", "jioindiacentral"),
    ("koreacentral", "koreasouth"),
    ("koreasouth", "koreacentral"),
    ("northcentralus", "southcentralus"),
    ("northeurope", "westeurope"),
    ("norwayeast", "norwaywest"),
    ("norwaywest", "norwayeast"),
    ("southafricanorth", "southafricawest"),
    ("southafricawest", "southafricanorth"),
    ("southcentralus", "northcentralus"),
    ("southeastasia", "eastasia"),
    ("southindia", "centralindia"),
    ("swedencentral", "swedensouth"),
    ("swedensouth", "swedencentral"),
    ("switzerlandnorth", "switzerlandwest"),
    ("switzerlandwest", "switzerlandnorth"),
    ("uaecentral", "uaenorth"),
    ("uaenorth", "uaecentral"),
    ("uksouth", "ukwest"),
    ("ukwest", "uksouth"),
    ("westcentralus", "westus2"),
    ("westeurope", "northeurope"),
    ("westindia", "southindia"),
    ("westus", "eastus"),
    ("westus2", "westcentralus"),
    ("westus3", "eastus"),
];

const UNPAIRED: [&str; 14] = [
    "austriaeast",
    "belgiumcentral",
    "chilecentral",
    "indonesiacentral",
    "israelcentral",
    "italynorth",
    "malaysiawest",
    "mexicocentral",
    "newzealandnorth",
    "polandcentral",
    "qatarcentral",
    "spaincentral",
    "denmarkeast",
    "taiwannorth",
];

/// The pair of an ARM location name (lower case, no spaces).
pub fn paired_region(region: &str) -> Pair {
    if let Ok(i) = PAIRS.binary_search_by(|(r, _)| (*r).cmp(region)) {
        return PAIRS.get(i).map_or(Pair::Unknown, |(_, pair)| Pair::Paired(pair));
    }
    if UNPAIRED.contains(&region) {
        Pair::Unpaired
    } else {
        Pair::Unknown
    }
}

/// What the data says about a tag name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The tag exists; its `networkFeatures` as a bit set.
    Exists { name: String, features: u8 },
    /// The family exists and the region is the deployment's, unknown here.
    RegionUnknown { family: String },
    /// No such tag; the closest real one, if any is close.
    Missing { closest: Option<String> },
}

/// A tag family: its name, the features of its global tag (`NONE` if there is none), the
/// usual features of its regional tags, the regions it has (bits of `REGIONS`), and the
/// regional tags whose features differ from the usual (region index, features).
type Family = (&'static str, u8, u8, u128, &'static [(u8, u8)]);

/// The regional tags of a family: (region index, features), in region order.
fn regional(f: &Family) -> impl Iterator<Item = (usize, u8)> + '_ {
    let &(_, _, usual, bits, odd) = f;
    (0..128usize).filter(move |i| bits >> i & 1 == 1).map(move |i| (i, odd.iter().find(|(j, _)| usize::from(*j) == i).map_or(usual, |(_, m)| *m)))
}

/// Compares as if both were lower case, without allocating (lookups run per rule field).
fn cmp_lower(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes().map(|c| c.to_ascii_lowercase()).cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

fn family(name: &str) -> Option<&'static Family> {
    FAMILIES.binary_search_by(|f| cmp_lower(f.0, name)).ok().and_then(|i| FAMILIES.get(i))
}

fn region_index(region: &str) -> Option<usize> {
    REGIONS.binary_search_by(|r| cmp_lower(r, region)).ok()
}

/// The features of a family's regional tag in region `i`, if it has one.
fn regional_in(f: &Family, i: usize) -> Option<u8> {
    let &(_, _, usual, bits, odd) = f;
    (i < 128 && bits >> i & 1 == 1).then(|| odd.iter().find(|(j, _)| usize::from(*j) == i).map_or(usual, |(_, m)| *m))
}

/// Looks up a tag such as `Storage.WestUS2` (case-insensitive). `region_marker` is the
/// text that stands for "the deployment's region".
pub fn lookup(tag: &str, region_marker: &str) -> Lookup {
    let (fam_name, region) = match tag.split_once('.') {
        Some((f, r)) => (f, Some(r)),
        None => (tag, None),
    };
    let Some(fam) = family(fam_name) else {
        let closest = closest_family(fam_name).map(|f| match region {
            Some(r) => closest_regional(f, r),
            None => f.to_string(),
        });
        return Lookup::Missing { closest };
    };
    let (name, global) = (fam.0, fam.1);
    match region {
        None if global != NONE => Lookup::Exists { name: name.to_string(), features: global },
        None => Lookup::Missing { closest: regional(fam).next().and_then(|(i, _)| REGIONS.get(i)).map(|r| format!("{name}.{r}")) },
        Some(r) if r == region_marker => Lookup::RegionUnknown { family: name.to_string() },
        Some(r) => match region_index(r).and_then(|i| regional_in(fam, i).map(|f| (i, f))) {
            Some((i, features)) => Lookup::Exists { name: format!("{name}.{}", REGIONS.get(i).unwrap_or(&r)), features },
            None => Lookup::Missing { closest: Some(closest_regional(name, r)) },
        },
    }
}

/// The doc tables' spellings (spec section 7) and the real family each means.
const ALIASES: [(&str, &str); 5] = [
    ("keyvault", "AzureKeyVault"),
    ("containerregistry", "AzureContainerRegistry"),
    ("mcr", "MicrosoftContainerRegistry"),
    ("frontdoor", "AzureFrontDoor"),
    ("batch", "BatchNodeManagement"),
];

fn closest_family(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    if let Some((_, real)) = ALIASES.iter().find(|(a, _)| *a == lower) {
        return family(real).map(|f| f.0);
    }
    let best = FAMILIES.iter().map(|f| (distance(&lower, &f.0.to_ascii_lowercase()), f.0)).min_by_key(|(d, _)| *d)?;
    (best.0 <= (lower.len() / 4).saturating_add(1)).then_some(best.1)
}

/// `family.<closest region of that family>`.
fn closest_regional(family_name: &str, region: &str) -> String {
    let lower = region.to_ascii_lowercase();
    let Some(fam) = family(family_name) else { return format!("{family_name}.{region}") };
    let name = fam.0;
    // Same letters in another order (`uswest` for `westus`) is the closest of all.
    let letters = |t: &str| {
        let mut counts = [0u8; 36];
        for c in t.bytes() {
            let i = match c {
                b'a'..=b'z' => c.wrapping_sub(b'a'),
                b'0'..=b'9' => c.wrapping_sub(b'0').wrapping_add(26),
                _ => continue,
            };
            if let Some(n) = counts.get_mut(usize::from(i)) {
                *n = n.saturating_add(1);
            }
        }
        counts
    };
    let wanted = letters(&lower);
    let best = regional(fam)
        .filter_map(|(i, _)| REGIONS.get(i))
        .map(|r| {
            let rl = r.to_ascii_lowercase();
            let d = if letters(&rl) == wanted { 0 } else { distance(&lower, &rl).saturating_add(1) };
            (d, *r)
        })
        .min_by_key(|(d, _)| *d);
    match best {
        Some((_, r)) => format!("{name}.{r}"),
        None => name.to_string(),
    }
}

/// Levenshtein distance (short names only: tag families and regions).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i.saturating_add(1);
        }
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let above = row.get(j.saturating_add(1)).copied().unwrap_or(usize::MAX);
            let left = row.get(j).copied().unwrap_or(usize::MAX);
            let value = prev.saturating_add(cost).min(above.saturating_add(1)).min(left.saturating_add(1));
            prev = above;
            if let Some(cell) = row.get_mut(j.saturating_add(1)) {
                *cell = value;
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

/// Names what a feature set allows, for messages.
pub fn describe(features: u8) -> String {
    let names: Vec<&str> =
        [(API, "API"), (NSG, "NSG"), (UDR, "UDR"), (8, "FW"), (16, "VSE")].iter().filter(|(b, _)| features & b != 0).map(|(_, n)| *n).collect();
    if names.is_empty() {
        "nothing (an IP list only)".into()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
#[allow(clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn real_tags_and_features() {
        assert_eq!(lookup("AzureMachineLearning", "$r"), Lookup::Exists { name: "AzureMachineLearning".into(), features: API | NSG | UDR | 8 });
        match lookup("azuremachinelearning.westus2", "$r") {
            Lookup::Exists { name, features } => {
                assert_eq!(name, "AzureMachineLearning.WestUS2");
                assert_eq!(features & NSG, 0, "regional AML tags are IP lists only");
            }
            other => panic!("{other:?}"),
        }
        match lookup("BatchNodeManagement.WestUS2", "$r") {
            Lookup::Exists { features, .. } => assert_eq!(features & (NSG | UDR), NSG, "regional Batch tags: NSG, not UDR"),
            other => panic!("{other:?}"),
        }
        assert_eq!(lookup("Storage.$r", "$r"), Lookup::RegionUnknown { family: "Storage".into() });
    }

    #[test]
    fn region_pairs() {
        assert!(PAIRS.windows(2).all(|w| matches!(w, [a, b] if a.0 < b.0)), "sorted, each region once");
        assert_eq!(paired_region("westus3"), Pair::Paired("eastus"));
        assert_eq!(paired_region("eastus"), Pair::Paired("westus"));
        assert_eq!(paired_region("westus2"), Pair::Paired("westcentralus"));
        assert_eq!(paired_region("ukwest"), Pair::Paired("uksouth"));
        assert_eq!(paired_region("qatarcentral"), Pair::Unpaired);
        assert_eq!(paired_region("marsnorth"), Pair::Unknown);
    }

    #[test]
    fn misspellings_name_the_closest_real_tag() {
        assert_eq!(lookup("Keyvault.westus2", "$r"), Lookup::Missing { closest: Some("AzureKeyVault.WestUS2".into()) });
        assert_eq!(lookup("MCR", "$r"), Lookup::Missing { closest: Some("MicrosoftContainerRegistry".into()) });
        assert_eq!(lookup("ContainerRegistry.westus2", "$r"), Lookup::Missing { closest: Some("AzureContainerRegistry.WestUS2".into()) });
        assert_eq!(lookup("AzureMachineLearnig", "$r"), Lookup::Missing { closest: Some("AzureMachineLearning".into()) });
        assert_eq!(lookup("Storage.uswest", "$r"), Lookup::Missing { closest: Some("Storage.WestUS".into()) });
        assert_eq!(lookup("Frontdoor.FirstParty", "$r"), Lookup::Missing { closest: Some("AzureFrontDoor.FirstParty".into()) });
        assert_eq!(lookup("Zzzzzzzz", "$r"), Lookup::Missing { closest: None });
    }
}
