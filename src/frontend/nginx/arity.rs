//! nginx checks each directive's argument count (and `add_header`'s `always`) while it
//! reads the configuration, so `nginx -t` refuses a file that gets them wrong. The grammar
//! accepts any directive; this checks the ones the CORS model reads, with nginx's own
//! messages (`ngx_conf_handler`, `ngx_http_headers_add`, nginx 1.22).

use super::syntax::{Config, Statement, SyntaxError};

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

pub fn check(config: &Config) -> Result<(), SyntaxError> {
    check_all(&config.statements)
}

fn check_all(statements: &[Statement]) -> Result<(), SyntaxError> {
    for s in statements {
        check_one(s)?;
        check_all(s.children())?;
    }
    Ok(())
}

fn check_one(s: &Statement) -> Result<(), SyntaxError> {
    let name = s.name.value.as_str();
    let Some((fewest, most)) = arity(name) else {
        return Ok(());
    };
    let n = s.args.len();
    if n < fewest || n > most {
        return Err(SyntaxError {
            span: s.span,
            message: format!("invalid number of arguments in \"{name}\" directive"),
            nginx_rejects: true,
        });
    }
    if matches!(name, "add_header" | "add_trailer")
        && let Some(third) = s.args.get(2)
        && third.value != "always"
    {
        return Err(SyntaxError {
            span: third.span,
            message: format!("invalid parameter \"{}\"", third.value),
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
        check(&parse(src.as_bytes()).expect("parses"))
            .err()
            .map(|e| format!("{} @{}", e.message, &src[e.span.range()]))
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
