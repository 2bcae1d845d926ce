//! `--format checkstyle`: Checkstyle XML (`<checkstyle><file name><error line column
//! severity message source/></file></checkstyle>`), as Jenkins' warnings plugin, reviewdog and
//! most CI dashboards read it.

use super::positions;
use crate::lint::FileReport;

pub fn render(reports: &[FileReport]) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    for r in reports.iter().filter(|r| !r.findings.is_empty()) {
        out.push_str(&format!("  <file name=\"{}\">\n", xml(&r.path)));
        for f in &r.findings {
            let (start, _) = positions(r, f);
            out.push_str(&format!(
                "    <error line=\"{}\" column=\"{}\" severity=\"{}\" message=\"{}\" source=\"cors-lint.{}\"/>\n",
                start.line,
                start.column,
                f.severity,
                xml(&f.message),
                f.code
            ));
        }
        out.push_str("  </file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}

/// An attribute value: the five XML escapes, and controls (not allowed in XML 1.0) dropped.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}
