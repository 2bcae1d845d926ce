//! YAML streams with exact byte spans, read once with saphyr 0.3 (`YamlLoader<MarkedYaml>`,
//! `early_parse(false)` so every scalar keeps its text and style).
//!
//! saphyr's markers count characters, not bytes (`../shared/facts/rust-stack.md` §1); every
//! position leaves this module as a byte offset through [`CharMap`]. Duplicate keys are an
//! error (saphyr's default, and the API server's: `kubectl` refuses them too), and alias
//! expansion is capped so a "billion laughs" file is an error, not an exhausted machine.
//! The parser's events are fed to the loader here, not through saphyr's recursive
//! `Parser::load`, whose stack a few thousand nested block mappings overflow.

use crate::source::Span;
use saphyr::{MarkedYaml, YamlData, YamlLoader};
use saphyr_parser::{Event, Parser, ScalarStyle, SpannedEventReceiver, Tag};
use std::collections::HashSet;

/// Nodes an alias may expand into across one file; real manifests use a handful.
const ALIAS_LIMIT: usize = 10_000;

/// Deepest nesting of sequences and mappings read. Kubernetes objects nest a few dozen
/// levels; the tree's own walks (and its drop) recurse, so deeper input is refused.
pub const MAX_NESTING: usize = 1_000;

/// saphyr character index → byte offset. Only characters longer than one byte are stored
/// (an ASCII file stores nothing): an offset per character would cost 8 bytes per input byte.
pub struct CharMap {
    /// `(character index, bytes beyond one per character up to and including it)` of every
    /// multi-byte character, in file order.
    wide: Vec<(usize, usize)>,
    /// Characters in the file.
    chars: usize,
    /// Bytes in the file.
    len: usize,
}

impl CharMap {
    pub fn new(src: &str) -> CharMap {
        let mut wide = Vec::new();
        if !src.is_ascii() {
            let mut extra = 0;
            for (i, c) in src.chars().enumerate() {
                if c.len_utf8() > 1 {
                    extra += c.len_utf8() - 1;
                    wide.push((i, extra));
                }
            }
        }
        let extra = wide.last().map_or(0, |&(_, e)| e);
        CharMap {
            wide,
            chars: src.len() - extra,
            len: src.len(),
        }
    }

    /// Byte offset of a character index (clamped to the end of the file).
    pub fn byte(&self, char_index: usize) -> usize {
        if char_index >= self.chars {
            return self.len;
        }
        // The wide characters before this one add their extra bytes.
        match self.wide.partition_point(|&(i, _)| i < char_index) {
            0 => char_index,
            n => char_index + self.wide[n - 1].1,
        }
    }

    pub fn span(&self, s: &saphyr_parser::Span) -> Span {
        let start = self.byte(s.start.index());
        Span::new(start, self.byte(s.end.index()).max(start))
    }
}

/// A YAML syntax error at a byte offset.
#[derive(Debug, Clone)]
pub struct YamlError {
    pub at: usize,
    pub message: String,
    /// cors-lint's own limit, not a YAML error: other YAML readers may take the file.
    pub limit: bool,
}

/// Every document of the stream, in order.
pub fn load<'a>(src: &'a str, chars: &CharMap) -> Result<Vec<MarkedYaml<'a>>, YamlError> {
    let mut loader: YamlLoader<MarkedYaml> = YamlLoader::default();
    loader.early_parse(false);
    loader.alias_limit(ALIAS_LIMIT);
    let fail = |index: usize, message: String| YamlError {
        at: chars.byte(index),
        // saphyr-parser's own cap on flow nesting.
        limit: message == "recursion limit exceeded",
        message,
    };
    let mut parser = Parser::new_from_str(src);
    // The anchor of each open sequence or mapping (0: none), innermost last.
    let mut open: Vec<usize> = Vec::new();
    // Anchors whose node is complete in the current document: each document of a stream is
    // its own (saphyr's parser would resolve an alias to an earlier document's anchor, and
    // to a node that contains the alias; go-yaml refuses both).
    let mut anchors: HashSet<usize> = HashSet::new();
    while let Some(next) = parser.next_event() {
        // saphyr's text says "at byte N" where N counts characters: keep only the reason.
        let (event, span) = next.map_err(|e| fail(e.marker().index(), e.info().to_string()))?;
        match &event {
            Event::DocumentStart(_) => anchors.clear(),
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if open.len() == MAX_NESTING {
                    return Err(YamlError {
                        limit: true,
                        ..fail(span.start.index(), String::new())
                    });
                }
                open.push(*anchor);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                anchors.extend(open.pop());
            }
            Event::Scalar(_, _, anchor, _) => {
                anchors.insert(*anchor);
            }
            Event::Alias(id) if !anchors.contains(id) => {
                let why = if open.contains(id) {
                    "found an alias inside the value of its own anchor"
                } else {
                    "found an alias to an anchor of another document"
                };
                return Err(fail(span.start.index(), why.into()));
            }
            _ => {}
        }
        loader.on_event(event, span);
        if let Some(e) = loader.error() {
            return Err(fail(e.marker().index(), e.info().to_string()));
        }
    }
    Ok(loader.into_documents())
}

/// A scalar's text, style and tag (after following an explicit tag node).
pub fn scalar<'n>(node: &'n MarkedYaml) -> Option<(&'n str, ScalarStyle, Option<&'n Tag>)> {
    match &node.data {
        YamlData::Representation(text, style, tag) => Some((text.as_ref(), *style, tag.as_deref())),
        YamlData::Tagged(_, inner) => scalar(inner),
        _ => None,
    }
}

/// The value of `key` in a mapping node, with the key node.
pub fn get<'n, 'a>(
    node: &'n MarkedYaml<'a>,
    key: &str,
) -> Option<(&'n MarkedYaml<'a>, &'n MarkedYaml<'a>)> {
    mapping(node)?.find(|(k, _)| scalar(k).is_some_and(|(t, ..)| t == key))
}

/// A mapping's entries in file order.
pub fn mapping<'n, 'a>(
    node: &'n MarkedYaml<'a>,
) -> Option<impl Iterator<Item = (&'n MarkedYaml<'a>, &'n MarkedYaml<'a>)>> {
    match &node.data {
        YamlData::Mapping(m) => Some(m.iter()),
        YamlData::Tagged(_, inner) => mapping(inner),
        _ => None,
    }
}

pub fn sequence<'n, 'a>(node: &'n MarkedYaml<'a>) -> Option<&'n [MarkedYaml<'a>]> {
    match &node.data {
        YamlData::Sequence(s) => Some(s.as_slice()),
        YamlData::Tagged(_, inner) => sequence(inner),
        _ => None,
    }
}

/// The text of a string-valued field (`kind`, `metadata.name`, …).
pub fn text<'n>(node: &'n MarkedYaml, key: &str) -> Option<&'n str> {
    get(node, key).and_then(|(_, v)| scalar(v)).map(|(t, ..)| t)
}

/// Why the file is a Go or Helm template rather than YAML, if it is one: a `{{ … }}` action
/// outside a quoted string (Helm's `templates/*.yaml` cannot be read before rendering).
pub fn template_action(src: &str) -> Option<(usize, String)> {
    let mut offset = 0;
    for line in src.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if !trimmed.starts_with('#')
            && let Some(i) = unquoted_action(line)
        {
            let end = line[i..].find("}}").map_or(line.len(), |e| i + e + 2);
            let shown: String = line[i..end].chars().take(60).collect();
            return Some((offset + i, shown));
        }
        offset += line.len();
    }
    None
}

/// Byte index of `{{` on a line outside single- or double-quoted text.
fn unquoted_action(line: &str) -> Option<usize> {
    let (mut single, mut double, mut escaped) = (false, false, false);
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if double => escaped = true,
            b'"' if !single => double = !double,
            b'\'' if !double => single = !single,
            b'#' if !single && !double && (i == 0 || bytes[i - 1] == b' ') => return None,
            b'{' if !single && !double && bytes.get(i + 1) == Some(&b'{') => return Some(i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The map as it was: one offset per character, then the end.
    fn byte_per_character(src: &str, char_index: usize) -> usize {
        let mut v: Vec<usize> = src.char_indices().map(|(b, _)| b).collect();
        v.push(src.len());
        v.get(char_index).or(v.last()).copied().unwrap_or(0)
    }

    fn loaded(src: &str) -> Result<usize, String> {
        load(src, &CharMap::new(src))
            .map(|docs| docs.len())
            .map_err(|e| format!("{} @{}", e.message, e.at))
    }

    #[test]
    fn aliases_resolve_within_their_document_only() {
        assert_eq!(
            loaded("a: &a [1]\nb: *a\nc: &c {d: &d 1, e: *d}\nf: *c\n"),
            Ok(1)
        );
        assert_eq!(
            loaded("a: &a 1\n---\nb: *a\n"),
            Err("found an alias to an anchor of another document @15".into())
        );
        assert_eq!(
            loaded("a: &a {x: *a}\n"),
            Err("found an alias inside the value of its own anchor @10".into())
        );
    }

    #[test]
    fn nesting_is_capped_without_recursion() {
        let deep: String = (0..MAX_NESTING + 1)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect();
        let e = load(&deep, &CharMap::new(&deep)).unwrap_err();
        assert!(e.limit);
        let at_limit: String = (0..MAX_NESTING)
            .map(|i| format!("{}k:\n", " ".repeat(i)))
            .collect();
        assert_eq!(loaded(&at_limit), Ok(1));
    }

    #[test]
    fn char_map_matches_one_offset_per_character() {
        for src in [
            "",
            "ascii only: 1\n",
            "é",
            "a: grüße\nb: x\n",
            "€uro: 日本語 x\n",
            "𝄞 clef, 🦀 crab: ä€𝄞\n",
            "ü€𝄞a",
            "x: \"ß\"\n- 中\n- 😀😀\n",
        ] {
            let map = CharMap::new(src);
            for i in 0..src.chars().count() + 4 {
                assert_eq!(map.byte(i), byte_per_character(src, i), "{src:?} at {i}");
            }
        }
    }

    #[test]
    fn char_map_converts_saphyr_indices_to_bytes() {
        let src = "a: grüße\nb: x\n";
        let chars = CharMap::new(src);
        let docs = load(src, &chars).unwrap();
        let (_, b) = get(&docs[0], "b").unwrap();
        assert_eq!(chars.span(&b.span), Span::new(14, 15));
        assert_eq!(&src[14..15], "x");
    }

    #[test]
    fn duplicate_keys_are_an_error_at_the_key() {
        let src = "a: 1\nb: 2\na: 3\n";
        let e = load(src, &CharMap::new(src)).unwrap_err();
        assert!(e.message.contains("duplicate"), "{}", e.message);
    }

    #[test]
    fn alias_bombs_are_an_error() {
        let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            src.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
                p = i - 1
            ));
        }
        let e = load(&src, &CharMap::new(&src)).unwrap_err();
        assert!(e.message.contains("alias"), "{}", e.message);
    }

    #[test]
    fn template_actions_outside_strings_are_found() {
        let src = "metadata:\n  name: {{ .Release.Name }}\n";
        assert_eq!(
            template_action(src),
            Some((18, "{{ .Release.Name }}".to_string()))
        );
        assert_eq!(
            template_action("a: \"{{ not }}\"\n# {{ x }}\nb: 'x{{'\n"),
            None
        );
    }
}
