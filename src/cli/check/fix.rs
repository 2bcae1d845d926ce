//! `--fix`, `--unsafe-fixes`, `--diff`: apply the edits findings offer, touching only the
//! bytes they change, write each file once and atomically, then lint it again so the report
//! shows what remains.
//!
//! A fix is a byte edit proposed by a rule that cannot see the dialect's quoting, so every
//! result is parsed again before it is written: a fix whose result the front end refuses
//! (e.g. a `\` inserted into a YAML double-quoted scalar) is skipped and said so.

use crate::cli::CheckArgs;
use crate::finding::Fix;
use crate::lint::{self, FileReport, Outcome, Settings};
use crate::source::{Edit, apply_edits};
use std::path::Path;

/// Fix or show fixes for every report; `Err(exit code)` when a file cannot be written.
pub fn apply(
    reports: &mut [&mut FileReport],
    args: &CheckArgs,
    settings: &Settings,
) -> Result<(), i32> {
    let mut fixed_findings = 0;
    let mut fixed_files = 0;
    for r in reports.iter_mut() {
        let Some((fixed, count)) = fixed(r, args, settings) else {
            continue;
        };
        if args.diff {
            print!("{}", diff(r, &fixed));
            continue;
        }
        if let Err(e) = crate::fsutil::write_atomic(Path::new(&r.path), &fixed) {
            eprintln!("error: {}: cannot write the fixes: {e}", r.path);
            return Err(2);
        }
        fixed_findings += count;
        fixed_files += 1;
        **r = lint::lint_path(Path::new(&r.path), r.path.clone(), settings);
    }
    if args.fix && !args.diff && !args.quiet {
        eprintln!(
            "fixed {fixed_findings} finding{} in {fixed_files} file{}",
            if fixed_findings == 1 { "" } else { "s" },
            if fixed_files == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

/// The unified diff from the report's bytes to `fixed`.
pub fn diff(r: &FileReport, fixed: &[u8]) -> String {
    let old = r
        .source
        .as_ref()
        .map(|s| String::from_utf8_lossy(s.bytes()).into_owned())
        .unwrap_or_default();
    let new = String::from_utf8_lossy(fixed);
    similar::TextDiff::from_lines(old.as_str(), new.as_ref())
        .unified_diff()
        .header(&r.path, &r.path)
        .to_string()
}

/// The file's bytes with the fixes `args` allows applied, and how many findings they fix;
/// `None` when none applies. A fix whose result would not parse is skipped, and said so.
pub fn fixed(r: &FileReport, args: &CheckArgs, settings: &Settings) -> Option<(Vec<u8>, usize)> {
    let source = r.source.as_ref()?;
    let Outcome::Linted { dialect, .. } = r.outcome else {
        return None;
    };
    let offered: Vec<(&Fix, String)> = r
        .findings
        .iter()
        .filter_map(|f| f.fix.as_ref().map(|fix| (fix, f)))
        .filter(|(fix, _)| fix.safe || args.unsafe_fixes)
        .map(|(fix, f)| {
            let at = source.position(f.span.start);
            (fix, format!("{} at {}:{}", f.code, at.line, at.column))
        })
        .collect();
    if offered.is_empty() {
        return None;
    }
    let parses = |edits: &[Edit]| {
        let (bytes, _) = apply_edits(source.bytes(), edits);
        let again = lint::lint_bytes(r.path.clone(), bytes, dialect, String::new(), settings);
        !matches!(again.outcome, Outcome::Failed)
    };
    let mut edits: Vec<Edit> = Vec::new();
    let mut count = 0;
    let all: Vec<Edit> = offered
        .iter()
        .flat_map(|(fix, _)| fix.edits.iter().cloned())
        .collect();
    let one_by_one = !parses(&all);
    for (fix, place) in &offered {
        let mut tried = edits.clone();
        for e in &fix.edits {
            // Two findings may offer the same edit (one directive, two scopes).
            if !tried.contains(e) {
                tried.push(e.clone());
            }
        }
        if one_by_one && !parses(&tried) {
            eprintln!(
                "warning: {}: skipped the fix for {place} ({}): the result would not parse",
                r.path, fix.description
            );
            continue;
        }
        edits = tried;
        count += 1;
    }
    if edits.is_empty() {
        return None;
    }
    Some((apply_edits(source.bytes(), &edits).0, count))
}
