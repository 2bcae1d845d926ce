//! A finding: one problem at one place, as every output format reports it.

use crate::source::Span;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary location that explains the finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// One line, no trailing period: what is wrong and what the server or browser does.
    pub message: String,
    /// Why: the mechanism, version caveats or the simulated call behind the headline.
    pub note: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
    /// The exact bytes at fault.
    pub span: Span,
    /// Short label drawn under the span.
    pub label: String,
    pub related: Vec<Related>,
    /// Edits that resolve it, if the rule offers them.
    pub fix: Option<Fix>,
}

/// A rule's proposed edit of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// Imperative, e.g. "add `always`".
    pub description: String,
    pub edits: Vec<crate::source::Edit>,
    /// Applied by `--fix`; otherwise only with `--unsafe-fixes` (it changes behaviour).
    pub safe: bool,
}

/// Where the project lives; every format links a rule's page under it.
pub const REPOSITORY: &str = "https://github.com/cors-lint/cors-lint";

/// The documentation page of a rule, as every output format links it.
pub fn rule_url(code: &str) -> String {
    format!("{REPOSITORY}/blob/main/docs/rules/{code}.md")
}

impl Finding {
    /// `Some(true)` for a safe fix, `Some(false)` for one `--unsafe-fixes` applies.
    pub fn fix_safety(&self) -> Option<bool> {
        self.fix.as_ref().map(|f| f.safe)
    }
}

/// Quote a value for a one-line message, in backticks (see [`escape_controls`]).
pub fn quote(s: &str) -> String {
    format!("`{}`", escape_controls(s))
}

/// Control characters as escapes, so text from a config file never spans lines or drives
/// the terminal when it is part of a message.
pub fn escape_controls(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_controls() {
        assert_eq!(quote("a\r\nb\u{1b}"), "`a\\r\\nb\\u{1b}`");
    }
}
