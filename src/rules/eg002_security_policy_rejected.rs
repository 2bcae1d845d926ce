//! EG002: the API server rejects a SecurityPolicy's CORS settings.

use super::{FindingExt, Reporter, Unit};
use crate::frontend::envoy_gateway::Fact;

declare_rule!(SecurityPolicyRejected, "EG002", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.envoy_gateway_facts() {
        let Fact::Rejected {
            object,
            at,
            rule,
            why,
            fix,
        } = fact
        else {
            continue;
        };
        out.report(
            *at,
            "rejected",
            format!(
                "the API server rejects {object}: {why}; `kubectl apply` fails for it, so its CORS settings never \
                 take effect"
            ),
        )
        .help(match fix {
            Some(f) => format!("write `{f}`"),
            None => format!("the violated rule of the SecurityPolicy CRD: `{rule}`"),
        });
    }
}
