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
#[serde(rename_all = "kebab-case")]
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
    /// `exclude` as written, for `--show-settings`.
    pub exclude_patterns: Vec<String>,
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
    /// The file's other mistakes, after the first, in file order.
    pub also: Vec<(Span, String)>,
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

/// The top-level keys, for "did you mean" (the fields of `Raw`, kebab-case).
const KEYS: &[&str] = &[
    "select",
    "extend-select",
    "ignore",
    "severity",
    "fail-on",
    "assume-version",
    "per-file-ignores",
    "exclude",
    "dialects",
    "policy",
];

/// Read and check a configuration file; every mistake in it is reported, in file order.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let shown = path.to_string_lossy().into_owned();
    let bytes = std::fs::read(path).map_err(|e| ConfigError {
        path: shown.clone(),
        bytes: Vec::new(),
        span: Span::empty(0),
        message: format!("cannot read the configuration: {e}"),
        also: Vec::new(),
    })?;
    parse(path, bytes)
}

/// [`load`] of bytes read elsewhere (an editor's unsaved buffer) as the file at `path`.
pub fn parse(path: &Path, bytes: Vec<u8>) -> Result<Config, ConfigError> {
    let shown = path.to_string_lossy().into_owned();
    let file = SourceFile::new(shown, bytes, Encoding::Utf8);
    let fail = |mut problems: Vec<(Span, String)>| {
        problems.sort_by_key(|(s, _)| (s.start, s.end));
        let (span, message) = problems.remove(0);
        ConfigError {
            path: file.name().to_string(),
            bytes: file.bytes().to_vec(),
            span,
            message,
            also: problems,
        }
    };
    let text = std::str::from_utf8(file.bytes()).map_err(|e| {
        fail(vec![(
            Span::empty(e.valid_up_to()),
            "the file is not UTF-8".into(),
        )])
    })?;
    let mut problems = unknown_keys(text);
    let raw: Raw = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let span = e
                .span()
                .map_or(Span::empty(0), |r| Span::new(r.start, r.end));
            problems.push((span, e.message().trim().to_string()));
            return Err(fail(problems));
        }
    };
    let checked = check(&raw, &file, &mut problems);
    match checked {
        Some(c) if problems.is_empty() => Ok(Config {
            path: path.to_path_buf(),
            dir: absolute(path)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
            ..c
        }),
        _ => Err(fail(problems)),
    }
}

/// Keys no setting has, at their bytes, with the closest known key.
fn unknown_keys(text: &str) -> Vec<(Span, String)> {
    let Ok(table) = toml::de::DeTable::parse(text) else {
        return Vec::new(); // the parse error is reported by the deserializer
    };
    let mut out = Vec::new();
    let mut check = |key: &Spanned<toml::de::DeString>, known: &[&str], within: &str| {
        let name: &str = key.get_ref();
        if known.contains(&name) {
            return;
        }
        let hint = crate::spelling::closest(name, known.iter().copied(), 3)
            .map(|(_, k)| format!("; did you mean `{k}`?"))
            .unwrap_or_else(|| format!(" (known: {})", known.join(", ")));
        out.push((
            Span::new(key.span().start, key.span().end),
            format!("unknown key `{name}`{within}{hint}"),
        ));
    };
    for (key, value) in table.get_ref() {
        check(key, KEYS, "");
        if key.get_ref() == "policy"
            && let toml::de::DeValue::Table(t) = value.get_ref()
        {
            for k in t.keys() {
                check(k, policy::KEYS, " in [policy]");
            }
        }
    }
    out
}

/// A severity name, or the mistake.
fn severity_named(v: &Spanned<String>) -> Result<Severity, String> {
    Severity::parse(v.get_ref()).ok_or_else(|| {
        let hint = crate::spelling::closest(v.get_ref(), ["error", "warning", "info"], 2)
            .map(|(_, k)| format!("; did you mean \"{k}\"?"))
            .unwrap_or_default();
        format!(
            "`{}`: expected \"error\", \"warning\" or \"info\"{hint}",
            v.get_ref()
        )
    })
}

/// Every value of `raw` checked; mistakes go to `problems` (the result is then not used).
fn check(raw: &Raw, file: &SourceFile, problems: &mut Vec<(Span, String)>) -> Option<Config> {
    let span_of = |s: &Spanned<String>| Span::new(s.span().start, s.span().end);
    let selectors = |list: &Option<Vec<Spanned<String>>>, problems: &mut Vec<(Span, String)>| {
        let mut out = Vec::new();
        for s in list.iter().flatten() {
            match Selection::new(std::slice::from_ref(s.get_ref()), &[], &[]) {
                Ok(_) => out.push(s.get_ref().trim().to_ascii_uppercase()),
                Err(e) => problems.push((span_of(s), e)),
            }
        }
        out
    };
    let select = raw
        .select
        .as_ref()
        .map(|_| selectors(&raw.select, problems));
    let extend_select = selectors(&raw.extend_select, problems);
    let ignore = selectors(&raw.ignore, problems);
    let glob =
        |s: &Spanned<String>, problems: &mut Vec<(Span, String)>| match Glob::new(s.get_ref()) {
            Ok(g) => Some(g),
            Err(e) => {
                problems.push((span_of(s), format!("not a glob: {e}")));
                None
            }
        };
    let mut severity = Vec::new();
    for (code, level) in raw.severity.iter().flatten() {
        if let Err(e) = Selection::new(std::slice::from_ref(code.get_ref()), &[], &[]) {
            problems.push((span_of(code), e));
        }
        match severity_named(level) {
            Ok(s) => severity.push((code.get_ref().to_ascii_uppercase(), s)),
            Err(e) => problems.push((span_of(level), e)),
        }
    }
    let fail_on = raw.fail_on.as_ref().and_then(|v| {
        severity_named(v)
            .map_err(|e| problems.push((span_of(v), e)))
            .ok()
    });
    let mut assume_version = Vec::new();
    for (dialect, version) in raw.assume_version.iter().flatten() {
        let pair = format!("{}={}", dialect.get_ref(), version.get_ref());
        // The same checks as the command-line flag, each at its own bytes.
        let args = crate::cli::ServerArgs {
            assume_version: vec![pair.clone()],
            ..Default::default()
        };
        match crate::cli::build_options(&args) {
            Ok(_) => assume_version.push(pair),
            Err(e) => {
                let at = if e.contains("models no versions") {
                    span_of(dialect)
                } else {
                    span_of(version)
                };
                problems.push((at, e.replace("--assume-version ", "")));
            }
        }
    }
    let mut per_file_ignores = Vec::new();
    for (pattern, codes) in raw.per_file_ignores.iter().flatten() {
        let codes = selectors(&Some(codes.clone()), problems);
        if let Some(g) = glob(pattern, problems) {
            per_file_ignores.push((g.compile_matcher(), codes));
        }
    }
    let mut exclude = GlobSetBuilder::new();
    for pattern in raw.exclude.iter().flatten() {
        if let Some(g) = glob(pattern, problems) {
            exclude.add(g);
        }
    }
    let exclude = exclude
        .build()
        .map_err(|e| problems.push((Span::empty(0), format!("exclude: {e}"))))
        .ok();
    let mut dialects = Vec::new();
    for (pattern, name) in raw.dialects.iter().flatten() {
        let g = glob(pattern, problems);
        match Dialect::from_name(name.get_ref()) {
            Some(d) => dialects.extend(g.map(|g| (g.compile_matcher(), d))),
            None => problems.push((span_of(name), no_dialect(name.get_ref()))),
        }
    }
    let policy = raw.policy.as_ref().and_then(|p| {
        let at = |offset: usize| format!("{}:{}", file.name(), file.position(offset).line);
        policy::OrgPolicy::from_raw(p, &at)
            .map_err(|e| problems.extend(e))
            .ok()
    });
    Some(Config {
        path: PathBuf::new(),
        dir: PathBuf::new(),
        select,
        extend_select,
        ignore,
        severity,
        fail_on,
        assume_version,
        per_file_ignores,
        exclude: exclude?,
        exclude_patterns: raw
            .exclude
            .iter()
            .flatten()
            .map(|p| p.get_ref().clone())
            .collect(),
        dialects,
        policy,
    })
}

fn no_dialect(name: &str) -> String {
    let known: Vec<&str> = crate::frontend::DIALECTS.iter().map(|d| d.name()).collect();
    match crate::spelling::closest(name, known.iter().copied(), 3) {
        Some((_, k)) => format!("`{name}` is no dialect; did you mean `{k}`?"),
        None => format!("`{name}` is no dialect (known: {})", known.join(", ")),
    }
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
        assert!(message.contains("did you mean `select`"), "{message}");
    }

    #[test]
    fn every_mistake_is_reported_in_file_order_with_the_closest_name() {
        let e = load_text(
            "fail-on = \"eror\"\nselct = [\"CORS\"]\nignore = [\"CORS0155\", \"CORS015\"]\n\
             [dialects]\n\"*.x\" = \"ngnix\"\n[policy]\nmax-age-limit = -1\ntrusted-origin = []\n",
        )
        .expect_err("should fail");
        let text = String::from_utf8(e.bytes.clone()).unwrap();
        let all: Vec<(&str, &str)> = std::iter::once((e.span, e.message.as_str()))
            .chain(e.also.iter().map(|(s, m)| (*s, m.as_str())))
            .map(|(s, m)| (&text[s.range()], m))
            .collect();
        let at: Vec<&str> = all.iter().map(|(a, _)| *a).collect();
        assert_eq!(
            at,
            [
                "\"eror\"",
                "selct",
                "\"CORS0155\"",
                "\"ngnix\"",
                "-1",
                "trusted-origin"
            ]
        );
        assert!(all[0].1.contains("did you mean \"error\""), "{all:?}");
        assert!(all[1].1.contains("did you mean `select`"), "{all:?}");
        assert!(all[3].1.contains("did you mean `nginx`"), "{all:?}");
        assert!(
            all[5].1.contains("did you mean `trusted-origins`"),
            "{all:?}"
        );
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
