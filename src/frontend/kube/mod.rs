//! Kubernetes manifests and other YAML: one loader with byte-exact spans for every front end
//! that reads YAML (ingress-nginx, Gateway API, Istio, Envoy Gateway, Traefik, Kong).
//!
//! `yaml.rs` loads a stream with saphyr (character positions turned into byte offsets),
//! `scalar.rs` maps each character of a value back to the bytes that wrote it, per scalar
//! style, and `resolve.rs` types unquoted values by YAML 1.1 as Kubernetes does.

pub mod resolve;
pub mod scalar;
pub mod tree;
pub mod yaml;

use saphyr::MarkedYaml;

/// Every object of `kind` in the documents, items of `List`s (`v1/List`, `IngressList`, …)
/// included.
pub fn objects_of_kind<'n, 'a>(docs: &'n [MarkedYaml<'a>], kind: &str) -> Vec<&'n MarkedYaml<'a>> {
    fn walk<'n, 'a>(
        node: &'n MarkedYaml<'a>,
        kind: &str,
        out: &mut Vec<&'n MarkedYaml<'a>>,
        depth: usize,
    ) {
        let Some(k) = yaml::text(node, "kind") else {
            return;
        };
        if k == "List" || k.ends_with("List") {
            if depth < 4
                && let Some((_, items)) = yaml::get(node, "items")
                && let Some(items) = yaml::sequence(items)
            {
                for item in items {
                    walk(item, kind, out, depth + 1);
                }
            }
        } else if k == kind {
            out.push(node);
        }
    }
    let mut out = Vec::new();
    for doc in docs {
        walk(doc, kind, &mut out, 0);
    }
    out
}
