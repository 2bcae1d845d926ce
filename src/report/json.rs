//! `--format json`: a JSON array of findings. The schema is documented in docs/output.md and
//! kept stable: fields are only ever added.

use super::positions;
use crate::lint::FileReport;
use serde::Serialize;

#[derive(Serialize, Debug, PartialEq, Eq)]
pub struct JsonSpan {
    /// Byte offsets into the file as stored; `end` is exclusive.
    pub start: usize,
    pub end: usize,
    /// 1-based; columns count characters of the decoded text; `end_*` is exclusive.
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

#[derive(Serialize, Debug)]
pub struct JsonRelated {
    pub message: String,
    pub span: JsonSpan,
}

#[derive(Serialize, Debug)]
pub struct JsonFinding {
    pub path: String,
    pub code: &'static str,
    pub name: &'static str,
    pub severity: &'static str,
    pub message: String,
    /// Why the message holds: the mechanism, version caveats, the simulated call.
    pub note: Option<String>,
    pub help: Option<String>,
    pub span: JsonSpan,
    pub related: Vec<JsonRelated>,
    /// The rule's documentation page.
    pub url: String,
    /// `null`, or the edits that resolve the finding and whether `--fix` applies them.
    pub fix: Option<JsonFix>,
}

#[derive(Serialize, Debug)]
pub struct JsonFix {
    pub message: String,
    /// `safe` (`--fix`) or `unsafe` (`--unsafe-fixes`), as ruff says.
    pub applicability: &'static str,
    pub edits: Vec<JsonEdit>,
}

#[derive(Serialize, Debug)]
pub struct JsonEdit {
    /// The bytes replaced; an empty span inserts.
    pub span: JsonSpan,
    pub content: String,
}

pub fn findings(reports: &[FileReport]) -> Vec<JsonFinding> {
    let mut out = Vec::new();
    for r in reports {
        for f in &r.findings {
            let span = |s: crate::source::Span| {
                let (a, b) = match &r.source {
                    Some(src) => (src.position(s.start), src.position(s.end)),
                    None => positions(r, f),
                };
                JsonSpan {
                    start: s.start,
                    end: s.end,
                    line: a.line,
                    column: a.column,
                    end_line: b.line,
                    end_column: b.column,
                }
            };
            out.push(JsonFinding {
                path: r.path.clone(),
                code: f.code,
                name: f.name,
                severity: f.severity.as_str(),
                message: f.message.clone(),
                note: f.note.clone(),
                help: f.help.clone(),
                span: span(f.span),
                related: f
                    .related
                    .iter()
                    .map(|rel| JsonRelated {
                        message: rel.message.clone(),
                        span: span(rel.span),
                    })
                    .collect(),
                url: crate::finding::rule_url(f.code),
                fix: f.fix.as_ref().map(|fix| JsonFix {
                    message: fix.description.clone(),
                    applicability: if fix.safe { "safe" } else { "unsafe" },
                    edits: fix
                        .edits
                        .iter()
                        .map(|e| JsonEdit {
                            span: span(e.span),
                            content: e.replacement.clone(),
                        })
                        .collect(),
                }),
            });
        }
    }
    out
}

pub fn render(reports: &[FileReport]) -> String {
    let mut s = serde_json::to_string_pretty(&findings(reports)).expect("findings serialize");
    s.push('\n');
    s
}

/// `--format json-lines`: the same objects, one per line.
pub fn render_lines(reports: &[FileReport]) -> String {
    findings(reports)
        .iter()
        .map(|f| serde_json::to_string(f).expect("findings serialize") + "\n")
        .collect()
}
