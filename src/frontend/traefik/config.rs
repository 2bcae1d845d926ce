//! Where Traefik `headers` middlewares live: Kubernetes `Middleware` objects
//! (`traefik.io/v1alpha1`, `traefik.containo.us/v1alpha1`) and the file provider's dynamic
//! configuration (`http.middlewares.<name>.headers`, YAML or TOML) — and what uses them
//! (`IngressRoute` routes, routers, `chain` middlewares, Ingress
//! `traefik.ingress.kubernetes.io/router.middlewares` annotations).

use crate::frontend::kube::tree::{self, Node};
use crate::frontend::kube::yaml::{self, CharMap};
use crate::source::Span;
use saphyr::MarkedYaml;

/// The CRD API groups Traefik serves (`traefik.containo.us` until v3 deprecated it).
pub const API_VERSIONS: [&str; 2] = ["traefik.io/v1alpha1", "traefik.containo.us/v1alpha1"];

/// Kubernetes `IngressRoute`-like kinds whose routes name middlewares.
const ROUTE_KINDS: [&str; 2] = ["IngressRoute", "IngressRouteTCP"];

/// The Ingress annotation that attaches middlewares to an Ingress's routers.
pub const ROUTER_MIDDLEWARES: &str = "traefik.ingress.kubernetes.io/router.middlewares";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A Kubernetes `Middleware` object (field names are case-sensitive).
    Crd,
    /// The file provider (field names are matched without regard to case).
    File,
}

pub struct Middleware {
    /// `name` (file provider) or `namespace/name` (CRD, when the manifest says).
    pub name: String,
    /// The bare name, as references use it.
    pub short_name: String,
    /// The middleware's name as written (map key or `metadata.name` value).
    pub name_span: Span,
    /// The `headers` key.
    pub headers_key: Span,
    pub headers: Node,
    pub origin: Origin,
}

/// Middlewares and what refers to them, in one file.
#[derive(Default)]
pub struct Config {
    pub middlewares: Vec<Middleware>,
    /// Names routers, routes, chains and annotations use (`@provider` suffixes removed).
    pub references: Vec<String>,
    /// Where each of `references` is written.
    pub reference_spans: Vec<crate::source::Span>,
    /// Whether anything in the file can use a middleware (a router, a route, a chain, an
    /// annotated Ingress): only then is an unused middleware reported.
    pub has_users: bool,
}

impl Config {
    /// Whether a reference names this middleware: the same name, or the Ingress
    /// annotation's `<namespace>-<name>` form.
    pub fn is_used(&self, m: &Middleware) -> bool {
        self.references
            .iter()
            .any(|r| *r == m.short_name || r.ends_with(&format!("-{}", m.short_name)))
    }
}

fn strip_provider(r: &str) -> String {
    r.split('@').next().unwrap_or(r).trim().to_string()
}

/// Kubernetes manifests: `Middleware` objects with `spec.headers`, and their users.
pub fn from_kubernetes(src: &str, chars: &CharMap, docs: &[MarkedYaml]) -> Config {
    let mut c = Config::default();
    for node in crate::frontend::kube::objects_of_kind(docs, "Middleware") {
        if !API_VERSIONS.contains(&yaml::text(node, "apiVersion").unwrap_or("")) {
            continue;
        }
        let n = tree::from_yaml(src, chars, node);
        let meta = n.get("metadata");
        let (short_name, name_span) = match meta.and_then(|m| m.get("name")) {
            Some(v) => (v.str().unwrap_or("(unnamed)").to_string(), v.span),
            None => ("(unnamed)".to_string(), n.span),
        };
        let name = match meta.and_then(|m| m.get("namespace")).and_then(Node::str) {
            Some(ns) => format!("{ns}/{short_name}"),
            None => short_name.clone(),
        };
        let Some(spec) = n.get("spec") else { continue };
        if let Some(chain) = spec.get("chain") {
            c.has_users = true;
            for m in chain.get("middlewares").map(Node::items).unwrap_or(&[]) {
                if let Some(n) = m.get("name")
                    && let Some(r) = n.str()
                {
                    c.references.push(strip_provider(r));
                    c.reference_spans.push(n.span);
                }
            }
        }
        if let Some((key, headers)) = spec.entry("headers") {
            c.middlewares.push(Middleware {
                name,
                short_name,
                name_span,
                headers_key: key,
                headers: headers.clone(),
                origin: Origin::Crd,
            });
        }
    }
    for kind in ROUTE_KINDS {
        for node in crate::frontend::kube::objects_of_kind(docs, kind) {
            c.has_users = true;
            let n = tree::from_yaml(src, chars, node);
            let routes = n.get("spec").and_then(|s| s.get("routes"));
            for route in routes.map(Node::items).unwrap_or(&[]) {
                for m in route.get("middlewares").map(Node::items).unwrap_or(&[]) {
                    if let Some(n) = m.get("name")
                        && let Some(r) = n.str()
                    {
                        c.references.push(strip_provider(r));
                        c.reference_spans.push(n.span);
                    }
                }
            }
        }
    }
    for node in crate::frontend::kube::objects_of_kind(docs, "Ingress") {
        let n = tree::from_yaml(src, chars, node);
        let ann = n
            .get("metadata")
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get(ROUTER_MIDDLEWARES));
        if let Some(value) = ann
            && let Some(list) = value.str()
        {
            c.has_users = true;
            for r in list
                .split(',')
                .map(strip_provider)
                .filter(|r| !r.is_empty())
            {
                c.references.push(r);
                c.reference_spans.push(value.span);
            }
        }
    }
    c
}

/// The file provider's dynamic configuration (`http:` at the top), YAML or TOML.
pub fn from_dynamic(doc: &Node) -> Config {
    let mut c = Config::default();
    let Some((_, _, http)) = doc.entry_ci("http") else {
        return c;
    };
    if let Some((_, _, routers)) = http.entry_ci("routers") {
        for (_, _, router) in routers.entries() {
            c.has_users = true;
            if let Some((_, _, ms)) = router.entry_ci("middlewares") {
                for m in ms.items() {
                    if let Some(r) = m.str() {
                        c.references.push(strip_provider(r));
                        c.reference_spans.push(m.span);
                    }
                }
            }
        }
    }
    if let Some((_, _, middlewares)) = http.entry_ci("middlewares") {
        for (name, name_span, m) in middlewares.entries() {
            if let Some((_, _, chain)) = m.entry_ci("chain") {
                c.has_users = true;
                if let Some((_, _, ms)) = chain.entry_ci("middlewares") {
                    for m in ms.items() {
                        if let Some(r) = m.str() {
                            c.references.push(strip_provider(r));
                            c.reference_spans.push(m.span);
                        }
                    }
                }
            }
            if let Some((_, key, headers)) = m.entry_ci("headers") {
                c.middlewares.push(Middleware {
                    name: name.clone(),
                    short_name: name.clone(),
                    name_span: *name_span,
                    headers_key: key,
                    headers: headers.clone(),
                    origin: Origin::File,
                });
            }
        }
    }
    c
}

/// Whether a document looks like the file provider's dynamic configuration: an `http`
/// table with `middlewares` or `routers`.
pub fn is_dynamic(doc: &Node) -> bool {
    doc.entry_ci("http").is_some_and(|(_, _, http)| {
        http.entry_ci("middlewares").is_some() || http.entry_ci("routers").is_some()
    })
}
