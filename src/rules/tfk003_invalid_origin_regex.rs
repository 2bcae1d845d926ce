//! TFK003: an `accessControlAllowOriginListRegex` entry Go's `regexp.Compile` refuses.

use super::{FindingExt, Reporter, Unit};
use crate::frontend::traefik::Fact;

declare_rule!(InvalidOriginRegex, "TFK003", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.traefik_facts() {
        let Fact::InvalidRegex {
            middleware,
            error,
            span,
            ..
        } = fact
        else {
            continue;
        };
        out.report(
            *span,
            "does not compile",
            format!(
                "origin regex does not compile: Traefik cannot build middleware `{middleware}`, and the routers \
                 that use it fail"
            ),
        )
        .note(format!(
            "Go's `regexp.Compile` refuses it ({error}); Traefik logs \"error occurred during origin \
             parsing\" and builds neither the middleware nor the routers that use it"
        ))
        .help("fix the pattern (Go RE2 syntax: no look-around or back-references)");
    }
}
