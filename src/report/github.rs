//! `--format github`: one GitHub Actions workflow command per finding, which the runner turns
//! into an annotation on the file and line:
//! `::error file=PATH,line=L,col=C,endLine=L2,endColumn=C2,title=CODE name::message`.

use super::positions;
use crate::finding::Severity;
use crate::lint::FileReport;

pub fn render(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        for f in &r.findings {
            let (start, end) = positions(r, f);
            let command = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            out.push_str(&format!(
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                escape_property(&r.path),
                start.line,
                start.column,
                end.line,
                end.column,
                escape_property(&format!("{} {}", f.code, f.name)),
                escape_data(&match &f.note {
                    Some(n) => format!("{}\n{n}", f.message),
                    None => f.message.clone(),
                }),
            ));
        }
    }
    out
}

/// The message part, as `escapeData` in `@actions/core` encodes it: the runner decodes these
/// three, so a message can hold a `%` or span lines without ending the command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value, as `escapeProperty` in `@actions/core` encodes it: also `:` and `,`,
/// which would otherwise end the value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_actions_toolkit() {
        assert_eq!(escape_data("100% a:b,c\r\nd"), "100%25 a:b,c%0D%0Ad");
        assert_eq!(escape_property("C:\\x,y%\n"), "C%3A\\x%2Cy%25%0A");
        // `%` first, so an existing escape is not decoded by the runner.
        assert_eq!(escape_data("%0A"), "%250A");
    }
}
