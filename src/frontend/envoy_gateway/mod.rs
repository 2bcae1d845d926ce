//! Envoy Gateway `SecurityPolicy.spec.cors` (`gateway.envoyproxy.io/v1alpha1`).
//!
//! The translator (`internal/xds/translator/cors.go`) gives Envoy one `StringMatcher` per
//! origin: an origin containing `*` becomes a `safe_regex` (`.` → `\.`, `*` → `.*`, so
//! `https://*.example.com` is any depth and `http://localhost:*` any port), any other an
//! `exact` (case-sensitive) matcher; `*` in the methods or headers becomes Envoy's echo;
//! `maxAge` is sent in whole seconds (nothing when unset); and
//! `forward_not_matching_preflights` is false, so Envoy answers every preflight itself —
//! with credentials, methods, headers and max-age even for an origin it does not allow. A
//! CORS filter of the targeted HTTPRoute rule takes precedence over the policy.
//!
//! `targetRef`/`targetRefs` are resolved within the file: a policy naming a route or Gateway
//! of a kind the file defines, but not that one, is reported as dead configuration (`EG001`);
//! a target that has its own Gateway API CORS filter is reported too (`EG003`).

use super::kube::envoy::{self, Spec, Unmatched, duration_seconds};
use super::kube::yaml::{self, CharMap};
use super::kube::{self, Stream, Typed};
use super::objects::{self, Name, Namespace, Object, Place};
use super::{InputError, Options};
use crate::ir::{AllowList, Credentials, FixHints, MaxAge, OnMatch, OriginMatcher, Server};
use crate::source::Span;
use regex::Regex;
use saphyr::MarkedYaml;
use std::sync::LazyLock;

pub const GROUP: &str = "gateway.envoyproxy.io";
const KINDS: [&str; 1] = ["SecurityPolicy"];

/// `Origin` (`api/v1alpha1/cors_types.go`).
pub const ORIGIN_PATTERN: &str =
    r"^(\*|https?:\/\/(\*|(\*\.)?(([\w-]+\.?)+)?[\w-]+)(:(\*|\d{1,5}))?)$";
static ORIGIN_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(ORIGIN_PATTERN).expect("valid"));

/// What only this front end knows, for the `EG` rules.
#[derive(Clone, Debug)]
pub enum Fact {
    /// A `targetRef` naming an object of a kind the file defines, but not this one.
    TargetMissing {
        object: String,
        at: Span,
        target: String,
        /// Objects of that kind the file does define.
        present: Vec<String>,
    },
    /// The API server (or kubectl's strict field validation) rejects the object.
    Rejected {
        object: String,
        at: Span,
        rule: String,
        why: String,
        /// The value the API server would take instead, when there is an obvious one.
        fix: Option<String>,
    },
    /// The targeted HTTPRoute has its own CORS filter, which wins on its rules.
    OverriddenByRouteFilter {
        object: String,
        at: Span,
        route: String,
        filter: Span,
    },
}

/// A file's policies and facts.
pub struct Lowered {
    pub policies: Vec<crate::ir::CorsPolicy>,
    pub facts: Vec<Fact>,
}

/// Whether a file holds configuration this front end reads, and why.
pub fn recognise_stream(file_name: &str, stream: &Stream) -> Result<String, String> {
    kube::recognise_objects(file_name, stream, &KINDS, GROUP)
}

/// The Envoy matcher the translator builds for one origin.
/// Whether Envoy Gateway's CRD takes `origin` in `allowOrigins` (for back ends, which must
/// not write what this front end refuses).
pub fn valid_origin(origin: &str) -> bool {
    ORIGIN_RE.is_match(origin)
}

pub fn matcher(origin: &str) -> OriginMatcher {
    if origin.contains('*') {
        let pattern = origin.replace('.', r"\.").replace('*', ".*");
        envoy::string_matcher("regex", &pattern, false)
    } else {
        envoy::string_matcher("exact", origin, false)
    }
}

/// The routes and Gateways one SecurityPolicy targets (`targetRef`, `targetRefs`): local
/// references, in the policy's namespace, to objects of the Gateway API group.
fn targets(src: &str, chars: &yaml::CharMap, policy: &kube::Object) -> Vec<Object> {
    let Some((_, spec)) = yaml::get(policy.node, "spec") else {
        return Vec::new();
    };
    let mut refs: Vec<&MarkedYaml> = Vec::new();
    if let Some((_, t)) = yaml::get(spec, "targetRef") {
        refs.push(t);
    }
    if let Some((_, ts)) = yaml::get(spec, "targetRefs") {
        refs.extend(yaml::sequence(ts).unwrap_or(&[]));
    }
    let mut out = Vec::new();
    for r in refs {
        let group = yaml::text(r, "group").unwrap_or(super::gateway_api::GROUP);
        let Some(kind) = super::gateway_api::object_kind(yaml::text(r, "kind").unwrap_or(""))
        else {
            continue;
        };
        if group != super::gateway_api::GROUP {
            continue;
        }
        if let Some((_, n)) = yaml::get(r, "name")
            && let Some((text, ..)) = yaml::scalar(n)
        {
            out.push(Object {
                place: Place {
                    kind,
                    provider: "",
                    namespace: Namespace::from_written(policy.namespace.as_deref()),
                },
                name: Name::Plain(text.to_string()),
                span: kube::scalar::written(src, chars, n),
                line: 0,
                file: 0,
                condition: None,
            });
        }
    }
    out
}

/// The routes and Gateways this file's SecurityPolicies target, for resolution across the
/// files of a run.
pub fn objects(stream: &Stream) -> crate::frontend::Objects {
    let mut out = crate::frontend::Objects::default();
    let (Ok(src), Ok(docs)) = (stream.text(), stream.docs()) else {
        return out;
    };
    let chars = stream.chars();
    for policy in kube::objects(src, chars, docs, &KINDS, GROUP) {
        out.references.extend(targets(src, chars, &policy));
    }
    out
}

pub fn lower_stream(stream: &Stream, _options: &Options) -> Result<Lowered, InputError> {
    let src = kube::utf8(stream, "Kubernetes")?;
    let docs = kube::parse_manifests(stream)?;
    let chars = stream.chars();
    let mut out = Lowered {
        policies: Vec::new(),
        facts: Vec::new(),
    };
    let referents = kube::objects(
        src,
        chars,
        docs,
        &["HTTPRoute", "GRPCRoute", "Gateway"],
        super::gateway_api::GROUP,
    );
    for object in kube::objects(src, chars, docs, &KINDS, GROUP) {
        let name = object.display();
        let rejected: std::cell::RefCell<Vec<Fact>> = Default::default();
        let reject_with = |at: Span, rule: &str, why: String, fix: Option<String>| {
            rejected.borrow_mut().push(Fact::Rejected {
                object: name.clone(),
                at,
                rule: rule.to_string(),
                why,
                fix,
            })
        };
        let mut reject = |at: Span, rule: &str, why: String| reject_with(at, rule, why, None);
        let Some((_, spec)) = yaml::get(object.node, "spec") else {
            continue;
        };
        let targets = targets(src, chars, &object);
        // The `Vary` headers of each target route's rules (empty: none, or not in the file).
        let mut target_vary: Vec<Vec<crate::ir::ResponseHeader>> = Vec::new();
        for t in &targets {
            // The file's routes and Gateways of the target's kind where it looks.
            let here: Vec<(&kube::Object, Object)> = referents
                .iter()
                .map(|o| (o, super::gateway_api::definition(o)))
                .filter(|(_, d)| objects::could_name(&t.place, &d.place))
                .collect();
            if here.is_empty() {
                continue;
            }
            let resolutions: Vec<objects::Resolution> =
                here.iter().map(|(_, d)| objects::resolve(t, d)).collect();
            let hit = resolutions
                .iter()
                .position(|r| *r == objects::Resolution::Resolves)
                .map(|i| here[i].0);
            let might = resolutions
                .iter()
                .any(|r| matches!(r, objects::Resolution::Might(_)));
            match hit {
                // Whether it resolves depends on where the objects are applied.
                None if might => {}
                None => out.facts.push(Fact::TargetMissing {
                    object: name.clone(),
                    at: t.span,
                    target: format!(
                        "{} `{}`",
                        t.place.kind.trim_start_matches("gateway/"),
                        t.shown_name()
                    ),
                    present: here.iter().map(|(o, _)| o.display()).collect(),
                }),
                Some(route) if route.kind == "HTTPRoute" => {
                    target_vary.push(super::gateway_api::route_vary_headers(
                        src, chars, route.node,
                    ));
                    if let Some(filter) = cors_filter(src, chars, route.node)
                        && let Some((k, _)) = yaml::get(spec, "cors")
                    {
                        out.facts.push(Fact::OverriddenByRouteFilter {
                            object: name.clone(),
                            at: kube::scalar::written(src, chars, k),
                            route: route.display(),
                            filter,
                        });
                    }
                }
                Some(_) => {}
            }
        }
        let Some((cors_key, cors)) = yaml::get(spec, "cors") else {
            continue;
        };
        let anchor = kube::scalar::written(src, chars, cors_key);
        let Some(entries) = yaml::mapping(cors) else {
            continue;
        };
        let span = |n: &MarkedYaml| kube::node_span(src, chars, n);
        let mut origins: Vec<(OriginMatcher, Span)> = Vec::new();
        let mut methods = AllowList::NotSent;
        let mut headers = AllowList::NotSent;
        let mut expose = AllowList::NotSent;
        let mut credentials = Credentials::Off { at: None };
        let mut max_age = MaxAge::NotSent;
        for (k, v) in entries {
            let Some((key, ..)) = yaml::scalar(k) else {
                continue;
            };
            let key_span = kube::scalar::written(src, chars, k);
            let strings = |reject: &mut dyn FnMut(Span, &str, String)| {
                let mut items = Vec::new();
                match yaml::sequence(v) {
                    Some(seq) => {
                        for item in seq {
                            match kube::typed(src, chars, item) {
                                Typed::Str(t) => {
                                    items.push((t.as_str().to_string(), kube::chars_span(&t)))
                                }
                                other => reject(
                                    span(item),
                                    "type string",
                                    format!(
                                        "each entry of `{key}` must be a string, not {}",
                                        other.name()
                                    ),
                                ),
                            }
                        }
                    }
                    None => reject(span(v), "type array", format!("`{key}` must be a list")),
                }
                items
            };
            match key {
                "allowOrigins" => {
                    let items = strings(&mut reject);
                    if items.is_empty() {
                        reject(
                            span(v),
                            "allowOrigins: +kubebuilder:validation:MinItems=1",
                            "`allowOrigins` needs at least one origin".into(),
                        );
                    }
                    for (o, at) in items {
                        if !valid_origin(&o) {
                            reject_with(
                                at,
                                &format!("Origin: Pattern=`{ORIGIN_PATTERN}`"),
                                format!(
                                    "`{o}` is not an origin Envoy Gateway accepts (scheme `http`/`https`, a host whose first label may be `*`, an optional port or `:*`; no path or trailing `/`)"
                                ),
                                crate::ir::origin::corrected_origin(&o, valid_origin),
                            );
                        } else {
                            origins.push((matcher(&o), at));
                        }
                    }
                }
                "allowMethods" | "allowHeaders" => {
                    let items = strings(&mut reject);
                    if items.is_empty() && key == "allowMethods" {
                        reject(
                            span(v),
                            "allowMethods: +kubebuilder:validation:MinItems=1",
                            "`allowMethods` needs at least one method".into(),
                        );
                    }
                    let list = match items.iter().find(|(t, _)| t == "*") {
                        // The translator sends `*` alone, which Envoy echoes.
                        Some((_, at)) => AllowList::EchoRequest { at: *at },
                        None if items.is_empty() => AllowList::NotSent,
                        None => AllowList::Entries(items),
                    };
                    if key == "allowMethods" {
                        methods = list;
                    } else {
                        headers = list;
                    }
                }
                "exposeHeaders" => {
                    let items = strings(&mut reject);
                    if !items.is_empty() {
                        expose = AllowList::Entries(items);
                    }
                }
                "allowCredentials" => match kube::typed(src, chars, v) {
                    Typed::Bool(true) => credentials = Credentials::On { at: span(v) },
                    Typed::Bool(false) => credentials = Credentials::Off { at: Some(span(v)) },
                    other => reject(
                        span(v),
                        "allowCredentials: type boolean",
                        format!(
                            "`allowCredentials` must be `true` or `false`, not {}",
                            other.name()
                        ),
                    ),
                },
                "maxAge" => match kube::typed(src, chars, v) {
                    Typed::Str(t) => match duration_seconds(t.as_str()) {
                        Some((n, _)) => {
                            max_age = MaxAge::Seconds {
                                value: n,
                                at: span(v),
                                defaulted: false,
                            }
                        }
                        None => reject(
                            span(v),
                            "maxAge: metav1.Duration",
                            format!(
                                "`{}` is not a Go duration (write e.g. `\"10m\"`)",
                                t.as_str()
                            ),
                        ),
                    },
                    other => reject(
                        span(v),
                        "maxAge: metav1.Duration",
                        format!(
                            "`maxAge` is a duration string such as `\"10m\"`, not {}",
                            other.name()
                        ),
                    ),
                },
                other => reject(
                    key_span,
                    "CORS: unknown field",
                    format!(
                        "`{other}` is not a field of `cors`; kubectl's strict field validation (its default) refuses the object"
                    ),
                ),
            }
        }
        let rejected = rejected.into_inner();
        if !rejected.is_empty() {
            out.facts.extend(rejected);
            continue;
        }
        let described: Vec<String> = targets
            .iter()
            .map(|t| {
                format!(
                    "{} `{}`",
                    t.place.kind.trim_start_matches("gateway/"),
                    t.shown_name()
                )
            })
            .collect();
        let scope = if described.is_empty() {
            name.clone()
        } else {
            format!("{name} for {}", described.join(", "))
        };
        out.policies.push(envoy::policy(Spec {
            server: Server {
                product: "Envoy Gateway",
                version: "1.6".into(),
                version_assumed: true,
                // Istio and Envoy Gateway join list fields with `,` before Envoy sends them.
                list_separator: ", ",
            },
            scope,
            object: Some(crate::ir::ObjectName {
                name: object.name.clone(),
                namespace: object.namespace.clone(),
            }),
            hosts: Vec::new(),
            anchor,
            matchers: (!origins.is_empty()).then_some(origins),
            on_match: OnMatch::EchoOrigin,
            on_match_with_credentials: OnMatch::EchoOrigin,
            methods,
            headers,
            expose,
            credentials,
            max_age,
            unmatched: Unmatched::EnvoyAnswers,
            // Every target route adds `Vary: Origin` on every rule.
            response_headers: if target_vary.len() == targets.len()
                && target_vary.iter().all(|h| !h.is_empty())
            {
                target_vary.into_iter().flatten().collect()
            } else {
                Vec::new()
            },
            fix_hints: FixHints {
                origin_list: Some(
                    "`allowOrigins: [\"https://app.example.com\"]` in the SecurityPolicy's `cors`"
                        .into(),
                ),
                credentials_off: Some("`allowCredentials: false`".into()),
                max_age: Some("`maxAge: \"10m\"` in `cors`".into()),
                vary: Some(format!(
                    "in each target HTTPRoute's rules, {}",
                    super::gateway_api::VARY_FILTER_HINT
                )),
                allow_lists: Some(
                    "`allowMethods: [GET, PUT]` and `allowHeaders: [Content-Type, Authorization]`"
                        .into(),
                ),
                ..FixHints::default()
            },
        }));
    }
    Ok(out)
}

/// The `type: CORS` value of an HTTPRoute's first CORS filter, if it has one.
fn cors_filter(src: &str, chars: &CharMap, route: &MarkedYaml) -> Option<Span> {
    let (_, spec) = yaml::get(route, "spec")?;
    let (_, rules) = yaml::get(spec, "rules")?;
    for rule in yaml::sequence(rules)? {
        let mut lists: Vec<&MarkedYaml> = Vec::new();
        if let Some((_, f)) = yaml::get(rule, "filters") {
            lists.push(f);
        }
        for b in yaml::get(rule, "backendRefs")
            .and_then(|(_, b)| yaml::sequence(b))
            .unwrap_or(&[])
        {
            if let Some((_, f)) = yaml::get(b, "filters") {
                lists.push(f);
            }
        }
        for f in lists
            .into_iter()
            .flat_map(|l| yaml::sequence(l).unwrap_or(&[]))
        {
            if let Some((_, t)) = yaml::get(f, "type")
                && yaml::scalar(t).is_some_and(|(x, ..)| x == "CORS")
            {
                return Some(kube::scalar::written(src, chars, t));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_become_regexes() {
        let m = matcher("https://*.example.com");
        assert!(m.accepts("https://a.b.example.com"));
        assert!(!m.accepts("https://example.com"));
        assert!(!m.accepts("https://A.example.com") || m.accepts("https://A.example.com"));
        assert_eq!(matcher("*"), OriginMatcher::Any);
        let port = matcher("http://localhost:*");
        assert!(port.accepts("http://localhost:3000"));
        let exact = matcher("https://App.example.com");
        assert!(!exact.accepts("https://app.example.com"));
    }
}
