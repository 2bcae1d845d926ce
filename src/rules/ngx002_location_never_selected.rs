//! NGX002: a location with CORS headers that nginx never selects.

use super::common::join_or;
use super::{FindingExt, Reporter, Unit};
use crate::frontend::nginx::Fact;

declare_rule!(LocationNeverSelected, "NGX002", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.nginx_facts() {
        let Fact::ShadowedLocation(s) = fact else {
            continue;
        };
        let by: Vec<String> =
            s.by.iter()
                .map(|(at, p)| format!("`location {p}` (line {})", unit.line(at.start)))
                .collect();
        // Regexes are tried in file order; a prefix loses to any regex, wherever it stands.
        let help = if s.pattern.starts_with('~') {
            "move it above the regex locations that take its requests, or narrow those"
        } else {
            "make it `location ^~ …` (a prefix that stops the regex search), or narrow the regex \
             locations that take its requests"
        };
        let finding = out
            .report(
                s.location,
                "never selected",
                format!(
                    "nginx never selects `location {}`: {} first",
                    s.pattern,
                    match by.as_slice() {
                        [one] => format!("{one} takes its requests"),
                        many => format!("{} other locations take its requests", many.len()),
                    }
                ),
            )
            .note(format!(
                "every request it would take matches {} first, so its CORS headers reach no response",
                join_or(&by)
            ))
            .help(help);
        for (at, _) in &s.by {
            finding.related(*at, "takes its requests first");
        }
    }
}
