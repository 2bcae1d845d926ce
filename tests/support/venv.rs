//! Python tools from PyPI, each in its own venv under `target/ground-truth/` (reused by later
//! runs), for suites that drive a real tool rather than a server.

use super::{unavailable, work_dir};
use std::path::{Path, PathBuf};
use std::process::Command;

fn has_version(bin: &Path, version: &str) -> bool {
    Command::new(bin)
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(version))
}

/// `target/ground-truth/<venv>/bin/<bin>` after `pip install <package>==<version>`, unless it
/// already answers `--version` with that version. No Python venv or no PyPI: unavailable.
pub fn pip_tool(venv: &str, package: &str, version: &str, bin: &str) -> PathBuf {
    let venv = work_dir().join(venv);
    let exe = venv.join("bin").join(bin);
    if has_version(&exe, version) {
        return exe;
    }
    pip_install(&venv, package, version);
    if !has_version(&exe, version) {
        unavailable(&format!("pip could not install {package}=={version}"));
    }
    exe
}

/// Create the venv `venv` (or reuse it) and `pip install <package>==<version>` into it. No
/// Python venv or no PyPI: unavailable. Whether the installed tool runs is the caller's check.
pub fn pip_install(venv: &Path, package: &str, version: &str) {
    let status = Command::new("python3")
        .args(["-m", "venv"])
        .arg(venv)
        .status();
    if !status.is_ok_and(|s| s.success()) {
        unavailable("cannot create a Python venv (apt install python3-venv)");
    }
    let pip = Command::new(venv.join("bin/pip"))
        .args(["install", "-q", "--disable-pip-version-check"])
        .arg(format!("{package}=={version}"))
        .status();
    if !pip.is_ok_and(|s| s.success()) {
        unavailable(&format!("pip could not install {package}=={version}"));
    }
}
