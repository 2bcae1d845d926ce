//! CORS025: every subdomain of a domain is trusted.

use super::common::{credentials_span, in_dialect, product};
use super::{FindingExt, Reporter, Unit};
use crate::ir::origin::intended_hosts;
use crate::ir::{LabelDepth, OriginMatcher, OriginPolicy};

declare_rule!(AnySubdomainTrusted, "CORS025", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        let OriginPolicy::Match(m) = &policy.allow_origin else {
            continue;
        };
        for (matcher, span) in &m.matchers {
            let Some((base, depth)) = subdomains(matcher) else {
                continue;
            };
            let with = if credentials_span(policy).is_some() {
                ", with the user's cookies"
            } else {
                ""
            };
            out.report(
                *span,
                format!("any subdomain of `{base}`"),
                format!(
                    "{} trusts every subdomain of `{base}` ({depth}){with}",
                    product(policy)
                ),
            )
            .note(format!(
                "script on any of them — an XSS, a forgotten staging site, a DNS record left pointing \
                 at a released cloud address — can read the responses{with}"
            ))
            .help(format!(
                "list the subdomains that call the API instead of trusting all of them{}",
                in_dialect(policy, &policy.fix_hints.origin_list)
            ));
        }
    }
}

/// The domain whose subdomains a matcher accepts wholesale, and how deep.
fn subdomains(matcher: &OriginMatcher) -> Option<(String, &'static str)> {
    match matcher {
        OriginMatcher::Subdomains { base, depth, .. } => Some((
            base.clone(),
            match depth {
                LabelDepth::ExactlyOne => "one label deep",
                LabelDepth::OneOrMore => "at any depth",
            },
        )),
        OriginMatcher::Regex { .. } => intended_hosts(matcher).into_iter().find_map(|host| {
            let base = host.trim_start_matches("www.").to_string();
            let one = ["https", "http"]
                .iter()
                .any(|s| matcher.accepts(&format!("{s}://x7-sub.{base}")));
            let deep = ["https", "http"]
                .iter()
                .any(|s| matcher.accepts(&format!("{s}://a.x7-sub.{base}")));
            match (one, deep) {
                (true, true) => Some((base, "at any depth")),
                (true, false) => Some((base, "one label deep")),
                _ => None,
            }
        }),
        _ => None,
    }
}
