//! What an nginx configuration answers to one request: the server's rewrite phase, location
//! selection, the location's rewrite directives (`set`, `if`, `return`, `break`, in order —
//! the last `if` that matches decides the configuration), then the header directives in
//! effect, with variables filled in. Covers what CORS configurations use; anything else
//! (content handlers, `rewrite`, file tests) makes the answer [`Answer::Unknown`].

use super::headers::{self, Version};
use super::map::{Map, expand};
use super::syntax::Statement;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    /// Path and query.
    pub uri: String,
    /// Names in any case.
    pub headers: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A `return` gave the status; these header lines go with it.
    Response {
        status: u16,
        headers: Vec<(String, String)>,
    },
    /// The request reaches something this model does not evaluate.
    Unknown(String),
}

struct State<'a> {
    request: &'a Request,
    maps: Vec<Map<'a>>,
    vars: BTreeMap<String, String>,
    /// Names some `set` in the configuration declares: empty until a `set` runs (nginx
    /// warns "using uninitialized variable").
    declared: BTreeSet<String>,
    captures: Vec<String>,
}

fn declare(statements: &[Statement], out: &mut BTreeSet<String>) {
    for st in statements {
        if st.name.value == "set"
            && let Some(name) = st.args.first()
        {
            out.insert(name.value.trim_start_matches('$').to_string());
        }
        declare(st.children(), out);
    }
}

impl State<'_> {
    fn var(&self, name: &str) -> Option<String> {
        if let Some(v) = self.vars.get(name) {
            return Some(v.clone());
        }
        if let Some(h) = name.strip_prefix("http_") {
            let want = h.replace('_', "-");
            return Some(
                self.request
                    .headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(&want))
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
            );
        }
        let (path, query) = self
            .request
            .uri
            .split_once('?')
            .unwrap_or((&self.request.uri, ""));
        if let Some(arg) = name.strip_prefix("arg_") {
            return Some(
                query
                    .split('&')
                    .filter_map(|kv| kv.split_once('=').or(Some((kv, ""))))
                    .find(|(k, _)| k.eq_ignore_ascii_case(arg))
                    .map(|(_, v)| v.to_string())
                    .unwrap_or_default(),
            );
        }
        match name {
            "request_method" => return Some(self.request.method.clone()),
            "uri" => return Some(path.to_string()),
            "args" | "query_string" => return Some(query.to_string()),
            "request_uri" => return Some(self.request.uri.clone()),
            _ => {}
        }
        let Some(map) = self
            .maps
            .iter()
            .find(|m| m.variable.value.strip_prefix('$') == Some(name))
        else {
            return self.declared.contains(name).then(String::new);
        };
        let input = expand(&map.source.value, &|n| self.var(n), &[])?;
        let found = map.lookup(&input);
        match found.value {
            Some(v) => expand(&v.value, &|n| self.var(n), &found.captures),
            None => Some(String::new()),
        }
    }

    fn expand(&self, text: &str) -> Option<String> {
        expand(text, &|n| self.var(n), &self.captures)
    }
}

/// `if (…)` arguments without the parentheses nginx strips.
pub(super) fn condition_args(st: &Statement) -> Vec<String> {
    // ngx_http_rewrite_if: a lone `(` or `)` is skipped, otherwise the parenthesis is cut
    // off the first and last argument; an empty quoted argument (`''`) stays.
    let mut args: Vec<String> = st.args.iter().map(|a| a.value.clone()).collect();
    if args.first().is_some_and(|a| a == "(") {
        args.remove(0);
    } else if let Some(first) = args.first_mut()
        && let Some(rest) = first.strip_prefix('(')
    {
        *first = rest.to_string();
    }
    if args.last().is_some_and(|a| a == ")") {
        args.pop();
    } else if let Some(last) = args.last_mut()
        && let Some(rest) = last.strip_suffix(')')
    {
        *last = rest.to_string();
    }
    args
}

/// Evaluate an `if` condition; `Err` names what the model cannot evaluate.
fn condition(st: &Statement, state: &mut State) -> Result<bool, String> {
    let args = condition_args(st);
    match args.as_slice() {
        [var] if var.starts_with('$') => {
            let v = state.expand(var).ok_or("an unknown variable")?;
            Ok(!v.is_empty() && v != "0")
        }
        [var, op, value] if var.starts_with('$') => {
            let v = state.expand(var).ok_or("an unknown variable")?;
            match op.as_str() {
                "=" => Ok(v == *value),
                "!=" => Ok(v != *value),
                "~" | "~*" | "!~" | "!~*" => {
                    let re = crate::regex_cache::compiled(value, op.ends_with('*')).ok_or_else(
                        || format!("the regex `{value}` (PCRE syntax this model lacks)"),
                    )?;
                    let caps = re.captures(&v);
                    let matched = caps.is_some();
                    if let Some(c) = caps
                        && !op.starts_with('!')
                    {
                        state.captures = c;
                    }
                    Ok(matched != op.starts_with('!'))
                }
                other => Err(format!("the operator `{other}`")),
            }
        }
        _ => Err(format!("the condition `{}`", args.join(" "))),
    }
}

enum Flow {
    Continue,
    Return(u16),
    Break,
}

/// Run rewrite directives; an `if` that matches becomes `*conf` and runs its own.
fn rewrite<'a>(
    statements: &'a [Statement],
    state: &mut State,
    conf: &mut Option<&'a [Statement]>,
) -> Result<Flow, String> {
    for st in statements {
        match st.name.value.as_str() {
            "set" if st.args.len() == 2 => {
                let value = state
                    .expand(&st.args[1].value)
                    .ok_or("`set` with an unknown variable")?;
                state
                    .vars
                    .insert(st.args[0].value.trim_start_matches('$').to_string(), value);
            }
            "return" => {
                let status = st
                    .args
                    .first()
                    .and_then(|a| a.value.parse::<u16>().ok())
                    .ok_or("`return URL`")?;
                return Ok(Flow::Return(status));
            }
            "break" => return Ok(Flow::Break),
            "if" if condition(st, state)? => {
                *conf = Some(st.children());
                match rewrite(st.children(), state, conf)? {
                    Flow::Continue => {}
                    other => return Ok(other),
                }
            }
            "rewrite" => return Err("`rewrite`".into()),
            _ => {}
        }
    }
    Ok(Flow::Continue)
}

/// nginx's location choice for `path`: an exact `=` match; else the longest prefix, which
/// ends the search if it is `^~`; else the first regex (`~`, `~*`) in order that matches;
/// else the longest prefix.
pub fn select_location<'a>(server: &'a [Statement], path: &str) -> Option<&'a Statement> {
    let locations = || server.iter().filter(|s| s.name.value == "location");
    let modifier = |s: &Statement| {
        if s.args.len() == 2 {
            s.args[0].value.clone()
        } else {
            String::new()
        }
    };
    let pattern = |s: &'a Statement| s.args.last().map(|a| a.value.as_str()).unwrap_or("");
    if let Some(exact) = locations().find(|s| modifier(s) == "=" && pattern(s) == path) {
        return Some(exact);
    }
    let prefix = locations()
        .filter(|s| matches!(modifier(s).as_str(), "" | "^~") && path.starts_with(pattern(s)))
        .max_by_key(|s| pattern(s).len());
    if prefix.is_some_and(|p| modifier(p) == "^~") {
        return prefix;
    }
    for s in locations().filter(|s| matches!(modifier(s).as_str(), "~" | "~*")) {
        let re = crate::regex_cache::compiled(pattern(s), modifier(s) == "~*");
        if re.is_some_and(|re| re.is_match(path)) {
            return Some(s);
        }
    }
    prefix
}

/// [`answer`] for the semantics engine (`cors-lint simulate`): the status and the CORS lines
/// (`access-control-*`, `vary`; names lower-cased); `Err` says what the model cannot evaluate.
/// What a location's content handler (a backend behind `proxy_pass`, a static file) is taken
/// to answer when `simulate` asks; the headers nginx adds to it are modelled exactly.
pub const CONTENT_STATUS: u16 = 200;

pub fn respond(
    config: &[Statement],
    request: &crate::sim::ServerRequest,
    version: Version,
) -> Result<crate::sim::ServerResponse, String> {
    let request = Request {
        method: request.method.clone(),
        uri: request.path.clone(),
        headers: request.headers.clone(),
    };
    match answer(config, &request, version, Some(CONTENT_STATUS)) {
        Answer::Response { status, headers } => Ok(crate::sim::ServerResponse {
            status: Some(status),
            reason: "the configuration's `return`, or the location's content handler \
                     (`proxy_pass`, static files), taken to answer 200"
                .into(),
            headers: headers
                .into_iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v))
                .filter(|(n, _)| n.starts_with("access-control-") || n == "vary")
                .collect(),
        }),
        Answer::Unknown(why) => Err(why),
    }
}

/// `$server_name`: the server's first name, lower-cased, a leading `.` dropped, `""` when it
/// has none, a regex name as written (`ngx_http_core_server_name` and
/// `ngx_http_core_merge_srv_conf`); `None` for `$hostname`, the machine's name.
fn server_name(server: &Statement) -> Option<String> {
    server_name_of(server.children()).map(|(name, _)| name)
}

/// [`server_name`] of the server whose directives are `body`, with the `server_name`
/// argument it comes from (`None` when the server names none).
pub fn server_name_of(body: &[Statement]) -> Option<(String, Option<&super::syntax::Token>)> {
    let first = body
        .iter()
        .find(|d| d.name.value == "server_name")
        .and_then(|d| d.args.first());
    let Some(first) = first else {
        return Some((String::new(), None));
    };
    if first.value.starts_with('~') {
        // A regex name is kept as written, `~` included.
        return Some((first.value.clone(), Some(first)));
    }
    let name = first.value.to_ascii_lowercase();
    if name == "$hostname" {
        return None;
    }
    Some((
        name.strip_prefix('.').unwrap_or(&name).to_string(),
        Some(first),
    ))
}

/// nginx's virtual server for a `Host` (`ngx_http_find_virtual_server`): an exact
/// `server_name`; else the longest `*.example.com` / `.example.com`; else the longest
/// `www.example.*`; else the first regex (`~`, matched against the lower-cased host) that
/// matches; else the `default_server`, or the first server. All servers are taken to listen
/// on the same address and port.
pub fn select_server<'a>(http: &'a [Statement], host: &str) -> Option<&'a Statement> {
    let servers: Vec<&Statement> = http.iter().filter(|s| s.name.value == "server").collect();
    let host = host.rsplit_once(':').map_or(host, |(h, p)| {
        if p.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let names = |s: &'a Statement| {
        s.children()
            .iter()
            .filter(|d| d.name.value == "server_name")
            .flat_map(|d| d.args.iter().map(|a| a.value.to_ascii_lowercase()))
            .collect::<Vec<_>>()
    };
    if let Some(s) = servers.iter().find(|s| names(s).contains(&host)) {
        return Some(s);
    }
    let best = |matches: &dyn Fn(&str) -> Option<usize>| {
        servers
            .iter()
            .filter_map(|s| {
                names(s)
                    .iter()
                    .filter_map(|n| matches(n))
                    .max()
                    .map(|len| (len, *s))
            })
            .max_by_key(|(len, _)| *len)
            .map(|(_, s)| s)
    };
    let leading = best(&|n: &str| {
        if let Some(base) = n.strip_prefix("*.") {
            host.ends_with(&format!(".{base}")).then_some(n.len())
        } else if let Some(base) = n.strip_prefix('.') {
            (host == base || host.ends_with(&format!(".{base}"))).then_some(n.len())
        } else {
            None
        }
    });
    if leading.is_some() {
        return leading;
    }
    let trailing = best(&|n: &str| {
        n.strip_suffix(".*")
            .filter(|head| host.starts_with(&format!("{head}.")))
            .map(|_| n.len())
    });
    if trailing.is_some() {
        return trailing;
    }
    for s in &servers {
        for d in s
            .children()
            .iter()
            .filter(|d| d.name.value == "server_name")
        {
            for a in &d.args {
                if let Some(pattern) = a.value.strip_prefix('~')
                    && crate::regex_cache::compiled(pattern, false)
                        .is_some_and(|re| re.is_match(&host))
                {
                    return Some(s);
                }
            }
        }
    }
    let default = servers.iter().find(|s| {
        s.children().iter().any(|d| {
            d.name.value == "listen"
                && d.args
                    .iter()
                    .any(|a| a.value == "default_server" || a.value == "default")
        })
    });
    default.or(servers.first()).copied()
}

/// Answer `request` with the `server` its `Host` selects in the first `http` block. A file
/// without `http` is read as the linter reads it: `server` blocks at its top are a `conf.d`
/// fragment included into `http`, `location` blocks one included into a `server`, other
/// directives a snippet included into a `location /`. A
/// location's content handler (`proxy_pass`, static files) is taken to answer `content`.
pub fn answer(
    config: &[Statement],
    request: &Request,
    version: Version,
    content: Option<u16>,
) -> Answer {
    if let Some(http) = config.iter().find(|s| s.name.value == "http") {
        return answer_in(http.children(), request, version, content);
    }
    if config.iter().any(|s| s.name.value == "server") {
        return answer_in(config, request, version, content);
    }
    if config.iter().any(|s| s.name.value == "location") {
        // The directives besides the locations (`map` aside, which only `http` takes) are the
        // including server's.
        let (maps, rest): (Vec<Statement>, Vec<Statement>) =
            config.iter().cloned().partition(|s| s.name.value == "map");
        let mut http = maps;
        http.push(synthetic_block("server", rest));
        return answer_in(&http, request, version, content);
    }
    // Directives alone: a snippet included into a location, answering every path.
    let mut location = synthetic_block("location", config.to_vec());
    location.args.push(synthetic_token("/"));
    let http = [synthetic_block("server", vec![location])];
    answer_in(&http, request, version, content)
}

/// A word the file does not spell.
fn synthetic_token(value: &str) -> super::syntax::Token {
    let nowhere = crate::source::Span::default();
    super::syntax::Token {
        span: nowhere,
        text: nowhere,
        quote: super::syntax::Quote::None,
        value: value.to_string(),
    }
}

/// A block the file does not spell, around statements it does (their spans stay theirs).
fn synthetic_block(name: &str, statements: Vec<Statement>) -> Statement {
    let nowhere = crate::source::Span::default();
    Statement {
        name: synthetic_token(name),
        args: Vec::new(),
        body: Some(super::syntax::Body::Block {
            open: nowhere,
            statements,
            close: nowhere,
        }),
        span: nowhere,
    }
}

/// Answer `request` with the servers of an `http` block's body. A location's content
/// handler (a proxy, static files) is taken to answer `content` when given; otherwise it
/// makes the answer unknown.
pub fn answer_in(
    http: &[Statement],
    request: &Request,
    version: Version,
    content: Option<u16>,
) -> Answer {
    match answer_inner(http, request, version, content) {
        Ok(a) => a,
        Err(what) => Answer::Unknown(format!("this model does not evaluate {what}")),
    }
}

fn answer_inner(
    http: &[Statement],
    request: &Request,
    version: Version,
    content: Option<u16>,
) -> Result<Answer, String> {
    // nginx's request-line parser takes only `A`-`Z`, `_` and `-` in a method: anything else
    // (a lower-case `patch` from fetch()) is 400 before any rewrite or location, and before
    // the header lines are read, so `$http_*` are empty in the server-level headers it gets.
    let bad_method = !request
        .method
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b == b'_' || b == b'-');
    let headerless;
    let request = if bad_method {
        headerless = Request {
            headers: Vec::new(),
            ..request.clone()
        };
        &headerless
    } else {
        request
    };
    let host = request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("host"))
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let server = select_server(http, host).ok_or("an `http` without `server`")?;
    let mut state = State {
        request,
        maps: http.iter().filter_map(Map::read).collect(),
        vars: BTreeMap::new(),
        declared: BTreeSet::new(),
        captures: Vec::new(),
    };
    declare(http, &mut state.declared);
    if let Some(name) = server_name(server) {
        state.vars.insert("server_name".into(), name);
    }
    let mut ignored = None;
    let status = if bad_method {
        Some((400, vec![http, server.children()]))
    } else {
        match rewrite(server.children(), &mut state, &mut ignored)? {
            Flow::Return(status) => Some((status, vec![http, server.children()])),
            Flow::Continue | Flow::Break => None,
        }
    };
    let (status, levels) = match status {
        Some(found) => found,
        None => {
            let path = request.uri.split('?').next().unwrap_or("");
            let location = select_location(server.children(), path).ok_or_else(|| {
                let names: Vec<String> = server
                    .children()
                    .iter()
                    .filter(|s| s.name.value == "location")
                    .map(|s| {
                        let a: Vec<&str> = s.args.iter().map(|a| a.value.as_str()).collect();
                        format!("`{}`", a.join(" "))
                    })
                    .collect();
                format!(
                    "a request no location matches (`{path}`; the server's locations: {}; \
                     --path chooses the request path)",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                )
            })?;
            if location
                .children()
                .iter()
                .any(|s| s.name.value == "location")
            {
                return Err("nested locations".into());
            }
            let mut conf = None;
            let status = match (
                rewrite(location.children(), &mut state, &mut conf)?,
                content,
            ) {
                (Flow::Return(status), _) => status,
                (_, Some(status)) => status,
                _ => return Err("the location's content handler".into()),
            };
            let mut levels = vec![http, server.children(), location.children()];
            levels.extend(conf);
            (status, levels)
        }
    };
    // Directives that would change the answer in ways this model does not follow: an
    // `include` may add headers, `error_page` redirects error statuses internally,
    // `more_clear_headers` removes headers, `limit_except` answers some methods itself.
    for level in &levels {
        if let Some(st) = level.iter().find(|st| {
            matches!(
                st.name.value.as_str(),
                "include" | "error_page" | "more_clear_headers" | "limit_except"
            )
        }) {
            return Err(format!("`{}` (not followed yet)", st.name.value));
        }
    }
    let directives = headers::effective(&levels, version);
    let mut lines: Vec<(String, String)> = Vec::new();
    for d in directives.iter().filter(|d| d.applies_to(status)) {
        let value = state
            .expand(&d.text)
            .ok_or_else(|| format!("the header value `{}`", d.text))?;
        match d.source {
            headers::Source::MoreSetHeaders => {
                lines.retain(|(n, _)| !n.eq_ignore_ascii_case(&d.name));
                if !value.is_empty() {
                    lines.push((d.name.clone(), value));
                }
            }
            headers::Source::AddHeader { .. } if !value.is_empty() => {
                lines.push((d.name.clone(), value))
            }
            headers::Source::AddHeader { .. } => {}
        }
    }
    Ok(Answer::Response {
        status,
        headers: lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::nginx::syntax::parse;

    fn ask(src: &str, method: &str, uri: &str, origin: Option<&str>) -> Answer {
        let c = parse(src.as_bytes()).unwrap();
        let headers = origin
            .map(|o| vec![("Origin".to_string(), o.to_string())])
            .unwrap_or_default();
        answer(
            &c.statements,
            &Request {
                method: method.into(),
                uri: uri.into(),
                headers,
            },
            Version(1, 22, 1),
            None,
        )
    }

    #[test]
    fn the_preflight_branch_loses_the_location_headers() {
        // Facts scenario 05: the `if` has its own add_header, so ACAO is missing on OPTIONS.
        let src = "http { server { location / { add_header Access-Control-Allow-Origin https://a.example always; \
                   if ($request_method = OPTIONS) { add_header Access-Control-Allow-Methods GET; return 204; } return 200; } } }";
        assert_eq!(
            ask(src, "OPTIONS", "/", Some("https://a.example")),
            Answer::Response {
                status: 204,
                headers: vec![("Access-Control-Allow-Methods".into(), "GET".into())]
            }
        );
        assert_eq!(
            ask(src, "GET", "/", Some("https://a.example")),
            Answer::Response {
                status: 200,
                headers: vec![(
                    "Access-Control-Allow-Origin".into(),
                    "https://a.example".into()
                )]
            }
        );
    }

    #[test]
    fn unanchored_if_regex_reflects_attacker_origins() {
        let src = "http { server { location / { if ($http_origin ~* \"https://app.example.com\") { \
                   add_header Access-Control-Allow-Origin $http_origin; } return 200; } } }";
        let evil = "https://app.example.com.evil.net";
        assert_eq!(
            ask(src, "GET", "/", Some(evil)),
            Answer::Response {
                status: 200,
                headers: vec![("Access-Control-Allow-Origin".into(), evil.into())]
            }
        );
    }

    #[test]
    fn include_and_error_page_are_not_guessed() {
        let src = "http { include cors.conf; server { location / { return 200; } } }";
        assert!(
            matches!(ask(src, "GET", "/", None), Answer::Unknown(w) if w.contains("`include`"))
        );
        let src = "http { server { error_page 404 /x; location / { return 404; } } }";
        assert!(
            matches!(ask(src, "GET", "/", None), Answer::Unknown(w) if w.contains("`error_page`"))
        );
    }

    #[test]
    fn location_selection() {
        let c = parse(b"location / {} location ^~ /static {} location ~ \\.php$ {} location = /x {} location /api {}").unwrap();
        let pick = |p: &str| {
            select_location(&c.statements, p).map(|s| s.args.last().unwrap().value.clone())
        };
        assert_eq!(pick("/x").as_deref(), Some("/x"));
        assert_eq!(pick("/static/a.php").as_deref(), Some("/static"));
        assert_eq!(pick("/api/a.php").as_deref(), Some("\\.php$"));
        assert_eq!(pick("/api/a").as_deref(), Some("/api"));
        assert_eq!(pick("/other").as_deref(), Some("/"));
    }
}
