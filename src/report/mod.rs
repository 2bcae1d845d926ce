//! Output formats. Every format reports the same findings in the same order (path, then
//! position) with the same coordinates: 1-based lines and columns counting characters of the
//! decoded text, exclusive ends, byte offsets into the file as stored. SARIF alone counts
//! columns in UTF-16 code units, as its specification says.

mod checkstyle;
mod concise;
mod github;
mod gitlab;
mod graphical;
mod json;
mod junit;
mod rdjson;
mod sarif;
mod statistics;

pub use checkstyle::render as checkstyle;
pub use concise::render as concise;
pub use concise::render_with as concise_with;
pub use github::{escape_data as github_escape_data, render as github};
pub use gitlab::render as gitlab;
pub use graphical::{GraphicalOptions, render as graphical, render_file as graphical_file};
pub use json::{JsonFinding, JsonSpan, render as json, render_lines as json_lines};
pub use junit::render as junit;
pub use rdjson::render as rdjson;
pub use sarif::render as sarif;
pub use statistics::{
    Statistic, render as statistics, render_json as statistics_json, statistics as count,
};

use crate::finding::{Finding, Severity};
use crate::lint::FileReport;
use crate::source::Position;

/// Start and end position of a finding (line 1, column 1 when the file could not be read).
pub fn positions(report: &FileReport, f: &Finding) -> (Position, Position) {
    match &report.source {
        Some(src) => (src.position(f.span.start), src.position(f.span.end)),
        None => (
            Position { line: 1, column: 1 },
            Position { line: 1, column: 1 },
        ),
    }
}

/// Count of findings per severity, for the summary line.
#[derive(Default, Debug, Clone, Copy)]
pub struct Totals {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub files_with_findings: usize,
    /// Files read (linted or failed), skipped ones not counted.
    pub files: usize,
    /// Findings `--fix` resolves, and those only `--unsafe-fixes` resolves.
    pub fixable: usize,
    pub unsafe_fixable: usize,
}

impl Totals {
    pub fn add(&mut self, other: Totals) {
        self.errors += other.errors;
        self.warnings += other.warnings;
        self.infos += other.infos;
        self.files_with_findings += other.files_with_findings;
        self.files += other.files;
        self.fixable += other.fixable;
        self.unsafe_fixable += other.unsafe_fixable;
    }
}

pub fn totals(reports: &[FileReport]) -> Totals {
    let mut t = Totals::default();
    for r in reports {
        if !matches!(r.outcome, crate::lint::Outcome::Skipped { .. }) {
            t.files += 1;
        }
        if !r.findings.is_empty() {
            t.files_with_findings += 1;
        }
        for f in &r.findings {
            match f.severity {
                Severity::Error => t.errors += 1,
                Severity::Warning => t.warnings += 1,
                Severity::Info => t.infos += 1,
            }
            match f.fix_safety() {
                Some(true) => t.fixable += 1,
                Some(false) => t.unsafe_fixable += 1,
                None => {}
            }
        }
    }
    t
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// "Found 4 findings (2 errors, 1 warning, 1 info) in 1 file.", then what `--fix` resolves.
pub fn summary(t: Totals) -> String {
    let total = t.errors + t.warnings + t.infos;
    if t.files == 0 {
        return "No files were linted.".into();
    }
    if total == 0 {
        return "All checks passed.".into();
    }
    let mut parts = Vec::new();
    if t.errors > 0 {
        parts.push(plural(t.errors, "error"));
    }
    if t.warnings > 0 {
        parts.push(plural(t.warnings, "warning"));
    }
    if t.infos > 0 {
        parts.push(format!("{} info", t.infos));
    }
    format!(
        "Found {} ({}) in {}.",
        plural(total, "finding"),
        parts.join(", "),
        plural(t.files_with_findings, "file")
    ) + &fixable(t)
}

/// ruff's footer: "\n[*] 2 fixable with `--fix` (1 more with `--unsafe-fixes`)."
fn fixable(t: Totals) -> String {
    let more = if t.unsafe_fixable > 0 {
        format!(" ({} more with `--unsafe-fixes`)", t.unsafe_fixable)
    } else {
        String::new()
    };
    match (t.fixable, t.unsafe_fixable) {
        (0, 0) => String::new(),
        (0, n) => format!("\nNo fix is safe; {n} with `--unsafe-fixes`."),
        (n, _) => format!("\n[*] {n} fixable with `--fix`{more}."),
    }
}

/// The full format's end: the summary, then where the rules are explained.
pub fn footer(t: Totals) -> String {
    let mut s = summary(t);
    if t.errors + t.warnings + t.infos > 0 {
        s.push_str("\n`cors-lint rule CODE` explains a rule.");
    }
    s
}

/// The severity and code as the line formats name them: `warning[CORS020]`.
pub fn tag(f: &Finding) -> String {
    format!("{}[{}]", f.severity, f.code)
}
