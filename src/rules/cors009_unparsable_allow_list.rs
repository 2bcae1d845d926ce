//! CORS009: `Access-Control-Allow-Methods` or `-Headers` that browsers cannot parse.

use super::common::provenance;
use super::{FindingExt, Reporter, Unit};
use crate::ir::fetch;

declare_rule!(UnparsableAllowList, "CORS009", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        for (header, list, what) in [
            (
                "Access-Control-Allow-Methods",
                &policy.allow_methods,
                "method",
            ),
            (
                "Access-Control-Allow-Headers",
                &policy.allow_headers,
                "header name",
            ),
        ] {
            let Some(entries) = list.entries() else {
                continue;
            };
            // One bad entry makes the whole header invalid: report the first.
            let Some((entry, span)) = entries.into_iter().find(|(e, _)| !fetch::is_token(e)) else {
                continue;
            };
            let help = if entry.contains([' ', '\t']) {
                "separate the entries with commas, e.g. `GET, POST`"
            } else if entry.contains(';') {
                "separate the entries with commas, not semicolons"
            } else {
                "write only method or header names (letters, digits and `!#$%&'*+-.^_`|~`), separated by commas"
            };
            let source = list.static_value().map(provenance).unwrap_or_default();
            out.report(
                span,
                format!("not a {what}"),
                format!(
                    "`{entry}` in `{header}`{source} is not a single {what}, so Chromium rejects every preflight \
                     response carrying it (`{header}` must be a comma-separated list of tokens)"
                ),
            )
            .help(help);
        }
    }
}
