//! CORS001: an `Access-Control-Allow-Origin` value no browser can ever match.

use super::common::{clip_words, explain_origin_problem, provenance, sends};
use super::{FindingExt, Reporter, Unit};
use crate::ir::OriginPolicy;
use crate::ir::origin::{AllowOriginValue, ProblemKind, classify_allow_origin};

declare_rule!(InvalidAllowOrigin, "CORS001", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        let OriginPolicy::Static(value) = &policy.allow_origin else {
            continue;
        };
        // Control characters are CORS006's: the value is broken before any browser sees it.
        if !value.is_known()
            || value
                .text()
                .chars()
                .any(crate::ir::fetch::is_invalid_field_char)
        {
            continue;
        }
        let (view, view_range) = value.browser_view();
        let AllowOriginValue::Invalid(problem) = classify_allow_origin(view) else {
            continue;
        };
        let at = view_range.start;
        // An expanded value is reported where it is written, not where its variable is set.
        let span = match value.source {
            crate::ir::ValueSource::Expanded { .. } => value.span(),
            _ => value.span_of(at + problem.range.start..at + problem.range.end),
        };
        let (label, why) = explain_origin_problem(&problem.kind);
        let message = format!(
            "`Access-Control-Allow-Origin: {}`{} matches no origin ({label}), so browsers block every \
             cross-origin read",
            clip_words(view, 8),
            provenance(value)
        );
        let note = format!(
            "{}{}; {why}",
            sends(policy, "Access-Control-Allow-Origin", view),
            provenance(value)
        );
        let mut help = match &problem.suggestion {
            Some(s) => format!("write the page's exact origin, e.g. `{s}`"),
            None => {
                "write exactly one origin as the browser sends it: lower-case scheme and host, \
                     no path, no trailing slash, no default port"
                    .to_string()
            }
        };
        if matches!(
            problem.kind,
            ProblemKind::List { .. } | ProblemKind::Wildcard
        ) {
            help = match &policy.fix_hints.origin_list {
                // The server can match the request's `Origin` and echo it.
                Some(how) => format!(
                    "send one origin per response: match the request's `Origin` and echo it; in {}: {how}",
                    policy.server.product
                ),
                None => format!(
                    "{} sends one fixed value to every caller and cannot choose among origins; to allow \
                     several, put a proxy or gateway that matches the request's `Origin` in front \
                     (e.g. ingress-nginx `cors-allow-origin`, a Gateway API CORS filter)",
                    policy.server.product
                ),
            };
        }
        out.report(span, label, message).note(note).help(help);
    }
}
