//! Byte offset -> 1-based line and column.

use super::Encoding;

/// 1-based line and column; the column counts characters, not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// The offset where each line starts: `\n`, `\r\n` and a lone `\r` end a line.
pub fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => starts.push(i + 1),
            b'\r' => {
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                starts.push(i + 1);
            }
            _ => {}
        }
        i += 1;
    }
    starts
}

/// Start offsets of every line. `\n`, `\r\n` and a lone `\r` end a line, as in Java's
/// `LineReader` and in editors.
pub struct LineIndex {
    starts: Vec<usize>,
    encoding: Encoding,
}

impl LineIndex {
    pub fn new(bytes: &[u8], encoding: Encoding) -> Self {
        LineIndex {
            starts: line_starts(bytes),
            encoding,
        }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Position of `offset` (clamped to the file). An offset inside a `\r\n` pair counts as
    /// the end of its line.
    pub fn position(&self, bytes: &[u8], offset: usize) -> Position {
        let offset = offset.min(bytes.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line];
        let column = 1 + count_chars(&bytes[start..offset], self.encoding);
        Position {
            line: line + 1,
            column,
        }
    }
}

fn count_chars(bytes: &[u8], encoding: Encoding) -> usize {
    match encoding {
        Encoding::Latin1 => bytes.len(),
        Encoding::Utf8 => match std::str::from_utf8(bytes) {
            Ok(s) => s.chars().count(),
            // Lossy decoding: each invalid byte is one replacement character.
            Err(_) => String::from_utf8_lossy(bytes).chars().count(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(src: &[u8], enc: Encoding, off: usize) -> (usize, usize) {
        let p = LineIndex::new(src, enc).position(src, off);
        (p.line, p.column)
    }

    #[test]
    fn all_three_line_ends_count() {
        let src = b"a\nb\r\nc\rd";
        assert_eq!(pos(src, Encoding::Latin1, 0), (1, 1));
        assert_eq!(pos(src, Encoding::Latin1, 2), (2, 1));
        assert_eq!(pos(src, Encoding::Latin1, 5), (3, 1));
        assert_eq!(pos(src, Encoding::Latin1, 7), (4, 1));
        assert_eq!(pos(src, Encoding::Latin1, 8), (4, 2));
    }

    #[test]
    fn columns_count_characters() {
        let latin1 = b"\xe9\xe9x";
        assert_eq!(pos(latin1, Encoding::Latin1, 2), (1, 3));
        let utf8 = "ééx".as_bytes();
        assert_eq!(pos(utf8, Encoding::Utf8, 4), (1, 3));
    }
}
