//! Packaging and integration surface of the binary: `--version`, `completions`, walking with
//! and without `--no-ignore`, files no front end reads, `--stdin-filename`.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn cmd() -> Command {
    let mut c = Command::cargo_bin("cors-lint").expect("binary");
    c.env_remove("NO_COLOR");
    c
}

fn write(dir: &Path, name: &str, content: &str) -> String {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
    path.to_string_lossy().into_owned()
}

const BAD: &str =
    "disable_token_authorization=true\ncors_allowed_origin=https://a.example, https://b.example\n";
const NGINX_BAD: &str = "location /api/ {\n    add_header Access-Control-Allow-Origin $http_origin always;\n    add_header Access-Control-Allow-Credentials true always;\n}\n";
const NOT_CORS_YAML: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: debug\n";

fn stdout_of(c: &mut Command, code: i32) -> String {
    String::from_utf8(c.assert().code(code).get_output().stdout.clone()).unwrap()
}

#[test]
fn version_names_the_package_version_and_the_commit_when_built_in_git() {
    let out = stdout_of(cmd().arg("--version"), 0);
    let prefix = format!("cors-lint {}", env!("CARGO_PKG_VERSION"));
    assert!(out.starts_with(&prefix), "{out}");
    let rest = out.trim_end().strip_prefix(&prefix).unwrap();
    assert!(
        rest.is_empty()
            || regex::Regex::new(r"^ \([0-9a-f]{4,40}\)$")
                .unwrap()
                .is_match(rest),
        "{out}"
    );
    // Built at the top of a git work tree (this checkout): the hash is HEAD's.
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let top =
        git(&["rev-parse", "--show-toplevel"]).and_then(|t| Path::new(&t).canonicalize().ok());
    if top == Path::new(env!("CARGO_MANIFEST_DIR")).canonicalize().ok()
        && let Some(head) = git(&["rev-parse", "--short", "HEAD"])
    {
        assert_eq!(out.trim_end(), format!("{prefix} ({head})"));
    }
}

#[test]
fn completions_for_bash_zsh_and_fish_name_the_subcommands() {
    let bash = stdout_of(cmd().args(["completions", "bash"]), 0);
    assert!(bash.contains("complete -F"), "{bash}");
    for sub in [
        "check",
        "rule",
        "simulate",
        "diff",
        "convert",
        "fmt",
        "completions",
    ] {
        assert!(bash.contains(sub), "bash completion lacks {sub}");
    }
    assert!(bash.contains("--stdin-filename") && bash.contains("--no-ignore"));
    let zsh = stdout_of(cmd().args(["completions", "zsh"]), 0);
    assert!(zsh.starts_with("#compdef cors-lint"), "{zsh}");
    let fish = stdout_of(cmd().args(["completions", "fish"]), 0);
    assert!(fish.contains("complete -c cors-lint"), "{fish}");
    cmd()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value"));
}

#[test]
fn walks_honour_ignore_files_and_hidden_files_unless_no_ignore() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "shown/config.properties", BAD);
    write(d.path(), ".hidden/config.properties", BAD);
    write(d.path(), "ignored/config.properties", BAD);
    write(d.path(), "gitignored/config.properties", BAD);
    write(d.path(), ".ignore", "ignored/\n");
    write(d.path(), ".gitignore", "gitignored/\n");
    // A `.git` directory makes the walk treat the root as a repository (so `.gitignore`
    // counts); nothing inside it is ever linted.
    write(d.path(), ".git/config.properties", BAD);
    let lint = |extra: &[&str]| {
        let out = stdout_of(
            cmd()
                .current_dir(d.path())
                .args(["--format", "concise"])
                .args(extra)
                .arg("."),
            1,
        );
        let mut files: Vec<String> = out
            .lines()
            .filter(|l| !l.starts_with("Found "))
            .map(|l| l.split(':').next().unwrap().to_string())
            .collect();
        files.dedup();
        files
    };
    assert_eq!(lint(&[]), ["./shown/config.properties"]);
    assert_eq!(
        lint(&["--no-ignore"]),
        [
            "./.hidden/config.properties",
            "./gitignored/config.properties",
            "./ignored/config.properties",
            "./shown/config.properties"
        ]
    );
}

#[test]
fn explicit_files_no_front_end_reads_are_skipped_with_a_note_and_exit_0() {
    let d = tempfile::tempdir().unwrap();
    let yaml = write(d.path(), "deploy/settings.yaml", NOT_CORS_YAML);
    let txt = write(d.path(), "notes.txt", "cors_allowed_origin=*\n");
    for f in [&yaml, &txt] {
        cmd()
            .args(["--format", "concise", f])
            .assert()
            .code(0)
            .stdout("")
            .stderr(predicate::str::contains(format!("note: {f}: skipped: ")));
    }
    // Next to a file that is read, they change nothing.
    let bad = write(d.path(), "config.properties", BAD);
    let out = cmd()
        .args(["--format", "concise", &yaml, &bad, &txt])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("CORS001") && !stdout.contains("settings.yaml"),
        "{stdout}"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("settings.yaml: skipped"), "{stderr}");
    assert!(!stderr.contains("no files were linted"), "{stderr}");
}

#[test]
fn stdin_is_linted_as_the_file_named_by_stdin_filename() {
    // No path, and `-`: the same report, under the given name.
    let none = stdout_of(
        cmd()
            .args([
                "--format",
                "concise",
                "--stdin-filename",
                "deploy/config.properties",
            ])
            .write_stdin(BAD),
        1,
    );
    assert!(
        none.starts_with("deploy/config.properties:2:21: error[CORS001]"),
        "{none}"
    );
    let dash = stdout_of(
        cmd()
            .args([
                "check",
                "--format",
                "concise",
                "--stdin-filename",
                "deploy/config.properties",
                "-",
            ])
            .write_stdin(BAD),
        1,
    );
    assert_eq!(none, dash);
    // The name decides the dialect: the same bytes as nginx, TorchServe or nothing.
    let nginx = stdout_of(
        cmd()
            .args(["--format", "concise", "--stdin-filename", "site.conf"])
            .write_stdin(NGINX_BAD),
        1,
    );
    assert!(nginx.starts_with("site.conf:"), "{nginx}");
    cmd()
        .args(["--format", "concise", "--stdin-filename", "notes.txt"])
        .write_stdin(BAD)
        .assert()
        .code(0)
        .stdout("")
        .stderr(predicate::str::contains("note: notes.txt: skipped: "));
    // The file on disk at NAME is not read.
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "config.properties", BAD);
    cmd()
        .current_dir(d.path())
        .args(["--format", "json", "--stdin-filename", "config.properties"])
        .write_stdin("disable_token_authorization=true\ncors_allowed_origin=https://a.example\n")
        .assert()
        .code(0)
        .stdout("[]\n");
}

#[test]
fn stdin_nginx_includes_resolve_from_the_directory_of_stdin_filename() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "deploy/cors.conf",
        "add_header Access-Control-Allow-Origin $http_origin always;\nadd_header Access-Control-Allow-Credentials true always;\n",
    );
    let main = "events {}\nhttp {\n  server {\n    location / {\n      include cors.conf;\n    }\n  }\n}\n";
    let lint = |name: &str, code: i32| {
        stdout_of(
            cmd()
                .current_dir(d.path())
                .args(["--format", "concise", "--extend-select", "NGX001"])
                .args(["--stdin-filename", name])
                .write_stdin(main),
            code,
        )
    };
    let found = lint("deploy/nginx.conf", 1);
    assert!(
        found.contains("deploy/cors.conf:1:40: error[CORS015]"),
        "{found}"
    );
    let elsewhere = lint("other/nginx.conf", 0);
    assert!(
        elsewhere.starts_with("other/nginx.conf:5:7: info[NGX001]"),
        "{elsewhere}"
    );
}

#[test]
fn stdin_usage_errors() {
    cmd()
        .args(["--stdin-filename", "config.properties", "other.properties"])
        .write_stdin(BAD)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not `-`"));
    cmd()
        .args(["-"])
        .write_stdin(BAD)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--stdin-filename"));
    cmd()
        .args(["--fix", "--stdin-filename", "config.properties"])
        .write_stdin(BAD)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--fix and --diff"));
}
