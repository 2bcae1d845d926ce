//! A file as stored, and everything needed to point at its bytes.
//!
//! Spans are byte offsets into the file *as stored*. Lines and columns are 1-based and count
//! characters of the decoded text: one per byte in an ISO-8859-1 file, one per UTF-8 scalar in
//! a UTF-8 file. `\n`, `\r\n` and a lone `\r` all end a line.

mod display;
mod line_index;
mod mapped;

pub use display::DisplayText;
pub use line_index::{LineIndex, Position, line_starts};
pub use mapped::MappedText;

use std::ops::Range;
use std::sync::OnceLock;

/// A half-open byte range `[start, end)` into a file as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub const fn empty(at: usize) -> Self {
        Span { start: at, end: at }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    /// Whether `other` lies within these bytes.
    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// Replace the bytes of `span` with `replacement` (an empty span inserts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

impl Edit {
    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit {
            span: Span::empty(at),
            replacement: text.into(),
        }
    }

    pub fn delete(span: Span) -> Edit {
        Edit {
            span,
            replacement: String::new(),
        }
    }
}

/// Apply non-overlapping edits (an edit overlapping an earlier one is skipped). Returns the
/// new bytes and how many edits were applied.
pub fn apply_edits(bytes: &[u8], edits: &[Edit]) -> (Vec<u8>, usize) {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    let mut applied = 0;
    for e in sorted {
        if e.span.start < at || e.span.end > bytes.len() {
            continue;
        }
        out.extend_from_slice(&bytes[at..e.span.start]);
        out.extend_from_slice(e.replacement.as_bytes());
        at = e.span.end;
        applied += 1;
    }
    out.extend_from_slice(&bytes[at..]);
    (out, applied)
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}

/// How the file's bytes become characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// ISO-8859-1: every byte is one character (`java.util.Properties.load(InputStream)`).
    Latin1,
    /// UTF-8; invalid sequences count as one character per byte.
    Utf8,
}

/// One input file: its name as given, its bytes, and lazily built indexes.
pub struct SourceFile {
    name: String,
    bytes: Vec<u8>,
    encoding: Encoding,
    lines: OnceLock<LineIndex>,
    display: OnceLock<DisplayText>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, bytes: Vec<u8>, encoding: Encoding) -> Self {
        SourceFile {
            name: name.into(),
            bytes,
            encoding,
            lines: OnceLock::new(),
            display: OnceLock::new(),
        }
    }

    /// The path as given on the command line or reached by walking from it.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The same file read in another encoding (a dialect's, once known).
    pub fn with_encoding(self, encoding: Encoding) -> SourceFile {
        SourceFile::new(self.name, self.bytes, encoding)
    }

    pub fn line_index(&self) -> &LineIndex {
        self.lines
            .get_or_init(|| LineIndex::new(&self.bytes, self.encoding))
    }

    /// 1-based line and column of a byte offset.
    pub fn position(&self, offset: usize) -> Position {
        self.line_index().position(&self.bytes, offset)
    }

    /// Text safe to print on a terminal, with a map from file offsets into it.
    pub fn display(&self) -> &DisplayText {
        self.display
            .get_or_init(|| DisplayText::new(&self.bytes, self.encoding))
    }

    /// The decoded characters of a span (ISO-8859-1 or lossy UTF-8).
    pub fn text(&self, span: Span) -> String {
        decode(&self.bytes[span.range()], self.encoding)
    }
}

/// Decode bytes as the file's encoding would.
pub fn decode(bytes: &[u8], encoding: Encoding) -> String {
    match encoding {
        Encoding::Latin1 => bytes.iter().map(|&b| b as char).collect(),
        Encoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// A UTF-16 byte-order mark at the start of a file. No config front end reads UTF-16 as
/// text; each says what its server makes of such a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Utf16 {
    /// `FF FE`
    Le,
    /// `FE FF`
    Be,
}

impl Utf16 {
    pub fn of(bytes: &[u8]) -> Option<Utf16> {
        match bytes.get(..2)? {
            [0xFF, 0xFE] => Some(Utf16::Le),
            [0xFE, 0xFF] => Some(Utf16::Be),
            _ => None,
        }
    }

    /// The mark's bytes, as a message shows them.
    pub fn mark(self) -> &'static str {
        match self {
            Utf16::Le => "FF FE",
            Utf16::Be => "FE FF",
        }
    }

    /// The mark's span.
    pub fn span(self) -> Span {
        Span::new(0, 2)
    }

    /// The text after the mark (unpaired surrogates replaced, a last odd byte dropped).
    pub fn decode(self, bytes: &[u8]) -> String {
        let unit = |p: &[u8]| match self {
            Utf16::Le => u16::from_le_bytes([p[0], p[1]]),
            Utf16::Be => u16::from_be_bytes([p[0], p[1]]),
        };
        let body = bytes.get(2..).unwrap_or_default();
        char::decode_utf16(body.chunks_exact(2).map(unit))
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect()
    }
}

/// Every byte >= 0x80 becomes `x`, for grammars whose syntax gives such bytes no meaning
/// (`java.util.Properties`, nginx): an ASCII string keeps pest's offsets equal to file offsets
/// whatever the encoding, and values are then read from the file's own bytes.
pub fn project_to_ascii(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| if b < 0x80 { b as char } else { 'x' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_text_decodes_each_byte() {
        let f = SourceFile::new("x", b"caf\xe9".to_vec(), Encoding::Latin1);
        assert_eq!(f.text(Span::new(0, 4)), "café");
    }
}
