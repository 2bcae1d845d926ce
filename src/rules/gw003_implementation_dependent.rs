//! GW003: what browsers may do depends on which implementation serves the route, and the file
//! does not say.

use super::{FindingExt, Reporter, Unit};
use crate::frontend::gateway_api::Fact;

declare_rule!(ImplementationDependent, "GW003", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.gateway_api_facts() {
        let Fact::OtherImplementations { assumed, others } = fact else {
            continue;
        };
        let differing: Vec<String> = others
            .iter()
            .filter_map(|(name, other)| {
                let d = crate::equiv::compare(assumed, other)
                    .differences
                    .into_iter()
                    .next()?;
                Some(format!(
                    "on {name}, {} is {} (here {})",
                    d.call,
                    d.after.describe(),
                    d.before.describe()
                ))
            })
            .collect();
        if differing.is_empty() {
            continue;
        }
        out.report(
            assumed.anchor,
            "depends on the implementation",
            format!(
                "what browsers may do with {} depends on the implementation serving it",
                assumed.scope.description
            ),
        )
        .note(differing.join("; "))
        .help(
            "add the route's Gateway and GatewayClass to the linted files, or name the implementation: \
             `--assume-version envoy-gateway=1.5`, `istio=1.29.1` or `nginx-gateway-fabric=2.5`",
        );
    }
}
