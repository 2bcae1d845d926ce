//! CORS021: the CORS headers are not sent on error responses.

use super::common::product;
use super::{FindingExt, Reporter, Unit};
use crate::ir::OriginPolicy;

declare_rule!(HeadersMissingOnErrors, "CORS021", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        if policy.emission.on_errors || matches!(policy.allow_origin, OriginPolicy::NotSent) {
            continue;
        }
        let Some((span, why)) = &policy.emission.errors_cause else {
            continue;
        };
        out.report(
            *span,
            "not on 4xx/5xx",
            format!(
                "{} leaves this CORS header off error responses ({})",
                product(policy),
                policy.scope.description
            ),
        )
        .note(
            "the page sees a 4xx or 5xx answer, including a 405 to a preflight, as a network error \
             and cannot read its status or body",
        )
        .help(why.clone());
        if let Some(fix) = policy.fix_for(crate::ir::FixTopic::SendOnErrors) {
            out.last().fix(fix);
        }
    }
}
