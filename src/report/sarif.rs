//! `--format sarif`: SARIF 2.1.0, one run, every rule of the registry in `tool.driver.rules`
//! (so `ruleIndex` and the rule list do not depend on which rules reported).
//!
//! Columns are 1-based and count UTF-16 code units, SARIF's default `columnKind`; byte offsets
//! go in `byteOffset`/`byteLength`, which are exact whatever the file's encoding.

use super::positions;
use crate::finding::{Finding, Severity};
use crate::lint::FileReport;
use crate::rules::{self, RuleMeta};
use crate::source::{Encoding, SourceFile, Span, decode};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// Home of the project; rule help links point at the rule's docs page there.
pub use crate::finding::REPOSITORY;
/// Key of the fingerprint in `partialFingerprints`; bump the version if the hash changes.
const FINGERPRINT_KEY: &str = "corsLint/v1";

pub fn render(reports: &[FileReport]) -> String {
    let all = rules::all_meta();
    let index: HashMap<&str, usize> = all
        .iter()
        .enumerate()
        .map(|(i, m)| (m.code.as_str(), i))
        .collect();
    // Identical findings (same code, file, text and line text) are told apart by their rank,
    // as GitHub does for its own line hashes: `HASH:1`, `HASH:2`, …
    let mut seen: HashMap<String, usize> = HashMap::new();
    let results: Vec<Value> = reports
        .iter()
        .flat_map(|r| r.findings.iter().map(move |f| (r, f)))
        .map(|(r, f)| {
            let hash = fingerprint(r, f);
            let rank = seen.entry(hash.clone()).or_default();
            *rank += 1;
            result(r, f, index.get(f.code).copied(), format!("{hash}:{rank}"))
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "cors-lint",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": REPOSITORY,
                "rules": all.iter().map(|m| rule(m)).collect::<Vec<_>>(),
            }},
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&log).expect("SARIF serializes");
    s.push('\n');
    s
}

fn rule(m: &RuleMeta) -> Value {
    let mut properties = Map::new();
    let security = is_security(m);
    properties.insert(
        "tags".into(),
        json!(["cors", if security { "security" } else { "correctness" }]),
    );
    if let Some(score) = security_severity(m.severity).filter(|_| security) {
        properties.insert("security-severity".into(), json!(score));
    }
    properties.insert("prevents".into(), json!(m.prevents));
    json!({
        "id": m.code,
        "name": m.name,
        "shortDescription": { "text": m.summary.trim() },
        "fullDescription": { "text": m.docs.what.trim() },
        "help": { "text": m.docs.fix.trim(), "markdown": m.docs.fix.trim() },
        "helpUri": crate::finding::rule_url(&m.code),
        "defaultConfiguration": { "level": level(m.severity) },
        "properties": properties,
    })
}

/// A rule is about security when it prevents failure mode F7 (every page may read) or a
/// catalogue class that widens who can read (A.8 #1–14, 21, 25, 27–30); the others are about
/// CORS that breaks or is ignored.
fn is_security(m: &RuleMeta) -> bool {
    const CLASSES: &[u32] = &[
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 21, 25, 27, 28, 29, 30,
    ];
    m.prevents.iter().any(|p| {
        p == "F7"
            || p.strip_prefix("A.8#")
                .and_then(|n| n.parse::<u32>().ok())
                .is_some_and(|n| CLASSES.contains(&n))
    })
}

/// GitHub code scanning reads this as a CVSS-like score: 8.0 is "high", 5.0 "medium".
fn security_severity(s: Severity) -> Option<&'static str> {
    match s {
        Severity::Error => Some("8.0"),
        Severity::Warning => Some("5.0"),
        Severity::Info => None,
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn result(r: &FileReport, f: &Finding, rule_index: Option<usize>, fingerprint: String) -> Value {
    let mut out = Map::new();
    out.insert("ruleId".into(), json!(f.code));
    if let Some(i) = rule_index {
        out.insert("ruleIndex".into(), json!(i));
    }
    out.insert("level".into(), json!(level(f.severity)));
    out.insert("message".into(), json!({ "text": message(f) }));
    out.insert(
        "locations".into(),
        json!([{ "physicalLocation": physical(r, f, f.span) }]),
    );
    out.insert(
        "partialFingerprints".into(),
        json!({ FINGERPRINT_KEY: fingerprint }),
    );
    if !f.related.is_empty() {
        let related: Vec<Value> = f
            .related
            .iter()
            .enumerate()
            .map(|(i, rel)| {
                json!({
                    "id": i + 1,
                    "physicalLocation": physical(r, f, rel.span),
                    "message": { "text": rel.message },
                })
            })
            .collect();
        out.insert("relatedLocations".into(), json!(related));
    }
    if let (Some(fix), Some(_)) = (&f.fix, &r.source) {
        out.insert("fixes".into(), json!([fix_json(r, fix)]));
    }
    Value::Object(out)
}

/// The message, then the note and the help on lines of their own (SARIF text may span lines).
fn message(f: &Finding) -> String {
    let mut text = f.message.clone();
    if let Some(n) = f.note.as_deref().filter(|n| !n.is_empty()) {
        text.push_str(&format!("\nnote: {n}"));
    }
    if let Some(h) = f.help.as_deref().filter(|h| !h.is_empty()) {
        text.push_str(&format!("\nhelp: {h}"));
    }
    text
}

fn physical(r: &FileReport, f: &Finding, span: Span) -> Value {
    json!({
        "artifactLocation": artifact(&r.path),
        "region": region(r, f, span),
    })
}

fn artifact(path: &str) -> Value {
    let uri = uri(path);
    if uri.starts_with("file:") {
        json!({ "uri": uri })
    } else {
        json!({ "uri": uri, "uriBaseId": "%SRCROOT%" })
    }
}

/// A URI reference for a path as shown: forward slashes, percent-encoded; relative paths stay
/// relative (to the directory the run started in), absolute ones become `file://` URIs.
pub fn uri(path: &str) -> String {
    let path = path.replace(std::path::MAIN_SEPARATOR, "/");
    let trimmed = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::with_capacity(trimmed.len());
    for b in trimmed.bytes() {
        // `:` is encoded too, so a relative first segment never reads as a scheme.
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if path.starts_with('/') {
        format!("file://{out}")
    } else {
        out
    }
}

fn region(r: &FileReport, f: &Finding, span: Span) -> Value {
    match &r.source {
        Some(src) => {
            let (a, b) = (src.position(span.start), src.position(span.end));
            let len = src.bytes().len();
            let start = span.start.min(len);
            json!({
                "startLine": a.line,
                "startColumn": utf16_column(src, span.start),
                "endLine": b.line,
                "endColumn": utf16_column(src, span.end),
                "byteOffset": start,
                "byteLength": span.end.min(len).saturating_sub(start),
            })
        }
        None => {
            let (a, _) = positions(r, f);
            json!({ "startLine": a.line, "startColumn": a.column })
        }
    }
}

/// Start of the line holding `offset`, by the rules of `LineIndex` (an offset inside `\r\n`
/// belongs to the line the `\r` ends).
fn line_start(bytes: &[u8], offset: usize) -> usize {
    let mut i = offset;
    while i > 0 {
        let b = bytes[i - 1];
        let inside_crlf = b == b'\r' && i == offset && bytes.get(i) == Some(&b'\n');
        if (b == b'\n' || b == b'\r') && !inside_crlf {
            break;
        }
        i -= 1;
    }
    i
}

/// 1-based column of `offset` in UTF-16 code units of the decoded line (a character outside
/// the BMP counts twice; ISO-8859-1 text is one unit per byte).
pub fn utf16_column(src: &SourceFile, offset: usize) -> usize {
    let bytes = src.bytes();
    let offset = offset.min(bytes.len());
    let prefix = &bytes[line_start(bytes, offset)..offset];
    1 + match src.encoding() {
        Encoding::Latin1 => prefix.len(),
        Encoding::Utf8 => decode(prefix, Encoding::Utf8).encode_utf16().count(),
    }
}

/// Stable across line moves: the code, the path, the flagged text and the trimmed text of
/// the line it starts on, hashed with FNV-1a (64 bits, defined here so it never changes
/// with a Rust release).
fn fingerprint(r: &FileReport, f: &Finding) -> String {
    let (flagged, line) = match &r.source {
        Some(src) => {
            let bytes = src.bytes();
            let start = f.span.start.min(bytes.len());
            let end = f.span.end.clamp(start, bytes.len());
            let line_end = bytes[start..]
                .iter()
                .position(|&b| b == b'\n' || b == b'\r')
                .map_or(bytes.len(), |p| start + p);
            let enc = src.encoding();
            (
                decode(&bytes[start..end], enc),
                decode(&bytes[line_start(bytes, start)..line_end], enc),
            )
        }
        None => (String::new(), String::new()),
    };
    let mut h = Fnv::default();
    for part in [f.code, r.path.as_str(), &flagged, line.trim()] {
        h.write(part.as_bytes());
        h.write(&[0]);
    }
    format!("{:016x}", h.0)
}

struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

fn fix_json(r: &FileReport, fix: &crate::finding::Fix) -> Value {
    let replacements: Vec<Value> = fix
        .edits
        .iter()
        .map(|e| {
            json!({
                "deletedRegion": { "byteOffset": e.span.start, "byteLength": e.span.len() },
                "insertedContent": { "text": e.replacement },
            })
        })
        .collect();
    json!({
        "description": { "text": format!("{}{}", fix.description, if fix.safe { "" } else { " (unsafe: changes behaviour)" }) },
        "artifactChanges": [{ "artifactLocation": artifact(&r.path), "replacements": replacements }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(text: &[u8], enc: Encoding, offset: usize) -> usize {
        utf16_column(&SourceFile::new("x", text.to_vec(), enc), offset)
    }

    #[test]
    fn columns_count_utf16_units() {
        // `😀` is one character but two UTF-16 units.
        let t = "a\n😀x".as_bytes();
        assert_eq!(col(t, Encoding::Utf8, 2), 1);
        assert_eq!(col(t, Encoding::Utf8, 6), 3);
        assert_eq!(col(b"\xe9x", Encoding::Latin1, 1), 2);
        // Inside `\r\n`: the end of the first line, as LineIndex counts it.
        assert_eq!(col(b"ab\r\ncd", Encoding::Utf8, 3), 4);
        assert_eq!(col(b"ab\r\ncd", Encoding::Utf8, 4), 1);
        assert_eq!(col(b"ab\rcd", Encoding::Utf8, 3), 1);
        assert_eq!(col(b"", Encoding::Utf8, 9), 1);
    }

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(uri("./a b/c:d%.conf"), "a%20b/c%3Ad%25.conf");
        assert_eq!(uri("/tmp/x.conf"), "file:///tmp/x.conf");
        assert_eq!(uri("caf\u{e9}"), "caf%C3%A9");
    }

    #[test]
    fn security_rules_are_the_exposure_ones() {
        assert!(is_security(rules::find_meta("CORS002").unwrap()));
        assert!(!is_security(rules::find_meta("CORS001").unwrap()));
        assert!(!is_security(&rules::CL000));
    }
}
