//! ingress-nginx: Kubernetes Ingress manifests (YAML) → CORS policy IR.
//!
//! A `.yaml`/`.yml` file holding `kind: Ingress` objects (top-level documents of a `---`
//! stream, or the `items` of a `List`) is read with exact byte spans (`yaml`, `scalar`);
//! each Ingress's `nginx.ingress.kubernetes.io/*` CORS annotations are read as the
//! controller reads them (`controller`, exact to controller-v1.15.1, older releases with
//! `--assume-version ingress-nginx=X`), and an Ingress with `enable-cors: "true"` becomes
//! one policy (`lower`). Values Kubernetes would not read as strings (`resolve`) are facts
//! for the `INGX` rules, like every default the controller silently applies.

mod auth;
pub mod controller;
pub mod facts;
mod lower;
mod objects;
mod snippets;

pub use facts::Fact;

use super::kube::{self, Stream, yaml};
use super::{InputError, Options};
use crate::ir::CorsPolicy;
use crate::source::SourceFile;
use controller::Version;

pub struct Lowered {
    pub policies: Vec<CorsPolicy>,
    pub facts: Vec<Fact>,
}

/// [`lower_stream`] of a file on its own.
pub fn lower(file: &SourceFile, options: &Options) -> Result<Lowered, InputError> {
    lower_stream(&Stream::new(file.bytes()), options)
}

pub fn lower_stream(stream: &Stream, options: &Options) -> Result<Lowered, InputError> {
    let src = kube::utf8(stream, "Kubernetes")?;
    let docs = kube::parse(stream, |why| {
        if why.contains("duplicated key") {
            format!(
                "invalid YAML: {why} (YAML forbids it; Kubernetes tools either refuse the file or keep one of the \
                 values)"
            )
        } else {
            format!("invalid YAML: {why}; kubectl refuses the file")
        }
    })?;
    let chars = stream.chars();
    let cx = lower::Context {
        version: options.ingress_nginx_version.unwrap_or(Version::NEWEST),
        version_assumed: options.ingress_nginx_version.is_none(),
    };
    let mut facts = Vec::new();
    let mut policies = Vec::new();
    for ing in objects::ingresses(src, chars, docs) {
        let from = facts.len();
        let mut cors = lower::ingress(&ing, &cx, &mut facts);
        if let Some(c) = &mut cors {
            c.response_headers = snippets::vary(&facts[from..]);
        }
        policies.extend(snippets::policies(&facts[from..], cors.as_ref())?);
        policies.extend(cors);
    }
    for k in objects::configmap_cors_keys(src, chars, docs) {
        facts.push(Fact::ConfigMapCorsKey {
            object: k.object,
            key: k.key,
            span: k.span,
        });
    }
    Ok(Lowered { policies, facts })
}

/// `*.yaml` or `*.yml`.
pub fn is_yaml_name(file_name: &str) -> bool {
    file_name.ends_with(".yaml") || file_name.ends_with(".yml")
}

/// [`recognise_stream`] of a file on its own.
pub fn recognise(file_name: &str, bytes: &[u8]) -> Result<String, String> {
    recognise_stream(file_name, &Stream::new(bytes))
}

/// Why a file is (or is not) read as Kubernetes manifests for ingress-nginx.
pub fn recognise_stream(file_name: &str, stream: &Stream) -> Result<String, String> {
    if !is_yaml_name(file_name) {
        return Err("not a .yaml/.yml file".into());
    }
    let Ok(src) = stream.text() else {
        return Err("YAML that is not UTF-8".into());
    };
    let line = |at: usize| src[..at.min(src.len())].matches('\n').count() + 1;
    if let Some((at, action)) = stream.template_action() {
        return Err(format!(
            "a Helm/Go template (`{action}` on line {}), not YAML yet: lint its rendered output \
             (`helm template … > rendered.yaml`)",
            line(*at)
        ));
    }
    let chars = stream.chars();
    match stream.docs() {
        Ok(docs) => {
            let found = objects::ingresses(src, chars, docs);
            if found.is_empty()
                && let Some(k) = objects::configmap_cors_keys(src, chars, docs).first()
            {
                return Ok(format!(
                    "{} sets `{}` (line {}), a CORS setting ingress-nginx does not have there",
                    k.object,
                    k.key,
                    line(k.span.start)
                ));
            }
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

#[cfg(test)]
mod tests {
    use super::facts::{Cors, Effective, Fate, Source};
    use super::*;
    use crate::frontend::kube::resolve;
    use crate::ir::{
        AllowList, Credentials, LabelDepth, MaxAge, OriginMatcher, OriginPolicy, PortMatch,
    };
    use crate::source::{Encoding, Span};

    fn lower_src(src: &str, version: Option<Version>) -> Lowered {
        let file = SourceFile::new("x.yaml", src.as_bytes().to_vec(), Encoding::Utf8);
        let options = Options {
            ingress_nginx_version: version,
            ..Options::default()
        };
        lower(&file, &options).unwrap()
    }

    fn ingress(annotations: &str) -> String {
        format!(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: api\n  annotations:\n{annotations}spec:\n  rules:\n    - host: api.example.com\n"
        )
    }

    fn cors(l: &Lowered) -> &Cors {
        l.facts
            .iter()
            .find_map(|f| match f {
                Fact::Cors(c) => Some(&**c),
                _ => None,
            })
            .expect("a CORS fact")
    }

    fn at(src: &str, span: Span) -> &str {
        &src[span.range()]
    }

    const ON: &str = "    nginx.ingress.kubernetes.io/enable-cors: \"true\"\n";

    #[test]
    fn origin_list_becomes_matchers_on_their_bytes() {
        let src = ingress(&format!(
            "{ON}    nginx.ingress.kubernetes.io/cors-allow-origin: \"https://App.example.com, https://*.example.org:8443,null\"\n"
        ));
        let l = lower_src(&src, None);
        let p = &l.policies[0];
        let OriginPolicy::Match(m) = &p.allow_origin else {
            panic!("{:?}", p.allow_origin)
        };
        let shown: Vec<&str> = m.matchers.iter().map(|(_, s)| at(&src, *s)).collect();
        assert_eq!(
            shown,
            [
                "https://App.example.com",
                "https://*.example.org:8443",
                "null"
            ]
        );
        assert!(matches!(
            &m.matchers[1].0,
            OriginMatcher::Subdomains { base, depth: LabelDepth::ExactlyOne, port: PortMatch::Exact(8443), .. } if base == "example.org"
        ));
        assert_eq!(m.matchers[2].0, OriginMatcher::Null);
        // Case-insensitive, one label only, port exact.
        assert!(m.matchers[0].0.accepts("https://app.EXAMPLE.com"));
        assert!(m.matchers[1].0.accepts("https://a.example.org:8443"));
        assert!(!m.matchers[1].0.accepts("https://a.b.example.org:8443"));
        assert!(!m.matchers[1].0.accepts("https://a.example.org"));
        // Defaults: credentials true (anchored on enable-cors), methods, max-age.
        assert!(
            matches!(p.credentials, Credentials::On { at: s } if at(&src, s) == "nginx.ingress.kubernetes.io/enable-cors")
        );
        assert!(
            matches!(&p.allow_methods, AllowList::Static(v) if v.text() == controller::DEFAULT_METHODS)
        );
        assert!(matches!(
            p.max_age,
            MaxAge::Seconds {
                value: 1_728_000,
                ..
            }
        ));
        assert!(!p.emission.without_origin && p.emission.on_errors);
        assert!(matches!(cors(&l).credentials.source, Source::Defaulted));
    }

    #[test]
    fn null_entry_is_dropped_before_1_13() {
        let src = ingress(&format!(
            "{ON}    nginx.ingress.kubernetes.io/cors-allow-origin: \"https://a.example.com, null\"\n"
        ));
        let l = lower_src(&src, Some(Version(1, 12, 2)));
        let e = &cors(&l).origin_entries[1];
        assert_eq!((e.text.as_str(), at(&src, e.span)), ("null", "null"));
        assert!(matches!(e.fate, Fate::Dropped { .. }));
    }

    #[test]
    fn trailing_comma_matched_everything_before_1_9_5() {
        let src = ingress(&format!(
            "{ON}    nginx.ingress.kubernetes.io/cors-allow-origin: \"https://a.example.com,\"\n"
        ));
        let old = lower_src(&src, Some(Version(1, 9, 4)));
        let OriginPolicy::Match(m) = &old.policies[0].allow_origin else {
            panic!()
        };
        assert!(m.matchers.iter().any(|(x, _)| *x == OriginMatcher::Any));
        let new = lower_src(&src, None);
        let OriginPolicy::Match(m) = &new.policies[0].allow_origin else {
            panic!()
        };
        assert_eq!(m.matchers.len(), 1);
        assert!(!m.matchers[0].0.accepts("https://evil.example"));
    }

    #[test]
    fn invalid_origin_fails_open_at_the_failing_byte() {
        let src = ingress(&format!(
            "{ON}    nginx.ingress.kubernetes.io/cors-allow-origin: |\n      https://a.example.com,\n      https://b.example.com\n"
        ));
        let l = lower_src(&src, None);
        let c = cors(&l);
        let Source::Invalid { at: bad, value, .. } = &c.origin.source else {
            panic!("{:?}", c.origin.source)
        };
        assert_eq!(at(&src, *bad), "\n");
        assert_eq!(bad.start, src.find("a.example.com,").unwrap() + 14);
        assert!(at(&src, *value).starts_with("https://a.example.com,"));
        assert_eq!(c.origin.value, Effective::Star);
        assert!(matches!(&l.policies[0].allow_origin, OriginPolicy::Static(v) if v.text() == "*"));
        assert!(l.policies[0].emission.without_origin);
    }

    #[test]
    fn every_entry_dropped_means_no_cors_header() {
        let src = ingress(&format!(
            "{ON}    nginx.ingress.kubernetes.io/cors-allow-origin: \"a.example.com\"\n"
        ));
        let l = lower_src(&src, None);
        assert!(!l.policies[0].sends_any_cors_header());
        assert_eq!(cors(&l).origin.value, Effective::Nothing);
    }

    #[test]
    fn folded_values_keep_exact_bytes_per_entry() {
        let src = ingress(&format!(
            "{ON}    nginx.ingress.kubernetes.io/cors-allow-headers: >-\n      Content-Type,\n      X-Token\n"
        ));
        let l = lower_src(&src, None);
        let AllowList::Static(v) = &l.policies[0].allow_headers else {
            panic!()
        };
        assert_eq!(v.text(), "Content-Type, X-Token");
        let entries = l.policies[0].allow_headers.entries().unwrap();
        assert_eq!(at(&src, entries[1].1), "X-Token");
    }

    #[test]
    fn unquoted_scalars_are_typed_as_kubernetes_does() {
        let src = ingress(
            "    nginx.ingress.kubernetes.io/enable-cors: on\n    nginx.ingress.kubernetes.io/cors-max-age: 600\n    nginx.ingress.kubernetes.io/cors-allow-origin: ~\n",
        );
        let l = lower_src(&src, None);
        let kinds: Vec<(&str, resolve::Resolved)> = l
            .facts
            .iter()
            .filter_map(|f| match f {
                Fact::NonString {
                    value, resolved, ..
                } => Some((at(&src, *value), *resolved)),
                _ => None,
            })
            .collect();
        use resolve::Resolved::*;
        assert_eq!(kinds, [("on", Bool), ("600", Int), ("~", Null)]);
        // `on` read as the string "on": not a Go boolean, so CORS stays off.
        assert!(l.policies.is_empty());
    }

    #[test]
    fn lists_and_beta_versions_are_found_other_kinds_ignored() {
        let src = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: extensions/v1beta1\n  kind: Ingress\n  metadata:\n    name: a\n    annotations:\n      nginx.ingress.kubernetes.io/enable-cors: \"true\"\n- apiVersion: v1\n  kind: Service\n  metadata:\n    name: s\n---\napiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata:\n  name: b\n  annotations:\n    nginx.ingress.kubernetes.io/enable-cors: \"true\"\n";
        let l = lower_src(src, None);
        let names: Vec<&str> = l
            .policies
            .iter()
            .map(|p| p.scope.description.as_str())
            .collect();
        assert_eq!(
            names,
            ["Ingress `a` (every host)", "Ingress `b` (every host)"]
        );
        assert!(recognise("x.yaml", src.as_bytes()).is_ok());
        assert!(recognise("x.yml", b"kind: Service\napiVersion: v1\n").is_err());
        assert!(recognise("x.json", src.as_bytes()).is_err());
    }

    #[test]
    fn snippets_are_recorded_with_their_body_bytes() {
        let src = ingress(
            "    nginx.ingress.kubernetes.io/configuration-snippet: |\n      more_set_headers \"Access-Control-Allow-Origin: $http_origin\";\n",
        );
        let l = lower_src(&src, None);
        let (key_span, body) = l
            .facts
            .iter()
            .find_map(|f| match f {
                Fact::Snippet { key_span, body, .. } => Some((*key_span, body)),
                _ => None,
            })
            .expect("a snippet fact");
        assert_eq!(
            at(&src, key_span),
            "nginx.ingress.kubernetes.io/configuration-snippet"
        );
        assert_eq!(
            body.as_str(),
            "more_set_headers \"Access-Control-Allow-Origin: $http_origin\";\n"
        );
        let i = body.as_str().find("$http_origin").unwrap();
        assert_eq!(at(&src, body.span_of(i..i + 12)), "$http_origin");
    }

    #[test]
    fn parse_errors_have_byte_locations() {
        let src = "kind: Ingress\nmetadata:\n  name: \"grüße\n";
        let file = SourceFile::new("x.yaml", src.as_bytes().to_vec(), Encoding::Utf8);
        let e = lower(&file, &Options::default()).err().unwrap();
        let span = e.span.unwrap();
        assert!(span.end <= src.len() && src.is_char_boundary(span.start));
        assert!(e.message.starts_with("invalid YAML"));
    }
}
