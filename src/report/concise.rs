//! `--format concise`: one line per finding in the gcc/ShellCheck style,
//! `PATH:LINE:COL: SEVERITY[CODE] message`, with ` [*]` after the code of a finding `--fix`
//! resolves; the summary line ends the report. On a terminal the path is bold and the
//! severity coloured, as gcc and ShellCheck do.

use super::{positions, tag};
use crate::finding::{Finding, Severity};
use crate::lint::FileReport;

pub fn render(reports: &[FileReport]) -> String {
    render_with(reports, false)
}

/// [`render`], with ANSI colours when `color`.
pub fn render_with(reports: &[FileReport], color: bool) -> String {
    let mut out = String::new();
    for r in reports {
        for f in &r.findings {
            let (start, _) = positions(r, f);
            let marker = if f.fix_safety() == Some(true) {
                " [*]"
            } else {
                ""
            };
            let place = format!("{}:{}:{}:", r.path, start.line, start.column);
            out.push_str(&format!(
                "{} {}{marker} {}\n",
                paint(&place, "1", color),
                paint(&tag(f), severity_colour(f), color),
                one_line(&f.message)
            ));
        }
    }
    out
}

/// Messages are one line by construction; this keeps the format's promise even if not.
fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

fn severity_colour(f: &Finding) -> &'static str {
    match f.severity {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Info => "1;36",
    }
}

fn paint(text: &str, sgr: &str, color: bool) -> String {
    if color {
        format!("\x1b[{sgr}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}
