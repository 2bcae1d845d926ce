//! ingress-nginx through the binary: directory walks offer YAML, `--assume-version
//! ingress-nginx=X` changes what is version-dependent, templates and other YAML are skipped
//! with a reason, broken YAML exits 2.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn cmd() -> Command {
    Command::cargo_bin("cors-lint").expect("binary")
}

fn write(dir: &Path, name: &str, content: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path.to_string_lossy().into_owned()
}

const NULL_LIST: &str = "apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: api
  annotations:
    nginx.ingress.kubernetes.io/enable-cors: \"true\"
    nginx.ingress.kubernetes.io/cors-allow-origin: \"https://app.example.com, null\"
    nginx.ingress.kubernetes.io/cors-allow-credentials: \"false\"
";

#[test]
fn null_is_an_origin_from_1_13_and_dropped_before() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), "ingress.yaml", NULL_LIST);
    cmd()
        .args(["--format", "concise", &f])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("CORS013").and(predicate::str::contains("INGX003").not()));
    cmd()
        .args([
            "--format",
            "concise",
            "--assume-version",
            "ingress-nginx=1.12.1",
            &f,
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("INGX003").and(predicate::str::contains("CORS013").not()));
}

#[test]
fn versions_outside_the_model_are_usage_errors() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), "ingress.yaml", NULL_LIST);
    cmd()
        .args(["--assume-version", "ingress-nginx=1.8.0", &f])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("1.9.0 to 1.15.1"));
    cmd()
        .args(["--assume-version", "ingress-nginx=latest", &f])
        .assert()
        .code(2);
}

#[test]
fn walks_offer_yaml_and_explain_skips() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "ingress.yml", NULL_LIST);
    write(
        d.path(),
        "deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n",
    );
    write(
        d.path(),
        "tpl.yaml",
        "metadata:\n  name: {{ .Release.Name }}\nkind: Ingress\n",
    );
    cmd()
        .args(["-v", "--format", "concise", d.path().to_str().unwrap()])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("ingress.yml:7:"))
        .stderr(
            predicate::str::contains("deploy.yaml: skipped")
                .and(predicate::str::contains(
                    "without an Ingress (kinds: `Deployment`)",
                ))
                .and(predicate::str::contains("tpl.yaml: skipped"))
                .and(predicate::str::contains("Helm/Go template")),
        );
}

#[test]
fn broken_yaml_is_cl000_and_exit_2() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        d.path(),
        "ingress.yaml",
        "kind: Ingress\nmetadata:\n  annotations:\n    a: \"x\n",
    );
    cmd()
        .args(["--format", "concise", &f])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("error[CL000] invalid YAML"));
}

/// INGX010's cause is the controller, not a file: one finding for the run, on the first file
/// in path order, whose note counts the others; alone, a file gets it with no count.
#[test]
fn retired_controller_is_reported_once_per_run() {
    let d = tempfile::tempdir().unwrap();
    for name in ["a.yaml", "b.yaml", "c.yaml"] {
        write(d.path(), name, NULL_LIST);
    }
    let dir = d.path().to_string_lossy().into_owned();
    let out = cmd()
        .args(["--select", "INGX010", "--format", "json", &dir])
        .output()
        .unwrap();
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert!(findings[0]["path"].as_str().unwrap().ends_with("a.yaml"));
    assert!(
        findings[0]["note"]
            .as_str()
            .unwrap()
            .contains("2 more files in this run"),
        "{findings:#?}"
    );
    // Also in a format rendered file by file.
    let out = cmd()
        .args(["--select", "INGX010", "--format", "concise", &dir])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("[INGX010]").count(), 1, "{text}");
    let one = d.path().join("b.yaml").to_string_lossy().into_owned();
    let out = cmd()
        .args(["--select", "INGX010", "--format", "json", &one])
        .output()
        .unwrap();
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(findings.len(), 1);
    assert!(!findings[0]["note"].as_str().unwrap().contains("more files"));
}
