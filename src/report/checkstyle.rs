//! `--format checkstyle`: Checkstyle XML (`<checkstyle><file name><error line column
//! severity message source/></file></checkstyle>`), as Jenkins' warnings plugin, reviewdog and
//! most CI dashboards read it.

use super::junit::escape as xml;
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
