//! nginx: a `map $http_origin` allow-list (exact keys, anchored and escaped regexes for
//! subdomains), the headers with `always`, `Vary: Origin` when the value depends on the
//! origin, and a 204 preflight branch that repeats every header (an `if` with its own
//! `add_header` inherits none).

use super::canonical::{Allowed, Canonical, Origins, canonical};
use super::{Emitted, Refusal};
use crate::ir::CorsPolicy;

pub fn emit(policy: &CorsPolicy) -> Result<Emitted, Refusal> {
    let c = canonical(policy)?;
    // nginx expands `$name` in an `add_header` value and has no escape for `$`.
    if let Some(v) = [&c.methods, &c.headers, &c.expose]
        .into_iter()
        .flatten()
        .find(|v| v.contains('$'))
    {
        return Err(Refusal {
            feature: format!("`{v}`: nginx reads a `$` in a header value as a variable"),
            span: policy.anchor,
        });
    }
    let mut text = String::from("# CORS, normalized by cors-lint\n");
    let origin_value = match &c.origins {
        Origins::None => None,
        Origins::Star => Some("\"*\"".to_string()),
        Origins::EchoAny => Some("$http_origin".to_string()),
        Origins::List(list) => {
            text.push_str("map $http_origin $cors_allow_origin {\n    default \"\";\n");
            for a in list {
                let key = match a {
                    Allowed::Exact(o) => format!("\"{}\"", map_key(o)),
                    Allowed::Null => "\"null\"".to_string(),
                    Allowed::Subdomains {
                        scheme,
                        base,
                        one_label,
                    } => {
                        let labels = if *one_label {
                            "[a-z0-9-]+\\."
                        } else {
                            "([a-z0-9-]+\\.)+"
                        };
                        format!("\"~^{scheme}://{labels}{}$\"", base.replace('.', "\\."))
                    }
                    Allowed::Pattern { regex, insensitive } => format!(
                        "\"~{}^(?:{})$\"",
                        if *insensitive { "*" } else { "" },
                        nginx_quoted(regex)
                    ),
                };
                text.push_str(&format!("    {key} $http_origin;\n"));
            }
            text.push_str("}\n");
            Some("$cors_allow_origin".to_string())
        }
    };
    let headers = header_lines(&c, origin_value.as_deref());
    text.push_str("server {\n    location / {\n");
    for h in &headers {
        text.push_str(&format!("        {h}\n"));
    }
    text.push_str("        if ($request_method = OPTIONS) {\n");
    for h in &headers {
        text.push_str(&format!("            {h}\n"));
    }
    text.push_str("            return 204;\n        }\n    }\n}\n");
    Ok(Emitted {
        text,
        file_name: "cors.conf",
        notes: Vec::new(),
        own_part: 0,
    })
}

fn header_lines(c: &Canonical, origin: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    let add = |name: &str, value: &str| format!("add_header {name} {value} always;");
    if let Some(o) = origin {
        out.push(add("Access-Control-Allow-Origin", o));
        if c.credentials {
            out.push(add("Access-Control-Allow-Credentials", "true"));
        }
    }
    let quoted = |items: &[String]| format!("\"{}\"", items.join(", "));
    if !c.methods.is_empty() {
        out.push(add("Access-Control-Allow-Methods", &quoted(&c.methods)));
    }
    if !c.headers.is_empty() {
        out.push(add("Access-Control-Allow-Headers", &quoted(&c.headers)));
    }
    if !c.expose.is_empty() {
        out.push(add("Access-Control-Expose-Headers", &quoted(&c.expose)));
    }
    if let Some(age) = c.max_age {
        out.push(add("Access-Control-Max-Age", &age.to_string()));
    }
    if matches!(c.origins, Origins::List(_) | Origins::EchoAny) {
        out.push(add("Vary", "Origin"));
    }
    out
}

/// An exact `map` key for `origin`, for inside double quotes: a key nginx would read as a
/// regex (`~…`) or a keyword (`default`, `include`, `hostnames`, `volatile`) gets the `\`
/// that makes `map` take it literally (and drop the `\`).
fn map_key(origin: &str) -> String {
    let special = origin.starts_with(['~', '\\'])
        || matches!(origin, "default" | "include" | "hostnames" | "volatile");
    let key = nginx_quoted(origin);
    if special { format!("\\{key}") } else { key }
}

/// Text for inside an nginx double-quoted string, where nginx resolves `\\` and `\"`.
fn nginx_quoted(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
