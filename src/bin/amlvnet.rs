//! The `amlvnet` command line (contract.md): argument parsing, file reading and exit
//! codes. The only place with I/O.

use amlvnet::report::{json, markdown, sarif, text};
use amlvnet::rules::{catalogue, find};
use amlvnet::{Document, Options};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

/// The top-level usage, and each command's help: clap writes them from these declarations.
const HELP_TEMPLATE: &str = "{usage-heading} {usage}\n\n{about-with-newline}\n{all-args}{after-help}";

const CHECK_EXIT: &str = "Exit status: 0 no finding is fail, 1 at least one fails, 2 usage error, unreadable
file or a document that is not JSON.";

#[derive(Parser)]
#[command(
    name = "amlvnet",
    version = amlvnet::VERSION,
    about = "amlvnet: Azure ML training network checker",
    help_template = HELP_TEMPLATE,
    arg_required_else_help = true,
    args_override_self = true,
    disable_help_subcommand = true,
    after_help = CHECK_EXIT
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Checks the documents against the Azure ML training network requirements
    ///
    /// Each FILE is a path, or - for standard input; the documents are read together and
    /// linked by resource ID (else by name, which the findings then say).
    #[command(help_template = HELP_TEMPLATE, after_help = CHECK_EXIT)]
    Check(CheckArgs),
    /// Lists every check: ID, severity, name and title
    #[command(help_template = HELP_TEMPLATE)]
    Rules {
        /// The list's format
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Prints a check's documentation: what it checks, why, an example and the fix
    #[command(help_template = HELP_TEMPLATE)]
    Explain {
        /// A check ID (AML-PIP-001) or name.
        #[arg(value_name = "ID")]
        id: String,
    },
    /// An Azure error message in, its checks out
    ///
    /// Reads the text of an Azure ML, Databricks or Terraform provisioning error (from FILE,
    /// or standard input when FILE is - or absent) and names the checks it corresponds to, the
    /// documents to paste into `amlvnet check` to confirm it, and the fix. An NSG error's
    /// table of missing rules is read rule by rule.
    #[command(
        help_template = HELP_TEMPLATE,
        after_help = "Exit status: 0 a known error was found, 1 nothing matched, 2 usage error or unreadable file."
    )]
    ExplainError {
        /// The answer's format
        #[arg(long, value_enum, default_value_t = ShortFormat::Text)]
        format: ShortFormat,
        /// The error's text (default: standard input)
        #[arg(value_name = "FILE|-")]
        file: Option<String>,
    },
    /// One flow through the NSGs on its path
    ///
    /// Evaluates one flow through the NSGs on its path, as Azure does (inbound: the
    /// subnet's NSG, then its NICs'; outbound: the NICs', then the subnet's). SRC and DST are
    /// a service tag (Storage.westus2), an IP address or CIDR, or the name of a subnet among
    /// the documents; the subnet on our side of the flow (DST inbound, SRC outbound) picks
    /// the NSGs, or the one NSG among the documents when no subnet is named. Every rule's
    /// per-field match is true, false or partial; an address is mapped to the service tags
    /// that hold it. --format json prints Network Watcher's NSG-diagnostics shape with a
    /// third answer, "Unknown" (and "partial" per field).
    #[command(help_template = HELP_TEMPLATE, after_help = "Exit status: 0 allowed, 1 denied, 3 undecided, 2 usage or input error.")]
    Flow(FlowArgs),
}

#[derive(Args)]
struct CheckArgs {
    /// The compute (default: what the documents imply, else cluster)
    #[arg(long, value_name = "cluster|instance|vm|hdinsight|databricks")]
    compute: Option<String>,
    /// Whether the compute has a public IP (default: the documents', else yes)
    #[arg(long, value_name = "yes|no")]
    public_ip: Option<String>,
    /// ARM location name, e.g. westus2
    #[arg(long, value_name = "NAME")]
    region: Option<String>,
    /// 2022-07 (the default), 2023-04 or latest
    #[arg(long, value_name = "2022-07|2023-04|latest")]
    profile: Option<String>,
    /// The report's format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// auto honours NO_COLOR and whether standard output is a terminal
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Service-tag data to use instead of the built-in table (the published file or
    /// `az network list-service-tags`)
    #[arg(long, value_name = "FILE")]
    service_tags: Option<String>,
    /// A path, or - for standard input
    #[arg(value_name = "FILE", required = true)]
    files: Vec<String>,
}

#[derive(Args)]
struct FlowArgs {
    /// The flow's direction
    #[arg(long, value_name = "inbound|outbound")]
    direction: String,
    /// The flow's protocol
    #[arg(long, value_name = "tcp|udp|icmp|*")]
    protocol: String,
    /// A service tag, an IP address or CIDR, or a subnet among the documents
    #[arg(long, value_name = "SRC")]
    from: String,
    /// A service tag, an IP address or CIDR, or a subnet among the documents
    #[arg(long, value_name = "DST")]
    to: String,
    /// The destination port
    #[arg(long, value_name = "N")]
    port: String,
    /// The source port (default: any)
    #[arg(long, value_name = "N")]
    source_port: Option<String>,
    /// ARM location name, for regional service tags
    #[arg(long, value_name = "NAME")]
    region: Option<String>,
    /// Service-tag data to use instead of the built-in table
    #[arg(long, value_name = "FILE")]
    service_tags: Option<String>,
    /// The answer's format (json: Network Watcher's NSG-diagnostics shape)
    #[arg(long, value_enum, default_value_t = ShortFormat::Text)]
    format: ShortFormat,
    /// The documents with the NSGs (a path each, or - for standard input)
    #[arg(value_name = "FILE", required = true)]
    files: Vec<String>,
}

/// `check --format`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
    Sarif,
    Markdown,
}

/// `rules --format`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RulesFormat {
    Text,
    Json,
    Markdown,
}

/// `explain-error --format` and `flow --format`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ShortFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    // Arguments that are not UTF-8 are a usage error, not a panic.
    let mut args = vec![std::ffi::OsString::from("amlvnet")];
    for arg in std::env::args_os().skip(1) {
        if let Err(raw) = arg.clone().into_string() {
            eprintln!("amlvnet: the argument `{}` is not valid UTF-8; rename the file or pass it on standard input (-)", raw.to_string_lossy());
            return ExitCode::from(2);
        }
        args.push(arg);
    }
    // Usage errors exit 2 with clap's message; --help and --version exit 0.
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Check(a) => check(a),
        Command::Rules { format } => rules(format),
        Command::Explain { id } => explain(&id),
        Command::ExplainError { format, file } => explain_error(format, file.as_deref()),
        Command::Flow(a) => flow(a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("amlvnet: {message}");
            ExitCode::from(2)
        }
    }
}

fn check(args: CheckArgs) -> Result<u8, String> {
    // The scenario's spellings are the core's (`Options::set`, one parser for every front end).
    let mut opts = Options::default();
    for (name, value) in [("compute", &args.compute), ("public-ip", &args.public_ip), ("region", &args.region), ("profile", &args.profile)] {
        if let Some(value) = value {
            opts.set(name, value).map_err(|expected| format!("--{name} `{value}`: {expected}"))?;
        }
    }
    let files: Vec<&str> = args.files.iter().map(String::as_str).collect();
    let service_tags = args.service_tags;
    let documents = read_documents(&files, service_tags.as_deref())?;
    let report = amlvnet::check(&documents, &opts);
    if let Some(file) = &service_tags {
        if report.service_tags.source != *file {
            return Err(format!(
                "--service-tags {file}: not service-tag data (expected the published ServiceTags_Public_*.json or `az network list-service-tags` output)"
            ));
        }
    }
    let output = match args.format {
        Format::Json => json::report(&report).pretty() + "\n",
        Format::Sarif => sarif::render(&report, catalogue()).pretty() + "\n",
        Format::Markdown => markdown::render(&report),
        Format::Text => {
            let use_color = match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
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

fn flow(args: FlowArgs) -> Result<u8, String> {
    for (flag, value) in [("--direction", &args.direction), ("--protocol", &args.protocol), ("--from", &args.from), ("--to", &args.to), ("--port", &args.port)]
    {
        if value.trim().is_empty() {
            return Err(format!("flow needs a value for {flag} (see amlvnet flow --help)"));
        }
    }
    let query = amlvnet::flow::Query {
        direction: args.direction,
        protocol: args.protocol,
        from: args.from,
        to: args.to,
        port: args.port,
        source_port: args.source_port.unwrap_or_default(),
        region: args.region,
    };
    let files: Vec<&str> = args.files.iter().map(String::as_str).collect();
    let (format, service_tags) = (args.format, args.service_tags);
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
        ShortFormat::Json => json::flow_diagnosis(&diagnosis).pretty() + "\n",
        ShortFormat::Text => text::flow_diagnosis(&diagnosis),
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

fn rules(format: RulesFormat) -> Result<u8, String> {
    let checks = catalogue();
    let output = match format {
        RulesFormat::Json => json::catalogue(catalogue()).pretty() + "\n",
        RulesFormat::Markdown => markdown::catalogue(checks),
        RulesFormat::Text => checks.iter().map(|c| format!("{:<13} {:<8} {:<48} {}\n", c.id, c.severity.as_str(), c.name, c.title)).collect(),
    };
    write_out(&output)?;
    Ok(0)
}

fn explain(id: &str) -> Result<u8, String> {
    let check = find(id).ok_or_else(|| format!("no check `{id}`; `amlvnet rules` lists them"))?;
    write_out(&markdown::explain(check))?;
    Ok(0)
}

fn explain_error(format: ShortFormat, file: Option<&str>) -> Result<u8, String> {
    let text = match file {
        None | Some("-") => {
            let mut bytes = Vec::new();
            std::io::stdin().read_to_end(&mut bytes).map_err(|e| format!("standard input: {e}"))?;
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Some(path) => String::from_utf8_lossy(&std::fs::read(path).map_err(|e| format!("{path}: {e}"))?).into_owned(),
    };
    let matches = amlvnet::rules::errors::explain_error(&text);
    let output = match format {
        ShortFormat::Json => amlvnet::rules::errors::to_json(&matches).pretty() + "\n",
        ShortFormat::Text => amlvnet::rules::errors::to_text(&matches),
    };
    write_out(&output)?;
    Ok(if matches.is_empty() { 1 } else { 0 })
}
