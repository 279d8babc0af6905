//! The `amlvnet` command line (contract.md): argument parsing, file reading and exit
//! codes. The only place with I/O.

use amlvnet::report::{json, markdown, sarif, text};
use amlvnet::rules::{catalogue, find};
use amlvnet::{Document, Options};
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

/// The options of `check`, shared by the two usage texts.
macro_rules! check_options {
    () => {
        "      --compute cluster|instance|vm|hdinsight|databricks
      --public-ip yes|no
      --region NAME                    ARM location name, e.g. westus2
      --profile 2022-07|2023-04|latest (default 2022-07)
      --format text|json|sarif|markdown (default text)
      --color auto|always|never        (default auto; NO_COLOR is honoured)
      --service-tags FILE              service-tag data to use instead of the built-in table
                                       (the published file or `az network list-service-tags`)
"
    };
}

const USAGE: &str = concat!(
    "amlvnet: Azure ML training network checker

Usage:
  amlvnet check [OPTIONS] FILE...      FILE is a path, or - for standard input
",
    check_options!(),
    "  amlvnet rules [--format text|json|markdown]
  amlvnet explain ID
  amlvnet explain-error [--format text|json] [FILE|-]   an Azure error message in, its checks out
  amlvnet flow --direction inbound|outbound --protocol tcp|udp|icmp|* --from SRC --to DST
               --port N [--source-port N] [--region NAME] [--format text|json] FILE...
                                       one flow through the NSGs on its path
  amlvnet COMMAND --help               usage of that command

Exit status: 0 no finding is fail, 1 at least one fails, 2 usage error, unreadable
file or a document that is not JSON.
"
);

const CHECK_USAGE: &str = concat!(
    "Usage: amlvnet check [OPTIONS] FILE...

Checks the documents (a path each, or - for standard input) against the Azure ML
training network requirements.

Options:
",
    check_options!(),
    "      -h, --help                       this text

Exit status: 0 no finding is fail, 1 at least one fails, 2 usage error, unreadable
file or a document that is not JSON.
"
);

const RULES_USAGE: &str = "Usage: amlvnet rules [--format text|json|markdown]

Lists every check: ID, severity, name and title.
";

const EXPLAIN_USAGE: &str = "Usage: amlvnet explain ID

Prints a check's documentation: what it checks, why, an example and the fix.
";

const EXPLAIN_ERROR_USAGE: &str = "Usage: amlvnet explain-error [--format text|json] [FILE|-]

Reads the text of an Azure ML, Databricks or Terraform provisioning error (from FILE, or
standard input when FILE is - or absent) and names the checks it corresponds to, the
documents to paste into `amlvnet check` to confirm it, and the fix. An NSG error's table
of missing rules is read rule by rule.

Exit status: 0 a known error was found, 1 nothing matched, 2 usage error or unreadable file.
";

const FLOW_USAGE: &str = "Usage: amlvnet flow --direction inbound|outbound --protocol tcp|udp|icmp|*
                    --from SRC --to DST --port N [--source-port N] [--region NAME]
                    [--service-tags FILE] [--format text|json] FILE...

Evaluates one flow through the NSGs on its path, as Azure does (inbound: the subnet's NSG,
then its NICs'; outbound: the NICs', then the subnet's). SRC and DST are a service tag
(Storage.westus2), an IP address or CIDR, or the name of a subnet among the documents;
the subnet on our side of the flow (DST inbound, SRC outbound) picks the NSGs, or the one
NSG among the documents when no subnet is named. Every rule's per-field match is
true, false or partial; an address is mapped to the service tags that hold it.

--format json prints Network Watcher's NSG-diagnostics shape with a third answer,
\"Unknown\" (and \"partial\" per field).

Exit status: 0 allowed, 1 denied, 3 undecided, 2 usage or input error.
";

/// An output format, read once from `--format` (each command takes some of them).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Sarif,
    Markdown,
}

impl Format {
    /// The value of `--format` among the formats a command takes (the first is its default).
    fn read(value: Option<&str>, takes: &[Format]) -> Result<Format, String> {
        let names = |f: &Format| match f {
            Format::Text => "text",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Markdown => "markdown",
        };
        let Some(value) = value else { return takes.first().copied().ok_or_else(|| "no format".to_string()) };
        takes.iter().copied().find(|f| names(f) == value).ok_or_else(|| {
            let list: Vec<&str> = takes.iter().map(names).collect();
            let expected = match list.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
                _ => list.join(""),
            };
            format!("--format `{value}`: expected {expected}")
        })
    }
}

fn main() -> ExitCode {
    // Arguments that are not UTF-8 are a usage error, not a panic.
    let mut args = Vec::new();
    for arg in std::env::args_os().skip(1) {
        match arg.into_string() {
            Ok(a) => args.push(a),
            Err(raw) => {
                eprintln!("amlvnet: the argument `{}` is not valid UTF-8; rename the file or pass it on standard input (-)", raw.to_string_lossy());
                return ExitCode::from(2);
            }
        }
    }
    match run(&args) {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("amlvnet: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<u8, String> {
    let Some((command, rest)) = args.split_first() else {
        print!("{USAGE}");
        return Err("missing command (check, rules or explain)".into());
    };
    let wants_help = rest.iter().any(|a| a == "-h" || a == "--help");
    match command.as_str() {
        "check" | "rules" | "explain" | "explain-error" | "flow" if wants_help => {
            print!(
                "{}",
                match command.as_str() {
                    "check" => CHECK_USAGE,
                    "rules" => RULES_USAGE,
                    "explain-error" => EXPLAIN_ERROR_USAGE,
                    "flow" => FLOW_USAGE,
                    _ => EXPLAIN_USAGE,
                }
            );
            Ok(0)
        }
        "check" => check(rest),
        "rules" => rules(rest),
        "explain" => explain(rest),
        "explain-error" => explain_error(rest),
        "flow" => flow(rest),
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            Ok(0)
        }
        "-V" | "--version" => {
            println!("amlvnet {}", amlvnet::VERSION);
            Ok(0)
        }
        other => Err(format!("unknown command `{other}`; expected check, flow, rules, explain or explain-error (see --help)")),
    }
}

/// Options as (name, value) pairs, and positional arguments.
type Parsed<'a> = (Vec<(String, String)>, Vec<&'a str>);

/// Splits `--flag value` and `--flag=value`.
fn options<'a>(args: &'a [String], takes_value: &[&str]) -> Result<Parsed<'a>, String> {
    let mut flags = Vec::new();
    let mut positional = Vec::new();
    let mut iter = args.iter();
    let mut only_files = false;
    while let Some(arg) = iter.next() {
        if only_files || arg == "-" || !arg.starts_with('-') {
            positional.push(arg.as_str());
            continue;
        }
        if arg == "--" {
            only_files = true;
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (arg.clone(), None),
        };
        if !takes_value.contains(&name.as_str()) {
            return Err(format!("unknown option `{name}` (see --help)"));
        }
        let value = match inline {
            Some(v) => v,
            None => iter.next().cloned().ok_or_else(|| format!("option `{name}` needs a value"))?,
        };
        flags.push((name, value));
    }
    Ok((flags, positional))
}

fn check(args: &[String]) -> Result<u8, String> {
    let (flags, files) = options(args, &["--compute", "--public-ip", "--region", "--profile", "--format", "--color", "--service-tags"])?;
    let mut opts = Options::default();
    let mut format = Format::Text;
    let mut color = "auto".to_string();
    let mut service_tags = None;
    for (name, value) in flags {
        match name.as_str() {
            "--service-tags" => service_tags = Some(value),
            "--compute" | "--public-ip" | "--region" | "--profile" => {
                let option = name.trim_start_matches('-');
                opts.set(option, &value).map_err(|expected| format!("{name} `{value}`: {expected}"))?;
            }
            "--format" => format = Format::read(Some(&value), &[Format::Text, Format::Json, Format::Sarif, Format::Markdown])?,
            "--color" => {
                if !["auto", "always", "never"].contains(&value.as_str()) {
                    return Err(format!("--color `{value}`: expected auto, always or never"));
                }
                color = value;
            }
            _ => {}
        }
    }
    if files.is_empty() {
        return Err("check needs at least one FILE (or - for standard input)".into());
    }
    let documents = read_documents(&files, service_tags.as_deref())?;
    let report = amlvnet::check(&documents, &opts);
    if let Some(file) = &service_tags {
        if report.service_tags.source != *file {
            return Err(format!(
                "--service-tags {file}: not service-tag data (expected the published ServiceTags_Public_*.json or `az network list-service-tags` output)"
            ));
        }
    }
    let output = match format {
        Format::Json => json::report(&report).pretty() + "\n",
        Format::Sarif => sarif::render(&report).pretty() + "\n",
        Format::Markdown => markdown::render(&report),
        Format::Text => {
            let use_color = match color.as_str() {
                "always" => true,
                "never" => false,
                _ => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            };
            text::render(&report, use_color)
        }
    };
    write_out(&output)?;
    let mut parse_errors = false;
    for d in &report.documents {
        if let Some((line, column, message)) = &d.error {
            eprintln!("{}:{line}:{column}: {message}", d.name);
            parse_errors = true;
        }
    }
    Ok(if parse_errors {
        2
    } else if report.has_failures() {
        1
    } else {
        0
    })
}

/// Reads the FILEs (`-` is standard input, once), then the service-tag file if given.
fn read_documents(files: &[&str], service_tags: Option<&str>) -> Result<Vec<Document>, String> {
    let mut documents = Vec::new();
    let mut stdin_used = false;
    for file in files.iter().copied().chain(service_tags) {
        let bytes = if file == "-" {
            if stdin_used {
                return Err("standard input (-) can be given only once".into());
            }
            stdin_used = true;
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf).map_err(|e| format!("standard input: {e}"))?;
            buf
        } else {
            std::fs::read(file).map_err(|e| format!("{file}: {}", e.to_string().to_lowercase()))?
        };
        let text = amlvnet::input::decode(bytes).map_err(|e| format!("{file}: {e}"))?;
        documents.push(Document::new(if file == "-" { "stdin" } else { file }, text));
    }
    Ok(documents)
}

fn flow(args: &[String]) -> Result<u8, String> {
    let names = ["--direction", "--protocol", "--from", "--to", "--port", "--source-port", "--region", "--format", "--service-tags"];
    let (flags, files) = options(args, &names)?;
    let mut query = amlvnet::flow::Query::default();
    let mut format = Format::Text;
    let mut service_tags = None;
    for (name, value) in flags {
        match name.as_str() {
            "--direction" => query.direction = value,
            "--protocol" => query.protocol = value,
            "--from" => query.from = value,
            "--to" => query.to = value,
            "--port" => query.port = value,
            "--source-port" => query.source_port = value,
            "--region" => query.region = Some(value),
            "--service-tags" => service_tags = Some(value),
            _ => format = Format::read(Some(&value), &[Format::Text, Format::Json])?,
        }
    }
    for (flag, value) in
        [("--direction", &query.direction), ("--protocol", &query.protocol), ("--from", &query.from), ("--to", &query.to), ("--port", &query.port)]
    {
        if value.trim().is_empty() {
            return Err(format!("flow needs {flag} (see amlvnet flow --help)"));
        }
    }
    if files.is_empty() {
        return Err("flow needs at least one FILE with the NSGs (or - for standard input)".into());
    }
    let documents = read_documents(&files, service_tags.as_deref())?;
    let model = amlvnet::input::read(&documents);
    for (d, doc) in model.documents.iter().zip(&documents) {
        if let Some((line, column, message)) = &d.parse_error {
            return Err(format!("{}:{line}:{column}: {message}", doc.name));
        }
    }
    if let Some(file) = &service_tags {
        if model.service_tags.as_ref().and_then(|p| model.documents.get(p.document)).is_none_or(|d| d.name != *file) {
            return Err(format!("--service-tags {file}: not service-tag data"));
        }
    }
    let tags = amlvnet::service_tags::of_model(&model, amlvnet::service_tags::builtin());
    let diagnosis = amlvnet::flow::diagnose(&model, &query, tags)?;
    let output = match format {
        Format::Json => json::flow_diagnosis(&diagnosis).pretty() + "\n",
        _ => text::flow_diagnosis(&diagnosis),
    };
    write_out(&output)?;
    Ok(match diagnosis.access {
        amlvnet::flow::Access::Allow => 0,
        amlvnet::flow::Access::Deny => 1,
        amlvnet::flow::Access::Unknown => 3,
    })
}

fn write_out(text: &str) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe: the report did not reach its reader, so the run did not succeed.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err("standard output was closed before the whole report was written".into()),
        Err(e) => Err(format!("writing the report: {e}")),
    }
}

fn rules(args: &[String]) -> Result<u8, String> {
    let (flags, positional) = options(args, &["--format"])?;
    if let Some(p) = positional.first() {
        return Err(format!("unexpected argument `{p}`"));
    }
    let format = Format::read(flags.last().map(|(_, v)| v.as_str()), &[Format::Text, Format::Json, Format::Markdown])?;
    let checks = catalogue();
    let output = match format {
        Format::Json => json::catalogue().pretty() + "\n",
        Format::Markdown => markdown::catalogue(checks),
        _ => checks.iter().map(|c| format!("{:<13} {:<8} {:<48} {}\n", c.id, c.severity.as_str(), c.name, c.title)).collect(),
    };
    write_out(&output)?;
    Ok(0)
}

fn explain(args: &[String]) -> Result<u8, String> {
    let [id] = args else { return Err("explain needs exactly one check ID, e.g. `amlvnet explain AML-PIP-001`".into()) };
    let check = find(id).ok_or_else(|| format!("no check `{id}`; `amlvnet rules` lists them"))?;
    write_out(&markdown::explain(check))?;
    Ok(0)
}

fn explain_error(args: &[String]) -> Result<u8, String> {
    let (flags, positional) = options(args, &["--format"])?;
    let format = Format::read(flags.last().map(|(_, v)| v.as_str()), &[Format::Text, Format::Json])?;
    let text = match positional.as_slice() {
        [] | ["-"] => {
            let mut bytes = Vec::new();
            std::io::stdin().read_to_end(&mut bytes).map_err(|e| format!("standard input: {e}"))?;
            String::from_utf8_lossy(&bytes).into_owned()
        }
        [path] => String::from_utf8_lossy(&std::fs::read(path).map_err(|e| format!("{path}: {e}"))?).into_owned(),
        _ => return Err("explain-error reads one FILE (or standard input)".into()),
    };
    let matches = amlvnet::rules::errors::explain_error(&text);
    let output = match format {
        Format::Json => json::error_explanation(&matches).pretty() + "\n",
        _ => text::error_explanation(&matches),
    };
    write_out(&output)?;
    Ok(if matches.is_empty() { 1 } else { 0 })
}
