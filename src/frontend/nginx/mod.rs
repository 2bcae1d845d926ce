//! nginx: configuration files and the snippets ingress-nginx embeds.
//!
//! Built so far (issue 5): the syntax ([`syntax`]), which header directives reach a response
//! ([`headers`]), `map` lookups ([`map`]) and whole answers to a request ([`eval`]), each
//! checked against a real nginx. Not yet: `include`, lowering into CORS policies, and so
//! the CORS rules — an nginx file is checked for syntax only.

pub mod eval;
pub mod headers;
pub mod lower;
pub mod map;
pub mod syntax;

use super::InputError;
use crate::source::SourceFile;
use regex::Regex;
use std::sync::LazyLock;

/// Directives that only nginx configuration starts a line with (Apache spells its own in
/// CamelCase).
static NGINX_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?m)^[ \t]*(server|location|http|upstream|add_header|more_set_headers|proxy_pass|server_name|listen|map|include)[ \t]",
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
            let at = c.get(1).expect("group").start();
            let line = 1 + text[..at].matches('\n').count();
            Ok(format!(
                "a line starts with the nginx directive `{}` (line {line})",
                &c[1]
            ))
        }
        None => Err("no line starts with an nginx directive".into()),
    }
}

/// Check the file's syntax as nginx would. The CORS model is not lowered into policies yet.
pub fn check_syntax(file: &SourceFile) -> Result<syntax::Config, InputError> {
    syntax::parse(file.bytes()).map_err(|e| InputError {
        span: Some(e.span),
        message: if e.nginx_rejects {
            format!("{}; nginx refuses to load this configuration", e.message)
        } else {
            e.message
        },
    })
}
