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
    /// Variables `geo`, `split_clients`, `perl_set`, `js_set` assign per request.
    assigners: Vec<String>,
    /// `geo` blocks of `http`, whose literal values a header may send.
    geos: Vec<&'a Statement>,
    out: Vec<CorsPolicy>,
    /// Locations with CORS headers that nginx never selects: no policy, a finding instead.
    shadowed: Vec<ShadowedLocation>,
}

/// A location with CORS headers nginx never selects, and the locations that take its
/// requests.
#[derive(Clone, Debug)]
pub struct ShadowedLocation {
    /// `location … {` up to its pattern.
    pub location: Span,
    pub pattern: String,
    pub by: Vec<(Span, String)>,
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
        assigners: vars::assigned_in(&config.statements),
        // A snippet stands inside a server or location, where `geo` is not allowed.
        geos: Vec::new(),
        out: Vec::new(),
        shadowed: Vec::new(),
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
    lower_with_shadowed(bytes, config, target).0
}

/// [`lower`], and the locations with CORS headers nginx never selects (lowered into no
/// policy: their findings would be about responses no request gets).
pub fn lower_with_shadowed(
    bytes: &[u8],
    config: &Config,
    target: Target,
) -> (Vec<CorsPolicy>, Vec<ShadowedLocation>) {
    let top: &[Statement] = &config.statements;
    let mut maps: Vec<Map> = top.iter().filter_map(Map::read).collect();
    let mut assigners = vars::assigned_in(top);
    let is_geo = |s: &&Statement| s.name.value == "geo";
    let mut geos: Vec<&Statement> = top.iter().filter(is_geo).collect();
    let http: Vec<&Statement> = top.iter().filter(|s| s.name.value == "http").collect();
    for h in &http {
        maps.extend(h.children().iter().filter_map(Map::read));
        assigners.extend(vars::assigned_in(h.children()));
        geos.extend(h.children().iter().filter(is_geo));
    }
    let mut l = Lowerer {
        bytes,
        target,
        maps,
        assigners,
        geos,
        out: Vec::new(),
        shadowed: Vec::new(),
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
    (l.out, l.shadowed)
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
        let never: Vec<super::shadow::Shadowed> = super::shadow::shadowed(body)
            .into_iter()
            .filter(|s| has_cors_headers(s.location))
            .collect();
        for s in &never {
            self.shadowed.push(ShadowedLocation {
                location: Span::new(
                    s.location.name.span.start,
                    s.location
                        .args
                        .last()
                        .map_or(s.location.name.span.end, |a| a.span.end),
                ),
                pattern: s
                    .location
                    .args
                    .iter()
                    .map(|a| a.value.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                by: s
                    .by
                    .iter()
                    .map(|b| {
                        (
                            b.name.span,
                            b.args
                                .iter()
                                .map(|a| a.value.as_str())
                                .collect::<Vec<_>>()
                                .join(" "),
                        )
                    })
                    .collect(),
            });
        }
        let mut any = false;
        for loc in body.iter().filter(|s| s.name.value == "location") {
            any = true;
            if never.iter().any(|n| std::ptr::eq(n.location, loc)) {
                continue;
            }
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
            let split = self.split_by_geo(p);
            self.out.extend(split);
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
                let split = self.split_by_geo(p);
                self.out.extend(split);
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
        let answers_itself = bodies
            .last()
            .is_some_and(|b| b.iter().any(|s| s.name.value == "return"));
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
        // A list is sent as its variables hold it; one that cannot be told is unknown.
        let resolved = |v: HeaderValue| {
            let text = v.mapped().clone();
            match self.resolve_variables(&text, levels, branch.map(|(st, _)| st), 0) {
                Ok(t) => HeaderValue::from_file(t),
                Err(variables) => HeaderValue::new(
                    text,
                    crate::ir::ValueSource::File,
                    crate::ir::Resolution::DependsOn { variables },
                ),
            }
        };
        let list = |name: &str| match value(name) {
            None => AllowList::NotSent,
            Some((_, v)) if v.text().contains("$http_access_control_request") => {
                AllowList::EchoRequest { at: v.span() }
            }
            Some((_, v)) => AllowList::Static(resolved(v)),
        };
        let credentials = match value("Access-Control-Allow-Credentials") {
            None => Credentials::Off { at: None },
            Some((_, v)) if v.text().trim() == "true" => Credentials::On { at: v.span() },
            Some((_, v)) => Credentials::Off { at: Some(v.span()) },
        };
        let max_age = match value("Access-Control-Max-Age").map(|(_, v)| resolved(v)) {
            Some(v) if !v.is_known() => MaxAge::NotSent,
            Some(v) => match v.text().trim().parse::<i64>() {
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
        // Whether a page may read an error is decided by the origin (and, with credentials,
        // the credentials) header alone; methods and headers matter only to preflights,
        // which fail on an error status anyway.
        let decides_reading = |d: &&&HeaderDirective| {
            d.name.eq_ignore_ascii_case("access-control-allow-origin")
                || (d
                    .name
                    .eq_ignore_ascii_case("access-control-allow-credentials")
                    && matches!(credentials, Credentials::On { .. }))
        };
        let not_on_errors = cors
            .iter()
            .filter(decides_reading)
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
                list_separator: ", ",
            },
            scope: Scope {
                description: describe(levels, branch.map(|(st, _)| st)),
                listeners: Vec::new(),
                object: None,
                only_method: branch.and_then(|(st, _)| only_method(st)),
                branch: branch.and_then(|(st, _)| {
                    let parent = levels.last()?.statement?;
                    Some(crate::ir::Branch {
                        block: st.span,
                        parent: parent.span,
                    })
                }),
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
            response_headers: Vec::new(),
            emission: Emission {
                without_origin,
                on_errors: not_on_errors.is_none(),
                exceptions: Vec::new(),
                errors_cause,
                // A branch entered only for allowed origins sends its headers only to them.
                only_when_allowed: branch
                    .is_some_and(|(st, _)| self.constraint(&condition_args(st), levels).is_some()),
                preflight_headers_unless_allowed: false,
                credentials_unconditional: false,
                absent_origin_is_empty: false,
                preflight_split: None,
            },
            lost_headers: lost,
            repeated_headers: repeated(&cors),
            // A request answered by `return` (in the branch, or in the place itself) never
            // reaches a backend.
            backend_passthrough: if answers_itself {
                None
            } else {
                passthrough(&cors, &bodies)
            },
            fixes: fixes(self.bytes, &cors, &directives, returns.is_some()),
            unmatched_preflights_forwarded: None,
            fix_hints: fix_hints(),
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
}

/// The method an `if ($request_method = M)` branch is entered for (nginx compares it byte
/// for byte; browsers send it upper-case).
fn only_method(st: &Statement) -> Option<String> {
    match condition_args(st).as_slice() {
        [var, op, method] if var == "$request_method" && op == "=" => Some(method.clone()),
        _ => None,
    }
}

/// Whether a location (or a block in it) sets a CORS header.
fn has_cors_headers(st: &Statement) -> bool {
    st.children().iter().any(|c| {
        (matches!(c.name.value.as_str(), "add_header" | "more_set_headers")
            && c.args.iter().any(|a| {
                let v = a.value.trim_start_matches(['-', '"', '\'']);
                v.len() > 15 && v.as_bytes()[..15].eq_ignore_ascii_case(b"access-control-")
            }))
            || has_cors_headers(c)
    })
}

/// How the rules' generic fixes are written in nginx.
fn fix_hints() -> crate::ir::FixHints {
    crate::ir::FixHints {
        origin_list: Some(
            "`map $http_origin $cors_origin { default \"\"; \"https://app.example.com\" $http_origin; }` \
             (in `http`), then `add_header Access-Control-Allow-Origin $cors_origin always;` and \
             `add_header Vary Origin always;`"
                .into(),
        ),
        anchor_pattern: Some(
            "anchor the regex and escape its dots: `~^https://app\\.example\\.com$`".into(),
        ),
        credentials_off: Some("remove `add_header Access-Control-Allow-Credentials true`".into()),
        vary: Some("`add_header Vary Origin always;` next to `Access-Control-Allow-Origin`".into()),
        max_age: Some("`add_header Access-Control-Max-Age 7200 always;`".into()),
        allow_lists: Some(
            "`add_header Access-Control-Allow-Methods \"GET, PUT\" always;` and \
             `add_header Access-Control-Allow-Headers \"Content-Type, Authorization\" always;`"
                .into(),
        ),
        whitespace: Some("spaces inside the quotes are part of the value".into()),
    }
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
    // Bytes, not chars: a name may hold any byte nginx takes, multi-byte characters too.
    name.len() > 15 && name.as_bytes()[..15].eq_ignore_ascii_case(b"access-control-")
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

mod fixes;
mod geo;
mod losses;
mod origin;
mod probe;
mod vars;

use fixes::fixes;
use losses::{passthrough, repeated};

#[cfg(test)]
mod tests;
