use super::*;
use crate::frontend::nginx::syntax::parse;

fn lowered(src: &str) -> Vec<CorsPolicy> {
    let c = parse(src.as_bytes()).expect("parses");
    lower(
        src.as_bytes(),
        &c,
        Target {
            version: Version(1, 22, 1),
            assumed: false,
        },
    )
}

/// Each policy's scope and origin behaviour, with the text of every matcher's span.
fn origins(src: &str) -> Vec<(String, String)> {
    lowered(src)
        .iter()
        .map(|p| {
            let o = match &p.allow_origin {
                OriginPolicy::NotSent => "-".to_string(),
                OriginPolicy::Static(v) => format!("static {}", &src[v.span().range()]),
                OriginPolicy::Unknown { at, why } => {
                    format!("unknown {}: {why}", &src[at.range()])
                }
                OriginPolicy::Match(m) => m
                    .matchers
                    .iter()
                    .map(|(x, s)| {
                        let kind = match x {
                            OriginMatcher::Any => "any",
                            OriginMatcher::Exact { .. } => "exact",
                            OriginMatcher::Regex { .. } => "regex",
                            _ => "other",
                        };
                        format!("{kind} {}", &src[s.range()])
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            };
            (p.scope.description.clone(), o)
        })
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn literal_and_reflected_origins() {
    let src = "server { server_name a.test; location / { add_header Access-Control-Allow-Origin 'https://x.test' always; } \
               location /r { add_header Access-Control-Allow-Origin $http_origin; } }";
    assert_eq!(
        origins(src),
        pairs(&[
            ("location `/` of server `a.test`", "static https://x.test"),
            ("location `/r` of server `a.test`", "any $http_origin"),
        ])
    );
}

#[test]
fn origin_checks_in_if_map_and_flags() {
    let src = r#"http {
  map $http_origin $allowed { default ""; ~^https://(a|b)\.test$ $http_origin; "https://c.test" $http_origin; }
  server {
set $cors "";
if ($http_origin ~* "^https://.*\.example\.org") { set $cors "true"; }
location /if { if ($http_origin ~ ^https://d\.test$) { add_header Access-Control-Allow-Origin $http_origin; } }
location /map { add_header Access-Control-Allow-Origin $allowed; }
location /flag { if ($cors = "true") { add_header Access-Control-Allow-Origin $http_origin; } }
location /guard { if ($http_origin !~ '^https://e\.test$') { return 403; } add_header Access-Control-Allow-Origin $http_origin; }
  }
}"#;
    assert_eq!(
        origins(src),
        pairs(&[
            (
                "location `/if` of the server, when `$http_origin ~ ^https://d\\.test$`",
                "regex ^https://d\\.test$"
            ),
            (
                "location `/map` of the server",
                "regex ^https://(a|b)\\.test$; exact https://c.test"
            ),
            (
                "location `/flag` of the server, when `$cors = true`",
                "regex ^https://.*\\.example\\.org"
            ),
            (
                "location `/guard` of the server",
                "regex ^https://e\\.test$"
            ),
        ])
    );
}

fn text(src: &str, span: Span) -> &str {
    &src[span.range()]
}

#[test]
fn inherited_headers_lost_to_a_block_with_its_own() {
    // Facts scenario 01 and 05: a location (or an `if`) with any add_header drops the
    // server's CORS headers.
    let src = "server { add_header Access-Control-Allow-Origin https://a.test always;\n\
               location /api { add_header X-Frame-Options DENY; }\n\
               location / { if ($request_method = OPTIONS) { add_header Access-Control-Allow-Methods PUT; return 204; } } }";
    let ps = lowered(src);
    let lost: Vec<(String, &str, &str)> = ps
        .iter()
        .flat_map(|p| {
            p.lost_headers.iter().map(|l| {
                (
                    p.scope.description.clone(),
                    text(src, l.declared),
                    text(src, l.cause),
                )
            })
        })
        .collect();
    assert_eq!(
        lost,
        vec![
            (
                "location `/api` of the server".to_string(),
                "add_header Access-Control-Allow-Origin https://a.test always;",
                "add_header X-Frame-Options DENY;"
            ),
            (
                "location `/` of the server, when `$request_method = OPTIONS`".to_string(),
                "add_header Access-Control-Allow-Origin https://a.test always;",
                "add_header Access-Control-Allow-Methods PUT;"
            ),
        ]
    );
    // `add_header_inherit merge` (nginx 1.29.3) keeps them.
    let merged = "server { add_header Access-Control-Allow-Origin https://a.test always;\n\
                  location /api { add_header_inherit merge; add_header X-Frame-Options DENY; } }";
    let c = parse(merged.as_bytes()).unwrap();
    let newest = lower(
        merged.as_bytes(),
        &c,
        Target {
            version: Version::NEWEST,
            assumed: true,
        },
    );
    assert!(newest.iter().all(|p| p.lost_headers.is_empty()));
    assert!(lowered(merged).iter().any(|p| !p.lost_headers.is_empty()));
}

#[test]
fn last_matching_if_wins() {
    // Facts scenario 12.
    let src = "server { location / {\n\
               if ($http_origin) { add_header Access-Control-Allow-Origin *; }\n\
               if ($request_method = GET) { add_header Access-Control-Allow-Methods 'GET, POST'; } } }";
    let ps = lowered(src);
    let last = ps
        .iter()
        .find(|p| p.scope.description.ends_with("`$request_method = GET`"))
        .unwrap();
    assert_eq!(last.lost_headers.len(), 1);
    assert_eq!(
        text(src, last.lost_headers[0].declared),
        "add_header Access-Control-Allow-Origin *;"
    );
    // Two equality tests of one variable never both hold.
    let exclusive = "server { location / {\n\
               if ($request_method = POST) { add_header Access-Control-Allow-Origin *; }\n\
               if ($request_method = GET) { add_header Access-Control-Allow-Methods GET; } } }";
    assert!(lowered(exclusive).iter().all(|p| p.lost_headers.is_empty()));
}

#[test]
fn error_statuses_repeats_and_values() {
    let src = "server { location / {\n\
               add_header Access-Control-Allow-Origin https://a.test;\n\
               add_header Access-Control-Allow-Origin https://a.test always;\n\
               add_header Access-Control-Allow-Credentials \"true\" always;\n\
               more_set_headers 'Access-Control-Max-Age:  600';\n\
               add_header Vary Origin; } }";
    let ps = lowered(src);
    assert_eq!(ps.len(), 1);
    let p = &ps[0];
    assert!(!p.emission.on_errors);
    assert_eq!(
        text(src, p.emission.errors_cause.as_ref().unwrap().0),
        "add_header Access-Control-Allow-Origin https://a.test;"
    );
    assert_eq!(p.repeated_headers.len(), 1);
    assert_eq!(
        text(src, p.repeated_headers[0].again),
        "add_header Access-Control-Allow-Origin https://a.test always;"
    );
    match p.credentials {
        Credentials::On { at } => assert_eq!(text(src, at), "true"),
        ref other => panic!("{other:?}"),
    }
    match p.max_age {
        MaxAge::Seconds { value, at, .. } => {
            assert_eq!((value, text(src, at)), (600, "600"));
        }
        ref other => panic!("{other:?}"),
    }
    assert_eq!(p.vary_origin, VaryOrigin::Always);
    // A branch that returns 204 sends what applies to 204, and has no error responses.
    let src = "server { location / { add_header Access-Control-Allow-Origin https://a.test;\n\
               if ($request_method = OPTIONS) { return 204; } } }";
    let ps = lowered(src);
    assert_eq!(ps.len(), 2);
    assert!(ps[1].emission.on_errors);
    assert!(matches!(ps[1].allow_origin, OriginPolicy::Static(_)));
    // ... and nothing a 403 does not get.
    let src = "server { location / { add_header Access-Control-Allow-Origin https://a.test;\n\
               if ($http_origin = '') { return 403; } } }";
    assert_eq!(lowered(src).len(), 1);
}

#[test]
fn fragments_at_every_level() {
    // A location-level snippet (ingress-nginx configuration-snippet) and a server-level one.
    let snippet = "add_header Access-Control-Allow-Origin $http_origin;";
    assert_eq!(
        origins(snippet),
        pairs(&[("this configuration", "any $http_origin")])
    );
    let server = "location /x { add_header Access-Control-Allow-Origin https://a.test; }";
    assert_eq!(
        origins(server),
        pairs(&[("location `/x`", "static https://a.test")])
    );
}

#[test]
fn misreadings_are_caught_by_the_model() {
    // An `if` on something other than the origin: read as "echo any origin", but the
    // probe (no Host) never enters the branch, so the claim is withdrawn, not guessed.
    let src = "http { map $http_host $ok { default 0; a.test 1; }\n\
               server { location / { if ($ok) { add_header Access-Control-Allow-Origin $http_origin; } } } }";
    let o = origins(src);
    assert_eq!(o.len(), 1);
    assert!(o[0].1.starts_with("unknown $http_origin"), "{o:?}");
    // The same echo on a branch the probe does enter is confirmed.
    let src = "http { server { location / { if ($request_method = GET) { add_header Access-Control-Allow-Origin $http_origin; } } } }";
    assert_eq!(origins(src)[0].1, "any $http_origin");
    // A guard this lowering does not follow (the origin copied to `$o` first): the model
    // answers the probe with 403 and no header, so "echoes every origin" is withdrawn.
    // (With `always` the 403 would echo the origin, and the claim would stand.)
    let src = "http { server { location / { set $o $http_origin; if ($o ~ ^https://a\\.test$) { set $x 1; }\n\
               if ($x = '') { return 403; } add_header Access-Control-Allow-Origin $http_origin; } } }";
    let o = origins(src);
    assert!(
        o[0].1
            .starts_with("unknown $http_origin: cors-lint read this as echoing"),
        "{o:?}"
    );
}

#[test]
fn includes_hide_what_they_add() {
    let src = "server { add_header Access-Control-Allow-Origin https://a.test always;\n\
               location /api { include cors.conf; add_header X-Frame-Options DENY; }\n\
               location /b { include cors.conf; add_header Access-Control-Allow-Methods PUT; } }";
    let ps = lowered(src);
    assert!(ps.iter().all(|p| p.lost_headers.is_empty()));
    let b = ps
        .iter()
        .find(|p| p.scope.description.contains("/b"))
        .unwrap();
    assert!(matches!(b.allow_origin, OriginPolicy::Unknown { .. }));
}

#[test]
fn more_clear_headers_makes_the_origin_unknown() {
    let src = "server { location / { add_header Access-Control-Allow-Origin *; more_clear_headers 'Access-Control-*'; } }";
    let o = origins(src);
    assert!(o[0].1.starts_with("unknown more_clear_headers"), "{o:?}");
}

/// Variables in method and header lists are read through the `set` that gives them one
/// literal, with its bytes; anything else is unknown, never a method named `$cors_methods`.
#[test]
fn list_variables_resolve_through_set_or_stay_unknown() {
    let src = "server { location / { set $m 'GET, patch'; set $h \"X-A, ${m}\"; \
               add_header Access-Control-Allow-Origin https://a.test always; \
               add_header Access-Control-Allow-Methods \"$m, PUT\" always; \
               add_header Access-Control-Allow-Headers $h always; \
               add_header Access-Control-Expose-Headers $undefined always; } }";
    let p = &lowered(src)[0];
    let entries = |l: &AllowList| -> Vec<String> {
        l.entries()
            .expect("known")
            .into_iter()
            .map(|(e, s)| format!("{e}@{}", &src[s.range()]))
            .collect()
    };
    assert_eq!(
        entries(&p.allow_methods),
        ["GET@GET", "patch@patch", "PUT@PUT"]
    );
    assert_eq!(
        entries(&p.allow_headers),
        ["X-A@X-A", "GET@GET", "patch@patch"]
    );
    assert!(p.expose_headers.entries().is_none());
    // Set in an `if` too, or per request by a map: unknown.
    for other in ["if ($x) { set $m 'PUT'; }", ""] {
        let src = format!(
            "map $request_method $n {{ default GET; }} server {{ location / {{ set $m 'GET'; {other} \
             add_header Access-Control-Allow-Origin https://a.test always; \
             add_header Access-Control-Allow-Methods \"{}\" always; }} }}",
            if other.is_empty() { "$n" } else { "$m" }
        );
        let p = &lowered(&src)[0];
        assert!(p.allow_methods.entries().is_none(), "{src}");
    }
}

/// A branch that answers with `return` never proxies, so nothing of the backend passes
/// through it; a place without `return` that proxies does.
#[test]
fn a_returning_branch_has_no_backend() {
    let src = "location / { if ($request_method = OPTIONS) { \
               add_header Access-Control-Allow-Origin https://a.test; return 204; } \
               add_header Access-Control-Allow-Origin https://a.test; proxy_pass http://b; }";
    let ps = lowered(src);
    assert_eq!(ps.len(), 2);
    assert!(ps[0].backend_passthrough.is_some());
    assert!(
        ps[1].backend_passthrough.is_none(),
        "{}",
        ps[1].scope.description
    );
}

/// Error responses are readable when the origin header reaches them (`always`); methods
/// and headers without `always` do not make them unreadable.
#[test]
fn errors_are_readable_when_the_origin_header_is_always_sent() {
    let src = "location / { add_header Access-Control-Allow-Origin https://a.test always; \
               add_header Access-Control-Allow-Methods 'GET, PUT'; }";
    assert!(lowered(src)[0].emission.on_errors);
    let creds = "location / { add_header Access-Control-Allow-Origin https://a.test always; \
                 add_header Access-Control-Allow-Credentials true; }";
    let p = &lowered(creds)[0];
    assert!(!p.emission.on_errors);
    assert_eq!(
        &creds[p.emission.errors_cause.as_ref().unwrap().0.range()],
        "add_header Access-Control-Allow-Credentials true;"
    );
    let none = "location / { add_header Access-Control-Allow-Origin https://a.test; }";
    assert!(!lowered(none)[0].emission.on_errors);
}
