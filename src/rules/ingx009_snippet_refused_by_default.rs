//! INGX009: a snippet annotation, which default controller settings refuse.

use super::{FindingExt, Reporter, Unit};
use crate::frontend::ingress::facts::Fact;

declare_rule!(SnippetRefusedByDefault, "INGX009", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for fact in unit.ingress_facts() {
        let Fact::Snippet {
            object,
            key,
            key_span,
            body,
            version,
            version_assumed,
        } = fact
        else {
            continue;
        };
        let name = key.rsplit('/').next().unwrap_or(key);
        let rejects = version.rejects_critical_annotations();
        let (version_head, version_note) = if *version_assumed {
            (
                format!("{version} (assumed)"),
                format!(
                    "; ingress-nginx {version} is assumed: the newest release cors-lint models \
                     (`--assume-version ingress-nginx=VERSION` for yours)"
                ),
            )
        } else {
            (version.to_string(), String::new())
        };
        let settings = if rejects {
            "`allow-snippet-annotations` is false (since 1.9.0) and `annotations-risk-level: High` refuses this \
             Critical-risk annotation (since 1.12.0)"
        } else {
            "`allow-snippet-annotations` is false (since 1.9.0)"
        };
        let cors = if body
            .as_str()
            .to_ascii_lowercase()
            .contains("access-control-")
        {
            "; the CORS headers it writes are not sent either (the findings on them assume the controller allows \
             snippets)"
        } else {
            ""
        };
        out.report(
            *key_span,
            "refused by default",
            format!(
                "ingress-nginx {version_head} refuses `{name}` by default: its admission webhook denies {object}"
            ),
        )
        .note(format!(
            "`{name}` is raw nginx configuration; with the default settings {settings}, so the webhook answers \
             \"Snippet directives are disabled by the Ingress administrator\" and none of the Ingress's \
             configuration applies unless the controller's ConfigMap opts in{cors}{version_note}"
        ))
        .help(
            "write CORS with the `nginx.ingress.kubernetes.io/enable-cors` and `cors-*` annotations instead of \
             `more_set_headers` in a snippet; if the cluster does allow snippets, ignore this finding",
        );
    }
}
