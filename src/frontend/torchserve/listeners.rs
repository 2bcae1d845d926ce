//! TorchServe's REST listeners: addresses, exposure, and how each answers a preflight.
//!
//! TorchServe has no preflight handler: an `OPTIONS` request is routed like any other
//! (`../shared/facts/torchserve.md` §2.3, verified on 0.12.0). `ApiDescriptionRequestHandler`
//! heads every listener's chain, before `TokenAuthorizationHandler`
//! (`ServerInitializer.java`), so `OPTIONS /` answers 200 even with token authorization on.

use crate::ir::{Answer, Auth, Condition, Exposure, Listener, ListenerRole, Route, RoutePurpose};
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

/// What token authorization answers a request without a valid `Authorization` header.
pub const TOKEN_STATUS: u16 = 400;
pub const TOKEN_REASON: &str = "token authorization rejects a request without an `Authorization` header \
                                (InvalidKeyException → 400), and browsers never send one on a preflight";

fn route(path: &str, purpose: RoutePurpose, before_auth: bool, answers: Vec<Answer>) -> Route {
    Route {
        path: path.to_string(),
        purpose,
        before_auth,
        answers,
    }
}

fn registered() -> Condition {
    Condition::Registered("model".into())
}

fn not_registered() -> Condition {
    Condition::NotRegistered("model".into())
}

const NO_MODEL: &str = "no such model (ModelNotFoundException)";

/// The route table of a listener, as TorchServe 0.12.0's handler chain answers
/// (`ServerInitializer`: API description, then token authorization, then the listener's
/// handlers, then `InvalidRequestHandler`). Verified request by request against a real
/// TorchServe 0.12.0 in `tests/ground_truth.rs`.
pub fn routes(role: ListenerRole, model_api: bool) -> (Vec<Route>, Answer) {
    use RoutePurpose::{Api, Auxiliary};
    let mut routes = vec![
        route(
            "/",
            Auxiliary,
            true,
            vec![
                Answer::on(
                    &["OPTIONS"],
                    200,
                    "the API description handler answers `OPTIONS /`",
                ),
                Answer::any(405, "`/` answers only OPTIONS (MethodNotAllowedException)"),
            ],
        ),
        route(
            "/api-description",
            Auxiliary,
            true,
            vec![Answer::any(
                200,
                "the API description handler answers any method",
            )],
        ),
    ];
    let model_routes = |base: &str, answers: Vec<Answer>| {
        vec![
            route(&format!("{base}/{{model}}"), Api, false, answers.clone()),
            route(
                &format!("{base}/{{model}}/{{version}}"),
                Api,
                false,
                answers,
            ),
        ]
    };
    match role {
        ListenerRole::Api => {
            routes.push(route(
                "/ping",
                Auxiliary,
                false,
                vec![Answer::any(200, "the health check answers any method")],
            ));
            routes.extend(model_routes("/predictions", vec![
                Answer::on(&["OPTIONS"], 200, "the inference handler answers `OPTIONS` with the model's OpenAPI document").when(registered()),
                Answer::any(503, "the request goes to a model worker: 503 while the model has none (ServiceUnavailableException), else the handler's answer").when(registered()),
                Answer::any(404, NO_MODEL).when(not_registered()),
            ]));
        }
        ListenerRole::Admin => {
            let register = if model_api {
                vec![
                    // `ManagementRequestHandler.parseRequest` reads a JSON body with Gson; an
                    // empty one gives `null` and a NullPointerException.
                    Answer::on(
                        &["POST"],
                        500,
                        "with `Content-Type: application/json` the registration is read from the body, and an empty body fails (NullPointerException → 500)",
                    )
                    .when(Condition::ContentType("application/json".into())),
                    Answer::on(
                        &["POST"],
                        400,
                        "registering needs a valid `url` parameter (400 without one)",
                    ),
                ]
            } else {
                vec![Answer::on(
                    &["POST"],
                    405,
                    "the model API is disabled: registering needs `enable_model_api=true` or `--enable-model-api`",
                )]
            };
            routes.push(route(
                "/models",
                Api,
                false,
                [Answer::on(&["GET"], 200, "lists the registered models")]
                    .into_iter()
                    .chain(register)
                    .chain([Answer::any(
                        405,
                        "`/models` routes only GET and POST (MethodNotAllowedException)",
                    )])
                    .collect(),
            ));
            let mut answers = vec![
                Answer::on(&["GET"], 200, "describes the model").when(registered()),
                Answer::on(
                    &["PUT"],
                    202,
                    "scales the model's workers (202 Accepted; 200 with `synchronous=true`)",
                )
                .when(registered()),
                Answer::on(
                    &["OPTIONS"],
                    200,
                    "the management handler answers `OPTIONS` with the model's OpenAPI document",
                )
                .when(registered()),
                Answer::on(&["GET", "PUT", "OPTIONS"], 404, NO_MODEL).when(not_registered()),
            ];
            if model_api {
                answers
                    .push(Answer::on(&["DELETE"], 200, "unregisters the model").when(registered()));
                answers.push(Answer::on(&["DELETE"], 404, NO_MODEL).when(not_registered()));
            } else {
                answers.push(Answer::on(&["DELETE"], 405, "the model API is disabled: unregistering needs `enable_model_api=true` or `--enable-model-api`"));
            }
            answers.push(Answer::any(405, "`/models/{model}` routes only GET, PUT, DELETE and OPTIONS (MethodNotAllowedException)"));
            routes.extend(model_routes("/models", answers));
        }
        ListenerRole::Metrics => {
            routes.push(route(
                "/metrics",
                Api,
                false,
                vec![Answer::any(200, "the metrics handler ignores the method")],
            ));
        }
    }
    (
        routes,
        Answer::any(404, "no such route (ResourceNotFoundException)"),
    )
}

pub fn listener(
    spec: &ListenerSpec,
    address: String,
    address_span: Option<Span>,
    exposure: Exposure,
    auth: Auth,
    model_api: bool,
) -> Listener {
    let (routes, unmatched) = routes(spec.role, model_api);
    Listener {
        name: spec.name.to_string(),
        role: spec.role,
        address,
        address_span,
        exposure,
        auth,
        routes,
        unmatched,
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
