//! TFK002: `Access-Control-*` headers written by hand in `customResponseHeaders`.

use super::{FindingExt, Reporter, Unit};
use crate::frontend::traefik::Fact;

declare_rule!(HandWrittenCorsHeader, "TFK002", check);

fn check(unit: &Unit, out: &mut Reporter) {
    // One finding per middleware, at its first hand-written header.
    let mut seen: Vec<&str> = Vec::new();
    let facts: Vec<_> = unit
        .traefik_facts()
        .filter_map(|f| match f {
            Fact::CustomCorsHeader {
                middleware,
                header,
                key,
                with_cors_fields,
            } => Some((
                middleware.as_str(),
                header.as_str(),
                *key,
                *with_cors_fields,
            )),
            _ => None,
        })
        .collect();
    for (middleware, _, key, with_cors_fields) in &facts {
        if seen.contains(middleware) {
            continue;
        }
        seen.push(middleware);
        let mine: Vec<_> = facts.iter().filter(|f| f.0 == *middleware).collect();
        let names: Vec<String> = mine.iter().map(|f| format!("`{}`", f.1)).collect();
        let (what, why) = if *with_cors_fields {
            (
                "beside its CORS fields, which they contradict",
                "next to the middleware's CORS fields they are sent on responses for origins those reject, \
                 overwritten for the ones they allow, and never on the preflights Traefik answers itself",
            )
        } else {
            (
                "the same for every origin, with no preflight answer",
                "they are the same for every origin, Traefik answers no preflight for them, and they overwrite \
                 the backend's own CORS headers",
            )
        };
        let all = super::common::join_and(&names);
        // A long list goes to the note; the headline names the first header and counts the rest.
        let (shown, note) = if names.len() > 2 {
            (
                format!("{} and {} other CORS headers", names[0], names.len() - 1),
                format!("it sets {all}; {why}"),
            )
        } else {
            (all, why.to_string())
        };
        let finding = out.report(
            *key,
            "hand-written CORS header",
            format!("middleware `{middleware}` sets {shown} in `customResponseHeaders`, {what}"),
        );
        finding.note(note);
        for f in mine.iter().skip(1) {
            finding.related(f.2, "also set by hand");
        }
        finding.help(
            "in Traefik: use the CORS fields of the `headers` middleware instead \
             (`accessControlAllowOriginList`, `accessControlAllowMethods`, `accessControlAllowHeaders`, \
             `accessControlAllowCredentials`)",
        );
    }
}
