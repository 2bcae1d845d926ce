//! CORS017: `Access-Control-Allow-Origin: *` together with `Access-Control-Allow-Credentials: true`.

use super::common::{credentials_span, in_dialect, product, wildcard_origin};
use super::{FindingExt, Reporter, Unit};

declare_rule!(WildcardOriginWithCredentials, "CORS017", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        let (Some(span), Some(cred)) = (wildcard_origin(policy), credentials_span(policy)) else {
            continue;
        };
        out.report(
            span,
            "`*` with credentials",
            format!(
                "`Access-Control-Allow-Origin: *` comes with `Access-Control-Allow-Credentials: true`, so \
                 credentialed calls fail ({})",
                policy.scope.description
            ),
        )
        .note(format!(
            "{} sends both: browsers fail the CORS check of every call made with credentials, while \
             every site can read the answers to calls without them",
            product(policy)
        ))
        .related(cred, "credentials allowed here")
        .help(format!(
            "if callers send cookies, name the allowed origins (never echo every origin){}; \
             if they do not, stop allowing credentials{}",
            in_dialect(policy, &policy.fix_hints.origin_list),
            in_dialect(policy, &policy.fix_hints.credentials_off)
        ));
    }
}
