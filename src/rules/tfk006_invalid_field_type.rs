//! TFK006: a CORS field of the `headers` middleware with a value of the wrong type.

use super::{FindingExt, Reporter, Unit};
use crate::frontend::traefik::Fact;

declare_rule!(InvalidFieldType, "TFK006", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.traefik_facts() {
        let Fact::WrongType {
            middleware,
            field,
            span,
            expected,
            found,
        } = fact
        else {
            continue;
        };
        out.report(
            *span,
            format!("expected {expected}"),
            format!("`{field}` of middleware `{middleware}` must be {expected}, not {found}: the configuration is refused"),
        )
        .note(
            "the API server (for a Middleware object) or Traefik's configuration decoder refuses it, and \
             cors-lint does not judge it",
        )
        .help(format!("write `{field}` as {expected}"));
    }
}
