//! How the cost grows with a tenant's export: a VNet of N subnets, N NICs (each with an
//! NSG, in its own subnet), and N NSG rules declared as child resources of N different
//! NSGs. Reading and linking are measured apart from the checks, whose report grows with
//! the subnets checked. Run with `cargo bench --bench scale`; figures in the README.

use amlvnet::{Document, Options};

fn main() {
    divan::main();
}

fn vnet(n: usize) -> String {
    let subnets: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"name":"s{i}","properties":{{"addressPrefix":"10.{}.{}.0/24","networkSecurityGroup":{{"id":"/subscriptions/1/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg{}"}}}}}}"#, i / 256 % 256, i % 256, i % 100))
        .collect();
    format!(
        r#"{{"type":"Microsoft.Network/virtualNetworks","name":"v","id":"/subscriptions/1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v","properties":{{"addressSpace":{{"addressPrefixes":["10.0.0.0/8"]}},"subnets":[{}]}}}}"#,
        subnets.join(",")
    )
}

fn nics(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"type":"Microsoft.Network/networkInterfaces","name":"nic{i}","properties":{{"networkSecurityGroup":{{"id":"/subscriptions/1/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg{}"}},"ipConfigurations":[{{"name":"c","properties":{{"subnet":{{"id":"/subscriptions/1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s{i}"}}}}}}]}}}}"#, i % 100))
        .collect();
    format!("[{}]", items.join(","))
}

fn child_rules(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"type":"Microsoft.Network/networkSecurityGroups/securityRules","name":"nsg{i}/r{i}","properties":{{"priority":{},"direction":"Inbound","access":"Allow","protocol":"Tcp","sourceAddressPrefix":"*","sourcePortRange":"*","destinationAddressPrefix":"*","destinationPortRange":"443"}}}}"#, 100 + i % 3000))
        .collect();
    format!("[{}]", items.join(","))
}

/// Reading and linking a VNet of N subnets with N NICs.
#[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 3, sample_size = 1)]
fn read_subnets_and_nics(bencher: divan::Bencher, n: usize) {
    let docs = vec![Document::new("vnet.json", vnet(n)), Document::new("nics.json", nics(n))];
    bencher.bench(|| amlvnet::input::read(divan::black_box(&docs)));
}

/// Reading N child rules of N different NSGs.
#[divan::bench(args = [1_000, 10_000, 50_000], sample_count = 3, sample_size = 1)]
fn read_child_rules(bencher: divan::Bencher, n: usize) {
    let docs = vec![Document::new("rules.json", child_rules(n))];
    bencher.bench(|| amlvnet::input::read(divan::black_box(&docs)));
}

/// Every check over every subnet of the VNet (attached VMs: the NIC NSGs count).
#[divan::bench(args = [1_000, 10_000], sample_count = 3, sample_size = 1)]
fn check_subnets_and_nics(bencher: divan::Bencher, n: usize) {
    let docs = vec![Document::new("vnet.json", vnet(n)), Document::new("nics.json", nics(n))];
    let model = amlvnet::input::read(&docs);
    let options = Options { compute: Some(amlvnet::model::ComputeKind::Vm), ..Options::default() };
    bencher.bench(|| amlvnet::check_model(divan::black_box(&model), &options));
}
