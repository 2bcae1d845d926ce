//! How Kubernetes reads an unquoted scalar: `kubectl` and the API server turn YAML into JSON
//! with sigs.k8s.io/yaml, which resolves plain scalars by YAML 1.1 as go-yaml v2 does
//! (`resolve.go`): `yes`/`on`/`true` are booleans, `600` and `0x10` integers, `1.10` a
//! float, `~`/`null`/empty null. An annotation is a `map[string]string`, so a boolean or a
//! number there makes the API server reject the object ("cannot unmarshal bool into Go
//! struct field ObjectMeta.metadata.annotations of type string").

use regex::Regex;
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolved {
    String,
    Bool,
    Int,
    Float,
    Null,
    /// A YAML sequence or mapping.
    Collection,
}

impl Resolved {
    pub fn name(self) -> &'static str {
        match self {
            Resolved::String => "a string",
            Resolved::Bool => "a boolean",
            Resolved::Int => "an integer",
            Resolved::Float => "a floating-point number",
            Resolved::Null => "null",
            Resolved::Collection => "a list or mapping",
        }
    }
}

/// go-yaml v2 `yamlStyleFloat`.
static FLOAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$").expect("valid regex")
});

/// The type go-yaml v2 gives a plain (unquoted, untagged) scalar.
pub fn plain(text: &str) -> Resolved {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "n" | "N" | "no" | "No" | "NO" | "true" | "True"
        | "TRUE" | "false" | "False" | "FALSE" | "on" | "On" | "ON" | "off" | "Off" | "OFF" => {
            return Resolved::Bool;
        }
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF"
        | "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float,
        _ => {}
    }
    let first = text.as_bytes()[0];
    if first == b'.' {
        // `strconv.ParseFloat(in, 64)` on the text as written.
        return if go_parse_float(text) {
            Resolved::Float
        } else {
            Resolved::String
        };
    }
    if !(first.is_ascii_digit() || first == b'+' || first == b'-') {
        return Resolved::String;
    }
    let plain = text.replace('_', "");
    if go_parse_int(&plain) {
        return Resolved::Int;
    }
    if FLOAT.is_match(&plain) {
        return Resolved::Float;
    }
    // `0b…` binary (with a sign) is tried last, and is an int too.
    let unsigned = plain.strip_prefix(['-', '+']).unwrap_or(&plain);
    if let Some(bits) = unsigned.strip_prefix("0b")
        && !bits.is_empty()
        && bits.bytes().all(|b| b == b'0' || b == b'1')
    {
        return Resolved::Int;
    }
    Resolved::String
}

/// `strconv.ParseInt(s, 0, 64)` or `ParseUint(s, 0, 64)` succeeds (base prefixes `0x`,
/// `0o`, `0b`, a leading `0` for octal; underscores were removed by the caller).
fn go_parse_int(s: &str) -> bool {
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    let lower = unsigned.to_ascii_lowercase();
    let (digits, radix) = if let Some(h) = lower.strip_prefix("0x") {
        (h, 16)
    } else if let Some(o) = lower.strip_prefix("0o") {
        (o, 8)
    } else if let Some(b) = lower.strip_prefix("0b") {
        (b, 2)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (&lower[1..], 8)
    } else {
        (lower.as_str(), 10)
    };
    !digits.is_empty() && u128::from_str_radix(digits, radix).is_ok_and(|v| v <= u64::MAX as u128)
}

/// `strconv.ParseFloat(s, 64)` for a text starting with `.` (`.5`, `.5e3`).
fn go_parse_float(s: &str) -> bool {
    FLOAT.is_match(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_1_1_forms() {
        for b in ["yes", "on", "On", "true", "FALSE", "n", "Y", "off"] {
            assert_eq!(plain(b), Resolved::Bool, "{b}");
        }
        for i in ["600", "-1", "+5", "0x1F", "017", "1_000", "0b101", "0o17"] {
            assert_eq!(plain(i), Resolved::Int, "{i}");
        }
        for f in ["1.10", "1e3", ".5", "-.inf", ".NaN", "1.", "08"] {
            assert_eq!(plain(f), Resolved::Float, "{f}");
        }
        for n in ["", "~", "null", "NULL"] {
            assert_eq!(plain(n), Resolved::Null, "{n}");
        }
        for s in [
            "GET, POST",
            "https://a.example",
            "TRUE1",
            "nO",
            "0x",
            "1.2.3",
            "2001-12-14",
            "-",
            "yes please",
        ] {
            assert_eq!(plain(s), Resolved::String, "{s}");
        }
    }
}
