//! One snapshot per corpus file and format (concise, JSON, full report), reviewed by hand.
//! Each snapshot starts with how the file was recognised (or why it was skipped), so
//! detection is under test too. Paths are relative to the repository root.

use cors_lint::lint::{FileReport, Outcome, Settings, lint_path};
use cors_lint::report::{self, GraphicalOptions};
use std::path::Path;

fn lint(path: &Path) -> FileReport {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shown = path
        .strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned();
    lint_path(path, shown, &Settings::default())
}

fn outcome(r: &FileReport) -> String {
    match &r.outcome {
        Outcome::Linted { dialect, because } => {
            format!("# read as {} ({because})\n", dialect.name())
        }
        Outcome::Skipped { reason } => format!("# skipped: {reason}\n"),
        Outcome::Failed => "# failed: cannot be read or parsed\n".to_string(),
    }
}

/// One corpus file's snapshot: its outcome line, then its report and those of the files it
/// includes (nginx), rendered by `render`.
fn snapshot_file(name: &str, render: fn(&[FileReport]) -> String, path: &Path) {
    let mut r = lint(path);
    let included = std::mem::take(&mut r.included);
    let head = outcome(&r);
    let mut all = vec![r];
    all.extend(included);
    insta::assert_snapshot!(name, format!("{head}{}", render(&all)));
}

/// Snapshot every TorchServe and nginx corpus file.
fn snapshot_corpus(name: &str, render: fn(&[FileReport]) -> String) {
    insta::glob!("../corpus", "**/*.{properties,conf}", |path| {
        snapshot_file(name, render, path)
    });
}

/// Snapshot every ingress-nginx corpus file (`corpus/ingress/*.yaml`), named `ingress_*` so
/// the other snapshots keep their names.
fn snapshot_ingress(name: &str, render: fn(&[FileReport]) -> String) {
    insta::glob!("../corpus/ingress", "*.yaml", |path| {
        snapshot_file(name, render, path)
    });
}

#[test]
fn ingress_concise() {
    snapshot_ingress("ingress_concise", report::concise);
}

#[test]
fn ingress_json() {
    snapshot_ingress("ingress_json", report::json);
}

#[test]
fn ingress_full() {
    snapshot_ingress("ingress_full", |r| {
        report::graphical(
            r,
            GraphicalOptions {
                color: false,
                width: 100,
            },
        )
    });
}

#[test]
fn corpus_concise() {
    snapshot_corpus("corpus_concise", report::concise);
}

#[test]
fn corpus_json() {
    snapshot_corpus("corpus_json", report::json);
}

#[test]
fn corpus_full() {
    snapshot_corpus("corpus_full", |r| {
        report::graphical(
            r,
            GraphicalOptions {
                color: false,
                width: 100,
            },
        )
    });
}

/// Snapshot every Gateway API, Istio and Envoy Gateway corpus file, named `gateways_*`.
fn snapshot_gateways(name: &str, render: fn(&[FileReport]) -> String) {
    insta::glob!(
        "../corpus",
        "{gateway-api,istio,envoy-gateway}/*.yaml",
        |path| { snapshot_file(name, render, path) }
    );
}

#[test]
fn gateways_concise() {
    snapshot_gateways("gateways_concise", report::concise);
}

#[test]
fn gateways_json() {
    snapshot_gateways("gateways_json", report::json);
}

#[test]
fn gateways_full() {
    snapshot_gateways("gateways_full", |r| {
        report::graphical(
            r,
            GraphicalOptions {
                color: false,
                width: 100,
            },
        )
    });
}

/// Snapshot every Traefik and Kong corpus file (`corpus/traefik/`, `corpus/kong/`, YAML and
/// TOML), named `traefik_kong_*`.
fn snapshot_traefik_kong(name: &str, render: fn(&[FileReport]) -> String) {
    insta::glob!("../corpus", "{traefik,kong}/*.{yaml,yml,toml}", |path| {
        snapshot_file(name, render, path)
    });
}

#[test]
fn traefik_kong_concise() {
    snapshot_traefik_kong("traefik_kong_concise", report::concise);
}

#[test]
fn traefik_kong_json() {
    snapshot_traefik_kong("traefik_kong_json", report::json);
}

#[test]
fn traefik_kong_full() {
    snapshot_traefik_kong("traefik_kong_full", |r| {
        report::graphical(
            r,
            GraphicalOptions {
                color: false,
                width: 100,
            },
        )
    });
}
