//! Suppressions: `# cors-lint: ignore[CODE, …] reason` comments and the Kubernetes
//! annotation `cors-lint.io/ignore: "CODE=reason,CODE2=reason"`.
//!
//! A comment alone on its line covers the next line with content; one after content (nginx,
//! YAML, TOML — in a `.properties` file a trailing `#` belongs to the value) covers its own
//! line. The annotation covers the whole object. A suppression without a reason is CL001,
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
    /// Bytes whose findings it covers (a line, or a whole object).
    pub covers: Span,
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
        .filter_map(|(comment, own_line)| from_comment(bytes, comment, own_line))
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
        if s.reason.is_none() {
            push(findings, &CL001, selection, s.span, "no reason".into(),
                "this suppression gives no reason: say why the finding does not apply, after the `]` (or after `=` in the annotation)".into());
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
            push(findings, &CL002, selection, *span, label.into(), message);
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
) {
    if !selection.enabled(&meta.code) {
        return;
    }
    findings.push(Finding {
        code: meta.code.as_str(),
        name: meta.name.as_str(),
        severity: selection.severity(&meta.code, meta.severity),
        message,
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

/// A `cors-lint: ignore[…]` comment, with the line it covers.
fn from_comment(bytes: &[u8], comment: Span, own_line: bool) -> Option<Suppression> {
    let text = std::str::from_utf8(&bytes[comment.range()]).ok()?;
    let body = text.trim_start_matches(['#', '!']).trim_start();
    let rest = body.strip_prefix("cors-lint:")?.trim_start();
    let rest = rest.strip_prefix("ignore[")?;
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
    let covers = if own_line {
        next_content_line(bytes, comment.end)?
    } else {
        Span::new(line_start(bytes, comment.start), comment.end)
    };
    Some(Suppression {
        codes,
        reason: (!reason.is_empty()).then(|| reason.to_string()),
        span: comment,
        covers,
    })
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
}
