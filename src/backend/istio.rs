//! Istio: a `VirtualService` whose HTTP route carries a `corsPolicy` (Envoy's CORS filter):
//! allowed origins echoed, exact origins as `exact`, subdomains as RE2 `regex` (matched
//! against the whole origin), unmatched preflights answered by the proxy (`IGNORE`).

use super::canonical::{Allowed, Origins, canonical};
use super::yaml_out::{flow_list, metadata, origin_regex, quote, scalar};
use super::{Context, Emitted, Refusal};
use crate::ir::CorsPolicy;

pub fn emit(policy: &CorsPolicy, cx: &Context) -> Result<Emitted, Refusal> {
    let c = canonical(policy)?;
    let refuse = |feature: String| Refusal {
        feature,
        span: c.origin_span,
    };
    let mut origins: Vec<String> = Vec::new();
    match &c.origins {
        Origins::None => return Err(refuse("no allowed origin: leave `corsPolicy` out".into())),
        // Without credentials echoing every origin and `*` allow the same calls.
        Origins::Star | Origins::EchoAny => origins.push("exact: \"*\"".into()),
        Origins::List(list) => {
            for a in list {
                origins.push(match a {
                    Allowed::Exact(o) => format!("exact: {}", quote(o)),
                    Allowed::Null => "exact: \"null\"".into(),
                    Allowed::Subdomains {
                        scheme,
                        base,
                        one_label,
                    } => format!("regex: {}", quote(&origin_regex(scheme, base, *one_label))),
                    Allowed::Pattern { regex, insensitive } => format!(
                        "regex: {}",
                        quote(&format!(
                            "{}{regex}",
                            if *insensitive { "(?i)" } else { "" }
                        ))
                    ),
                });
            }
        }
    }
    if c.methods.iter().any(|m| m == "*") {
        return Err(refuse(
            "`*` methods: Istio's validation refuses them".into(),
        ));
    }
    if let Some(m) = c
        .methods
        .iter()
        .find(|m| !crate::frontend::istio::METHODS.contains(&m.as_str()))
    {
        return Err(refuse(format!(
            "the method `{m}`: Istio's validation accepts only {}",
            crate::frontend::istio::METHODS.join(", ")
        )));
    }
    let Some(host) = &cx.host else {
        return Err(refuse(
            "the host the VirtualService serves: pass `--host NAME`".into(),
        ));
    };
    let Some(service) = &cx.service else {
        return Err(refuse(
            "the Service to route to: pass `--service NAME:PORT`".into(),
        ));
    };
    let (svc, port) = service.split_once(':').unwrap_or((service, "80"));
    let name = cx.name.clone().unwrap_or_else(|| "cors".into());
    let svc = scalar(svc);
    let mut text = format!(
        "# CORS, normalized by cors-lint\napiVersion: networking.istio.io/v1\nkind: VirtualService\n{}spec:\n  hosts:\n    - {}\n  http:\n    - corsPolicy:\n        allowOrigins:\n",
        metadata(&name, cx.namespace.as_deref()),
        quote(host)
    );
    for o in &origins {
        text.push_str(&format!("          - {o}\n"));
    }
    for (key, list) in [
        ("allowMethods", &c.methods),
        ("allowHeaders", &c.headers),
        ("exposeHeaders", &c.expose),
    ] {
        if !list.is_empty() {
            text.push_str(&format!("        {key}: {}\n", flow_list(list)));
        }
    }
    text.push_str(&format!("        allowCredentials: {}\n", c.credentials));
    if let Some(age) = c.max_age.filter(|a| *a > 0) {
        text.push_str(&format!("        maxAge: \"{age}s\"\n"));
    }
    text.push_str(&format!(
        "        unmatchedPreflights: IGNORE\n      route:\n        - destination:\n            host: {svc}\n            port:\n              number: {port}\n"
    ));
    Ok(Emitted {
        text,
        file_name: "virtualservice.yaml",
        notes: Vec::new(),
        own_part: 0,
    })
}
