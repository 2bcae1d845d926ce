//! Gateway API is an interface: what a route's CORS filter does on the wire is what the
//! implementation serving it makes of it. Read from each one's source (issue 18 §3):
//!
//! * **Envoy Gateway** (`gateway.envoyproxy.io/gatewayclass-controller`, CORS filter from
//!   v1.4.0): an origin with `*` becomes an RE2 regex (`regexp.QuoteMeta`, `\*` → `.*`,
//!   `internal/gatewayapi/filters.go` `processCORSFilter`, `securitypolicy.go`
//!   `wildcard2regex`), any other an exact, case-sensitive match; lists joined `", "`;
//!   `forward_not_matching_preflights: false` (`internal/xds/translator/cors.go`).
//! * **Istio** (`istio.io/gateway-controller`, from 1.26.0; `pilot/pkg/config/kube/gateway/
//!   conversion.go` `createCorsFilter`): since 1.29.1 and 1.28.6 (commit 248b30be) `*` is the
//!   regex `^[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s?#]+$` (`null` is not allowed), one trailing `*`
//!   a prefix, other wildcards a `^…$` regex, unmatched preflights `IGNORE`d (answered);
//!   before, every origin was an exact match (`*` allows any origin, `null` too; a wildcard
//!   entry matches only itself) and unmatched preflights were forwarded. Lists joined `","`.
//! * **NGINX Gateway Fabric** (`gateway.nginx.org/nginx-gateway-controller`, from v2.5.0;
//!   `internal/controller/nginx/config/maps.go`): a `map $http_origin` with `"~^…$"` (`.`
//!   escaped, `*` → `.*`, case-sensitive) echoing `$http_origin`; lists joined `", "`; every
//!   `OPTIONS` answered `200` by nginx.
//!
//! All of them echo the origin (none answers a literal `*`), echo the requested method and
//! headers for `allowMethods`/`allowHeaders` `*`, compare origins byte for byte (no port or
//! case normalisation) and never add `Vary`.

use super::kube::envoy::{self, Unmatched};
use super::kube::yaml;
use crate::ir::{Anchoring, Case, OriginMatcher, RegexDialect};
use crate::source::Span;
use saphyr::MarkedYaml;

/// A Gateway API implementation whose CORS handling cors-lint models.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Implementation {
    EnvoyGateway,
    /// Istio 1.29.1, 1.28.6 and later.
    Istio,
    /// Istio 1.26.0 to 1.28.5 and 1.29.0: every origin an exact match.
    IstioExactOrigins,
    NginxGatewayFabric,
}

/// Which implementation serves a route, and how cors-lint knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Serving {
    pub implementation: Implementation,
    pub how: How,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// The route's Gateway and GatewayClass in the same file name the controller.
    GatewayClass,
    /// `--assume-version envoy-gateway|istio|nginx-gateway-fabric=VERSION`.
    Flag,
    /// Neither: the default.
    Assumed,
}

impl Serving {
    pub const DEFAULT: Serving = Serving {
        implementation: Implementation::EnvoyGateway,
        how: How::Assumed,
    };

    /// How the policy's scope names it: "on Envoy Gateway (assumed)".
    pub fn describe(&self) -> String {
        let name = self.implementation.name();
        match self.how {
            How::GatewayClass => format!("on {name}, as its GatewayClass says"),
            How::Flag => format!("on {name}"),
            // How to choose another is in the docs: every finding repeats the scope.
            How::Assumed => format!("on {name} (assumed)"),
        }
    }
}

/// An `--assume-version` key that names an implementation, with its release.
pub fn from_flag(key: &str, version: &str) -> Option<Result<Implementation, String>> {
    let parsed = parse_version(version);
    let release = |oldest: (u32, u32, u32)| match parsed {
        Some(v) if v >= oldest => Ok(v),
        Some(_) => Err(format!(
            "--assume-version {key}={version}: its Gateway API CORS filter arrived in {}.{}.{}",
            oldest.0, oldest.1, oldest.2
        )),
        None => Err(format!(
            "--assume-version {key}={version}: expected a release such as 1.29.1"
        )),
    };
    Some(match key {
        "envoy-gateway" => release((1, 4, 0)).map(|_| Implementation::EnvoyGateway),
        "istio" => release((1, 26, 0)).map(|v| {
            let fixed = v >= (1, 29, 1) || (v.0, v.1) == (1, 28) && v.2 >= 6;
            if fixed {
                Implementation::Istio
            } else {
                Implementation::IstioExactOrigins
            }
        }),
        "nginx-gateway-fabric" => release((2, 5, 0)).map(|_| Implementation::NginxGatewayFabric),
        _ => return None,
    })
}

fn parse_version(text: &str) -> Option<(u32, u32, u32)> {
    let mut parts = text.trim_start_matches('v').split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let patch = parts.next().map_or(Some(0), |p| p.parse().ok())?;
    parts.next().is_none().then_some((major, minor, patch))
}

impl Implementation {
    pub fn name(self) -> &'static str {
        match self {
            Implementation::EnvoyGateway => "Envoy Gateway",
            Implementation::Istio => "Istio",
            Implementation::IstioExactOrigins => "Istio before 1.29.1",
            Implementation::NginxGatewayFabric => "NGINX Gateway Fabric",
        }
    }

    /// A GatewayClass `spec.controllerName`'s implementation.
    pub fn of_controller(name: &str) -> Option<Implementation> {
        Some(match name {
            "gateway.envoyproxy.io/gatewayclass-controller" => Implementation::EnvoyGateway,
            "istio.io/gateway-controller"
            | "istio.io/mesh-controller"
            | "istio.io/eastwest-controller"
            | "istio.io/unmanaged-gateway" => Implementation::Istio,
            "gateway.nginx.org/nginx-gateway-controller" => Implementation::NginxGatewayFabric,
            _ => return None,
        })
    }

    /// What it writes between list entries.
    pub fn list_separator(self) -> &'static str {
        match self {
            Implementation::Istio | Implementation::IstioExactOrigins => ",",
            Implementation::EnvoyGateway | Implementation::NginxGatewayFabric => ", ",
        }
    }

    /// How it matches a validated `CORSOrigin` against the request's `Origin`.
    pub fn origin_matcher(self, origin: &str) -> OriginMatcher {
        let wildcard = origin.contains('*');
        match self {
            Implementation::EnvoyGateway if wildcard => {
                envoy::string_matcher("regex", &quoted_wildcards(origin), false)
            }
            Implementation::Istio if origin == "*" => {
                envoy::string_matcher("regex", r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s?#]+$", false)
            }
            Implementation::Istio if origin.matches('*').count() == 1 && origin.ends_with('*') => {
                envoy::string_matcher("prefix", &origin[..origin.len() - 1], false)
            }
            Implementation::Istio if wildcard => {
                envoy::string_matcher("regex", &format!("^{}$", quoted_wildcards(origin)), false)
            }
            Implementation::NginxGatewayFabric => {
                let pattern = format!("^{}$", origin.replace('.', "\\.").replace('*', ".*"));
                let m = OriginMatcher::Regex {
                    pattern,
                    dialect: RegexDialect::Pcre,
                    anchoring: Anchoring::Full,
                    case: Case::Sensitive,
                };
                if m.accepts("*") {
                    OriginMatcher::Any
                } else {
                    m
                }
            }
            _ => envoy::string_matcher("exact", origin, false),
        }
    }

    /// How it answers a preflight from an origin the filter does not allow.
    pub fn unmatched(self, anchor: Span) -> Unmatched {
        match self {
            Implementation::IstioExactOrigins => Unmatched::Forwarded {
                at: anchor,
                remedy: "Istio 1.29.1 and 1.28.6 answer them themselves (`unmatchedPreflights: \
                         IGNORE`); upgrade Istio"
                    .into(),
            },
            // Envoy Gateway and Istio: Envoy answers without `Access-Control-Allow-Origin`;
            // NGINX Gateway Fabric's `return 200` for every `OPTIONS` likewise sends the
            // lists but neither the origin nor (its map unmatched) credentials.
            _ => Unmatched::EnvoyAnswers,
        }
    }
}

/// Go's `regexp.QuoteMeta` of `origin`, then `\*` → `.*`.
fn quoted_wildcards(origin: &str) -> String {
    let mut out = String::new();
    for c in origin.chars() {
        match c {
            '*' => out.push_str(".*"),
            c if r"\.+?()|[]{}^$".contains(c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// The implementations of the Gateways in `docs`, by (namespace, name), from their
/// GatewayClass in the same documents.
pub struct Gateways {
    served: Vec<((Option<String>, String), Implementation)>,
}

impl Gateways {
    pub fn read(docs: &[MarkedYaml<'_>]) -> Gateways {
        let spec_text = |node: &MarkedYaml, key: &str| {
            yaml::get(node, "spec").and_then(|(_, s)| yaml::text(s, key).map(str::to_string))
        };
        let name_of = |node: &MarkedYaml, key: &str| {
            yaml::get(node, "metadata").and_then(|(_, m)| yaml::text(m, key).map(str::to_string))
        };
        let classes: Vec<(String, Implementation)> =
            super::kube::objects_of_kind(docs, "GatewayClass")
                .into_iter()
                .filter_map(|c| {
                    let imp = Implementation::of_controller(&spec_text(c, "controllerName")?)?;
                    Some((name_of(c, "name")?, imp))
                })
                .collect();
        let served = super::kube::objects_of_kind(docs, "Gateway")
            .into_iter()
            .filter_map(|g| {
                let class = spec_text(g, "gatewayClassName")?;
                let imp = classes.iter().find(|(n, _)| *n == class)?.1;
                Some(((name_of(g, "namespace"), name_of(g, "name")?), imp))
            })
            .collect();
        Gateways { served }
    }

    /// The implementation serving a route (`spec.parentRefs`, Gateways only), if a parent's
    /// Gateway and GatewayClass are in the file.
    pub fn serving(
        &self,
        route: &MarkedYaml,
        route_namespace: Option<&str>,
    ) -> Option<Implementation> {
        let parents = yaml::get(route, "spec")
            .and_then(|(_, s)| yaml::get(s, "parentRefs"))
            .and_then(|(_, p)| yaml::sequence(p))
            .unwrap_or(&[]);
        parents.iter().find_map(|p| {
            if yaml::text(p, "kind").is_some_and(|k| k != "Gateway") {
                return None;
            }
            let name = yaml::text(p, "name")?;
            let namespace = yaml::text(p, "namespace").or(route_namespace);
            self.served
                .iter()
                .find(|((ns, n), _)| n == name && ns.as_deref() == namespace)
                .map(|(_, imp)| *imp)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Implementation::*;

    #[test]
    fn origins_match_as_each_implementation_reads_them() {
        let accepts = |imp: Implementation, entry: &str, origin: &str| {
            imp.origin_matcher(entry).accepts(origin)
        };
        for imp in [EnvoyGateway, Istio, IstioExactOrigins, NginxGatewayFabric] {
            // Byte for byte: no case or default-port normalisation anywhere.
            assert!(accepts(imp, "https://a.example", "https://a.example"));
            assert!(!accepts(imp, "https://a.example", "https://A.example"));
            assert!(!accepts(imp, "https://a.example:443", "https://a.example"));
        }
        for imp in [EnvoyGateway, Istio, NginxGatewayFabric] {
            assert!(accepts(
                imp,
                "https://*.example.com",
                "https://a.b.example.com"
            ));
            assert!(!accepts(
                imp,
                "https://*.example.com",
                "https://example.com"
            ));
            assert!(accepts(imp, "https://*", "https://x.example:8443"));
            assert!(accepts(imp, "*", "https://x.example"));
        }
        // Istio before 1.29.1: a wildcard entry is a literal; `*` allows anything, `null` too.
        assert!(!accepts(
            IstioExactOrigins,
            "https://*.example.com",
            "https://a.example.com"
        ));
        assert_eq!(IstioExactOrigins.origin_matcher("*"), OriginMatcher::Any);
        assert!(!accepts(Istio, "*", "null"));
        assert_eq!(EnvoyGateway.origin_matcher("*"), OriginMatcher::Any);
        assert_eq!(NginxGatewayFabric.origin_matcher("*"), OriginMatcher::Any);
    }

    #[test]
    fn flags_name_implementations_and_releases() {
        assert_eq!(from_flag("istio", "1.29.1"), Some(Ok(Istio)));
        assert_eq!(from_flag("istio", "1.28.6"), Some(Ok(Istio)));
        assert_eq!(from_flag("istio", "1.29.0"), Some(Ok(IstioExactOrigins)));
        assert_eq!(from_flag("istio", "1.27"), Some(Ok(IstioExactOrigins)));
        assert!(matches!(from_flag("istio", "1.25"), Some(Err(_))));
        assert_eq!(from_flag("envoy-gateway", "v1.5.0"), Some(Ok(EnvoyGateway)));
        assert!(matches!(
            from_flag("nginx-gateway-fabric", "2.4"),
            Some(Err(_))
        ));
        assert_eq!(from_flag("nginx", "1.22"), None);
    }

    #[test]
    fn gateway_classes_in_the_file_choose() {
        let text = "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: ngf}\nspec: {controllerName: gateway.nginx.org/nginx-gateway-controller}\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: edge}\nspec: {gatewayClassName: ngf}\n---\nkind: HTTPRoute\nmetadata: {name: r, namespace: apps}\nspec:\n  parentRefs: [{name: gw, namespace: edge}]\n";
        let load = |t: &'static str| yaml::load(t, &yaml::CharMap::new(t)).unwrap();
        let docs = load(text);
        let gateways = Gateways::read(&docs);
        assert_eq!(
            gateways.serving(&docs[2], Some("apps")),
            Some(NginxGatewayFabric)
        );
        // Without the parent's namespace the route's own is meant: no such Gateway.
        let other = "kind: HTTPRoute\nspec:\n  parentRefs: [{name: gw}]\n";
        let route = load(other);
        assert_eq!(gateways.serving(&route[0], Some("apps")), None);
    }
}
