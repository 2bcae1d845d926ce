//! ingress-nginx's CORS annotation parser tests (kubernetes/ingress-nginx @ 07eb1e0a,
//! `internal/ingress/annotations/cors/main_test.go`), re-expressed: the same annotations
//! read by cors-lint's ingress-nginx front end give the values the controller's parser
//! returns. No upstream code is copied; the annotation values and the expected results are
//! the test's inputs.

use cors_lint::frontend::{self, Dialect, Options};
use cors_lint::ir::{CorsPolicy, Credentials, MaxAge, OriginMatcher, OriginPolicy};
use cors_lint::source::SourceFile;

const P: &str = "nginx.ingress.kubernetes.io/";

fn policies(annotations: &[(&str, &str)]) -> Vec<CorsPolicy> {
    let mut text =
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: foo\n  annotations:\n"
            .to_string();
    for (k, v) in annotations {
        text.push_str(&format!("    {P}{k}: {}\n", yaml_quoted(v)));
    }
    text.push_str("spec:\n  rules:\n    - host: foo.bar.com\n");
    let file = SourceFile::new(
        "ing.yaml",
        text.into_bytes(),
        Dialect::IngressNginx.encoding(),
    );
    frontend::lower(Dialect::IngressNginx, &file, &Options::default())
        .expect("lowers")
        .policies
}

/// A YAML double-quoted scalar.
fn yaml_quoted(v: &str) -> String {
    format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
}

fn origins(p: &CorsPolicy) -> Vec<String> {
    let OriginPolicy::Match(m) = &p.allow_origin else {
        panic!("not a matched origin: {:?}", p.allow_origin);
    };
    m.matchers
        .iter()
        .map(|(x, _)| match x {
            OriginMatcher::Exact { origin, .. } => origin.clone(),
            OriginMatcher::Null => "null".into(),
            other => format!("{other:?}"),
        })
        .collect()
}

fn list(l: &cors_lint::ir::AllowList) -> String {
    l.entries()
        .unwrap_or_default()
        .into_iter()
        .map(|(e, _)| e)
        .collect::<Vec<_>>()
        .join(",")
}

fn max_age(p: &CorsPolicy) -> Option<i64> {
    match p.max_age {
        MaxAge::Seconds { value, .. } => Some(value),
        _ => None,
    }
}

/// main_test.go `TestIngressCorsConfigValid`.
#[test]
fn valid_values_are_taken() {
    let p = policies(&[
        ("enable-cors", "true"),
        (
            "cors-allow-headers",
            "DNT,X-CustomHeader, Keep-Alive,User-Agent",
        ),
        ("cors-allow-credentials", "false"),
        ("cors-allow-methods", "GET, PATCH"),
        ("cors-allow-origin", "null, https://origin123.test.com:4443"),
        ("cors-expose-headers", "*, X-CustomResponseHeader"),
        ("cors-max-age", "600"),
    ]);
    assert_eq!(p.len(), 1);
    let p = &p[0];
    assert!(matches!(p.credentials, Credentials::Off { .. }));
    assert_eq!(
        list(&p.allow_headers),
        "DNT,X-CustomHeader,Keep-Alive,User-Agent"
    );
    assert_eq!(list(&p.allow_methods), "GET,PATCH");
    assert_eq!(origins(p), ["null", "https://origin123.test.com:4443"]);
    assert_eq!(list(&p.expose_headers), "*,X-CustomResponseHeader");
    assert_eq!(max_age(p), Some(600));
}

/// main_test.go `TestIngressCorsConfigInvalid`: `enable-cors: "yes"` is not a Go boolean, so
/// CORS stays off; with `enable-cors: "true"` the other invalid values fall back to the
/// parser's defaults (credentials on, the default header and method lists, no exposed
/// headers, 1728000 s): `defaultCorsHeaders`, `defaultCorsMethods`, `defaultCorsMaxAge` of
/// `main.go`.
#[test]
fn invalid_values_fall_back_to_the_defaults() {
    let invalid = [
        ("cors-allow-headers", "@alright, #ingress"),
        ("cors-allow-credentials", "no"),
        ("cors-allow-methods", "GET, PATCH, $nginx"),
        ("cors-allow-origin", "origin123.test.com:4443"),
        ("cors-expose-headers", "@alright, #ingress"),
        ("cors-max-age", "abcd"),
    ];
    let mut off = vec![("enable-cors", "yes")];
    off.extend(invalid);
    assert!(policies(&off).is_empty(), "CORS is off");
    // The upstream test does not look at the origin here; an entry without a scheme is
    // dropped (INGX003), which would leave no origin, so it stays out of this half.
    let mut on = vec![("enable-cors", "true")];
    on.extend(invalid.iter().filter(|(k, _)| *k != "cors-allow-origin"));
    let p = &policies(&on)[0];
    assert!(matches!(p.credentials, Credentials::On { .. }));
    assert_eq!(
        list(&p.allow_headers),
        "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization"
    );
    assert_eq!(list(&p.allow_methods), "GET,PUT,POST,DELETE,PATCH,OPTIONS");
    assert_eq!(list(&p.expose_headers), "");
    assert_eq!(max_age(p), Some(1_728_000));
}

/// main_test.go `TestIngressCorsConfigAllowOriginWithTrailingComma`,
/// `TestIngressCorsConfigAllowOriginNull`, `TestIngressCorsConfigAllowOriginWithNonHttpProtocol`.
#[test]
fn origin_lists_split_as_the_parser_splits_them() {
    let o = |v: &str| origins(&policies(&[("enable-cors", "true"), ("cors-allow-origin", v)])[0]);
    assert_eq!(
        o("https://origin123.test.com:4443,    ,https://origin321.test.com:4443,"),
        [
            "https://origin123.test.com:4443",
            "https://origin321.test.com:4443"
        ]
    );
    assert_eq!(
        o("https://origin123.test.com:4443,null,https://origin321.test.com:4443"),
        [
            "https://origin123.test.com:4443",
            "null",
            "https://origin321.test.com:4443"
        ]
    );
    assert_eq!(o("test://localhost"), ["test://localhost"]);
}
