//! Hover: on a finding, its rule's summary and why; on an origin value (a matcher of an
//! allow-list, or a literal `Access-Control-Allow-Origin`), what the server sends to which
//! origins, from the policies the front end lowers (the IR).

use super::diagnostics::Analysis;
use crate::frontend;
use crate::ir::{CorsPolicy, Credentials, OnMatch, OriginMatcher, OriginPolicy};
use crate::source::{SourceFile, Span};

/// The hover text (Markdown) at byte `at` of `text`, if anything is there.
pub fn hover(text: &str, analysis: &Analysis, at: usize) -> Option<(String, Span)> {
    let mut parts = Vec::new();
    let mut range: Option<Span> = None;
    for f in &analysis.findings {
        if !(f.span.start <= at && at <= f.span.end) {
            continue;
        }
        let Some(meta) = crate::rules::find_meta(f.code) else {
            continue;
        };
        parts.push(format!(
            "**{}** `{}`: {}\n\n{}\n\n[{} documentation]({})",
            meta.code,
            meta.name,
            meta.summary.trim(),
            meta.docs.why.trim(),
            meta.code,
            crate::finding::rule_url(&meta.code)
        ));
        range.get_or_insert(f.span);
    }
    if let Some((origin, span)) = origin_hover(text, analysis, at) {
        parts.push(origin);
        range = Some(span);
    }
    if parts.is_empty() {
        return None;
    }
    Some((parts.join("\n\n---\n\n"), range.unwrap_or(Span::empty(at))))
}

/// What the policies whose origin value is at `at` send, and the value's bytes.
fn origin_hover(text: &str, analysis: &Analysis, at: usize) -> Option<(String, Span)> {
    let dialect = analysis.dialect()?;
    let name = analysis.report.as_ref()?.path.clone();
    let file = SourceFile::new(name, text.as_bytes().to_vec(), dialect.encoding());
    let lowered = frontend::lower(dialect, &file, &analysis.governed.settings.options).ok()?;
    let hit = |s: Span| s.start <= at && at <= s.end && s.end <= text.len();
    // The value's bytes, and the policies (scopes) that use it.
    let mut found: Option<(Span, Vec<&CorsPolicy>)> = None;
    for p in &lowered.policies {
        let span = match &p.allow_origin {
            OriginPolicy::Match(m) => m.matchers.iter().map(|(_, s)| *s).find(|s| hit(*s)),
            OriginPolicy::Static(v) => Some(v.span()).filter(|s| hit(*s)),
            _ => None,
        };
        let Some(span) = span else { continue };
        match &mut found {
            Some((s, policies)) if *s == span => policies.push(p),
            Some((s, _)) if s.len() <= span.len() => {}
            _ => found = Some((span, vec![p])),
        }
    }
    let (span, policies) = found?;
    let mut out = format!("**Origin value** `{}`", file.text(span).trim());
    for p in policies.iter().take(5) {
        out.push_str(&format!(
            "\n\n**{}** ({} {}{}):\n",
            p.scope.description,
            p.server.product,
            p.server.version,
            if p.server.version_assumed {
                ", assumed"
            } else {
                ""
            }
        ));
        out.push_str(&describe(p, span));
    }
    if policies.len() > 5 {
        out.push_str(&format!("\n\n…and {} more places", policies.len() - 5));
    }
    Some((out, span))
}

/// What one policy sends, for the origin value at `span`.
fn describe(p: &CorsPolicy, span: Span) -> String {
    let credentials = matches!(p.credentials, Credentials::On { .. });
    let with_credentials = if credentials {
        " and `Access-Control-Allow-Credentials: true`"
    } else {
        ""
    };
    match &p.allow_origin {
        OriginPolicy::Static(v) => {
            let (seen, _) = v.browser_view();
            let who = match crate::ir::origin::classify_allow_origin(seen) {
                crate::ir::origin::AllowOriginValue::Wildcard if credentials => {
                    "every origin, but browsers refuse `*` on a request with credentials"
                        .to_string()
                }
                crate::ir::origin::AllowOriginValue::Wildcard => {
                    "every origin may read the responses (requests without credentials)".into()
                }
                crate::ir::origin::AllowOriginValue::Null => {
                    "pages with an opaque origin (sandboxed iframes, `data:` and `file:` pages), \
                     which anyone can make"
                        .into()
                }
                crate::ir::origin::AllowOriginValue::Origin => {
                    format!("only pages of `{seen}` may read the responses")
                }
                crate::ir::origin::AllowOriginValue::Invalid(problem) => {
                    let hint = problem
                        .suggestion
                        .map(|s| format!(" (probably meant `{s}`)"))
                        .unwrap_or_default();
                    format!("no page: browsers match this value to no origin{hint}")
                }
            };
            format!(
                "- every response gets `Access-Control-Allow-Origin: {}`{with_credentials}, \
                 whatever the request's `Origin`\n- who can read them: {who}",
                crate::finding::escape_controls(v.text())
            )
        }
        OriginPolicy::Match(m) => {
            let Some((matcher, _)) = m.matchers.iter().find(|(_, s)| *s == span) else {
                return String::new();
            };
            let on_match = if credentials {
                m.on_match_with_credentials
            } else {
                m.on_match
            };
            let sent = match on_match {
                OnMatch::EchoOrigin => "the request's `Origin`, echoed",
                OnMatch::EchoNormalisedOrigin => {
                    "the request's `Origin` (without a written default port), echoed"
                }
                OnMatch::LiteralStar => "`*`",
            };
            let mut out = format!(
                "- this value: {}\n- an origin it accepts gets `Access-Control-Allow-Origin:` \
                 {sent}{with_credentials}",
                matcher_words(matcher)
            );
            let examples = crate::ir::origin::accepted_examples(matcher);
            if !examples.is_empty() {
                let shown: Vec<String> =
                    examples.iter().take(4).map(|o| format!("`{o}`")).collect();
                out.push_str(&format!("\n- accepted, e.g.: {}", shown.join(", ")));
            }
            let attackers = crate::ir::origin::attacker_origins(matcher);
            if let Some((origin, weakness)) = attackers.first() {
                out.push_str(&format!(
                    "\n- **also accepted**: `{origin}`, which someone else can own ({})",
                    weakness.describe()
                ));
            }
            let others = m.matchers.len() - 1;
            let refused = if others == 0 {
                "an origin it does not accept".to_string()
            } else {
                format!(
                    "an origin neither it nor the other {others} value{} of the list accept",
                    if others == 1 { "" } else { "s" }
                )
            };
            out.push_str(&format!(
                "\n- {refused} gets no `Access-Control-Allow-Origin`: the browser keeps the \
                 response from the page"
            ));
            out
        }
        _ => String::new(),
    }
}

fn matcher_words(m: &OriginMatcher) -> String {
    use crate::ir::{Anchoring, Case, LabelDepth};
    let case = |c: &Case| match c {
        Case::Sensitive => "",
        Case::Insensitive => ", ignoring case",
    };
    match m {
        OriginMatcher::Any => "every origin".into(),
        OriginMatcher::Null => "the opaque origin `null`".into(),
        OriginMatcher::Exact { origin, case: c } => {
            format!("exactly `{origin}`{}", case(c))
        }
        OriginMatcher::Subdomains {
            scheme,
            base,
            depth,
            case: c,
            ..
        } => format!(
            "`{scheme}://` origins of {} of `{base}`{}",
            match depth {
                LabelDepth::ExactlyOne => "one-label subdomains",
                LabelDepth::OneOrMore => "subdomains (any depth)",
            },
            case(c)
        ),
        OriginMatcher::Regex {
            pattern,
            anchoring,
            case: c,
            ..
        } => format!(
            "the regular expression `{pattern}`, {}{}",
            match anchoring {
                Anchoring::Full => "matched against the whole origin",
                Anchoring::StartOnly => "anchored at the start only",
                Anchoring::EndOnly => "anchored at the end only",
                Anchoring::None => "found anywhere in the origin",
            },
            case(c)
        ),
        OriginMatcher::Prefix { value, case: c } => {
            format!("origins starting with `{value}`{}", case(c))
        }
        OriginMatcher::Suffix { value, case: c } => {
            format!("origins ending with `{value}`{}", case(c))
        }
    }
}
