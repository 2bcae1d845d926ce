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
    // Real bash completes rule codes, families and dialects from the script.
    let complete = |line: &str| -> Vec<String> {
        let words: Vec<&str> = line.split(' ').collect();
        let script = format!(
            "source <(\"$1\" completions bash)\nCOMP_WORDS=({})\nCOMP_CWORD={}\nCOMP_LINE='{line}'\n\
             COMP_POINT=${{#COMP_LINE}}\n_cors__lint cors-lint '{}' '{}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
            words.join(" "),
            words.len() - 1,
            words[words.len() - 1],
            words[words.len() - 2],
        );
        let out = std::process::Command::new("bash")
            .args(["-c", &script, "bash", env!("CARGO_BIN_EXE_cors-lint")])
            .output()
            .unwrap();
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    };
    let select = complete("cors-lint --select CORS01");
    assert!(select.iter().any(|c| c == "CORS015"), "{select:?}");
    assert!(select.iter().all(|c| c.starts_with("CORS01")), "{select:?}");
    let family = complete("cors-lint check --ignore IN");
    assert!(family.iter().any(|c| c == "INGX"), "{family:?}");
    let rule = complete("cors-lint rule TS00");
    assert!(rule.iter().any(|c| c == "TS001"), "{rule:?}");
    let to = complete("cors-lint convert x.conf --to gat");
    assert_eq!(to, ["gateway-api"]);
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
}

/// Editors pipe a buffer through `--fix` (or `fmt`) and read the result back: the fixed
/// text on stdout, what remains on stderr, nothing written anywhere.
#[test]
fn stdin_fix_and_fmt_write_the_result_to_stdout() {
    let d = tempfile::tempdir().unwrap();
    let out = cmd()
        .current_dir(d.path())
        .args([
            "--fix",
            "--format",
            "concise",
            "--stdin-filename",
            "nginx.conf",
        ])
        .write_stdin(NGINX_NO_VARY)
        .assert()
        .get_output()
        .clone();
    let fixed = String::from_utf8(out.stdout).unwrap();
    assert!(fixed.contains("add_header Vary Origin always;"), "{fixed}");
    assert_ne!(fixed, NGINX_NO_VARY);
    let remaining = String::from_utf8(out.stderr).unwrap();
    assert!(!remaining.contains("[CORS020]"), "{remaining}");
    let diff = cmd()
        .current_dir(d.path())
        .args(["--diff", "--stdin-filename", "nginx.conf"])
        .write_stdin(NGINX_NO_VARY)
        .assert()
        .get_output()
        .stdout
        .clone();
    let diff = String::from_utf8(diff).unwrap();
    assert!(
        diff.contains("+    add_header Vary Origin always;"),
        "{diff}"
    );
    // Nothing to fix: the input comes back unchanged.
    let same = stdout_of(
        cmd()
            .current_dir(d.path())
            .args(["--fix", "--stdin-filename", "notes.txt"])
            .write_stdin("hello\n"),
        0,
    );
    assert_eq!(same, "hello\n");
    let formatted = stdout_of(
        cmd()
            .current_dir(d.path())
            .args(["fmt", "--stdin-filename", "nginx.conf"])
            .write_stdin(NGINX_UNFORMATTED),
        0,
    );
    assert_ne!(formatted, NGINX_UNFORMATTED);
    assert!(
        formatted.contains("Methods GET,POST always;"),
        "{formatted}"
    );
    cmd()
        .current_dir(d.path())
        .args(["fmt", "--check", "--stdin-filename", "nginx.conf"])
        .write_stdin(NGINX_UNFORMATTED)
        .assert()
        .code(1)
        .stdout("");
    assert_eq!(
        std::fs::read_dir(d.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

const NGINX_NO_VARY: &str = "map $http_origin $cors {\n    default \"\";\n    \"https://app.example.com\" $http_origin;\n}\nserver {\n    add_header Access-Control-Allow-Origin $cors always;\n}\n";
const NGINX_UNFORMATTED: &str = "server {\n    add_header Access-Control-Allow-Origin https://app.example.com always;\n    add_header Access-Control-Allow-Methods post,GET always;\n}\n";
