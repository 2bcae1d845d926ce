//! Proposals for the method and header lists of a file's policies, read from the IR: a
//! value the file spells verbatim (no quoting escapes) is rewritten in place — one header
//! value as a whole (`GET,post` → `GET, POST`), or each entry of a list the dialect writes as
//! separate items (YAML sequences) — so the dialect's quoting and layout stay as they are.

use super::{Proposal, Variant};
use crate::backend::canonical::{header_order, header_spelling, method_order};
use crate::ir::{AllowList, CorsPolicy, fetch};
use crate::source::{Edit, SourceFile, Span};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Methods,
    Headers,
}

impl Kind {
    fn spell(self, entry: &str) -> String {
        match self {
            Kind::Methods => entry.to_ascii_uppercase(),
            Kind::Headers => header_spelling(entry),
        }
    }

    fn order(self, entries: &mut [String]) {
        match self {
            Kind::Methods => entries.sort_by_key(|m| method_order(&m.to_ascii_uppercase())),
            Kind::Headers => entries.sort_by_key(|h| header_order(h)),
        }
    }

    /// Duplicates browsers cannot tell apart: the same method, or a header name in any case.
    fn same(self, a: &str, b: &str) -> bool {
        match self {
            Kind::Methods => a == b,
            Kind::Headers => a.eq_ignore_ascii_case(b),
        }
    }

    /// Entries whose respelling browsers cannot notice on their own: the safelisted
    /// methods (they pass the method check whatever the list says) and header names
    /// (compared case-insensitively).
    fn spell_harmless(self, entry: &str) -> String {
        match self {
            Kind::Methods if fetch::is_safelisted_method(&entry.to_ascii_uppercase()) => {
                entry.to_ascii_uppercase()
            }
            Kind::Methods => entry.to_string(),
            Kind::Headers => header_spelling(entry),
        }
    }

    fn does(self) -> &'static str {
        match self {
            Kind::Methods => "upper-casing the methods",
            Kind::Headers => "writing the header names in their standard spelling",
        }
    }
}

pub fn proposals(file: &SourceFile, policies: &[CorsPolicy]) -> Vec<Proposal> {
    let mut out: Vec<Proposal> = Vec::new();
    for p in policies {
        for (list, kind, header) in [
            (
                &p.allow_methods,
                Kind::Methods,
                "Access-Control-Allow-Methods",
            ),
            (
                &p.allow_headers,
                Kind::Headers,
                "Access-Control-Allow-Headers",
            ),
            (
                &p.expose_headers,
                Kind::Headers,
                "Access-Control-Expose-Headers",
            ),
        ] {
            let proposal = match list {
                AllowList::Static(v) if v.is_known() => {
                    whole_value(file, v.span(), v.text(), kind, header).or_else(|| {
                        // A value the front end joined from separate items (a YAML list).
                        let entries: Vec<(String, Span)> = fetch::split_list(v.text())
                            .into_iter()
                            .map(|r| (v.text()[r.clone()].to_string(), v.span_of(r)))
                            .collect();
                        items(file, p.anchor, &entries, kind, header)
                    })
                }
                AllowList::Entries(entries) => items(file, p.anchor, entries, kind, header),
                _ => None,
            };
            if let Some(proposal) = proposal
                && !out.iter().any(|o| o.at == proposal.at)
            {
                out.push(proposal);
            }
        }
    }
    out
}

/// The bytes of `span` when they are exactly `text` (in this file, not an included one).
fn verbatim(file: &SourceFile, span: Span, text: &str) -> bool {
    file.bytes().get(span.range()) == Some(text.as_bytes())
}

fn dedup(kind: Kind, entries: &mut Vec<String>) {
    let mut kept: Vec<String> = Vec::new();
    for e in entries.drain(..) {
        if !kept.iter().any(|k| kind.same(k, &e)) {
            kept.push(e);
        }
    }
    *entries = kept;
}

/// One header value holding the whole list (`cors_allowed_methods=GET,post`).
fn whole_value(
    file: &SourceFile,
    span: Span,
    text: &str,
    kind: Kind,
    header: &str,
) -> Option<Proposal> {
    if span.is_empty() || !verbatim(file, span, text) {
        return None;
    }
    let written: Vec<String> = fetch::split_list(text)
        .into_iter()
        .map(|r| text[r].to_string())
        .collect();
    // A list with an entry that is no HTTP token is broken (CORS009), not unformatted.
    if written.is_empty() || !written.iter().all(|e| fetch::is_token(e)) {
        return None;
    }
    let normalized = |spell: &dyn Fn(&str) -> String| {
        let mut v: Vec<String> = written.iter().map(|e| spell(e)).collect();
        dedup(kind, &mut v);
        kind.order(&mut v);
        v
    };
    let mut variants = Vec::new();
    // A value with no blank in it may sit where a blank would end it (an nginx bare word).
    let separators: &[&str] = if text.contains([' ', '\t']) {
        &[", "]
    } else {
        &[", ", ","]
    };
    for (level, (entries, does)) in [
        (normalized(&|e| kind.spell(e)), kind.does()),
        (normalized(&|e| kind.spell_harmless(e)), kind.does()),
        (
            normalized(&|e| e.to_string()),
            "sorting and de-duplicating the entries",
        ),
        (written.clone(), "normalizing the spacing"),
    ]
    .into_iter()
    .enumerate()
    {
        for sep in separators {
            let new = entries.join(sep);
            if new != text
                && !variants
                    .iter()
                    .any(|v: &Variant| v.edits[0].replacement == new)
            {
                variants.push(Variant {
                    does: does.to_string(),
                    edits: vec![Edit {
                        span,
                        replacement: new,
                    }],
                    level: level as u8,
                });
            }
        }
    }
    (!variants.is_empty()).then(|| Proposal {
        at: span,
        what: format!("`{header}` value"),
        variants,
    })
}

/// A list written as separate items, each rewritten in place (no item added or removed).
fn items(
    file: &SourceFile,
    anchor: Span,
    entries: &[(String, Span)],
    kind: Kind,
    header: &str,
) -> Option<Proposal> {
    if entries.is_empty()
        || entries
            .iter()
            .any(|(e, s)| *s == anchor || s.is_empty() || !verbatim(file, *s, e))
    {
        return None;
    }
    let written: Vec<String> = entries.iter().map(|(e, _)| e.clone()).collect();
    let spelled: Vec<String> = written.iter().map(|e| kind.spell(e)).collect();
    let harmless: Vec<String> = written.iter().map(|e| kind.spell_harmless(e)).collect();
    let ordered = |v: &[String]| {
        let mut v = v.to_vec();
        let mut d = v.clone();
        dedup(kind, &mut d);
        // Removing an item is the dialect's syntax, not a value's: only reorder a list
        // without duplicates.
        if d.len() == v.len() {
            kind.order(&mut v);
        }
        v
    };
    let mut variants = Vec::new();
    for (new, does) in [
        (ordered(&spelled), kind.does()),
        (ordered(&harmless), kind.does()),
        (spelled.clone(), "sorting the entries"),
        (harmless.clone(), "sorting the entries"),
        (ordered(&written), kind.does()),
    ] {
        if new == written
            || variants
                .iter()
                .any(|(n, _): &(Vec<String>, &str)| *n == new)
        {
            continue;
        }
        variants.push((new, does));
    }
    let at = entries
        .iter()
        .map(|(_, s)| *s)
        .reduce(Span::cover)
        .unwrap_or(anchor);
    (!variants.is_empty()).then(|| Proposal {
        at,
        what: format!("`{header}` entries"),
        variants: variants
            .into_iter()
            .enumerate()
            .map(|(level, (new, does))| Variant {
                does: does.to_string(),
                level: level as u8,
                edits: entries
                    .iter()
                    .zip(new)
                    .filter(|((old, _), new)| old != new)
                    .map(|((_, span), new)| Edit {
                        span: *span,
                        replacement: new,
                    })
                    .collect(),
            })
            .collect(),
    })
}
