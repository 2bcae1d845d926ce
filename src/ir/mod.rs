//! The CORS policy IR: what a configured server will do, in dialect-neutral terms.
//!
//! Front ends lower a config file into [`CorsPolicy`] values; rules read only these (plus
//! front-end facts); back ends will emit them. The IR describes *observable behaviour* —
//! which header bytes a request gets — not the syntax that produced it, and every value keeps
//! the file bytes it came from so a finding can point at them.

pub mod attack;
pub mod fetch;
pub mod origin;
pub mod routes;
pub mod tighten;
mod value;

pub use origin::{Anchoring, Case, LabelDepth, OnMatch, OriginMatcher, PortMatch, RegexDialect};
pub use routes::{Answer, Condition, PreflightRoute, Rejection, Route, RoutePurpose};
pub use value::{Delivery, HeaderValue, Resolution, ValueSource};

use crate::source::Span;

/// One CORS policy: the headers a server sends for the requests in its [`Scope`].
#[derive(Clone, Debug)]
pub struct CorsPolicy {
    pub server: Server,
    pub scope: Scope,
    /// Where the policy is switched on (a key or annotation); findings about absent or
    /// defaulted values are anchored here.
    pub anchor: Span,
    pub allow_origin: OriginPolicy,
    pub allow_methods: AllowList,
    pub allow_headers: AllowList,
    pub expose_headers: AllowList,
    pub credentials: Credentials,
    pub max_age: MaxAge,
    pub vary_origin: VaryOrigin,
    /// Headers a filter beside the CORS settings puts on the responses the backend answers
    /// (Gateway API `ResponseHeaderModifier`, Istio `headers.response`, Traefik
    /// `customResponseHeaders`, an ingress-nginx snippet): only `Vary` is read today.
    pub response_headers: Vec<ResponseHeader>,
    pub emission: Emission,
    /// CORS headers configured for an enclosing scope (or another branch) that responses in
    /// this scope do not carry.
    pub lost_headers: Vec<LostHeader>,
    /// CORS headers the server puts on one response more than once.
    pub repeated_headers: Vec<RepeatedHeader>,
    /// A backend whose own `Access-Control-Allow-Origin` reaches responses next to the
    /// server's: the directive that forwards to it, and how to stop it in the server's terms.
    pub backend_passthrough: Option<(Span, String)>,
    /// Edits the front end offers, in its own syntax, for what rules may report.
    pub fixes: Vec<FixOffer>,
    /// Preflights from origins the policy does not allow are passed to the backend, which
    /// answers them (Envoy's `forward_not_matching_preflights`, Istio's default): the setting
    /// that causes it (or the policy's anchor when it is the default), and how to stop it in
    /// the server's terms.
    pub unmatched_preflights_forwarded: Option<(Span, String)>,
    /// How to fix common findings in the dialect's own syntax; generic rules add these to
    /// their help when present (empty for dialects whose fix the rule text already says).
    pub fix_hints: FixHints,
}

/// Fixes in a dialect's own words, for generic rules' help (e.g. Traefik's
/// "set `accessControlAllowOriginList: [\"https://app.example.com\"]`").
#[derive(Clone, Debug, Default)]
pub struct FixHints {
    /// How to allow an explicit list of exact origins instead.
    pub origin_list: Option<String>,
    /// How to anchor or tighten a pattern.
    pub anchor_pattern: Option<String>,
    /// How to stop sending credentials.
    pub credentials_off: Option<String>,
    /// How to send `Vary: Origin`.
    pub vary: Option<String>,
    /// How to set the preflight cache lifetime.
    pub max_age: Option<String>,
    /// How to list the allowed methods and request headers explicitly.
    pub allow_lists: Option<String>,
    /// Why whitespace around a value is easy to miss in this syntax.
    pub whitespace: Option<String>,
}

/// An edit of the configuration a front end proposes for one kind of finding.
#[derive(Clone, Debug)]
pub struct FixOffer {
    pub topic: FixTopic,
    pub description: String,
    pub edits: Vec<crate::source::Edit>,
    /// It changes nothing but what the finding is about.
    pub safe: bool,
}

/// What a [`FixOffer`] resolves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixTopic {
    /// CORS headers missing from error responses (`Emission::errors_cause`).
    SendOnErrors,
    /// `Vary: Origin` missing although the allowed origin depends on the request.
    VaryOrigin,
}

impl CorsPolicy {
    /// The fix the front end offers for `topic`, as a finding's fix.
    pub fn fix_for(&self, topic: FixTopic) -> Option<crate::finding::Fix> {
        self.fixes
            .iter()
            .find(|f| f.topic == topic)
            .map(|f| crate::finding::Fix {
                description: f.description.clone(),
                edits: f.edits.clone(),
                safe: f.safe,
            })
    }
}

/// A CORS header written for an enclosing scope that does not reach this one.
#[derive(Clone, Debug)]
pub struct LostHeader {
    /// Header name as written.
    pub name: String,
    /// Where it is configured.
    pub declared: Span,
    /// What keeps it out of this scope (e.g. a header directive of the inner block).
    pub cause: Span,
    /// Why, in the server's terms.
    pub why: String,
    /// How to keep it, in the server's terms.
    pub remedy: String,
}

/// A CORS header sent twice on the same response (browsers then see a list and fail).
#[derive(Clone, Debug)]
pub struct RepeatedHeader {
    pub name: String,
    pub first: Span,
    pub again: Span,
}

/// The server product whose behaviour the policy models.
#[derive(Clone, Debug)]
pub struct Server {
    /// Display name, e.g. "TorchServe".
    pub product: &'static str,
    /// The version whose behaviour is modelled, e.g. "0.12.0".
    pub version: String,
    /// Whether the version was assumed (not stated by the user), so findings can say so.
    pub version_assumed: bool,
    /// What the server writes between the entries of a list header (`, ` mostly; `,` where
    /// the configuration is joined before the proxy sends it verbatim).
    pub list_separator: &'static str,
}

/// Which requests the policy governs.
#[derive(Clone, Debug)]
pub struct Scope {
    /// Human description, e.g. "the inference, management and metrics listeners".
    pub description: String,
    pub listeners: Vec<Listener>,
    /// The configuration object the policy belongs to (a Kubernetes object, a Traefik
    /// middleware, a Kong plugin), for back ends that keep its name.
    pub object: Option<ObjectName>,
    /// The policy governs requests of this method alone (an nginx `if ($request_method =
    /// OPTIONS)` branch); `None`: every method.
    pub only_method: Option<String>,
    /// The policy is a branch of another place's (an nginx `if` in a location): findings it
    /// repeats from that place are one cause, reported once.
    pub branch: Option<Branch>,
}

/// Where a branch policy sits: its own block, inside its parent place's block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Branch {
    pub block: Span,
    pub parent: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectName {
    pub name: String,
    pub namespace: Option<String>,
}

/// A listening socket the policy applies to, and how preflights to it are answered.
#[derive(Clone, Debug)]
pub struct Listener {
    /// E.g. "inference", "management".
    pub name: String,
    pub role: ListenerRole,
    /// The address as configured (or defaulted), e.g. "http://0.0.0.0:8081".
    pub address: String,
    /// The bytes that set the address; `None` when it is the server default.
    pub address_span: Option<Span>,
    pub exposure: Exposure,
    pub auth: Auth,
    /// How requests are answered, in the server's order (see [`routes::evaluate`]).
    pub routes: Vec<Route>,
    /// The answer for a path no route matches (after authentication).
    pub unmatched: Answer,
}

impl Listener {
    /// What authentication answers a request without the credential, if it is required.
    pub fn rejection(&self) -> Option<Rejection> {
        match &self.auth {
            Auth::BearerToken {
                enabled_at,
                status,
                reason,
                ..
            } => Some(Rejection {
                status: *status,
                reason: reason.clone(),
                cause: *enabled_at,
            }),
            Auth::Required {
                enabled_at,
                status,
                reason,
                ..
            } => Some(Rejection {
                status: *status,
                reason: reason.clone(),
                cause: Some(*enabled_at),
            }),
            _ => None,
        }
    }

    /// Every route's answer to a browser preflight (which never carries credentials).
    pub fn preflight(&self) -> Vec<PreflightRoute> {
        routes::preflight_routes(&self.routes, self.rejection().as_ref())
    }

    /// The `WWW-Authenticate` challenge on the answer to `req`, when authentication gives it.
    pub fn challenge(&self, req: &routes::RouteRequest, authorized: bool) -> Option<&str> {
        let Auth::Required {
            challenge: Some(challenge),
            ..
        } = &self.auth
        else {
            return None;
        };
        let refused = !authorized && routes::before_auth(&self.routes, req).is_none();
        refused.then_some(challenge.as_str())
    }

    /// Status and reason for a request; `authorized` means it carries the credential the
    /// listener requires (a browser preflight never does).
    pub fn answer(&self, req: &routes::RouteRequest, authorized: bool) -> (u16, String) {
        let rejection = if authorized { None } else { self.rejection() };
        routes::evaluate(&self.routes, &self.unmatched, rejection.as_ref(), req)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListenerRole {
    /// The application API (e.g. inference).
    Api,
    /// An administrative API that changes server state (e.g. model management).
    Admin,
    /// Read-only telemetry.
    Metrics,
}

/// Who can open a connection to the listener.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exposure {
    /// 127.0.0.0/8, `localhost`: only processes (and browsers) on the same host.
    Loopback,
    /// 0.0.0.0: every interface of the host.
    AllInterfaces,
    /// A specific non-loopback host name or address.
    Network,
    /// A Unix socket: no browser can connect.
    LocalSocket,
    /// Depends on values not known at lint time.
    Unknown,
}

impl Exposure {
    pub fn beyond_loopback(self) -> bool {
        matches!(self, Exposure::AllInterfaces | Exposure::Network)
    }
}

/// Authentication the server demands before it answers a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    /// None: any request that reaches the listener is served.
    None,
    /// A bearer token in the `Authorization` request header. Browsers never send it on a
    /// preflight, and a request that carries it always needs one.
    BearerToken {
        /// Where it is switched on; `None` when on by default.
        enabled_at: Option<Span>,
        /// Why it is on, in words, e.g. "token authorization is on by default since 0.11.1".
        why: String,
        /// How to turn it off in this server's terms.
        remedy: String,
        /// The answer to a request without the token.
        status: u16,
        reason: String,
    },
    /// A proxy in front of the application checks credentials before it passes a request on
    /// (ingress-nginx `auth-type: basic`, or an `auth-url` service that decides). Unlike a
    /// bearer token, the credential need not force a preflight: a browser may send cached
    /// HTTP authentication or a session cookie by itself. A request with an `Authorization`
    /// header is taken to carry an accepted one.
    Required {
        /// Where it is switched on.
        enabled_at: Span,
        /// The answer to a request without the credential.
        status: u16,
        reason: String,
        /// The `WWW-Authenticate` value on that answer, when the proxy's own (a browser may
        /// then ask its user for credentials); `None` when it sends none or it is not known.
        challenge: Option<String>,
    },
    Unknown,
}

/// What the server sends as `Access-Control-Allow-Origin`.
#[derive(Clone, Debug)]
pub enum OriginPolicy {
    /// No `Access-Control-Allow-Origin` header is ever sent.
    NotSent,
    /// The same value on every response, whatever the request's `Origin` (TorchServe,
    /// nginx `add_header` with a literal).
    Static(HeaderValue),
    /// The request's `Origin` is compared with matchers; see [`OriginMatch`].
    Match(OriginMatch),
    /// Computed from something cors-lint does not model (e.g. a variable set by a module);
    /// rules that need the value skip the policy.
    Unknown { at: Span, why: String },
}

/// An origin allow-list that the server evaluates per request.
#[derive(Clone, Debug)]
pub struct OriginMatch {
    pub matchers: Vec<(OriginMatcher, Span)>,
    /// What is sent when a matcher accepts the request's origin.
    pub on_match: OnMatch,
    /// What is sent when a matcher accepts it and credentials are allowed (Gateway API and
    /// Traefik echo the origin where ingress-nginx sends a literal `*`).
    pub on_match_with_credentials: OnMatch,
}

/// `Access-Control-Allow-Methods`, `-Headers` or `-Expose-Headers`.
#[derive(Clone, Debug)]
pub enum AllowList {
    NotSent,
    /// One literal header value, sent verbatim.
    Static(HeaderValue),
    /// Entries the server joins with `, ` into the header.
    Entries(Vec<(String, Span)>),
    /// The server copies the request's `Access-Control-Request-*` value.
    EchoRequest {
        at: Span,
    },
}

impl AllowList {
    /// The list entries as a browser would parse them, with their file bytes. `None` when
    /// the value depends on something unknown (environment, request).
    pub fn entries(&self) -> Option<Vec<(String, Span)>> {
        match self {
            AllowList::NotSent => Some(Vec::new()),
            AllowList::Static(v) if v.is_known() => Some(
                fetch::split_list(v.text())
                    .into_iter()
                    .map(|r| (v.text()[r.clone()].to_string(), v.span_of(r)))
                    .collect(),
            ),
            AllowList::Static(_) => None,
            AllowList::Entries(e) => Some(e.clone()),
            AllowList::EchoRequest { .. } => None,
        }
    }

    pub fn static_value(&self) -> Option<&HeaderValue> {
        match self {
            AllowList::Static(v) => Some(v),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub enum Credentials {
    /// The server can never send `Access-Control-Allow-Credentials`.
    NotSupported,
    Off {
        at: Option<Span>,
    },
    On {
        at: Span,
    },
}

#[derive(Clone, Debug)]
pub enum MaxAge {
    /// No `Access-Control-Max-Age`: browsers cache a preflight for 5 seconds.
    NotSent,
    Seconds {
        /// As sent; a negative value is sent too (browsers then use their default).
        value: i64,
        at: Span,
        /// The server's default, not written in the file (`at` is then where the policy is
        /// switched on).
        defaulted: bool,
    },
}

/// A header a filter adds to (or sets on) responses, whatever the origin.
#[derive(Clone, Debug)]
pub struct ResponseHeader {
    pub name: String,
    pub value: String,
    /// Where it is written.
    pub at: Span,
    /// It replaces a header of the same name (`set`) instead of adding a line (`add`).
    pub replaces: bool,
}

impl ResponseHeader {
    /// `Vary` naming `Origin` (or `*`).
    pub fn varies_by_origin(&self) -> bool {
        self.name.eq_ignore_ascii_case("vary")
            && self
                .value
                .split(',')
                .any(|v| v.trim().eq_ignore_ascii_case("origin") || v.trim() == "*")
    }
}

/// Whether responses carry `Vary: Origin`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VaryOrigin {
    Never,
    Always,
    WhenEchoing,
    Unknown,
}

/// Which responses carry the CORS headers.
#[derive(Clone, Debug)]
pub struct Emission {
    /// Also on responses to requests without an `Origin` header.
    pub without_origin: bool,
    /// Also on 4xx/5xx responses the server itself generates.
    pub on_errors: bool,
    /// Responses that never carry them, in words (e.g. "413 from the HTTP decoder").
    pub exceptions: Vec<String>,
    /// When they are missing from error responses: the configuration that causes it and
    /// how to fix it in the server's terms.
    pub errors_cause: Option<(Span, String)>,
    /// Every CORS header is sent only when the request's origin is allowed (they are written
    /// together behind the origin check), not just `Access-Control-Allow-Origin`.
    pub only_when_allowed: bool,
    /// A preflight from an origin that is not allowed, which the server answers itself, still
    /// carries every CORS header but `Access-Control-Allow-Origin` (Envoy's CORS filter with
    /// `forward_not_matching_preflights: false`: credentials, methods, headers, max-age).
    pub preflight_headers_unless_allowed: bool,
    /// `Access-Control-Allow-Credentials: true` goes on every response that carries CORS
    /// headers, whether or not the origin is allowed (Traefik; Kong with an origin list).
    /// When false it is sent only next to `Access-Control-Allow-Origin`.
    pub credentials_unconditional: bool,
    /// A request without `Origin` is matched as if it sent an empty one (Traefik reads the
    /// header with Go's `Header.Get`, so `*` or a `.*` regex allows it and an empty
    /// `Access-Control-Allow-Origin:` is echoed).
    pub absent_origin_is_empty: bool,
    /// The server answers preflights itself with a different set of headers than other
    /// responses; `None`: every CORS header goes on every response.
    pub preflight_split: Option<PreflightSplit>,
}

/// Which headers a server that answers preflights itself puts on those answers. A preflight
/// is an `OPTIONS` request with non-empty `Origin` and `Access-Control-Request-Method`.
/// `Access-Control-Allow-Methods`, `-Headers` and `-Max-Age` go on preflight answers only;
/// `Access-Control-Allow-Origin` and `-Credentials` on both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PreflightSplit {
    /// `Access-Control-Expose-Headers` on preflight answers too (Traefik 3.7), not only on
    /// other responses.
    pub expose_on_preflight: bool,
    /// `Vary: Origin` on preflight answers too (Kong), not only on other responses
    /// (Traefik's `addVaryHeader`).
    pub vary_on_preflight: bool,
}

impl CorsPolicy {
    /// Pass every span through `f`: a policy lowered from text embedded in another file (an
    /// nginx snippet in a YAML annotation) is moved to that file's bytes.
    pub fn remap_spans(&mut self, f: &dyn Fn(Span) -> Span) {
        self.anchor = f(self.anchor);
        match &mut self.allow_origin {
            OriginPolicy::NotSent => {}
            OriginPolicy::Static(v) => *v = v.remap(f),
            OriginPolicy::Match(m) => {
                for (_, s) in &mut m.matchers {
                    *s = f(*s);
                }
            }
            OriginPolicy::Unknown { at, .. } => *at = f(*at),
        }
        for list in [
            &mut self.allow_methods,
            &mut self.allow_headers,
            &mut self.expose_headers,
        ] {
            match list {
                AllowList::NotSent => {}
                AllowList::Static(v) => *v = v.remap(f),
                AllowList::Entries(e) => {
                    for (_, s) in e {
                        *s = f(*s);
                    }
                }
                AllowList::EchoRequest { at } => *at = f(*at),
            }
        }
        match &mut self.credentials {
            Credentials::NotSupported | Credentials::Off { at: None } => {}
            Credentials::Off { at: Some(at) } | Credentials::On { at } => *at = f(*at),
        }
        if let MaxAge::Seconds { at, .. } = &mut self.max_age {
            *at = f(*at);
        }
        if let Some((at, _)) = &mut self.emission.errors_cause {
            *at = f(*at);
        }
        for l in &mut self.lost_headers {
            l.declared = f(l.declared);
            l.cause = f(l.cause);
        }
        for r in &mut self.repeated_headers {
            r.first = f(r.first);
            r.again = f(r.again);
        }
        if let Some((at, _)) = &mut self.backend_passthrough {
            *at = f(*at);
        }
        for fix in &mut self.fixes {
            for e in &mut fix.edits {
                e.span = f(e.span);
            }
        }
        if let Some((at, _)) = &mut self.unmatched_preflights_forwarded {
            *at = f(*at);
        }
        for h in &mut self.response_headers {
            h.at = f(h.at);
        }
        for l in &mut self.scope.listeners {
            l.address_span = l.address_span.map(f);
            match &mut l.auth {
                Auth::BearerToken { enabled_at, .. } => *enabled_at = enabled_at.map(f),
                Auth::Required { enabled_at, .. } => *enabled_at = f(*enabled_at),
                Auth::None | Auth::Unknown => {}
            }
        }
    }

    /// Whether responses that depend on the origin say so in `Vary`, through the CORS
    /// settings or a header filter.
    pub fn sends_vary_origin(&self) -> bool {
        self.vary_origin != VaryOrigin::Never
            || self
                .response_headers
                .iter()
                .any(ResponseHeader::varies_by_origin)
    }

    /// Every header value the server sends verbatim, with its header name.
    pub fn static_headers(&self) -> Vec<(&'static str, &HeaderValue)> {
        let mut out = Vec::new();
        if let OriginPolicy::Static(v) = &self.allow_origin {
            out.push(("Access-Control-Allow-Origin", v));
        }
        for (name, list) in [
            ("Access-Control-Allow-Methods", &self.allow_methods),
            ("Access-Control-Allow-Headers", &self.allow_headers),
            ("Access-Control-Expose-Headers", &self.expose_headers),
        ] {
            if let Some(v) = list.static_value() {
                out.push((name, v));
            }
        }
        out
    }

    /// Allowed methods that need a preflight (well-formed, not safelisted, not `*`).
    pub fn preflighted_methods(&self) -> Vec<String> {
        self.allow_methods
            .entries()
            .unwrap_or_default()
            .into_iter()
            .map(|(m, _)| m)
            .filter(|m| fetch::is_token(m) && m != "*" && !fetch::is_safelisted_method(m))
            .collect()
    }

    /// Allowed request headers whose use needs a preflight (well-formed, not `*`, not
    /// safelisted for usual values).
    pub fn preflighted_headers(&self) -> Vec<String> {
        self.allow_headers
            .entries()
            .unwrap_or_default()
            .into_iter()
            .map(|(h, _)| h)
            .filter(|h| fetch::is_token(h) && h != "*" && !fetch::is_always_safelisted_header(h))
            .collect()
    }

    /// True when a browser would send this listener a preflight before a call the policy is
    /// meant to allow: a non-safelisted method or header is configured, or the listener
    /// demands an `Authorization` header.
    pub fn needs_preflight(&self, listener: &Listener) -> bool {
        matches!(listener.auth, Auth::BearerToken { .. })
            || !self.preflighted_methods().is_empty()
            || !self.preflighted_headers().is_empty()
    }

    /// True when some call the policy allows to `route` needs a preflight: any call when a
    /// header or credential forces one, else a non-safelisted method the route serves.
    pub fn preflights_route(&self, listener: &Listener, route: &Route) -> bool {
        matches!(listener.auth, Auth::BearerToken { .. })
            || !self.preflighted_headers().is_empty()
            || self.preflighted_methods().iter().any(|m| route.serves(m))
    }

    /// True when the policy sends any CORS response header at all.
    pub fn sends_any_cors_header(&self) -> bool {
        !matches!(self.allow_origin, OriginPolicy::NotSent)
            || !matches!(self.allow_methods, AllowList::NotSent)
            || !matches!(self.allow_headers, AllowList::NotSent)
            || !matches!(self.expose_headers, AllowList::NotSent)
    }
}
