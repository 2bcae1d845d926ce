//! `cors-lint convert IN --to TARGET [-o OUT]`: each policy of IN written in TARGET's
//! dialect, normalized — then read back with TARGET's own front end and compared with the
//! source over the browser's request space (`equiv`). Nothing is written unless the result
//! lets browsers make exactly the same calls (or only fewer, with `--allow-narrowing`).

use super::ServerArgs;
use super::check::build_options;
use crate::backend::nearest::{self, Direction};
use crate::backend::{self, Context, TARGETS};
use crate::equiv;
use crate::frontend::{self, Dialect, Options};
use crate::ir::CorsPolicy;
use crate::source::SourceFile;
use clap::Args;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Layout {
    Object,
    File,
}

#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// The configuration to convert
    input: PathBuf,
    /// The target dialect (torchserve, nginx, ingress-nginx, gateway-api, istio, envoy-gateway,
    /// traefik, kong)
    #[arg(long = "to", value_name = "TARGET")]
    to: String,
    /// Write the result here (atomically) instead of standard output
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: Option<PathBuf>,
    /// Accept a result that only ever blocks more calls than the source
    #[arg(long)]
    allow_narrowing: bool,
    /// Accept a result that allows calls the source blocks (every widened call is listed)
    #[arg(long)]
    allow_widening: bool,
    /// Kubernetes object name for Kubernetes targets (default `cors`)
    #[arg(long)]
    name: Option<String>,
    /// Kubernetes namespace for Kubernetes targets
    #[arg(long)]
    namespace: Option<String>,
    /// The Service an Ingress routes to, `NAME:PORT`
    #[arg(long)]
    service: Option<String>,
    /// The host an Ingress or route serves
    #[arg(long)]
    host: Option<String>,
    /// The Gateway an HTTPRoute attaches to
    #[arg(long)]
    gateway: Option<String>,
    /// The HTTPRoute an Envoy Gateway SecurityPolicy targets
    #[arg(long)]
    route: Option<String>,
    /// The form of the output: a Kubernetes object, or the target's configuration file
    /// (Traefik's file provider `dynamic.yml`, Kong's declarative `kong.yml`)
    #[arg(long, value_enum, default_value_t = Layout::Object)]
    format: Layout,
    #[command(flatten)]
    server: ServerArgs,
}

fn located(file: &SourceFile, span: crate::source::Span) -> String {
    let p = file.position(span.start);
    format!("{}:{}:{}", file.name(), p.line, p.column)
}

fn read(args: &ConvertArgs, options: &Options) -> Result<(SourceFile, Vec<CorsPolicy>), String> {
    let shown = args.input.to_string_lossy().into_owned();
    let bytes = std::fs::read(&args.input).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    let name = args
        .input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (dialect, _) = frontend::recognise(&name, &bytes)
        .map_err(|why| format!("{shown}: not a file cors-lint reads ({why})"))?;
    let file = SourceFile::new(shown, bytes, dialect.encoding());
    let lowered = frontend::lower(dialect, &file, options).map_err(|e| {
        format!(
            "{}: {}",
            e.span
                .map_or(file.name().to_string(), |s| located(&file, s)),
            e.message
        )
    })?;
    if lowered.policies.is_empty() {
        return Err(format!("{}: no CORS policy to convert", file.name()));
    }
    Ok((file, lowered.policies))
}

pub fn run(args: &ConvertArgs) -> i32 {
    let Some(target) = Dialect::from_name(&args.to).filter(|d| TARGETS.contains(d)) else {
        let known: Vec<&str> = TARGETS.iter().map(|d| d.name()).collect();
        eprintln!(
            "error: --to {}: no back end for it (targets: {})",
            args.to,
            known.join(", ")
        );
        return 2;
    };
    let options = match build_options(&args.server) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let (file, policies) = match read(args, &options) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    if target == Dialect::TorchServe && policies.len() > 1 {
        eprintln!(
            "error: {}: {} policies, and a TorchServe config.properties holds one",
            file.name(),
            policies.len()
        );
        return 2;
    }
    if args.format == Layout::File && !matches!(target, Dialect::Traefik | Dialect::Kong) {
        eprintln!(
            "error: --format file: only traefik (file provider) and kong (declarative kong.yml) have a configuration-file form; {} is written in its own form already",
            target.name()
        );
        return 2;
    }
    if args.format == Layout::File && target == Dialect::Kong && policies.len() > 1 {
        eprintln!(
            "error: {}: {} policies, and a kong.yml holds one global `cors` plugin (Kong refuses two); \
             write KongPlugin objects (the default --format) and attach each to its route",
            file.name(),
            policies.len()
        );
        return 2;
    }
    let cx = Context {
        file_format: args.format == Layout::File,
        name: args.name.clone(),
        namespace: args.namespace.clone(),
        service: args.service.clone(),
        host: args.host.clone(),
        gateway: args.gateway.clone(),
        route: args.route.clone(),
        target: options.clone(),
    };
    let mut texts = Vec::new();
    let mut widened = false;
    let mut narrowed = false;
    let mut report = String::new();
    let contexts = contexts(&cx, &policies);
    for (p, cx) in policies.iter().zip(contexts) {
        let converted = match convert_one(p, target, &cx, &file, args) {
            Ok(c) => c,
            Err(message) => {
                eprint!("{report}");
                eprintln!("error: {message}");
                return 2;
            }
        };
        report.push_str(&converted.report);
        widened |= converted.comparison.widens();
        narrowed |= converted.comparison.narrows();
        // Policies after the first share the configuration file's opening lines.
        let own = if texts.is_empty() {
            0
        } else {
            converted.emitted.own_part
        };
        texts.push(converted.emitted.text[own..].to_string());
    }
    eprint!("{report}");
    let ok = (!widened || args.allow_widening) && (!narrowed || args.allow_narrowing);
    if !ok {
        eprintln!(
            "error: the {} result would change which calls browsers allow (see above); nothing written{}",
            target.name(),
            if widened {
                ""
            } else {
                " (`--allow-narrowing` accepts a result that only blocks more)"
            }
        );
        return 1;
    }
    let sep = if args.format == Layout::File {
        ""
    } else if target.is_kubernetes() {
        "---\n"
    } else {
        "\n"
    };
    let out = texts.join(sep);
    match &args.output {
        Some(path) => {
            if let Err(e) = crate::fsutil::write_atomic(path, out.as_bytes()) {
                eprintln!("error: {}: cannot write: {e}", path.display());
                return 2;
            }
        }
        None => print!("{out}"),
    }
    0
}

/// One policy written in the target, with what `convert` reports of it.
struct Converted {
    emitted: backend::Emitted,
    comparison: equiv::Comparison,
    /// Notes and the calls that change, for standard error.
    report: String,
}

/// `p` in `target`; when the target cannot write it as it is, the nearest form it can that
/// browsers cannot tell apart, or that the flags given accept. `Err`: why not, with what
/// each flag would accept.
fn convert_one(
    p: &CorsPolicy,
    target: Dialect,
    cx: &Context,
    file: &SourceFile,
    args: &ConvertArgs,
) -> Result<Converted, String> {
    let refusal = match backend::emit(p, target, cx) {
        Ok(emitted) => return checked(p, emitted, target, cx, Vec::new()),
        Err(r) => r,
    };
    let cannot = format!(
        "{}: {} cannot express {}",
        located(file, refusal.span),
        target.name(),
        refusal.feature
    );
    let mut candidates: Vec<(Converted, String)> = Vec::new();
    for direction in [Direction::Narrower, Direction::Wider] {
        let Some(n) = nearest::nearest(p, target, cx, direction) else {
            continue;
        };
        if candidates
            .iter()
            .any(|(c, _)| c.emitted.text == n.emitted.text)
        {
            continue;
        }
        let changes = describe_changes(file, &n.changes);
        let note = format!("{cannot}; written {changes}");
        candidates.push((checked(p, n.emitted, target, cx, vec![note])?, changes));
    }
    let accepted = |c: &equiv::Comparison| {
        (!c.widens() || args.allow_widening) && (!c.narrows() || args.allow_narrowing)
    };
    // Of the forms the flags accept (an equivalent one always), the one that changes fewest calls.
    if let Some(i) = (0..candidates.len())
        .filter(|&i| accepted(&candidates[i].0.comparison))
        .min_by_key(|&i| candidates[i].0.comparison.differences.len())
    {
        return Ok(candidates.swap_remove(i).0);
    }
    let mut message = cannot;
    for (c, changes) in &candidates {
        message.push_str(&format!(
            "\n  {} would write it {changes}:\n{}",
            flags_for(&c.comparison),
            c.comparison.render(3).trim_end()
        ));
    }
    Err(message)
}

/// The flags that accept a result compared so.
fn flags_for(c: &equiv::Comparison) -> &'static str {
    match (c.widens(), c.narrows()) {
        (true, true) => "`--allow-widening --allow-narrowing`",
        (true, false) => "`--allow-widening`",
        _ => "`--allow-narrowing`",
    }
}

/// "without `null`, with `https://*.example.com` matching subdomains at any depth".
fn describe_changes(file: &SourceFile, changes: &[nearest::Change]) -> String {
    let text =
        |s: crate::source::Span| String::from_utf8_lossy(&file.bytes()[s.range()]).into_owned();
    changes
        .iter()
        .map(|c| match c {
            nearest::Change::Dropped(at) => format!("without `{}`", text(*at)),
            nearest::Change::Deepened(at) => {
                format!("with `{}` matching subdomains at any depth", text(*at))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `emitted` read back with the target's own front end and compared with `p`.
fn checked(
    p: &CorsPolicy,
    emitted: backend::Emitted,
    target: Dialect,
    cx: &Context,
    extra: Vec<String>,
) -> Result<Converted, String> {
    let back = SourceFile::new(
        emitted.file_name,
        emitted.text.clone().into_bytes(),
        target.encoding(),
    );
    let result = match frontend::lower(target, &back, &cx.target) {
        Ok(l) if !l.policies.is_empty() => l.policies.into_iter().next().expect("one"),
        Ok(_) => {
            return Err(format!(
                "internal: the {} output holds no policy",
                target.name()
            ));
        }
        Err(e) => {
            return Err(format!(
                "internal: the {} output does not read back: {}",
                target.name(),
                e.message
            ));
        }
    };
    let comparison = equiv::compare(p, &result);
    let checked = own_findings(&emitted, target, &cx.target);
    let mut report = String::new();
    for n in extra
        .iter()
        .chain(&emitted.notes)
        .chain(&equiv::side_notes(p, &result))
        .chain(&checked)
    {
        report.push_str(&format!("note: {}: {n}\n", p.scope.description));
    }
    if !comparison.equivalent() {
        report.push_str(&format!(
            "{}:\n{}",
            p.scope.description,
            comparison.render(usize::MAX)
        ));
    }
    Ok(Converted {
        emitted,
        comparison,
        report,
    })
}

/// What cors-lint's own check says of the output, under the target's assumptions: a
/// normalized result is shown with its findings, never as if it were clean.
fn own_findings(emitted: &backend::Emitted, target: Dialect, options: &Options) -> Vec<String> {
    let settings = crate::lint::Settings {
        options: options.clone(),
        ..crate::lint::Settings::default()
    };
    let report = crate::lint::lint_bytes(
        emitted.file_name.into(),
        emitted.text.clone().into_bytes(),
        target,
        String::new(),
        &settings,
    );
    report
        .findings
        .iter()
        .filter(|f| f.severity >= crate::finding::Severity::Warning)
        .map(|f| format!("cors-lint's check of the output: {} {}", f.code, f.message))
        .collect()
}

/// The context of each policy's output: what the user passed, else what the source says —
/// the object's name and namespace, the host it serves. Names that would repeat (several
/// policies in one object, or `--name` with several policies) are numbered.
fn contexts(given: &Context, policies: &[CorsPolicy]) -> Vec<Context> {
    let mut out: Vec<Context> = policies
        .iter()
        .map(|p| {
            let object = p.scope.object.as_ref();
            let host = p.scope.listeners.iter().find_map(|l| {
                let h = l.address.split_once("://")?.1;
                (h == l.name && !h.is_empty() && h != "*").then(|| h.to_string())
            });
            Context {
                name: given
                    .name
                    .clone()
                    .or_else(|| object.map(|o| o.name.clone())),
                namespace: given
                    .namespace
                    .clone()
                    .or_else(|| object.and_then(|o| o.namespace.clone())),
                host: given.host.clone().or(host),
                ..given.clone()
            }
        })
        .collect();
    let names: Vec<String> = out
        .iter()
        .map(|c| c.name.clone().unwrap_or_else(|| "cors".into()))
        .collect();
    for (i, cx) in out.iter_mut().enumerate() {
        let same: Vec<usize> = (0..names.len()).filter(|&j| names[j] == names[i]).collect();
        if same.len() > 1 {
            let n = same.iter().position(|&j| j == i).expect("itself") + 1;
            cx.name = Some(format!("{}-{n}", names[i]));
        }
    }
    out
}
