//! Envoy Gateway: a `SecurityPolicy` with `cors`, targeting an HTTPRoute. Origins with `*`
//! become regexes of any depth (`*.example.com`), others exact and case-sensitive.

use super::canonical::{Allowed, Origins, canonical};
use super::yaml_out::{flow_list, metadata, scalar};
use super::{Context, Emitted, Refusal};
use crate::ir::CorsPolicy;

pub fn emit(policy: &CorsPolicy, cx: &Context) -> Result<Emitted, Refusal> {
    let c = canonical(policy)?;
    let refuse = |feature: String| Refusal {
        feature,
        span: c.origin_span,
    };
    let origins: Vec<String> = match &c.origins {
        Origins::None => return Err(refuse("no allowed origin: leave `cors` out".into())),
        Origins::Star | Origins::EchoAny => vec!["*".into()],
        Origins::List(list) => {
            let mut out = Vec::new();
            for a in list {
                out.push(match a {
                    Allowed::Exact(o) => o.clone(),
                    Allowed::Subdomains {
                        scheme,
                        base,
                        one_label: false,
                    } => format!("{scheme}://*.{base}"),
                    Allowed::Subdomains { .. } => {
                        return Err(refuse(
                            "subdomains exactly one label deep: Envoy Gateway's `*.` matches any number of labels"
                                .into(),
                        ));
                    }
                    Allowed::Pattern { regex, .. } => {
                        return Err(refuse(format!(
                            "the origin regex `{regex}`: Envoy Gateway matches only exact origins and `*.` wildcards"
                        )));
                    }
                    Allowed::Null => {
                        return Err(refuse("the `null` origin: Envoy Gateway's origin pattern rejects it".into()));
                    }
                });
            }
            if let Some(o) = out
                .iter()
                .find(|o| !crate::frontend::envoy_gateway::valid_origin(o))
            {
                return Err(refuse(format!(
                    "the origin `{o}`: Envoy Gateway's origin pattern rejects it"
                )));
            }
            out
        }
    };
    let Some(route) = &cx.route else {
        return Err(refuse(
            "the HTTPRoute the policy targets: pass `--route NAME`".into(),
        ));
    };
    let name = cx.name.clone().unwrap_or_else(|| "cors".into());
    let route = scalar(route);
    // allowMethods needs at least one entry; the safelisted ones change nothing.
    let methods = if c.methods.is_empty() {
        vec!["GET".to_string(), "HEAD".into(), "POST".into()]
    } else {
        c.methods.clone()
    };
    let mut text = format!(
        "# CORS, normalized by cors-lint\napiVersion: gateway.envoyproxy.io/v1alpha1\nkind: SecurityPolicy\n{}spec:\n  targetRefs:\n    - group: gateway.networking.k8s.io\n      kind: HTTPRoute\n      name: {route}\n  cors:\n    allowOrigins: {}\n    allowMethods: {}\n",
        metadata(&name, cx.namespace.as_deref()),
        flow_list(&origins),
        flow_list(&methods)
    );
    if !c.headers.is_empty() {
        text.push_str(&format!("    allowHeaders: {}\n", flow_list(&c.headers)));
    }
    if !c.expose.is_empty() {
        text.push_str(&format!("    exposeHeaders: {}\n", flow_list(&c.expose)));
    }
    text.push_str(&format!("    allowCredentials: {}\n", c.credentials));
    if let Some(age) = c.max_age.filter(|a| *a > 0) {
        text.push_str(&format!("    maxAge: \"{age}s\"\n"));
    }
    Ok(Emitted {
        text,
        file_name: "securitypolicy.yaml",
        notes: Vec::new(),
        own_part: 0,
    })
}
