//! TFK007: a CORS-like field of the `headers` middleware that Traefik does not read.

use super::{FindingExt, Reporter, Unit};
use crate::frontend::traefik::Fact;

declare_rule!(UnknownCorsField, "TFK007", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.traefik_facts() {
        let Fact::UnknownField {
            middleware,
            field,
            span,
            suggestion,
            why,
            refused,
        } = fact
        else {
            continue;
        };
        let message = if *refused {
            format!(
                "middleware `{middleware}` sets unknown field `{field}`: Traefik refuses the whole file"
            )
        } else {
            format!("middleware `{middleware}` sets `{field}`, which Traefik ignores")
        };
        let finding = out.report(*span, "not read by Traefik", message);
        finding.note(why.clone());
        match suggestion {
            Some(s) => finding.help(format!("in Traefik: write `{s}`")),
            None => finding.help(
                "in Traefik: use the `headers` middleware's CORS fields (`accessControlAllowOriginList`, \
                 `accessControlAllowMethods`, …)",
            ),
        };
    }
}
