//! Ground truth for `frontend::nginx::eval`: generated CORS configurations of the shapes the
//! facts catalogue (maps on `$http_origin`, origin `if`s with `set`, preflight `if`s that
//! `return 204`, reflected `$http_origin`, `always` or not, more_set_headers, headers at
//! server and location level, several locations) run in a real nginx 1.22 with headers-more;
//! every (path, method, Origin) is requested and status + every `access-control-*` / `vary`
//! line must equal the model's answer.

mod support;

use support::rng::Rng;

use cors_lint::frontend::nginx::eval::{self, Answer, Request};
use cors_lint::frontend::nginx::headers::Version;
use cors_lint::frontend::nginx::syntax;
use std::time::Duration;
use support::nginx::Nginx;

const MAPS: &[&str] = &[
    "map $http_origin $cors_origin { default \"\"; \"~^https://app\\.example\\.com$\" $http_origin; \"https://b.example.com\" $http_origin; }",
    "map $http_origin $cors_origin { default \"\"; \"~*^https://([a-z]+\\.)?example\\.com$\" $http_origin; }",
    "map $http_origin $cors_origin { default \"https://app.example.com\"; \"~example\" $http_origin; }",
];

const ACAO: &[&str] = &[
    "*",
    "$http_origin",
    "$cors_origin",
    "https://app.example.com",
    "\"$cors_origin\"",
    "https://$server_name",
];

fn cors_lines(rng: &mut Rng, always: bool) -> String {
    let always = if always { " always" } else { "" };
    let mut out = String::new();
    match rng.below(3) {
        0 => out.push_str(&format!(
            "more_set_headers \"Access-Control-Allow-Origin: {}\";\n",
            rng.pick(&["$http_origin", "*", "$cors_origin"])
        )),
        _ => out.push_str(&format!(
            "add_header Access-Control-Allow-Origin {}{always};\n",
            rng.pick(ACAO)
        )),
    }
    if rng.below(2) == 0 {
        out.push_str(&format!(
            "add_header Access-Control-Allow-Credentials true{always};\n"
        ));
    }
    if rng.below(2) == 0 {
        out.push_str(&format!("add_header Vary Origin{always};\n"));
    }
    out
}

fn location_body(rng: &mut Rng) -> String {
    let mut body = String::new();
    let coin = rng.below(2) == 0;
    match rng.below(5) {
        0 => body.push_str(&cors_lines(rng, coin)),
        1 => {
            let re = rng.pick(&[
                "https://app.example.com",
                "^https://app\\.example\\.com$",
                "\\.example\\.com$",
                "^https?://(www\\.)?b\\.example\\.com",
            ]);
            let op = rng.pick(&["~", "~*"]);
            body.push_str(&format!(
                "if ($http_origin {op} \"{re}\") {{ set $cors \"1\"; }}\n"
            ));
            body.push_str(&format!(
                "if ($cors = \"1\") {{\n{}}}\n",
                cors_lines(rng, true)
            ));
        }
        2 => {
            body.push_str(&format!(
                "if ($http_origin {} \"{}\") {{\n{}}}\n",
                rng.pick(&["~*", "~"]),
                rng.pick(&["app.example.com", "^https://b\\.example\\.com$"]),
                cors_lines(rng, coin)
            ));
        }
        3 => {
            // A guard that answers other origins itself; `''` is an empty argument.
            let re = rng.pick(&["^https://app\\.example\\.com$", "example\\.com"]);
            body.push_str(&format!(
                "set $ok '';\nif ($http_origin ~* \"{re}\") {{ set $ok 1; }}\nif ($ok = '') {{ return 403; }}\n{}",
                cors_lines(rng, coin)
            ));
        }
        _ => {}
    }
    if rng.below(2) == 0 {
        let inner = if rng.below(2) == 0 {
            cors_lines(rng, false)
        } else {
            String::new()
        };
        let method = rng.pick(&["OPTIONS", "'OPTIONS'", "\"OPTIONS\""]);
        body.push_str(&format!("if ($request_method = {method}) {{\n{inner}add_header Access-Control-Allow-Methods \"GET, POST\";\nadd_header Access-Control-Max-Age 600;\nreturn 204;\n}}\n"));
    }
    body.push_str(rng.pick(&[
        "return 200 ok;\n",
        "return 404;\n",
        "return 500;\n",
        "return 301 /x;\n",
    ]));
    body
}

const PATHS: &[&str] = &["/", "/api/x", "/exact", "/a.json"];
/// One server each; which of them (or none) is `default_server` is drawn per file.
const SERVER_NAMES: &[&str] = &[
    "a.test",
    "\"*.b.test\" .c.test",
    "\"~^api\\d+\\.d\\.test$\"",
    "_ E.test",
];
const HOSTS: &[&str] = &[
    "a.test",
    "x.b.test",
    "b.test",
    "y.c.test",
    "c.test",
    "api1.d.test",
    "API2.D.TEST",
    "other.test",
    "127.0.0.1:__PORT__",
];
const METHODS: &[&str] = &["GET", "OPTIONS", "POST", "patch"];
const ORIGINS: &[Option<&str>] = &[
    Some("https://app.example.com"),
    Some("https://APP.example.com"),
    Some("https://app.example.com.evil.net"),
    Some("https://b.example.com"),
    Some("https://x.example.com"),
    Some("null"),
    None,
];

#[test]
fn answers_agree_with_real_nginx() {
    let mut rng = Rng(0xc0de_d00d_5eed_0001);
    let (mut cases, mut agree) = (0, 0);
    let mut failures = Vec::new();
    for file in 0..10 {
        let mut conf = format!(
            "events {{}}\nhttp {{\naccess_log off;\n{0}\n",
            rng.pick(MAPS)
        );
        let default = rng.below(SERVER_NAMES.len() + 1);
        for (i, names) in SERVER_NAMES.iter().enumerate() {
            let flag = if i == default { " default_server" } else { "" };
            conf.push_str(&format!(
                "server {{\nlisten 127.0.0.1:__PORT__{flag};\nserver_name {names};\n"
            ));
            if rng.below(3) == 0 {
                conf.push_str(&cors_lines(&mut rng, true));
            }
            for location in ["/", "/api", "= /exact", "~ \\.json$"] {
                conf.push_str(&format!(
                    "location {location} {{\n{}}}\n",
                    location_body(&mut rng)
                ));
            }
            conf.push_str("}\n");
        }
        conf.push_str("}\n");
        let nginx = Nginx::start_config(&format!("eval-{file}"), &conf);
        let config = syntax::parse(&nginx.config_bytes()).expect("parses");
        let tally = agreement(&nginx, &config.statements, HOSTS, &format!("file {file}"));
        cases += tally.0;
        agree += tally.1;
        failures.extend(tally.2);
    }
    eprintln!("nginx answers: {agree}/{cases} agree with nginx 1.22 + headers-more");
    assert_all_agree(&failures);
}

fn assert_all_agree(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Every (Host, path, method, Origin) of the oracle's space against `nginx` and the model of
/// `statements`: (cases, agreeing, disagreements).
fn agreement(
    nginx: &Nginx,
    statements: &[syntax::Statement],
    hosts: &[&str],
    label: &str,
) -> (usize, usize, Vec<String>) {
    let port = nginx.port;
    let (mut cases, mut agree, mut failures) = (0, 0, Vec::new());
    for host in hosts {
        for path in PATHS {
            for method in METHODS {
                for origin in ORIGINS {
                    let host = host.replace("__PORT__", &port.to_string());
                    let mut headers: Vec<(String, String)> = origin
                        .iter()
                        .map(|o| ("Origin".to_string(), o.to_string()))
                        .collect();
                    headers.push(("Host".to_string(), host.clone()));
                    let request = Request {
                        method: method.to_string(),
                        uri: path.to_string(),
                        headers: headers.clone(),
                    };
                    let model = eval::answer(statements, &request, Version(1, 22, 1), None);
                    headers.pop();
                    let real = support::http::request_to_host(
                        port,
                        &host,
                        method,
                        path,
                        &headers,
                        Duration::from_secs(3),
                    );
                    let mut real_cors: Vec<(String, String)> = real
                        .headers
                        .into_iter()
                        .filter(|(n, _)| n.starts_with("access-control-") || n == "vary")
                        .collect();
                    real_cors.sort();
                    cases += 1;
                    let label = format!("{label} Host {host} {method} {path} Origin {origin:?}");
                    match model {
                        Answer::Response { status, headers } => {
                            let mut model_cors: Vec<(String, String)> = headers
                                .into_iter()
                                .map(|(n, v)| (n.to_ascii_lowercase(), v))
                                .collect();
                            model_cors.sort();
                            if real.status == Some(status) && real_cors == model_cors {
                                agree += 1;
                            } else {
                                failures.push(format!(
                                    "{label}\n  nginx: {:?} {real_cors:?}\n  model: {status} {model_cors:?}",
                                    real.status
                                ));
                            }
                        }
                        Answer::Unknown(why) => {
                            failures.push(format!("{label}: model cannot answer: {why}"))
                        }
                    }
                }
            }
        }
    }
    (cases, agree, failures)
}

/// What `simulate` makes of a file that is only part of a configuration (issue 18 §5): a
/// `conf.d` server block, a file of locations included into a server, a snippet of directives
/// included into a location. Each generated fragment is evaluated alone by the model and
/// served by a real nginx with the fragment where an `include` would put it (nginx splices an
/// include's text in place); every answer must agree.
#[test]
fn fragments_answer_as_included() {
    let mut rng = Rng(0xc0de_d00d_5eed_0002);
    let (mut cases, mut agree) = (0, 0);
    let mut failures = Vec::new();
    // Fragments have no `map` of their own: `$cors_origin` becomes `$http_origin`.
    let own = |t: String| t.replace("$cors_origin", "$http_origin");
    for file in 0..9 {
        let locations: String = ["/", "/api", "= /exact", "~ \\.json$"]
            .iter()
            .map(|l| format!("location {l} {{\n{}}}\n", own(location_body(&mut rng))))
            .collect();
        let (fragment, around): (String, fn(&str) -> String) = match file % 3 {
            0 => (
                format!(
                    "server {{\nlisten 127.0.0.1:__PORT__;\nserver_name a.test;\n{}{locations}}}\n",
                    own(cors_lines(&mut rng, true))
                ),
                |f| format!("events {{}}\nhttp {{\naccess_log off;\n{f}}}\n"),
            ),
            1 => (
                format!("{}{locations}", own(cors_lines(&mut rng, true))),
                |f| {
                    format!(
                        "events {{}}\nhttp {{\naccess_log off;\nserver {{\nlisten 127.0.0.1:__PORT__;\n{f}}}\n}}\n"
                    )
                },
            ),
            _ => (own(location_body(&mut rng)), |f| {
                format!(
                    "events {{}}\nhttp {{\naccess_log off;\nserver {{\nlisten 127.0.0.1:__PORT__;\nlocation / {{\n{f}}}\n}}\n}}\n"
                )
            }),
        };
        let nginx = Nginx::start_config(&format!("fragment-{file}"), &around(&fragment));
        let text = fragment.replace("__PORT__", &nginx.port.to_string());
        let config = syntax::parse(text.as_bytes()).expect("parses");
        let tally = agreement(
            &nginx,
            &config.statements,
            &["a.test"],
            &format!("fragment {file}"),
        );
        cases += tally.0;
        agree += tally.1;
        failures.extend(tally.2);
    }
    eprintln!("fragment answers: {agree}/{cases} agree with nginx 1.22 + headers-more");
    assert!(cases > 0);
    assert_all_agree(&failures);
}
