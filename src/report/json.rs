//! `--format json`: a JSON array of findings. The schema is documented in README.md and
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
    pub help: Option<String>,
    pub span: JsonSpan,
    pub related: Vec<JsonRelated>,
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
