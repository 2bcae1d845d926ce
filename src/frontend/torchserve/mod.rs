//! TorchServe `config.properties` → CORS policy IR.
//!
//! TorchServe 0.12.0 copies three values verbatim into `Access-Control-Allow-Origin`,
//! `-Methods` and `-Headers` on (almost) every response of its inference, management and
//! metrics listeners, whatever the request's `Origin`; it never sends credentials, max-age,
//! expose-headers or `Vary`, and has no preflight handler (`../shared/facts/torchserve.md`).
//!
//! Start-up order modelled here (`ConfigManager` constructor): `Properties.load` → `$$NAME$$`
//! substitution → command-line overrides (`--disable-token-auth`) → `TS_*` environment
//! overrides when `enable_envvars_config=true`.

mod env;
pub mod facts;
pub mod keys;
mod listeners;
mod netty;

pub use facts::Fact;

use super::properties::{self, Entry};
use super::{Env, InputError, Options};
use crate::ir::{
    AllowList, Auth, CorsPolicy, Credentials, Delivery, Emission, Exposure, HeaderValue, MaxAge,
    OriginPolicy, Resolution, Scope, Server, ValueSource, VaryOrigin,
};
use crate::source::{MappedText, SourceFile, Span};
use env::Substituted;
use keys::{CORS_HEADERS, CORS_METHODS, CORS_ORIGIN, KeyType};
use std::collections::HashMap;

/// The TorchServe release whose behaviour is modelled (and checked by the ground truth).
pub const VERSION: &str = "0.12.0";

fn server() -> Server {
    Server {
        product: "TorchServe",
        version: VERSION.into(),
        version_assumed: false,
        list_separator: ", ",
    }
}

const TOKEN_REMEDY: &str = "run TorchServe with `--disable-token-auth` or set `disable_token_authorization=true` \
                            (and protect the API another way)";

const BOM: &str = "\u{ef}\u{bb}\u{bf}";
const TOKEN_KEY: &str = "disable_token_authorization";
const ENVVARS_KEY: &str = "enable_envvars_config";
const METRICS_API_KEY: &str = "enable_metrics_api";
const MODEL_API_KEY: &str = "enable_model_api";

/// Keys whose values shape the CORS policy.
const MODELLED_KEYS: [&str; 8] = [
    CORS_ORIGIN,
    CORS_METHODS,
    CORS_HEADERS,
    TOKEN_KEY,
    "inference_address",
    "management_address",
    "metrics_address",
    METRICS_API_KEY,
];

pub struct Lowered {
    pub policies: Vec<CorsPolicy>,
    pub facts: Vec<Fact>,
}

/// A key's effective value after substitution and overrides.
#[derive(Clone, Debug)]
struct Value {
    text: MappedText,
    /// The entry that set it (`None` when only the environment did).
    entry: Option<usize>,
    source: ValueSource,
    resolution: Resolution,
}

impl Value {
    fn known(&self) -> Option<&str> {
        (self.resolution == Resolution::Known).then(|| self.text.as_str())
    }
}

pub fn lower(file: &SourceFile, options: &Options) -> Result<Lowered, InputError> {
    let parsed = properties::parse(file.bytes()).map_err(|e| InputError {
        span: Some(e.span),
        message: format!(
            "{}; `java.util.Properties.load` throws IllegalArgumentException, so TorchServe does not start",
            e.message
        ),
    })?;
    let mut facts = Vec::new();
    let entries = &parsed.entries;
    let bom = file
        .bytes()
        .starts_with(b"\xef\xbb\xbf")
        .then_some(Span::new(0, 3));

    let last = check_keys(file, entries, bom, &mut facts);
    let mut values = substitute_all(entries, &last, &options.env, &mut facts);

    // Command line: flags can only switch settings on.
    if options.ts_disable_token_auth {
        values.insert(
            TOKEN_KEY.to_string(),
            Value {
                text: MappedText::opaque("true".into(), Span::empty(0)),
                entry: None,
                source: ValueSource::File,
                resolution: Resolution::Known,
            },
        );
    }
    apply_environment_overrides(entries, &mut values, &options.env, &mut facts);
    check_booleans(entries, &values, &mut facts);

    let auth = token_auth(&values, options.ts_disable_token_auth);
    // `--enable-model-api` sets `enable_model_api=true`; the environment may override it.
    if options.ts_enable_model_api {
        values.insert(
            MODEL_API_KEY.to_string(),
            Value {
                text: MappedText::opaque("true".into(), Span::empty(0)),
                entry: None,
                source: ValueSource::File,
                resolution: Resolution::Known,
            },
        );
    }
    let model_api = values
        .get(MODEL_API_KEY)
        .and_then(|v| v.known())
        .is_some_and(parse_boolean);
    let scope = scope(entries, &values, auth, model_api, &mut facts);
    // Always one policy: the listeners and their routing exist even when no CORS header is
    // configured (then nothing is sent, and `simulate` shows what that means).
    let policies = vec![policy(entries, &values, scope, bom)];
    Ok(Lowered { policies, facts })
}

/// Record ignored and duplicate keys; return the index of the entry that wins for each key.
fn check_keys(
    file: &SourceFile,
    entries: &[Entry],
    bom: Option<Span>,
    facts: &mut Vec<Fact>,
) -> HashMap<String, usize> {
    let mut last: HashMap<String, usize> = HashMap::new();
    if let Some(utf16) = crate::source::Utf16::of(file.bytes()) {
        // Every key is garbage to Java: one fact for the file instead of one per key.
        facts.push(Fact::Utf16 {
            mark: utf16.span(),
            entries: entries.len(),
        });
        return last;
    }
    // An unclosed JSON value (`models={`) whose next lines Java reads as keys.
    let mut open_json: Option<(String, Span, i64)> = None;
    let mut fragments: Vec<usize> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let key = e.key.as_str();
        let fragment_of = match open_json.take() {
            Some((owner, owner_key, depth)) => {
                let depth = depth + json_depth(&file.text(e.span));
                if depth > 0 {
                    open_json = Some((owner.clone(), owner_key, depth));
                }
                Some((owner, owner_key))
            }
            None => {
                let v = e.value.as_str().trim_start();
                if v.starts_with('{') || v.starts_with('[') {
                    let depth = json_depth(v);
                    if depth > 0 {
                        open_json = Some((key.to_string(), e.key_span, depth));
                    }
                }
                None
            }
        };
        if fragment_of.is_some() {
            fragments.push(i);
        }
        // Two lines of one broken JSON value (`}` twice) are one finding, TS002's.
        if let Some(prev) = last.insert(key.to_string(), i)
            && !(fragment_of.is_some() && fragments.contains(&prev))
        {
            facts.push(Fact::DuplicateKey {
                key: key.to_string(),
                earlier: entries[prev].span,
                later_key: e.key_span,
            });
        }
        if keys::lookup(key).is_some() {
            continue;
        }
        let behind_bom = bom
            .filter(|b| e.key_span.start == b.start)
            .and_then(|_| key.strip_prefix(BOM));
        let what = match (behind_bom.and_then(keys::lookup), fragment_of) {
            (_, Some((owner, owner_key))) => keys::Unrecognised::JsonFragment { owner, owner_key },
            (Some(real), None) if real.ty == KeyType::Cors => {
                keys::Unrecognised::CorsLike(keys::CorsIntent::Key(real.name))
            }
            (Some(real), None) => keys::Unrecognised::Unknown {
                suggestion: Some(real.name),
            },
            (None, None) => keys::classify_unrecognised(behind_bom.unwrap_or(key)),
        };
        facts.push(Fact::IgnoredKey {
            key: key.to_string(),
            key_span: e.key_span,
            what,
            bom: behind_bom.and(bom),
        });
    }
    last
}

/// Net count of opening minus closing brackets outside JSON strings.
fn json_depth(text: &str) -> i64 {
    let (mut depth, mut in_string, mut escaped) = (0, false, false);
    for c in text.chars() {
        match (in_string, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (true, false, '"') => in_string = false,
            (false, _, '"') => in_string = true,
            (false, _, '{' | '[') => depth += 1,
            (false, _, '}' | ']') => depth -= 1,
            _ => {}
        }
    }
    depth
}

/// `resolveEnvVarVals`: every value, since an unresolvable one anywhere aborts start-up.
fn substitute_all(
    entries: &[Entry],
    last: &HashMap<String, usize>,
    env: &Env,
    facts: &mut Vec<Fact>,
) -> HashMap<String, Value> {
    let mut values = HashMap::new();
    let mut winners: Vec<(&String, &usize)> = last.iter().collect();
    winners.sort_by_key(|(_, i)| **i);
    for (key, &i) in winners {
        let e = &entries[i];
        let (text, resolution) = match env::substitute(&e.value, env) {
            Substituted::Unchanged => (e.value.clone(), Resolution::Known),
            Substituted::Resolved(t) => (t, Resolution::Known),
            Substituted::DependsOn(variables) => {
                if MODELLED_KEYS.contains(&key.as_str()) || key == ENVVARS_KEY {
                    facts.push(Fact::EnvironmentDependent {
                        key: key.clone(),
                        span: e.value_span,
                        variables: variables.clone(),
                    });
                }
                (e.value.clone(), Resolution::DependsOn { variables })
            }
            Substituted::Fails {
                variable,
                span,
                reason,
            } => {
                facts.push(Fact::UnresolvableSubstitution {
                    key: key.clone(),
                    span,
                    variable: variable.clone(),
                    reason,
                });
                (
                    e.value.clone(),
                    Resolution::DependsOn {
                        variables: vec![variable],
                    },
                )
            }
        };
        values.insert(
            key.clone(),
            Value {
                text,
                entry: Some(i),
                source: ValueSource::File,
                resolution,
            },
        );
    }
    values
}

/// `setSystemVars`: with `enable_envvars_config=true`, `TS_*` variables replace keys.
fn apply_environment_overrides(
    entries: &[Entry],
    values: &mut HashMap<String, Value>,
    env: &Env,
    facts: &mut Vec<Fact>,
) {
    let Some(switch) = values.get(ENVVARS_KEY) else {
        return;
    };
    if !switch.known().is_some_and(parse_boolean) {
        return;
    }
    let switch_span = switch
        .entry
        .map_or(Span::empty(0), |i| entries[i].value_span);
    let overridable: Vec<(&'static str, &'static str)> = MODELLED_KEYS
        .iter()
        .filter_map(|k| keys::lookup(k).and_then(|info| info.env.map(|var| (info.name, var))))
        .collect();
    let Env::Known(vars) = env else {
        facts.push(Fact::EnvironmentOverrides {
            span: switch_span,
            keys: overridable,
        });
        return;
    };
    for (key, var) in overridable {
        let Some(v) = vars.get(var) else { continue };
        let entry = values.get(key).and_then(|v| v.entry);
        let at = entry.map_or(switch_span, |i| entries[i].value_span);
        values.insert(
            key.to_string(),
            Value {
                text: MappedText::opaque(v.clone(), at),
                entry,
                source: ValueSource::Environment {
                    variable: var.to_string(),
                },
                resolution: Resolution::Known,
            },
        );
    }
}

/// `Boolean.parseBoolean` is true only for a case-insensitive `true`, without whitespace.
fn parse_boolean(s: &str) -> bool {
    s.eq_ignore_ascii_case("true")
}

fn check_booleans(entries: &[Entry], values: &HashMap<String, Value>, facts: &mut Vec<Fact>) {
    let mut found: Vec<(usize, Fact)> = Vec::new();
    for (key, v) in values {
        let Some(info) = keys::lookup(key) else {
            continue;
        };
        if info.ty != KeyType::Bool || v.source != ValueSource::File {
            continue;
        }
        let (Some(text), Some(i)) = (v.known(), v.entry) else {
            continue;
        };
        if text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false") {
            continue;
        }
        let effect = match key.as_str() {
            TOKEN_KEY => "token authorization stays on",
            ENVVARS_KEY => "`TS_*` environment variables are ignored",
            METRICS_API_KEY => "the metrics API is switched off",
            _ => "the setting is off",
        };
        found.push((
            i,
            Fact::NonBoolean {
                key: key.clone(),
                span: entries[i].value_span,
                value: text.to_string(),
                effect: effect.to_string(),
            },
        ));
    }
    found.sort_by_key(|(i, _)| *i);
    facts.extend(found.into_iter().map(|(_, f)| f));
}

fn token_auth(values: &HashMap<String, Value>, cli_disabled: bool) -> Auth {
    let Some(v) = values.get(TOKEN_KEY) else {
        return Auth::BearerToken {
            enabled_at: None,
            why: "token authorization is on by default since TorchServe 0.11.1".into(),
            remedy: TOKEN_REMEDY.into(),
            status: listeners::TOKEN_STATUS,
            reason: listeners::TOKEN_REASON.into(),
        };
    };
    match v.known() {
        None => Auth::Unknown,
        Some(t) if parse_boolean(t) => Auth::None,
        Some(t) => {
            let shown = match &v.source {
                ValueSource::Environment { variable } => format!("{variable}={t}"),
                ValueSource::File | ValueSource::Expanded { .. } => format!("{TOKEN_KEY}={t}"),
            };
            let why = if cli_disabled {
                format!("`{shown}` from the environment overrides `--disable-token-auth`")
            } else {
                format!("`{shown}` leaves token authorization on (only `true` turns it off)")
            };
            Auth::BearerToken {
                enabled_at: v.entry.map(|_| v.text.span()),
                why,
                remedy: TOKEN_REMEDY.into(),
                status: listeners::TOKEN_STATUS,
                reason: listeners::TOKEN_REASON.into(),
            }
        }
    }
}

fn scope(
    entries: &[Entry],
    values: &HashMap<String, Value>,
    auth: Auth,
    model_api: bool,
    facts: &mut Vec<Fact>,
) -> Scope {
    let metrics_on = values
        .get(METRICS_API_KEY)
        .and_then(|v| v.known())
        .is_none_or(parse_boolean);
    let mut found = Vec::new();
    for spec in &listeners::LISTENERS {
        if spec.role == crate::ir::ListenerRole::Metrics && !metrics_on {
            continue;
        }
        let (address, span, exposure) = match values.get(spec.key) {
            None => (
                spec.default.to_string(),
                None,
                listeners::exposure(spec.default).unwrap_or(Exposure::Unknown),
            ),
            Some(v) => {
                let span = Some(v.text.span());
                match v.known() {
                    None => (v.text.as_str().to_string(), span, Exposure::Unknown),
                    Some(a) => match listeners::exposure(a) {
                        Some(x) => (a.to_string(), span, x),
                        None => {
                            facts.push(Fact::InvalidAddress {
                                key: spec.key.to_string(),
                                span: v.entry.map_or(v.text.span(), |i| entries[i].value_span),
                                value: a.to_string(),
                            });
                            (a.to_string(), span, Exposure::Unknown)
                        }
                    },
                }
            }
        };
        let listener_auth = if spec.role == crate::ir::ListenerRole::Metrics {
            Auth::None
        } else {
            auth.clone()
        };
        found.push(listeners::listener(
            spec,
            address,
            span,
            exposure,
            listener_auth,
            model_api,
        ));
    }
    Scope {
        description: "TorchServe's inference, management and metrics listeners".into(),
        listeners: found,
        object: None,
        only_method: None,
        branch: None,
    }
}

fn header(values: &HashMap<String, Value>, key: &str) -> Option<HeaderValue> {
    let v = values.get(key)?;
    // `NettyUtils.sendHttpResponse` skips a header whose value is empty.
    if v.resolution == Resolution::Known && v.text.as_str().is_empty() {
        return None;
    }
    let value = HeaderValue::new(v.text.clone(), v.source.clone(), v.resolution.clone());
    Some(match netty::validate_header_value(v.text.as_str()) {
        Ok(()) => value,
        Err(reason) => value.with_delivery(Delivery::BreaksEveryResponse { reason }),
    })
}

fn policy(
    entries: &[Entry],
    values: &HashMap<String, Value>,
    scope: Scope,
    bom: Option<Span>,
) -> CorsPolicy {
    let origin = header(values, CORS_ORIGIN);
    let methods = header(values, CORS_METHODS);
    let headers = header(values, CORS_HEADERS);
    let anchor = [CORS_ORIGIN, CORS_METHODS, CORS_HEADERS]
        .iter()
        .filter_map(|k| values.get(*k))
        .filter_map(|v| v.entry.map(|i| entries[i].key_span))
        .min()
        .or(values
            .get(ENVVARS_KEY)
            .and_then(|v| v.entry)
            .map(|i| entries[i].key_span))
        .unwrap_or(Span::empty(bom.map_or(0, |b| b.end)));
    CorsPolicy {
        server: server(),
        scope,
        anchor,
        allow_origin: origin.map_or(OriginPolicy::NotSent, OriginPolicy::Static),
        allow_methods: methods.map_or(AllowList::NotSent, AllowList::Static),
        allow_headers: headers.map_or(AllowList::NotSent, AllowList::Static),
        expose_headers: AllowList::NotSent,
        credentials: Credentials::NotSupported,
        max_age: MaxAge::NotSent,
        vary_origin: VaryOrigin::Never,
        response_headers: Vec::new(),
        emission: Emission {
            without_origin: true,
            on_errors: true,
            exceptions: vec![
                "413 Request Entity Too Large, written by Netty when a body exceeds `max_request_size`".into(),
                "inference responses whose model handler sets its own `Access-Control-Allow-Origin`".into(),
            ],
            errors_cause: None,
            only_when_allowed: false,
            preflight_headers_unless_allowed: false,
            credentials_unconditional: false,
            absent_origin_is_empty: false,
            preflight_split: None,
        },
        lost_headers: Vec::new(),
        repeated_headers: Vec::new(),
        backend_passthrough: None,
        fixes: Vec::new(),
        unmatched_preflights_forwarded: None,
        fix_hints: crate::ir::FixHints {
            whitespace: Some("in a .properties file, trailing spaces are part of the value".into()),
            ..crate::ir::FixHints::default()
        },
    }
}

/// Why a file is (or is not) taken as a TorchServe config.
pub fn recognise(file_name: &str, bytes: &[u8]) -> Result<String, String> {
    if file_name == "config.properties" {
        return Ok("the file is named config.properties".into());
    }
    if !file_name.ends_with(".properties") {
        return Err("not a .properties file".into());
    }
    let keys: Vec<(String, Span)> = match properties::parse(bytes) {
        Ok(p) => p
            .entries
            .into_iter()
            .map(|e| (e.key.as_str().to_string(), e.key_span))
            .collect(),
        // A file `load` rejects may still be TorchServe's: judge by the keys as written.
        Err(_) => properties::raw_keys(bytes),
    };
    for (key, span) in &keys {
        let bare = key.strip_prefix(BOM).unwrap_or(key);
        let distinctive = keys::lookup(bare).is_some_and(|k| !k.generic);
        let cors = keys::cors_intent(&bare.to_ascii_lowercase().replace(['.', '-'], "_"))
            .is_some_and(|_| is_torchserve_style_cors(bare));
        if distinctive || cors {
            let line = crate::source::LineIndex::new(bytes, crate::source::Encoding::Latin1)
                .position(bytes, span.start)
                .line;
            return Ok(format!("it sets `{bare}` (line {line})"));
        }
    }
    Err("no TorchServe key or TorchServe-style CORS key".into())
}

/// `cors.allowed.origin`, `management_cors_allowed_origin`, `CORS_ALLOWED_ORIGIN`: CORS keys
/// spelt like TorchServe's. Spring's `management.endpoints.web.cors.allowed-origins` is not.
fn is_torchserve_style_cors(key: &str) -> bool {
    let n = key.to_ascii_lowercase().replace(['.', '-'], "_");
    let n = n.strip_prefix("ts_").unwrap_or(&n);
    ["cors_", "management_cors", "inference_cors", "metrics_cors"]
        .iter()
        .any(|p| n.starts_with(p))
}
