//! CORS033: an origin entry or pattern no browser's `Origin` can match.

use super::common::{explain_origin_problem, product};
use super::{FindingExt, Reporter, Unit};
use crate::finding::{Fix, quote};
use crate::ir::attack::matches_some_browser_origin;
use crate::ir::origin::{AllowOriginValue, classify_allow_origin, corrected_origin};
use crate::ir::{Case, OriginMatcher, OriginPolicy};
use crate::source::Edit;

declare_rule!(UnmatchableOriginEntry, "CORS033", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        let OriginPolicy::Match(m) = &policy.allow_origin else {
            continue;
        };
        for (matcher, span) in &m.matchers {
            match matcher {
                OriginMatcher::Exact { origin, case } => {
                    // A case-insensitive comparison takes the browser's lower-case origin.
                    let compared = match case {
                        Case::Sensitive => origin.clone(),
                        Case::Insensitive => origin.to_ascii_lowercase(),
                    };
                    let AllowOriginValue::Invalid(problem) = classify_allow_origin(&compared)
                    else {
                        continue;
                    };
                    let (label, why) = explain_origin_problem(&problem.kind);
                    out.report(
                        *span,
                        label,
                        format!(
                            "no browser sends the origin {}, so this entry allows no one ({})",
                            quote(origin),
                            policy.scope.description
                        ),
                    );
                    out.last().note(format!(
                        "{why}, so {} never allows anyone through this entry",
                        product(policy)
                    ));
                    let fixed = corrected_origin(origin, |o| {
                        classify_allow_origin(o) == AllowOriginValue::Origin
                    });
                    if let Some(fixed) = fixed {
                        out.last().help(format!("write {}", quote(&fixed)));
                        // Only where the file spells the entry exactly; it now allows someone.
                        if unit.file.bytes().get(span.range()) == Some(origin.as_bytes()) {
                            out.last().fix(Fix {
                                description: format!("write {}", quote(&fixed)),
                                edits: vec![Edit {
                                    span: *span,
                                    replacement: fixed,
                                }],
                                safe: false,
                            });
                        }
                    }
                }
                OriginMatcher::Any | OriginMatcher::Null => {}
                _ => {
                    if matches_some_browser_origin(matcher) != Some(false) {
                        continue;
                    }
                    out.report(
                        *span,
                        "matches no origin",
                        format!(
                            "this origin check matches no origin a browser sends ({})",
                            policy.scope.description
                        ),
                    )
                    .note(format!(
                        "a browser sends `null` or `scheme://host[:port]`, lower case, no path, so \
                         {} never allows anyone through it",
                        product(policy)
                    ))
                    .help(
                        "match the serialized origin only: `https://app.example.com`, no path, \
                         no trailing slash, no quotes",
                    );
                }
            }
        }
    }
}
