//! `--fix`, `--unsafe-fixes`, `--diff`: apply the edits findings offer, touching only the
//! bytes they change, write each file once and atomically, then lint it again so the report
//! shows what remains.

use crate::cli::CheckArgs;
use crate::lint::{self, FileReport, Settings};
use crate::source::{Edit, apply_edits};
use std::path::Path;

/// Fix or show fixes for every report; `Err(exit code)` when a file cannot be written.
pub fn apply(reports: &mut [FileReport], args: &CheckArgs, settings: &Settings) -> Result<(), i32> {
    let mut fixed_findings = 0;
    let mut fixed_files = 0;
    for r in reports.iter_mut() {
        let Some(source) = &r.source else { continue };
        let mut edits: Vec<Edit> = Vec::new();
        let mut count = 0;
        for f in &r.findings {
            let Some(fix) = &f.fix else { continue };
            if !fix.safe && !args.unsafe_fixes {
                continue;
            }
            count += 1;
            for e in &fix.edits {
                // Two findings may offer the same edit (one directive, two scopes).
                if !edits.contains(e) {
                    edits.push(e.clone());
                }
            }
        }
        if edits.is_empty() {
            continue;
        }
        let (fixed, _) = apply_edits(source.bytes(), &edits);
        if args.diff {
            let old = String::from_utf8_lossy(source.bytes());
            let new = String::from_utf8_lossy(&fixed);
            print!(
                "{}",
                similar::TextDiff::from_lines(old.as_ref(), new.as_ref())
                    .unified_diff()
                    .header(&r.path, &r.path)
            );
            continue;
        }
        if let Err(e) = crate::fsutil::write_atomic(Path::new(&r.path), &fixed) {
            eprintln!("error: {}: cannot write the fixes: {e}", r.path);
            return Err(2);
        }
        fixed_findings += count;
        fixed_files += 1;
        *r = lint::lint_path(Path::new(&r.path), r.path.clone(), settings);
    }
    if args.fix && !args.diff {
        eprintln!(
            "fixed {fixed_findings} finding{} in {fixed_files} file{}",
            if fixed_findings == 1 { "" } else { "s" },
            if fixed_files == 1 { "" } else { "s" }
        );
    }
    Ok(())
}
