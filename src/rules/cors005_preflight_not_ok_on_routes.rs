//! CORS005: browsers will preflight some calls to a route, and that route answers preflights
//! with a non-2xx status.

use super::common::{join_or, preflight_blocked_listeners, preflight_triggers, simulated_call};
use super::{FindingExt, Reporter, Unit};
use crate::ir::{CorsPolicy, OriginPolicy, RoutePurpose};
use crate::source::Span;

declare_rule!(PreflightNotOkOnRoutes, "CORS005", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        // Without Access-Control-Allow-Origin nothing works anyway (CORS014).
        if matches!(policy.allow_origin, OriginPolicy::NotSent) {
            continue;
        }
        // Listeners where everything fails are CORS004's.
        let blocked = preflight_blocked_listeners(policy);
        let mut failing = Vec::new();
        let mut headline = None;
        let mut example = None;
        let mut triggers = Vec::new();
        for l in policy
            .scope
            .listeners
            .iter()
            .filter(|l| !blocked.iter().any(|b| b.name == l.name))
        {
            let preflight = l.preflight();
            for r in &preflight {
                // A failure that only means "no such resource" (another answer for the same
                // path is ok) is not a CORS problem: the real call would fail the same way.
                let resource_missing = preflight.iter().any(|o| o.path == r.path && o.is_ok());
                if r.purpose != RoutePurpose::Api
                    || r.is_ok()
                    || resource_missing
                    || !policy.preflights_route(l, &r.route)
                {
                    continue;
                }
                if example.is_none() {
                    example = Some(simulated_call(policy, l, &r.path));
                }
                if headline.is_none() {
                    headline = Some(format!(
                        "`OPTIONS {}` on the {} listener answers {}",
                        r.path, l.name, r.status
                    ));
                }
                failing.push(format!(
                    "`OPTIONS {}` on the {} listener answers {} ({})",
                    r.path, l.name, r.status, r.reason
                ));
                for t in preflight_triggers(policy, l) {
                    if !triggers.contains(&t) {
                        triggers.push(t);
                    }
                }
            }
        }
        let Some(headline) = headline else {
            continue;
        };
        // The engine must agree that such a call is blocked; its account is the example.
        let help = "call those routes only with simple requests (GET/POST without custom headers), or answer \
                        preflights in a proxy in front of the server"
            .to_string();
        let mut note = format!(
            "browsers preflight calls that {}, and {}",
            join_or(&triggers),
            failing.join("; ")
        );
        match example.flatten() {
            Some((verdict, _)) if verdict.allowed => continue,
            Some((_, account)) => {
                note.push_str(&format!(". As `cors-lint simulate` shows, {account}"))
            }
            None => {}
        }
        let more = match failing.len() {
            1 => String::new(),
            2 => " (and 1 more route)".to_string(),
            n => format!(" (and {} more routes)", n - 1),
        };
        out.report(
            trigger_span(policy).unwrap_or(policy.anchor),
            "these calls need a preflight",
            format!(
                "{headline}{more}, so browsers block preflighted calls to {}",
                if failing.len() == 1 { "it" } else { "them" }
            ),
        )
        .note(note)
        .help(help);
    }
}

/// The configured headers or methods that make browsers preflight.
fn trigger_span(policy: &CorsPolicy) -> Option<Span> {
    if !policy.preflighted_headers().is_empty() {
        return policy.allow_headers.static_value().map(|v| v.span());
    }
    if !policy.preflighted_methods().is_empty() {
        return policy.allow_methods.static_value().map(|v| v.span());
    }
    None
}
