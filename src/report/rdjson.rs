//! `--format rdjson`: reviewdog's Diagnostic Format (`DiagnosticResult` JSON), with the
//! range, severity, code with its URL, and the fix as `suggestions`. Columns count UTF-8
//! bytes from 1, as the format says (JSON's count characters).

use super::json::findings;
use crate::lint::FileReport;
use serde_json::{Value, json};

pub fn render(reports: &[FileReport]) -> String {
    // `findings` lists each report's findings in order: pair each with its file's bytes.
    let sources = reports
        .iter()
        .flat_map(|r| r.findings.iter().map(move |_| r.source.as_ref()));
    let diagnostics: Vec<Value> = findings(reports)
        .into_iter()
        .zip(sources)
        .map(|(f, source)| {
            let column = |offset: usize, fallback: usize| {
                source.map_or(fallback, |src| byte_column(src.bytes(), offset))
            };
            let range = |s: &super::JsonSpan| {
                json!({
                    "start": { "line": s.line, "column": column(s.start, s.column) },
                    "end": { "line": s.end_line, "column": column(s.end, s.end_column) },
                })
            };
            let suggestions: Vec<Value> = f
                .fix
                .iter()
                .flat_map(|fix| &fix.edits)
                .map(|e| json!({ "range": range(&e.span), "text": e.content }))
                .collect();
            json!({
                "message": f.message,
                "location": { "path": f.path, "range": range(&f.span) },
                "severity": f.severity.to_uppercase(),
                "source": { "name": "cors-lint", "url": crate::finding::REPOSITORY },
                "code": { "value": f.code, "url": f.url },
                "suggestions": suggestions,
            })
        })
        .collect();
    let result = json!({
        "source": { "name": "cors-lint", "url": crate::finding::REPOSITORY },
        "diagnostics": diagnostics,
    });
    let mut s = serde_json::to_string_pretty(&result).expect("rdjson serializes");
    s.push('\n');
    s
}

/// The 1-based column of `offset` in UTF-8 bytes.
fn byte_column(bytes: &[u8], offset: usize) -> usize {
    let offset = offset.min(bytes.len());
    let line_start = bytes[..offset]
        .iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
        .map_or(0, |i| i + 1);
    offset - line_start + 1
}
