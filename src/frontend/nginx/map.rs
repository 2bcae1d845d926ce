//! `map $source $variable { … }` (ngx_http_map_module): how a source value, e.g.
//! `$http_origin`, selects a value. Exact keys compare case-insensitively (nginx lower-cases
//! both the keys and the input for its hash), `~` keys are case-sensitive regexes and `~*`
//! case-insensitive ones, searched unanchored in config order after the exact keys, then
//! `default`.

use super::syntax::{Statement, Token};

#[derive(Clone, Debug)]
pub enum Key<'a> {
    /// Compared after lower-casing both sides.
    Exact(String),
    /// `.example.com`, `*.example.com`, `www.example.*` (only with `hostnames`).
    HostMask(String),
    Regex {
        pattern: String,
        caseless: bool,
        /// `None` when the pattern uses PCRE syntax the `regex` crate lacks.
        compiled: Option<std::sync::Arc<crate::regex_cache::Pattern>>,
        token: &'a Token,
    },
}

#[derive(Clone, Debug)]
pub struct Entry<'a> {
    pub key: Key<'a>,
    pub value: &'a Token,
    pub statement: &'a Statement,
}

#[derive(Clone, Debug)]
pub struct Map<'a> {
    pub source: &'a Token,
    pub variable: &'a Token,
    pub entries: Vec<Entry<'a>>,
    pub default: Option<&'a Token>,
    pub hostnames: bool,
    pub statement: &'a Statement,
}

/// What a lookup found: the entry (or `default`), and the regex captures for `$1`…
#[derive(Clone, Debug)]
pub struct Lookup<'a> {
    pub value: Option<&'a Token>,
    pub entry: Option<&'a Entry<'a>>,
    pub captures: Vec<String>,
    /// A regex key could not be evaluated (PCRE-only syntax): the result may be wrong.
    pub uncertain: bool,
}

impl<'a> Map<'a> {
    /// Read a `map` block (`None` if `statement` is not one).
    pub fn read(statement: &'a Statement) -> Option<Map<'a>> {
        if statement.name.value != "map" || statement.args.len() != 2 {
            return None;
        }
        let mut map = Map {
            source: &statement.args[0],
            variable: &statement.args[1],
            entries: Vec::new(),
            default: None,
            hostnames: false,
            statement,
        };
        for s in statement.children() {
            let key = &s.name.value;
            match (key.as_str(), s.args.len()) {
                ("hostnames", 0) => map.hostnames = true,
                ("volatile", 0) => {}
                ("default", 1) => map.default = Some(&s.args[0]),
                (_, 1) => {
                    let value = &s.args[0];
                    let key = if let Some((pattern, caseless)) = tilde_regex(key) {
                        regex_key(pattern, caseless, &s.name)
                    } else if map.hostnames
                        && (key.starts_with('.') || key.starts_with("*.") || key.ends_with(".*"))
                    {
                        Key::HostMask(key.to_ascii_lowercase())
                    } else {
                        // `\` escapes a key that would otherwise be special (`\default`).
                        let key = key.strip_prefix('\\').unwrap_or(key);
                        Key::Exact(key.to_ascii_lowercase())
                    };
                    map.entries.push(Entry {
                        key,
                        value,
                        statement: s,
                    });
                }
                _ => {}
            }
        }
        Some(map)
    }

    /// The value `input` selects.
    pub fn lookup(&'a self, input: &str) -> Lookup<'a> {
        let lower = input.to_ascii_lowercase();
        let found = |entry: &'a Entry<'a>, captures: Vec<String>| Lookup {
            value: Some(entry.value),
            entry: Some(entry),
            captures,
            uncertain: false,
        };
        // nginx keeps the first of duplicate exact keys (it warns about the others).
        if let Some(e) = self
            .entries
            .iter()
            .find(|e| matches!(&e.key, Key::Exact(k) if *k == lower))
        {
            return found(e, Vec::new());
        }
        if let Some(e) = self
            .entries
            .iter()
            .find(|e| matches!(&e.key, Key::HostMask(m) if host_mask_matches(m, &lower)))
        {
            return found(e, Vec::new());
        }
        let mut uncertain = false;
        for e in &self.entries {
            if let Key::Regex { compiled, .. } = &e.key {
                match compiled {
                    None => uncertain = true,
                    Some(re) => {
                        if let Some(captures) = re.captures(input) {
                            return Lookup {
                                uncertain,
                                ..found(e, captures)
                            };
                        }
                    }
                }
            }
        }
        Lookup {
            value: self.default,
            entry: None,
            captures: Vec::new(),
            uncertain,
        }
    }
}

fn regex_key<'a>(pattern: &str, caseless: bool, token: &'a Token) -> Key<'a> {
    let compiled = crate::regex_cache::compiled(pattern, caseless);
    Key::Regex {
        pattern: pattern.to_string(),
        caseless,
        compiled,
        token,
    }
}

/// `hostnames` masks: `.example.com` (the name and its subdomains), `*.example.com`
/// (subdomains), `www.example.*` (any last part).
fn host_mask_matches(mask: &str, host: &str) -> bool {
    if let Some(base) = mask.strip_prefix("*.") {
        host.ends_with(&format!(".{base}"))
    } else if let Some(base) = mask.strip_prefix('.') {
        host == base || host.ends_with(&format!(".{base}"))
    } else if let Some(head) = mask.strip_suffix(".*") {
        host.starts_with(&format!("{head}.")) && !host[head.len() + 1..].is_empty()
    } else {
        false
    }
}

/// The regex of a `~pattern` (case-sensitive) or `~*pattern` (caseless) map key or
/// location, and whether it ignores case.
pub(super) fn tilde_regex(text: &str) -> Option<(&str, bool)> {
    match text.strip_prefix("~*") {
        Some(pattern) => Some((pattern, true)),
        None => text.strip_prefix('~').map(|pattern| (pattern, false)),
    }
}

/// A map value or `add_header` value with its variables filled in: `$name`/`${name}` from
/// `vars`, `$1`…`$9` from `captures`. An unknown variable gives `None`.
pub fn expand(
    text: &str,
    vars: &dyn Fn(&str) -> Option<String>,
    captures: &[String],
) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            let next = text[i..].find('$').map_or(text.len(), |n| i + n);
            out.push_str(&text[i..next]);
            i = next;
            continue;
        }
        i += 1;
        if i < bytes.len() && bytes[i].is_ascii_digit() {
            out.push_str(
                captures
                    .get((bytes[i] - b'0') as usize)
                    .map(String::as_str)
                    .unwrap_or(""),
            );
            i += 1;
            continue;
        }
        let braced = i < bytes.len() && bytes[i] == b'{';
        let start = if braced { i + 1 } else { i };
        let end = start
            + text[start..]
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count();
        // `${name` must close right after the name (nginx refuses the file otherwise).
        if end == start || (braced && bytes.get(end) != Some(&b'}')) {
            return None;
        }
        out.push_str(&vars(&text[start..end])?);
        i = if braced { end + 1 } else { end };
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::nginx::syntax::parse;

    #[test]
    fn an_unclosed_brace_expands_to_nothing_known() {
        let vars = |n: &str| Some(format!("<{n}>"));
        assert_eq!(expand("a${x}b$y", &vars, &[]), Some("a<x>b<y>".into()));
        assert_eq!(expand("${http_\u{fffd}rigin}", &vars, &[]), None);
        assert_eq!(expand("${x", &vars, &[]), None);
    }

    #[test]
    fn exact_keys_ignore_case_regexes_follow_and_default_last() {
        let src = r#"map $http_origin $o { default "none"; "https://App.example" exact; "~^https://(\w+)\.example$" re-$1; "~*EVIL" evil; }"#;
        let c = parse(src.as_bytes()).unwrap();
        let m = Map::read(&c.statements[0]).unwrap();
        let value = |input: &str| {
            let l = m.lookup(input);
            expand(&l.value.unwrap().value, &|_| None, &l.captures).unwrap()
        };
        assert_eq!(value("HTTPS://APP.EXAMPLE"), "exact");
        assert_eq!(value("https://app.example"), "exact");
        assert_eq!(value("https://api.example"), "re-api");
        assert_eq!(value("https://Api.example.evil.net"), "evil");
        assert_eq!(value("https://other"), "none");
    }

    #[test]
    fn expands_variables_and_captures() {
        let vars = |n: &str| (n == "http_origin").then(|| "https://a".to_string());
        assert_eq!(
            expand("$http_origin", &vars, &[]).as_deref(),
            Some("https://a")
        );
        assert_eq!(
            expand("[${http_origin}]-$1", &vars, &["x".into(), "y".into()]).as_deref(),
            Some("[https://a]-y")
        );
        assert_eq!(expand("$unknown", &vars, &[]), None);
    }
}
