//! References to their targets: by resource ID when both sides have one, else by name.
//!
//! Built once per check: hash maps from ID and from name to index, so that linking a
//! tenant's export (100,000 subnets and NICs) is linear, not a scan per reference.
//! A reference and a candidate that both carry full, concrete IDs (a subscription GUID,
//! no `...`, no template placeholder) must agree on the ID: two subnets named `default`
//! in different VNets or subscriptions are never taken for each other.

use crate::model::{same_resource, vnet_of_subnet_id, Model, Nsg, Reference, RouteTable, Subnet};
use std::collections::HashMap;

/// An ID that names one resource for certain: `/subscriptions/<guid>/…` with nothing elided
/// or left to a template.
pub fn is_concrete(id: &str) -> bool {
    let lower = id.trim().to_ascii_lowercase();
    lower.starts_with("/subscriptions/") && !lower.contains("...") && !lower.contains('<') && !lower.contains('[') && !lower.contains('$')
}

fn key(id: &str) -> String {
    id.trim().trim_end_matches('/').to_ascii_lowercase()
}

/// The last two segments of an ID (`subnets/default`), the fallback key for elided IDs.
fn tail(id: &str) -> String {
    let mut parts = id.trim().trim_end_matches('/').rsplit('/');
    let name = parts.next().unwrap_or_default();
    let kind = parts.next().unwrap_or_default();
    format!("{}/{}", kind.to_ascii_lowercase(), name.to_ascii_lowercase())
}

/// Candidates by exact ID, by ID tail and by name for one kind of resource.
#[derive(Default)]
struct Table {
    by_id: HashMap<String, usize>,
    by_tail: HashMap<String, Vec<usize>>,
    by_name: HashMap<String, Vec<usize>>,
}

impl Table {
    fn build<'a>(items: impl Iterator<Item = (Option<&'a str>, &'a str)>) -> Table {
        let mut t = Table::default();
        for (i, (id, name)) in items.enumerate() {
            if let Some(id) = id {
                t.by_id.entry(key(id)).or_insert(i);
                t.by_tail.entry(tail(id)).or_default().push(i);
            }
            t.by_name.entry(name.to_ascii_lowercase()).or_default().push(i);
        }
        t
    }

    /// The index a reference points at, and whether only the name joined them (one side
    /// has no full ID). `id_of` gives a candidate's ID, `accept` any further condition for
    /// a match by name.
    fn find(&self, r: &Reference, id_of: impl Fn(usize) -> Option<String>, accept: impl Fn(usize) -> bool) -> Option<(usize, Via)> {
        if let Some(&i) = self.by_id.get(&key(&r.id)) {
            return Some((i, Via::Id));
        }
        if let Some(hit) = self.by_tail.get(&tail(&r.id)).and_then(|c| c.iter().copied().find(|&i| id_of(i).is_some_and(|id| same_resource(&id, &r.id)))) {
            return Some((hit, Via::Id));
        }
        let name = r.name().to_ascii_lowercase();
        let both_concrete = |i: usize| is_concrete(&r.id) && id_of(i).is_some_and(|id| is_concrete(&id));
        self.by_name.get(&name)?.iter().copied().find(|&i| !both_concrete(i) && accept(i)).map(|i| (i, Via::Name))
    }
}

/// How a reference found its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// The resource ID (whole, or with the parts one side elides).
    Id,
    /// The name alone: one side has no ID to compare, so the link is an assumption the
    /// findings state.
    Name,
}

/// What a finding says of a link made by name.
pub fn by_name(kind: &str, name: &str, target_kind: &str, target: &str) -> String {
    let (name, target) = (crate::json::truncate(name, 80), crate::json::truncate(target, 80));
    format!("{kind} `{name}` is linked to {target_kind} `{target}` by name only (the two do not both carry a full resource ID)")
}

/// The model's resources indexed for linking.
pub struct Links<'m> {
    model: &'m Model,
    nsgs: Table,
    route_tables: Table,
    subnets: Table,
    /// NSGs by the lower-case ID of a subnet they say they are attached to.
    nsg_by_attached: HashMap<String, usize>,
    /// The NSG of a NIC in each subnet (by subnet index), first NIC first.
    nic_nsg_by_subnet: Vec<Option<usize>>,
}

impl<'m> Links<'m> {
    pub fn new(model: &'m Model) -> Links<'m> {
        let nsgs = Table::build(model.nsgs.iter().map(|n| (n.id.as_deref(), n.name.as_str())));
        let route_tables = Table::build(model.route_tables.iter().map(|n| (n.id.as_deref(), n.name.as_str())));
        let subnets = Table::build(model.subnets.iter().map(|n| (n.id.as_deref(), n.name.as_str())));
        let mut nsg_by_attached = HashMap::new();
        for (i, n) in model.nsgs.iter().enumerate() {
            for id in &n.attached_subnets {
                nsg_by_attached.entry(key(id)).or_insert(i);
            }
        }
        let mut links = Links { model, nsgs, route_tables, subnets, nsg_by_attached, nic_nsg_by_subnet: Vec::new() };
        let mut by_subnet = vec![None; model.subnets.len()];
        for nic in &model.nics {
            let Some(nsg) = nic.nsg.as_ref().and_then(|r| links.nsg_index(r)) else { continue };
            for r in &nic.subnets {
                if let Some(slot) = links.subnet_index(r).and_then(|(s, _)| by_subnet.get_mut(s)) {
                    slot.get_or_insert(nsg);
                }
            }
        }
        links.nic_nsg_by_subnet = by_subnet;
        links
    }

    fn nsg_index(&self, r: &Reference) -> Option<usize> {
        self.nsg_via(r).map(|(i, _)| i)
    }

    fn nsg_via(&self, r: &Reference) -> Option<(usize, Via)> {
        self.nsgs.find(r, |i| self.model.nsgs.get(i).and_then(|n| n.id.clone()), |_| true)
    }

    fn subnet_index(&self, r: &Reference) -> Option<(usize, Via)> {
        let vnet = vnet_of_subnet_id(&r.id);
        let subnets = &self.model.subnets;
        self.subnets.find(
            r,
            |i| subnets.get(i).and_then(|s| s.id.clone()),
            |i| match (&vnet, subnets.get(i).and_then(|s| s.vnet.as_ref())) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b) || a.contains('<') || b.contains('<') || a.contains("..."),
                _ => true,
            },
        )
    }

    pub fn nsg(&self, r: &Reference) -> Option<(&'m Nsg, Via)> {
        self.nsg_via(r).and_then(|(i, via)| Some((self.model.nsgs.get(i)?, via)))
    }

    pub fn route_table(&self, r: &Reference) -> Option<(&'m RouteTable, Via)> {
        let found = self.route_tables.find(r, |i| self.model.route_tables.get(i).and_then(|t| t.id.clone()), |_| true);
        found.and_then(|(i, via)| Some((self.model.route_tables.get(i)?, via)))
    }

    pub fn subnet(&self, r: &Reference) -> Option<(&'m Subnet, Via)> {
        self.subnet_index(r).and_then(|(i, via)| Some((self.model.subnets.get(i)?, via)))
    }

    /// The position of a subnet of this model (for per-subnet lookups).
    pub fn subnet_position(&self, subnet: &Subnet) -> Option<usize> {
        let start = self.model.subnets.as_ptr() as usize;
        let at = subnet as *const Subnet as usize;
        let size = std::mem::size_of::<Subnet>().max(1);
        at.checked_sub(start).and_then(|d| d.checked_div(size)).filter(|&i| self.model.subnets.get(i).is_some_and(|s| std::ptr::eq(s, subnet)))
    }

    /// The NSG that says it is attached to this subnet (an NSG's `subnets[]`).
    pub fn nsg_attached_to(&self, subnet: &Subnet) -> Option<&'m Nsg> {
        let id = subnet.id.as_deref()?;
        if let Some(n) = self.nsg_by_attached.get(&key(id)).and_then(|&i| self.model.nsgs.get(i)) {
            return Some(n);
        }
        // Elided or partial IDs on one side: the few NSGs that list attachments.
        self.model.nsgs.iter().filter(|n| !n.attached_subnets.is_empty()).find(|n| n.attached_subnets.iter().any(|a| same_resource(a, id)))
    }

    /// The NSG of a NIC in this subnet, if any.
    pub fn nic_nsg(&self, subnet: &Subnet) -> Option<&'m Nsg> {
        self.subnet_position(subnet).and_then(|s| self.nic_nsg_by_subnet.get(s).copied().flatten()).and_then(|i| self.model.nsgs.get(i))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn subnet(name: &str, id: &str) -> Subnet {
        Subnet { name: name.into(), id: Some(id.into()), vnet: vnet_of_subnet_id(id), ..Subnet::default() }
    }

    fn reference(id: &str) -> Reference {
        Reference { id: id.into(), unresolved: false, loc: None }
    }

    #[test]
    fn by_id_when_both_have_one_else_by_name() {
        let a = "/subscriptions/aaaa/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/default";
        let b = "/subscriptions/bbbb/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/default";
        let model = Model { subnets: vec![subnet("default", a)], ..Model::default() };
        let links = Links::new(&model);
        assert!(links.subnet(&reference(a)).is_some());
        assert!(links.subnet(&reference(b)).is_none(), "same name, another subscription: not the same subnet");
        assert!(links.subnet(&reference(".../subnets/default")).is_some(), "an elided ID links by name");
        assert!(links.subnet(&reference("default")).is_some());
        let s = &model.subnets[0];
        assert_eq!(links.subnet_position(s), Some(0));
    }
}
