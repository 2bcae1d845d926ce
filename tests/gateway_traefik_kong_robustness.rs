//! The Traefik and Kong front ends never panic, and every origin entry's span names exactly
//! the bytes of its text.
//!
//! 1. Random bytes, YAML/TOML-shaped bytes and mutated corpus files go through recognition,
//!    lowering, every rule and every output format without a panic; every span lies inside
//!    the file, on character boundaries.
//! 2. Random origin strings written as TOML literal and basic strings and YAML single- and
//!    double-quoted scalars: the matcher span of each entry covers exactly its written text.

use cors_lint::frontend::{self, Dialect, Options};
use cors_lint::ir::OriginPolicy;
use cors_lint::lint::Settings;
use cors_lint::source::{Encoding, SourceFile};
use proptest::prelude::*;

#[path = "fuzz/checks.rs"]
#[allow(dead_code)] // each suite uses part of the fuzz checks
mod checks;

fn run(name: &str, dialect: Dialect, bytes: Vec<u8>) {
    let _ = frontend::recognise(name, &bytes);
    // The file name matters only by its extension (TOML or YAML) and Kong's own name.
    let file_name = if name.ends_with(".toml") {
        "dynamic.toml"
    } else if name.contains("kong") {
        "kong.yaml"
    } else {
        "dynamic.yml"
    };
    let target = checks::Target {
        name: file_name,
        dialect,
        file_name,
    };
    checks::check(&target, &bytes, &Settings::default());
}

fn corpus(dir: &str) -> Vec<(String, Vec<u8>)> {
    let dir = format!("{}/corpus/{dir}", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.expect("entry").path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .filter(|p: &std::path::PathBuf| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

const TRAEFIK_SHAPE: &str = "http:\n  routers:\n    r: {middlewares: [c]}\n  middlewares:\n    c:\n      headers:\n        accessControlAllowOriginList: [\"https://a.example\", \"*\"]\n        accessControlAllowOriginListRegex: ['^https://.*\\.b\\.example$']\n        accessControlAllowCredentials: true\n        accessControlAllowMethods: [GET, \"*\"]\n        accessControlMaxAge: 99999\n        customResponseHeaders: {Access-Control-Allow-Origin: \"*\"}\n";

const TOML_SHAPE: &str = "[http.routers.r]\nmiddlewares = [\"c\"]\n[http.middlewares.c.headers]\naccessControlAllowOriginList = [\"https://a.example\", 'null']\naccessControlAllowOriginListRegex = [\"https://.*\\\\.b\\\\.example\"]\naccessControlAllowCredentials = true\naccessControlMaxAge = 10\n";

const KONG_SHAPE: &str = "apiVersion: configuration.konghq.com/v1\nkind: KongPlugin\nmetadata: {name: c}\nplugin: cors\nconfig:\n  origins: [\"https://a.example\", \"(.*\\\\.)?b\\\\.example\", \"c.example\", \"*\"]\n  credentials: true\n  preflight_continue: true\n  max_age: 99999\n---\n_format_version: \"3.0\"\nplugins: [{name: cors, config: {origins: []}}]\n";

fn mutate(seed: &str, edits: &[(usize, u8)]) -> Vec<u8> {
    let mut b = seed.as_bytes().to_vec();
    for &(at, byte) in edits {
        if b.is_empty() {
            break;
        }
        let i = at % b.len();
        match byte % 3 {
            0 => b[i] = byte,
            1 => {
                b.remove(i);
            }
            _ => b.insert(i, byte),
        }
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        run("dynamic.toml", Dialect::Traefik, bytes.clone());
        run("dynamic.yml", Dialect::Traefik, bytes.clone());
        run("kong.yaml", Dialect::Kong, bytes);
    }

    #[test]
    fn mutated_shapes_never_panic(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..12)) {
        run("dynamic.yml", Dialect::Traefik, mutate(TRAEFIK_SHAPE, &edits));
        run("dynamic.toml", Dialect::Traefik, mutate(TOML_SHAPE, &edits));
        run("kong.yaml", Dialect::Kong, mutate(KONG_SHAPE, &edits));
        for (name, bytes) in corpus("traefik").into_iter().chain(corpus("kong")) {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let dialect = if name.contains("kong") { Dialect::Kong } else { Dialect::Traefik };
            run(&name, dialect, mutate(&text, &edits));
        }
    }

    #[test]
    fn origin_entries_span_their_text(
        entries in proptest::collection::vec("[a-zA-Z0-9:/._*()|?+é-]{1,24}", 1..5),
        style in 0..4u8,
    ) {
        let (name, src) = match style {
            0 => ("d.toml", format!(
                "[http.middlewares.c.headers]\naccessControlAllowOriginList = [{}]\n",
                entries.iter().map(|e| format!("'{e}'")).collect::<Vec<_>>().join(", ")
            )),
            1 => ("d.toml", format!(
                "[http.middlewares.c.headers]\naccessControlAllowOriginList = [{}]\n",
                entries.iter().map(|e| format!("\"{e}\"")).collect::<Vec<_>>().join(",\n  ")
            )),
            2 => ("d.yml", format!(
                "http:\n  middlewares:\n    c:\n      headers:\n        accessControlAllowOriginList:\n{}",
                entries.iter().map(|e| format!("          - '{e}'\n")).collect::<String>()
            )),
            _ => ("d.yml", format!(
                "http:\n  middlewares:\n    c:\n      headers:\n        accessControlAllowOriginList: [{}]\n",
                entries.iter().map(|e| format!("\"{e}\"")).collect::<Vec<_>>().join(", ")
            )),
        };
        let file = SourceFile::new(name, src.as_bytes().to_vec(), Encoding::Utf8);
        let l = frontend::lower(Dialect::Traefik, &file, &Options::default()).unwrap();
        let OriginPolicy::Match(m) = &l.policies[0].allow_origin else {
            panic!("{:?}", l.policies[0].allow_origin)
        };
        // Entries after the first `*` are shadowed (no matcher).
        let kept: Vec<&String> = match entries.iter().position(|e| e == "*") {
            Some(i) => entries[..=i].iter().collect(),
            None => entries.iter().collect(),
        };
        prop_assert_eq!(m.matchers.len(), kept.len());
        for ((_, span), e) in m.matchers.iter().zip(kept) {
            prop_assert_eq!(&src[span.range()], e.as_str());
        }
    }
}
