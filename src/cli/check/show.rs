//! `--show-settings` and `--show-files`: what governs a path, and what a run would lint —
//! answered without linting anything else, as ruff answers them.

use super::project::{Governed, assumed_versions};
use crate::cli::CheckArgs;
use crate::config::Config;
use crate::rules::all_meta;
use std::fmt::Write as _;
use std::path::Path;

/// The settings governing `path`, in TOML-like lines a user can compare with their file.
pub fn settings(path: &Path, g: &Governed, args: &CheckArgs) -> String {
    let mut out = String::new();
    let from = match &g.config {
        Some(c) => c.path.display().to_string(),
        None => "none (built-in defaults)".to_string(),
    };
    let _ = writeln!(out, "# settings for {}", path.display());
    let _ = writeln!(out, "configuration = {}", quoted(&from));
    let selection = &g.settings.selection;
    let enabled: Vec<&str> = all_meta()
        .into_iter()
        .filter(|m| selection.enabled(&m.code))
        .map(|m| m.code.as_str())
        .collect();
    let _ = writeln!(out, "enabled-rules = {}", list(&enabled));
    let changed: Vec<String> = all_meta()
        .into_iter()
        .filter(|m| selection.enabled(&m.code))
        .filter_map(|m| {
            let s = selection.severity(&m.code, m.severity);
            (s != m.severity).then(|| format!("{} = \"{s}\"", m.code))
        })
        .collect();
    let _ = writeln!(out, "severity = {{ {} }}", changed.join(", "));
    let _ = writeln!(
        out,
        "min-severity = {}",
        quoted(selection.min_severity().map_or("info", |s| s.as_str()))
    );
    let versions: Vec<String> = assumed_versions(args, g.config.as_ref())
        .iter()
        .filter_map(|pair| pair.split_once('='))
        .map(|(d, v)| format!("{d} = \"{v}\""))
        .collect();
    let _ = writeln!(out, "assume-version = {{ {} }}", versions.join(", "));
    if let Some(c) = &g.config {
        config_lines(&mut out, path, c);
    }
    out
}

/// What only a configuration file sets: its globs, as they apply to `path`.
fn config_lines(out: &mut String, path: &Path, c: &Config) {
    let ignored = c.ignored_for(path);
    let ignored: Vec<&str> = ignored.iter().map(String::as_str).collect();
    let _ = writeln!(
        out,
        "per-file-ignores = {}  # matching this path",
        list(&ignored)
    );
    let exclude: Vec<&str> = c.exclude_patterns.iter().map(String::as_str).collect();
    let _ = writeln!(
        out,
        "exclude = {}{}",
        list(&exclude),
        if c.excludes(path) {
            "  # excludes this path when walked"
        } else {
            ""
        }
    );
    let dialects: Vec<String> = c
        .dialects
        .iter()
        .map(|(g, d)| format!("{} = \"{}\"", quoted(g.glob().glob()), d.name()))
        .collect();
    let _ = writeln!(out, "dialects = {{ {} }}", dialects.join(", "));
    if let Some(p) = &c.policy {
        let patterns = |l: &Option<
            crate::config::policy::Located<Vec<crate::config::policy::OriginPattern>>,
        >| {
            l.as_ref().map(|l| {
                let texts: Vec<&str> = l.value.iter().map(|p| p.text.as_str()).collect();
                list(&texts)
            })
        };
        let _ = writeln!(out, "[policy]");
        if let Some(t) = patterns(&p.trusted_origins) {
            let _ = writeln!(out, "trusted-origins = {t}");
        }
        if let Some(t) = patterns(&p.allow_credentials_for) {
            let _ = writeln!(out, "allow-credentials-for = {t}");
        }
        if let Some(m) = &p.max_age_limit {
            let _ = writeln!(out, "max-age-limit = {}", m.value);
        }
        if p.forbid_wildcard_origin.is_some() {
            let _ = writeln!(out, "forbid-wildcard-origin = true");
        }
        if p.require_https.is_some() {
            let _ = writeln!(out, "require-https = true");
        }
    }
}

fn quoted(s: &str) -> String {
    format!("{s:?}")
}

fn list(items: &[&str]) -> String {
    let inner: Vec<String> = items.iter().map(|s| quoted(s)).collect();
    format!("[{}]", inner.join(", "))
}
