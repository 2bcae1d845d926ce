//! What only the ingress-nginx front end can know, for the `INGX` rules.

use super::controller::Version;
use crate::frontend::kube::resolve::Resolved;
use crate::source::{MappedText, Span};

/// How the controller decided one CORS setting.
#[derive(Clone, Debug)]
pub enum Source {
    /// The annotation is absent: the controller's default applies.
    Defaulted,
    /// Written and accepted.
    Explicit { key: Span, value: Span },
    /// Written, but empty once the controller trims it: the default applies.
    Empty { key: Span, value: Span },
    /// Written, but rejected by the controller's check: the default applies, silently but
    /// for a log line in the controller.
    Invalid {
        key: Span,
        value: Span,
        /// The written value (as Kubernetes stores it).
        raw: String,
        /// The bytes that fail.
        at: Span,
        /// The check, as written in the controller's source.
        check: &'static str,
        why: String,
    },
}

impl Source {
    pub fn key(&self) -> Option<Span> {
        match self {
            Source::Defaulted => None,
            Source::Explicit { key, .. }
            | Source::Empty { key, .. }
            | Source::Invalid { key, .. } => Some(*key),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Setting<T> {
    /// The value the controller uses.
    pub value: T,
    pub source: Source,
}

/// What became of one entry of `cors-allow-origin`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Kept: the generated `if ($http_origin ~* …)` matches it.
    Kept,
    /// Dropped by `corsOriginRegex` ("Supplied incorrect origin … Skipping").
    Dropped { check: &'static str },
    /// `*` beside other entries: the validator rejects the list, which becomes `*`.
    Star,
    /// After a `*`: never read (the loop breaks).
    AfterStar,
    /// Before a `*`: read, then discarded.
    BeforeStar,
    /// An empty entry (trailing comma) kept before 1.9.5, which makes the regex match every
    /// origin.
    EmptyMatchesAll,
}

#[derive(Clone, Debug)]
pub struct OriginEntry {
    /// Trimmed.
    pub text: String,
    pub span: Span,
    pub fate: Fate,
}

/// The origins the controller ends with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effective {
    /// `["*"]`: `set $http_origin *`, on every response.
    Star,
    /// A list of matched origins (echoed).
    List,
    /// Every entry dropped: `$cors` is never `true`, so no CORS header is ever sent.
    Nothing,
}

/// One Ingress with `enable-cors: "true"`: how the controller reads each CORS annotation.
#[derive(Clone, Debug)]
pub struct Cors {
    /// "Ingress `ns/name`".
    pub object: String,
    /// The `enable-cors` key.
    pub anchor: Span,
    pub version: Version,
    pub origin: Setting<Effective>,
    /// Entries of an accepted `cors-allow-origin` value, in order.
    pub origin_entries: Vec<OriginEntry>,
    pub methods: Setting<String>,
    pub headers: Setting<String>,
    pub expose: Setting<String>,
    pub credentials: Setting<bool>,
    pub max_age: Setting<i64>,
}

#[derive(Clone, Debug)]
pub enum Fact {
    Cors(Box<Cors>),
    /// An annotation value Kubernetes does not read as a string: the API server rejects
    /// the object.
    NonString {
        key: String,
        value: Span,
        written: String,
        resolved: Resolved,
    },
    /// An annotation key under (or near) the controller's prefix that it never reads.
    UnknownKey {
        key: String,
        span: Span,
        /// The real annotation it probably means.
        suggestion: Option<String>,
    },
    /// A key of a `ConfigMap` named like a CORS annotation: the controller has no such
    /// ConfigMap setting.
    ConfigMapCorsKey {
        object: String,
        key: String,
        span: Span,
    },
    /// CORS annotations on an Ingress whose `enable-cors` is not `"true"`: all ignored.
    CorsOff {
        object: String,
        /// The `enable-cors` value, when written (and why it is not true).
        enable: Option<(Span, String)>,
        keys: Vec<(String, Span)>,
    },
    /// A `*-snippet` annotation: raw nginx configuration (not read by cors-lint yet).
    Snippet {
        object: String,
        key: String,
        key_span: Span,
        body: MappedText,
        version: Version,
        /// The version is the default, not `--assume-version`.
        version_assumed: bool,
    },
}
