//! Server side: the status a listener answers and the CORS headers the policy adds.

use crate::ir::origin::OnMatch;
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

/// What the server sends back: its status and every CORS header, values exactly as on the
/// wire (lower-cased names).
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
    let origin = req.header("origin");
    let origin_allowed = match &policy.allow_origin {
        OriginPolicy::Static(_) => true,
        OriginPolicy::Match(m) => {
            origin.is_some_and(|o| m.matchers.iter().any(|(x, _)| x.accepts(o)))
        }
        OriginPolicy::NotSent | OriginPolicy::Unknown { .. } => false,
    };
    let route_request = RouteRequest {
        method: &req.method,
        path: &req.path,
        content_type,
        registered,
        origin_allowed,
    };
    let (status, reason) = listener.answer(&route_request, authorized);
    // A CORS preflight as Envoy's filter recognises one.
    let preflight = req.method == "OPTIONS"
        && origin.is_some_and(|o| !o.is_empty())
        && req
            .header("access-control-request-method")
            .is_some_and(|m| !m.is_empty());
    let unmatched_preflight_headers =
        preflight && !origin_allowed && policy.emission.preflight_headers_unless_allowed;
    let emit = (origin.is_some() || policy.emission.without_origin)
        && (status < 400 || policy.emission.on_errors)
        && (origin_allowed || !policy.emission.only_when_allowed || unmatched_preflight_headers);
    let mut headers = Vec::new();
    if emit {
        let credentials = matches!(policy.credentials, Credentials::On { .. });
        let mut echoed = false;
        match &policy.allow_origin {
            // Not modelled: the simulation cannot say what is sent (callers check first).
            OriginPolicy::NotSent | OriginPolicy::Unknown { .. } => {}
            OriginPolicy::Static(v) => {
                headers.push(("access-control-allow-origin".into(), v.text().to_string()))
            }
            OriginPolicy::Match(m) => {
                if let Some(o) = origin
                    && m.matchers.iter().any(|(matcher, _)| matcher.accepts(o))
                {
                    let on = if credentials {
                        m.on_match_with_credentials
                    } else {
                        m.on_match
                    };
                    let value = match on {
                        OnMatch::EchoOrigin => {
                            echoed = true;
                            o.to_string()
                        }
                        OnMatch::LiteralStar => "*".to_string(),
                    };
                    headers.push(("access-control-allow-origin".into(), value));
                }
            }
        }
        if credentials && (!headers.is_empty() || unmatched_preflight_headers) {
            headers.push(("access-control-allow-credentials".into(), "true".into()));
        }
        for (name, list, request_header) in [
            (
                "access-control-allow-methods",
                &policy.allow_methods,
                "access-control-request-method",
            ),
            (
                "access-control-allow-headers",
                &policy.allow_headers,
                "access-control-request-headers",
            ),
            ("access-control-expose-headers", &policy.expose_headers, ""),
        ] {
            let by_kind = policy.emission.lists_by_request_kind;
            if by_kind && (request_header.is_empty() == preflight) {
                // Envoy: methods and headers only on preflights, exposed headers only on
                // the other responses.
                continue;
            }
            let value = match list {
                AllowList::NotSent => None,
                AllowList::Static(v) => Some(v.text().to_string()),
                AllowList::Entries(e) => Some(
                    e.iter()
                        .map(|(s, _)| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                AllowList::EchoRequest { .. } => req.header(request_header).map(str::to_string),
            };
            if let Some(v) = value {
                headers.push((name.into(), v));
            }
        }
        if let MaxAge::Seconds { value, .. } = policy.max_age
            && (preflight || !policy.emission.lists_by_request_kind)
        {
            headers.push(("access-control-max-age".into(), value.to_string()));
        }
        if policy.vary_origin == VaryOrigin::Always
            || (policy.vary_origin == VaryOrigin::WhenEchoing && echoed)
        {
            headers.push(("vary".into(), "Origin".into()));
        }
    }
    ServerResponse {
        status: Some(status),
        reason,
        headers,
    }
}
