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
    for (name, good) in FILES {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join(name), make(name, good)).unwrap();
        fs::write(d.path().join("other.properties"), FILES[0].1).unwrap();
        let run = lint(d.path(), &[name, "other.properties"]);
        if accepted {
            assert!(
                run.code <= 1,
                "{case} {name}: exit {} ({})",
                run.code,
                run.stdout
            );
        } else {
            assert_eq!(run.code, 2, "{case} {name}: {}", run.stdout);
            assert!(
                run.stdout.contains(&format!("{name}:")) && run.stdout.contains("CL000"),
                "{case} {name}: no located CL000 in {}",
                run.stdout
            );
        }
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
        run.stdout.contains("nginx.conf:3:18: CL000"),
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
