//! Azure ML workspaces and computes, storage accounts and Databricks workspaces.

use super::*;

impl Reader<'_> {
    pub(super) fn workspace(&mut self, node: &Node, pointer: &str) {
        let name = name_of(node);
        let mut statuses = Vec::new();
        let connections = prop(node, "privateEndpointConnections").or_else(|| node.get("private_endpoint_connections"));
        let known = connections.is_some();
        if let Some(a) = connections.and_then(|a| a.as_array()) {
            for c in a {
                let status =
                    properties(c).get("privateLinkServiceConnectionState").and_then(|s| s.get("status")).and_then(text_of).unwrap_or_else(|| "Unknown".into());
                statuses.push(status);
            }
        }
        let flag = |keys: &[&str]| keys.iter().find_map(|k| prop(node, k).and_then(|b| b.as_bool()));
        let text = |keys: &[&str]| keys.iter().find_map(|k| prop(node, k).and_then(text_of)).filter(|s| !s.is_empty());
        self.found(format!("Azure ML workspace {name}"));
        let loc = self.loc(pointer, node);
        self.model.workspaces.push(Workspace {
            name,
            id: node.get("id").and_then(text_of),
            location: node.get("location").and_then(text_of).and_then(|l| Region::read(&l)),
            private_endpoint_statuses: statuses,
            private_endpoints_known: known,
            hbi: flag(&["hbiWorkspace", "hbi_workspace"]),
            image_build_compute: text(&["imageBuildCompute", "image_build_compute"]),
            storage_account: text(&["storageAccount", "storage_account"]),
            container_registry: text(&["containerRegistry", "container_registry"]),
            loc,
        });
    }

    pub(super) fn compute(&mut self, node: &Node, pointer: &str) {
        let full_name = name_of(node);
        let (workspace, name) = match full_name.rsplit_once('/') {
            Some((w, n)) => (Some(w.to_string()), n.to_string()),
            None => (None, full_name.clone()),
        };
        let id = node.get("id").and_then(text_of);
        let workspace = workspace.or_else(|| id.as_deref().and_then(|i| parent_name(i, "workspaces")));
        let outer = properties(node);
        // ARM nests the compute's own settings in properties.properties.
        let inner = outer.get("properties").filter(|n| n.is_object());
        let kind_text =
            outer.get("computeType").and_then(text_of).or_else(|| node.get("type").and_then(text_of).filter(|t| !t.contains('/'))).unwrap_or_default();
        let kind = ComputeKind::parse(&kind_text).unwrap_or(ComputeKind::Other);
        if let Some(n) = outer.get("computeType").filter(|n| n.is_unresolved()) {
            let p = format!("{}/computeType", props_pointer(node, pointer));
            self.warn_issue(
                Diagnostic::Unresolved,
                format!("compute `{full_name}`: `computeType` is {}, so it is not known whether it is a cluster or an instance: pass --compute", n.describe()),
                &p,
                n,
            );
        }
        let find = |key: &str| inner.and_then(|i| i.get(key)).or_else(|| outer.get(key)).or_else(|| node.get(key));
        let pip_node = find("enableNodePublicIp").or_else(|| find("enable_node_public_ip"));
        let public_ip = pip_node.and_then(|n| n.as_bool());
        let public_ip_unresolved = pip_node.is_some_and(|n| n.is_unresolved());
        let subnet_node = find("subnet").or_else(|| node.get("network_settings").and_then(|n| n.get("subnet")));
        let pp = props_pointer(node, pointer);
        let subnet = self.reference(subnet_node, &format!("{pp}/properties/subnet"));
        let scale = find("scaleSettings");
        let count = |keys: &[&str]| -> Option<u32> {
            keys.iter().find_map(|k| scale.and_then(|s| s.get(k)).or_else(|| find(k)).and_then(number)).map(|x| x.max(0.0) as u32)
        };
        let ssh_port = find("sshPort")
            .or_else(|| find("sshSettings").and_then(|s| s.get("sshPort")))
            .or_else(|| find("ssh_settings").and_then(|s| s.get("ssh_port")))
            .or_else(|| find("ssh_port"))
            .and_then(number)
            .filter(|p| (1.0..=65535.0).contains(p))
            .map(|p| p as u16);
        let location = node.get("location").or_else(|| outer.get("computeLocation")).and_then(text_of).and_then(|l| Region::read(&l));
        self.found(format!("Azure ML compute {name} ({})", if kind_text.is_empty() { "type unknown".into() } else { kind_text.clone() }));
        let loc = self.loc(pointer, node);
        self.model.computes.push(Compute {
            name,
            id,
            kind,
            public_ip,
            public_ip_unresolved,
            subnet,
            location,
            min_nodes: count(&["minNodeCount", "min_instances", "min_node_count"]),
            max_nodes: count(&["maxNodeCount", "max_instances", "max_node_count"]),
            ssh_port,
            workspace,
            loc,
        });
    }

    pub(super) fn storage(&mut self, node: &Node, pointer: &str) {
        let name = name_of(node);
        let acls = prop(node, "networkAcls");
        let rules = acls
            .and_then(|a| a.get("virtualNetworkRules"))
            .and_then(|r| r.as_array())
            .map(|a| a.iter().filter_map(|r| r.get("id").and_then(text_of)).collect())
            .unwrap_or_default();
        let deny = acls.and_then(|a| a.get("defaultAction")).and_then(|d| d.as_str()).is_some_and(|d| d.eq_ignore_ascii_case("deny"));
        self.found(format!("storage account {name}"));
        let loc = self.loc(pointer, node);
        self.model.storage_accounts.push(StorageAccount {
            name,
            id: node.get("id").and_then(text_of),
            location: node.get("location").and_then(text_of).and_then(|l| Region::read(&l)),
            vnet_rule_subnets: rules,
            default_action_deny: deny,
            loc,
        });
    }

    pub(super) fn databricks(&mut self, node: &Node, pointer: &str) {
        let name = name_of(node);
        let params = prop(node, "parameters");
        let value = |key: &str| params.and_then(|p| p.get(key)).and_then(|v| v.get("value")).and_then(text_of);
        self.found(format!("Databricks workspace {name}"));
        let loc = self.loc(pointer, node);
        self.model.databricks.push(DatabricksWorkspace {
            name,
            location: node.get("location").and_then(text_of).and_then(|l| Region::read(&l)),
            vnet_id: value("customVirtualNetworkId"),
            public_subnet: value("customPublicSubnetName"),
            private_subnet: value("customPrivateSubnetName"),
            loc,
        });
    }
}
