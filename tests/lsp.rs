//! `cors-lint server` with a real LSP client: tests/lsp/test_server.py, on pytest-lsp (PyPI,
//! pinned in tests/lsp/requirements.txt, installed into `target/ground-truth/lsp-venv`),
//! starts the server binary and drives it as an editor does — initialize with VS Code's and
//! Neovim's capabilities, open, edit, code actions applied client-side, save, configuration
//! changes, cross-file objects, hover, malformed input — and prints the latency from
//! `didChange` to `publishDiagnostics` on a 1 000-line file (`cargo test --test lsp --
//! --nocapture` shows it). Not run under CI=true without Python venv or PyPI: it fails
//! there (`support::unavailable`).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The suite takes seconds; a hung server must not hang `cargo test`.
const DEADLINE: Duration = Duration::from_secs(10 * 60);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The venv with the pinned requirements (installed again when they change).
fn venv() -> PathBuf {
    let venv = support::work_dir().join("lsp-venv");
    let requirements = root().join("tests/lsp/requirements.txt");
    let wanted = std::fs::read_to_string(&requirements).expect("tests/lsp/requirements.txt");
    let marker = venv.join("cors-lint-requirements.txt");
    let python = venv.join("bin/python");
    if python.exists() && std::fs::read_to_string(&marker).is_ok_and(|m| m == wanted) {
        return venv;
    }
    let created = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status();
    if !created.is_ok_and(|s| s.success()) {
        support::unavailable("cannot create a Python venv (apt install python3-venv)");
    }
    let pip = Command::new(venv.join("bin/pip"))
        .args(["install", "-q", "--disable-pip-version-check", "-r"])
        .arg(&requirements)
        .status();
    if !pip.is_ok_and(|s| s.success()) {
        support::unavailable("pip could not install tests/lsp/requirements.txt (pytest-lsp)");
    }
    std::fs::write(&marker, wanted).expect("write the venv's marker");
    venv
}

fn run_with_deadline(mut cmd: Command) -> (bool, String) {
    let out_path = support::work_dir().join("lsp-pytest.log");
    let log = std::fs::File::create(&out_path).expect("create the log");
    let mut child = cmd
        .stdout(Stdio::from(log.try_clone().expect("log")))
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap_or_else(|e| support::unavailable(&format!("cannot run pytest: {e}")));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for pytest") {
            break Some(s);
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let output = std::fs::read_to_string(&out_path).unwrap_or_default();
    match status {
        Some(s) => (s.success(), output),
        None => (
            false,
            format!("{output}\n(pytest killed after {DEADLINE:?})"),
        ),
    }
}

#[test]
fn language_server_with_a_real_client() {
    let venv = venv();
    let tests: &Path = Path::new("tests/lsp");
    let mut cmd = Command::new(venv.join("bin/python"));
    cmd.current_dir(root())
        .args(["-m", "pytest", "-c"])
        .arg(tests.join("pytest.ini"))
        .arg("--rootdir")
        .arg(tests)
        .args(["-p", "no:cacheprovider", "-q", "-s", "-rs"])
        .arg(tests)
        .env("CORS_LINT_BIN", env!("CARGO_BIN_EXE_cors-lint"))
        .env(
            "CORS_LINT_DEBUG_BUILD",
            if cfg!(debug_assertions) { "1" } else { "0" },
        )
        // No `__pycache__` in the source tree.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env_remove("PYTEST_ADDOPTS");
    let started = Instant::now();
    let (ok, output) = run_with_deadline(cmd);
    println!("{output}");
    println!("pytest-lsp suite: {:.1} s", started.elapsed().as_secs_f64());
    assert!(ok, "the pytest-lsp suite failed:\n{output}");
    assert!(
        output.contains("LATENCY didChange -> publishDiagnostics"),
        "the latency was not measured:\n{output}"
    );
}
