//! `java.util.Properties.load(InputStream)` with a byte span for every key and value.
//!
//! `grammar/properties.pest` finds the logical lines (comments, keys, separators, values);
//! [`decode`] then removes continuations and resolves escapes exactly as JDK 17's
//! `loadConvert` does, keeping the file bytes of every decoded character.

mod decode;

use crate::source::{MappedText, Span, project_to_ascii};
use pest::Parser;
use pest_derive::Parser;

#[derive(Parser)]
#[grammar = "grammar/properties.pest"]
struct PropertiesGrammar;

/// One `key=value` logical line.
#[derive(Clone, Debug)]
pub struct Entry {
    pub key: MappedText,
    pub value: MappedText,
    /// The key as written (escapes and continuations included); empty at the line start
    /// when the key is empty (`=value`).
    pub key_span: Span,
    /// The value as written; empty at the end of the line when the value is empty.
    pub value_span: Span,
    /// The whole logical line.
    pub span: Span,
}

#[derive(Clone, Debug, Default)]
pub struct PropertiesFile {
    /// Entries in file order (duplicates included; Java keeps the last).
    pub entries: Vec<Entry>,
    /// `#` and `!` comment lines.
    pub comments: Vec<Span>,
}

/// Input `Properties.load` rejects: it throws `IllegalArgumentException`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub span: Span,
    pub message: String,
}

pub fn parse(bytes: &[u8]) -> Result<PropertiesFile, ParseError> {
    let projected = project_to_ascii(bytes);
    let file = PropertiesGrammar::parse(Rule::file, &projected)
        .map_err(|e| {
            // The grammar accepts every input; this is a bug, reported instead of a panic.
            let at = match e.location {
                pest::error::InputLocation::Pos(p) => p,
                pest::error::InputLocation::Span((s, _)) => s,
            };
            ParseError {
                span: Span::empty(at),
                message: format!(
                    "internal error: the properties grammar rejected this input ({e})"
                ),
            }
        })?
        .next()
        .expect("the `file` rule always yields one pair");

    let mut out = PropertiesFile::default();
    for pair in file.into_inner() {
        match pair.as_rule() {
            Rule::comment => out.comments.push(span_of(&pair)),
            Rule::entry => {
                let span = span_of(&pair);
                let mut parts = pair.into_inner();
                let (Some(key), Some(_sep), Some(value)) =
                    (parts.next(), parts.next(), parts.next())
                else {
                    unreachable!("entry = key ~ sep ~ value");
                };
                let key_span = span_of(&key);
                let value_span = span_of(&value);
                out.entries.push(Entry {
                    key: decode::decode(bytes, key_span)?,
                    value: decode::decode(bytes, value_span)?,
                    key_span,
                    value_span,
                    span,
                });
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The keys as written, without decoding escapes (never fails: the grammar accepts every
/// input). For recognising a file whose values `load` would reject.
pub fn raw_keys(bytes: &[u8]) -> Vec<(String, Span)> {
    let projected = project_to_ascii(bytes);
    let Ok(mut pairs) = PropertiesGrammar::parse(Rule::file, &projected) else {
        return Vec::new();
    };
    let Some(file) = pairs.next() else {
        return Vec::new();
    };
    file.into_inner()
        .filter(|p| p.as_rule() == Rule::entry)
        .filter_map(|e| e.into_inner().next())
        .map(|k| (k.as_str().replace('\\', ""), span_of(&k)))
        .collect()
}

fn span_of(pair: &pest::iterators::Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(src: &[u8]) -> Vec<(String, String)> {
        parse(src)
            .unwrap()
            .entries
            .into_iter()
            .map(|e| (e.key.as_str().to_string(), e.value.as_str().to_string()))
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn separators_and_comments() {
        assert_eq!(
            kv(b"# c\n! c\n  # c\na=1\nb:2\nc 3\nd  =  4  \ne = : f\ng\nh=\n=noKey\n:alsoNoKey\n"),
            pairs(&[
                ("a", "1"),
                ("b", "2"),
                ("c", "3"),
                ("d", "4  "),
                ("e", ": f"),
                ("g", ""),
                ("h", ""),
                ("", "noKey"),
                ("", "alsoNoKey")
            ])
        );
    }

    #[test]
    fn continuations_and_escapes() {
        assert_eq!(
            kv(b"k=first, \\\n        second, \\\n   third\nkey\\\n  cont=val\nu=caf\\u00e9\ne=a\\tb\\nc\\\\d\\qe\n"),
            pairs(&[
                ("k", "first, second, third"),
                ("keycont", "val"),
                ("u", "café"),
                ("e", "a\tb\nc\\dqe")
            ])
        );
    }

    #[test]
    fn unicode_escape_may_span_a_continuation() {
        assert_eq!(kv(b"k=\\u00\\\n   e9"), pairs(&[("k", "é")]));
    }

    #[test]
    fn leading_continuation_keeps_the_line_empty() {
        // Java: a `\`+EOL at the start of a logical line leaves it empty, so `#` still
        // starts a comment afterwards.
        assert_eq!(kv(b"\\\n# c=1\na=2"), pairs(&[("a", "2")]));
        assert_eq!(kv(b"   \\\n\n  b=3"), pairs(&[("b", "3")]));
    }

    #[test]
    fn trailing_backslash_at_eof() {
        assert_eq!(kv(b"a=1\\"), pairs(&[("a", "1")]));
        assert_eq!(kv(b"last=\\"), pairs(&[("last", "")]));
        assert_eq!(kv(b"\\"), pairs(&[("", "")]));
    }

    #[test]
    fn latin1_and_bom() {
        assert_eq!(kv(b"k=caf\xe9"), pairs(&[("k", "café")]));
        assert_eq!(
            kv(b"\xef\xbb\xbfa=1"),
            pairs(&[("\u{ef}\u{bb}\u{bf}a", "1")])
        );
    }

    #[test]
    fn line_ends() {
        assert_eq!(
            kv(b"cr=1\rcrlf=2\r\nlf=3\n"),
            pairs(&[("cr", "1"), ("crlf", "2"), ("lf", "3")])
        );
        assert_eq!(kv(b"a=1\\\r\n  2\\\r  3"), pairs(&[("a", "123")]));
    }

    #[test]
    fn spans_point_at_the_written_bytes() {
        let src = b"  cors_allowed_origin : https://a.example   \n";
        let f = parse(src).unwrap();
        let e = &f.entries[0];
        assert_eq!(&src[e.key_span.range()], b"cors_allowed_origin");
        assert_eq!(&src[e.value_span.range()], b"https://a.example   ");
        assert_eq!(e.value.span_of(0..5), Span::new(24, 29));
    }

    #[test]
    fn malformed_unicode_escape_is_an_error() {
        let err = parse(b"a=1\nk=\\u12G4\n").unwrap_err();
        assert_eq!(err.span, Span::new(6, 12));
        assert!(err.message.contains("malformed"), "{}", err.message);
        let err = parse(b"k=\\u12").unwrap_err();
        assert_eq!(err.span, Span::new(2, 6));
    }
}
