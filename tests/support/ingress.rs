//! What ingress-nginx controller v1.15.1 puts into nginx for a set of CORS annotations, so a
//! real nginx can answer as a cluster would. This is the test's own reading of the
//! controller (`internal/ingress/annotations/cors/main.go`, `template.go`
//! `buildCorsOriginRegex`, `nginx.tmpl` `{{ define "CORS" }}`; facts file ingress-nginx.md
//! §1.1–1.4), written apart from the front end so the two can disagree.

use regex::Regex;

const PREFIX: &str = "nginx.ingress.kubernetes.io/";
const DEFAULT_METHODS: &str = "GET, PUT, POST, DELETE, PATCH, OPTIONS";
const DEFAULT_HEADERS: &str = "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization";
const DEFAULT_MAX_AGE: i64 = 1_728_000;

/// The controller's parsed CORS configuration (`cors.Config`).
#[derive(Clone, Debug)]
pub struct Config {
    pub enabled: bool,
    pub origins: Vec<String>,
    pub credentials: bool,
    pub methods: String,
    pub headers: String,
    pub expose: String,
    pub max_age: i64,
}

fn go_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// `ValidateRegex(re, true)`: the whole value, spaces removed, must match.
fn valid(re: &str, v: &str) -> bool {
    Regex::new(re).unwrap().is_match(&v.replace(' ', ""))
}

/// `cors.Parse` for the annotations of one Ingress.
pub fn parse(annotations: &[(&str, &str)]) -> Config {
    let get = |k: &str| {
        annotations
            .iter()
            .find(|(n, _)| *n == format!("{PREFIX}{k}"))
            .map(|(_, v)| *v)
            .filter(|v| !v.is_empty())
    };
    let enabled = get("enable-cors").and_then(go_bool).unwrap_or(false);
    let credentials = get("cors-allow-credentials")
        .and_then(go_bool)
        .unwrap_or(true);
    let origin_value = get("cors-allow-origin");
    let origins = match origin_value {
        None => vec!["*".to_string()],
        Some(v)
            if !valid(
                r"^((((([a-z]+://)?(\*\.)?[A-Za-z0-9\-.]*(:\d+)?,?)|null)+)|\*)?$",
                v,
            ) =>
        {
            vec!["*".to_string()]
        }
        Some(v) => {
            let entry = Regex::new(r"^([a-z]+://(\*\.)?[A-Za-z0-9\-.]*(:\d+)?|\*|null)?$").unwrap();
            let mut out = Vec::new();
            for e in v.split(',').map(str::trim).filter(|e| !e.is_empty()) {
                if e == "*" {
                    out = vec!["*".to_string()];
                    break;
                }
                if entry.is_match(e) {
                    out.push(e.to_string());
                }
            }
            out
        }
    };
    let checked = |k: &str, re: &str, default: &str| match get(k) {
        Some(v) if valid(re, v) && Regex::new(re).unwrap().is_match(v) => v.to_string(),
        _ => default.to_string(),
    };
    Config {
        enabled,
        origins,
        credentials,
        methods: checked(
            "cors-allow-methods",
            r"^([A-Za-z]+,?\s?)+$",
            DEFAULT_METHODS,
        ),
        headers: checked("cors-allow-headers", r"^[A-Za-z0-9-_, ]*$", DEFAULT_HEADERS),
        expose: checked(
            "cors-expose-headers",
            r"^(([A-Za-z0-9\-\_]+|\*),?\s?)+$",
            "",
        ),
        max_age: get("cors-max-age")
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_MAX_AGE),
    }
}

/// `buildCorsOriginRegex`.
fn origin_regex(origins: &[String]) -> String {
    if origins.len() == 1 && origins[0] == "*" {
        return "set $http_origin *;\nset $cors 'true';\n".into();
    }
    let parts: Vec<String> = origins
        .iter()
        .map(|o| {
            let quoted = regex::escape(o.trim());
            format!("({})", quoted.replacen(r"\*", r"[A-Za-z0-9\-]+", 1))
        })
        .collect();
    format!(
        "if ($http_origin ~* ({})$ ) {{ set $cors 'true'; }}\n",
        parts.join("|")
    )
}

/// The CORS part of a location, as `{{ template "CORS" $location }}` renders it.
pub fn location_cors(c: &Config) -> String {
    if !c.enabled {
        return String::new();
    }
    let mut headers =
        String::from("more_set_headers 'Access-Control-Allow-Origin: $http_origin';\n");
    if c.credentials {
        headers.push_str("more_set_headers 'Access-Control-Allow-Credentials: true';\n");
    }
    headers.push_str(&format!(
        "more_set_headers 'Access-Control-Allow-Methods: {}';\nmore_set_headers 'Access-Control-Allow-Headers: {}';\n",
        c.methods, c.headers
    ));
    if !c.expose.is_empty() {
        headers.push_str(&format!(
            "more_set_headers 'Access-Control-Expose-Headers: {}';\n",
            c.expose
        ));
    }
    headers.push_str(&format!(
        "more_set_headers 'Access-Control-Max-Age: {}';\n",
        c.max_age
    ));
    let origins = if c.origins.is_empty() {
        String::new()
    } else {
        origin_regex(&c.origins)
    };
    format!(
        "{origins}if ($request_method = 'OPTIONS') {{\nset $cors ${{cors}}options;\n}}\n\
         if ($cors = \"true\") {{\n{headers}}}\n\
         if ($cors = \"trueoptions\") {{\n{headers}more_set_headers 'Content-Type: text/plain charset=UTF-8';\nmore_set_headers 'Content-Length: 0';\nreturn 204;\n}}\n"
    )
}

/// The authentication a location gets from `auth-url`, `auth-signin`, and `auth-type: basic`
/// with `auth-realm` (`nginx.tmpl` l. 1006–1127, 1130–1147, 1216–1265), happy path only: the
/// values are taken as valid and the Secret as present. The auth service is a stand-in
/// inside the same nginx that, like one behind a real `auth-url`, accepts a request with
/// `Authorization` and refuses one without (401); basic authentication reads
/// `htpasswd` in the nginx prefix, whose one user the caller writes.
pub struct Auth {
    /// Locations beside the main one: the `auth_request` target and the sign-in location.
    pub server_locations: String,
    /// Directives after the CORS block in the main location.
    pub location: String,
}

pub fn auth(annotations: &[(&str, &str)], cors: &Config, id: usize) -> Auth {
    let get = |k: &str| {
        annotations
            .iter()
            .find(|(n, _)| *n == format!("{PREFIX}{k}"))
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let mut server_locations = String::new();
    let mut location = String::new();
    if get("auth-url").is_some() {
        let path = format!("/_external-auth-{id}");
        server_locations.push_str(&format!(
            "location = {path} {{\ninternal;\nif ($http_authorization = \"\") {{\nreturn 401;\n}}\nreturn 200;\n}}\n"
        ));
        location.push_str(&format!(
            "auth_request {path};\nauth_request_set $auth_cookie $upstream_http_set_cookie;\nadd_header Set-Cookie $auth_cookie;\n"
        ));
        if let Some(signin) = get("auth-signin") {
            let named = format!("@signin{id}");
            server_locations.push_str(&format!(
                "location {named} {{\ninternal;\nadd_header Set-Cookie $auth_cookie;\n{}return 302 {signin}?rd=$scheme://$host$request_uri;\n}}\n",
                location_cors(cors)
            ));
            location.push_str(&format!("error_page 401 = {named};\n"));
        }
    }
    if get("auth-type").as_deref() == Some("basic") {
        location.push_str(&format!(
            "auth_basic \"{}\";\nauth_basic_user_file __DIR__/htpasswd;\nproxy_set_header Authorization \"\";\n",
            get("auth-realm").unwrap_or_default()
        ));
    }
    Auth {
        server_locations,
        location,
    }
}
