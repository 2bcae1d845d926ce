//! What `Access-Control-Allow-Origin` sends: a literal, the request's `Origin` behind the
//! checks in front of it (`if`, `map`, `set` flags, guards that `return`), or unknown.

use super::*;

impl<'a> Lowerer<'a> {
    /// What `Access-Control-Allow-Origin: <value>` sends.
    pub(super) fn origin_policy(
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
        // Variables holding one literal here (`set`, `$server_name`) send that literal.
        if let Ok(literal) =
            self.resolve_variables(value.mapped(), levels, branch.map(|(st, _)| st), 0)
        {
            let written = crate::ir::ValueSource::Expanded {
                written: text.to_string(),
            };
            return OriginPolicy::Static(HeaderValue::new(
                literal,
                written,
                crate::ir::Resolution::Known,
            ));
        }
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
    pub(super) fn echoing(
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
    pub(super) fn constraint(
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
    pub(super) fn negative_guard(
        &self,
        levels: &[Level<'a>],
    ) -> Option<Vec<(OriginMatcher, Span)>> {
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

    pub(super) fn map_of(&self, var: &str) -> Option<&Map<'a>> {
        self.maps
            .iter()
            .find(|m| m.variable.value.strip_prefix('$') == Some(var))
    }

    /// The span of the condition argument (among the `if`s of `levels`) whose value is
    /// `text`, without the parentheses nginx strips.
    pub(super) fn find_token(&self, levels: &[Level<'a>], text: &str) -> Option<Span> {
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
pub(super) fn condition_spans(bytes: &[u8], st: &Statement) -> Vec<(String, Span)> {
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
pub(super) fn key_span(e: &crate::frontend::nginx::map::Entry) -> Span {
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
pub(super) fn key_matcher(key: &Key) -> OriginMatcher {
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
pub(super) fn assignments<'a>(
    var: &str,
    levels: &[Level<'a>],
) -> Vec<(&'a Statement, Option<&'a Statement>)> {
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
pub(super) fn single_variable(text: &str) -> Option<String> {
    let name = text.strip_prefix('$')?;
    let name = match name.strip_prefix('{') {
        Some(inner) => inner.strip_suffix('}')?,
        None => name,
    };
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .then(|| name.to_string())
}
