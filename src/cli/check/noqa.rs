//! `--add-noqa`: adopt cors-lint on a tree with findings by writing a suppression comment
//! before each line that has some, as `ruff --add-noqa` does. A comment is kept only where
//! the file, linted again, reads it as covering that line and changes nothing else (a
//! comment inside a YAML block scalar or a `.properties` continuation would be content).

use crate::finding::Finding;
use crate::lint::{self, FileReport, Outcome, Settings};
use crate::source::{Edit, Span, apply_edits};
use std::collections::BTreeMap;
use std::path::Path;

/// The reason every added suppression gives, so CL001 does not fire and a reader knows.
pub const REASON: &str = "pre-existing finding, adopted with --add-noqa; review";

/// Add suppressions to every report's file; `Err(exit code)` when one cannot be written.
pub fn apply(reports: &mut [&mut FileReport], settings: &Settings, quiet: bool) -> Result<(), i32> {
    let (mut added, mut files, mut refused) = (0, 0, 0);
    for r in reports.iter_mut() {
        let Some((bytes, kept, skipped)) = with_suppressions(r, settings) else {
            continue;
        };
        refused += skipped;
        if kept == 0 {
            continue;
        }
        if let Err(e) = crate::fsutil::write_atomic(Path::new(&r.path), &bytes) {
            eprintln!("error: {}: cannot write the suppressions: {e}", r.path);
            return Err(2);
        }
        added += kept;
        files += 1;
        **r = lint::lint_path(Path::new(&r.path), r.path.clone(), settings);
    }
    if !quiet {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        eprintln!(
            "added {added} suppression{} in {files} file{}{}",
            plural(added),
            plural(files),
            if refused > 0 {
                format!(
                    "; {refused} line{} could not take a comment (left as findings)",
                    plural(refused)
                )
            } else {
                String::new()
            }
        );
    }
    Ok(())
}

/// Findings to adopt: all but those about reading the file or about suppressions.
fn adoptable(f: &Finding) -> bool {
    !f.code.starts_with("CL")
}

/// The file with a comment before each line with findings, how many comments were kept and
/// how many lines refused one; `None` when there is nothing to do.
fn with_suppressions(r: &FileReport, settings: &Settings) -> Option<(Vec<u8>, usize, usize)> {
    let source = r.source.as_ref()?;
    let Outcome::Linted { dialect, .. } = r.outcome else {
        return None;
    };
    let bytes = source.bytes();
    // Line start → the codes found on that line.
    let mut lines: BTreeMap<usize, Vec<&Finding>> = BTreeMap::new();
    for f in r.findings.iter().filter(|f| adoptable(f)) {
        lines
            .entry(line_start(bytes, f.span.start))
            .or_default()
            .push(f);
    }
    if lines.is_empty() {
        return None;
    }
    let lint_again =
        |b: Vec<u8>| lint::lint_bytes(r.path.clone(), b, dialect, String::new(), settings);
    let before = lint_again(bytes.to_vec());
    let groups: Vec<(usize, Vec<&Finding>)> = lines.into_iter().collect();
    let all: Vec<usize> = (0..groups.len()).collect();
    if holds(bytes, &before, &groups, &all, &lint_again) {
        let edits = edits_for(bytes, &groups, &all);
        return Some((apply_edits(bytes, &edits).0, all.len(), 0));
    }
    let mut kept: Vec<usize> = Vec::new();
    for i in 0..groups.len() {
        let mut tried = kept.clone();
        tried.push(i);
        if holds(bytes, &before, &groups, &tried, &lint_again) {
            kept = tried;
        }
    }
    let edits = edits_for(bytes, &groups, &kept);
    Some((
        apply_edits(bytes, &edits).0,
        kept.len(),
        groups.len() - kept.len(),
    ))
}

/// Whether the comments for `chosen` groups, linted again, each cover their line and the
/// file's other findings stay as they were.
fn holds(
    bytes: &[u8],
    before: &FileReport,
    groups: &[(usize, Vec<&Finding>)],
    chosen: &[usize],
    lint_again: &dyn Fn(Vec<u8>) -> FileReport,
) -> bool {
    let edits = edits_for(bytes, groups, chosen);
    let (new, _) = apply_edits(bytes, &edits);
    let after = lint_again(new);
    if matches!(after.outcome, Outcome::Failed) {
        return false;
    }
    // Where each comment landed: the inserted bytes, shifted by the ones before it.
    let mut shift = 0;
    let mut comments = Vec::new();
    for e in &edits {
        let at = e.span.start + shift;
        comments.push((
            Span::new(at, at + e.replacement.len()),
            at + e.replacement.len(),
        ));
        shift += e.replacement.len();
    }
    let covered = comments.iter().all(|(comment, line)| {
        after
            .suppressions
            .iter()
            .any(|s| comment.contains(s.span) && s.covers.start <= *line && *line <= s.covers.end)
    });
    if !covered {
        return false;
    }
    let adopted: Vec<&Finding> = chosen
        .iter()
        .flat_map(|&i| groups[i].1.iter().copied())
        .collect();
    let mut expected: Vec<&str> = before
        .findings
        .iter()
        .filter(|f| !adopted.iter().any(|a| a.code == f.code && a.span == f.span))
        .map(|f| f.code)
        .collect();
    // A code found only across files reports "nothing to suppress" when the file is alone.
    let mut got: Vec<&str> = after
        .findings
        .iter()
        .filter(|f| !(f.code == "CL002" && comments.iter().any(|(c, _)| c.contains(f.span))))
        .map(|f| f.code)
        .collect();
    expected.sort_unstable();
    got.sort_unstable();
    expected == got
}

/// One comment line per chosen group, before its line, indented like it.
fn edits_for(bytes: &[u8], groups: &[(usize, Vec<&Finding>)], chosen: &[usize]) -> Vec<Edit> {
    chosen
        .iter()
        .map(|&i| {
            let (start, findings) = &groups[i];
            let mut codes: Vec<&str> = findings.iter().map(|f| f.code).collect();
            codes.sort_unstable();
            codes.dedup();
            let indent: String = bytes[*start..]
                .iter()
                .take_while(|&&b| b == b' ' || b == b'\t')
                .map(|&b| b as char)
                .collect();
            let newline = if line_ends_crlf(bytes, *start) {
                "\r\n"
            } else {
                "\n"
            };
            Edit {
                span: Span::empty(*start),
                replacement: format!(
                    "{indent}# cors-lint: ignore[{}] {REASON}{newline}",
                    codes.join(", ")
                ),
            }
        })
        .collect()
}

fn line_start(bytes: &[u8], at: usize) -> usize {
    bytes[..at.min(bytes.len())]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1)
}

fn line_ends_crlf(bytes: &[u8], start: usize) -> bool {
    bytes[start..]
        .iter()
        .position(|&b| b == b'\n')
        .is_some_and(|i| i > 0 && bytes[start + i - 1] == b'\r')
}
