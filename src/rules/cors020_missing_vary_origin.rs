//! CORS020: the allowed origin depends on the request, but responses lack `Vary: Origin`.

use super::common::{credentials_span, product, with_hint};
use super::{FindingExt, Reporter, Unit};
use crate::ir::OriginPolicy;

declare_rule!(MissingVaryOrigin, "CORS020", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        let OriginPolicy::Match(m) = &policy.allow_origin else {
            continue;
        };
        // What a matching origin gets under this policy's credentials.
        let on = if credentials_span(policy).is_some() {
            m.on_match_with_credentials
        } else {
            m.on_match
        };
        // A literal `*` is sent only for `Any`; other matchers send the origin they accept.
        let echoes = on.echoes()
            || m.matchers
                .iter()
                .any(|(x, _)| *x != crate::ir::OriginMatcher::Any);
        if !echoes || policy.sends_vary_origin() || m.matchers.is_empty() {
            continue;
        }
        // Caches do not store answers to `OPTIONS` (RFC 9110 §9.3.7): a preflight-only
        // branch has nothing to vary.
        if policy.scope.only_method.as_deref() == Some("OPTIONS") {
            continue;
        }
        out.report(
            policy.anchor,
            "no `Vary: Origin`",
            format!(
                "`Access-Control-Allow-Origin` depends on `Origin` but `Vary: Origin` is missing ({})",
                policy.scope.description
            ),
        )
        .note(format!(
            "{} answers each allowed origin with its own value; a shared or browser cache can keep \
             the answer for one origin and replay it to another, so allowed sites fail at random or \
             a cached grant leaks to the wrong site",
            product(policy)
        ))
        .help(with_hint(
            policy,
            "send `Vary: Origin` on every response whose CORS headers depend on the origin",
            &policy.fix_hints.vary,
        ));
        if let Some(fix) = policy.fix_for(crate::ir::FixTopic::VaryOrigin) {
            out.last().fix(fix);
        }
    }
}
