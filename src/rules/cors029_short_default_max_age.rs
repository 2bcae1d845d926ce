//! CORS029: the server sends a short preflight lifetime the file does not show.

use super::common::{in_dialect, product};
use super::{FindingExt, Reporter, Unit};
use crate::ir::{AllowList, MaxAge, OriginPolicy};

declare_rule!(ShortDefaultMaxAge, "CORS029", check);

/// Below this, a page that calls the API steadily preflights most of its calls.
const SHORT: i64 = 60;

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        let MaxAge::Seconds {
            value,
            at,
            defaulted: true,
        } = policy.max_age
        else {
            continue;
        };
        if value >= SHORT || matches!(policy.allow_origin, OriginPolicy::NotSent) {
            continue;
        }
        // Only preflighted calls are cached: a policy that allows only safelisted calls
        // never sees one.
        let echoes = matches!(policy.allow_methods, AllowList::EchoRequest { .. })
            || matches!(policy.allow_headers, AllowList::EchoRequest { .. });
        if !echoes
            && policy.preflighted_methods().is_empty()
            && policy.preflighted_headers().is_empty()
        {
            continue;
        }
        out.report(
            at,
            format!("`Access-Control-Max-Age: {value}` by default"),
            format!(
                "{} sends a short default `Access-Control-Max-Age: {value}` ({})",
                product(policy),
                policy.scope.description
            ),
        )
        .note(format!(
            "the file sets no max-age; browsers cache each preflight for {value} s only, so a page \
             that calls the API with these methods or headers pays an extra `OPTIONS` round trip \
             almost every time"
        ))
        .help(format!(
            "set the lifetime you want, e.g. 600 seconds{}",
            in_dialect(policy, &policy.fix_hints.max_age)
        ));
    }
}
