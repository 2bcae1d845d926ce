//! GW002: a CORS filter without `allowOrigins`.

use super::{FindingExt, Reporter, Unit};
use crate::frontend::gateway_api::Fact;

declare_rule!(CorsFilterAllowsNoOrigin, "GW002", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.gateway_api_facts() {
        let Fact::NoOrigins { object, at } = fact else {
            continue;
        };
        out.report(
            *at,
            "no origin allowed",
            format!("the CORS filter of {object} allows no origin"),
        )
        .note(
            "`allowOrigins` is missing or empty: the gateway sends no CORS headers at all, so every \
             cross-origin browser call that needs them fails",
        )
        .help("list the calling origins: `allowOrigins: [\"https://app.example.com\"]`");
    }
}
