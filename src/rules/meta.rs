//! Rule metadata, docs and examples: one `rules/<CODE>.toml` per rule, compiled in.

use crate::finding::Severity;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    /// Upper-case family prefix plus three digits; never reused.
    pub code: String,
    /// kebab-case.
    pub name: String,
    pub severity: Severity,
    /// In the default set (what runs without `select`); opt-in rules say `default = false`.
    #[serde(default = "yes")]
    pub default: bool,
    /// Reported on its first occurrence in a run only: the cause is outside any one file
    /// (a retired controller), so one finding says it.
    #[serde(default)]
    pub once_per_run: bool,
    /// One line, shown in `cors-lint rule --all`.
    pub summary: String,
    pub fix: FixKind,
    /// SRE failure modes (`F1`…`F7`) or misconfiguration-catalogue classes (`A.8#n`) prevented.
    pub prevents: Vec<String>,
    /// Dialects the examples cover.
    pub dialects: Vec<String>,
    pub docs: Docs,
    #[serde(default)]
    pub examples: Vec<Example>,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FixKind {
    None,
    Safe,
    Unsafe,
}

impl FixKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FixKind::None => "none",
            FixKind::Safe => "safe",
            FixKind::Unsafe => "unsafe",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Docs {
    pub what: String,
    pub why: String,
    pub fix: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExampleKind {
    Bad,
    Good,
}

/// An executable example: a bad one must produce exactly this rule's code at the span
/// marked `«…»`; a good one must produce nothing (other codes only if listed in `also`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub kind: ExampleKind,
    pub dialect: String,
    /// File name the example is linted as (default: the dialect's usual name).
    pub file: Option<String>,
    /// Command-line flags the example runs with, e.g. `["--ts-disable-token-auth"]`.
    #[serde(default)]
    pub flags: Vec<String>,
    /// Other codes this example is allowed (and expected) to produce.
    #[serde(default)]
    pub also: Vec<String>,
    /// One sentence shown above the example in the docs.
    pub note: Option<String>,
    pub source: String,
    /// The source after applying the finding's fix (bad examples of rules with a fix).
    pub fixed: Option<String>,
    /// A `cors-lint.toml` the example is linted under.
    pub config: Option<String>,
}

pub const MARK_OPEN: char = '«';
pub const MARK_CLOSE: char = '»';

impl Example {
    /// The source without markers, and the byte span the markers enclosed.
    pub fn unmarked(&self) -> (String, Option<(usize, usize)>) {
        let mut text = String::with_capacity(self.source.len());
        let (mut open, mut close) = (None, None);
        for c in self.source.chars() {
            match c {
                MARK_OPEN => open = Some(text.len()),
                MARK_CLOSE => close = Some(text.len()),
                c => text.push(c),
            }
        }
        (text, open.zip(close))
    }

    pub fn file_name(&self) -> &str {
        self.file.as_deref().unwrap_or(match self.dialect.as_str() {
            "torchserve" => "config.properties",
            "nginx" => "nginx.conf",
            "ingress-nginx" => "ingress.yaml",
            "gateway-api" => "httproute.yaml",
            "istio" => "virtualservice.yaml",
            "envoy-gateway" => "securitypolicy.yaml",
            "traefik" => "dynamic.yml",
            "kong" => "kong.yaml",
            _ => "example",
        })
    }
}

impl RuleMeta {
    /// Parse a rule's TOML; the file is part of the build, so an error is a bug caught by
    /// `tests/registry.rs`.
    pub fn parse(file: &str, text: &str) -> RuleMeta {
        match toml::from_str(text) {
            Ok(m) => m,
            Err(e) => panic!("rules/{file}.toml: {e}"),
        }
    }
}
