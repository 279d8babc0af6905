//! One flow on demand (`amlvnet flow`, the page's "Test a flow"): the verdict of each
//! NSG on the flow's path with every rule's per-field match, in Network Watcher's
//! NSG-diagnostics shape extended with a third answer (contract.md, additions).
//!
//! Unlike Network Watcher this needs no deployed VM: the NSGs come from the documents,
//! the endpoints are service tags, addresses or subnets among them, and where the
//! documents can't decide the answer is "unknown" instead of a guess.

use crate::link::{by_name, Links, Via};
use crate::model::{Model, Nsg, Subnet};
use crate::net::{Address, Cover, Direction, Endpoint, Protocol, Region, Scope};
use crate::nsg::{self, FlowStatus, Level};
use crate::service_tags::TagPrefixes;

/// What the user asks: `--direction`, `--protocol`, `--from`, `--to`, `--port`,
/// `--source-port`, as text (parsed here, so every front end reads them alike).
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub direction: String,
    pub protocol: String,
    pub from: String,
    pub to: String,
    pub port: String,
    pub source_port: String,
    pub region: Option<String>,
}

/// The answer: allowed, denied, or undecided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Allow,
    Deny,
    Unknown,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Allow => "Allow",
            Access::Deny => "Deny",
            Access::Unknown => "Unknown",
        }
    }
}

/// One rule's per-field match.
#[derive(Clone, Debug)]
pub struct RuleResult {
    pub name: String,
    pub priority: Option<u32>,
    pub access: Option<crate::net::Access>,
    pub matched: nsg::RuleMatch,
}

/// One NSG on the path.
#[derive(Clone, Debug)]
pub struct NsgResult {
    pub name: String,
    pub id: String,
    /// `subnet snet-train`, `NIC NSG of subnet snet-train`, or `NSG alone`.
    pub applied_to: String,
    pub access: Access,
    /// The deciding rule and its access.
    pub matched: Option<(String, String)>,
    pub rules: Vec<RuleResult>,
}

/// The whole answer.
#[derive(Clone, Debug)]
pub struct Diagnosis {
    pub direction: Direction,
    pub protocol: Protocol,
    pub source: String,
    pub destination: String,
    pub port: u16,
    pub source_port: Option<u16>,
    pub access: Access,
    pub nsgs: Vec<NsgResult>,
    /// The service tags that hold the source or destination address, when it is one.
    pub source_tags: Vec<String>,
    pub destination_tags: Vec<String>,
    /// Why an answer is unknown, what was assumed.
    pub notes: Vec<String>,
    /// The service-tag data used (changeNumber), if any.
    pub change_number: Option<u32>,
}

/// Rules listed per NSG (an NSG has at most a few hundred; a pasted one could have more).
pub const MAX_RULES_LISTED: usize = 1000;

enum Side<'m> {
    Subnet(&'m Subnet),
    Other(Endpoint),
}

fn parse_side<'m>(model: &'m Model, text: &str, region: Option<&Region>) -> Result<Side<'m>, String> {
    let t = text.trim();
    if let Some(s) = model.subnets.iter().find(|s| s.name.eq_ignore_ascii_case(t)) {
        return Ok(Side::Subnet(s));
    }
    let endpoint = match Address::parse(t) {
        Some(Address::Prefix(p)) => Endpoint::Prefixes(vec![p]),
        Some(Address::VirtualNetwork) => Endpoint::VirtualNetwork,
        Some(Address::AzureLoadBalancer) => Endpoint::LoadBalancer,
        Some(Address::AzureCloud(r)) => Endpoint::Service { name: "AzureCloud".into(), region: r },
        Some(Address::Tag { name, region: r }) => {
            let r = r.map(|r| if r == Region::Deployment { region.cloned().unwrap_or(r) } else { r });
            Endpoint::Service { name, region: r }
        }
        Some(Address::Any | Address::Internet) => {
            return Err(format!("`{t}` is not one endpoint; give an address (for example 203.0.113.10), a CIDR, a service tag or a subnet among the documents"))
        }
        _ => {
            let subnets: Vec<&str> = model.subnets.iter().map(|s| s.name.as_str()).take(5).collect();
            let known = if subnets.is_empty() { String::new() } else { format!(" (subnets among the documents: {})", subnets.join(", ")) };
            return Err(format!("`{t}` is neither a service tag, an IP address or CIDR, nor a subnet among the documents{known}"));
        }
    };
    Ok(Side::Other(endpoint))
}

fn endpoint_of(side: &Side) -> Endpoint {
    match side {
        Side::Subnet(s) => Endpoint::Subnet(s.prefixes.clone()),
        Side::Other(e) => e.clone(),
    }
}

fn access_of(status: FlowStatus) -> Access {
    match status {
        FlowStatus::Pass => Access::Allow,
        FlowStatus::Fail => Access::Deny,
        FlowStatus::Warn => Access::Unknown,
    }
}

/// Parses the query and evaluates the flow through the NSGs on its path. `Err` is a
/// usage error (a value that can't be read, no NSG to evaluate).
pub fn diagnose(model: &Model, query: &Query, tags: Option<&TagPrefixes>) -> Result<Diagnosis, String> {
    let direction = Direction::parse(&query.direction).ok_or("--direction: expected inbound or outbound")?;
    let protocol = match crate::net::Protocol::parse(&query.protocol) {
        Some(p @ (Protocol::Tcp | Protocol::Udp | Protocol::Icmp | Protocol::Any)) => p,
        _ => return Err("--protocol: expected tcp, udp, icmp or *".into()),
    };
    let port: u16 = query.port.trim().parse().map_err(|_| "--port: expected a port number, 0 to 65535")?;
    let source_port = match query.source_port.trim() {
        "" | "*" => None,
        p => Some(p.parse::<u16>().map_err(|_| "--source-port: expected a port number, 0 to 65535")?),
    };
    let region = query.region.as_deref().map(crate::normalise_region).filter(|r| !r.is_empty()).map(Region::Named);
    let model = &*crate::engine::in_region(model, region.as_ref());
    let source = parse_side(model, &query.from, region.as_ref())?;
    let destination = parse_side(model, &query.to, region.as_ref())?;
    let mut notes = Vec::new();
    // The NSGs on the path are those of the subnet on our side of the flow.
    let links = Links::new(model);
    let ours = match direction {
        Direction::Inbound => &destination,
        Direction::Outbound => &source,
    };
    let mut path: Vec<(Level, &Nsg, String)> = Vec::new();
    match ours {
        Side::Subnet(subnet) => {
            let subnet_nsg = match &subnet.nsg {
                Some(r) => {
                    let found = links.nsg(r);
                    if let Some((n, Via::Name)) = found {
                        notes.push(by_name("subnet", &subnet.name, "NSG", &n.name));
                    }
                    let found = found.map(|(n, _)| n);
                    if found.is_none() {
                        notes.push(format!(
                            "subnet `{}` uses NSG `{}`, which is not among the documents: the answer can't be known without it",
                            subnet.name,
                            r.name()
                        ));
                    }
                    found
                }
                None => links.nsg_attached_to(subnet),
            };
            if let Some(n) = subnet_nsg {
                path.push((Level::Subnet, n, format!("subnet {}", subnet.name)));
            }
            if let Some(n) = links.nic_nsg(subnet) {
                path.push((Level::Nic, n, format!("NICs in subnet {}", subnet.name)));
            }
        }
        Side::Other(_) => match model.nsgs.as_slice() {
            [one] => path.push((Level::Subnet, one, "the NSG alone (no subnet named)".into())),
            [] => return Err("no NSG among the documents to evaluate the flow with".into()),
            many => {
                let names: Vec<&str> = many.iter().map(|n| n.name.as_str()).take(5).collect();
                let side = if direction == Direction::Inbound { "--to" } else { "--from" };
                return Err(format!("several NSGs ({}): name the subnet on our side of the flow as {side}", names.join(", ")));
            }
        },
    }
    if direction == Direction::Outbound {
        path.reverse();
    }
    let flow = nsg::Flow { direction, protocol, source: endpoint_of(&source), destination: endpoint_of(&destination), port, source_port };
    let vnet = match ours {
        Side::Subnet(s) => crate::engine::subnet_extent(&links, s),
        Side::Other(_) => Default::default(),
    };
    let scope = Scope { vnet, tags };
    let mut nsgs = Vec::new();
    let mut overall = if notes.is_empty() { Access::Allow } else { Access::Unknown };
    if path.is_empty() && notes.is_empty() {
        notes.push("no NSG on the path: nothing filters this flow".into());
    }
    for (_, n, applied_to) in &path {
        let verdict = nsg::evaluate(n, &flow, scope);
        let access = access_of(verdict.status);
        let rules = n
            .rules
            .iter()
            .filter(|r| r.direction.is_none_or(|d| d == direction))
            .take(MAX_RULES_LISTED)
            .map(|r| RuleResult { name: r.name.clone(), priority: r.priority, access: r.access, matched: nsg::rule_match(r, &flow, scope) })
            .collect();
        let matched = verdict.deciding.and_then(|i| n.rules.get(i)).map(|r| (r.name.clone(), r.access.map_or("?", |a| a.as_str()).to_string()));
        overall = match (overall, access) {
            (Access::Deny, _) | (_, Access::Deny) => Access::Deny,
            (Access::Unknown, _) | (_, Access::Unknown) => Access::Unknown,
            _ => Access::Allow,
        };
        nsgs.push(NsgResult { name: n.name.clone(), id: n.id.clone().unwrap_or_default(), applied_to: applied_to.clone(), access, matched, rules });
        if access == Access::Deny {
            break;
        }
    }
    let tags_of = |e: &Endpoint| -> Vec<String> {
        match (e, tags) {
            (Endpoint::Prefixes(p), Some(t)) => p.first().map(|n| t.containing(n, 12).into_iter().map(str::to_string).collect()).unwrap_or_default(),
            _ => Vec::new(),
        }
    };
    let (source_tags, destination_tags) = (tags_of(&flow.source), tags_of(&flow.destination));
    if tags.is_none() && [&flow.source, &flow.destination].iter().any(|e| matches!(e, Endpoint::Prefixes(p) if p.iter().any(|n| !crate::net::is_private(n)))) {
        notes.push("no service-tag prefixes in this build: a public address against a service tag is unknown".into());
    }
    Ok(Diagnosis {
        direction,
        protocol,
        source: query.from.trim().to_string(),
        destination: query.to.trim().to_string(),
        port,
        source_port,
        access: overall,
        nsgs,
        source_tags,
        destination_tags,
        notes,
        change_number: tags.map(|t| t.change_number),
    })
}

/// A field match as Network Watcher writes it, with "partial" as the third answer.
pub fn matched(c: Cover) -> &'static str {
    match c {
        Cover::Full => "true",
        Cover::None => "false",
        Cover::Partial => "partial",
    }
}
