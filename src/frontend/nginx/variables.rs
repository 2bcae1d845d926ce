//! `unknown "name" variable`: nginx refuses a configuration that uses a variable no module
//! defines and no directive (`set`, `map`, `geo`, a named regex capture…) declares. The check
//! runs only where its answer is certain: a whole configuration (`http` at the top), every
//! `include` followed, every directive one of nginx's own (a third-party module may declare
//! variables in ways not modelled here), and not a template another tool fills in first.

use super::syntax::{Config, Statement, Token};
use crate::source::Span;
use std::collections::HashSet;
use std::sync::LazyLock;

const BUILTINS: &str = include_str!("variables.txt");
const DIRECTIVES: &str = include_str!("directives.txt");

fn data(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

static KNOWN_DIRECTIVES: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| data(DIRECTIVES).collect());

/// A built-in variable, or one a built-in prefix (`http_`, `cookie_`…) stands for; names are
/// case-insensitive, as `ngx_http_get_variable_index` lowers them.
fn builtin(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    data(BUILTINS).any(|b| match b.strip_suffix('_') {
        Some(_) if b != name => name.starts_with(b) && name.len() > b.len(),
        _ => b == name,
    })
}

/// The first use (in the top file, `top_len` bytes long) of a variable nothing defines.
pub fn first_unknown(config: &Config, bytes: &[u8], top_len: usize) -> Option<(Span, String)> {
    if !config.statements.iter().any(|s| s.name.value == "http")
        || !all_known(&config.statements)
        || templated(&bytes[..top_len.min(bytes.len())])
    {
        return None;
    }
    let mut defined = HashSet::new();
    let mut uses = Vec::new();
    for s in &config.statements {
        walk(s, s.name.value == "http", &mut defined, &mut uses);
    }
    uses.into_iter().find(|(at, name)| {
        at.end <= top_len
            && !defined.contains(&name.to_ascii_lowercase())
            && !builtin(name)
            && !placeholder(name)
    })
}

fn all_known(statements: &[Statement]) -> bool {
    statements.iter().all(|s| {
        // Entry blocks hold entries, not directives.
        KNOWN_DIRECTIVES.contains(s.name.value.as_str())
            && (super::arity::ENTRY_BLOCKS.contains(&s.name.value.as_str())
                || all_known(s.children()))
    })
}

/// Text a template engine fills in before nginx reads it (Jinja, Go templates, ERB).
fn templated(bytes: &[u8]) -> bool {
    bytes.windows(2).any(|w| matches!(w, b"{{" | b"{%" | b"<%"))
}

/// `${API_URL}`-style names are for `envsubst` (the nginx image's templates), which replaces
/// them before nginx starts; nginx's own variables are lower case.
fn placeholder(name: &str) -> bool {
    name.bytes().any(|b| b.is_ascii_uppercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Collect what `s` defines (anywhere) and, inside `http`, what it uses.
fn walk(
    s: &Statement,
    in_http: bool,
    defined: &mut HashSet<String>,
    uses: &mut Vec<(Span, String)>,
) {
    let name = s.name.value.as_str();
    for a in &s.args {
        defined.extend(named_captures(&a.value));
    }
    if let Some(var) = declared(s) {
        defined.insert(var.to_ascii_lowercase());
    }
    if in_http {
        for a in scripted_args(s) {
            uses.extend(variables_in(a));
        }
    }
    match name {
        // `map` values may be variables; `geo`, `split_clients`, `types` hold literals.
        "map" => {
            for e in s.children() {
                if !matches!(e.name.value.as_str(), "hostnames" | "volatile" | "include") {
                    for a in &e.args {
                        if in_http {
                            uses.extend(variables_in(a));
                        }
                    }
                }
                defined.extend(named_captures(&e.name.value));
            }
        }
        n if super::arity::ENTRY_BLOCKS.contains(&n) => {}
        _ => {
            let inner = in_http && !matches!(name, "stream" | "mail");
            for c in s.children() {
                walk(c, inner, defined, uses);
            }
        }
    }
}

/// The variable a directive declares.
fn declared(s: &Statement) -> Option<&str> {
    let arg = |i: usize| s.args.get(i).map(|a| a.value.as_str());
    let var = match s.name.value.as_str() {
        "set" | "perl_set" | "auth_request_set" => arg(0),
        "map" | "split_clients" => arg(1),
        "geo" => s.args.last().map(|a| a.value.as_str()),
        _ => None,
    }?;
    var.strip_prefix('$')
}

/// The arguments nginx compiles as scripts, in which `$name` is a variable: not the regexes
/// (`location`, `server_name`, `rewrite`'s pattern, `~…` arguments, `if`'s right of `~`).
fn scripted_args(s: &Statement) -> Vec<&Token> {
    let name = s.name.value.as_str();
    match name {
        "location"
        | "server_name"
        | "valid_referers"
        | "gzip_disable"
        | "fastcgi_split_path_info" => Vec::new(),
        "if" => condition_operands(s),
        "rewrite" => s.args.iter().skip(1).collect(),
        "map" => s.args.iter().take(1).collect(),
        _ => s
            .args
            .iter()
            .filter(|a| !a.value.starts_with('~'))
            .collect(),
    }
}

/// `if ($a)`, `if ($a = value)`, `if ($a ~ regex)`: the variable and a compared value.
fn condition_operands(s: &Statement) -> Vec<&Token> {
    let args = &s.args;
    let mut out = Vec::new();
    let mut regex_next = false;
    for a in args {
        let v = a.value.trim_matches(|c| c == '(' || c == ')');
        if regex_next {
            regex_next = false;
            continue;
        }
        if matches!(v, "~" | "~*" | "!~" | "!~*") {
            regex_next = true;
            continue;
        }
        if !v.starts_with('-') && !v.starts_with("!-") {
            out.push(a);
        }
    }
    out
}

/// The `$name` and `${name}` references of a token (`$1`, captures, are always defined).
fn variables_in(token: &Token) -> Vec<(Span, String)> {
    let raw = token.value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] != b'$' {
            i += 1;
            continue;
        }
        let braced = raw.get(i + 1) == Some(&b'{');
        let start = i + 1 + usize::from(braced);
        let len = raw[start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        if len > 0 && !raw[start].is_ascii_digit() {
            let name = String::from_utf8_lossy(&raw[start..start + len]).into_owned();
            out.push((use_span(token, i, start + len + usize::from(braced)), name));
        }
        i = start + len.max(1);
    }
    out
}

/// Where `value[from..to]` stands in the file: exact when the token's bytes are its value (no
/// escapes before it), else the whole token.
fn use_span(token: &Token, from: usize, to: usize) -> Span {
    let exact = token.text.len() == token.value.len();
    if exact {
        Span::new(token.text.start + from, token.text.start + to)
    } else {
        token.span
    }
}

/// The names of `(?<name>…)`, `(?P<name>…)` and `(?'name'…)` groups, which PCRE captures
/// into variables of that name.
fn named_captures(regex: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (open, close) in [("(?<", '>'), ("(?P<", '>'), ("(?'", '\'')] {
        let mut rest = regex;
        while let Some(i) = rest.find(open) {
            rest = &rest[i + open.len()..];
            if let Some(end) = rest.find(close) {
                let name = &rest[..end];
                if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    out.push(name.to_ascii_lowercase());
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unknown(text: &str) -> Option<String> {
        let config = super::super::syntax::parse(text.as_bytes()).expect("parses");
        first_unknown(&config, text.as_bytes(), text.len()).map(|(at, name)| {
            assert_eq!(
                text[at.range()]
                    .trim_start_matches(['$', '{'])
                    .trim_end_matches('}'),
                name
            );
            name
        })
    }

    const HEAD: &str = "events {}\nhttp {\n  server {\n    listen 80;\n";

    fn server(body: &str) -> String {
        format!("{HEAD}{body}\n  }}\n}}\n")
    }

    #[test]
    fn an_undeclared_variable_is_unknown() {
        let t = server("    add_header Access-Control-Allow-Origin $cors_origin;");
        assert_eq!(unknown(&t).as_deref(), Some("cors_origin"));
        let t = server("    return 200 \"${cors}x\";");
        assert_eq!(unknown(&t).as_deref(), Some("cors"));
    }

    #[test]
    fn builtins_prefixes_declarations_and_captures_are_known() {
        for body in [
            "    add_header A \"$Request_Method $HTTP_ORIGIN $cookie_sid $arg_x $1\";",
            "    set $o $http_origin; add_header A $o;",
            "    if ($request_uri ~ ^/(?<rest>.*)$) { return 200 $rest; }",
            "    location ~ \\.php$ { add_header A $upstream_cache_status; }",
            "    rewrite ^/(.*)$ /$1 break;",
        ] {
            assert_eq!(unknown(&server(body)), None, "{body}");
        }
        let with_map = "events {}\nhttp {\n  map $http_origin $ok { default $scheme; }\n  server { add_header A $ok; }\n}\n";
        assert_eq!(unknown(with_map), None);
        // A variable declared later in the file is still declared: nginx checks at the end.
        let later =
            "events {}\nhttp {\n  server { add_header A $g; }\n  geo $g { default 1; }\n}\n";
        assert_eq!(unknown(later), None);
    }

    #[test]
    fn uncertain_configurations_are_not_checked() {
        // A fragment, a third-party directive, a template, an envsubst placeholder.
        assert_eq!(unknown("server { add_header A $x; }\n"), None);
        assert_eq!(
            unknown(&server("    lua_need_request_body on; add_header A $x;")),
            None
        );
        assert_eq!(
            unknown(&server("    # {{ .Values.origin }}\n    add_header A $x;")),
            None
        );
        assert_eq!(unknown(&server("    add_header A ${API_ORIGIN};")), None);
    }
}
