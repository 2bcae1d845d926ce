//! ingress-nginx: an Ingress with every CORS annotation written out (credentials always,
//! even when false — the controller's default is `true`), each value checked against the
//! controller's own validators so the fail-open path can never trigger.

use super::canonical::{Allowed, Origins, canonical};
use super::yaml_out::{quote, scalar};
use super::{Context, Emitted, Refusal};
use crate::frontend::ingress::controller::{self as ctl, Version};
use crate::ir::CorsPolicy;

pub fn emit(policy: &CorsPolicy, cx: &Context) -> Result<Emitted, Refusal> {
    let c = canonical(policy)?;
    let refuse = |feature: String| Refusal {
        feature,
        span: c.origin_span,
    };
    let origin = match &c.origins {
        Origins::None => {
            return Err(refuse(
                "no allowed origin: ingress-nginx cannot switch on CORS for no origin (leave `enable-cors` off)".into(),
            ));
        }
        Origins::Star => "*".to_string(),
        // ingress-nginx answers every origin with a literal `*`, never an echo: the same
        // calls only without credentials.
        Origins::EchoAny if !c.credentials => "*".to_string(),
        Origins::EchoAny => {
            return Err(refuse(
                "every origin echoed with credentials: ingress-nginx sends a literal `*` instead, which browsers \
                 refuse for credentialed calls"
                    .into(),
            ));
        }
        Origins::List(list) => {
            let mut entries = Vec::new();
            for a in list {
                entries.push(match a {
                    Allowed::Exact(o) => o.clone(),
                    Allowed::Null => "null".into(),
                    Allowed::Subdomains {
                        scheme,
                        base,
                        one_label: true,
                    } => format!("{scheme}://*.{base}"),
                    Allowed::Subdomains { .. } => {
                        return Err(refuse(
                            "subdomains at any depth: ingress-nginx's `*.` matches exactly one label".into(),
                        ));
                    }
                    Allowed::Pattern { regex, .. } => {
                        return Err(refuse(format!(
                            "the origin regex `{regex}`: ingress-nginx matches only exact origins and one-label `*.` wildcards"
                        )));
                    }
                });
            }
            let value = entries.join(", ");
            let v = Version::NEWEST;
            if ctl::validate_origin(&value, v).is_err()
                || !entries.iter().all(|e| ctl::origin_entry_ok(e, v))
            {
                return Err(refuse(format!(
                    "`{value}`: ingress-nginx's validators reject it (it would fall back to `*`)"
                )));
            }
            value
        }
    };
    // An absent or empty list means the controller's defaults, which allow more: write the
    // safelisted values instead, which browsers allow anyway.
    let methods = if c.methods.is_empty() {
        "GET, HEAD, POST".to_string()
    } else {
        c.methods.join(", ")
    };
    let headers = if c.headers.is_empty() {
        "Accept".to_string()
    } else {
        c.headers.join(", ")
    };
    if ctl::validate_methods(&methods).is_err() || !ctl::recheck(ctl::METHODS, &methods) {
        return Err(refuse(format!(
            "methods `{methods}`: ingress-nginx's validator rejects them"
        )));
    }
    if ctl::validate_headers(&headers).is_err() {
        return Err(refuse(format!(
            "headers `{headers}`: ingress-nginx's validator rejects them"
        )));
    }
    let expose = c.expose.join(", ");
    if !expose.is_empty() && ctl::validate_expose(&expose).is_err() {
        return Err(refuse(format!(
            "exposed headers `{expose}`: ingress-nginx's validator rejects them"
        )));
    }
    let Some(service) = &cx.service else {
        return Err(refuse(
            "the Service the Ingress routes to: pass `--service NAME:PORT`".into(),
        ));
    };
    let (svc, port) = service.split_once(':').unwrap_or((service, "80"));
    let name = scalar(cx.name.as_deref().unwrap_or("cors"));
    let svc = scalar(svc);
    let mut text = format!(
        "# CORS, normalized by cors-lint\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\n"
    );
    if let Some(ns) = &cx.namespace {
        text.push_str(&format!("  namespace: {}\n", scalar(ns)));
    }
    let a = |k: &str, v: &str| format!("    {}{k}: {}\n", ctl::PREFIX, quote(v));
    text.push_str("  annotations:\n");
    text.push_str(&a(ctl::ENABLE, "true"));
    text.push_str(&a(ctl::ORIGIN, &origin));
    text.push_str(&a(ctl::METHODS, &methods));
    text.push_str(&a(ctl::HEADERS, &headers));
    if !expose.is_empty() {
        text.push_str(&a(ctl::EXPOSE, &expose));
    }
    text.push_str(&a(
        ctl::CREDENTIALS,
        if c.credentials { "true" } else { "false" },
    ));
    // Without a max-age browsers cache a preflight for 5 s; the controller's default is 20 days.
    text.push_str(&a(ctl::MAX_AGE, &c.max_age.unwrap_or(5).to_string()));
    text.push_str("spec:\n  ingressClassName: nginx\n");
    match &cx.host {
        Some(host) => text.push_str(&format!(
            "  rules:\n    - host: {}\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: {svc}\n                port:\n                  number: {port}\n",
            scalar(host)
        )),
        None => text.push_str(&format!(
            "  defaultBackend:\n    service:\n      name: {svc}\n      port:\n        number: {port}\n"
        )),
    }
    Ok(Emitted {
        text,
        file_name: "ingress.yaml",
        notes: Vec::new(),
        own_part: 0,
    })
}
