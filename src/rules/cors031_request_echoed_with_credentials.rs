//! CORS031: the requested methods or headers are echoed as allowed, with credentials.

use super::common::{credentials_span, product, with_hint};
use super::{FindingExt, Reporter, Unit};
use crate::ir::{AllowList, OriginPolicy};

declare_rule!(RequestEchoedWithCredentials, "CORS031", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        let Some(cred) = credentials_span(policy) else {
            continue;
        };
        if matches!(
            policy.allow_origin,
            OriginPolicy::NotSent | OriginPolicy::Unknown { .. }
        ) {
            continue;
        }
        for (list, request, header) in [
            (
                &policy.allow_methods,
                "Access-Control-Request-Method",
                "Access-Control-Allow-Methods",
            ),
            (
                &policy.allow_headers,
                "Access-Control-Request-Headers",
                "Access-Control-Allow-Headers",
            ),
        ] {
            let AllowList::EchoRequest { at } = list else {
                continue;
            };
            out.report(
                *at,
                "echoes what is asked",
                format!(
                    "{} copies the preflight's `{request}` into `{header}` while allowing credentials ({}): \
                     every method or header an allowed page asks for is granted with the user's cookies, so \
                     the server's list no longer limits what cross-site calls can do",
                    product(policy),
                    policy.scope.description
                ),
            )
            .related(cred, "credentials allowed here")
            .help(with_hint(
                "list the methods and request headers the callers use",
                &policy.fix_hints.allow_lists,
            ));
        }
    }
}
