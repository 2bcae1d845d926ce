//! A configuration document as a small typed tree with byte spans, whatever syntax wrote it
//! (YAML through saphyr, TOML through the `toml` crate's spanned parser), for front ends
//! whose settings can come in either (Traefik's file provider).

use super::resolve::{self, Resolved};
use super::scalar;
use super::yaml::{self, CharMap};
use crate::source::{MappedText, Span};
use saphyr::{MarkedYaml, YamlData};
use saphyr_parser::ScalarStyle;

/// A value and the bytes that wrote it.
#[derive(Clone, Debug)]
pub struct Node {
    pub value: Value,
    /// The written form (quotes included).
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Value {
    /// A string, each character mapped to its bytes.
    Str(MappedText),
    Bool(bool),
    Int(i64),
    /// Another scalar (float, date, null, an integer out of range), as written.
    Other(String),
    Seq(Vec<Node>),
    /// Entries in file order: key, key bytes, value.
    Map(Vec<(String, Span, Node)>),
}

impl Node {
    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, n)| n)
    }

    /// The key bytes and value of `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(Span, &Node)> {
        match &self.value {
            Value::Map(m) => m.iter().find(|(k, ..)| k == key).map(|(_, s, n)| (*s, n)),
            _ => None,
        }
    }

    /// The key bytes and value of `key`, compared case-insensitively (Traefik's file
    /// provider and labels decode field names without regard to case).
    pub fn entry_ci(&self, key: &str) -> Option<(&str, Span, &Node)> {
        match &self.value {
            Value::Map(m) => m
                .iter()
                .find(|(k, ..)| k.eq_ignore_ascii_case(key))
                .map(|(k, s, n)| (k.as_str(), *s, n)),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[(String, Span, Node)] {
        match &self.value {
            Value::Map(m) => m,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(s) => s,
            _ => &[],
        }
    }

    pub fn str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(t) => Some(t.as_str()),
            _ => None,
        }
    }

    pub fn mapped(&self) -> Option<&MappedText> {
        match &self.value {
            Value::Str(t) => Some(t),
            _ => None,
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    /// "a string", "a boolean", … for messages.
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Str(_) => "a string",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Other(_) => "a scalar of another type",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// Nesting deeper than this is cut off (a hostile file cannot exhaust the stack).
const MAX_DEPTH: usize = 64;

/// A YAML node as a tree; plain scalars typed as go-yaml does (`true`, `600`).
pub fn from_yaml(src: &str, chars: &CharMap, node: &MarkedYaml) -> Node {
    from_yaml_at(src, chars, node, 0)
}

fn from_yaml_at(src: &str, chars: &CharMap, node: &MarkedYaml, depth: usize) -> Node {
    let span = scalar::written(src, chars, node);
    if depth > MAX_DEPTH {
        return Node {
            value: Value::Other(String::new()),
            span,
        };
    }
    if let Some(entries) = yaml::mapping(node) {
        let mut out = Vec::new();
        for (k, v) in entries {
            let Some((key, ..)) = yaml::scalar(k) else {
                continue;
            };
            out.push((
                key.to_string(),
                scalar::written(src, chars, k),
                from_yaml_at(src, chars, v, depth + 1),
            ));
        }
        return Node {
            value: Value::Map(out),
            span,
        };
    }
    if let Some(items) = yaml::sequence(node) {
        return Node {
            value: Value::Seq(
                items
                    .iter()
                    .map(|i| from_yaml_at(src, chars, i, depth + 1))
                    .collect(),
            ),
            span,
        };
    }
    let Some((text, style, tag)) = yaml::scalar(node) else {
        // An empty node (`key:` with nothing after it) or an alias to a collection.
        let null = matches!(node.data, YamlData::Value(_)) || span.is_empty();
        return Node {
            value: Value::Other(if null { String::new() } else { "?".into() }),
            span,
        };
    };
    let resolved = match tag {
        Some(t) if t.handle == "tag:yaml.org,2002:" => match t.suffix.as_ref() {
            "bool" => Resolved::Bool,
            "int" => Resolved::Int,
            "float" => Resolved::Float,
            "null" => Resolved::Null,
            _ => Resolved::String,
        },
        _ if style == ScalarStyle::Plain => resolve::plain(text),
        _ => Resolved::String,
    };
    let value = match resolved {
        Resolved::Bool => Value::Bool(matches!(
            text,
            "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON"
        )),
        Resolved::Int => match parse_int(text) {
            Some(i) => Value::Int(i),
            None => Value::Other(text.to_string()),
        },
        Resolved::String => Value::Str(
            scalar::mapped(src, chars, node)
                .unwrap_or_else(|| MappedText::opaque(text.to_string(), span)),
        ),
        _ => Value::Other(text.to_string()),
    };
    Node { value, span }
}

fn parse_int(text: &str) -> Option<i64> {
    let t = text.replace('_', "");
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(&t)),
    };
    let v = if let Some(h) = digits.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()?
    } else if let Some(o) = digits.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()?
    } else if let Some(b) = digits.strip_prefix("0b") {
        i64::from_str_radix(b, 2).ok()?
    } else if digits.len() > 1 && digits.starts_with('0') {
        i64::from_str_radix(&digits[1..], 8).ok()?
    } else {
        digits.parse::<i64>().ok()?
    };
    Some(if neg { -v } else { v })
}

/// A TOML syntax error at a byte range.
#[derive(Debug, Clone)]
pub struct TomlError {
    pub span: Span,
    pub message: String,
}

/// A TOML document as a tree. Strings map character by character when the written form
/// holds them verbatim (no escapes, no line continuation); otherwise every character maps to
/// the whole written string.
pub fn from_toml(src: &str) -> Result<Node, TomlError> {
    let doc = toml::de::DeTable::parse(src).map_err(|e| {
        let r = e.span().unwrap_or(0..0);
        TomlError {
            span: Span::new(r.start.min(src.len()), r.end.min(src.len())),
            message: e.message().to_string(),
        }
    })?;
    let span = doc.span();
    Ok(Node {
        value: toml_table(src, doc.get_ref(), 0),
        span: Span::new(span.start, span.end),
    })
}

fn toml_table(src: &str, t: &toml::de::DeTable, depth: usize) -> Value {
    let mut entries: Vec<(String, Span, Node)> = Vec::new();
    for (k, v) in t.iter() {
        let ks = k.span();
        entries.push((
            k.get_ref().to_string(),
            Span::new(ks.start, ks.end),
            toml_node(src, v, depth + 1),
        ));
    }
    // The parser keeps a table's keys in no particular order: file order for rules.
    entries.sort_by_key(|(_, s, _)| s.start);
    Value::Map(entries)
}

fn toml_node(src: &str, v: &toml::Spanned<toml::de::DeValue>, depth: usize) -> Node {
    let r = v.span();
    let span = Span::new(r.start.min(src.len()), r.end.min(src.len()));
    if depth > MAX_DEPTH {
        return Node {
            value: Value::Other(String::new()),
            span,
        };
    }
    use toml::de::DeValue;
    let value = match v.get_ref() {
        DeValue::String(s) => Value::Str(toml_string(src, span, s)),
        DeValue::Integer(i) => match i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()) {
            Ok(n) => Value::Int(n),
            Err(_) => Value::Other(i.as_str().to_string()),
        },
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Float(f) => Value::Other(f.as_str().to_string()),
        DeValue::Datetime(d) => Value::Other(d.to_string()),
        DeValue::Array(a) => Value::Seq(a.iter().map(|e| toml_node(src, e, depth + 1)).collect()),
        DeValue::Table(t) => toml_table(src, t, depth + 1),
    };
    Node { value, span }
}

fn toml_string(src: &str, span: Span, text: &str) -> MappedText {
    let written = src.get(span.range()).unwrap_or("");
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        if written.len() >= 2 * quote.len()
            && written.starts_with(quote)
            && written.ends_with(quote)
        {
            let mut inner_start = span.start + quote.len();
            let mut inner = &written[quote.len()..written.len() - quote.len()];
            if quote.len() == 3 {
                // A newline right after the opening quotes is not part of the string.
                if let Some(rest) = inner.strip_prefix("\r\n") {
                    inner = rest;
                    inner_start += 2;
                } else if let Some(rest) = inner.strip_prefix('\n') {
                    inner = rest;
                    inner_start += 1;
                }
            }
            if inner == text {
                let mut m = MappedText::empty(Span::empty(inner_start));
                for (i, c) in inner.char_indices() {
                    let at = inner_start + i;
                    m.push(c, Span::new(at, at + c.len_utf8()));
                }
                return m.with_whole(span);
            }
            break;
        }
    }
    MappedText::opaque(text.to_string(), span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_strings_map_to_their_bytes() {
        let src = "[http.middlewares.a.headers]\naccessControlAllowOriginList = [\"https://a.example\", 'https://b.example']\nx = \"esc\\u0041\"\n";
        let doc = from_toml(src).unwrap();
        let h = doc
            .get("http")
            .and_then(|n| n.get("middlewares"))
            .and_then(|n| n.get("a"))
            .and_then(|n| n.get("headers"))
            .unwrap();
        let list = h.get("accessControlAllowOriginList").unwrap().items();
        let b = list[1].mapped().unwrap();
        assert_eq!(
            &src[b.span_of(0..b.as_str().len()).range()],
            "https://b.example"
        );
        assert_eq!(&src[b.span().range()], "'https://b.example'");
        let x = h.get("x").unwrap().mapped().unwrap();
        assert_eq!(x.as_str(), "escA");
        assert_eq!(&src[x.span_of(0..1).range()], "\"esc\\u0041\"");
        let (_, key, _) = &h.entries()[0];
        assert_eq!(&src[key.range()], "accessControlAllowOriginList");
    }

    #[test]
    fn toml_errors_have_spans() {
        let e = from_toml("a = [1,\n").unwrap_err();
        assert!(e.span.end <= 8);
    }

    #[test]
    fn yaml_scalars_are_typed() {
        let src = "a: true\nb: 600\nc: \"600\"\nd: [x]\n";
        let chars = CharMap::new(src);
        let docs = yaml::load(src, &chars).unwrap();
        let n = from_yaml(src, &chars, &docs[0]);
        assert!(matches!(n.get("a").unwrap().value, Value::Bool(true)));
        assert!(matches!(n.get("b").unwrap().value, Value::Int(600)));
        assert_eq!(n.get("c").unwrap().str(), Some("600"));
        assert_eq!(n.get("d").unwrap().items().len(), 1);
    }
}
