//! The keys TorchServe 0.12.0 reads, and what an unknown key probably meant.
//!
//! Source: the `private static final String` constants of `ConfigManager.java` at `v0.12.0`,
//! the keys the Python launcher reads, and keys of the optional plugins
//! (`../shared/facts/torchserve.md` §4).

/// The three keys that configure CORS, in the order of their headers.
pub const CORS_ORIGIN: &str = "cors_allowed_origin";
pub const CORS_METHODS: &str = "cors_allowed_methods";
pub const CORS_HEADERS: &str = "cors_allowed_headers";
pub const CORS_KEYS: [&str; 3] = [CORS_ORIGIN, CORS_METHODS, CORS_HEADERS];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    Cors,
    /// `Boolean.parseBoolean`: only a case-insensitive `true` is true.
    Bool,
    /// A listener address matched against `ConfigManager`'s binding pattern.
    Address,
    Other,
}

pub struct KeyInfo {
    pub name: &'static str,
    pub ty: KeyType,
    /// Environment variable that overrides it when `enable_envvars_config=true`.
    pub env: Option<&'static str>,
    /// Common enough outside TorchServe that it alone does not make a file TorchServe's.
    pub generic: bool,
}

const fn key(name: &'static str, ty: KeyType, env: Option<&'static str>) -> KeyInfo {
    KeyInfo {
        name,
        ty,
        env,
        generic: false,
    }
}

const fn generic(name: &'static str, ty: KeyType, env: Option<&'static str>) -> KeyInfo {
    KeyInfo {
        name,
        ty,
        env,
        generic: true,
    }
}

use KeyType::*;

pub static KEYS: &[KeyInfo] = &[
    key("inference_address", Address, Some("TS_INFERENCE_ADDRESS")),
    key("management_address", Address, Some("TS_MANAGEMENT_ADDRESS")),
    key("metrics_address", Address, Some("TS_METRICS_ADDRESS")),
    key(
        "grpc_inference_address",
        Other,
        Some("TS_GRPC_INFERENCE_ADDRESS"),
    ),
    key(
        "grpc_management_address",
        Other,
        Some("TS_GRPC_MANAGEMENT_ADDRESS"),
    ),
    key("grpc_inference_port", Other, Some("TS_GRPC_INFERENCE_PORT")),
    key(
        "grpc_management_port",
        Other,
        Some("TS_GRPC_MANAGEMENT_PORT"),
    ),
    key(
        "grpc_inference_max_connection_age_ms",
        Other,
        Some("TS_GRPC_INFERENCE_MAX_CONNECTION_AGE_MS"),
    ),
    key(
        "grpc_management_max_connection_age_ms",
        Other,
        Some("TS_GRPC_MANAGEMENT_MAX_CONNECTION_AGE_MS"),
    ),
    key(
        "grpc_inference_max_connection_age_grace_ms",
        Other,
        Some("TS_GRPC_INFERENCE_MAX_CONNECTION_AGE_GRACE_MS"),
    ),
    key(
        "grpc_management_max_connection_age_grace_ms",
        Other,
        Some("TS_GRPC_MANAGEMENT_MAX_CONNECTION_AGE_GRACE_MS"),
    ),
    key("enable_grpc_ssl", Bool, Some("TS_ENABLE_GRPC_SSL")),
    key(CORS_ORIGIN, Cors, Some("TS_CORS_ALLOWED_ORIGIN")),
    key(CORS_METHODS, Cors, Some("TS_CORS_ALLOWED_METHODS")),
    key(CORS_HEADERS, Cors, Some("TS_CORS_ALLOWED_HEADERS")),
    generic("keystore", Other, Some("TS_KEYSTORE")),
    generic("keystore_pass", Other, Some("TS_KEYSTORE_PASS")),
    generic("keystore_type", Other, Some("TS_KEYSTORE_TYPE")),
    generic("certificate_file", Other, Some("TS_CERTIFICATE_FILE")),
    generic("private_key_file", Other, Some("TS_PRIVATE_KEY_FILE")),
    key(
        "disable_token_authorization",
        Bool,
        Some("TS_DISABLE_TOKEN_AUTHORIZATION"),
    ),
    key(
        "token_expiration_min",
        Other,
        Some("TS_TOKEN_EXPIRATION_TIME_MIN"),
    ),
    key("enable_model_api", Bool, Some("TS_ENABLE_MODEL_API")),
    key("enable_envvars_config", Bool, None),
    key("use_env_allowed_urls", Bool, None),
    key("allowed_urls", Other, Some("TS_ALLOWED_URLS")),
    key("model_store", Other, Some("TS_MODEL_STORE")),
    key("workflow_store", Other, Some("TS_WORKFLOW_STORE")),
    key("load_models", Other, Some("TS_LOAD_MODELS")),
    generic("models", Other, None),
    key("model_snapshot", Other, None),
    key("model_server_home", Other, Some("TS_MODEL_SERVER_HOME")),
    key(
        "install_py_dep_per_model",
        Bool,
        Some("TS_INSTALL_PY_DEP_PER_MODEL"),
    ),
    key(
        "default_service_handler",
        Other,
        Some("TS_DEFAULT_SERVICE_HANDLER"),
    ),
    key("service_envelope", Other, Some("TS_SERVICE_ENVELOPE")),
    key("cpp_log_config", Other, Some("TS_CPP_LOG_CONFIG")),
    generic("python", Other, None),
    key(
        "default_workers_per_model",
        Other,
        Some("TS_DEFAULT_WORKERS_PER_MODEL"),
    ),
    key(
        "default_response_timeout",
        Other,
        Some("TS_DEFAULT_RESPONSE_TIMEOUT"),
    ),
    key(
        "default_startup_timeout",
        Other,
        Some("TS_DEFAULT_STARTUP_TIMEOUT"),
    ),
    key(
        "unregister_model_timeout",
        Other,
        Some("TS_UNREGISTER_MODEL_TIMEOUT"),
    ),
    key(
        "number_of_netty_threads",
        Other,
        Some("TS_NUMBER_OF_NETTY_THREADS"),
    ),
    key(
        "netty_client_threads",
        Other,
        Some("TS_NETTY_CLIENT_THREADS"),
    ),
    key("job_queue_size", Other, Some("TS_JOB_QUEUE_SIZE")),
    key("number_of_gpu", Other, Some("TS_NUMBER_OF_GPU")),
    key("max_request_size", Other, Some("TS_MAX_REQUEST_SIZE")),
    key("max_response_size", Other, Some("TS_MAX_RESPONSE_SIZE")),
    key(
        "limit_max_image_pixels",
        Bool,
        Some("TS_LIMIT_MAX_IMAGE_PIXELS"),
    ),
    key(
        "prefer_direct_buffer",
        Bool,
        Some("TS_PREFER_DIRECT_BUFFER"),
    ),
    key("use_native_io", Bool, None),
    generic("io_ratio", Other, None),
    generic("async_logging", Bool, Some("TS_ASYNC_LOGGING")),
    key(
        "decode_input_request",
        Bool,
        Some("TS_DECODE_INPUT_REQUEST"),
    ),
    key("blacklist_env_vars", Other, Some("TS_BLACKLIST_ENV_VARS")),
    generic("debug", Bool, Some("TS_DEBUG")),
    key("ipex_enable", Bool, Some("TS_IPEX_ENABLE")),
    key("ipex_gpu_enable", Bool, Some("TS_IPEX_GPU_ENABLE")),
    key("cpu_launcher_enable", Bool, Some("TS_CPU_LAUNCHER_ENABLE")),
    key("cpu_launcher_args", Other, Some("TS_CPU_LAUNCHER_ARGS")),
    key("initial_worker_port", Other, Some("TS_INITIAL_WORKER_PORT")),
    key(
        "initial_distribution_port",
        Other,
        Some("TS_INITIAL_DISTRIBUTION_PORT"),
    ),
    key("enable_metrics_api", Bool, Some("TS_ENABLE_METRICS_API")),
    key("metrics_config", Other, Some("TS_METRICS_CONFIG")),
    key("metrics_mode", Other, Some("TS_METRICS_MODE")),
    key(
        "model_metrics_auto_detect",
        Bool,
        Some("TS_MODEL_METRICS_AUTO_DETECT"),
    ),
    key(
        "disable_system_metrics",
        Bool,
        Some("TS_DISABLE_SYSTEM_METRICS"),
    ),
    key("metric_time_interval", Other, None),
    key("system_metrics_cmd", Other, None),
    key(
        "ts_open_inference_protocol",
        Bool,
        Some("TS_OPEN_INFERENCE_PROTOCOL"),
    ),
    key(
        "ts_header_key_sequence_id",
        Other,
        Some("TS_HEADER_KEY_SEQUENCE_ID"),
    ),
    key(
        "ts_header_key_sequence_start",
        Other,
        Some("TS_HEADER_KEY_SEQUENCE_START"),
    ),
    key(
        "ts_header_key_sequence_end",
        Other,
        Some("TS_HEADER_KEY_SEQUENCE_END"),
    ),
    generic("version", Other, None),
    generic("tsConfigFile", Other, None),
    // Read by the Python launcher `ts/model_server.py`, not by Java.
    key("vmargs", Other, None),
    key("plugins_path", Other, None),
    // Read by the optional endpoints plugin through `Context.getConfig()`.
    generic("NUM_WORKERS", Other, None),
];

pub fn lookup(name: &str) -> Option<&'static KeyInfo> {
    KEYS.iter().find(|k| k.name == name)
}

/// What an unrecognised key most likely is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unrecognised {
    /// A spelling of CORS configuration TorchServe never reads.
    CorsLike(CorsIntent),
    /// Any other key; `suggestion` is a real key within a small edit distance.
    Unknown { suggestion: Option<&'static str> },
    /// A key earlier TorchServe versions read.
    Removed {
        last_version: &'static str,
        replacement: Option<&'static str>,
    },
    /// A per-model setting written as a server key.
    ModelSetting { model_key: &'static str },
    /// Not meant as a key: a line of a multi-line JSON value (`models={` …) that lacks `\`
    /// continuations, so Java ended the value at the first line.
    JsonFragment {
        owner: String,
        owner_key: crate::source::Span,
    },
}

/// What a CORS-like key was meant to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CorsIntent {
    /// One of the three real keys, misspelt (dots, case, plural, prefix `TS_`).
    Key(&'static str),
    /// Per-listener CORS (`management_cors...`): TorchServe has one setting for all listeners.
    PerListener(&'static str),
    Credentials,
    MaxAge,
    ExposeHeaders,
    /// A switch such as `cors_enabled`: CORS is on as soon as `cors_allowed_origin` is set.
    Enable,
    Other,
}

/// Lower case, with `.` and `-` as `_`.
fn normalize(key: &str) -> String {
    key.chars()
        .map(|c| match c {
            '.' | '-' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Classify a key that is not in [`KEYS`].
pub fn classify_unrecognised(key: &str) -> Unrecognised {
    let n = normalize(key);
    if let Some(intent) = cors_intent(&n) {
        return Unrecognised::CorsLike(intent);
    }
    match n.as_str() {
        "metrics_format" => {
            return Unrecognised::Removed {
                last_version: "0.7.1",
                replacement: Some("metrics_mode"),
            };
        }
        "snapshot_store" => {
            return Unrecognised::Removed {
                last_version: "0.2.0",
                replacement: None,
            };
        }
        "min_workers" | "minworkers" => {
            return Unrecognised::ModelSetting {
                model_key: "minWorkers",
            };
        }
        "max_workers" | "maxworkers" => {
            return Unrecognised::ModelSetting {
                model_key: "maxWorkers",
            };
        }
        "batch_size" | "batchsize" => {
            return Unrecognised::ModelSetting {
                model_key: "batchSize",
            };
        }
        "max_batch_delay" | "maxbatchdelay" => {
            return Unrecognised::ModelSetting {
                model_key: "maxBatchDelay",
            };
        }
        "response_timeout" | "responsetimeout" => {
            return Unrecognised::ModelSetting {
                model_key: "responseTimeout",
            };
        }
        _ => {}
    }
    Unrecognised::Unknown {
        suggestion: closest_key(key, &n),
    }
}

/// Is this normalized key about CORS, and what did it mean?
pub fn cors_intent(n: &str) -> Option<CorsIntent> {
    let n = n.strip_prefix("ts_").unwrap_or(n);
    let about_cors = n.contains("cors")
        || n.contains("access_control")
        || ((n.contains("allow") || n.contains("expose"))
            && (n.contains("origin")
                || n.contains("header")
                || n.contains("method")
                || n.contains("credential")));
    if !about_cors {
        return None;
    }
    if CORS_KEYS.contains(&n) {
        return Some(CorsIntent::Key(CORS_KEYS.into_iter().find(|k| *k == n)?));
    }
    if n.contains("credential") {
        return Some(CorsIntent::Credentials);
    }
    if n.contains("max_age") || n.contains("maxage") {
        return Some(CorsIntent::MaxAge);
    }
    if n.contains("expose") {
        return Some(CorsIntent::ExposeHeaders);
    }
    let target = if n.contains("origin") {
        Some(CORS_ORIGIN)
    } else if n.contains("method") {
        Some(CORS_METHODS)
    } else if n.contains("header") {
        Some(CORS_HEADERS)
    } else {
        None
    };
    let per_listener = ["management", "inference", "metrics", "grpc"]
        .iter()
        .any(|l| n.starts_with(l));
    match target {
        Some(t) if per_listener => Some(CorsIntent::PerListener(t)),
        Some(t) => Some(CorsIntent::Key(t)),
        None if n.contains("enable") || n == "cors" => Some(CorsIntent::Enable),
        None => Some(CorsIntent::Other),
    }
}

/// A known key close in spelling: same letters ignoring case and separators, or a small
/// edit distance.
fn closest_key(raw: &str, n: &str) -> Option<&'static str> {
    let limit = if n.len() <= 8 { 1 } else { 2 };
    KEYS.iter()
        .filter(|k| k.name != raw)
        .filter_map(|k| {
            crate::spelling::distance_within(n, &normalize(k.name), limit).map(|d| (d, k.name))
        })
        .min()
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intent(key: &str) -> Option<CorsIntent> {
        match classify_unrecognised(key) {
            Unrecognised::CorsLike(i) => Some(i),
            _ => None,
        }
    }

    #[test]
    fn blog_post_keys_are_cors_like() {
        assert_eq!(
            intent("cors.allowed.origin"),
            Some(CorsIntent::Key(CORS_ORIGIN))
        );
        assert_eq!(
            intent("cors.allowed.methods"),
            Some(CorsIntent::Key(CORS_METHODS))
        );
        assert_eq!(
            intent("cors.allowed.headers"),
            Some(CorsIntent::Key(CORS_HEADERS))
        );
        assert_eq!(
            intent("cors.allow.credentials"),
            Some(CorsIntent::Credentials)
        );
        assert_eq!(
            intent("management_cors.allowed.origin"),
            Some(CorsIntent::PerListener(CORS_ORIGIN))
        );
        assert_eq!(
            intent("cors_allowed_origins"),
            Some(CorsIntent::Key(CORS_ORIGIN))
        );
        assert_eq!(
            intent("CORS_ALLOWED_ORIGIN"),
            Some(CorsIntent::Key(CORS_ORIGIN))
        );
        assert_eq!(
            intent("TS_CORS_ALLOWED_ORIGIN"),
            Some(CorsIntent::Key(CORS_ORIGIN))
        );
        assert_eq!(intent("cors_max_age"), Some(CorsIntent::MaxAge));
        assert_eq!(
            intent("cors_expose_headers"),
            Some(CorsIntent::ExposeHeaders)
        );
        assert_eq!(intent("cors_enabled"), Some(CorsIntent::Enable));
        assert_eq!(
            intent("Access-Control-Allow-Origin"),
            Some(CorsIntent::Key(CORS_ORIGIN))
        );
    }

    #[test]
    fn other_keys() {
        assert_eq!(
            classify_unrecognised("inference_adress"),
            Unrecognised::Unknown {
                suggestion: Some("inference_address")
            }
        );
        assert_eq!(
            classify_unrecognised("gpu_id"),
            Unrecognised::Unknown { suggestion: None }
        );
        assert_eq!(
            classify_unrecognised("metrics_format"),
            Unrecognised::Removed {
                last_version: "0.7.1",
                replacement: Some("metrics_mode")
            }
        );
        assert_eq!(
            classify_unrecognised("min_workers"),
            Unrecognised::ModelSetting {
                model_key: "minWorkers"
            }
        );
        assert_eq!(intent("allowed_urls"), None);
    }
}
