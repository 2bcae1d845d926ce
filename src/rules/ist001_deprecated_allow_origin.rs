//! IST001: the deprecated `allowOrigin` field of an Istio `corsPolicy`.

use super::{FindingExt, Reporter, Unit};
use crate::frontend::istio::Fact;

declare_rule!(DeprecatedAllowOrigin, "IST001", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.istio_facts() {
        let Fact::DeprecatedAllowOrigin {
            object,
            at,
            ignored,
            replacement,
        } = fact
        else {
            continue;
        };
        let (effect, note) = if *ignored {
            (
                " and ignored here",
                "Istio ignores it because `allowOrigins` is set too",
            )
        } else {
            (
                "",
                "it is kept only for old configurations and hidden from Istio's docs; each entry is \
                 an exact, case-sensitive match",
            )
        };
        out.report(
            *at,
            "deprecated",
            format!("`allowOrigin` in {object} is deprecated{effect}"),
        )
        .note(note)
        .help(replacement.clone());
    }
}
