//! Browser side: the Fetch standard's CORS-preflight fetch and CORS check, with Chromium's
//! choices where the standard leaves room (`services/network/cors/`). Every verdict names the
//! check that failed, from a fixed kebab-case set ([`Check`]).

use super::FetchRequest;
use super::server::{ServerRequest, ServerResponse};
use crate::ir::fetch;

/// The check a blocked request failed. Names are stable; see `cors-lint simulate --help`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    PreflightNoResponse,
    PreflightMissingAllowOrigin,
    PreflightOriginMismatch,
    PreflightWildcardWithCredentials,
    PreflightCredentialsNotAllowed,
    PreflightStatus,
    PreflightInvalidAllowMethods,
    PreflightInvalidAllowHeaders,
    MethodNotAllowed,
    HeaderNotAllowed,
    NoResponse,
    MissingAllowOrigin,
    OriginMismatch,
    WildcardWithCredentials,
    CredentialsNotAllowed,
}

impl Check {
    pub const ALL: [Check; 15] = [
        Check::PreflightNoResponse,
        Check::PreflightMissingAllowOrigin,
        Check::PreflightOriginMismatch,
        Check::PreflightWildcardWithCredentials,
        Check::PreflightCredentialsNotAllowed,
        Check::PreflightStatus,
        Check::PreflightInvalidAllowMethods,
        Check::PreflightInvalidAllowHeaders,
        Check::MethodNotAllowed,
        Check::HeaderNotAllowed,
        Check::NoResponse,
        Check::MissingAllowOrigin,
        Check::OriginMismatch,
        Check::WildcardWithCredentials,
        Check::CredentialsNotAllowed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Check::PreflightNoResponse => "preflight-no-response",
            Check::PreflightMissingAllowOrigin => "preflight-missing-allow-origin",
            Check::PreflightOriginMismatch => "preflight-origin-mismatch",
            Check::PreflightWildcardWithCredentials => "preflight-wildcard-with-credentials",
            Check::PreflightCredentialsNotAllowed => "preflight-credentials-not-allowed",
            Check::PreflightStatus => "preflight-status",
            Check::PreflightInvalidAllowMethods => "preflight-invalid-allow-methods",
            Check::PreflightInvalidAllowHeaders => "preflight-invalid-allow-headers",
            Check::MethodNotAllowed => "method-not-allowed",
            Check::HeaderNotAllowed => "header-not-allowed",
            Check::NoResponse => "no-response",
            Check::MissingAllowOrigin => "missing-allow-origin",
            Check::OriginMismatch => "origin-mismatch",
            Check::WildcardWithCredentials => "wildcard-with-credentials",
            Check::CredentialsNotAllowed => "credentials-not-allowed",
        }
    }

    /// One line on what the check means.
    pub fn meaning(self) -> &'static str {
        match self {
            Check::PreflightNoResponse => "the server sent no HTTP response to the preflight",
            Check::PreflightMissingAllowOrigin => {
                "the preflight response has no Access-Control-Allow-Origin"
            }
            Check::PreflightOriginMismatch => {
                "the preflight's Access-Control-Allow-Origin is not `*` and not the page's origin"
            }
            Check::PreflightWildcardWithCredentials => {
                "the preflight answers `*`, which never matches a request with credentials"
            }
            Check::PreflightCredentialsNotAllowed => {
                "with credentials, the preflight needs Access-Control-Allow-Credentials: true"
            }
            Check::PreflightStatus => "the preflight's status is not an ok status (200-299)",
            Check::PreflightInvalidAllowMethods => {
                "Access-Control-Allow-Methods is not a comma-separated list of tokens"
            }
            Check::PreflightInvalidAllowHeaders => {
                "Access-Control-Allow-Headers is not a comma-separated list of tokens"
            }
            Check::MethodNotAllowed => "the method is not in Access-Control-Allow-Methods",
            Check::HeaderNotAllowed => "a request header is not in Access-Control-Allow-Headers",
            Check::NoResponse => "the server sent no HTTP response",
            Check::MissingAllowOrigin => "the response has no Access-Control-Allow-Origin",
            Check::OriginMismatch => {
                "Access-Control-Allow-Origin is not `*` and not the page's origin"
            }
            Check::WildcardWithCredentials => "`*` never matches a request with credentials",
            Check::CredentialsNotAllowed => {
                "with credentials, the response needs Access-Control-Allow-Credentials: true"
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The page can read the response (whatever its status).
    pub allowed: bool,
    pub check: Option<Check>,
    /// The failing check in this exchange's terms.
    pub detail: String,
}

/// How long browsers cache a successful preflight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PreflightCache {
    pub chromium_seconds: u64,
    pub firefox_seconds: u64,
}

#[derive(Clone, Debug)]
pub struct Exchange {
    pub request: FetchRequest,
    /// Why a preflight is needed, if one is.
    pub preflight_reasons: Vec<String>,
    pub preflight: Option<(ServerRequest, ServerResponse)>,
    pub actual: Option<(ServerRequest, ServerResponse)>,
    pub verdict: Verdict,
    pub cache: Option<PreflightCache>,
    /// The preflight was skipped: a cached one covers this request.
    pub preflight_cached: bool,
    /// What browsers warn about (or the standard forbids) without blocking today.
    pub warnings: Vec<String>,
}

fn trim(v: &str) -> &str {
    v.trim_matches([' ', '\t'])
}

/// Fetch "CORS check", with the failing check for a preflight or an actual response.
fn cors_check(
    resp: &ServerResponse,
    req: &FetchRequest,
    preflight: bool,
) -> Result<(), (Check, String)> {
    let pick = |p: Check, a: Check| if preflight { p } else { a };
    let Some(allow) = resp.header("access-control-allow-origin") else {
        return Err((
            pick(
                Check::PreflightMissingAllowOrigin,
                Check::MissingAllowOrigin,
            ),
            "no Access-Control-Allow-Origin".into(),
        ));
    };
    let allow = trim(&allow).to_string();
    if allow == "*" && !req.credentials {
        return Ok(());
    }
    if allow == "*" {
        return Err((
            pick(
                Check::PreflightWildcardWithCredentials,
                Check::WildcardWithCredentials,
            ),
            "Access-Control-Allow-Origin is `*` and the request has credentials".into(),
        ));
    }
    if allow != req.origin {
        return Err((
            pick(Check::PreflightOriginMismatch, Check::OriginMismatch),
            format!(
                "Access-Control-Allow-Origin `{allow}` is not the page's origin `{}`",
                req.origin
            ),
        ));
    }
    if !req.credentials {
        return Ok(());
    }
    match resp.header("access-control-allow-credentials") {
        Some(v) if trim(&v) == "true" => Ok(()),
        other => Err((
            pick(
                Check::PreflightCredentialsNotAllowed,
                Check::CredentialsNotAllowed,
            ),
            match other {
                Some(v) => format!(
                    "Access-Control-Allow-Credentials is `{}`, not `true`",
                    trim(&v)
                ),
                None => "no Access-Control-Allow-Credentials: true".into(),
            },
        )),
    }
}

/// Chromium `ParseAccessControlAllowList`: entries must be tokens.
fn parse_list(value: Option<String>, lower: bool) -> Result<Vec<String>, String> {
    let Some(v) = value else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for r in fetch::split_list(&v) {
        let item = &v[r];
        if !fetch::is_token(item) {
            return Err(item.to_string());
        }
        out.push(if lower {
            item.to_ascii_lowercase()
        } else {
            item.to_string()
        });
    }
    Ok(out)
}

/// Chromium `ParseAccessControlMaxAge` (default 5 s, negative 0, cap 2 h); Firefox caps at 24 h.
fn cache_seconds(resp: &ServerResponse) -> PreflightCache {
    let parsed = resp
        .header("access-control-max-age")
        .and_then(|v| trim(&v).parse::<i64>().ok());
    let secs = |cap: u64| match parsed {
        None => 5,
        Some(n) if n < 0 => 0,
        Some(n) => (n as u64).min(cap),
    };
    PreflightCache {
        chromium_seconds: secs(fetch::MAX_AGE_CAP_CHROMIUM),
        firefox_seconds: secs(fetch::MAX_AGE_CAP_FIREFOX),
    }
}

fn blocked(check: Check, detail: String) -> Verdict {
    Verdict {
        allowed: false,
        check: Some(check),
        detail,
    }
}

/// Run a cross-origin `fetch()` in CORS mode against `server`, from a fresh browser.
pub fn fetch(req: &FetchRequest, server: impl Fn(&ServerRequest) -> ServerResponse) -> Exchange {
    Session::default().fetch(req, server)
}

/// A browser profile over time: its preflight cache, keyed like Chromium's by origin, URL
/// and credentials mode, and a clock (seconds) the caller advances.
#[derive(Default, Debug)]
pub struct Session {
    pub now: u64,
    cache: Vec<(CacheKey, CacheEntry)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct CacheKey {
    origin: String,
    path: String,
    credentials: bool,
}

#[derive(Clone, Debug)]
struct CacheEntry {
    methods: Vec<String>,
    headers: Vec<String>,
    expires: u64,
}

impl Session {
    /// Whether a cached preflight covers `req` (Chromium `PreflightResult::EnsureAllowedRequest`).
    /// Unlike a fresh preflight, a cached `*` never covers Authorization: Chromium sends a new
    /// preflight for it (seen in the ground-truth suite).
    fn cached(&self, req: &FetchRequest, unsafe_headers: &[String]) -> bool {
        let authorization = fetch::NON_WILDCARD_REQUEST_HEADER.to_ascii_lowercase();
        let key = CacheKey {
            origin: req.origin.clone(),
            path: req.path.clone(),
            credentials: req.credentials,
        };
        self.cache.iter().any(|(k, e)| {
            *k == key
                && e.expires > self.now
                && (!unsafe_headers.contains(&authorization) || e.headers.contains(&authorization))
                && allow_lists_failure(req, unsafe_headers, &e.methods, &e.headers, &mut Vec::new())
                    .is_none()
        })
    }

    fn remember(
        &mut self,
        req: &FetchRequest,
        methods: Vec<String>,
        headers: Vec<String>,
        seconds: u64,
    ) {
        let key = CacheKey {
            origin: req.origin.clone(),
            path: req.path.clone(),
            credentials: req.credentials,
        };
        self.cache.retain(|(k, _)| *k != key);
        // A page with an opaque origin (`null`) gets no entry a later fetch finds (seen in the
        // ground-truth suite: every fetch from a sandboxed page preflights).
        if seconds > 0 && req.origin != "null" {
            self.cache.push((
                key,
                CacheEntry {
                    methods,
                    headers,
                    expires: self.now + seconds,
                },
            ));
        }
    }

    /// Run a cross-origin `fetch()` in CORS mode against `server`; a successful preflight is
    /// cached for Chromium's lifetime.
    pub fn fetch(
        &mut self,
        req: &FetchRequest,
        server: impl Fn(&ServerRequest) -> ServerResponse,
    ) -> Exchange {
        let unsafe_headers = fetch::unsafe_request_header_names(&req.headers);
        let mut preflight_reasons = Vec::new();
        if !fetch::is_safelisted_method(&req.method) {
            preflight_reasons.push(format!("the method {} is not CORS-safelisted", req.method));
        }
        if !unsafe_headers.is_empty() {
            preflight_reasons.push(format!(
                "the header{} {} {} not CORS-safelisted",
                if unsafe_headers.len() == 1 { "" } else { "s" },
                unsafe_headers.join(", "),
                if unsafe_headers.len() == 1 {
                    "is"
                } else {
                    "are"
                }
            ));
        }
        let mut exchange = Exchange {
            request: req.clone(),
            preflight_reasons,
            preflight: None,
            actual: None,
            verdict: Verdict {
                allowed: true,
                check: None,
                detail: String::new(),
            },
            cache: None,
            preflight_cached: false,
            warnings: Vec::new(),
        };

        if !exchange.preflight_reasons.is_empty() && self.cached(req, &unsafe_headers) {
            exchange.preflight_cached = true;
        } else if !exchange.preflight_reasons.is_empty() {
            let mut headers = vec![
                ("origin".to_string(), req.origin.clone()),
                (
                    "access-control-request-method".to_string(),
                    req.method.clone(),
                ),
            ];
            if !unsafe_headers.is_empty() {
                headers.push((
                    "access-control-request-headers".to_string(),
                    unsafe_headers.join(","),
                ));
            }
            let pre_req = ServerRequest {
                method: "OPTIONS".into(),
                path: req.path.clone(),
                headers,
            };
            let pre_resp = server(&pre_req);
            exchange.preflight = Some((pre_req, pre_resp.clone()));
            match preflight_result(req, &unsafe_headers, &pre_resp, &mut exchange.warnings) {
                Err(v) => {
                    exchange.verdict = v;
                    return exchange;
                }
                Ok((methods, headers)) => {
                    let lifetime = cache_seconds(&pre_resp);
                    self.remember(req, methods, headers, lifetime.chromium_seconds);
                    exchange.cache = Some(lifetime);
                }
            }
        }

        let actual_req = actual_request(req);
        let actual_resp = server(&actual_req);
        exchange.actual = Some((actual_req, actual_resp.clone()));
        exchange.verdict = match actual_resp.status {
            None => blocked(Check::NoResponse, actual_resp.reason.clone()),
            Some(status) => match cors_check(&actual_resp, req, false) {
                // fetch() follows a redirect (`redirect: "follow"`); only a 3xx that passes
                // the CORS check gets that far, and what the next URL answers is unknown here.
                Ok(()) if [301, 302, 303, 307, 308].contains(&status) => Verdict {
                    allowed: true,
                    check: None,
                    detail: format!(
                        "the {status} redirect passes the CORS check, so fetch() follows it; what its `Location` \
                         answers is not simulated (after a redirect to yet another origin the browser sends \
                         `Origin: null`, which that response must allow)"
                    ),
                },
                // Chromium answers a credentialed request's challenge with a login dialog, and
                // the fetch waits for it (checked: headless Chromium, where no one answers it,
                // never finishes).
                Ok(())
                    if status == 401 && req.credentials && asks_for_credentials(&actual_resp) =>
                {
                    Verdict {
                        allowed: true,
                        check: None,
                        detail: format!(
                            "the page can read the response (status 401) once its user dismisses the login \
                             dialog Chromium shows for `WWW-Authenticate: {}`; credentials entered there send \
                             the request again with them",
                            actual_resp.header("www-authenticate").unwrap_or_default()
                        ),
                    }
                }
                Ok(()) => Verdict {
                    allowed: true,
                    check: None,
                    detail: format!("the page can read the response (status {status})"),
                },
                Err((check, detail)) => blocked(check, detail),
            },
        };
        exchange
    }
}

/// A `WWW-Authenticate` challenge in a scheme Chromium asks its user about (`Basic`,
/// `Digest`, `NTLM`, `Negotiate`; not `Bearer`).
pub fn asks_for_credentials(resp: &ServerResponse) -> bool {
    resp.header("www-authenticate").is_some_and(|v| {
        let scheme = v.trim_start().split([' ', ',']).next().unwrap_or("");
        ["basic", "digest", "ntlm", "negotiate"]
            .iter()
            .any(|s| scheme.eq_ignore_ascii_case(s))
    })
}

/// The request itself as the server receives it: the page's headers plus `Origin`.
pub fn actual_request(req: &FetchRequest) -> ServerRequest {
    let mut headers = vec![("origin".to_string(), req.origin.clone())];
    headers.extend(req.headers.iter().cloned());
    ServerRequest {
        method: req.method.clone(),
        path: req.path.clone(),
        headers,
    }
}

/// The first check a preflight response fails, in Chromium's order: CORS check, then status,
/// then the allow lists. On success, the parsed lists (for the cache).
fn preflight_result(
    req: &FetchRequest,
    unsafe_headers: &[String],
    resp: &ServerResponse,
    warnings: &mut Vec<String>,
) -> Result<(Vec<String>, Vec<String>), Verdict> {
    let Some(status) = resp.status else {
        return Err(blocked(Check::PreflightNoResponse, resp.reason.clone()));
    };
    if let Err((check, detail)) = cors_check(resp, req, true) {
        return Err(blocked(check, detail));
    }
    if !(200..300).contains(&status) {
        return Err(blocked(
            Check::PreflightStatus,
            format!(
                "the preflight got {status} ({}); browsers need 200-299",
                resp.reason
            ),
        ));
    }
    let methods =
        parse_list(resp.header("access-control-allow-methods"), false).map_err(|bad| {
            blocked(
                Check::PreflightInvalidAllowMethods,
                format!("`{bad}` in Access-Control-Allow-Methods is not a method name"),
            )
        })?;
    let headers = parse_list(resp.header("access-control-allow-headers"), true).map_err(|bad| {
        blocked(
            Check::PreflightInvalidAllowHeaders,
            format!("`{bad}` in Access-Control-Allow-Headers is not a header name"),
        )
    })?;
    match allow_lists_failure(req, unsafe_headers, &methods, &headers, warnings) {
        Some(v) => Err(v),
        None => Ok((methods, headers)),
    }
}

/// Whether parsed allow lists (from a preflight or the cache) cover the request's method and
/// headers (Chromium `PreflightResult::EnsureAllowedCrossOriginMethod` / `…Headers`).
fn allow_lists_failure(
    req: &FetchRequest,
    unsafe_headers: &[String],
    methods: &[String],
    headers: &[String],
    warnings: &mut Vec<String>,
) -> Option<Verdict> {
    // `*` is a wildcard only without credentials; with them it is the name `*`.
    let wildcard = |list: &[String]| !req.credentials && list.iter().any(|x| x == "*");
    let method_ok = methods.contains(&req.method)
        || fetch::is_safelisted_method(&req.method)
            && req.method == req.method.to_ascii_uppercase()
        || wildcard(methods);
    if !method_ok {
        return Some(blocked(
            Check::MethodNotAllowed,
            format!(
                "{} is not in Access-Control-Allow-Methods ({})",
                req.method,
                if methods.is_empty() {
                    "absent".to_string()
                } else {
                    methods.join(", ")
                }
            ),
        ));
    }
    for name in unsafe_headers {
        if headers.contains(name) {
            continue;
        }
        if !wildcard(headers) {
            return Some(blocked(
                Check::HeaderNotAllowed,
                format!(
                    "{name} is not in Access-Control-Allow-Headers ({})",
                    if headers.is_empty() {
                        "absent".to_string()
                    } else {
                        headers.join(", ")
                    }
                ),
            ));
        }
        // The Fetch standard says `*` never covers Authorization, but Chromium (checked:
        // 156) and Firefox still let it, with a deprecation warning.
        if name.eq_ignore_ascii_case(fetch::NON_WILDCARD_REQUEST_HEADER) {
            warnings.push(
                "`*` in Access-Control-Allow-Headers covers Authorization only because Chromium and Firefox still allow it \
                 (with a deprecation warning); the Fetch standard says it never does, so list Authorization explicitly"
                    .into(),
            );
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: &str = "https://app.example";

    fn request(method: &str, headers: &[(&str, &str)], credentials: bool) -> FetchRequest {
        FetchRequest {
            origin: ORIGIN.into(),
            method: method.into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            credentials,
            path: "/".into(),
            dropped: Vec::new(),
        }
    }

    /// A server that answers every request (preflight or not) with `status` and `headers`.
    fn server(status: u16, headers: &[(&str, &str)]) -> impl Fn(&ServerRequest) -> ServerResponse {
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        move |_| ServerResponse {
            status: Some(status),
            reason: "test".into(),
            headers: headers.clone(),
        }
    }

    fn verdict(req: &FetchRequest, status: u16, headers: &[(&str, &str)]) -> Option<&'static str> {
        fetch(req, server(status, headers))
            .verdict
            .check
            .map(Check::name)
    }

    #[test]
    fn cors_check_trims_then_compares_bytes() {
        let get = request("GET", &[], false);
        assert_eq!(
            verdict(
                &get,
                200,
                &[("access-control-allow-origin", " https://app.example  ")]
            ),
            None
        );
        assert_eq!(
            verdict(
                &get,
                500,
                &[("access-control-allow-origin", "https://app.example")]
            ),
            None,
            "any status is readable"
        );
        assert_eq!(
            verdict(
                &get,
                200,
                &[("access-control-allow-origin", "https://APP.example")]
            ),
            Some("origin-mismatch")
        );
        assert_eq!(
            verdict(
                &get,
                200,
                &[("access-control-allow-origin", "https://app.example/")]
            ),
            Some("origin-mismatch")
        );
        assert_eq!(verdict(&get, 200, &[]), Some("missing-allow-origin"));
        let with = request("GET", &[], true);
        assert_eq!(
            verdict(&with, 200, &[("access-control-allow-origin", "*")]),
            Some("wildcard-with-credentials")
        );
        assert_eq!(
            verdict(&with, 200, &[("access-control-allow-origin", ORIGIN)]),
            Some("credentials-not-allowed")
        );
        let acac = |v| {
            [
                ("access-control-allow-origin", ORIGIN),
                ("access-control-allow-credentials", v),
            ]
        };
        assert_eq!(
            verdict(&with, 200, &acac("True")),
            Some("credentials-not-allowed")
        );
        assert_eq!(verdict(&with, 200, &acac("true ")), None);
    }

    #[test]
    fn preflight_checks_run_in_chromium_order() {
        let put = request("PUT", &[], false);
        let x = fetch(&put, server(404, &[]));
        assert_eq!(
            x.verdict.check,
            Some(Check::PreflightMissingAllowOrigin),
            "CORS check before status"
        );
        assert!(x.actual.is_none());
        assert_eq!(
            verdict(&put, 404, &[("access-control-allow-origin", "*")]),
            Some("preflight-status")
        );
        assert_eq!(
            verdict(&put, 204, &[("access-control-allow-origin", "*")]),
            Some("method-not-allowed")
        );
        let bad_list = [
            ("access-control-allow-origin", "*"),
            ("access-control-allow-methods", "GET PUT"),
        ];
        assert_eq!(
            verdict(&put, 200, &bad_list),
            Some("preflight-invalid-allow-methods")
        );
        let ok = [
            ("access-control-allow-origin", "*"),
            ("access-control-allow-methods", "GET,  PUT"),
        ];
        assert_eq!(verdict(&put, 200, &ok), None);
    }

    #[test]
    fn methods_match_case_sensitively_and_wildcard_only_without_credentials() {
        let lower = [
            ("access-control-allow-origin", ORIGIN),
            ("access-control-allow-methods", "patch"),
        ];
        assert_eq!(
            verdict(&request("PATCH", &[], false), 200, &lower),
            Some("method-not-allowed")
        );
        assert_eq!(verdict(&request("patch", &[], false), 200, &lower), None);
        let star = |creds: &'static str| {
            [
                ("access-control-allow-origin", ORIGIN),
                ("access-control-allow-methods", "*"),
                ("access-control-allow-credentials", creds),
            ]
        };
        assert_eq!(
            verdict(&request("PATCH", &[], false), 200, &star("false")),
            None
        );
        assert_eq!(
            verdict(&request("PATCH", &[], true), 200, &star("true")),
            Some("method-not-allowed")
        );
    }

    #[test]
    fn headers_and_the_authorization_wildcard() {
        let star = [
            ("access-control-allow-origin", ORIGIN),
            ("access-control-allow-headers", "*"),
        ];
        let token = request("GET", &[("authorization", "Bearer x")], false);
        let x = fetch(&token, server(200, &star));
        assert!(
            x.verdict.allowed && x.warnings.len() == 1,
            "allowed (as Chromium does), with a warning"
        );
        let custom = request("GET", &[("x-token", "1")], false);
        assert_eq!(
            verdict(&custom, 200, &[("access-control-allow-origin", ORIGIN)]),
            Some("header-not-allowed")
        );
        let listed = [
            ("access-control-allow-origin", ORIGIN),
            ("access-control-allow-headers", "X-TOKEN"),
        ];
        assert_eq!(
            verdict(&custom, 200, &listed),
            None,
            "header names compare case-insensitively"
        );
    }

    #[test]
    fn safelisted_requests_skip_the_preflight() {
        let acao = [("access-control-allow-origin", ORIGIN)];
        for headers in [
            vec![("content-type", "text/plain;charset=UTF-8")],
            vec![("range", "bytes=0-10")],
            vec![("accept-language", "en-US,en;q=0.9")],
        ] {
            let x = fetch(&request("POST", &headers, false), server(200, &acao));
            assert!(x.preflight.is_none(), "{headers:?}");
        }
        for headers in [
            vec![("content-type", "application/json")],
            vec![("range", "bytes=0-1,3-4")],
            vec![("accept", "a".repeat(129).leak() as &str)],
        ] {
            let x = fetch(&request("POST", &headers, false), server(200, &acao));
            assert!(x.preflight.is_some(), "{headers:?}");
        }
    }

    #[test]
    fn preflight_cache_lifetimes() {
        let cache = |max_age: Option<&str>| {
            let mut h = vec![
                ("access-control-allow-origin", ORIGIN),
                ("access-control-allow-methods", "PUT"),
            ];
            if let Some(v) = max_age {
                h.push(("access-control-max-age", v));
            }
            let c = fetch(&request("PUT", &[], false), server(200, &h))
                .cache
                .expect("cached");
            (c.chromium_seconds, c.firefox_seconds)
        };
        assert_eq!(cache(None), (5, 5));
        assert_eq!(cache(Some("abc")), (5, 5));
        assert_eq!(cache(Some("-1")), (0, 0));
        assert_eq!(cache(Some("600")), (600, 600));
        assert_eq!(cache(Some("100000")), (7_200, 86_400));
    }
}

#[cfg(test)]
mod session_tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn cached_preflights_are_keyed_by_origin_url_and_credentials() {
        let preflights = Cell::new(0);
        let server = |r: &ServerRequest| {
            if r.method == "OPTIONS" {
                preflights.set(preflights.get() + 1);
            }
            let h = |n: &str, v: &str| (n.to_string(), v.to_string());
            ServerResponse {
                status: Some(200),
                reason: String::new(),
                headers: vec![
                    h(
                        "access-control-allow-origin",
                        r.header("origin").unwrap_or_default(),
                    ),
                    h("access-control-allow-headers", "*"),
                    h("access-control-allow-credentials", "true"),
                    h("access-control-allow-methods", "PUT"),
                    h("access-control-max-age", "60"),
                ],
            }
        };
        let req = |method: &str, path: &str, credentials: bool| FetchRequest {
            origin: "https://app.example".into(),
            method: method.into(),
            headers: Vec::new(),
            credentials,
            path: path.into(),
            dropped: Vec::new(),
        };
        let mut session = Session::default();
        assert!(
            !session
                .fetch(&req("PUT", "/a", false), server)
                .preflight_cached
        );
        assert!(
            session
                .fetch(&req("PUT", "/a", false), server)
                .preflight_cached
        );
        assert_eq!(preflights.get(), 1);
        // Another URL, another credentials mode, or a method the entry does not cover: a new preflight.
        session.fetch(&req("PUT", "/b", false), server);
        session.fetch(&req("PUT", "/a", true), server);
        session.fetch(&req("DELETE", "/a", false), server);
        assert_eq!(preflights.get(), 4);
        // Not from an opaque origin, and a cached `*` does not cover Authorization.
        let mut null = req("PUT", "/n", false);
        null.origin = "null".into();
        session.fetch(&null, server);
        assert!(!session.fetch(&null, server).preflight_cached);
        let mut token = req("PUT", "/t", false);
        token.headers = vec![("authorization".into(), "Bearer x".into())];
        assert!(session.fetch(&token, server).verdict.allowed);
        assert!(!session.fetch(&token, server).preflight_cached);
        assert_eq!(preflights.get(), 8);
        // Expired after max-age.
        session.now += 61;
        assert!(
            !session
                .fetch(&req("PUT", "/a", false), server)
                .preflight_cached
        );
        assert_eq!(preflights.get(), 9);
    }
}
