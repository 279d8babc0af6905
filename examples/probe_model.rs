//! Prints what the model holds for documents (a development aid): NSGs with their
//! rules, subnets with their links, computes, and the input issues.
fn main() {
    let docs: Vec<amlvnet::Document> =
        std::env::args().skip(1).map(|p| amlvnet::Document::new(p.clone(), std::fs::read_to_string(&p).unwrap_or_default())).collect();
    let m = amlvnet::input::read(&docs);
    for n in &m.nsgs {
        println!("NSG {} ({} rules)", n.name, n.rules.iter().filter(|r| !r.is_default).count());
        for r in n.rules.iter().filter(|r| !r.is_default) {
            println!("  rule {} {:?} {:?} {:?} valid={}", r.name, r.priority, r.direction, r.access, r.valid);
        }
    }
    for s in &m.subnets {
        println!("subnet {}/{} nsg={:?} deleg={:?}", s.vnet.as_deref().unwrap_or("-"), s.name, s.nsg.as_ref().map(|r| r.id.clone()), s.delegations);
    }
    for c in &m.computes {
        println!("compute {} {:?} subnet={:?} public_ip={:?}", c.name, c.kind, c.subnet.as_ref().map(|r| r.id.clone()), c.public_ip);
    }
    for i in &m.issues {
        println!("issue {} {}", i.kind.id(), i.message);
    }
}
