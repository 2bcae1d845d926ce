//! Traefik `headers` middleware: Kubernetes `Middleware` objects and the file provider's
//! dynamic configuration in YAML or TOML → CORS policy IR.
//!
//! The behaviour modelled is Traefik 3.7.15's, checked request by request against the real
//! binary (`tests/ground_truth_traefik.rs`): `pkg/middlewares/headers/header.go` answers
//! every `OPTIONS` request with `Origin` and `Access-Control-Request-Method` itself (`200`,
//! whatever the origin), compares `accessControlAllowOriginList` entries with `==` (case-
//! sensitive; `*` wins from where it stands), tries `accessControlAllowOriginListRegex`
//! with Go's `regexp.MatchString` (unanchored), sends `Access-Control-Allow-Credentials` on
//! every response, and appends `Origin` to `Vary` (`addVaryHeader`) on other responses only.
//! Releases differ: `*` with credentials is sent as a literal `*` before 3.6.22 (3.6 line)
//! and 3.7.6 (3.7 line), and echoed after (`--assume-version traefik=X`).

mod config;
mod lower;

use super::kube::{self, Stream, tree, yaml};
use super::{InputError, Options};
use crate::ir::CorsPolicy;
use crate::source::{SourceFile, Span};

/// A Traefik release.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

impl Version {
    /// The newest release cors-lint models, and the one the ground truth runs.
    pub const NEWEST: Version = Version(3, 7, 15);
    pub const OLDEST: Version = Version(2, 0, 0);

    /// `3.7`, `3.7.15`, `v3.6.22`.
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.strip_prefix('v').unwrap_or(s);
        let parts: Vec<&str> = s.split('.').collect();
        if parts.is_empty() || parts.len() > 3 {
            return None;
        }
        let n = |i: usize| -> Option<u32> {
            match parts.get(i) {
                Some(p) => p.parse().ok(),
                None => Some(0),
            }
        };
        let (major, minor, patch) = (n(0)?, n(1)?, n(2)?);
        // `3.6` means the newest 3.6 release cors-lint knows of: the line's behaviour today.
        let patch = if parts.len() == 2 {
            match (major, minor) {
                (3, 6) => 24,
                (3, 7) => 15,
                (2, 11) => 53,
                _ => 0,
            }
        } else {
            patch
        };
        Some(Version(major, minor, patch))
    }

    /// The release has the June 2026 CORS fixes, commits 9badb31b and f9d79007, both first in
    /// v3.6.22 (3.6 line) and v3.7.6 (3.7 line); no 2.x or 3.0–3.5 release has them.
    fn has_2026_cors_fixes(self) -> bool {
        match (self.0, self.1) {
            (3, 6) => self.2 >= 22,
            (3, 7) => self.2 >= 6,
            (3, m) => m > 7,
            (major, _) => major > 3,
        }
    }

    /// `*` with credentials echoes the request's `Origin` (commit f9d79007 "Fix CORS wildcard
    /// when allow-credentials is true", first in v3.6.22 and v3.7.6); before, a literal `*`.
    /// The same change makes a `*` method or header entry echo the request's
    /// `Access-Control-Request-*` and drops `Access-Control-Expose-Headers` holding `*`
    /// (header.go:158-171, 94 @ v3.7.6).
    pub fn star_credentials_echo(self) -> bool {
        self.has_2026_cors_fixes()
    }

    /// The first release on this line that echoes, for messages ("3.7.6").
    pub fn echo_since(self) -> &'static str {
        if (self.0, self.1) == (3, 6) {
            "3.6.22"
        } else {
            "3.7.6 (3.6.22 on the 3.6 line)"
        }
    }

    /// `accessControlMaxAge` is an `int64` before commit 9badb31b ("Fix CORS Max-Age set to
    /// 0 by default", v3.6.22 and v3.7.6): unset, it is `0`, which `processCorsHeaders` sends
    /// on every preflight (header.go:171 @ v3.7.5 and v3.6.21, :174 @ v2.11.0) and which
    /// alone does not make the middleware answer preflights (`AccessControlMaxAge != 0` in
    /// `HasCorsHeadersDefined`, dynamic/middlewares.go:444 @ v3.7.5). After, a `*int64`:
    /// unset sends nothing, and any value written — `0` too — enables CORS
    /// (header.go:178-180, middlewares.go:444 @ v3.7.6).
    pub fn max_age_is_int64(self) -> bool {
        !self.has_2026_cors_fixes()
    }

    /// `Access-Control-Expose-Headers` on preflight answers too: commit f9d79007 adds it to
    /// `processCorsHeaders` (header.go:182-187 @ v3.7.6 and v3.6.22); before, only the
    /// response modifier sets it, on other responses (header.go:93-96 @ v3.7.5).
    pub fn expose_on_preflight(self) -> bool {
        self.has_2026_cors_fixes()
    }
}

/// What only this front end knows, for the `TFK` rules.
#[derive(Clone, Debug)]
pub enum Fact {
    /// A middleware nothing in the file uses, while the file has routers or routes.
    Unused { middleware: String, span: Span },
    /// `Access-Control-*` written by hand in `customResponseHeaders`.
    CustomCorsHeader {
        middleware: String,
        header: String,
        key: Span,
        /// The middleware also has CORS fields (their `Access-Control-Allow-Origin`
        /// overrides this one for allowed origins; preflights never carry it).
        with_cors_fields: bool,
    },
    /// An `accessControlAllowOriginListRegex` entry Go's `regexp.Compile` refuses.
    InvalidRegex {
        middleware: String,
        pattern: String,
        span: Span,
        error: String,
    },
    /// `*` in `accessControlAllowOriginList` with credentials: its meaning depends on the
    /// release.
    StarWithCredentials {
        middleware: String,
        star: Span,
        credentials: Span,
        version: Version,
        assumed: bool,
    },
    /// An origin entry Traefik never consults: after `*`, or a regex when the list has `*`.
    Shadowed {
        middleware: String,
        entry: String,
        span: Span,
        star: Span,
    },
    /// A CORS-like field of `headers` Traefik does not have (a typo, a wrong case in a
    /// `Middleware` object, v2's removed `accessControlAllowOrigin`): it is ignored.
    UnknownField {
        middleware: String,
        field: String,
        span: Span,
        /// The field probably meant, and why it is not read, in words.
        suggestion: Option<String>,
        why: String,
        /// The file provider refuses the whole file for it.
        refused: bool,
    },
    /// A CORS field with a value of the wrong type (Traefik or the API server refuses it).
    WrongType {
        middleware: String,
        field: String,
        span: Span,
        expected: &'static str,
        found: &'static str,
    },
}

/// A file's policies and facts.
pub struct Lowered {
    pub policies: Vec<CorsPolicy>,
    pub facts: Vec<Fact>,
}

/// `.toml`
fn is_toml_name(file_name: &str) -> bool {
    file_name.ends_with(".toml")
}

/// [`recognise_stream`] of a file on its own.
pub fn recognise(file_name: &str, bytes: &[u8]) -> Result<String, String> {
    recognise_stream(file_name, &Stream::new(bytes))
}

/// Whether a file holds configuration this front end reads, and why. TOML is read here, not
/// through the stream's YAML.
pub fn recognise_stream(file_name: &str, stream: &Stream) -> Result<String, String> {
    let Ok(src) = stream.text() else {
        return Err("not UTF-8".into());
    };
    let line = |at: usize| src[..at.min(src.len())].matches('\n').count() + 1;
    if is_toml_name(file_name) {
        return match tree::from_toml(src) {
            Ok(doc) if config::is_dynamic(&doc) => {
                Ok("TOML with Traefik's dynamic configuration (`[http.middlewares…]` or `[http.routers…]`)".into())
            }
            Ok(_) => Err("TOML without Traefik's `http.middlewares` or `http.routers`".into()),
            Err(_) if src.contains("[http.middlewares") || src.contains("[http.routers") => {
                Ok("it has `[http.middlewares…]` tables (the TOML is broken)".into())
            }
            Err(e) => Err(format!(
                "TOML that does not parse ({}) and has no Traefik tables",
                e.message.trim()
            )),
        };
    }
    if !super::ingress::is_yaml_name(file_name) {
        return Err("not a .yaml/.yml/.toml file".into());
    }
    if stream.template_action().is_some() {
        return Err("a Helm/Go template, not YAML yet".into());
    }
    let Ok(docs) = stream.docs() else {
        return Err("YAML that does not parse".into());
    };
    let chars = stream.chars();
    let k8s = config::from_kubernetes(src, chars, docs);
    if let Some(m) = k8s.middlewares.first() {
        return Ok(format!(
            "it holds Traefik Middleware `{}` with `headers` (line {})",
            m.name,
            line(m.headers_key.start)
        ));
    }
    if (0..stream.doc_count()).any(|i| dynamic_doc(stream, i).is_some()) {
        return Ok("Traefik dynamic configuration (`http.middlewares`/`http.routers`)".into());
    }
    // Routes that use middlewares defined elsewhere: read, so uses resolve across files.
    if let Some(r) = k8s.references.first() {
        return Ok(format!(
            "it holds objects that use Traefik middlewares (`{}`), for the other files of the run",
            r.shown_name()
        ));
    }
    Err("no Traefik `headers` middleware".into())
}

/// Document `i` when it is file-provider dynamic configuration (`http.middlewares` or
/// `http.routers`, names in any case). Its typed tree — every scalar's characters mapped —
/// is built only when a top-level key can be `http`: not for Kubernetes manifests.
fn dynamic_doc<'s>(stream: &'s Stream, i: usize) -> Option<&'s tree::Node> {
    let doc = stream.docs().ok()?.get(i)?;
    let may_be = yaml::mapping(doc)?.any(|(key, _)| match yaml::scalar(key) {
        Some((text, saphyr_parser::ScalarStyle::Plain, None)) => text.eq_ignore_ascii_case("http"),
        // A quoted, tagged or complex key: the tree decodes it.
        _ => true,
    });
    if !may_be {
        return None;
    }
    stream.tree(i).filter(|t| config::is_dynamic(t))
}

/// The middlewares of a file and what in it uses them, from Kubernetes objects or the file
/// provider's YAML/TOML.
fn configs(file_name: &str, stream: &Stream) -> Result<Vec<config::Config>, InputError> {
    let src = kube::utf8(stream, "Traefik")?;
    Ok(if is_toml_name(file_name) {
        let doc = tree::from_toml(src).map_err(|e| InputError {
            span: Some(e.span),
            message: format!(
                "invalid TOML: {}; Traefik refuses the file",
                e.message.trim()
            ),
        })?;
        vec![config::from_dynamic(&doc)]
    } else {
        let docs = kube::parse(stream, |why| {
            format!("invalid YAML: {why}; Traefik and kubectl refuse the file")
        })?;
        let chars = stream.chars();
        let mut configs = vec![config::from_kubernetes(src, chars, docs)];
        for i in 0..stream.doc_count() {
            if let Some(doc) = dynamic_doc(stream, i) {
                configs.push(config::from_dynamic(doc));
            }
        }
        configs
    })
}

/// The middlewares this file defines and the names its routers, routes, chains and
/// annotations use, for resolution across the files of a run.
pub fn objects(file_name: &str, stream: &Stream) -> crate::frontend::Objects {
    match configs(file_name, stream) {
        Ok(configs) => objects_of(&configs),
        Err(_) => crate::frontend::Objects::default(),
    }
}

fn objects_of(configs: &[config::Config]) -> crate::frontend::Objects {
    let mut out = crate::frontend::Objects::default();
    for c in configs {
        out.extend(crate::frontend::Objects {
            defines: c
                .middlewares
                .iter()
                .map(config::Middleware::object)
                .collect(),
            references: c.references.clone(),
            users: c.users.clone(),
        });
    }
    out
}

/// [`lower_stream`] of a file on its own.
pub fn lower(file: &SourceFile, options: &Options) -> Result<Lowered, InputError> {
    lower_stream(file.name(), &Stream::new(file.bytes()), options)
}

pub fn lower_stream(
    file_name: &str,
    stream: &Stream,
    options: &Options,
) -> Result<Lowered, InputError> {
    let cx = lower::Context {
        version: options.traefik_version.unwrap_or(Version::NEWEST),
        version_assumed: options.traefik_version.is_none(),
        toml: is_toml_name(file_name),
    };
    let configs = configs(file_name, stream)?;
    let mut out = Lowered {
        policies: Vec::new(),
        facts: Vec::new(),
    };
    // References reach across the documents of one file.
    let objects = objects_of(&configs);
    for c in &configs {
        for m in &c.middlewares {
            if objects.uses_of(&m.object()).unused() {
                out.facts.push(Fact::Unused {
                    middleware: m.name.clone(),
                    span: m.name_span,
                });
            }
            if let Some(p) = lower::middleware(m, &cx, &mut out.facts) {
                out.policies.push(p);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
