//! CORS010: `*` in `Access-Control-Allow-Headers`.

use super::{FindingExt, Reporter, Unit};
use crate::ir::{Credentials, fetch};

declare_rule!(WildcardAllowedHeaders, "CORS010", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        let Some(entries) = policy.allow_headers.entries() else {
            continue;
        };
        let Some((_, span)) = entries.iter().find(|(h, _)| h == "*") else {
            continue;
        };
        let credentials = matches!(policy.credentials, Credentials::On { .. });
        let authorization_listed = entries
            .iter()
            .any(|(h, _)| h.eq_ignore_ascii_case(fetch::NON_WILDCARD_REQUEST_HEADER));
        let (message, note) = if credentials {
            (
                "with credentials, `*` in `Access-Control-Allow-Headers` allows no header",
                "when credentials are allowed, browsers read `*` as a header named `*`, not as a wildcard",
            )
        } else if authorization_listed {
            continue;
        } else {
            (
                "`*` in `Access-Control-Allow-Headers` does not cover `Authorization`, so calls with a token \
                 will fail their preflight",
                "by the Fetch standard, `*` covers every request header except `Authorization`; Chromium \
                 and Firefox still let it cover `Authorization` with a deprecation warning, and calls that \
                 send a token will fail the preflight once they enforce the standard",
            )
        };
        out.report(*span, "wildcard", message)
            .note(note)
            .help("list the headers the callers send, e.g. `Content-Type, Authorization`");
    }
}
