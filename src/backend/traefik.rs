//! Traefik: a `Middleware` (`traefik.io/v1alpha1`) with the `headers` CORS fields: exact
//! origins in `accessControlAllowOriginList`, subdomains as anchored Go regexes (Traefik
//! matches them unanchored), `addVaryHeader`. `*` with credentials is an echo from Traefik
//! 3.6.22/3.7.6 on, which is what is written for "every origin, echoed".

use super::canonical::{Allowed, Origins, canonical};
use super::yaml_out::{flow_list, metadata, origin_regex};
use super::{Context, Emitted, Refusal};
use crate::ir::CorsPolicy;

pub fn emit(policy: &CorsPolicy, cx: &Context) -> Result<Emitted, Refusal> {
    let c = canonical(policy)?;
    let refuse = |feature: String| Refusal {
        feature,
        span: c.origin_span,
    };
    let mut exact: Vec<String> = Vec::new();
    let mut regex: Vec<String> = Vec::new();
    match &c.origins {
        Origins::None => {
            return Err(refuse(
                "no allowed origin: leave the CORS fields out".into(),
            ));
        }
        Origins::Star if c.credentials => {
            return Err(refuse(
                "a literal `*` with credentials: Traefik (since 3.6.22/3.7.6) echoes every origin instead".into(),
            ));
        }
        Origins::Star | Origins::EchoAny => exact.push("*".into()),
        Origins::List(list) => {
            for a in list {
                match a {
                    Allowed::Exact(o) => exact.push(o.clone()),
                    Allowed::Null => exact.push("null".into()),
                    Allowed::Subdomains {
                        scheme,
                        base,
                        one_label,
                    } => regex.push(format!("^{}$", origin_regex(scheme, base, *one_label))),
                    Allowed::Pattern {
                        regex: r,
                        insensitive,
                    } => regex.push(format!(
                        "{}^(?:{r})$",
                        if *insensitive { "(?i)" } else { "" }
                    )),
                }
            }
        }
    }
    let name = cx.name.clone().unwrap_or_else(|| "cors".into());
    let mut fields: Vec<String> = Vec::new();
    if !exact.is_empty() {
        fields.push(format!(
            "accessControlAllowOriginList: {}",
            flow_list(&exact)
        ));
    }
    if !regex.is_empty() {
        fields.push(format!(
            "accessControlAllowOriginListRegex: {}",
            flow_list(&regex)
        ));
    }
    for (key, list) in [
        ("accessControlAllowMethods", &c.methods),
        ("accessControlAllowHeaders", &c.headers),
        ("accessControlExposeHeaders", &c.expose),
    ] {
        if !list.is_empty() {
            fields.push(format!("{key}: {}", flow_list(list)));
        }
    }
    fields.push(format!("accessControlAllowCredentials: {}", c.credentials));
    if let Some(age) = c.max_age {
        fields.push(format!("accessControlMaxAge: {age}"));
    }
    fields.push("addVaryHeader: true".into());
    let (mut text, own_part, indent) = if cx.file_format {
        let head = "# CORS, normalized by cors-lint\nhttp:\n  middlewares:\n".to_string();
        let own = head.len();
        (
            format!("{head}    {name}:\n      headers:\n"),
            own,
            "        ",
        )
    } else {
        (
            format!(
                "# CORS, normalized by cors-lint\napiVersion: traefik.io/v1alpha1\nkind: Middleware\n{}spec:\n  headers:\n",
                metadata(&name, cx.namespace.as_deref())
            ),
            0,
            "    ",
        )
    };
    for f in fields {
        text.push_str(&format!("{indent}{f}\n"));
    }
    Ok(Emitted {
        text,
        file_name: if cx.file_format {
            "dynamic.yml"
        } else {
            "middleware.yaml"
        },
        notes: Vec::new(),
        own_part,
    })
}
