//! TorchServe's REST listeners: addresses, exposure, and how each answers a preflight.
//!
//! TorchServe has no preflight handler: an `OPTIONS` request is routed like any other
//! (`../shared/facts/torchserve.md` §2.3, verified on 0.12.0). `ApiDescriptionRequestHandler`
//! heads every listener's chain, before `TokenAuthorizationHandler`
//! (`ServerInitializer.java`), so `OPTIONS /` answers 200 even with token authorization on.

use crate::ir::{Auth, Exposure, Listener, ListenerRole, PreflightRoute, RoutePurpose};
use crate::source::Span;
use regex::Regex;
use std::sync::LazyLock;

/// `ConfigManager`'s binding-address pattern (case-insensitive, full match).
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:(https|http)://([^:^/]+)(?::([0-9]+))?|unix:(/.*))$").expect("valid regex")
});

pub struct ListenerSpec {
    pub name: &'static str,
    pub key: &'static str,
    pub role: ListenerRole,
    pub default: &'static str,
}

pub const LISTENERS: [ListenerSpec; 3] = [
    ListenerSpec {
        name: "inference",
        key: "inference_address",
        role: ListenerRole::Api,
        default: "http://127.0.0.1:8080",
    },
    ListenerSpec {
        name: "management",
        key: "management_address",
        role: ListenerRole::Admin,
        default: "http://127.0.0.1:8081",
    },
    ListenerSpec {
        name: "metrics",
        key: "metrics_address",
        role: ListenerRole::Metrics,
        default: "http://127.0.0.1:8082",
    },
];

/// `None` when TorchServe rejects the address ("Invalid binding address").
pub fn exposure(address: &str) -> Option<Exposure> {
    let caps = ADDRESS.captures(address)?;
    if caps.get(4).is_some() {
        return Some(Exposure::LocalSocket);
    }
    if let Some(port) = caps.get(3)
        && port.as_str().parse::<u16>().is_err()
    {
        return None;
    }
    let host = caps.get(2).map_or("", |h| h.as_str()).to_ascii_lowercase();
    Some(if host == "localhost" || is_loopback_v4(&host) {
        Exposure::Loopback
    } else if host == "0.0.0.0" {
        Exposure::AllInterfaces
    } else {
        Exposure::Network
    })
}

fn is_loopback_v4(host: &str) -> bool {
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4 && parts[0] == "127" && parts.iter().all(|p| p.parse::<u8>().is_ok())
}

const TOKEN_REASON: &str = "token authorization rejects a request without an `Authorization` header \
                            (InvalidKeyException → 400), and browsers never send one on a preflight";

fn route(
    path: &str,
    purpose: RoutePurpose,
    status: u16,
    condition: Option<&str>,
    reason: &str,
    cause: Option<Span>,
) -> PreflightRoute {
    PreflightRoute {
        path: path.to_string(),
        purpose,
        methods: serves(path).iter().map(|m| m.to_string()).collect(),
        status,
        condition: condition.map(str::to_string),
        reason: reason.to_string(),
        cause,
    }
}

/// Methods a route serves for real requests (`ManagementRequestHandler`: `/models` takes GET,
/// and POST to register); empty = any.
fn serves(path: &str) -> &'static [&'static str] {
    match path {
        "/models" => &["GET", "POST"],
        "/ping" => &["GET", "POST"],
        "/predictions/{model}" => &["POST", "PUT"],
        "/models/{model}" => &["GET", "PUT", "DELETE"],
        "/metrics" => &["GET"],
        _ => &[],
    }
}

/// How `OPTIONS` requests to a listener's routes are answered.
pub fn preflight_routes(role: ListenerRole, auth: &Auth) -> Vec<PreflightRoute> {
    use RoutePurpose::{Api, Auxiliary};
    let description = route(
        "/",
        Auxiliary,
        200,
        None,
        "the API description (OpenAPI) handler answers `OPTIONS /`",
        None,
    );
    if let Auth::BearerToken { enabled_at, .. } = auth {
        let rejected = |path: &str| route(path, Api, 400, None, TOKEN_REASON, *enabled_at);
        return match role {
            ListenerRole::Api => vec![
                description,
                rejected("/ping"),
                rejected("/predictions/{model}"),
            ],
            ListenerRole::Admin => vec![
                description,
                rejected("/models"),
                rejected("/models/{model}"),
            ],
            ListenerRole::Metrics => unreachable!("the metrics listener has no token check"),
        };
    }
    match role {
        ListenerRole::Api => vec![
            description,
            route(
                "/ping",
                Auxiliary,
                200,
                None,
                "the health check answers any method",
                None,
            ),
            route(
                "/predictions/{model}",
                Api,
                200,
                Some("the model is registered"),
                "the inference handler answers `OPTIONS` with the model's OpenAPI document",
                None,
            ),
            route(
                "/predictions/{model}",
                Api,
                404,
                Some("the model is not registered"),
                "no such model (ModelNotFoundException)",
                None,
            ),
        ],
        ListenerRole::Admin => vec![
            description,
            route(
                "/models",
                Api,
                405,
                None,
                "`/models` routes only GET and POST (MethodNotAllowedException)",
                None,
            ),
            route(
                "/models/{model}",
                Api,
                200,
                Some("the model is registered"),
                "the management handler answers `OPTIONS` with the model's OpenAPI document",
                None,
            ),
            route(
                "/models/{model}",
                Api,
                404,
                Some("the model is not registered"),
                "no such model (ModelNotFoundException)",
                None,
            ),
        ],
        ListenerRole::Metrics => vec![
            description,
            route(
                "/metrics",
                Api,
                200,
                None,
                "the metrics handler ignores the method",
                None,
            ),
        ],
    }
}

pub fn listener(
    spec: &ListenerSpec,
    address: String,
    address_span: Option<Span>,
    exposure: Exposure,
    auth: Auth,
) -> Listener {
    let preflight = preflight_routes(spec.role, &auth);
    Listener {
        name: spec.name.to_string(),
        role: spec.role,
        address,
        address_span,
        exposure,
        auth,
        preflight,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(exposure("http://127.0.0.1:8080"), Some(Exposure::Loopback));
        assert_eq!(exposure("HTTP://LOCALHOST:8080"), Some(Exposure::Loopback));
        assert_eq!(
            exposure("https://0.0.0.0:8443"),
            Some(Exposure::AllInterfaces)
        );
        assert_eq!(exposure("http://10.1.2.3"), Some(Exposure::Network));
        assert_eq!(exposure("unix:/tmp/ts.sock"), Some(Exposure::LocalSocket));
        assert_eq!(exposure("http://0.0.0.0:8080/"), None);
        assert_eq!(exposure("0.0.0.0:8080"), None);
        assert_eq!(exposure("http://[::1]:8080"), None);
        assert_eq!(exposure("http://a:99999"), None);
    }
}
