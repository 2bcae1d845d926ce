//! INGX002: a `cors-allow-origin` value the controller rejects as a whole, which makes it
//! allow every origin.

use super::{FindingExt, Reporter, Unit};
use crate::finding::quote;
use crate::frontend::ingress::controller::{self, Version};
use crate::frontend::ingress::facts::{Fact, Fate, Source};

declare_rule!(OriginFailsOpen, "INGX002", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.ingress_facts() {
        let Fact::Cors(c) = fact else { continue };
        let (credentials, credentials_note) = if c.credentials.value {
            (
                " with credentials",
                "; responses also carry `Access-Control-Allow-Credentials: true`",
            )
        } else {
            ("", "")
        };
        if let Source::Invalid {
            raw,
            at,
            check,
            why,
            ..
        } = &c.origin.source
            && !c.origin_entries.iter().any(|e| e.fate == Fate::Star)
        {
            // A `*` in a list is INGX004's.
            let part = unit.file.text(*at);
            let finding = out.report(
                *at,
                "fails the controller's check",
                format!(
                    "`cors-allow-origin` is rejected at {} and falls back to `*`: {} answers every \
                     origin{credentials}",
                    quote(&part),
                    c.object
                ),
            );
            finding.note(format!(
                "ingress-nginx rejects the value: {why}; the value must match `{check}` after its spaces \
                 are removed, and a rejected value falls back to `*`{credentials_note}"
            ));
            match suggestion(raw, c.version) {
                Some(fixed) => finding.help(format!(
                    "write `nginx.ingress.kubernetes.io/cors-allow-origin: \"{fixed}\"`: scheme in lower case, no \
                     path or trailing slash, origins separated by `,` on one line"
                )),
                None => finding.help(
                    "write each origin as `scheme://host[:port]` (lower-case scheme, no path), separated by `,` on one \
                     line",
                ),
            };
        }
        for e in &c.origin_entries {
            if e.fate == Fate::EmptyMatchesAll {
                out.report(
                    e.span,
                    "empty entry",
                    format!(
                        "the empty entry after the last `,` matches every origin before controller 1.9.5: {} \
                         echoes any origin{credentials}",
                        c.object
                    ),
                )
                .note(format!(
                    "before controller 1.9.5 the empty entry is kept, and the generated \
                     `if ($http_origin ~* (…|)$)` then matches every origin{credentials_note}"
                ))
                .help("remove the trailing `,` (or upgrade the controller to 1.9.5 or later)");
            }
        }
    }
}

/// The value as it was probably meant, if that passes the controller's check.
fn suggestion(raw: &str, v: Version) -> Option<String> {
    let mut fixed = Vec::new();
    for entry in raw.split([',', '\n', ' ', '\t', '\r', ';']) {
        let e = entry.trim().trim_matches(['"', '\'']);
        if e.is_empty() {
            continue;
        }
        let e = match e.split_once("://") {
            Some((scheme, rest)) => {
                let host = rest.split(['/', '?', '#']).next().unwrap_or("");
                format!("{}://{host}", scheme.to_ascii_lowercase())
            }
            None => e.trim_end_matches('/').to_string(),
        };
        fixed.push(e);
    }
    let s = fixed.join(", ");
    (!s.is_empty() && s != raw && controller::validate_origin(&s, v).is_ok()).then_some(s)
}
