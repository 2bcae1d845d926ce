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
            "CORS is off"
        } else {
            "ingress-nginx ignores its CORS annotations"
        };
        let listed = if names.is_empty() {
            String::new()
        } else {
            format!("ignored annotations: {}", names.join(", "))
        };
        let (span, message, note) = match enable {
            Some((span, why)) => {
                // The value in the headline; why it reads as false in the note.
                let head = why.split_once(", which").map_or(why.as_str(), |(h, _)| h);
                let note = if head == why {
                    listed
                } else if listed.is_empty() {
                    format!("`enable-cors` {why}")
                } else {
                    format!("`enable-cors` {why}; {listed}")
                };
                (
                    *span,
                    format!("`enable-cors` of {object} {head}: {ignored}"),
                    note,
                )
            }
            None => match keys.first() {
                Some((_, span)) => (
                    *span,
                    format!("{object} has no `enable-cors: \"true\"`, so {ignored}"),
                    listed,
                ),
                None => continue,
            },
        };
        let finding = out.report(span, "CORS is off", message);
        if !note.is_empty() {
            finding.note(note);
        }
        for (_, s) in keys.iter().skip(usize::from(enable.is_none())) {
            finding.related(*s, "ignored");
        }
        finding.help(
            "add `nginx.ingress.kubernetes.io/enable-cors: \"true\"` (quoted), or remove the CORS annotations",
        );
    }
}
