//! nginx compiles every regex of the configuration with PCRE while it reads it, so `nginx -t`
//! refuses a file with one PCRE rejects: `location ~ …`, a `map` key `~…` and an `if`
//! condition's `~ …`. PCRE is not at hand; this refuses what both PCRE and `regex-syntax`
//! reject for the same reason (an unclosed group or class, a quantifier with nothing to
//! repeat, a range out of order), in PCRE2's words. A pattern `regex-syntax` refuses for
//! syntax PCRE has (look-around, back-references) passes: the model then says it cannot
//! evaluate it.

use super::syntax::{Config, Statement, SyntaxError, Token};
use regex_syntax::ast::ErrorKind;

pub fn check(config: &Config) -> Result<(), SyntaxError> {
    check_all(&config.statements)
}

fn check_all(statements: &[Statement]) -> Result<(), SyntaxError> {
    for s in statements {
        for (token, pattern) in patterns(s) {
            if let Some(why) = pcre_error(pattern) {
                return Err(SyntaxError {
                    span: token.span,
                    message: format!(
                        "pcre2_compile() failed: {why} in \"{}\"",
                        crate::finding::escape_controls(pattern)
                    ),
                    nginx_rejects: true,
                });
            }
        }
        check_all(s.children())?;
    }
    Ok(())
}

/// The regexes one statement holds, each with its token.
fn patterns(s: &Statement) -> Vec<(&Token, &str)> {
    let args = &s.args;
    match s.name.value.as_str() {
        "location" => match args.as_slice() {
            [m, p] if m.value == "~" || m.value == "~*" => vec![(p, p.value.as_str())],
            // `location ~^/x`: the modifier glued to the pattern.
            [p] => tilde(&p.value).map(|r| vec![(p, r)]).unwrap_or_default(),
            _ => Vec::new(),
        },
        "if" => {
            let Some(op) = args
                .iter()
                .position(|a| matches!(a.value.as_str(), "~" | "~*" | "!~" | "!~*"))
            else {
                return Vec::new();
            };
            let Some(p) = args.get(op + 1) else {
                return Vec::new();
            };
            // The closing parenthesis glued to the last argument is not the pattern's.
            let last = op + 2 == args.len();
            let pattern = if last {
                p.value.strip_suffix(')').unwrap_or(&p.value)
            } else {
                &p.value
            };
            vec![(p, pattern)]
        }
        "map" => s
            .children()
            .iter()
            .filter(|e| e.args.len() == 1)
            .filter_map(|e| tilde(&e.name.value).map(|r| (&e.name, r)))
            .collect(),
        _ => Vec::new(),
    }
}

/// The pattern of `~pattern` or `~*pattern`.
fn tilde(v: &str) -> Option<&str> {
    super::map::tilde_regex(v).map(|(pattern, _)| pattern)
}

/// PCRE2's message for an error both PCRE2 and `regex-syntax` find first.
fn pcre_error(pattern: &str) -> Option<&'static str> {
    let e = regex_syntax::ast::parse::Parser::new()
        .parse(pattern)
        .err()?;
    Some(match e.kind() {
        ErrorKind::GroupUnclosed => "missing closing parenthesis",
        ErrorKind::GroupUnopened => "unmatched closing parenthesis",
        ErrorKind::ClassUnclosed => "missing terminating ] for character class",
        ErrorKind::RepetitionMissing => "quantifier does not follow a repeatable item",
        ErrorKind::RepetitionCountInvalid => "numbers out of order in {} quantifier",
        ErrorKind::ClassRangeInvalid => "range out of order in character class",
        _ => return None,
    })
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
    fn regexes_pcre_rejects_are_refused() {
        assert_eq!(
            err("location ~ ^/(api { }"),
            Some(
                "pcre2_compile() failed: missing closing parenthesis in \"^/(api\" @^/(api".into()
            )
        );
        assert_eq!(
            err("location ~*[z-a] { }"),
            Some("pcre2_compile() failed: range out of order in character class in \"[z-a]\" @~*[z-a]".into())
        );
        assert!(err("map $http_origin $o { ~*^https://(a|b.example.com 1; }").is_some());
        assert!(err("if ($http_origin ~ *x) { }").is_some());
        assert!(err("if ($http_origin ~* \"a{3,1}\") { }").is_some());
        // PCRE syntax regex-syntax lacks, a valid pattern, a prefix location, a `)` of `if`.
        assert_eq!(err("location ~ ^/(?<=a)b { }"), None);
        assert_eq!(err("location ~ ^/(a|b)$ { }"), None);
        assert_eq!(err("location ^~ /(x { }"), None);
        assert_eq!(err("if ($http_origin ~ ^https://a$) { }"), None);
        assert_eq!(err("map $a $b { default 1; hostnames; }"), None);
    }
}
