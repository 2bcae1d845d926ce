//! `.pre-commit-hooks.yaml` works with the real pre-commit (PyPI, into
//! `target/ground-truth/pre-commit-venv`): `pre-commit try-repo <this repository> cors-lint`
//! in a scratch git repository builds the hook as pre-commit does (`language: rust`:
//! `cargo install --bins --root <env> --path .` in a clone; uncommitted changes of tracked
//! files are included by try-repo) and runs it on the files given — failing on a bad
//! TorchServe configuration with the findings shown, passing on a good one and on files no
//! front end reads.
//!
//! pre-commit's `cargo install` builds with `CARGO_TARGET_DIR` set to this project's target
//! directory, so it reuses the release build of the dependencies (`cargo run --release`
//! shares it) instead of compiling everything again in the clone.
//! Not run under CI=true without Python venv, PyPI or git: it fails there (`support::unavailable`).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const PRE_COMMIT: &str = "4.7.0";
/// A cold release build on 2 cores fits well inside this.
const DEADLINE: Duration = Duration::from_secs(30 * 60);

const BAD: &str = "disable_token_authorization=true\ncors.allowed.origin=https://x.example\ncors_allowed_origin=https://a.example, https://b.example\n";
const GOOD: &str = "disable_token_authorization=true\ncors_allowed_origin=https://a.example\n";
const NOT_CORS: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: debug\n";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The target directory `cargo test` builds into (`CARGO_TARGET_DIR` when set, relative to
/// the project as cargo reads it). `cargo install` builds the release profile, whose
/// directory lock a `cargo test --release` holds while tests run: then a directory of its
/// own inside it instead of waiting for ever.
fn target_dir() -> PathBuf {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => root().join(d),
        None => root().join("target"),
    };
    let exe = std::env::current_exe().expect("test executable");
    let profile = exe
        .parent()
        .and_then(Path::parent)
        .and_then(Path::file_name);
    if profile.is_some_and(|p| p == "release") {
        target.join("pre-commit")
    } else {
        target
    }
}

/// A command free of the git environment a hook or a caller's repository may have set.
fn clean(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut c = Command::new(program);
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "PRE_COMMIT",
    ] {
        c.env_remove(var);
    }
    c
}

fn git(dir: &Path, args: &[&str]) {
    let out = clean("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| support::unavailable(&format!("cannot run git: {e}")));
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Processes whose process group is `pgid`, from /proc.
fn group_members(pgid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
                // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
                stat.rsplit_once(')')
                    .and_then(|(_, rest)| rest.split_whitespace().nth(2)?.parse::<u32>().ok())
                    == Some(pgid)
            })
        })
        .collect()
}

fn kill_group(pgid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .stderr(Stdio::null())
        .status();
}

/// Run `pre-commit try-repo` in its own process group, within the deadline; nothing of it is
/// left running afterwards.
fn try_repo(pre_commit: &Path, scratch: &Path, home: &Path, files: &[&str]) -> (Output, Duration) {
    use std::os::unix::process::CommandExt;
    let mut cmd = clean(pre_commit);
    cmd.arg("try-repo")
        .arg(root())
        .args(["cors-lint", "--color", "never", "--files"])
        .args(files)
        .current_dir(scratch)
        .env("PRE_COMMIT_HOME", home)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let started = Instant::now();
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| support::unavailable(&format!("cannot run pre-commit: {e}")));
    let pgid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(DEADLINE) {
        Ok(out) => out.expect("pre-commit output"),
        Err(_) => {
            kill_group(pgid);
            panic!("pre-commit try-repo did not finish within {DEADLINE:?}; killed");
        }
    };
    let elapsed = started.elapsed();
    let left = group_members(pgid);
    if !left.is_empty() {
        kill_group(pgid);
        panic!("pre-commit left processes running: {left:?}");
    }
    (out, elapsed)
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_hook_fails_on_a_bad_file_and_passes_on_good_ones() {
    let pre_commit =
        support::venv::pip_tool("pre-commit-venv", "pre-commit", PRE_COMMIT, "pre-commit");
    if !clean("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        support::unavailable("git is not installed");
    }
    assert!(
        root().join(".pre-commit-hooks.yaml").is_file(),
        "the hook manifest is missing"
    );

    let scratch = tempfile::tempdir().expect("scratch dir");
    let home = tempfile::tempdir().expect("PRE_COMMIT_HOME");
    let repo = scratch.path();
    git(repo, &["init", "-q"]);
    for (name, content) in [
        ("bad/config.properties", BAD),
        ("good/config.properties", GOOD),
        ("deploy/settings.yaml", NOT_CORS),
        ("notes.txt", "cors_allowed_origin=*\n"),
    ] {
        let path = repo.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    git(repo, &["add", "."]);

    let (bad, bad_took) = try_repo(
        &pre_commit,
        repo,
        home.path(),
        &["bad/config.properties", "good/config.properties"],
    );
    let out = text(&bad);
    eprintln!("try-repo on the bad file took {bad_took:?}:\n{out}");
    assert_eq!(bad.status.code(), Some(1), "{out}");
    assert!(out.contains("cors-lint") && out.contains("Failed"), "{out}");
    assert!(out.contains("- exit code: 1"), "{out}");
    assert!(out.contains("CORS001") && out.contains("TS001"), "{out}");
    assert!(out.contains("bad/config.properties"), "{out}");
    assert!(!out.contains("good/config.properties"), "{out}");

    let (good, good_took) = try_repo(
        &pre_commit,
        repo,
        home.path(),
        &[
            "good/config.properties",
            "deploy/settings.yaml",
            "notes.txt",
        ],
    );
    let out = text(&good);
    eprintln!("try-repo on the good files took {good_took:?}:\n{out}");
    assert_eq!(good.status.code(), Some(0), "{out}");
    assert!(out.contains("Passed"), "{out}");
    assert!(!out.contains("CORS001"), "{out}");
}
