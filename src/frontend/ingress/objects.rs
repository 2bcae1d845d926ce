//! Ingress objects in a YAML stream: top-level documents and the `items` of a `List`, with
//! their annotations (key and value bytes, and how Kubernetes types each value).

use super::controller as ctl;
use crate::frontend::kube::resolve::{self, Resolved};
use crate::frontend::kube::scalar;
use crate::frontend::kube::yaml::{self, CharMap};
use crate::source::{MappedText, Span};
use saphyr::MarkedYaml;
use saphyr_parser::ScalarStyle;

/// The Ingress API versions the API server serves (`networking.k8s.io/v1` since Kubernetes
/// 1.19; the beta versions until 1.22).
pub const API_VERSIONS: [&str; 3] = [
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "extensions/v1beta1",
];

pub struct Annotation {
    pub key: String,
    pub key_span: Span,
    /// The value as Kubernetes stores it (for a non-string: the text as written).
    pub value: MappedText,
    /// The written value (quotes included, block scalar without trailing breaks).
    pub value_span: Span,
    /// How Kubernetes types the value; anything but `String` is rejected.
    pub resolved: Resolved,
    /// The value's bytes as written.
    pub written: String,
}

pub struct Ingress {
    pub name: String,
    pub namespace: Option<String>,
    /// The `kind: Ingress` value, where findings about the whole object go.
    pub kind_span: Span,
    pub annotations: Vec<Annotation>,
    /// `spec.rules[].host` with their bytes.
    pub hosts: Vec<(String, Span)>,
    /// `spec.tls[].hosts[]`.
    pub tls_hosts: Vec<String>,
}

impl Ingress {
    /// "`namespace/name`" (the namespace only when the manifest sets it).
    pub fn display_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("`{ns}/{}`", self.name),
            None => format!("`{}`", self.name),
        }
    }
}

/// Every Ingress of the stream, in file order.
pub fn ingresses(src: &str, chars: &CharMap, docs: &[MarkedYaml]) -> Vec<Ingress> {
    let mut out = Vec::new();
    for node in crate::frontend::kube::objects_of_kind(docs, "Ingress") {
        collect(src, chars, node, &mut out);
    }
    out
}

fn collect(src: &str, chars: &CharMap, node: &MarkedYaml, out: &mut Vec<Ingress>) {
    let api_version = yaml::text(node, "apiVersion").unwrap_or("");
    if !API_VERSIONS.contains(&api_version) {
        return;
    }
    let kind_span =
        yaml::get(node, "kind").map_or(Span::empty(0), |(_, v)| scalar::written(src, chars, v));
    let metadata = yaml::get(node, "metadata").map(|(_, m)| m);
    let name = metadata
        .and_then(|m| yaml::text(m, "name"))
        .unwrap_or("(unnamed)")
        .to_string();
    let namespace = metadata
        .and_then(|m| yaml::text(m, "namespace"))
        .map(str::to_string);
    let mut annotations = Vec::new();
    if let Some(m) = metadata
        && let Some((_, ann)) = yaml::get(m, "annotations")
        && let Some(entries) = yaml::mapping(ann)
    {
        for (k, v) in entries {
            let Some((key, ..)) = yaml::scalar(k) else {
                continue;
            };
            let key_span = scalar::written(src, chars, k);
            let value_span = scalar::written(src, chars, v);
            let (value, resolved) = match yaml::scalar(v) {
                Some((text, style, tag)) => {
                    let resolved = match tag {
                        Some(t) if t.handle == "tag:yaml.org,2002:" => match t.suffix.as_ref() {
                            "str" => Resolved::String,
                            "bool" => Resolved::Bool,
                            "int" => Resolved::Int,
                            "float" => Resolved::Float,
                            "null" => Resolved::Null,
                            _ => Resolved::String,
                        },
                        _ if style == ScalarStyle::Plain => resolve::plain(text),
                        _ => Resolved::String,
                    };
                    // A null reaches the controller as no value; a boolean or number is
                    // read as the string it was meant to be (and reported).
                    let mapped = if resolved == Resolved::Null {
                        MappedText::empty(value_span)
                    } else {
                        scalar::mapped(src, chars, v)
                            .unwrap_or_else(|| MappedText::opaque(text.to_string(), value_span))
                    };
                    (mapped, resolved)
                }
                None => (MappedText::empty(value_span), Resolved::Collection),
            };
            annotations.push(Annotation {
                key: key.to_string(),
                key_span,
                value,
                value_span,
                resolved,
                written: src.get(value_span.range()).unwrap_or("").to_string(),
            });
        }
    }
    let spec = yaml::get(node, "spec").map(|(_, s)| s);
    let mut hosts = Vec::new();
    let mut tls_hosts = Vec::new();
    if let Some(spec) = spec {
        for rule in yaml::get(spec, "rules")
            .and_then(|(_, r)| yaml::sequence(r))
            .unwrap_or(&[])
        {
            if let Some((_, h)) = yaml::get(rule, "host")
                && let Some((text, ..)) = yaml::scalar(h)
            {
                hosts.push((text.to_string(), scalar::written(src, chars, h)));
            }
        }
        for tls in yaml::get(spec, "tls")
            .and_then(|(_, t)| yaml::sequence(t))
            .unwrap_or(&[])
        {
            for h in yaml::get(tls, "hosts")
                .and_then(|(_, h)| yaml::sequence(h))
                .unwrap_or(&[])
            {
                if let Some((text, ..)) = yaml::scalar(h) {
                    tls_hosts.push(text.to_string());
                }
            }
        }
    }
    out.push(Ingress {
        name,
        namespace,
        kind_span,
        annotations,
        hosts,
        tls_hosts,
    });
}

/// A `ConfigMap` key named like a CORS annotation (`enable-cors`, `cors-allow-origin`, …):
/// the controller's ConfigMap has no such settings, CORS is per Ingress.
#[derive(Clone, Debug)]
pub struct ConfigMapCorsKey {
    /// "ConfigMap `ns/name`".
    pub object: String,
    pub key: String,
    pub span: Span,
}

/// CORS-named keys in the `data` of every `ConfigMap` (in `List`s too).
pub fn configmap_cors_keys(
    src: &str,
    chars: &CharMap,
    docs: &[MarkedYaml],
) -> Vec<ConfigMapCorsKey> {
    let mut out = Vec::new();
    for node in crate::frontend::kube::objects_of_kind(docs, "ConfigMap") {
        let metadata = yaml::get(node, "metadata").map(|(_, m)| m);
        let name = metadata
            .and_then(|m| yaml::text(m, "name"))
            .unwrap_or("(unnamed)");
        let object = match metadata.and_then(|m| yaml::text(m, "namespace")) {
            Some(ns) => format!("ConfigMap `{ns}/{name}`"),
            None => format!("ConfigMap `{name}`"),
        };
        let Some(entries) = yaml::get(node, "data").and_then(|(_, d)| yaml::mapping(d)) else {
            continue;
        };
        for (k, _) in entries {
            let Some((key, ..)) = yaml::scalar(k) else {
                continue;
            };
            if ctl::CORS_KEYS.contains(&key) {
                out.push(ConfigMapCorsKey {
                    object: object.clone(),
                    key: key.to_string(),
                    span: scalar::written(src, chars, k),
                });
            }
        }
    }
    out
}
