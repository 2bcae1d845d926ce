//! Ground truth for `frontend::nginx::map`: generated `map $http_origin $oN { … }` blocks
//! (exact keys in mixed case, anchored / unanchored / case-insensitive regexes with
//! captures, `$http_origin` values, missing `default`) in a real nginx 1.22, each reported
//! back by `add_header X-ON "[$oN]" always;`, requested with origins that do and do not
//! match (case variants, suffix and prefix attacks, ports, `null`, no Origin at all).

mod support;

use support::rng::Rng;

use cors_lint::frontend::nginx::map::{Map, expand};
use cors_lint::frontend::nginx::syntax;
use std::time::Duration;
use support::nginx::Nginx;

const KEYS: &[&str] = &[
    "\"https://app.example.com\"",
    "\"HTTPS://App.Example.COM:8443\"",
    "null",
    "\"http://app.example.com\"",
    "\"~^https://app\\.example\\.com$\"",
    "\"~https://app.example.com\"",
    "\"~*^https://.*\\.example\\.com$\"",
    "\"~^https?://(www\\.)?app\\.example\\.com$\"",
    "\"~^https://([a-z]+)\\.example\\.com$\"",
    "\"~*APP\"",
    "\"~\\.evil\\.net$\"",
];

const VALUES: &[&str] = &[
    "ok",
    "$http_origin",
    "\"$1\"",
    "\"\"",
    "\"v-$1-$http_origin\"",
];

const ORIGINS: &[Option<&str>] = &[
    Some("https://app.example.com"),
    Some("HTTPS://APP.EXAMPLE.COM"),
    Some("https://App.Example.com"),
    Some("https://app.example.com.evil.net"),
    Some("https://evil.net/https://app.example.com"),
    Some("https://appxexample.com"),
    Some("https://x.example.com"),
    Some("https://a.b.example.com"),
    Some("http://app.example.com"),
    Some("http://www.app.example.com"),
    Some("https://app.example.com:8443"),
    Some("null"),
    None,
];

#[test]
fn map_lookups_agree_with_real_nginx() {
    let mut rng = Rng(0x1357_9bdf_2468_ace0);
    const MAPS: usize = 30;
    let mut conf = String::from("events {}\nhttp {\naccess_log off;\n");
    for m in 0..MAPS {
        conf.push_str(&format!("map $http_origin $o{m} {{\n"));
        if rng.below(3) > 0 {
            conf.push_str(&format!("    default d{m};\n"));
        }
        let mut used = Vec::new();
        for _ in 0..1 + rng.below(5) {
            let key = KEYS[rng.below(KEYS.len())];
            if used.contains(&key.to_ascii_lowercase()) {
                continue;
            }
            used.push(key.to_ascii_lowercase());
            conf.push_str(&format!("    {key} {};\n", VALUES[rng.below(VALUES.len())]));
        }
        conf.push_str("}\n");
    }
    conf.push_str(
        "server {
listen 127.0.0.1:__PORT__;
location / {
",
    );
    for m in 0..MAPS {
        conf.push_str(&format!("    add_header X-O{m} \"[$o{m}]\" always;\n"));
    }
    conf.push_str("    return 200 ok;\n}\n}\n}\n");
    let nginx = Nginx::start_config("map", &conf);
    let port = nginx.port;
    let config = syntax::parse(&nginx.config_bytes()).expect("parses");
    let http = config
        .statements
        .iter()
        .find(|s| s.name.value == "http")
        .unwrap();
    let maps: Vec<Map> = http.children().iter().filter_map(Map::read).collect();
    assert_eq!(maps.len(), MAPS);

    let (mut cases, mut agree) = (0, 0);
    let mut failures = Vec::new();
    for origin in ORIGINS {
        let headers: Vec<(String, String)> = origin
            .iter()
            .map(|o| ("Origin".to_string(), o.to_string()))
            .collect();
        let real = support::http::request(port, "GET", "/", &headers, Duration::from_secs(3));
        let input = origin.unwrap_or("");
        for (m, map) in maps.iter().enumerate() {
            let lookup = map.lookup(input);
            assert!(
                !lookup.uncertain,
                "every generated regex compiles with the regex crate"
            );
            let vars = |name: &str| (name == "http_origin").then(|| input.to_string());
            let value = match lookup.value {
                Some(v) => expand(&v.value, &vars, &lookup.captures).expect("known variables"),
                None => String::new(),
            };
            let model = format!("[{value}]");
            let name = format!("x-o{m}");
            let got = real
                .headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone());
            cases += 1;
            if got.as_deref() == Some(model.as_str()) {
                agree += 1;
            } else {
                failures.push(format!(
                    "map {m} Origin {origin:?}: nginx {got:?}, model {model:?}"
                ));
            }
        }
    }
    eprintln!("nginx map lookups: {agree}/{cases} agree with nginx 1.22");
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}\n{conf}",
        failures.len(),
        failures.join("\n")
    );
}
