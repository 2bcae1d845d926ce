//! TS006: a boolean key with a value `Boolean.parseBoolean` reads as false.

use super::{FindingExt, Reporter, Unit};
use crate::finding::quote;
use crate::frontend::torchserve::Fact;

declare_rule!(NonBoolean, "TS006", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.torchserve_facts() {
        let Fact::NonBoolean {
            key,
            span,
            value,
            effect,
        } = fact
        else {
            continue;
        };
        let trimmed = value.trim();
        let why = if trimmed.eq_ignore_ascii_case("true") {
            "; the surrounding whitespace is part of the value"
        } else {
            ""
        };
        out.report(
            *span,
            "read as false",
            format!(
                "`{key}` is {}, which TorchServe reads as false: {effect}",
                quote(&super::common::clip_words(value, 4))
            ),
        )
        .note(format!(
            "`Boolean.parseBoolean` reads {} as false (only `true` is true){why}",
            quote(value)
        ))
        .help(
            if trimmed.eq_ignore_ascii_case("true")
                || ["yes", "on", "1", "y"].contains(&trimmed.to_ascii_lowercase().as_str())
            {
                "write exactly `true`"
            } else {
                "write `true` or `false`"
            },
        );
    }
}
