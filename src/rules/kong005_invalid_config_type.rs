//! KONG005: a field of the `cors` plugin's `config` with a value of the wrong type.

use super::{FindingExt, Reporter, Unit};
use crate::frontend::kong::Fact;

declare_rule!(InvalidConfigType, "KONG005", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.kong_facts() {
        let Fact::WrongType {
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
            format!(
                "`config.{field}` of the cors plugin must be {expected}, not {found}: Kong's schema refuses the plugin"
            ),
        )
        .note("cors-lint does not judge the value")
        .help(format!("in Kong: write `config.{field}` as {expected}"));
    }
}
