//! Objects one file defines and another uses — a Traefik middleware and the router that
//! names it, a `KongPlugin` and the Ingress annotation, an HTTPRoute and the SecurityPolicy
//! targeting it — resolved across every file of the run, as the controllers resolve them
//! (`frontend::objects`: kind, provider, namespace). Each front end already reports what
//! its own file shows (TFK001, KONG001, EG001); here a use in another file withdraws such a
//! finding, and a definition nothing in the run uses — while objects in its own provider
//! and namespace name others — is reported even when its own file could not tell. A file
//! whose objects nothing elsewhere can reach keeps exactly the findings it has alone.
//!
//! A reference that only *might* resolve (an unwritten namespace, Traefik's
//! `allowCrossNamespace`) counts as a use, so no finding rests on what the run cannot see;
//! one with the right name in another provider or namespace is named in the finding.

use crate::finding::Finding;
use crate::frontend::objects::{self, Object, Objects, Place, Resolution};
use crate::lint::{FileReport, Settings};
use crate::rules::find_meta;

/// The rule that reports an unused definition of `kind`.
fn unused_rule(kind: &str) -> Option<&'static str> {
    match kind {
        "traefik/Middleware" => Some("TFK001"),
        "kong/KongPlugin" => Some("KONG001"),
        _ => None,
    }
}

/// The rule for a reference whose target is missing. (A router naming a missing
/// middleware, or an annotation a missing KongPlugin, is not reported: front ends record
/// only the CORS ones, and the name may be a rate limiter.)
fn missing_rule(kind: &str) -> Option<&'static str> {
    kind.starts_with("gateway/").then_some("EG001")
}

/// Whether no other file can change this report: each definition that could be reported
/// unused is used (or might be) in the file itself, each reference that could be reported
/// missing resolves (or might) in it, and it holds no finding another file could withdraw.
/// Such a report can be rendered at once; only its objects matter to the other files.
pub fn settled(report: &FileReport) -> bool {
    let o = &report.objects;
    let used_here = |d: &Object| {
        let u = o.uses_of(d);
        u.resolved > 0 || !u.might.is_empty()
    };
    let defined_here = |r: &Object| {
        o.defines
            .iter()
            .any(|d| !matches!(objects::resolve(r, d), Resolution::No { .. }))
    };
    o.defines
        .iter()
        .all(|d| unused_rule(d.place.kind).is_none() || used_here(d))
        && o.references
            .iter()
            .all(|r| missing_rule(r.place.kind).is_none() || defined_here(r))
        && !report.findings.iter().any(|f| {
            o.defines
                .iter()
                .any(|d| d.span == f.span && unused_rule(d.place.kind) == Some(f.code))
                || o.references
                    .iter()
                    .any(|r| r.span == f.span && missing_rule(r.place.kind) == Some(f.code))
        })
}

/// One file's objects, numbered, with its path for messages.
struct Located<'a> {
    path: &'a str,
    objects: Objects,
}

impl Located<'_> {
    /// `route.yaml:9` for an object of this file.
    fn at(&self, o: &Object) -> String {
        format!("{}:{}", self.path, o.line)
    }
}

/// Resolve the objects of `reports` (kept whole) against each other and against `settled`,
/// the paths and objects of files already rendered (which nothing here changes). Returns,
/// as notes, the definitions reported as used only because a reference might resolve to
/// them (`--verbose` prints them).
pub fn resolve(
    reports: &mut [&mut FileReport],
    settled: &[(&str, &Objects)],
    settings: &Settings,
) -> Vec<String> {
    let files: Vec<Located> = reports
        .iter()
        .map(|r| (r.path.as_str(), &r.objects))
        .chain(settled.iter().copied())
        .enumerate()
        .map(|(i, (path, o))| Located {
            path,
            objects: o.clone().in_file(i),
        })
        .collect();
    if files.iter().all(|f| f.objects.is_empty()) {
        return Vec::new();
    }
    let mut undecided = Vec::new();
    let references: Vec<&Object> = files.iter().flat_map(|f| &f.objects.references).collect();
    let definitions: Vec<&Object> = files.iter().flat_map(|f| &f.objects.defines).collect();
    let users: Vec<(usize, &Place)> = files
        .iter()
        .enumerate()
        .flat_map(|(i, f)| f.objects.users.iter().map(move |p| (i, p)))
        .collect();
    // Findings the run adds, with what it says of references of the same name.
    let mut added: Vec<Vec<(Finding, Vec<String>)>> = vec![Vec::new(); reports.len()];
    let mut withdrawn: Vec<Vec<(&'static str, crate::source::Span)>> =
        vec![Vec::new(); reports.len()];
    for (i, file) in files.iter().enumerate().take(reports.len()) {
        for d in &file.objects.defines {
            let Some(code) = unused_rule(d.place.kind) else {
                continue;
            };
            let uses = objects::uses_of(d, &references, &users);
            if !uses.unused() {
                if uses.resolved == 0 && uses.has_users {
                    for (r, why) in &uses.might {
                        undecided.push(format!(
                            "{}: `{}` may be used by {} ({why}); {code} not reported",
                            file.at(d),
                            d.shown_name(),
                            files[r.file].at(r)
                        ));
                    }
                }
                withdrawn[i].push((code, d.span));
                continue;
            }
            let near: Vec<String> = uses
                .near
                .iter()
                .map(|(r, why)| {
                    format!(
                        "{} names `{}`, but {why}",
                        files[r.file].at(r),
                        r.shown_name()
                    )
                })
                .collect();
            added[i].push((unused(code, d), near));
        }
        for r in &file.objects.references {
            let Some(code) = missing_rule(r.place.kind) else {
                continue;
            };
            if r.span.is_empty() {
                continue;
            }
            let candidates: Vec<&&Object> = definitions
                .iter()
                .filter(|d| objects::surely_could_name((r.file, &r.place), d))
                .collect();
            let resolution: Vec<Resolution> =
                candidates.iter().map(|d| objects::resolve(r, d)).collect();
            if resolution
                .iter()
                .any(|x| !matches!(x, Resolution::No { .. }))
            {
                withdrawn[i].push((code, r.span));
            } else if !candidates.is_empty() {
                let elsewhere: Vec<String> = definitions
                    .iter()
                    .filter(|d| d.shown_name() == r.shown_name() && d.place.kind == r.place.kind)
                    .filter_map(|d| match objects::resolve(r, d) {
                        Resolution::No { near: Some(why) } => Some(format!(
                            "{} defines `{}`, but {why}",
                            files[d.file].at(d),
                            d.shown_name()
                        )),
                        _ => None,
                    })
                    .collect();
                added[i].push((missing(code, r), elsewhere));
            }
        }
    }
    for ((report, added), withdrawn) in reports.iter_mut().zip(added).zip(withdrawn) {
        report
            .findings
            .retain(|f| !withdrawn.contains(&(f.code, f.span)));
        for (mut f, near) in added {
            let Some(meta) = find_meta(f.code) else {
                continue;
            };
            if !settings.selection.enabled(&meta.code) {
                continue;
            }
            // The front end's own finding says it better when the file alone could tell;
            // the run adds what it knows of references of the same name.
            if let Some(own) = report
                .findings
                .iter_mut()
                .find(|x| x.code == f.code && x.span == f.span)
            {
                own.note = with_near(own.note.take(), &near);
                continue;
            }
            f.note = with_near(f.note, &near);
            f.code = meta.code.as_str();
            f.name = meta.name.as_str();
            f.severity = settings.selection.severity(&meta.code, meta.severity);
            if !settings.selection.shown(f.severity) {
                continue;
            }
            crate::suppress::admit(&mut report.findings, &mut report.suppressions, f);
        }
        report
            .findings
            .sort_by_key(|f| (f.span.start, f.span.end, f.code));
    }
    undecided
}

fn finding(
    code: &'static str,
    o: &Object,
    message: String,
    note: String,
    label: &str,
    help: &str,
) -> Finding {
    Finding {
        code,
        name: "",
        severity: crate::finding::Severity::Warning,
        message,
        note: Some(note),
        help: Some(help.into()),
        span: o.span,
        label: label.into(),
        related: Vec::new(),
        fix: None,
    }
}

/// `; near` sentences appended to a finding's note (the headline stays short).
fn with_near(note: Option<String>, near: &[String]) -> Option<String> {
    if near.is_empty() {
        return note;
    }
    let mut note = note.unwrap_or_default();
    for n in near {
        if !note.is_empty() {
            note.push_str("; ");
        }
        note.push_str(n);
    }
    Some(note)
}

fn unused(code: &'static str, d: &Object) -> Finding {
    let message = format!(
        "nothing in the linted files names `{}`: its CORS settings reach no response",
        d.shown_name()
    );
    finding(
        code,
        d,
        message,
        "objects in the linted files that could name it name others".into(),
        "used by nothing in the run",
        "use it from the router, route or Ingress it was written for, or delete it",
    )
}

fn missing(code: &'static str, r: &Object) -> Finding {
    let kind = r.place.kind.trim_start_matches("gateway/");
    let message = format!(
        "the target {kind} `{}` is defined in none of the linted files: the policy applies to nothing",
        r.shown_name()
    );
    finding(
        code,
        r,
        message,
        format!("the linted files do define other {kind}s where it looks"),
        "defined nowhere in the run",
        "point the target at an existing route or Gateway in the policy's namespace, or delete the policy",
    )
}
