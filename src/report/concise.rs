//! `--format concise`: exactly one line per finding, `PATH:LINE:COL: CODE message`.

use super::positions;
use crate::lint::FileReport;

pub fn render(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        for f in &r.findings {
            let (start, _) = positions(r, f);
            out.push_str(&format!(
                "{}:{}:{}: {} {}\n",
                r.path,
                start.line,
                start.column,
                f.code,
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
