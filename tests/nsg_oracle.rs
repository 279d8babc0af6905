//! The NSG evaluator against a brute-force oracle.
//!
//! Random rule sets over a small address space (10.0.0.0/28) and small port ranges; the
//! oracle enumerates every packet of the required flow (every source and destination
//! address, representative source ports) and applies first-match by priority, defaults
//! included. The engine must be sound (`pass` only if every packet is allowed, `fail`
//! only if some packet is denied) and exact when no rule matched only partly.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use amlvnet::model::{Nsg, SecurityRule};
use amlvnet::net::{Access, Address, Direction, Endpoint, PortRange, PortSet, Protocol, Scope};
use amlvnet::nsg::{evaluate, evaluate_path, prepare, Flow, FlowStatus};
use ipnet::{IpNet, Ipv4Net};
use proptest::prelude::*;
use std::net::Ipv4Addr;

fn net(base: u8, len: u8) -> IpNet {
    IpNet::V4(Ipv4Net::new(Ipv4Addr::new(10, 0, 0, base), len).map(|n| n.trunc()).unwrap_or_default())
}

fn cidr() -> impl Strategy<Value = IpNet> {
    (0u8..16, 28u8..=32).prop_map(|(b, l)| net(b, l))
}

fn address() -> impl Strategy<Value = Address> {
    prop_oneof![1 => Just(Address::Any), 4 => cidr().prop_map(Address::Prefix), 1 => Just(Address::VirtualNetwork), 1 => Just(Address::Internet)]
}

fn port_range() -> impl Strategy<Value = PortRange> {
    prop_oneof![1 => Just(PortRange::ALL), 4 => (0u16..16, 0u16..6).prop_map(|(a, w)| PortRange { low: a, high: a.saturating_add(w) })]
}

fn source_ports() -> impl Strategy<Value = PortSet> {
    prop_oneof![
        6 => Just(PortSet::all()),
        1 => Just(PortSet { ranges: vec![PortRange { low: 0, high: 65535 }], uncertain: false }),
        1 => Just(PortSet { ranges: vec![PortRange { low: 1000, high: 2000 }], uncertain: false }),
        1 => Just(PortSet { ranges: vec![PortRange { low: 0, high: 32767 }, PortRange { low: 32768, high: 65535 }], uncertain: false }),
        1 => (0u16..16).prop_map(|p| PortSet { ranges: vec![PortRange { low: p, high: p }], uncertain: false }),
    ]
}

fn rule(priority: u32) -> impl Strategy<Value = SecurityRule> {
    (
        prop::bool::ANY,
        prop::bool::ANY,
        prop_oneof![Just(Protocol::Any), Just(Protocol::Tcp), Just(Protocol::Udp)],
        prop::collection::vec(address(), 1..3),
        prop::collection::vec(address(), 1..3),
        source_ports(),
        prop::collection::vec(port_range(), 1..3),
    )
        .prop_map(move |(inbound, allow, protocol, source, destination, source_ports, dports)| SecurityRule {
            name: format!("r{priority}"),
            priority: Some(priority),
            direction: Some(if inbound { Direction::Inbound } else { Direction::Outbound }),
            access: Some(if allow { Access::Allow } else { Access::Deny }),
            protocol: Some(protocol),
            source,
            source_ports,
            destination,
            destination_ports: PortSet { ranges: dports, uncertain: false },
            is_default: false,
            valid: true,
            loc: None,
        })
}

fn nsg() -> impl Strategy<Value = Nsg> {
    prop::collection::btree_set(100u32..140, 0..8).prop_flat_map(|prios| prios.into_iter().map(rule).collect::<Vec<_>>()).prop_map(|rules| {
        let mut n = Nsg { name: "n".into(), rules, ..Nsg::default() };
        prepare(&mut n);
        n
    })
}

fn flow() -> impl Strategy<Value = Flow> {
    (prop::bool::ANY, prop::bool::ANY, cidr(), cidr(), 0u16..16).prop_map(|(inbound, tcp, s, d, port)| Flow {
        direction: if inbound { Direction::Inbound } else { Direction::Outbound },
        protocol: if tcp { Protocol::Tcp } else { Protocol::Udp },
        source: Endpoint::Prefixes(vec![s]),
        destination: Endpoint::Prefixes(vec![d]),
        port,
        source_port: None,
    })
}

fn addresses(e: &Endpoint) -> Vec<Ipv4Addr> {
    let Endpoint::Prefixes(p) = e else { return Vec::new() };
    p.iter()
        .flat_map(|n| match n {
            IpNet::V4(v4) => v4.hosts_all(),
            IpNet::V6(_) => Vec::new(),
        })
        .collect()
}

trait AllHosts {
    fn hosts_all(&self) -> Vec<Ipv4Addr>;
}
impl AllHosts for Ipv4Net {
    fn hosts_all(&self) -> Vec<Ipv4Addr> {
        let start = u32::from(self.network());
        let end = u32::from(self.broadcast());
        (start..=end).map(Ipv4Addr::from).collect()
    }
}

/// Whether one concrete address is in a rule's address item (private test space).
fn addr_matches(a: &Address, ip: Ipv4Addr) -> bool {
    match a {
        Address::Any => true,
        Address::Prefix(IpNet::V4(n)) => n.contains(&ip),
        Address::VirtualNetwork => ip.is_private(),
        _ => false,
    }
}

/// First-match verdict for one packet.
fn packet_allowed(nsg: &Nsg, dir: Direction, proto: Protocol, src: Ipv4Addr, sport: u16, dst: Ipv4Addr, dport: u16) -> bool {
    for r in &nsg.rules {
        if r.direction != Some(dir) {
            continue;
        }
        let m = r.protocol.is_some_and(|p| p.matches(proto))
            && r.source.iter().any(|a| addr_matches(a, src))
            && r.destination.iter().any(|a| addr_matches(a, dst))
            && r.source_ports.contains_port(sport)
            && r.destination_ports.contains_port(dport);
        if m {
            return r.access == Some(Access::Allow);
        }
    }
    false
}

fn source_port_samples(nsg: &Nsg) -> Vec<u16> {
    let mut out = vec![0, 1, 999, 1000, 1500, 2000, 2001, 32767, 32768, 50000, 65535];
    for r in &nsg.rules {
        for pr in &r.source_ports.ranges {
            out.extend([pr.low, pr.high, pr.low.saturating_sub(1), pr.high.saturating_add(1)]);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// (all packets allowed, some packet allowed)
fn oracle(nsgs: &[&Nsg], flow: &Flow) -> (bool, bool) {
    let mut all = true;
    let mut some = false;
    let mut ports = Vec::new();
    for n in nsgs {
        ports.extend(source_port_samples(n));
    }
    ports.sort_unstable();
    ports.dedup();
    for src in addresses(&flow.source) {
        for dst in addresses(&flow.destination) {
            for &sport in &ports {
                let ok = nsgs.iter().all(|n| packet_allowed(n, flow.direction, flow.protocol, src, sport, dst, flow.port));
                all &= ok;
                some |= ok;
            }
        }
    }
    (all, some)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn evaluator_agrees_with_oracle(n in nsg(), f in flow()) {
        let verdict = evaluate(&n, &f, Scope::default());
        let (all_allowed, _) = oracle(&[&n], &f);
        match verdict.status {
            FlowStatus::Pass => prop_assert!(all_allowed, "pass, but a packet is denied: {:?}", verdict),
            FlowStatus::Fail => prop_assert!(!all_allowed, "fail, but every packet is allowed: {:?}", verdict),
            FlowStatus::Warn => prop_assert!(!verdict.trace.is_empty(), "warn without a partial match"),
        }
        if verdict.trace.is_empty() {
            prop_assert_eq!(verdict.status == FlowStatus::Pass, all_allowed);
        }
    }

    #[test]
    fn path_of_two_nsgs_agrees_with_oracle(a in nsg(), b in nsg(), f in flow()) {
        let verdict = evaluate_path(Some(&a), Some(&b), &f, Scope::default());
        let (all_allowed, _) = oracle(&[&a, &b], &f);
        match verdict.status {
            FlowStatus::Pass => prop_assert!(all_allowed),
            FlowStatus::Fail => prop_assert!(!all_allowed),
            FlowStatus::Warn => {}
        }
    }
}

#[test]
fn oracle_has_teeth() {
    // A deny of half the source space then allow-all: some packets are denied.
    let mut n = Nsg {
        rules: vec![SecurityRule {
            name: "deny-half".into(),
            priority: Some(100),
            direction: Some(Direction::Inbound),
            access: Some(Access::Deny),
            protocol: Some(Protocol::Any),
            source: vec![Address::Prefix(net(0, 29))],
            source_ports: PortSet::all(),
            destination: vec![Address::Any],
            destination_ports: PortSet::all(),
            is_default: false,
            valid: true,
            loc: None,
        }],
        ..Nsg::default()
    };
    prepare(&mut n);
    let f = Flow {
        direction: Direction::Inbound,
        protocol: Protocol::Tcp,
        source: Endpoint::Prefixes(vec![net(0, 28)]),
        destination: Endpoint::Prefixes(vec![net(0, 28)]),
        port: 1,
        source_port: None,
    };
    assert_eq!(oracle(&[&n], &f), (false, true));
    assert_eq!(evaluate(&n, &f, Scope::default()).status, FlowStatus::Warn);
}
