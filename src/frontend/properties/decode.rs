//! From a written key or value to its Java string: JDK 17 `LineReader` (continuations) and
//! `loadConvert` (escapes), with the file bytes of every character kept.

use super::ParseError;
use crate::source::{MappedText, Span};

/// Decode the key or value written at `span`. The span starts and ends on token boundaries
/// of `grammar/properties.pest`, so a `\` is either a continuation or starts an escape pair.
pub fn decode(bytes: &[u8], span: Span) -> Result<MappedText, ParseError> {
    let logical = logical_line(bytes, span);
    let units = load_convert(&logical)?;
    let mut text = MappedText::empty(Span::empty(span.start));
    for (c, from) in utf16_to_chars(&units) {
        text.push(c, from);
    }
    Ok(text.with_whole(span))
}

/// The characters Java's `LineReader` keeps: a `\` + EOL and the next line's leading
/// whitespace are dropped, as is a `\` at end of file. Escape pairs are kept whole.
fn logical_line(bytes: &[u8], span: Span) -> Vec<(u8, usize)> {
    let mut out = Vec::with_capacity(span.len());
    let mut i = span.start;
    while i < span.end {
        let b = bytes[i];
        if b != b'\\' {
            out.push((b, i));
            i += 1;
            continue;
        }
        match bytes[..span.end].get(i + 1) {
            None => i += 1,
            Some(b'\r') | Some(b'\n') => {
                i += 1;
                if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                i += 1;
                while i < span.end && matches!(bytes[i], b' ' | b'\t' | 0x0C) {
                    i += 1;
                }
            }
            Some(&next) => {
                out.push((b, i));
                out.push((next, i + 1));
                i += 2;
            }
        }
    }
    out
}

/// `Properties.loadConvert`: UTF-16 code units with the file bytes each came from.
fn load_convert(logical: &[(u8, usize)]) -> Result<Vec<(u16, Span)>, ParseError> {
    let mut units = Vec::with_capacity(logical.len());
    let mut i = 0;
    while i < logical.len() {
        let (b, at) = logical[i];
        if b != b'\\' || i + 1 >= logical.len() {
            units.push((b as u16, Span::new(at, at + 1)));
            i += 1;
            continue;
        }
        let (esc, esc_at) = logical[i + 1];
        if esc == b'u' {
            let digits = &logical[i + 2..(i + 6).min(logical.len())];
            let end = digits.last().map_or(esc_at + 1, |d| d.1 + 1);
            let bad = || ParseError {
                span: Span::new(at, end),
                message:
                    "malformed \\uxxxx escape: `\\u` must be followed by four hexadecimal digits"
                        .to_string(),
            };
            if digits.len() < 4 {
                return Err(bad());
            }
            let mut value: u16 = 0;
            for &(d, _) in digits {
                let v = (d as char).to_digit(16).ok_or_else(bad)?;
                value = (value << 4) | v as u16;
            }
            units.push((value, Span::new(at, end)));
            i += 6;
        } else {
            let c = match esc {
                b't' => b'\t',
                b'r' => b'\r',
                b'n' => b'\n',
                b'f' => 0x0C,
                other => other,
            };
            units.push((c as u16, Span::new(at, esc_at + 1)));
            i += 2;
        }
    }
    Ok(units)
}

/// Java strings are UTF-16: a `\uD83D\uDE00` pair is one character; a lone surrogate cannot
/// be a Rust `char` and becomes U+FFFD.
fn utf16_to_chars(units: &[(u16, Span)]) -> Vec<(char, Span)> {
    let mut out = Vec::with_capacity(units.len());
    let mut i = 0;
    while i < units.len() {
        let (u, span) = units[i];
        if (0xD800..0xDC00).contains(&u)
            && let Some(&(low, low_span)) = units.get(i + 1)
            && (0xDC00..0xE000).contains(&low)
        {
            let c = 0x10000 + (((u as u32) - 0xD800) << 10) + ((low as u32) - 0xDC00);
            out.push((
                char::from_u32(c).unwrap_or('\u{FFFD}'),
                span.cover(low_span),
            ));
            i += 2;
            continue;
        }
        out.push((char::from_u32(u as u32).unwrap_or('\u{FFFD}'), span));
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(src: &[u8]) -> MappedText {
        decode(src, Span::new(0, src.len())).unwrap()
    }

    #[test]
    fn surrogate_pairs_join() {
        assert_eq!(dec(b"\\uD83D\\uDE00").as_str(), "😀");
        assert_eq!(dec(b"\\uD83Dx").as_str(), "\u{FFFD}x");
    }

    #[test]
    fn escaped_characters_map_to_the_escape() {
        let t = dec(b"a\\,b");
        assert_eq!(t.as_str(), "a,b");
        assert_eq!(t.span_of(1..2), Span::new(1, 3));
    }
}
