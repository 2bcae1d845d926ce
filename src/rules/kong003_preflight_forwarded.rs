//! KONG003: `preflight_continue: true` hands preflights to the upstream service.

use super::{FindingExt, Reporter, Unit};
use crate::frontend::kong::Fact;

declare_rule!(PreflightForwarded, "KONG003", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.kong_facts() {
        let Fact::PreflightContinue { plugin, span } = fact else {
            continue;
        };
        out.report(
            *span,
            "preflights go upstream",
            format!("{plugin} forwards every preflight upstream and adds no CORS header to its answer"),
        )
        .note(
            "the plugin's origins, methods, headers and max-age do not apply to preflights; whatever the \
             upstream service answers does",
        )
        .help("in Kong: remove `preflight_continue: true` unless the upstream implements CORS itself");
    }
}
