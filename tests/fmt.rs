//! `cors-lint fmt`: values normalized in place, nothing else touched, never a change of who
//! is allowed, idempotent; `--check`/`--diff` write nothing; bad input exits 2 while the
//! other files are still formatted. The corpus test checks the invariants on every shipped
//! file with an independent re-read and comparison.

mod support;

use assert_cmd::Command;
use cors_lint::equiv;
use cors_lint::format;
use cors_lint::frontend::{self, Options};
use cors_lint::lint::Settings;
use cors_lint::source::SourceFile;
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

const PROPS: &str = "# TorchServe\r\ncors_allowed_origin=https://app.example.com\r\n\
                     cors_allowed_methods=post,GET ,  get, put\r\n\
                     cors_allowed_headers=content-type,X-API-Key, Authorization\r\n";

#[test]
fn fmt_normalizes_lists_in_place_and_keeps_behaviour() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), "config.properties", PROPS);
    // --check: exit 1, nothing written.
    cmd()
        .args(["fmt", "--check", &f])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Would reformat:"));
    assert_eq!(std::fs::read_to_string(&f).unwrap(), PROPS);
    // fmt writes: safelisted methods upper-cased, `put` kept (upper-casing it would allow
    // PUT), duplicates removed, usual order, standard header spelling, CRLF and comment kept.
    cmd()
        .args(["fmt", &f])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("not upper-casing the methods"))
        .stderr(predicate::str::contains(
            "a `PUT` from `https://app.example.com`",
        ))
        .stderr(predicate::str::contains("1 file reformatted"));
    assert_eq!(
        std::fs::read_to_string(&f).unwrap(),
        "# TorchServe\r\ncors_allowed_origin=https://app.example.com\r\n\
         cors_allowed_methods=GET, POST, put\r\n\
         cors_allowed_headers=Authorization, Content-Type, X-API-Key\r\n"
    );
    // Idempotent.
    cmd()
        .args(["fmt", "--check", &f])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("0 files would be reformatted"));
}

#[test]
fn fmt_keeps_yaml_quoting_comments_and_layout() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        d.path(),
        "dynamic.yml",
        "http:\n  middlewares:\n    cors:\n      headers:\n        \
         accessControlAllowOriginList: [\"https://app.example.com\"]\n        \
         accessControlAllowMethods: [\"post\", 'GET']   # comment kept\n        \
         accessControlAllowHeaders:\n          - x-api-key\n          - content-type\n        \
         addVaryHeader: true\n",
    );
    cmd().args(["fmt", &f]).assert().code(0);
    assert_eq!(
        std::fs::read_to_string(&f).unwrap(),
        "http:\n  middlewares:\n    cors:\n      headers:\n        \
         accessControlAllowOriginList: [\"https://app.example.com\"]\n        \
         accessControlAllowMethods: [\"GET\", 'POST']   # comment kept\n        \
         accessControlAllowHeaders:\n          - Content-Type\n          - x-api-key\n        \
         addVaryHeader: true\n"
    );
}

#[test]
fn fmt_keeps_an_nginx_bare_word_one_word() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        d.path(),
        "site.conf",
        "server {\n    location / {\n        \
         add_header Access-Control-Allow-Origin https://app.example.com always;\n        \
         add_header Access-Control-Allow-Methods post,GET always;\n        \
         add_header Access-Control-Allow-Headers \"content-type,x-token\" always;\n    }\n}\n",
    );
    cmd()
        .args(["fmt", &f])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("note").not());
    let out = std::fs::read_to_string(&f).unwrap();
    assert!(
        out.contains("Access-Control-Allow-Methods GET,POST always;"),
        "{out}"
    );
    assert!(
        out.contains("Access-Control-Allow-Headers \"Content-Type, x-token\" always;"),
        "{out}"
    );
}

/// A default stays implicit: writing ingress-nginx's `cors-allow-credentials: "true"` out
/// would keep the behaviour but hide `INGX001`, which says it is in force.
#[test]
fn fmt_leaves_ingress_nginx_default_credentials_implicit() {
    let d = tempfile::tempdir().unwrap();
    let text = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n    \
         nginx.ingress.kubernetes.io/enable-cors: \"true\"\n    \
         nginx.ingress.kubernetes.io/cors-allow-origin: \"https://app.example.com\"\n";
    let f = write(d.path(), "ingress.yaml", text);
    cmd().args(["fmt", "--check", &f]).assert().code(0);
    cmd()
        .args(["--format", "concise", "--select", "INGX001", &f])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("INGX001"));
    assert_eq!(std::fs::read_to_string(&f).unwrap(), text);
}

#[test]
fn fmt_reports_bad_input_and_still_formats_the_rest() {
    let d = tempfile::tempdir().unwrap();
    let bad = write(
        d.path(),
        "bad.conf",
        "server {\n    add_header A b, c always;\n}\n",
    );
    let good = write(d.path(), "config.properties", PROPS);
    cmd()
        .args(["fmt", &bad, &good])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bad.conf: 2:5: invalid number of arguments in \"add_header\" directive",
        ))
        .stderr(predicate::str::contains("1 file reformatted"));
    assert_ne!(std::fs::read_to_string(&good).unwrap(), PROPS);
    assert_eq!(
        std::fs::read_to_string(&bad).unwrap(),
        "server {\n    add_header A b, c always;\n}\n"
    );
}

/// Every corpus file: the formatted text reads back with as many policies, each equivalent
/// to the original over the browser request space; formatting again changes nothing; and
/// some files do change (so the test can fail).
#[test]
fn corpus_formatting_keeps_every_policy_and_is_idempotent() {
    let settings = Settings::default();
    let (mut changed, mut files) = (0, 0);
    let mut failures = Vec::new();
    for (file, dialect) in support::corpus::files() {
        let path = std::path::PathBuf::from(file.name());
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Ok(before) = frontend::lower(dialect, &file, &Options::default()) else {
            continue;
        };
        files += 1;
        let out = format::format(&file, dialect, &settings).expect("formats");
        if out.bytes == file.bytes() {
            continue;
        }
        changed += 1;
        let again = SourceFile::new(
            path.to_string_lossy(),
            out.bytes.clone(),
            dialect.encoding(),
        );
        let after = match frontend::lower(dialect, &again, &Options::default()) {
            Ok(l) => l.policies,
            Err(e) => {
                failures.push(format!("{name}: the result does not read: {}", e.message));
                continue;
            }
        };
        if after.len() != before.policies.len() {
            failures.push(format!("{name}: policy count changed"));
            continue;
        }
        for (b, a) in before.policies.iter().zip(&after) {
            let c = equiv::compare(b, a);
            if !c.equivalent() {
                failures.push(format!("{name}: {}\n{}", b.scope.description, c.render(2)));
            }
        }
        let twice = format::format(&again, dialect, &settings).expect("formats");
        if twice.bytes != out.bytes {
            failures.push(format!("{name}: a second fmt changes it again"));
        }
    }
    eprintln!("fmt over the corpus: {changed} of {files} files reformatted");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(changed >= 10, "only {changed} files changed");
}
