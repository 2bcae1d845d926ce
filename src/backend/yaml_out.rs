//! Small helpers for writing YAML the Kubernetes back ends share.

/// `["a", "b"]`, each item double-quoted (escaped).
pub fn flow_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| quote(i)).collect();
    format!("[{}]", quoted.join(", "))
}

/// A double-quoted YAML scalar. Characters YAML does not allow as they are (controls, the
/// line separators, a byte-order mark) are written as `\uXXXX` escapes.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A scalar written plain when it reads back as that string (`api-cors`), else quoted.
pub fn scalar(s: &str) -> String {
    let plain = s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if plain { s.to_string() } else { quote(s) }
}

/// `metadata:` with a name and, when given, a namespace, indented for a top-level object.
pub fn metadata(name: &str, namespace: Option<&str>) -> String {
    let mut out = format!("metadata:\n  name: {}\n", scalar(name));
    if let Some(ns) = namespace {
        out.push_str(&format!("  namespace: {}\n", scalar(ns)));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_and_plain_scalars_read_back_as_written() {
        assert_eq!(quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(quote("x\0y\u{2028}"), r#""x\u0000y\u2028""#);
        assert_eq!(scalar("api-cors"), "api-cors");
        for odd in ["123", "yes", "a: b", "#x", "", "-a"] {
            assert!(scalar(odd).starts_with('"'), "{odd}");
        }
    }
}
