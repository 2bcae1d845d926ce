//! The default format: miette's graphical report, one per finding, with the code and a label
//! on the exact bytes, then the note (why) and help; the report ends with the totals and how
//! to read a rule's docs.

use super::{footer, totals};
use crate::finding::{Finding, Severity};
use crate::lint::FileReport;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan,
};
use std::fmt;
use std::sync::Arc;

#[derive(Clone, Copy, Debug)]
pub struct GraphicalOptions {
    pub color: bool,
    pub width: usize,
}

impl Default for GraphicalOptions {
    fn default() -> Self {
        GraphicalOptions {
            color: false,
            width: 100,
        }
    }
}

struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    /// "CODE name"
    code: String,
    /// Message, prefixed by the path when there is no source to show it.
    message: String,
    source: Option<Arc<NamedSource<String>>>,
    labels: Vec<LabeledSpan>,
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_deref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        Some(Box::new(self.labels.iter().cloned()))
    }
}

pub fn render(reports: &[FileReport], options: GraphicalOptions) -> String {
    let mut out = String::new();
    for r in reports {
        out.push_str(&render_file(r, options));
    }
    out.push_str(&footer(totals(reports)));
    out.push('\n');
    out
}

/// One file's diagnostics (without the summary line that ends the report).
pub fn render_file(r: &FileReport, options: GraphicalOptions) -> String {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        .with_links(false)
        .with_context_lines(1)
        // Break lines at spaces only: never inside `OPTIONS /models` or a URL.
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_break_words(false);
    let mut out = String::new();
    let named = r.source.as_ref().map(|src| {
        Arc::new(NamedSource::new(
            r.path.clone(),
            src.display().text().to_string(),
        ))
    });
    for f in &r.findings {
        let to_display = |span: crate::source::Span| -> SourceSpan {
            match &r.source {
                Some(src) => {
                    let d = src.display();
                    let s = d.offset(src.bytes(), src.encoding(), span.start);
                    let e = d.offset(src.bytes(), src.encoding(), span.end);
                    SourceSpan::new(s.into(), e.saturating_sub(s))
                }
                None => SourceSpan::new(0.into(), 0),
            }
        };
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(f.label.clone()),
            to_display(f.span),
        )];
        labels.extend(f.related.iter().map(|rel| {
            LabeledSpan::new_with_span(Some(rel.message.clone()), to_display(rel.span))
        }));
        let diag = FindingDiagnostic {
            finding: f,
            code: format!(
                "{} {}{}",
                super::tag(f),
                f.name,
                match f.fix_safety() {
                    Some(true) => " [*]",
                    Some(false) => " [unsafe fix]",
                    None => "",
                }
            ),
            message: if named.is_some() {
                f.message.clone()
            } else {
                format!("{}: {}", r.path, f.message)
            },
            source: named.clone(),
            labels,
        };
        if handler.render_report(&mut out, &diag).is_err() {
            out.push_str(&format!("{}: {} {}\n", r.path, f.code, f.message));
        }
        // Below the excerpt: why, then how to fix it.
        if let Some(note) = &f.note {
            out.push_str(&labelled("note", note, options.width));
        }
        if let Some(help) = &f.help {
            out.push_str(&labelled("help", help, options.width));
        }
        out.push('\n');
    }
    out
}

/// `  note: …` or `  help: …`, wrapped as miette wraps its `help:` (continuation lines
/// under the text).
fn labelled(label: &str, text: &str, width: usize) -> String {
    let first = format!("  {label}: ");
    let options = textwrap::Options::new(width)
        .initial_indent(&first)
        .subsequent_indent("        ")
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .break_words(false);
    let mut out = textwrap::fill(text, options);
    out.push('\n');
    out
}
