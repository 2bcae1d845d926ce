//! EG002: the API server rejects a SecurityPolicy's CORS settings.

use super::gw001_rejected_by_api_server::split_reason;
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
        let (head, rest) = split_reason(why, 22);
        let rest = rest.map(|r| format!("{r}; ")).unwrap_or_default();
        out.report(
            *at,
            "rejected",
            format!("the API server rejects {object}: {head}"),
        )
        .note(format!(
            "{rest}`kubectl apply` fails for it, so its CORS settings never take effect"
        ))
        .help(match fix {
            Some(f) => format!("write `{f}`"),
            None => format!("the violated rule of the SecurityPolicy CRD: `{rule}`"),
        });
    }
}
