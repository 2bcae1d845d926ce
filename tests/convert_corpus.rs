//! Every CORS policy of the shipped corpus converted to every target: each result is
//! equivalent (read back by the target's front end, compared by the `diff` engine) or
//! refused with a reason — never a silent change of who is allowed. Prints the table of
//! outcomes per target and the refusal reasons (for docs/simulate-diff-convert.md and closing notes).

mod support;

use cors_lint::backend::{self, Context, TARGETS};
use cors_lint::equiv;
use cors_lint::frontend::{self, Options};
use cors_lint::source::SourceFile;
use std::collections::BTreeMap;

/// Findings that mean the target would refuse, ignore or silently default a value.
const INADMISSIBLE: &[&str] = &[
    "CL000", "GW001", "IST002", "EG002", "TFK003", "TFK006", "TFK007", "KONG002", "KONG004",
    "KONG005", "INGX002", "INGX003", "INGX005", "INGX006", "INGX007", "TS001", "TS002", "TS006",
];

#[test]
fn corpus_policies_convert_equivalently_or_are_refused() {
    let cx = Context {
        service: Some("api:80".into()),
        gateway: Some("gw".into()),
        host: Some("api.example.com".into()),
        route: Some("api".into()),
        ..Context::default()
    };
    let mut policies = Vec::new();
    for (file, dialect) in support::corpus::files() {
        if let Ok(l) = frontend::lower(dialect, &file, &Options::default()) {
            policies.extend(l.policies);
        }
    }
    assert!(policies.len() > 50, "{} policies", policies.len());
    let mut table: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for p in &policies {
        for target in TARGETS {
            let row = table.entry(target.name()).or_default();
            match backend::emit(p, target, &cx) {
                Err(r) => {
                    row.1 += 1;
                    // The reason without the values it quotes.
                    let key = without_quoted_values(&r.feature);
                    *reasons
                        .entry(format!("{}: {key}", target.name()))
                        .or_default() += 1;
                }
                Ok(e) => {
                    let file = SourceFile::new(
                        e.file_name,
                        e.text.clone().into_bytes(),
                        target.encoding(),
                    );
                    let back = frontend::lower(target, &file, &Options::default())
                        .map(|l| l.policies)
                        .unwrap_or_default();
                    // Admissible: nothing the target's server or API server would refuse,
                    // ignore or default.
                    let report = cors_lint::lint::lint_bytes(
                        e.file_name.into(),
                        e.text.clone().into_bytes(),
                        target,
                        String::new(),
                        &Default::default(),
                    );
                    for f in &report.findings {
                        if INADMISSIBLE.contains(&f.code) {
                            failures.push(format!(
                                "{} → {}: {} {}\n{}",
                                p.scope.description,
                                target.name(),
                                f.code,
                                f.message,
                                e.text
                            ));
                        }
                    }
                    match back.first() {
                        Some(result) if equiv::compare(p, result).equivalent() => row.0 += 1,
                        Some(result) => failures.push(format!(
                            "{} → {}:\n{}{}",
                            p.scope.description,
                            target.name(),
                            equiv::compare(p, result).render(3),
                            e.text
                        )),
                        None => failures.push(format!(
                            "{} → {}: the output does not read back:\n{}",
                            p.scope.description,
                            target.name(),
                            e.text
                        )),
                    }
                }
            }
        }
    }
    eprintln!(
        "{} corpus policies × {} targets",
        policies.len(),
        TARGETS.len()
    );
    for (t, (ok, refused)) in &table {
        eprintln!("  {t}: {ok} equivalent, {refused} refused");
    }
    for (r, n) in &reasons {
        eprintln!("  refused {n}× — {r}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The reason with each quoted value (between backticks) elided, cut at its first `:`.
fn without_quoted_values(reason: &str) -> String {
    let mut out = String::new();
    for (i, part) in reason.split('`').enumerate() {
        out.push_str(if i % 2 == 1 { "`…`" } else { part });
    }
    out.split(':').next().unwrap_or("").trim().to_string()
}
