//! The authentication annotations: what the controller puts between a request and the
//! backend, and so what it answers a request that does not authenticate. Exact to
//! controller-v1.15.1 (`internal/ingress/annotations/auth/main.go` for `auth-type: basic|
//! digest`, `authreq/main.go` for `auth-url` and `auth-signin`, `annotations.go` `Extract`,
//! `rootfs/etc/nginx/template/nginx.tmpl` l. 1130–1147 and 1216–1265).
//!
//! The location's CORS block comes first and ends in `return 204` for an `OPTIONS` request
//! from an allowed origin: nginx answers that in its rewrite phase, before the access phase
//! where `auth_request`, `auth_basic` and `auth_digest` run. Every other request meets
//! authentication; without credentials it gets 401 (with `auth-signin`, `error_page 401`
//! turns that into the sign-in location's `return 302`), and `more_set_headers` puts the
//! CORS headers on it as on any status. Checked against a real nginx in
//! `tests/ground_truth_ingress.rs`.
//!
//! Only what reads unambiguously is modelled. A value that makes the controller refuse the
//! Ingress (a validation error) or deny its locations (`return 503`), client-certificate
//! authentication, an `auth-snippet` and the settings that depend on other objects (a
//! ConfigMap of headers) leave the authentication unknown.

use super::controller::{self as ctl, Invalid};
use super::lower::{Read, read};
use super::objects::{Annotation, Ingress};
use crate::source::Span;
use regex::Regex;
use std::sync::LazyLock;

/// What the controller checks before the backend sees a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Nothing: every request reaches the backend.
    Open,
    Checked(Checked),
    /// Annotations whose effect cors-lint does not model.
    NotModelled,
}

/// Authentication the controller renders into every location of the Ingress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    /// Where it is switched on: `auth-url`, else `auth-type`.
    pub anchor: Span,
    /// The `auth-url` the `auth_request` subrequest goes to.
    pub external: Option<String>,
    /// `auth_basic` or `auth_digest`.
    pub local: Option<Local>,
    /// `auth-signin` (read only with `auth-url`): where the 302 sends the browser.
    pub signin: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Local {
    /// `basic` or `digest` as the template decides (`eq .Type "basic"`, else digest).
    pub scheme: &'static str,
    pub realm: String,
}

impl Checked {
    /// The answer to a request without credentials.
    pub fn status(&self) -> u16 {
        if self.signin.is_some() { 302 } else { 401 }
    }

    /// The `WWW-Authenticate` on the 401: basic authentication's own (it runs before
    /// `auth_request`); an auth service's and digest's (a fresh nonce) are not known. A 302
    /// carries it too, but no browser acts on it there.
    pub fn challenge(&self) -> Option<String> {
        match &self.local {
            Some(l) if l.scheme == "basic" && self.signin.is_none() => {
                Some(format!("Basic realm=\"{}\"", l.realm))
            }
            _ => None,
        }
    }

    /// Why, in the controller's terms, for `simulate`'s status line.
    pub fn reason(&self) -> String {
        let mut who = Vec::new();
        if let Some(url) = &self.external {
            who.push(format!(
                "the `auth-url` service ({url}) is taken to refuse it with 401"
            ));
        }
        if let Some(l) = &self.local {
            let realm = if l.realm.is_empty() {
                String::new()
            } else {
                format!(", realm \"{}\"", l.realm)
            };
            who.push(format!(
                "ingress-nginx's {0} authentication (`auth_{0}`{realm}) answers 401",
                l.scheme
            ));
        }
        let then = match &self.signin {
            Some(url) => format!(
                ", and `auth-signin` turns the 401 into a redirect to {url} (`error_page 401` → `return 302`)"
            ),
            None => String::new(),
        };
        format!(
            "authentication answers, not the backend: without an `Authorization` header {}{then}",
            who.join(" and ")
        )
    }
}

/// What the backend answers once authentication passes.
pub const PASSED: &str = "the backend Service answers once authentication passes (cors-lint takes the \
                          `Authorization` header as valid credentials; the backend's status is not in the \
                          manifest)";

/// `URLWithNginxVariableRegex`, `URLIsValidRegex` and `BasicCharsRegex` (validators.go).
static URL_WITH_VARIABLES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\-._~a-zA-Z0-9/:, ,:?&=$]*$").expect("valid regex"));
static URL_CHARS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\-._~a-zA-Z0-9/:,:?&=]*$").expect("valid regex"));
static BASIC_CHARS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[/\-._~a-zA-Z0-9/:]*$").expect("valid regex"));
/// `CharsWithSpace`, validated with spaces kept.
static CHARS_WITH_SPACE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[/\-._~a-zA-Z0-9/: ]*$").expect("valid regex"));
/// `methodsRegex` and `headerRegexp` (authreq/main.go).
static METHOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(GET|HEAD|POST|PUT|PATCH|DELETE|CONNECT|OPTIONS|TRACE)$").expect("valid regex")
});
static HEADER_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-zA-Z0-9\-_]+$").expect("valid regex"));
static HEADER_LIST: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9\-_, ]*$").expect("valid regex"));
/// `authTypeRegex` and `authSecretTypeRegex`: unanchored.
static AUTH_TYPE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("basic|digest").expect("valid regex"));
static SECRET_TYPE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("auth-file|auth-map").expect("valid regex"));

/// `parser.ValidateRegex(re, despace)`: spaces removed when asked, then matched; CR and LF
/// always fail (`MaliciousRegex`).
fn matches(re: &'static Regex, despace: bool) -> impl Fn(&str) -> bool {
    move |raw: &str| {
        let s = if despace {
            raw.replace(' ', "")
        } else {
            raw.to_string()
        };
        re.is_match(&s) && !s.contains(['\r', '\n'])
    }
}

/// [`matches`] as the validator [`read`] runs.
fn validator(re: &'static Regex, despace: bool) -> impl Fn(&str) -> Result<(), Invalid> {
    let ok = matches(re, despace);
    move |raw: &str| {
        ok(raw).then_some(()).ok_or(Invalid {
            at: 0..raw.len(),
            check: "parser.ValidateRegex",
            why: String::new(),
        })
    }
}

/// The annotation is written, not empty, and fails `valid` (the controller validates the
/// raw value, and only a non-empty one).
fn fails(ing: &Ingress, name: &str, valid: impl Fn(&str) -> bool) -> bool {
    get(ing, name).is_some_and(|a| !a.value.as_str().is_empty() && !valid(a.value.as_str()))
}

/// `parser.StringToURL` (Go `url.Parse`, then a scheme and a host without `..`), for the
/// characters the validator lets through.
fn go_url_ok(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    let Some(authority) = rest.strip_prefix("//") else {
        return false;
    };
    let host = authority.split(['/', '?']).next().unwrap_or("");
    let port_ok = match host.rsplit_once(':') {
        Some((_, port)) => port.bytes().all(|b| b.is_ascii_digit()),
        None => true,
    };
    scheme_ok && !host.is_empty() && !host.contains("..") && !host.contains(' ') && port_ok
}

/// The annotation `name` (without the prefix), if written.
fn get<'a>(ing: &'a Ingress, name: &str) -> Option<&'a Annotation> {
    ing.annotations
        .iter()
        .find(|a| a.key.strip_prefix(ctl::PREFIX) == Some(name))
}

/// The authentication of `ing`'s locations.
pub fn gate(ing: &Ingress) -> Gate {
    let names = || {
        ing.annotations
            .iter()
            .filter_map(|a| a.key.strip_prefix(ctl::PREFIX))
    };
    // Client certificates are checked before any location runs; an auth-snippet can do
    // anything (and is refused at the default risk level).
    if names().any(|n| n.starts_with("auth-tls-") || n == "auth-snippet") {
        return Gate::NotModelled;
    }
    let (external, signin) = match external(ing) {
        Ok(e) => e,
        Err(()) => return Gate::NotModelled,
    };
    let local = match local(ing) {
        Ok(l) => l,
        Err(()) => return Gate::NotModelled,
    };
    let anchor = match (&external, &local) {
        (Some(_), _) => get(ing, "auth-url"),
        (None, Some(_)) => get(ing, "auth-type"),
        (None, None) => return Gate::Open,
    };
    Gate::Checked(Checked {
        anchor: anchor.map_or(ing.kind_span, |a| a.key_span),
        external,
        local,
        signin,
    })
}

/// `authreq.Parse`: the `auth-url` and `auth-signin` it keeps; `Err` when the outcome is not
/// modelled (the Ingress refused, its locations denied, or a setting that needs another
/// object).
fn external(ing: &Ingress) -> Result<(Option<String>, Option<String>), ()> {
    let url = match read(get(ing, "auth-url"), validator(&URL_WITH_VARIABLES, true)) {
        // Missing, or empty (`InvalidContent`, which `Extract` skips): no external auth.
        Read::Absent | Read::Empty(_) => return Ok((None, None)),
        // A validation error refuses the whole Ingress.
        Read::Invalid(..) => return Err(()),
        Read::Ok(_, v) if go_url_ok(v.as_str()) => v.as_str().to_string(),
        // "could not parse auth-url annotation": the locations answer 503.
        Read::Ok(..) => return Err(()),
    };
    // These deny the locations, refuse the Ingress or drop the external auth when invalid.
    let header_list = matches(&HEADER_LIST, true);
    let invalid = fails(ing, "auth-method", matches(&METHOD, true))
        || fails(ing, "auth-response-headers", |raw| {
            header_list(raw)
                && raw
                    .split(',')
                    .map(|h| h.trim_matches(ctl::go_space))
                    .all(|h| h.is_empty() || HEADER_NAME.is_match(h))
        })
        || fails(ing, "auth-request-redirect", matches(&URL_CHARS, true))
        || fails(ing, "auth-always-set-cookie", |raw| {
            ctl::parse_bool(raw).is_some()
        });
    if invalid {
        return Err(());
    }
    // A cache of the auth service's answers and headers from a ConfigMap: not modelled.
    if get(ing, "auth-cache-duration").is_some() || get(ing, "auth-proxy-set-headers").is_some() {
        return Err(());
    }
    // An invalid `auth-signin` is logged and ignored.
    let signin = match read(
        get(ing, "auth-signin"),
        validator(&URL_WITH_VARIABLES, true),
    ) {
        Read::Ok(_, v) => Some(v.as_str().to_string()),
        _ => None,
    };
    Ok((Some(url), signin))
}

/// `auth.Parse`: basic or digest authentication, if it applies; `Err` when the outcome is
/// not modelled.
fn local(ing: &Ingress) -> Result<Option<Local>, ()> {
    let kind = match read(get(ing, "auth-type"), validator(&AUTH_TYPE, true)) {
        Read::Absent | Read::Empty(_) => return Ok(None),
        Read::Invalid(..) => return Err(()),
        Read::Ok(_, v) if AUTH_TYPE.is_match(v.as_str()) => v.as_str().to_string(),
        // "invalid authentication type": denied.
        Read::Ok(..) => return Err(()),
    };
    match read(get(ing, "auth-secret-type"), validator(&SECRET_TYPE, true)) {
        Read::Invalid(..) => return Err(()),
        Read::Ok(_, v) if !matches!(v.as_str(), "auth-file" | "auth-map") => return Err(()),
        _ => {}
    }
    // The Secret must be named (else denied) and in the Ingress's own namespace
    // (cross-namespace Secrets are refused by default); that it exists is assumed.
    let Read::Ok(_, secret) = read(get(ing, "auth-secret"), validator(&BASIC_CHARS, true)) else {
        return Err(());
    };
    match secret.as_str().split('/').collect::<Vec<_>>().as_slice() {
        [name] if !name.is_empty() => {}
        [ns, name]
            if !name.is_empty() && (ns.is_empty() || Some(*ns) == ing.namespace.as_deref()) => {}
        _ => return Err(()),
    }
    let realm = match read(get(ing, "auth-realm"), validator(&CHARS_WITH_SPACE, false)) {
        Read::Invalid(..) => return Err(()),
        Read::Ok(_, v) => v.as_str().to_string(),
        Read::Absent | Read::Empty(_) => String::new(),
    };
    Ok(Some(Local {
        scheme: if kind == "basic" { "basic" } else { "digest" },
        realm,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::ingress::objects;
    use crate::frontend::kube::Stream;

    /// The gate of an Ingress in namespace `web` with these annotations.
    fn gate_of(annotations: &[(&str, &str)]) -> Gate {
        let mut src = String::from(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  namespace: web\n  annotations:\n",
        );
        for (k, v) in annotations {
            src.push_str(&format!("    {}{k}: {v:?}\n", ctl::PREFIX));
        }
        let stream = Stream::new(src.as_bytes());
        let docs = stream.docs().expect("YAML");
        let ings = objects::ingresses(&src, stream.chars(), docs);
        gate(&ings[0])
    }

    fn checked(annotations: &[(&str, &str)]) -> Checked {
        match gate_of(annotations) {
            Gate::Checked(c) => c,
            other => panic!("{annotations:?}: {other:?}"),
        }
    }

    #[test]
    fn basic_and_digest_need_a_secret_in_the_ingress_namespace() {
        let c = checked(&[
            ("auth-type", "basic"),
            ("auth-secret", "htpasswd"),
            ("auth-realm", "Staff only"),
        ]);
        assert_eq!(
            c.local.as_ref().map(|l| (l.scheme, l.realm.as_str())),
            Some(("basic", "Staff only"))
        );
        assert_eq!((c.status(), c.external.clone()), (401, None));
        // `eq .Type "basic"` or else digest, whatever else `basic|digest` matched.
        let d = checked(&[("auth-type", "basicx"), ("auth-secret", "web/htpasswd")]);
        assert_eq!(d.local.map(|l| l.scheme), Some("digest"));
        // Denied (503) or refused: not modelled.
        for bad in [
            &[("auth-type", "basic")][..],
            &[("auth-type", "basic"), ("auth-secret", "other/htpasswd")],
            &[("auth-type", "Basic"), ("auth-secret", "htpasswd")],
            &[
                ("auth-type", "basic"),
                ("auth-secret", "htpasswd"),
                ("auth-secret-type", "auth-files"),
            ],
            &[
                ("auth-type", "basic"),
                ("auth-secret", "htpasswd"),
                ("auth-realm", "it's me"),
            ],
        ] {
            assert_eq!(gate_of(bad), Gate::NotModelled, "{bad:?}");
        }
        // Without `auth-type` the secret is never read.
        assert_eq!(
            gate_of(&[("auth-secret", "htpasswd"), ("auth-realm", "x")]),
            Gate::Open
        );
    }

    #[test]
    fn external_auth_and_its_sign_in_page() {
        let c = checked(&[("auth-url", "https://auth.example.com/oauth2/auth")]);
        assert_eq!((c.status(), c.signin.clone()), (401, None));
        assert!(c.reason().contains("https://auth.example.com/oauth2/auth"));
        let s = checked(&[
            ("auth-url", "http://$host/oauth2/auth"),
            (
                "auth-signin",
                "https://$host/oauth2/start?rd=$escaped_request_uri",
            ),
            (
                "auth-response-headers",
                "X-Auth-Request-User, X-Auth-Request-Email",
            ),
            ("auth-keepalive", "10"),
        ]);
        assert_eq!(s.status(), 302);
        assert!(
            s.reason().contains("https://$host/oauth2/start"),
            "{}",
            s.reason()
        );
        // An `auth-signin` without `auth-url` is never read; an invalid one is ignored.
        assert_eq!(
            gate_of(&[("auth-signin", "https://a.example/start")]),
            Gate::Open
        );
        let ignored = checked(&[
            ("auth-url", "https://a.example/auth"),
            ("auth-signin", "https://a.example/<start>"),
        ]);
        assert_eq!(ignored.status(), 401);
        // auth.go l. 869: `invalid..auth.url` denies the location (503); bad characters
        // refuse the Ingress; either way not modelled.
        for bad in [
            &[("auth-url", "https://invalid..auth.url")][..],
            &[("auth-url", "auth.example.com/auth")],
            &[("auth-url", "https://auth.example.com/<x>")],
            &[
                ("auth-url", "https://a.example/auth"),
                ("auth-method", "get"),
            ],
            &[
                ("auth-url", "https://a.example/auth"),
                ("auth-response-headers", "X-A,X B"),
            ],
            &[
                ("auth-url", "https://a.example/auth"),
                ("auth-proxy-set-headers", "web/headers"),
            ],
            &[
                ("auth-url", "https://a.example/auth"),
                ("auth-snippet", "return 200;"),
            ],
            &[("auth-tls-secret", "web/ca")],
        ] {
            assert_eq!(gate_of(bad), Gate::NotModelled, "{bad:?}");
        }
    }

    #[test]
    fn both_kinds_answer_once() {
        let c = checked(&[
            ("auth-type", "basic"),
            ("auth-secret", "htpasswd"),
            ("auth-url", "https://a.example/auth"),
            ("auth-signin", "https://a.example/start"),
        ]);
        assert!(c.external.is_some() && c.local.is_some());
        // `error_page 401` catches basic authentication's 401 too.
        assert_eq!(c.status(), 302);
    }
}
