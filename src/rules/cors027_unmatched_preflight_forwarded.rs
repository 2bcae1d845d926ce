//! CORS027: preflights from origins the policy does not allow are passed to the backend.

use super::common::product;
use super::{FindingExt, Reporter, Unit};

declare_rule!(UnmatchedPreflightForwarded, "CORS027", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        let Some((at, remedy)) = &policy.unmatched_preflights_forwarded else {
            continue;
        };
        out.report(
            *at,
            "other origins' preflights reach the backend",
            format!(
                "{} forwards preflights from origins it does not allow to the backend ({})",
                product(policy),
                policy.scope.description
            ),
        )
        .note(format!(
            "{} answers preflights only for the origins it allows; the backend's own `OPTIONS` \
             handling — a framework's CORS middleware that allows more origins, or a handler with \
             side effects — then decides what those origins may do",
            product(policy)
        ))
        .help(format!(
            "{remedy}, so the gateway answers every preflight and the allow-list is the only gate"
        ));
    }
}
