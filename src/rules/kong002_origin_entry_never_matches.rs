//! KONG002: an entry of `config.origins` that no browser's `Origin` can match.

use super::{FindingExt, Reporter, Unit};
use crate::finding::quote;
use crate::frontend::kong::Fact;

declare_rule!(OriginEntryNeverMatches, "KONG002", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.kong_facts() {
        let Fact::EntryNeverMatches { entry, span, why } = fact else {
            continue;
        };
        // The reason in the headline; how Kong compares, in the note.
        let (head, rest) = why.split_once(", and ").unwrap_or((why.as_str(), ""));
        let finding = out.report(
            *span,
            "never matches",
            format!(
                "Kong never allows an origin through {}: {head}",
                quote(entry)
            ),
        );
        if !rest.is_empty() {
            finding.note(rest);
        }
        finding.help(format!(
            "in Kong: write the full origin, e.g. `https://{entry}`"
        ));
    }
}
