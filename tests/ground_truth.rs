//! Ground truth: `cors-lint simulate`'s model of TorchServe and of the browser must agree with
//! a real TorchServe 0.12.0 and a real headless Chromium on every generated case.
//!
//! For each deployment (a `config.properties` + launcher flags + environment) the suite starts
//! TorchServe on loopback ports, lints the very same file with cors-lint's front end, and for
//! each request shape:
//! * sends the preflight (if the model says a browser sends one) and the actual request with
//!   a raw HTTP client, and compares status and every CORS header byte for byte with
//!   `sim::respond`;
//! * runs the `fetch()` in Chromium from a page on another loopback origin (or from a
//!   sandboxed iframe, origin `null`), and compares allowed/blocked — and, when Chromium
//!   prints one, its CORS error — with the simulated verdict and failing check.
//!
//! Agreement must be 100 %: a disagreement is a bug in the model. Needs Java 17, Python 3
//! with venv, and Chromium (tests/run installs them); skips loudly without them, or fails
//! when CI=true.

mod support;

use cors_lint::frontend::{self, Dialect, Env, Options};
use cors_lint::ir::CorsPolicy;
use cors_lint::sim::{self, PageFetch, ServerRequest, ServerResponse};
use cors_lint::source::SourceFile;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use support::chromium::{self, BrowserCase};
use support::compare::{self, REPEAT, Tally};
use support::page::PageServer;
use support::torchserve::TorchServe;
use support::{RealServer, http};

/// One `fetch()` a page makes.
#[derive(Clone)]
struct Shape {
    listener: &'static str,
    method: &'static str,
    path: &'static str,
    /// `{token}` is replaced by the listener's real key.
    headers: Vec<(&'static str, &'static str)>,
    credentials: bool,
    null_origin: bool,
}

fn shape(
    listener: &'static str,
    method: &'static str,
    path: &'static str,
    headers: &[(&'static str, &'static str)],
) -> Shape {
    Shape {
        listener,
        method,
        path,
        headers: headers.to_vec(),
        credentials: false,
        null_origin: false,
    }
}

impl Shape {
    fn credentials(mut self) -> Shape {
        self.credentials = true;
        self
    }
    fn sandboxed(mut self) -> Shape {
        self.null_origin = true;
        self
    }
}

/// 129 bytes: over the 128-byte limit for a CORS-safelisted value.
const LONG_VALUE: &str = concat!(
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "a"
);

/// The request shapes every deployment gets: simple and non-simple methods, safelisted and
/// custom headers (incl. Authorization, Content-Type and Range values), credentials on and
/// off, paths that answer 200/404/405, the three listeners, and the `null` origin.
fn common_shapes() -> Vec<Shape> {
    let ct = |v| ("Content-Type", v);
    vec![
        shape("inference", "GET", "/ping", &[]),
        shape("inference", "GET", "/ping", &[]).credentials(),
        shape("inference", "HEAD", "/ping", &[]),
        shape("inference", "POST", "/ping", &[ct("text/plain")]),
        shape(
            "inference",
            "POST",
            "/predictions/nomodel",
            &[ct("application/json")],
        ),
        shape("inference", "PUT", "/predictions/nomodel", &[]),
        shape("inference", "PUT", "/ping", &[("X-Custom-Token", "1")]),
        shape("inference", "PUT", "/ping", &[("X-Custom-Token", "1")]).credentials(),
        shape("inference", "DELETE", "/ping", &[]),
        shape("inference", "PATCH", "/ping", &[]),
        shape("inference", "patch", "/ping", &[]),
        shape("inference", "put", "/ping", &[]),
        shape(
            "inference",
            "GET",
            "/ping",
            &[("Authorization", "Bearer {token}")],
        ),
        shape("inference", "GET", "/ping", &[("X-Other", "1")]),
        shape("inference", "GET", "/ping", &[("Range", "bytes=0-10")]),
        shape("inference", "GET", "/ping", &[("Range", "bytes=-5")]),
        shape(
            "inference",
            "GET",
            "/ping",
            &[("Accept-Language", "en-US,en;q=0.9")],
        ),
        shape(
            "inference",
            "GET",
            "/ping",
            &[("Content-Language", "en-US")],
        ),
        shape("inference", "GET", "/ping", &[("Range", "bytes=0-1,3-4")]),
        shape("inference", "GET", "/ping", &[("Accept", LONG_VALUE)]),
        shape(
            "inference",
            "POST",
            "/ping",
            &[ct("text/plain;charset=UTF-8")],
        ),
        shape(
            "inference",
            "POST",
            "/ping",
            &[ct("multipart/form-data; boundary=x")],
        ),
        shape(
            "inference",
            "PUT",
            "/ping",
            &[("X-Custom-Token", "1"), ct("application/json")],
        ),
        shape(
            "inference",
            "DELETE",
            "/predictions/nomodel",
            &[("X-Custom-Token", "1")],
        ),
        shape("inference", "GET", "/", &[]),
        shape("inference", "OPTIONS", "/ping", &[]),
        shape("inference", "GET", "/api-description", &[]),
        shape("inference", "GET", "/nowhere", &[]),
        shape("management", "GET", "/models", &[]),
        shape(
            "management",
            "GET",
            "/models",
            &[("Authorization", "Bearer {token}")],
        ),
        shape("management", "PUT", "/models", &[]),
        shape("management", "POST", "/models", &[ct("application/json")]),
        shape("management", "DELETE", "/models/nomodel", &[]),
        shape("management", "GET", "/models/nomodel", &[]).credentials(),
        shape("metrics", "GET", "/metrics", &[]),
        shape("metrics", "PUT", "/metrics", &[("X-Custom-Token", "1")]).credentials(),
        shape(
            "metrics",
            "GET",
            "/metrics",
            &[("Authorization", "Bearer not-a-key")],
        ),
        shape("inference", "GET", "/ping", &[]).sandboxed(),
        shape("inference", "PUT", "/ping", &[("X-Custom-Token", "1")]).sandboxed(),
        shape("inference", "GET", "/ping", &[])
            .credentials()
            .sandboxed(),
    ]
}

struct Deployment {
    name: &'static str,
    /// `{ORIGIN}` is the page's origin.
    fragment: String,
    flags: Vec<&'static str>,
    env: Vec<(String, String)>,
    registered: Vec<&'static str>,
    shapes: Vec<Shape>,
}

fn deployment(name: &'static str, fragment: &str, flags: &[&'static str]) -> Deployment {
    Deployment {
        name,
        fragment: fragment.to_string(),
        flags: flags.to_vec(),
        env: Vec::new(),
        registered: Vec::new(),
        shapes: common_shapes(),
    }
}

fn deployments(origin: &str) -> Vec<Deployment> {
    const OFF: &str = "--disable-token-auth";
    let upper = origin.replace("http://", "HTTP://");
    let mut list = vec![
        deployment(
            "exact",
            "cors_allowed_origin={ORIGIN}\ncors_allowed_methods=GET, POST, PUT, DELETE, OPTIONS\ncors_allowed_headers=X-Custom-Token, Content-Type",
            &[OFF],
        ),
        deployment(
            "exact-token-auth",
            "cors_allowed_origin={ORIGIN}\ncors_allowed_methods=GET, POST, PUT, DELETE, OPTIONS\ncors_allowed_headers=X-Custom-Token, Content-Type, Authorization",
            &[],
        ),
        deployment(
            "wildcards",
            "cors_allowed_origin=*\ncors_allowed_methods=*\ncors_allowed_headers=*",
            &[OFF],
        ),
        deployment(
            "origin-list",
            "cors_allowed_origin={ORIGIN}, https://b.example\ncors_allowed_methods=PUT",
            &[OFF],
        ),
        deployment(
            "trailing-spaces",
            "cors_allowed_origin={ORIGIN}   \ncors_allowed_methods=PUT   \ncors_allowed_headers=X-Custom-Token   ",
            &[OFF],
        ),
        deployment(
            "null-origin",
            "cors_allowed_origin=null\ncors_allowed_methods=PUT\ncors_allowed_headers=*",
            &[OFF],
        ),
        deployment(
            "other-origin",
            "cors_allowed_origin=https://other.example\ncors_allowed_methods=GET, PUT",
            &[OFF],
        ),
        deployment(
            "method-case",
            "cors_allowed_origin={ORIGIN}\ncors_allowed_methods=put, patch\ncors_allowed_headers=x-custom-token",
            &[OFF],
        ),
        deployment(
            "no-origin",
            "cors_allowed_origin=\ncors_allowed_methods=GET, PUT\ncors_allowed_headers=X-Custom-Token",
            &[OFF],
        ),
        deployment(
            "upper-case-slash",
            &format!("cors_allowed_origin={upper}/\ncors_allowed_methods=PUT"),
            &[OFF],
        ),
        deployment(
            "wildcards-token-auth",
            "cors_allowed_origin=*\ncors_allowed_methods=*\ncors_allowed_headers=*, Authorization",
            &[],
        ),
        deployment(
            "unparsable-lists",
            "cors_allowed_origin={ORIGIN}\ncors_allowed_methods=GET PUT\ncors_allowed_headers=X-Custom-Token; Content-Type",
            &[OFF],
        ),
        deployment(
            "token-auth-yes",
            "disable_token_authorization=yes\ncors_allowed_origin={ORIGIN}\ncors_allowed_headers=X-Custom-Token",
            &[],
        ),
        deployment(
            "wildcard-headers-list",
            "cors_allowed_origin={ORIGIN}\ncors_allowed_methods=PUT, PATCH\ncors_allowed_headers=*",
            &[OFF],
        ),
    ];
    let mut env = deployment(
        "environment",
        "enable_envvars_config=true\ncors_allowed_origin=https://file.example\ncors_allowed_headers=$$HEADERS$$",
        &[OFF],
    );
    env.env = vec![
        ("TS_CORS_ALLOWED_ORIGIN".into(), origin.to_string()),
        ("TS_CORS_ALLOWED_METHODS".into(), "PUT".into()),
        ("HEADERS".into(), "X-Custom-Token".into()),
    ];
    list.push(env);
    let mut registered = deployment(
        "registered-model",
        "cors_allowed_origin={ORIGIN}\ncors_allowed_methods=GET, PUT, DELETE\ncors_allowed_headers=Content-Type, X-Custom-Token",
        &[OFF, "--enable-model-api"],
    );
    // No shape may change the server's state (e.g. DELETE a registered model): the browser
    // runs after the raw requests.
    registered.registered = vec!["echo"];
    registered.shapes.extend([
        shape(
            "inference",
            "POST",
            "/predictions/echo",
            &[("Content-Type", "application/json")],
        ),
        shape("inference", "GET", "/predictions/echo", &[]),
        shape(
            "inference",
            "PUT",
            "/predictions/echo/1.0",
            &[("X-Custom-Token", "1")],
        ),
        shape(
            "management",
            "GET",
            "/models/echo",
            &[("X-Custom-Token", "1")],
        ),
        shape("management", "GET", "/models/echo", &[]),
        shape("management", "POST", "/models", &[]),
        shape(
            "management",
            "POST",
            "/models",
            &[("Content-Type", "application/json; charset=utf-8")],
        ),
        shape(
            "management",
            "POST",
            "/models",
            &[("Content-Type", "Application/JSON")],
        ),
    ]);
    list.push(registered);
    let mut crlf = deployment(
        "header-injection",
        "cors_allowed_origin={ORIGIN}\\r\\nX-Injected: 1",
        &[OFF],
    );
    crlf.shapes = vec![
        shape("inference", "GET", "/ping", &[]),
        shape("inference", "PUT", "/ping", &[("X-Custom-Token", "1")]),
        shape("metrics", "GET", "/metrics", &[]),
    ];
    list.push(crlf);
    for d in &mut list {
        d.fragment = d.fragment.replace("{ORIGIN}", origin);
    }
    list
}

fn policy_for(server: &TorchServe, d: &Deployment) -> CorsPolicy {
    let bytes = std::fs::read(&server.config).expect("config");
    let file = SourceFile::new("config.properties", bytes, Dialect::TorchServe.encoding());
    let options = Options {
        env: if d.env.is_empty() {
            Env::Unknown
        } else {
            Env::Known(d.env.iter().cloned().collect())
        },
        ts_disable_token_auth: d.flags.contains(&"--disable-token-auth"),
        ts_enable_model_api: d.flags.contains(&"--enable-model-api"),
        nginx_version: None,
        nginx_prefix: None,
        ingress_nginx_version: None,
        ..Options::default()
    };
    let lowered = frontend::lower(Dialect::TorchServe, &file, &options).expect("lower");
    lowered.policies.into_iter().next().expect("one policy")
}

/// Returns the server's pid, which must be gone once this returns.
fn run_deployment(
    page: &PageServer,
    d: &Deployment,
    next_id: &mut usize,
    tally: &mut Tally,
) -> Option<u32> {
    let server = TorchServe::start(d.name, &d.fragment, &d.flags, &d.env);
    for m in &d.registered {
        server.register_model(m);
    }
    let policy = policy_for(&server, d);
    let registered: Vec<String> = d.registered.iter().map(|s| s.to_string()).collect();
    let mut expected: BTreeMap<usize, (String, sim::Verdict)> = BTreeMap::new();
    // Methods of the requests the browser makes per case (when every one gets an answer:
    // TorchServe does not log a request it could not answer).
    let mut expected_requests: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let mut browser_cases = Vec::new();
    for s in &d.shapes {
        *next_id += 1;
        let id = *next_id;
        tally.cases += 1;
        let sep = if s.path.contains('?') { '&' } else { '?' };
        let path = format!("{}{sep}gt={id}", s.path);
        let token = server
            .token(s.listener)
            .unwrap_or_else(|| "no-token".into());
        let headers: Vec<(String, String)> = s
            .headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.replace("{token}", &token)))
            .collect();
        let page_fetch = PageFetch {
            origin: if s.null_origin {
                "null".into()
            } else {
                page.origin()
            },
            method: s.method.into(),
            headers: headers.clone(),
            credentials: s.credentials,
            path: path.clone(),
        };
        let label = format!(
            "[{}#{id}] {} {} {} {:?}{}{}",
            d.name,
            s.listener,
            s.method,
            s.path,
            s.headers,
            if s.credentials { " credentials" } else { "" },
            if s.null_origin { " from null" } else { "" }
        );
        let listener = policy
            .scope
            .listeners
            .iter()
            .find(|l| l.name == s.listener)
            .expect("listener");
        let exchange =
            sim::simulate(&policy, listener, &page_fetch, &registered).expect("simulate");

        // Server side: the preflight the browser sends, and the request itself (always, even
        // when a browser would stop at the preflight).
        let request = sim::prepare(&page_fetch).expect("prepare");
        let actual = sim::actual_request(&request);
        let mut exchanges: Vec<(ServerRequest, ServerResponse)> =
            exchange.preflight.iter().cloned().collect();
        let actual_resp = sim::respond(&policy, listener, &actual, &registered);
        exchanges.push((actual, actual_resp));
        for (req, model) in exchanges {
            // `&raw` keeps these out of the browser's request counts in the access log.
            let raw_path = format!("{}&raw", req.path);
            let real = http::request(
                server.port(s.listener),
                &req.method,
                &raw_path,
                &req.headers,
                Duration::from_secs(3),
            );
            tally.server(&label, &req, &model, real.status, &real.headers);
        }
        // The browser fetches twice in a row: the second may skip the preflight (cache).
        if let Some(sent) = compare::sent_over_repeats(&request, |req| {
            sim::respond(&policy, listener, req, &registered)
        }) {
            expected_requests.insert(id, sent);
        }
        expected.insert(id, (label, exchange.verdict));
        browser_cases.push(BrowserCase {
            id,
            url: format!("http://127.0.0.1:{}{path}", server.port(s.listener)),
            method: s.method.into(),
            headers,
            credentials: if s.credentials {
                "include"
            } else {
                "same-origin"
            },
            null_origin: s.null_origin,
            repeat: REPEAT,
        });
    }

    let results = chromium::run(page, &browser_cases, &server.dir().join("chromium"));
    let mut seen = compare::requests_by_case(server.access_log());
    for (id, want) in &expected_requests {
        tally.requests(&expected[id].0, want, seen.remove(id).unwrap_or_default());
    }
    for (id, (label, verdict)) in expected {
        tally.browser(&label, &verdict, &results[&id]);
    }
    server.pid()
}

#[test]
fn simulate_agrees_with_real_torchserve_and_chromium() {
    let started = Instant::now();
    support::torchserve::install();
    let browser = chromium::version();
    let page = PageServer::start();
    let mut tally = Tally::default();
    let mut next_id = 0;
    // GT_ONLY=name,name runs some deployments only (while working on the model).
    let only = std::env::var("GT_ONLY").ok();
    let list: Vec<Deployment> = deployments(&page.origin())
        .into_iter()
        .filter(|d| {
            only.as_deref()
                .is_none_or(|o| o.split(',').any(|n| n == d.name))
        })
        .collect();
    for d in &list {
        let t = Instant::now();
        let before = tally.disagreements.len();
        let pid = run_deployment(&page, d, &mut next_id, &mut tally);
        assert!(pid.is_some(), "{}: TorchServe wrote no pid file", d.name);
        // Dropping the server stopped it: no process outlives its deployment.
        assert!(
            !pid.is_some_and(support::torchserve::alive),
            "{}: TorchServe (pid {pid:?}) still runs",
            d.name
        );
        eprintln!(
            "ground truth: {:<24} {:>3} disagreements, {:.1} s",
            d.name,
            tally.disagreements.len() - before,
            t.elapsed().as_secs_f64()
        );
        for line in &tally.disagreements[before..] {
            eprintln!("{line}");
        }
    }
    let summary = tally.summary(
        &format!(
            "ground truth ({} deployments, TorchServe {}, {browser})",
            list.len(),
            support::torchserve::VERSION
        ),
        started,
        "summary.txt",
    );
    assert!(
        only.is_some() || tally.cases >= 300,
        "the matrix must have at least 300 cases"
    );
    assert!(
        tally.disagreements.is_empty(),
        "{} disagreements (each is a bug in the model):\n{}\n{summary}",
        tally.disagreements.len(),
        tally.disagreements.join("\n")
    );
}
