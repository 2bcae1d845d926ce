//! From nginx configuration to CORS policies: one per location, and one more per `if` block
//! that changes the location's headers or answers by itself (the classic preflight branch).
//! Header inheritance is [`headers::effective`]'s (checked against a real nginx); this module
//! decides what each CORS header value means — a literal, the request's `Origin` echoed
//! behind which checks, or something it cannot tell — and keeps the bytes of every value.

use super::eval::condition_args;
use super::headers::{self, ADD_HEADER_STATUSES, HeaderDirective, Source, Version};
use super::map::{Key, Map};
use super::syntax::{Config, Quote, Statement, mapped_value};
use crate::ir::{
    AllowList, Anchoring, Case, CorsPolicy, Credentials, Emission, HeaderValue, LostHeader, MaxAge,
    OnMatch, OriginMatch, OriginMatcher, OriginPolicy, RegexDialect, RepeatedHeader, Scope, Server,
    VaryOrigin,
};
use crate::source::Span;

/// What the configuration is modelled as.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    pub version: Version,
    /// Not given by the user (`--assume-version nginx=…`).
    pub assumed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Http,
    Server,
    Location,
}

/// One block on the way from `http` to a location.
#[derive(Clone, Copy)]
struct Level<'a> {
    kind: Kind,
    statement: Option<&'a Statement>,
    body: &'a [Statement],
}

struct Lowerer<'a> {
    bytes: &'a [u8],
    target: Target,
    maps: Vec<Map<'a>>,
    out: Vec<CorsPolicy>,
}

/// Where a fragment of configuration is pasted (ingress-nginx snippets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// Inside `server { … }` (`server-snippet`).
    Server,
    /// Inside `location { … }` (`configuration-snippet`).
    Location,
}

/// The policies of a fragment pasted into `context`.
pub fn lower_fragment(
    bytes: &[u8],
    config: &Config,
    target: Target,
    context: Context,
) -> Vec<CorsPolicy> {
    let mut l = Lowerer {
        bytes,
        target,
        maps: config.statements.iter().filter_map(Map::read).collect(),
        out: Vec::new(),
    };
    let kind = match context {
        Context::Server => Kind::Server,
        Context::Location => Kind::Location,
    };
    let levels = [Level {
        kind,
        statement: None,
        body: &config.statements,
    }];
    match context {
        Context::Server => l.locations(&levels),
        Context::Location => l.site(&levels),
    }
    l.out
}

/// Every policy the configuration defines. A file may be a whole `nginx.conf`, a `conf.d`
/// fragment (`server` blocks at the top), a server-level fragment (`location`s at the top)
/// or a location-level one (ingress-nginx snippets); each is read at the level it is
/// written for.
pub fn lower(bytes: &[u8], config: &Config, target: Target) -> Vec<CorsPolicy> {
    let top: &[Statement] = &config.statements;
    let mut maps: Vec<Map> = top.iter().filter_map(Map::read).collect();
    let http: Vec<&Statement> = top.iter().filter(|s| s.name.value == "http").collect();
    for h in &http {
        maps.extend(h.children().iter().filter_map(Map::read));
    }
    let mut l = Lowerer {
        bytes,
        target,
        maps,
        out: Vec::new(),
    };
    let has = |body: &[Statement], name: &str| body.iter().any(|s| s.name.value == name);
    if !http.is_empty() {
        for h in http {
            l.servers(&[Level {
                kind: Kind::Http,
                statement: Some(h),
                body: h.children(),
            }]);
        }
    } else if has(top, "server") {
        l.servers(&[Level {
            kind: Kind::Http,
            statement: None,
            body: top,
        }]);
    } else if has(top, "location") {
        l.locations(&[Level {
            kind: Kind::Server,
            statement: None,
            body: top,
        }]);
    } else {
        l.site(&[Level {
            kind: Kind::Location,
            statement: None,
            body: top,
        }]);
    }
    l.out
}

impl<'a> Lowerer<'a> {
    fn servers(&mut self, outer: &[Level<'a>]) {
        let body = outer.last().expect("a level").body;
        for s in body.iter().filter(|s| s.name.value == "server") {
            let mut levels = outer.to_vec();
            levels.push(Level {
                kind: Kind::Server,
                statement: Some(s),
                body: s.children(),
            });
            self.locations(&levels);
        }
    }

    /// The locations of the innermost level (a server or a location), or the level itself
    /// when it has none.
    fn locations(&mut self, outer: &[Level<'a>]) {
        let body = outer.last().expect("a level").body;
        let mut any = false;
        for loc in body.iter().filter(|s| s.name.value == "location") {
            any = true;
            let mut levels = outer.to_vec();
            levels.push(Level {
                kind: Kind::Location,
                statement: Some(loc),
                body: loc.children(),
            });
            self.site(&levels);
            self.locations(&levels);
        }
        if !any && outer.last().is_some_and(|l| l.kind == Kind::Server) {
            self.site(outer);
        }
    }

    /// The policies of one place requests end up in: its own headers, and each `if` block
    /// in it that has header directives or answers by itself.
    fn site(&mut self, levels: &[Level<'a>]) {
        if let Some(p) = self.policy(levels, None) {
            self.out.push(p);
        }
        let body = levels.last().expect("a level").body;
        let ifs: Vec<&Statement> = body.iter().filter(|s| s.name.value == "if").collect();
        for (i, st) in ifs.iter().enumerate() {
            let acts = st.children().iter().any(|c| {
                matches!(
                    c.name.value.as_str(),
                    "add_header" | "more_set_headers" | "return"
                )
            });
            if acts && let Some(p) = self.policy(levels, Some((st, &ifs[..i]))) {
                self.out.push(p);
            }
        }
    }

    /// The policy for requests handled at `levels` (and inside `branch`, an `if` with the
    /// `if`s before it in the same block).
    fn policy(
        &self,
        levels: &[Level<'a>],
        branch: Option<(&'a Statement, &[&'a Statement])>,
    ) -> Option<CorsPolicy> {
        let mut bodies: Vec<&[Statement]> = levels.iter().map(|l| l.body).collect();
        if let Some((st, _)) = branch {
            bodies.push(st.children());
        }
        let mut directives = headers::effective(&bodies, self.target.version);
        // A branch that answers by itself sends only what applies to its status.
        let returns = branch.and_then(|(st, _)| {
            st.children()
                .iter()
                .find(|c| c.name.value == "return")
                .and_then(|r| r.args.first())
                .and_then(|a| a.value.parse::<u16>().ok())
        });
        if let Some(status) = returns {
            directives.retain(|d| d.applies_to(status));
        }
        let cors: Vec<&HeaderDirective> = directives.iter().filter(|d| is_cors(&d.name)).collect();
        // An `include` can add or replace headers this file does not show: claim no lost
        // header and no missing Allow-Origin past one (`include` is not followed yet).
        let included = bodies.iter().flat_map(|b| b.iter()).find(|st| {
            st.name.value == "include"
                && !st
                    .args
                    .first()
                    .is_some_and(|a| super::include::is_stock(&a.value))
        });
        let mut lost = if included.is_some() {
            Vec::new()
        } else {
            self.lost(&bodies)
        };
        if let Some((st, earlier)) = branch {
            lost.extend(self.hidden_by_later_if(st, earlier, &directives));
        }
        if cors.is_empty() && lost.is_empty() {
            return None;
        }
        let value = |name: &str| -> Option<(&HeaderDirective, HeaderValue)> {
            let d = cors.iter().find(|d| d.name.eq_ignore_ascii_case(name))?;
            Some((d, HeaderValue::from_file(self.value_text(d))))
        };
        // headers-more's `more_clear_headers` can remove what the directives above add
        // (or what a backend sends); its interplay is not modelled, so claim nothing.
        let cleared = bodies.iter().flat_map(|b| b.iter()).find(|st| {
            st.name.value == "more_clear_headers"
                && st.args.iter().any(|a| {
                    let pattern = a.value.to_ascii_lowercase();
                    match pattern.strip_suffix('*') {
                        Some(prefix) => "access-control-allow-origin".starts_with(prefix),
                        None => pattern == "access-control-allow-origin",
                    }
                })
        });
        let allow_origin = match (value("Access-Control-Allow-Origin"), cleared) {
            (_, Some(clear)) => OriginPolicy::Unknown {
                at: clear.span,
                why: "`more_clear_headers` may remove `Access-Control-Allow-Origin` (not modelled)".into(),
            },
            (v, None) => match v {
            None => match included {
                Some(inc) => OriginPolicy::Unknown {
                    at: inc.span,
                    why: "an `include` may add `Access-Control-Allow-Origin` (includes are not followed yet)"
                        .into(),
                },
                None => OriginPolicy::NotSent,
            },
            Some((_, v)) => {
                let at = v.span();
                let policy = self.origin_policy(v, levels, branch);
                match self.disproved(&policy, levels, branch) {
                    Some(why) => OriginPolicy::Unknown { at, why },
                    None => policy,
                }
            }
            },
        };
        let list = |name: &str| match value(name) {
            None => AllowList::NotSent,
            Some((_, v)) if v.text().contains("$http_access_control_request") => {
                AllowList::EchoRequest { at: v.span() }
            }
            Some((_, v)) => AllowList::Static(v),
        };
        let credentials = match value("Access-Control-Allow-Credentials") {
            None => Credentials::Off { at: None },
            Some((_, v)) if v.text().trim() == "true" => Credentials::On { at: v.span() },
            Some((_, v)) => Credentials::Off { at: Some(v.span()) },
        };
        let max_age = match value("Access-Control-Max-Age") {
            Some((_, v)) => match v.text().trim().parse::<i64>() {
                Ok(value) => MaxAge::Seconds {
                    value,
                    at: v.span(),
                    defaulted: false,
                },
                Err(_) => MaxAge::NotSent,
            },
            None => MaxAge::NotSent,
        };
        let vary = directives.iter().any(|d| {
            d.name.eq_ignore_ascii_case("vary")
                && d.text
                    .split(',')
                    .any(|v| v.trim().eq_ignore_ascii_case("origin"))
        });
        let without_origin = matches!(allow_origin, OriginPolicy::Static(_));
        let not_on_errors = cors
            .iter()
            .find(|d| returns.is_none() && !(d.applies_to(404) && d.applies_to(500)));
        let statuses: Vec<String> = ADD_HEADER_STATUSES.iter().map(u16::to_string).collect();
        let errors_cause = not_on_errors.map(|d| {
            let why = match d.source {
                Source::AddHeader { .. } => format!(
                    "`add_header` without `always` adds the header only to {} responses; add `always` \
                     (`add_header {} … always;`)",
                    join_or(&statuses),
                    d.name
                ),
                Source::MoreSetHeaders => format!(
                    "`more_set_headers -s` limits the header to the statuses listed ({})",
                    d.statuses
                        .iter()
                        .map(u16::to_string)
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            };
            (d.directive.span, why)
        });
        let anchor = cors
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case("access-control-allow-origin"))
            .or(cors.first())
            .map(|d| d.directive.span)
            .or(branch.map(|(st, _)| st.name.span))
            .or_else(|| levels.last().and_then(|l| l.statement).map(|s| s.name.span))
            .unwrap_or(Span::empty(0));
        Some(CorsPolicy {
            server: Server {
                product: "nginx",
                version: self.target.version.to_string(),
                version_assumed: self.target.assumed,
            },
            scope: Scope {
                description: describe(levels, branch.map(|(st, _)| st)),
                listeners: Vec::new(),
            },
            anchor,
            allow_origin,
            allow_methods: list("Access-Control-Allow-Methods"),
            allow_headers: list("Access-Control-Allow-Headers"),
            expose_headers: list("Access-Control-Expose-Headers"),
            credentials,
            max_age,
            vary_origin: if vary {
                VaryOrigin::Always
            } else {
                VaryOrigin::Never
            },
            emission: Emission {
                without_origin,
                on_errors: not_on_errors.is_none(),
                exceptions: Vec::new(),
                errors_cause,
                // A branch entered only for allowed origins sends its headers only to them.
                only_when_allowed: branch
                    .is_some_and(|(st, _)| self.constraint(&condition_args(st), levels).is_some()),
                credentials_unconditional: false,
                absent_origin_is_empty: false,
                preflight_split: None,
            },
            lost_headers: lost,
            repeated_headers: repeated(&cors),
            backend_passthrough: passthrough(&cors, &bodies),
            fix_hints: crate::ir::FixHints::default(),
        })
    }

    /// A header's value as sent, mapped to its bytes (after `Name:` for `more_set_headers`).
    fn value_text(&self, d: &HeaderDirective) -> crate::source::MappedText {
        let whole = mapped_value(self.bytes, d.value);
        match d.source {
            Source::AddHeader { .. } => whole,
            Source::MoreSetHeaders => {
                let text = whole.as_str();
                let colon = text.find(':').map_or(0, |i| i + 1);
                let start = colon + (text[colon..].len() - text[colon..].trim_start().len());
                whole.slice(start..text.len())
            }
        }
    }

    /// CORS `add_header`s of enclosing blocks that a block with its own `add_header` drops.
    fn lost(&self, bodies: &[&'a [Statement]]) -> Vec<LostHeader> {
        let version = self.target.version;
        let mut out: Vec<LostHeader> = Vec::new();
        for i in 1..bodies.len() {
            let before = headers::effective(&bodies[..i], version);
            let after = headers::effective(&bodies[..=i], version);
            let Some(cause) = bodies[i].iter().find(|s| s.name.value == "add_header") else {
                continue;
            };
            for d in before.iter().filter(|d| {
                is_cors(&d.name)
                    && matches!(d.source, Source::AddHeader { .. })
                    && !after.iter().any(|a| a.name.eq_ignore_ascii_case(&d.name))
            }) {
                if out.iter().any(|l| l.declared == d.directive.span) {
                    continue;
                }
                let merge = if version.has_add_header_inherit() {
                    ", or add `add_header_inherit merge;` to it"
                } else {
                    ""
                };
                out.push(LostHeader {
                    name: d.name.clone(),
                    declared: d.directive.span,
                    cause: cause.span,
                    why: "a block with its own `add_header` inherits no `add_header` from the blocks around it".into(),
                    remedy: format!(
                        "repeat the CORS `add_header` lines in the block that has its own (an `include` of one \
                         shared file keeps them in step){merge}"
                    ),
                });
            }
        }
        out
    }

    /// CORS headers of earlier `if` blocks that a later matching `if` replaces: nginx uses
    /// only the last `if` whose condition holds.
    fn hidden_by_later_if(
        &self,
        st: &'a Statement,
        earlier: &[&'a Statement],
        effective: &[HeaderDirective],
    ) -> Vec<LostHeader> {
        let mut out = Vec::new();
        for e in earlier {
            // A `return` or `break` inside the earlier block ends the rewrite phase there:
            // the later `if` is never evaluated.
            let stops = e
                .children()
                .iter()
                .any(|c| matches!(c.name.value.as_str(), "return" | "break"));
            if stops || exclusive(st, e) {
                continue;
            }
            for d in e.children().iter().filter(|d| {
                d.name.value == "add_header" && d.args.first().is_some_and(|a| is_cors(&a.value))
            }) {
                if effective
                    .iter()
                    .any(|x| x.name.eq_ignore_ascii_case(&d.args[0].value))
                {
                    continue;
                }
                out.push(LostHeader {
                    name: d.args[0].value.clone(),
                    declared: d.span,
                    cause: st.name.span,
                    why: format!(
                        "when `{}` and the later `{}` both hold, nginx uses only the later `if` block's headers",
                        condition_args(e).join(" "),
                        condition_args(st).join(" ")
                    ),
                    remedy: "compute the values with `map` or `set` and add the headers once, outside the `if` blocks"
                        .into(),
                });
            }
        }
        out
    }

    /// What `Access-Control-Allow-Origin: <value>` sends.
    fn origin_policy(
        &self,
        value: HeaderValue,
        levels: &[Level<'a>],
        branch: Option<(&'a Statement, &[&'a Statement])>,
    ) -> OriginPolicy {
        let text = value.text().trim();
        if !text.contains('$') {
            return OriginPolicy::Static(value);
        }
        let unknown = |why: String| OriginPolicy::Unknown {
            at: value.span(),
            why,
        };
        let Some(var) = single_variable(text) else {
            return unknown(format!(
                "`{text}` combines variables with text; cors-lint models a single variable"
            ));
        };
        let echo = |matchers: Vec<(OriginMatcher, Span)>| {
            OriginPolicy::Match(OriginMatch {
                matchers,
                on_match: OnMatch::EchoOrigin,
                on_match_with_credentials: OnMatch::EchoOrigin,
            })
        };
        if var == "http_origin" {
            let guard = match branch {
                Some((st, _)) => self.constraint(&condition_args(st), levels),
                None => self.negative_guard(levels),
            };
            return echo(guard.unwrap_or_else(|| vec![(OriginMatcher::Any, value.span())]));
        }
        match self.echoing(&var, levels) {
            Ok(matchers) => echo(matchers),
            Err(why) => unknown(why),
        }
    }

    /// Origins for which `$var` holds the request's `Origin` (a `map` on `$http_origin`, or
    /// `set $var $http_origin` under origin checks). `Err`: it may hold something else.
    fn echoing(
        &self,
        var: &str,
        levels: &[Level<'a>],
    ) -> Result<Vec<(OriginMatcher, Span)>, String> {
        if let Some(map) = self.map_of(var) {
            if single_variable(&map.source.value).as_deref() != Some("http_origin") {
                return Err(format!(
                    "`${var}` maps `{}`, not `$http_origin`",
                    map.source.value
                ));
            }
            let mut out = Vec::new();
            for e in &map.entries {
                let v = e.value.value.as_str();
                let echoes = single_variable(v).as_deref() == Some("http_origin")
                    || matches!(&e.key, Key::Exact(k) if k.eq_ignore_ascii_case(v));
                if v.is_empty() {
                    continue;
                }
                if !echoes {
                    return Err(format!(
                        "the map sends `{v}` for `{}`",
                        e.statement.name.value
                    ));
                }
                out.push((key_matcher(&e.key), key_span(e)));
            }
            if let Some(d) = map.default {
                match single_variable(&d.value).as_deref() {
                    Some("http_origin") => out.push((OriginMatcher::Any, d.span)),
                    _ if d.value.is_empty() => {}
                    _ => return Err(format!("the map's default is `{}`", d.value)),
                }
            }
            return Ok(out);
        }
        let sets = assignments(var, levels);
        if sets.is_empty() {
            return Err(format!("nothing in this file sets `${var}`"));
        }
        let mut out = Vec::new();
        for (set, under) in sets {
            let v = &set.args[1].value;
            if v.is_empty() {
                continue;
            }
            if single_variable(v).as_deref() != Some("http_origin") {
                return Err(format!("`set ${var} {v}` sets something else"));
            }
            match under {
                Some(cond) => match self.constraint(&condition_args(cond), levels) {
                    Some(m) => out.extend(m),
                    None => {
                        return Err(format!(
                            "`${var}` is set under a condition cors-lint cannot read ({})",
                            condition_args(cond).join(" ")
                        ));
                    }
                },
                None => out.push((OriginMatcher::Any, set.args[1].span)),
            }
        }
        Ok(out)
    }

    /// The origins for which an `if` condition holds, if it only depends on the origin.
    fn constraint(
        &self,
        args: &[String],
        levels: &[Level<'a>],
    ) -> Option<Vec<(OriginMatcher, Span)>> {
        let token_span = |text: &str| self.find_token(levels, text);
        match args {
            [var, op, value] if single_variable(var).as_deref() == Some("http_origin") => {
                let span = token_span(value)?;
                match op.as_str() {
                    "~" | "~*" => Some(vec![(
                        OriginMatcher::Regex {
                            pattern: value.clone(),
                            dialect: RegexDialect::Pcre,
                            anchoring: Anchoring::None,
                            case: if op == "~*" {
                                Case::Insensitive
                            } else {
                                Case::Sensitive
                            },
                        },
                        span,
                    )]),
                    "=" if value == "null" => Some(vec![(OriginMatcher::Null, span)]),
                    "=" => Some(vec![(
                        OriginMatcher::Exact {
                            origin: value.clone(),
                            case: Case::Sensitive,
                        },
                        span,
                    )]),
                    _ => None,
                }
            }
            // A flag: `if ($cors)`, `if ($cors = "true")`.
            [var, rest @ ..] if var.starts_with('$') => {
                let name = single_variable(var)?;
                let wanted: Option<&str> = match rest {
                    [] => None,
                    [op, v] if op == "=" => Some(v.as_str()),
                    _ => return None,
                };
                let holds = |v: &str| match wanted {
                    Some(w) => v == w,
                    None => !v.is_empty() && v != "0",
                };
                if let Some(map) = self.map_of(&name) {
                    if single_variable(&map.source.value).as_deref() != Some("http_origin") {
                        return None;
                    }
                    if map.default.is_some_and(|d| holds(&d.value)) {
                        return None;
                    }
                    return Some(
                        map.entries
                            .iter()
                            .filter(|e| holds(&e.value.value))
                            .map(|e| (key_matcher(&e.key), key_span(e)))
                            .collect(),
                    );
                }
                let sets = assignments(&name, levels);
                if sets.is_empty() {
                    // Not a flag this file sets (a request variable such as `$request_method`).
                    return None;
                }
                let mut out = Vec::new();
                for (set, under) in sets {
                    let v = &set.args[1].value;
                    if v.contains('$') {
                        return None;
                    }
                    if !holds(v) {
                        continue;
                    }
                    let cond = under?;
                    let inner = condition_args(cond);
                    // Guard against a flag defined by another flag.
                    if inner.first().and_then(|v| single_variable(v)).as_deref()
                        != Some("http_origin")
                    {
                        return None;
                    }
                    out.extend(self.constraint(&inner, levels)?);
                }
                Some(out)
            }
            _ => None,
        }
    }

    /// `if ($http_origin !~ R) { return 403; }` before the headers: only matching origins
    /// get past it.
    fn negative_guard(&self, levels: &[Level<'a>]) -> Option<Vec<(OriginMatcher, Span)>> {
        for level in levels.iter().filter(|l| l.kind != Kind::Http) {
            for st in level.body.iter().filter(|s| s.name.value == "if") {
                let args = condition_args(st);
                let returns = st.children().iter().any(|c| c.name.value == "return");
                if let [var, op, value] = args.as_slice()
                    && returns
                    && single_variable(var).as_deref() == Some("http_origin")
                    && let Some(positive) = op.strip_prefix('!')
                {
                    let positive = [var.clone(), positive.to_string(), value.clone()];
                    return self.constraint(&positive, levels);
                }
            }
        }
        None
    }

    /// Run the origins the policy says it echoes through the nginx model ([`eval`], checked
    /// against a real nginx): `Some(why)` when the model answers otherwise, so no rule acts
    /// on a misreading. Places the model cannot reach (nested or regex locations, fragments
    /// without servers) are not checked.
    fn disproved(
        &self,
        policy: &OriginPolicy,
        levels: &[Level<'a>],
        branch: Option<(&'a Statement, &[&'a Statement])>,
    ) -> Option<String> {
        use super::eval::{Answer, Request, answer_in};
        let OriginPolicy::Match(m) = policy else {
            return None;
        };
        let [http, server, location] = levels else {
            return None;
        };
        let (Kind::Http, Some(server_st), Some(location_st)) =
            (http.kind, server.statement, location.statement)
        else {
            return None;
        };
        let path = match location_st.args.as_slice() {
            [p] if p.value.starts_with('/') => p.value.clone(),
            [m, p] if (m.value == "=" || m.value == "^~") && p.value.starts_with('/') => {
                p.value.clone()
            }
            _ => return None,
        };
        let first_server = http.body.iter().find(|s| s.name.value == "server");
        let host = server_st
            .children()
            .iter()
            .filter(|d| d.name.value == "server_name")
            .flat_map(|d| d.args.iter())
            .map(|a| a.value.clone())
            .find(|n| !n.contains('*') && !n.starts_with('~') && !n.starts_with('.') && n != "_");
        let host = match host {
            Some(h) => h,
            None if first_server.is_some_and(|f| std::ptr::eq(f, server_st)) => String::new(),
            None => return None,
        };
        let method = match branch.map(|(st, _)| condition_args(st)) {
            Some(args) => match args.as_slice() {
                [v, op, m] if v == "$request_method" && op == "=" => m.clone(),
                _ => "GET".into(),
            },
            None => "GET".into(),
        };
        let mut origins: Vec<String> = Vec::new();
        for (matcher, _) in &m.matchers {
            match matcher {
                OriginMatcher::Exact { origin, .. } => origins.push(origin.clone()),
                _ => origins.extend(
                    crate::ir::origin::attacker_origins(matcher)
                        .into_iter()
                        .take(2)
                        .map(|(o, _)| o),
                ),
            }
        }
        for origin in origins {
            let request = Request {
                method: method.clone(),
                uri: path.clone(),
                headers: vec![
                    ("Host".into(), host.clone()),
                    ("Origin".into(), origin.clone()),
                ],
            };
            match answer_in(http.body, &request, self.target.version, Some(200)) {
                Answer::Unknown(_) => return None,
                Answer::Response { headers, .. } => {
                    let sent: Vec<&str> = headers
                        .iter()
                        .filter(|(n, _)| n.eq_ignore_ascii_case("access-control-allow-origin"))
                        .map(|(_, v)| v.as_str())
                        .collect();
                    if !sent.contains(&origin.as_str()) {
                        return Some(format!(
                            "cors-lint read this as echoing `{origin}`, but its nginx model answers a `{method} {path}` \
                             from that origin with {}",
                            if sent.is_empty() {
                                "no `Access-Control-Allow-Origin`".to_string()
                            } else {
                                format!("`Access-Control-Allow-Origin: {}`", sent.join(", "))
                            }
                        ));
                    }
                }
            }
        }
        None
    }

    fn map_of(&self, var: &str) -> Option<&Map<'a>> {
        self.maps
            .iter()
            .find(|m| m.variable.value.strip_prefix('$') == Some(var))
    }

    /// The span of the condition argument (among the `if`s of `levels`) whose value is
    /// `text`, without the parentheses nginx strips.
    fn find_token(&self, levels: &[Level<'a>], text: &str) -> Option<Span> {
        fn walk(bytes: &[u8], body: &[Statement], text: &str) -> Option<Span> {
            for st in body {
                if st.name.value == "if"
                    && let Some((_, span)) = condition_spans(bytes, st)
                        .into_iter()
                        .find(|(v, _)| v == text)
                {
                    return Some(span);
                }
                if let Some(s) = walk(bytes, st.children(), text) {
                    return Some(s);
                }
            }
            None
        }
        levels
            .iter()
            .rev()
            .find_map(|l| walk(self.bytes, l.body, text))
    }
}

/// [`condition_args`] with the bytes of each: the `(` and `)` nginx strips from the first
/// and last argument are not part of them.
fn condition_spans(bytes: &[u8], st: &Statement) -> Vec<(String, Span)> {
    let n = st.args.len();
    let mut out = Vec::new();
    for (i, t) in st.args.iter().enumerate() {
        let (mut value, mut span) = (t.value.as_str(), t.text);
        if i == 0 && value == "(" {
            continue;
        }
        if i == 0 && t.quote == Quote::None && bytes.get(span.start) == Some(&b'(') {
            value = &value[1..];
            span = Span::new(span.start + 1, span.end);
        }
        if i + 1 == n && value == ")" {
            continue;
        }
        if i + 1 == n
            && t.quote == Quote::None
            && span.end > span.start
            && bytes.get(span.end - 1) == Some(&b')')
        {
            value = &value[..value.len() - 1];
            span = Span::new(span.start, span.end - 1);
        }
        out.push((value.to_string(), span));
    }
    out
}

/// The bytes of a `map` key's pattern: without the `~` or `~*` of a regex key.
fn key_span(e: &super::map::Entry) -> Span {
    let t = &e.statement.name;
    let skip = match &e.key {
        Key::Regex { caseless: true, .. } => 2,
        Key::Regex { .. } => 1,
        _ => 0,
    };
    Span::new((t.text.start + skip).min(t.text.end), t.text.end)
}

/// The matcher a `map` key stands for: exact keys compare case-insensitively, `~` regexes
/// case-sensitively, `~*` ones not; all unanchored unless written with `^…$`.
fn key_matcher(key: &Key) -> OriginMatcher {
    match key {
        Key::Exact(k) if k == "null" => OriginMatcher::Null,
        Key::Exact(k) => OriginMatcher::Exact {
            origin: k.clone(),
            case: Case::Insensitive,
        },
        Key::HostMask(m) => OriginMatcher::Suffix {
            value: m.trim_start_matches('*').to_string(),
            case: Case::Insensitive,
        },
        Key::Regex {
            pattern, caseless, ..
        } => OriginMatcher::Regex {
            pattern: pattern.clone(),
            dialect: RegexDialect::Pcre,
            anchoring: Anchoring::None,
            case: if *caseless {
                Case::Insensitive
            } else {
                Case::Sensitive
            },
        },
    }
}

/// `set $var value` in the server and location blocks (and their `if`s), with the `if`
/// each sits in.
fn assignments<'a>(var: &str, levels: &[Level<'a>]) -> Vec<(&'a Statement, Option<&'a Statement>)> {
    let mut out = Vec::new();
    let is_set = |s: &Statement| {
        s.name.value == "set" && s.args.len() == 2 && s.args[0].value.strip_prefix('$') == Some(var)
    };
    for level in levels.iter().filter(|l| l.kind != Kind::Http) {
        for st in level.body {
            if is_set(st) {
                out.push((st, None));
            } else if st.name.value == "if" {
                for c in st.children().iter().filter(|c| is_set(c)) {
                    out.push((c, Some(st)));
                }
            }
        }
    }
    out
}

/// `$name` or `${name}` when that is the whole text.
fn single_variable(text: &str) -> Option<String> {
    let name = text.strip_prefix('$')?;
    let name = match name.strip_prefix('{') {
        Some(inner) => inner.strip_suffix('}')?,
        None => name,
    };
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .then(|| name.to_string())
}

/// "a, b or c".
fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn is_cors(name: &str) -> bool {
    name.len() > 15 && name[..15].eq_ignore_ascii_case("access-control-")
}

/// Two `if`s that can never both match: the same variable compared for equality with two
/// different values.
fn exclusive(a: &Statement, b: &Statement) -> bool {
    match (condition_args(a).as_slice(), condition_args(b).as_slice()) {
        ([va, oa, xa], [vb, ob, xb]) => va == vb && oa == "=" && ob == "=" && xa != xb,
        _ => false,
    }
}

/// Directives that hand a request to a backend, and the one that hides a backend header.
const BACKENDS: [(&str, &str); 5] = [
    ("proxy_pass", "proxy_hide_header"),
    ("fastcgi_pass", "fastcgi_hide_header"),
    ("uwsgi_pass", "uwsgi_hide_header"),
    ("scgi_pass", "scgi_hide_header"),
    ("grpc_pass", "grpc_hide_header"),
];

/// A backend whose own `Access-Control-Allow-Origin` passes through next to the one
/// `add_header` appends (`more_set_headers` replaces it instead). `*_hide_header` stops it;
/// like `add_header`, a level with its own `*_hide_header` inherits none (checked against a
/// real nginx in `tests/nginx_headers_oracle.rs`).
fn passthrough(cors: &[&HeaderDirective], bodies: &[&[Statement]]) -> Option<(Span, String)> {
    let appends = cors.iter().any(|d| {
        d.name.eq_ignore_ascii_case("access-control-allow-origin")
            && matches!(d.source, Source::AddHeader { .. })
    });
    if !appends {
        return None;
    }
    for (pass, hide) in BACKENDS {
        let Some(st) = bodies
            .iter()
            .rev()
            .find_map(|b| b.iter().find(|s| s.name.value == pass))
        else {
            continue;
        };
        let hiding = bodies
            .iter()
            .rev()
            .find(|b| b.iter().any(|s| s.name.value == hide))
            .is_some_and(|b| {
                b.iter().any(|s| {
                    s.name.value == hide
                        && s.args.first().is_some_and(|a| {
                            a.value.eq_ignore_ascii_case("access-control-allow-origin")
                        })
                })
            });
        if !hiding {
            return Some((
                st.span,
                format!(
                    "add `{hide} Access-Control-Allow-Origin;` next to `{pass}` (and the same for the other CORS \
                     headers nginx sets), or let only one of nginx and the backend send them"
                ),
            ));
        }
    }
    None
}

/// CORS header lines that reach one response twice.
fn repeated(cors: &[&HeaderDirective]) -> Vec<RepeatedHeader> {
    let mut out = Vec::new();
    for (i, d) in cors.iter().enumerate() {
        let again = cors[i + 1..].iter().find(|o| {
            o.name.eq_ignore_ascii_case(&d.name)
                && matches!(o.source, Source::AddHeader { .. })
                && ADD_HEADER_STATUSES
                    .iter()
                    .any(|&s| d.applies_to(s) && o.applies_to(s))
        });
        if let Some(o) = again
            && !out
                .iter()
                .any(|r: &RepeatedHeader| r.again == o.directive.span)
        {
            out.push(RepeatedHeader {
                name: d.name.clone(),
                first: d.directive.span,
                again: o.directive.span,
            });
        }
    }
    out
}

/// "location `/api` of server `api.example.com`, when `$request_method = OPTIONS`".
fn describe(levels: &[Level], branch: Option<&Statement>) -> String {
    let mut parts = Vec::new();
    for l in levels.iter().rev() {
        let Some(st) = l.statement else { continue };
        match l.kind {
            Kind::Location => parts.push(format!(
                "location `{}`",
                st.args
                    .iter()
                    .map(|a| a.value.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
            Kind::Server => {
                let name = st
                    .children()
                    .iter()
                    .find(|d| d.name.value == "server_name")
                    .and_then(|d| d.args.first())
                    .map(|a| format!("server `{}`", a.value))
                    .unwrap_or_else(|| "the server".into());
                parts.push(name);
            }
            Kind::Http => {}
        }
    }
    let mut out = if parts.is_empty() {
        "this configuration".to_string()
    } else {
        parts.join(" of ")
    };
    if let Some(st) = branch {
        out.push_str(&format!(", when `{}`", condition_args(st).join(" ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::nginx::syntax::parse;

    fn lowered(src: &str) -> Vec<CorsPolicy> {
        let c = parse(src.as_bytes()).expect("parses");
        lower(
            src.as_bytes(),
            &c,
            Target {
                version: Version(1, 22, 1),
                assumed: false,
            },
        )
    }

    /// Each policy's scope and origin behaviour, with the text of every matcher's span.
    fn origins(src: &str) -> Vec<(String, String)> {
        lowered(src)
            .iter()
            .map(|p| {
                let o = match &p.allow_origin {
                    OriginPolicy::NotSent => "-".to_string(),
                    OriginPolicy::Static(v) => format!("static {}", &src[v.span().range()]),
                    OriginPolicy::Unknown { at, why } => {
                        format!("unknown {}: {why}", &src[at.range()])
                    }
                    OriginPolicy::Match(m) => m
                        .matchers
                        .iter()
                        .map(|(x, s)| {
                            let kind = match x {
                                OriginMatcher::Any => "any",
                                OriginMatcher::Exact { .. } => "exact",
                                OriginMatcher::Regex { .. } => "regex",
                                _ => "other",
                            };
                            format!("{kind} {}", &src[s.range()])
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                };
                (p.scope.description.clone(), o)
            })
            .collect()
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn literal_and_reflected_origins() {
        let src = "server { server_name a.test; location / { add_header Access-Control-Allow-Origin 'https://x.test' always; } \
                   location /r { add_header Access-Control-Allow-Origin $http_origin; } }";
        assert_eq!(
            origins(src),
            pairs(&[
                ("location `/` of server `a.test`", "static https://x.test"),
                ("location `/r` of server `a.test`", "any $http_origin"),
            ])
        );
    }

    #[test]
    fn origin_checks_in_if_map_and_flags() {
        let src = r#"http {
  map $http_origin $allowed { default ""; ~^https://(a|b)\.test$ $http_origin; "https://c.test" $http_origin; }
  server {
    set $cors "";
    if ($http_origin ~* "^https://.*\.example\.org") { set $cors "true"; }
    location /if { if ($http_origin ~ ^https://d\.test$) { add_header Access-Control-Allow-Origin $http_origin; } }
    location /map { add_header Access-Control-Allow-Origin $allowed; }
    location /flag { if ($cors = "true") { add_header Access-Control-Allow-Origin $http_origin; } }
    location /guard { if ($http_origin !~ '^https://e\.test$') { return 403; } add_header Access-Control-Allow-Origin $http_origin; }
  }
}"#;
        assert_eq!(
            origins(src),
            pairs(&[
                (
                    "location `/if` of the server, when `$http_origin ~ ^https://d\\.test$`",
                    "regex ^https://d\\.test$"
                ),
                (
                    "location `/map` of the server",
                    "regex ^https://(a|b)\\.test$; exact https://c.test"
                ),
                (
                    "location `/flag` of the server, when `$cors = true`",
                    "regex ^https://.*\\.example\\.org"
                ),
                (
                    "location `/guard` of the server",
                    "regex ^https://e\\.test$"
                ),
            ])
        );
    }

    fn text(src: &str, span: Span) -> &str {
        &src[span.range()]
    }

    #[test]
    fn inherited_headers_lost_to_a_block_with_its_own() {
        // Facts scenario 01 and 05: a location (or an `if`) with any add_header drops the
        // server's CORS headers.
        let src = "server { add_header Access-Control-Allow-Origin https://a.test always;\n\
                   location /api { add_header X-Frame-Options DENY; }\n\
                   location / { if ($request_method = OPTIONS) { add_header Access-Control-Allow-Methods PUT; return 204; } } }";
        let ps = lowered(src);
        let lost: Vec<(String, &str, &str)> = ps
            .iter()
            .flat_map(|p| {
                p.lost_headers.iter().map(|l| {
                    (
                        p.scope.description.clone(),
                        text(src, l.declared),
                        text(src, l.cause),
                    )
                })
            })
            .collect();
        assert_eq!(
            lost,
            vec![
                (
                    "location `/api` of the server".to_string(),
                    "add_header Access-Control-Allow-Origin https://a.test always;",
                    "add_header X-Frame-Options DENY;"
                ),
                (
                    "location `/` of the server, when `$request_method = OPTIONS`".to_string(),
                    "add_header Access-Control-Allow-Origin https://a.test always;",
                    "add_header Access-Control-Allow-Methods PUT;"
                ),
            ]
        );
        // `add_header_inherit merge` (nginx 1.29.3) keeps them.
        let merged = "server { add_header Access-Control-Allow-Origin https://a.test always;\n\
                      location /api { add_header_inherit merge; add_header X-Frame-Options DENY; } }";
        let c = parse(merged.as_bytes()).unwrap();
        let newest = lower(
            merged.as_bytes(),
            &c,
            Target {
                version: Version::NEWEST,
                assumed: true,
            },
        );
        assert!(newest.iter().all(|p| p.lost_headers.is_empty()));
        assert!(lowered(merged).iter().any(|p| !p.lost_headers.is_empty()));
    }

    #[test]
    fn last_matching_if_wins() {
        // Facts scenario 12.
        let src = "server { location / {\n\
                   if ($http_origin) { add_header Access-Control-Allow-Origin *; }\n\
                   if ($request_method = GET) { add_header Access-Control-Allow-Methods 'GET, POST'; } } }";
        let ps = lowered(src);
        let last = ps
            .iter()
            .find(|p| p.scope.description.ends_with("`$request_method = GET`"))
            .unwrap();
        assert_eq!(last.lost_headers.len(), 1);
        assert_eq!(
            text(src, last.lost_headers[0].declared),
            "add_header Access-Control-Allow-Origin *;"
        );
        // Two equality tests of one variable never both hold.
        let exclusive = "server { location / {\n\
                   if ($request_method = POST) { add_header Access-Control-Allow-Origin *; }\n\
                   if ($request_method = GET) { add_header Access-Control-Allow-Methods GET; } } }";
        assert!(lowered(exclusive).iter().all(|p| p.lost_headers.is_empty()));
    }

    #[test]
    fn error_statuses_repeats_and_values() {
        let src = "server { location / {\n\
                   add_header Access-Control-Allow-Origin https://a.test;\n\
                   add_header Access-Control-Allow-Origin https://a.test always;\n\
                   add_header Access-Control-Allow-Credentials \"true\" always;\n\
                   more_set_headers 'Access-Control-Max-Age:  600';\n\
                   add_header Vary Origin; } }";
        let ps = lowered(src);
        assert_eq!(ps.len(), 1);
        let p = &ps[0];
        assert!(!p.emission.on_errors);
        assert_eq!(
            text(src, p.emission.errors_cause.as_ref().unwrap().0),
            "add_header Access-Control-Allow-Origin https://a.test;"
        );
        assert_eq!(p.repeated_headers.len(), 1);
        assert_eq!(
            text(src, p.repeated_headers[0].again),
            "add_header Access-Control-Allow-Origin https://a.test always;"
        );
        match p.credentials {
            Credentials::On { at } => assert_eq!(text(src, at), "true"),
            ref other => panic!("{other:?}"),
        }
        match p.max_age {
            MaxAge::Seconds { value, at, .. } => {
                assert_eq!((value, text(src, at)), (600, "600"));
            }
            ref other => panic!("{other:?}"),
        }
        assert_eq!(p.vary_origin, VaryOrigin::Always);
        // A branch that returns 204 sends what applies to 204, and has no error responses.
        let src = "server { location / { add_header Access-Control-Allow-Origin https://a.test;\n\
                   if ($request_method = OPTIONS) { return 204; } } }";
        let ps = lowered(src);
        assert_eq!(ps.len(), 2);
        assert!(ps[1].emission.on_errors);
        assert!(matches!(ps[1].allow_origin, OriginPolicy::Static(_)));
        // ... and nothing a 403 does not get.
        let src = "server { location / { add_header Access-Control-Allow-Origin https://a.test;\n\
                   if ($http_origin = '') { return 403; } } }";
        assert_eq!(lowered(src).len(), 1);
    }

    #[test]
    fn fragments_at_every_level() {
        // A location-level snippet (ingress-nginx configuration-snippet) and a server-level one.
        let snippet = "add_header Access-Control-Allow-Origin $http_origin;";
        assert_eq!(
            origins(snippet),
            pairs(&[("this configuration", "any $http_origin")])
        );
        let server = "location /x { add_header Access-Control-Allow-Origin https://a.test; }";
        assert_eq!(
            origins(server),
            pairs(&[("location `/x`", "static https://a.test")])
        );
    }

    #[test]
    fn misreadings_are_caught_by_the_model() {
        // An `if` on something other than the origin: read as "echo any origin", but the
        // probe (no Host) never enters the branch, so the claim is withdrawn, not guessed.
        let src = "http { map $http_host $ok { default 0; a.test 1; }\n\
                   server { location / { if ($ok) { add_header Access-Control-Allow-Origin $http_origin; } } } }";
        let o = origins(src);
        assert_eq!(o.len(), 1);
        assert!(o[0].1.starts_with("unknown $http_origin"), "{o:?}");
        // The same echo on a branch the probe does enter is confirmed.
        let src = "http { server { location / { if ($request_method = GET) { add_header Access-Control-Allow-Origin $http_origin; } } } }";
        assert_eq!(origins(src)[0].1, "any $http_origin");
        // A guard this lowering does not follow (the origin copied to `$o` first): the model
        // answers the probe with 403 and no header, so "echoes every origin" is withdrawn.
        // (With `always` the 403 would echo the origin, and the claim would stand.)
        let src = "http { server { location / { set $o $http_origin; if ($o ~ ^https://a\\.test$) { set $x 1; }\n\
                   if ($x = '') { return 403; } add_header Access-Control-Allow-Origin $http_origin; } } }";
        let o = origins(src);
        assert!(
            o[0].1
                .starts_with("unknown $http_origin: cors-lint read this as echoing"),
            "{o:?}"
        );
    }

    #[test]
    fn includes_hide_what_they_add() {
        let src = "server { add_header Access-Control-Allow-Origin https://a.test always;\n\
                   location /api { include cors.conf; add_header X-Frame-Options DENY; }\n\
                   location /b { include cors.conf; add_header Access-Control-Allow-Methods PUT; } }";
        let ps = lowered(src);
        assert!(ps.iter().all(|p| p.lost_headers.is_empty()));
        let b = ps
            .iter()
            .find(|p| p.scope.description.contains("/b"))
            .unwrap();
        assert!(matches!(b.allow_origin, OriginPolicy::Unknown { .. }));
    }

    #[test]
    fn more_clear_headers_makes_the_origin_unknown() {
        let src = "server { location / { add_header Access-Control-Allow-Origin *; more_clear_headers 'Access-Control-*'; } }";
        let o = origins(src);
        assert!(o[0].1.starts_with("unknown more_clear_headers"), "{o:?}");
    }
}
