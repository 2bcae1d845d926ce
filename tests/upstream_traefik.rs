//! Traefik's `headers` middleware CORS unit tests (traefik/traefik @
//! fd5a576df2e8aeb0bfc8a96b6ef6e60a61f7ec0a, the v3.7 branch merged into master, whose
//! `pkg/middlewares/headers/` equals v3.7.9's; v3.7.5 is 26c96a3935ca;
//! `pkg/middlewares/headers/header_test.go`, `TestNewHeader_CORSPreflights` and
//! `TestNewHeader_CORSResponses`), re-expressed: each case's `dynamic.Headers` becomes a
//! `headers` middleware — in the file provider's YAML and as a Kubernetes `Middleware`
//! object, which must answer alike — and the response cors-lint's model gives for the case's
//! request is compared, byte for byte, with the headers the upstream case expects
//! (`assert.Equal` on the whole `http.Header`: a header cors-lint adds that the case does not
//! list fails too). No upstream code is copied; the field values, the request headers and
//! the expected response headers are the test's inputs.
//!
//! Upstream cases that set a header on the backend's response (the handler answering behind
//! the middleware) and expect a merge of the two are listed in `NOT_EXPRESSIBLE`: cors-lint
//! does not take the backend's headers as input.

use cors_lint::frontend::traefik::Version;
use cors_lint::frontend::{self, Dialect, Options};
use cors_lint::ir::{CorsPolicy, OriginPolicy};
use cors_lint::lint::{Settings, lint_bytes};
use cors_lint::sim::{self, ServerRequest, ServerResponse};
use cors_lint::source::SourceFile;

/// The upstream test file and commit, for messages.
const UPSTREAM: &str = "traefik/traefik@fd5a576d pkg/middlewares/headers/header_test.go";

struct Case {
    /// The line of the case's `desc` in header_test.go.
    line: u32,
    desc: &'static str,
    /// The `headers` fields, one YAML `key: value` per line (empty: `headers: {}`).
    fields: &'static str,
    /// `TestNewHeader_CORSPreflights` sends `OPTIONS` (line 250), `TestNewHeader_CORSResponses`
    /// `GET` (line 503), both to `/foo`.
    method: &'static str,
    /// `requestHeaders`, in order; a name given twice is a header with two values (Go's
    /// `Header.Get`, which the middleware uses, reads the first).
    request: &'static [(&'static str, &'static str)],
    /// `expected`, without `Content-Length` (see `PREFLIGHT_ANSWERED`).
    expected: &'static [(&'static str, &'static str)],
}

/// `ACRM` twice: the upstream preflights send `Access-Control-Request-Method: GET, OPTIONS`
/// as two values.
const PREFLIGHT: &[(&str, &str)] = &[
    ("Access-Control-Request-Headers", "origin"),
    ("Access-Control-Request-Method", "GET"),
    ("Access-Control-Request-Method", "OPTIONS"),
    ("Origin", "https://foo.bar.org"),
];
const PREFLIGHT_NO_ACRH: &[(&str, &str)] = &[
    ("Access-Control-Request-Method", "GET"),
    ("Access-Control-Request-Method", "OPTIONS"),
    ("Origin", "https://foo.bar.org"),
];
const FROM_FOO: &[(&str, &str)] = &[("Origin", "https://foo.bar.org")];

const CASES: &[Case] = &[
    // header_test.go:125 @ fd5a576d, TestNewHeader_CORSPreflights.
    Case {
        line: 125,
        desc: "Test Simple Preflight",
        fields: "accessControlAllowMethods: [GET, OPTIONS, PUT]\n\
                 accessControlAllowOriginList: ['https://foo.bar.org']\n\
                 accessControlMaxAge: 600\n",
        method: "OPTIONS",
        request: PREFLIGHT,
        expected: &[
            ("Access-Control-Allow-Origin", "https://foo.bar.org"),
            ("Access-Control-Max-Age", "600"),
            ("Access-Control-Allow-Methods", "GET,OPTIONS,PUT"),
        ],
    },
    // header_test.go:144 @ fd5a576d.
    Case {
        line: 144,
        desc: "Wildcard origin Preflight",
        fields: "accessControlAllowMethods: [GET, OPTIONS, PUT]\n\
                 accessControlAllowOriginList: ['*']\n\
                 accessControlMaxAge: 600\n",
        method: "OPTIONS",
        request: PREFLIGHT,
        expected: &[
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Max-Age", "600"),
            ("Access-Control-Allow-Methods", "GET,OPTIONS,PUT"),
        ],
    },
    // header_test.go:163 @ fd5a576d (`*` with credentials echoes the origin since f9d79007,
    // v3.6.22/v3.7.6; see `star_with_credentials_before_3_7_6` for the older expectation).
    Case {
        line: 163,
        desc: "Allow Credentials Preflight",
        fields: "accessControlAllowMethods: [GET, OPTIONS, PUT]\n\
                 accessControlAllowOriginList: ['*']\n\
                 accessControlAllowCredentials: true\n\
                 accessControlMaxAge: 600\n",
        method: "OPTIONS",
        request: PREFLIGHT,
        expected: &[
            ("Access-Control-Allow-Origin", "https://foo.bar.org"),
            ("Access-Control-Max-Age", "600"),
            ("Access-Control-Allow-Methods", "GET,OPTIONS,PUT"),
            ("Access-Control-Allow-Credentials", "true"),
        ],
    },
    // header_test.go:184 @ fd5a576d.
    Case {
        line: 184,
        desc: "Allow Headers Preflight",
        fields: "accessControlAllowMethods: [GET, OPTIONS, PUT]\n\
                 accessControlAllowOriginList: ['*']\n\
                 accessControlAllowHeaders: [origin, X-Forwarded-For]\n\
                 accessControlMaxAge: 600\n",
        method: "OPTIONS",
        request: PREFLIGHT,
        expected: &[
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Max-Age", "600"),
            ("Access-Control-Allow-Methods", "GET,OPTIONS,PUT"),
            ("Access-Control-Allow-Headers", "origin,X-Forwarded-For"),
        ],
    },
    // header_test.go:205 @ fd5a576d.
    Case {
        line: 205,
        desc: "No Request Headers Preflight",
        fields: "accessControlAllowMethods: [GET, OPTIONS, PUT]\n\
                 accessControlAllowOriginList: ['*']\n\
                 accessControlAllowHeaders: [origin, X-Forwarded-For]\n\
                 accessControlMaxAge: 600\n",
        method: "OPTIONS",
        request: PREFLIGHT_NO_ACRH,
        expected: &[
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Max-Age", "600"),
            ("Access-Control-Allow-Methods", "GET,OPTIONS,PUT"),
            ("Access-Control-Allow-Headers", "origin,X-Forwarded-For"),
        ],
    },
    // header_test.go:225 @ fd5a576d (added by 9badb31b, v3.6.22/v3.7.6: no
    // `accessControlMaxAge`, no `Access-Control-Max-Age`; see `nil_max_age_before_3_7_6`).
    Case {
        line: 225,
        desc: "Nil MaxAge Preflight",
        fields: "accessControlAllowMethods: [GET, OPTIONS, PUT]\n\
                 accessControlAllowOriginList: ['*']\n",
        method: "OPTIONS",
        request: PREFLIGHT_NO_ACRH,
        expected: &[
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Methods", "GET,OPTIONS,PUT"),
        ],
    },
    // header_test.go:274 @ fd5a576d, TestNewHeader_CORSResponses.
    Case {
        line: 274,
        desc: "Test Simple Request",
        fields: "accessControlAllowOriginList: ['https://foo.bar.org']\n",
        method: "GET",
        request: FROM_FOO,
        expected: &[("Access-Control-Allow-Origin", "https://foo.bar.org")],
    },
    // header_test.go:287 @ fd5a576d.
    Case {
        line: 287,
        desc: "Wildcard origin Request",
        fields: "accessControlAllowOriginList: ['*']\n",
        method: "GET",
        request: FROM_FOO,
        expected: &[("Access-Control-Allow-Origin", "*")],
    },
    // header_test.go:300 @ fd5a576d.
    Case {
        line: 300,
        desc: "Regexp Origin Request",
        fields: "accessControlAllowOriginListRegex: ['^https?://([a-z]+)\\.bar\\.org$']\n",
        method: "GET",
        request: FROM_FOO,
        expected: &[("Access-Control-Allow-Origin", "https://foo.bar.org")],
    },
    // header_test.go:313 @ fd5a576d: Go's `MatchString` is unanchored.
    Case {
        line: 313,
        desc: "Partial Regexp Origin Request",
        fields: "accessControlAllowOriginListRegex: ['([a-z]+)\\.bar']\n",
        method: "GET",
        request: FROM_FOO,
        expected: &[("Access-Control-Allow-Origin", "https://foo.bar.org")],
    },
    // header_test.go:337 @ fd5a576d.
    Case {
        line: 337,
        desc: "Regexp Origin Request without matching",
        fields: "accessControlAllowOriginListRegex: ['([a-z]+)\\.bar\\.org']\n",
        method: "GET",
        request: &[("Origin", "https://bar.org")],
        expected: &[],
    },
    // header_test.go:348 @ fd5a576d: no `Origin` (Traefik reads it as empty, which the list
    // does not hold).
    Case {
        line: 348,
        desc: "Empty origin Request",
        fields: "accessControlAllowOriginList: ['https://foo.bar.org']\n",
        method: "GET",
        request: &[],
        expected: &[],
    },
    // header_test.go:363 @ fd5a576d (echoed since f9d79007; see
    // `star_with_credentials_before_3_7_6`).
    Case {
        line: 363,
        desc: "Allow Credentials Request",
        fields: "accessControlAllowOriginList: ['*']\n\
                 accessControlAllowCredentials: true\n",
        method: "GET",
        request: FROM_FOO,
        expected: &[
            ("Access-Control-Allow-Origin", "https://foo.bar.org"),
            ("Access-Control-Allow-Credentials", "true"),
        ],
    },
    // header_test.go:378 @ fd5a576d.
    Case {
        line: 378,
        desc: "Expose Headers Request",
        fields: "accessControlAllowOriginList: ['*']\n\
                 accessControlExposeHeaders: [origin, X-Forwarded-For]\n",
        method: "GET",
        request: FROM_FOO,
        expected: &[
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Expose-Headers", "origin,X-Forwarded-For"),
        ],
    },
    // header_test.go:393 @ fd5a576d.
    Case {
        line: 393,
        desc: "Test Simple Request with Vary Headers",
        fields: "accessControlAllowOriginList: ['https://foo.bar.org']\n\
                 addVaryHeader: true\n",
        method: "GET",
        request: FROM_FOO,
        expected: &[
            ("Access-Control-Allow-Origin", "https://foo.bar.org"),
            ("Vary", "Origin"),
        ],
    },
    // header_test.go:427 @ fd5a576d: the backend writes `Vary: Origin`, and the middleware
    // leaves a `Vary` that is exactly `Origin` alone (header.go:103-106), so the response holds
    // the middleware's own `Vary: Origin` once: what cors-lint says the middleware sends.
    Case {
        line: 427,
        desc: "Test Simple Request with Vary Headers and existing vary:origin response",
        fields: "accessControlAllowOriginList: ['https://foo.bar.org']\n\
                 addVaryHeader: true\n",
        method: "GET",
        request: FROM_FOO,
        expected: &[
            ("Access-Control-Allow-Origin", "https://foo.bar.org"),
            ("Vary", "Origin"),
        ],
    },
    // header_test.go:446 @ fd5a576d: the backend `Set`s `Access-Control-Allow-Origin:
    // http://foo.bar.org`; the middleware's `res.Header.Set` (header.go:84) replaces it, so the
    // response carries the middleware's value alone.
    Case {
        line: 446,
        desc: "Test Simple Request with non-empty response: set ACAO",
        fields: "accessControlAllowOriginList: ['*']\n",
        method: "GET",
        request: FROM_FOO,
        expected: &[("Access-Control-Allow-Origin", "*")],
    },
    // header_test.go:463 @ fd5a576d: the same with the backend's `Header.Add`.
    Case {
        line: 463,
        desc: "Test Simple Request with non-empty response: add ACAO",
        fields: "accessControlAllowOriginList: ['*']\n",
        method: "GET",
        request: FROM_FOO,
        expected: &[("Access-Control-Allow-Origin", "*")],
    },
];

/// Upstream cases cors-lint cannot take as input, and why.
const NOT_EXPRESSIBLE: &[(u32, &str, &str)] = &[(
    408,
    "Test Simple Request with Vary Headers and non-empty response",
    "the expected `Vary: Testing,Origin` joins the backend's own `Vary: Testing` with the \
     middleware's `Origin` (header.go:103-113); cors-lint models what the middleware sends, \
     not the backend's headers",
)];

/// The file provider's dynamic configuration holding one `headers` middleware.
fn file_provider(fields: &str) -> String {
    let mut out = String::from("http:\n  middlewares:\n    cors:\n      headers:");
    if fields.is_empty() {
        out.push_str(" {}\n");
    } else {
        out.push('\n');
        for l in fields.lines() {
            out.push_str(&format!("        {l}\n"));
        }
    }
    out
}

/// The same middleware as a Kubernetes `Middleware` object.
fn crd(fields: &str) -> String {
    let mut out = String::from(
        "apiVersion: traefik.io/v1alpha1\nkind: Middleware\nmetadata:\n  name: cors\nspec:\n  headers:",
    );
    if fields.is_empty() {
        out.push_str(" {}\n");
    } else {
        out.push('\n');
        for l in fields.lines() {
            out.push_str(&format!("    {l}\n"));
        }
    }
    out
}

fn options(version: Option<&str>) -> Options {
    Options {
        traefik_version: version.map(|v| Version::parse(v).expect("a version")),
        ..Options::default()
    }
}

/// The policies cors-lint lowers from `text` (named `name`).
fn lower(name: &str, text: &str, version: Option<&str>) -> Vec<CorsPolicy> {
    let file = SourceFile::new(name, text.as_bytes().to_vec(), Dialect::Traefik.encoding());
    frontend::lower(Dialect::Traefik, &file, &options(version))
        .unwrap_or_else(|e| panic!("{name}: {}\n{text}", e.message))
        .policies
}

fn request(method: &str, headers: &[(&str, &str)]) -> ServerRequest {
    ServerRequest {
        method: method.into(),
        path: "/foo".into(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
            .collect(),
    }
}

/// What the middleware answers in both forms (which must agree), or `None` when cors-lint
/// finds no CORS policy in it.
fn answer(c: &Case, version: Option<&str>) -> Option<ServerResponse> {
    let mut answers = Vec::new();
    for (name, text) in [
        ("dynamic.yml", file_provider(c.fields)),
        ("middleware.yaml", crd(c.fields)),
    ] {
        let policies = lower(name, &text, version);
        assert!(
            policies.len() <= 1,
            "{}: {name}: {} policies",
            c.desc,
            policies.len()
        );
        answers.push(policies.first().map(|p| {
            let req = request(c.method, c.request);
            sim::respond(p, &p.scope.listeners[0], &req, &[])
        }));
    }
    assert_eq!(
        answers[0], answers[1],
        "{}: the file provider and the Middleware object answer differently",
        c.desc
    );
    answers.pop().unwrap()
}

/// The response's headers, names lower-cased, sorted.
fn headers(r: &ServerResponse) -> Vec<(String, String)> {
    let mut h: Vec<(String, String)> = r
        .headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
        .collect();
    h.sort();
    h
}

fn expected(e: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut h: Vec<(String, String)> = e
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
        .collect();
    h.sort();
    h
}

/// The upstream preflight cases expect `Content-Length: 0`, which only the middleware's own
/// preflight answer sets (header.go:52-55, status 200); cors-lint says so in the answer's
/// status and reason.
const PREFLIGHT_ANSWERED: &str = "Traefik answers a CORS preflight itself";

fn check(c: &Case, version: Option<&str>) {
    check_expecting(c, c.expected, version)
}

/// [`check`], expecting `want` instead of the case's own `expected`.
fn check_expecting(c: &Case, want: &[(&str, &str)], version: Option<&str>) {
    let r = answer(c, version).unwrap_or_else(|| {
        panic!(
            "{UPSTREAM}:{} {}: cors-lint finds no CORS policy",
            c.line, c.desc
        )
    });
    let what = format!(
        "{UPSTREAM}:{} {:?} (Traefik {})",
        c.line,
        c.desc,
        version.unwrap_or("default")
    );
    assert_eq!(headers(&r), expected(want), "{what}: {}", r.reason);
    // The backend behind the middleware answers 200 (`w.WriteHeader(http.StatusOK)`,
    // header_test.go:263); so does the middleware's own preflight answer.
    assert_eq!(r.status, Some(200), "{what}: {}", r.reason);
    assert_eq!(
        r.reason.contains(PREFLIGHT_ANSWERED),
        c.method == "OPTIONS",
        "{what}: {}",
        r.reason
    );
}

#[test]
fn cors_preflights_and_responses() {
    for c in CASES {
        check(c, None);
    }
    assert_eq!(CASES.len() + NOT_EXPRESSIBLE.len() + 3, 22, "every case");
}

/// header_test.go:326 @ fd5a576d "Regexp Malformed Origin Request": `NewHeader` fails
/// (`expectedError`) on `a(b`, which Go's `regexp.Compile` refuses: cors-lint reports the
/// entry (TFK003) and claims nothing about what the middleware sends.
#[test]
fn malformed_regex_is_refused() {
    let fields = "accessControlAllowOriginListRegex: ['a(b']\n";
    for (name, text) in [
        ("dynamic.yml", file_provider(fields)),
        ("middleware.yaml", crd(fields)),
    ] {
        let report = lint_bytes(
            name.into(),
            text.clone().into_bytes(),
            Dialect::Traefik,
            String::new(),
            &Settings::default(),
        );
        let codes: Vec<&str> = report.findings.iter().map(|f| f.code).collect();
        assert!(codes.contains(&"TFK003"), "{name}: {codes:?}");
        for p in lower(name, &text, None) {
            assert!(
                matches!(p.allow_origin, OriginPolicy::Unknown { .. }),
                "{name}: cors-lint claims an origin policy for a middleware Traefik cannot \
                 build: {:?}",
                p.allow_origin
            );
        }
    }
}

/// header_test.go:357 @ fd5a576d "Not Defined origin Request" (no fields at all) and
/// header_test.go:480 "Test Simple CustomRequestHeaders Not Hijacked by CORS" (only
/// `customRequestHeaders`, and a `GET` carrying preflight headers): no CORS header at all
/// (`expected: {}`), as `HasCorsHeadersDefined` is false: cors-lint finds no CORS policy.
#[test]
fn no_cors_fields_no_cors_headers() {
    for (line, desc, fields, request) in [
        (357, "Not Defined origin Request", "", &[][..]),
        (
            480,
            "Test Simple CustomRequestHeaders Not Hijacked by CORS",
            "customRequestHeaders:\n  foo: bar\n",
            PREFLIGHT,
        ),
    ] {
        let c = Case {
            line,
            desc,
            fields,
            method: "GET",
            request,
            expected: &[],
        };
        assert_eq!(
            answer(&c, None),
            None,
            "{UPSTREAM}:{line} {desc}: a CORS policy"
        );
    }
}

/// Before f9d79007 (v3.6.22/v3.7.6) the same two cases expected a literal `*` with
/// credentials: header_test.go @ 26c96a39 (v3.7.5) lines 177 and 356 — what cors-lint
/// models with `--assume-version traefik=3.7.5`.
#[test]
fn star_with_credentials_before_3_7_6() {
    for c in CASES
        .iter()
        .filter(|c| c.desc.starts_with("Allow Credentials"))
    {
        let old: Vec<(&str, &str)> = c
            .expected
            .iter()
            .map(|&(n, v)| {
                if n == "Access-Control-Allow-Origin" {
                    (n, "*")
                } else {
                    (n, v)
                }
            })
            .collect();
        check_expecting(c, &old, Some("3.7.5"));
    }
}

/// header_test.go:225 "Nil MaxAge Preflight" came with 9badb31b ("Fix CORS Max-Age set to 0
/// by default", first in v3.6.22 and v3.7.6), which made `accessControlMaxAge` a `*int64`.
/// Before, it is an `int64` and header.go @ 26c96a39 (v3.7.5) line 171 sets
/// `Access-Control-Max-Age: strconv.Itoa(int(0))` on every preflight: `0` — on the 3.6 line
/// until v3.6.21 and in every older release (`Version::max_age_is_int64`).
#[test]
fn nil_max_age_before_3_7_6() {
    let c = CASES
        .iter()
        .find(|c| c.desc == "Nil MaxAge Preflight")
        .unwrap();
    for version in ["3.7.5", "3.6.21", "3.1.0"] {
        check_expecting(
            c,
            &[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Methods", "GET,OPTIONS,PUT"),
                ("Access-Control-Max-Age", "0"),
            ],
            Some(version),
        );
    }
}

/// header_test.go:378 "Expose Headers Request" sent as a preflight (the upstream suite has no
/// such case): f9d79007 (first in v3.6.22 and v3.7.6) makes `processCorsHeaders` set
/// `Access-Control-Expose-Headers` on the preflight answer too (header.go:182-187 @ v3.7.6
/// and v3.6.22); before, only the response modifier sets it (header.go:93-96 @ v3.7.5), which
/// a preflight answered by the middleware never reaches (`Max-Age: 0` there: an `int64`).
#[test]
fn expose_headers_on_preflights_since_3_7_6() {
    let response = CASES
        .iter()
        .find(|c| c.desc == "Expose Headers Request")
        .unwrap();
    let preflight = Case {
        method: "OPTIONS",
        request: PREFLIGHT,
        ..*response
    };
    for version in [None, Some("3.7.6"), Some("3.6.22")] {
        check_expecting(
            &preflight,
            &[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Expose-Headers", "origin,X-Forwarded-For"),
            ],
            version,
        );
    }
    for version in ["3.7.5", "3.6.21", "3.5.6", "2.11.53"] {
        check_expecting(
            &preflight,
            &[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Max-Age", "0"),
            ],
            Some(version),
        );
    }
}
