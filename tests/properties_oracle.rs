//! Differential tests of `frontend::properties` against two oracles, on files generated from
//! the syntax's edge cases (separators, escapes, continuations, comments, line ends, Latin-1):
//!
//! * real OpenJDK `java.util.Properties.load(InputStream)` (`tests/java/PropDump.java`, what
//!   TorchServe calls): every map must be equal, every rejection shared;
//! * the `java-properties` crate: every disagreement must be one where ours equals real Java,
//!   and is counted under one of the crate's documented deviations (`Deviation`).
//!
//! Needs `java` (JDK 11+, for single-file source launch) on PATH; `.ci/run` installs it.

use cors_lint::frontend::properties;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use std::collections::BTreeMap;
use std::process::Command;

const CASES: usize = 1500;

/// Pieces of `.properties` syntax, weighted towards the tricky ones.
fn atom(java_only: bool) -> BoxedStrategy<Vec<u8>> {
    let mut atoms: Vec<(u32, BoxedStrategy<Vec<u8>>)> = vec![
        (40, "[a-z_.]{1,6}".prop_map(|s| s.into_bytes()).boxed()),
        (8, "[A-Z0-9]{1,3}".prop_map(|s| s.into_bytes()).boxed()),
        (
            24,
            prop::sample::select(vec!["=", ":", " ", "\t", "\x0c", " = ", "=:", " : "])
                .prop_map(|s| s.as_bytes().to_vec())
                .boxed(),
        ),
        (
            24,
            prop::sample::select(vec!["\n", "\r\n", "\r", "\n\n", "\n  "])
                .prop_map(|s| s.as_bytes().to_vec())
                .boxed(),
        ),
        (
            16,
            prop::sample::select(vec![
                "\\\n", "\\\r\n", "\\\r", "\\\n   ", "\\\n\t", "\\\n\n", "\\\\\n", "\\\\\\\n",
            ])
            .prop_map(|s| s.as_bytes().to_vec())
            .boxed(),
        ),
        (
            16,
            prop::sample::select(vec![
                "\\t", "\\n", "\\r", "\\f", "\\\\", "\\=", "\\:", "\\ ", "\\#", "\\!", "\\q",
                "\\u0041", "\\u00e9", "\\u20AC", "\\u002c", "\\u000a", "\\uFFFF",
            ])
            .prop_map(|s| s.as_bytes().to_vec())
            .boxed(),
        ),
        (
            12,
            prop::sample::select(vec!["#", "!", "# c", "! c\\", "#x=y"])
                .prop_map(|s| s.as_bytes().to_vec())
                .boxed(),
        ),
        (
            8,
            prop::sample::select(vec!["https://a.example", ", ", "*", "$$V$$", "\"q\""])
                .prop_map(|s| s.as_bytes().to_vec())
                .boxed(),
        ),
        (8, (0xa0u8..=0xff).prop_map(|b| vec![b]).boxed()),
        (
            1,
            prop::sample::select(vec!["\\u12", "\\uZZZZ", "\\u00"])
                .prop_map(|s| s.as_bytes().to_vec())
                .boxed(),
        ),
        (4, Just(b"\\".to_vec()).boxed()),
    ];
    if java_only {
        atoms.push((4, (0x80u8..=0x9f).prop_map(|b| vec![b]).boxed()));
        atoms.push((4, Just(b"\xef\xbb\xbf".to_vec()).boxed()));
    }
    prop::strategy::Union::new_weighted(atoms).boxed()
}

fn file(java_only: bool) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(atom(java_only), 0..40).prop_map(|parts| parts.concat())
}

/// Deterministic inputs: the same files on every run and machine.
fn generate(java_only: bool, seed: u64, n: usize) -> Vec<Vec<u8>> {
    let config = Config {
        rng_seed: RngSeed::Fixed(seed),
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let strategy = file(java_only);
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).expect("generate").current())
        .collect()
}

/// Our parser, as a Java `Properties` table would hold it (last duplicate wins).
fn ours(bytes: &[u8]) -> Option<BTreeMap<String, String>> {
    let parsed = properties::parse(bytes).ok()?;
    Some(
        parsed
            .entries
            .into_iter()
            .map(|e| (e.key.as_str().to_string(), e.value.as_str().to_string()))
            .collect(),
    )
}

fn utf16_hex(s: &str) -> String {
    s.encode_utf16().map(|u| format!("{u:04x}")).collect()
}

/// Load every input with real `java.util.Properties`: per input, its sorted `K hex V hex`
/// lines, or `None` when `load` throws.
fn java_load(inputs: &[Vec<u8>]) -> Vec<Option<Vec<String>>> {
    let dir = tempfile::tempdir().expect("temp dir");
    for (i, bytes) in inputs.iter().enumerate() {
        std::fs::write(dir.path().join(format!("case{i:05}.properties")), bytes).expect("write");
    }
    let program = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/java/PropDump.java");
    let output = Command::new("java")
        .arg(program)
        .arg(dir.path())
        .output()
        .expect("`java` (JDK 11 or later) must be on PATH: install openjdk-17-jdk-headless, or run .ci/run");
    assert!(
        output.status.success(),
        "java failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("ASCII output");
    let mut java: BTreeMap<String, Option<Vec<String>>> = BTreeMap::new();
    let mut current = String::new();
    for line in stdout.lines() {
        if let Some(name) = line.strip_prefix("FILE ") {
            current = name.to_string();
            java.insert(current.clone(), Some(Vec::new()));
        } else if line == "ERROR" {
            java.insert(current.clone(), None);
        } else if let Some(Some(list)) = java.get_mut(&current) {
            list.push(line.to_string());
        }
    }
    assert_eq!(
        java.len(),
        inputs.len(),
        "java printed a result for every file"
    );
    (0..inputs.len())
        .map(|i| {
            java[&format!("case{i:05}.properties")]
                .clone()
                .map(|mut l| {
                    l.sort();
                    l
                })
        })
        .collect()
}

/// Our result in `java_load`'s shape.
fn ours_as_java(bytes: &[u8]) -> Option<Vec<String>> {
    ours(bytes).map(|m| {
        let mut lines: Vec<String> = m
            .iter()
            .map(|(k, v)| format!("K {} V {}", utf16_hex(k), utf16_hex(v)))
            .collect();
        lines.sort();
        lines
    })
}

#[test]
fn agrees_with_real_java() {
    let inputs = generate(true, 0x7A5A, CASES);
    let java = java_load(&inputs);
    let mut disagreements = Vec::new();
    let (mut both_ok, mut both_err) = (0, 0);
    for (i, bytes) in inputs.iter().enumerate() {
        let mine = ours_as_java(bytes);
        match (&mine, &java[i]) {
            (Some(_), Some(_)) if mine == java[i] => both_ok += 1,
            (None, None) => both_err += 1,
            _ => disagreements.push(format!(
                "case{i:05}: {:?}\n  ours: {mine:?}\n  java: {:?}",
                String::from_utf8_lossy(bytes),
                java[i]
            )),
        }
    }
    eprintln!(
        "OpenJDK Properties.load: {} files, {both_ok} equal maps, {both_err} rejected by both, {} disagreements",
        inputs.len(),
        disagreements.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

/// Where the `java-properties` crate (2.0.0) departs from `Properties.load(InputStream)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Deviation {
    /// Decodes windows-1252, not ISO-8859-1: bytes 0x80–0x9F differ.
    Windows1252,
    /// Strips a UTF-8 byte-order mark; Java keeps it in the first key.
    ByteOrderMark,
    /// Drops a last line ending in `\` (or `\` + one CR or LF); Java keeps it.
    BackslashAtEndOfFile,
    /// Fails on a malformed `\u` escape inside a comment; Java ignores comments.
    EscapeInComment,
    /// Continues a `\` + EOL that starts a logical line into the next one; Java starts a
    /// fresh logical line there (so a `#` after it begins a comment).
    LeadingContinuation,
    /// Strips U+00A0 (byte 0xA0) as whitespace; Java strips only space, tab and form feed.
    NoBreakSpace,
    /// Panics ("Must not use a decoder that has finished", in encoding_rs) instead of loading.
    Panics,
}

fn classify(bytes: &[u8]) -> Vec<Deviation> {
    let mut found = Vec::new();
    if bytes.iter().any(|b| (0x80..=0x9f).contains(b)) {
        found.push(Deviation::Windows1252);
    }
    if bytes.starts_with(b"\xef\xbb\xbf") {
        found.push(Deviation::ByteOrderMark);
    }
    let trimmed = bytes
        .strip_suffix(b"\n")
        .or_else(|| bytes.strip_suffix(b"\r"))
        .unwrap_or(bytes);
    if trimmed.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1 {
        found.push(Deviation::BackslashAtEndOfFile);
    }
    if bytes.contains(&0xa0) {
        found.push(Deviation::NoBreakSpace);
    }
    // Comments and continuations as our grammar (which matches Java) sees them.
    let parsed = properties::parse(bytes).ok();
    let comments: Vec<_> = match &parsed {
        Some(p) => p.comments.clone(),
        None => Vec::new(),
    };
    if comments
        .iter()
        .any(|c| bytes[c.range()].windows(2).any(|w| w == b"\\u"))
    {
        found.push(Deviation::EscapeInComment);
    }
    if let Some(p) = &parsed {
        let covered = |i: usize| {
            p.entries.iter().any(|e| e.span.range().contains(&i))
                || comments.iter().any(|c| c.range().contains(&i))
        };
        if bytes
            .iter()
            .enumerate()
            .any(|(i, &b)| b == b'\\' && !covered(i))
        {
            found.push(Deviation::LeadingContinuation);
        }
    }
    found
}

#[test]
fn crate_disagrees_only_where_ours_matches_java() {
    // The crate panics on some inputs; keep its panic message out of the test output.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let inputs = generate(true, 0xC0125, 2000);
    let java = java_load(&inputs);
    let (mut both_ok, mut both_err) = (0, 0);
    let mut explained: BTreeMap<Deviation, usize> = BTreeMap::new();
    let mut unexplained = Vec::new();
    for (i, bytes) in inputs.iter().enumerate() {
        let crate_result = std::panic::catch_unwind(|| java_properties::read(&bytes[..]));
        let Ok(crate_result) = crate_result else {
            if ours_as_java(bytes) == java[i] {
                *explained.entry(Deviation::Panics).or_default() += 1;
            } else {
                unexplained.push(format!(
                    "crate panicked and ours != java on {:?}",
                    String::from_utf8_lossy(bytes)
                ));
            }
            continue;
        };
        let oracle: Option<BTreeMap<String, String>> =
            crate_result.ok().map(|m| m.into_iter().collect());
        let mine = ours(bytes);
        match (&mine, &oracle) {
            (Some(_), Some(_)) if mine == oracle => both_ok += 1,
            (None, None) => both_err += 1,
            _ => {
                let matches_java = ours_as_java(bytes) == java[i];
                let categories = classify(bytes);
                match categories.first() {
                    Some(c) if matches_java => *explained.entry(*c).or_default() += 1,
                    _ => unexplained.push(format!(
                        "{:?}\n  ours:  {mine:?}\n  crate: {oracle:?}\n  ours == java: {matches_java}",
                        String::from_utf8_lossy(bytes)
                    )),
                }
            }
        }
    }
    std::panic::set_hook(default_hook);
    eprintln!(
        "java-properties crate: {} files, {both_ok} equal maps, {both_err} rejected by both, {} documented deviations \
         (ours matches Java in each: {explained:?}), {} unexplained",
        inputs.len(),
        explained.values().sum::<usize>(),
        unexplained.len()
    );
    assert!(both_ok + both_err >= 1000, "fewer than 1000 agreements");
    assert!(
        unexplained.is_empty(),
        "{} unexplained:\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
}
