//! Kong: a `KongPlugin` with `plugin: cors`. Every list is written out, because Kong's
//! defaults allow more (methods include TRACE and CONNECT; an empty `headers` echoes the
//! request's); subdomains are regex entries, which Kong anchors itself.

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
    // Kong reads an entry with a character outside `[A-Za-z0-9.:/-]` as a regex anchored at
    // both ends, matched against the host alone when it has no `:`: the group makes every
    // pattern a regex, and one without `:` cannot be written.
    if let Origins::List(list) = &c.origins
        && let Some(Allowed::Pattern { regex, .. }) = list
            .iter()
            .find(|a| matches!(a, Allowed::Pattern { regex, .. } if !regex.contains(':')))
    {
        return Err(refuse(format!(
            "the origin regex `{regex}`: Kong matches a regex without `:` against the host alone"
        )));
    }
    let origins: Vec<String> = match &c.origins {
        Origins::None => return Err(refuse("no allowed origin: leave the plugin out".into())),
        Origins::Star | Origins::EchoAny => vec!["*".into()],
        Origins::List(list) => list
            .iter()
            .map(|a| match a {
                // An origin with a character Kong reads as a regex (`+` in a scheme) is
                // written as that regex, escaped; Kong anchors it at both ends.
                Allowed::Exact(o) if crate::frontend::kong::is_literal(o) => o.clone(),
                Allowed::Exact(o) => regex::escape(o),
                Allowed::Null => "null".into(),
                Allowed::Subdomains {
                    scheme,
                    base,
                    one_label,
                } => origin_regex(scheme, base, *one_label),
                Allowed::Pattern { regex, insensitive } => {
                    format!("{}(?:{regex})", if *insensitive { "(?i)" } else { "" })
                }
            })
            .collect(),
    };
    let name = cx.name.clone().unwrap_or_else(|| "cors".into());
    let methods = if c.methods.is_empty() {
        vec!["GET".to_string(), "HEAD".into(), "POST".into()]
    } else {
        c.methods.clone()
    };
    // An empty list would echo every requested header; `Accept` is always safelisted.
    let headers = if c.headers.is_empty() {
        vec!["Accept".to_string()]
    } else {
        c.headers.clone()
    };
    let mut fields = vec![
        format!("origins: {}", flow_list(&origins)),
        format!("methods: {}", flow_list(&methods)),
        format!("headers: {}", flow_list(&headers)),
    ];
    if !c.expose.is_empty() {
        fields.push(format!("exposed_headers: {}", flow_list(&c.expose)));
    }
    fields.push(format!("credentials: {}", c.credentials));
    if let Some(age) = c.max_age {
        fields.push(format!("max_age: {age}"));
    }
    fields.push("preflight_continue: false".into());
    let (mut text, own_part, indent) = if cx.file_format {
        // A plugin without `service` or `route` applies to every request, like the source.
        let head =
            "# CORS, normalized by cors-lint\n_format_version: \"3.0\"\nplugins:\n".to_string();
        let own = head.len();
        (
            format!("{head}  - name: cors\n    config:\n"),
            own,
            "      ",
        )
    } else {
        (
            format!(
                "# CORS, normalized by cors-lint\napiVersion: configuration.konghq.com/v1\nkind: KongPlugin\n{}plugin: cors\nconfig:\n",
                metadata(&name, cx.namespace.as_deref())
            ),
            0,
            "  ",
        )
    };
    for f in fields {
        text.push_str(&format!("{indent}{f}\n"));
    }
    Ok(Emitted {
        text,
        file_name: if cx.file_format {
            "kong.yml"
        } else {
            "kongplugin.yaml"
        },
        notes: Vec::new(),
        own_part,
    })
}
