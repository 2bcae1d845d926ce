//! The fuzz targets' checks (tests/fuzz/checks.rs) on every seed and every past crash, so
//! each CI run holds the invariants the fuzzer found broken once; and the seeds are current
//! with corpus/ (tests/fuzz/seed rebuilds them).

#[path = "fuzz/checks.rs"]
#[allow(dead_code)] // `target()` serves the fuzz binaries
mod checks;

use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz")
}

/// The seed directory of a target (the same mapping as tests/fuzz/run).
fn syntax(target: &str) -> &'static str {
    match target {
        "torchserve" => "properties",
        "nginx" => "nginx",
        "traefik_toml" => "toml",
        _ => "yaml",
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn every_seed_and_past_crash_holds_the_fuzz_invariants() {
    let prefix = tempfile::tempdir().unwrap();
    let settings = checks::settings(prefix.path());
    let holds = |what: &str, path: &Path, run: &dyn Fn()| {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run));
        assert!(
            result.is_ok(),
            "{what}: {} breaks an invariant",
            path.display()
        );
    };
    let mut replayed = 0;
    // Each seed as the pipeline target reads it: behind the byte that picks its front end.
    for (i, t) in checks::TARGETS.iter().enumerate() {
        let seeds = files(&fuzz_dir().join("seeds").join(syntax(t.name)));
        assert!(!seeds.is_empty(), "no seeds for {}", t.name);
        for path in &seeds {
            let mut data = vec![i as u8];
            data.extend(std::fs::read(path).unwrap());
            holds(t.name, path, &|| checks::check_pipeline(&data, &settings));
            replayed += 1;
        }
        for path in files(&fuzz_dir().join("regressions").join(t.name)) {
            let data = std::fs::read(&path).unwrap();
            holds(t.name, &path, &|| checks::check(t, &data, &settings));
        }
    }
    for path in files(&fuzz_dir().join("regressions/pipeline")) {
        let data = std::fs::read(&path).unwrap();
        holds("pipeline", &path, &|| {
            checks::check_pipeline(&data, &settings)
        });
    }
    assert!(replayed > 100, "only {replayed} inputs replayed");
}

#[test]
fn the_seeds_are_the_corpus_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut expected = Vec::new();
    for entry in ignore::Walk::new(root.join("corpus")).filter_map(Result::ok) {
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        let in_dir = |d: &str| path.starts_with(root.join("corpus").join(d));
        let syntax = match ext {
            "yaml" | "yml" => "yaml",
            "toml" => "toml",
            _ if in_dir("torchserve") => "properties",
            _ if in_dir("nginx") => "nginx",
            _ => continue,
        };
        let rel = path.strip_prefix(root.join("corpus")).unwrap();
        let name = rel.to_string_lossy().replace('/', "_");
        expected.push((syntax, name, std::fs::read(path).unwrap()));
    }
    assert!(expected.len() > 50);
    for (syntax, name, bytes) in &expected {
        let seed = fuzz_dir().join("seeds").join(syntax).join(name);
        assert_eq!(
            std::fs::read(&seed).ok().as_ref(),
            Some(bytes),
            "{} is not the current corpus file: run tests/fuzz/seed",
            seed.display()
        );
    }
    let seeds: usize = ["properties", "nginx", "yaml", "toml"]
        .iter()
        .map(|s| files(&fuzz_dir().join("seeds").join(s)).len())
        .sum();
    assert_eq!(
        seeds,
        expected.len(),
        "seeds that are no corpus file: run tests/fuzz/seed"
    );
}

#[test]
fn span_boundaries_follow_the_encoding() {
    use cors_lint::source::Encoding;
    let b = "aé€".as_bytes(); // 1 + 2 + 3 bytes
    let cut: Vec<usize> = (0..=b.len())
        .filter(|&i| !checks::is_boundary(b, Encoding::Utf8, i))
        .collect();
    assert_eq!(cut, [2, 4, 5]);
    assert!((0..=b.len()).all(|i| checks::is_boundary(b, Encoding::Latin1, i)));
    // Invalid bytes are one character each: every offset around them is a boundary.
    let bad = b"a\xe9\xffb";
    assert!((0..=bad.len()).all(|i| checks::is_boundary(bad, Encoding::Utf8, i)));
}
