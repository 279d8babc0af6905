//! The `amlvnet` binary run as a process: exit codes, every format, SARIF validated with
//! Microsoft's own validator (`@microsoft/sarif-multitool` from npm) when installed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_amlvnet"))
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("www/examples").join(name).to_string_lossy().to_string()
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run amlvnet")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn tmp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("amlvnet-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

#[test]
fn exit_codes() {
    let pass = example("cluster-public-ip-compliant.json");
    assert_eq!(run(&["check", &pass]).status.code(), Some(0), "{}", stdout(&run(&["check", &pass])));
    assert_eq!(run(&["check", &example("nsg-defaults-only.json")]).status.code(), Some(1));
    let bad = tmp("bad.json", "{\n  \"a\": 1,\n  \"b\" 2\n}");
    let o = run(&["check", bad.to_str().unwrap_or_default()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(err.contains("bad.json:3:7: unexpected character `2`; expected `:`"), "{err}");
    assert_eq!(run(&["check", "/nonexistent/file.json"]).status.code(), Some(2));
    assert_eq!(run(&["check"]).status.code(), Some(2));
    assert_eq!(run(&["check", "--format", "xml", &pass]).status.code(), Some(2));
    assert_eq!(run(&["check", "--public-ip", "maybe", &pass]).status.code(), Some(2));
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn stdin_and_scenario_flags() {
    let text = std::fs::read_to_string(example("nsg-defaults-only.json")).unwrap_or_default();
    let mut child = bin()
        .args(["check", "--public-ip", "no", "--format", "json", "--region", "West US 2", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child.stdin.take().map(|mut s| s.write_all(text.as_bytes()));
    let o = child.wait_with_output().expect("wait");
    let json = stdout(&o);
    assert!(json.contains("\"public_ip\": false") && json.contains("\"region\": \"westus2\""), "{json}");
    assert_eq!(o.status.code(), Some(0), "defaults satisfy no-public-IP inbound; NSG only, so subnet checks are unknown");
}

#[test]
fn every_format() {
    let f = example("nsg-defaults-only.json");
    let text = stdout(&run(&["check", "--color", "never", &f]));
    assert!(text.contains("FAIL AML-PIP-001") && text.contains("DenyAllInBound") && !text.contains('\x1b'));
    let colored = stdout(&run(&["check", "--color", "always", &f]));
    assert!(colored.contains("\x1b[1;31mFAIL"));
    let json = stdout(&run(&["check", "--format", "json", &f]));
    for key in ["\"schema\": \"amlvnet-report/1\"", "\"profile\": \"2022-07\"", "\"scenario\"", "\"findings\"", "\"summary\"", "\"rule\": \"DenyAllInBound\""] {
        assert!(json.contains(key), "missing {key}");
    }
    let md = stdout(&run(&["check", "--format", "markdown", &f]));
    assert!(md.starts_with("## amlvnet") && md.contains("| ❌ fail | `AML-PIP-001`"));
    let rules = stdout(&run(&["rules"]));
    assert_eq!(rules.lines().count(), 78);
    let rules_json = stdout(&run(&["rules", "--format", "json"]));
    assert!(rules_json.contains("\"id\": \"AML-NPIP-014\""));
    let explain = stdout(&run(&["explain", "aml-pip-001"]));
    assert!(explain.contains("## AML-PIP-001") && explain.contains("**Why.**"));
    assert_eq!(run(&["explain", "AML-NOPE-001"]).status.code(), Some(2));
    let latest = stdout(&run(&["check", "--profile", "latest", "--format", "json", &f]));
    assert!(latest.contains("\"profile\": \"2023-04\""));
}

fn validator() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/.bin/sarif-multitool");
    if p.exists() {
        return Some(p);
    }
    assert!(std::env::var_os("CI").is_none(), "CI must install @microsoft/sarif-multitool (npm ci)");
    eprintln!("skipped: node_modules/.bin/sarif-multitool is not installed (npm ci)");
    None
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let Some(tool) = validator() else { return };
    for (name, args) in
        [("fail", vec!["nsg-defaults-only.json"]), ("pass", vec!["cluster-public-ip-compliant.json"]), ("template", vec!["arm-template-child-rules.json"])]
    {
        let files: Vec<String> = args.iter().map(|a| example(a)).collect();
        let mut cmd = vec!["check", "--format", "sarif"];
        cmd.extend(files.iter().map(String::as_str));
        let o = run(&cmd);
        let sarif = tmp(&format!("{name}.sarif"), &stdout(&o));
        let log = sarif.with_extension("validation.sarif");
        let v = Command::new(&tool)
            .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
            .args(["validate", sarif.to_str().unwrap_or_default(), "-o", log.to_str().unwrap_or_default(), "--log", "ForceOverwrite"])
            .output()
            .expect("validator");
        assert!(v.status.success(), "validator failed: {}", String::from_utf8_lossy(&v.stdout));
        let result = std::fs::read_to_string(&log).unwrap_or_default();
        let parsed = amlvnet::json::parse(&result).expect("validator output is JSON");
        let results = parsed
            .get("runs")
            .and_then(|r| r.as_array())
            .and_then(|r| r.first())
            .and_then(|r| r.get("results"))
            .and_then(|r| r.as_array())
            .map(|r| r.to_vec())
            .unwrap_or_default();
        let problems: Vec<String> = results
            .iter()
            .filter(|r| r.get("level").and_then(|l| l.as_str()).is_some_and(|l| l == "error" || l == "warning"))
            .map(|r| amlvnet::report::json::from_node(r).compact())
            .collect();
        assert!(problems.is_empty(), "{name}: SARIF problems:\n{}", problems.join("\n"));
    }
    // The validator has teeth: a broken log is rejected.
    let bad = tmp("broken.sarif", r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": [{"bad": 1}]}]}"#);
    let log = bad.with_extension("validation.sarif");
    let _ = Command::new(&tool)
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .args(["validate", bad.to_str().unwrap_or_default(), "-o", log.to_str().unwrap_or_default(), "--log", "ForceOverwrite"])
        .output();
    assert!(std::fs::read_to_string(&log).unwrap_or_default().contains("\"error\""));
}

#[test]
fn sarif_points_at_lines() {
    let o = run(&["check", "--format", "sarif", &example("nsg-defaults-only.json")]);
    let s = stdout(&o);
    assert!(s.contains("\"ruleId\": \"AML-PIP-001\""));
    assert!(s.contains("\"version\": \"2.1.0\"") && s.contains("\"rules\": ["));
}

#[test]
fn help_for_every_command_and_odd_arguments() {
    for cmd in ["check", "rules", "explain"] {
        let o = run(&[cmd, "--help"]);
        assert_eq!(o.status.code(), Some(0), "{cmd} --help");
        assert!(stdout(&o).starts_with(&format!("Usage: amlvnet {cmd}")), "{}", stdout(&o));
    }
    // A UTF-16 file with its byte-order mark (Windows PowerShell's Out-File) is read.
    let text = std::fs::read_to_string(example("nsg-defaults-only.json")).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let p = tmp("utf16.json", "");
    std::fs::write(&p, utf16).unwrap();
    let o = run(&["check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let o = bin().arg("check").arg(std::ffi::OsStr::from_bytes(b"\xff.json")).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "a non-UTF-8 argument is a usage error, not a panic");
        assert!(String::from_utf8_lossy(&o.stderr).contains("not valid UTF-8"));
    }
}

#[test]
fn a_closed_standard_output_is_an_error() {
    // A pipe whose reading end is closed before the report is written.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let o = bin().args(["check", &example("nsg-defaults-only.json")]).stdout(writer).stderr(Stdio::piped()).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn explain_error_names_the_checks_of_a_pasted_error() {
    let error = tmp(
        "error.txt",
        "Provisioning error\nThe subnet has a network security group (/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-ws) that is\nmissing the following rules below.\n{\n\"name\": \"Outbound Storage 445\"\n\"properties\": {\n\"protocol\": \"TCP\",\n\"destinationPortRange\": \"445\"\n\"sourceAddressPrefix\": \"VirtualNetwork\"\n\"destinationAddressPrefix\": \"Storage OR Internet OR Storage.uksouth\",\n\"direction\": \"Outbound\"\n",
    );
    let o = run(&["explain-error", error.to_str().unwrap_or_default()]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(text.contains("NsgMissingRules") && text.contains("-> AML-OUT-009"), "{text}");
    let o = run(&["explain-error", "--format", "json", error.to_str().unwrap_or_default()]);
    let json = stdout(&o);
    assert!(json.contains("\"check\": \"AML-OUT-009\"") && json.contains("\"code\": \"NsgMissingRules\""), "{json}");
    // Standard input; text that matches nothing says so and exits 1.
    let mut child = bin().args(["explain-error"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"Quota exceeded").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("Paste the network JSON"));
    assert_eq!(run(&["explain-error", "--format", "sarif", "-"]).status.code(), Some(2));
    assert_eq!(run(&["explain-error", "--help"]).status.code(), Some(0));
}

/// One row of `tests/options.json`, the option spellings every front end must take alike
/// (this test for the CLI; `src/bin/web/state.rs` for the page; `e2e/types.test.mjs` for
/// the JavaScript API).
fn option_rows() -> Vec<(String, String, bool, Option<amlvnet::json::Node>)> {
    let table = amlvnet::json::parse(include_str!("options.json")).unwrap();
    table
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let text = |k: &str| r.get(k).and_then(|n| n.as_str()).unwrap().to_string();
            (text("option"), text("value"), r.get("ok").and_then(|n| n.as_bool()).unwrap(), r.get("expect").cloned())
        })
        .collect()
}

#[test]
fn option_spellings_are_the_table_every_front_end_shares() {
    let doc = example("nsg-defaults-only.json");
    for (option, value, ok, expect) in option_rows() {
        let flag = format!("--{option}");
        let o = run(&["check", "--format", "json", &flag, &value, &doc]);
        if !ok {
            assert_eq!(o.status.code(), Some(2), "{flag} {value:?} is refused");
            assert!(String::from_utf8_lossy(&o.stderr).contains(&flag), "the message names {flag}");
            continue;
        }
        assert_ne!(o.status.code(), Some(2), "{flag} {value:?}: {}", String::from_utf8_lossy(&o.stderr));
        let report = amlvnet::json::parse(&stdout(&o)).unwrap();
        let got = match option.as_str() {
            "profile" => report.get("profile"),
            "public-ip" => report.get("scenario").and_then(|s| s.get("public_ip")),
            other => report.get("scenario").and_then(|s| s.get(other)),
        };
        let expect = expect.unwrap();
        match (got.unwrap().as_str(), expect.as_str()) {
            (Some(g), Some(e)) => assert_eq!(g, e, "{flag} {value:?}"),
            _ => assert_eq!(got.unwrap().as_bool(), expect.as_bool(), "{flag} {value:?}"),
        }
    }
}

#[test]
fn fix_arm_is_an_object_whatever_the_names_hold() {
    let nsg = tmp(
        "quote.json",
        r#"{"name": "nsg\"x", "type": "Microsoft.Network/networkSecurityGroups", "location": "westus2", "properties": {"securityRules": []}}"#,
    );
    let o = run(&["check", "--format", "json", "--compute", "cluster", "--public-ip", "yes", nsg.to_str().unwrap_or_default()]);
    let report = amlvnet::json::parse(&stdout(&o)).unwrap();
    let fixes: Vec<_> = report.get("findings").unwrap().as_array().unwrap().iter().filter_map(|f| f.get("fix")).collect();
    assert!(!fixes.is_empty());
    for fix in fixes {
        let arm = fix.get("arm").unwrap();
        assert!(arm.is_object() || arm.as_array().is_some(), "fix.arm is a value: {arm:?}");
        if let Some(name) = arm.get("name") {
            assert!(name.as_str().unwrap().starts_with("nsg\"x/"), "the name as it is");
        }
    }
}

#[test]
fn the_report_names_the_service_tag_data_it_used() {
    let o = run(&["check", "--format", "json", &example("nsg-defaults-only.json")]);
    let report = amlvnet::json::parse(&stdout(&o)).unwrap();
    let tags = report.get("service_tags").unwrap();
    assert_eq!(tags.get("source").and_then(|s| s.as_str()), Some("built-in"));
    assert_eq!(tags.get("change_number").map(|n| amlvnet::report::json::from_node(n).compact()), Some(amlvnet::service_tags::CHANGE_NUMBER.to_string()));
}

/// `amlvnet flow` as a process: each exit code, both formats, and the path through a
/// named subnet's NSG.
#[test]
fn flow_exit_codes_and_shapes() {
    let nsg = tmp(
        "flow-nsg.json",
        r#"{"name": "nsg-train", "type": "Microsoft.Network/networkSecurityGroups", "properties": {"securityRules": [
        {"name": "allow-batch", "properties": {"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "BatchNodeManagement", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "29876-29877"}},
        {"name": "deny-vnet-src", "properties": {"priority": 200, "direction": "Inbound", "access": "Deny", "protocol": "*", "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22"}}]}}"#,
    );
    let nsg = nsg.to_str().unwrap();
    let flow = |from: &str, port: &str, extra: &[&str]| {
        let mut args = vec!["flow", "--direction", "inbound", "--protocol", "tcp", "--from", from, "--to", "10.0.0.4", "--port", port];
        args.extend_from_slice(extra);
        args.push(nsg);
        run(&args)
    };
    // Allowed: Batch to its port (exit 0).
    let o = flow("BatchNodeManagement", "29876", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).starts_with("ALLOW"), "{}", stdout(&o));
    // Denied: a private source to 22 (exit 1), by the named rule.
    let o = flow("10.1.0.5", "22", &["--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    for key in
        ["\"securityRuleAccessResult\": \"Deny\"", "\"ruleName\": \"deny-vnet-src\"", "\"evaluatedNetworkSecurityGroups\"", "\"destinationPortMatched\": true"]
    {
        assert!(out.contains(key), "{key} in {out}");
    }
    // Undecided (exit 3): a public address against VirtualNetwork may be peered space.
    let o = flow("203.0.113.10", "22", &[]);
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    assert!(stdout(&o).contains("partial"), "{}", stdout(&o));
    // An address mapped to the service tags that hold it.
    let o = flow("13.66.141.40", "29876", &[]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("BatchNodeManagement.WestUS2"), "{}", stdout(&o));
    // Usage and input errors (exit 2).
    assert_eq!(flow("Nonsense!!", "22", &[]).status.code(), Some(2));
    assert_eq!(flow("10.1.0.5", "99999", &[]).status.code(), Some(2));
    assert_eq!(run(&["flow", "--direction", "inbound", nsg]).status.code(), Some(2));
    let bad = tmp("flow-bad.json", "{ nope");
    assert_eq!(
        run(&["flow", "--direction", "inbound", "--protocol", "tcp", "--from", "a", "--to", "b", "--port", "1", bad.to_str().unwrap()]).status.code(),
        Some(2)
    );
    let help = run(&["flow", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("Exit status: 0 allowed, 1 denied, 3 undecided"));
    // Through a named subnet: its NSG is found by reference.
    let subnet = tmp(
        "flow-subnet.json",
        r#"{"name": "snet-train", "type": "Microsoft.Network/virtualNetworks/subnets", "properties": {"addressPrefix": "10.0.0.0/24", "networkSecurityGroup": {"id": ".../networkSecurityGroups/nsg-train"}}}"#,
    );
    let o = run(&[
        "flow",
        "--direction",
        "inbound",
        "--protocol",
        "tcp",
        "--from",
        "VirtualNetwork",
        "--to",
        "snet-train",
        "--port",
        "22",
        nsg,
        subnet.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("subnet snet-train"), "{}", stdout(&o));
}

#[test]
fn check_takes_service_tag_data_from_a_file() {
    let data = tmp(
        "tags.json",
        r#"{"changeNumber": 999, "cloud": "Public", "values": [{"name": "AzureMachineLearning", "id": "AzureMachineLearning", "properties": {"changeNumber": 999, "addressPrefixes": ["20.0.0.0/24"], "networkFeatures": ["API", "NSG", "UDR", "FW"]}}]}"#,
    );
    let o = run(&["check", "--format", "json", "--service-tags", data.to_str().unwrap(), &example("nsg-defaults-only.json")]);
    let out = stdout(&o);
    assert!(out.contains("\"change_number\": 999"), "{out}");
    assert!(out.contains(&format!("\"source\": \"{}\"", data.to_str().unwrap())), "{out}");
    let not_tags = run(&["check", "--service-tags", &example("nsg-defaults-only.json"), &example("nsg-defaults-only.json")]);
    assert_eq!(not_tags.status.code(), Some(2));
}
