//! Which `cors-lint.toml` governs each document, found as `cors-lint check` finds it (the
//! closest one above the file, not above the repository root) and turned into settings the
//! same way (`check::project`), read from the editor's buffer when the file is open. A
//! configuration with mistakes governs nothing: its files are linted with the built-in
//! defaults, and the mistakes are the configuration file's own diagnostics.

use crate::cli::CheckArgs;
use crate::config::{self, Config, ConfigError};
use crate::lint::Settings;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

/// The command line the server lints with: none (every setting comes from the files).
static ARGS: LazyLock<CheckArgs> = LazyLock::new(CheckArgs::default);

/// A configuration (or none) and the settings it gives.
pub struct Governed {
    pub config: Option<Config>,
    pub settings: Settings,
}

#[derive(Default)]
pub struct Configs {
    /// Directory → the configuration file discovered for it.
    by_dir: HashMap<PathBuf, Option<PathBuf>>,
    /// Configuration file → what reading it gave.
    loaded: HashMap<PathBuf, Result<Arc<Governed>, Arc<ConfigError>>>,
    /// Open configuration files: the editor's text wins over the disk's.
    buffers: HashMap<PathBuf, String>,
    defaults: Option<Arc<Governed>>,
}

impl Configs {
    /// Forget everything read (a configuration file changed, appeared or went away).
    pub fn reload(&mut self) {
        self.by_dir.clear();
        self.loaded.clear();
    }

    /// The editor's text of an open configuration file (`None`: it was closed).
    pub fn set_buffer(&mut self, path: &Path, text: Option<String>) {
        match text {
            Some(t) => self.buffers.insert(path.to_path_buf(), t),
            None => self.buffers.remove(path),
        };
        self.reload();
    }

    /// The built-in defaults.
    pub fn defaults(&mut self) -> Arc<Governed> {
        self.defaults
            .get_or_insert_with(|| {
                Arc::new(Governed {
                    config: None,
                    settings: crate::cli::check::project::settings(&ARGS, None)
                        .expect("the built-in defaults are valid"),
                })
            })
            .clone()
    }

    /// The configuration file governing a file at `path`, if any.
    pub fn file_for(&mut self, path: &Path) -> Option<PathBuf> {
        let dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();
        self.by_dir
            .entry(dir.clone())
            .or_insert_with(|| config::discover(&dir))
            .clone()
    }

    /// The settings for a file at `path` (`None`: a document with no file, the defaults).
    pub fn governing(&mut self, path: Option<&Path>) -> Arc<Governed> {
        let Some(file) = path.and_then(|p| self.file_for(p)) else {
            return self.defaults();
        };
        match self.load(&file) {
            Ok(g) => g,
            Err(_) => self.defaults(),
        }
    }

    /// Read (once) the configuration file at `file`.
    pub fn load(&mut self, file: &Path) -> Result<Arc<Governed>, Arc<ConfigError>> {
        if let Some(r) = self.loaded.get(file) {
            return r.clone();
        }
        let read = match self.buffers.get(file) {
            Some(text) => config::parse(file, text.clone().into_bytes()),
            None => config::load(file),
        };
        let governed = read.map_err(Arc::new).and_then(|c| {
            crate::cli::check::project::settings(&ARGS, Some(&c))
                .map(|settings| {
                    Arc::new(Governed {
                        config: Some(c),
                        settings,
                    })
                })
                .map_err(|message| {
                    Arc::new(ConfigError {
                        path: file.to_string_lossy().into_owned(),
                        bytes: std::fs::read(file).unwrap_or_default(),
                        span: Default::default(),
                        message,
                        also: Vec::new(),
                    })
                })
        });
        self.loaded.insert(file.to_path_buf(), governed.clone());
        governed
    }

    /// Every configuration file read so far, with its mistakes (empty when it has none).
    pub fn problems(&self) -> Vec<(PathBuf, Option<Arc<ConfigError>>)> {
        let mut out: Vec<(PathBuf, Option<Arc<ConfigError>>)> = self
            .loaded
            .iter()
            .map(|(p, r)| (p.clone(), r.as_ref().err().cloned()))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

/// Whether a path names a configuration file.
pub fn is_config(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == config::FILE_NAME)
}
