//! nginx: configuration files and the snippets ingress-nginx embeds.
//!
//! The syntax ([`syntax`]), `include` ([`include`]), which header directives reach a response
//! ([`headers`]), `map` lookups ([`map`]) and whole answers to a request ([`eval`]) — each
//! checked against a real nginx — and the lowering into CORS policies ([`lower`]).

mod arity;
pub mod eval;
pub mod headers;
pub mod include;
pub mod lower;
pub mod map;
mod pcre;
pub mod shadow;
pub mod syntax;
mod variables;

use super::InputError;
use crate::source::SourceFile;
use regex::Regex;
use std::sync::LazyLock;

/// Directives that only nginx configuration starts a line with (Apache spells its own in
/// CamelCase).
static NGINX_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?m)^[ \t]*(server|location|http|upstream|add_header|more_set_headers|proxy_pass|server_name|listen|map|include)[ \t]|^[ \t]*(if[ \t]*\([ \t]*\$|set[ \t]+\$)",
    )
    .expect("valid regex")
});

/// Whether a file is nginx configuration, and why.
pub fn recognise(file_name: &str, bytes: &[u8]) -> Result<String, String> {
    if file_name == "nginx.conf" {
        return Ok("the file is named nginx.conf".into());
    }
    if !(file_name.ends_with(".conf") || file_name.ends_with(".nginx")) {
        return Err("not a .conf file".into());
    }
    let text = String::from_utf8_lossy(bytes);
    match NGINX_LINE.captures(&text) {
        Some(c) => {
            // `if ($…` and `set $…` are nginx's own spelling of a condition and a variable.
            let m = c.get(1).or_else(|| c.get(2)).expect("a group");
            let line = 1 + text[..m.start()].matches('\n').count();
            let name = m
                .as_str()
                .split([' ', '\t', '('])
                .next()
                .unwrap_or_default();
            Ok(format!(
                "a line starts with the nginx directive `{name}` (line {line})"
            ))
        }
        None => Err("no line starts with an nginx directive".into()),
    }
}

/// What only the nginx front end knows, for `NGX` rules.
#[derive(Clone, Debug)]
pub enum Fact {
    /// An `include` cors-lint could not follow: what it adds is not judged.
    UnresolvedInclude {
        span: crate::source::Span,
        pattern: String,
        reason: String,
    },
    /// A location with CORS headers nginx never selects: earlier locations take every
    /// request it would match.
    ShadowedLocation(lower::ShadowedLocation),
}

/// A file lowered with its includes.
pub struct LoweredFile {
    pub policies: Vec<crate::ir::CorsPolicy>,
    pub facts: Vec<Fact>,
    pub included: Vec<include::Included>,
}

/// Parse, follow `include`s (relative to `--nginx-prefix` or the file's own prefix) and
/// lower into policies.
pub fn lower_file(file: &SourceFile, options: &super::Options) -> Result<LoweredFile, InputError> {
    let config = check_syntax(file)?;
    if let Some(version) = options.nginx_version {
        check_version(&config.statements, version)?;
    }
    let path = std::path::Path::new(file.name());
    let prefix = options
        .nginx_prefix
        .clone()
        .unwrap_or_else(|| include::default_prefix(path));
    let x = include::expand(file.bytes(), config, path, &prefix);
    if let Some((span, cycle)) = x.cycle {
        return Err(InputError {
            span: Some(span),
            message: format!("this `include` leads into {cycle}"),
        });
    }
    if x.unresolved.is_empty()
        && let Some((span, name)) =
            variables::first_unknown(&x.config, &x.bytes, file.bytes().len())
    {
        return Err(InputError {
            span: Some(span),
            message: format!(
                "unknown \"{name}\" variable: no module defines it and no `set`, `map` or `geo` declares it; nginx refuses to load this configuration"
            ),
        });
    }
    let target = lower::Target {
        version: options.nginx_version.unwrap_or(headers::Version::NEWEST),
        assumed: options.nginx_version.is_none(),
    };
    let (policies, shadowed) = lower::lower_with_shadowed(&x.bytes, &x.config, target);
    Ok(LoweredFile {
        policies,
        facts: x
            .unresolved
            .into_iter()
            .map(|u| Fact::UnresolvedInclude {
                span: u.span,
                pattern: u.pattern,
                reason: u.reason,
            })
            .chain(shadowed.into_iter().map(Fact::ShadowedLocation))
            .collect(),
        included: x.included,
    })
}

/// Directives the stated nginx release does not have yet: `nginx -t` calls them unknown.
fn check_version(
    statements: &[syntax::Statement],
    version: headers::Version,
) -> Result<(), InputError> {
    for s in statements {
        if s.name.value == "add_header_inherit" && !version.has_add_header_inherit() {
            return Err(InputError {
                span: Some(s.name.span),
                message: format!(
                    "unknown directive \"add_header_inherit\" (it arrived in nginx 1.29.3; \
                     --assume-version says {version}); nginx refuses to load this configuration"
                ),
            });
        }
        check_version(s.children(), version)?;
    }
    Ok(())
}

/// Check the file's syntax as nginx would.
pub fn check_syntax(file: &SourceFile) -> Result<syntax::Config, InputError> {
    read_config(file.bytes()).map_err(|e| InputError {
        span: Some(e.span),
        message: if e.nginx_rejects {
            format!("{}; nginx refuses to load this configuration", e.message)
        } else {
            e.message
        },
    })
}

/// A file's configuration, or the first thing nginx refuses while reading it: its encoding,
/// its syntax, a directive's name or argument count, a regex.
pub(crate) fn read_config(bytes: &[u8]) -> Result<syntax::Config, syntax::SyntaxError> {
    arity::check_encoding(bytes)?;
    let config = syntax::parse(bytes)?;
    arity::check(&config, bytes)?;
    pcre::check(&config)?;
    Ok(config)
}

/// An nginx fragment embedded in another file (an ingress-nginx snippet annotation): parsed
/// from its decoded text and lowered at `context`, every span moved to the bytes of the
/// embedding file through `text`'s map.
pub fn lower_embedded(
    text: &crate::source::MappedText,
    context: lower::Context,
    target: lower::Target,
) -> Result<Vec<crate::ir::CorsPolicy>, InputError> {
    let bytes = text.as_str().as_bytes();
    let to_file = |s: crate::source::Span| text.span_of(s.range());
    let config = syntax::parse(bytes)
        .and_then(|c| arity::check(&c, bytes).map(|()| c))
        .map_err(|e| InputError {
            span: Some(to_file(e.span)),
            message: format!("in the nginx snippet: {}", e.message),
        })?;
    let mut policies = lower::lower_fragment(bytes, &config, target, context);
    for p in &mut policies {
        p.remap_spans(&to_file);
    }
    Ok(policies)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::OriginPolicy;
    use crate::source::{MappedText, Span};

    /// A `conf.d` fragment holding only an `if` block, or only `set`s, is nginx (issue 18 §5);
    /// other `.conf` files with `if` or `set` words are not.
    #[test]
    fn fragments_of_only_if_or_set_are_recognised() {
        let yes = |t: &str| recognise("cors.conf", t.as_bytes()).is_ok();
        assert!(yes(
            "if ($request_method = OPTIONS) {\n    return 204;\n}\n"
        ));
        assert!(yes("  set $cors \"true\";\n"));
        assert!(!yes(
            "[program:x]\ncommand=/bin/sh -c 'if [ -f a ]; then set -e; fi'\n"
        ));
        assert!(!yes("if (x) then\nset y\n"));
    }

    /// `nginx -t` of 1.22.1 says `unknown directive "add_header_inherit"`; the newest knows it.
    #[test]
    fn directives_newer_than_the_stated_release_are_refused() {
        let text = "http { server { add_header_inherit merge; location / { add_header A b; } } }";
        let file = SourceFile::new(
            "n.conf",
            text.as_bytes().to_vec(),
            crate::source::Encoding::Utf8,
        );
        let at = |v: Option<headers::Version>| {
            let options = super::super::Options {
                nginx_version: v,
                ..Default::default()
            };
            lower_file(&file, &options).err().map(|e| e.message)
        };
        let old = at(Some(headers::Version(1, 22, 1))).unwrap();
        assert!(
            old.starts_with("unknown directive \"add_header_inherit\""),
            "{old}"
        );
        assert_eq!(at(Some(headers::Version(1, 29, 3))), None);
        assert_eq!(at(None), None);
    }

    #[test]
    fn embedded_snippets_point_into_the_embedding_file() {
        // A YAML block scalar: each line of the snippet is indented by 6 in the file.
        let file = "x: |\n      more_set_headers \"A: 1\";\n      add_header Access-Control-Allow-Origin $http_origin;\n";
        let mut text = MappedText::empty(Span::empty(11));
        for line_start in [11, 42] {
            let end = file[line_start..].find('\n').unwrap() + line_start;
            for (i, c) in file[line_start..=end].char_indices() {
                text.push(c, Span::new(line_start + i, line_start + i + 1));
            }
        }
        assert_eq!(
            text.as_str(),
            "more_set_headers \"A: 1\";\nadd_header Access-Control-Allow-Origin $http_origin;\n"
        );
        let target = lower::Target {
            version: headers::Version::NEWEST,
            assumed: true,
        };
        let ps = lower_embedded(&text, lower::Context::Location, target).unwrap();
        assert_eq!(ps.len(), 1);
        let OriginPolicy::Match(m) = &ps[0].allow_origin else {
            panic!("{:?}", ps[0].allow_origin)
        };
        assert_eq!(&file[m.matchers[0].1.range()], "$http_origin");
        let bad = MappedText::opaque("add_header 'x;".into(), Span::new(3, 9));
        let e = lower_embedded(&bad, lower::Context::Location, target).unwrap_err();
        assert_eq!(e.span, Some(Span::new(3, 9)));
    }
}
