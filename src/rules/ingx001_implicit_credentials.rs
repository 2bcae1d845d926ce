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
                "so every response carries `Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true` \
                 (browsers refuse that pair for credentialed requests, so it only advertises an intent)"
            }
            _ => {
                "so every allowed origin may send the user's cookies and read the answers to those credentialed \
                 requests"
            }
        };
        let (span, label, what) = match &c.credentials.source {
            Source::Defaulted => (
                c.anchor,
                "credentials on by default",
                "`cors-allow-credentials` is not set, and ingress-nginx's default is `true`"
                    .to_string(),
            ),
            Source::Empty { value, .. } => (
                *value,
                "empty: default `true`",
                "`cors-allow-credentials` is empty, so ingress-nginx uses its default, `true`"
                    .to_string(),
            ),
            Source::Invalid { at, raw, .. } => (
                *at,
                "not a Go boolean: default `true`",
                format!(
                    "`cors-allow-credentials` is {}, which Go's `strconv.ParseBool` does not accept, so ingress-nginx \
                     uses its default, `true`",
                    quote(raw)
                ),
            ),
            Source::Explicit { .. } => continue,
        };
        out.report(
            span,
            label,
            format!("{what}: {} allows credentials, {effect}", c.object),
        )
        .help(HELP);
    }
}
