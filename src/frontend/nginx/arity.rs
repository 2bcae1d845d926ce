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
const ENTRY_BLOCKS: [&str; 5] = ["map", "geo", "types", "split_clients", "charset_map"];

/// `bytes`: the file `config` was parsed from.
pub fn check(config: &Config, bytes: &[u8]) -> Result<(), SyntaxError> {
    check_all(&config.statements, bytes)
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

fn check_all(statements: &[Statement], bytes: &[u8]) -> Result<(), SyntaxError> {
    for s in statements {
        check_one(s, bytes)?;
        if !ENTRY_BLOCKS.contains(&s.name.value.as_str()) {
            check_all(s.children(), bytes)?;
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

fn check_one(s: &Statement, bytes: &[u8]) -> Result<(), SyntaxError> {
    if let Some(e) = unknown_name(s, bytes) {
        return Err(e);
    }
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

    #[test]
    fn nested_blocks_are_checked() {
        assert!(err("http { server { location / { set $a; } } }").is_some());
        assert!(err("http { map $a $b { default 1; } }").is_none());
    }
}
