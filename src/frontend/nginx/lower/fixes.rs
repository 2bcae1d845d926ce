//! Edits offered for what the rules report, in nginx syntax, touching only the bytes they
//! change: `always` on `add_header` lines errors do not get, and `Vary: Origin` next to an
//! `Access-Control-Allow-Origin` that depends on the request.

use super::*;
use crate::ir::{FixOffer, FixTopic};
use crate::source::Edit;

pub(super) fn fixes(
    bytes: &[u8],
    cors: &[&HeaderDirective],
    all: &[HeaderDirective],
    returns: bool,
) -> Vec<FixOffer> {
    let mut out = Vec::new();
    // ` always` before the `;` of every CORS `add_header` without it.
    let edits: Vec<Edit> = cors
        .iter()
        .filter(|d| matches!(d.source, Source::AddHeader { always: false }))
        .filter_map(|d| {
            let end = d.directive.span.end;
            (end > 0 && bytes.get(end - 1) == Some(&b';')).then(|| Edit::insert(end - 1, " always"))
        })
        .collect();
    if !edits.is_empty() && !returns {
        out.push(FixOffer {
            topic: FixTopic::SendOnErrors,
            description: "add `always` to the CORS `add_header` lines".into(),
            edits,
            // Error responses become readable by the allowed origins: a change of behaviour.
            safe: false,
        });
    }
    // `add_header Vary Origin` on the line after Allow-Origin, same indentation.
    let acao = cors.iter().find(|d| {
        d.name.eq_ignore_ascii_case("access-control-allow-origin")
            && matches!(d.source, Source::AddHeader { .. })
    });
    let has_vary = all.iter().any(|d| d.name.eq_ignore_ascii_case("vary"));
    if let Some(d) = acao
        && !has_vary
    {
        let st = d.directive.span;
        let line_start = bytes[..st.start]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let indent: String = bytes[line_start..st.start]
            .iter()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .map(|&b| b as char)
            .collect();
        let on_own_line = indent.len() == st.start - line_start;
        // `always`: a cached error response varies by origin too.
        let text = if on_own_line {
            format!("\n{indent}add_header Vary Origin always;")
        } else {
            " add_header Vary Origin always;".to_string()
        };
        out.push(FixOffer {
            topic: FixTopic::VaryOrigin,
            description: "add `add_header Vary Origin` next to `Access-Control-Allow-Origin`"
                .into(),
            edits: vec![Edit::insert(st.end, text)],
            safe: true,
        });
    }
    out
}
