//! Addresses, prefixes, ports, protocols and service tags, and the three-valued
//! containment lattice of spec section 1.5.
//!
//! Nothing here knows about NSGs or checks: `nsg` and `rules` build on it.

use crate::service_tags::{interval, merge, Interval, Tag, TagPrefixes};
use ipnet::IpNet;
use std::borrow::Cow;
use std::fmt;
use std::net::Ipv4Addr;

/// How much of a required endpoint (or port set) a rule field covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cover {
    /// Every address of the endpoint is matched.
    Full,
    /// No address of the endpoint is matched.
    None,
    /// Part of it, or it cannot be known without Microsoft's IP lists.
    Partial,
}

impl Cover {
    /// Union over the items of one rule field.
    pub fn union(items: impl IntoIterator<Item = Cover>) -> Cover {
        let mut out = Cover::None;
        for c in items {
            match c {
                Cover::Full => return Cover::Full,
                Cover::Partial => out = Cover::Partial,
                Cover::None => {}
            }
        }
        out
    }
}

/// Protocols of an NSG rule (`*`, `Any` and `All` are all `Any`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Any,
    Tcp,
    Udp,
    Icmp,
    Esp,
    Ah,
}

/// The value named by `text` (trimmed, any case) in `words`; no allocation, since every
/// rule of a document goes through it.
fn by_word<T: Copy>(text: &str, words: &[(&str, T)]) -> Option<T> {
    let t = text.trim();
    words.iter().find(|(w, _)| t.eq_ignore_ascii_case(w)).map(|&(_, v)| v)
}

impl Protocol {
    pub fn parse(text: &str) -> Option<Protocol> {
        use Protocol::*;
        by_word(text, &[("*", Any), ("any", Any), ("all", Any), ("tcp", Tcp), ("udp", Udp), ("icmp", Icmp), ("esp", Esp), ("ah", Ah)])
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Any => "*",
            Protocol::Tcp => "Tcp",
            Protocol::Udp => "Udp",
            Protocol::Icmp => "Icmp",
            Protocol::Esp => "Esp",
            Protocol::Ah => "Ah",
        }
    }

    /// Whether a rule with this protocol matches traffic of `flow`.
    pub fn matches(self, flow: Protocol) -> bool {
        self == Protocol::Any || self == flow
    }
}

/// Traffic direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    Inbound,
    Outbound,
}

impl Direction {
    pub fn parse(text: &str) -> Option<Direction> {
        by_word(text, &[("inbound", Direction::Inbound), ("outbound", Direction::Outbound)])
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "Inbound",
            Direction::Outbound => "Outbound",
        }
    }
}

/// Allow or deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Allow,
    Deny,
}

impl Access {
    pub fn parse(text: &str) -> Option<Access> {
        by_word(text, &[("allow", Access::Allow), ("deny", Access::Deny)])
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Allow => "Allow",
            Access::Deny => "Deny",
        }
    }
}

/// An inclusive port range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PortRange {
    pub low: u16,
    pub high: u16,
}

impl PortRange {
    pub const ALL: PortRange = PortRange { low: 0, high: 65535 };

    /// Parses `*`, `N` or `N-M` (effective-rules output writes `N-N`).
    pub fn parse(text: &str) -> Option<PortRange> {
        let t = text.trim();
        if t == "*" || t.eq_ignore_ascii_case("any") {
            return Some(PortRange::ALL);
        }
        let (low, high) = match t.split_once('-') {
            Some((a, b)) => (a.trim().parse::<u16>().ok()?, b.trim().parse::<u16>().ok()?),
            None => {
                let p = t.parse::<u16>().ok()?;
                (p, p)
            }
        };
        (low <= high).then_some(PortRange { low, high })
    }

    pub fn contains(self, port: u16) -> bool {
        self.low <= port && port <= self.high
    }
}

impl PortRange {
    /// Appends the range as `Display` shows it (`*`, `443`, `1000-2000`), without the
    /// formatting machinery: report tables write one per rule.
    pub fn write_to(&self, out: &mut String) {
        if *self == PortRange::ALL {
            out.push('*');
        } else {
            push_u32(out, u32::from(self.low));
            if self.high != self.low {
                out.push('-');
                push_u32(out, u32::from(self.high));
            }
        }
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.write_to(&mut out);
        f.write_str(&out)
    }
}

/// The ports of one rule field, or `None` when a value was invalid or unresolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortSet {
    pub ranges: Vec<PortRange>,
    /// True when at least one item could not be read; such a field never matches fully.
    pub uncertain: bool,
}

impl PortSet {
    pub fn all() -> PortSet {
        PortSet { ranges: vec![PortRange::ALL], uncertain: false }
    }

    /// Whether the set holds every port (a union of ranges may, too).
    pub fn covers_all(&self) -> bool {
        if self.uncertain {
            return false;
        }
        if self.ranges.contains(&PortRange::ALL) {
            return true;
        }
        let mut ranges = self.ranges.clone();
        ranges.sort();
        let mut next: u32 = 0;
        for r in ranges {
            if u32::from(r.low) > next {
                return false;
            }
            next = next.max(u32::from(r.high) + 1);
        }
        next > 65535
    }

    /// Cover of one destination port.
    pub fn cover_port(&self, port: u16) -> Cover {
        if self.ranges.iter().any(|r| r.contains(port)) {
            Cover::Full
        } else if self.uncertain {
            Cover::Partial
        } else {
            Cover::None
        }
    }

    pub fn contains_port(&self, port: u16) -> bool {
        self.ranges.iter().any(|r| r.contains(port))
    }
}

impl fmt::Display for PortSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl PortSet {
    /// The set as text (`80,443,1000-2000`, `?` when uncertain).
    pub fn text(&self) -> String {
        let mut out = String::with_capacity(12);
        for (i, r) in self.ranges.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            r.write_to(&mut out);
        }
        if self.uncertain {
            out.push_str(if self.ranges.is_empty() { "?" } else { ",?" });
        }
        out
    }
}

/// Appends a decimal number.
pub fn push_u32(out: &mut String, n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at = at.saturating_sub(1);
        if let Some(d) = digits.get_mut(at) {
            *d = b'0'.wrapping_add((n % 10) as u8); // a digit
        }
        n /= 10;
        if n == 0 || at == 0 {
            break;
        }
    }
    for d in digits.iter().skip(at) {
        out.push(char::from(*d));
    }
}

/// An ARM location name: no spaces, lower case (`West US 2` -> `westus2`).
pub fn normalise_region(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase()
}

/// A region: of a resource, of the scenario, or a service tag's second part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Region {
    /// An ARM location name in lower case (`westus2`); for a tag, its second part in lower
    /// case (`frontend` of `AzureFrontDoor.FrontEnd`).
    Named(String),
    /// The template's deployment region, `resourceGroup().location`: the same wherever it
    /// appears in one deployment, unknown until the scenario names it.
    Deployment,
    /// Not known: a required endpoint's region when the scenario has none (any regional rule
    /// then covers it only partly), or a location the reader could not resolve.
    Unknown,
}

impl Region {
    /// A location or tag part as a document writes it: the template reader's value for
    /// `resourceGroup().location` is the deployment region; an unresolved expression
    /// (`<…>`) is unknown. `None` for an empty text.
    pub fn read(text: &str) -> Option<Region> {
        let t = normalise_region(text);
        if t.is_empty() {
            None
        } else if t == crate::input::DEPLOYMENT_REGION {
            Some(Region::Deployment)
        } else if t.contains('<') {
            Some(Region::Unknown)
        } else {
            Some(Region::Named(t))
        }
    }

    /// The ARM location name, when the region has one.
    pub fn name(&self) -> Option<&str> {
        match self {
            Region::Named(n) => Some(n),
            Region::Deployment | Region::Unknown => None,
        }
    }
}

impl fmt::Display for Region {
    /// As people read it: `westus2`, `FrontEnd`, `<deployment region>`, `<region>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Region::Named(n) => f.write_str(sub_tag_case(n)),
            Region::Deployment => f.write_str("<deployment region>"),
            Region::Unknown => f.write_str("<region>"),
        }
    }
}

/// An address item of an NSG rule, after normalisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Address {
    /// `*`, `0.0.0.0/0`, `Any`.
    Any,
    Internet,
    VirtualNetwork,
    AzureLoadBalancer,
    /// `AzureCloud` or `AzureCloud.<region>` (region in lower case).
    AzureCloud(Option<Region>),
    /// A service tag, with its region suffix in lower case.
    Tag {
        name: String,
        region: Option<Region>,
    },
    /// An IP address or CIDR.
    Prefix(IpNet),
    /// An application security group, by ID.
    Asg(String),
    /// A value that could not be read (invalid or an unresolved expression).
    Unknown(String),
}

impl Address {
    /// Parses one address prefix: `*`, a tag, an IP or a CIDR. `None` means invalid.
    pub fn parse(text: &str) -> Option<Address> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        let is = |words: &[&str]| words.iter().any(|w| t.eq_ignore_ascii_case(w));
        if is(&["*", "any", "0.0.0.0/0"]) {
            return Some(Address::Any);
        }
        if is(&["internet"]) {
            return Some(Address::Internet);
        }
        if is(&["virtualnetwork", "virtual_network"]) {
            return Some(Address::VirtualNetwork);
        }
        if is(&["azureloadbalancer", "azure_loadbalancer"]) {
            return Some(Address::AzureLoadBalancer);
        }
        if t.starts_with(|c: char| c.is_ascii_digit()) || t.contains(':') {
            if let Ok(net) = t.parse::<IpNet>() {
                return Some(Address::Prefix(net.trunc()));
            }
            if let Ok(ip) = t.parse::<std::net::IpAddr>() {
                return Some(Address::Prefix(IpNet::from(ip)));
            }
            return None;
        }
        let (name, part) = match t.split_once('.') {
            Some((n, r)) => (n, Some(r)),
            None => (t, None),
        };
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || name.is_empty() {
            return None;
        }
        if part.is_some_and(|r| r.is_empty() || r.contains(|c: char| c.is_whitespace())) {
            return None;
        }
        let region = part.map(|r| if r == crate::input::DEPLOYMENT_REGION { Region::Deployment } else { Region::Named(r.to_ascii_lowercase()) });
        if name.eq_ignore_ascii_case("AzureCloud") {
            return Some(Address::AzureCloud(region));
        }
        Some(Address::Tag { name: canonical_tag(name), region })
    }

    /// Whether the address names the template's deployment region.
    pub fn in_deployment_region(&self) -> bool {
        matches!(self, Address::Tag { region: Some(Region::Deployment), .. } | Address::AzureCloud(Some(Region::Deployment)))
    }

    /// The address with the scenario's region for the template's deployment region: the
    /// named region, unchanged while the deployment's own, an unknown address without one.
    pub fn with_region(self, region: Option<&Region>) -> Address {
        if !self.in_deployment_region() {
            return self;
        }
        match (self, region) {
            (Address::Tag { name, .. }, Some(r @ (Region::Named(_) | Region::Deployment))) => Address::Tag { name, region: Some(r.clone()) },
            (Address::Tag { name, .. }, _) => Address::Unknown(format!("{name}.<region of the deployment>")),
            (Address::AzureCloud(_), Some(r @ (Region::Named(_) | Region::Deployment))) => Address::AzureCloud(Some(r.clone())),
            (_, _) => Address::Unknown("AzureCloud.<region of the deployment>".into()),
        }
    }
}

impl Address {
    /// Appends the address as `Display` shows it; IPv4 prefixes (most of a big NSG)
    /// without the formatting machinery.
    pub fn write_to(&self, out: &mut String) {
        match self {
            Address::Prefix(IpNet::V4(n)) => {
                for (i, octet) in n.addr().octets().iter().enumerate() {
                    if i > 0 {
                        out.push('.');
                    }
                    push_u32(out, u32::from(*octet));
                }
                out.push('/');
                push_u32(out, u32::from(n.prefix_len()));
            }
            other => {
                use fmt::Write;
                let _ = write!(out, "{other}");
            }
        }
    }

    /// Addresses as a list (`10.0.0.0/24, VirtualNetwork`).
    pub fn list(items: &[Address]) -> String {
        let mut out = String::with_capacity(items.len().saturating_mul(20));
        for (i, a) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            a.write_to(&mut out);
        }
        out
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Any => write!(f, "*"),
            Address::Internet => write!(f, "Internet"),
            Address::VirtualNetwork => write!(f, "VirtualNetwork"),
            Address::AzureLoadBalancer => write!(f, "AzureLoadBalancer"),
            Address::AzureCloud(Some(Region::Named(r))) => write!(f, "AzureCloud.{r}"),
            Address::AzureCloud(Some(r)) => write!(f, "AzureCloud.{r}"),
            Address::AzureCloud(None) => write!(f, "AzureCloud"),
            Address::Tag { name, region: Some(Region::Named(r)) } => write!(f, "{name}.{r}"),
            Address::Tag { name, region: Some(r) } => write!(f, "{name}.{r}"),
            Address::Tag { name, region: None } => write!(f, "{name}"),
            Address::Prefix(n) => write!(f, "{n}"),
            Address::Asg(id) => write!(f, "ASG {}", id.rsplit('/').next().unwrap_or(id)),
            Address::Unknown(t) => write!(f, "{t}"),
        }
    }
}

/// Canonical spelling of the tag names the engine reasons about; doc misspellings
/// (`ContainerRegistry`, `Keyvault`, `MCR`, `Frontdoor`) map to the real tags.
pub fn canonical_tag(name: &str) -> String {
    let known = [
        "AzureActiveDirectory",
        "AzureMachineLearning",
        "BatchNodeManagement",
        "AzureResourceManager",
        "Storage",
        "AzureFrontDoor",
        "MicrosoftContainerRegistry",
        "AzureContainerRegistry",
        "AzureMonitor",
        "AzureKeyVault",
        "AzureDatabricks",
        "Sql",
        "EventHub",
        "GatewayManager",
    ];
    let lower = name.to_ascii_lowercase();
    let alias = match lower.as_str() {
        "containerregistry" => Some("AzureContainerRegistry"),
        "keyvault" => Some("AzureKeyVault"),
        "mcr" => Some("MicrosoftContainerRegistry"),
        "frontdoor" => Some("AzureFrontDoor"),
        _ => None,
    };
    if let Some(a) = alias {
        return a.to_string();
    }
    known.iter().find(|k| k.eq_ignore_ascii_case(name)).map(|k| k.to_string()).unwrap_or_else(|| name.to_string())
}

/// Display case of a tag's second part: regions are lower case, Front Door's sub-tags
/// are `FrontEnd` and `FirstParty`.
pub fn sub_tag_case(part: &str) -> &str {
    match part {
        "frontend" => "FrontEnd",
        "firstparty" => "FirstParty",
        "backend" => "Backend",
        other => other,
    }
}

/// A required endpoint of a flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// A public Azure service tag (`BatchNodeManagement`, `Storage.westus2`, …). The
    /// region is `None` for a global tag. `suffix` is the tag's second part when it is not a
    /// region (`AzureFrontDoor.FrontEnd`).
    Service { name: String, region: Option<Region> },
    /// The VirtualNetwork tag as a source or destination.
    VirtualNetwork,
    /// The compute subnet, with its prefixes when known.
    Subnet(Vec<IpNet>),
    /// The Azure host address 168.63.129.16.
    LoadBalancer,
    /// Explicit prefixes (used by tests and for exact endpoints).
    Prefixes(Vec<IpNet>),
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Service { name, region: Some(r) } => write!(f, "{name}.{r}"),
            Endpoint::Service { name, region: None } => write!(f, "{name}"),
            Endpoint::VirtualNetwork => write!(f, "VirtualNetwork"),
            Endpoint::Subnet(p) if p.is_empty() => write!(f, "the compute subnet"),
            Endpoint::Subnet(p) => {
                write!(f, "the compute subnet ({})", p.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", "))
            }
            Endpoint::LoadBalancer => write!(f, "AzureLoadBalancer"),
            Endpoint::Prefixes(p) => write!(f, "{}", p.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", ")),
        }
    }
}

/// What the VirtualNetwork tag holds beyond private space, because of the subnet's
/// user-defined routes (spec 1.5: UDR prefixes join VirtualNetwork).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VnetExtent {
    /// A `0.0.0.0/0` UDR (or routes covering all public space) puts everything in VirtualNetwork.
    pub has_default_route: bool,
    /// Some other public prefix is routed by a UDR.
    pub has_public_route: bool,
}

/// The address of Azure's host (AzureLoadBalancer, DNS, health probes).
pub const HOST_IP: Ipv4Addr = Ipv4Addr::new(168, 63, 129, 16);

/// Whether the prefix is private or shared space (RFC 1918, 100.64/10).
pub fn is_private(net: &IpNet) -> bool {
    match net {
        IpNet::V4(n) => {
            let addr = u32::from(n.network());
            let len = u32::from(n.prefix_len());
            // (network, prefix length) of each private block.
            const BLOCKS: [(u32, u32); 4] = [(0x0A00_0000, 8), (0xAC10_0000, 12), (0xC0A8_0000, 16), (0x6440_0000, 10)];
            BLOCKS.iter().any(|(block, block_len)| {
                len >= *block_len && addr.checked_shr(32u32.saturating_sub(*block_len)) == block.checked_shr(32u32.saturating_sub(*block_len))
            })
        }
        IpNet::V6(n) => n.addr().segments().first().is_some_and(|s| s & 0xfe00 == 0xfc00),
    }
}

/// The union of the prefixes of one family (IPv4 or IPv6) as sorted, disjoint intervals.
/// Families are kept apart: an IPv6 prefix such as `::/0` spans the IPv4-mapped part of
/// the shared line, yet Azure never matches IPv4 traffic with it.
pub fn union_of(nets: &[IpNet], v4: bool) -> Vec<Interval> {
    merge(nets.iter().filter(|n| matches!(n, IpNet::V4(_)) == v4).map(interval).collect())
}

/// Whether `nets` together hold every IPv4 address (`0.0.0.0/0`, or its halves, …).
pub fn covers_all_v4(nets: &[IpNet]) -> bool {
    union_of(nets, true).iter().any(|&(lo, hi)| lo <= crate::service_tags::V4_LOW && crate::service_tags::V4_HIGH <= hi)
}

/// Cover of `set` (union of prefixes) over `required` (union of prefixes): exact, each
/// family on its own.
pub fn prefix_cover(set: &[IpNet], required: &[IpNet]) -> Cover {
    if required.is_empty() {
        return Cover::Partial;
    }
    let v4 = |n: &IpNet| matches!(n, IpNet::V4(_));
    if let [one] = set {
        // One prefix (the common rule field): no union to build.
        let (family, (lo, hi)) = (v4(one), interval(one));
        let within = |r: &IpNet| {
            let (a, b) = interval(r);
            v4(r) == family && lo <= a && b <= hi
        };
        let overlap = |r: &IpNet| {
            let (a, b) = interval(r);
            v4(r) == family && a <= hi && lo <= b
        };
        return if required.iter().all(within) {
            Cover::Full
        } else if required.iter().any(overlap) {
            Cover::Partial
        } else {
            Cover::None
        };
    }
    let (u4, u6) = (union_of(set, true), union_of(set, false));
    let union = |r: &IpNet| if v4(r) { &u4 } else { &u6 };
    let within = |r: &IpNet| {
        let (a, b) = interval(r);
        union(r).iter().any(|&(lo, hi)| lo <= a && b <= hi)
    };
    let overlap = |r: &IpNet| {
        let (a, b) = interval(r);
        union(r).iter().any(|&(lo, hi)| a <= hi && lo <= b)
    };
    if required.iter().all(within) {
        Cover::Full
    } else if required.iter().any(overlap) {
        Cover::Partial
    } else {
        Cover::None
    }
}

/// Spec 1.5: how far one rule address item covers a required endpoint.
pub fn address_cover(item: &Address, endpoint: &Endpoint, vnet: VnetExtent) -> Cover {
    use Address as A;
    match (item, endpoint) {
        (A::Any, _) => Cover::Full,
        (A::Unknown(_), _) => Cover::Partial,
        // Explicit prefixes against explicit prefixes: exact.
        (A::Prefix(p), Endpoint::Subnet(req) | Endpoint::Prefixes(req)) => prefix_cover(&[*p], req),
        (A::Prefix(p), Endpoint::LoadBalancer) => {
            if p.contains(&IpNet::from(std::net::IpAddr::V4(HOST_IP))) {
                Cover::Full
            } else {
                Cover::None
            }
        }
        // VirtualNetwork holds peered and on-premises space too: a CIDR cannot be proven to
        // cover it, nor to miss it.
        (A::Prefix(_), Endpoint::VirtualNetwork) => Cover::Partial,
        // Without the service-tag IP list, a CIDR vs a public tag is unknown.
        (A::Prefix(p), Endpoint::Service { .. }) => {
            if is_private(p) {
                Cover::None
            } else {
                Cover::Partial
            }
        }
        (A::Internet, Endpoint::Service { .. }) => Cover::Full,
        (A::Internet, Endpoint::Prefixes(req)) if req.iter().all(|p| !is_private(p)) => Cover::Full,
        (A::Internet, Endpoint::Prefixes(req)) => public_cover(req),
        (A::Internet, _) => Cover::None,
        (A::VirtualNetwork, Endpoint::VirtualNetwork | Endpoint::Subnet(_)) => Cover::Full,
        (A::VirtualNetwork, Endpoint::Prefixes(req)) => {
            if req.iter().all(is_private) {
                Cover::Full
            } else {
                Cover::Partial
            }
        }
        (A::VirtualNetwork, Endpoint::Service { .. }) => {
            if vnet.has_default_route {
                Cover::Full
            } else if vnet.has_public_route {
                Cover::Partial
            } else {
                Cover::None
            }
        }
        (A::VirtualNetwork, Endpoint::LoadBalancer) => Cover::None,
        (A::AzureLoadBalancer, Endpoint::LoadBalancer) => Cover::Full,
        (A::AzureLoadBalancer, _) => Cover::None,
        (A::AzureCloud(_), Endpoint::Service { .. }) => Cover::Partial,
        (A::AzureCloud(_) | A::Tag { .. }, Endpoint::Prefixes(req)) => public_cover(req),
        (A::AzureCloud(_), _) => Cover::None,
        (A::Asg(_), Endpoint::Subnet(_) | Endpoint::VirtualNetwork) => Cover::None,
        (A::Asg(_), Endpoint::LoadBalancer) => Cover::None,
        // An ASG groups NICs of the VNet: never an Azure service's addresses (spec 1.5).
        (A::Asg(_), Endpoint::Service { .. }) => Cover::None,
        (A::Asg(_), _) => Cover::Partial,
        (A::Tag { name, region }, Endpoint::Service { name: req_name, region: req_region }) => tag_cover(name, region.as_ref(), req_name, req_region.as_ref()),
        (A::Tag { .. }, _) => Cover::None,
    }
}

/// What address matching sees besides the rule: the subnet's routes (for
/// VirtualNetwork) and the service-tag prefixes, when there are any.
#[derive(Clone, Copy, Debug, Default)]
pub struct Scope<'t> {
    pub vnet: VnetExtent,
    pub tags: Option<&'t TagPrefixes>,
}

impl Scope<'_> {
    /// Routes only, no service-tag data: the lattice of spec 1.5.
    pub fn lattice(vnet: VnetExtent) -> Scope<'static> {
        Scope { vnet, tags: None }
    }
}

/// The data's tag for a name and an optional second part (`Storage`, `westus2`).
fn tag_of<'t>(tags: &'t TagPrefixes, name: &str, part: Option<&Region>) -> Option<&'t Tag> {
    match part {
        Some(Region::Named(p)) => tags.get_parts(name, p),
        Some(Region::Deployment | Region::Unknown) => None,
        None => tags.get_parts(name, ""),
    }
}

/// The required endpoint's addresses by the data: IPv4 for a service tag (AML compute
/// subnets are IPv4, spec 5.8), both families for explicit prefixes.
fn required_set<'t>(endpoint: &Endpoint, tags: &'t TagPrefixes) -> Option<(Cow<'t, [Interval]>, Option<&'t Tag>)> {
    match endpoint {
        Endpoint::Service { name, region } => {
            let tag = tag_of(tags, name, region.as_ref())?;
            Some((Cow::Borrowed(tag.v4()), Some(tag))).filter(|(set, _)| !set.is_empty())
        }
        Endpoint::Prefixes(p) if !p.is_empty() => Some((Cow::Owned(merge(p.iter().map(interval).collect())), None)),
        _ => None,
    }
}

/// A rule item's addresses by the data: one interval of its own, or a tag's.
enum ItemSet<'t> {
    One([Interval; 1]),
    Tag(&'t [Interval]),
}

impl ItemSet<'_> {
    fn as_slice(&self) -> &[Interval] {
        match self {
            ItemSet::One(one) => one,
            ItemSet::Tag(set) => set,
        }
    }
}

/// A rule item's addresses by the data, when the data knows them (no allocation: this
/// runs per rule field and flow).
fn item_set<'t>(item: &Address, tags: &'t TagPrefixes) -> Option<ItemSet<'t>> {
    match item {
        Address::Prefix(p) => Some(ItemSet::One([interval(p)])),
        Address::AzureCloud(region) => tag_of(tags, "AzureCloud", region.as_ref()).map(|t| ItemSet::Tag(t.intervals())),
        Address::Tag { name, region } => tag_of(tags, name, region.as_ref()).map(|t| ItemSet::Tag(t.intervals())),
        _ => None,
    }
}

/// A flow endpoint with its addresses by the data, resolved once per flow (not per rule).
pub struct Required<'e, 't> {
    pub endpoint: &'e Endpoint,
    tags: Option<&'t TagPrefixes>,
    /// Looked up the first time a rule field needs it.
    set: std::cell::OnceCell<Option<Cow<'t, [Interval]>>>,
}

impl<'t> Scope<'t> {
    /// An endpoint whose addresses the scope's data gives, when first needed.
    pub fn required<'e>(&self, endpoint: &'e Endpoint) -> Required<'e, 't> {
        Required { endpoint, tags: self.tags, set: std::cell::OnceCell::new() }
    }
}

impl Required<'_, '_> {
    fn set(&self) -> Option<&[Interval]> {
        self.set.get_or_init(|| self.tags.and_then(|t| required_set(self.endpoint, t)).map(|(set, _)| set)).as_deref()
    }
}

/// Whether two merged interval lists share an address: the smaller is searched in the
/// larger (a rule's few prefixes against a tag's hundreds).
fn sets_overlap(a: &[Interval], b: &[Interval]) -> bool {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small.iter().any(|i| crate::service_tags::overlaps(large, *i))
}

/// How far one rule field (its address items together) covers a required endpoint.
/// The lattice of spec 1.5 first; where it can only say "unknown" for want of IP lists
/// and the scope has service-tag data, interval arithmetic over the union of the items
/// decides (spec 5.8): full, none, or partial.
pub fn field_cover(items: &[Address], endpoint: &Endpoint, scope: Scope) -> Cover {
    field_cover_in(items, &scope.required(endpoint), scope)
}

/// `field_cover` with the endpoint resolved once per flow (the evaluator's hot path:
/// no allocation unless two or more items of the field overlap the endpoint).
pub fn field_cover_in(items: &[Address], req: &Required, scope: Scope) -> Cover {
    let endpoint = req.endpoint;
    let lattice = || Cover::union(items.iter().map(|a| address_cover(a, endpoint, scope.vnet)));
    // Only public addresses, AzureCloud and tags, against a service tag or explicit
    // prefixes, can be decided by the data (private space is in no service tag): the
    // usual rule field takes the lattice, before any lookup.
    let decidable = |a: &Address| match a {
        Address::Prefix(p) => !is_private(p) || matches!(endpoint, Endpoint::Prefixes(_)),
        Address::AzureCloud(_) | Address::Tag { .. } => true,
        _ => false,
    };
    let (Some(tags), Endpoint::Service { .. } | Endpoint::Prefixes(_)) = (scope.tags, endpoint) else { return lattice() };
    if !items.iter().any(decidable) {
        return lattice();
    }
    let Some(required) = req.set() else { return lattice() };
    let mut doubt = false;
    let mut first: Option<ItemSet> = None;
    let mut more: Vec<ItemSet> = Vec::new();
    for a in items {
        // The lattice's certain answers for tags stand (`Storage` holds `Storage.westus2`).
        if matches!(a, Address::Any | Address::Tag { .. } | Address::AzureCloud(_)) && address_cover(a, endpoint, scope.vnet) == Cover::Full {
            return Cover::Full;
        }
        match item_set(a, tags) {
            Some(set) if sets_overlap(required, set.as_slice()) => match first {
                None => first = Some(set),
                Some(_) => more.push(set),
            },
            Some(_) => {}
            None => match address_cover(a, endpoint, scope.vnet) {
                Cover::Full => return Cover::Full,
                Cover::Partial => doubt = true,
                Cover::None => {}
            },
        }
    }
    let full = match first {
        None if doubt => return Cover::Partial,
        None => return Cover::None,
        Some(one) if more.is_empty() => required.iter().all(|r| crate::service_tags::contains(one.as_slice(), *r)),
        Some(one) => {
            more.push(one);
            let union = merge(more.iter().flat_map(|s| s.as_slice().iter().copied()).collect());
            required.iter().all(|r| crate::service_tags::contains(&union, *r))
        }
    };
    if full {
        Cover::Full
    } else {
        Cover::Partial
    }
}

/// For a field that covers a required service tag only partly by the data: how much,
/// and which of its prefixes are left (`covers 11 of the 13 IPv4 prefixes of
/// BatchNodeManagement.WestUS2; not 20.42.0.0/22, …`).
pub fn cover_detail(items: &[Address], endpoint: &Endpoint, scope: Scope) -> Option<String> {
    let tags = scope.tags?;
    let (_, tag) = required_set(endpoint, tags)?;
    let tag = tag?;
    let sets: Vec<ItemSet> = items.iter().filter_map(|a| item_set(a, tags)).collect();
    let refs: Vec<&[Interval]> = sets.iter().map(ItemSet::as_slice).collect();
    let v4: Vec<IpNet> = tag.prefixes().iter().filter(|p| matches!(p, IpNet::V4(_))).copied().collect();
    let left = crate::service_tags::uncovered(&v4, &refs);
    if left.is_empty() || left.len() == v4.len() && !refs.iter().any(|s| s.iter().any(|i| crate::service_tags::overlaps(tag.v4(), *i))) {
        return None;
    }
    let shown: Vec<String> = left.iter().take(3).map(|p| p.to_string()).collect();
    let more = if left.len() > 3 { ", …" } else { "" };
    Some(format!(
        "covers {} of the {} IPv4 prefixes of {} (service-tag data changeNumber {}); not {}{more}",
        v4.len().saturating_sub(left.len()),
        v4.len(),
        tag.name,
        tags.change_number,
        shown.join(", ")
    ))
}

/// A public tag (or `Internet`'s unknown edge) against explicit prefixes, without IP
/// lists: none for private space, else unknown.
fn public_cover(req: &[IpNet]) -> Cover {
    if req.iter().all(is_private) {
        Cover::None
    } else {
        Cover::Partial
    }
}

/// A rule's tag against a required tag (names already canonical).
fn tag_cover(name: &str, region: Option<&Region>, req_name: &str, req_region: Option<&Region>) -> Cover {
    // `AzureFrontDoor.FrontEnd` and `AzureFrontDoor.FirstParty` are sub-tags, not regions.
    if !name.eq_ignore_ascii_case(req_name) {
        return Cover::None;
    }
    match (region, req_region) {
        (None, _) => Cover::Full,
        (Some(Region::Named(r)), Some(Region::Named(q))) if r.eq_ignore_ascii_case(q) => Cover::Full,
        (Some(Region::Deployment), Some(Region::Deployment)) => Cover::Full,
        (Some(Region::Deployment), Some(_)) | (Some(_), Some(Region::Unknown)) => Cover::Partial,
        (Some(_), Some(_)) => Cover::None,
        (Some(_), None) => Cover::Partial,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_unions_keep_the_families_apart() {
        let nets = |list: &[&str]| list.iter().filter_map(|p| p.parse::<IpNet>().ok()).collect::<Vec<_>>();
        // `::/0` spans the IPv4-mapped part of the shared line; Azure matches no IPv4 with it.
        assert_eq!(prefix_cover(&nets(&["::/0"]), &nets(&["52.1.0.0/16"])), Cover::None);
        assert_eq!(prefix_cover(&nets(&["::/0", "10.0.0.0/8"]), &nets(&["52.1.0.0/16"])), Cover::None);
        assert!(!covers_all_v4(&nets(&["::/0"])));
        // Halves and quarters add up; a gap does not.
        assert!(covers_all_v4(&nets(&["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/2"])));
        assert!(!covers_all_v4(&nets(&["0.0.0.0/1", "192.0.0.0/2"])));
        assert_eq!(prefix_cover(&nets(&["52.0.0.0/9", "52.128.0.0/9"]), &nets(&["52.1.0.0/16", "52.200.0.0/16"])), Cover::Full);
        assert_eq!(prefix_cover(&nets(&["52.0.0.0/9", "2001:db8::/32"]), &nets(&["52.1.0.0/16", "52.200.0.0/16"])), Cover::Partial);
        assert_eq!(prefix_cover(&nets(&["2001:db8::/32"]), &nets(&["2001:db8:1::/48"])), Cover::Full);
    }

    #[test]
    fn an_asg_is_never_a_service_tag() {
        let service = Endpoint::Service { name: "AzureMachineLearning".into(), region: None };
        assert_eq!(address_cover(&Address::Asg("/x/asg1".into()), &service, VnetExtent::default()), Cover::None);
    }

    #[test]
    #[allow(clippy::unwrap_used)]
    fn fast_writers_agree_with_display() {
        for n in [0u32, 7, 10, 99, 100, 255, 65535, 4096, u32::MAX] {
            let mut out = String::new();
            push_u32(&mut out, n);
            assert_eq!(out, n.to_string());
        }
        for text in
            ["10.0.0.0/8", "0.0.0.0/0", "255.255.255.255/32", "192.168.1.7", "10.20.4.0/24", "fd00::/8", "Storage.WestUS2", "VirtualNetwork", "*", "Sql"]
        {
            let a = Address::parse(text).unwrap();
            let mut out = String::new();
            a.write_to(&mut out);
            assert_eq!(out, a.to_string(), "{text}");
        }
        let a: Vec<Address> = ["10.0.0.0/24", "Internet"].iter().map(|t| Address::parse(t).unwrap()).collect();
        assert_eq!(Address::list(&a), "10.0.0.0/24, Internet");
        let ports = |items: &[(u16, u16)], uncertain: bool| PortSet { ranges: items.iter().map(|&(low, high)| PortRange { low, high }).collect(), uncertain };
        for (set, text) in [
            (ports(&[(80, 80), (443, 443), (1000, 2000)], false), "80,443,1000-2000"),
            (ports(&[(0, 65535)], false), "*"),
            (ports(&[], true), "?"),
            (ports(&[(22, 22)], true), "22,?"),
        ] {
            assert_eq!(set.text(), text);
            assert_eq!(set.to_string(), text);
        }
    }

    fn tag(t: &str) -> Endpoint {
        match Address::parse(t) {
            Some(Address::Tag { name, region }) => Endpoint::Service { name, region },
            _ => Endpoint::VirtualNetwork,
        }
    }

    fn cover(rule: &str, ep: &Endpoint) -> Cover {
        address_cover(&Address::parse(rule).unwrap_or(Address::Unknown(rule.into())), ep, VnetExtent::default())
    }

    #[test]
    fn tag_lattice() {
        let st = tag("Storage.westus2");
        assert_eq!(cover("*", &st), Cover::Full);
        assert_eq!(cover("Internet", &st), Cover::Full);
        assert_eq!(cover("storage", &st), Cover::Full);
        assert_eq!(cover("Storage.WestUS2", &st), Cover::Full);
        assert_eq!(cover("Storage.eastus", &st), Cover::None);
        assert_eq!(cover("AzureCloud", &st), Cover::Partial);
        assert_eq!(cover("VirtualNetwork", &st), Cover::None);
        assert_eq!(cover("52.0.0.0/8", &st), Cover::Partial);
        assert_eq!(cover("10.0.0.0/8", &st), Cover::None);
        let aml = tag("AzureMachineLearning");
        assert_eq!(cover("AzureMachineLearning.westus2", &aml), Cover::Partial);
        assert_eq!(cover("Storage", &aml), Cover::None);
        let udr = VnetExtent { has_default_route: true, has_public_route: true };
        assert_eq!(address_cover(&Address::VirtualNetwork, &aml, udr), Cover::Full);
    }

    #[test]
    fn doc_misspellings_map_to_real_tags() {
        assert_eq!(Address::parse("Keyvault.westus2"), Address::parse("AzureKeyVault.westus2"));
        assert_eq!(Address::parse("ContainerRegistry.eastus"), Address::parse("AzureContainerRegistry.eastus"));
        assert_eq!(Address::parse("INTERNET"), Some(Address::Internet));
        assert_eq!(Address::parse("VIRTUAL_NETWORK"), Some(Address::VirtualNetwork));
        assert_eq!(Address::parse("10.0.0.0/33"), None);
        assert_eq!(Address::parse("10.0.0.1/24"), Address::parse("10.0.0.0/24"));
    }

    #[test]
    fn subnet_cover_is_exact() {
        let subnet = Endpoint::Subnet(vec!["10.0.4.0/24".parse().unwrap_or_else(|_| IpNet::default())]);
        assert_eq!(cover("10.0.0.0/16", &subnet), Cover::Full);
        assert_eq!(cover("10.0.4.0/25", &subnet), Cover::Partial);
        assert_eq!(cover("10.1.0.0/16", &subnet), Cover::None);
        assert_eq!(cover("VirtualNetwork", &subnet), Cover::Full);
        assert_eq!(cover("Internet", &subnet), Cover::None);
    }

    #[test]
    fn ports() {
        assert_eq!(PortRange::parse("3389-3389"), Some(PortRange { low: 3389, high: 3389 }));
        assert_eq!(PortRange::parse("abc"), None);
        assert_eq!(PortRange::parse("10-5"), None);
        assert_eq!(PortRange::parse("70000"), None);
        let split = PortSet { ranges: vec![PortRange { low: 0, high: 1000 }, PortRange { low: 1001, high: 65535 }], uncertain: false };
        assert!(split.covers_all());
        let gap = PortSet { ranges: vec![PortRange { low: 0, high: 1000 }, PortRange { low: 1002, high: 65535 }], uncertain: false };
        assert!(!gap.covers_all());
    }
}
