//! CORS015: any request `Origin` is echoed back as allowed, with credentials.

use super::common::{credentials_span, in_dialect, product};
use super::{FindingExt, Reporter, Unit};
use crate::ir::{OriginMatcher, OriginPolicy};

declare_rule!(OriginReflected, "CORS015", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        let OriginPolicy::Match(m) = &policy.allow_origin else {
            continue;
        };
        let Some((_, span)) = m.matchers.iter().find(|(x, _)| *x == OriginMatcher::Any) else {
            continue;
        };
        let credentials = credentials_span(policy);
        let on = if credentials.is_some() {
            m.on_match_with_credentials
        } else {
            m.on_match
        };
        if !on.echoes() {
            continue;
        }
        // Without credentials the exposure is that of `*`: CORS002's (opt-in) finding.
        let Some(cred) = credentials else {
            continue;
        };
        let finding = out
            .report(
                *span,
                "echoes every origin",
                format!(
                    "every `Origin` is echoed with credentials, so any site can read the \
                     answers ({})",
                    policy.scope.description
                ),
            )
            .note(format!(
                "{} copies any request's `Origin` into `Access-Control-Allow-Origin` and allows \
                 credentials: every web site the user visits can call it with the user's cookies and \
                 read the answers",
                product(policy)
            ))
            .related(cred, "credentials allowed here");
        let mut help = format!(
            "echo only origins from an explicit allow-list, compared in full (scheme, host and port), \
             and send nothing for any other origin{}",
            in_dialect(policy, &policy.fix_hints.origin_list)
        );
        if let Some(off) = &policy.fix_hints.credentials_off {
            help.push_str(&format!("; or, if callers send no cookies, {off}"));
        }
        finding.help(help);
    }
}
