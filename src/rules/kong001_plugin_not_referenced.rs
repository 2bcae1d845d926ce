//! KONG001: a `KongPlugin` no `konghq.com/plugins` annotation in the file names.

use super::{FindingExt, Reporter, Unit};
use crate::frontend::kong::Fact;

declare_rule!(PluginNotReferenced, "KONG001", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.kong_facts() {
        let Fact::Unused { plugin, span } = fact else {
            continue;
        };
        out.report(
            *span,
            "attached to nothing here",
            format!(
                "no `konghq.com/plugins` annotation in this file names {plugin}, so Kong applies it to nothing here"
            ),
        )
        .note(
            "the file has objects it could be attached to; Kong applies it to nothing unless an object \
             elsewhere names it",
        )
        .help(
            "in Kong: add the plugin's name to the `konghq.com/plugins` annotation of the Service, \
             Ingress or route it was written for, or delete it",
        );
    }
}
