//! IST002: Istio's validation rejects a VirtualService's CORS policy.

use super::gw001_rejected_by_api_server::split_reason;
use super::{FindingExt, Reporter, Unit};
use crate::frontend::istio::Fact;

declare_rule!(RejectedByIstio, "IST002", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.istio_facts() {
        let Fact::Rejected {
            object,
            at,
            why,
            help,
        } = fact
        else {
            continue;
        };
        let (head, rest) = split_reason(why, 22);
        let rest = rest.map(|r| format!("{r}; ")).unwrap_or_default();
        out.report(
            *at,
            "rejected",
            format!("Istio's validation rejects {object}: {head}"),
        )
        .note(format!(
            "{rest}the object is not admitted, so its routes and CORS policy never take effect"
        ))
        .help(help.clone());
    }
}
