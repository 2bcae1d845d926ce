//! TFK001: a `headers` middleware no router, route, chain or Ingress in the file uses.

use super::{FindingExt, Reporter, Unit};
use crate::frontend::traefik::Fact;

declare_rule!(MiddlewareNotUsed, "TFK001", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.traefik_facts() {
        let Fact::Unused { middleware, span } = fact else {
            continue;
        };
        out.report(
            *span,
            "used by nothing here",
            format!("middleware `{middleware}` is used by nothing in this file: its CORS settings reach no response"),
        )
        .note(
            "no router, IngressRoute, chain or Ingress in this file names it, although the file defines some; \
             its CORS settings apply only if something elsewhere uses it",
        )
        .help(format!(
            "add `{middleware}` to the `middlewares` of the router (or route) it was written for, \
             or delete it"
        ));
    }
}
