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
        if failing.is_empty() {
            continue;
        }
        // The engine must agree that such a call is blocked; its account is the example.
        let mut help = "call those routes only with simple requests (GET/POST without custom headers), or answer \
                        preflights in a proxy in front of the server"
            .to_string();
        match example.flatten() {
            Some((verdict, _)) if verdict.allowed => continue,
            Some((_, account)) => {
                help.push_str(&format!(". As `cors-lint simulate` shows, {account}"))
            }
            None => {}
        }
        out.report(
            trigger_span(policy).unwrap_or(policy.anchor),
            "these calls need a preflight",
            format!(
                "browsers preflight calls that {}, and {}, so such calls to {} fail",
                join_or(&triggers),
                failing.join("; "),
                if failing.len() == 1 {
                    "that route"
                } else {
                    "those routes"
                }
            ),
        )
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
