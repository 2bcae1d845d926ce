//! CORS032: a policy allows what the organisation's `[policy]` in cors-lint.toml forbids.

use super::common::{credentials_span, product, wildcard_origin};
use super::{FindingExt, Reporter, Unit};
use crate::config::policy::OriginPattern;
use crate::equiv::{Call, origin_space, outcome};
use crate::ir::{CorsPolicy, MaxAge, OriginPolicy};
use crate::source::Span;

declare_rule!(OutsideOrgPolicy, "CORS032", check);

fn check(unit: &Unit, out: &mut Reporter) {
    let Some(org) = unit.org_policy else { return };
    for policy in unit.policies {
        // Origins an attacker registers first: they make the most telling example.
        let mut origins = origin_space(&[policy]);
        origins.sort_by_key(|o| !o.contains(crate::ir::origin::ATTACKER_DOMAIN));
        let allowed = |origin: &str, credentials: bool| {
            let call = Call {
                origin: origin.to_string(),
                method: "GET".into(),
                headers: Vec::new(),
                credentials,
                backend_fails: false,
            };
            outcome(policy, &call).is_some_and(|o| o.allowed)
        };
        let trusted = |list: &[OriginPattern], o: &str| list.iter().any(|p| p.matches(o));
        if let Some(t) = &org.trusted_origins
            && let Some(o) = origins
                .iter()
                .find(|o| allowed(o, false) && !trusted(&t.value, o))
        {
            out.report(
                origin_span(policy, o),
                format!("allows `{o}`"),
                format!(
                    "`{o}` can read the responses but `trusted-origins` does not trust it ({})",
                    policy.scope.description
                ),
            )
            .note(format!(
                "{} lets pages from `{o}` read its responses; `trusted-origins` ({}) does not trust \
                 that origin",
                product(policy),
                t.at
            ))
            .help("allow only origins `trusted-origins` lists, or add the origin to the policy if it is trusted");
        }
        if let Some(c) = &org.allow_credentials_for
            && let Some(o) = origins
                .iter()
                .find(|o| allowed(o, true) && !trusted(&c.value, o))
        {
            out.report(
                credentials_span(policy).unwrap_or_else(|| origin_span(policy, o)),
                format!("credentials for `{o}`"),
                format!(
                    "`{o}` gets the user's cookies but `allow-credentials-for` does not list it ({})",
                    policy.scope.description
                ),
            )
            .note(format!(
                "{} lets pages from `{o}` send the user's cookies and read the answers; \
                 `allow-credentials-for` ({}) does not list that origin",
                product(policy),
                c.at
            ))
            .help("stop allowing credentials, or allow them only for the origins `allow-credentials-for` lists");
        }
        if let (Some(limit), MaxAge::Seconds { value, at, .. }) =
            (&org.max_age_limit, &policy.max_age)
            && *value > limit.value
        {
            out.report(
                *at,
                format!("{value} s > {}", limit.value),
                format!(
                    "browsers may cache this preflight answer for {value} s, over the {} s `max-age-limit`",
                    limit.value
                ),
            )
            .note(format!("`max-age-limit` is set at {}", limit.at))
            .help(format!("send `Access-Control-Max-Age: {}` or less", limit.value));
        }
        if let Some(w) = &org.forbid_wildcard_origin
            && let Some(span) = wildcard_origin(policy).or_else(|| echoes_any(policy))
        {
            out.report(
                span,
                "every origin",
                format!(
                    "{} allows every origin, which `forbid-wildcard-origin` forbids ({})",
                    product(policy),
                    policy.scope.description
                ),
            )
            .note(format!("`forbid-wildcard-origin` is set at {}", w.at))
            .help("list the allowed origins instead");
        }
        if let Some(h) = &org.require_https
            && let Some(o) = origins
                .iter()
                .find(|o| o.starts_with("http://") && allowed(o, false))
        {
            out.report(
                origin_span(policy, o),
                format!("allows `{o}`"),
                format!(
                    "plain-HTTP `{o}` can read the responses, which `require-https` forbids ({})",
                    policy.scope.description
                ),
            )
            .note(format!(
                "{} lets the plain-HTTP origin `{o}` read its responses, which `require-https` ({}) \
                 forbids: anyone on the network path can inject script into that page",
                product(policy),
                h.at
            ))
            .help("allow only `https://` origins");
        }
    }
}

/// The bytes that let `origin` in: the matcher that accepts it, else the value sent.
fn origin_span(policy: &CorsPolicy, origin: &str) -> Span {
    match &policy.allow_origin {
        OriginPolicy::Match(m) => m
            .matchers
            .iter()
            .find(|(x, _)| x.accepts(origin))
            .map_or(policy.anchor, |(_, s)| *s),
        OriginPolicy::Static(v) => v.span(),
        OriginPolicy::Unknown { at, .. } => *at,
        OriginPolicy::NotSent => policy.anchor,
    }
}

/// A matcher that accepts every origin (an echo of any `Origin`).
fn echoes_any(policy: &CorsPolicy) -> Option<Span> {
    match &policy.allow_origin {
        OriginPolicy::Match(m) => m
            .matchers
            .iter()
            .find(|(x, _)| *x == crate::ir::OriginMatcher::Any)
            .map(|(_, s)| *s),
        _ => None,
    }
}
