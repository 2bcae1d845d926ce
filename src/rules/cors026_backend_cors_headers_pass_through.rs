//! CORS026: the server adds CORS headers and also passes on a backend's own.

use super::common::product;
use super::{FindingExt, Reporter, Unit};

declare_rule!(BackendCorsHeadersPassThrough, "CORS026", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        let Some((at, remedy)) = &policy.backend_passthrough else {
            continue;
        };
        out.report(
            *at,
            "backend's own CORS headers pass through",
            format!(
                "{} adds `Access-Control-Allow-Origin` but also passes on the backend's own ({})",
                product(policy),
                policy.scope.description
            ),
        )
        .note(
            "whatever the backend sends reaches the browser too: if the backend sets the header as \
             well, the response carries two values and browsers fail the CORS check",
        )
        .help(remedy.clone());
    }
}
