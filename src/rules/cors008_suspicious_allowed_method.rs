//! CORS008: an `Access-Control-Allow-Methods` entry that does not do what it seems to.

use super::{FindingExt, Reporter, Unit};
use crate::ir::{Credentials, fetch};

declare_rule!(SuspiciousAllowedMethod, "CORS008", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        let Some(entries) = policy.allow_methods.entries() else {
            continue;
        };
        let credentials = matches!(policy.credentials, Credentials::On { .. });
        for (method, span) in entries {
            // A server default, not written in the file (Kong sends TRACE and CONNECT unless
            // `methods` is set): nothing to fix where the finding would point.
            if span == policy.anchor {
                continue;
            }
            // Entries that are not tokens break the whole header: CORS009.
            if !fetch::is_token(&method) {
                continue;
            }
            let upper = method.to_ascii_uppercase();
            let mut note = None;
            let (label, message, help) = if method == "*" {
                if credentials {
                    note = Some(
                        "when credentials are allowed, browsers read `*` as a method named `*`, not as \
                         a wildcard",
                    );
                    (
                        "literal `*` with credentials",
                        "with credentials, `*` in `Access-Control-Allow-Methods` allows no method"
                            .to_string(),
                        "list the methods the callers use, e.g. `GET, POST, PUT`".to_string(),
                    )
                } else {
                    (
                        "every method",
                        "`*` in `Access-Control-Allow-Methods` lets pages send every method, DELETE and PUT included"
                            .to_string(),
                        "list only the methods the callers use, e.g. `GET, POST`".to_string(),
                    )
                }
            } else if fetch::FORBIDDEN_METHODS.contains(&upper.as_str()) {
                (
                    "never sent by browsers",
                    format!(
                        "browsers never let a page send {upper}, so listing `{method}` has no effect"
                    ),
                    format!("remove `{method}`"),
                )
            } else if fetch::KNOWN_METHODS.contains(&upper.as_str())
                && method != upper
                // GET, HEAD and POST pass the method check whatever the list says.
                && !fetch::is_safelisted_method(&method)
            {
                note = Some("method names match case-sensitively");
                (
                    "case-sensitive",
                    format!("`{method}` does not allow `{upper}`, the method browsers send"),
                    format!("write `{upper}`"),
                )
            } else if !fetch::KNOWN_METHODS.contains(&upper.as_str()) {
                // (a lower-case GET/HEAD/POST lands here only if unknown, which it is not)
                let suggestion = fetch::KNOWN_METHODS
                    .iter()
                    .filter_map(|m| crate::spelling::distance_within(&upper, m, 2).map(|d| (d, *m)))
                    .min();
                (
                    "unknown method",
                    format!("`{method}` is not an HTTP method servers route"),
                    match suggestion {
                        Some((_, m)) => format!("did you mean `{m}`?"),
                        None => "remove it, or check the spelling".to_string(),
                    },
                )
            } else {
                continue;
            };
            let finding = out.report(span, label, message);
            if let Some(note) = note {
                finding.note(note);
            }
            finding.help(help);
            // Upper-casing lets the method through: a change of behaviour, so unsafe. Only
            // where the file spells the entry exactly (no escapes), so ASCII letters can be
            // swapped in place in any dialect.
            if label == "case-sensitive"
                && unit.file.bytes().get(span.range()) == Some(method.as_bytes())
            {
                out.last().fix(crate::finding::Fix {
                    description: format!("write `{upper}`"),
                    edits: vec![crate::source::Edit {
                        span,
                        replacement: upper.clone(),
                    }],
                    safe: false,
                });
            }
        }
    }
}
