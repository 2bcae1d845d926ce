//! A declarative `kong.yml` kept in a ConfigMap (`data: {kong.yml: |…}`), as DB-less Kong
//! deployments mount it: read as the file it is, every span mapped into the manifest.

use super::{Fact, Lowered, find, lower_stream};
use crate::frontend::kube::{self, Stream, yaml};
use crate::frontend::{InputError, Options};
use crate::source::{MappedText, Span};

/// A declarative configuration in a ConfigMap's `data`.
pub struct Embedded {
    /// "ConfigMap `kong-config` key `kong.yml`".
    pub place: String,
    pub text: MappedText,
}

/// The `data` values of the stream's ConfigMaps that are declarative Kong configurations.
pub fn configs(stream: &Stream) -> Vec<Embedded> {
    let (Ok(src), Ok(docs)) = (stream.text(), stream.docs()) else {
        return Vec::new();
    };
    let chars = stream.chars();
    let mut out = Vec::new();
    for map in kube::objects_of_kind(docs, "ConfigMap") {
        let name = yaml::get(map, "metadata")
            .and_then(|(_, m)| yaml::text(m, "name"))
            .unwrap_or("?");
        let Some((_, data)) = yaml::get(map, "data") else {
            continue;
        };
        for (k, v) in yaml::mapping(data).into_iter().flatten() {
            let Some(text) = kube::scalar::mapped(src, chars, v) else {
                continue;
            };
            if text.as_str().contains("_format_version") {
                let key = yaml::scalar(k).map_or("?", |(t, ..)| t);
                out.push(Embedded {
                    place: format!("ConfigMap `{name}` key `{key}`"),
                    text,
                });
            }
        }
    }
    out
}

/// The policies and facts of each embedded configuration, in the manifest's bytes.
pub fn lower_all(stream: &Stream, options: &Options) -> Result<Lowered, InputError> {
    let mut out = Lowered {
        policies: Vec::new(),
        facts: Vec::new(),
    };
    for e in configs(stream) {
        let to_file = |s: Span| e.text.span_of(s.range());
        let inner = Stream::new(e.text.as_str().as_bytes());
        let lowered = lower_stream(&inner, options).map_err(|err| InputError {
            span: err.span.map(to_file).or(Some(e.text.span())),
            message: format!("in the {}: {}", e.place, err.message),
        })?;
        for mut p in lowered.policies {
            p.remap_spans(&to_file);
            p.scope.description = format!("{} in the {}", p.scope.description, e.place);
            out.policies.push(p);
        }
        out.facts
            .extend(lowered.facts.into_iter().map(|f| remapped(f, &to_file)));
    }
    Ok(out)
}

/// The first `cors` plugin of an embedded configuration, for `recognise`: its description
/// and where it is in the manifest.
pub fn first_plugin(stream: &Stream) -> Option<(String, Span)> {
    configs(stream).into_iter().find_map(|e| {
        let inner = Stream::new(e.text.as_str().as_bytes());
        let p = find(&inner).plugins.into_iter().next()?;
        Some((
            format!("{} in the {}", p.description, e.place),
            e.text.span_of(p.anchor.range()),
        ))
    })
}

fn remapped(fact: Fact, f: &dyn Fn(Span) -> Span) -> Fact {
    match fact {
        Fact::Unused { plugin, span } => Fact::Unused {
            plugin,
            span: f(span),
        },
        Fact::EntryNeverMatches { entry, span, why } => Fact::EntryNeverMatches {
            entry,
            span: f(span),
            why,
        },
        Fact::PreflightContinue { plugin, span } => Fact::PreflightContinue {
            plugin,
            span: f(span),
        },
        Fact::HostOnlyRegex { entry, span } => Fact::HostOnlyRegex {
            entry,
            span: f(span),
        },
        Fact::WrongType {
            field,
            span,
            expected,
            found,
        } => Fact::WrongType {
            field,
            span: f(span),
            expected,
            found,
        },
    }
}
