//! CORS028: the requested method or headers are echoed as allowed, with credentials.

use super::common::{credentials_span, in_dialect, product};
use super::{FindingExt, Reporter, Unit};
use crate::ir::{AllowList, OriginPolicy};

declare_rule!(RequestEchoedWithCredentials, "CORS028", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        let Some(cred) = credentials_span(policy) else {
            continue;
        };
        if matches!(policy.allow_origin, OriginPolicy::NotSent) {
            continue;
        }
        for (list, header, what, examples) in [
            (
                &policy.allow_methods,
                "Access-Control-Request-Method",
                "method",
                "`DELETE`, `PATCH`, …",
            ),
            (
                &policy.allow_headers,
                "Access-Control-Request-Headers",
                "request header",
                "`Authorization`, `X-HTTP-Method-Override`, …",
            ),
        ] {
            let AllowList::EchoRequest { at } = list else {
                continue;
            };
            out.report(
                *at,
                format!("echoes `{header}`"),
                format!(
                    "{} echoes `{header}`, allowing every {what} with the user's cookies ({})",
                    product(policy),
                    policy.scope.description
                ),
            )
            .note(format!(
                "{} copies the preflight's `{header}` into its answer: an allowed origin — or a \
                 script injected into one — can send any {what} ({examples}) the API was never meant \
                 to take from a browser",
                product(policy)
            ))
            .related(cred, "credentials allowed here")
            .help(format!(
                "list the methods and headers the callers use{}",
                in_dialect(policy, &policy.fix_hints.allow_lists)
            ));
        }
    }
}
