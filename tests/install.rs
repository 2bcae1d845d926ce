//! cors-lint installs and runs without a Rust toolchain: the release artifacts of
//! `packaging/dist.sh` (one `dist` build: the static binary and the wheel that carries it),
//! each checked as a person with only Python, or only a Linux kernel, would use it.
//!
//! * The wheel (maturin 1.16.0 from PyPI, in `target/ground-truth/maturin-venv`): its name and
//!   `WHEEL` tags (`py3-none-manylinux2014_x86_64.manylinux_2_17_x86_64`), maturin's
//!   manylinux2014 audit in `check` mode (silent when it passes, so the same options must
//!   refuse an ordinary dynamic binary built here), then `pip install` into a fresh venv and
//!   `cors-lint --version` and the whole shipped corpus through that venv's `bin/cors-lint`,
//!   with a `PATH` without cargo or rustc: the same bytes out as the cargo build.
//! * The static binary: `ldd` and its ELF headers (no `PT_INTERP`, `DT_NEEDED`, `DT_VERNEED`), then
//!   `--version` and a lint with an empty environment in a `chroot` holding only the binary
//!   and the file (needs root; without it the step says SKIPPED, and fails under `CI=true`).
//! * The pre-commit hook without Rust (`packaging/pre-commit/`, `language: python`): the real
//!   pre-commit 4.7.0 (the venv of tests/pre_commit.rs) runs it from a git repository of that
//!   directory, installing from a local wheel index (the wheel and setuptools, the shim's build
//!   backend) with no cargo on `PATH`; it fails on a bad file and passes on good ones. The warm
//!   hook time is printed.
//! * The GitHub Action (`action.yml`): its `run:` steps, with the `${{ … }}` expressions
//!   substituted as the runner would, run with bash against the same local index; the lint
//!   step prints only workflow commands and writes SARIF with `runs[0].results`.
//! * Versions: Cargo.toml's version is the wheel's, the shim's pin, the action's default, and
//!   `--version` prints the same line for the cargo build, the static binary and the wheel.
//!
//! The dist build is made once per run of this test binary (cargo keeps it warm across runs).
//! Not run under CI=true without Python venv, PyPI or git: it fails there (`support::unavailable`).

mod support;

use saphyr::{LoadableYamlNode, Yaml};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const MATURIN: &str = "1.16.0";
/// As tests/pre_commit.rs, whose venv this shares.
const PRE_COMMIT: &str = "4.7.0";
/// The build backend of the pre-commit shim (`packaging/pre-commit/pyproject.toml`), put into
/// the local wheel index beside the cors-lint wheel.
const SETUPTOOLS: &str = "80.9.0";
/// A cold dist build on 2 cores fits well inside this.
const DEADLINE: Duration = Duration::from_secs(30 * 60);
const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The platform tags of the wheel, sorted: manylinux2014 is glibc 2.17.
const PLATFORMS: [&str; 2] = ["manylinux2014_x86_64", "manylinux_2_17_x86_64"];

/// The corpus file the chroot and pre-commit checks lint: TorchServe's documented example.
const BAD_FILE: &str = "corpus/torchserve/docs-example.properties";
const GOOD: &str = "disable_token_authorization=true\ncors_allowed_origin=https://a.example\n";
const NOT_CORS: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: debug\n";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The target directory cargo builds into (`CARGO_TARGET_DIR` when set, relative to the
/// project). Under `cargo test --profile dist`, whose directory lock is held while the tests
/// run, a directory of its own inside it.
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
    if profile.is_some_and(|p| p == "dist") {
        target.join("install")
    } else {
        target
    }
}

// ---------------------------------------------------------------------------------------------
// Processes

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

/// Run `cmd` in its own process group within the deadline, output captured; nothing of it is
/// left running afterwards.
fn bounded(mut cmd: Command, what: &str) -> (Output, Duration) {
    use std::os::unix::process::CommandExt;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let started = Instant::now();
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| support::unavailable(&format!("cannot run {what}: {e}")));
    let pgid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(DEADLINE) {
        Ok(out) => out.unwrap_or_else(|e| panic!("{what}: {e}")),
        Err(_) => {
            kill_group(pgid);
            panic!("{what} did not finish within {DEADLINE:?}; killed");
        }
    };
    let elapsed = started.elapsed();
    let left = group_members(pgid);
    if !left.is_empty() {
        kill_group(pgid);
        panic!("{what} left processes running: {left:?}");
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

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `PATH` without the directories that hold cargo, rustc or rustup.
fn path_without_rust() -> OsString {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let kept: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|dir| {
            !["cargo", "rustc", "rustup"]
                .iter()
                .any(|tool| dir.join(tool).exists())
        })
        .collect();
    std::env::join_paths(kept).expect("PATH")
}

/// A command as a person without Rust runs it: no cargo, rustc or rustup on `PATH`, none of
/// cargo's or rustup's variables, none of the git environment a caller may have set.
fn without_rust(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut c = Command::new(program);
    for (name, _) in std::env::vars_os() {
        let name_str = name.to_string_lossy();
        if name_str.starts_with("CARGO")
            || name_str.starts_with("RUSTUP")
            || name_str.starts_with("RUSTC")
            || name_str.starts_with("RUSTFLAGS")
            || name_str.starts_with("RUST_")
            || name_str.starts_with("GIT_")
            || name_str.starts_with("PIP_")
            || name_str == "PRE_COMMIT"
            || name_str == "VIRTUAL_ENV"
        {
            c.env_remove(&name);
        }
    }
    c.env("PATH", path_without_rust()).env("NO_COLOR", "1");
    c
}

/// `which cargo` (and rustc) fails in the environment [`without_rust`] gives.
fn assert_no_rust_on_path() {
    for tool in ["cargo", "rustc", "rustup"] {
        let which = without_rust("which").arg(tool).output();
        let which = which.unwrap_or_else(|e| panic!("cannot run which: {e}"));
        assert!(
            !which.status.success(),
            "`which {tool}` found {} on the PATH meant to have no Rust",
            String::from_utf8_lossy(&which.stdout).trim()
        );
    }
}

/// `--version` of the binary `cargo test` built (debug profile).
fn cargo_version() -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_cors-lint"))
        .arg("--version")
        .output()
        .expect("cargo-built cors-lint");
    assert!(out.status.success());
    stdout(&out)
}

fn git(dir: &Path, args: &[&str]) {
    let out = without_rust("git")
        .args([
            "-c",
            "user.name=cors-lint tests",
            "-c",
            "user.email=tests@cors-lint.invalid",
        ])
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

fn write(dir: &Path, name: &str, content: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

// ---------------------------------------------------------------------------------------------
// The dist build, once per run

struct Dist {
    wheel: PathBuf,
    binary: PathBuf,
    maturin: PathBuf,
}

static DIST: OnceLock<Result<Dist, String>> = OnceLock::new();

/// The artifacts of `packaging/dist.sh`, built on first use.
fn dist() -> &'static Dist {
    match DIST.get_or_init(build_dist) {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    }
}

fn build_dist() -> Result<Dist, String> {
    let maturin = support::venv::pip_tool("maturin-venv", "maturin", MATURIN, "maturin");
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("packaging/dist.sh"))
        .env("MATURIN", &maturin)
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .current_dir(root());
    let (out, took) = bounded(cmd, "packaging/dist.sh");
    let log = text(&out);
    eprintln!("packaging/dist.sh took {took:.1?}");
    if !out.status.success() {
        return Err(format!("packaging/dist.sh failed:\n{log}"));
    }
    let line = |key: &str| {
        stdout(&out)
            .lines()
            .find_map(|l| l.strip_prefix(key).map(|p| root().join(p.trim())))
            .ok_or_else(|| format!("packaging/dist.sh printed no `{key}` line:\n{log}"))
    };
    let dist = Dist {
        wheel: line("wheel: ")?,
        binary: line("binary: ")?,
        maturin,
    };
    let size = std::fs::metadata(&dist.wheel)
        .map_err(|e| e.to_string())?
        .len();
    eprintln!(
        "wheel: {} ({:.1} MiB); binary: {} ({:.1} MiB)",
        dist.wheel.display(),
        size as f64 / (1 << 20) as f64,
        dist.binary.display(),
        std::fs::metadata(&dist.binary).map_or(0, |m| m.len()) as f64 / (1 << 20) as f64,
    );
    Ok(dist)
}

static INDEX: OnceLock<PathBuf> = OnceLock::new();

/// A local wheel index (for `PIP_FIND_LINKS` with `PIP_NO_INDEX`): the wheel just built and
/// setuptools, downloaded once into `target/ground-truth/pip-downloads`.
fn local_index() -> &'static Path {
    INDEX.get_or_init(|| {
        let dist = dist();
        let downloads = support::work_dir().join("pip-downloads");
        let wanted = format!("setuptools-{SETUPTOOLS}-");
        let have = |dir: &Path| {
            std::fs::read_dir(dir).ok().and_then(|d| {
                d.filter_map(Result::ok).map(|e| e.path()).find(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(&wanted))
                })
            })
        };
        let setuptools = match have(&downloads) {
            Some(p) => p,
            None => {
                let pip = dist.maturin.with_file_name("pip");
                let ok = Command::new(pip)
                    .args(["download", "-q", "--disable-pip-version-check", "--no-deps"])
                    .args(["--only-binary=:all:", "-d"])
                    .arg(&downloads)
                    .arg(format!("setuptools=={SETUPTOOLS}"))
                    .status()
                    .is_ok_and(|s| s.success());
                if !ok {
                    support::unavailable(&format!(
                        "pip could not download setuptools=={SETUPTOOLS}"
                    ));
                }
                have(&downloads).expect("the setuptools wheel pip downloaded")
            }
        };
        let index = support::work_dir().join("wheel-index");
        let _ = std::fs::remove_dir_all(&index);
        std::fs::create_dir_all(&index).unwrap();
        for file in [&dist.wheel, &setuptools] {
            std::fs::copy(file, index.join(file.file_name().unwrap())).unwrap();
        }
        index
    })
}

/// A command that installs from the local index only.
fn pip_local(cmd: &mut Command) -> &mut Command {
    cmd.env("PIP_NO_INDEX", "1")
        .env("PIP_FIND_LINKS", local_index())
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
}

/// Names, `WHEEL` and `METADATA` of a wheel, read with Python's zipfile.
fn wheel_contents(wheel: &Path) -> serde_json::Value {
    const READ: &str = r#"
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
info = {i.filename: i.file_size for i in z.infolist()}
def one(suffix):
    return z.read(next(n for n in info if n.endswith(suffix))).decode()
print(json.dumps({"files": info, "WHEEL": one(".dist-info/WHEEL"), "METADATA": one(".dist-info/METADATA")}))
"#;
    let out = Command::new("python3")
        .args(["-c", READ])
        .arg(wheel)
        .output()
        .expect("python3");
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice(&out.stdout).expect("wheel contents as JSON")
}

// ---------------------------------------------------------------------------------------------
// The wheel

/// The audit options of `packaging/dist.sh`, which the control below runs maturin with.
const AUDIT: [&str; 4] = ["--compatibility", "manylinux2014", "--auditwheel", "check"];

/// maturin's audit with dist.sh's options refuses an ordinary, dynamically linked binary built
/// here (this glibc's `__libc_start_main@GLIBC_2.34` is newer than manylinux2014's 2.17): the
/// control that shows the audit runs, silent when it passes.
fn audit_refuses_a_dynamic_binary(maturin: &Path) {
    let probe = tempfile::tempdir().unwrap();
    write(
        probe.path(),
        "Cargo.toml",
        "[package]\nname = \"audit-probe\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    );
    write(probe.path(), "src/main.rs", "fn main() {}\n");
    write(
        probe.path(),
        "pyproject.toml",
        "[build-system]\nrequires = [\"maturin>=1.9,<2\"]\nbuild-backend = \"maturin\"\n\n[project]\nname = \"audit-probe\"\nversion = \"0.1.0\"\n\n[tool.maturin]\nbindings = \"bin\"\n",
    );
    let mut cmd = Command::new(maturin);
    cmd.args(["build", "--release", "--target", "x86_64-unknown-linux-gnu"])
        .args(AUDIT)
        .arg("--out")
        .arg(probe.path().join("wheels"))
        .current_dir(probe.path())
        .env("CARGO_TARGET_DIR", probe.path().join("target"))
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    let (out, _) = bounded(cmd, "maturin build (audit control)");
    let said = text(&out);
    let built = walk_files(&probe.path().join("target"))
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "audit-probe"))
        .filter_map(|p| std::fs::read(p).ok())
        .any(|b| b.windows(10).any(|w| w == b"GLIBC_2.34"));
    if !built {
        eprintln!(
            "audit control: this glibc links no symbol newer than 2.17 into a binary; nothing to refuse:\n{said}"
        );
        return;
    }
    assert!(
        !out.status.success(),
        "maturin's audit let a binary needing GLIBC_2.34 into a manylinux2014 wheel:\n{said}"
    );
    assert!(said.contains("manylinux"), "{said}");
    eprintln!(
        "audit control: maturin refused the dynamic binary: {}",
        said.lines()
            .filter(|l| l.contains("manylinux") || l.contains("GLIBC"))
            .collect::<Vec<_>>()
            .join(" / ")
    );
}

#[test]
fn the_wheel_is_manylinux2014_py3_none_and_passed_the_audit() {
    let dist = dist();
    let name = dist
        .wheel
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let rest = name
        .strip_prefix(&format!("cors_lint-{VERSION}-py3-none-"))
        .and_then(|r| r.strip_suffix(".whl"))
        .unwrap_or_else(|| panic!("wheel name {name}"));
    let mut platforms: Vec<&str> = rest.split('.').collect();
    platforms.sort();
    assert_eq!(platforms, PLATFORMS, "{name}");
    let wheel = wheel_contents(&dist.wheel);
    let mut tags: Vec<String> = wheel["WHEEL"]
        .as_str()
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("Tag: "))
        .map(String::from)
        .collect();
    tags.sort();
    let want: Vec<String> = PLATFORMS.iter().map(|p| format!("py3-none-{p}")).collect();
    assert_eq!(tags, want, "{}", wheel["WHEEL"]);
    assert!(
        wheel["WHEEL"]
            .as_str()
            .unwrap()
            .contains("Root-Is-Purelib: false"),
        "{}",
        wheel["WHEEL"]
    );
    let meta = wheel["METADATA"].as_str().unwrap();
    assert!(meta.contains("\nName: cors-lint\n"), "{meta}");
    assert!(meta.contains(&format!("\nVersion: {VERSION}\n")), "{meta}");
    // The binary is the whole payload: the same file as the static binary.
    let script = format!("cors_lint-{VERSION}.data/scripts/cors-lint");
    let files = wheel["files"].as_object().unwrap();
    assert_eq!(
        files.get(&script).and_then(|s| s.as_u64()),
        Some(std::fs::metadata(&dist.binary).unwrap().len()),
        "{script} in {files:?}"
    );
    assert!(
        files
            .keys()
            .all(|f| f == &script || f.starts_with(&format!("cors_lint-{VERSION}.dist-info/"))),
        "unexpected files in the wheel: {files:?}"
    );

    // The audit: dist.sh asks for it in check mode (fail, never repair or skip), and the same
    // options refuse a binary that needs a newer glibc than the tag claims.
    let script_text = std::fs::read_to_string(root().join("packaging/dist.sh")).unwrap();
    assert!(
        script_text.contains(&AUDIT.join(" ")),
        "packaging/dist.sh no longer runs the audit as `{}`",
        AUDIT.join(" ")
    );
    assert!(
        !script_text.contains("skip"),
        "packaging/dist.sh skips something"
    );
    audit_refuses_a_dynamic_binary(&dist.maturin);
    eprintln!(
        "wheel: {name}, {} bytes",
        std::fs::metadata(&dist.wheel).unwrap().len()
    );
}

#[test]
fn the_wheel_installs_into_a_fresh_venv_and_runs_without_rust() {
    let dist = dist();
    assert_no_rust_on_path();
    let scratch = tempfile::tempdir().unwrap();
    let venv = scratch.path().join("venv");
    let made = without_rust("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status();
    if !made.is_ok_and(|s| s.success()) {
        support::unavailable("cannot create a Python venv (apt install python3-venv)");
    }
    let started = Instant::now();
    let mut pip = without_rust(venv.join("bin/pip"));
    pip_local(&mut pip).args(["install", "-q"]).arg(&dist.wheel);
    let (out, _) = bounded(pip, "pip install <wheel>");
    assert!(out.status.success(), "{}", text(&out));
    eprintln!(
        "pip install of the wheel into a fresh venv took {:.2?}",
        started.elapsed()
    );

    let exe = venv.join("bin/cors-lint");
    assert_eq!(
        std::fs::read(&exe).unwrap(),
        std::fs::read(&dist.binary).unwrap(),
        "the venv's cors-lint is not the static binary"
    );
    let version = without_rust(&exe).arg("--version").output().unwrap();
    assert!(version.status.success(), "{}", text(&version));
    assert_eq!(stdout(&version), cargo_version());

    // The whole shipped corpus, through the venv's command found on PATH as pip installs it:
    // the same report, byte for byte, as the cargo build's (exit 2: the corpus holds a file
    // TorchServe cannot load, on purpose).
    let mut path = vec![venv.join("bin")];
    path.extend(std::env::split_paths(&path_without_rust()));
    let args = ["--format", "concise", "corpus/"];
    let from_wheel = without_rust("cors-lint")
        .env("PATH", std::env::join_paths(path).unwrap())
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    let from_cargo = Command::new(env!("CARGO_BIN_EXE_cors-lint"))
        .env("NO_COLOR", "1")
        .args(args)
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(from_wheel.status.code(), Some(2), "{}", text(&from_wheel));
    assert_eq!(from_wheel.status.code(), from_cargo.status.code());
    assert!(
        stdout(&from_wheel).lines().count() > 100,
        "{}",
        text(&from_wheel)
    );
    assert_eq!(stdout(&from_wheel), stdout(&from_cargo));
}

// ---------------------------------------------------------------------------------------------
// The static binary

/// `(has PT_INTERP, DT_NEEDED entries, DT_VERNEED entries)` of a 64-bit little-endian ELF
/// file: a program interpreter, shared libraries, versioned symbols (`GLIBC_2.x`) it needs.
fn elf_dynamic_needs(bytes: &[u8]) -> (bool, usize, usize) {
    assert_eq!(&bytes[..4], b"\x7fELF", "not an ELF file");
    assert_eq!(bytes[4], 2, "not a 64-bit ELF file");
    assert_eq!(bytes[5], 1, "not a little-endian ELF file");
    let u16_at = |o: usize| u16::from_le_bytes(bytes[o..o + 2].try_into().unwrap()) as usize;
    let u32_at = |o: usize| u32::from_le_bytes(bytes[o..o + 4].try_into().unwrap());
    let u64_at = |o: usize| u64::from_le_bytes(bytes[o..o + 8].try_into().unwrap()) as usize;
    let (phoff, phentsize, phnum) = (u64_at(0x20), u16_at(0x36), u16_at(0x38));
    let mut interp = false;
    let mut needed = 0;
    let mut verneed = 0;
    for i in 0..phnum {
        let ph = phoff + i * phentsize;
        match u32_at(ph) {
            3 => interp = true, // PT_INTERP
            2 => {
                // PT_DYNAMIC: (d_tag, d_val) pairs up to DT_NULL; DT_NEEDED is 1.
                let (offset, size) = (u64_at(ph + 8), u64_at(ph + 32));
                for entry in (offset..offset + size).step_by(16) {
                    match u64_at(entry) {
                        0 => break,
                        1 => needed += 1,
                        0x6fff_fffe => verneed += 1,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    (interp, needed, verneed)
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

#[test]
fn the_static_binary_needs_no_shared_library_and_runs_in_an_empty_chroot() {
    let dist = dist();
    let bytes = std::fs::read(&dist.binary).unwrap();
    let (interp, needed, verneed) = elf_dynamic_needs(&bytes);
    assert_eq!(
        verneed,
        0,
        "{} needs versioned symbols",
        dist.binary.display()
    );
    assert!(
        !interp,
        "{} has a program interpreter",
        dist.binary.display()
    );
    assert_eq!(
        needed,
        0,
        "{} needs shared libraries",
        dist.binary.display()
    );
    let ldd = Command::new("ldd").arg(&dist.binary).output().expect("ldd");
    let said = text(&ldd);
    assert!(
        said.contains("not a dynamic executable") || said.contains("statically linked"),
        "ldd: {said}"
    );
    if let Ok(file) = Command::new("file").arg(&dist.binary).output() {
        eprintln!("file: {}", stdout(&file).trim());
    }
    eprintln!("ldd: {}", said.trim());

    // A root holding only the binary and one file; an empty environment.
    let jail = tempfile::tempdir().unwrap();
    std::fs::copy(&dist.binary, jail.path().join("cors-lint")).unwrap();
    let bad = std::fs::read_to_string(root().join(BAD_FILE)).unwrap();
    write(jail.path(), "config.properties", &bad);
    let args: [&[&str]; 3] = [
        &["--version"],
        &["--format", "concise", "config.properties"],
        &["--format", "json", "."],
    ];
    // What the cargo build prints for the same files, from a copy of the same directory.
    let copy = tempfile::tempdir().unwrap();
    write(copy.path(), "config.properties", &bad);
    std::fs::copy(&dist.binary, copy.path().join("cors-lint")).unwrap();
    let expected: Vec<Output> = args
        .iter()
        .map(|a| {
            Command::new(env!("CARGO_BIN_EXE_cors-lint"))
                .env_clear()
                .args(*a)
                .current_dir(copy.path())
                .output()
                .unwrap()
        })
        .collect();
    assert_eq!(stdout(&expected[0]), cargo_version());
    assert_eq!(expected[1].status.code(), Some(1), "{}", text(&expected[1]));

    if !is_root() {
        let msg = "the chroot step needs root (chroot(2) needs CAP_SYS_CHROOT)";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{msg} (CI=true: this must not be skipped)");
        }
        eprintln!(
            "\n==================== SKIPPED ====================\n{msg}: the static binary was not run in an empty root\n=================================================\n"
        );
        return;
    }
    let chroot = ["/usr/sbin/chroot", "/sbin/chroot", "/usr/bin/chroot"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("chroot (coreutils) is not installed");
    for (a, want) in args.iter().zip(&expected) {
        let got = Command::new(chroot)
            .env_clear()
            .arg(jail.path())
            .arg("/cors-lint")
            .args(*a)
            .output()
            .unwrap();
        assert_eq!(
            got.status.code(),
            want.status.code(),
            "chroot … /cors-lint {a:?}: {}",
            text(&got)
        );
        assert_eq!(stdout(&got), stdout(want), "chroot … /cors-lint {a:?}");
    }
    eprintln!("the static binary ran in a chroot holding only itself and config.properties");
}

// ---------------------------------------------------------------------------------------------
// pre-commit without Rust

/// Run `pre-commit` with `args` in `repo`, without Rust, installing from the local index.
fn pre_commit(exe: &Path, repo: &Path, home: &Path, args: &[&str]) -> (Output, Duration) {
    let mut cmd = without_rust(exe);
    pip_local(&mut cmd)
        .args(args)
        .current_dir(repo)
        .env("PRE_COMMIT_HOME", home)
        .env("VIRTUALENV_NO_PERIODIC_UPDATE", "1");
    bounded(cmd, "pre-commit")
}

#[test]
fn the_python_pre_commit_hook_installs_from_the_wheel_and_fails_only_on_bad_files() {
    let dist = dist();
    let exe = support::venv::pip_tool("pre-commit-venv", "pre-commit", PRE_COMMIT, "pre-commit");
    let _ = local_index();
    assert_no_rust_on_path();

    // The shim, as its own repository tagged with the version.
    let shim = tempfile::tempdir().unwrap();
    for name in [".pre-commit-hooks.yaml", "pyproject.toml", "README.md"] {
        std::fs::copy(
            root().join("packaging/pre-commit").join(name),
            shim.path().join(name),
        )
        .unwrap();
    }
    git(shim.path(), &["init", "-q"]);
    git(shim.path(), &["add", "."]);
    git(shim.path(), &["commit", "-q", "-m", "cors-lint-pre-commit"]);
    git(shim.path(), &["tag", &format!("v{VERSION}")]);

    // A project that uses it.
    let project = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let repo = project.path();
    git(repo, &["init", "-q"]);
    let config = format!(
        "repos:\n  - repo: {}\n    rev: v{VERSION}\n    hooks:\n      - id: cors-lint\n",
        shim.path().display()
    );
    let bad = std::fs::read_to_string(root().join(BAD_FILE)).unwrap();
    for (name, content) in [
        (".pre-commit-config.yaml", config.as_str()),
        ("bad/config.properties", bad.as_str()),
        ("good/config.properties", GOOD),
        ("deploy/settings.yaml", NOT_CORS),
        ("notes.txt", "cors_allowed_origin=*\n"),
    ] {
        write(repo, name, content);
    }
    git(repo, &["add", "."]);

    let run_bad = [
        "run",
        "cors-lint",
        "--color",
        "never",
        "--files",
        "bad/config.properties",
        "good/config.properties",
    ];
    let run_good = [
        "run",
        "cors-lint",
        "--color",
        "never",
        "--files",
        "good/config.properties",
        "deploy/settings.yaml",
        "notes.txt",
    ];
    // First use: pre-commit clones the shim and pip-installs it with the wheel.
    let (cold, cold_took) = pre_commit(&exe, repo, home.path(), &run_bad);
    let out = text(&cold);
    eprintln!(
        "pre-commit, first use (installs the hook's environment), took {cold_took:.2?}:\n{out}"
    );
    assert_eq!(cold.status.code(), Some(1), "{out}");
    assert!(out.contains("cors-lint") && out.contains("Failed"), "{out}");
    assert!(out.contains("- exit code: 1"), "{out}");
    assert!(out.contains("CORS004") && out.contains("CORS012"), "{out}");
    assert!(out.contains("bad/config.properties"), "{out}");
    assert!(!out.contains("good/config.properties"), "{out}");
    // The hook's environment holds the static binary from the wheel, and no cargo was run.
    let hook_bin: Vec<PathBuf> = walk_files(home.path())
        .into_iter()
        .filter(|p| p.ends_with("bin/cors-lint"))
        .collect();
    assert_eq!(hook_bin.len(), 1, "{hook_bin:?}");
    assert_eq!(
        std::fs::read(&hook_bin[0]).unwrap(),
        std::fs::read(&dist.binary).unwrap()
    );

    let (good, _) = pre_commit(&exe, repo, home.path(), &run_good);
    let out = text(&good);
    assert_eq!(good.status.code(), Some(0), "{out}");
    assert!(out.contains("Passed"), "{out}");
    assert!(!out.contains("CORS0"), "{out}");

    // Warm: the environment is installed.
    let mut warm = Vec::new();
    for _ in 0..3 {
        let (bad, took_bad) = pre_commit(&exe, repo, home.path(), &run_bad);
        assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
        let (good, took_good) = pre_commit(&exe, repo, home.path(), &run_good);
        assert_eq!(good.status.code(), Some(0), "{}", text(&good));
        warm.extend([took_bad, took_good]);
    }
    warm.sort();
    eprintln!(
        "pre-commit with the python hook, warm: median {:.2?} (min {:.2?}, max {:.2?}) over {} runs",
        warm[warm.len() / 2],
        warm[0],
        warm[warm.len() - 1],
        warm.len()
    );
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => out.extend(walk_files(&path)),
            Ok(_) => out.push(path),
            Err(_) => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The GitHub Action

fn yaml_file(path: &Path) -> Yaml<'static> {
    let text: &'static str = Box::leak(std::fs::read_to_string(path).unwrap().into_boxed_str());
    Yaml::load_from_str(text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("{} is empty", path.display()))
}

fn str_at<'a>(node: &'a Yaml, key: &str) -> Option<&'a str> {
    node.as_mapping_get(key).and_then(Yaml::as_str)
}

/// `text` with every `${{ expr }}` replaced by `values[expr]`; an expression not there fails.
fn substitute(text: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("}}")
            .unwrap_or_else(|| panic!("unclosed expression in {text:?}"))
            + start;
        let expr = rest[start + 3..end].trim();
        let value = values
            .get(expr)
            .unwrap_or_else(|| panic!("the test does not know the expression `{expr}`"));
        out.push_str(value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// `key=value` lines of a `$GITHUB_OUTPUT` file (the single-line form).
fn outputs(file: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn the_action_steps_install_the_wheel_and_annotate_with_workflow_commands_and_sarif() {
    let _ = local_index();
    assert_no_rust_on_path();
    let action = yaml_file(&root().join("action.yml"));
    assert_eq!(str_at(&action["runs"], "using"), Some("composite"));
    let inputs = action["inputs"].as_mapping().expect("inputs");
    let default = |name: &str| {
        inputs
            .iter()
            .find(|(k, _)| k.as_str() == Some(name))
            .and_then(|(_, v)| str_at(v, "default"))
            .unwrap_or_else(|| panic!("input {name} has no default"))
            .to_string()
    };
    assert_eq!(default("version"), VERSION, "action.yml's default version");

    let scratch = tempfile::tempdir().unwrap();
    let runner_temp = scratch.path().join("runner-temp");
    std::fs::create_dir_all(&runner_temp).unwrap();
    let sarif = scratch.path().join("cors-lint.sarif");
    let github_path = scratch.path().join("github_path");
    std::fs::write(&github_path, "").unwrap();
    let mut values: BTreeMap<String, String> = BTreeMap::new();
    for (k, _) in inputs.iter() {
        let k = k.as_str().unwrap();
        values.insert(format!("inputs.{k}"), default(k));
    }
    values.insert("inputs.paths".into(), "corpus/nginx corpus/traefik".into());
    values.insert("inputs.args".into(), "--fail-on warning".into());
    values.insert("inputs.sarif-file".into(), sarif.display().to_string());
    values.insert("inputs.upload-sarif".into(), "true".into());

    let steps = action["runs"]["steps"].as_sequence().expect("runs.steps");
    let mut ran = Vec::new();
    let mut lint_stdout = None;
    let mut exit_step = None;
    for (i, step) in steps.iter().enumerate() {
        let name = str_at(step, "name").unwrap_or("?").to_string();
        if let Some(uses) = str_at(step, "uses") {
            // Not runnable here: the SARIF upload. Its file is the input's.
            assert!(
                uses.starts_with("github/codeql-action/upload-sarif@"),
                "{uses}"
            );
            let with = step.as_mapping_get("with").expect("with");
            assert_eq!(str_at(with, "sarif_file"), Some("${{ inputs.sarif-file }}"));
            assert!(
                str_at(step, "if").is_some_and(|c| c.contains("inputs.upload-sarif == 'true'"))
            );
            continue;
        }
        let run = str_at(step, "run").unwrap_or_else(|| panic!("step {name} has no run"));
        assert_eq!(str_at(step, "shell"), Some("bash"), "step {name}");
        assert!(
            !run.contains("${{"),
            "step {name}: inputs reach the script through env: only"
        );
        assert!(
            str_at(step, "if").is_none(),
            "step {name}: the test runs every run: step"
        );
        let github_output = scratch.path().join(format!("github_output_{i}"));
        std::fs::write(&github_output, "").unwrap();
        let mut path: Vec<PathBuf> = std::fs::read_to_string(&github_path)
            .unwrap()
            .lines()
            .rev()
            .map(PathBuf::from)
            .collect();
        path.extend(std::env::split_paths(&path_without_rust()));
        let mut cmd = without_rust("bash");
        pip_local(&mut cmd)
            .args(["--noprofile", "--norc", "-e", "-o", "pipefail", "-c", run])
            .current_dir(root())
            .env("PATH", std::env::join_paths(path).unwrap())
            .env("RUNNER_TEMP", &runner_temp)
            .env("GITHUB_WORKSPACE", root())
            .env("GITHUB_ACTION_PATH", root())
            .env("GITHUB_PATH", &github_path)
            .env("GITHUB_OUTPUT", &github_output)
            .env("GITHUB_ACTIONS", "true");
        if let Some(env) = step.as_mapping_get("env").and_then(Yaml::as_mapping) {
            for (k, v) in env {
                let v = v
                    .as_str()
                    .unwrap_or_else(|| panic!("step {name}: env values are strings"));
                cmd.env(k.as_str().unwrap(), substitute(v, &values));
            }
        }
        let (out, took) = bounded(cmd, &format!("action step {name}"));
        eprintln!(
            "action step `{name}` ({took:.2?}), exit {:?}",
            out.status.code()
        );
        if let Some(id) = str_at(step, "id") {
            for (k, v) in outputs(&github_output) {
                values.insert(format!("steps.{id}.outputs.{k}"), v);
            }
            if id == "lint" {
                assert!(
                    out.status.success(),
                    "the lint step itself fails: {}",
                    text(&out)
                );
                lint_stdout = Some(stdout(&out));
            }
        }
        if i == steps.len() - 1 {
            exit_step = Some(out);
        } else {
            assert!(out.status.success(), "step {name}: {}", text(&out));
        }
        ran.push(name);
    }
    eprintln!("ran the action's steps {ran:?}");
    let installed = runner_temp.join("cors-lint-venv/bin/cors-lint");
    let version = Command::new(&installed).arg("--version").output().unwrap();
    assert_eq!(stdout(&version), cargo_version());

    // Annotations only, errors and warnings both.
    let lint = lint_stdout.expect("a step with id lint");
    assert!(!lint.trim().is_empty());
    let command = regex::Regex::new(r"^::(error|warning|notice) file=[^,]+,line=\d+,").unwrap();
    for line in lint.lines() {
        assert!(command.is_match(line), "not a workflow command: {line}");
    }
    assert!(lint.lines().any(|l| l.starts_with("::error ")), "{lint}");
    assert!(lint.lines().any(|l| l.starts_with("::warning ")), "{lint}");
    assert!(lint.contains("file=corpus/nginx/") && lint.contains("file=corpus/traefik/"));
    // The step's status and output are cors-lint's exit code: 1, findings.
    assert_eq!(
        values
            .get("steps.lint.outputs.exit-code")
            .map(String::as_str),
        Some("1")
    );
    assert_eq!(
        values.get("steps.lint.outputs.sarif-file"),
        Some(&sarif.display().to_string())
    );
    assert_eq!(exit_step.expect("a last step").status.code(), Some(1));

    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sarif).expect("the SARIF file"))
            .expect("SARIF JSON");
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"]
        .as_array()
        .expect("runs[0].results");
    assert_eq!(
        results.len(),
        lint.lines().count(),
        "one SARIF result per annotation"
    );
}

// ---------------------------------------------------------------------------------------------
// Versions (no build)

fn toml_file(path: &str) -> toml::Table {
    std::fs::read_to_string(root().join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .parse()
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_package_carries_the_cargo_version() {
    // The wheel: maturin takes the version from Cargo.toml, and ships only the binary.
    let py = toml_file("pyproject.toml");
    assert_eq!(py["project"]["name"].as_str(), Some("cors-lint"));
    assert_eq!(
        py["project"]["dynamic"].as_array().unwrap(),
        &vec![toml::Value::from("version")]
    );
    assert!(py["project"].get("version").is_none());
    assert_eq!(py["tool"]["maturin"]["bindings"].as_str(), Some("bin"));
    assert_eq!(py["tool"]["maturin"]["profile"].as_str(), Some("dist"));
    assert_eq!(
        py["build-system"]["build-backend"].as_str(),
        Some("maturin")
    );

    // The pre-commit shim pins the wheel of this version and is tagged with it.
    let shim = toml_file("packaging/pre-commit/pyproject.toml");
    assert_eq!(shim["project"]["version"].as_str(), Some(VERSION));
    assert_eq!(
        shim["project"]["dependencies"].as_array().unwrap(),
        &vec![toml::Value::from(format!("cors-lint=={VERSION}"))]
    );
    let readme = std::fs::read_to_string(root().join("packaging/pre-commit/README.md")).unwrap();
    assert!(readme.contains(&format!("rev: v{VERSION}")), "{readme}");

    // The action installs this version by default (checked with its steps above, and here
    // without a build).
    let action = yaml_file(&root().join("action.yml"));
    assert_eq!(
        str_at(&action["inputs"]["version"], "default"),
        Some(VERSION)
    );

    // The changelog has the section releases are cut from.
    let changelog = std::fs::read_to_string(root().join("CHANGELOG.md")).unwrap();
    assert!(changelog.contains("\n## [Unreleased]\n"), "CHANGELOG.md");
}

#[test]
fn the_python_hook_is_the_rust_hook_but_for_its_language() {
    let rust = yaml_file(&root().join(".pre-commit-hooks.yaml"));
    let python = yaml_file(&root().join("packaging/pre-commit/.pre-commit-hooks.yaml"));
    let (rust, python) = (&rust[0], &python[0]);
    assert_eq!(str_at(rust, "language"), Some("rust"));
    assert_eq!(str_at(python, "language"), Some("python"));
    let keys = |h: &Yaml| -> Vec<String> {
        h.as_mapping()
            .unwrap()
            .keys()
            .map(|k| k.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(keys(rust), keys(python));
    for key in keys(rust) {
        if key != "language" {
            assert_eq!(rust[key.as_str()], python[key.as_str()], "{key}");
        }
    }
}
