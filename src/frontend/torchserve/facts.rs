//! What only the TorchServe front end can know, for the `TS` rules.

use super::keys::Unrecognised;
use crate::source::Span;

#[derive(Clone, Debug)]
pub enum Fact {
    /// A key `ConfigManager` never reads.
    IgnoredKey {
        key: String,
        key_span: Span,
        what: Unrecognised,
        /// The UTF-8 byte-order mark Java read as the first three characters of the key.
        bom: Option<Span>,
    },
    /// A UTF-16 file: Java reads it byte by byte (ISO-8859-1), so every key holds NUL
    /// characters and TorchServe reads none of them.
    Utf16 {
        /// The byte-order mark.
        mark: Span,
        /// Lines Java read as entries.
        entries: usize,
    },
    /// A key set again later; Java keeps the last value.
    DuplicateKey {
        key: String,
        /// The overridden entry.
        earlier: Span,
        /// The key of the entry that wins.
        later_key: Span,
    },
    /// A value that depends on environment variables whose values were not given.
    EnvironmentDependent {
        key: String,
        span: Span,
        variables: Vec<String>,
    },
    /// `enable_envvars_config=true` lets `TS_*` variables replace these keys at start-up.
    EnvironmentOverrides {
        span: Span,
        keys: Vec<(&'static str, &'static str)>,
    },
    /// A `$$NAME$$` TorchServe cannot resolve: start-up aborts.
    UnresolvableSubstitution {
        key: String,
        span: Span,
        variable: String,
        reason: String,
    },
    /// A boolean key whose value `Boolean.parseBoolean` reads as `false`.
    NonBoolean {
        key: String,
        span: Span,
        value: String,
        /// What reading it as `false` means here.
        effect: String,
    },
    /// A listener address TorchServe rejects at start-up ("Invalid binding address").
    InvalidAddress {
        key: String,
        span: Span,
        value: String,
    },
}
