//! INGX008: CORS annotations on an Ingress whose `enable-cors` is not `"true"`.

use super::{FindingExt, Reporter, Unit};
use crate::frontend::ingress::facts::Fact;

declare_rule!(CorsAnnotationsIgnored, "INGX008", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.ingress_facts() {
        let Fact::CorsOff {
            object,
            enable,
            keys,
        } = fact
        else {
            continue;
        };
        let names: Vec<String> = keys
            .iter()
            .map(|(k, _)| format!("`{}`", k.rsplit('/').next().unwrap_or(k)))
            .collect();
        let ignored = if names.is_empty() {
            "CORS is off".to_string()
        } else {
            format!(
                "ingress-nginx ignores its CORS annotations ({})",
                names.join(", ")
            )
        };
        let (span, message) = match enable {
            Some((span, why)) => (*span, format!("`enable-cors` of {object} {why}: {ignored}")),
            None => match keys.first() {
                Some((_, span)) => (
                    *span,
                    format!("{object} has no `enable-cors: \"true\"`, so {ignored}"),
                ),
                None => continue,
            },
        };
        let finding = out.report(span, "CORS is off", message);
        for (_, s) in keys.iter().skip(usize::from(enable.is_none())) {
            finding.related(*s, "ignored");
        }
        finding.help(
            "add `nginx.ingress.kubernetes.io/enable-cors: \"true\"` (quoted), or remove the CORS annotations",
        );
    }
}
