//! TFK005: an origin entry Traefik never consults because `*` comes first.

use super::{FindingExt, Reporter, Unit};
use crate::finding::quote;
use crate::frontend::traefik::Fact;

declare_rule!(ShadowedOriginEntry, "TFK005", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.traefik_facts() {
        let Fact::Shadowed {
            middleware,
            entry,
            span,
            star,
        } = fact
        else {
            continue;
        };
        out.report(
            *span,
            "never consulted",
            format!(
                "{} in middleware `{middleware}` is never used: `*` accepts every origin first",
                quote(entry)
            ),
        )
        .note(
            "Traefik tries `accessControlAllowOriginList` in order and then the regexes, and `*` accepts every \
             origin first: the list allows everything",
        )
        .related(*star, "`*` accepts every origin here")
        .help("remove `*` to keep the list meaningful, or remove the entries it shadows");
    }
}
