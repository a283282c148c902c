//! The command line: parse arguments, call the library, set the exit code.
//! 0: nothing at or above `--fail-on`; 1: findings at or above it; 2: usage, configuration or
//! internal error.

use clap::{Parser, Subcommand, ValueEnum};
use faaslint::config::Overrides;
use faaslint::diagnostic::Severity;
use faaslint::render::{self, Format};
use faaslint::{rules, CheckOptions};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

// mimalloc: the front ends allocate many small nodes from several threads. Against glibc malloc
// a run over 10,000 generated services took 8% less time for 4% more peak memory.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "faaslint",
    version,
    about = "A static analyzer for serverless applications"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint files or folders (default: the current folder)
    Check(CheckArgs),
    /// Print a rule's document, or the table of rules
    Rule {
        /// A rule code (FL501) or name (missing-snapstart)
        code: Option<String>,
    },
    /// Run the language server on standard input and output
    Lsp,
    /// Print the event graph: what triggers each function, what its code writes to or invokes
    Graph(GraphArgs),
}

#[derive(clap::Args)]
struct GraphArgs {
    /// Files or folders to read
    paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = GraphFormatArg::Mermaid)]
    format: GraphFormatArg,
    /// Only this function (by logical id or name) and what it is connected to
    #[arg(long, value_name = "NAME")]
    function: Option<String>,
    /// Leave out the edges read from handler code (writes and invokes)
    #[arg(long)]
    no_code_edges: bool,
    /// Use this configuration file instead of discovering faaslint.toml
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Threads to read and parse files with (default: one per CPU)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphFormatArg {
    Json,
    Mermaid,
    Dot,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files or folders to lint
    paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    format: FormatArg,
    /// Write the output to FILE instead of standard output
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Use this configuration file instead of discovering faaslint.toml
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Rule codes, prefixes or names to report (replaces `select` from the configuration)
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    select: Option<Vec<String>>,
    /// Rule codes, prefixes or names not to report (added to `ignore` from the configuration)
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    ignore: Vec<String>,
    /// Exit with status 1 when a finding has this severity or higher
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    fail_on: FailOn,
    /// Read the file's text from standard input and report it under NAME
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<PathBuf>,
    /// Never color the output
    #[arg(long)]
    no_color: bool,
    /// Threads to read and parse files with (default: one per CPU)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Human,
    Concise,
    Json,
    Sarif,
    Github,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// tree-sitter's C parsers allocate a node per token through `malloc`: routed to mimalloc like
/// the rest of the program (on the Java and C# handlers of serverless-patterns, the system
/// allocator's page clearing and bookkeeping were a sixth of the parse).
fn tree_sitter_on_mimalloc() {
    // SAFETY: called once, before any tree-sitter object exists; the four functions are
    // mimalloc's thread-safe malloc family, and what one allocates the other frees.
    unsafe {
        tree_sitter::set_allocator(
            Some(libmimalloc_sys::mi_malloc),
            Some(libmimalloc_sys::mi_calloc),
            Some(libmimalloc_sys::mi_realloc),
            Some(libmimalloc_sys::mi_free),
        );
    }
}

fn main() -> ExitCode {
    tree_sitter_on_mimalloc();
    // A bug of ours (or of a parser we use) is reported in one line, not a backtrace; a panic
    // caught around one file's parser leaves the run going.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("faaslint: internal error (please report it): {info}");
    }));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check(args),
        Command::Rule { code } => rule(code.as_deref()),
        Command::Graph(args) => graph(args),
        Command::Lsp => {
            thread_pool(None).and_then(|()| faaslint::lsp::run_stdio().map(|()| ExitCode::SUCCESS))
        }
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("faaslint: error: {message}");
            ExitCode::from(2)
        }
    }
}

/// Stack of each thread that parses: the front ends recurse on nested syntax (to the depth
/// they accept), and a debug build's frames are large.
const PARSER_STACK_BYTES: usize = 16 << 20;

/// The threads that read and check files: `threads` of them, or one per core.
fn thread_pool(threads: Option<u16>) -> Result<(), String> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.map_or(0, usize::from))
        .stack_size(PARSER_STACK_BYTES)
        .build_global()
        .map_err(|e| format!("cannot start the threads: {e}"))
}

fn graph(args: GraphArgs) -> Result<ExitCode, String> {
    thread_pool(args.threads)?;
    let options = CheckOptions {
        paths: args.paths,
        config: args.config,
        ..CheckOptions::default()
    };
    let report = faaslint::check(&options).map_err(|e| e.to_string())?;
    for note in &report.notes {
        eprintln!("faaslint: note: {note}");
    }
    if let Some(name) = &args.function {
        if !report
            .graph
            .nodes
            .iter()
            .any(|n| n.function.is_some() && n.name == *name)
        {
            return Err(format!("no function named `{name}` in the templates read"));
        }
    }
    let format = match args.format {
        GraphFormatArg::Json => render::graph::GraphFormat::Json,
        GraphFormatArg::Mermaid => render::graph::GraphFormat::Mermaid,
        GraphFormatArg::Dot => render::graph::GraphFormat::Dot,
    };
    let focus = render::graph::Focus {
        function: args.function,
        code_edges: !args.no_code_edges,
    };
    print!("{}", render::graph::render(&report, format, &focus));
    Ok(ExitCode::SUCCESS)
}

fn check(args: CheckArgs) -> Result<ExitCode, String> {
    thread_pool(args.threads)?;
    let stdin = match &args.stdin_filename {
        Some(name) => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            Some((name.clone(), bytes))
        }
        None => None,
    };
    let options = CheckOptions {
        paths: args.paths,
        config: args.config,
        overrides: Overrides {
            select: args.select,
            ignore: args.ignore,
        },
        stdin,
        ..CheckOptions::default()
    };
    let report = faaslint::check(&options).map_err(|e| e.to_string())?;
    for note in &report.notes {
        eprintln!("faaslint: note: {note}");
    }
    let format = match args.format {
        FormatArg::Human => Format::Human,
        FormatArg::Concise => Format::Concise,
        FormatArg::Json => Format::Json,
        FormatArg::Sarif => Format::Sarif,
        FormatArg::Github => Format::Github,
    };
    let color = args.output.is_none()
        && !args.no_color
        && std::env::var_os("NO_COLOR").is_none()
        && std::io::stdout().is_terminal();
    let text = render::render(&report, format, color);
    match &args.output {
        Some(path) => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
            }
            std::fs::write(path, text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`faaslint check | head`) is not an error worth a status 2.
            let _ = stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush());
        }
    }
    let failed = args
        .fail_on
        .threshold()
        .is_some_and(|threshold| report.diagnostics.iter().any(|d| d.severity >= threshold));
    Ok(ExitCode::from(u8::from(failed)))
}

fn rule(code: Option<&str>) -> Result<ExitCode, String> {
    let mut out = String::new();
    match code {
        Some(code) => {
            let rule = rules::find(code).ok_or_else(|| {
                format!("unknown rule `{code}`; run `faaslint rule` for the list")
            })?;
            out.push_str(rule.doc);
        }
        None => {
            out.push_str(&format!(
                "{:<7}{:<28}{:<10}{}\n",
                "code", "name", "severity", "summary"
            ));
            for rule in rules::RULES {
                out.push_str(&format!(
                    "{:<7}{:<28}{:<10}{}\n",
                    rule.code,
                    rule.name,
                    rule.default_severity.as_str(),
                    rule.summary
                ));
            }
        }
    }
    let _ = std::io::stdout().write_all(out.as_bytes());
    Ok(ExitCode::SUCCESS)
}
