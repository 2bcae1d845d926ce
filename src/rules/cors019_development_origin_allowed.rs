//! CORS019: a local development origin (`localhost`, `127.0.0.1`) is allowed next to the
//! origins a deployment serves.

use super::common::{allowed_origin_examples, is_local_origin, product};
use super::{FindingExt, Reporter, Unit};

declare_rule!(DevelopmentOriginAllowed, "CORS019", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        let allowed = allowed_origin_examples(policy);
        // A policy that allows only local origins is a development configuration, which is
        // where they belong; the mistake is one left next to the sites a deployment serves.
        if !allows_a_site(policy) {
            continue;
        }
        for (origin, span) in allowed {
            if !is_local_origin(&origin) {
                continue;
            }
            out.report(
                span,
                format!("trusts `{origin}`"),
                format!("the local origin `{origin}` is trusted next to deployed origins"),
            )
            .note(format!(
                "{} trusts it: any page served on that port of a user's machine (a dev server, a local \
                 app, a malicious package's web UI) can read the responses",
                product(policy)
            ))
            .help("keep development origins in a development-only configuration");
        }
    }
}

/// Whether the policy allows some origin that is not on the user's machine: a literal
/// origin, an exact entry, `*`, or a pattern written for another host.
fn allows_a_site(policy: &crate::ir::CorsPolicy) -> bool {
    use crate::ir::{OriginMatcher, OriginPolicy};
    match &policy.allow_origin {
        OriginPolicy::Static(v) => !is_local_origin(v.browser_view().0),
        OriginPolicy::Match(m) => m.matchers.iter().any(|(x, _)| match x {
            OriginMatcher::Any => true,
            OriginMatcher::Null => false,
            OriginMatcher::Exact { origin, .. } => !is_local_origin(origin),
            OriginMatcher::Subdomains { scheme, base, .. } => {
                !is_local_origin(&format!("{scheme}://{base}"))
            }
            other => crate::ir::origin::intended_hosts(other)
                .iter()
                .any(|h| !is_local_origin(&format!("https://{h}"))),
        }),
        _ => false,
    }
}
