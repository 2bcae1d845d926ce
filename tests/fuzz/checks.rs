//! What every fuzz target checks on its input, whatever the bytes: the whole pipeline runs
//! without a panic; every span lies inside its file and on a character boundary; every
//! back end's output reads back as a policy browsers cannot tell from the source; every fix
//! that leaves a file the front end reads removes the finding it was offered for.
//!
//! Shared by the libFuzzer targets (tests/fuzz/targets) and by `cargo test --test
//! fuzz_seeds`, which replays the seed corpus and every past crash through it.

use cors_lint::backend::{self, Context};
use cors_lint::equiv;
use cors_lint::finding::Finding;
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
