//! The workspace folders, and the objects their files define and use (Traefik middlewares
//! and routers, Kong plugins and the annotations naming them, Gateway API routes and the
//! policies targeting them), so that a document's cross-file findings (TFK001, KONG001,
//! EG001) are the ones `cors-lint check` gives on the whole folder: the files on disk are
//! read when the folder is added and again when the client says one changed; an open
//! document counts with its editor text instead of its file.

use super::config::Configs;
use crate::finding::Finding;
use crate::frontend::Objects;
use crate::lint::{FileReport, Outcome, Settings};
use rayon::prelude::*;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// A folder with more files to offer than this is read only this far.
const MAX_FILES: usize = 20_000;

#[derive(Default)]
pub struct Workspace {
    pub folders: Vec<PathBuf>,
    /// Files on disk in the folders whose objects are not empty: shown name and objects.
    disk: HashMap<PathBuf, (String, Objects)>,
}

impl Workspace {
    /// The folder holding `path` (the innermost).
    pub fn folder_of(&self, path: &Path) -> Option<&Path> {
        self.folders
            .iter()
            .filter(|f| path.starts_with(f))
            .max_by_key(|f| f.components().count())
            .map(PathBuf::as_path)
    }

    /// How messages name a file: relative to its folder, else as it is.
    pub fn shown(&self, path: &Path) -> String {
        match self.folder_of(path).and_then(|f| path.strip_prefix(f).ok()) {
            Some(rel) if !rel.as_os_str().is_empty() => rel.to_string_lossy().into_owned(),
            _ => path.to_string_lossy().into_owned(),
        }
    }

    /// Read every folder's files again.
    pub fn scan(&mut self, configs: &mut Configs) {
        self.disk.clear();
        let folders = self.folders.clone();
        for folder in &folders {
            let mut named = |p: &Path| {
                configs
                    .governing(Some(p))
                    .config
                    .as_ref()
                    .is_some_and(|c| c.dialect_for(p).is_some())
            };
            let candidates =
                crate::walk::expand_offering(std::slice::from_ref(folder), false, &mut named);
            let jobs: Vec<(PathBuf, _)> = candidates
                .into_iter()
                .filter(|c| c.error.is_none())
                .take(MAX_FILES)
                .map(|c| {
                    let g = configs.governing(Some(&c.path));
                    (c.path, g)
                })
                .filter(|(p, g)| !g.config.as_ref().is_some_and(|c| c.excludes(p)))
                .collect();
            let found: Vec<(PathBuf, String, Objects)> = jobs
                .par_iter()
                .filter_map(|(path, g)| {
                    let shown = self.shown(path);
                    let objects = objects_of(path, &g.settings, g.config.as_ref())?;
                    Some((path.clone(), shown, objects))
                })
                .collect();
            for (path, shown, objects) in found {
                self.disk.insert(path, (shown, objects));
            }
        }
    }

    /// Read one file again (changed, created or deleted on disk).
    pub fn refresh(&mut self, path: &Path, configs: &mut Configs) {
        self.disk.remove(path);
        if self.folder_of(path).is_none() || !path.is_file() {
            return;
        }
        let g = configs.governing(Some(path));
        let cfg = g.config.as_ref();
        let offered =
            crate::walk::worth_offering(path) || cfg.is_some_and(|c| c.dialect_for(path).is_some());
        if !offered || cfg.is_some_and(|c| c.excludes(path)) {
            return;
        }
        let shown = self.shown(path);
        if let Some(objects) = objects_of(path, &g.settings, cfg) {
            self.disk.insert(path.to_path_buf(), (shown, objects));
        }
    }

    /// The disk files' objects, but for the files in `open` (their editor text counts).
    pub fn disk_objects<'a>(&'a self, open: &'a [PathBuf]) -> Vec<(&'a str, &'a Objects)> {
        self.disk
            .iter()
            .filter(|(p, _)| !open.contains(p))
            .map(|(_, (shown, o))| (shown.as_str(), o))
            .collect()
    }
}

/// What a file on disk defines and uses (`None`: nothing, or it could not be linted).
fn objects_of(
    path: &Path,
    settings: &Settings,
    config: Option<&crate::config::Config>,
) -> Option<Objects> {
    let dialect = config.and_then(|c| c.dialect_for(path));
    let r = catch_unwind(AssertUnwindSafe(|| {
        // Named by its full path, as nginx resolves `include`s from it.
        crate::lint::lint_path_as(path, path.to_string_lossy().into_owned(), settings, dialect)
    }))
    .ok()?;
    (!r.objects.is_empty()).then_some(r.objects)
}

/// A document's findings with the objects of `others` (files and other documents)
/// resolved against its own, as `check` resolves the files of a run; `shown` names the
/// document in what other files' findings say.
pub fn resolve(
    own: &FileReport,
    shown: &str,
    others: &[(&str, &Objects)],
    settings: &Settings,
) -> Vec<Finding> {
    if own.objects.is_empty() {
        return own.findings.clone();
    }
    let mut copy = FileReport {
        path: shown.to_string(),
        source: None,
        findings: own.findings.clone(),
        outcome: Outcome::Failed,
        included: Vec::new(),
        objects: own.objects.clone(),
        suppressions: own.suppressions.clone(),
    };
    crate::cli::check::crossref::resolve(&mut [&mut copy], others, settings);
    copy.findings
}
