//! Gateway API `HTTPRoute` `CORS` filters (GEP-1767), `gateway.networking.k8s.io/v1` and
//! `v1beta1`.
//!
//! A `type: CORS` filter in `spec.rules[].filters` or `spec.rules[].backendRefs[].filters`
//! becomes one policy. The CRD's validation (`apis/v1/httproute_types.go`,
//! `apis/v1/shared_types.go`: the `CORSOrigin` pattern, `*` alone, `MaxItems`, the method
//! enum, `maxAge` ≥ 1 with default 5, `allowCredentials` a `TrueField` before v1.5, the
//! filter's CEL rules) is applied first: an object the API server would reject never takes
//! effect, so it gets `GW001` findings quoting the rule and no policy. `GRPCRoute` has no
//! `CORS` filter type (its enum is `ResponseHeaderModifier;RequestHeaderModifier;
//! RequestMirror;ExtensionRef`), so one there is rejected too.
//!
//! What a valid filter does is the serving implementation's reading of it
//! ([`implementation`]): the route's Gateway and GatewayClass in the same file name it, else
//! `--assume-version`, else Envoy Gateway is assumed and the policy's scope says so. A filter
//! without `allowOrigins` allows no origin.

pub mod implementation;

use super::kube::envoy::{self, Spec};
use super::kube::yaml::{self, CharMap};
use super::kube::{self, Object, Stream, Typed};
use super::{InputError, Options};
use crate::ir::ResponseHeader;
use crate::ir::{AllowList, CorsPolicy, Credentials, FixHints, MaxAge, OnMatch, Server};
use crate::source::{Edit, Span};
use implementation::{Gateways, How, Serving};
use regex::Regex;
use saphyr::MarkedYaml;
use std::sync::LazyLock;

pub const GROUP: &str = "gateway.networking.k8s.io";
const KINDS: [&str; 2] = ["HTTPRoute", "GRPCRoute"];

/// A Gateway API release (major, minor).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32);

impl Version {
    pub const OLDEST: Version = Version(1, 0);
    pub const NEWEST: Version = Version(1, 6);
    /// The CORS filter arrived (experimental channel).
    pub const CORS: Version = Version(1, 3);
    /// `allowCredentials` became `*bool` (before: `TrueField`, only `true`); Standard channel.
    pub const CREDENTIALS_FALSE: Version = Version(1, 5);

    pub fn parse(text: &str) -> Option<Version> {
        let t = text.trim_start_matches('v');
        let mut parts = t.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next().unwrap_or("0").parse().ok()?;
        Some(Version(major, minor))
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "v{}.{}", self.0, self.1)
    }
}

/// What only this front end knows, for the `GW` rules.
#[derive(Clone, Debug)]
pub enum Fact {
    /// The API server (or kubectl's strict field validation) rejects the object.
    Rejected {
        object: String,
        at: Span,
        /// The violated rule, as the CRD writes it.
        rule: String,
        why: String,
        /// "(Gateway API v1.6 assumed, …)" when the verdict depends on the release.
        version: Option<String>,
        /// The value the API server would take instead, when there is an obvious one.
        fix: Option<String>,
    },
    /// A CORS filter without `allowOrigins`: it allows no origin, so it does nothing.
    NoOrigins { object: String, at: Span },
    /// The serving implementation was assumed: the same filter as each other implementation
    /// serves it, for `GW003` to compare.
    OtherImplementations {
        assumed: Box<CorsPolicy>,
        others: Vec<(&'static str, CorsPolicy)>,
    },
}

/// A file's policies and facts.
pub struct Lowered {
    pub policies: Vec<CorsPolicy>,
    pub facts: Vec<Fact>,
}

/// Whether a file holds configuration this front end reads, and why.
pub fn recognise_stream(file_name: &str, stream: &Stream) -> Result<String, String> {
    kube::recognise_objects(file_name, stream, &KINDS, GROUP)
}

/// `CORSOrigin` (`apis/v1/shared_types.go`).
pub const ORIGIN_PATTERN: &str =
    r"(^\*$)|(^(http(s)?):\/\/(((\*\.)?([a-zA-Z0-9\-]+\.)*[a-zA-Z0-9-]+|\*)(:([0-9]{1,5}))?)$)";
static ORIGIN_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(ORIGIN_PATTERN).expect("valid"));
/// `HeaderName` (`apis/v1/shared_types.go`).
pub const HEADER_PATTERN: &str = r"^[A-Za-z0-9!#$%&'*+\-.^_\x60|~]+$";
static HEADER_RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(HEADER_PATTERN).expect("valid"));
/// `HTTPMethodWithWildcard`.
pub const METHODS: [&str; 10] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "*",
];

struct Cx<'s> {
    src: &'s str,
    chars: &'s CharMap,
    version: Version,
    assumed: bool,
    serving: Serving,
    object: String,
    violations: Vec<Fact>,
    /// Facts about objects the API server accepts.
    notes: Vec<Fact>,
}

impl Cx<'_> {
    fn span(&self, node: &MarkedYaml) -> Span {
        kube::node_span(self.src, self.chars, node)
    }

    fn key_span(&self, node: &MarkedYaml) -> Span {
        kube::scalar::written(self.src, self.chars, node)
    }

    fn reject(&mut self, at: Span, rule: impl Into<String>, why: impl Into<String>) {
        self.violations.push(Fact::Rejected {
            object: self.object.clone(),
            at,
            rule: rule.into(),
            why: why.into(),
            version: None,
            fix: None,
        });
    }

    fn reject_versioned(&mut self, at: Span, rule: impl Into<String>, why: impl Into<String>) {
        let version = if self.assumed {
            format!(
                "Gateway API {} assumed, the newest release cors-lint models; pass `--assume-version gateway-api=VERSION` for yours",
                self.version
            )
        } else {
            format!("Gateway API {}", self.version)
        };
        self.violations.push(Fact::Rejected {
            object: self.object.clone(),
            at,
            rule: rule.into(),
            why: why.into(),
            version: Some(version),
            fix: None,
        });
    }

    fn typed(&self, node: &MarkedYaml) -> Typed {
        kube::typed(self.src, self.chars, node)
    }

    /// A list of strings, each with its bytes; type errors rejected.
    fn strings(&mut self, field: &str, node: &MarkedYaml) -> Vec<(String, Span)> {
        let Some(items) = yaml::sequence(node) else {
            if !matches!(self.typed(node), Typed::Null) {
                let got = self.typed(node).name();
                let at = self.span(node);
                self.reject(
                    at,
                    format!("{field}: type array"),
                    format!("`{field}` must be a list, not {got}"),
                );
            }
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            match self.typed(item) {
                Typed::Str(t) => out.push((t.as_str().to_string(), kube::chars_span(&t))),
                other => {
                    let at = self.span(item);
                    self.reject(
                        at,
                        format!("{field}[]: type string"),
                        format!(
                            "each entry of `{field}` must be a string, not {} (quote it)",
                            other.name()
                        ),
                    );
                }
            }
        }
        if let Some(dup) = out
            .iter()
            .enumerate()
            .find(|(i, (t, _))| out[..*i].iter().any(|(u, _)| u == t))
            .map(|(_, d)| d.clone())
        {
            self.reject(
                dup.1,
                format!("{field}: +listType=set"),
                format!("`{}` is listed twice in `{field}` (a set)", dup.0),
            );
        }
        out
    }

    fn max_items(&mut self, field: &str, items: &[(String, Span)], max: usize) {
        if items.len() > max {
            let at = items[max].1;
            self.reject(
                at,
                format!("{field}: +kubebuilder:validation:MaxItems={max}"),
                format!(
                    "`{field}` has {} entries, at most {max} are allowed",
                    items.len()
                ),
            );
        }
    }

    fn star_alone(&mut self, field: &str, what: &str, items: &[(String, Span)], message: &str) {
        if items.len() > 1
            && let Some((_, at)) = items.iter().find(|(t, _)| t == "*")
        {
            self.reject(
                *at,
                format!("{field}: !('*' in self && self.size() > 1) (\"{message}\")"),
                format!(
                    "`*` must be the only entry of `{field}`, not one of {} {what}",
                    items.len()
                ),
            );
        }
    }
}

/// One `cors:` object, read and validated.
struct Cors {
    origins: Option<Vec<(String, Span)>>,
    origins_key: Option<Span>,
    credentials: Option<(bool, Span)>,
    methods: Vec<(String, Span)>,
    methods_key: Option<Span>,
    headers: Vec<(String, Span)>,
    headers_key: Option<Span>,
    expose: Vec<(String, Span)>,
    max_age: Option<(i64, Span)>,
}

const CORS_FIELDS: [&str; 6] = [
    "allowOrigins",
    "allowCredentials",
    "allowMethods",
    "allowHeaders",
    "exposeHeaders",
    "maxAge",
];

fn read_cors(cx: &mut Cx, node: &MarkedYaml) -> Cors {
    let mut c = Cors {
        origins: None,
        origins_key: None,
        credentials: None,
        methods: Vec::new(),
        methods_key: None,
        headers: Vec::new(),
        headers_key: None,
        expose: Vec::new(),
        max_age: None,
    };
    let Some(entries) = yaml::mapping(node) else {
        if !matches!(cx.typed(node), Typed::Null) {
            let at = cx.span(node);
            cx.reject(at, "cors: type object", "`cors` must be a mapping");
        }
        return c;
    };
    for (k, v) in entries {
        let Some((key, ..)) = yaml::scalar(k) else {
            continue;
        };
        let key_span = cx.key_span(k);
        match key {
            "allowOrigins" => {
                let items = cx.strings("allowOrigins", v);
                cx.max_items("allowOrigins", &items, 64);
                cx.star_alone(
                    "allowOrigins",
                    "origins",
                    &items,
                    "AllowOrigins cannot contain '*' alongside other origins",
                );
                for (text, at) in &items {
                    if let Some(r) = invalid_origin(text) {
                        let why = if r.pattern {
                            format!("`{text}` is not an origin the CRD accepts: {}", r.problem)
                        } else {
                            r.problem
                        };
                        cx.reject(*at, r.rule, why);
                        if let Some(Fact::Rejected { fix, .. }) = cx.violations.last_mut() {
                            *fix = crate::ir::origin::corrected_origin(text, |o| {
                                invalid_origin(o).is_none()
                            });
                        }
                    }
                }
                c.origins = Some(items);
                c.origins_key = Some(key_span);
            }
            "allowCredentials" => match cx.typed(v) {
                Typed::Bool(b) => {
                    let at = cx.span(v);
                    if !b && cx.version < Version::CREDENTIALS_FALSE {
                        cx.reject_versioned(
                            at,
                            "allowCredentials: TrueField (+kubebuilder:validation:Enum=true)",
                            format!(
                                "before {} `allowCredentials` may only be `true`; leave it out to turn credentials off",
                                Version::CREDENTIALS_FALSE
                            ),
                        );
                    }
                    c.credentials = Some((b, at));
                }
                Typed::Null => {}
                other => {
                    let at = cx.span(v);
                    cx.reject(
                        at,
                        "allowCredentials: type boolean",
                        format!(
                            "`allowCredentials` must be `true` or `false`, not {}",
                            other.name()
                        ),
                    );
                }
            },
            "allowMethods" => {
                let items = cx.strings("allowMethods", v);
                cx.max_items("allowMethods", &items, 9);
                cx.star_alone(
                    "allowMethods",
                    "methods",
                    &items,
                    "AllowMethods cannot contain '*' alongside other methods",
                );
                for (m, at) in &items {
                    if !METHODS.contains(&m.as_str()) {
                        cx.reject(
                            *at,
                            format!("HTTPMethodWithWildcard: Enum={}", METHODS.join(";")),
                            format!(
                                "`{m}` is not one of the methods the CRD allows (upper case, RFC 9110 methods or `*`)"
                            ),
                        );
                    }
                }
                c.methods = items;
                c.methods_key = Some(key_span);
            }
            "allowHeaders" | "exposeHeaders" => {
                let items = cx.strings(key, v);
                cx.max_items(key, &items, 64);
                if key == "allowHeaders" {
                    cx.star_alone(
                        key,
                        "headers",
                        &items,
                        "AllowHeaders cannot contain '*' alongside other methods",
                    );
                }
                for (h, at) in &items {
                    if h.is_empty() || h.len() > 256 || !HEADER_RE.is_match(h) {
                        cx.reject(
                            *at,
                            format!("HTTPHeaderName: Pattern=`{HEADER_PATTERN}`, MaxLength=256"),
                            format!("`{h}` is not a header name (one token: no spaces, commas or colons)"),
                        );
                    }
                }
                if key == "allowHeaders" {
                    c.headers = items;
                    c.headers_key = Some(key_span);
                } else {
                    c.expose = items;
                }
            }
            "maxAge" => match cx.typed(v) {
                Typed::Int(Some(n)) if (1..=i64::from(i32::MAX)).contains(&n) => {
                    c.max_age = Some((n, cx.span(v)));
                }
                Typed::Int(Some(n)) if n < 1 => {
                    let at = cx.span(v);
                    cx.reject(
                        at,
                        "maxAge: +kubebuilder:validation:Minimum=1",
                        format!("`maxAge` must be at least 1 (second), not {n}"),
                    );
                }
                Typed::Null => {}
                other => {
                    let at = cx.span(v);
                    let why = match &other {
                        Typed::Str(t) => format!(
                            "`maxAge` is a number of seconds (int32), not the string `{}`",
                            t.as_str()
                        ),
                        Typed::Int(_) => "`maxAge` must fit in an int32".to_string(),
                        o => format!("`maxAge` is a number of seconds (int32), not {}", o.name()),
                    };
                    cx.reject(at, "maxAge: type integer, format int32", why);
                }
            },
            other => {
                let suggestion = crate::spelling::closest(other, CORS_FIELDS.iter().copied(), 3)
                    .map(|(_, f)| format!(" (did you mean `{f}`?)"))
                    .unwrap_or_default();
                cx.reject(
                    key_span,
                    "HTTPCORSFilter: unknown field",
                    format!(
                        "`{other}` is not a field of the CORS filter{suggestion}; kubectl's strict field validation (its default) \
                         refuses the object, and with `--validate=false` the API server drops the field"
                    ),
                );
            }
        }
    }
    c
}

/// Why the API server rejects `text` as a `CORSOrigin` (length or pattern), in words; `None`
/// when it takes it. For back ends, which must not write what this front end refuses.
pub fn invalid_origin(text: &str) -> Option<OriginRejection> {
    if text.is_empty() || text.len() > 253 {
        Some(OriginRejection {
            rule: "CORSOrigin: MinLength=1, MaxLength=253".into(),
            problem: "an origin is 1 to 253 characters long".into(),
            pattern: false,
        })
    } else if !ORIGIN_RE.is_match(text) {
        Some(OriginRejection {
            rule: format!("CORSOrigin: Pattern=`{ORIGIN_PATTERN}`"),
            problem: origin_problem(text),
            pattern: true,
        })
    } else {
        None
    }
}

/// The CRD rule an origin breaks, and how, in words.
pub struct OriginRejection {
    pub rule: String,
    pub problem: String,
    /// The pattern (not the length) rejects it.
    pub pattern: bool,
}

/// Why a value fails the `CORSOrigin` pattern, in words.
fn origin_problem(text: &str) -> String {
    if text == "null" {
        return "`null` cannot be allowed in Gateway API".into();
    }
    let Some((scheme, rest)) = text.split_once("://") else {
        return "it needs an `http://` or `https://` scheme".into();
    };
    if scheme != "http" && scheme != "https" {
        return "only `http` and `https` are allowed schemes (lower case)".into();
    }
    if rest.ends_with('/') {
        return "an origin has no trailing `/`".into();
    }
    if rest.contains('/') {
        return "an origin has no path".into();
    }
    if rest.contains(":*") {
        return "a wildcard port is not allowed".into();
    }
    if rest.contains('*') {
        return "`*` may only be the first label (`https://*.example.com`) or the whole host"
            .into();
    }
    if rest.starts_with('[') {
        return "IP v6 literals are not allowed".into();
    }
    "the host must be DNS labels (letters, digits, `-`) with an optional port".into()
}

/// `*` (alone, by CEL) echoes the request's method or headers, with or without credentials.
fn list(items: &[(String, Span)], key: Option<Span>) -> AllowList {
    match (items, key) {
        ([], _) | (_, None) => AllowList::NotSent,
        ([(star, at)], _) if star == "*" => AllowList::EchoRequest { at: *at },
        _ => AllowList::Entries(items.to_vec()),
    }
}

/// The routes and Gateways this file defines (by `gateway/<Kind>`), for resolution across
/// the files of a run (a SecurityPolicy elsewhere may target them).
pub fn objects(stream: &Stream) -> crate::frontend::Objects {
    let mut out = crate::frontend::Objects::default();
    let (Ok(src), Ok(docs)) = (stream.text(), stream.docs()) else {
        return out;
    };
    let chars = stream.chars();
    for o in kube::objects(
        src,
        chars,
        docs,
        &["HTTPRoute", "GRPCRoute", "Gateway"],
        GROUP,
    ) {
        out.defines.push(definition(&o));
    }
    out
}

/// The kind policies target, as references name it (`None`: not a route or Gateway).
pub fn object_kind(kind: &str) -> Option<&'static str> {
    match kind {
        "HTTPRoute" => Some("gateway/HTTPRoute"),
        "GRPCRoute" => Some("gateway/GRPCRoute"),
        "Gateway" => Some("gateway/Gateway"),
        _ => None,
    }
}

/// A route or Gateway as a definition policies' targets resolve against.
pub fn definition(o: &kube::Object) -> crate::frontend::Object {
    use crate::frontend::objects::{Name, Namespace, Place};
    crate::frontend::Object {
        place: Place {
            kind: object_kind(&o.kind).unwrap_or("gateway/Gateway"),
            provider: "",
            namespace: Namespace::from_written(o.namespace.as_deref()),
        },
        name: Name::Plain(o.name.clone()),
        span: o.kind_span,
        line: 0,
        file: 0,
        condition: None,
    }
}

pub fn lower_stream(stream: &Stream, options: &Options) -> Result<Lowered, InputError> {
    let src = kube::utf8(stream, "Kubernetes")?;
    let docs = kube::parse_manifests(stream)?;
    let chars = stream.chars();
    let version = options.gateway_api_version.unwrap_or(Version::NEWEST);
    let gateways = Gateways::read(docs);
    let mut out = Lowered {
        policies: Vec::new(),
        facts: Vec::new(),
    };
    for object in kube::objects(src, chars, docs, &KINDS, GROUP) {
        let mut cx = Cx {
            src,
            chars,
            version,
            assumed: options.gateway_api_version.is_none(),
            serving: serving(&gateways, &object, options),
            object: object.display(),
            violations: Vec::new(),
            notes: Vec::new(),
        };
        let policies = route(&mut cx, &object);
        if cx.violations.is_empty() {
            if cx.serving.how == How::Assumed {
                out.facts
                    .extend(other_implementations(&cx, &object, &policies));
            }
            out.policies.extend(policies);
            out.facts.append(&mut cx.notes);
        } else {
            out.facts.append(&mut cx.violations);
        }
    }
    Ok(out)
}

/// Each policy of `object` as the implementations other than the assumed one serve it.
fn other_implementations(cx: &Cx, object: &Object, policies: &[CorsPolicy]) -> Vec<Fact> {
    use implementation::Implementation::*;
    let mut others: Vec<Vec<(&'static str, CorsPolicy)>> = vec![Vec::new(); policies.len()];
    for implementation in [Istio, IstioExactOrigins, NginxGatewayFabric] {
        let mut scratch = Cx {
            serving: Serving {
                implementation,
                how: How::Flag,
            },
            object: cx.object.clone(),
            violations: Vec::new(),
            notes: Vec::new(),
            ..*cx
        };
        for (i, p) in route(&mut scratch, object).into_iter().enumerate() {
            others[i].push((implementation.name(), p));
        }
    }
    policies
        .iter()
        .zip(others)
        .map(|(p, others)| Fact::OtherImplementations {
            assumed: Box::new(p.clone()),
            others,
        })
        .collect()
}

/// Who serves `route`: its Gateway's class in the file, else the flag, else the default.
fn serving(gateways: &Gateways, route: &Object, options: &Options) -> Serving {
    if let Some(implementation) = gateways.serving(route.node, route.namespace.as_deref()) {
        return Serving {
            implementation,
            how: How::GatewayClass,
        };
    }
    match options.gateway_api_implementation {
        Some(implementation) => Serving {
            implementation,
            how: How::Flag,
        },
        None => Serving::DEFAULT,
    }
}

/// Every CORS filter of one route, as policies (and `NoOrigins` facts).
/// A CORS filter of a route, where it is, and what the header filters beside it add.
struct Found {
    place: String,
    anchor: Span,
    cors: Cors,
    response_headers: Vec<ResponseHeader>,
    /// A safe edit adding `Vary: Origin` next to it.
    vary_fix: Option<Edit>,
}

fn route(cx: &mut Cx, object: &Object) -> Vec<CorsPolicy> {
    let grpc = object.kind == "GRPCRoute";
    let Some((_, spec)) = yaml::get(object.node, "spec") else {
        return Vec::new();
    };
    let hosts: Vec<(String, Span)> = yaml::get(spec, "hostnames")
        .and_then(|(_, h)| yaml::sequence(h))
        .unwrap_or(&[])
        .iter()
        .filter_map(|h| match cx.typed(h) {
            Typed::Str(t) => Some((t.as_str().to_string(), kube::chars_span(&t))),
            _ => None,
        })
        .collect();
    let mut found: Vec<Found> = Vec::new();
    let rules = yaml::get(spec, "rules")
        .and_then(|(_, r)| yaml::sequence(r))
        .unwrap_or(&[]);
    for (i, rule) in rules.iter().enumerate() {
        let rule_name = yaml::text(rule, "name")
            .map(|n| format!("rule `{n}`"))
            .unwrap_or_else(|| format!("rule {}", i + 1));
        // Each filter list, and whether it is the rule's own (not a backend's).
        let mut lists: Vec<(String, &MarkedYaml, bool)> = Vec::new();
        // A rule's own header filter acts on every backend's responses.
        let rule_headers = yaml::get(rule, "filters")
            .map(|(_, f)| response_headers(cx.src, cx.chars, f))
            .unwrap_or_default();
        if let Some((_, f)) = yaml::get(rule, "filters") {
            lists.push((rule_name.clone(), f, true));
        }
        for b in yaml::get(rule, "backendRefs")
            .and_then(|(_, b)| yaml::sequence(b))
            .unwrap_or(&[])
        {
            if let Some((_, f)) = yaml::get(b, "filters") {
                let backend = yaml::text(b, "name").unwrap_or("?");
                lists.push((format!("{rule_name}, backend `{backend}`"), f, false));
            }
        }
        for (place, filters, own) in lists {
            let mut headers = rule_headers.clone();
            if !own {
                headers.extend(response_headers(cx.src, cx.chars, filters));
            }
            let mut cors_seen: Vec<Span> = Vec::new();
            for filter in yaml::sequence(filters).unwrap_or(&[]) {
                let ty = yaml::get(filter, "type");
                let cors = yaml::get(filter, "cors");
                let is_cors = ty
                    .and_then(|(_, t)| yaml::scalar(t))
                    .is_some_and(|(t, ..)| t == "CORS");
                match (is_cors, cors) {
                    (true, None) => {
                        let at = cx.span(ty.expect("type").1);
                        cx.reject(
                            at,
                            "!(!has(self.cors) && self.type == 'CORS') (\"filter.cors must be specified for CORS filter.type\")",
                            "a `type: CORS` filter needs its `cors:` settings",
                        );
                        continue;
                    }
                    (false, Some((k, _))) => {
                        let at = cx.key_span(k);
                        cx.reject(
                            at,
                            "!(has(self.cors) && self.type != 'CORS') (\"filter.cors must be nil if the filter.type is not CORS\")",
                            "`cors:` is only read in a filter with `type: CORS`",
                        );
                        continue;
                    }
                    (false, None) => continue,
                    (true, Some(_)) => {}
                }
                let type_span = cx.span(ty.expect("type").1);
                if grpc {
                    cx.reject(
                        type_span,
                        "GRPCRouteFilter.type: Enum=ResponseHeaderModifier;RequestHeaderModifier;RequestMirror;ExtensionRef",
                        "GRPCRoute has no CORS filter (gRPC-Web CORS needs an implementation-specific policy)",
                    );
                    continue;
                }
                if cx.version < Version::CORS {
                    cx.reject_versioned(
                        type_span,
                        "HTTPRouteFilter.type: Enum (no `CORS` before v1.3.0)",
                        format!("the CORS filter arrived in {} (experimental channel; Standard from {})", Version::CORS, Version::CREDENTIALS_FALSE),
                    );
                    continue;
                }
                if let Some(first) = cors_seen.first() {
                    let line = cx.src[..first.start].matches('\n').count() + 1;
                    cx.reject(
                        type_span,
                        "self.filter(f, f.type == 'CORS').size() <= 1 (\"CORS filter cannot be repeated\")",
                        format!("this list already has a CORS filter (line {line})"),
                    );
                    continue;
                }
                cors_seen.push(type_span);
                let (_, node) = cors.expect("cors");
                let c = read_cors(cx, node);
                let vary_fix = vary_filter(cx, filter, filters);
                found.push(Found {
                    place: place.clone(),
                    anchor: type_span,
                    cors: c,
                    response_headers: headers.clone(),
                    vary_fix,
                });
            }
        }
    }
    let mut policies = Vec::new();
    let server = Server {
        product: "Gateway API",
        version: cx.version.to_string(),
        version_assumed: cx.assumed,
        list_separator: cx.serving.implementation.list_separator(),
    };
    let implementation = cx.serving.implementation;
    for Found {
        place,
        anchor,
        cors: c,
        response_headers,
        vary_fix,
    } in found
    {
        let scope = format!("{} {place} {}", object.display(), cx.serving.describe());
        let matchers = match &c.origins {
            Some(o) if !o.is_empty() => {
                let matcher = |t: &str| implementation.origin_matcher(t);
                Some(o.iter().map(|(t, s)| (matcher(t), *s)).collect::<Vec<_>>())
            }
            _ => None,
        };
        let no_origins = matchers.is_none();
        let max_age = match c.max_age {
            Some((n, at)) => MaxAge::Seconds {
                value: n,
                at,
                defaulted: false,
            },
            None => MaxAge::Seconds {
                value: 5,
                at: anchor,
                defaulted: true,
            },
        };
        let policy = envoy::policy(Spec {
            server: server.clone(),
            scope: scope.clone(),
            object: Some(crate::ir::ObjectName {
                name: object.name.clone(),
                namespace: object.namespace.clone(),
            }),
            hosts: hosts.clone(),
            anchor,
            matchers,
            // No implementation answers a literal `*` (the spec would allow it without
            // credentials): the origin is echoed.
            on_match: OnMatch::EchoOrigin,
            on_match_with_credentials: OnMatch::EchoOrigin,
            methods: list(&c.methods, c.methods_key),
            headers: list(&c.headers, c.headers_key),
            expose: if c.expose.is_empty() {
                AllowList::NotSent
            } else {
                AllowList::Entries(c.expose.clone())
            },
            credentials: match c.credentials {
                Some((true, at)) => Credentials::On { at },
                Some((false, at)) => Credentials::Off { at: Some(at) },
                None => Credentials::Off { at: None },
            },
            max_age,
            unmatched: implementation.unmatched(anchor),
            fix_hints: FixHints {
                origin_list: Some(
                    "`allowOrigins: [\"https://app.example.com\"]` in the CORS filter".into(),
                ),
                credentials_off: Some(if cx.version >= Version::CREDENTIALS_FALSE {
                    "`allowCredentials: false`".into()
                } else {
                    "remove `allowCredentials` (before v1.5 it can only be `true`)".into()
                }),
                max_age: Some("`maxAge: 600` in the CORS filter".into()),
                allow_lists: Some(
                    "`allowMethods: [GET, PUT]` and `allowHeaders: [Content-Type, Authorization]`"
                        .into(),
                ),
                vary: Some(VARY_FILTER_HINT.into()),
                ..FixHints::default()
            },
            response_headers,
        });
        let mut policy = policy;
        if let Some(edit) = vary_fix {
            policy.fixes.push(crate::ir::FixOffer {
                topic: crate::ir::FixTopic::VaryOrigin,
                description: "add a `ResponseHeaderModifier` filter that adds `Vary: Origin`"
                    .into(),
                edits: vec![edit],
                safe: true,
            });
        }
        if no_origins {
            cx.notes.push(Fact::NoOrigins {
                object: scope,
                at: c.origins_key.unwrap_or(anchor),
            });
        }
        policies.push(policy);
    }
    policies
}

/// How a route sends `Vary: Origin`, in its own syntax.
pub const VARY_FILTER_HINT: &str = "a filter `{type: ResponseHeaderModifier, responseHeaderModifier: {add: [{name: Vary, value: Origin}]}}` next to the CORS filter";

/// The `Vary` headers the `ResponseHeaderModifier` filters of a list add or set.
pub fn response_headers(src: &str, chars: &CharMap, filters: &MarkedYaml) -> Vec<ResponseHeader> {
    let mut out = Vec::new();
    for f in yaml::sequence(filters).unwrap_or(&[]) {
        if yaml::text(f, "type") != Some("ResponseHeaderModifier") {
            continue;
        }
        let Some((_, m)) = yaml::get(f, "responseHeaderModifier") else {
            continue;
        };
        for (field, replaces) in [("add", false), ("set", true)] {
            for h in yaml::get(m, field)
                .and_then(|(_, l)| yaml::sequence(l))
                .unwrap_or(&[])
            {
                let (Some(name), Some((_, value))) = (yaml::text(h, "name"), yaml::get(h, "value"))
                else {
                    continue;
                };
                let Some((text, ..)) = yaml::scalar(value) else {
                    continue;
                };
                let header = ResponseHeader {
                    name: name.to_string(),
                    value: text.to_string(),
                    at: kube::node_span(src, chars, value),
                    replaces,
                };
                if header.name.eq_ignore_ascii_case("vary") {
                    out.push(header);
                }
            }
        }
    }
    out
}

/// The `Vary` headers every rule of an HTTPRoute adds, as a policy for the whole route
/// (Envoy Gateway's) sees them: those of its first rule when each rule has one.
pub fn route_vary_headers(src: &str, chars: &CharMap, route: &MarkedYaml) -> Vec<ResponseHeader> {
    let rules = yaml::get(route, "spec")
        .and_then(|(_, s)| yaml::get(s, "rules"))
        .and_then(|(_, r)| yaml::sequence(r))
        .unwrap_or(&[]);
    let per_rule: Vec<Vec<ResponseHeader>> = rules
        .iter()
        .map(|r| {
            yaml::get(r, "filters")
                .map(|(_, f)| response_headers(src, chars, f))
                .unwrap_or_default()
        })
        .collect();
    if per_rule.is_empty()
        || per_rule
            .iter()
            .any(|h| !h.iter().any(ResponseHeader::varies_by_origin))
    {
        return Vec::new();
    }
    per_rule.into_iter().next().unwrap_or_default()
}

/// A `ResponseHeaderModifier` filter adding `Vary: Origin`, inserted after `cors_filter` in
/// its block-style list `filters` — `None` when the list is in flow style or already has a
/// `ResponseHeaderModifier` (the CRD allows one per list; the user extends it).
fn vary_filter(cx: &Cx, cors_filter: &MarkedYaml, filters: &MarkedYaml) -> Option<Edit> {
    let src = cx.src;
    let list = yaml::sequence(filters)?;
    if list
        .iter()
        .any(|f| yaml::text(f, "type") == Some("ResponseHeaderModifier"))
    {
        return None;
    }
    let (first_key, _) = yaml::mapping(cors_filter)?.next()?;
    let start = cx.span(first_key).start;
    // `- ` before the item's first key, alone on its line up to there.
    let line_start = src[..start].rfind('\n').map_or(0, |i| i + 1);
    let before = &src[line_start..start];
    let dash = before.trim_end_matches(' ');
    if !dash.ends_with('-') || !dash[..dash.len() - 1].chars().all(|c| c == ' ') {
        return None;
    }
    let indent = " ".repeat(dash.len() - 1);
    let inner = " ".repeat(before.len());
    // After the item's last line: its last non-blank byte before the next item or key.
    let end = src[..kube::whole_span(cx.src, cx.chars, cors_filter).end]
        .trim_end()
        .len();
    let newline = if src.contains("\r\n") { "\r\n" } else { "\n" };
    Some(Edit::insert(
        end,
        format!(
            "{newline}{indent}- type: ResponseHeaderModifier{newline}{inner}responseHeaderModifier:{newline}{inner}  add:{newline}{inner}    - name: Vary{newline}{inner}      value: Origin"
        ),
    ))
}
