//! A printable copy of a file for the graphical report.
//!
//! Config files can hold control characters (a NUL, an ESC that would drive the terminal, a
//! lone CR that would overwrite the line). The report shows them as Unicode control pictures,
//! turns a lone CR into a line break (so the report's line numbers match ours) and drops the
//! CR of a CRLF. File offsets map to display offsets through sparse checkpoints.

use super::Encoding;

const CHECKPOINT_EVERY: usize = 1024;

pub struct DisplayText {
    text: String,
    /// `(file offset, display offset)` at character boundaries, ascending.
    checkpoints: Vec<(usize, usize)>,
    bytes_len: usize,
}

impl DisplayText {
    pub fn new(bytes: &[u8], encoding: Encoding) -> Self {
        let mut text = String::with_capacity(bytes.len());
        let mut checkpoints = vec![(0, 0)];
        let mut i = 0;
        while i < bytes.len() {
            if i >= checkpoints.last().map_or(0, |c| c.0) + CHECKPOINT_EVERY {
                checkpoints.push((i, text.len()));
            }
            let (len, piece) = step(bytes, i, encoding);
            piece.push_to(&mut text);
            i += len;
        }
        DisplayText {
            text,
            checkpoints,
            bytes_len: bytes.len(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Display offset of a file offset (an offset inside a character maps to its start).
    pub fn offset(&self, bytes: &[u8], encoding: Encoding, file_offset: usize) -> usize {
        let target = file_offset.min(self.bytes_len);
        let idx = match self.checkpoints.binary_search_by_key(&target, |c| c.0) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let (mut i, mut out) = self.checkpoints[idx];
        while i < target {
            let (len, piece) = step(bytes, i, encoding);
            if i + len > target {
                break;
            }
            out += piece.len();
            i += len;
        }
        out
    }
}

enum Piece {
    Char(char),
    Nothing,
}

impl Piece {
    fn len(&self) -> usize {
        match self {
            Piece::Char(c) => c.len_utf8(),
            Piece::Nothing => 0,
        }
    }

    fn push_to(&self, s: &mut String) {
        if let Piece::Char(c) = self {
            s.push(*c);
        }
    }
}

/// Length in file bytes of the character at `i`, and what it shows as.
fn step(bytes: &[u8], i: usize, encoding: Encoding) -> (usize, Piece) {
    let b = bytes[i];
    if b == b'\r' {
        return if bytes.get(i + 1) == Some(&b'\n') {
            (1, Piece::Nothing)
        } else {
            (1, Piece::Char('\n'))
        };
    }
    if b < 0x80 {
        return (1, Piece::Char(visible(b as char)));
    }
    match encoding {
        Encoding::Latin1 => (1, Piece::Char(visible(b as char))),
        Encoding::Utf8 => {
            let end = (i + 4).min(bytes.len());
            match std::str::from_utf8(&bytes[i..end]) {
                Ok(s) => first_char(s),
                Err(e) if e.valid_up_to() > 0 => first_char(
                    std::str::from_utf8(&bytes[i..i + e.valid_up_to()]).unwrap_or("\u{FFFD}"),
                ),
                Err(_) => (1, Piece::Char('\u{FFFD}')),
            }
        }
    }
}

fn first_char(s: &str) -> (usize, Piece) {
    let c = s.chars().next().unwrap_or('\u{FFFD}');
    (c.len_utf8(), Piece::Char(visible(c)))
}

/// Control characters become control pictures; C1 controls become U+FFFD.
fn visible(c: char) -> char {
    match c {
        '\t' | '\n' => c,
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'),
        '\u{7f}' => '\u{2421}',
        '\u{80}'..='\u{9f}' => '\u{FFFD}',
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_pictured_and_offsets_follow() {
        let bytes = b"a\x1b[31mb\r\nc\rd\xe9";
        let d = DisplayText::new(bytes, Encoding::Latin1);
        assert_eq!(d.text(), "a\u{241b}[31mb\nc\nd\u{e9}");
        // 'b' is at file offset 6; ESC took 3 display bytes instead of 1.
        assert_eq!(d.offset(bytes, Encoding::Latin1, 6), 8);
        // after the dropped CR of CRLF
        assert_eq!(d.offset(bytes, Encoding::Latin1, 9), 10);
        // end of file
        assert_eq!(
            d.offset(bytes, Encoding::Latin1, bytes.len()),
            d.text().len()
        );
    }

    #[test]
    fn checkpoints_agree_with_a_full_scan() {
        let mut bytes = Vec::new();
        for i in 0..5000u32 {
            bytes.push((i % 251) as u8);
        }
        let d = DisplayText::new(&bytes, Encoding::Latin1);
        let mut expected = 0;
        for i in 0..bytes.len() {
            assert_eq!(
                d.offset(&bytes, Encoding::Latin1, i),
                expected,
                "offset {i}"
            );
            expected += step(&bytes, i, Encoding::Latin1).1.len();
        }
    }
}
