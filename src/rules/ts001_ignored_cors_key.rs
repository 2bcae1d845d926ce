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
        let (mut message, mut note, help) = match intent {
            CorsIntent::Key(real) if bom.is_some() => (
                format!("the file starts with a UTF-8 byte-order mark: TorchServe sees {shown}, not `{real}`"),
                Some(format!(
                    "Java reads the mark as part of the first key, so TorchServe never reads `{real}`"
                )),
                "save the file without a byte-order mark (ISO-8859-1 or plain ASCII)".to_string(),
            ),
            CorsIntent::Key(real) => (
                format!("TorchServe reads `{real}`, not {shown}"),
                None,
                format!("rename the key to `{real}`"),
            ),
            CorsIntent::PerListener(real) => (
                format!("TorchServe never reads {shown}: it has no per-listener CORS setting"),
                Some(format!(
                    "`{real}` applies to the inference, management and metrics listeners alike"
                )),
                format!("use `{real}`, or put a proxy in front of the listener that needs a different policy"),
            ),
            CorsIntent::Credentials => (
                format!("TorchServe never reads {shown}, so credentialed browser calls always fail"),
                Some(
                    "TorchServe has no credentials setting: it never sends `Access-Control-Allow-Credentials`, \
                     so credentialed browser calls (`credentials: \"include\"`) always fail"
                        .to_string(),
                ),
                "remove the key; if browsers must send cookies, put a proxy that sends \
                 `Access-Control-Allow-Credentials: true` with a specific origin in front of TorchServe"
                    .to_string(),
            ),
            CorsIntent::MaxAge => (
                format!("TorchServe never reads {shown}: browsers cache each preflight for 5 seconds"),
                Some(
                    "TorchServe has no max-age setting: it never sends `Access-Control-Max-Age`, so browsers \
                     cache each preflight for 5 seconds"
                        .to_string(),
                ),
                "remove the key; a proxy in front of TorchServe can send `Access-Control-Max-Age`".to_string(),
            ),
            CorsIntent::ExposeHeaders => (
                format!("TorchServe never reads {shown}: pages can read only CORS-safelisted response headers"),
                Some(
                    "TorchServe has no expose-headers setting: it never sends `Access-Control-Expose-Headers`, \
                     so pages can read only CORS-safelisted response headers"
                        .to_string(),
                ),
                "remove the key; a proxy in front of TorchServe can send `Access-Control-Expose-Headers`".to_string(),
            ),
            CorsIntent::Enable => (
                format!("TorchServe never reads {shown}: it has no CORS switch"),
                Some(format!("TorchServe sends CORS headers as soon as `{CORS_ORIGIN}` is set")),
                format!("remove the key and set `{CORS_ORIGIN}`"),
            ),
            CorsIntent::Other => (
                format!("TorchServe never reads {shown}, which is none of its CORS keys"),
                Some(
                    "TorchServe's only CORS keys are `cors_allowed_origin`, `cors_allowed_methods` and \
                     `cors_allowed_headers`"
                        .to_string(),
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
            message.push_str("; every cross-origin browser call fails");
            let sends_none = "as configured, TorchServe sends no `Access-Control-Allow-Origin`, so every \
                              cross-origin browser call fails";
            note = Some(match note {
                Some(n) => format!("{n}; {sends_none}"),
                None => sends_none.to_string(),
            });
        }
        let span = bom.map_or(*key_span, |b| b.cover(*key_span));
        let finding = out.report(span, "never read by TorchServe", message);
        if let Some(note) = note {
            finding.note(note);
        }
        finding.help(help);
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
