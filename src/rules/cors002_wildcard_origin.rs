//! CORS002: `Access-Control-Allow-Origin: *`.

use super::common::{credentials_span, exposed_unauthenticated_admin, wildcard_origin};
use super::{FindingExt, Reporter, Unit};

declare_rule!(WildcardOrigin, "CORS002", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        let Some((span, what)) = wildcard_origin(policy)
            .map(|s| (s, "`Access-Control-Allow-Origin: *`"))
            .or_else(|| echo_any(policy).map(|s| (s, "echoing every `Origin`")))
        else {
            continue;
        };
        // CORS003 reports the case where an unauthenticated admin API is exposed, CORS017 the
        // one with credentials.
        if exposed_unauthenticated_admin(policy).is_some() || credentials_span(policy).is_some() {
            continue;
        }
        out.report(
            span,
            "any origin",
            format!(
                "{what} lets every web page read responses from {}",
                policy.scope.description
            ),
        )
        .note(
            "this holds for requests without credentials, and includes pages opened by users on \
             the same host or network",
        )
        .help(
            "allow only the origin that needs access (e.g. `https://app.example.com`); \
             `*` suits only public data that needs no network position to read",
        );
    }
}

/// The `Any` matcher of a policy that echoes every origin (reflection; with credentials it
/// is CORS015's).
fn echo_any(policy: &crate::ir::CorsPolicy) -> Option<crate::source::Span> {
    let crate::ir::OriginPolicy::Match(m) = &policy.allow_origin else {
        return None;
    };
    m.on_match
        .echoes()
        .then(|| {
            m.matchers
                .iter()
                .find(|(x, _)| *x == crate::ir::OriginMatcher::Any)
        })
        .flatten()
        .map(|(_, s)| *s)
}
