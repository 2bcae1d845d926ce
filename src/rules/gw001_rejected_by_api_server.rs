//! GW001: the API server rejects an HTTPRoute's CORS filter (CRD schema or CEL rule).

use super::{FindingExt, Reporter, Unit};
use crate::frontend::gateway_api::Fact;

declare_rule!(RejectedByApiServer, "GW001", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.gateway_api_facts() {
        let Fact::Rejected {
            object,
            at,
            rule,
            why,
            version,
            fix,
        } = fact
        else {
            continue;
        };
        let version = version
            .as_ref()
            .map(|v| format!(" ({v})"))
            .unwrap_or_default();
        out.report(
            *at,
            "rejected",
            format!(
                "the API server rejects {object}: {why}{version}; `kubectl apply` fails for this object, so none of \
                 its rules (and no CORS filter) take effect"
            ),
        )
        .help(match fix {
            Some(f) => format!("write `{f}`"),
            None => format!("the violated rule of the Gateway API CRD: `{rule}`"),
        });
    }
}
