//! INGX003: an origin entry the controller drops.

use super::{FindingExt, Reporter, Unit};
use crate::finding::quote;
use crate::frontend::ingress::facts::{Effective, Fact, Fate};

declare_rule!(OriginEntryDropped, "INGX003", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.ingress_facts() {
        let Fact::Cors(c) = fact else { continue };
        let none_left = c.origin.value == Effective::Nothing;
        for e in &c.origin_entries {
            let Fate::Dropped { check } = e.fate else {
                continue;
            };
            let (why, why_note, help) = if e.text == "null" {
                (
                    format!("`null` needs controller 1.13.0 (this is {})", c.version),
                    format!(
                        "`null` is accepted only from controller 1.13.0 (this is {})",
                        c.version
                    ),
                    "upgrade the controller, or remove `null` (any page can forge it; see CORS013)"
                        .to_string(),
                )
            } else if !e.text.contains("://") {
                (
                    "it has no scheme".to_string(),
                    "an origin needs its scheme".to_string(),
                    format!(
                        "write the origin with its scheme, e.g. `https://{}`",
                        e.text
                    ),
                )
            } else {
                (
                    "it fails the controller's origin check".to_string(),
                    format!("it does not match `{check}`"),
                    "write the origin as `scheme://host[:port]` with a lower-case scheme"
                        .to_string(),
                )
            };
            let (effect, effect_note) = if none_left {
                (
                    format!("; {} sends no CORS header", c.object),
                    "; no entry is left, so the generated `if ($http_origin ~* …)` never matches and no CORS \
                     header is sent at all",
                )
            } else {
                (String::new(), "")
            };
            out.report(
                e.span,
                "dropped by the controller",
                format!(
                    "ingress-nginx drops {} from `cors-allow-origin`: {why}{effect}",
                    quote(&e.text)
                ),
            )
            .note(format!(
                "the controller logs \"Supplied incorrect origin … Skipping\": {why_note}{effect_note}"
            ))
            .help(help);
        }
    }
}
