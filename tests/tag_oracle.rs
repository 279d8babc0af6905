//! Exact cover with service-tag prefixes against a brute-force oracle (spec 5.8).
//!
//! Random tags (random prefix sets in the public test space 20.0.0.0/28), rules whose
//! addresses are prefixes, those tags, `Internet`, `VirtualNetwork` or `*`, and flows
//! between tags and prefixes. The oracle enumerates every packet. The engine, given the
//! tags' data, must be sound (`pass` only if every packet is allowed, `fail` only if some
//! packet is denied) and exact when no rule matched only partly; given no data it must
//! still be sound.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use amlvnet::model::{Nsg, SecurityRule};
use amlvnet::net::{Access, Address, Direction, Endpoint, PortSet, Protocol, Scope, VnetExtent};
use amlvnet::nsg::{evaluate, prepare, Flow, FlowStatus};
use amlvnet::service_tags::TagPrefixes;
use ipnet::{IpNet, Ipv4Net};
use proptest::prelude::*;
use std::net::Ipv4Addr;

const TAGS: [&str; 3] = ["TagA", "TagB", "TagC"];

fn net(base: u8, len: u8) -> IpNet {
    IpNet::V4(Ipv4Net::new(Ipv4Addr::new(20, 0, 0, base), len).map(|n| n.trunc()).unwrap())
}

fn cidr() -> impl Strategy<Value = IpNet> {
    (0u8..16, 28u8..=32).prop_map(|(b, l)| net(b, l))
}

fn table() -> impl Strategy<Value = TagPrefixes> {
    prop::collection::vec(prop::collection::vec(cidr(), 1..4), 3)
        .prop_map(|sets| TagPrefixes::from_parts(1, TAGS.iter().zip(sets).map(|(name, prefixes)| (name.to_string(), 2, prefixes)).collect()))
}

fn address() -> impl Strategy<Value = Address> {
    prop_oneof![
        1 => Just(Address::Any),
        4 => cidr().prop_map(Address::Prefix),
        3 => (0usize..3).prop_map(|i| Address::Tag { name: TAGS[i].into(), region: None }),
        1 => Just(Address::Internet),
        1 => Just(Address::VirtualNetwork),
    ]
}

fn rule(priority: u32) -> impl Strategy<Value = SecurityRule> {
    (prop::bool::ANY, prop::collection::vec(address(), 1..4), prop::collection::vec(address(), 1..4)).prop_map(move |(allow, source, destination)| {
        SecurityRule {
            name: format!("r{priority}"),
            priority: Some(priority),
            direction: Some(Direction::Inbound),
            access: Some(if allow { Access::Allow } else { Access::Deny }),
            protocol: Some(Protocol::Any),
            source,
            source_ports: PortSet::all(),
            destination,
            destination_ports: PortSet::all(),
            is_default: false,
            valid: true,
            loc: None,
        }
    })
}

fn nsg() -> impl Strategy<Value = Nsg> {
    prop::collection::btree_set(100u32..140, 0..8).prop_flat_map(|prios| prios.into_iter().map(rule).collect::<Vec<_>>()).prop_map(|rules| {
        let mut n = Nsg { name: "n".into(), rules, ..Nsg::default() };
        prepare(&mut n);
        n
    })
}

fn endpoint() -> impl Strategy<Value = Endpoint> {
    prop_oneof![(0usize..3).prop_map(|i| Endpoint::Service { name: TAGS[i].into(), region: None }), cidr().prop_map(|c| Endpoint::Prefixes(vec![c])),]
}

fn flow() -> impl Strategy<Value = Flow> {
    (endpoint(), endpoint()).prop_map(|(source, destination)| Flow {
        direction: Direction::Inbound,
        protocol: Protocol::Tcp,
        source,
        destination,
        port: 443,
        source_port: None,
    })
}

fn hosts(n: &IpNet) -> Vec<Ipv4Addr> {
    match n {
        IpNet::V4(v4) => (u32::from(v4.network())..=u32::from(v4.broadcast())).map(Ipv4Addr::from).collect(),
        IpNet::V6(_) => Vec::new(),
    }
}

fn tag_prefixes(tags: &TagPrefixes, name: &str) -> Vec<IpNet> {
    tags.get(name).map(|t| t.prefixes().to_vec()).unwrap_or_default()
}

fn addresses(tags: &TagPrefixes, e: &Endpoint) -> Vec<Ipv4Addr> {
    let nets = match e {
        Endpoint::Prefixes(p) => p.clone(),
        Endpoint::Service { name, .. } => tag_prefixes(tags, name),
        _ => Vec::new(),
    };
    let mut out: Vec<Ipv4Addr> = nets.iter().flat_map(hosts).collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn matches(tags: &TagPrefixes, a: &Address, ip: Ipv4Addr) -> bool {
    match a {
        Address::Any => true,
        // The test space is public: outside any VNet, on the Internet.
        Address::Internet => true,
        Address::VirtualNetwork => false,
        Address::Prefix(IpNet::V4(n)) => n.contains(&ip),
        Address::Tag { name, .. } => tag_prefixes(tags, name).iter().any(|n| matches!(n, IpNet::V4(v4) if v4.contains(&ip))),
        _ => false,
    }
}

fn all_allowed(tags: &TagPrefixes, n: &Nsg, f: &Flow) -> bool {
    addresses(tags, &f.source).iter().all(|&src| {
        addresses(tags, &f.destination).iter().all(|&dst| {
            n.rules
                .iter()
                .filter(|r| r.direction == Some(Direction::Inbound))
                .find(|r| r.source.iter().any(|a| matches(tags, a, src)) && r.destination.iter().any(|a| matches(tags, a, dst)))
                .is_some_and(|r| r.access == Some(Access::Allow))
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn exact_cover_agrees_with_oracle(tags in table(), n in nsg(), f in flow()) {
        let truth = all_allowed(&tags, &n, &f);
        let verdict = evaluate(&n, &f, Scope { vnet: VnetExtent::default(), tags: Some(&tags) });
        match verdict.status {
            FlowStatus::Pass => prop_assert!(truth, "pass, but a packet is denied: {:?}", verdict),
            FlowStatus::Fail => prop_assert!(!truth, "fail, but every packet is allowed: {:?}", verdict),
            FlowStatus::Warn => prop_assert!(!verdict.trace.is_empty(), "warn without a partial match"),
        }
        if verdict.trace.is_empty() {
            prop_assert_eq!(verdict.status == FlowStatus::Pass, truth, "exact when no rule matched only partly");
        }
        // Without the data the lattice answers, which takes different tags for disjoint
        // (spec 1.5): where they are, it is never wrong either.
        let disjoint = TAGS.iter().enumerate().all(|(i, a)| {
            TAGS.iter().skip(i + 1).all(|b| tag_prefixes(&tags, a).iter().all(|p| tag_prefixes(&tags, b).iter().all(|q| !p.contains(q) && !q.contains(p))))
        });
        let lattice = evaluate(&n, &f, Scope::default());
        match lattice.status {
            _ if !disjoint => {}
            FlowStatus::Pass => prop_assert!(truth, "lattice pass, but a packet is denied"),
            FlowStatus::Fail => prop_assert!(!truth, "lattice fail, but every packet is allowed"),
            FlowStatus::Warn => {}
        }
    }
}

#[test]
fn the_union_of_a_rules_prefixes_covers_a_tag() {
    let tags = TagPrefixes::from_parts(1, vec![("TagA".into(), 2, vec![net(0, 30), net(8, 30)])]);
    let rule = |dst: Vec<Address>| SecurityRule {
        name: "allow".into(),
        priority: Some(100),
        direction: Some(Direction::Inbound),
        access: Some(Access::Allow),
        protocol: Some(Protocol::Any),
        source: vec![Address::Any],
        source_ports: PortSet::all(),
        destination: dst,
        destination_ports: PortSet::all(),
        is_default: false,
        valid: true,
        loc: None,
    };
    let f = Flow {
        direction: Direction::Inbound,
        protocol: Protocol::Tcp,
        source: Endpoint::Prefixes(vec![net(0, 32)]),
        destination: Endpoint::Service { name: "TagA".into(), region: None },
        port: 443,
        source_port: None,
    };
    let scope = Scope { vnet: VnetExtent::default(), tags: Some(&tags) };
    let mut both = Nsg { name: "n".into(), rules: vec![rule(vec![Address::Prefix(net(0, 30)), Address::Prefix(net(8, 30))])], ..Nsg::default() };
    prepare(&mut both);
    assert_eq!(evaluate(&both, &f, scope).status, FlowStatus::Pass, "two prefixes together cover the tag");
    assert_eq!(evaluate(&both, &f, Scope::default()).status, FlowStatus::Warn, "without data: unknown");
    let mut half = Nsg { name: "n".into(), rules: vec![rule(vec![Address::Prefix(net(0, 30))])], ..Nsg::default() };
    prepare(&mut half);
    assert_eq!(evaluate(&half, &f, scope).status, FlowStatus::Warn, "half the tag: partial");
    let mut none = Nsg { name: "n".into(), rules: vec![rule(vec![Address::Prefix(net(4, 30))])], ..Nsg::default() };
    prepare(&mut none);
    assert_eq!(evaluate(&none, &f, scope).deciding.map(|i| none.rules[i].name.as_str()), Some("DenyAllInBound"), "disjoint: no match");
}
