//! `cors-lint check`: lint paths, print findings, compute the exit code.

use super::{CheckArgs, ColorChoice, FailOn, Format, ServerArgs};
use crate::config;
use crate::finding::Severity;
use crate::frontend::{Env, Options};
use crate::lint::{self, FileReport, Outcome, Settings};
use crate::report;
use crate::selection::Selection;
use crate::walk;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};

/// Exit codes: 0 clean, 1 findings at or above `--fail-on`, 2 usage or input errors.
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

/// Front-end options from the command line; `Err` is a usage error.
pub fn build_options(args: &ServerArgs) -> Result<Options, String> {
    let env = if args.env.is_empty() && !args.env_from_process {
        Env::Unknown
    } else {
        let mut vars: BTreeMap<String, String> = BTreeMap::new();
        if args.env_from_process {
            for (k, v) in std::env::vars_os() {
                vars.insert(
                    k.to_string_lossy().into_owned(),
                    v.to_string_lossy().into_owned(),
                );
            }
        }
        for pair in &args.env {
            match pair.split_once('=') {
                Some((name, value)) if !name.is_empty() => {
                    vars.insert(name.to_string(), value.to_string());
                }
                _ => return Err(format!("--env expects NAME=VALUE, got `{pair}`")),
            }
        }
        Env::Known(vars)
    };
    let mut nginx_version = None;
    let mut ingress_nginx_version = None;
    let mut gateway_api_version = None;
    let mut traefik_version = None;
    let mut gateway_api_implementation = None;
    for pair in &args.assume_version {
        let (dialect, version) = pair
            .split_once('=')
            .ok_or_else(|| format!("--assume-version expects DIALECT=VERSION, got `{pair}`"))?;
        if let Some(implementation) =
            crate::frontend::gateway_api::implementation::from_flag(dialect, version)
        {
            gateway_api_implementation = Some(implementation?);
            continue;
        }
        match dialect {
            "nginx" => {
                nginx_version = Some(
                    crate::frontend::nginx::headers::Version::parse(version).ok_or_else(|| {
                        format!("--assume-version nginx={version}: expected a version such as 1.22 or 1.29.3")
                    })?,
                )
            }
            "ingress-nginx" => {
                use crate::frontend::ingress::controller::Version as Controller;
                let v = Controller::parse(version).ok_or_else(|| {
                    format!("--assume-version ingress-nginx={version}: expected a controller version such as 1.12 or 1.15.1")
                })?;
                if v < Controller::OLDEST || v > Controller::NEWEST {
                    return Err(format!(
                        "--assume-version ingress-nginx={version}: cors-lint models controller releases {} to {} \
                         (annotation validation, which decides what an invalid value becomes, arrived in {})",
                        Controller::OLDEST,
                        Controller::NEWEST,
                        Controller::OLDEST
                    ));
                }
                ingress_nginx_version = Some(v);
            }
            "gateway-api" => {
                use crate::frontend::gateway_api::Version;
                let v = Version::parse(version)
                    .filter(|v| *v >= Version::OLDEST && *v <= Version::NEWEST)
                    .ok_or_else(|| {
                        format!(
                            "--assume-version gateway-api={version}: expected a Gateway API release from {} to {}, such as 1.4",
                            Version::OLDEST,
                            Version::NEWEST
                        )
                    })?;
                gateway_api_version = Some(v);
            }
            "traefik" => {
                use crate::frontend::traefik::Version as Traefik;
                let v = Traefik::parse(version).ok_or_else(|| {
                    format!("--assume-version traefik={version}: expected a version such as 3.6 or 3.7.15")
                })?;
                if v < Traefik::OLDEST || v > Traefik::NEWEST {
                    return Err(format!(
                        "--assume-version traefik={version}: cors-lint models Traefik releases {} to {}",
                        Traefik::OLDEST,
                        Traefik::NEWEST
                    ));
                }
                traefik_version = Some(v);
            }
            other => {
                return Err(format!(
                    "--assume-version {other}=…: cors-lint models no versions of `{other}` (known: nginx, ingress-nginx, gateway-api, traefik, and the Gateway API implementations envoy-gateway, istio, nginx-gateway-fabric)"
                ));
            }
        }
    }
    Ok(Options {
        env,
        ts_disable_token_auth: args.ts_disable_token_auth,
        ts_enable_model_api: args.ts_enable_model_api,
        nginx_version,
        nginx_prefix: args.nginx_prefix.clone(),
        ingress_nginx_version,
        gateway_api_version,
        gateway_api_implementation,
        traefik_version,
    })
}

/// Settings from the command line alone; `Err` is a usage error.
pub fn build_settings(args: &CheckArgs) -> Result<Settings, String> {
    let mut select = if args.select.is_empty() {
        vec![crate::selection::DEFAULT.to_string()]
    } else {
        args.select.clone()
    };
    select.extend(args.extend_select.iter().cloned());
    Ok(Settings {
        options: build_options(&args.server)?,
        selection: Selection::new(&select, &args.ignore, &args.warn)?
            .with_min_severity(args.min_severity.map(severity_of)),
        org_policy: None,
    })
}

pub(crate) mod crossref;
mod fix;
mod kept;
mod noqa;
mod once;
pub(crate) mod project;
mod show;

use kept::{Kept, PerFile};

/// A configuration's mistakes, shown like any other input error (with the file's bytes).
fn config_error_report(e: config::ConfigError) -> FileReport {
    let source = e.source();
    let findings = std::iter::once((e.span, e.message))
        .chain(e.also)
        .map(|(span, message)| {
            let mut f = walk_error("");
            f.message = format!("invalid configuration: {message}");
            f.span = span;
            f
        })
        .collect();
    FileReport {
        path: e.path,
        source: Some(source),
        findings,
        outcome: Outcome::Failed,
        included: Vec::new(),
        objects: Default::default(),
        suppressions: Vec::new(),
    }
}

pub fn run(args: &CheckArgs) -> i32 {
    if args.stdin_filename.is_none()
        && let Some(dash) = args.paths.iter().find(|p| p.as_os_str() == "-")
    {
        eprintln!(
            "error: `{}` reads standard input only with --stdin-filename NAME (the name decides the dialect)",
            dash.display()
        );
        return EXIT_ERROR;
    }
    if args.show_settings {
        return show_settings(args);
    }
    let setup = (|| {
        let mut project = project::Project::new(args)?;
        let here = project.governing(std::path::Path::new("."))?;
        let fail_on = project.fail_on()?;
        // Standard input is linted as the file it names, under that file's configuration.
        let stdin = match &args.stdin_filename {
            Some(name) => project.governing(name)?,
            None => here.clone(),
        };
        let mut governed = Vec::new();
        let paths: &[std::path::PathBuf] = if args.stdin_filename.is_some() {
            &[]
        } else {
            &args.paths
        };
        // A walked file a `[dialects]` glob names is offered whatever its extension.
        let mut named_by_config = |p: &std::path::Path| {
            project
                .governing(p)
                .ok()
                .and_then(|g| g.config.as_ref().and_then(|cfg| cfg.dialect_for(p)))
                .is_some()
        };
        let candidates = walk::expand_offering(paths, args.no_ignore, &mut named_by_config);
        for c in candidates {
            let g = project.governing(&c.path)?;
            // A walked file the configuration excludes is not linted; one named is.
            if !c.explicit && g.config.as_ref().is_some_and(|cfg| cfg.excludes(&c.path)) {
                continue;
            }
            governed.push((c, g));
        }
        Ok((here, fail_on, stdin, governed))
    })();
    let (here, fail_on, governed_stdin, governed) = match setup {
        Ok(x) => x,
        Err(project::SetupError::Usage(e)) => {
            eprintln!("error: {e}");
            return EXIT_ERROR;
        }
        Err(project::SetupError::Config(e)) => {
            // Reported like an unreadable file, in the chosen format.
            let r = config_error_report(e);
            print!("{}", render(std::slice::from_ref(&r), args));
            return EXIT_ERROR;
        }
    };
    if let Some(name) = &args.stdin_filename {
        return match read_stdin(args) {
            Ok(bytes) => {
                let shown = name.to_string_lossy().into_owned();
                let dialect = governed_stdin
                    .config
                    .as_ref()
                    .and_then(|cfg| cfg.dialect_for(name));
                // An editor reads back the whole buffer, so `--fix` keeps the input to echo.
                let original = (args.fix && !args.diff).then(|| bytes.clone());
                let report = lint::lint_named_bytes_as(
                    name,
                    shown.clone(),
                    bytes,
                    &governed_stdin.settings,
                    dialect,
                );
                if args.fix || args.diff {
                    let cx = (&governed_stdin.settings, dialect, fail_on);
                    return fix_stdin(args, report, original, cx);
                }
                finish_with(
                    args,
                    &here.settings,
                    vec![Kept::Whole(Box::new(report))],
                    &[shown],
                    fail_on,
                )
            }
            Err(e) => {
                eprintln!("error: {e}");
                EXIT_ERROR
            }
        };
    }
    if args.verbose {
        name_configurations(&here, governed.iter().map(|(_, g)| g));
    }
    let settings = &here.settings;
    let explicit: Vec<String> = governed
        .iter()
        .filter(|(c, _)| c.explicit)
        .map(|(c, _)| c.shown.clone())
        .collect();
    let per_file = per_file_format(args);
    let kept: Vec<Kept> = governed
        .par_iter()
        .map(|(c, g)| match &c.error {
            Some(e) => FileReport {
                path: c.shown.clone(),
                source: None,
                findings: vec![walk_error(e)],
                outcome: Outcome::Failed,
                included: Vec::new(),
                objects: Default::default(),
                suppressions: Vec::new(),
            },
            None => {
                let dialect = g.config.as_ref().and_then(|cfg| cfg.dialect_for(&c.path));
                let mut r = lint::lint_path_as(&c.path, c.shown.clone(), &g.settings, dialect);
                if let Some(cfg) = &g.config {
                    let off = cfg.ignored_for(&c.path);
                    if !off.is_empty() {
                        let sel = crate::selection::Selection::new(&off, &[], &[])
                            .expect("checked when the configuration was read");
                        r.findings
                            .retain(|f| f.code == "CL000" || !sel.enabled(f.code));
                    }
                }
                r
            }
        })
        .map(|r| Kept::new(r, per_file))
        .collect();
    if args.show_files {
        for k in with_included(kept) {
            if matches!(k.outcome(), Outcome::Linted { .. }) {
                println!("{}", k.path());
            }
        }
        return 0;
    }
    finish_with(args, settings, kept, &explicit, fail_on)
}

/// `--fix`/`--diff` of standard input, for editors: the fixed text (or the diff) on
/// standard output, what remains on standard error in the chosen format.
fn fix_stdin(
    args: &CheckArgs,
    report: FileReport,
    original: Option<Vec<u8>>,
    (settings, dialect, fail_on): (&Settings, Option<crate::frontend::Dialect>, FailOn),
) -> i32 {
    let fixed = fix::fixed(&report, args, settings);
    let mut stdout = std::io::stdout().lock();
    let remaining = match fixed {
        Some((bytes, _)) if args.diff => {
            let _ = stdout.write_all(fix::diff(&report, &bytes).as_bytes());
            report
        }
        Some((bytes, _)) => {
            let _ = stdout.write_all(&bytes);
            let name = std::path::PathBuf::from(&report.path);
            lint::lint_named_bytes_as(&name, report.path.clone(), bytes, settings, dialect)
        }
        None => {
            if !args.diff {
                let _ = stdout.write_all(original.as_deref().unwrap_or_default());
            }
            report
        }
    };
    let _ = stdout.flush();
    let shown = vec![Kept::Whole(Box::new(remaining))];
    let code = exit_code(&shown, fail_on, args.exit_zero);
    if !args.quiet {
        let mut text = Vec::new();
        write_report(&mut text, shown, args);
        let _ = std::io::stderr().lock().write_all(&text);
    }
    code
}

/// `--show-settings`: the settings governing the first path (or `.`).
fn show_settings(args: &CheckArgs) -> i32 {
    let path = match (&args.stdin_filename, args.paths.first()) {
        (Some(name), _) => name.clone(),
        (None, Some(p)) => p.clone(),
        (None, None) => std::path::PathBuf::from("."),
    };
    let governed = project::Project::new(args).and_then(|mut p| p.governing(&path));
    match governed {
        Ok(g) => {
            print!("{}", show::settings(&path, &g, args));
            0
        }
        Err(project::SetupError::Usage(e)) => {
            eprintln!("error: {e}");
            EXIT_ERROR
        }
        Err(project::SetupError::Config(e)) => {
            let r = config_error_report(e);
            print!("{}", render(std::slice::from_ref(&r), args));
            EXIT_ERROR
        }
    }
}

/// `--verbose`: which configuration files govern the run (or that none does).
fn name_configurations<'a>(
    here: &'a project::Governed,
    governed: impl Iterator<Item = &'a std::sync::Arc<project::Governed>>,
) {
    let mut files: Vec<&std::path::Path> = std::iter::once(here)
        .chain(governed.map(|g| &**g))
        .filter_map(|g| g.config.as_ref().map(|c| c.path.as_path()))
        .collect();
    files.sort();
    files.dedup();
    if files.is_empty() {
        eprintln!("note: no configuration file; built-in defaults apply");
    }
    for f in files {
        eprintln!("note: configuration: {}", f.display());
    }
}

/// `--stdin-filename`: the paths may only be `-` (or none), and nothing is written back.
fn read_stdin(args: &CheckArgs) -> Result<Vec<u8>, String> {
    if let Some(p) = args.paths.iter().find(|p| p.as_os_str() != "-") {
        return Err(format!(
            "with --stdin-filename the file is read from standard input; `{}` is not `-`",
            p.display()
        ));
    }
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(lint::MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    if bytes.len() as u64 > lint::MAX_FILE_BYTES {
        return Err(format!(
            "standard input is over the {} MiB limit",
            lint::MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    Ok(bytes)
}

/// Resolve across files, fix, report; `explicit` are the files named on the command line,
/// whose skipping is always noted.
fn finish_with(
    args: &CheckArgs,
    settings: &Settings,
    kept: Vec<Kept>,
    explicit: &[String],
    fail_on: FailOn,
) -> i32 {
    let mut kept = with_included(kept);
    let (mut whole, rendered): (Vec<&mut Kept>, Vec<&mut Kept>) =
        kept.iter_mut().partition(|k| k.whole().is_some());
    let settled: Vec<(&str, &crate::frontend::Objects)> = rendered
        .iter()
        .filter_map(|k| k.rendered())
        .map(|r| (r.path.as_str(), &r.objects))
        .collect();
    let mut whole: Vec<&mut FileReport> = whole.iter_mut().filter_map(|k| k.whole_mut()).collect();
    let undecided = crossref::resolve(&mut whole, &settled, settings);
    once::keep_first(&mut whole);
    if args.fix || args.diff {
        match fix::apply(&mut whole, args, settings) {
            Ok(()) => {}
            Err(code) => return code,
        }
    }
    if args.add_noqa
        && let Err(code) = noqa::apply(&mut whole, settings, args.quiet)
    {
        return code;
    }

    let mut stderr = std::io::stderr().lock();
    // References the run cannot settle withdrew a finding: say so, where asked.
    if args.verbose {
        for note in &undecided {
            let _ = writeln!(stderr, "note: {note}");
        }
    }
    let mut linted = 0;
    for k in &kept {
        match k.outcome() {
            Outcome::Linted { dialect, because } => {
                linted += 1;
                if args.verbose {
                    let _ = writeln!(
                        stderr,
                        "note: {}: read as {} ({because})",
                        k.path(),
                        dialect.name()
                    );
                }
            }
            Outcome::Skipped { reason }
                if args.verbose || explicit.iter().any(|e| e == k.path()) =>
            {
                let _ = writeln!(stderr, "note: {}: skipped: {reason}", k.path());
            }
            _ => {}
        }
    }
    // Each skipped file already said why (explicit files always do).
    let noted = args.verbose
        || (!kept.is_empty() && kept.iter().all(|k| explicit.iter().any(|e| e == k.path())));
    let shown: Vec<Kept> = kept
        .into_iter()
        .filter(|k| !matches!(k.outcome(), Outcome::Skipped { .. }))
        .collect();
    if linted == 0 && shown.is_empty() && !args.quiet {
        let _ = writeln!(
            stderr,
            "warning: no files were linted: nothing under the given paths is a configuration cors-lint reads{}",
            if noted {
                ""
            } else {
                " (use --verbose to see why)"
            }
        );
    }

    let code = exit_code(&shown, fail_on, args.exit_zero);
    match &args.output_file {
        Some(path) => {
            let mut text = Vec::new();
            write_report(&mut text, shown, args);
            if let Err(e) = crate::fsutil::write_atomic(path, &text) {
                let _ = writeln!(
                    stderr,
                    "error: {}: cannot write the report: {e}",
                    path.display()
                );
                return EXIT_ERROR;
            }
        }
        None if args.quiet => {
            // Nothing on stdout, but a file that could not be read is still said, on stderr
            // (such files are always kept whole).
            for r in shown
                .iter()
                .filter_map(Kept::whole)
                .filter(|r| matches!(r.outcome, Outcome::Failed))
            {
                for f in r
                    .findings
                    .iter()
                    .filter(|f| f.code == crate::rules::CL000.code)
                {
                    let (start, _) = report::positions(r, f);
                    let _ = writeln!(
                        stderr,
                        "error: {}:{}:{}: {} {}",
                        r.path, start.line, start.column, f.code, f.message
                    );
                }
            }
        }
        None => {
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            write_report(&mut stdout, shown, args);
            let _ = stdout.flush();
        }
    }
    code
}

/// The report, written part by part for the per-file formats (no copy of the whole text).
fn write_report(out: &mut impl Write, shown: Vec<Kept>, args: &CheckArgs) {
    match per_file_format(args) {
        Some(format) => {
            let mut totals = report::Totals::default();
            for k in &shown {
                let _ = out.write_all(k.text(format).as_bytes());
                totals.add(k.totals());
            }
            let _ = out.write_all(format.trailer(totals).as_bytes());
        }
        None => {
            // Every file was kept whole for these formats.
            let reports: Vec<FileReport> = shown.into_iter().filter_map(Kept::into_whole).collect();
            let _ = out.write_all(render(&reports, args).as_bytes());
        }
    }
}

/// The format when it is a sequence of per-file parts (and nothing needs every report).
fn per_file_format(args: &CheckArgs) -> Option<PerFile> {
    if args.statistics || args.fix || args.diff || args.add_noqa {
        return None;
    }
    match args.format {
        Format::Full => Some(PerFile::Full(graphical_options(args))),
        Format::Concise => Some(PerFile::Concise(use_color(args.color))),
        Format::Github => Some(PerFile::Github),
        Format::Json
        | Format::JsonLines
        | Format::Sarif
        | Format::Junit
        | Format::Gitlab
        | Format::Checkstyle
        | Format::Rdjson => None,
    }
}

fn graphical_options(args: &CheckArgs) -> report::GraphicalOptions {
    report::GraphicalOptions {
        // `auto` means a terminal, which a report file never is.
        color: match (args.color, &args.output_file) {
            (ColorChoice::Auto, Some(_)) => false,
            (choice, _) => use_color(choice),
        },
        width: match &args.output_file {
            None => terminal_width().unwrap_or(report::GraphicalOptions::default().width),
            Some(_) => report::GraphicalOptions::default().width,
        },
    }
}

/// The terminal's width when standard output is one (clamped to stay readable).
fn terminal_width() -> Option<usize> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    let (terminal_size::Width(w), _) = terminal_size::terminal_size()?;
    Some(usize::from(w).clamp(60, 200))
}

/// The report in the chosen format (or the per-code counts with `--statistics`).
fn render(shown: &[FileReport], args: &CheckArgs) -> String {
    if args.statistics {
        return match args.format {
            Format::Json => report::statistics_json(shown),
            _ => report::statistics(shown),
        };
    }
    match args.format {
        Format::Full => report::graphical(shown, graphical_options(args)),
        Format::Concise => {
            let totals = report::totals(shown);
            let color = use_color(args.color);
            report::concise_with(shown, color) + &kept::PerFile::Concise(color).trailer(totals)
        }
        Format::Json => report::json(shown),
        Format::Sarif => report::sarif(shown),
        Format::Github => report::github(shown),
        Format::Junit => report::junit(shown),
        Format::JsonLines => report::json_lines(shown),
        Format::Gitlab => report::gitlab(shown),
        Format::Checkstyle => report::checkstyle(shown),
        Format::Rdjson => report::rdjson(shown),
    }
}

fn walk_error(message: &str) -> crate::finding::Finding {
    crate::finding::Finding {
        code: crate::rules::CL000.code.as_str(),
        name: crate::rules::CL000.name.as_str(),
        severity: Severity::Error,
        message: format!("cannot read: {message}"),
        note: None,
        help: None,
        span: Default::default(),
        label: "here".into(),
        related: Vec::new(),
        fix: None,
    }
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// The severity a `--fail-on`/`--min-severity` word names.
pub fn severity_of(level: FailOn) -> Severity {
    match level {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    }
}

pub fn exit_code(shown: &[Kept], fail_on: FailOn, exit_zero: bool) -> i32 {
    let threshold = severity_of(fail_on);
    if shown.iter().any(|k| matches!(k.outcome(), Outcome::Failed)) {
        return EXIT_ERROR;
    }
    let failing = shown
        .iter()
        .any(|k| k.worst().is_some_and(|s| s >= threshold));
    if failing && !exit_zero {
        EXIT_FINDINGS
    } else {
        0
    }
}

/// Each report followed by the files it included (nginx `include`), merged per file; a file
/// that some linted file includes is reported in that context, not on its own as well.
fn with_included(kept: Vec<Kept>) -> Vec<Kept> {
    let key = |path: &str| std::fs::canonicalize(path).unwrap_or_else(|_| path.into());
    // Only files kept whole include others.
    let included: std::collections::HashSet<std::path::PathBuf> = kept
        .iter()
        .filter_map(Kept::whole)
        .flat_map(|r| r.included.iter().map(|i| key(&i.path)))
        .collect();
    if included.is_empty() {
        return kept;
    }
    let mut out: Vec<Kept> = Vec::new();
    let mut seen: Vec<std::path::PathBuf> = Vec::new();
    for mut k in kept {
        let children = match &mut k {
            Kept::Whole(r) => std::mem::take(&mut r.included),
            Kept::Rendered(_) => Vec::new(),
        };
        if included.contains(&key(k.path())) {
            continue;
        }
        out.push(k);
        for c in children {
            let ck = key(&c.path);
            match seen.iter().position(|s| *s == ck) {
                Some(i) => {
                    // Already shown (always whole, as an included file): add what this
                    // inclusion found there.
                    let at = out.iter().position(|o| key(o.path()) == seen[i]);
                    if let Some(target) = at.and_then(|at| out[at].whole_mut()) {
                        let target = &mut target.findings;
                        for f in c.findings {
                            if !target.iter().any(|t| t.code == f.code && t.span == f.span) {
                                target.push(f);
                            }
                        }
                        target.sort_by_key(|f| (f.span.start, f.span.end, f.code));
                    }
                }
                None => {
                    seen.push(ck);
                    out.push(Kept::Whole(Box::new(c)));
                }
            }
        }
    }
    out
}
