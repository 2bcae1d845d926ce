//! Kubernetes manifests and other YAML: one loader with byte-exact spans for every front end
//! that reads YAML (ingress-nginx, Gateway API, Istio, Envoy Gateway, Traefik, Kong).
//!
//! `yaml.rs` loads a stream with saphyr (character positions turned into byte offsets),
//! `scalar.rs` maps each character of a value back to the bytes that wrote it, per scalar
//! style, and `resolve.rs` types unquoted values by YAML 1.1 as Kubernetes does.

pub mod resolve;
pub mod scalar;
mod stream;
pub mod tree;
pub mod yaml;

pub use stream::Stream;

use saphyr::MarkedYaml;

/// Every object of `kind` in the documents, items of `List`s (`v1/List`, `IngressList`, …)
/// included.
pub fn objects_of_kind<'n, 'a>(docs: &'n [MarkedYaml<'a>], kind: &str) -> Vec<&'n MarkedYaml<'a>> {
    fn walk<'n, 'a>(
        node: &'n MarkedYaml<'a>,
        kind: &str,
        out: &mut Vec<&'n MarkedYaml<'a>>,
        depth: usize,
    ) {
        let Some(k) = yaml::text(node, "kind") else {
            return;
        };
        if k == "List" || k.ends_with("List") {
            if depth < 4
                && let Some((_, items)) = yaml::get(node, "items")
                && let Some(items) = yaml::sequence(items)
            {
                for item in items {
                    walk(item, kind, out, depth + 1);
                }
            }
        } else if k == kind {
            out.push(node);
        }
    }
    let mut out = Vec::new();
    for doc in docs {
        walk(doc, kind, &mut out, 0);
    }
    out
}

pub mod envoy;

use crate::frontend::InputError;
use crate::source::{MappedText, Span};
use resolve::Resolved;
use saphyr_parser::ScalarStyle;
use yaml::CharMap;

/// The file's text, or `CL000` at the first byte that is not UTF-8 (`reader`: who then
/// cannot read it).
pub fn utf8<'a>(stream: &Stream<'a>, reader: &str) -> Result<&'a str, InputError> {
    stream.text().map_err(|e| {
        let bytes = stream.bytes();
        if let Some(utf16) = crate::source::Utf16::of(bytes) {
            return InputError {
                span: Some(utf16.span()),
                message: format!(
                    "the file is UTF-16 (byte-order mark {}), and cors-lint reads YAML as UTF-8 only: \
                     convert it (`iconv -f UTF-16 -t UTF-8`)",
                    utf16.mark()
                ),
            };
        }
        let at = e.valid_up_to();
        let len = e.error_len().unwrap_or(bytes.len() - at);
        InputError {
            span: Some(Span::new(at, at + len)),
            message: format!(
                "byte {} is not UTF-8, so {reader} cannot read the file (YAML parsers refuse it; \
                 was it saved as ISO-8859-1?)",
                bytes[at..at + len]
                    .iter()
                    .map(|b| format!("0x{b:02X}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        }
    })
}

/// Every document of the stream, or `CL000` at the character where the YAML breaks, worded
/// by `refusal` from saphyr's reason.
pub fn parse<'s, 'a>(
    stream: &'s Stream<'a>,
    refusal: impl FnOnce(&str) -> String,
) -> Result<&'s [MarkedYaml<'a>], InputError> {
    stream.docs().map_err(|e| {
        // Only text is parsed, so a YAML error means the file is UTF-8.
        let src = stream.text().unwrap_or_default();
        let end = src[e.at..]
            .chars()
            .next()
            .map_or(e.at, |c| e.at + c.len_utf8());
        InputError {
            span: Some(Span::new(e.at, end)),
            message: if e.limit {
                format!(
                    "YAML nested deeper than cors-lint reads (255 levels of flow `[…]` and `{{…}}`, \
                     {} of all sequences and mappings; Kubernetes objects nest a few dozen)",
                    yaml::MAX_NESTING
                )
            } else {
                refusal(&e.message)
            },
        }
    })
}

/// [`parse`] for manifests only the API server reads: "…; kubectl refuses the file".
pub fn parse_manifests<'s, 'a>(stream: &'s Stream<'a>) -> Result<&'s [MarkedYaml<'a>], InputError> {
    parse(stream, |why| {
        format!("invalid YAML: {why}; kubectl refuses the file")
    })
}

/// A Kubernetes object of one of the kinds a front end reads.
pub struct Object<'n, 'a> {
    pub node: &'n MarkedYaml<'a>,
    pub kind: String,
    pub api_version: String,
    pub name: String,
    pub namespace: Option<String>,
    /// The `kind:` value, where findings about the whole object go.
    pub kind_span: Span,
}

impl Object<'_, '_> {
    /// "HTTPRoute `ns/name`" (the namespace only when the manifest sets it).
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} `{ns}/{}`", self.kind, self.name),
            None => format!("{} `{}`", self.kind, self.name),
        }
    }
}

/// Every object of the `kinds` whose `apiVersion` is in API group `group`, in file order.
pub fn objects<'n, 'a>(
    src: &str,
    chars: &CharMap,
    docs: &'n [MarkedYaml<'a>],
    kinds: &[&str],
    group: &str,
) -> Vec<Object<'n, 'a>> {
    let mut out: Vec<Object> = Vec::new();
    for kind in kinds {
        for node in objects_of_kind(docs, kind) {
            let api_version = yaml::text(node, "apiVersion").unwrap_or("");
            if api_version.split_once('/').map(|(g, _)| g) != Some(group) {
                continue;
            }
            let metadata = yaml::get(node, "metadata").map(|(_, m)| m);
            out.push(Object {
                node,
                kind: kind.to_string(),
                api_version: api_version.to_string(),
                name: metadata
                    .and_then(|m| yaml::text(m, "name"))
                    .unwrap_or("(unnamed)")
                    .to_string(),
                namespace: metadata
                    .and_then(|m| yaml::text(m, "namespace"))
                    .map(str::to_string),
                kind_span: yaml::get(node, "kind")
                    .map_or(Span::empty(0), |(_, v)| scalar::written(src, chars, v)),
            });
        }
    }
    out.sort_by_key(|o| o.kind_span.start);
    out
}

/// Why a file is (or is not) read by a front end for `kinds` of API group `group`.
pub fn recognise_objects(
    file_name: &str,
    stream: &Stream,
    kinds: &[&str],
    group: &str,
) -> Result<String, String> {
    if !(file_name.ends_with(".yaml") || file_name.ends_with(".yml")) {
        return Err("not a .yaml/.yml file".into());
    }
    let Ok(src) = stream.text() else {
        return Err("YAML that is not UTF-8".into());
    };
    if stream.template_action().is_some() {
        return Err("a Helm/Go template, not YAML yet".into());
    }
    // An object of the group spells it in `apiVersion`, and broken YAML is ours only when a
    // line names one of the kinds: without either, parsing could only say no.
    if !src.contains(group) && !kinds.iter().any(|k| src.contains(k)) {
        return Err(format!("no {} of {group}", kinds.join("/")));
    }
    let line = |at: usize| src[..at.min(src.len())].matches('\n').count() + 1;
    match stream.docs() {
        Ok(docs) => {
            let found = objects(src, stream.chars(), docs, kinds, group);
            match found.first() {
                Some(first) if found.len() == 1 => Ok(format!(
                    "it holds {} (line {})",
                    first.display(),
                    line(first.kind_span.start)
                )),
                Some(first) => Ok(format!(
                    "it holds {} {group} objects, the first {} (line {})",
                    found.len(),
                    first.display(),
                    line(first.kind_span.start)
                )),
                None => Err(format!("no {} of {group}", kinds.join("/"))),
            }
        }
        // Broken YAML that names one of our kinds is ours to report.
        Err(_)
            if src.lines().any(|l| {
                let t = l.trim_start().trim_start_matches("- ").trim();
                kinds.iter().any(|k| t == format!("kind: {k}"))
            }) =>
        {
            Ok("it names one of its kinds (the YAML is broken)".into())
        }
        Err(e) => Err(format!("YAML that does not parse ({})", e.message)),
    }
}

/// A YAML value as Kubernetes reads it into a typed field.
#[derive(Clone, Debug)]
pub enum Typed {
    Str(MappedText),
    Bool(bool),
    /// An integer (`None`: too large or written in a form this reader does not convert).
    Int(Option<i64>),
    Float,
    Null,
    Seq,
    Map,
}

impl Typed {
    /// "a string", "a list", … for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Typed::Str(_) => "a string",
            Typed::Bool(_) => "a boolean",
            Typed::Int(_) => "an integer",
            Typed::Float => "a floating-point number",
            Typed::Null => "null",
            Typed::Seq => "a list",
            Typed::Map => "a mapping",
        }
    }
}

/// How a node is typed (YAML 1.1 for plain scalars, as Kubernetes reads them).
pub fn typed(src: &str, chars: &CharMap, node: &MarkedYaml) -> Typed {
    if yaml::sequence(node).is_some() {
        return Typed::Seq;
    }
    if yaml::mapping(node).is_some() {
        return Typed::Map;
    }
    let Some((text, style, tag)) = yaml::scalar(node) else {
        return Typed::Null;
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
    match resolved {
        Resolved::String | Resolved::Collection => {
            Typed::Str(scalar::mapped(src, chars, node).unwrap_or_else(|| {
                MappedText::opaque(text.to_string(), scalar::written(src, chars, node))
            }))
        }
        Resolved::Bool => Typed::Bool(matches!(
            text,
            "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON"
        )),
        Resolved::Int => Typed::Int(text.replace('_', "").parse::<i64>().ok()),
        Resolved::Float => Typed::Float,
        Resolved::Null => Typed::Null,
    }
}

/// The bytes a finding about a node should label (a whole list or mapping: its first line).
pub fn node_span(src: &str, chars: &CharMap, node: &MarkedYaml) -> Span {
    let s = scalar::written(src, chars, node);
    let text = src.get(s.range()).unwrap_or("");
    match text.find('\n') {
        Some(i) => Span::new(s.start, s.start + text[..i].trim_end().len()),
        None => s,
    }
}

/// New block-style lines for a mapping, inserted after the entry whose key is at `key` and
/// whose value ends at `value_end`, at the key's column — `None` when the key does not start
/// a block-style entry (flow style, or text before it on its line other than `- `).
pub fn insert_entry_after(
    src: &str,
    key: Span,
    value_end: usize,
    lines: &[&str],
) -> Option<crate::source::Edit> {
    let line_start = src[..key.start].rfind('\n').map_or(0, |i| i + 1);
    let before = &src[line_start..key.start];
    let after_dash = before
        .trim_start_matches(' ')
        .strip_prefix('-')
        .unwrap_or(before);
    if !after_dash.chars().all(|c| c == ' ') || before.contains('\t') {
        return None;
    }
    let indent = " ".repeat(before.chars().count());
    let end = src.get(..value_end)?.trim_end().len();
    let newline = if src.contains("\r\n") { "\r\n" } else { "\n" };
    let text: String = lines
        .iter()
        .map(|l| format!("{newline}{indent}{l}"))
        .collect();
    Some(crate::source::Edit::insert(end, text))
}

/// The whole bytes of a node as written, every line of it.
pub fn whole_span(src: &str, chars: &CharMap, node: &MarkedYaml) -> Span {
    scalar::written(src, chars, node)
}

/// The bytes of a string value's characters (inside its quotes); the written value when it
/// is empty.
pub fn chars_span(text: &MappedText) -> Span {
    if text.as_str().is_empty() {
        text.span()
    } else {
        text.span_of(0..text.as_str().len())
    }
}
