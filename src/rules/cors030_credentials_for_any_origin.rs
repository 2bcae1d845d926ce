//! CORS030: `Access-Control-Allow-Credentials: true` is sent to origins the policy does not allow.

use super::common::{credentials_span, product, with_hint};
use super::{FindingExt, Reporter, Unit};
use crate::ir::{OriginMatcher, OriginPolicy};

declare_rule!(CredentialsForAnyOrigin, "CORS030", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        let Some(cred) = credentials_span(policy) else {
            continue;
        };
        if !policy.emission.credentials_unconditional {
            continue;
        }
        // Only an allow-list leaves origins out; `*` or an echo allows them all anyway.
        let OriginPolicy::Match(m) = &policy.allow_origin else {
            continue;
        };
        if m.matchers.iter().any(|(x, _)| *x == OriginMatcher::Any) {
            continue;
        }
        out.report(
            cred,
            "sent to every origin",
            format!(
                "{} sends `Access-Control-Allow-Credentials: true` also to origins it does not allow ({})",
                product(policy),
                policy.scope.description
            ),
        )
        .note(
            "it is sent on every response; alone it grants nothing, but every site learns that the \
             API takes credentials, and any origin the check lets through by mistake gets the \
             user's session with it",
        )
        .help(with_hint(
            policy,
            "allow credentials only if the callers need cookies, and keep the origin check exact",
            &policy.fix_hints.credentials_off,
        ));
    }
}
