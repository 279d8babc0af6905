#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use super::*;
use crate::json::parse;

fn eval(template: &str, expr: &str) -> Value {
    let t = parse(template).unwrap();
    let ctx = Ctx {
        left: Cell::new(10_000_000),
        stopped: Cell::new(false),
        nesting: Cell::new(0),
        notes: RefCell::new(Vec::new()),
        causes: RefCell::new(HashSet::new()),
        outputs: RefCell::new(HashMap::new()),
        interest: |_| true,
    };
    let scope = Scope::new(&ctx, &t, HashMap::new(), None, String::new());
    scope.evaluate_text(expr, Pos::default(), "", &Locals::default()).value
}

fn flat(template: &str) -> (Vec<FlatResource>, Vec<TemplateNote>) {
    flatten(&parse(template).unwrap(), None, |_| true)
}

fn s(x: &str) -> Value {
    Value::String(x.to_string().into())
}

#[test]
fn functions() {
    let t = r#"{"parameters": {"nsg": {"defaultValue": "nsg1"}, "port": {"defaultValue": 44224}, "p": {"type": "string"},
                "n": {"type": "string", "nullable": true}, "list": {"defaultValue": [1, 2, 3]}, "o": {"defaultValue": {"a": {"b": 1}}}},
                "variables": {"tag": "[concat('Storage.', resourceGroup().location)]"}}"#;
    assert_eq!(eval(t, "parameters('nsg')"), s("nsg1"));
    assert_eq!(eval(t, "string(parameters('port'))"), s("44224"));
    assert_eq!(eval(t, "variables('tag')"), s("Storage.$region"));
    assert_eq!(eval(t, "format('{0}/{1}', parameters('nsg'), 'r1')"), s("nsg1/r1"));
    assert_eq!(
        eval(t, "resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 's')"),
        s("/subscriptions/<subscription>/resourceGroups/<resource group>/providers/Microsoft.Network/virtualNetworks/v/subnets/s")
    );
    assert_eq!(eval(t, "parameters('p')"), Value::Unresolved("<p>".into()));
    assert_eq!(eval(t, "parameters('n')"), Value::Null);
    assert_eq!(eval(t, "empty(parameters('n'))"), Value::Bool(true));
    assert_eq!(eval(t, "format('nsg-{0}', parameters('p'))"), Value::Unresolved("nsg-<p>".into()));
    assert_eq!(eval(t, "if(equals(1, 1), 'a', 'b')"), s("a"));
    assert_eq!(eval(t, "if(equals(parameters('p'), 'x'), 'Deny', 'Deny')"), s("Deny"), "both branches agree");
    assert!(matches!(eval(t, "if(equals(parameters('p'), 'x'), 'Deny', 'Allow')"), Value::Unresolved(_)));
    assert_eq!(eval(t, "and(false, parameters('p'))"), Value::Bool(false));
    assert_eq!(eval(t, "or(true, parameters('p'))"), Value::Bool(true));
    assert_eq!(eval(t, "json('null')"), Value::Null);
    assert!(matches!(eval(t, "bogus(("), Value::Unresolved(_)));
    assert_eq!(eval(t, "length(parameters('list'))"), Value::Number(3.0));
    assert_eq!(eval(t, "parameters('o').a.b"), Value::Number(1.0));
    assert_eq!(eval(t, "parameters('o').?x"), Value::Null);
    assert_eq!(eval(t, "parameters('o')[?'x']"), Value::Null);
    assert_eq!(eval(t, "tryGet(parameters('o'), 'a', 'b')"), Value::Number(1.0));
    assert_eq!(eval(t, "tryGet(parameters('o'), 'z')"), Value::Null);
    assert_eq!(eval(t, "coalesce(null(), parameters('n'), 'x')"), s("x"));
    assert_eq!(eval(t, "contains(parameters('list'), 2)"), Value::Bool(true));
    assert_eq!(eval(t, "contains(parameters('o'), 'A')"), Value::Bool(true));
    assert_eq!(eval(t, "union(createObject('a', 1), createObject('b', 2)).b"), Value::Number(2.0));
    assert_eq!(eval(t, "shallowMerge(createArray(createObject('a', 1), createObject('a', 2))).a"), Value::Number(2.0));
    assert_eq!(eval(t, "last(range(5, 3))"), Value::Number(7.0));
    assert_eq!(eval(t, "first(split('a/b', '/'))"), s("a"));
    assert_eq!(eval(t, "toLower(replace('A-B', '-', '_'))"), s("a_b"));
    assert_eq!(eval(t, "items(createObject('b', 2, 'a', 1))[0].key"), s("a"));
    assert_eq!(eval(t, "map(parameters('list'), lambda('x', mul(lambdaVariables('x'), 2)))[2]"), Value::Number(6.0));
    assert_eq!(eval(t, "length(filter(parameters('list'), lambda('x', greater(lambdaVariables('x'), 1))))"), Value::Number(2.0));
    assert_eq!(eval(t, "reduce(parameters('list'), 0, lambda('c', 'n', add(lambdaVariables('c'), lambdaVariables('n'))))"), Value::Number(6.0));
    assert_eq!(eval(t, "toObject(parameters('list'), lambda('x', string(lambdaVariables('x'))))['2']"), Value::Number(2.0));
    assert_eq!(eval(t, "sort(createArray(3, 1, 2), lambda('a', 'b', less(lambdaVariables('a'), lambdaVariables('b'))))[0]"), Value::Number(1.0));
    assert!(matches!(eval(t, "uniqueString(parameters('p'))"), Value::Unresolved(_)), "a name from unknown values is unknown");
    assert!(matches!(eval(t, "format('{}')"), Value::Unresolved(_)), "no overflow on an empty placeholder");
    assert!(matches!(eval(t, "format('{18446744073709551615}', 1)"), Value::Unresolved(_)));
    assert!(matches!(eval(t, "add(9000000000000000, 9000000000000000)"), Value::Unresolved(_)));
}

#[test]
fn resource_copy_expands_with_named_index() {
    let t = r#"{"contentVersion": "1.0.0.0", "parameters": {"names": {"defaultValue": ["a", "b", "c"]}}, "resources": [
        {"type": "Microsoft.Network/networkSecurityGroups", "name": "[concat('nsg-', parameters('names')[copyIndex('n')])]",
         "copy": {"name": "n", "count": "[length(parameters('names'))]"}, "properties": {}}]}"#;
    let (resources, notes) = flat(t);
    let names: Vec<_> = resources.iter().map(|r| r.node.get("name").unwrap().as_str().unwrap().to_string()).collect();
    assert_eq!(names, ["nsg-a", "nsg-b", "nsg-c"]);
    assert_eq!(resources[2].iteration, Some(2));
    assert!(notes.is_empty());
}

#[test]
fn unknown_loop_makes_no_resource_and_one_note() {
    let t = r#"{"contentVersion": "1.0.0.0", "parameters": {"subnets": {"type": "array"}}, "resources": [
        {"type": "Microsoft.Network/virtualNetworks/subnets", "name": "[concat('v/', parameters('subnets')[copyIndex()].name)]",
         "copy": {"name": "s", "count": "[length(parameters('subnets'))]"}, "properties": {}},
        {"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg", "properties": {"copy": [
            {"name": "securityRules", "count": "[length(parameters('subnets'))]", "input": {"name": "[string(copyIndex('securityRules'))]"}}]}}]}"#;
    let (resources, notes) = flat(t);
    assert_eq!(resources.len(), 1, "only the NSG");
    let rules = resources[0].node.get("properties").unwrap().get("securityRules").unwrap();
    assert!(rules.is_unresolved(), "the rules of an unknown loop are unknown, not empty");
    assert!(notes.iter().any(|n| n.message.contains("parameter `subnets` has no value")));
    assert!(notes.iter().any(|n| n.message.contains("copy loop `s`")));
    assert_eq!(notes.iter().filter(|n| n.message.contains("parameter `subnets`")).count(), 1, "once per cause");
}

#[test]
fn property_and_variable_copies() {
    let t = r#"{"contentVersion": "1.0.0.0", "parameters": {"rules": {"defaultValue": [{"n": "r1", "p": 100}, {"n": "r2", "p": 200}]}},
        "variables": {"copy": [{"name": "vrules", "count": "[length(parameters('rules'))]",
            "input": {"name": "[parameters('rules')[copyIndex('vrules')].n]", "properties": {"priority": "[parameters('rules')[copyIndex('vrules')].p]"}}}]},
        "resources": [{"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg", "properties": {"securityRules": "[variables('vrules')]"}}]}"#;
    let (resources, _) = flat(t);
    let rules = resources[0].node.get("properties").unwrap().get("securityRules").unwrap().as_array().unwrap().to_vec();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[1].get("properties").unwrap().get("priority").unwrap().value, Value::Number(200.0));
}

#[test]
fn language_version_2_symbolic_resources_existing_and_references() {
    let t = r#"{"languageVersion": "2.0", "contentVersion": "1.0.0.0", "resources": {
        "old": {"existing": true, "type": "Microsoft.Network/virtualNetworks", "name": "vnet0"},
        "nsgMod": {"type": "Microsoft.Resources/deployments", "name": "nsg-mod", "properties": {
            "expressionEvaluationOptions": {"scope": "inner"}, "parameters": {"n": {"value": "nsg-x"}},
            "template": {"parameters": {"n": {"type": "string"}}, "resources": [{"type": "Microsoft.Network/networkSecurityGroups", "name": "[parameters('n')]", "properties": {}}],
                "outputs": {"id": {"type": "string", "value": "[resourceId('Microsoft.Network/networkSecurityGroups', parameters('n'))]"}}}}},
        "vnet": {"type": "Microsoft.Network/virtualNetworks", "name": "vnet1", "properties": {"subnets": [{"name": "s",
            "properties": {"networkSecurityGroup": {"id": "[reference('nsgMod').outputs.id.value]"}}}]}}}}"#;
    let (resources, notes) = flat(t);
    let names: Vec<_> = resources.iter().map(|r| symbolic(r.node.get("name").unwrap())).collect();
    assert_eq!(names, ["nsg-x", "vnet1"], "existing resources are not deployed here; {:?}", notes.iter().map(|n| &n.message).collect::<Vec<_>>());
    let id = resources[1].node.get("properties").unwrap().get("subnets").unwrap().as_array().unwrap()[0]
        .get("properties")
        .unwrap()
        .get("networkSecurityGroup")
        .unwrap()
        .get("id")
        .unwrap();
    assert!(id.as_str().unwrap().ends_with("/networkSecurityGroups/nsg-x"));
}

#[test]
fn user_defined_functions() {
    let t = r#"{"functions": [{"namespace": "ns", "members": {"tag": {"parameters": [{"name": "r", "type": "string"}],
        "output": {"type": "string", "value": "[format('Storage.{0}', parameters('r'))]"}}}}]}"#;
    assert_eq!(eval(t, "ns.tag('westus2')"), s("Storage.westus2"));
}

#[test]
fn conditions() {
    let t = r#"{"contentVersion": "1.0.0.0", "parameters": {"on": {"defaultValue": false}, "x": {"type": "bool"}}, "resources": [
        {"condition": "[parameters('on')]", "type": "Microsoft.Network/networkSecurityGroups", "name": "off", "properties": {}},
        {"condition": "[parameters('x')]", "type": "Microsoft.Network/networkSecurityGroups", "name": "maybe", "properties": {}}]}"#;
    let (resources, notes) = flat(t);
    assert_eq!(resources.len(), 1);
    assert!(resources[0].conditional);
    assert!(notes.iter().any(|n| n.message.contains("condition")));
}

#[test]
fn copy_over_the_arm_limit_is_not_read() {
    let t = r#"{"contentVersion": "1.0.0.0", "resources": [{"type": "Microsoft.Network/networkSecurityGroups", "name": "[string(copyIndex())]",
        "copy": {"name": "c", "count": 801}, "properties": {}}]}"#;
    let (resources, notes) = flat(t);
    assert!(resources.is_empty());
    assert!(notes[0].message.contains("800"));
}

// Attacks: each must finish, within its bound, with a note and unknown values.

fn attack(template: &str) -> (Vec<FlatResource>, Vec<TemplateNote>) {
    let node = parse(template).unwrap();
    let budget = budget_for(&node);
    assert!(budget < 50_000_000, "budget proportional to size: {budget}");
    flatten(&node, None, |_| true)
}

#[test]
fn doubling_strings_and_arrays_stop_at_the_cap() {
    let mut vars = vec![r#""v0": "abcdefghijklmnopqrstuvwxyz0123456789""#.to_string()];
    for i in 1..64 {
        vars.push(format!(r#""v{i}": "[concat(variables('v{}'), variables('v{}'))]""#, i - 1, i - 1));
    }
    let mut arrays = vec![r#""a0": [1, 2, 3, 4]"#.to_string()];
    for i in 1..64 {
        arrays.push(format!(r#""a{i}": "[createArray(variables('a{}'), variables('a{}'))]""#, i - 1, i - 1));
    }
    let t = format!(
        r#"{{"contentVersion": "1.0.0.0", "variables": {{{}, {}, "r": "[replace(variables('v12'), '', variables('v12'))]"}}, "resources": [
            {{"type": "Microsoft.Network/networkSecurityGroups", "name": "[variables('v63')]", "properties": {{"a": "[variables('a63')]", "r": "[variables('r')]"}}}}]}}"#,
        vars.join(","),
        arrays.join(",")
    );
    let (resources, notes) = attack(&t);
    assert!(resources[0].node.get("name").unwrap().is_unresolved());
    assert!(notes.iter().any(|n| n.message.contains("evaluation stopped")), "{:?}", notes.iter().map(|n| &n.message).collect::<Vec<_>>());
}

#[test]
fn references_are_memoised_and_cycles_stop() {
    // A chain of 64 deployments, each output using the previous one three times
    // (2^64 evaluations without memoising).
    let mut resources = Vec::new();
    for i in 0..64 {
        let value = if i == 0 {
            "'x'".to_string()
        } else {
            format!("if(equals(reference(resourceId('Microsoft.Resources/deployments', 'd{p}')).outputs.o.value, reference(resourceId('Microsoft.Resources/deployments', 'd{p}')).outputs.o.value), reference(resourceId('Microsoft.Resources/deployments', 'd{p}')).outputs.o.value, 'y')", p = i - 1)
        };
        resources.push(format!(
            r#"{{"type": "Microsoft.Resources/deployments", "name": "d{i}", "properties": {{"template": {{"resources": [], "outputs": {{"o": {{"type": "string", "value": "[{value}]"}}}}}}}}}}"#
        ));
    }
    resources.push(
        r#"{"type": "Microsoft.Network/networkSecurityGroups", "name": "[reference(resourceId('Microsoft.Resources/deployments', 'd7')).outputs.o.value]", "properties": {}}"#.into(),
    );
    resources.push(
        r#"{"type": "Microsoft.Network/networkSecurityGroups", "name": "[reference(resourceId('Microsoft.Resources/deployments', 'd63')).outputs.o.value]", "properties": {}}"#.into(),
    );
    // Two deployments whose outputs refer to each other.
    resources.push(r#"{"type": "Microsoft.Resources/deployments", "name": "c1", "properties": {"template": {"outputs": {"o": {"value": "[reference(resourceId('Microsoft.Resources/deployments', 'c2')).outputs.o.value]"}}}}}"#.into());
    resources.push(r#"{"type": "Microsoft.Resources/deployments", "name": "c2", "properties": {"template": {"outputs": {"o": {"value": "[reference(resourceId('Microsoft.Resources/deployments', 'c1')).outputs.o.value]"}}}}}"#.into());
    resources.push(r#"{"type": "Microsoft.Network/networkSecurityGroups", "name": "[reference(resourceId('Microsoft.Resources/deployments', 'c1')).outputs.o.value]", "properties": {}}"#.into());
    let t = format!(r#"{{"contentVersion": "1.0.0.0", "resources": [{}]}}"#, resources.join(","));
    let (out, notes) = attack(&t);
    let names: Vec<_> = out.iter().map(|r| r.node.get("name").unwrap().clone()).collect();
    assert_eq!(names[0].value, s("x"));
    assert!(names[1].is_unresolved(), "64 levels of references are deeper than evaluation goes");
    assert!(names[2].is_unresolved());
    assert!(notes.iter().any(|n| n.message.contains("cycle")));
}

#[test]
fn deep_expressions_and_values_are_refused_not_overflowed() {
    let members = format!(
        r#"{{"contentVersion": "1.0.0.0", "parameters": {{"p": {{"defaultValue": {{}}}}}}, "resources": [{{"type": "x.y/z", "name": "[parameters('p'){}]"}}]}}"#,
        ".a".repeat(30_000)
    );
    let (out, notes) = attack(&members);
    assert!(out[0].node.get("name").unwrap().is_unresolved());
    assert!(notes.iter().any(|n| n.message.contains("could not be read")));
    let indexes = format!(r#"{{"contentVersion": "1.0.0.0", "resources": [{{"type": "x.y/z", "name": "[createArray(1){}]"}}]}}"#, "[0]".repeat(100_000));
    let (out, _) = attack(&indexes);
    assert!(out[0].node.get("name").unwrap().is_unresolved());
    // A value tree 1,500 levels deep built one createArray per variable.
    let mut vars = vec![r#""v0": 1"#.to_string()];
    for i in 1..1500 {
        vars.push(format!(r#""v{i}": "[createArray(variables('v{}'))]""#, i - 1));
    }
    let t = format!(
        r#"{{"contentVersion": "1.0.0.0", "variables": {{{}}}, "resources": [{{"type": "x.y/z", "name": "n", "properties": {{"deep": "[variables('v1499')]"}}}}]}}"#,
        vars.join(",")
    );
    let (out, notes) = attack(&t);
    let deep = out[0].node.get("properties").unwrap().get("deep").unwrap();
    assert!(measure(deep, u64::MAX).1 <= MAX_VALUE_DEPTH);
    assert!(!notes.is_empty());
    // The same chain evaluated bottom up (each step within the nesting limit): the value
    // cap stops it.
    let uses: Vec<String> = (0..75).map(|i| format!(r#""u{i}": "[variables('v{}')]""#, i * 20)).collect();
    let t = format!(
        r#"{{"contentVersion": "1.0.0.0", "variables": {{{}}}, "resources": [{{"type": "x.y/z", "name": "n", "properties": {{{}}}}}]}}"#,
        vars.join(","),
        uses.join(",")
    );
    let (out, notes) = attack(&t);
    let props = out[0].node.get("properties").unwrap();
    assert!(measure(props, u64::MAX).1 <= MAX_VALUE_DEPTH + 2);
    assert!(notes.iter().any(|n| n.message.contains("nested too deeply")), "{:?}", notes.iter().map(|n| &n.message).collect::<Vec<_>>());
}

#[test]
fn budget_exhaustion_is_noted_and_everything_after_is_unknown() {
    let t = r#"{"contentVersion": "1.0.0.0", "parameters": {"l": {"defaultValue": [1,2,3,4,5,6,7,8,9,10]}}, "resources": [
        {"type": "x.y/z", "name": "[string(length(map(range(0, 800), lambda('i', map(range(0, 800), lambda('j', createArray(lambdaVariables('i'), lambdaVariables('j'))))))))]"},
        {"type": "x.y/z", "name": "after"}]}"#;
    let (out, notes) = attack(t);
    assert!(out[0].node.get("name").unwrap().is_unresolved());
    assert!(notes.iter().any(|n| n.message.contains("evaluation stopped")));
    assert!(out.len() <= 1 || out[1].node.get("name").unwrap().is_unresolved() || out.len() == 1);
}

mod property {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// A resource copy gives the same resources as the same template written out.
        #[test]
        fn copy_equals_written_out(names in proptest::collection::vec("[a-z]{1,6}", 0..12), offset in 0i64..5) {
            let list = serde_like(&names);
            let looped = format!(r#"{{"contentVersion": "1.0.0.0", "parameters": {{"n": {{"defaultValue": {list}}}}}, "resources": [
                {{"type": "Microsoft.Network/networkSecurityGroups", "name": "[concat(parameters('n')[copyIndex()], '-', string(copyIndex({offset})))]",
                  "copy": {{"name": "c", "count": "[length(parameters('n'))]"}},
                  "properties": {{"copy": [{{"name": "securityRules", "count": 2, "input": {{"name": "[format('{{0}}-{{1}}', parameters('n')[copyIndex('c')], copyIndex('securityRules'))]"}}}}]}}}}]}}"#);
            let written: Vec<String> = names.iter().enumerate().map(|(i, n)| format!(
                r#"{{"type": "Microsoft.Network/networkSecurityGroups", "name": "{n}-{}", "properties": {{"securityRules": [{{"name": "{n}-0"}}, {{"name": "{n}-1"}}]}}}}"#, i as i64 + offset)).collect();
            let by_hand = format!(r#"{{"contentVersion": "1.0.0.0", "resources": [{}]}}"#, written.join(","));
            let (a, _) = flat(&looped);
            let (b, _) = flat(&by_hand);
            prop_assert_eq!(a.len(), b.len());
            for (x, y) in a.iter().zip(&b) {
                prop_assert!(func::same(&x.node, &y.node), "{:?} vs {:?}", x.node, y.node);
            }
        }
    }

    fn serde_like(names: &[String]) -> String {
        format!("[{}]", names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(","))
    }
}
