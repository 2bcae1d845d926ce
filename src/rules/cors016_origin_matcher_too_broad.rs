//! CORS016: an origin check accepts origins an attacker can own.

use super::common::{credentials_span, in_dialect, product};
use super::{FindingExt, Reporter, Unit};
use crate::ir::origin::{Weakness, attacker_origins};
use crate::ir::{OriginMatcher, OriginPolicy};

declare_rule!(OriginMatcherTooBroad, "CORS016", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        let OriginPolicy::Match(m) = &policy.allow_origin else {
            continue;
        };
        for (matcher, span) in &m.matchers {
            // Accepting everything is CORS015's finding.
            if *matcher == OriginMatcher::Any {
                continue;
            }
            let Some((origin, weakness)) = attacker_origins(matcher).into_iter().next() else {
                continue;
            };
            let with = if credentials_span(policy).is_some() {
                ", with the user's cookies"
            } else {
                ""
            };
            let fix = crate::ir::tighten::tightened_regex(matcher).and_then(|new| {
                let OriginMatcher::Regex { pattern, .. } = matcher else {
                    return None;
                };
                // Only where the file spells the pattern exactly (no quoting escapes); the
                // fixed file is parsed again before it is written.
                (unit.file.bytes().get(span.range()) == Some(pattern.as_bytes())).then(|| {
                    crate::finding::Fix {
                        description: format!("anchor and escape the pattern: `{new}`"),
                        edits: vec![crate::source::Edit {
                            span: *span,
                            replacement: new,
                        }],
                        safe: false,
                    }
                })
            });
            out.report(
                *span,
                format!("accepts `{origin}`"),
                format!(
                    "this origin check accepts `{origin}`, which an attacker can register ({})",
                    policy.scope.description
                ),
            )
            .note(format!(
                "{}; {} then allows that site to read the responses{with}",
                weakness.describe(),
                product(policy),
            ))
            .severity(if credentials_span(policy).is_some() {
                crate::finding::Severity::Error
            } else {
                crate::finding::Severity::Warning
            })
            .help(match matcher {
                // A raw string prefix cannot be anchored: exact origins instead.
                OriginMatcher::Prefix { .. } => format!(
                    "match whole origins instead of a string prefix{}",
                    in_dialect(policy, &policy.fix_hints.origin_list)
                ),
                _ => format!(
                    "{}{}",
                    remedy(weakness),
                    in_dialect(
                        policy,
                        if weakness == Weakness::AcceptsAny {
                            &policy.fix_hints.origin_list
                        } else {
                            &policy.fix_hints.anchor_pattern
                        }
                    )
                ),
            });
            if let Some(fix) = fix {
                out.last().fix(fix);
            }
        }
    }
}

fn remedy(weakness: Weakness) -> &'static str {
    match weakness {
        Weakness::AcceptsAny => {
            "list the allowed origins instead of a pattern that matches any origin"
        }
        Weakness::OpenEnd => {
            "anchor the pattern at the end (`…\\.example\\.com$`), so nothing can follow the domain"
        }
        Weakness::OpenStart => {
            "anchor the pattern at the start and require `//` or `.` before the domain \
             (`^https://([a-z0-9-]+\\.)*example\\.com$`)"
        }
        Weakness::UnescapedDot => "escape every literal `.` as `\\.`",
        Weakness::OtherDomain => {
            "name the allowed hosts in full, or let the pattern vary only below your own domain \
             (`^https://([a-z0-9-]+\\.)*example\\.com$`)"
        }
    }
}
