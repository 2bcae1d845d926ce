//! `cors-lint [check] [PATH…]` and `cors-lint rule`.

pub(crate) mod check;
mod completions;
mod convert;
mod diff;
mod fmt;
mod rule;
mod simulate;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "cors-lint",
    version = env!("CORS_LINT_VERSION"),
    about = "Static CORS config linter and policy compiler",
    long_about = "Static CORS config linter and policy compiler.\n\n\
        `cors-lint PATH…` is `cors-lint check PATH…`. A path spelled like a subcommand \
        is given as `./check` or `./rule`.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    check: CheckArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Lint files and directories (the default subcommand)
    Check(CheckArgs),
    /// Show a rule's documentation, or a table of every rule
    #[command(visible_alias = "explain")]
    Rule(RuleArgs),
    /// Show what the configured server answers to one fetch() and whether a browser lets the
    /// page read it
    Simulate(simulate::SimulateArgs),
    /// Compare the effective CORS of two configurations (any dialects): which calls a
    /// browser may make after that it could not before, and the reverse (exit 1 if widened)
    Diff(diff::DiffArgs),
    /// Write each CORS policy of a file in another dialect, normalized, and check that
    /// browsers may make exactly the same calls (exit 1 otherwise; nothing written)
    Convert(convert::ConvertArgs),
    /// Rewrite CORS values in place into their dialect's normalized form (method case, list
    /// spacing and order, standard header spelling, explicit defaults), never changing what
    /// browsers may do
    Fmt(fmt::FmtArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell) to stdout
    Completions(completions::CompletionsArgs),
    /// Run the language server (LSP over standard input and output) for editors
    Server,
    /// Print the version
    Version,
}

#[derive(Args, Debug, Default)]
pub struct CheckArgs {
    /// Files or directories to lint; directories are walked (honouring .gitignore)
    #[arg(
        value_name = "PATH",
        default_value = ".",
        default_value_if("stdin_filename", clap::builder::ArgPredicate::IsPresent, None)
    )]
    pub paths: Vec<PathBuf>,

    /// Read the file from standard input and lint it as if it were at NAME (its name and
    /// content decide the dialect; findings name it); the only PATH allowed is `-`
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,

    /// Walk directories whole: also hidden files and what .gitignore/.ignore exclude (never
    /// .git itself)
    #[arg(long)]
    pub no_ignore: bool,

    /// Output format
    #[arg(long, visible_alias = "output-format", value_enum, default_value_t = Format::Full)]
    pub format: Format,

    /// Hide findings below this severity (`-S warning` shows warnings and errors)
    #[arg(long, short = 'S', value_enum, value_name = "SEVERITY")]
    pub min_severity: Option<FailOn>,

    /// When to use colours in the full format (NO_COLOR is honoured by `auto`)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Only run these rules (codes, prefixes such as `CORS`, or `ALL`; comma-separated)
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    pub select: Vec<String>,

    /// Do not run these rules (codes or prefixes; comma-separated)
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    pub ignore: Vec<String>,

    /// Report these rules as warnings (codes or prefixes; comma-separated)
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    pub warn: Vec<String>,

    /// Also run these rules, on top of the selection (codes or prefixes; comma-separated)
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    pub extend_select: Vec<String>,

    /// Lowest severity that makes the run fail (exit 1; default `warning`, or `fail-on` of
    /// cors-lint.toml)
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Use this configuration file for every path instead of the closest `cors-lint.toml`
    #[arg(long, value_name = "PATH", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,

    /// Ignore every `cors-lint.toml`
    #[arg(long)]
    pub isolated: bool,

    /// Exit 0 even when findings are reported (input errors still exit 2)
    #[arg(long)]
    pub exit_zero: bool,

    /// Apply the safe fixes rules offer, in place (atomically), then report what remains
    #[arg(long)]
    pub fix: bool,

    /// With --fix or --diff, also apply fixes that change behaviour
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Show the fixes as a unified diff instead of writing them
    #[arg(long)]
    pub diff: bool,

    /// Write a `# cors-lint: ignore[CODE] …` comment before every line with findings, to
    /// adopt cors-lint on an existing tree (review the comments; each says so)
    #[arg(long, conflicts_with_all = ["fix", "diff", "stdin_filename"])]
    pub add_noqa: bool,

    #[command(flatten)]
    pub server: ServerArgs,

    /// Say which configuration files govern the run, which files were read as which
    /// dialect, and which were skipped and why
    #[arg(long, short)]
    pub verbose: bool,

    /// Write the report to FILE (replaced atomically) instead of standard output
    #[arg(long = "output-file", short = 'o', value_name = "FILE")]
    pub output_file: Option<PathBuf>,

    /// Print how many findings each code has (`COUNT<TAB>CODE<TAB>name`, most first) instead
    /// of the findings; a JSON array of `{code, name, count}` with `--format json`
    #[arg(long)]
    pub statistics: bool,

    /// Print nothing but errors; the exit code still tells the outcome
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,

    /// List the files cors-lint would lint (those it reads), one per line, and stop
    #[arg(long, conflicts_with_all = ["fix", "diff", "statistics"])]
    pub show_files: bool,

    /// Print the settings that govern the first path (or `.`), and the file they came from
    #[arg(long, conflicts_with_all = ["fix", "diff", "statistics", "show_files"])]
    pub show_settings: bool,
}

/// What the file alone does not say about how the server runs.
#[derive(Args, Debug, Default, Clone)]
pub struct ServerArgs {
    /// Environment the server runs with, for `$$NAME$$` and `TS_*` overrides
    /// (repeatable; variables not given are unset)
    #[arg(long = "env", value_name = "NAME=VALUE")]
    pub env: Vec<String>,

    /// Take the server's environment from this process's environment (plus any --env)
    #[arg(long)]
    pub env_from_process: bool,

    /// TorchServe runs with `--disable-token-auth`
    #[arg(long)]
    pub ts_disable_token_auth: bool,

    /// TorchServe runs with `--enable-model-api`
    #[arg(long)]
    pub ts_enable_model_api: bool,

    /// The server release to model, e.g. `nginx=1.22`, `ingress-nginx=1.12` or `traefik=3.6.21`
    /// (repeatable; default: the newest release cors-lint knows, nginx 1.31.4, ingress-nginx
    /// 1.15.1, Traefik 3.7.15)
    #[arg(long = "assume-version", value_name = "DIALECT=VERSION")]
    pub assume_version: Vec<String>,

    /// nginx's configuration prefix, against which relative `include` paths resolve
    /// (default: the directory of the linted file, or of the `nginx.conf` above a `conf.d/`)
    #[arg(long = "nginx-prefix", value_name = "DIR")]
    pub nginx_prefix: Option<std::path::PathBuf>,
}

#[derive(Args, Debug)]
struct RuleArgs {
    /// Rule code (e.g. CORS001) or name
    #[arg(value_name = "CODE", required_unless_present = "all")]
    code: Option<String>,
    /// List every rule
    #[arg(long, conflicts_with = "code")]
    all: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = RuleFormat::Text)]
    format: RuleFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Graphical report with source excerpts (miette)
    #[default]
    Full,
    /// One line per finding: PATH:LINE:COL: SEVERITY[CODE] message, then the summary
    Concise,
    /// JSON array of findings
    Json,
    /// One JSON object per finding per line
    JsonLines,
    /// SARIF 2.1.0 log, for code scanning (e.g. GitHub's upload-sarif)
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…`), one annotation per finding
    Github,
    /// JUnit XML: one test case per file, one failure per finding
    Junit,
    /// GitLab Code Quality (Code Climate issues)
    Gitlab,
    /// Checkstyle XML
    Checkstyle,
    /// reviewdog's Diagnostic Format (rdjson)
    Rdjson,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum FailOn {
    Error,
    #[default]
    Warning,
    Info,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RuleFormat {
    /// The rule's docs for a terminal (`--all`: a table)
    Text,
    /// The metadata as JSON
    Json,
    /// The rule's documentation page, as in `docs/rules/CODE.md` (`--all`: the index page)
    Markdown,
}

/// Parse the command line and run; returns the process exit code.
pub fn main() -> i32 {
    if let Some(message) = mistyped_subcommand(std::env::args_os().nth(1)) {
        eprintln!("{message}");
        return 2;
    }
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match cli.command {
        Some(Command::Check(args)) => check::run(&args),
        Some(Command::Rule(args)) => rule::run(args.code.as_deref(), args.all, args.format),
        Some(Command::Simulate(args)) => simulate::run(&args),
        Some(Command::Diff(args)) => diff::run(&args),
        Some(Command::Convert(args)) => convert::run(&args),
        Some(Command::Fmt(args)) => fmt::run(&args),
        Some(Command::Completions(args)) => completions::run(&args),
        Some(Command::Server) => crate::server::run(),
        Some(Command::Version) => {
            println!("cors-lint {}", env!("CORS_LINT_VERSION"));
            0
        }
        None => check::run(&cli.check),
    }
}

/// A first argument that names no file but is a near miss of a subcommand (`chekc`): said,
/// rather than linted as a missing path.
fn mistyped_subcommand(first: Option<std::ffi::OsString>) -> Option<String> {
    let first = first?.into_string().ok()?;
    if first.starts_with('-') || first.contains(['/', '.']) || std::path::Path::new(&first).exists()
    {
        return None;
    }
    let names: Vec<String> = <Cli as clap::CommandFactory>::command()
        .get_subcommands()
        .flat_map(|c| {
            std::iter::once(c.get_name().to_string())
                .chain(c.get_visible_aliases().map(str::to_string))
        })
        .collect();
    if names.contains(&first) {
        return None;
    }
    let (_, near) = crate::spelling::closest(&first, names.iter().map(String::as_str), 2)?;
    Some(format!(
        "error: `{first}` is neither a file nor a subcommand; did you mean `{near}`?\n(a path \
         spelled like a subcommand is given as `./{first}`)"
    ))
}

pub use check::{build_options, build_settings, run as run_check};
