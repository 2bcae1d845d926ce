//! Objects one file defines and another uses — a Traefik middleware and the router that
//! names it, a `KongPlugin` and the Ingress annotation, an HTTPRoute and the SecurityPolicy
//! targeting it — resolved across every file of the run. Each front end already reports
//! what it can see in one file (TFK001, KONG001, EG001); here a use in another file
//! withdraws such a finding, and an object nothing in the run uses (or a target nothing
//! in the run defines) is reported even when its file alone could not tell.

use crate::finding::Finding;
use crate::frontend::{Object, Objects};
use crate::lint::{FileReport, Settings};
use crate::rules::find_meta;

/// The rule that reports an unused definition of `kind`, and the one for a missing target.
fn unused_rule(kind: &str) -> Option<&'static str> {
    match kind {
        "traefik/Middleware" => Some("TFK001"),
        "kong/KongPlugin" => Some("KONG001"),
        _ => None,
    }
}

/// (A router naming a missing middleware, or an annotation a missing KongPlugin, is not
/// reported: front ends record only the CORS ones, and the name may be a rate limiter.)
fn missing_rule(kind: &str) -> Option<&'static str> {
    kind.starts_with("gateway/").then_some("EG001")
}

/// A reference names a definition: the same name, or Traefik's `<namespace>-<name>`.
fn names(reference: &Object, definition: &Object) -> bool {
    reference.kind == definition.kind
        && (reference.name == definition.name
            || reference.name.ends_with(&format!("-{}", definition.name)))
}

/// Whether no other file can change this report: each definition that could be reported
/// unused is used in the file itself, each reference that could be reported missing is
/// defined in it, and it holds no finding that a use or definition elsewhere would withdraw.
/// Such a report can be rendered at once; only its objects matter to the other files.
pub fn settled(report: &FileReport) -> bool {
    let o = &report.objects;
    let used_here = |d: &Object| o.references.iter().any(|r| names(r, d));
    let defined_here = |r: &Object| o.defines.iter().any(|d| names(r, d));
    o.defines
        .iter()
        .all(|d| unused_rule(d.kind).is_none() || used_here(d))
        && o.references
            .iter()
            .all(|r| missing_rule(r.kind).is_none() || defined_here(r))
        && !report.findings.iter().any(|f| {
            o.defines
                .iter()
                .any(|d| d.span == f.span && unused_rule(d.kind) == Some(f.code))
                || o.references
                    .iter()
                    .any(|r| r.span == f.span && missing_rule(r.kind) == Some(f.code))
        })
}

/// Resolve the objects of `reports` (kept whole) against each other and against `settled`,
/// the objects of files already rendered (which nothing here changes).
pub fn resolve(reports: &mut [&mut FileReport], settled: &[&Objects], settings: &Settings) {
    // Settled files are numbered after the whole ones: always "another file".
    let objects = reports
        .iter()
        .map(|r| &r.objects)
        .chain(settled.iter().copied());
    let all: Vec<(usize, Object, bool)> = objects
        .clone()
        .enumerate()
        .flat_map(|(i, o)| {
            o.defines
                .iter()
                .map(move |d| (i, d.clone(), true))
                .chain(o.references.iter().map(move |r| (i, r.clone(), false)))
        })
        .collect();
    if all.is_empty() {
        return;
    }
    let uses_kinds: Vec<(usize, &'static str)> = objects
        .enumerate()
        .flat_map(|(i, o)| o.uses_kinds.iter().map(move |k| (i, *k)))
        .collect();
    let referenced_elsewhere = |i: usize, def: &Object| {
        all.iter()
            .any(|(j, o, is_def)| *j != i && !is_def && names(o, def))
    };
    let defined_elsewhere = |i: usize, r: &Object| {
        all.iter()
            .any(|(j, o, is_def)| *j != i && *is_def && names(r, o))
    };
    for (i, report) in reports.iter_mut().enumerate() {
        let mut added = Vec::new();
        let defines = report.objects.defines.clone();
        let references = report.objects.references.clone();
        // Withdraw in-file findings another file answers.
        report.findings.retain(|f| {
            let used_elsewhere = defines.iter().any(|d| {
                d.span == f.span
                    && unused_rule(d.kind) == Some(f.code)
                    && referenced_elsewhere(i, d)
            });
            let defined = references.iter().any(|r| {
                r.span == f.span && missing_rule(r.kind) == Some(f.code) && defined_elsewhere(i, r)
            });
            !(used_elsewhere || defined)
        });
        let already = |f: &[Finding], code: &str, d: &Object| {
            f.iter().any(|x| x.code == code && x.span == d.span)
        };
        for d in &defines {
            let Some(code) = unused_rule(d.kind) else {
                continue;
            };
            let used = all.iter().any(|(_, o, is_def)| !is_def && names(o, d));
            let users_elsewhere = uses_kinds.iter().any(|(j, k)| *j != i && *k == d.kind);
            if !used && users_elsewhere && !already(&report.findings, code, d) {
                added.push((code, d.clone(), format!(
                    "nothing in the linted files names `{}` although some of them could (routers, routes, \
                     annotated Ingresses): its CORS settings reach no response",
                    d.name
                ), "used by nothing in the run", "use it from the router, route or Ingress it was written for, or delete it"));
            }
        }
        for r in &references {
            let Some(code) = missing_rule(r.kind) else {
                continue;
            };
            let defined = all.iter().any(|(_, o, is_def)| *is_def && names(r, o));
            let kind_defined_elsewhere = all
                .iter()
                .any(|(j, o, is_def)| *j != i && *is_def && o.kind == r.kind);
            if !defined
                && kind_defined_elsewhere
                && !already(&report.findings, code, r)
                && !r.span.is_empty()
            {
                let kind = r.kind.rsplit('/').next().unwrap_or(r.kind);
                let message = format!(
                    "the target {kind} `{}` is defined in none of the linted files, which do define \
                     other {kind}s: the policy applies to nothing",
                    r.name
                );
                let help = "point the target at an existing route or Gateway, or delete the policy";
                added.push((code, r.clone(), message, "defined nowhere in the run", help));
            }
        }
        for (code, o, message, label, help) in added {
            let Some(meta) = find_meta(code) else {
                continue;
            };
            if !settings.selection.enabled(&meta.code) {
                continue;
            }
            let f = Finding {
                code: meta.code.as_str(),
                name: meta.name.as_str(),
                severity: settings.selection.severity(&meta.code, meta.severity),
                message,
                help: Some(help.into()),
                span: o.span,
                label: label.into(),
                related: Vec::new(),
                fix: None,
            };
            crate::suppress::admit(&mut report.findings, &mut report.suppressions, f);
        }
        report
            .findings
            .sort_by_key(|f| (f.span.start, f.span.end, f.code));
    }
}
