//! IST002: Istio's validation rejects a VirtualService's CORS policy.

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
        out.report(
            *at,
            "rejected",
            format!(
                "Istio's validation rejects {object}: {why}; the object is not admitted, so its routes and CORS \
                 policy never take effect"
            ),
        )
        .help(help.clone());
    }
}
