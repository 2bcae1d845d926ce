//! What every fuzz target checks on its input, whatever the bytes: the whole pipeline runs
//! without a panic; every span lies inside its file and on a character boundary; every
//! back end's output reads back as a policy browsers cannot tell from the source; every fix
//! that leaves a file the front end reads removes the finding it was offered for; every safe
//! fix, all safe fixes together, and `fmt` leave every browser call's verdict and readable
//! headers as they were, and `fmt` removes no finding it does not claim to fix.
//!
//! Shared by the libFuzzer targets (tests/fuzz/targets) and by `cargo test --test
//! fuzz_seeds`, which replays the seed corpus and every past crash through it.

use cors_lint::backend::{self, Context};
use cors_lint::behaviour;
use cors_lint::equiv;
use cors_lint::finding::Finding;
use cors_lint::format;
use cors_lint::frontend::{self, Dialect, Options};
use cors_lint::lint::{FileReport, Outcome, Settings, lint_bytes};
use cors_lint::report::{self, GraphicalOptions};
use cors_lint::source::{Edit, Encoding, SourceFile, Span, apply_edits};

/// One fuzz target: a front end and the file name its input is read under.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    pub name: &'static str,
    pub dialect: Dialect,
    pub file_name: &'static str,
}

/// One target per front end (Traefik twice: YAML and TOML are parsed apart).
pub const TARGETS: &[Target] = &[
    Target {
        name: "torchserve",
        dialect: Dialect::TorchServe,
        file_name: "config.properties",
    },
    Target {
        name: "nginx",
        dialect: Dialect::Nginx,
        file_name: "nginx.conf",
    },
    Target {
        name: "ingress_nginx",
        dialect: Dialect::IngressNginx,
        file_name: "ingress.yaml",
    },
    Target {
        name: "gateway_api",
        dialect: Dialect::GatewayApi,
        file_name: "route.yaml",
    },
    Target {
        name: "istio",
        dialect: Dialect::Istio,
        file_name: "virtualservice.yaml",
    },
    Target {
        name: "envoy_gateway",
        dialect: Dialect::EnvoyGateway,
        file_name: "securitypolicy.yaml",
    },
    Target {
        name: "traefik",
        dialect: Dialect::Traefik,
        file_name: "middleware.yaml",
    },
    Target {
        name: "traefik_toml",
        dialect: Dialect::Traefik,
        file_name: "traefik.toml",
    },
    Target {
        name: "kong",
        dialect: Dialect::Kong,
        file_name: "kong.yaml",
    },
];

pub fn target(name: &str) -> &'static Target {
    TARGETS
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no fuzz target {name}"))
}

/// Policies read back through every back end, at most (the comparison is the costly part).
const ROUND_TRIP_POLICIES: usize = 2;
/// Fixes tried one at a time, at most.
const FIXES: usize = 8;

/// Settings for fuzzed input: nginx `include`s resolve against `prefix` (an empty
/// directory), so a relative pattern never reaches the fuzzer's own files.
pub fn settings(prefix: &std::path::Path) -> Settings {
    Settings {
        options: Options {
            nginx_prefix: Some(prefix.to_path_buf()),
            ..Options::default()
        },
        // Every rule, opt-in ones too.
        selection: cors_lint::selection::Selection::new(&["ALL".into()], &[], &[])
            .expect("ALL is a selector"),
        ..Settings::default()
    }
}

/// The front end's invariants on one input (a fuzz target per front end): panics, with what
/// broke, when one does not hold.
pub fn check(target: &Target, data: &[u8], settings: &Settings) {
    let report = lint(target, data.to_vec(), settings);
    check_spans(&report);
    render(&report);
    if !matches!(report.outcome, Outcome::Linted { .. }) {
        return;
    }
    check_fixes(target, data, &report, settings);
    check_safe_fixes_keep_behaviour(target, data, &report, settings);
    check_fmt(target, data, &report, settings);
    check_attack_search(target, data, &settings.options);
}

/// The exact attacker search and the neighbour probes agree on every origin matcher the
/// file holds: a probe origin that someone else owns means the search finds one too, and
/// what the search reports the matcher accepts (the regex engines and the DFA agree) and
/// someone else owns.
fn check_attack_search(target: &Target, data: &[u8], options: &Options) {
    use cors_lint::ir::attack::{Verdict, named_domains, outside_origin, owned_by_others};
    use cors_lint::ir::origin::neighbour_origins;
    use cors_lint::ir::{OriginMatcher, OriginPolicy};
    let file = SourceFile::new(target.file_name, data.to_vec(), target.dialect.encoding());
    let Ok(lowered) = frontend::lower(target.dialect, &file, options) else {
        return;
    };
    for policy in &lowered.policies {
        let OriginPolicy::Match(m) = &policy.allow_origin else {
            continue;
        };
        for (matcher, _) in &m.matchers {
            if *matcher == OriginMatcher::Any {
                continue;
            }
            let named = named_domains(matcher);
            let probes: Vec<String> = neighbour_origins(matcher)
                .into_iter()
                .map(|(o, _)| o)
                .filter(|o| owned_by_others(o, &named))
                .collect();
            match outside_origin(matcher, &named) {
                Some(Verdict::Accepts(o)) => assert!(
                    matcher.accepts(&o) && owned_by_others(&o, &named),
                    "the search reports {o} for {matcher:?}, which does not accept it or owns it"
                ),
                Some(Verdict::NoneOutside) => assert!(
                    probes.is_empty(),
                    "the probes find {probes:?} for {matcher:?}, the search nothing"
                ),
                None => {}
            }
        }
    }
}

/// The whole pipeline on one input (the `pipeline` fuzz target): its first byte picks the
/// front end, the rest is the file; [`check`], then every policy read from it through every
/// back end and back. About twenty times the cost of [`check`], so a target of its own.
pub fn check_pipeline(data: &[u8], settings: &Settings) {
    let Some((&pick, file)) = data.split_first() else {
        return;
    };
    let target = &TARGETS[usize::from(pick) % TARGETS.len()];
    check(target, file, settings);
    check_round_trip(target, file, &settings.options);
}

/// `bytes` linted as the target's file.
fn lint(target: &Target, bytes: Vec<u8>, settings: &Settings) -> FileReport {
    lint_bytes(
        target.file_name.into(),
        bytes,
        target.dialect,
        String::new(),
        settings,
    )
}

/// Every finding's span and related spans lie inside the file they point into and start and
/// end on character boundaries of its encoding; messages are one line.
fn check_spans(report: &FileReport) {
    for (r, findings) in std::iter::once((report, &report.findings))
        .chain(report.included.iter().map(|i| (i, &i.findings)))
    {
        let Some(source) = &r.source else {
            assert!(findings.iter().all(|f| f.span == Span::default()));
            continue;
        };
        for f in findings {
            assert_span(source, f.span, f.code);
            for rel in &f.related {
                assert_span(source, rel.span, f.code);
            }
            if let Some(fix) = &f.fix {
                for e in &fix.edits {
                    assert_span(source, e.span, f.code);
                }
            }
            assert!(
                !f.message.contains(['\n', '\r']),
                "{}: multi-line message {:?}",
                f.code,
                f.message
            );
        }
    }
}

fn assert_span(source: &SourceFile, span: Span, code: &str) {
    let len = source.bytes().len();
    assert!(
        span.start <= span.end && span.end <= len,
        "{code}: span {span:?} outside 0..{len} of {}",
        source.name()
    );
    for at in [span.start, span.end] {
        assert!(
            is_boundary(source.bytes(), source.encoding(), at),
            "{code}: span {span:?} cuts a character at {at} of {}",
            source.name()
        );
    }
}

/// Whether `at` is between two characters: any byte in ISO-8859-1; in UTF-8, anywhere but
/// inside a well-formed multi-byte sequence (invalid bytes count one character each).
pub fn is_boundary(bytes: &[u8], encoding: Encoding, at: usize) -> bool {
    if encoding == Encoding::Latin1 || at == 0 || at >= bytes.len() {
        return true;
    }
    let mut pos = 0;
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            let end = pos + c.len_utf8();
            if at > pos && at < end {
                return false;
            }
            if end > at {
                return true;
            }
            pos = end;
        }
        pos += chunk.invalid().len();
        if pos > at {
            return true;
        }
    }
    true
}

/// Every output format renders.
fn render(report: &FileReport) {
    let reports = std::slice::from_ref(report);
    let _ = report::concise(reports);
    let _ = report::json(reports);
    let _ = report::graphical(
        reports,
        GraphicalOptions {
            color: false,
            width: 80,
        },
    );
}

/// Each fix alone: where its result still reads as the dialect, linting it again finds
/// no finding of that code at the fixed place.
fn check_fixes(target: &Target, data: &[u8], report: &FileReport, settings: &Settings) {
    for f in report
        .findings
        .iter()
        .filter(|f| f.fix.is_some())
        .take(FIXES)
    {
        let edits = &f.fix.as_ref().expect("filtered").edits;
        let (fixed, _) = apply_edits(data, edits);
        let again = lint(target, fixed.clone(), settings);
        if !matches!(again.outcome, Outcome::Linted { .. }) {
            continue; // `--fix` skips a fix whose result does not parse, and says so
        }
        let at = moved(f.span.start, edits);
        let left: Vec<&Finding> = again
            .findings
            .iter()
            .filter(|g| g.code == f.code && g.span.start == at)
            .collect();
        assert!(
            left.is_empty(),
            "{}: the fix `{}` leaves the finding in place:\n  before: {}\n  after: {}\n--- fixed file ---\n{}",
            f.code,
            f.fix.as_ref().expect("filtered").description,
            f.message,
            left[0].message,
            String::from_utf8_lossy(&fixed)
        );
    }
}

/// Each safe fix alone, and all of them together as `--fix` applies them, leave a file whose
/// policies let browsers make exactly the calls the original's do (`behaviour::check`).
fn check_safe_fixes_keep_behaviour(
    target: &Target,
    data: &[u8],
    report: &FileReport,
    settings: &Settings,
) {
    let safe: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.fix.as_ref().is_some_and(|x| x.safe))
        .collect();
    if safe.is_empty() {
        return;
    }
    let options = &settings.options;
    let Ok(before) = behaviour::lower(data, target.file_name, target.dialect, options) else {
        return;
    };
    let keeps = |edits: &[Edit], what: &str| {
        let (fixed, _) = apply_edits(data, edits);
        match behaviour::check(target.file_name, target.dialect, options, &before, &fixed) {
            Ok(()) | Err(behaviour::Change::Unreadable(_)) => {} // `--fix` skips those
            Err(change) => panic!(
                "{what} changes behaviour: {change}\n--- fixed file ---\n{}",
                String::from_utf8_lossy(&fixed)
            ),
        }
    };
    let mut all: Vec<Edit> = Vec::new();
    for f in safe.iter().take(FIXES) {
        let fix = f.fix.as_ref().expect("filtered");
        keeps(
            &fix.edits,
            &format!("{}'s safe fix `{}`", f.code, fix.description),
        );
        for e in &fix.edits {
            if !all.contains(e) {
                all.push(e.clone());
            }
        }
    }
    let codes: Vec<&str> = safe.iter().map(|f| f.code).collect();
    keeps(
        &all,
        &format!("the safe fixes together ({})", codes.join(", ")),
    );
}

/// `fmt` leaves every browser call's verdict and readable headers as they were, and every
/// finding about bytes it does not rewrite is still reported, on the same line (a default it
/// wrote out, or a value it added elsewhere, must not make a finding go away).
fn check_fmt(target: &Target, data: &[u8], report: &FileReport, settings: &Settings) {
    let file = SourceFile::new(target.file_name, data.to_vec(), target.dialect.encoding());
    let Ok(formatted) = format::format(&file, target.dialect, settings) else {
        return;
    };
    if formatted.bytes == data {
        return;
    }
    let options = &settings.options;
    let before = behaviour::lower(data, target.file_name, target.dialect, options)
        .expect("fmt formats only files its front end reads");
    if let Err(change) = behaviour::check(
        target.file_name,
        target.dialect,
        options,
        &before,
        &formatted.bytes,
    ) {
        panic!(
            "fmt changes behaviour: {change}\n--- formatted file ---\n{}",
            String::from_utf8_lossy(&formatted.bytes)
        );
    }
    let again = lint(target, formatted.bytes.clone(), settings);
    let line = |r: &FileReport, f: &Finding| {
        r.source
            .as_ref()
            .map_or(0, |s| s.position(f.span.start).line)
    };
    let mut after: Vec<(&str, usize)> = again
        .findings
        .iter()
        .map(|f| (f.code, line(&again, f)))
        .collect();
    let rewritten = |f: &Finding| {
        formatted
            .edits
            .iter()
            .any(|e| e.span.start < f.span.end && f.span.start < e.span.end)
    };
    // Lines fmt rewrote: it may move a list's entries among them (sorting), and a rule that
    // names a list's first bad entry then names another one there.
    let rewritten_lines: Vec<usize> = report.source.as_ref().map_or(Vec::new(), |s| {
        formatted
            .edits
            .iter()
            .flat_map(|e| s.position(e.span.start).line..=s.position(e.span.end).line)
            .collect()
    });
    for f in &report.findings {
        if rewritten(f) {
            continue;
        }
        let key = (f.code, line(report, f));
        let same_place = after.iter().position(|k| *k == key);
        let moved_within = || {
            rewritten_lines.contains(&key.1).then(|| {
                after
                    .iter()
                    .position(|(c, l)| *c == f.code && rewritten_lines.contains(l))
            })?
        };
        let Some(i) = same_place.or_else(moved_within) else {
            panic!(
                "fmt removes {} at line {} ({}) without rewriting its bytes\n--- formatted file ---\n{}",
                f.code,
                key.1,
                f.message,
                String::from_utf8_lossy(&formatted.bytes)
            );
        };
        after.swap_remove(i);
    }
}

/// Where offset `at` lands once `edits` are applied (an offset inside an edit lands at its
/// start).
fn moved(at: usize, edits: &[Edit]) -> usize {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut shift: isize = 0;
    for e in sorted {
        if e.span.end <= at && !(e.span.start == at && e.span.end == at) {
            shift += e.replacement.len() as isize - (e.span.end - e.span.start) as isize;
        } else if e.span.start < at {
            return (e.span.start as isize + shift) as usize;
        }
    }
    (at as isize + shift) as usize
}

/// Each policy written by every back end that can express it reads back, with that back
/// end's front end, as a policy no browser call can tell from the source.
fn check_round_trip(target: &Target, data: &[u8], options: &Options) {
    let file = SourceFile::new(target.file_name, data.to_vec(), target.dialect.encoding());
    let Ok(lowered) = frontend::lower(target.dialect, &file, options) else {
        return;
    };
    let cx = Context {
        service: Some("api:80".into()),
        gateway: Some("gw".into()),
        host: Some("api.example.com".into()),
        route: Some("api".into()),
        ..Context::default()
    };
    for policy in lowered.policies.iter().take(ROUND_TRIP_POLICIES) {
        for &to in &backend::TARGETS {
            let Ok(emitted) = backend::emit(policy, to, &cx) else {
                continue; // a refusal names what the target cannot express
            };
            let back = SourceFile::new(
                emitted.file_name,
                emitted.text.clone().into_bytes(),
                to.encoding(),
            );
            let read = frontend::lower(to, &back, &Options::default());
            let result = match read {
                Ok(l) if !l.policies.is_empty() => l.policies.into_iter().next().expect("one"),
                Ok(_) => panic!("{} output holds no policy:\n{}", to.name(), emitted.text),
                Err(e) => panic!(
                    "{} output does not read back ({}):\n{}",
                    to.name(),
                    e.message,
                    emitted.text
                ),
            };
            let c = equiv::compare(policy, &result);
            assert!(
                c.equivalent(),
                "{} output differs from the source:\n{}\n--- output ---\n{}",
                to.name(),
                c.render(3),
                emitted.text
            );
        }
    }
}
