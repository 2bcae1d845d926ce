//! `cors-lint.toml`: project settings, found like ruff finds its configuration — the closest
//! file from each linted file upward, stopping at the repository root — or given with
//! `--config`. Every value is checked when the file is read; a mistake is reported at its
//! bytes (toml spans), and the run exits 2 without linting anything.

pub mod policy;

use crate::finding::Severity;
use crate::frontend::Dialect;
use crate::selection::Selection;
use crate::source::{Encoding, SourceFile, Span};
use globset::{Glob, GlobMatcher, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const FILE_NAME: &str = "cors-lint.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    select: Option<Vec<Spanned<String>>>,
    extend_select: Option<Vec<Spanned<String>>>,
    ignore: Option<Vec<Spanned<String>>>,
    severity: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    fail_on: Option<Spanned<String>>,
    assume_version: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    per_file_ignores: Option<BTreeMap<Spanned<String>, Vec<Spanned<String>>>>,
    exclude: Option<Vec<Spanned<String>>>,
    dialects: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    policy: Option<policy::RawPolicy>,
}

/// A read and checked configuration file.
#[derive(Clone, Debug)]
pub struct Config {
    pub path: PathBuf,
    /// Globs and paths are relative to this directory (the file's own).
    pub dir: PathBuf,
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    /// `[severity]`: selector and the severity findings of matching codes get.
    pub severity: Vec<(String, Severity)>,
    /// `fail-on`: the lowest severity that fails the run.
    pub fail_on: Option<Severity>,
    /// `[assume-version]` as `DIALECT=VERSION`, like the command-line flag.
    pub assume_version: Vec<String>,
    pub per_file_ignores: Vec<(GlobMatcher, Vec<String>)>,
    pub exclude: GlobSet,
    pub dialects: Vec<(GlobMatcher, Dialect)>,
    pub policy: Option<policy::OrgPolicy>,
}

/// A mistake in a configuration file, at its bytes.
#[derive(Debug)]
pub struct ConfigError {
    pub path: String,
    pub bytes: Vec<u8>,
    pub span: Span,
    pub message: String,
}

impl ConfigError {
    /// The configuration file, to show the error in.
    pub fn source(&self) -> SourceFile {
        SourceFile::new(self.path.clone(), self.bytes.clone(), Encoding::Utf8)
    }
}

impl Config {
    /// The file's path relative to the configuration's directory, with `/` separators, for
    /// glob matching (`None` outside the directory).
    pub fn relative(&self, path: &Path) -> Option<String> {
        let abs = absolute(path);
        abs.strip_prefix(&self.dir)
            .ok()
            .map(|r| r.to_string_lossy().replace('\\', "/"))
    }

    pub fn excludes(&self, path: &Path) -> bool {
        self.relative(path)
            .is_some_and(|r| self.exclude.is_match(&r))
    }

    /// The dialect `[dialects]` assigns to `path`, if any (the first matching glob).
    pub fn dialect_for(&self, path: &Path) -> Option<Dialect> {
        let r = self.relative(path)?;
        self.dialects
            .iter()
            .find(|(g, _)| g.is_match(&r))
            .map(|(_, d)| *d)
    }

    /// Selectors `per-file-ignores` switches off for `path`.
    pub fn ignored_for(&self, path: &Path) -> Vec<String> {
        let Some(r) = self.relative(path) else {
            return Vec::new();
        };
        self.per_file_ignores
            .iter()
            .filter(|(g, _)| g.is_match(&r))
            .flat_map(|(_, codes)| codes.iter().cloned())
            .collect()
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    })
}

/// The closest `cors-lint.toml` in `dir` or above it, not above the repository root (the
/// first directory holding `.git`).
pub fn discover(dir: &Path) -> Option<PathBuf> {
    let mut at = Some(absolute(dir));
    while let Some(d) = at {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if d.join(".git").exists() {
            return None;
        }
        at = d.parent().map(Path::to_path_buf);
    }
    None
}

/// Read and check a configuration file.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let shown = path.to_string_lossy().into_owned();
    let bytes = std::fs::read(path).map_err(|e| ConfigError {
        path: shown.clone(),
        bytes: Vec::new(),
        span: Span::empty(0),
        message: format!("cannot read the configuration: {e}"),
    })?;
    let file = SourceFile::new(shown, bytes, Encoding::Utf8);
    let fail = |span: Span, message: String| ConfigError {
        path: file.name().to_string(),
        bytes: file.bytes().to_vec(),
        span,
        message,
    };
    let text = std::str::from_utf8(file.bytes())
        .map_err(|e| fail(Span::empty(e.valid_up_to()), "the file is not UTF-8".into()))?;
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let span = e
            .span()
            .map_or(Span::empty(0), |r| Span::new(r.start, r.end));
        fail(span, e.message().trim().to_string())
    })?;
    let dir = absolute(path)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let span_of = |s: &Spanned<String>| Span::new(s.span().start, s.span().end);
    let selectors = |list: &Option<Vec<Spanned<String>>>| -> Result<Vec<String>, ConfigError> {
        let mut out = Vec::new();
        for s in list.iter().flatten() {
            Selection::new(std::slice::from_ref(s.get_ref()), &[], &[])
                .map_err(|e| fail(span_of(s), e))?;
            out.push(s.get_ref().trim().to_ascii_uppercase());
        }
        Ok(out)
    };
    let glob = |s: &Spanned<String>| -> Result<GlobMatcher, ConfigError> {
        Glob::new(s.get_ref())
            .map(|g| g.compile_matcher())
            .map_err(|e| fail(span_of(s), format!("not a glob: {e}")))
    };
    let mut severity = Vec::new();
    for (code, level) in raw.severity.iter().flatten() {
        Selection::new(std::slice::from_ref(code.get_ref()), &[], &[])
            .map_err(|e| fail(span_of(code), e))?;
        let s = Severity::parse(level.get_ref()).ok_or_else(|| {
            fail(
                span_of(level),
                format!(
                    "`{}`: expected \"error\", \"warning\" or \"info\"",
                    level.get_ref()
                ),
            )
        })?;
        severity.push((code.get_ref().to_ascii_uppercase(), s));
    }
    let fail_on = match &raw.fail_on {
        None => None,
        Some(v) => Some(Severity::parse(v.get_ref()).ok_or_else(|| {
            fail(
                span_of(v),
                format!(
                    "`{}`: expected \"error\", \"warning\" or \"info\"",
                    v.get_ref()
                ),
            )
        })?),
    };
    let mut assume_version = Vec::new();
    for (dialect, version) in raw.assume_version.iter().flatten() {
        let pair = format!("{}={}", dialect.get_ref(), version.get_ref());
        // The same checks as the command-line flag, each at its own bytes.
        let args = crate::cli::ServerArgs {
            assume_version: vec![pair.clone()],
            ..Default::default()
        };
        if let Err(e) = crate::cli::build_options(&args) {
            let at = if e.contains("models no versions") {
                span_of(dialect)
            } else {
                span_of(version)
            };
            return Err(fail(at, e.replace("--assume-version ", "")));
        }
        assume_version.push(pair);
    }
    let mut per_file_ignores = Vec::new();
    for (pattern, codes) in raw.per_file_ignores.iter().flatten() {
        per_file_ignores.push((glob(pattern)?, selectors(&Some(codes.clone()))?));
    }
    let mut exclude = GlobSetBuilder::new();
    for pattern in raw.exclude.iter().flatten() {
        exclude.add(
            Glob::new(pattern.get_ref())
                .map_err(|e| fail(span_of(pattern), format!("not a glob: {e}")))?,
        );
    }
    let exclude = exclude
        .build()
        .map_err(|e| fail(Span::empty(0), format!("exclude: {e}")))?;
    let mut dialects = Vec::new();
    for (pattern, name) in raw.dialects.iter().flatten() {
        let d = Dialect::from_name(name.get_ref()).ok_or_else(|| {
            let known: Vec<&str> = crate::frontend::DIALECTS.iter().map(|d| d.name()).collect();
            fail(
                span_of(name),
                format!(
                    "`{}` is no dialect (known: {})",
                    name.get_ref(),
                    known.join(", ")
                ),
            )
        })?;
        dialects.push((glob(pattern)?, d));
    }
    let policy = match &raw.policy {
        None => None,
        Some(p) => {
            let at = |offset: usize| format!("{}:{}", file.name(), file.position(offset).line);
            Some(policy::OrgPolicy::from_raw(p, &at).map_err(|(span, m)| fail(span, m))?)
        }
    };
    Ok(Config {
        path: path.to_path_buf(),
        dir,
        select: raw
            .select
            .as_ref()
            .map(|_| selectors(&raw.select))
            .transpose()?,
        extend_select: selectors(&raw.extend_select)?,
        ignore: selectors(&raw.ignore)?,
        severity,
        fail_on,
        assume_version,
        per_file_ignores,
        exclude,
        dialects,
        policy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Result<Config, ConfigError> {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join(FILE_NAME);
        std::fs::write(&p, text).unwrap();
        load(&p)
    }

    fn error_at(text: &str) -> (String, String) {
        let e = load_text(text).expect_err("should fail");
        (text[e.span.range()].to_string(), e.message)
    }

    #[test]
    fn reads_every_setting() {
        let c = load_text(
            "select = [\"CORS\", \"TS\"]\nextend-select = [\"INGX\"]\nignore = [\"CORS011\"]\nfail-on = \"error\"\n\
             exclude = [\"vendor/**\"]\n[severity]\nCORS002 = \"info\"\n[assume-version]\nnginx = \"1.22\"\n\
             [per-file-ignores]\n\"legacy/*.conf\" = [\"CORS015\"]\n[dialects]\n\"deploy/**/*.txt\" = \"nginx\"\n",
        )
        .unwrap();
        assert_eq!(c.select, Some(vec!["CORS".to_string(), "TS".to_string()]));
        assert_eq!(c.extend_select, vec!["INGX"]);
        assert_eq!(c.severity, vec![("CORS002".to_string(), Severity::Info)]);
        assert_eq!(c.fail_on, Some(Severity::Error));
        assert_eq!(c.assume_version, vec!["nginx=1.22"]);
        assert!(c.exclude.is_match("vendor/a/b.conf"));
        assert!(c.dialects[0].0.is_match("deploy/x/y.txt"));
    }

    #[test]
    fn mistakes_are_reported_at_their_bytes() {
        assert_eq!(error_at("select = [\"CORZ\"]\n").0, "\"CORZ\"");
        assert_eq!(error_at("[severity]\nCORS002 = \"loud\"\n").0, "\"loud\"");
        assert_eq!(
            error_at("[dialects]\n\"*.x\" = \"apache\"\n").0,
            "\"apache\""
        );
        assert_eq!(error_at("[assume-version]\nnginx = \"one\"\n").0, "\"one\"");
        assert_eq!(error_at("[assume-version]\napache = \"2.4\"\n").0, "apache");
        assert_eq!(error_at("exclude = [\"a[\"]\n").0, "\"a[\"");
        let (at, message) = error_at("selct = [\"CORS\"]\n");
        assert_eq!(at, "selct");
        assert!(message.contains("unknown field"), "{message}");
    }

    #[test]
    fn discovery_stops_at_the_repository_root() {
        let d = tempfile::tempdir().unwrap();
        let repo = d.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("a/b")).unwrap();
        std::fs::write(d.path().join(FILE_NAME), "").unwrap();
        assert_eq!(discover(&repo.join("a/b")), None);
        std::fs::write(repo.join("a").join(FILE_NAME), "").unwrap();
        assert_eq!(
            discover(&repo.join("a/b")),
            Some(absolute(&repo.join("a").join(FILE_NAME)))
        );
    }
}
