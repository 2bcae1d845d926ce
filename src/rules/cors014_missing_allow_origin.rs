//! CORS014: other CORS headers are sent, but no `Access-Control-Allow-Origin`.

use super::{FindingExt, Reporter, Unit};
use crate::ir::{AllowList, OriginPolicy};

declare_rule!(MissingAllowOrigin, "CORS014", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        if !matches!(policy.allow_origin, OriginPolicy::NotSent) {
            continue;
        }
        let sent: Vec<(&str, &AllowList)> = [
            ("Access-Control-Allow-Methods", &policy.allow_methods),
            ("Access-Control-Allow-Headers", &policy.allow_headers),
            ("Access-Control-Expose-Headers", &policy.expose_headers),
        ]
        .into_iter()
        .filter(|(_, l)| !matches!(l, AllowList::NotSent))
        .collect();
        let Some((first, _)) = sent.first() else {
            continue;
        };
        let span = sent
            .iter()
            .find_map(|(_, l)| l.static_value().map(|v| v.span()))
            .unwrap_or(policy.anchor);
        out.report(
            span,
            "no Allow-Origin to go with it",
            format!(
                "{} sends `{first}` but no `Access-Control-Allow-Origin`, so browsers block every cross-origin read \
                 and every preflight",
                policy.server.product
            ),
        )
        .help("configure the allowed origin too: without it no other CORS header has any effect");
    }
}
