//! Kong `cors` plugin: `KongPlugin`/`KongClusterPlugin` objects (`plugin: cors`) and the
//! plugin entries of a declarative `kong.yml` (`_format_version`) → CORS policy IR.
//!
//! Modelled from `kong/plugins/cors/handler.lua` (Kong/kong @01789df4) — no Kong runs here,
//! so each behaviour is a unit test citing its line:
//! * `configure_origin`: no origins or exactly `["*"]` → `Access-Control-Allow-Origin: *`;
//!   one entry that matches `^[A-Za-z0-9.:/-]+$` is sent verbatim whatever the request's
//!   `Origin`; otherwise each entry is tried: one with any other character is a regex (a
//!   leading `^` dropped, `$` appended, matched with the `a` (anchored) flag, so anchored at
//!   both ends) against the request's `scheme://host[:port]`, or its host alone when the
//!   entry has no `:` (`by_host`); a literal entry is compared with the normalised origin
//!   (default port dropped, on both sides), and a match is answered with the request's
//!   normalised origin. `Vary: Origin` is always added outside the allow-all case.
//! * `configure_credentials`: `credentials: true` sends `Access-Control-Allow-Credentials:
//!   true` on every response, or with allow-all echoes the request's `Origin` (and `Vary`).
//! * `access`: an `OPTIONS` with `Origin` and `Access-Control-Request-Method` is answered
//!   `200` by Kong (unless `preflight_continue`), with `headers` or else the request's
//!   `Access-Control-Request-Headers`, `methods` or `GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,
//!   TRACE,CONNECT`, and `max_age` when set.
//! * `header_filter`: other responses get the origin, credentials and `exposed_headers`, also
//!   without `Origin` unless `allow_origin_absent: false` (default `true`).

mod embedded;
mod lower;

pub use lower::is_literal;

use super::kube::tree::{self, Node};
use super::kube::{self, Stream};
use super::{InputError, Options};
use crate::frontend::objects::{Name, Namespace, Object, Place};
use crate::ir::CorsPolicy;
use crate::source::{SourceFile, Span};

/// What only this front end knows, for the `KONG` rules.
#[derive(Clone, Debug)]
pub enum Fact {
    /// A `KongPlugin` no `konghq.com/plugins` annotation in the file names, while the file
    /// has objects that could.
    Unused { plugin: String, span: Span },
    /// An origin entry that can never match a browser's `Origin`.
    EntryNeverMatches {
        entry: String,
        span: Span,
        why: String,
    },
    /// `preflight_continue: true`: preflights go to the upstream service.
    PreflightContinue { plugin: String, span: Span },
    /// A regex entry without `:` is matched against the request's host only.
    HostOnlyRegex { entry: String, span: Span },
    /// A config field with a value of the wrong type (Kong refuses the plugin).
    WrongType {
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

/// The annotation that attaches `KongPlugin`s to a Service, Ingress, route or consumer.
pub const PLUGINS_ANNOTATION: &str = "konghq.com/plugins";

/// A `cors` plugin configuration found in the file.
pub struct Plugin {
    /// "KongPlugin `cors`", "the `cors` plugin of service `api`".
    pub description: String,
    /// A `KongPlugin`'s name (for references).
    pub object_name: Option<String>,
    /// Where references find it: the `KongPlugin`'s namespace, or none for a
    /// `KongClusterPlugin`.
    pub namespace: Namespace,
    /// Where a finding about the whole plugin goes: the `plugin`/`name` value.
    pub anchor: Span,
    /// The `config` mapping (absent: every default).
    pub config: Option<Node>,
    /// A `KongClusterPlugin` labelled `global: "true"` applies to every route.
    pub global: bool,
}

/// Plugins and `konghq.com/plugins` references in one file.
#[derive(Default)]
pub struct Found {
    pub plugins: Vec<Plugin>,
    /// What `konghq.com/plugins` annotations name, each in its object's namespace.
    pub references: Vec<Object>,
    /// Namespaces holding objects the annotation attaches plugins to (Services, Ingresses,
    /// routes, consumers): only there is an unreferenced `KongPlugin` reported.
    pub users: Vec<Place>,
}

/// The kind of object references name, for resolution across files.
const KIND: &str = "kong/KongPlugin";

/// Kinds Kong's ingress controller reads `konghq.com/plugins` from.
const ATTACHABLE: [&str; 11] = [
    "Ingress",
    "Service",
    "KongConsumer",
    "KongConsumerGroup",
    "HTTPRoute",
    "GRPCRoute",
    "TCPRoute",
    "TLSRoute",
    "UDPRoute",
    "TCPIngress",
    "UDPIngress",
];

fn place(namespace: Namespace) -> Place {
    Place {
        kind: KIND,
        provider: "",
        namespace,
    }
}

/// Whatever [`find`] looks for spells `konghq.com` (the plugins' API group, the
/// `konghq.com/plugins` annotation) or `_format_version` (decK files): without either, the
/// typed trees it walks are not worth building.
fn mentions_kong(src: &str) -> bool {
    src.contains("konghq.com") || src.contains("_format_version")
}

fn find(stream: &Stream) -> Found {
    let mut f = Found::default();
    for i in 0..stream.doc_count() {
        if let Some(doc) = stream.tree(i) {
            collect(doc, &mut f, 0);
        }
    }
    f
}

fn collect(doc: &Node, f: &mut Found, depth: usize) {
    if depth > 4 {
        return;
    }
    let kind = doc.get("kind").and_then(Node::str).unwrap_or("");
    if kind == "List" || kind.ends_with("List") {
        for item in doc.get("items").map(Node::items).unwrap_or(&[]) {
            collect(item, f, depth + 1);
        }
        return;
    }
    if doc.get("_format_version").is_some() {
        declarative(doc, f);
        return;
    }
    let meta = doc.get("metadata");
    let namespace =
        Namespace::from_written(meta.and_then(|m| m.get("namespace")).and_then(Node::str));
    if let Some(value) = meta
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get(PLUGINS_ANNOTATION))
        && let Some(list) = value.str()
    {
        for r in list.split(',').map(str::trim).filter(|r| !r.is_empty()) {
            f.references.push(Object {
                place: place(namespace.clone()),
                name: Name::Plain(r.to_string()),
                span: value.span,
                line: 0,
                file: 0,
                condition: None,
            });
        }
    }
    if ATTACHABLE.contains(&kind) {
        let p = place(namespace.clone());
        if !f.users.contains(&p) {
            f.users.push(p);
        }
    }
    let api = doc.get("apiVersion").and_then(Node::str).unwrap_or("");
    let is_plugin = matches!(kind, "KongPlugin" | "KongClusterPlugin")
        && api.starts_with("configuration.konghq.com/");
    if !is_plugin {
        return;
    }
    let Some(plugin) = doc.get("plugin") else {
        return;
    };
    if plugin.str() != Some("cors") {
        return;
    }
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Node::str)
        .unwrap_or("(unnamed)")
        .to_string();
    let global = kind == "KongClusterPlugin"
        && meta
            .and_then(|m| m.get("labels"))
            .and_then(|l| l.get("global"))
            .and_then(Node::str)
            == Some("true");
    f.plugins.push(Plugin {
        description: format!("{kind} `{name}`"),
        object_name: (kind == "KongPlugin" || !global).then_some(name),
        // A `KongClusterPlugin` answers references from every namespace.
        namespace: if kind == "KongPlugin" {
            namespace
        } else {
            Namespace::None
        },
        anchor: plugin.span,
        config: doc.get("config").cloned(),
        global,
    });
}

impl Plugin {
    /// The plugin as a definition references resolve against (`None`: nothing names it).
    pub fn object(&self) -> Option<Object> {
        Some(Object {
            place: place(self.namespace.clone()),
            name: Name::Plain(self.object_name.clone().filter(|_| !self.global)?),
            span: self.anchor,
            line: 0,
            file: 0,
            condition: None,
        })
    }
}

/// `kong.yml`: `plugins` at the top, and under services, routes and services' routes.
fn declarative(doc: &Node, f: &mut Found) {
    fn plugins(owner: &str, list: Option<&Node>, f: &mut Found) {
        for p in list.map(Node::items).unwrap_or(&[]) {
            let Some(name) = p.get("name") else { continue };
            if name.str() != Some("cors") {
                continue;
            }
            if matches!(
                p.get("enabled").map(|e| &e.value),
                Some(tree::Value::Bool(false))
            ) {
                continue;
            }
            f.plugins.push(Plugin {
                description: format!("the `cors` plugin {owner}"),
                object_name: None,
                namespace: Namespace::None,
                anchor: name.span,
                config: p.get("config").cloned(),
                global: true,
            });
        }
    }
    let name_of = |n: &Node| {
        n.get("name")
            .and_then(Node::str)
            .map_or("(unnamed)".to_string(), |s| format!("`{s}`"))
    };
    plugins("(global)", doc.get("plugins"), f);
    for s in doc.get("services").map(Node::items).unwrap_or(&[]) {
        plugins(&format!("of service {}", name_of(s)), s.get("plugins"), f);
        for r in s.get("routes").map(Node::items).unwrap_or(&[]) {
            plugins(
                &format!("of route {} (service {})", name_of(r), name_of(s)),
                r.get("plugins"),
                f,
            );
        }
    }
    for r in doc.get("routes").map(Node::items).unwrap_or(&[]) {
        plugins(&format!("of route {}", name_of(r)), r.get("plugins"), f);
    }
}

/// [`recognise_stream`] of a file on its own.
pub fn recognise(file_name: &str, bytes: &[u8]) -> Result<String, String> {
    recognise_stream(file_name, &Stream::new(bytes))
}

/// Whether a file holds configuration this front end reads, and why.
pub fn recognise_stream(file_name: &str, stream: &Stream) -> Result<String, String> {
    if !super::ingress::is_yaml_name(file_name) {
        return Err("not a .yaml/.yml file".into());
    }
    let Ok(src) = stream.text() else {
        return Err("not UTF-8".into());
    };
    if stream.template_action().is_some() {
        return Err("a Helm/Go template, not YAML yet".into());
    }
    if stream.docs().is_err() {
        return Err("YAML that does not parse".into());
    }
    if !mentions_kong(src) {
        return Err("no Kong `cors` plugin".into());
    }
    let f = find(stream);
    match f.plugins.first() {
        Some(p) => {
            let line = src[..p.anchor.start.min(src.len())].matches('\n').count() + 1;
            Ok(format!("it holds {} (line {line})", p.description))
        }
        None if let Some((description, at)) = embedded::first_plugin(stream) => {
            let line = src[..at.start.min(src.len())].matches('\n').count() + 1;
            Ok(format!("it holds {description} (line {line})"))
        }
        // Objects naming plugins defined elsewhere: read, so uses resolve across files.
        None => match f.references.first() {
            Some(r) => Ok(format!(
                "it names the Kong plugin `{}` (`konghq.com/plugins`), for the other files of the run",
                r.shown_name()
            )),
            None => Err("no Kong `cors` plugin".into()),
        },
    }
}

/// The `KongPlugin`s this file defines and the plugins its `konghq.com/plugins` annotations
/// name, for resolution across the files of a run.
pub fn objects(stream: &Stream) -> crate::frontend::Objects {
    if !stream.text().is_ok_and(mentions_kong) || stream.docs().is_err() {
        return crate::frontend::Objects::default();
    }
    objects_of(&find(stream))
}

fn objects_of(found: &Found) -> crate::frontend::Objects {
    crate::frontend::Objects {
        defines: found.plugins.iter().filter_map(Plugin::object).collect(),
        references: found.references.clone(),
        users: found.users.clone(),
    }
}

/// [`lower_stream`] of a file on its own.
pub fn lower(file: &SourceFile, options: &Options) -> Result<Lowered, InputError> {
    lower_stream(&Stream::new(file.bytes()), options)
}

pub fn lower_stream(stream: &Stream, options: &Options) -> Result<Lowered, InputError> {
    kube::utf8(stream, "Kong")?;
    kube::parse(stream, |why| {
        format!("invalid YAML: {why}; Kong and kubectl refuse the file")
    })?;
    let found = find(stream);
    let objects = objects_of(&found);
    let mut out = Lowered {
        policies: Vec::new(),
        facts: Vec::new(),
    };
    for p in &found.plugins {
        if let Some(def) = p.object()
            && objects.uses_of(&def).unused()
        {
            out.facts.push(Fact::Unused {
                plugin: p.description.clone(),
                span: p.anchor,
            });
        }
        out.policies.extend(lower::plugin(p, &mut out.facts));
    }
    let mut embedded = embedded::lower_all(stream, options)?;
    out.policies.append(&mut embedded.policies);
    out.facts.append(&mut embedded.facts);
    Ok(out)
}

#[cfg(test)]
mod tests;
