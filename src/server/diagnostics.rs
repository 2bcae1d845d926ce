//! One document linted as `cors-lint check` lints the file (its configuration's settings,
//! `[dialects]`, `per-file-ignores` and `exclude`), and its findings as LSP diagnostics:
//! the same spans, code, severity, related locations and the rule's page.
//!
//! A panic while linting a document stays in that document: it gets one diagnostic saying
//! so, and the server goes on.

use super::config::Governed;
use super::text::{Encoding, Text};
use crate::finding::{Finding, Severity};
use crate::lint::{self, FileReport, Outcome};
use crate::source::Span;
use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Range, Uri,
};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;

/// What linting a document gave.
pub struct Analysis {
    /// The file's own report (before other files' objects are taken into account).
    pub report: Option<FileReport>,
    /// The linter panicked on it: the panic's message.
    pub crashed: Option<String>,
    pub governed: Arc<Governed>,
    /// What is shown: the report's findings with other files' objects resolved.
    pub findings: Vec<Finding>,
}

impl Analysis {
    pub fn dialect(&self) -> Option<crate::frontend::Dialect> {
        match self.report.as_ref()?.outcome {
            Outcome::Linted { dialect, .. } => Some(dialect),
            _ => None,
        }
    }
}

/// Lint `text` as the file at `path` (`shown` in messages) under `governed`.
pub fn analyse(path: &Path, shown: &str, text: &str, governed: Arc<Governed>) -> Analysis {
    let config = governed.config.as_ref();
    // A file the configuration excludes is not linted, as a walk of its tree would not.
    if config.is_some_and(|c| c.excludes(path)) {
        return Analysis {
            report: None,
            crashed: None,
            governed,
            findings: Vec::new(),
        };
    }
    let dialect = config.and_then(|c| c.dialect_for(path));
    let run = catch_unwind(AssertUnwindSafe(|| {
        test_panic(text);
        let mut r = lint::lint_named_bytes_as(
            path,
            shown.to_string(),
            text.as_bytes().to_vec(),
            &governed.settings,
            dialect,
        );
        if let Some(cfg) = config {
            let off = cfg.ignored_for(path);
            if !off.is_empty()
                && let Ok(sel) = crate::selection::Selection::new(&off, &[], &[])
            {
                r.findings
                    .retain(|f| f.code == "CL000" || !sel.enabled(f.code));
            }
        }
        r
    }));
    match run {
        Ok(report) => Analysis {
            findings: report.findings.clone(),
            report: Some(report),
            crashed: None,
            governed,
        },
        Err(payload) => Analysis {
            report: None,
            crashed: Some(panic_message(&*payload)),
            governed,
            findings: Vec::new(),
        },
    }
}

/// In debug builds, with `CORS_LINT_SERVER_TEST_PANIC=1`, a document containing
/// `cors-lint-test: panic` makes the linter panic (for the end-to-end test of the guard).
fn test_panic(text: &str) {
    if cfg!(debug_assertions)
        && std::env::var_os("CORS_LINT_SERVER_TEST_PANIC").is_some_and(|v| v == "1")
        && text.contains("cors-lint-test: panic")
    {
        panic!("the panic the test asked for");
    }
}

pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// The document's diagnostics.
pub fn diagnostics(uri: &Uri, text: &Text, analysis: &Analysis, enc: Encoding) -> Vec<Diagnostic> {
    if let Some(why) = &analysis.crashed {
        return vec![Diagnostic {
            range: Range::default(),
            severity: Some(DiagnosticSeverity::ERROR),
            source: Some("cors-lint".into()),
            message: format!(
                "cors-lint failed on this document (an internal error: {why}); its findings \
                 are not shown. Please report it with the file."
            ),
            ..Default::default()
        }];
    }
    analysis
        .findings
        .iter()
        .map(|f| diagnostic(uri, text, f, enc))
        .collect()
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// One finding: the headline, then its note and help, as the concise format gives them.
pub fn diagnostic(uri: &Uri, text: &Text, f: &Finding, enc: Encoding) -> Diagnostic {
    let mut message = f.message.clone();
    if let Some(n) = &f.note {
        message.push_str("\nnote: ");
        message.push_str(n);
    }
    if let Some(h) = &f.help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    let related: Vec<DiagnosticRelatedInformation> = f
        .related
        .iter()
        .map(|r| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), text.range(r.span, enc)),
            message: r.message.clone(),
        })
        .collect();
    Diagnostic {
        range: text.range(f.span, enc),
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.code.to_string())),
        code_description: crate::finding::rule_url(f.code)
            .parse()
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("cors-lint".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

/// A configuration file's mistakes, as its diagnostics.
pub fn config_diagnostics(
    text: &Text,
    e: &crate::config::ConfigError,
    enc: Encoding,
) -> Vec<Diagnostic> {
    std::iter::once((e.span, &e.message))
        .chain(e.also.iter().map(|(s, m)| (*s, m)))
        .map(|(span, message): (Span, &String)| Diagnostic {
            range: text.range(span, enc),
            severity: Some(DiagnosticSeverity::ERROR),
            code: Some(NumberOrString::String("CL000".into())),
            source: Some("cors-lint".into()),
            message: format!(
                "invalid configuration: {message} (files it governs are linted with the \
                 built-in defaults until it is fixed)"
            ),
            ..Default::default()
        })
        .collect()
}
