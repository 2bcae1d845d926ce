//! INGX001: credentials allowed because `cors-allow-credentials` is absent or invalid.

use super::{FindingExt, Reporter, Unit};
use crate::finding::quote;
use crate::frontend::ingress::facts::{Effective, Fact, Source};

declare_rule!(ImplicitCredentials, "INGX001", check);

const HELP: &str = "write `nginx.ingress.kubernetes.io/cors-allow-credentials: \"false\"` unless the calling pages must \
                    send cookies or HTTP authentication; write `\"true\"` if they must";

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.ingress_facts() {
        let Fact::Cors(c) = fact else { continue };
        if !c.credentials.value || c.origin.value == Effective::Nothing {
            continue;
        }
        let effect = match c.origin.value {
            Effective::Star => {
                "every response carries `Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true` \
                 (browsers refuse that pair for credentialed requests, so it only advertises an intent)"
            }
            _ => {
                "every allowed origin may send the user's cookies and read the answers to those credentialed \
                 requests"
            }
        };
        let (span, label, what, why) = match &c.credentials.source {
            Source::Defaulted => (
                c.anchor,
                "credentials on by default",
                "`cors-allow-credentials` is not set and defaults to `true`".to_string(),
                "ingress-nginx's default for `cors-allow-credentials` is `true`".to_string(),
            ),
            Source::Empty { value, .. } => (
                *value,
                "empty: default `true`",
                "`cors-allow-credentials` is empty and defaults to `true`".to_string(),
                "an empty `cors-allow-credentials` makes ingress-nginx use its default, `true`"
                    .to_string(),
            ),
            Source::Invalid { at, raw, .. } => (
                *at,
                "not a Go boolean: default `true`",
                format!(
                    "`cors-allow-credentials` {} is not a Go boolean and defaults to `true`",
                    quote(raw)
                ),
                format!(
                    "Go's `strconv.ParseBool` does not accept {}, so ingress-nginx uses its default, `true`",
                    quote(raw)
                ),
            ),
            Source::Explicit { .. } => continue,
        };
        out.report(
            span,
            label,
            format!("{} allows credentials: {what}", c.object),
        )
        .note(format!("{why}; {effect}"))
        .help(HELP);
        // Writing `"true"` out would silence the finding without a decision; `"false"` is
        // the decision most APIs want, and a change of behaviour.
        if matches!(c.credentials.source, Source::Defaulted)
            && let Some(edit) = explicit_credentials(unit.file.bytes(), c.anchor)
        {
            out.last().fix(crate::finding::Fix {
                description: "turn credentials off: `cors-allow-credentials: \"false\"`".into(),
                edits: vec![edit],
                safe: false,
            });
        }
    }
}

/// A line `…/cors-allow-credentials: "false"` after the `enable-cors` annotation's line, with
/// its indentation; `None` when that annotation does not sit on a line of its own (flow
/// style) or its value continues on the next lines.
fn explicit_credentials(
    bytes: &[u8],
    enable_key: crate::source::Span,
) -> Option<crate::source::Edit> {
    let line_start = bytes[..enable_key.start]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let indent = &bytes[line_start..enable_key.start];
    if !indent.iter().all(|b| *b == b' ') {
        return None;
    }
    let line_end = bytes[enable_key.end..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| enable_key.end + i);
    let rest = String::from_utf8_lossy(&bytes[enable_key.end..line_end]);
    // `: "true"`, `: 'true'`, `: true` — one line; a block scalar or a flow collection is not.
    if rest.contains(['|', '>', '{', '[']) {
        return None;
    }
    let key = String::from_utf8_lossy(&bytes[enable_key.range()]);
    let prefix = key.strip_suffix("enable-cors")?;
    let newline = if bytes[..line_end].ends_with(b"\r") {
        "\r\n"
    } else {
        "\n"
    };
    let line_end = if newline == "\r\n" {
        line_end - 1
    } else {
        line_end
    };
    Some(crate::source::Edit::insert(
        line_end,
        format!(
            "{newline}{}{prefix}cors-allow-credentials: \"false\"",
            String::from_utf8_lossy(indent)
        ),
    ))
}
