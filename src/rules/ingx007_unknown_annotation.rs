//! INGX007: a CORS-like annotation ingress-nginx does not have.

use super::{FindingExt, Reporter, Unit};
use crate::finding::quote;
use crate::frontend::ingress::controller;
use crate::frontend::ingress::facts::Fact;

declare_rule!(UnknownAnnotation, "INGX007", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.ingress_facts() {
        let Fact::UnknownKey {
            key,
            span,
            suggestion,
        } = fact
        else {
            continue;
        };
        let finding = out.report(
            *span,
            "not an ingress-nginx annotation",
            format!(
                "ingress-nginx has no annotation {}, so the controller ignores it",
                quote(key)
            ),
        );
        match suggestion {
            Some(s) => finding.help(format!("did you mean `{s}`?")),
            None => finding.help(format!(
                "the CORS annotations are `{}` followed by {}",
                controller::PREFIX,
                controller::CORS_KEYS
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
    }
}
