//! Sets `CORS_LINT_VERSION` for `--version`: the package version, followed by the short hash
//! of the commit it was built from — `0.1.0 (a3b5a1e)` — when this directory is the top of a
//! git work tree and git runs. Anything else (no git, a crate tarball, a tarball unpacked
//! inside some other repository) gives the bare version; the build never fails for it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let top = git(&dir, &["rev-parse", "--show-toplevel"]).map(PathBuf::from);
    let ours = match (top.and_then(|t| t.canonicalize().ok()), dir.canonicalize()) {
        (Some(top), Ok(dir)) => top == dir,
        _ => false,
    };
    let hash = if ours {
        git(&dir, &["rev-parse", "--short", "HEAD"])
    } else {
        None
    };
    if ours {
        // Rebuild when HEAD moves: HEAD itself, the branch it names, and packed refs.
        let mut watch = vec!["HEAD".to_string(), "packed-refs".to_string()];
        if let Some(branch) = git(&dir, &["symbolic-ref", "-q", "HEAD"]) {
            watch.push(branch);
        }
        for name in watch {
            if let Some(path) = git(&dir, &["rev-parse", "--git-path", &name]) {
                let path = dir.join(path);
                if path.exists() {
                    println!("cargo:rerun-if-changed={}", path.display());
                }
            }
        }
    }
    match hash {
        Some(h) => println!("cargo:rustc-env=CORS_LINT_VERSION={version} ({h})"),
        None => println!("cargo:rustc-env=CORS_LINT_VERSION={version}"),
    }
}
