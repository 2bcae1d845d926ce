//! ingress-nginx: Kubernetes Ingress manifests (YAML) → CORS policy IR.
//!
//! A `.yaml`/`.yml` file holding `kind: Ingress` objects (top-level documents of a `---`
//! stream, or the `items` of a `List`) is read with exact byte spans (`yaml`, `scalar`);
//! each Ingress's `nginx.ingress.kubernetes.io/*` CORS annotations are read as the
//! controller reads them (`controller`, exact to controller-v1.15.1, older releases with
//! `--assume-version ingress-nginx=X`), and an Ingress with `enable-cors: "true"` becomes
//! one policy (`lower`). Values Kubernetes would not read as strings (`resolve`) are facts
//! for the `INGX` rules, like every default the controller silently applies.

pub mod controller;
pub mod facts;
mod lower;
mod objects;
pub mod resolve;
pub mod scalar;
pub mod yaml;

pub use facts::Fact;

use super::{InputError, Options};
use crate::ir::CorsPolicy;
use crate::source::{SourceFile, Span};
use controller::Version;

pub struct Lowered {
    pub policies: Vec<CorsPolicy>,
    pub facts: Vec<Fact>,
}

fn utf8(bytes: &[u8]) -> Result<&str, InputError> {
    std::str::from_utf8(bytes).map_err(|e| InputError {
        span: Some(Span::new(e.valid_up_to(), e.valid_up_to() + 1)),
        message: "the file is not UTF-8, so Kubernetes cannot read it".into(),
    })
}

pub fn lower(file: &SourceFile, options: &Options) -> Result<Lowered, InputError> {
    let src = utf8(file.bytes())?;
    let chars = yaml::CharMap::new(src);
    let docs = yaml::load(src, &chars).map_err(|e| {
        let end = src[e.at..]
            .chars()
            .next()
            .map_or(e.at, |c| e.at + c.len_utf8());
        InputError {
            span: Some(Span::new(e.at, end)),
            message: format!(
                "invalid YAML: {}; kubectl and the API server refuse the file",
                e.message
            ),
        }
    })?;
    let cx = lower::Context {
        version: options.ingress_nginx_version.unwrap_or(Version::NEWEST),
        version_assumed: options.ingress_nginx_version.is_none(),
    };
    let mut facts = Vec::new();
    let mut policies = Vec::new();
    for ing in objects::ingresses(src, &chars, &docs) {
        if let Some(p) = lower::ingress(&ing, &cx, &mut facts) {
            policies.push(p);
        }
    }
    Ok(Lowered { policies, facts })
}

/// Why a file is (or is not) read as Kubernetes manifests for ingress-nginx.
pub fn recognise(file_name: &str, bytes: &[u8]) -> Result<String, String> {
    if !(file_name.ends_with(".yaml") || file_name.ends_with(".yml")) {
        return Err("not a .yaml/.yml file".into());
    }
    let Ok(src) = std::str::from_utf8(bytes) else {
        return Err("YAML that is not UTF-8".into());
    };
    let line = |at: usize| src[..at.min(src.len())].matches('\n').count() + 1;
    if let Some((at, action)) = yaml::template_action(src) {
        return Err(format!(
            "a Helm/Go template (`{action}` on line {}), not YAML yet: lint its rendered output \
             (`helm template … > rendered.yaml`)",
            line(at)
        ));
    }
    let chars = yaml::CharMap::new(src);
    match yaml::load(src, &chars) {
        Ok(docs) => {
            let found = objects::ingresses(src, &chars, &docs);
            if let Some(first) = found.first() {
                let n = found.len();
                return Ok(format!(
                    "it holds {} (line {})",
                    if n == 1 {
                        format!("Ingress {}", first.display_name())
                    } else {
                        format!("{n} Ingress objects, the first {}", first.display_name())
                    },
                    line(first.kind_span.start)
                ));
            }
            let kinds: Vec<String> = docs
                .iter()
                .filter_map(|d| yaml::text(d, "kind"))
                .map(|k| format!("`{k}`"))
                .collect();
            Err(if kinds.is_empty() {
                "YAML without a Kubernetes `kind`".to_string()
            } else {
                format!(
                    "Kubernetes YAML without an Ingress (kinds: {})",
                    kinds.join(", ")
                )
            })
        }
        // Broken YAML that says it is an Ingress is ours to report.
        Err(_) if says_ingress(src) => Ok("it says `kind: Ingress` (the YAML is broken)".into()),
        Err(e) => Err(format!(
            "YAML that does not parse ({}) and names no Ingress",
            e.message
        )),
    }
}

fn says_ingress(src: &str) -> bool {
    src.lines().any(|l| {
        let t = l.trim_start().trim_start_matches("- ").trim();
        matches!(
            t,
            "kind: Ingress" | "kind: \"Ingress\"" | "kind: 'Ingress'" | "kind: List"
        ) && !t.starts_with('#')
    })
}
