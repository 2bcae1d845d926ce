//! CORS004: browsers will preflight, and the server rejects every preflight to its API.

use super::common::{
    join_and, join_or, preflight_blocked_listeners, preflight_triggers, simulated_call,
};
use super::{FindingExt, Reporter, Unit};
use crate::ir::{Auth, RoutePurpose};

declare_rule!(PreflightRejected, "CORS004", check);

fn check(unit: &Unit, out: &mut Reporter) {
    for policy in unit.policies {
        // Without Access-Control-Allow-Origin nothing works anyway (CORS014).
        if matches!(policy.allow_origin, crate::ir::OriginPolicy::NotSent) {
            continue;
        }
        let blocked = preflight_blocked_listeners(policy);
        let Some(first) = blocked.first() else {
            continue;
        };
        let failing: Vec<_> = blocked
            .iter()
            .flat_map(|l| {
                l.preflight()
                    .into_iter()
                    .filter(|r| r.purpose == RoutePurpose::Api)
            })
            .collect();
        let mut statuses: Vec<u16> = failing.iter().map(|r| r.status).collect();
        statuses.sort_unstable();
        statuses.dedup();
        let statuses: Vec<String> = statuses.iter().map(u16::to_string).collect();
        let names: Vec<String> = blocked.iter().map(|l| l.name.clone()).collect();
        let mut fine: Vec<String> = blocked
            .iter()
            .flat_map(|l| {
                l.preflight()
                    .into_iter()
                    .filter(|r| r.is_ok())
                    .map(|r| format!("`OPTIONS {}`", r.path))
            })
            .collect();
        let mut seen = Vec::new();
        fine.retain(|f| {
            let new = !seen.contains(f);
            seen.push(f.clone());
            new
        });
        fine.extend(
            policy
                .scope
                .listeners
                .iter()
                .filter(|l| !blocked.iter().any(|b| b.name == l.name))
                .map(|l| format!("the {} listener", l.name)),
        );
        let reason = &failing[0].reason;
        // The engine must agree that such a call is blocked; its account is the example.
        let example = match simulated_call(policy, first, &failing[0].path) {
            Some((verdict, _)) if verdict.allowed => continue,
            Some((_, account)) => Some(account),
            None => None,
        };
        let triggers = preflight_triggers(policy, first);
        let message = format!(
            "every preflight to the {} API{} gets {}, so browsers block every preflighted call",
            join_and(&names),
            if names.len() == 1 { "" } else { "s" },
            statuses.join(" or "),
        );
        let mut note = format!(
            "browsers preflight calls that {}; the preflight gets {}: {}",
            join_or(&triggers),
            statuses.join(" or "),
            reason
        );
        if !fine.is_empty() {
            note.push_str(&format!(
                "; only {} answer{} 2xx",
                join_and(&fine),
                if fine.len() == 1 { "s" } else { "" }
            ));
        }
        let span = failing
            .iter()
            .find_map(|r| r.cause)
            .unwrap_or(policy.anchor);
        let label = if span == policy.anchor {
            "CORS enabled here"
        } else {
            "preflights rejected because of this"
        };
        let mut help = "answer preflights in a proxy or gateway in front of the server (ingress-nginx and Gateway API \
                        CORS filters answer `OPTIONS` themselves)"
            .to_string();
        if let Auth::BearerToken { why, remedy, .. } = &first.auth {
            note.push_str(&format!("; {why}"));
            help = format!("{help}, or {remedy}");
        }
        if let Some(example) = example {
            note.push_str(&format!(". As `cors-lint simulate` shows, {example}"));
        }
        out.report(span, label, message).note(note).help(help);
    }
}
