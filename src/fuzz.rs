//! Structure-aware inputs for fuzzing the public entry point (`check`): documents built
//! from pieces of real shapes (NSGs, rule lists, subnets, route tables, templates with
//! expressions, loops and nested deployments), then mutated byte by byte. The same
//! generator drives the bounded test (`tests/fuzz.rs`, seeded, in CI) and the `cargo fuzz`
//! target (`fuzz/`), which feeds it libFuzzer's bytes instead of a seed.

use crate::Document;

/// Reads choices from a byte string (libFuzzer's input, or a seeded stream).
pub struct Source<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Source<'a> {
    pub fn new(bytes: &'a [u8]) -> Source<'a> {
        Source { bytes, at: 0 }
    }

    fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.at).copied().unwrap_or(0);
        self.at = self.at.saturating_add(1);
        b
    }

    /// A number below `n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (usize::from(self.byte()) << 8 | usize::from(self.byte())).checked_rem(n).unwrap_or(0)
    }

    fn pick<'s>(&mut self, items: &[&'s str]) -> &'s str {
        items.get(self.below(items.len())).copied().unwrap_or("")
    }
}

const WORDS: &[&str] = &[
    "*",
    "Internet",
    "VirtualNetwork",
    "AzureLoadBalancer",
    "BatchNodeManagement",
    "BatchNodeManagement.westus2",
    "AzureMachineLearning",
    "AzureMachineLearning.WestUS2",
    "Storage.westus2",
    "Keyvault.westus2",
    "MCR",
    "AzureCloud",
    "10.0.0.0/24",
    "0.0.0.0/0",
    "fd00::/8",
    "10.0.0.4",
    "Allow",
    "Deny",
    "Inbound",
    "Outbound",
    "Tcp",
    "Udp",
    "Icmp",
    "Any",
    "29876-29877",
    "44224",
    "443",
    "65500",
    "65000",
    "4096",
    "100",
    "0-65535",
    "VirtualAppliance",
    "Internet",
    "None",
    "Disabled",
    "Enabled",
    "AmlCompute",
    "ComputeInstance",
    "westus2",
    "eastus",
    "",
];

const EXPRESSIONS: &[&str] = &[
    "[parameters('p')]",
    "[variables('v')]",
    "[concat(parameters('p'), 'x')]",
    "[format('{0}-{1}', parameters('p'), copyIndex())]",
    "[copyIndex('c')]",
    "[resourceGroup().location]",
    "[if(equals(parameters('p'), 'a'), 'Allow', 'Deny')]",
    "[reference(resourceId('Microsoft.Resources/deployments', 'd')).outputs.o.value]",
    "[json('{\"a\":1}').a]",
    "[length(parameters('list'))]",
    "[createArray(variables('v'), variables('v'))]",
    "[replace(variables('v'), '', variables('v'))]",
    "[parameters('p').a.b.c]",
    "[map(range(0, 5), lambda('i', lambdaVariables('i')))]",
    "[tryGet(parameters('o'), 'k')]",
    "[union(parameters('o'), createObject('a', 1))]",
    "[format('{}')]",
    "[substring('abc', 5, 9)]",
    "[int('99999999999999999999')]",
    "[add(9223372036854775807, 1)]",
    "[[literal]",
    "[",
    "[bogus((]",
];

fn value(src: &mut Source, depth: usize) -> String {
    match src.below(if depth > 4 { 3 } else { 7 }) {
        0 => format!("\"{}\"", src.pick(WORDS)),
        1 => format!("\"{}\"", src.pick(EXPRESSIONS).replace('"', "\\\"")),
        2 => format!("{}", src.below(70_000)),
        3 => format!("[{}]", (0..src.below(4)).map(|_| value(src, depth.saturating_add(1))).collect::<Vec<_>>().join(",")),
        4 => format!(
            "{{{}}}",
            (0..src.below(4)).map(|_| format!("\"{}\": {}", src.pick(KEYS), value(src, depth.saturating_add(1)))).collect::<Vec<_>>().join(",")
        ),
        5 => "null".into(),
        _ => ["true", "false"].get(src.below(2)).copied().unwrap_or("true").into(),
    }
}

const KEYS: &[&str] = &[
    "name",
    "type",
    "id",
    "properties",
    "priority",
    "direction",
    "access",
    "protocol",
    "sourceAddressPrefix",
    "sourceAddressPrefixes",
    "sourcePortRange",
    "destinationAddressPrefix",
    "destinationAddressPrefixes",
    "destinationPortRange",
    "destinationPortRanges",
    "securityRules",
    "subnets",
    "addressPrefix",
    "networkSecurityGroup",
    "routeTable",
    "routes",
    "nextHopType",
    "nextHopIpAddress",
    "delegations",
    "computeType",
    "enableNodePublicIp",
    "subnet",
    "copy",
    "count",
    "input",
    "condition",
    "resources",
    "template",
    "parameters",
    "variables",
    "outputs",
    "value",
    "defaultValue",
    "location",
];

fn rule(src: &mut Source) -> String {
    let field = |src: &mut Source, k: &str| format!("\"{k}\": {}", if src.below(4) == 0 { value(src, 3) } else { format!("\"{}\"", src.pick(WORDS)) });
    let mut fields = Vec::new();
    for k in ["priority", "direction", "access", "protocol", "sourceAddressPrefix", "sourcePortRange", "destinationAddressPrefix", "destinationPortRange"] {
        if src.below(10) != 0 {
            fields.push(field(src, k));
        }
    }
    format!("{{\"name\": \"r{}\", \"properties\": {{{}}}}}", src.below(100), fields.join(","))
}

/// One document of a random shape.
fn document(src: &mut Source) -> String {
    let rules = |src: &mut Source| (0..src.below(6)).map(|_| rule(src)).collect::<Vec<_>>().join(",");
    match src.below(7) {
        0 => format!("{{\"type\": \"Microsoft.Network/networkSecurityGroups\", \"name\": \"nsg\", \"properties\": {{\"securityRules\": [{}]}}}}", rules(src)),
        1 => format!("[{}]", (0..src.below(6)).map(|_| rule(src).replace("\"properties\": {", "\"x\": {")).collect::<Vec<_>>().join(",")),
        2 => format!(
            "{{\"type\": \"Microsoft.Network/virtualNetworks\", \"name\": \"v\", \"properties\": {{\"addressSpace\": {{\"addressPrefixes\": [\"10.0.0.0/16\"]}}, \"subnets\": [{{\"name\": \"s\", \"properties\": {{\"addressPrefix\": {}, \"networkSecurityGroup\": {{\"id\": \"nsg\"}}, \"routeTable\": {{\"id\": \"rt\"}}}}}}]}}}}",
            value(src, 3)
        ),
        3 => format!(
            "{{\"type\": \"Microsoft.Network/routeTables\", \"name\": \"rt\", \"properties\": {{\"routes\": [{{\"name\": \"a\", \"properties\": {{\"addressPrefix\": \"{}\", \"nextHopType\": \"{}\"}}}}]}}}}",
            src.pick(WORDS),
            src.pick(WORDS)
        ),
        4 => format!(
            "{{\"type\": \"Microsoft.MachineLearningServices/workspaces/computes\", \"name\": \"ws/c\", \"properties\": {{\"computeType\": {}, \"properties\": {{\"enableNodePublicIp\": {}, \"subnet\": {{\"id\": \".../subnets/s\"}}}}}}}}",
            value(src, 3),
            value(src, 3)
        ),
        5 => {
            // A template: parameters, variables, a looped NSG, a nested deployment.
            format!(
                "{{\"contentVersion\": \"1.0.0.0\", \"parameters\": {{\"p\": {{\"defaultValue\": {}}}, \"list\": {{\"defaultValue\": {}}}, \"o\": {{\"type\": \"object\"}}}}, \"variables\": {{\"v\": {}}}, \"resources\": [{{\"type\": \"Microsoft.Network/networkSecurityGroups\", \"name\": {}, \"copy\": {{\"name\": \"c\", \"count\": {}}}, \"condition\": {}, \"properties\": {{\"securityRules\": [{}]}}}}, {{\"type\": \"Microsoft.Resources/deployments\", \"name\": \"d\", \"properties\": {{\"template\": {{\"resources\": [], \"outputs\": {{\"o\": {{\"value\": {}}}}}}}}}}}]}}",
                value(src, 2),
                value(src, 2),
                value(src, 2),
                value(src, 3),
                value(src, 3),
                value(src, 3),
                rules(src),
                value(src, 3)
            )
        }
        _ => value(src, 0),
    }
}

/// Documents from the source: one to three, each then mutated a few bytes.
pub fn documents(bytes: &[u8]) -> Vec<Document> {
    let mut src = Source::new(bytes);
    let count = src.below(3).saturating_add(1);
    (0..count)
        .map(|i| {
            let mut text = document(&mut src).into_bytes();
            for _ in 0..src.below(4) {
                let at = src.below(text.len().max(1));
                match src.below(3) {
                    0 => {
                        if let Some(b) = text.get_mut(at) {
                            *b = src.byte();
                        }
                    }
                    1 => {
                        if at < text.len() {
                            text.remove(at);
                        }
                    }
                    _ => {
                        let c = b"{}[]\",:/*\\".get(src.below(10)).copied().unwrap_or(b' ');
                        text.insert(at.min(text.len()), c);
                    }
                }
            }
            Document::new(format!("doc{i}.json"), String::from_utf8_lossy(&text).into_owned())
        })
        .collect()
}
