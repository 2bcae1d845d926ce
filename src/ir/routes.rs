//! How a listener answers requests: an ordered route table, evaluated like the server's
//! handler chain. This is what gives preflight rules and `cors-lint simulate` their status
//! codes.

use crate::source::Span;

/// A path pattern and how the server answers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// Segments separated by `/`; `{name}` matches exactly one segment. Trailing empty
    /// segments are ignored (`/ping/` is `/ping`), and so is the query string.
    pub path: String,
    pub purpose: RoutePurpose,
    /// Answered before authentication is checked (e.g. TorchServe's API description).
    pub before_auth: bool,
    /// The first answer whose methods and condition match is given.
    pub answers: Vec<Answer>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoutePurpose {
    /// A route the application's callers use.
    Api,
    /// Documentation or health routes (`OPTIONS /` API description, `/ping`).
    Auxiliary,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// Methods (case-sensitive, as sent); empty means any method.
    pub methods: Vec<String>,
    pub condition: Option<Condition>,
    pub status: u16,
    /// Why, in the server's terms, e.g. "no such model (ModelNotFoundException)".
    pub reason: String,
}

/// What a route's answer depends on besides method and path: the server's state or the
/// request's body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// The resource named by the path parameter exists (e.g. a registered model).
    Registered(String),
    NotRegistered(String),
    /// The request's `Content-Type` has this essence (lower-case), so the handler reads the
    /// (empty, for the requests cors-lint simulates) body as that type.
    ContentType(String),
    /// The request comes from an origin the policy allows (ingress-nginx answers those
    /// preflights itself and passes the others to the backend).
    OriginAllowed,
    /// The request is a CORS preflight: `OPTIONS` with non-empty `Origin` and
    /// `Access-Control-Request-Method` (Traefik and Kong answer those themselves, whatever
    /// the origin).
    Preflight,
}

/// A request as the route table sees it.
#[derive(Clone, Copy, Debug)]
pub struct RouteRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    /// The request's media type (`application/json`) as the server reads it from
    /// `Content-Type` (Netty: the text before the first `;`), if it has one.
    pub content_type: Option<&'a str>,
    /// Resources the server knows (e.g. registered models).
    pub registered: &'a [String],
    /// The request's `Origin` is one the policy allows.
    pub origin_allowed: bool,
    /// The request is a CORS preflight (see [`Condition::Preflight`]).
    pub preflight: bool,
}

impl<'a> RouteRequest<'a> {
    pub fn new(method: &'a str, path: &'a str, registered: &'a [String]) -> RouteRequest<'a> {
        RouteRequest {
            method,
            path,
            content_type: None,
            registered,
            // The calls a policy invites come from the origins it allows.
            origin_allowed: true,
            // An `OPTIONS` request is, for the route analyses, a browser's preflight.
            preflight: method == "OPTIONS",
        }
    }
}

impl Condition {
    pub fn holds(&self, params: &[(String, String)], req: &RouteRequest) -> bool {
        let value = |p: &str| params.iter().find(|(k, _)| k == p).map(|(_, v)| v.as_str());
        let registered = |p: &str| value(p).is_some_and(|v| req.registered.iter().any(|r| r == v));
        match self {
            Condition::Registered(p) => registered(p),
            Condition::NotRegistered(p) => !registered(p),
            Condition::ContentType(t) => {
                req.content_type.is_some_and(|c| c.eq_ignore_ascii_case(t))
            }
            Condition::OriginAllowed => req.origin_allowed,
            Condition::Preflight => req.preflight,
        }
    }

    /// Whether this depends on the server's state (and so splits a route's preflight
    /// answers), not on the request's body (which a preflight never has).
    fn is_server_state(&self) -> bool {
        matches!(self, Condition::Registered(_) | Condition::NotRegistered(_))
    }

    /// "the model is registered"
    pub fn describe(&self) -> String {
        match self {
            Condition::Registered(p) => format!("the {p} is registered"),
            Condition::NotRegistered(p) => format!("the {p} is not registered"),
            Condition::ContentType(t) => format!("the request's Content-Type is {t}"),
            Condition::OriginAllowed => "the request's origin is allowed".into(),
            Condition::Preflight => "the request is a CORS preflight".into(),
        }
    }
}

impl Answer {
    pub fn any(status: u16, reason: &str) -> Answer {
        Answer {
            methods: Vec::new(),
            condition: None,
            status,
            reason: reason.to_string(),
        }
    }

    pub fn on(methods: &[&str], status: u16, reason: &str) -> Answer {
        Answer {
            methods: methods.iter().map(|m| m.to_string()).collect(),
            ..Answer::any(status, reason)
        }
    }

    pub fn when(mut self, condition: Condition) -> Answer {
        self.condition = Some(condition);
        self
    }

    fn applies(&self, params: &[(String, String)], req: &RouteRequest) -> bool {
        (self.methods.is_empty() || self.methods.iter().any(|m| m == req.method))
            && self.condition.as_ref().is_none_or(|c| c.holds(params, req))
    }
}

/// Path segments as the server splits them: query dropped, trailing empty segments ignored.
pub fn segments(path: &str) -> Vec<&str> {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut segs: Vec<&str> = path.split('/').skip(1).collect();
    while segs.last() == Some(&"") {
        segs.pop();
    }
    segs
}

impl Route {
    /// The path parameters if `path` matches this route.
    pub fn matches(&self, path: &str) -> Option<Vec<(String, String)>> {
        let pattern = segments(&self.path);
        let actual = segments(path);
        if pattern.len() != actual.len() {
            return None;
        }
        let mut params = Vec::new();
        for (p, a) in pattern.iter().zip(&actual) {
            match p.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(name) => params.push((name.to_string(), a.to_string())),
                None if p == a => {}
                None => return None,
            }
        }
        Some(params)
    }

    pub fn answer(&self, params: &[(String, String)], req: &RouteRequest) -> Option<&Answer> {
        self.answers.iter().find(|a| a.applies(params, req))
    }

    /// Conditions this route's answers depend on (none: one unconditional variant).
    fn condition_variants(&self) -> Vec<Option<Condition>> {
        let mut out: Vec<Option<Condition>> = Vec::new();
        for a in &self.answers {
            let condition = a.condition.clone().filter(Condition::is_server_state);
            if !out.contains(&condition) {
                out.push(condition);
            }
        }
        if out.iter().any(Option::is_some) {
            out.retain(Option::is_some);
        }
        out
    }

    /// Whether the route serves `method` for real requests (some answer is not 405).
    pub fn serves(&self, method: &str) -> bool {
        self.answers.iter().any(|a| {
            (a.methods.is_empty() || a.methods.iter().any(|m| m == method)) && a.status != 405
        })
    }
}

/// The answer to an `OPTIONS` preflight for one route (and one server state), derived from
/// the route table and authentication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreflightRoute {
    pub path: String,
    pub purpose: RoutePurpose,
    pub status: u16,
    /// When the status applies, e.g. "the model is registered".
    pub condition: Option<String>,
    pub reason: String,
    /// The configuration that causes this answer, when there is one.
    pub cause: Option<Span>,
    pub route: Route,
}

impl PreflightRoute {
    pub fn is_ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn serves(&self, method: &str) -> bool {
        self.route.serves(method)
    }
}

/// How authentication answers a request that does not carry the credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub status: u16,
    pub reason: String,
    pub cause: Option<Span>,
}

/// The answer a before-auth route gives `req`, if one does.
pub fn before_auth<'a>(routes: &'a [Route], req: &RouteRequest) -> Option<&'a Answer> {
    routes.iter().filter(|r| r.before_auth).find_map(|r| {
        let params = r.matches(req.path)?;
        r.answer(&params, req)
    })
}

/// Evaluate a route table: before-auth routes, then authentication, then the other routes,
/// then `unmatched`. Returns the answer's status and reason.
pub fn evaluate(
    routes: &[Route],
    unmatched: &Answer,
    rejection: Option<&Rejection>,
    req: &RouteRequest,
) -> (u16, String) {
    if let Some(a) = before_auth(routes, req) {
        return (a.status, a.reason.clone());
    }
    if let Some(rej) = rejection {
        return (rej.status, rej.reason.clone());
    }
    for r in routes.iter().filter(|r| !r.before_auth) {
        if let Some(params) = r.matches(req.path)
            && let Some(a) = r.answer(&params, req)
        {
            return (a.status, a.reason.clone());
        }
    }
    (unmatched.status, unmatched.reason.clone())
}

/// Every route's answer to `OPTIONS`, per server state.
pub fn preflight_routes(routes: &[Route], rejection: Option<&Rejection>) -> Vec<PreflightRoute> {
    let mut out = Vec::new();
    for route in routes {
        for variant in route.condition_variants() {
            let (status, reason, cause) = match (rejection, route.before_auth) {
                (Some(rej), false) => (rej.status, rej.reason.clone(), rej.cause),
                _ => {
                    // Pick parameters that satisfy the variant's condition.
                    let registered: Vec<String> = match &variant {
                        Some(Condition::Registered(_)) => vec!["x".to_string()],
                        _ => Vec::new(),
                    };
                    let params: Vec<(String, String)> = segments(&route.path)
                        .iter()
                        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
                        .map(|name| (name.to_string(), "x".to_string()))
                        .collect();
                    match route.answer(
                        &params,
                        &RouteRequest::new("OPTIONS", &route.path, &registered),
                    ) {
                        Some(a) => (a.status, a.reason.clone(), None),
                        None => continue,
                    }
                }
            };
            let condition = match rejection {
                Some(_) if !route.before_auth => None,
                _ => variant.as_ref().map(Condition::describe),
            };
            let p = PreflightRoute {
                path: route.path.clone(),
                purpose: route.purpose,
                status,
                condition,
                reason,
                cause,
                route: route.clone(),
            };
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn models() -> Route {
        Route {
            path: "/models/{model}".into(),
            purpose: RoutePurpose::Api,
            before_auth: false,
            answers: vec![
                Answer::on(&["GET", "OPTIONS"], 200, "ok")
                    .when(Condition::Registered("model".into())),
                Answer::on(&["GET", "OPTIONS"], 404, "missing")
                    .when(Condition::NotRegistered("model".into())),
                Answer::any(405, "not allowed"),
            ],
        }
    }

    #[test]
    fn matching_and_answers() {
        let r = models();
        let params = r.matches("/models/echo/?x=1").unwrap();
        assert_eq!(params, vec![("model".to_string(), "echo".to_string())]);
        assert!(r.matches("/models").is_none());
        let reg = vec!["echo".to_string()];
        let get = |method, registered| {
            r.answer(
                &params,
                &RouteRequest::new(method, "/models/echo", registered),
            )
            .unwrap()
            .status
        };
        assert_eq!(get("GET", &reg), 200);
        assert_eq!(get("GET", &[]), 404);
        assert_eq!(get("PATCH", &reg), 405);
        assert!(r.serves("GET") && !r.serves("PATCH"));
    }

    #[test]
    fn preflights_per_state_and_with_authentication() {
        let routes = vec![models()];
        let open = preflight_routes(&routes, None);
        assert_eq!(
            open.iter().map(|p| p.status).collect::<Vec<_>>(),
            [200, 404]
        );
        let rej = Rejection {
            status: 400,
            reason: "token".into(),
            cause: None,
        };
        let closed = preflight_routes(&routes, Some(&rej));
        assert_eq!(closed.len(), 1);
        assert_eq!(closed[0].status, 400);
        let unmatched = Answer::any(404, "none");
        assert_eq!(
            evaluate(
                &routes,
                &unmatched,
                None,
                &RouteRequest::new("GET", "/models/echo", &["echo".into()])
            )
            .0,
            200
        );
        assert_eq!(
            evaluate(
                &routes,
                &unmatched,
                Some(&rej),
                &RouteRequest::new("GET", "/models/echo", &[])
            )
            .0,
            400
        );
        assert_eq!(
            evaluate(
                &routes,
                &unmatched,
                None,
                &RouteRequest::new("GET", "/nope", &[])
            )
            .0,
            404
        );
    }
}
