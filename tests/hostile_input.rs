//! Broken and hostile input through the binary (issue 10, part 1, the first cases): whatever
//! the bytes, cors-lint answers — exit 0 or 1 when the server would load the file, 2 with a
//! located error otherwise — and never panics, hangs or loses the other files of the run.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

/// One file of each front end, valid and small.
const FILES: &[(&str, &str)] = &[
    (
        "config.properties",
        "inference_address=http://127.0.0.1:8080\ncors_allowed_origin=https://app.example.com\n",
    ),
    (
        "nginx.conf",
        "events {}\nhttp {\n    server {\n        listen 80;\n        location / {\n            add_header Access-Control-Allow-Origin https://app.example.com;\n        }\n    }\n}\n",
    ),
    (
        "ingress.yaml",
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: a\n  annotations:\n    nginx.ingress.kubernetes.io/enable-cors: \"true\"\n    nginx.ingress.kubernetes.io/cors-allow-origin: \"https://app.example.com\"\nspec:\n  rules: []\n",
    ),
    (
        "route.yaml",
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: r\nspec:\n  rules:\n  - filters:\n    - type: CORS\n      cors:\n        allowOrigins: [\"https://app.example.com\"]\n",
    ),
];

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn lint(dir: &Path, args: &[&str]) -> Run {
    let out = Command::cargo_bin("cors-lint")
        .unwrap()
        .current_dir(dir)
        .args(["--format", "concise"])
        .args(args)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "cors-lint panicked on {args:?}: {}",
        run.stderr
    );
    run
}

/// Each case written as every front end's file, next to a good file that must still be
/// reported; `accepted` says the server would load it (exit 0/1), else exit 2 with a
/// located CL000 in that file.
fn each_front_end(case: &str, make: impl Fn(&str, &str) -> Vec<u8>, accepted: bool) {
    let verdict = if accepted {
        Verdict::Lints(None)
    } else {
        Verdict::Refused("", "")
    };
    each_front_end_as(case, make, |_| verdict);
}

/// What cors-lint must answer for one file.
#[derive(Clone, Copy, Debug)]
enum Verdict {
    /// The server loads it: exit 0 or 1, and this text in the report if given.
    Lints(Option<&'static str>),
    /// The server refuses it (or cors-lint cannot read it): exit 2 with a CL000 at
    /// `file:LINE:COL` (this suffix of the file name, if not empty) saying this text.
    Refused(&'static str, &'static str),
}

/// What `run` (a lint of `name` among other files) reported for `name` is `verdict`.
fn assert_verdict(case: &str, name: &str, run: &Run, verdict: Verdict) {
    match verdict {
        Verdict::Lints(says) => {
            assert!(
                run.code <= 1,
                "{case} {name}: exit {} ({})",
                run.code,
                run.stdout
            );
            if let Some(says) = says {
                assert!(run.stdout.contains(says), "{case} {name}: {}", run.stdout);
            }
        }
        Verdict::Refused(at, says) => {
            assert_eq!(run.code, 2, "{case} {name}: {}", run.stdout);
            let line = run
                .stdout
                .lines()
                .find(|l| l.starts_with(&format!("{name}:")) && l.contains(" error[CL000] "))
                .unwrap_or_else(|| panic!("{case} {name}: no located CL000 in {}", run.stdout));
            assert!(
                line.starts_with(&format!("{name}{at} error[CL000] ")) && line.contains(says),
                "{case} {name}: expected {name}{at} error[CL000] …{says}…, got {line}"
            );
        }
    }
}

/// [`each_front_end`] with a verdict per file name.
fn each_front_end_as(
    case: &str,
    make: impl Fn(&str, &str) -> Vec<u8>,
    verdict: impl Fn(&str) -> Verdict,
) {
    for (name, good) in FILES {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join(name), make(name, good)).unwrap();
        fs::write(d.path().join("other.properties"), FILES[0].1).unwrap();
        let run = lint(d.path(), &[name, "other.properties"]);
        assert_verdict(case, name, &run, verdict(name));
        // The other file of the run is still linted (its origin is not a finding, but its
        // policy is read: `-v` says so).
        let verbose = lint(d.path(), &["-v", name, "other.properties"]);
        assert!(
            verbose
                .stderr
                .contains("other.properties: read as torchserve"),
            "{case} {name}: the other file was not linted: {}",
            verbose.stderr
        );
    }
}

#[test]
fn empty_and_comment_only_files_are_accepted() {
    each_front_end("empty", |_, _| Vec::new(), true);
    each_front_end(
        "comments only",
        |name, _| {
            if name.ends_with(".properties") || name.ends_with(".conf") {
                b"# nothing here\n# at all\n".to_vec()
            } else {
                b"# nothing here\n---\n# at all\n".to_vec()
            }
        },
        true,
    );
}

#[test]
fn line_endings_do_not_change_the_verdict() {
    each_front_end(
        "CRLF",
        |_, good| good.replace('\n', "\r\n").into_bytes(),
        true,
    );
}

#[test]
fn a_one_megabyte_line_and_ten_thousand_entries_are_read() {
    let long_comment = |_: &str, good: &str| {
        let mut s = format!("# {}\n", "x".repeat(1 << 20));
        s.push_str(good);
        s.into_bytes()
    };
    each_front_end("1 MB line", long_comment, true);
    let d = tempfile::tempdir().unwrap();
    let mut props = String::from("cors_allowed_origin=https://app.example.com\n");
    for i in 0..10_000 {
        props.push_str(&format!("custom_key_{i}=value_{i}\n"));
    }
    fs::write(d.path().join("config.properties"), props).unwrap();
    let mut nginx = String::from("events {}\nhttp {\n");
    for i in 0..10_000 {
        nginx.push_str(&format!("    map_hash_bucket_size {};\n", 32 + i % 4 * 32));
    }
    nginx.push_str("}\n");
    fs::write(d.path().join("nginx.conf"), nginx).unwrap();
    let run = lint(d.path(), &["config.properties", "nginx.conf"]);
    assert!(run.code <= 1, "exit {}: {}", run.code, run.stdout);
}

#[test]
fn unterminated_quotes_are_located_errors() {
    let d = tempfile::tempdir().unwrap();
    fs::write(
        d.path().join("nginx.conf"),
        "events {}\nhttp {\n    add_header A \"b;\n}\n",
    )
    .unwrap();
    fs::write(
        d.path().join("route.yaml"),
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: \"r\n",
    )
    .unwrap();
    fs::write(d.path().join("other.properties"), FILES[0].1).unwrap();
    let run = lint(d.path(), &["nginx.conf", "route.yaml", "other.properties"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stdout.contains("nginx.conf:3:18: error[CL000]"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("route.yaml:") && run.stdout.contains("CL000"));
}

#[test]
fn a_symlink_loop_in_a_walked_tree_ends() {
    let d = tempfile::tempdir().unwrap();
    let tree = d.path().join("tree");
    fs::create_dir_all(tree.join("a")).unwrap();
    std::os::unix::fs::symlink("..", tree.join("a").join("up")).unwrap();
    fs::write(tree.join("a").join("config.properties"), FILES[0].1).unwrap();
    let run = lint(d.path(), &["-v", "tree"]);
    // Symlinked directories are not followed, so the walk ends; the file is still linted.
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr.contains("config.properties: read as torchserve"),
        "{}",
        run.stderr
    );
}

/// Byte-order marks, UTF-16, NUL and ISO-8859-1 bytes, lone CRs: each front end answers as
/// its server reads the bytes. Java reads `config.properties` as ISO-8859-1 (a BOM or
/// UTF-16 garbles the keys, which TS002 says); nginx reads bytes (a mark glued to the
/// first directive is an unknown directive, checked against nginx in nginx_syntax_oracle);
/// YAML is UTF-8 (a leading BOM allowed, NUL and stray bytes refused).
#[test]
fn encodings_are_read_as_each_server_reads_them() {
    let utf16 = |le: bool| {
        move |_: &str, good: &str| {
            let mut out = if le {
                vec![0xFF, 0xFE]
            } else {
                vec![0xFE, 0xFF]
            };
            out.extend(
                good.encode_utf16()
                    .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() }),
            );
            out
        }
    };
    each_front_end_as(
        "UTF-8 BOM",
        |_, good| [b"\xEF\xBB\xBF".as_slice(), good.as_bytes()].concat(),
        |name| match name {
            "config.properties" => Verdict::Lints(Some(
                "warning[TS002] the file starts with a UTF-8 byte-order mark",
            )),
            "nginx.conf" => {
                Verdict::Refused(":1:1:", "unknown directive \"\\xEF\\xBB\\xBFevents\"")
            }
            _ => Verdict::Lints(None),
        },
    );
    for (case, le, mark) in [("UTF-16LE", true, "FF FE"), ("UTF-16BE", false, "FE FF")] {
        each_front_end_as(case, utf16(le), |name| match name {
            "config.properties" => Verdict::Lints(Some("warning[TS002] the file is UTF-16")),
            "nginx.conf" => Verdict::Refused(":1:1:", "unknown directive (the file is UTF-16"),
            _ => Verdict::Refused(":1:1:", mark),
        });
    }
    // A NUL in a comment on line 2: Java and nginx skip it; YAML forbids the character.
    each_front_end_as(
        "NUL",
        |_, good| good.replacen('\n', "\n# a\0b\n", 1).into_bytes(),
        |name| match name {
            "config.properties" | "nginx.conf" => Verdict::Lints(None),
            _ => Verdict::Refused(":2:4:", "invalid YAML"),
        },
    );
    each_front_end_as(
        "ISO-8859-1 byte",
        |_, good| {
            let (first, rest) = good.split_once('\n').unwrap();
            [first.as_bytes(), b"\n# caf\xE9\n", rest.as_bytes()].concat()
        },
        |name| match name {
            "config.properties" | "nginx.conf" => Verdict::Lints(None),
            _ => Verdict::Refused(":2:6:", "byte 0xE9 is not UTF-8"),
        },
    );
    each_front_end(
        "lone CR",
        |_, good| good.replace('\n', "\r").into_bytes(),
        true,
    );
}

/// Hostile YAML through the binary: bounded, located refusals; odd but valid YAML read as
/// Kubernetes reads it.
#[test]
fn hostile_yaml_is_refused_or_read_within_bounds() {
    const INGRESS: &str =
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: a\n  annotations:\n";
    const CORS: &str = "    nginx.ingress.kubernetes.io/enable-cors: \"true\"\n    nginx.ingress.kubernetes.io/cors-allow-origin: \"https://app.example.com\"\n";
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 10].join(", ")
        ));
    }
    let deep_block: String = (0..10_000)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect();
    let many: Vec<String> = (0..5_000)
        .map(|i| {
            format!(
                "{}{CORS}",
                INGRESS.replace("name: a", &format!("name: a{i}"))
            )
        })
        .collect();
    let cases: Vec<(&str, String, Verdict)> = vec![
        (
            "alias bomb",
            format!("{INGRESS}{CORS}---\n{bomb}"),
            Verdict::Refused(":12:45:", "alias expansion exceeded"),
        ),
        (
            "10 000 nested block mappings",
            format!("{INGRESS}{CORS}spec:\n{deep_block}"),
            Verdict::Refused(":1009:1001:", "nested deeper than cors-lint reads"),
        ),
        (
            "10 000 nested flow sequences",
            format!(
                "{INGRESS}{CORS}spec: {}{}\n",
                "[".repeat(10_000),
                "]".repeat(10_000)
            ),
            Verdict::Refused(":8:262:", "nested deeper than cors-lint reads"),
        ),
        (
            "an alias to another document's anchor",
            format!("{INGRESS}{CORS}  labels: &l {{a: b}}\n---\n{INGRESS}{CORS}  labels: *l\n"),
            Verdict::Refused(":17:11:", "an anchor of another document"),
        ),
        (
            "a duplicate key",
            format!("{INGRESS}{CORS}    nginx.ingress.kubernetes.io/enable-cors: \"false\"\n"),
            Verdict::Refused(":8:5:", "duplicated key"),
        ),
        (
            "5 000 documents",
            many.join("---\n"),
            Verdict::Lints(Some("Ingress `a4999`")),
        ),
        (
            "a merge key in annotations",
            format!("{INGRESS}    <<: {{nginx.ingress.kubernetes.io/enable-cors: \"true\"}}\n"),
            Verdict::Lints(Some("error[INGX006] `<<` is a list or mapping")),
        ),
        (
            "tags",
            format!(
                "{INGRESS}    nginx.ingress.kubernetes.io/enable-cors: !!str true\n    nginx.ingress.kubernetes.io/cors-allow-origin: !!str \"*\"\n"
            ),
            Verdict::Lints(Some("INGX001")),
        ),
        (
            "YAML 1.1 booleans",
            format!(
                "{INGRESS}    nginx.ingress.kubernetes.io/enable-cors: yes\n    nginx.ingress.kubernetes.io/cors-allow-credentials: on\n"
            ),
            Verdict::Lints(Some("error[INGX006] unquoted `yes` is a boolean in YAML")),
        ),
        (
            "non-string annotation values",
            format!(
                "{INGRESS}    nginx.ingress.kubernetes.io/enable-cors: \"true\"\n    nginx.ingress.kubernetes.io/cors-max-age: 600\n"
            ),
            Verdict::Lints(Some("error[INGX006] unquoted `600` is an integer in YAML")),
        ),
    ];
    for (case, text, verdict) in cases {
        each_front_end_as(
            case,
            |name, _| {
                if name == "ingress.yaml" {
                    text.clone().into_bytes()
                } else {
                    FILES
                        .iter()
                        .find(|(n, _)| *n == name)
                        .unwrap()
                        .1
                        .as_bytes()
                        .to_vec()
                }
            },
            |name| {
                if name == "ingress.yaml" {
                    verdict
                } else {
                    Verdict::Lints(None)
                }
            },
        );
    }
}

/// Hostile nginx through the binary: what nginx refuses is a located error, what it takes
/// is linted, and a huge `map` costs linear time.
#[test]
fn hostile_nginx_is_refused_or_read_within_bounds() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    fs::create_dir_all(root.join("conf.d")).unwrap();
    fs::write(root.join("other.properties"), FILES[0].1).unwrap();
    let server = |body: &str| {
        format!(
            "events {{}}\nhttp {{\n    server {{\n        location / {{\n            add_header Access-Control-Allow-Origin https://a.example;\n        }}\n{body}    }}\n}}\n"
        )
    };
    let check = |name: &str, text: String, verdict: Verdict| {
        fs::write(root.join(name), text).unwrap();
        let run = lint(root, &[name, "other.properties"]);
        assert_verdict("nginx", name, &run, verdict);
        assert!(
            run.stdout.contains("other.properties:"),
            "{name}: the other file: {}",
            run.stdout
        );
    };
    // An include cycle: nginx includes the files again and again and fails.
    fs::write(root.join("conf.d/loop.conf"), "include cycle.conf;\n").unwrap();
    check(
        "cycle.conf",
        "events {}\nhttp {\n    include conf.d/*.conf;\n}\n".into(),
        Verdict::Refused(":3:5:", "leads into an include cycle"),
    );
    // A glob that matches nothing is fine with nginx.
    check(
        "glob.conf",
        server("        include none-*.conf;\n"),
        Verdict::Lints(Some("CORS021")),
    );
    // Regexes PCRE refuses.
    check(
        "pcre.conf",
        server("        location ~ ^/(api {\n        }\n"),
        Verdict::Refused(
            ":7:20:",
            "pcre2_compile() failed: missing closing parenthesis",
        ),
    );
    check(
        "map-pcre.conf",
        "events {}\nhttp {\n    map $http_origin $o {\n        ~^https://[a- 1;\n    }\n}\n".into(),
        Verdict::Refused(":4:9:", "missing terminating ] for character class"),
    );
    // Blocks nested beyond cors-lint's depth: refused as cors-lint's limit, not nginx's.
    check(
        "deep.conf",
        format!(
            "events {{}}\nhttp {{\n{}{}}}\n",
            "location /a {\n".repeat(250),
            "}\n".repeat(250)
        ),
        Verdict::Refused(":202:13:", "nested deeper than 200 levels"),
    );
    // 50 000 map entries: linted (the echo probes are sampled, not one per entry).
    let mut map =
        String::from("events {}\nhttp {\n    map $http_origin $cors {\n        default \"\";\n");
    for i in 0..50_000 {
        map.push_str(&format!(
            "        \"https://app{i}.example.com\" $http_origin;\n"
        ));
    }
    map.push_str("    }\n    server {\n        location / {\n            add_header Access-Control-Allow-Origin $cors;\n        }\n    }\n}\n");
    check("map.conf", map, Verdict::Lints(Some("CORS021")));
}

/// A file over the 64 MiB cap is refused unread (a sparse 100 MB file: no disk is spent);
/// the other file of the run is still linted.
#[test]
fn a_hundred_megabyte_file_is_refused_unread() {
    let d = tempfile::tempdir().unwrap();
    let big = fs::File::create(d.path().join("config.properties")).unwrap();
    big.set_len(100 * 1024 * 1024).unwrap();
    fs::write(d.path().join("nginx.conf"), FILES[1].1).unwrap();
    let run = lint(d.path(), &["config.properties", "nginx.conf"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "config.properties:1:1: error[CL000] file is 104857600 bytes, over the 64 MiB limit"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("nginx.conf:6:13: warning[CORS021]"),
        "{}",
        run.stdout
    );
}

/// Unterminated blocks and escapes: located where the server stops reading; a trailing
/// backslash at the end of `config.properties` is what Java takes (an empty continuation).
#[test]
fn unterminated_blocks_and_escapes_are_located() {
    let d = tempfile::tempdir().unwrap();
    let files: [(&str, &str); 4] = [
        ("block.conf", "events {}\nhttp {\n    server {\n"),
        (
            "flow.yaml",
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: a\n  annotations: [\n",
        ),
        (
            "escape.yaml",
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: \"a\\qb\"\n",
        ),
        (
            "config.properties",
            "cors_allowed_origin=https://a.example\\",
        ),
    ];
    for (name, text) in files {
        fs::write(d.path().join(name), text).unwrap();
    }
    let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    let run = lint(d.path(), &names);
    assert_eq!(run.code, 2, "{}", run.stdout);
    for expected in [
        "block.conf:4:1: error[CL000] unexpected end of file, expecting \"}\"",
        "flow.yaml:6:1: error[CL000] invalid YAML",
        "escape.yaml:4:9: error[CL000] invalid YAML: while parsing a quoted scalar, found unknown escape character",
    ] {
        assert!(run.stdout.contains(expected), "{expected}: {}", run.stdout);
    }
    assert!(
        !run.stdout.contains("config.properties:1:1: error[CL000]")
            && run.stdout.contains("config.properties:"),
        "{}",
        run.stdout
    );
}
