//! Decoded text that remembers which file bytes each character came from.
//!
//! A value in a config file is rarely its bytes: escapes, continuation lines, quotes and
//! substitutions sit between the two. `MappedText` keeps the decoded string together with a
//! map back to the file, so a rule can label the exact bytes of, say, the second origin of a
//! list even when it was written across two lines with a `\u002C` in between.

use super::Span;
use std::ops::Range;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Segment {
    /// Start of this piece in the decoded text (UTF-8 bytes).
    text_start: usize,
    text_len: usize,
    /// File bytes it came from.
    file: Span,
    /// One decoded byte per file byte (plain ASCII), so offsets inside can be interpolated.
    linear: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct MappedText {
    text: String,
    segments: Vec<Segment>,
    /// Where the text sits when it is empty, and the span of the whole written form.
    whole: Span,
}

impl MappedText {
    /// An empty text located at `at`.
    pub fn empty(whole: Span) -> Self {
        MappedText {
            text: String::new(),
            segments: Vec::new(),
            whole,
        }
    }

    /// Text whose every character comes from the same file bytes (e.g. a substituted
    /// environment variable written as `$$NAME$$`).
    pub fn opaque(text: String, from: Span) -> Self {
        let segments = if text.is_empty() {
            Vec::new()
        } else {
            vec![Segment {
                text_start: 0,
                text_len: text.len(),
                file: from,
                linear: false,
            }]
        };
        MappedText {
            text,
            segments,
            whole: from,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The file bytes of the whole written value (quotes, escapes and continuations included).
    pub fn span(&self) -> Span {
        self.whole
    }

    /// Append a character decoded from `file`.
    pub fn push(&mut self, c: char, file: Span) {
        let text_start = self.text.len();
        self.text.push(c);
        let linear = c.is_ascii() && file.len() == 1;
        if linear
            && let Some(last) = self.segments.last_mut()
            && last.linear
            && last.file.end == file.start
            && last.text_start + last.text_len == text_start
        {
            last.text_len += 1;
            last.file.end += 1;
        } else {
            self.segments.push(Segment {
                text_start,
                text_len: c.len_utf8(),
                file,
                linear,
            });
        }
        self.whole = self.whole.cover(file);
    }

    /// Set the span of the whole written form (e.g. including surrounding quotes).
    pub fn with_whole(mut self, whole: Span) -> Self {
        self.whole = whole;
        self
    }

    /// File bytes of a byte range of the decoded text. An empty range maps to an empty span.
    pub fn span_of(&self, range: Range<usize>) -> Span {
        if self.segments.is_empty() {
            return Span::empty(self.whole.start);
        }
        let start = self.file_start(range.start);
        if range.is_empty() {
            return Span::empty(start);
        }
        let end = self.file_end(range.end);
        Span::new(start, end.max(start))
    }

    /// The part of the text in `range` (byte range of [`Self::as_str`]), still mapped.
    pub fn slice(&self, range: Range<usize>) -> MappedText {
        let mut out = MappedText::empty(self.span_of(range.clone()));
        let mut at = range.start;
        for c in self.text[range].chars() {
            let len = c.len_utf8();
            out.push(c, self.span_of(at..at + len));
            at += len;
        }
        out
    }

    /// The same text with every character's file bytes passed through `f` (e.g. from
    /// offsets in a decoded YAML scalar to offsets in the YAML file).
    pub fn remap(&self, f: &dyn Fn(Span) -> Span) -> MappedText {
        let mut out = MappedText::empty(f(self.whole));
        let mut at = 0;
        for c in self.text.chars() {
            let len = c.len_utf8();
            out.push(c, f(self.span_of(at..at + len)));
            at += len;
        }
        out.whole = f(self.whole);
        out
    }

    fn segment_at(&self, text_offset: usize) -> Option<&Segment> {
        let i = self
            .segments
            .partition_point(|s| s.text_start + s.text_len <= text_offset);
        self.segments.get(i)
    }

    fn file_start(&self, text_offset: usize) -> usize {
        match self.segment_at(text_offset) {
            Some(s) if s.linear => s.file.start + (text_offset - s.text_start),
            Some(s) => s.file.start,
            None => self.segments.last().map_or(self.whole.end, |s| s.file.end),
        }
    }

    fn file_end(&self, text_end: usize) -> usize {
        match self.segment_at(text_end - 1) {
            Some(s) if s.linear => s.file.start + (text_end - s.text_start),
            Some(s) => s.file.end,
            None => self.segments.last().map_or(self.whole.end, |s| s.file.end),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(parts: &[(char, usize, usize)]) -> MappedText {
        let mut t = MappedText::empty(Span::empty(parts[0].1));
        for &(c, s, e) in parts {
            t.push(c, Span::new(s, e));
        }
        t
    }

    #[test]
    fn linear_runs_interpolate() {
        // "abc" from bytes 10..13
        let t = build(&[('a', 10, 11), ('b', 11, 12), ('c', 12, 13)]);
        assert_eq!(t.span_of(1..2), Span::new(11, 12));
        assert_eq!(t.span_of(0..3), Span::new(10, 13));
        assert_eq!(t.span(), Span::new(10, 13));
    }

    #[test]
    fn escapes_map_to_their_whole_escape() {
        // "a,b" where ',' was written as \u002C (bytes 11..17) and 'b' sits after a
        // continuation line at byte 30.
        let t = build(&[('a', 10, 11), (',', 11, 17), ('b', 30, 31)]);
        assert_eq!(t.as_str(), "a,b");
        assert_eq!(t.span_of(1..2), Span::new(11, 17));
        assert_eq!(t.span_of(2..3), Span::new(30, 31));
        assert_eq!(t.span_of(0..3), Span::new(10, 31));
        assert_eq!(t.span_of(3..3), Span::empty(31));
    }

    #[test]
    fn non_ascii_is_one_char_per_file_byte() {
        // 'é' decoded from Latin-1 byte 5 is two UTF-8 bytes in the text
        let t = build(&[('x', 4, 5), ('é', 5, 6), ('y', 6, 7)]);
        assert_eq!(t.span_of(1..3), Span::new(5, 6));
        assert_eq!(t.span_of(3..4), Span::new(6, 7));
    }

    #[test]
    fn slices_keep_their_mapping() {
        let t = build(&[('a', 10, 11), (',', 11, 17), ('b', 30, 31), ('c', 31, 32)]);
        let s = t.slice(1..4);
        assert_eq!(s.as_str(), ",bc");
        assert_eq!(s.span(), Span::new(11, 32));
        assert_eq!(s.span_of(1..3), Span::new(30, 32));
        assert_eq!(t.slice(2..2).span(), Span::empty(30));
    }

    #[test]
    fn remapping_composes_two_maps() {
        // "ab" read from bytes 2..4 of a decoded text, which itself sits at 100.. in a file
        // with an escape (two file bytes) for its character 3.
        let inner = build(&[('a', 2, 3), ('b', 3, 4)]);
        let outer = build(&[
            ('x', 100, 101),
            ('y', 101, 102),
            ('a', 102, 103),
            ('b', 103, 105),
        ]);
        let t = inner.remap(&|s| outer.span_of(s.range()));
        assert_eq!(t.as_str(), "ab");
        assert_eq!(t.span_of(0..1), Span::new(102, 103));
        assert_eq!(t.span_of(1..2), Span::new(103, 105));
        assert_eq!(t.span(), Span::new(102, 105));
    }

    #[test]
    fn opaque_text_maps_everything_to_its_source() {
        let t = MappedText::opaque("https://a.example".into(), Span::new(20, 32));
        assert_eq!(t.span_of(3..5), Span::new(20, 32));
    }
}
