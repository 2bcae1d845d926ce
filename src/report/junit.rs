//! `--format junit`: JUnit XML for CI test-report views. One `<testsuite>`, one `<testcase>`
//! per linted file (name = path, classname = `cors-lint`), one `<failure>` per finding.

use super::positions;
use crate::lint::FileReport;

pub fn render(reports: &[FileReport]) -> String {
    let failures: usize = reports.iter().map(|r| r.findings.len()).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"cors-lint\" tests=\"{}\" failures=\"{failures}\" errors=\"0\">\n",
        reports.len()
    ));
    out.push_str(&format!(
        "  <testsuite name=\"cors-lint\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n",
        reports.len()
    ));
    for r in reports {
        let name = escape(&r.path);
        if r.findings.is_empty() {
            out.push_str(&format!(
                "    <testcase name=\"{name}\" classname=\"cors-lint\"/>\n"
            ));
            continue;
        }
        out.push_str(&format!(
            "    <testcase name=\"{name}\" classname=\"cors-lint\">\n"
        ));
        for f in &r.findings {
            let (start, _) = positions(r, f);
            out.push_str(&format!(
                "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                escape(&format!("{}: {}", f.code, f.message)),
                escape(f.code),
                escape(&format!("{}:{}:{}", r.path, start.line, start.column)),
            ));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Text for an attribute value or element content. Whitespace controls become character
/// references (kept in attributes); other characters XML 1.0 forbids become U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_forbidden_characters() {
        assert_eq!(
            escape("a<b>&\"c'\n\u{1b}"),
            "a&lt;b&gt;&amp;&quot;c&apos;&#10;\u{fffd}"
        );
    }
}
