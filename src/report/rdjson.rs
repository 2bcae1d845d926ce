//! `--format rdjson`: reviewdog's Diagnostic Format (`DiagnosticResult` JSON), with the
//! range, severity, code with its URL, and the fix as `suggestions`.

use super::json::findings;
use crate::lint::FileReport;
use serde_json::{Value, json};

pub fn render(reports: &[FileReport]) -> String {
    let diagnostics: Vec<Value> = findings(reports)
        .into_iter()
        .map(|f| {
            let range = |s: &super::JsonSpan| {
                json!({
                    "start": { "line": s.line, "column": s.column },
                    "end": { "line": s.end_line, "column": s.end_column },
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
