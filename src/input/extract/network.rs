//! VNets, subnets, route tables and routes, NICs, private endpoints and endpoint policies.

use super::rules::TagUse;
use super::*;

impl Reader<'_> {
    pub(super) fn vnet(&mut self, node: &Node, pointer: &str) {
        let name = name_of(node);
        let id = node.get("id").and_then(text_of);
        let pp = props_pointer(node, pointer);
        let mut prefixes = Vec::new();
        if let Some(a) = prop(node, "addressSpace").and_then(|s| s.get("addressPrefixes")).and_then(|a| a.as_array()) {
            for n in a {
                if let Some(net) = n.as_str().and_then(|t| t.trim().parse::<IpNet>().ok()) {
                    prefixes.push(net);
                }
            }
        }
        let dns = prop(node, "dhcpOptions")
            .and_then(|d| d.get("dnsServers"))
            .and_then(|a| a.as_array())
            .map(|a| a.iter().filter_map(text_of).collect())
            .unwrap_or_default();
        let mut names = Vec::new();
        if let Some(items) = prop(node, "subnets").and_then(|s| s.as_array()) {
            for (i, item) in items.iter().enumerate() {
                let mut subnet = self.subnet(item, &format!("{pp}/subnets/{i}"));
                subnet.vnet = Some(name.clone());
                if subnet.id.is_none() {
                    subnet.id = id.as_ref().map(|v| format!("{v}/subnets/{}", subnet.name));
                }
                names.push(subnet.name.clone());
                self.found(format!("subnet {}", subnet.name));
                self.model.subnets.push(subnet);
            }
        }
        self.found(format!("virtual network {name}"));
        let loc = self.loc(pointer, node);
        self.model.vnets.push(Vnet {
            name,
            subscription: id.as_deref().and_then(subscription_of),
            id,
            location: node.get("location").and_then(text_of).and_then(|l| Region::read(&l)),
            address_prefixes: prefixes,
            dns_servers: dns,
            subnet_names: names,
            loc,
        });
    }

    pub(super) fn subnet(&mut self, node: &Node, pointer: &str) -> Subnet {
        let name = name_of(node);
        let id = node.get("id").and_then(text_of);
        let pp = props_pointer(node, pointer);
        let mut subnet = Subnet {
            name: name.rsplit('/').next().unwrap_or(&name).to_string(),
            vnet: id.as_deref().and_then(vnet_of_subnet_id),
            id,
            loc: self.loc(pointer, node),
            terraform: self.tf_origin(),
            ..Subnet::default()
        };
        let mut prefix_nodes: Vec<(String, &Node)> = Vec::new();
        if let Some(n) = prop(node, "addressPrefix").filter(|n| !matches!(n.value, Value::Null)) {
            prefix_nodes.push((format!("{pp}/addressPrefix"), n));
        }
        match prop(node, "addressPrefixes") {
            Some(a) if a.is_unresolved() => prefix_nodes.push((format!("{pp}/addressPrefixes"), a)),
            Some(a) => {
                for (i, n) in a.as_array().unwrap_or_default().iter().enumerate() {
                    prefix_nodes.push((format!("{pp}/addressPrefixes/{i}"), n));
                }
            }
            None => {}
        }
        for (ptr, n) in prefix_nodes {
            match &n.value {
                Value::String(t) => match t.trim().parse::<IpNet>() {
                    Ok(net) => {
                        if !subnet.prefixes.contains(&net) {
                            subnet.prefixes.push(net)
                        }
                    }
                    Err(_) => {
                        self.issue(Diagnostic::BadValue, format!("subnet `{}`: `addressPrefix` \"{t}\" is not a valid CIDR", subnet.name), &ptr, n);
                        subnet.bad_prefixes.push(t.to_string());
                    }
                },
                Value::Unresolved(sym) => {
                    self.unknown_field(format!("subnet `{}`: `addressPrefix`", subnet.name), &ptr, n);
                    subnet.bad_prefixes.push(sym.to_string());
                }
                _ => {
                    self.issue(Diagnostic::BadValue, format!("subnet `{}`: `addressPrefix` is {}, expected a CIDR string", subnet.name, n.describe()), &ptr, n);
                    subnet.bad_prefixes.push(n.describe());
                }
            }
        }
        subnet.nsg = self.reference(prop(node, "networkSecurityGroup"), &format!("{pp}/networkSecurityGroup"));
        subnet.route_table = self.reference(prop(node, "routeTable"), &format!("{pp}/routeTable"));
        subnet.nat_gateway = self.reference(prop(node, "natGateway"), &format!("{pp}/natGateway"));
        if let Some(a) = prop(node, "delegations").and_then(|d| d.as_array()) {
            for d in a {
                let service =
                    d.get("properties").and_then(|p| p.get("serviceName")).or_else(|| d.get("serviceName")).and_then(text_of).unwrap_or_else(|| name_of(d));
                subnet.delegations.push(service);
            }
        }
        if let Some(a) = prop(node, "serviceEndpoints").and_then(|d| d.as_array()) {
            for e in a {
                if let Some(s) = e.get("service").or_else(|| e.get("properties").and_then(|p| p.get("service"))).and_then(text_of) {
                    subnet.service_endpoints.push(s);
                }
            }
        }
        if let Some(a) = prop(node, "serviceEndpointPolicies").and_then(|d| d.as_array()) {
            for (i, e) in a.iter().enumerate() {
                if let Some(r) = self.reference(Some(e), &format!("{pp}/serviceEndpointPolicies/{i}")) {
                    subnet.service_endpoint_policies.push(r);
                }
            }
        }
        subnet.private_endpoint_network_policies = prop(node, "privateEndpointNetworkPolicies").and_then(text_of);
        subnet.private_link_service_network_policies = prop(node, "privateLinkServiceNetworkPolicies").and_then(text_of);
        if let Some(a) = prop(node, "ipConfigurations").and_then(|d| d.as_array()) {
            subnet.ip_configurations = a.iter().filter_map(|c| c.get("id").and_then(text_of)).collect();
        }
        subnet.private_endpoints = prop(node, "privateEndpoints").and_then(|d| d.as_array()).map(|a| a.len()).unwrap_or(0);
        subnet.default_outbound_access = prop(node, "defaultOutboundAccess").and_then(|b| b.as_bool());
        subnet
    }

    pub(super) fn reference(&mut self, node: Option<&Node>, pointer: &str) -> Option<Reference> {
        let node = node?;
        let id_node = match &node.value {
            Value::Object(_) => node.get_present("id")?,
            Value::String(_) | Value::Unresolved(_) => node,
            _ => return None,
        };
        let loc = self.loc(pointer, id_node);
        match &id_node.value {
            Value::String(s) if !s.trim().is_empty() => Some(Reference { id: s.to_string(), unresolved: false, loc }),
            Value::Unresolved(s) => Some(Reference { id: s.to_string(), unresolved: true, loc }),
            _ => None,
        }
    }

    pub(super) fn route_table(&mut self, node: &Node, pointer: &str) {
        let name = name_of(node);
        let pp = props_pointer(node, pointer);
        let mut routes = Vec::new();
        if let Some(items) = prop(node, "routes").and_then(|r| r.as_array()) {
            for (i, item) in items.iter().enumerate() {
                routes.push(self.route(item, &format!("{pp}/routes/{i}")));
            }
        }
        self.found(format!("route table {name} ({} routes)", routes.len()));
        let loc = self.loc(pointer, node);
        self.model.route_tables.push(RouteTable {
            name,
            id: node.get("id").and_then(text_of),
            routes,
            disable_bgp_route_propagation: prop(node, "disableBgpRoutePropagation").and_then(|b| b.as_bool()),
            loc,
        });
    }

    pub(super) fn route(&mut self, node: &Node, pointer: &str) -> Route {
        let name = name_of(node);
        let p = properties(node);
        let pp = props_pointer(node, pointer);
        let field = |reader: &mut Self, key: &str| -> Option<String> {
            match p.get_present(key) {
                Some(n) if n.is_unresolved() => {
                    reader.unknown_field(format!("route `{name}`: `{key}`"), &format!("{pp}/{key}"), n);
                    None
                }
                Some(n) => n.as_str().map(String::from),
                None => None,
            }
        };
        let address_prefix = field(self, "addressPrefix");
        if let (Some(text), Some(n)) = (&address_prefix, p.get_present("addressPrefix")) {
            if !text.trim().starts_with(|c: char| c.is_ascii_digit()) && !text.contains(':') {
                self.tag_usable(text, TagUse::Route, &|| format!("route `{name}`: `addressPrefix`"), &|| format!("{pp}/addressPrefix"), n);
            }
        }
        let next_hop_type = field(self, "nextHopType");
        // An unresolved next hop address is there, only unknown (its symbol stands for it).
        let next_hop_ip = match p.get_present("nextHopIpAddress") {
            Some(n) if n.is_unresolved() => {
                field(self, "nextHopIpAddress");
                text_of(n)
            }
            _ => field(self, "nextHopIpAddress").filter(|s| !s.trim().is_empty()),
        };
        Route { name, address_prefix, next_hop_type, next_hop_ip, loc: self.loc(pointer, node) }
    }

    pub(super) fn nic(&mut self, node: &Node, pointer: &str) {
        let name = name_of(node);
        let pp = props_pointer(node, pointer);
        let nsg = self.reference(prop(node, "networkSecurityGroup"), &format!("{pp}/networkSecurityGroup"));
        let mut subnets = Vec::new();
        if let Some(a) = prop(node, "ipConfigurations").and_then(|a| a.as_array()) {
            for (i, c) in a.iter().enumerate() {
                let sub = properties(c).get("subnet");
                if let Some(r) = self.reference(sub, &format!("{pp}/ipConfigurations/{i}/properties/subnet")) {
                    subnets.push(r);
                }
            }
        }
        self.found(format!("network interface {name}"));
        let loc = self.loc(pointer, node);
        self.model.nics.push(Nic { name, id: node.get("id").and_then(text_of), nsg, subnets, loc });
    }

    pub(super) fn private_endpoint(&mut self, node: &Node, pointer: &str) {
        let name = name_of(node);
        let pp = props_pointer(node, pointer);
        let subnet = self.reference(prop(node, "subnet"), &format!("{pp}/subnet"));
        let mut targets = Vec::new();
        for key in ["privateLinkServiceConnections", "manualPrivateLinkServiceConnections"] {
            if let Some(a) = prop(node, key).and_then(|a| a.as_array()) {
                for c in a {
                    if let Some(t) = properties(c).get("privateLinkServiceId").and_then(text_of) {
                        targets.push(t);
                    }
                }
            }
        }
        self.found(format!("private endpoint {name}"));
        let loc = self.loc(pointer, node);
        self.model.private_endpoints.push(PrivateEndpoint { name, subnet, targets, loc });
    }

    pub(super) fn endpoint_policy(&mut self, node: &Node, pointer: &str) {
        let name = name_of(node);
        let mut resources = Vec::new();
        if let Some(a) = prop(node, "serviceEndpointPolicyDefinitions").and_then(|a| a.as_array()) {
            for d in a {
                if let Some(r) = properties(d).get("serviceResources").and_then(|r| r.as_array()) {
                    resources.extend(r.iter().filter_map(text_of));
                }
            }
        }
        self.found(format!("service endpoint policy {name}"));
        let loc = self.loc(pointer, node);
        self.model.endpoint_policies.push(ServiceEndpointPolicy { name, id: node.get("id").and_then(text_of), resources, loc });
    }
}
