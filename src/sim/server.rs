//! Server side: the status a listener answers and the CORS headers the policy adds.

use crate::ir::origin::{OnMatch, OriginMatcher};
use crate::ir::routes::RouteRequest;
use crate::ir::{
    AllowList, CorsPolicy, Credentials, Delivery, Listener, MaxAge, OriginPolicy, VaryOrigin,
};

/// A request as it reaches the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerRequest {
    pub method: String,
    pub path: String,
    /// Lower-cased names.
    pub headers: Vec<(String, String)>,
}

impl ServerRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the server sends back: its status and every CORS header (and an authentication
/// challenge), values exactly as on the wire (lower-cased names).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerResponse {
    /// `None`: no HTTP response at all.
    pub status: Option<u16>,
    /// Why the server answers so.
    pub reason: String,
    pub headers: Vec<(String, String)>,
}

impl ServerResponse {
    /// All values of a header, combined with `, ` as a browser's "get" does.
    pub fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }
}

pub fn respond(
    policy: &CorsPolicy,
    listener: &Listener,
    req: &ServerRequest,
    registered: &[String],
) -> ServerResponse {
    for (name, value) in policy.static_headers() {
        if let Delivery::BreaksEveryResponse { reason } = &value.delivery {
            return ServerResponse {
                status: None,
                reason: format!(
                    "{} cannot write any response: `{name}` is invalid (\"{reason}\")",
                    policy.server.product
                ),
                headers: Vec::new(),
            };
        }
    }
    let authorized = req.header("authorization").is_some();
    // The text before the first `;`, as Netty's `HttpUtil.getMimeType` reads it.
    let content_type = req
        .header("content-type")
        .map(|v| v.split(';').next().unwrap_or(v));
    let preflight = req.method == "OPTIONS"
        && req.header("origin").is_some_and(|o| !o.is_empty())
        && req
            .header("access-control-request-method")
            .is_some_and(|m| !m.is_empty());
    // The `Origin` value the server matches (Traefik reads a missing one as empty).
    let origin = req
        .header("origin")
        .or(policy.emission.absent_origin_is_empty.then_some(""));
    let credentials = matches!(policy.credentials, Credentials::On { .. });
    // What a matching origin gets under this policy's credentials, and the form of the
    // origin the matchers see (and an echo sends).
    let on_match = match &policy.allow_origin {
        OriginPolicy::Match(m) if credentials => m.on_match_with_credentials,
        OriginPolicy::Match(m) => m.on_match,
        _ => OnMatch::EchoOrigin,
    };
    let origin = origin.map(|o| on_match.subject(o));
    // The first matcher that accepts the origin decides what is sent.
    let accepted = match &policy.allow_origin {
        OriginPolicy::Match(m) => origin.as_deref().and_then(|o| {
            m.matchers
                .iter()
                .find(|(x, _)| x.accepts(o))
                .map(|(x, _)| x)
        }),
        _ => None,
    };
    let origin_allowed = match &policy.allow_origin {
        OriginPolicy::Static(_) => true,
        OriginPolicy::Match(_) => accepted.is_some(),
        OriginPolicy::NotSent | OriginPolicy::Unknown { .. } => false,
    };
    let route_request = RouteRequest {
        method: &req.method,
        path: &req.path,
        content_type,
        registered,
        origin_allowed,
        preflight,
    };
    let (status, reason) = listener.answer(&route_request, authorized);
    // Envoy answers preflights from origins it does not allow itself, with every CORS
    // header but the origin.
    let unmatched_preflight_headers =
        preflight && !origin_allowed && policy.emission.preflight_headers_unless_allowed;
    let emit = (req.header("origin").is_some() || policy.emission.without_origin)
        && (status < 400 || policy.emission.on_errors)
        && (origin_allowed || !policy.emission.only_when_allowed || unmatched_preflight_headers);
    let split = policy.emission.preflight_split;
    // With a split, a preflight answered by the server gets the preflight headers; any other
    // response the others.
    let answered_preflight = split.is_some() && preflight;
    let mut headers = Vec::new();
    if emit {
        let mut echoed = false;
        let mut allow_origin_sent = false;
        match &policy.allow_origin {
            // Not modelled: the simulation cannot say what is sent (callers check first).
            OriginPolicy::NotSent | OriginPolicy::Unknown { .. } => {}
            OriginPolicy::Static(v) => {
                allow_origin_sent = true;
                headers.push(("access-control-allow-origin".into(), v.text().to_string()))
            }
            OriginPolicy::Match(_) => {
                if let (Some(o), Some(matcher)) = (&origin, accepted) {
                    let value = match on_match {
                        OnMatch::LiteralStar if *matcher == OriginMatcher::Any => "*".to_string(),
                        _ => {
                            echoed = true;
                            o.to_string()
                        }
                    };
                    allow_origin_sent = true;
                    headers.push(("access-control-allow-origin".into(), value));
                }
            }
        }
        if credentials
            && (allow_origin_sent
                || policy.emission.credentials_unconditional
                || unmatched_preflight_headers)
        {
            headers.push(("access-control-allow-credentials".into(), "true".into()));
        }
        let lists_here = split.is_none() || answered_preflight;
        let expose_here = match split {
            None => true,
            Some(s) => !answered_preflight || s.expose_on_preflight,
        };
        for (name, list, request_header, here) in [
            (
                "access-control-allow-methods",
                &policy.allow_methods,
                "access-control-request-method",
                lists_here,
            ),
            (
                "access-control-allow-headers",
                &policy.allow_headers,
                "access-control-request-headers",
                lists_here,
            ),
            (
                "access-control-expose-headers",
                &policy.expose_headers,
                "",
                expose_here,
            ),
        ] {
            if !here {
                continue;
            }
            let value = match list {
                AllowList::NotSent => None,
                AllowList::Static(v) => Some(v.text().to_string()),
                AllowList::Entries(e) => Some(
                    e.iter()
                        .map(|(s, _)| s.as_str())
                        .collect::<Vec<_>>()
                        .join(policy.server.list_separator),
                ),
                AllowList::EchoRequest { .. } => req.header(request_header).map(str::to_string),
            };
            if let Some(v) = value {
                headers.push((name.into(), v));
            }
        }
        if let MaxAge::Seconds { value, .. } = policy.max_age
            && lists_here
        {
            headers.push(("access-control-max-age".into(), value.to_string()));
        }
        let vary_here = match split {
            None => true,
            Some(s) => !answered_preflight || s.vary_on_preflight,
        };
        if vary_here
            && (policy.vary_origin == VaryOrigin::Always
                || (policy.vary_origin == VaryOrigin::WhenEchoing && echoed))
        {
            headers.push(("vary".into(), "Origin".into()));
        }
    }
    // A header filter acts on what the backend answers, not on a preflight the server
    // answers itself (Envoy's route header mutations skip its local replies).
    if !preflight {
        for h in &policy.response_headers {
            let name = h.name.to_ascii_lowercase();
            if h.replaces {
                headers.retain(|(n, _)| *n != name);
            }
            headers.push((name, h.value.clone()));
        }
    }
    // Authentication's challenge, which a browser may answer with a login dialog.
    if let Some(challenge) = listener.challenge(&route_request, authorized) {
        headers.push(("www-authenticate".into(), challenge.to_string()));
    }
    ServerResponse {
        status: Some(status),
        reason,
        headers,
    }
}
