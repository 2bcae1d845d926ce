//! INGX010: ingress-nginx is retired.

use super::{FindingExt, Reporter, Unit};
use crate::frontend::ingress::facts::Fact;

declare_rule!(ControllerRetired, "INGX010", check);

fn check(unit: &Unit, out: &mut Reporter) {
    // On the first Ingress that switches CORS on; `once_per_run` keeps the run's first.
    let Some(c) = unit.ingress_facts().find_map(|f| match f {
        Fact::Cors(c) => Some(c),
        _ => None,
    }) else {
        return;
    };
    out.report(
        c.anchor,
        "retired controller",
        format!(
            "{} relies on ingress-nginx, which is retired: its CORS handling gets no more fixes",
            c.object
        ),
    )
    .note(
        "the Kubernetes project ended ingress-nginx's best-effort maintenance in March 2026, so CORS or \
         security fixes in the controller will not come",
    )
    .help(
        "plan the move to a Gateway API implementation (HTTPRoute `CORS` filter) or another maintained \
         controller; `cors-lint convert` will translate the policy by meaning",
    );
}
