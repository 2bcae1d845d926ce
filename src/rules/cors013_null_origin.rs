//! CORS013: the `null` origin is allowed.

use super::common::with_hint;
use super::{FindingExt, Reporter, Unit};
use crate::ir::{OriginMatcher, OriginPolicy};

declare_rule!(NullOrigin, "CORS013", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        let span = match &policy.allow_origin {
            OriginPolicy::Static(v) if v.is_known() => {
                let (view, range) = v.browser_view();
                (view == "null").then(|| v.span_of(range))
            }
            OriginPolicy::Match(m) => m
                .matchers
                .iter()
                .find(|(x, _)| *x == OriginMatcher::Null)
                .map(|(_, s)| *s),
            _ => None,
        };
        let Some(span) = span else { continue };
        out.report(
            span,
            "trusts `null`",
            "the origin `null` is allowed, and any page can forge it to read the responses",
        )
        .note(
            "`null` is the origin of every sandboxed iframe, `data:` URL and local file, so any page can \
             send it (`<iframe sandbox srcdoc=…>`)",
        )
        .help(with_hint(
            policy,
            "allow the real origin of the calling page instead; never trust `null`",
            &policy.fix_hints.origin_list,
        ));
    }
}
