//! Gateway API: an `HTTPRoute` whose rule carries a `CORS` filter (GEP-1767, Standard since
//! v1.5), every field written out. Its origin semantics differ from ingress-nginx's in two
//! ways that matter here: `*` with `allowCredentials: true` echoes every origin (the spec
//! requires it), and `*.` matches any number of labels.

use super::canonical::{Allowed, Origins, canonical};
use super::yaml_out::{flow_list, quote, scalar};
use super::{Context, Emitted, Refusal};
use crate::ir::CorsPolicy;

/// `HTTPMethodWithWildcard` (apis/v1/httproute_types.go).
const METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
];

pub fn emit(policy: &CorsPolicy, cx: &Context) -> Result<Emitted, Refusal> {
    let c = canonical(policy)?;
    let refuse = |feature: String| Refusal {
        feature,
        span: c.origin_span,
    };
    let origins: Vec<String> = match &c.origins {
        Origins::None => {
            return Err(refuse(
                "no allowed origin: leave the CORS filter out instead".into(),
            ));
        }
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
                            "subdomains exactly one label deep: Gateway API's `*.` matches any number of labels"
                                .into(),
                        ));
                    }
                    Allowed::Pattern { regex, .. } => {
                        return Err(refuse(format!(
                            "the origin regex `{regex}`: Gateway API matches only exact origins and `*.` wildcards"
                        )));
                    }
                    Allowed::Null => {
                        return Err(refuse(
                            "the `null` origin: Gateway API's origin pattern rejects it".into(),
                        ));
                    }
                });
            }
            if out.len() > 64 {
                return Err(refuse("more than 64 origins (MaxItems=64)".into()));
            }
            if let Some((o, why)) = out.iter().find_map(|o| {
                crate::frontend::gateway_api::invalid_origin(o).map(|r| (o, r.problem))
            }) {
                return Err(refuse(format!(
                    "the origin `{o}`: Gateway API's `CORSOrigin` rejects it ({why})"
                )));
            }
            out
        }
    };
    for m in &c.methods {
        if !METHODS.contains(&m.as_str()) && m != "*" {
            return Err(refuse(format!(
                "the method `{m}`: Gateway API's method enum has only {}",
                METHODS.join(", ")
            )));
        }
    }
    let version = cx
        .target
        .gateway_api_version
        .unwrap_or(crate::frontend::gateway_api::Version::NEWEST);
    if version < crate::frontend::gateway_api::Version::CORS {
        return Err(refuse(format!(
            "a CORS filter at all: Gateway API {version} has none (it arrived in v1.3)"
        )));
    }
    let Some(gateway) = &cx.gateway else {
        return Err(refuse(
            "the Gateway the route attaches to: pass `--gateway NAME`".into(),
        ));
    };
    let Some(service) = &cx.service else {
        return Err(refuse(
            "the Service the route sends to: pass `--service NAME:PORT`".into(),
        ));
    };
    let (svc, port) = service.split_once(':').unwrap_or((service, "80"));
    let name = scalar(cx.name.as_deref().unwrap_or("cors"));
    let (gateway, svc) = (scalar(gateway), scalar(svc));
    let list = flow_list;
    let mut text = format!(
        "# CORS, normalized by cors-lint\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: {name}\n"
    );
    if let Some(ns) = &cx.namespace {
        text.push_str(&format!("  namespace: {}\n", scalar(ns)));
    }
    text.push_str(&format!("spec:\n  parentRefs:\n    - name: {gateway}\n"));
    if let Some(host) = &cx.host {
        text.push_str(&format!("  hostnames:\n    - {}\n", quote(host)));
    }
    text.push_str(
        "  rules:\n    - matches:\n        - path:\n            type: PathPrefix\n            value: /\n      filters:\n        - type: CORS\n          cors:\n",
    );
    text.push_str(&format!("            allowOrigins: {}\n", list(&origins)));
    if !c.methods.is_empty() {
        text.push_str(&format!("            allowMethods: {}\n", list(&c.methods)));
    }
    if !c.headers.is_empty() {
        text.push_str(&format!("            allowHeaders: {}\n", list(&c.headers)));
    }
    if !c.expose.is_empty() {
        text.push_str(&format!("            exposeHeaders: {}\n", list(&c.expose)));
    }
    // Before v1.5 `allowCredentials` is a `TrueField`: `false` is refused, absence means off.
    if c.credentials {
        text.push_str("            allowCredentials: true\n");
    } else if version >= crate::frontend::gateway_api::Version::CREDENTIALS_FALSE {
        text.push_str("            allowCredentials: false\n");
    }
    let mut notes = Vec::new();
    // Without a max-age browsers cache a preflight for 5 s, which is also Gateway API's default.
    let age = c.max_age.unwrap_or(5);
    if age < 1 {
        notes.push(format!(
            "Gateway API's maxAge is at least 1 s; the source's {age} means no caching"
        ));
    }
    text.push_str(&format!("            maxAge: {}\n", age.max(1)));
    // Every implementation echoes the origin and none adds `Vary` (CORS020 otherwise).
    text.push_str(
        "        - type: ResponseHeaderModifier\n          responseHeaderModifier:\n            add:\n              - name: Vary\n                value: Origin\n",
    );
    text.push_str(&format!(
        "      backendRefs:\n        - name: {svc}\n          port: {port}\n"
    ));
    Ok(Emitted {
        text,
        file_name: "httproute.yaml",
        notes,
        own_part: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::{self, Dialect, Options};
    use crate::source::SourceFile;

    fn ingress(annotations: &str) -> CorsPolicy {
        let text = format!(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: x\n  annotations:\n{annotations}"
        );
        let file = SourceFile::new(
            "i.yaml",
            text.into_bytes(),
            Dialect::IngressNginx.encoding(),
        );
        let mut l = frontend::lower(Dialect::IngressNginx, &file, &Options::default()).unwrap();
        l.policies.remove(0)
    }

    fn cx() -> Context {
        Context {
            gateway: Some("gw".into()),
            service: Some("api:8080".into()),
            ..Context::default()
        }
    }

    /// ingress-nginx's default, `*` with `Access-Control-Allow-Credentials: true`, is for
    /// every browser call `*` without credentials (a credentialed call answered with `*`
    /// fails either way): it converts to `["*"]` without credentials, where ingress2gateway
    /// writes `allowCredentials: true`, which echoes every origin with credentials.
    #[test]
    fn ingress_nginx_default_star_converts_to_what_browsers_see() {
        let p = ingress("    nginx.ingress.kubernetes.io/enable-cors: \"true\"\n");
        let e = emit(&p, &cx()).unwrap();
        assert!(e.text.contains("allowOrigins: [\"*\"]"), "{}", e.text);
        assert!(e.text.contains("allowCredentials: false"), "{}", e.text);
        // The echoed origin is sent with `Vary: Origin`: cors-lint's own check is clean.
        let report = crate::lint::lint_bytes(
            "r.yaml".into(),
            e.text.clone().into_bytes(),
            Dialect::GatewayApi,
            String::new(),
            &crate::lint::Settings::default(),
        );
        assert!(report.findings.is_empty(), "{:?}", report.findings);
        let file = SourceFile::new(
            "r.yaml",
            e.text.into_bytes(),
            Dialect::GatewayApi.encoding(),
        );
        let back = frontend::lower(Dialect::GatewayApi, &file, &Options::default()).unwrap();
        let c = crate::equiv::compare(&p, &back.policies[0]);
        assert!(c.equivalent(), "{}", c.render(10));
    }

    /// `convert --assume-version gateway-api=1.4` wrote `allowCredentials: false`, which the
    /// API server before v1.5 refuses (GW001 said so); the CORS filter itself needs v1.3.
    #[test]
    fn the_assumed_release_decides_what_is_written() {
        use crate::frontend::gateway_api::Version;
        let p = ingress(
            "    nginx.ingress.kubernetes.io/enable-cors: \"true\"\n    nginx.ingress.kubernetes.io/cors-allow-credentials: \"false\"\n",
        );
        let at = |v: Version| {
            let mut c = cx();
            c.target.gateway_api_version = Some(v);
            emit(&p, &c)
        };
        let old = at(Version(1, 4)).unwrap();
        assert!(!old.text.contains("allowCredentials"), "{}", old.text);
        assert!(
            at(Version(1, 5))
                .unwrap()
                .text
                .contains("allowCredentials: false")
        );
        let r = at(Version(1, 2)).unwrap_err();
        assert!(r.feature.contains("v1.3"), "{}", r.feature);
        // What is written reads back under that release without a GW001.
        let file = SourceFile::new(
            "r.yaml",
            old.text.into_bytes(),
            Dialect::GatewayApi.encoding(),
        );
        let options = Options {
            gateway_api_version: Some(Version(1, 4)),
            ..Options::default()
        };
        let l = frontend::lower(Dialect::GatewayApi, &file, &options).unwrap();
        assert_eq!(l.policies.len(), 1);
        assert!(
            !l.facts.iter().any(|f| matches!(
                f,
                frontend::Fact::GatewayApi(frontend::gateway_api::Fact::Rejected { .. })
            )),
            "{:?}",
            l.facts
        );
    }

    #[test]
    fn one_label_wildcards_and_null_are_refused() {
        let p = ingress(
            "    nginx.ingress.kubernetes.io/enable-cors: \"true\"\n    nginx.ingress.kubernetes.io/cors-allow-origin: \"https://*.example.com\"\n",
        );
        assert!(emit(&p, &cx()).unwrap_err().feature.contains("one label"));
        let p = ingress(
            "    nginx.ingress.kubernetes.io/enable-cors: \"true\"\n    nginx.ingress.kubernetes.io/cors-allow-origin: \"https://app.example.com\"\n",
        );
        let e = emit(&p, &cx()).unwrap();
        assert!(
            e.text
                .contains("allowOrigins: [\"https://app.example.com\"]")
        );
        assert!(e.text.contains("parentRefs:\n    - name: gw"));
        assert!(
            emit(&p, &Context::default())
                .unwrap_err()
                .feature
                .contains("--gateway")
        );
    }
}
