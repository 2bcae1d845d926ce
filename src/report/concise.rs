//! `--format concise`: one line per finding in the gcc/ShellCheck style,
//! `PATH:LINE:COL: SEVERITY[CODE] message`, with ` [*]` after the code of a finding `--fix`
//! resolves; the summary line ends the report.

use super::{positions, tag};
use crate::lint::FileReport;

pub fn render(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        for f in &r.findings {
            let (start, _) = positions(r, f);
            let marker = if f.fix_safety() == Some(true) {
                " [*]"
            } else {
                ""
            };
            out.push_str(&format!(
                "{}:{}:{}: {}{marker} {}\n",
                r.path,
                start.line,
                start.column,
                tag(f),
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
