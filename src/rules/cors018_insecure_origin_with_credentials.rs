//! CORS018: a plain `http://` origin is trusted with credentials.

use super::common::{allowed_origin_examples, credentials_span, product, with_hint};
use super::{FindingExt, Reporter, Unit};

declare_rule!(InsecureOriginWithCredentials, "CORS018", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        let Some(cred) = credentials_span(policy) else {
            continue;
        };
        for (origin, span) in allowed_origin_examples(policy) {
            if !origin.starts_with("http://") || super::common::is_local_origin(&origin) {
                continue;
            }
            out.report(
                span,
                format!("trusts `{origin}`"),
                format!("the plain-HTTP origin `{origin}` is trusted with credentials"),
            )
            .note(format!(
                "{} trusts it: anyone on the network path of a user (public Wi-Fi, a hostile router) \
                 can inject script into that page and read the responses with the user's cookies",
                product(policy)
            ))
            .related(cred, "credentials allowed here")
            .help(with_hint(policy, "allow only the `https://` origin", &policy.fix_hints.origin_list));
        }
    }
}
