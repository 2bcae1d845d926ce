//! Random bytes and random mutations of corpus files hold the fuzz targets' invariants
//! (tests/fuzz/checks.rs): no panic anywhere in the pipeline (recognise → front end → rules
//! → every output format), every span inside the file on a character boundary, and every
//! fix removes its finding.

use cors_lint::frontend::{self, Env, Options};
use cors_lint::lint::Settings;
use proptest::prelude::*;
use std::collections::BTreeMap;

#[path = "fuzz/checks.rs"]
#[allow(dead_code)] // each suite uses part of the fuzz checks
mod checks;

fn run(bytes: Vec<u8>, settings: &Settings) {
    let _ = frontend::recognise("config.properties", &bytes);
    let _ = frontend::recognise("x.properties", &bytes);
    checks::check(checks::target("torchserve"), &bytes, settings);
}

fn settings_with_env() -> Settings {
    let vars: BTreeMap<String, String> = [
        ("A", "x$1"),
        ("B", "https://a.example"),
        ("C", "$"),
        ("D", "a\\"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    Settings {
        options: Options {
            env: Env::Known(vars),
            ts_disable_token_auth: false,
            ts_enable_model_api: false,
            nginx_version: None,
            nginx_prefix: None,
            ingress_nginx_version: None,
            ..Options::default()
        },
        ..Settings::default()
    }
}

fn corpus() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/torchserve");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("corpus") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            out.push(std::fs::read(path).expect("read"));
        }
    }
    out
}

/// Bytes biased towards the syntax: properties punctuation, escapes, line ends, CORS keys.
fn syntaxy_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        any::<u8>().prop_map(|b| vec![b]),
        prop::sample::select(vec![
            "cors_allowed_origin=",
            "cors_allowed_methods=",
            "cors_allowed_headers=",
            "disable_token_authorization=",
            "enable_envvars_config=true\n",
            "inference_address=",
            "management_address=http://0.0.0.0:8081\n",
            "\\",
            "\\u",
            "\\u00",
            "$$A$$",
            "$$B$$",
            "$$C$$",
            "$$D$$",
            "$$",
            "*",
            "null",
            ",",
            " ",
            "\t",
            "\r",
            "\n",
            "\r\n",
            "#",
            "!",
            "=",
            ":",
            "https://a.example",
            "{",
            "}",
            "\u{feff}",
            "\x00",
            "\x0b",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    let m = prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, v)| Mutation::Insert(i, v)),
        (any::<usize>(), 1usize..16).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<usize>().prop_map(Mutation::Truncate),
    ];
    prop::collection::vec(m, 1..6)
}

fn apply(mut bytes: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        let len = bytes.len();
        match m {
            Mutation::Flip(i, b) if len > 0 => bytes[i % len] = *b,
            Mutation::Insert(i, v) => {
                let at = i % (len + 1);
                bytes.splice(at..at, v.iter().copied());
            }
            Mutation::Delete(i, n) if len > 0 => {
                let at = i % len;
                let end = (at + n).min(len);
                bytes.drain(at..end);
            }
            Mutation::Truncate(i) => bytes.truncate(i % (len + 1)),
            _ => {}
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        run(bytes, &Settings::default());
    }

    #[test]
    fn syntax_shaped_bytes_never_panic(bytes in syntaxy_bytes()) {
        run(bytes.clone(), &Settings::default());
        run(bytes, &settings_with_env());
    }

    #[test]
    fn mutated_corpus_files_never_panic(index in any::<usize>(), muts in mutations()) {
        let files = corpus();
        let original = files[index % files.len()].clone();
        run(apply(original, &muts), &Settings::default());
    }
}

/// nginx-shaped byte strings: directive names the models read, block and statement ends,
/// quotes, escapes, variables, comments, Lua blocks, and arbitrary bytes.
fn nginx_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        any::<u8>().prop_map(|b| vec![b]),
        prop::sample::select(vec![
            "http {",
            "server {",
            "location ",
            "location = /",
            "location ~ \\.x$ ",
            "if (",
            "if ($http_origin ~* ",
            ") {",
            "$request_method = OPTIONS) {",
            "}",
            ";",
            "{",
            " ",
            "\n",
            "\"",
            "'",
            "\\",
            "#",
            "$",
            "${",
            "$http_origin",
            "$1",
            "add_header ",
            "Access-Control-Allow-Origin ",
            "always",
            "more_set_headers ",
            "-s ",
            "'X: y' ",
            "map $http_origin $o {",
            "default ",
            "~^https://a\\.b$ ",
            "~* ",
            "set $v ",
            "return ",
            "204",
            "200 ok",
            "break",
            "server_name ",
            "*.a.test ",
            "~^x ",
            "listen 1 default_server",
            "content_by_lua_block {",
            "--[[",
            "]]",
            "[=[",
            "include ",
            "error_page ",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

fn run_nginx(bytes: Vec<u8>) {
    use cors_lint::frontend::nginx::{eval, headers::Version, syntax};
    let _ = frontend::recognise("nginx.conf", &bytes);
    let prefix = std::env::temp_dir().join("cors-lint-robustness-empty");
    checks::check(checks::target("nginx"), &bytes, &checks::settings(&prefix));
    if let Ok(config) = syntax::parse(&bytes) {
        for (method, uri, origin) in [
            ("GET", "/", "https://a.b"),
            ("OPTIONS", "/x?y=1", "null"),
            ("patch", "/a", ""),
        ] {
            let request = eval::Request {
                method: method.into(),
                uri: uri.into(),
                headers: vec![
                    ("Origin".into(), origin.into()),
                    ("Host".into(), "a.test".into()),
                ],
            };
            let _ = eval::answer(&config.statements, &request, Version(1, 22, 1), None);
            let _ = eval::answer(&config.statements, &request, Version::NEWEST, None);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn nginx_never_panics(bytes in nginx_bytes()) {
        run_nginx(bytes);
    }

    #[test]
    fn nginx_random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        run_nginx(bytes);
    }
}
