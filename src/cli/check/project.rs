//! Which configuration governs each linted file: `--isolated` (none), `--config PATH` (that
//! one), or the closest `cors-lint.toml` above the file. Each configuration is read once
//! and turned into the settings its files are linted with; command-line options win over it.

use super::{FailOn, build_options};
use crate::cli::CheckArgs;
use crate::config::{self, Config, ConfigError};
use crate::finding::Severity;
use crate::lint::Settings;
use crate::selection::Selection;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A configuration (or none) and the settings it gives.
pub struct Governed {
    pub config: Option<Config>,
    pub settings: Settings,
}

pub struct Project<'a> {
    args: &'a CheckArgs,
    by_dir: HashMap<PathBuf, Option<PathBuf>>,
    loaded: HashMap<PathBuf, Arc<Governed>>,
    none: Arc<Governed>,
}

/// Why the run cannot start: a usage error, or a mistake in a configuration file.
pub enum SetupError {
    Usage(String),
    Config(ConfigError),
}

impl<'a> Project<'a> {
    pub fn new(args: &'a CheckArgs) -> Result<Project<'a>, SetupError> {
        let none = Arc::new(Governed {
            settings: settings(args, None).map_err(SetupError::Usage)?,
            config: None,
        });
        Ok(Project {
            args,
            by_dir: HashMap::new(),
            loaded: HashMap::new(),
            none,
        })
    }

    /// The configuration governing `path` (a file, or the directory the run starts in).
    pub fn governing(&mut self, path: &Path) -> Result<Arc<Governed>, SetupError> {
        if self.args.isolated {
            return Ok(self.none.clone());
        }
        let file = match &self.args.config {
            Some(p) => Some(p.clone()),
            None => {
                let dir = if path.is_dir() {
                    path.to_path_buf()
                } else {
                    path.parent()
                        .filter(|p| !p.as_os_str().is_empty())
                        .unwrap_or(Path::new("."))
                        .to_path_buf()
                };
                self.by_dir
                    .entry(dir.clone())
                    .or_insert_with(|| config::discover(&dir))
                    .clone()
            }
        };
        let Some(file) = file else {
            return Ok(self.none.clone());
        };
        if let Some(g) = self.loaded.get(&file) {
            return Ok(g.clone());
        }
        let config = config::load(&file).map_err(SetupError::Config)?;
        let governed = Arc::new(Governed {
            settings: settings(self.args, Some(&config)).map_err(SetupError::Usage)?,
            config: Some(config),
        });
        self.loaded.insert(file, governed.clone());
        Ok(governed)
    }

    /// `--fail-on`, else `fail-on` of the configuration governing the current directory.
    pub fn fail_on(&mut self) -> Result<FailOn, SetupError> {
        if let Some(f) = self.args.fail_on {
            return Ok(f);
        }
        let here = self.governing(Path::new("."))?;
        Ok(match here.config.as_ref().and_then(|c| c.fail_on) {
            Some(Severity::Error) => FailOn::Error,
            Some(Severity::Info) => FailOn::Info,
            _ => FailOn::Warning,
        })
    }
}

/// `DIALECT=VERSION` pairs: the command line's, then the configuration's for other dialects.
pub fn assumed_versions(args: &CheckArgs, config: Option<&Config>) -> Vec<String> {
    let mut pairs = args.server.assume_version.clone();
    for pair in config.iter().flat_map(|c| &c.assume_version) {
        let dialect = pair.split_once('=').map_or("", |(d, _)| d);
        let on_command_line = args
            .server
            .assume_version
            .iter()
            .any(|p| p.split_once('=').map(|(d, _)| d) == Some(dialect));
        if !on_command_line {
            pairs.push(pair.clone());
        }
    }
    pairs
}

/// The settings of the command line on top of a configuration: `--select` replaces
/// `select`, `--ignore` and `--extend-select` add to theirs, `--assume-version` wins per
/// dialect, `--warn` wins over `[severity]`.
pub(crate) fn settings(args: &CheckArgs, config: Option<&Config>) -> Result<Settings, String> {
    let mut select = match (&args.select, config.and_then(|c| c.select.clone())) {
        (cli, _) if !cli.is_empty() => cli.clone(),
        (_, Some(from_file)) => from_file,
        _ => vec![crate::selection::DEFAULT.to_string()],
    };
    if let Some(c) = config {
        select.extend(c.extend_select.iter().cloned());
    }
    select.extend(args.extend_select.iter().cloned());
    let mut ignore = config.map(|c| c.ignore.clone()).unwrap_or_default();
    ignore.extend(args.ignore.iter().cloned());
    let mut server = args.server.clone();
    server.assume_version = assumed_versions(args, config);
    Ok(Settings {
        options: build_options(&server)?,
        selection: Selection::new(&select, &ignore, &args.warn)?
            .with_severity(config.map(|c| c.severity.clone()).unwrap_or_default())
            .with_min_severity(args.min_severity.map(super::severity_of)),
        org_policy: config.and_then(|c| c.policy.clone()).map(Arc::new),
    })
}
