//! The binary's contract: subcommands, formats, exit codes (0/1/2), selection, colours.

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
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, content).unwrap();
    path.to_string_lossy().into_owned()
}

const BAD: &str =
    "disable_token_authorization=true\ncors_allowed_origin=https://a.example, https://b.example\n";
const CLEAN: &str = "disable_token_authorization=true\ncors_allowed_origin=https://a.example\n";
const WARN_ONLY: &str = "disable_token_authorization=true\ncors_allowed_origin=https://a.example\ncors_allowed_headers=X-Custom-Header\n";
const INFO_ONLY: &str = "disable_token_authorization=true\ncors_allowed_origin=https://a.example\ncors_allowed_methods=GET, POST\n";

#[test]
fn check_is_the_default_subcommand() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), "config.properties", BAD);
    let implicit = cmd()
        .args(["--format", "concise", &f])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let explicit = cmd()
        .args(["check", "--format", "concise", &f])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert_eq!(implicit, explicit);
    assert!(String::from_utf8(implicit).unwrap().contains("CORS001"));
}

#[test]
fn concise_is_one_line_per_finding_sorted_by_path_then_position() {
    let d = tempfile::tempdir().unwrap();
    let b = write(d.path(), "b/config.properties", BAD);
    let a = write(
        d.path(),
        "a/config.properties",
        "cors.allowed.origin=x\ncors_allowed_origin=*\n",
    );
    let out = stdout_of(
        cmd().args(["--format", "concise", "--select", "ALL", &b, &a]),
        1,
    );
    let lines: Vec<&str> = out.lines().filter(|l| !l.starts_with("Found ")).collect();
    assert_eq!(lines.len(), 4, "{out}");
    let re = regex::Regex::new(
        r"^(.+):(\d+):(\d+): (error|warning|info)\[[A-Z]+\d{3}\]( \[\*\])? \S.*$",
    )
    .unwrap();
    let mut keys = Vec::new();
    for l in &lines {
        let c = re
            .captures(l)
            .unwrap_or_else(|| panic!("not PATH:LINE:COL: SEVERITY[CODE] message: {l}"));
        keys.push((
            c[1].to_string(),
            c[2].parse::<usize>().unwrap(),
            c[3].parse::<usize>().unwrap(),
        ));
    }
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(
        lines[0].starts_with(&format!("{a}:1:1: error[TS001] ")),
        "{}",
        lines[0]
    );
    assert!(out.contains(&format!("{b}:2:21: error[CORS001] ")), "{out}");
}

#[test]
fn json_has_the_documented_schema() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), "config.properties", BAD);
    let out = cmd()
        .args(["--format", "json", &f])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let first = &v.as_array().unwrap()[0];
    for key in [
        "path", "code", "name", "severity", "message", "help", "span", "related",
    ] {
        assert!(first.get(key).is_some(), "missing {key}: {first}");
    }
    assert_eq!(first["code"], "CORS001");
    assert_eq!(first["name"], "invalid-allow-origin-value");
    assert_eq!(first["severity"], "error");
    let span = &first["span"];
    // `cors_allowed_origin=` is 20 bytes on line 2, which starts at byte 33.
    assert_eq!(span["start"], 53);
    assert_eq!(
        span["end"],
        53 + "https://a.example, https://b.example".len()
    );
    assert_eq!(
        (span["line"].as_u64(), span["column"].as_u64()),
        (Some(2), Some(21))
    );
    assert_eq!(
        (span["end_line"].as_u64(), span["end_column"].as_u64()),
        (Some(2), Some(57))
    );
}

#[test]
fn exit_codes_follow_fail_on_and_exit_zero() {
    let d = tempfile::tempdir().unwrap();
    let clean = write(d.path(), "clean/config.properties", CLEAN);
    let warn = write(d.path(), "warn/config.properties", WARN_ONLY);
    let info = write(d.path(), "info/config.properties", INFO_ONLY);
    let bad = write(d.path(), "bad/config.properties", BAD);
    cmd()
        .arg(&clean)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("All checks passed."));
    cmd().arg(&warn).assert().code(1);
    cmd().args(["--fail-on", "error", &warn]).assert().code(0);
    // Info findings come from opt-in rules (CORS011 here).
    cmd().arg(&info).assert().code(0);
    cmd()
        .args(["--extend-select", "CORS011", &info])
        .assert()
        .code(0);
    cmd()
        .args(["--extend-select", "CORS011", "--fail-on", "info", &info])
        .assert()
        .code(1);
    cmd().args(["--exit-zero", &bad]).assert().code(0);
    // several files: the highest code wins
    cmd().args([&clean, &bad]).assert().code(1);
}

#[test]
fn unreadable_and_unparsable_input_exit_2_and_other_files_are_still_linted() {
    let d = tempfile::tempdir().unwrap();
    let bad = write(d.path(), "bad/config.properties", BAD);
    let broken = write(
        d.path(),
        "broken/config.properties",
        "cors_allowed_origin=a\\u12x4\n",
    );
    let missing = d
        .path()
        .join("missing/config.properties")
        .to_string_lossy()
        .into_owned();
    for format in ["concise", "json", "full"] {
        let out = stdout_of(cmd().args(["--format", format, &bad, &broken, &missing]), 2);
        assert!(
            out.contains("CORS001"),
            "{format}: other files still linted\n{out}"
        );
        assert!(out.contains("CL000"), "{format}\n{out}");
        assert!(out.contains("No such file or directory"), "{format}\n{out}");
        assert!(
            out.contains("malformed \\\\uxxxx") || out.contains("malformed \\uxxxx"),
            "{format}\n{out}"
        );
    }
    let out = cmd()
        .args(["--format", "concise", &broken])
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        String::from_utf8(out)
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .split(": error[CL000]")
            .next()
            .unwrap(),
        format!("{broken}:1:22")
    );
    // --exit-zero does not hide input errors
    cmd().args(["--exit-zero", &broken]).assert().code(2);
}

#[cfg(unix)]
#[test]
fn a_fifo_is_reported_not_read() {
    let d = tempfile::tempdir().unwrap();
    let fifo = d.path().join("config.properties");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    cmd()
        .args(["--format", "concise", fifo.to_str().unwrap()])
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .stdout(predicate::str::contains("error[CL000] not a regular file"));
}

#[test]
fn directories_are_walked_and_non_torchserve_properties_skipped() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "deploy/ts/config.properties", BAD);
    write(
        d.path(),
        "deploy/ts/extra.properties",
        "cors.allowed.origin=https://x.example\n",
    );
    write(
        d.path(),
        "deploy/java/log4j2.properties",
        "status = error\nappender.console.type = Console\n",
    );
    write(d.path(), "deploy/readme.txt", "cors_allowed_origin=*\n");
    let root = d.path().join("deploy");
    let root = root.to_string_lossy();
    let out = cmd()
        .args(["--format", "concise", "--verbose", &root])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stdout.contains("deploy/ts/config.properties:2:21: error[CORS001]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("deploy/ts/extra.properties:1:1: error[TS001]"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("log4j2") && !stdout.contains("readme"),
        "{stdout}"
    );
    assert!(stderr.contains("log4j2.properties: skipped"), "{stderr}");
    assert!(
        stderr.contains("config.properties: read as torchserve"),
        "{stderr}"
    );
    // without --verbose, no notes
    let out = cmd()
        .args(["--format", "concise", &root])
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    assert!(out.is_empty(), "{}", String::from_utf8_lossy(&out));
}

#[test]
fn an_explicit_non_torchserve_file_is_skipped_and_said_so() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        d.path(),
        "application.properties",
        "server.port=8080\nspring.mvc.cors.allowed-origins=*\n",
    );
    cmd()
        .args(["--format", "concise", &f])
        .assert()
        .code(0)
        .stdout("")
        .stderr(predicate::str::contains("no files were linted"));
    cmd()
        .args(["--verbose", "--format", "concise", &f])
        .assert()
        .stderr(predicate::str::contains(
            "skipped: torchserve: no TorchServe key or TorchServe-style CORS key; nginx: not a .conf file",
        ));
}

#[test]
fn a_path_spelled_like_a_subcommand_is_given_as_dot_slash() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "rule/config.properties", BAD);
    cmd()
        .current_dir(d.path())
        .args(["--format", "concise", "./rule"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "./rule/config.properties:2:21: error[CORS001]",
        ));
}

#[test]
fn select_ignore_and_warn() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        d.path(),
        "config.properties",
        "cors.allow.credentials=true\ncors_allowed_origin=https://a.example/\n",
    );
    let run = |args: &[&str]| {
        let mut a = vec!["--format", "concise", "--ts-disable-token-auth"];
        a.extend_from_slice(args);
        a.push(&f);
        String::from_utf8(cmd().args(&a).assert().get_output().stdout.clone()).unwrap()
    };
    let all = run(&[]);
    assert!(all.contains("TS001") && all.contains("CORS001"), "{all}");
    let only_cors = run(&["--select", "CORS"]);
    assert!(!only_cors.contains("TS001") && only_cors.contains("CORS001"));
    let ignored = run(&["--ignore", "CORS001"]);
    assert!(ignored.contains("TS001") && !ignored.contains("CORS001"));
    let specific_wins = run(&["--select", "CORS001", "--ignore", "CORS"]);
    assert!(specific_wins.contains("CORS001") && !specific_wins.contains("TS001"));
    // --warn downgrades: with --fail-on error the run passes
    cmd()
        .args([
            "--ts-disable-token-auth",
            "--warn",
            "CORS001,TS",
            "--fail-on",
            "error",
            &f,
        ])
        .assert()
        .code(0);
    cmd()
        .args(["--ts-disable-token-auth", "--fail-on", "error", &f])
        .assert()
        .code(1);
    let json = String::from_utf8(
        cmd()
            .args(["--format", "json", "--warn", "TS001", &f])
            .assert()
            .get_output()
            .stdout
            .clone(),
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let ts = v
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "TS001")
        .unwrap();
    assert_eq!(ts["severity"], "warning");
    cmd()
        .args(["--select", "NOPE", &f])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule selector `NOPE`"));
}

#[test]
fn rule_docs_and_table() {
    let table = stdout_of(cmd().args(["rule", "--all"]), 0);
    for code in ["CL000", "CORS001", "CORS014", "TS001", "TS007"] {
        assert!(
            table.lines().any(|l| l.starts_with(code)),
            "{code} missing from\n{table}"
        );
    }
    let docs = stdout_of(cmd().args(["rule", "CORS001"]), 0);
    for heading in [
        "# CORS001 invalid-allow-origin-value",
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "Use instead:",
        "## Fix",
    ] {
        assert!(docs.contains(heading), "{heading} missing from\n{docs}");
    }
    assert!(!docs.contains('«'), "markers are stripped");
    cmd()
        .args(["rule", "invalid-allow-origin-value"])
        .assert()
        .code(0);
    cmd().args(["rule", "NOPE999"]).assert().code(2);
    let json = cmd()
        .args(["rule", "--all", "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(v.as_array().unwrap().len(), table.lines().count() - 1);
}

#[test]
fn colours_follow_color_and_no_color() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), "config.properties", BAD);
    let esc = |args: &[&str], no_color: bool| {
        let mut c = cmd();
        if no_color {
            c.env("NO_COLOR", "1");
        }
        let out = c
            .args(args)
            .arg(&f)
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone();
        out.contains(&0x1b)
    };
    assert!(esc(&["--color", "always"], false));
    assert!(
        esc(&["--color", "always"], true),
        "--color always wins over NO_COLOR"
    );
    assert!(!esc(&["--color", "never"], false));
    assert!(!esc(&[], false), "auto: not a terminal");
    let out =
        String::from_utf8(cmd().arg(&f).assert().code(1).get_output().stdout.clone()).unwrap();
    assert!(
        out.starts_with("error[CORS001] invalid-allow-origin-value\n"),
        "{out}"
    );
    assert!(
        out.trim_end().ends_with(
            "Found 1 finding (1 error) in 1 file.\n`cors-lint rule CODE` explains a rule."
        ),
        "{out}"
    );
}

#[test]
fn environment_flags() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        d.path(),
        "config.properties",
        "disable_token_authorization=true\ncors_allowed_origin=$$ORIGIN$$\n",
    );
    let run = |args: &[&str]| {
        String::from_utf8(
            cmd()
                .args(["--format", "concise"])
                .args(args)
                .arg(&f)
                .assert()
                .get_output()
                .stdout
                .clone(),
        )
        .unwrap()
    };
    assert!(run(&["--extend-select", "TS004"]).contains("TS004"));
    let substituted = run(&["--env", "ORIGIN=https://a.example/"]);
    assert!(
        substituted.contains(":2:21: error[CORS001]") && substituted.contains("https://a.example/"),
        "{substituted}"
    );
    assert!(run(&["--env", "OTHER=1"]).contains("TS005"));
    let from_process = String::from_utf8(
        cmd()
            .env("ORIGIN", "null")
            .args(["--format", "concise", "--env-from-process", &f])
            .assert()
            .get_output()
            .stdout
            .clone(),
    )
    .unwrap();
    assert!(from_process.contains("CORS013"), "{from_process}");
    cmd()
        .args(["--env", "NOEQUALS", &f])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--env expects NAME=VALUE"));
}

#[test]
fn ts_disable_token_auth_flag() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        d.path(),
        "config.properties",
        "cors_allowed_origin=https://a.example\ncors_allowed_headers=X-Token\n",
    );
    cmd()
        .args(["--format", "concise", &f])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("CORS004"));
    cmd()
        .args(["--format", "concise", "--ts-disable-token-auth", &f])
        .assert()
        .stdout(predicate::str::contains("CORS004").not());
}

/// nginx files are recognised (by name or by a line starting with an nginx directive) and a
/// syntax error nginx would refuse is CL000 at its exact place, exit 2; other .conf files are
/// skipped.
#[test]
fn nginx_syntax_errors_are_cl000() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "good.conf", "server {\n  listen 80;\n}\n");
    write(
        d.path(),
        "supervisor.conf",
        "[program:x]\ncommand=/bin/true\n",
    );
    let bad = write(d.path(), "bad.conf", "server {\n  listen 80\n}\n");
    cmd()
        .args(["--format", "concise"])
        .arg(d.path())
        .assert()
        .code(2)
        .stdout(predicate::str::contains(format!(
            "{bad}:3:1: error[CL000] unexpected \"}}\": the directive before it is not ended with `;`"
        )));
    cmd()
        .args(["--format", "concise", "-v"])
        .arg(d.path().join("good.conf"))
        .assert()
        .code(0)
        .stderr(predicate::str::contains("read as nginx"));
}

#[test]
fn nginx_includes_are_followed_from_the_prefix_and_reported_in_their_own_files() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    write(
        root,
        "nginx.conf",
        "events {}\nhttp {\n    include conf.d/*.conf;\n}\n",
    );
    write(
        root,
        "conf.d/api.conf",
        "server {\n    location /api/ {\n        include snippets/cors.conf;\n        add_header X-Frame-Options DENY;\n    }\n    location /b/ {\n        include snippets/missing.conf;\n    }\n}\n",
    );
    write(
        root,
        "snippets/cors.conf",
        "add_header Access-Control-Allow-Origin $http_origin always;\nadd_header Vary Origin always;\n",
    );
    let out = stdout_of(
        cmd()
            .current_dir(root)
            .args(["--format", "concise", "--select", "ALL", "."]),
        0,
    );
    // The snippet's finding is located in the snippet, found through nginx.conf → conf.d (a
    // prefix-relative path, not relative to conf.d/), and each file is reported once although
    // the walk also offers conf.d/api.conf and the snippet on their own.
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            "./conf.d/api.conf:7:9: info[NGX001] cors-lint did not read `include snippets/missing.conf`: `./snippets/missing.conf` does not exist here",
            "./snippets/cors.conf:1:40: info[CORS002] echoing every `Origin` lets every web page read responses from location `/api/` of the server",
            "Found 2 findings (2 info) in 2 files.",
        ],
        "{out}"
    );
    // Linted alone, conf.d/api.conf finds its prefix in the directory of nginx.conf above it.
    let alone = cmd()
        .current_dir(root)
        .args(["--format", "concise", "--select", "ALL", "conf.d/api.conf"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert!(
        String::from_utf8(alone)
            .unwrap()
            .contains("snippets/cors.conf:1:40: info[CORS002]")
    );
    // nginx cannot load an include cycle: an error at the top file's `include` into it.
    write(root, "loop/nginx.conf", "http { include a.conf; }\n");
    write(root, "loop/a.conf", "include nginx.conf;\n");
    cmd()
        .current_dir(root)
        .args(["--format", "concise", "loop/nginx.conf"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "loop/nginx.conf:1:8: error[CL000] this `include` leads into an include cycle (",
        ));
}

#[test]
fn diff_compares_policies_across_dialects() {
    let d = tempfile::tempdir().unwrap();
    let ts = write(
        d.path(),
        "config.properties",
        "disable_token_authorization=true\ncors_allowed_origin=https://app.example.com\ncors_allowed_methods=GET, PUT\n",
    );
    let same = write(
        d.path(),
        "same.conf",
        "server { location / {\n  add_header Access-Control-Allow-Origin https://app.example.com always;\n  add_header Access-Control-Allow-Methods \"GET, PUT\" always;\n} }\n",
    );
    let wider = write(
        d.path(),
        "wider.conf",
        "server { location / {\n  if ($http_origin ~ https://app\\.example\\.com) {\n    add_header Access-Control-Allow-Origin $http_origin always;\n    add_header Access-Control-Allow-Methods \"GET, PUT\" always;\n  }\n} }\n",
    );
    let out = cmd()
        .args(["diff", &ts, &same])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(out).unwrap().ends_with("\nequivalent\n"));
    // Widening exits 1 and names a call the new configuration lets through.
    cmd()
        .args(["diff", &same, &wider])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "a `GET` from `https://app.example.com.evil.example`: blocked (origin-mismatch) before, allowed after",
        ));
    // Narrowing only: exit 0, but not "equivalent".
    let narrowed = cmd()
        .args(["diff", &wider, &same, "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&narrowed).unwrap();
    assert_eq!(v["equivalent"], false);
    assert_eq!(v["widened"], false);
    cmd()
        .args(["diff", &ts, "missing.conf"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.conf: cannot read"));
}

#[test]
fn convert_writes_only_equivalent_results() {
    let d = tempfile::tempdir().unwrap();
    let ingress = write(
        d.path(),
        "ingress.yaml",
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n    nginx.ingress.kubernetes.io/enable-cors: \"true\"\n    nginx.ingress.kubernetes.io/cors-allow-origin: \"https://app.example.com, https://*.example.org\"\n",
    );
    let out = d.path().join("cors.conf");
    let text = convert_and_diff(&ingress, &["--to", "nginx"], &out);
    assert!(
        text.contains("\"~^https://[a-z0-9-]+\\.example\\.org$\" $http_origin;"),
        "{text}"
    );
    // What the target cannot express is an error at the source bytes, and nothing is written.
    let reflect = write(
        d.path(),
        "reflect.conf",
        "server { location / {\n  add_header Access-Control-Allow-Origin $http_origin always;\n  add_header Access-Control-Allow-Credentials true always;\n} }\n",
    );
    let none = d.path().join("never.yaml");
    cmd()
        .args([
            "convert",
            &reflect,
            "--to",
            "ingress-nginx",
            "--service",
            "api:80",
            "-o",
        ])
        .arg(&none)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "{reflect}:2:42: ingress-nginx cannot express every origin echoed with credentials"
        )));
    assert!(!none.exists());
    cmd()
        .args(["convert", &ingress, "--to", "caddy"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no back end"));
}

#[test]
fn fix_applies_safe_fixes_in_place_and_diff_only_shows_them() {
    let d = tempfile::tempdir().unwrap();
    let conf = "# keep this comment\nserver {\n    location /a {\n        add_header Access-Control-Allow-Origin $cors;\n        add_header   X-Other 1;\n    }\n    location /b {\n        add_header Access-Control-Allow-Origin $cors;\n    }\n}\n";
    let map =
        "map $http_origin $cors { default \"\"; \"https://app.example.com\" $http_origin; }\n";
    let f = write(d.path(), "cors.conf", &format!("{map}{conf}"));
    let before = std::fs::read_to_string(&f).unwrap();
    // --diff shows the safe edits (`Vary`) and writes nothing; `always` makes errors
    // readable, a change of behaviour, so only --unsafe-fixes shows it.
    cmd()
        .args(["--diff", "--format", "concise", &f])
        .assert()
        .stdout(predicate::str::contains(
            "+        add_header Vary Origin always;",
        ))
        .stdout(predicate::str::contains("$cors always;").not());
    cmd()
        .args(["--diff", "--unsafe-fixes", "--format", "concise", &f])
        .assert()
        .stdout(predicate::str::contains(
            "+        add_header Access-Control-Allow-Origin $cors always;",
        ));
    assert_eq!(std::fs::read_to_string(&f).unwrap(), before);
    // --fix writes them; only the edited bytes change (spacing, comments kept).
    cmd()
        .args(["--fix", "--format", "concise", &f])
        .assert()
        .stderr(predicate::str::contains("fixed 2 findings in 1 file"));
    let vary = std::fs::read_to_string(&f).unwrap();
    assert_eq!(
        vary,
        format!(
            "{map}# keep this comment\nserver {{\n    location /a {{\n        add_header Access-Control-Allow-Origin $cors;\n        add_header Vary Origin always;\n        add_header   X-Other 1;\n    }}\n    location /b {{\n        add_header Access-Control-Allow-Origin $cors;\n        add_header Vary Origin always;\n    }}\n}}\n"
        )
    );
    cmd()
        .args(["--fix", "--unsafe-fixes", "--format", "concise", &f])
        .assert()
        .stderr(predicate::str::contains("fixed 2 findings in 1 file"));
    let after = std::fs::read_to_string(&f).unwrap();
    assert_eq!(
        after,
        format!(
            "{map}# keep this comment\nserver {{\n    location /a {{\n        add_header Access-Control-Allow-Origin $cors always;\n        add_header Vary Origin always;\n        add_header   X-Other 1;\n    }}\n    location /b {{\n        add_header Access-Control-Allow-Origin $cors always;\n        add_header Vary Origin always;\n    }}\n}}\n"
        )
    );
    // Nothing left to fix: a second run changes nothing.
    cmd()
        .args(["--fix", "--unsafe-fixes", "--format", "concise", &f])
        .assert()
        .stderr(predicate::str::contains("fixed 0 findings in 0 files"));
    assert_eq!(std::fs::read_to_string(&f).unwrap(), after);
}

#[test]
fn gateway_objects_resolve_across_the_files_of_a_run() {
    let d = tempfile::tempdir().unwrap();
    let mw = |name: &str| {
        format!(
            "apiVersion: traefik.io/v1alpha1\nkind: Middleware\nmetadata:\n  name: {name}\n  namespace: web\nspec:\n  headers:\n    accessControlAllowOriginList:\n      - https://app.example.com\n    addVaryHeader: true\n"
        )
    };
    let route = |uses: &str| {
        format!(
            "apiVersion: traefik.io/v1alpha1\nkind: IngressRoute\nmetadata:\n  name: web\n  namespace: web\nspec:\n  routes:\n    - match: PathPrefix(`/`)\n      kind: Rule\n      middlewares:\n        - name: {uses}\n      services:\n        - name: web\n          port: 80\n"
        )
    };
    let a = write(d.path(), "a/middleware.yaml", &mw("cors"));
    let b = write(d.path(), "a/route.yaml", &route("cors"));
    // Used from the other file: no dead-configuration finding.
    let out = cmd()
        .args(["--format", "concise", "--select", "TFK001"])
        .arg(d.path().join("a"))
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert!(
        String::from_utf8(out)
            .unwrap()
            .starts_with("All checks passed.")
    );
    // The router names another middleware: this one is dead, though its own file could not tell.
    std::fs::write(&b, route("other")).unwrap();
    cmd()
        .args(["--format", "concise", "--select", "TFK001"])
        .arg(d.path().join("a"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!(
            "{a}:4:9: warning[TFK001] nothing in the linted files names `cors`"
        )));
    // Alone, the middleware's file says nothing (nothing there could use it).
    cmd()
        .args(["--format", "concise", "--select", "TFK001", &a])
        .assert()
        .code(0);
    // Envoy Gateway: a SecurityPolicy whose target route lives in another file.
    let policy = |target: &str| {
        format!(
            "apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: SecurityPolicy\nmetadata:\n  name: cors\n  namespace: web\nspec:\n  targetRefs:\n    - group: gateway.networking.k8s.io\n      kind: HTTPRoute\n      name: {target}\n  cors:\n    allowOrigins:\n      - https://app.example.com\n"
        )
    };
    let p = write(d.path(), "g/policy.yaml", &policy("api"));
    write(
        d.path(),
        "g/route.yaml",
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: api\n  namespace: web\nspec:\n  parentRefs:\n    - name: gw\n  rules:\n    - backendRefs:\n        - name: api\n          port: 80\n",
    );
    cmd()
        .args(["--format", "concise", "--select", "EG001"])
        .arg(d.path().join("g"))
        .assert()
        .code(0);
    std::fs::write(&p, policy("missing")).unwrap();
    cmd()
        .args(["--format", "concise", "--select", "EG001"])
        .arg(d.path().join("g"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!(
            "{p}:10:13: warning[EG001] the target HTTPRoute `missing` is defined in none of the linted files"
        )));
}

#[test]
fn diff_compares_directories_and_git_revisions() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    let exact = "server { location / {\n  add_header Access-Control-Allow-Origin https://app.example.com always;\n} }\n";
    let star = "server { location / {\n  add_header Access-Control-Allow-Origin * always;\n} }\n";
    write(root, "old/site/cors.conf", exact);
    write(root, "new/site/cors.conf", exact);
    cmd()
        .current_dir(root)
        .args(["diff", "old", "new"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "site/cors.conf: location `/` of the server: equivalent",
        ));
    // A repository: the working tree against HEAD, and two revisions.
    let repo = root.join("repo");
    write(&repo, "conf.d/cors.conf", exact);
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .current_dir(&repo)
            .args(["-c", "user.email=t@example", "-c", "user.name=t"])
            .args(args)
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "exact"]);
    write(&repo, "conf.d/cors.conf", star);
    cmd()
        .current_dir(&repo)
        .args(["diff", "--git", "HEAD"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "conf.d/cors.conf: location `/` of the server:",
        ))
        .stdout(predicate::str::contains("widened"));
    git(&["commit", "-qam", "star"]);
    cmd()
        .current_dir(&repo)
        .args(["diff", "--git", "HEAD..HEAD~1"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("narrowed"));
}

#[test]
fn convert_keeps_the_source_objects_names_namespace_and_host() {
    let d = tempfile::tempdir().unwrap();
    let ing = write(
        d.path(),
        "ingress.yaml",
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: shop-api\n  namespace: shop\n  annotations:\n    \
         nginx.ingress.kubernetes.io/enable-cors: \"true\"\n    \
         nginx.ingress.kubernetes.io/cors-allow-origin: \"https://app.example.com\"\n    \
         nginx.ingress.kubernetes.io/cors-allow-credentials: \"false\"\nspec:\n  rules:\n    - host: api.example.com\n",
    );
    cmd()
        .args(["convert", &ing, "--to", "istio", "--service", "api:80"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "  name: shop-api\n  namespace: shop\n",
        ))
        .stdout(predicate::str::contains(
            "  hosts:\n    - \"api.example.com\"\n",
        ));
    // --name wins; two policies of one object get numbered names.
    let vs = write(
        d.path(),
        "vs.yaml",
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: api\nspec:\n  hosts: [api.example.com]\n  http:\n\
         \x20   - corsPolicy:\n        allowOrigins: [{exact: \"https://a.example.com\"}]\n        unmatchedPreflights: IGNORE\n      route: [{destination: {host: api}}]\n\
         \x20   - corsPolicy:\n        allowOrigins: [{exact: \"https://b.example.com\"}]\n        unmatchedPreflights: IGNORE\n      route: [{destination: {host: api}}]\n",
    );
    cmd()
        .args(["convert", &vs, "--to", "traefik"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("  name: api-1\n"))
        .stdout(predicate::str::contains("  name: api-2\n"));
    cmd()
        .args(["convert", &ing, "--to", "traefik", "--name", "cors-mw"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "  name: cors-mw\n  namespace: shop\n",
        ));
}

/// The back end writes what the assumed release accepts, and the output is checked under
/// that release: `allowCredentials: false` is refused before Gateway API v1.5, and what
/// cors-lint's own check says of the output is shown as a note.
#[test]
fn convert_honours_the_assumed_target_release() {
    let d = tempfile::tempdir().unwrap();
    let ing = write(
        d.path(),
        "ingress.yaml",
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n    \
         nginx.ingress.kubernetes.io/enable-cors: \"true\"\n    \
         nginx.ingress.kubernetes.io/cors-allow-origin: \"https://app.example.com\"\n    \
         nginx.ingress.kubernetes.io/cors-allow-credentials: \"false\"\nspec:\n  rules:\n    - host: api.example.com\n",
    );
    let args = |v: &str| {
        let v = format!("gateway-api={v}");
        [
            "convert",
            &ing,
            "--to",
            "gateway-api",
            "--gateway",
            "gw",
            "--service",
            "api:80",
            "--assume-version",
            &v,
        ]
        .map(String::from)
    };
    cmd()
        .args(args("1.4"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("allowCredentials").not())
        // The output sends `Vary: Origin` with the echoed origin: cors-lint's check is clean.
        .stderr(predicate::str::contains("cors-lint's check of the output").not())
        .stderr(predicate::str::contains("GW001").not());
    cmd()
        .args(args("1.5"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("allowCredentials: false"));
    cmd()
        .args(args("1.2"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("arrived in v1.3"));
    // What the check does find in an output is shown as a note: a plain-HTTP origin trusted
    // with credentials stays that way in any target.
    let http = write(
        d.path(),
        "http.yaml",
        &std::fs::read_to_string(&ing)
            .unwrap()
            .replace("https://app", "http://app")
            .replace("\"false\"", "\"true\""),
    );
    cmd()
        .args(args("1.5").map(|a| if a == ing { http.clone() } else { a }))
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "cors-lint's check of the output: CORS018",
        ));
}

/// A target that cannot write an entry (Gateway API: `null`, one-label wildcards) gets the
/// nearest forms it can, each judged by the equivalence engine: refused with the flag that
/// would accept each, written when the flag is given (issue 18 §4).
#[test]
fn convert_offers_the_nearest_forms_the_target_can_write() {
    let d = tempfile::tempdir().unwrap();
    let ing = write(
        d.path(),
        "ingress.yaml",
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n    \
         nginx.ingress.kubernetes.io/enable-cors: \"true\"\n    \
         nginx.ingress.kubernetes.io/cors-allow-origin: \"https://app.example.com, null, https://*.example.org\"\n    \
         nginx.ingress.kubernetes.io/cors-allow-credentials: \"false\"\nspec:\n  rules:\n    - host: api.example.com\n",
    );
    let args = |flags: &[&str]| {
        let mut a = vec![
            "convert",
            ing.as_str(),
            "--to",
            "gateway-api",
            "--gateway",
            "gw",
            "--service",
            "api:80",
        ];
        a.extend(flags);
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    cmd()
        .args(args(&[]))
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("cannot express the `null` origin"))
        .stderr(predicate::str::contains(
            "`--allow-narrowing` would write it without `null`, without `https://*.example.org`:",
        ))
        .stderr(predicate::str::contains(
            "`--allow-widening --allow-narrowing` would write it without `null`, with \
             `https://*.example.org` matching subdomains at any depth:",
        ))
        .stderr(predicate::str::contains(
            "a `GET` from `https://sub.x.example.org`: blocked",
        ));
    cmd()
        .args(args(&["--allow-narrowing"]))
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "allowOrigins: [\"https://app.example.com\"]",
        ))
        .stderr(predicate::str::contains("written without `null`"));
    // `--allow-widening` alone accepts neither form: both drop `null`.
    cmd().args(args(&["--allow-widening"])).assert().code(2);
}

#[test]
fn convert_writes_traefik_and_kong_configuration_files() {
    let d = tempfile::tempdir().unwrap();
    let ts = write(
        d.path(),
        "config.properties",
        "cors_allowed_origin=https://app.example.com\ncors_allowed_methods=GET, PUT\n",
    );
    let out = d.path().join("dynamic.yml");
    let text = convert_and_diff(&ts, &["--to", "traefik", "--format", "file"], &out);
    assert!(
        text.contains("http:\n  middlewares:\n    cors:\n      headers:\n"),
        "{text}"
    );
    cmd()
        .args(["convert", &ts, "--to", "kong", "--format", "file"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "_format_version: \"3.0\"\nplugins:\n  - name: cors\n    config:\n",
        ));
    cmd()
        .args(["convert", &ts, "--to", "nginx", "--format", "file"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "only traefik (file provider) and kong",
        ));
}

#[test]
fn suppressions_in_comments_and_annotations() {
    let d = tempfile::tempdir().unwrap();
    // A reasoned whole-line suppression: the finding is gone, nothing else is reported.
    let ts = write(
        d.path(),
        "config.properties",
        "disable_token_authorization=true\n# cors-lint: ignore[CORS002] public model metadata\ncors_allowed_origin=*\n",
    );
    cmd().args(["--format", "concise", &ts]).assert().code(0);
    // A trailing `#` in a .properties value is part of the value, not a suppression.
    let trailing = write(
        d.path(),
        "trailing.properties",
        "disable_token_authorization=true\ncors_allowed_origin=* # cors-lint: ignore[CORS002] x\n",
    );
    cmd()
        .args(["--format", "concise", &trailing])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("CORS001"));
    // nginx: trailing suppression without a reason (CL001) and a misspelt code (CL002).
    let ng = write(
        d.path(),
        "site.conf",
        "server {\n    location / {\n        add_header Access-Control-Allow-Origin $http_origin always; # cors-lint: ignore[CORS015]\n        add_header Vary Origin always; # cors-lint: ignore[CORS0020] typo\n        add_header Access-Control-Allow-Credentials true always;\n    }\n}\n",
    );
    let out = stdout_of(cmd().args(["--format", "concise", &ng]), 1);
    assert!(!out.contains("CORS015"), "{out}");
    assert!(out.contains("site.conf:3:69: warning[CL001]"), "{out}");
    assert!(
        out.contains("site.conf:4:60: warning[CL002] `CORS0020` is not a cors-lint rule code"),
        "{out}"
    );
    // Kubernetes: the annotation covers the object.
    let ing = write(
        d.path(),
        "ingress.yaml",
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n    \
         cors-lint.io/ignore: \"INGX001=credentials are needed by the SPA,CORS020=cached nowhere,INGX010=migrating in Q3\"\n    \
         nginx.ingress.kubernetes.io/enable-cors: \"true\"\n    \
         nginx.ingress.kubernetes.io/cors-allow-origin: \"https://app.example.com\"\n",
    );
    cmd().args(["--format", "concise", &ing]).assert().code(0);
    // `--ignore` of a suppressed rule does not make its suppression "unused".
    cmd()
        .args(["--format", "concise", "--ignore", "CORS002", &ts])
        .assert()
        .code(0);
}

#[test]
fn cors_lint_toml_is_found_upward_and_governs_its_files() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join(".git")).unwrap();
    let star = "disable_token_authorization=true\ncors_allowed_origin=https://a.example\ncors_allowed_headers=X-Custom-Header\n";
    let deploy = write(d.path(), "deploy/config.properties", star);
    write(d.path(), "vendor/config.properties", star);
    let txt = write(
        d.path(),
        "deploy/site.txt",
        "server { location / { add_header Access-Control-Allow-Origin https://a.example always; add_header Access-Control-Allow-Headers X-Custom-Header always; } }\n",
    );
    write(
        d.path(),
        "cors-lint.toml",
        "exclude = [\"vendor/**\"]\nfail-on = \"error\"\n[severity]\nCORS012 = \"info\"\n\
         [dialects]\n\"deploy/*.txt\" = \"nginx\"\n[per-file-ignores]\n\"deploy/site.txt\" = [\"CORS012\"]\n",
    );
    // From a subdirectory: the file above is found; vendor/ is excluded from the walk;
    // CORS012 is info, below fail-on = error, so the run passes.
    let run = cmd()
        .current_dir(d.path())
        .args(["--format", "json", "--verbose", "."])
        .assert()
        .code(0);
    let out = String::from_utf8(run.get_output().stdout.clone()).unwrap();
    let err = String::from_utf8(run.get_output().stderr.clone()).unwrap();
    // The walk offers the .txt file `[dialects]` names, and it is read as nginx.
    assert!(
        err.contains("deploy/site.txt: read as nginx (cors-lint.toml `[dialects]` says so)"),
        "{err}"
    );
    assert!(out.contains("\"severity\": \"info\""), "{out}");
    assert!(!out.contains("vendor"), "{out}");
    // An explicit .txt file is read as nginx; its CORS012 is ignored for that file.
    cmd()
        .current_dir(d.path())
        .args(["--format", "concise", "--fail-on", "info", &txt])
        .assert()
        .code(0);
    // --isolated: no configuration, so CORS012 is a warning again and fails the run.
    cmd()
        .current_dir(d.path())
        .args(["--format", "concise", "--isolated", &deploy])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("CORS012"));
    // --config: a mistake is shown at its bytes and nothing is linted (exit 2).
    let bad = write(d.path(), "bad.toml", "[severity]\nCORS012 = \"loud\"\n");
    cmd()
        .current_dir(d.path())
        .args(["--config", &bad, "--color", "never", &deploy])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "`loud`: expected \"error\", \"warning\" or \"info\"",
        ))
        .stdout(predicate::str::contains("bad.toml:2:11"));
}

#[test]
fn org_policy_is_enforced_in_every_dialect() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "cors-lint.toml",
        "[policy]\ntrusted-origins = [\"https://app.example.com\", \"https://*.corp.example\"]\nrequire-https = true\n",
    );
    let ng = write(
        d.path(),
        "site.conf",
        "server {\n    location / {\n        if ($http_origin ~ https://app\\.example\\.com) {\n            \
         add_header Access-Control-Allow-Origin $http_origin always;\n            add_header Vary Origin always;\n        }\n    }\n}\n",
    );
    let ok = write(
        d.path(),
        "config.properties",
        "disable_token_authorization=true\ncors_allowed_origin=https://a.corp.example\n",
    );
    cmd()
        .current_dir(d.path())
        .args(["--format", "concise", "--select", "CORS032", &ng, &ok])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "site.conf:3:28: error[CORS032] `https://app.example.com.evil.example` can read the responses but `trusted-origins` does not trust it",
        ))
        .stdout(predicate::str::contains("config.properties").not());
    // The note says where the policy is written.
    cmd()
        .current_dir(d.path())
        .args(["--format", "json", "--select", "CORS032", &ng])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("cors-lint.toml:2"));
}

/// `convert SRC ARGS -o OUT` succeeds, and `diff SRC OUT` says the written file lets browsers
/// make the same calls; returns what was written.
fn convert_and_diff(src: &str, args: &[&str], out: &Path) -> String {
    cmd()
        .arg("convert")
        .arg(src)
        .args(args)
        .arg("-o")
        .arg(out)
        .assert()
        .code(0);
    cmd()
        .args(["diff", src])
        .arg(out)
        .assert()
        .code(0)
        .stdout(predicate::str::ends_with("equivalent\n"));
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn ruff_habits_did_you_mean_version_explain_and_output_format() {
    let said = cmd()
        .arg("chekc")
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(
        String::from_utf8(said)
            .unwrap()
            .contains("did you mean `check`")
    );
    let said = cmd()
        .arg("explian")
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(
        String::from_utf8(said)
            .unwrap()
            .contains("did you mean `explain`")
    );
    let v = cmd()
        .arg("version")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(v).unwrap().starts_with("cors-lint "));
    let explained = cmd()
        .args(["explain", "CORS020"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert!(
        String::from_utf8(explained)
            .unwrap()
            .contains("CORS020 missing-vary-origin")
    );
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), "config.properties", BAD);
    let out = cmd()
        .args(["--output-format", "concise", &f])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert!(
        String::from_utf8(out)
            .unwrap()
            .contains(":2:21: error[CORS001] ")
    );
    let empty = tempfile::tempdir().unwrap();
    let out = cmd()
        .arg(empty.path())
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8(out).unwrap(), "No files were linted.\n");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("cors-lint"))
        .args(["rule", "--all", "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    child.wait().unwrap();
    assert!(!err.contains("panicked"), "{err}");
}

/// Standard output of a run that must exit with `code`.
fn stdout_of(c: &mut Command, code: i32) -> String {
    String::from_utf8(c.assert().code(code).get_output().stdout.clone()).unwrap()
}

fn json_of(args: &[&str]) -> Vec<serde_json::Value> {
    let out = cmd()
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).expect("a JSON array")
}

/// An `if ($request_method = OPTIONS)` branch repeating its location's mistake is one cause:
/// one finding, on the location, pointing at the branch too. Branches in a location that
/// sends no CORS headers of its own keep their findings (each is its own cause).
#[test]
fn a_branch_repeating_its_location_is_one_finding() {
    let root = env!("CARGO_MANIFEST_DIR");
    let reflect = format!("{root}/corpus/nginx/wide-open-reflect-credentials.conf");
    let findings = json_of(&[&reflect]);
    let reflected: Vec<_> = findings.iter().filter(|f| f["code"] == "CORS015").collect();
    assert_eq!(reflected.len(), 1, "{reflected:#?}");
    assert_eq!(reflected[0]["span"]["line"], 11);
    let related = reflected[0]["related"].as_array().unwrap();
    assert!(
        related.iter().any(|r| r["span"]["line"] == 15),
        "{related:#?}"
    );
    let per_method = format!("{root}/corpus/nginx/per-method-ifs-star.conf");
    let findings = json_of(&[&per_method]);
    let lines: Vec<_> = findings
        .iter()
        .filter(|f| f["code"] == "CORS017")
        .map(|f| f["span"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [6, 25, 31]);
}

/// A configuration with several mistakes reports all of them in one run, in file order, each
/// at its bytes with the closest valid name, and lints nothing (exit 2).
#[test]
fn every_configuration_mistake_in_one_run() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join(".git")).unwrap();
    write(
        d.path(),
        "cors-lint.toml",
        "selct = [\"CORS\"]\nignore = [\"CORS0155\"]\n[severity]\nCORS002 = \"warnig\"\n",
    );
    let conf = write(d.path(), "site.conf", "server {}\n");
    let out = stdout_of(
        cmd()
            .current_dir(d.path())
            .args(["--format", "concise", &conf]),
        2,
    );
    let lines: Vec<&str> = out.lines().filter(|l| l.contains("CL000")).collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].contains(":1:1:") && lines[0].contains("did you mean `select`"),
        "{out}"
    );
    assert!(
        lines[1].contains(":2:") && lines[1].contains("did you mean `CORS015`"),
        "{out}"
    );
    assert!(
        lines[2].contains(":4:") && lines[2].contains("did you mean \"warning\""),
        "{out}"
    );
}

/// `--show-settings` prints what governs a path and the file it came from; `--show-files`
/// lists what a run would lint; `-v` names the configuration.
#[test]
fn show_settings_show_files_and_verbose_name_the_configuration() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join(".git")).unwrap();
    write(
        d.path(),
        "cors-lint.toml",
        "ignore = [\"CORS017\"]\nexclude = [\"vendor/**\"]\n[severity]\nCORS020 = \"info\"\n[per-file-ignores]\n\"legacy/*.conf\" = [\"CORS015\"]\n",
    );
    std::fs::create_dir_all(d.path().join("legacy")).unwrap();
    std::fs::create_dir_all(d.path().join("vendor")).unwrap();
    let site = "server {\n    add_header Access-Control-Allow-Origin * always;\n}\n";
    write(&d.path().join("legacy"), "a.conf", site);
    write(&d.path().join("vendor"), "b.conf", site);
    write(d.path(), "notes.txt", "hello\n");
    let settings = stdout_of(
        cmd()
            .current_dir(d.path())
            .args(["--show-settings", "legacy/a.conf"]),
        0,
    );
    assert!(settings.contains("cors-lint.toml\""), "{settings}");
    assert!(
        settings.contains("\"CORS015\"") && !settings.contains("\"CORS017\""),
        "{settings}"
    );
    assert!(settings.contains("CORS020 = \"info\""), "{settings}");
    assert!(
        settings.contains("per-file-ignores = [\"CORS015\"]"),
        "{settings}"
    );
    assert!(settings.contains("exclude = [\"vendor/**\"]"), "{settings}");
    let isolated = stdout_of(
        cmd()
            .current_dir(d.path())
            .args(["--show-settings", "--isolated"]),
        0,
    );
    assert!(isolated.contains("none (built-in defaults)") && isolated.contains("\"CORS017\""));
    let files = stdout_of(cmd().current_dir(d.path()).args(["--show-files", "."]), 0);
    assert_eq!(
        files.lines().collect::<Vec<_>>(),
        ["./legacy/a.conf"],
        "{files}"
    );
    let verbose = cmd()
        .current_dir(d.path())
        .args(["-v", "--format", "concise", "."])
        .assert()
        .get_output()
        .stderr
        .clone();
    let verbose = String::from_utf8(verbose).unwrap();
    assert!(
        verbose
            .lines()
            .any(|l| l.starts_with("note: configuration: ") && l.ends_with("cors-lint.toml")),
        "{verbose}"
    );
}

/// `--add-noqa` adopts a tree: every line with findings gets a reasoned suppression, the
/// next run is clean, a second `--add-noqa` adds nothing, and only those lines change.
#[test]
fn add_noqa_adopts_a_tree_and_the_next_run_is_clean() {
    let root = env!("CARGO_MANIFEST_DIR");
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir(d.path().join(".git")).unwrap();
    for f in [
        "nginx/wide-open-reflect-credentials.conf",
        "torchserve/blog-2-origin-list.properties",
        "ingress/invalid-values.yaml",
        "traefik/middleware-crd.yaml",
    ] {
        let name = f.replace('/', "-");
        std::fs::copy(format!("{root}/corpus/{f}"), d.path().join(name)).unwrap();
    }
    let before: Vec<String> = std::fs::read_dir(d.path())
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
        .collect();
    cmd()
        .current_dir(d.path())
        .args(["--format", "concise", "."])
        .assert()
        .code(1);
    let out = cmd()
        .current_dir(d.path())
        .args(["--add-noqa", "--format", "concise", "."])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(
        said.contains("added ") && said.contains(" in 4 files"),
        "{said}"
    );
    let clean = cmd()
        .current_dir(d.path())
        .args(["--format", "concise", "."])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert!(
        String::from_utf8(clean)
            .unwrap()
            .contains("All checks passed")
    );
    let again = cmd()
        .current_dir(d.path())
        .args(["--add-noqa", "."])
        .assert()
        .code(0)
        .get_output()
        .stderr
        .clone();
    assert!(
        String::from_utf8(again)
            .unwrap()
            .contains("added 0 suppressions")
    );
    // Only comment lines were added.
    let after: Vec<String> = std::fs::read_dir(d.path())
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
        .collect();
    for (a, b) in after.iter().zip(&before) {
        let kept: Vec<&str> = a
            .lines()
            .filter(|l| !l.trim_start().starts_with("# cors-lint: ignore["))
            .collect();
        assert_eq!(kept, b.lines().collect::<Vec<_>>());
    }
}

/// A suppression before a block covers the block, `ignore-file` the file, and a
/// `cors-lint:` comment with an unknown word is reported instead of ignored.
#[test]
fn block_file_and_unknown_directives() {
    let d = tempfile::tempdir().unwrap();
    let block = write(
        d.path(),
        "block.conf",
        "server {\n    # cors-lint: ignore[CORS015, CORS020] a reviewed echo\n    location / {\n        add_header Access-Control-Allow-Origin $http_origin always;\n        add_header Access-Control-Allow-Credentials true always;\n    }\n}\n",
    );
    cmd().args(["--format", "concise", &block]).assert().code(0);
    let file = write(
        d.path(),
        "file.conf",
        "# cors-lint: ignore-file[CORS015, CORS020] generated by the platform team\nlocation / {\n    add_header Access-Control-Allow-Origin $http_origin always;\n    add_header Access-Control-Allow-Credentials true always;\n}\n",
    );
    cmd().args(["--format", "concise", &file]).assert().code(0);
    let typo = write(
        d.path(),
        "typo.conf",
        "location / {\n    # cors-lint: ignroe[CORS020] x\n    add_header Access-Control-Allow-Origin $http_origin always;\n}\n",
    );
    let out = stdout_of(cmd().args(["--format", "concise", &typo]), 1);
    assert!(
        out.contains(":2:5: warning[CL002]") && out.contains("did you mean `ignore"),
        "{out}"
    );
    assert!(out.contains("[CORS020]"), "{out}");
}

/// Concise lines are coloured as gcc's when asked (or on a terminal): bold place, coloured
/// severity; never otherwise, so pipes and files get plain text.
#[test]
fn concise_colours_only_when_asked() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/corpus/nginx/wide-open-reflect-credentials.conf"
    );
    let coloured = String::from_utf8(
        cmd()
            .args(["--format", "concise", "--color", "always", file])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(
        coloured.contains("\x1b[1;31merror[CORS015]\x1b[0m"),
        "{coloured:?}"
    );
    assert!(
        coloured.contains("\x1b[1;33mwarning[CORS020]\x1b[0m"),
        "{coloured:?}"
    );
    let plain = String::from_utf8(
        cmd()
            .args(["--format", "concise", file])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(!plain.contains('\x1b'), "{plain:?}");
}
