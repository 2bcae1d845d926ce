//! TFK002: `Access-Control-*` headers written by hand in `customResponseHeaders`.

use super::{FindingExt, Reporter, Unit};
use crate::frontend::traefik::Fact;

declare_rule!(HandWrittenCorsHeader, "TFK002", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.traefik_facts() {
        let Fact::CustomCorsHeader {
            middleware,
            header,
            key,
            with_cors_fields,
        } = fact
        else {
            continue;
        };
        let why = if *with_cors_fields {
            "next to the middleware's CORS fields it is sent on responses for origins they reject, \
             overwritten for the ones they allow, and never on the preflights Traefik answers itself"
        } else {
            "it is the same value for every origin, Traefik does not answer preflights for it, and the \
             backend's own CORS headers are overwritten"
        };
        out.report(
            *key,
            "hand-written CORS header",
            format!(
                "middleware `{middleware}` sets `{header}` in `customResponseHeaders`: {why}"
            ),
        )
        .help(
            "use the CORS fields of the `headers` middleware instead (`accessControlAllowOriginList`, \
             `accessControlAllowMethods`, `accessControlAllowHeaders`, `accessControlAllowCredentials`)",
        );
    }
}
