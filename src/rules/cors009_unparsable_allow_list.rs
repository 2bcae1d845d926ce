//! CORS009: `Access-Control-Allow-Methods` or `-Headers` that browsers cannot parse.

use super::common::{clip_words, provenance};
use super::{FindingExt, Reporter, Unit};
use crate::ir::fetch;

declare_rule!(UnparsableAllowList, "CORS009", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        for (header, list, what, example) in [
            (
                "Access-Control-Allow-Methods",
                &policy.allow_methods,
                "method",
                "GET, POST",
            ),
            (
                "Access-Control-Allow-Headers",
                &policy.allow_headers,
                "header name",
                "Content-Type, Authorization",
            ),
        ] {
            let Some(entries) = list.entries() else {
                continue;
            };
            // One bad entry makes the whole header invalid: report the first.
            let Some((entry, span)) = entries.into_iter().find(|(e, _)| !fetch::is_token(e)) else {
                continue;
            };
            let help = if entry.contains([' ', '\t', ';']) {
                format!("separate the entries with commas, e.g. `{example}`")
            } else {
                format!(
                    "write only names (letters, digits and `!#$%&'*+-.^_`|~`), separated by commas, e.g. `{example}`"
                )
            };
            let source = list.static_value().map(provenance).unwrap_or_default();
            out.report(
                span,
                format!("not a {what}"),
                format!(
                    "`{}` in `{header}`{source} is not a single {what}, so Chromium rejects every preflight",
                    clip_words(&entry, 6)
                ),
            )
            .note(format!(
                "`{header}` must be a comma-separated list of tokens, and `{entry}` is not one; \
                 Chromium rejects every preflight response carrying it"
            ))
            .help(help);
        }
    }
}
