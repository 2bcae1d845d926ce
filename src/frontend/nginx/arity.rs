//! What nginx checks of each directive while it reads the configuration, so that `nginx -t`
//! refuses a file that gets it wrong: the argument count (and `add_header`'s `always`) of the
//! directives the CORS model reads, and that a directive's name is one some module defines —
//! which no name holding a byte outside ASCII is (a byte-order mark glued to the first
//! directive, say). The grammar accepts any directive; the messages are nginx's own
//! (`ngx_conf_handler`, `ngx_http_headers_add`, nginx 1.22).

use super::syntax::{Body, Config, Statement, SyntaxError};
use crate::finding::escape_controls;
use crate::source::Span;

/// Arguments allowed: (fewest, most); `usize::MAX` for "1MORE".
fn arity(name: &str) -> Option<(usize, usize)> {
    Some(match name {
        "add_header" | "add_trailer" => (2, 3),
        "more_set_headers" | "more_clear_headers" | "if" => (1, usize::MAX),
        "map" | "set" => (2, 2),
        "return" | "location" => (1, 2),
        "proxy_hide_header" | "proxy_pass_header" | "include" => (1, 1),
        _ => return None,
    })
}

/// Blocks whose lines are entries their directive reads, not directives.
pub(super) const ENTRY_BLOCKS: [&str; 5] = ["map", "geo", "types", "split_clients", "charset_map"];

/// Where a directive stands, as far as the directives below tell contexts apart.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Main,
    Http,
    Server,
    Location,
    IfInServer,
    IfInLocation,
    /// A file's top level without `http`/`events` (a `conf.d` fragment, included somewhere
    /// nginx decides), or a block not modelled here (`upstream`, `stream`, `limit_except`…):
    /// nothing is claimed about what it may hold.
    Unknown,
}

impl Context {
    fn inside(self, block: &str) -> Context {
        match (block, self) {
            ("http", _) => Context::Http,
            ("server", Context::Http | Context::Unknown) => Context::Server,
            ("location", _) => Context::Location,
            ("if", Context::Server) => Context::IfInServer,
            ("if", Context::Location) => Context::IfInLocation,
            _ => Context::Unknown,
        }
    }
}

/// The contexts a directive may stand in (`ngx_command_t.type`, nginx 1.22), for the
/// directives the model reads; `None` for the others.
fn allowed(name: &str) -> Option<&'static [Context]> {
    use Context::*;
    Some(match name {
        "http" | "events" => &[Main],
        // `server` also stands in `upstream`, `stream` and `mail`, which are `Unknown` here.
        "server" => &[Http],
        "location" => &[Server, Location],
        "if" => &[Server, Location],
        "map" => &[Http],
        "add_header" | "add_trailer" | "more_set_headers" | "more_clear_headers"
        | "add_header_inherit" => &[Http, Server, Location, IfInLocation],
        "set" | "return" => &[Server, Location, IfInServer, IfInLocation],
        "proxy_pass" => &[Location, IfInLocation],
        "proxy_hide_header" | "proxy_pass_header" => &[Http, Server, Location],
        _ => return None,
    })
}

/// `bytes`: the file `config` was parsed from.
pub fn check(config: &Config, bytes: &[u8]) -> Result<(), SyntaxError> {
    let main = config
        .statements
        .iter()
        .any(|s| matches!(s.name.value.as_str(), "http" | "events"));
    let context = if main {
        Context::Main
    } else {
        Context::Unknown
    };
    check_all(&config.statements, bytes, context)
}

/// nginx checks a directive's context before anything else about it (`ngx_conf_handler`
/// skips the commands of other contexts, then says the name is not allowed here).
fn check_context(s: &Statement, context: Context) -> Result<(), SyntaxError> {
    if context == Context::Unknown {
        return Ok(());
    }
    match allowed(&s.name.value) {
        Some(contexts) if !contexts.contains(&context) => Err(SyntaxError {
            span: s.name.span,
            message: format!("\"{}\" directive is not allowed here", s.name.value),
            nginx_rejects: true,
        }),
        _ => Ok(()),
    }
}

/// What `ngx_http_rewrite_if_condition` takes: a variable (alone or compared), or a file
/// test (`-f`, `!-e`…); anything else is "invalid condition".
fn check_condition(s: &Statement) -> Result<(), SyntaxError> {
    let args = super::eval::condition_args(s);
    let Some(first) = args.first() else {
        return Ok(());
    };
    let file_test = matches!(
        first.as_str(),
        "-f" | "!-f" | "-d" | "!-d" | "-e" | "!-e" | "-x" | "!-x"
    );
    if first.starts_with('$') || file_test {
        return Ok(());
    }
    Err(SyntaxError {
        span: s.args.first().map_or(s.name.span, |a| a.span),
        message: format!("invalid condition \"{}\"", escape_controls(first)),
        nginx_rejects: true,
    })
}

/// What nginx refuses before any syntax error could show: a UTF-16 file. nginx reads its
/// first two bytes and every other NUL as part of words, and stops at the first directive,
/// whose name is not one it knows.
pub fn check_encoding(bytes: &[u8]) -> Result<(), SyntaxError> {
    let Some(utf16) = crate::source::Utf16::of(bytes) else {
        return Ok(());
    };
    Err(SyntaxError {
        span: utf16.span(),
        message: format!(
            "unknown directive (the file is UTF-16, byte-order mark {}: nginx reads configuration as bytes, so the mark and the NUL bytes of every character are part of the first directive's name; save it as UTF-8 without a mark)",
            utf16.mark()
        ),
        nginx_rejects: true,
    })
}

fn check_all(statements: &[Statement], bytes: &[u8], context: Context) -> Result<(), SyntaxError> {
    for s in statements {
        if let Some(e) = unknown_name(s, bytes) {
            return Err(e);
        }
        check_context(s, context)?;
        check_one(s)?;
        if s.name.value == "if" {
            check_condition(s)?;
        }
        if !ENTRY_BLOCKS.contains(&s.name.value.as_str()) {
            check_all(s.children(), bytes, context.inside(&s.name.value))?;
        }
    }
    Ok(())
}

/// No nginx module defines a directive whose name holds a byte outside ASCII.
fn unknown_name(s: &Statement, bytes: &[u8]) -> Option<SyntaxError> {
    let raw = &bytes[s.name.text.range()];
    if raw.iter().all(|b| b.is_ascii() && *b != 0) {
        return None;
    }
    let shown: String = raw
        .iter()
        .map(|&b| match b {
            0x21..=0x7E => (b as char).to_string(),
            _ => format!("\\x{b:02X}"),
        })
        .collect();
    let why = if raw.starts_with(b"\xEF\xBB\xBF") {
        " (the file starts with a UTF-8 byte-order mark, which nginx reads as part of the first directive's name; save it without the mark)"
    } else {
        ""
    };
    Some(SyntaxError {
        span: s.name.span,
        message: format!("unknown directive \"{shown}\"{why}"),
        nginx_rejects: true,
    })
}

fn check_one(s: &Statement) -> Result<(), SyntaxError> {
    let name = s.name.value.as_str();
    let Some((fewest, most)) = arity(name) else {
        return Ok(());
    };
    // nginx checks a directive's block before its arguments (`ngx_conf_handler`).
    let takes_block = matches!(name, "if" | "map" | "location");
    match (&s.body, takes_block) {
        (Some(Body::Block { open, .. } | Body::Opaque { open, .. }), false) => {
            return Err(SyntaxError {
                span: Span::new(s.span.start, open.end),
                message: format!(
                    "directive \"{}\" is not terminated by \";\"",
                    escape_controls(name)
                ),
                nginx_rejects: true,
            });
        }
        (None, true) => {
            return Err(SyntaxError {
                span: s.span,
                message: format!("directive \"{name}\" has no opening \"{{\""),
                nginx_rejects: true,
            });
        }
        _ => {}
    }
    let n = s.args.len();
    if n < fewest || n > most {
        return Err(SyntaxError {
            span: s.span,
            message: format!(
                "invalid number of arguments in \"{}\" directive",
                escape_controls(name)
            ),
            nginx_rejects: true,
        });
    }
    if matches!(name, "add_header" | "add_trailer")
        && let Some(third) = s.args.get(2)
        && third.value != "always"
    {
        return Err(SyntaxError {
            span: third.span,
            message: format!("invalid parameter \"{}\"", escape_controls(&third.value)),
            nginx_rejects: true,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::syntax::parse;
    use super::*;

    fn err(src: &str) -> Option<String> {
        check(&parse(src.as_bytes()).expect("parses"), src.as_bytes())
            .err()
            .map(|e| format!("{} @{}", e.message, &src[e.span.range()]))
    }

    #[test]
    fn a_name_outside_ascii_is_an_unknown_directive() {
        assert_eq!(
            err("\u{feff}events {}"),
            Some("unknown directive \"\\xEF\\xBB\\xBFevents\" (the file starts with a UTF-8 byte-order mark, which nginx reads as part of the first directive's name; save it without the mark) @\u{feff}events".into())
        );
        assert_eq!(
            err("http { add_hëader A b; }"),
            Some("unknown directive \"add_h\\xC3\\xABader\" @add_hëader".into())
        );
        // Map entries and values are not directives; a BOM later in the file is a value.
        assert_eq!(
            err("map $a $b { café 1; map x; } add_header A \"\u{feff}\";"),
            None
        );
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("events {}".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let e = check_encoding(&utf16).unwrap_err();
        assert_eq!((e.span.start, e.span.end), (0, 2));
        assert!(
            e.message.contains("UTF-16, byte-order mark FF FE"),
            "{}",
            e.message
        );
    }

    #[test]
    fn add_header_takes_two_or_three_arguments_the_third_always() {
        assert_eq!(err("add_header A b always;"), None);
        assert_eq!(err("add_header A \"b, c\";"), None);
        assert_eq!(
            err("add_header A b, c always;"),
            Some("invalid number of arguments in \"add_header\" directive @add_header A b, c always;".into())
        );
        assert_eq!(
            err("add_header A b, c;"),
            Some("invalid parameter \"c\" @c".into())
        );
        assert_eq!(
            err("add_header A;"),
            Some("invalid number of arguments in \"add_header\" directive @add_header A;".into())
        );
    }

    /// Each is what `nginx -t` (1.22.1) prints for the file.
    #[test]
    fn directives_outside_their_context_are_refused() {
        let e = |src: &str| err(src).unwrap_or_default();
        assert_eq!(
            e("http { server { location / { server \"name\"; } } }"),
            "\"server\" directive is not allowed here @server"
        );
        assert_eq!(
            e("http { location / { } }"),
            "\"location\" directive is not allowed here @location"
        );
        assert_eq!(
            e("http { server { if ($a) { add_header A b; } } }"),
            "\"add_header\" directive is not allowed here @add_header"
        );
        assert_eq!(
            e("http { server { location / { if ($a) { if ($b) { } } } } }"),
            "\"if\" directive is not allowed here @if"
        );
        assert_eq!(
            e("events {} http { server { map $a $b { } } }"),
            "\"map\" directive is not allowed here @map"
        );
        // Allowed: `add_header` in a location's `if`, `server` in an `upstream`, and anything
        // at the top of a fragment, whose context its includer decides.
        for ok in [
            "http { server { location / { if ($a) { add_header A b; } } } }",
            "http { upstream u { server 127.0.0.1; } }",
            "location / { add_header A b; }",
            "server { listen 80; }",
        ] {
            assert_eq!(err(ok), None, "{ok}");
        }
    }

    #[test]
    fn if_takes_a_variable_or_a_file_test() {
        assert_eq!(
            err("server { if (1) { return 204; } }"),
            Some("invalid condition \"1\" @(1)".into())
        );
        for ok in [
            "server { if ($a) { } }",
            "server { if ($request_method = OPTIONS) { } }",
            "server { if ( $a ) { } }",
            "server { if (!-f $request_filename) { } }",
        ] {
            assert_eq!(err(ok), None, "{ok}");
        }
    }

    #[test]
    fn nested_blocks_are_checked() {
        assert!(err("http { server { location / { set $a; } } }").is_some());
        assert!(err("http { map $a $b { default 1; } }").is_none());
    }
}
