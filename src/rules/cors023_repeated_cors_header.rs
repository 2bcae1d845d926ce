//! CORS023: a single-valued CORS header is sent twice on one response.

use super::common::product;
use super::{FindingExt, Reporter, Unit};

declare_rule!(RepeatedCorsHeader, "CORS023", check);

/// Headers whose value must be exactly one item; two lines read as `a, b`.
const SINGLE: [&str; 3] = [
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-max-age",
];

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        for r in &policy.repeated_headers {
            if !SINGLE.contains(&r.name.to_ascii_lowercase().as_str()) {
                continue;
            }
            out.report(
                r.again,
                "sent a second time",
                format!(
                    "`{}` is sent twice on the same response ({})",
                    r.name, policy.scope.description
                ),
            )
            .note(format!(
                "{} sends both lines; browsers combine them into one value (`a, b`), which fails the \
                 CORS check",
                product(policy)
            ))
            .related(r.first, "first sent here")
            .help("send the header once");
        }
    }
}
