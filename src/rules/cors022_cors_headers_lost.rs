//! CORS022: CORS headers configured around a block never reach its responses.

use super::common::{join_and, version_note};
use super::{FindingExt, Reporter, Unit};
use crate::ir::LostHeader;
use crate::source::Span;

declare_rule!(CorsHeadersLost, "CORS022", check);

/// The headers one cause takes away, and every scope that loses them.
struct Group<'a> {
    lost: Vec<&'a LostHeader>,
    scopes: Vec<String>,
}

fn check(unit: &Unit, out: &mut Reporter) {
    let mut groups: Vec<Group> = Vec::new();
    for policy in unit.policies {
        let mut by_cause: Vec<Vec<&LostHeader>> = Vec::new();
        // An answer to `OPTIONS` alone is a preflight's: `Expose-Headers` means nothing there.
        let preflight_only = policy.scope.only_method.as_deref() == Some("OPTIONS");
        for lost in &policy.lost_headers {
            if preflight_only
                && lost
                    .name
                    .eq_ignore_ascii_case("access-control-expose-headers")
            {
                continue;
            }
            match by_cause
                .iter_mut()
                .find(|g| g[0].cause == lost.cause && g[0].why == lost.why)
            {
                Some(g) => g.push(lost),
                None => by_cause.push(vec![lost]),
            }
        }
        for lost in by_cause {
            let key: Vec<Span> = lost.iter().map(|l| l.declared).collect();
            match groups.iter_mut().find(|g| {
                g.lost.iter().map(|l| l.declared).collect::<Vec<_>>() == key
                    && g.lost[0].why == lost[0].why
            }) {
                Some(g) => g.scopes.push(policy.scope.description.clone()),
                None => groups.push(Group {
                    lost,
                    scopes: vec![policy.scope.description.clone()],
                }),
            }
        }
    }
    let version = unit.policies.first().map(version_note).unwrap_or_default();
    for g in groups {
        let first = g.lost[0];
        let mut names: Vec<String> = Vec::new();
        for l in &g.lost {
            let name = format!("`{}`", l.name);
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let (message, note) = headline(&names, &g.scopes, first, &version);
        let finding = out.report(
            first.declared,
            format!("not sent in {}", g.scopes[0]),
            message,
        );
        finding.note(note);
        for other in &g.lost[1..] {
            finding.related(other.declared, format!("`{}` is lost too", other.name));
        }
        finding
            .related(first.cause, "this replaces them")
            .help(first.remedy.clone());
    }
}

/// "`A` set here does not reach S": every scope and header when that stays short, else the
/// first of each and a count (the note then names every scope; related spans name the headers).
fn headline(
    names: &[String],
    scopes: &[String],
    first: &LostHeader,
    version: &str,
) -> (String, String) {
    let these = if names.len() == 1 {
        "set here does not"
    } else {
        "set here do not"
    };
    let words = |s: &str| s.split_whitespace().count();
    let mut reach = join_and(scopes);
    let mut what = join_and(names);
    let mut lost = Vec::new();
    if words(&format!("{what} {these} reach {reach}")) > 24 && scopes.len() > 1 {
        let others = scopes.len() - 1;
        let blocks = if others == 1 { "block" } else { "blocks" };
        reach = format!("{} and {others} other {blocks}", scopes[0]);
        lost.push(format!("they do not reach {}", join_and(scopes)));
    }
    if words(&format!("{what} {these} reach {reach}")) > 24 && names.len() > 2 {
        what = format!("{} and {} other CORS headers", names[0], names.len() - 1);
        lost.insert(0, format!("lost: {}", join_and(names)));
    }
    lost.push(format!("{} ({version})", first.why));
    let note = lost.join("; ");
    (format!("{what} {these} reach {reach}"), note)
}
