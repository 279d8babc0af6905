//! The scenario: the user's choices, else what the documents imply, else the defaults,
//! with a note for each value's source and each disagreement; and the template region
//! marker replaced by the scenario's region.

use super::Options;
use crate::model::{ComputeKind, Model};
use crate::net::Region;
use crate::report::{NoteAbout, Scenario, ScenarioNote};

/// The model with the template region marker replaced by `region`: a copy only when a
/// rule names the marker (templates written for `resourceGroup().location`).
pub(crate) fn in_region<'m>(model: &'m Model, region: Option<&Region>) -> std::borrow::Cow<'m, Model> {
    if has_region_marker(model) {
        let mut copy = model.clone();
        apply_region(&mut copy, region);
        std::borrow::Cow::Owned(copy)
    } else {
        std::borrow::Cow::Borrowed(model)
    }
}

/// Whether a rule names the template's region marker (`resourceGroup().location`).
fn has_region_marker(model: &Model) -> bool {
    model.nsgs.iter().flat_map(|n| n.rules.iter()).flat_map(|r| r.source.iter().chain(r.destination.iter())).any(|a| a.in_deployment_region())
}

/// The scenario: explicit options win; the documents fill in the rest; disagreements are noted.
pub fn resolve_scenario(model: &Model, options: &Options) -> Scenario {
    let mut notes = Vec::new();
    let doc_compute = model.computes.iter().find(|c| c.kind != ComputeKind::Other);
    let compute = match (options.compute, doc_compute) {
        (Some(k), Some(c)) if k != c.kind => {
            notes.push(note(
                NoteAbout::Compute,
                true,
                format!("compute type: you chose {}, but compute `{}` is {}; your choice wins", k.as_str(), c.name, c.kind.as_str()),
            ));
            k
        }
        (Some(k), _) => k,
        (None, Some(c)) => {
            notes.push(note(NoteAbout::Compute, false, format!("compute type {} from compute `{}`", c.kind.as_str(), c.name)));
            c.kind
        }
        (None, None) => match model.databricks.first() {
            Some(d) => {
                notes.push(note(NoteAbout::Compute, false, format!("compute type databricks from Databricks workspace `{}`", d.name)));
                ComputeKind::Databricks
            }
            None => ComputeKind::Cluster,
        },
    };
    let doc_pip = model.computes.iter().filter(|c| c.kind == compute).find_map(|c| c.public_ip.map(|p| (p, c.name.clone())));
    let public_ip = match (options.public_ip, doc_pip) {
        (Some(p), Some((d, name))) if p != d => {
            notes.push(note(
                NoteAbout::PublicIp,
                true,
                format!("public IP: you chose {}, but compute `{name}` has enableNodePublicIp {d}; your choice wins", if p { "yes" } else { "no" }),
            ));
            p
        }
        (Some(p), _) => p,
        (None, Some((d, name))) => {
            notes.push(note(NoteAbout::PublicIp, false, format!("public IP mode from compute `{name}` (enableNodePublicIp {d})")));
            d
        }
        (None, None) => {
            if model.computes.iter().any(|c| c.kind == compute) {
                notes.push(note(
                    NoteAbout::PublicIp,
                    false,
                    "public IP: the compute doesn't set enableNodePublicIp, so the API default (public IP) applies".into(),
                ));
            }
            true
        }
    };
    let workspace_region = model.workspaces.iter().find_map(|w| w.location.as_ref().and_then(Region::name));
    let doc_regions: Vec<&String> = model.locations.iter().collect();
    let doc_region = workspace_region.map(str::to_string).or_else(|| if doc_regions.len() == 1 { doc_regions.first().map(|s| s.to_string()) } else { None });
    let region = match (&options.region, &doc_region) {
        (Some(r), Some(d)) if !r.eq_ignore_ascii_case(d) => {
            notes.push(note(NoteAbout::Region, true, format!("region: you chose {r}, but the documents say {d}; your choice wins")));
            Some(Region::Named(crate::normalise_region(r)))
        }
        (Some(r), _) => Some(Region::Named(crate::normalise_region(r))),
        (None, Some(d)) => {
            notes.push(note(
                NoteAbout::Region,
                false,
                format!("region {d} from the {}", if workspace_region.is_some() { "workspace" } else { "resources' location" }),
            ));
            Some(Region::Named(d.clone()))
        }
        (None, None) if model.template_region && doc_regions.is_empty() => {
            notes.push(note(
                NoteAbout::Region,
                false,
                "region: the template deploys to its resource group's region (resourceGroup().location); regional tags in it are compared as that region; pass --region to name it".into(),
            ));
            Some(Region::Deployment)
        }
        (None, None) => {
            if doc_regions.len() > 1 {
                notes.push(note(
                    NoteAbout::Region,
                    false,
                    format!("region: the documents name several ({}); pass --region", doc_regions.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")),
                ));
            }
            None
        }
    };
    Scenario { compute, public_ip, region, profile: options.profile, notes }
}

/// Replaces the template region marker in rule tags with the scenario's region.
fn apply_region(model: &mut Model, region: Option<&Region>) {
    for nsg in &mut model.nsgs {
        for rule in &mut nsg.rules {
            for list in [&mut rule.source, &mut rule.destination] {
                for a in list.iter_mut() {
                    if a.in_deployment_region() {
                        *a = std::mem::replace(a, crate::net::Address::Any).with_region(region);
                    }
                }
            }
        }
    }
}

fn note(about: NoteAbout, overridden: bool, text: String) -> ScenarioNote {
    ScenarioNote { about, overridden, text }
}
