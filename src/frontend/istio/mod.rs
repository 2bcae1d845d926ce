//! Istio `VirtualService` `spec.http[].corsPolicy` (`networking.istio.io` `v1alpha3`,
//! `v1beta1`, `v1`), as Istio hands it to Envoy's CORS filter.
//!
//! `allowOrigins` entries are `StringMatch`es: `exact` and `prefix` compare case-sensitively
//! and `prefix` knows nothing of origin boundaries; `regex` is RE2 matched against the whole
//! origin (case-sensitive unless `(?i)`). The deprecated `allowOrigin` strings are exact
//! matches, read only when `allowOrigins` is empty. Envoy echoes an allowed origin, and a
//! matcher that accepts the literal `*` (`exact: "*"`, `regex: ".*"`) allows every origin.
//! `maxAge` is a duration sent in whole seconds; `unmatchedPreflights` decides whether a
//! preflight from another origin goes to the backend (`FORWARD`, the default) or is answered
//! by Envoy (`IGNORE`). Istio's validation (`pkg/config/validation`: methods, header names,
//! regexes, empty matches, durations, an `http` entry without a destination) is applied:
//! what it rejects is an `IST002` finding and no policy.

use super::kube::envoy::{self, Spec, Unmatched, duration_seconds};
use super::kube::yaml::{self, CharMap};
use super::kube::{self, Stream, Typed};
use super::{InputError, Options};
use crate::ir::{
    AllowList, Credentials, FixHints, MaxAge, OnMatch, OriginMatcher, ResponseHeader, Server,
};
use crate::source::Span;
use saphyr::MarkedYaml;

pub const GROUP: &str = "networking.istio.io";
const KINDS: [&str; 1] = ["VirtualService"];

/// Istio's `supportedMethods` (`pkg/config/validation`): Go's `net/http` methods, no `*`.
pub const METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE",
];

/// What only this front end knows, for the `IST` rules.
#[derive(Clone, Debug)]
pub enum Fact {
    /// The deprecated `allowOrigin` field.
    DeprecatedAllowOrigin {
        object: String,
        at: Span,
        /// Whether `allowOrigins` is set too, so the deprecated list is ignored.
        ignored: bool,
        /// How to write it with `allowOrigins`, as help.
        replacement: String,
    },
    /// Istio's validation rejects the object.
    Rejected {
        object: String,
        at: Span,
        why: String,
        /// What to write instead, in the VirtualService's terms.
        help: String,
    },
}

/// A file's policies and facts.
pub struct Lowered {
    pub policies: Vec<CorsPolicy>,
    pub facts: Vec<Fact>,
}

use crate::ir::CorsPolicy;

/// Whether a file holds configuration this front end reads, and why.
pub fn recognise_stream(file_name: &str, stream: &Stream) -> Result<String, String> {
    kube::recognise_objects(file_name, stream, &KINDS, GROUP)
}

struct Cx<'s> {
    src: &'s str,
    chars: &'s CharMap,
    object: String,
    rejected: Vec<Fact>,
}

impl Cx<'_> {
    fn span(&self, node: &MarkedYaml) -> Span {
        kube::node_span(self.src, self.chars, node)
    }

    fn reject(&mut self, at: Span, why: impl Into<String>, help: impl Into<String>) {
        self.rejected.push(Fact::Rejected {
            object: self.object.clone(),
            at,
            why: why.into(),
            help: help.into(),
        });
    }

    fn strings(&mut self, field: &str, node: &MarkedYaml) -> Vec<(String, Span)> {
        let mut out = Vec::new();
        let Some(items) = yaml::sequence(node) else {
            let t = kube::typed(self.src, self.chars, node);
            if !matches!(t, Typed::Null) {
                let at = self.span(node);
                self.reject(
                    at,
                    format!("`{field}` must be a list, not {}", t.name()),
                    format!("write a list: `{field}: [\"…\"]`"),
                );
            }
            return out;
        };
        for item in items {
            match kube::typed(self.src, self.chars, item) {
                Typed::Str(t) => out.push((t.as_str().to_string(), kube::chars_span(&t))),
                other => {
                    let at = self.span(item);
                    self.reject(
                        at,
                        format!(
                            "each entry of `{field}` must be a string, not {}",
                            other.name()
                        ),
                        "quote the entry (`\"…\"`)",
                    );
                }
            }
        }
        out
    }
}

pub fn lower_stream(stream: &Stream, _options: &Options) -> Result<Lowered, InputError> {
    let src = kube::utf8(stream, "Kubernetes")?;
    let docs = kube::parse_manifests(stream)?;
    let chars = stream.chars();
    let mut out = Lowered {
        policies: Vec::new(),
        facts: Vec::new(),
    };
    for object in kube::objects(src, chars, docs, &KINDS, GROUP) {
        let mut cx = Cx {
            src,
            chars,
            object: object.display(),
            rejected: Vec::new(),
        };
        let mut notes = Vec::new();
        let Some((_, spec)) = yaml::get(object.node, "spec") else {
            continue;
        };
        let hosts: Vec<(String, Span)> = yaml::get(spec, "hosts")
            .and_then(|(_, h)| yaml::sequence(h))
            .unwrap_or(&[])
            .iter()
            .filter_map(|h| match kube::typed(src, chars, h) {
                Typed::Str(t) => Some((t.as_str().to_string(), kube::chars_span(&t))),
                _ => None,
            })
            .collect();
        let mut policies = Vec::new();
        let routes = yaml::get(spec, "http")
            .and_then(|(_, h)| yaml::sequence(h))
            .unwrap_or(&[]);
        for (i, http) in routes.iter().enumerate() {
            stray_cors_fields(&mut cx, http);
            let Some((key, cors)) = yaml::get(http, "corsPolicy") else {
                continue;
            };
            let place = yaml::text(http, "name")
                .map(|n| format!("http route `{n}`"))
                .unwrap_or_else(|| format!("http route {}", i + 1));
            let key_span = kube::scalar::written(src, chars, key);
            if !["route", "redirect", "directResponse", "delegate"]
                .iter()
                .any(|k| yaml::get(http, k).is_some())
            {
                cx.reject(
                    key_span,
                    "this `http` entry has no `route`, `redirect`, `directResponse` or `delegate`: Istio rejects it \
                     (\"HTTP route, redirect or direct_response is required\")",
                    "add the `route` (`- destination: {host: …}`) the `http` entry sends requests to",
                );
                continue;
            }
            let scope = format!("{} {place}", object.display());
            let headers = response_headers(src, chars, http);
            let vary_fix = yaml::get(http, "headers").is_none().then(|| {
                kube::insert_entry_after(
                    src,
                    key_span,
                    kube::whole_span(src, chars, cors).end,
                    &["headers:", "  response:", "    add:", "      Vary: Origin"],
                )
            });
            if let Some(mut p) = cors_policy(&mut cx, &mut notes, cors, key_span, scope, &hosts) {
                p.response_headers = headers;
                if let Some(Some(edit)) = vary_fix {
                    p.fixes.push(crate::ir::FixOffer {
                        topic: crate::ir::FixTopic::VaryOrigin,
                        description:
                            "add `headers: {response: {add: {Vary: Origin}}}` to the `http` route"
                                .into(),
                        edits: vec![edit],
                        safe: true,
                    });
                }
                p.scope.object = Some(crate::ir::ObjectName {
                    name: object.name.clone(),
                    namespace: object.namespace.clone(),
                });
                policies.push(p);
            }
        }
        if cx.rejected.is_empty() {
            out.policies.extend(policies);
            out.facts.extend(notes);
        } else {
            out.facts.append(&mut cx.rejected);
        }
    }
    Ok(out)
}

/// `corsPolicy` fields written beside it in the `http` entry (mis-indented, which leaves
/// `corsPolicy` empty): the API server's structural schema refuses them as unknown fields
/// (kubectl's strict field validation), or drops them when validation is off.
fn stray_cors_fields(cx: &mut Cx, http: &MarkedYaml) {
    let stray: Vec<(&str, Span)> = yaml::mapping(http)
        .into_iter()
        .flatten()
        .filter_map(|(k, _)| {
            let (key, ..) = yaml::scalar(k)?;
            CORS_FIELDS
                .contains(&key)
                .then(|| (key, kube::scalar::written(cx.src, cx.chars, k)))
        })
        .collect();
    let Some((_, at)) = stray.first() else {
        return;
    };
    let names: Vec<String> = stray.iter().map(|(k, _)| format!("`{k}`")).collect();
    let names = names.join(", ");
    let help = if yaml::get(http, "corsPolicy").is_some() {
        format!("indent {names} under `corsPolicy:`")
    } else {
        format!("move {names} into a `corsPolicy:` of this `http` entry")
    };
    cx.reject(
        *at,
        format!(
            "{names} belong in `corsPolicy`, not in the `http` route: the API server refuses unknown fields \
             of a VirtualService (with validation off it drops them, and the route has no CORS policy)"
        ),
        help,
    );
}

fn cors_policy(
    cx: &mut Cx,
    notes: &mut Vec<Fact>,
    node: &MarkedYaml,
    anchor: Span,
    scope: String,
    hosts: &[(String, Span)],
) -> Option<CorsPolicy> {
    let entries = yaml::mapping(node)?;
    let mut origins: Vec<(OriginMatcher, Span)> = Vec::new();
    let mut deprecated: Vec<(String, Span)> = Vec::new();
    let mut deprecated_key = None;
    let mut methods = AllowList::NotSent;
    let mut headers = AllowList::NotSent;
    let mut expose = AllowList::NotSent;
    let mut credentials = Credentials::Off { at: None };
    let mut max_age = MaxAge::NotSent;
    let mut unmatched = None;
    let src = cx.src;
    let chars = cx.chars;
    for (k, v) in entries {
        let Some((key, ..)) = yaml::scalar(k) else {
            continue;
        };
        let key_span = kube::scalar::written(src, chars, k);
        match key {
            "allowOrigins" => {
                for m in yaml::sequence(v).unwrap_or(&[]) {
                    let Some(mut fields) = yaml::mapping(m) else {
                        let at = cx.span(m);
                        cx.reject(
                            at,
                            "each `allowOrigins` entry is a StringMatch: `exact:`, `prefix:` or `regex:`",
                            "write `- exact: \"https://app.example.com\"`",
                        );
                        continue;
                    };
                    let Some((mk, mv)) = fields.next() else {
                        let at = cx.span(m);
                        cx.reject(
                            at,
                            "'' is not a valid match type for CORS allow origins",
                            "write `- exact: \"https://app.example.com\"`",
                        );
                        continue;
                    };
                    let kind = yaml::scalar(mk).map_or("", |(t, ..)| t);
                    if !["exact", "prefix", "regex"].contains(&kind) {
                        let at = kube::scalar::written(src, chars, mk);
                        cx.reject(
                            at,
                            format!(
                                "`{kind}` is not a StringMatch field (`exact`, `prefix` or `regex`)"
                            ),
                            match crate::spelling::closest(kind, ["exact", "prefix", "regex"], 2) {
                                Some((_, k)) => format!("write `{k}:`"),
                                None => "write `exact:` (or `prefix:`, `regex:`)".to_string(),
                            },
                        );
                        continue;
                    }
                    let Typed::Str(text) = kube::typed(src, chars, mv) else {
                        let at = cx.span(mv);
                        cx.reject(
                            at,
                            format!("`{kind}` must be a string"),
                            "quote the origin (`\"https://app.example.com\"`)",
                        );
                        continue;
                    };
                    let value = text.as_str();
                    let at = kube::chars_span(&text);
                    if value.is_empty() {
                        let at = kube::scalar::written(src, chars, mv);
                        cx.reject(
                            at,
                            "'' is not a valid match type for CORS allow origins (Istio refuses an empty match)",
                            "write the origin, or remove the entry",
                        );
                        continue;
                    }
                    if kind == "regex" && crate::regex_cache::compiled(value, false).is_none() {
                        cx.reject(
                            at,
                            format!("`{value}` is not a valid RE2 regular expression"),
                            "rewrite it in RE2 syntax (no look-around, no back-references), anchored: `^https://app\\.example\\.com$`",
                        );
                        continue;
                    }
                    origins.push((envoy::string_matcher(kind, value, false), at));
                }
            }
            "allowOrigin" => {
                deprecated = cx.strings("allowOrigin", v);
                deprecated_key = Some(key_span);
            }
            "allowMethods" => {
                let items = cx.strings("allowMethods", v);
                for (m, at) in &items {
                    if !METHODS.contains(&m.as_str()) {
                        let upper = m.to_ascii_uppercase();
                        cx.reject(
                            *at,
                            format!("\"{m}\" is not a supported HTTP method"),
                            if METHODS.contains(&upper.as_str()) {
                                format!("write `{upper}`")
                            } else {
                                "remove it, or write a method such as `PUT`".to_string()
                            },
                        );
                    }
                }
                methods = list(items);
            }
            "allowHeaders" | "exposeHeaders" => {
                let items = cx.strings(key, v);
                for (h, at) in &items {
                    if h.is_empty() || !h.bytes().all(is_tchar) {
                        cx.reject(
                            *at,
                            format!("invalid header name: \"{h}\""),
                            "write one header name per entry, without spaces or separators",
                        );
                    }
                }
                if key == "allowHeaders" {
                    headers = list(items);
                } else {
                    expose = AllowList::Entries(items);
                }
            }
            "allowCredentials" => match kube::typed(src, chars, v) {
                Typed::Bool(true) => credentials = Credentials::On { at: cx.span(v) },
                Typed::Bool(false) => {
                    credentials = Credentials::Off {
                        at: Some(cx.span(v)),
                    }
                }
                other => {
                    let at = cx.span(v);
                    cx.reject(
                        at,
                        format!(
                            "`allowCredentials` must be `true` or `false`, not {}",
                            other.name()
                        ),
                        "write `allowCredentials: true` or `false`, unquoted",
                    );
                }
            },
            "maxAge" => {
                let at = cx.span(v);
                match kube::typed(src, chars, v) {
                    Typed::Str(t) => match duration_seconds(t.as_str()) {
                        Some((_, true)) => {
                            cx.reject(
                                at,
                                "max_age duration is accurate only to seconds precision",
                                "write whole seconds, e.g. `maxAge: \"600s\"`",
                            )
                        }
                        Some((0, _)) => cx.reject(
                            at,
                            "duration must be greater than 1ms",
                            "write a positive duration, e.g. `maxAge: \"600s\"`, or leave `maxAge` out",
                        ),
                        Some((n, false)) => {
                            max_age = MaxAge::Seconds {
                                value: n,
                                at,
                                defaulted: false,
                            }
                        }
                        None => cx.reject(
                            at,
                            format!("`{}` is not a duration", t.as_str()),
                            "write a duration such as `\"600s\"` or `\"24h\"`",
                        ),
                    },
                    other => cx.reject(
                        at,
                        format!(
                            "`maxAge` is a duration string such as `\"24h\"`, not {}",
                            other.name()
                        ),
                        "write a quoted duration such as `maxAge: \"600s\"`",
                    ),
                }
            }
            "unmatchedPreflights" => {
                let t = yaml::scalar(v).map_or("", |(t, ..)| t);
                match t {
                    "IGNORE" => unmatched = Some(Unmatched::EnvoyAnswers),
                    "FORWARD" | "UNSPECIFIED" => {
                        unmatched = Some(Unmatched::Forwarded {
                            at: cx.span(v),
                            remedy: "set `unmatchedPreflights: IGNORE` in the `corsPolicy`".into(),
                        })
                    }
                    other => {
                        let at = cx.span(v);
                        cx.reject(
                            at,
                            format!("`{other}` is not an `unmatchedPreflights` value (`UNSPECIFIED`, `FORWARD` or `IGNORE`)"),
                            "write `unmatchedPreflights: IGNORE` (or `FORWARD`)",
                        );
                    }
                }
            }
            other => {
                cx.reject(
                    key_span,
                    format!("`{other}` is not a `corsPolicy` field; the API server refuses unknown fields of a VirtualService"),
                    match crate::spelling::closest(other, CORS_FIELDS, 3) {
                        Some((_, f)) => format!("did you mean `{f}`?"),
                        None => "remove it".to_string(),
                    },
                );
            }
        }
    }
    if let Some(at) = deprecated_key {
        let replacement = if deprecated.iter().any(|(o, _)| o == "*") {
            "list the origins that call the API, `allowOrigins: [{exact: \"https://app.example.com\"}]`: \
             `*` allows every origin"
                .to_string()
        } else {
            format!(
                "write `allowOrigins: [{}]`",
                deprecated
                    .iter()
                    .map(|(o, _)| format!("{{exact: \"{o}\"}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        notes.push(Fact::DeprecatedAllowOrigin {
            object: cx.object.clone(),
            at,
            ignored: !origins.is_empty(),
            replacement,
        });
    }
    if origins.is_empty() {
        origins = deprecated
            .iter()
            .map(|(o, s)| (envoy::string_matcher("exact", o, false), *s))
            .collect();
    }
    let unmatched = unmatched.unwrap_or(Unmatched::Forwarded {
        at: anchor,
        remedy: "add `unmatchedPreflights: IGNORE` to the `corsPolicy` (the default forwards them)"
            .into(),
    });
    Some(envoy::policy(Spec {
        server: Server {
            product: "Istio",
            version: "1.30".into(),
            version_assumed: true,
            // Istio and Envoy Gateway join list fields with `,` before Envoy sends them.
            list_separator: ",",
        },
        scope,
        object: None,
        hosts: hosts.to_vec(),
        anchor,
        matchers: (!origins.is_empty()).then_some(origins),
        on_match: OnMatch::EchoOrigin,
        on_match_with_credentials: OnMatch::EchoOrigin,
        methods,
        headers,
        expose,
        credentials,
        max_age,
        unmatched,
        response_headers: Vec::new(),
        fix_hints: FixHints {
            origin_list: Some(
                "`allowOrigins: [{exact: \"https://app.example.com\"}]` in the `corsPolicy` (one `exact` per origin)".into(),
            ),
            credentials_off: Some("`allowCredentials: false`".into()),
            max_age: Some("`maxAge: \"600s\"` in the `corsPolicy`".into()),
            vary: Some("`headers: {response: {add: {Vary: Origin}}}` on the `http` route".into()),
            allow_lists: Some(
                "`allowMethods: [GET, PUT]` and `allowHeaders: [content-type, authorization]`".into(),
            ),
            ..FixHints::default()
        },
    }))
}

/// The `Vary` headers an `http` route's `headers.response.add`/`set` put on responses.
fn response_headers(src: &str, chars: &CharMap, http: &MarkedYaml) -> Vec<ResponseHeader> {
    let Some((_, response)) =
        yaml::get(http, "headers").and_then(|(_, h)| yaml::get(h, "response"))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (field, replaces) in [("add", false), ("set", true)] {
        let Some(entries) = yaml::get(response, field).and_then(|(_, m)| yaml::mapping(m)) else {
            continue;
        };
        for (k, v) in entries {
            let (Some((name, ..)), Some((value, ..))) = (yaml::scalar(k), yaml::scalar(v)) else {
                continue;
            };
            if name.eq_ignore_ascii_case("vary") {
                out.push(ResponseHeader {
                    name: name.to_string(),
                    value: value.to_string(),
                    at: kube::node_span(src, chars, v),
                    replaces,
                });
            }
        }
    }
    out
}

/// The fields of Istio's `CorsPolicy`.
const CORS_FIELDS: [&str; 8] = [
    "allowOrigins",
    "allowOrigin",
    "allowMethods",
    "allowHeaders",
    "exposeHeaders",
    "allowCredentials",
    "maxAge",
    "unmatchedPreflights",
];

/// A list Istio joins with `,` for Envoy; exactly `*` makes Envoy echo the request.
fn list(items: Vec<(String, Span)>) -> AllowList {
    match items.as_slice() {
        [] => AllowList::NotSent,
        [(star, at)] if star == "*" => AllowList::EchoRequest { at: *at },
        _ => AllowList::Entries(items),
    }
}

/// RFC 9110 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}
