//! TS001: a CORS key TorchServe never reads.

use super::{FindingExt, Reporter, Unit};
use crate::finding::quote;
use crate::frontend::torchserve::Fact;
use crate::frontend::torchserve::keys::{CORS_ORIGIN, CorsIntent, Unrecognised};
use crate::ir::OriginPolicy;

declare_rule!(IgnoredCorsKey, "TS001", check);

fn check(unit: &Unit, out: &mut Reporter) {
    let origin_sent = unit
        .policies
        .iter()
        .any(|p| !matches!(p.allow_origin, OriginPolicy::NotSent));
    for fact in unit.torchserve_facts() {
        let Fact::IgnoredKey {
            key,
            key_span,
            what: Unrecognised::CorsLike(intent),
            bom,
        } = fact
        else {
            continue;
        };
        let shown = quote(key);
        let (mut message, help) = match intent {
            CorsIntent::Key(real) if bom.is_some() => (
                format!(
                    "the file starts with a UTF-8 byte-order mark, which Java reads as part of the first key: \
                     TorchServe sees {shown}, not `{real}`, and never reads it"
                ),
                "save the file without a byte-order mark (ISO-8859-1 or plain ASCII)".to_string(),
            ),
            CorsIntent::Key(real) => (
                format!("TorchServe never reads {shown}; the key it reads is `{real}`"),
                format!("rename the key to `{real}`"),
            ),
            CorsIntent::PerListener(real) => (
                format!(
                    "TorchServe has no per-listener CORS setting and never reads {shown}; `{real}` applies to the \
                     inference, management and metrics listeners alike"
                ),
                format!("use `{real}`, or put a proxy in front of the listener that needs a different policy"),
            ),
            CorsIntent::Credentials => (
                format!(
                    "TorchServe has no credentials setting and never reads {shown}: it never sends \
                     `Access-Control-Allow-Credentials`, so credentialed browser calls (`credentials: \"include\"`) \
                     always fail"
                ),
                "remove the key; if browsers must send cookies, put a proxy that sends \
                 `Access-Control-Allow-Credentials: true` with a specific origin in front of TorchServe"
                    .to_string(),
            ),
            CorsIntent::MaxAge => (
                format!(
                    "TorchServe has no max-age setting and never reads {shown}: it never sends \
                     `Access-Control-Max-Age`, so browsers cache each preflight for 5 seconds"
                ),
                "remove the key; a proxy in front of TorchServe can send `Access-Control-Max-Age`".to_string(),
            ),
            CorsIntent::ExposeHeaders => (
                format!(
                    "TorchServe has no expose-headers setting and never reads {shown}: it never sends \
                     `Access-Control-Expose-Headers`, so pages can read only CORS-safelisted response headers"
                ),
                "remove the key; a proxy in front of TorchServe can send `Access-Control-Expose-Headers`".to_string(),
            ),
            CorsIntent::Enable => (
                format!(
                    "TorchServe has no CORS switch and never reads {shown}; it sends CORS headers as soon as \
                     `{CORS_ORIGIN}` is set"
                ),
                format!("remove the key and set `{CORS_ORIGIN}`"),
            ),
            CorsIntent::Other => (
                format!(
                    "TorchServe never reads {shown}; its only CORS keys are `cors_allowed_origin`, \
                     `cors_allowed_methods` and `cors_allowed_headers`"
                ),
                "use one of TorchServe's three CORS keys, or remove the key".to_string(),
            ),
        };
        let about_origin = matches!(
            intent,
            CorsIntent::Key(CORS_ORIGIN)
                | CorsIntent::PerListener(CORS_ORIGIN)
                | CorsIntent::Enable
                | CorsIntent::Other
        );
        if about_origin && !origin_sent {
            message.push_str(
                "; as configured, TorchServe sends no `Access-Control-Allow-Origin`, so every cross-origin browser \
                 call fails",
            );
        }
        let span = bom.map_or(*key_span, |b| b.cover(*key_span));
        out.report(span, "never read by TorchServe", message)
            .help(help);
        // Offered when the real key is not set elsewhere (it would then take part in "last
        // one wins"). Unsafe: TorchServe starts reading the value, which is the point.
        if let CorsIntent::Key(real) = intent
            && bom.is_none()
            && !key_is_set(unit.file.bytes(), real)
        {
            out.last().fix(crate::finding::Fix {
                description: format!("rename the key to `{real}`"),
                edits: vec![crate::source::Edit {
                    span: *key_span,
                    replacement: real.to_string(),
                }],
                safe: false,
            });
        }
    }
}

/// Whether a line of the file starts with `key` followed by a separator.
fn key_is_set(bytes: &[u8], key: &str) -> bool {
    String::from_utf8_lossy(bytes).lines().any(|l| {
        l.trim_start()
            .strip_prefix(key)
            .is_some_and(|rest| rest.starts_with(['=', ':', ' ', '\t']) || rest.is_empty())
    })
}
