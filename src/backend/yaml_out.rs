//! Small helpers for writing YAML the Kubernetes back ends share.

/// `["a", "b"]`, each item double-quoted (escaped).
pub fn flow_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| quote(i)).collect();
    format!("[{}]", quoted.join(", "))
}

/// A double-quoted YAML scalar.
pub fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `metadata:` with a name and, when given, a namespace, indented for a top-level object.
pub fn metadata(name: &str, namespace: Option<&str>) -> String {
    let mut out = format!("metadata:\n  name: {name}\n");
    if let Some(ns) = namespace {
        out.push_str(&format!("  namespace: {ns}\n"));
    }
    out
}

/// A regex for an origin (`scheme://host`) or subdomains of `base` (one label or any depth),
/// without anchors.
pub fn origin_regex(scheme: &str, base: &str, one_label: bool) -> String {
    let labels = if one_label {
        "[a-z0-9-]+\\."
    } else {
        "([a-z0-9-]+\\.)+"
    };
    format!("{scheme}://{labels}{}", base.replace('.', "\\."))
}
