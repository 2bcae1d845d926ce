//! Ground truth for `frontend::nginx::headers`: which `add_header` / `more_set_headers` lines
//! a real nginx 1.22 (Debian, with headers-more) sends, across `http` / `server` /
//! `location` / `if` levels, with and without `always`, `-s` status lists, and statuses
//! inside and outside add_header's list. Generated configs, one nginx per file, every
//! (server, location, inside-`if` or not) requested once; the `X-*` header lines must equal
//! the model's.

mod support;

use support::rng::Rng;

use cors_lint::frontend::nginx::headers::{self, Version};
use cors_lint::frontend::nginx::syntax::{self, Statement};
use std::time::Duration;
use support::nginx::Nginx;

/// 0–2 header directives for one level.
fn directives(rng: &mut Rng, level: &str) -> String {
    let mut out = String::new();
    for i in 0..rng.below(3) {
        let k = rng.below(4);
        out.push_str(&match rng.below(6) {
            0 => format!("add_header X-{level}{i} a{k};\n"),
            1 => format!("add_header X-{level}{i} a{k} always;\n"),
            2 => format!("add_header X-Shared s-{level} always;\n"),
            3 => format!("more_set_headers 'X-M{level}{i}: m{k}';\n"),
            4 => format!("more_set_headers -s '404 500' 'X-S{level}{i}: s{k}';\n"),
            _ => format!("more_set_headers 'X-Shared: m-{level}';\n"),
        });
    }
    out
}

fn status_line(rng: &mut Rng) -> &'static str {
    [
        "return 200 ok;",
        "return 204;",
        "return 301 /x;",
        "return 404;",
        "return 500;",
        "return 418;",
    ][rng.below(6)]
}

#[test]
fn header_inheritance_agrees_with_real_nginx() {
    let mut rng = Rng(0xfeed_beef_1234_5678);
    let (mut cases, mut agree) = (0, 0);
    let mut failures = Vec::new();
    for file in 0..6 {
        let mut conf = format!(
            "events {{}}\nhttp {{\naccess_log off;\n{0}",
            directives(&mut rng, "H")
        );
        for s in 0..4 {
            conf.push_str(&format!(
                "server {{\nlisten 127.0.0.1:__PORT__;\nserver_name s{s};\n{}",
                directives(&mut rng, "S")
            ));
            for l in 0..4 {
                conf.push_str(&format!(
                    "location = /l{l} {{\n{}",
                    directives(&mut rng, "L")
                ));
                if rng.below(2) == 0 {
                    conf.push_str(&format!(
                        "if ($arg_x) {{\n{}{}\n}}\n",
                        directives(&mut rng, "I"),
                        status_line(&mut rng)
                    ));
                }
                conf.push_str(&format!("{}\n}}\n", status_line(&mut rng)));
            }
            conf.push_str("}\n");
        }
        conf.push_str("}\n");
        let nginx = Nginx::start_config(&format!("headers-{file}"), &conf);
        let port = nginx.port;
        let config = syntax::parse(&nginx.config_bytes()).expect("parses");

        let http = config
            .statements
            .iter()
            .find(|s| s.name.value == "http")
            .unwrap();
        let servers = http.children().iter().filter(|s| s.name.value == "server");
        for (s, server) in servers.enumerate() {
            let locations = server
                .children()
                .iter()
                .filter(|st| st.name.value == "location");
            for (l, location) in locations.enumerate() {
                let iff = location.children().iter().find(|st| st.name.value == "if");
                for enter_if in [false, true] {
                    if enter_if && iff.is_none() {
                        continue;
                    }
                    let mut levels: Vec<&[Statement]> =
                        vec![http.children(), server.children(), location.children()];
                    if enter_if {
                        levels.push(iff.unwrap().children());
                    }
                    let innermost = *levels.last().unwrap();
                    let status = innermost
                        .iter()
                        .find(|st| st.name.value == "return")
                        .and_then(|st| st.args[0].value.parse::<u16>().ok())
                        .unwrap();
                    let mut model = headers::response_headers(
                        &headers::effective(&levels, Version(1, 22, 1)),
                        status,
                    );
                    model
                        .iter_mut()
                        .for_each(|(n, _)| *n = n.to_ascii_lowercase());
                    model.sort();
                    let path = format!("/l{l}{}", if enter_if { "?x=1" } else { "" });
                    let real = support::http::request_to_host(
                        port,
                        &format!("s{s}"),
                        "GET",
                        &path,
                        &[],
                        Duration::from_secs(3),
                    );
                    let mut real_x: Vec<(String, String)> = real
                        .headers
                        .into_iter()
                        .filter(|(n, _)| n.starts_with("x-"))
                        .collect();
                    real_x.sort();
                    cases += 1;
                    if real.status == Some(status) && real_x == model {
                        agree += 1;
                    } else {
                        failures.push(format!(
                            "file {file} server s{s} {path}: status {:?} (model {status})\n  nginx: {real_x:?}\n  model: {model:?}",
                            real.status
                        ));
                    }
                }
            }
        }
    }
    eprintln!(
        "nginx header inheritance: {agree}/{cases} responses agree with nginx 1.22 + headers-more"
    );
    assert!(cases >= 100, "too few cases: {cases}");
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A proxied backend's own `Access-Control-Allow-Origin` passes through next to the one
/// `add_header` adds (two lines), unless `proxy_hide_header` removes it; `more_set_headers`
/// replaces it (one line). What CORS026 and the nginx lowering assume.
#[test]
fn proxied_cors_headers_pass_through_unless_hidden_or_replaced() {
    let body = "server {\nlisten 127.0.0.1:__PORT__;\n\
        location /backend/ { add_header Access-Control-Allow-Origin https://backend.example always; return 200 b; }\n\
        location /add/ { proxy_pass http://127.0.0.1:__PORT__/backend/; add_header Access-Control-Allow-Origin https://front.example always; }\n\
        location /hidden/ { proxy_pass http://127.0.0.1:__PORT__/backend/; proxy_hide_header Access-Control-Allow-Origin; add_header Access-Control-Allow-Origin https://front.example always; }\n\
        location /more/ { proxy_pass http://127.0.0.1:__PORT__/backend/; more_set_headers 'Access-Control-Allow-Origin: https://front.example'; }\n\
        }\n";
    let nginx = Nginx::start("proxied", body);
    let lines = |path: &str| -> Vec<String> {
        support::http::request(nginx.port, "GET", path, &[], Duration::from_secs(5))
            .headers
            .into_iter()
            .filter(|(n, _)| n == "access-control-allow-origin")
            .map(|(_, v)| v)
            .collect()
    };
    assert_eq!(
        lines("/add/"),
        ["https://backend.example", "https://front.example"]
    );
    assert_eq!(lines("/hidden/"), ["https://front.example"]);
    assert_eq!(lines("/more/"), ["https://front.example"]);
}
