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

/// Run a cross-origin `fetch()` in CORS mode against `server`.
pub fn fetch(req: &FetchRequest, server: impl Fn(&ServerRequest) -> ServerResponse) -> Exchange {
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
        warnings: Vec::new(),
    };

    if !exchange.preflight_reasons.is_empty() {
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
        if let Some(v) = preflight_failure(req, &unsafe_headers, &pre_resp, &mut exchange.warnings)
        {
            exchange.verdict = v;
            return exchange;
        }
        exchange.cache = Some(cache_seconds(&pre_resp));
    }

    let actual_req = actual_request(req);
    let actual_resp = server(&actual_req);
    exchange.actual = Some((actual_req, actual_resp.clone()));
    exchange.verdict = match actual_resp.status {
        None => blocked(Check::NoResponse, actual_resp.reason.clone()),
        Some(status) => match cors_check(&actual_resp, req, false) {
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
/// then the allow lists.
fn preflight_failure(
    req: &FetchRequest,
    unsafe_headers: &[String],
    resp: &ServerResponse,
    warnings: &mut Vec<String>,
) -> Option<Verdict> {
    let Some(status) = resp.status else {
        return Some(blocked(Check::PreflightNoResponse, resp.reason.clone()));
    };
    if let Err((check, detail)) = cors_check(resp, req, true) {
        return Some(blocked(check, detail));
    }
    if !(200..300).contains(&status) {
        return Some(blocked(
            Check::PreflightStatus,
            format!(
                "the preflight got {status} ({}); browsers need 200-299",
                resp.reason
            ),
        ));
    }
    let methods = match parse_list(resp.header("access-control-allow-methods"), false) {
        Ok(m) => m,
        Err(bad) => {
            return Some(blocked(
                Check::PreflightInvalidAllowMethods,
                format!("`{bad}` in Access-Control-Allow-Methods is not a method name"),
            ));
        }
    };
    let allowed_headers = match parse_list(resp.header("access-control-allow-headers"), true) {
        Ok(h) => h,
        Err(bad) => {
            return Some(blocked(
                Check::PreflightInvalidAllowHeaders,
                format!("`{bad}` in Access-Control-Allow-Headers is not a header name"),
            ));
        }
    };
    // `*` is a wildcard only without credentials; with them it is the name `*`.
    let wildcard = |list: &[String]| !req.credentials && list.iter().any(|x| x == "*");
    let method_ok = methods.contains(&req.method)
        || fetch::is_safelisted_method(&req.method)
            && req.method == req.method.to_ascii_uppercase()
        || wildcard(&methods);
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
        if allowed_headers.contains(name) {
            continue;
        }
        if !wildcard(&allowed_headers) {
            return Some(blocked(
                Check::HeaderNotAllowed,
                format!(
                    "{name} is not in Access-Control-Allow-Headers ({})",
                    if allowed_headers.is_empty() {
                        "absent".to_string()
                    } else {
                        allowed_headers.join(", ")
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
