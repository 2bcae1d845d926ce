//! CORS012: the documentation placeholder `X-Custom-Header` in `Access-Control-Allow-Headers`.

use super::{FindingExt, Reporter, Unit};

declare_rule!(PlaceholderHeader, "CORS012", check);

const PLACEHOLDERS: [&str; 1] = ["X-Custom-Header"];

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        let Some(entries) = policy.allow_headers.entries() else {
            continue;
        };
        let has_content_type = entries
            .iter()
            .any(|(h, _)| h.eq_ignore_ascii_case("content-type"));
        for (header, span) in &entries {
            if !PLACEHOLDERS.iter().any(|p| p.eq_ignore_ascii_case(header)) {
                continue;
            }
            let finding = if has_content_type {
                out.report(
                    *span,
                    "placeholder",
                    format!("`{header}` is a documentation placeholder that no real client sends"),
                )
            } else {
                out.report(
                    *span,
                    "placeholder",
                    format!(
                        "`{header}` is a documentation placeholder, and the headers real calls send are not allowed"
                    ),
                )
                .note(format!(
                    "no real client sends `{header}`; a JSON POST's preflight asks for `content-type`"
                ))
            };
            finding.help("list the headers your callers send, e.g. `Content-Type, Authorization`");
        }
    }
}
