//! CORS011: allow-lists that name only what browsers allow anyway.

use super::common::clip_words;
use super::{FindingExt, Reporter, Unit};
use crate::ir::fetch;

declare_rule!(OnlySafelistedEntries, "CORS011", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        if let Some(value) = policy.allow_methods.static_value().filter(|v| v.is_known())
            && let Some(entries) = policy.allow_methods.entries()
            && !entries.is_empty()
            && entries
                .iter()
                .all(|(m, _)| fetch::is_safelisted_method(m) && fetch::is_token(m))
        {
            let (view, range) = value.browser_view();
            out.report(
                value.span_of(range),
                "always allowed",
                format!(
                    "`Access-Control-Allow-Methods: {}` has no effect",
                    clip_words(view, 8)
                ),
            )
            .note("GET, HEAD and POST never need a preflight, so browsers allow them without this header")
            .help("remove it, or add the non-simple methods the callers use (PUT, DELETE, …)");
        }
        if let Some(value) = policy.allow_headers.static_value().filter(|v| v.is_known())
            && let Some(entries) = policy.allow_headers.entries()
            && !entries.is_empty()
            && entries
                .iter()
                .all(|(h, _)| fetch::is_always_safelisted_header(h))
        {
            let (view, range) = value.browser_view();
            out.report(
                value.span_of(range),
                "safelisted",
                format!(
                    "`Access-Control-Allow-Headers: {}` has effect only for unusual values",
                    clip_words(view, 8)
                ),
            )
            .note(
                "browsers send Accept, Accept-Language and Content-Language without a preflight unless \
                 their values are unusual",
            )
            .help("list the headers that do need a preflight, e.g. `Content-Type` for JSON bodies, or `Authorization`");
        }
    }
}
