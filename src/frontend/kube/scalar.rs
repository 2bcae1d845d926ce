//! A YAML scalar's decoded text, mapped back to the file bytes of each character.
//!
//! saphyr gives a scalar's text and the span of its written form; this module re-reads the
//! written form by the YAML 1.2 rules of its style (plain and quoted line folding, double-
//! quoted escapes, literal and folded block scalars with chomping) and records, for every
//! decoded character, the bytes it came from — so one origin inside a multi-line
//! `cors-allow-origin` gets its exact bytes. The decoding must equal saphyr's text; when it
//! does not (a construct this module does not know), the whole written form stands for
//! every character (`MappedText::opaque`), which is coarse but never wrong.

use super::yaml::CharMap;
use crate::source::{MappedText, Span};
use saphyr::{MarkedYaml, YamlData};
use saphyr_parser::ScalarStyle;

/// The scalar's text, mapped; `None` for a non-scalar node.
pub fn mapped(src: &str, chars: &CharMap, node: &MarkedYaml) -> Option<MappedText> {
    let (text, ..) = super::yaml::scalar(node)?;
    Some(exact(src, chars, node).unwrap_or_else(|| {
        MappedText::opaque(text.to_string(), trim_end(src, chars.span(&node.span)))
    }))
}

/// The scalar's text mapped character by character, or `None` when this module's decoding
/// of the written form does not reproduce saphyr's text (or the node is not a scalar).
pub fn exact(src: &str, chars: &CharMap, node: &MarkedYaml) -> Option<MappedText> {
    let (text, style, _) = super::yaml::scalar(node)?;
    let span = chars.span(&node.span);
    // An alias node carries its anchor's text and style but spans only `*name`.
    let written = src.get(span.range()).unwrap_or("");
    let alias = matches!(node.data, YamlData::Representation(..))
        && written.starts_with('*')
        && !written.contains(char::is_whitespace)
        && !(matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
            && header(src, span.start).is_some());
    if alias {
        // An alias node repeats its anchor's text; its own bytes are the `*name`.
        return Some(MappedText::opaque(text.to_string(), span));
    }
    let decoded = match style {
        ScalarStyle::Plain => plain(src, span),
        ScalarStyle::SingleQuoted => quoted(src, span, '\''),
        ScalarStyle::DoubleQuoted => quoted(src, span, '"'),
        ScalarStyle::Literal | ScalarStyle::Folded => block(
            src,
            span,
            node.span.start.col(),
            style == ScalarStyle::Folded,
        ),
    };
    decoded.filter(|m| m.as_str() == text)
}

/// The bytes a finding about the whole value should label: the written form without the
/// line breaks and indentation a block scalar's span swallows.
pub fn written(src: &str, chars: &CharMap, node: &MarkedYaml) -> Span {
    trim_end(src, chars.span(&node.span))
}

fn trim_end(src: &str, span: Span) -> Span {
    let s = src.get(span.range()).unwrap_or("");
    Span::new(span.start, span.start + s.trim_end().len())
}

/// Skip node properties (`&anchor`, `!tag`) written before the value itself.
fn skip_properties(src: &str, mut at: usize, end: usize) -> usize {
    loop {
        let rest = &src[at..end];
        if rest.starts_with('&') || rest.starts_with('!') {
            let word = rest.find([' ', '\t', '\n', '\r']).unwrap_or(rest.len());
            at += word;
            let ws = src[at..end].len() - src[at..end].trim_start().len();
            at += ws;
        } else {
            return at;
        }
    }
}

fn is_break(c: char) -> bool {
    c == '\n' || c == '\r'
}

fn is_white(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Decoder state shared by the flow styles: literal white space is held back until the
/// next content character (it is dropped before a line break), and line breaks fold.
struct Flow {
    out: MappedText,
    /// Literal spaces/tabs not yet emitted.
    white: Vec<(char, Span)>,
    /// Line breaks seen since the last content: their spans.
    breaks: Vec<Span>,
}

impl Flow {
    fn new(at: usize) -> Flow {
        Flow {
            out: MappedText::empty(Span::empty(at)),
            white: Vec::new(),
            breaks: Vec::new(),
        }
    }

    fn content(&mut self, c: char, span: Span) {
        self.flush_breaks();
        for (w, s) in self.white.drain(..) {
            self.out.push(w, s);
        }
        self.out.push(c, span);
    }

    fn white(&mut self, c: char, span: Span) {
        if self.breaks.is_empty() {
            self.white.push((c, span));
        }
        // After a break, leading white space of the continuation line is dropped.
    }

    fn line_break(&mut self, span: Span) {
        self.white.clear();
        self.breaks.push(span);
    }

    /// One break folds into a space; n > 1 breaks leave n - 1 line feeds.
    fn flush_breaks(&mut self) {
        match self.breaks.len() {
            0 => {}
            1 => self.out.push(' ', self.breaks[0]),
            _ => {
                let rest: Vec<Span> = self.breaks.drain(1..).collect();
                for s in rest {
                    self.out.push('\n', s);
                }
            }
        }
        self.breaks.clear();
    }

    /// An escaped character: content, but never dropped as trailing white space.
    fn escaped(&mut self, c: char, span: Span) {
        self.content(c, span);
    }
}

/// Characters of `src[start..end]` with their byte spans; `\r\n` is one break.
fn chars_with_spans(src: &str, start: usize, end: usize) -> Vec<(char, Span)> {
    let mut out = Vec::new();
    let mut it = src[start..end].char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let s = start + i;
        if c == '\r' && it.peek().is_some_and(|(_, n)| *n == '\n') {
            it.next();
            out.push(('\n', Span::new(s, s + 2)));
        } else {
            out.push((c, Span::new(s, s + c.len_utf8())));
        }
    }
    out
}

fn plain(src: &str, span: Span) -> Option<MappedText> {
    let start = skip_properties(src, span.start, span.end);
    let mut f = Flow::new(start);
    for (c, s) in chars_with_spans(src, start, span.end) {
        if is_break(c) {
            f.line_break(s);
        } else if is_white(c) {
            f.white(c, s);
        } else {
            f.content(c, s);
        }
    }
    Some(f.out.with_whole(Span::new(span.start, span.end)))
}

fn quoted(src: &str, span: Span, quote: char) -> Option<MappedText> {
    let start = skip_properties(src, span.start, span.end);
    let chars = chars_with_spans(src, start, span.end);
    let (first, rest) = chars.split_first()?;
    if first.0 != quote {
        return None;
    }
    let mut f = Flow::new(first.1.end);
    let mut i = 0;
    while i < rest.len() {
        let (c, s) = rest[i];
        if c == quote {
            if quote == '\'' && rest.get(i + 1).is_some_and(|n| n.0 == '\'') {
                f.escaped('\'', s.cover(rest[i + 1].1));
                i += 2;
                continue;
            }
            // The closing quote: white space before it is content.
            for (w, ws) in std::mem::take(&mut f.white) {
                if f.breaks.is_empty() {
                    f.out.push(w, ws);
                }
            }
            f.flush_breaks();
            return Some(f.out.with_whole(Span::new(span.start, span.end)));
        }
        if quote == '"' && c == '\\' {
            let (decoded, used) = escape(&rest[i + 1..])?;
            let esc_span = s.cover(rest[i + used].1);
            match decoded {
                Escape::Char(d) => f.escaped(d, esc_span),
                Escape::LineContinuation => {
                    // `\` before a break: keep the white space before it, drop the break
                    // and the next line's indentation.
                    for (w, ws) in std::mem::take(&mut f.white) {
                        f.out.push(w, ws);
                    }
                    i += used + 1;
                    while i < rest.len() && is_white(rest[i].0) {
                        i += 1;
                    }
                    continue;
                }
            }
            i += used + 1;
            continue;
        }
        if is_break(c) {
            f.line_break(s);
        } else if is_white(c) {
            f.white(c, s);
        } else {
            f.content(c, s);
        }
        i += 1;
    }
    None
}

enum Escape {
    Char(char),
    LineContinuation,
}

/// A double-quoted escape after its `\`: the character and how many source characters
/// follow the backslash.
fn escape(after: &[(char, Span)]) -> Option<(Escape, usize)> {
    let (c, _) = *after.first()?;
    let simple = match c {
        '0' => Some('\0'),
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        't' | '\t' => Some('\t'),
        'n' => Some('\n'),
        'v' => Some('\u{b}'),
        'f' => Some('\u{c}'),
        'r' => Some('\r'),
        'e' => Some('\u{1b}'),
        ' ' => Some(' '),
        '"' => Some('"'),
        '/' => Some('/'),
        '\\' => Some('\\'),
        'N' => Some('\u{85}'),
        '_' => Some('\u{a0}'),
        'L' => Some('\u{2028}'),
        'P' => Some('\u{2029}'),
        _ => None,
    };
    if let Some(d) = simple {
        return Some((Escape::Char(d), 1));
    }
    if is_break(c) {
        return Some((Escape::LineContinuation, 1));
    }
    let digits = match c {
        'x' => 2,
        'u' => 4,
        'U' => 8,
        _ => return None,
    };
    let hex: String = after.get(1..=digits)?.iter().map(|(h, _)| *h).collect();
    let code = u32::from_str_radix(&hex, 16).ok()?;
    Some((Escape::Char(char::from_u32(code)?), digits + 1))
}

/// A literal (`|`) or folded (`>`) block scalar. `span` starts at the first content
/// character (saphyr), whose column is the block's indentation.
fn block(src: &str, span: Span, indent: usize, folded: bool) -> Option<MappedText> {
    let (header_end, chomp) = header(src, span.start)?;
    // Lines after the header, up to the end of the span.
    let region = chars_with_spans(src, header_end, span.end.max(header_end));
    let mut lines: Vec<Line> = Vec::new();
    let mut current: Vec<(char, Span)> = Vec::new();
    for (c, s) in region {
        if c == '\n' || c == '\r' {
            lines.push(Line::new(std::mem::take(&mut current), Some(s), indent));
        } else {
            current.push((c, s));
        }
    }
    if !current.is_empty() {
        lines.push(Line::new(current, None, indent));
    }
    let mut out = MappedText::empty(Span::empty(span.start));
    // Index of the last line with content; breaks after it are subject to chomping.
    let last = lines.iter().rposition(|l| !l.empty);
    let Some(last) = last else {
        // Only empty lines: strip and clip give "", keep gives every break.
        if chomp == Chomp::Keep {
            for l in &lines {
                out.push('\n', l.brk?);
            }
        }
        return Some(out.with_whole(span));
    };
    let mut prev_text: Option<bool> = None; // kind of the previous content line
    let mut pending: Vec<Span> = Vec::new(); // breaks since the previous content line
    for l in &lines[..=last] {
        if l.empty {
            if let Some(b) = l.brk {
                pending.push(b);
            }
            continue;
        }
        let text = !l.more_indented;
        match prev_text {
            None => {
                for b in pending.drain(..) {
                    out.push('\n', b);
                }
            }
            Some(prev) => {
                let (first, rest) = pending.split_first()?;
                if folded && prev && text {
                    if rest.is_empty() {
                        out.push(' ', *first);
                    }
                    for b in rest {
                        out.push('\n', *b);
                    }
                } else {
                    for b in &pending {
                        out.push('\n', *b);
                    }
                }
                pending.clear();
            }
        }
        for &(c, s) in &l.content {
            out.push(c, s);
        }
        if let Some(b) = l.brk {
            pending.push(b);
        }
        prev_text = Some(text);
    }
    // Trailing breaks: the content line's own break, then empty lines.
    for l in &lines[last + 1..] {
        if let Some(b) = l.brk {
            pending.push(b);
        }
    }
    match chomp {
        Chomp::Strip => {}
        Chomp::Clip => {
            if let Some(b) = pending.first() {
                out.push('\n', *b);
            }
        }
        Chomp::Keep => {
            for b in &pending {
                out.push('\n', *b);
            }
        }
    }
    Some(out.with_whole(span))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Chomp {
    Strip,
    Clip,
    Keep,
}

struct Line {
    content: Vec<(char, Span)>,
    brk: Option<Span>,
    empty: bool,
    more_indented: bool,
}

impl Line {
    fn new(chars: Vec<(char, Span)>, brk: Option<Span>, indent: usize) -> Line {
        let lead = chars.iter().take_while(|(c, _)| *c == ' ').count();
        let blank = chars.iter().all(|(c, _)| is_white(*c));
        if blank && lead <= indent {
            return Line {
                content: Vec::new(),
                brk,
                empty: true,
                more_indented: false,
            };
        }
        let content: Vec<(char, Span)> = chars.into_iter().skip(indent.min(lead)).collect();
        let more_indented = content.first().is_some_and(|(c, _)| is_white(*c));
        Line {
            content,
            brk,
            empty: false,
            more_indented,
        }
    }
}

/// Find the block header (`|`, `>`, chomping and indentation indicators) on the last line
/// before the content that is not blank; return where its line ends and the chomping.
fn header(src: &str, content_start: usize) -> Option<(usize, Chomp)> {
    let before = &src[..content_start];
    // Walk back over the content line's indentation and any blank lines.
    let mut line_end = before.trim_end_matches([' ', '\t', '\n', '\r']).len();
    // The header line is the line containing `line_end - 1`.
    let line_start = before[..line_end].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let line = &before[line_start..line_end];
    let mut found = None;
    for (i, c) in line.char_indices() {
        if (c == '|' || c == '>') && header_rest_ok(&line[i + 1..]) {
            found = Some((i, c));
            break;
        }
    }
    let (i, _) = found?;
    let indicators: String = line[i + 1..]
        .chars()
        .take_while(|c| *c == '-' || *c == '+' || c.is_ascii_digit())
        .collect();
    let chomp = if indicators.contains('-') {
        Chomp::Strip
    } else if indicators.contains('+') {
        Chomp::Keep
    } else {
        Chomp::Clip
    };
    // The region starts after the header line's break.
    let rest = &src[line_end..content_start];
    let brk = rest.find(['\n', '\r'])?;
    line_end += brk;
    if src[line_end..].starts_with("\r\n") {
        line_end += 2;
    } else {
        line_end += 1;
    }
    Some((line_end, chomp))
}

fn header_rest_ok(rest: &str) -> bool {
    let ind = rest
        .find(|c: char| !(c == '-' || c == '+' || c.is_ascii_digit()))
        .unwrap_or(rest.len());
    let after = &rest[ind..];
    let trimmed = after.trim_start_matches([' ', '\t']);
    trimmed.is_empty() || (trimmed.starts_with('#') && trimmed.len() < after.len())
}

#[cfg(test)]
mod tests {
    use super::super::yaml::{self, CharMap};
    use super::*;

    /// The mapped text of `key`'s value in a one-document file.
    fn value(src: &str, key: &str) -> MappedText {
        let chars = CharMap::new(src);
        let docs = yaml::load(src, &chars).unwrap();
        let (_, v) = yaml::get(&docs[0], key).unwrap();
        let m = mapped(src, &chars, v).unwrap();
        let (text, ..) = yaml::scalar(v).unwrap();
        assert_eq!(m.as_str(), text);
        m
    }

    /// The file bytes of the decoded text's `part` (first occurrence).
    fn bytes_of<'s>(src: &'s str, m: &MappedText, part: &str) -> &'s str {
        let at = m.as_str().find(part).expect("part of the value");
        &src[m.span_of(at..at + part.len()).range()]
    }

    #[test]
    fn plain_multi_line_folds_and_maps() {
        let src = "a: https://x.example,\n   https://y.example\n";
        let m = value(src, "a");
        assert_eq!(m.as_str(), "https://x.example, https://y.example");
        assert_eq!(bytes_of(src, &m, "https://y.example"), "https://y.example");
        assert_eq!(m.span_of(18..19), Span::new(21, 22)); // the folded space is the line break
    }

    #[test]
    fn double_quoted_escapes_map_to_their_escape() {
        let src = "a: \"https://x.\\x65xample,\\u0020https://\\\n    y.example\"\n";
        let m = value(src, "a");
        assert_eq!(m.as_str(), "https://x.example, https://y.example");
        assert_eq!(bytes_of(src, &m, "e"), "\\x65");
        assert_eq!(bytes_of(src, &m, " "), "\\u0020");
        assert_eq!(bytes_of(src, &m, "y.example"), "y.example");
        let all = m.span_of(0..m.as_str().len());
        assert_eq!(&src[all.range()], &src[4..src.len() - 2]);
    }

    #[test]
    fn single_quoted_doubled_quote_and_folding() {
        let src = "a: 'it''s\n  a,   b  '\n";
        let m = value(src, "a");
        assert_eq!(m.as_str(), "it's a,   b  ");
        assert_eq!(bytes_of(src, &m, "'"), "''");
        assert_eq!(bytes_of(src, &m, "b  "), "b  ");
    }

    #[test]
    fn literal_block_keeps_lines_and_maps_each() {
        let src = "a: |\n  https://x.example,\n  https://y.example\nb: 1\n";
        let m = value(src, "a");
        assert_eq!(m.as_str(), "https://x.example,\nhttps://y.example\n");
        assert_eq!(bytes_of(src, &m, "https://y.example"), "https://y.example");
        let nl = m.as_str().len() - 1;
        assert_eq!(&src[m.span_of(nl..nl + 1).range()], "\n");
        assert_eq!(m.span_of(nl..nl + 1).start, 45);
    }

    #[test]
    fn folded_block_with_chomping_and_crlf() {
        let src = "a: >-\r\n  GET,\r\n  PUT\r\n\r\n  POST\r\nb: 1\r\n";
        let m = value(src, "a");
        assert_eq!(m.as_str(), "GET, PUT\nPOST");
        assert_eq!(bytes_of(src, &m, " "), "\r\n");
        assert_eq!(bytes_of(src, &m, "POST"), "POST");
        let keep = "a: |+\n  x\n\n\nb: 1\n";
        assert_eq!(value(keep, "a").as_str(), "x\n\n\n");
    }

    #[test]
    fn non_ascii_maps_to_utf8_bytes() {
        let src = "a: \"grüße, https://ü.example\"\n";
        let m = value(src, "a");
        assert_eq!(bytes_of(src, &m, "ü.example"), "ü.example");
    }

    #[test]
    fn tags_and_anchors_are_skipped() {
        let src = "a: !!str &x  https://x.example\nb: *x\n";
        let m = value(src, "a");
        assert_eq!(bytes_of(src, &m, "https"), "https");
        let alias = value(src, "b");
        assert_eq!(&src[alias.span_of(0..5).range()], "*x");
    }
}
