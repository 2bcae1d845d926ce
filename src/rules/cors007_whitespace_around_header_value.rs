//! CORS007: spaces or tabs around a header value the server sends verbatim.

use super::common::provenance;
use super::{FindingExt, Reporter, Unit};

declare_rule!(WhitespaceAroundHeaderValue, "CORS007", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        for (header, value) in policy.static_headers() {
            if !value.is_known() {
                continue;
            }
            let (view, range) = value.browser_view();
            if view.is_empty() {
                continue;
            }
            let text = value.text();
            for (part, side) in [(0..range.start, "starts"), (range.end..text.len(), "ends")] {
                if part.is_empty() {
                    continue;
                }
                let n = part.len();
                out.report(
                    value.span_of(part.clone()),
                    "sent as is",
                    format!(
                        "`{header}` value{} {side} with {n} whitespace character{}, which {} sends as is",
                        provenance(value),
                        if n == 1 { "" } else { "s" },
                        policy.server.product
                    ),
                )
                .note(
                    "browsers trim it before the CORS check, but other HTTP clients and caches may \
                     compare it verbatim",
                )
                .help(match &policy.fix_hints.whitespace {
                    Some(why) => format!("remove the whitespace ({why})"),
                    None => "remove the whitespace".to_string(),
                })
                .fix(crate::finding::Fix {
                    description: "remove the whitespace".into(),
                    edits: vec![crate::source::Edit::delete(value.span_of(part.clone()))],
                    safe: true,
                });
            }
        }
    }
}
