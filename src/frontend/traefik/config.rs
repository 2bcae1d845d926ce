//! Where Traefik `headers` middlewares live: Kubernetes `Middleware` objects
//! (`traefik.io/v1alpha1`, `traefik.containo.us/v1alpha1`) and the file provider's dynamic
//! configuration (`http.middlewares.<name>.headers`, YAML or TOML) — and what uses them
//! (`IngressRoute` routes, routers, `chain` middlewares, Ingress
//! `traefik.ingress.kubernetes.io/router.middlewares` annotations).

use crate::frontend::kube::tree::{self, Node};
use crate::frontend::kube::yaml::{self, CharMap};
use crate::frontend::objects::{Name, Namespace, Object, Place};
use crate::source::Span;
use saphyr::MarkedYaml;

/// The kind of object references name, for resolution across files.
pub const KIND: &str = "traefik/Middleware";

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
    /// The CRD's namespace; `None` for the file provider.
    pub namespace: Namespace,
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
    /// What routers, routes, chains and annotations name, resolved as Traefik does.
    pub references: Vec<Object>,
    /// Where the file has routers, routes or chains that name middlewares of their own
    /// provider and namespace: only there is an unused middleware reported.
    pub users: Vec<Place>,
}

impl Middleware {
    /// The middleware as a definition references resolve against.
    pub fn object(&self) -> Object {
        Object {
            place: Place {
                kind: KIND,
                provider: self.origin.provider(),
                namespace: self.namespace.clone(),
            },
            name: Name::Plain(self.short_name.clone()),
            span: self.name_span,
            line: 0,
            file: 0,
            condition: None,
        }
    }
}

impl Origin {
    /// The Traefik provider that serves the middleware.
    pub fn provider(self) -> &'static str {
        match self {
            Origin::Crd => "kubernetescrd",
            Origin::File => "file",
        }
    }
}

/// A provider Traefik knows by the `@…` of a reference; others (docker, consul…) are named
/// as written.
fn provider_name(p: &str) -> &'static str {
    match p {
        "file" => "file",
        "kubernetescrd" => "kubernetescrd",
        "kubernetes" => "kubernetes",
        _ => "other",
    }
}

/// A reference as Traefik resolves it: `name@provider` names that provider's middleware
/// (the CRD provider's as `<namespace>-<name>`); a bare name, the referrer's own provider
/// and, for CRDs, the `namespace` given or the referrer's.
fn reference(
    written: &str,
    span: Span,
    own: Origin,
    referrer_ns: &Namespace,
    given_ns: Option<&str>,
) -> Object {
    let written = written.trim();
    let (name, provider) = match written.split_once('@') {
        Some((n, p)) => (n, provider_name(p)),
        None => (written, own.provider()),
    };
    let qualified = written.contains('@');
    let (name, namespace, condition) = if provider == "kubernetescrd" && qualified {
        (
            Name::NamespaceDashName(name.to_string()),
            Namespace::None,
            None,
        )
    } else if provider == "kubernetescrd" {
        let ns = given_ns.map_or(referrer_ns.clone(), |n| Namespace::Named(n.to_string()));
        // Another namespace than the route's: only with the provider's allowCrossNamespace.
        let cross = given_ns.is_some() && ns != *referrer_ns;
        (
            Name::Plain(name.to_string()),
            ns,
            cross.then(|| {
                "a reference to another namespace works only with the provider's `allowCrossNamespace`"
                    .to_string()
            }),
        )
    } else {
        (Name::Plain(name.to_string()), Namespace::None, None)
    };
    Object {
        place: Place {
            kind: KIND,
            provider,
            namespace,
        },
        name,
        span,
        line: 0,
        file: 0,
        condition,
    }
}

fn user(origin: Origin, namespace: &Namespace) -> Place {
    Place {
        kind: KIND,
        provider: origin.provider(),
        namespace: namespace.clone(),
    }
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
        let written_ns = meta.and_then(|m| m.get("namespace")).and_then(Node::str);
        let name = match written_ns {
            Some(ns) => format!("{ns}/{short_name}"),
            None => short_name.clone(),
        };
        let namespace = Namespace::from_written(written_ns);
        let Some(spec) = n.get("spec") else { continue };
        if let Some(chain) = spec.get("chain") {
            c.users.push(user(Origin::Crd, &namespace));
            for m in chain.get("middlewares").map(Node::items).unwrap_or(&[]) {
                c.references.extend(crd_reference(m, &namespace));
            }
        }
        if let Some((key, headers)) = spec.entry("headers") {
            c.middlewares.push(Middleware {
                name,
                short_name,
                namespace,
                name_span,
                headers_key: key,
                headers: headers.clone(),
                origin: Origin::Crd,
            });
        }
    }
    for kind in ROUTE_KINDS {
        for node in crate::frontend::kube::objects_of_kind(docs, kind) {
            if !API_VERSIONS.contains(&yaml::text(node, "apiVersion").unwrap_or("")) {
                continue;
            }
            let n = tree::from_yaml(src, chars, node);
            let namespace = object_namespace(&n);
            c.users.push(user(Origin::Crd, &namespace));
            let routes = n.get("spec").and_then(|s| s.get("routes"));
            for route in routes.map(Node::items).unwrap_or(&[]) {
                for m in route.get("middlewares").map(Node::items).unwrap_or(&[]) {
                    c.references.extend(crd_reference(m, &namespace));
                }
            }
        }
    }
    // An annotation names middlewares with their provider (`<namespace>-<name>@kubernetescrd`,
    // `name@file`); a bare name is the Ingress provider's own, which has none.
    for node in crate::frontend::kube::objects_of_kind(docs, "Ingress") {
        let n = tree::from_yaml(src, chars, node);
        let namespace = object_namespace(&n);
        let ann = n
            .get("metadata")
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get(ROUTER_MIDDLEWARES));
        if let Some(value) = ann
            && let Some(list) = value.str()
        {
            for r in list.split(',').filter(|r| !r.trim().is_empty()) {
                let mut o = reference(r, value.span, Origin::Crd, &namespace, None);
                if !r.contains('@') {
                    o.place.provider = "kubernetes";
                }
                c.references.push(o);
            }
        }
    }
    c
}

fn object_namespace(n: &Node) -> Namespace {
    Namespace::from_written(
        n.get("metadata")
            .and_then(|m| m.get("namespace"))
            .and_then(Node::str),
    )
}

/// A CRD's `{name, namespace}` middleware reference.
fn crd_reference(m: &Node, referrer_ns: &Namespace) -> Option<Object> {
    let n = m.get("name")?;
    let given = m.get("namespace").and_then(Node::str);
    Some(reference(n.str()?, n.span, Origin::Crd, referrer_ns, given))
}

/// The file provider's dynamic configuration (`http:` at the top), YAML or TOML.
pub fn from_dynamic(doc: &Node) -> Config {
    let mut c = Config::default();
    let Some((_, _, http)) = doc.entry_ci("http") else {
        return c;
    };
    let names = |ms: &Node, c: &mut Config| {
        for m in ms.items() {
            if let Some(r) = m.str() {
                let none = Namespace::None;
                c.references
                    .push(reference(r, m.span, Origin::File, &none, None));
            }
        }
    };
    if let Some((_, _, routers)) = http.entry_ci("routers") {
        for (_, _, router) in routers.entries() {
            c.users.push(user(Origin::File, &Namespace::None));
            if let Some((_, _, ms)) = router.entry_ci("middlewares") {
                names(ms, &mut c);
            }
        }
    }
    if let Some((_, _, middlewares)) = http.entry_ci("middlewares") {
        for (name, name_span, m) in middlewares.entries() {
            if let Some((_, _, chain)) = m.entry_ci("chain") {
                c.users.push(user(Origin::File, &Namespace::None));
                if let Some((_, _, ms)) = chain.entry_ci("middlewares") {
                    names(ms, &mut c);
                }
            }
            if let Some((_, key, headers)) = m.entry_ci("headers") {
                c.middlewares.push(Middleware {
                    name: name.clone(),
                    short_name: name.clone(),
                    namespace: Namespace::None,
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
