//! From command-line paths to the files to lint.
//!
//! A file given explicitly is always offered to the front ends; a directory is walked with
//! the `ignore` crate (`.gitignore`, hidden files and symlink loops handled like ripgrep, or
//! everything but `.git` with `--no-ignore`), and only files a front end might read are
//! offered. Output order is sorted, whatever the walk.

use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct Candidate {
    pub path: PathBuf,
    /// The path as given, or as reached by walking from it.
    pub shown: String,
    pub explicit: bool,
    /// The walk itself failed here (unreadable directory, symlink loop).
    pub error: Option<String>,
}

/// Names a front end may read when met during a walk.
pub fn worth_offering(path: &Path) -> bool {
    path.extension().is_some_and(|e| {
        e == "properties" || e == "conf" || e == "nginx" || e == "yaml" || e == "yml" || e == "toml"
    })
}

pub fn expand(paths: &[PathBuf]) -> Vec<Candidate> {
    expand_with(paths, false)
}

/// [`expand`]; with `no_ignore`, directories are walked whole — hidden files and whatever
/// `.gitignore`, `.ignore` or git's excludes name — except `.git` directories.
pub fn expand_with(paths: &[PathBuf], no_ignore: bool) -> Vec<Candidate> {
    expand_offering(paths, no_ignore, &mut |_| false)
}

/// [`expand_with`], also offering walked files `also` accepts (a `[dialects]` glob of the
/// configuration names them).
pub fn expand_offering(
    paths: &[PathBuf],
    no_ignore: bool,
    also: &mut dyn FnMut(&Path) -> bool,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    for root in paths {
        let shown_root = root.to_string_lossy().into_owned();
        if !root.is_dir() {
            out.push(Candidate {
                path: root.clone(),
                shown: shown_root,
                explicit: true,
                error: None,
            });
            continue;
        }
        let mut walk = ignore::WalkBuilder::new(root);
        if no_ignore {
            walk.standard_filters(false)
                .filter_entry(|e| e.depth() == 0 || e.file_name() != ".git");
        }
        for entry in walk.build() {
            match entry {
                Ok(e) => {
                    if e.file_type().is_some_and(|t| t.is_file())
                        && (worth_offering(e.path()) || also(e.path()))
                    {
                        out.push(Candidate {
                            shown: e.path().to_string_lossy().into_owned(),
                            path: e.into_path(),
                            explicit: false,
                            error: None,
                        });
                    }
                }
                Err(err) => out.push(Candidate {
                    path: root.clone(),
                    shown: walk_error_path(&err).unwrap_or_else(|| shown_root.clone()),
                    explicit: false,
                    error: Some(err.to_string()),
                }),
            }
        }
    }
    out.sort_by(|a, b| a.shown.cmp(&b.shown));
    out.dedup_by(|a, b| a.shown == b.shown);
    out
}

fn walk_error_path(err: &ignore::Error) -> Option<String> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.to_string_lossy().into_owned()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.to_string_lossy().into_owned()),
        _ => None,
    }
}
