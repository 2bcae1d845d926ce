//! Code actions: each finding's fix (safe ones preferred; unsafe ones, which change what the
//! server does, say so in their title), a `# cors-lint: ignore[CODE] reason` comment before
//! its line, and "fix all" with every safe fix (`source.fixAll.cors-lint`, what an editor
//! runs on save). Like `--fix`, a fix is offered only where the file still parses after it,
//! and a suppression only where the file, linted again, reads the comment as covering the
//! finding's line.

use super::diagnostics::{Analysis, diagnostic};
use super::text::{Encoding, Text};
use crate::finding::Finding;
use crate::lint::{self, Outcome};
use crate::source::{Edit, Span, apply_edits};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, Uri, WorkspaceEdit,
};
use std::collections::HashMap;

/// The reason a suppression action writes, for the user to replace.
pub const PLACEHOLDER: &str = "TODO: say why this finding is acceptable here";

/// The kind of "fix all": a `source.fixAll` an editor asks for on save.
pub fn fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.cors-lint")
}

/// Whether an action of `kind` is wanted by a request's `only` (kinds are dotted
/// hierarchies: `source.fixAll` asks for `source.fixAll.cors-lint`).
fn wanted(only: Option<&[CodeActionKind]>, kind: &CodeActionKind) -> bool {
    only.is_none_or(|only| {
        only.iter().any(|o| {
            kind.as_str() == o.as_str() || kind.as_str().starts_with(&format!("{}.", o.as_str()))
        })
    })
}

pub struct Request<'a> {
    pub uri: &'a Uri,
    pub text: &'a Text,
    pub analysis: &'a Analysis,
    pub encoding: Encoding,
    /// The bytes the request's range covers.
    pub span: Span,
    pub only: Option<&'a [CodeActionKind]>,
}

pub fn actions(req: &Request) -> Vec<CodeActionOrCommand> {
    let mut out: Vec<CodeAction> = Vec::new();
    let Some(dialect) = req.analysis.dialect() else {
        return Vec::new();
    };
    let quickfix = wanted(req.only, &CodeActionKind::QUICKFIX);
    let touching = req
        .analysis
        .findings
        .iter()
        .filter(|f| f.span.start <= req.span.end && req.span.start <= f.span.end);
    let mut suppressions = Vec::new();
    if quickfix {
        for f in touching {
            if let Some(fix) = &f.fix
                && parses(req, dialect, &fix.edits)
            {
                let title = if fix.safe {
                    format!("{}: {}", f.code, fix.description)
                } else {
                    format!(
                        "{}: {} (unsafe: changes what the server does)",
                        f.code, fix.description
                    )
                };
                out.push(action(
                    req,
                    title,
                    CodeActionKind::QUICKFIX,
                    &fix.edits,
                    Some(f),
                    fix.safe,
                ));
            }
            if let Some(edit) = suppression(req, dialect, f) {
                suppressions.push(action(
                    req,
                    format!(
                        "{}: suppress on this line, with a reason to fill in",
                        f.code
                    ),
                    CodeActionKind::QUICKFIX,
                    &[edit],
                    Some(f),
                    false,
                ));
            }
        }
    }
    // Fixes first, then suppressions, then fix-all.
    out.extend(suppressions);
    let kind = fix_all_kind();
    if wanted(req.only, &kind)
        && let Some(edits) = fix_all(req, dialect)
    {
        out.push(action(
            req,
            "cors-lint: fix all safe fixes".into(),
            kind,
            &edits,
            None,
            false,
        ));
    }
    out.into_iter()
        .map(CodeActionOrCommand::CodeAction)
        .collect()
}

fn action(
    req: &Request,
    title: String,
    kind: CodeActionKind,
    edits: &[Edit],
    finding: Option<&Finding>,
    preferred: bool,
) -> CodeAction {
    let edits: Vec<TextEdit> = edits
        .iter()
        .map(|e| TextEdit {
            range: req.text.range(e.span, req.encoding),
            new_text: e.replacement.clone(),
        })
        .collect();
    CodeAction {
        title,
        kind: Some(kind),
        diagnostics: finding.map(|f| vec![diagnostic(req.uri, req.text, f, req.encoding)]),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(req.uri.clone(), edits)])),
            ..Default::default()
        }),
        is_preferred: preferred.then_some(true),
        ..Default::default()
    }
}

fn relint(req: &Request, dialect: crate::frontend::Dialect, edits: &[Edit]) -> lint::FileReport {
    let (bytes, _) = apply_edits(req.text.text.as_bytes(), edits);
    let name = req
        .analysis
        .report
        .as_ref()
        .map(|r| r.path.clone())
        .unwrap_or_default();
    lint::lint_bytes(
        name,
        bytes,
        dialect,
        String::new(),
        &req.analysis.governed.settings,
    )
}

fn parses(req: &Request, dialect: crate::frontend::Dialect, edits: &[Edit]) -> bool {
    !matches!(relint(req, dialect, edits).outcome, Outcome::Failed)
}

/// A comment line before the finding's line, indented like it, when the file reads it so.
fn suppression(req: &Request, dialect: crate::frontend::Dialect, f: &Finding) -> Option<Edit> {
    // Findings about reading the file or about suppressions are not suppressed.
    if f.code.starts_with("CL") {
        return None;
    }
    let bytes = req.text.text.as_bytes();
    let start = bytes[..f.span.start.min(bytes.len())]
        .iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
        .map_or(0, |i| i + 1);
    let indent: String = bytes[start..]
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .map(|&b| b as char)
        .collect();
    let eol = bytes[start..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r');
    let newline = match eol.map(|i| &bytes[start + i..]) {
        Some([b'\r', b'\n', ..]) => "\r\n",
        Some([b'\r', ..]) => "\r",
        _ => "\n",
    };
    let comment = format!(
        "{indent}# cors-lint: ignore[{}] {PLACEHOLDER}{newline}",
        f.code
    );
    let edit = Edit::insert(start, comment);
    let after = relint(req, dialect, std::slice::from_ref(&edit));
    if matches!(after.outcome, Outcome::Failed) {
        return None;
    }
    let inserted = Span::new(start, start + edit.replacement.len());
    let line = inserted.end;
    let covered = after
        .suppressions
        .iter()
        .any(|s| inserted.contains(s.span) && s.covers.start <= line && line <= s.covers.end);
    covered.then_some(edit)
}

/// Every safe fix, as `--fix` applies them: all together when the result parses, else one
/// by one, each kept when the result still parses.
fn fix_all(req: &Request, dialect: crate::frontend::Dialect) -> Option<Vec<Edit>> {
    let offered: Vec<&Vec<Edit>> = req
        .analysis
        .findings
        .iter()
        .filter_map(|f| f.fix.as_ref())
        .filter(|fix| fix.safe)
        .map(|fix| &fix.edits)
        .collect();
    if offered.is_empty() {
        return None;
    }
    let add = |to: &mut Vec<Edit>, edits: &[Edit]| {
        for e in edits {
            if !to.contains(e) {
                to.push(e.clone());
            }
        }
    };
    let mut all = Vec::new();
    for edits in &offered {
        add(&mut all, edits);
    }
    let edits = if parses(req, dialect, &all) {
        all
    } else {
        let mut kept: Vec<Edit> = Vec::new();
        for edits in &offered {
            let mut tried = kept.clone();
            add(&mut tried, edits);
            if parses(req, dialect, &tried) {
                kept = tried;
            }
        }
        kept
    };
    let edits = without_overlaps(edits);
    (!edits.is_empty()).then_some(edits)
}

/// The edits `apply_edits` would apply, in order (an LSP client refuses overlapping ones).
fn without_overlaps(mut edits: Vec<Edit>) -> Vec<Edit> {
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out: Vec<Edit> = Vec::new();
    let mut at = 0;
    for e in edits {
        if e.span.start < at {
            continue;
        }
        at = e.span.end;
        out.push(e);
    }
    out
}

/// The range of a request as bytes.
pub fn span_of(text: &Text, range: Range, enc: Encoding) -> Span {
    let start = text.offset(range.start, enc);
    Span::new(start, text.offset(range.end, enc).max(start))
}
