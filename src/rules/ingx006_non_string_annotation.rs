//! INGX006: an annotation value Kubernetes does not read as a string.

use super::{FindingExt, Reporter, Unit};
use crate::finding::quote;
use crate::frontend::ingress::facts::Fact;
use crate::frontend::kube::resolve::Resolved;

declare_rule!(NonStringAnnotation, "INGX006", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.ingress_facts() {
        let Fact::NonString {
            key,
            value,
            written,
            resolved,
        } = fact
        else {
            continue;
        };
        let shown = if written.is_empty() {
            "empty".to_string()
        } else {
            quote(written)
        };
        let (message, note, help) = match resolved {
            Resolved::Null => (
                format!("`{key}` is {shown}, which YAML reads as null: the controller sees no value"),
                "YAML reads it as null, not a string: Kubernetes stores an empty annotation (a `kubectl apply` \
                 patch deletes it)"
                    .to_string(),
                "write the value in quotes, or remove the annotation".to_string(),
            ),
            Resolved::Collection => (
                format!(
                    "`{key}` is {}, not a string: the API server rejects the Ingress",
                    resolved.name()
                ),
                "annotations are a map of strings".to_string(),
                "write the value as one quoted string".to_string(),
            ),
            _ => (
                format!(
                    "unquoted {shown} is {} in YAML, not a string: the API server rejects the Ingress",
                    resolved.name()
                ),
                format!(
                    "Kubernetes reads YAML 1.1, where the unquoted {shown} is {}; the API server fails with \
                     \"cannot unmarshal … into Go struct field ObjectMeta.metadata.annotations of type string\"; \
                     cors-lint reads it as the string it was meant to be",
                    resolved.name()
                ),
                format!("quote it: `\"{written}\"`"),
            ),
        };
        out.report(*value, format!("{} in YAML", resolved.name()), message)
            .note(note)
            .help(help);
    }
}
