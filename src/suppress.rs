//! Suppressions: `# cors-lint: ignore[CODE, …] reason` comments and the Kubernetes
//! annotation `cors-lint.io/ignore: "CODE=reason,CODE2=reason"`.
//!
//! A comment alone on its line covers the next line with content and, when that line opens a
//! block (an nginx `{ … }`, a YAML key or list item with lines nested under it, a TOML
//! table), the whole block; one after content (nginx, YAML, TOML — in a `.properties` file a
//! trailing `#` belongs to the value) covers its own line. `ignore-file[…]` covers the file,
//! the annotation the whole object. A `cors-lint:` comment with another word is CL002. A suppression without a reason is CL001,
//! one that suppresses nothing (or names no rule) is CL002, like ruff's RUF100. CL000 — the
//! file cannot be read — is never suppressed.

use crate::finding::Finding;
use crate::frontend::Dialect;
use crate::frontend::kube::Stream;
use crate::rules::{CL001, CL002, RuleMeta, find_meta};
use crate::selection::Selection;
use crate::source::{SourceFile, Span};

/// The annotation that suppresses findings in a whole Kubernetes object.
pub const ANNOTATION: &str = "cors-lint.io/ignore";

#[derive(Clone, Debug)]
pub struct Suppression {
    /// Each code with the bytes that name it, and whether it suppressed something.
    pub codes: Vec<(String, Span, bool)>,
    pub reason: Option<String>,
    /// The comment or annotation value.
    pub span: Span,
    /// Bytes whose findings it covers (a line, a block, a whole object or file).
    pub covers: Span,
    /// A `cors-lint:` comment whose directive is no known one: what to say about it.
    pub unknown_directive: Option<String>,
}

impl Suppression {
    /// Whether it suppresses `f`; marks the code used.
    fn absorb(&mut self, f: &Finding) -> bool {
        if f.code == "CL000" || f.span.start < self.covers.start || f.span.start >= self.covers.end
        {
            return false;
        }
        match self
            .codes
            .iter_mut()
            .find(|(c, _, _)| c.eq_ignore_ascii_case(f.code))
        {
            Some(code) => {
                code.2 = true;
                true
            }
            None => false,
        }
    }
}

/// Every suppression written in `file`.
pub fn find(file: &SourceFile, dialect: Dialect) -> Vec<Suppression> {
    find_stream(file, dialect, &Stream::new(file.bytes()))
}

/// [`find`], annotations read from `stream`, the YAML stream of `file` its front ends read.
pub fn find_stream(file: &SourceFile, dialect: Dialect, stream: &Stream) -> Vec<Suppression> {
    let bytes = file.bytes();
    // Both forms spell `cors-lint`: most files have neither, and need no look at their YAML.
    if !bytes.windows(9).any(|w| w == b"cors-lint") {
        return Vec::new();
    }
    let mut out: Vec<Suppression> = comments(bytes, dialect)
        .into_iter()
        .filter_map(|(comment, own_line)| from_comment(bytes, dialect, comment, own_line))
        .collect();
    if !matches!(dialect, Dialect::TorchServe | Dialect::Nginx) {
        out.extend(annotations(stream));
    }
    out
}

/// Add a finding found after [`apply`] (across the files of a run), unless a suppression
/// covers it — which then counts as used, so its CL002 is withdrawn.
pub fn admit(findings: &mut Vec<Finding>, suppressions: &mut [Suppression], f: Finding) {
    for s in suppressions.iter_mut() {
        if s.absorb(&f) {
            let spans: Vec<Span> = s.codes.iter().filter(|c| c.2).map(|c| c.1).collect();
            findings.retain(|x| !(x.code == "CL002" && spans.contains(&x.span)));
            return;
        }
    }
    findings.push(f);
}

/// Remove the findings suppressions cover, then report suppressions without a reason
/// (CL001) and codes that suppressed nothing (CL002), as far as `selection` enables them.
pub fn apply(findings: &mut Vec<Finding>, suppressions: &mut [Suppression], selection: &Selection) {
    findings.retain(|f| !suppressions.iter_mut().any(|s| s.absorb(f)));
    for s in suppressions.iter() {
        if let Some(what) = &s.unknown_directive {
            push(
                findings,
                &CL002,
                selection,
                s.span,
                "unknown directive".into(),
                what.clone(),
                None,
            );
            continue;
        }
        if s.reason.is_none() {
            push(findings, &CL001, selection, s.span, "no reason".into(),
                "this suppression gives no reason".into(),
                Some("say why the finding does not apply, after the `]` (or after `=` in the annotation)".into()));
        }
        for (code, span, used) in &s.codes {
            if *used {
                continue;
            }
            let (label, message) = match find_meta(code) {
                None => (
                    "no such rule",
                    format!(
                        "`{code}` is not a cors-lint rule code, so this suppression does nothing"
                    ),
                ),
                // A rule that is switched off reports nothing to suppress: not this code's fault.
                Some(m) if !selection.enabled(&m.code) => continue,
                Some(m) if m.code == "CL000" => (
                    "cannot be suppressed",
                    "CL000 (the file cannot be read) cannot be suppressed".to_string(),
                ),
                Some(m) => (
                    "nothing to suppress",
                    format!(
                        "no {} ({}) finding is reported where this suppression applies",
                        m.code, m.name
                    ),
                ),
            };
            push(
                findings,
                &CL002,
                selection,
                *span,
                label.into(),
                message,
                None,
            );
        }
    }
    findings.sort_by(|a, b| {
        (a.span.start, a.span.end, a.code).cmp(&(b.span.start, b.span.end, b.code))
    });
}

fn push(
    findings: &mut Vec<Finding>,
    meta: &'static RuleMeta,
    selection: &Selection,
    span: Span,
    label: String,
    message: String,
    note: Option<String>,
) {
    if !selection.enabled(&meta.code) {
        return;
    }
    findings.push(Finding {
        code: meta.code.as_str(),
        name: meta.name.as_str(),
        severity: selection.severity(&meta.code, meta.severity),
        message,
        note,
        help: Some("write `# cors-lint: ignore[CODE] reason` on the line before the finding, or remove the suppression".into()),
        span,
        label,
        related: Vec::new(),
        fix: None,
    });
}

/// `(comment bytes from the `#`, alone on its line)` for each comment of the file.
fn comments(bytes: &[u8], dialect: Dialect) -> Vec<(Span, bool)> {
    match dialect {
        Dialect::TorchServe => properties_comments(bytes),
        Dialect::Nginx => match crate::frontend::nginx::syntax::parse(bytes) {
            Ok(config) => config
                .comments
                .iter()
                .map(|c| (*c, only_blanks_before(bytes, c.start)))
                .collect(),
            Err(_) => Vec::new(),
        },
        _ => hash_comments(bytes),
    }
}

fn line_start(bytes: &[u8], at: usize) -> usize {
    bytes[..at]
        .iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
        .map_or(0, |i| i + 1)
}

fn line_end(bytes: &[u8], at: usize) -> usize {
    bytes[at..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(bytes.len(), |i| at + i)
}

fn only_blanks_before(bytes: &[u8], at: usize) -> bool {
    bytes[line_start(bytes, at)..at]
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\x0c'))
}

/// `java.util.Properties` comment lines: first non-blank `#` or `!`, not a continuation of
/// the previous line (an odd number of trailing backslashes continues it).
fn properties_comments(bytes: &[u8]) -> Vec<(Span, bool)> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut continued = false;
    while at < bytes.len() {
        let end = line_end(bytes, at);
        let line = &bytes[at..end];
        let first = line
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\x0c'));
        let is_comment = !continued && first.is_some_and(|i| matches!(line[i], b'#' | b'!'));
        if is_comment {
            let i = first.expect("non-blank");
            out.push((Span::new(at + i, end), true));
            continued = false;
        } else if first.is_some() {
            let backslashes = line.iter().rev().take_while(|&&b| b == b'\\').count();
            continued = backslashes % 2 == 1;
        }
        // CR LF is one line end.
        at = if bytes.get(end) == Some(&b'\r') && bytes.get(end + 1) == Some(&b'\n') {
            end + 2
        } else {
            end + 1
        };
    }
    out
}

/// `#` comments of YAML and TOML: a `#` at a line's start or after a blank, outside quotes.
fn hash_comments(bytes: &[u8]) -> Vec<(Span, bool)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let end = line_end(bytes, at);
        let mut quote: Option<u8> = None;
        let mut i = at;
        while i < end {
            let b = bytes[i];
            match quote {
                Some(b'"') if b == b'\\' => i += 1,
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None if b == b'"' || b == b'\'' => quote = Some(b),
                None if b == b'#' && (i == at || matches!(bytes[i - 1], b' ' | b'\t')) => {
                    out.push((Span::new(i, end), only_blanks_before(bytes, i)));
                    break;
                }
                None => {}
            }
            i += 1;
        }
        at = end + 1;
    }
    out
}

/// The directives a `cors-lint:` comment may give.
const DIRECTIVES: [&str; 2] = ["ignore", "ignore-file"];

/// A `cors-lint: ignore[…]` (or `ignore-file[…]`) comment, with the bytes it covers.
fn from_comment(
    bytes: &[u8],
    dialect: Dialect,
    comment: Span,
    own_line: bool,
) -> Option<Suppression> {
    let text = std::str::from_utf8(&bytes[comment.range()]).ok()?;
    let body = text.trim_start_matches(['#', '!']).trim_start();
    let rest = body.strip_prefix("cors-lint:")?.trim_start();
    let word_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    let word = &rest[..word_len];
    if !DIRECTIVES.contains(&word) || !rest[word_len..].starts_with('[') {
        return Some(unknown_directive(comment, word));
    }
    let rest = &rest[word_len + 1..];
    let close = rest.find(']')?;
    let list_start = comment.start + (text.len() - rest.len());
    let mut codes = Vec::new();
    let mut offset = list_start;
    for part in rest[..close].split(',') {
        let lead = part.len() - part.trim_start().len();
        let code = part.trim();
        if !code.is_empty() {
            let start = offset + lead;
            codes.push((
                code.to_string(),
                Span::new(start, start + code.len()),
                false,
            ));
        }
        offset += part.len() + 1;
    }
    let reason = rest[close + 1..].trim();
    let covers = if word == "ignore-file" {
        Span::new(0, bytes.len())
    } else if own_line {
        let line = next_content_line(bytes, comment.end)?;
        block_from(bytes, dialect, line)
    } else {
        Span::new(line_start(bytes, comment.start), comment.end)
    };
    Some(Suppression {
        codes,
        reason: (!reason.is_empty()).then(|| reason.to_string()),
        span: comment,
        covers,
        unknown_directive: None,
    })
}

/// A `cors-lint:` comment that says nothing cors-lint knows (a typo of `ignore`, a word
/// of another linter's): reported, since the author meant it to do something.
fn unknown_directive(comment: Span, word: &str) -> Suppression {
    let hint = crate::spelling::closest(word, DIRECTIVES, 3)
        .map(|(_, d)| format!("; did you mean `{d}[CODE] reason`?"))
        .unwrap_or_else(|| "; write `ignore[CODE] reason` or `ignore-file[CODE] reason`".into());
    let what = if word.is_empty() {
        "this `cors-lint:` comment names no directive".to_string()
    } else {
        format!("`{word}` is no cors-lint directive")
    };
    Suppression {
        codes: Vec::new(),
        reason: None,
        span: comment,
        covers: Span::empty(comment.start),
        unknown_directive: Some(format!("{what}{hint}")),
    }
}

/// `line` and, when it opens a block, the whole block: an nginx statement's `{ … }`, the
/// YAML lines indented deeper than it, a TOML table up to the next header.
fn block_from(bytes: &[u8], dialect: Dialect, line: Span) -> Span {
    match dialect {
        Dialect::TorchServe => line,
        Dialect::Nginx => nginx_block(bytes, line).unwrap_or(line),
        _ if bytes[line.range()].trim_ascii_start().starts_with(b"[") => toml_table(bytes, line),
        _ => nested_lines(bytes, line),
    }
}

/// The statement starting on `line`, if it has a block, from the line's start to its `}`.
fn nginx_block(bytes: &[u8], line: Span) -> Option<Span> {
    let config = crate::frontend::nginx::syntax::parse(bytes).ok()?;
    fn find(statements: &[crate::frontend::nginx::syntax::Statement], line: Span) -> Option<Span> {
        for st in statements {
            if line.contains(Span::empty(st.name.span.start)) && st.body.is_some() {
                return Some(st.span);
            }
            if st.span.start <= line.start
                && line.start < st.span.end
                && let Some(s) = find(st.children(), line)
            {
                return Some(s);
            }
        }
        None
    }
    let block = find(&config.statements, line)?;
    Some(Span::new(line.start, block.end.max(line.end)))
}

/// `line` and the lines after it indented deeper (blank and comment lines inside) — or as
/// deep, for the `- ` items of a sequence a `key:` line opens (YAML lets them align).
fn nested_lines(bytes: &[u8], line: Span) -> Span {
    let indent = |l: &[u8]| l.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
    let own = indent(&bytes[line.range()]);
    let opens = bytes[line.range()].trim_ascii_end().ends_with(b":");
    let mut end = line.end;
    let mut at = line.end;
    while at < bytes.len() {
        let start = at + 1;
        let next_end = line_end(bytes, start.min(bytes.len()));
        let text = &bytes[start.min(next_end)..next_end];
        let content = text.trim_ascii();
        if !content.is_empty() && !content.starts_with(b"#") {
            let item_of_key = opens && indent(text) == own && content.starts_with(b"- ");
            let nested = indent(text) > own || item_of_key;
            if !nested || content == b"---" || content == b"..." {
                break;
            }
            end = next_end;
        }
        at = next_end;
    }
    Span::new(line.start, end)
}

/// A TOML table header line and its keys, up to the next header.
fn toml_table(bytes: &[u8], line: Span) -> Span {
    let mut end = line.end;
    let mut at = line.end;
    while at < bytes.len() {
        let start = at + 1;
        let next_end = line_end(bytes, start.min(bytes.len()));
        let content = bytes[start.min(next_end)..next_end].trim_ascii();
        if content.starts_with(b"[") {
            break;
        }
        if !content.is_empty() && !content.starts_with(b"#") {
            end = next_end;
        }
        at = next_end;
    }
    Span::new(line.start, end)
}

/// The next line after `at` with something on it that is not a comment.
fn next_content_line(bytes: &[u8], at: usize) -> Option<Span> {
    let mut start = line_end(bytes, at);
    while start < bytes.len() {
        start += 1;
        if bytes.get(start - 1) == Some(&b'\r') && bytes.get(start) == Some(&b'\n') {
            start += 1;
        }
        let end = line_end(bytes, start);
        let line = &bytes[start.min(end)..end];
        if let Some(i) = line
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\x0c'))
            && !matches!(line[i], b'#' | b'!')
        {
            return Some(Span::new(start, end));
        }
        start = end;
    }
    None
}

/// `cors-lint.io/ignore` annotations of the YAML documents (and `List` items).
fn annotations(stream: &Stream) -> Vec<Suppression> {
    use crate::frontend::kube::{scalar, yaml};
    let Ok(src) = stream.text() else {
        return Vec::new();
    };
    let Ok(docs) = stream.docs() else {
        return Vec::new();
    };
    let chars = stream.chars();
    let mut objects = Vec::new();
    fn walk<'n, 'a>(node: &'n saphyr::MarkedYaml<'a>, out: &mut Vec<&'n saphyr::MarkedYaml<'a>>) {
        match yaml::get(node, "items").and_then(|(_, items)| yaml::sequence(items)) {
            Some(items) => items.iter().for_each(|i| walk(i, out)),
            None => out.push(node),
        }
    }
    for d in docs {
        walk(d, &mut objects);
    }
    let mut out = Vec::new();
    for object in objects {
        let Some((_, value)) = yaml::get(object, "metadata")
            .and_then(|(_, m)| yaml::get(m, "annotations"))
            .and_then(|(_, a)| yaml::get(a, ANNOTATION))
        else {
            continue;
        };
        let Some(text) = scalar::exact(src, chars, value) else {
            continue;
        };
        let value_span = scalar::written(src, chars, value);
        let mut codes = Vec::new();
        let mut reasons_missing = false;
        let mut at = 0;
        for part in text.as_str().split(',') {
            let (code, reason) = part.split_once('=').unwrap_or((part, ""));
            let lead = code.len() - code.trim_start().len();
            let code_t = code.trim();
            if !code_t.is_empty() {
                let span = text.span_of(at + lead..at + lead + code_t.len());
                codes.push((code_t.to_string(), span, false));
                reasons_missing |= reason.trim().is_empty();
            }
            at += part.len() + 1;
        }
        out.push(Suppression {
            codes,
            reason: (!reasons_missing).then(|| "annotation".to_string()),
            span: value_span,
            covers: chars.span(&object.span),
            unknown_directive: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new("f", text.as_bytes().to_vec(), crate::source::Encoding::Utf8)
    }

    fn covered(text: &str, dialect: Dialect) -> Vec<(Vec<String>, String, Option<String>)> {
        find(&file(text), dialect)
            .into_iter()
            .map(|s| {
                (
                    s.codes.iter().map(|c| c.0.clone()).collect(),
                    text[s.covers.range()].to_string(),
                    s.reason,
                )
            })
            .collect()
    }

    #[test]
    fn a_properties_comment_covers_the_next_line_and_a_trailing_hash_is_a_value() {
        let t = "# cors-lint: ignore[CORS002] public assets\n\ncors_allowed_origin=*\n\
                 cors_allowed_methods=GET # cors-lint: ignore[CORS008] x\n";
        assert_eq!(
            covered(t, Dialect::TorchServe),
            vec![(
                vec!["CORS002".to_string()],
                "cors_allowed_origin=*".to_string(),
                Some("public assets".to_string())
            )]
        );
        // A continuation line starting with `#` is part of the value, not a comment.
        let t = "a=b,\\\n  # cors-lint: ignore[X] y\nc=d\n";
        assert!(covered(t, Dialect::TorchServe).is_empty());
    }

    #[test]
    fn yaml_and_nginx_comments_cover_their_own_line_when_trailing() {
        let t = "a: \"# not\"  # cors-lint: ignore[CORS002, CORS017]\nb: 1\n";
        assert_eq!(
            covered(t, Dialect::Traefik),
            vec![(
                vec!["CORS002".to_string(), "CORS017".to_string()],
                "a: \"# not\"  # cors-lint: ignore[CORS002, CORS017]".to_string(),
                None
            )]
        );
        let t = "server {\n  # cors-lint: ignore[CORS015] echo is intended\n  add_header A $http_origin;\n}\n";
        assert_eq!(
            covered(t, Dialect::Nginx)[0].1,
            "  add_header A $http_origin;"
        );
    }

    #[test]
    fn the_annotation_covers_its_object() {
        let t = "kind: Ingress\nmetadata:\n  annotations:\n    cors-lint.io/ignore: \"INGX001=defaults reviewed,CORS020\"\n---\nkind: Other\n";
        let s = find(&file(t), Dialect::IngressNginx);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].codes.len(), 2);
        assert_eq!(&t[s[0].codes[1].1.range()], "CORS020");
        // CORS020 has no reason, so the annotation as a whole lacks one.
        assert_eq!(s[0].reason, None);
        assert!(t[s[0].covers.range()].contains("kind: Ingress"));
        assert!(!t[s[0].covers.range()].contains("kind: Other"));
    }

    #[test]
    fn a_comment_before_a_block_covers_the_block() {
        let t = "server {\n    # cors-lint: ignore[CORS015] reviewed\n    location /api/ {\n        add_header A $http_origin;\n        if ($x) {\n            add_header B c;\n        }\n    }\n    location /b/ {}\n}\n";
        let block = &covered(t, Dialect::Nginx)[0].1;
        assert!(block.starts_with("    location /api/ {"), "{block}");
        assert!(block.ends_with("        }\n    }"), "{block}");
        assert!(!block.contains("/b/"));
        let t = "spec:\n  # cors-lint: ignore[GW001] reviewed\n  rules:\n  - filters:\n    - type: CORS\n\n    # inside\n      cors: {}\n  hostnames: [a]\n";
        let block = &covered(t, Dialect::GatewayApi)[0].1;
        assert!(
            block.starts_with("  rules:") && block.ends_with("cors: {}"),
            "{block}"
        );
        let t = "[http.middlewares.a.headers]\n# cors-lint: ignore[CORS002] public\n[http.middlewares.b.headers]\nx = 1\n\ny = 2\n[http.routers.r]\n";
        assert_eq!(
            covered(t, Dialect::Traefik)[0].1,
            "[http.middlewares.b.headers]\nx = 1\n\ny = 2"
        );
        // A plain line covers itself only.
        let t = "a:\n  # cors-lint: ignore[CORS002] x\n  b: 1\n  c: 2\n";
        assert_eq!(covered(t, Dialect::Traefik)[0].1, "  b: 1");
    }

    #[test]
    fn ignore_file_covers_everything_and_unknown_words_are_kept_to_report() {
        let t = "a=b\n# cors-lint: ignore-file[CORS002] generated\nc=d\n";
        assert_eq!(covered(t, Dialect::TorchServe)[0].1, t);
        let s = find(
            &file("# cors-lint: ignroe[CORS002] x\na=b\n"),
            Dialect::TorchServe,
        );
        assert!(s[0].codes.is_empty());
        let what = s[0].unknown_directive.as_deref().unwrap();
        assert!(
            what.contains("`ignroe`") && what.contains("did you mean `ignore"),
            "{what}"
        );
        let s = find(
            &file("# cors-lint: disable CORS002\na=b\n"),
            Dialect::TorchServe,
        );
        assert!(s[0].unknown_directive.is_some());
    }
}
