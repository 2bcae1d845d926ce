//! Documents as the client holds them: their text, edits to it, and positions in the
//! encoding the client and server agreed on (UTF-16 code units unless the client offers
//! UTF-8). Findings point at byte offsets of the text's UTF-8 bytes; LSP positions are a
//! line and a column of code units, lines ending at `\n`, `\r\n` or a lone `\r`.

use lsp_types::{Position, Range};
use std::path::{Path, PathBuf};

/// What a column of an LSP position counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes of UTF-8 (`positionEncoding: "utf-8"`).
    Utf8,
    /// UTF-16 code units: an astral character counts two (the protocol's default).
    Utf16,
}

impl Encoding {
    fn units(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }
}

/// The byte offset where each line of a text starts.
#[derive(Clone, Debug)]
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub fn new(text: &str) -> Lines {
        Lines {
            starts: crate::source::line_starts(text.as_bytes()),
        }
    }

    /// The line and column of a byte offset (past the end: the end; inside a character: its
    /// start).
    pub fn position(&self, text: &str, offset: usize, encoding: Encoding) -> Position {
        let offset = floor_boundary(text, offset.min(text.len()));
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column: usize = text[start..offset].chars().map(|c| encoding.units(c)).sum();
        Position::new(line as u32, column as u32)
    }

    /// The byte offset of a position. A column past the end of its line is the line's end
    /// (as the protocol says), one inside a character that character's start, a line past
    /// the last the end of the text.
    pub fn offset(&self, text: &str, position: Position, encoding: Encoding) -> usize {
        let line = position.line as usize;
        let Some(&start) = self.starts.get(line) else {
            return text.len();
        };
        let end = self.content_end(text, line);
        let want = position.character as usize;
        let mut units = 0;
        for (i, c) in text[start..end].char_indices() {
            let next = units + encoding.units(c);
            if next > want {
                return start + i;
            }
            units = next;
        }
        end
    }

    /// Where the content of `line` ends (before its line break).
    fn content_end(&self, text: &str, line: usize) -> usize {
        let end = self.starts.get(line + 1).copied().unwrap_or(text.len());
        let b = &text.as_bytes()[self.starts[line]..end];
        let cut = match b {
            [.., b'\r', b'\n'] => 2,
            [.., b'\n'] | [.., b'\r'] => 1,
            _ => 0,
        };
        end - cut
    }
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// An open document: what the client last sent, and its line index.
#[derive(Clone, Debug)]
pub struct Text {
    pub text: String,
    pub version: i32,
    lines: Lines,
}

impl Text {
    pub fn new(text: String, version: i32) -> Text {
        let lines = Lines::new(&text);
        Text {
            text,
            version,
            lines,
        }
    }

    pub fn position(&self, offset: usize, encoding: Encoding) -> Position {
        self.lines.position(&self.text, offset, encoding)
    }

    pub fn range(&self, span: crate::source::Span, encoding: Encoding) -> Range {
        Range::new(
            self.position(span.start, encoding),
            self.position(span.end, encoding),
        )
    }

    pub fn offset(&self, position: Position, encoding: Encoding) -> usize {
        self.lines.offset(&self.text, position, encoding)
    }

    /// Apply one `didChange` content change: a range replaced, or the whole text.
    pub fn apply(&mut self, range: Option<Range>, new_text: &str, encoding: Encoding) {
        match range {
            None => self.text = new_text.to_string(),
            Some(r) => {
                let start = self.offset(r.start, encoding);
                let end = self.offset(r.end, encoding).max(start);
                self.text.replace_range(start..end, new_text);
            }
        }
        self.lines = Lines::new(&self.text);
    }
}

/// The path of a `file:` URI (percent-decoded); `None` for other schemes.
pub fn path_of(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file:///p`, or `file://localhost/p`; another host names no local file.
    let path = match rest.find('/') {
        Some(0) => rest,
        Some(i) if rest[..i].eq_ignore_ascii_case("localhost") => &rest[i..],
        _ => return None,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let bytes = percent_decode(path)?;
    // `/C:/dir` on Windows is `C:/dir`.
    #[cfg(windows)]
    let bytes = match bytes.as_slice() {
        [b'/', d, b':', ..] if d.is_ascii_alphabetic() => bytes[1..].to_vec(),
        _ => bytes,
    };
    Some(path_from_bytes(bytes))
}

#[cfg(unix)]
fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(bytes))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The `file:` URI of an absolute path, every byte but unreserved ones and `/` escaped.
pub fn uri_of(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut out = String::from("file://");
    if !text.starts_with('/') {
        out.push('/');
    }
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    #[test]
    fn ascii_positions_are_the_same_in_both_encodings() {
        let text = "server {\n  listen 80;\n}\n";
        let lines = Lines::new(text);
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            assert_eq!(lines.position(text, 0, enc), pos(0, 0));
            assert_eq!(lines.position(text, 11, enc), pos(1, 2));
            assert_eq!(lines.offset(text, pos(1, 2), enc), 11);
            assert_eq!(lines.position(text, text.len(), enc), pos(3, 0));
        }
    }

    #[test]
    fn non_ascii_columns_count_code_units() {
        // `é` is 2 bytes and 1 UTF-16 unit; `x` follows it.
        let text = "# café\nadd_header X é;\n";
        let lines = Lines::new(text);
        let x = text.rfind('é').unwrap() + 'é'.len_utf8();
        assert_eq!(lines.position(text, x, Encoding::Utf16), pos(1, 14));
        assert_eq!(lines.position(text, x, Encoding::Utf8), pos(1, 15));
        assert_eq!(lines.offset(text, pos(1, 14), Encoding::Utf16), x);
        assert_eq!(lines.offset(text, pos(1, 15), Encoding::Utf8), x);
    }

    #[test]
    fn astral_characters_are_two_utf16_units() {
        let text = "a😀b";
        let lines = Lines::new(text);
        let b = text.find('b').unwrap();
        assert_eq!(b, 5);
        assert_eq!(lines.position(text, b, Encoding::Utf16), pos(0, 3));
        assert_eq!(lines.position(text, b, Encoding::Utf8), pos(0, 5));
        assert_eq!(lines.offset(text, pos(0, 3), Encoding::Utf16), b);
        // Between the two halves of the surrogate pair: the character's start.
        assert_eq!(lines.offset(text, pos(0, 2), Encoding::Utf16), 1);
        // An offset inside the character's bytes: its start.
        assert_eq!(lines.position(text, 3, Encoding::Utf16), pos(0, 1));
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let text = "a\r\nbb\rc\n";
        let lines = Lines::new(text);
        let enc = Encoding::Utf16;
        assert_eq!(lines.position(text, 3, enc), pos(1, 0));
        assert_eq!(lines.position(text, 6, enc), pos(2, 0));
        // A column past the end of a line is the end of its content, not past its break.
        assert_eq!(lines.offset(text, pos(0, 9), enc), 1);
        assert_eq!(lines.offset(text, pos(1, 9), enc), 5);
        // A line past the last: the end.
        assert_eq!(lines.offset(text, pos(9, 0), enc), text.len());
    }

    #[test]
    fn incremental_edits() {
        let mut t = Text::new("héllo\nworld\n".into(), 1);
        t.apply(Some(Range::new(pos(0, 1), pos(0, 2))), "e", Encoding::Utf16);
        assert_eq!(t.text, "hello\nworld\n");
        t.apply(
            Some(Range::new(pos(1, 5), pos(1, 5))),
            "!\r\nnew",
            Encoding::Utf16,
        );
        assert_eq!(t.text, "hello\nworld!\r\nnew\n");
        assert_eq!(t.position(t.text.len(), Encoding::Utf16), pos(3, 0));
        t.apply(None, "all new", Encoding::Utf16);
        assert_eq!(t.text, "all new");
    }

    #[test]
    fn file_uris_round_trip() {
        let p = Path::new("/tmp/a dir/cors é.yaml");
        let uri = uri_of(p);
        assert_eq!(uri, "file:///tmp/a%20dir/cors%20%C3%A9.yaml");
        assert_eq!(path_of(&uri).as_deref(), Some(p));
        assert_eq!(
            path_of("file://localhost/etc/nginx.conf").as_deref(),
            Some(Path::new("/etc/nginx.conf"))
        );
        assert_eq!(path_of("untitled:Untitled-1"), None);
        assert_eq!(path_of("file://server/share/x"), None);
    }
}
