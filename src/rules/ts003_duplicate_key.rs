//! TS003: a key set more than once.

use super::{FindingExt, Reporter, Unit};
use crate::finding::quote;
use crate::frontend::torchserve::Fact;

declare_rule!(DuplicateKey, "TS003", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.torchserve_facts() {
        let Fact::DuplicateKey {
            key,
            earlier,
            later_key,
        } = fact
        else {
            continue;
        };
        out.report(
            *earlier,
            "overridden",
            format!(
                "{} is set again on line {}, so this line has no effect",
                quote(key),
                unit.line(later_key.start)
            ),
        )
        .note("TorchServe uses only the last value of a key")
        .help("keep one line per key")
        .related(*later_key, "this one wins");
    }
}
