//! `cors-lint simulate`: output shape, verdict line, exit codes (0 allowed, 1 blocked, 2 bad
//! input) and JSON. What the verdicts say is proven against real servers in
//! `tests/ground_truth.rs`; this checks the command around them.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn cmd() -> Command {
    Command::cargo_bin("cors-lint").expect("binary")
}

/// `cors-lint simulate FILE ARGS…`, ARGS split at whitespace (write header values without
/// spaces: `--header X-Token:1`).
fn simulate(file: &str, args: &str) -> Command {
    let mut c = cmd();
    c.arg("simulate").arg(file).args(args.split_whitespace());
    c
}

fn write(dir: &Path, content: &str) -> String {
    let path = dir.join("config.properties");
    std::fs::write(&path, content).unwrap();
    path.to_string_lossy().into_owned()
}

const OPEN: &str = "disable_token_authorization=true\ncors_allowed_origin=https://app.example   \n\
                    cors_allowed_methods=GET, PUT\ncors_allowed_headers=X-Token, *\n";
const TOKEN_AUTH: &str = "cors_allowed_origin=https://app.example\ncors_allowed_methods=GET, PUT\n\
                          cors_allowed_headers=X-Token, Authorization\n";

fn last_line(output: &[u8]) -> String {
    String::from_utf8_lossy(output)
        .lines()
        .last()
        .unwrap_or("")
        .to_string()
}

#[test]
fn simple_request_is_allowed_without_preflight() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), OPEN);
    let out = simulate(&f, "--origin https://app.example --path /ping")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("preflight: none (a simple request)"))
        .stdout(predicate::str::contains("  > GET /ping\n  > Origin: https://app.example\n  < 200"))
        // The value goes out verbatim, trailing spaces included, and the output says so.
        .stdout(predicate::str::contains(
            "< access-control-allow-origin: https://app.example      (ends with 3 whitespace characters)",
        ))
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        last_line(&out),
        "verdict: allowed: the page can read the response (status 200)"
    );
}

#[test]
fn token_authorization_fails_every_preflight() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), TOKEN_AUTH);
    let out = simulate(&f, "--origin https://app.example --method PUT --header X-Token:1 --path /predictions/m --registered-model m")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("  > Access-Control-Request-Method: PUT\n  > Access-Control-Request-Headers: x-token\n  < 400"))
        .stdout(predicate::str::contains("request: not sent (the preflight failed)"))
        .get_output()
        .stdout
        .clone();
    assert!(
        last_line(&out).starts_with("verdict: blocked: preflight-status: the preflight got 400"),
        "{}",
        last_line(&out)
    );
    // The launcher flag changes the answer: the registered model's handler answers OPTIONS.
    simulate(&f, "--origin https://app.example --method PUT --header X-Token:1 --path /predictions/m --registered-model m --ts-disable-token-auth")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("< 503"));
    // Unregistered: the preflight gets 404.
    simulate(
        &f,
        "--origin https://app.example --method PUT --path /predictions/m --ts-disable-token-auth",
    )
    .assert()
    .code(1)
    .stdout(predicate::str::contains(
        "verdict: blocked: preflight-status: the preflight got 404",
    ));
}

#[test]
fn failing_checks_are_named() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), OPEN);
    let verdict = |args: &[&str]| {
        let out = cmd().arg("simulate").arg(&f).args(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        last_line(&out.stdout)
    };
    assert!(
        verdict(&["--origin", "https://evil.example"])
            .starts_with("verdict: blocked: origin-mismatch: ")
    );
    assert!(
        verdict(&["--origin", "https://app.example", "--credentials"])
            .starts_with("verdict: blocked: credentials-not-allowed: ")
    );
    assert!(
        verdict(&["--origin", "https://app.example", "--method", "DELETE"])
            .starts_with("verdict: blocked: method-not-allowed: DELETE")
    );
    assert!(
        verdict(&[
            "--origin",
            "https://app.example",
            "--method",
            "PUT",
            "--header",
            "X-Token",
            "--credentials"
        ])
        .starts_with("verdict: blocked: preflight-credentials-not-allowed: ")
    );
}

#[test]
fn wildcard_covering_authorization_is_allowed_with_a_warning() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), OPEN);
    simulate(
        &f,
        "--origin https://app.example --header Authorization:Bearer-x",
    )
    .assert()
    .code(0)
    .stdout(predicate::str::contains(
        "warning: `*` in Access-Control-Allow-Headers covers Authorization only because",
    ));
}

#[test]
fn json_output() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), OPEN);
    let out = simulate(&f, "--origin https://app.example --method put --header X-Token:1 --format json --listener management --path /models")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(v["request"]["method"], "PUT", "fetch() upper-cases put");
    assert_eq!(v["preflight"]["request"]["method"], "OPTIONS");
    assert_eq!(v["preflight"]["response"]["status"], 405);
    assert_eq!(v["actual"], serde_json::Value::Null);
    assert_eq!(v["verdict"]["allowed"], false);
    assert_eq!(v["verdict"]["check"], "preflight-status");
}

#[test]
fn forbidden_headers_are_dropped_like_fetch_does() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), OPEN);
    simulate(
        &f,
        "--origin https://app.example --header Cookie:a=b --path /ping",
    )
    .assert()
    .code(0)
    .stdout(predicate::str::contains(
        "note: fetch() drops the forbidden header `Cookie`",
    ))
    .stdout(predicate::str::contains("preflight: none"));
}

#[test]
fn bad_input_exits_2() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), OPEN);
    for (args, message) in [
        (
            vec!["--origin", "https://app.example/path"],
            "is not a serialized origin",
        ),
        (
            vec!["--origin", "https://app.example", "--path", "ping"],
            "must start with `/`",
        ),
        (
            vec!["--origin", "https://app.example", "--listener", "grpc"],
            "no listener `grpc`",
        ),
        (
            vec!["--origin", "https://app.example", "--method", "BAD METHOD"],
            "not a valid method name",
        ),
        (
            vec!["--origin", "https://app.example", "--method", "TRACE"],
            "refuses the method",
        ),
        (
            vec!["--origin", "https://app.example", "--policy", "2"],
            "the file holds 1 policy",
        ),
        (
            vec!["--origin", "https://app.example", "--host", "a.example"],
            "no policy in this file serves `a.example`",
        ),
    ] {
        cmd()
            .arg("simulate")
            .arg(&f)
            .args(&args)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(message));
    }
    cmd()
        .args([
            "simulate",
            "/nonexistent/config.properties",
            "--origin",
            "null",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read"));
}

#[test]
fn help_lists_every_check() {
    let out = cmd()
        .args(["simulate", "--help"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8_lossy(&out);
    for check in cors_lint::sim::Check::ALL {
        assert!(help.contains(check.name()), "--help lacks {}", check.name());
    }
}

/// nginx files are simulated with the request-evaluation model (checked against a real nginx
/// in tests/nginx_eval_oracle.rs): here the classic preflight branch whose own `add_header`
/// hides the location's `Access-Control-Allow-Origin`.
#[test]
fn nginx_preflight_branch_without_allow_origin() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("nginx.conf");
    std::fs::write(
        &path,
        "http { server { location / {\n  add_header Access-Control-Allow-Origin $http_origin always;\n  \
         if ($request_method = OPTIONS) { add_header Access-Control-Allow-Methods PUT; return 204; }\n  return 200;\n} } }\n",
    )
    .unwrap();
    let f = path.to_string_lossy().into_owned();
    simulate(&f, "--origin https://app.example --method PUT")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("  < 204 "))
        .stdout(predicate::str::contains(
            "verdict: blocked: preflight-missing-allow-origin",
        ));
    simulate(&f, "--origin https://app.example")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "< access-control-allow-origin: https://app.example",
        ));
}

/// Every shipped nginx file simulates as the linter reads it (issue 18 §5: "does not
/// evaluate a file without `http`" on all of them): `conf.d` server fragments, location
/// snippets, and a `proxy_pass` location whose backend is taken to answer 200. A path no
/// location takes names the locations and `--path`.
#[test]
fn nginx_fragments_and_proxied_locations_simulate() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/nginx");
    let mut simulated = 0;
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "conf") {
            continue;
        }
        let f = path.to_string_lossy().into_owned();
        let out = simulate(&f, "--origin https://app.example.com")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("without `http`"), "{f}: {err}");
        if out.status.code() != Some(2) {
            simulated += 1;
        } else {
            assert!(
                err.contains("--path chooses the request path"),
                "{f}: {err}"
            );
        }
    }
    assert!(simulated >= 6, "{simulated}");
    let snippet = corpus
        .join("cors-snippet.conf")
        .to_string_lossy()
        .into_owned();
    simulate(&snippet, "--origin https://app.example.com")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("taken to answer 200"))
        .stdout(predicate::str::contains(
            "< access-control-allow-origin: https://app.example.com",
        ));
    let proxied = corpus
        .join("map-regex-keys.conf")
        .to_string_lossy()
        .into_owned();
    simulate(&proxied, "--origin https://foo.client.com --path /v1/x")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "< access-control-allow-origin: https://foo.client.com",
        ));
}

/// `--host` chooses the Ingress or route serving a host (issue 18 §5: it was refused with
/// "applies to ingress and gateway files", on an Ingress).
#[test]
fn host_chooses_the_policy_serving_it() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let ingress = root
        .join("corpus/ingress/clean.yaml")
        .to_string_lossy()
        .into_owned();
    simulate(
        &ingress,
        "--origin https://app.example.com --host catalog.shop.example.com",
    )
    .assert()
    .stdout(predicate::str::contains(
        "catalog.shop.example.com listener",
    ));
    simulate(
        &ingress,
        "--origin https://app.example.com --host nope.example",
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains(
        "no policy in this file serves `nope.example` (hosts: catalog.shop.example.com)",
    ));
    let route = root
        .join("corpus/gateway-api/clean.yaml")
        .to_string_lossy()
        .into_owned();
    simulate(
        &route,
        "--origin https://app.example.com --host catalog.example.com --path /v1/x",
    )
    .assert()
    .stdout(predicate::str::contains("catalog.example.com"));
}

#[test]
fn assume_version_is_validated_and_named() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("nginx.conf");
    std::fs::write(&path, "http { server { location / { add_header Access-Control-Allow-Origin * always; return 200; } } }\n").unwrap();
    let f = path.to_string_lossy().into_owned();
    simulate(&f, "--origin https://app.example")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "server: nginx 1.31.4 (assumed: the newest release",
        ));
    simulate(
        &f,
        "--origin https://app.example --assume-version nginx=1.22",
    )
    .assert()
    .code(0)
    .stdout(predicate::str::contains(
        "server: nginx 1.22.0 (as --assume-version says)",
    ));
    for (arg, message) in [
        ("nginx=one", "expected a version"),
        ("apache=2.4", "models no versions of `apache`"),
        ("nginx", "DIALECT=VERSION"),
    ] {
        simulate(
            &f,
            &format!("--origin https://app.example --assume-version {arg}"),
        )
        .assert()
        .code(2)
        .stderr(predicate::str::contains(message));
    }
}

#[test]
fn nginx_host_chooses_the_server() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("nginx.conf");
    std::fs::write(
        &path,
        "http {\n server { server_name a.test; location / { return 200; } }\n          server { server_name *.b.test; location / { add_header Access-Control-Allow-Origin * always; return 200; } }\n}\n",
    )
    .unwrap();
    let f = path.to_string_lossy().into_owned();
    simulate(&f, "--origin https://app.example")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "the server for an unnamed host (the default server",
        ));
    simulate(&f, "--origin https://app.example --host api.b.test")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "the server `Host: api.b.test` selects",
        ));
}

/// An Ingress behind authentication: the status line says the answer is authentication's,
/// the challenge is shown, and a credentialed call names Chromium's login dialog; with
/// `auth-signin` the 302 is followed, which the verdict says it does not simulate.
#[test]
fn ingress_authentication_answers_before_the_backend() {
    let d = tempfile::tempdir().unwrap();
    let ingress = |annotations: &str| {
        let path = d.path().join("ingress.yaml");
        std::fs::write(
            &path,
            format!(
                "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n\
                 {annotations}    nginx.ingress.kubernetes.io/enable-cors: \"true\"\n    \
                 nginx.ingress.kubernetes.io/cors-allow-origin: \"https://app.example.com\"\n\
                 spec:\n  rules:\n    - host: api.example.com\n"
            ),
        )
        .unwrap();
        path.to_string_lossy().into_owned()
    };
    let basic = ingress(
        "    nginx.ingress.kubernetes.io/auth-type: basic\n    nginx.ingress.kubernetes.io/auth-secret: htpasswd\n    \
         nginx.ingress.kubernetes.io/auth-realm: Staff\n",
    );
    simulate(&basic, "--origin https://app.example.com --method PUT --credentials")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("  < 204 (ingress-nginx answers an `OPTIONS` request"))
        .stdout(predicate::str::contains("  > PUT /\n  > Origin: https://app.example.com\n  < 401 (authentication answers, not the backend: without an `Authorization` header ingress-nginx's basic authentication"))
        .stdout(predicate::str::contains("  < www-authenticate: Basic realm=\"Staff\"\n"))
        .stdout(predicate::str::contains("once its user dismisses the login dialog Chromium shows"));
    simulate(
        &basic,
        "--origin https://app.example.com --header Authorization:Basic",
    )
    .assert()
    .code(0)
    .stdout(predicate::str::contains(
        "  < 200 (the backend Service answers once authentication passes",
    ));
    simulate(&basic, "--origin https://evil.example --method PUT")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "  > Access-Control-Request-Method: PUT\n  < 401 (authentication answers",
        ))
        .stdout(predicate::str::contains(
            "verdict: blocked: preflight-missing-allow-origin",
        ));
    let signin = ingress(
        "    nginx.ingress.kubernetes.io/auth-url: https://auth.example.com/oauth2/auth\n    \
         nginx.ingress.kubernetes.io/auth-signin: https://auth.example.com/oauth2/start\n",
    );
    simulate(&signin, "--origin https://app.example.com")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "  < 302 (authentication answers, not the backend",
        ))
        .stdout(predicate::str::contains(
            "redirect to https://auth.example.com/oauth2/start",
        ))
        .stdout(predicate::str::contains(
            "verdict: allowed: the 302 redirect passes the CORS check, so fetch() follows it",
        ));
}
