//! `cors-lint simulate FILE --origin … [--method …] [--header …]`: one `fetch()` against the
//! configured server, shown as the wire exchange plus the browser's verdict.

use super::ServerArgs;
use super::check::build_options;
use crate::finding::escape_controls;
use crate::frontend::{self, Dialect};
use crate::ir::CorsPolicy;
use crate::ir::origin::{AllowOriginValue, classify_allow_origin};
use crate::sim::{self, Check, Exchange, PageFetch, ServerRequest, ServerResponse};
use crate::source::SourceFile;
use clap::{Args, ValueEnum};
use serde_json::json;
use std::path::PathBuf;

#[derive(Args, Debug)]
#[command(after_help = checks_help())]
pub struct SimulateArgs {
    /// The configuration file
    file: PathBuf,
    /// The calling page's origin, e.g. `https://app.example`, or `null`
    #[arg(long)]
    origin: String,
    /// The method passed to fetch()
    #[arg(long, default_value = "GET")]
    method: String,
    /// A request header, `Name: value` (repeatable; without a value it is sent empty; the
    /// value matters for Content-Type and Range)
    #[arg(long = "header", value_name = "NAME[: VALUE]")]
    headers: Vec<String>,
    /// fetch() with `credentials: "include"`
    #[arg(long)]
    credentials: bool,
    /// Request path (and query)
    #[arg(long, default_value = "/")]
    path: String,
    /// The listener to call (TorchServe: inference, management or metrics)
    #[arg(long, default_value = "inference")]
    listener: String,
    /// A model the server has registered (repeatable)
    #[arg(long = "registered-model", value_name = "NAME")]
    registered: Vec<String>,
    /// Choose the N-th policy (1-based) when the file holds several
    #[arg(long, value_name = "N")]
    policy: Option<usize>,
    /// Choose the policy whose scope covers this host (nginx: the `Host` the request carries)
    #[arg(long)]
    host: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = SimFormat::Text)]
    format: SimFormat,
    #[command(flatten)]
    server: ServerArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum SimFormat {
    Text,
    Json,
}

fn checks_help() -> String {
    let mut s =
        String::from("Checks a blocked request can fail (the `verdict: blocked: CHECK` line):\n");
    for c in Check::ALL {
        s.push_str(&format!("  {:<40} {}\n", c.name(), c.meaning()));
    }
    s.push_str("\nExit status: 0 allowed, 1 blocked, 2 bad input.");
    s
}

pub fn run(args: &SimulateArgs) -> i32 {
    match simulate(args) {
        Ok((text, allowed)) => {
            print!("{text}");
            if allowed { 0 } else { 1 }
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

fn simulate(args: &SimulateArgs) -> Result<(String, bool), String> {
    let origin_ok = args.origin == "null"
        || matches!(
            classify_allow_origin(&args.origin),
            AllowOriginValue::Origin
        );
    if !origin_ok {
        return Err(format!(
            "--origin `{}` is not a serialized origin such as `https://app.example` (lower case, no path) or `null`",
            args.origin
        ));
    }
    if !args.path.starts_with('/') {
        return Err(format!("--path `{}` must start with `/`", args.path));
    }
    let options = build_options(&args.server)?;
    let shown = args.file.to_string_lossy().into_owned();
    let bytes = std::fs::read(&args.file).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (dialect, _) = frontend::recognise(&name, &bytes)
        .map_err(|why| format!("{shown}: not a file cors-lint reads ({why})"))?;
    let file = SourceFile::new(shown.clone(), bytes, dialect.encoding());
    let lowered =
        frontend::lower(dialect, &file, &options).map_err(|e| match e.position(&file) {
            Some(at) => format!("{shown}:{at}: {}", e.message),
            None => format!("{shown}: {}", e.message),
        })?;
    let headers = args
        .headers
        .iter()
        .map(|h| match h.split_once(':') {
            Some((n, v)) => (n.trim().to_string(), v.trim().to_string()),
            None => (h.trim().to_string(), String::new()),
        })
        .collect();
    let page = PageFetch {
        origin: args.origin.clone(),
        method: args.method.clone(),
        headers,
        credentials: args.credentials,
        path: args.path.clone(),
    };
    let (exchange, context) = if dialect == Dialect::Nginx {
        simulate_nginx(&file, &page, args, options.nginx_version)?
    } else {
        let (policy, by_host) = choose_policy(&lowered.policies, args)?;
        let listener = by_host
            .or_else(|| {
                policy
                    .scope
                    .listeners
                    .iter()
                    .find(|l| l.name == args.listener)
            })
            // A policy with one listener (a gateway route, an Ingress host) needs no choice
            // unless one was asked for.
            .or_else(|| {
                (args.listener == "inference" && policy.scope.listeners.len() == 1)
                    .then(|| &policy.scope.listeners[0])
            })
            .ok_or_else(|| {
                let names: Vec<&str> = policy
                    .scope
                    .listeners
                    .iter()
                    .map(|l| l.name.as_str())
                    .collect();
                format!(
                    "no listener `{}` in this policy (listeners: {})",
                    args.listener,
                    names.join(", ")
                )
            })?;
        let exchange = sim::simulate(policy, listener, &page, &args.registered)?;
        let context = format!(
            "{} {}, {} listener at {}",
            policy.server.product, policy.server.version, listener.name, listener.address
        );
        (exchange, context)
    };
    let allowed = exchange.verdict.allowed;
    let text = match args.format {
        SimFormat::Text => text(&exchange, &context, &page),
        SimFormat::Json => {
            let mut s =
                serde_json::to_string_pretty(&to_json(&exchange, &context)).expect("serializable");
            s.push('\n');
            s
        }
    };
    Ok((text, allowed))
}

/// nginx: the request evaluation model (`frontend::nginx::eval`, checked against a real
/// nginx) answers in place of a lowered policy.
fn simulate_nginx(
    file: &SourceFile,
    page: &PageFetch,
    args: &SimulateArgs,
    version: Option<crate::frontend::nginx::headers::Version>,
) -> Result<(Exchange, String), String> {
    use crate::frontend::nginx::{eval, headers::Version, syntax};
    if args.policy.is_some() || !args.registered.is_empty() {
        return Err("--policy and --registered-model do not apply to nginx files (--host chooses the server)".into());
    }
    let config = syntax::parse(file.bytes()).map_err(|e| e.message)?;
    let request = sim::prepare(page)?;
    let unknown = std::cell::RefCell::new(None);
    let exchange = sim::fetch(&request, |req| {
        let version = version.unwrap_or(Version::NEWEST);
        // The server block answers by `Host` (the browser sends the URL's host).
        let mut req = req.clone();
        if let Some(host) = &args.host {
            req.headers.push(("host".into(), host.clone()));
        }
        eval::respond(&config.statements, &req, version).unwrap_or_else(|why| {
            unknown.borrow_mut().get_or_insert(why);
            ServerResponse {
                status: None,
                reason: String::new(),
                headers: Vec::new(),
            }
        })
    });
    if let Some(why) = unknown.into_inner() {
        return Err(format!("cannot simulate this request: {why}"));
    }
    let assumed = match version {
        Some(v) => format!("nginx {v} (as --assume-version says)"),
        None => format!(
            "nginx {} (assumed: the newest release cors-lint knows; --assume-version nginx=X to change)",
            Version::NEWEST
        ),
    };
    Ok((
        exchange,
        format!(
            "{assumed}, the server {}; the model is checked against a real nginx 1.22",
            match &args.host {
                Some(h) => format!("`Host: {h}` selects"),
                None =>
                    "for an unnamed host (the default server; --host NAME to choose)".to_string(),
            }
        ),
    ))
}

/// The host a listener serves: its address's, without scheme and port (`*.example.com` for
/// a wildcard listener).
fn listener_host(l: &crate::ir::Listener) -> &str {
    let rest = l
        .address
        .split_once("://")
        .map_or(l.address.as_str(), |(_, r)| r);
    rest.split([':', '/']).next().unwrap_or(rest)
}

fn serves(l: &crate::ir::Listener, host: &str) -> bool {
    let served = listener_host(l);
    let host = host.to_ascii_lowercase();
    served.eq_ignore_ascii_case(&host)
        || served
            .strip_prefix("*.")
            .is_some_and(|base| host.ends_with(&format!(".{}", base.to_ascii_lowercase())))
}

/// The policy to simulate, and with `--host` the listener serving that host.
fn choose_policy<'a>(
    policies: &'a [CorsPolicy],
    args: &SimulateArgs,
) -> Result<(&'a CorsPolicy, Option<&'a crate::ir::Listener>), String> {
    if let Some(host) = &args.host {
        let serving: Vec<(&CorsPolicy, &crate::ir::Listener)> = policies
            .iter()
            .filter_map(|p| {
                p.scope
                    .listeners
                    .iter()
                    .find(|l| serves(l, host))
                    .map(|l| (p, l))
            })
            .collect();
        return match (serving.as_slice(), args.policy) {
            ([], _) => {
                let mut hosts: Vec<&str> = policies
                    .iter()
                    .flat_map(|p| p.scope.listeners.iter().map(listener_host))
                    .filter(|h| !h.is_empty() && *h != "*")
                    .collect();
                hosts.dedup();
                Err(format!(
                    "no policy in this file serves `{host}` (hosts: {})",
                    if hosts.is_empty() {
                        "none named".to_string()
                    } else {
                        hosts.join(", ")
                    }
                ))
            }
            ([(p, l)], _) => Ok((p, Some(l))),
            (several, Some(n)) if n >= 1 && n <= several.len() => {
                Ok((several[n - 1].0, Some(several[n - 1].1)))
            }
            (several, _) => Err(format!(
                "{} policies serve `{host}`: choose one with --policy N (1 to {})",
                several.len(),
                several.len()
            )),
        };
    }
    match (args.policy, policies.len()) {
        (_, 0) => Err("this file configures no policy".into()),
        (Some(n), len) if n == 0 || n > len => Err(format!(
            "--policy {n}: the file holds {len} polic{}",
            if len == 1 { "y" } else { "ies" }
        )),
        (Some(n), _) => Ok((&policies[n - 1], None)),
        (None, 1) => Ok((&policies[0], None)),
        (None, len) => Err(format!(
            "the file holds {len} policies: choose one with --policy N or --host HOST"
        )),
    }
}

fn shown_value(v: &str) -> String {
    let trailing = v.len() - v.trim_end_matches([' ', '\t']).len();
    let mut s = escape_controls(v);
    if trailing > 0 {
        s.push_str(&format!(
            "   (ends with {trailing} whitespace character{})",
            if trailing == 1 { "" } else { "s" }
        ));
    }
    s
}

fn push_request(out: &mut String, r: &ServerRequest) {
    out.push_str(&format!("  > {} {}\n", r.method, r.path));
    for (n, v) in &r.headers {
        out.push_str(&format!("  > {}: {}\n", display_name(n), shown_value(v)));
    }
}

fn push_response(out: &mut String, r: &ServerResponse) {
    match r.status {
        Some(s) => out.push_str(&format!("  < {s} ({})\n", r.reason)),
        None => out.push_str(&format!("  < no response ({})\n", r.reason)),
    }
    for (n, v) in &r.headers {
        out.push_str(&format!("  < {n}: {}\n", shown_value(v)));
    }
    if r.status.is_some() && r.headers.is_empty() {
        out.push_str("  < (no CORS headers)\n");
    }
}

/// `access-control-request-method` → `Access-Control-Request-Method`, as browsers write it.
fn display_name(n: &str) -> String {
    n.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn text(x: &Exchange, context: &str, page: &PageFetch) -> String {
    let mut out = format!("server: {context}\n");
    let headers: Vec<String> = page
        .headers
        .iter()
        .map(|(n, v)| format!("{n}: {v}"))
        .collect();
    out.push_str(&format!(
        "page: {} calls fetch({:?}, {{method: {:?}{}, credentials: {:?}}})\n",
        x.request.origin,
        page.path,
        page.method,
        if headers.is_empty() {
            String::new()
        } else {
            format!(", headers: {{{}}}", headers.join(", "))
        },
        if page.credentials {
            "include"
        } else {
            "same-origin"
        }
    ));
    for d in &x.request.dropped {
        out.push_str(&format!("note: fetch() drops the forbidden header `{d}`\n"));
    }
    out.push('\n');
    match &x.preflight {
        Some((req, resp)) => {
            out.push_str(&format!(
                "preflight ({}):\n",
                x.preflight_reasons.join("; ")
            ));
            push_request(&mut out, req);
            push_response(&mut out, resp);
            if let Some(c) = x.cache {
                out.push_str(&format!(
                    "  cached for {} s in Chromium, {} s in Firefox\n",
                    c.chromium_seconds, c.firefox_seconds
                ));
            }
        }
        None => out.push_str("preflight: none (a simple request)\n"),
    }
    out.push('\n');
    match &x.actual {
        Some((req, resp)) => {
            out.push_str("request:\n");
            push_request(&mut out, req);
            push_response(&mut out, resp);
        }
        None => out.push_str("request: not sent (the preflight failed)\n"),
    }
    for w in &x.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    out.push('\n');
    match x.verdict.check {
        None => out.push_str(&format!("verdict: allowed: {}\n", x.verdict.detail)),
        Some(c) => out.push_str(&format!(
            "verdict: blocked: {}: {}\n",
            c.name(),
            escape_controls(&x.verdict.detail)
        )),
    }
    out
}

fn to_json(x: &Exchange, context: &str) -> serde_json::Value {
    let req = |r: &ServerRequest| json!({"method": r.method, "path": r.path, "headers": r.headers});
    let resp =
        |r: &ServerResponse| json!({"status": r.status, "reason": r.reason, "headers": r.headers});
    json!({
        "server": context,
        "request": {
            "origin": x.request.origin,
            "method": x.request.method,
            "headers": x.request.headers,
            "credentials": x.request.credentials,
            "path": x.request.path,
            "dropped_headers": x.request.dropped,
        },
        "preflight": x.preflight.as_ref().map(|(q, r)| json!({"why": x.preflight_reasons, "request": req(q), "response": resp(r)})),
        "actual": x.actual.as_ref().map(|(q, r)| json!({"request": req(q), "response": resp(r)})),
        "warnings": x.warnings,
        "preflight_cache": x.cache.map(|c| json!({"chromium_seconds": c.chromium_seconds, "firefox_seconds": c.firefox_seconds})),
        "verdict": {
            "allowed": x.verdict.allowed,
            "check": x.verdict.check.map(Check::name),
            "detail": x.verdict.detail,
        },
    })
}
