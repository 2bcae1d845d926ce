//! What cors-lint writes: `--fix` changes only the bytes its edits cover (comments, order,
//! whitespace, line endings and byte-order marks elsewhere stay as they were), and a check
//! without `--fix` writes nothing at all.

use assert_cmd::Command;
use cors_lint::frontend;
use cors_lint::lint::{self, Settings};
use cors_lint::source::Span;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).expect("readable directory") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn copy_tree(from: &Path, to: &Path) {
    for f in files_under(from) {
        let dest = to.join(f.strip_prefix(from).unwrap());
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        fs::copy(&f, &dest).unwrap();
    }
}

/// Every file under `dir` with its bytes and modification time.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, std::time::SystemTime)> {
    files_under(dir)
        .into_iter()
        .map(|p| {
            let bytes = fs::read(&p).unwrap();
            let mtime = fs::metadata(&p).unwrap().modified().unwrap();
            (p, (bytes, mtime))
        })
        .collect()
}

/// Whether `after` is `before` with only the bytes of `spans` replaced: the bytes between the
/// spans appear unchanged, in order, with anything in between only where a span was. A
/// byte diff cannot tell this (an inserted ` always` may align with a later one).
fn only_spans_changed(before: &[u8], after: &[u8], spans: &[Span]) -> bool {
    // The untouched pieces of `before`, between merged spans.
    let mut sorted: Vec<Span> = spans.to_vec();
    sorted.sort_by_key(|s| (s.start, s.end));
    let mut pieces: Vec<&[u8]> = Vec::new();
    let mut at = 0;
    for s in sorted {
        if s.start >= at {
            pieces.push(&before[at..s.start]);
        }
        at = at.max(s.end);
    }
    pieces.push(&before[at..]);
    // First piece a prefix, last a suffix, the others found leftmost in order (wildcard
    // matching with literal pieces).
    let (first, last) = (pieces[0], pieces[pieces.len() - 1]);
    if pieces.len() == 1 {
        return after == first;
    }
    if !after.starts_with(first) || !after.ends_with(last) || after.len() < first.len() + last.len()
    {
        return false;
    }
    let mut pos = first.len();
    let end = after.len() - last.len();
    for piece in &pieces[1..pieces.len() - 1] {
        match after[pos..end]
            .windows(piece.len().max(1))
            .position(|w| w == *piece)
        {
            Some(i) => pos += i + piece.len(),
            None if piece.is_empty() => {}
            None => return false,
        }
    }
    true
}

/// The spans of every edit the findings on `bytes` offer (`--unsafe-fixes` included).
fn offered_edits(name: &str, bytes: &[u8], dialect: frontend::Dialect) -> Vec<Span> {
    let report = lint::lint_bytes(
        name.into(),
        bytes.to_vec(),
        dialect,
        String::new(),
        &Settings::default(),
    );
    report
        .findings
        .iter()
        .filter_map(|f| f.fix.as_ref())
        .flat_map(|fix| fix.edits.iter().map(|e| e.span))
        .collect()
}

#[test]
fn fix_changes_only_the_bytes_its_edits_cover() {
    let work = tempfile::tempdir().unwrap();
    copy_tree(&corpus(), work.path());
    let mut fixed = 0;
    for original in files_under(&corpus()) {
        let bytes = fs::read(&original).unwrap();
        let name = original.file_name().unwrap().to_string_lossy().into_owned();
        let Ok((dialect, _)) = frontend::recognise(&name, &bytes) else {
            continue;
        };
        let spans = offered_edits(&original.display().to_string(), &bytes, dialect);
        let copy = work.path().join(original.strip_prefix(corpus()).unwrap());
        Command::cargo_bin("cors-lint")
            .unwrap()
            .args(["--fix", "--unsafe-fixes", "--format", "concise"])
            .arg(&copy)
            .assert()
            .code(predicates::ord::le(2));
        let after = fs::read(&copy).unwrap();
        if after == bytes {
            continue;
        }
        fixed += 1;
        assert!(
            !spans.is_empty(),
            "{name}: changed although no finding offers an edit"
        );
        assert!(
            only_spans_changed(&bytes, &after, &spans),
            "{name}: --fix changed bytes outside its edits ({spans:?})"
        );
    }
    // The corpus holds fixable mistakes in several dialects: the test must see them applied.
    assert!(
        fixed >= 5,
        "only {fixed} corpus files were changed by --fix"
    );
}

#[test]
fn the_span_check_rejects_changes_elsewhere() {
    let before = b"a b; c d;";
    let at = |i| Span::empty(i);
    assert!(only_spans_changed(before, b"a b always; c d;", &[at(3)]));
    assert!(only_spans_changed(before, b"a b; c X;", &[Span::new(7, 8)]));
    assert!(!only_spans_changed(before, b"a b always; c d; ", &[at(3)]));
    assert!(!only_spans_changed(before, b"a b always;c d;", &[at(3)]));
    assert!(!only_spans_changed(before, b"a B; c d;", &[at(7)]));
}

#[test]
fn check_without_fix_writes_nothing() {
    let work = tempfile::tempdir().unwrap();
    let tree = work.path().join("tree");
    copy_tree(&corpus(), &tree);
    let before = snapshot(&tree);
    let report = work.path().join("report.txt");
    let runs: Vec<Vec<String>> = vec![
        vec![],
        vec!["--format".into(), "json".into()],
        vec!["--format".into(), "sarif".into()],
        vec!["--statistics".into()],
        vec!["--diff".into()],
        vec!["--unsafe-fixes".into()],
        vec!["-o".into(), report.display().to_string()],
    ];
    for args in runs {
        Command::cargo_bin("cors-lint")
            .unwrap()
            .args(&args)
            .arg(&tree)
            .assert()
            .code(predicates::ord::le(2));
        assert_eq!(
            snapshot(&tree),
            before,
            "`cors-lint {}` changed the linted tree",
            args.join(" ")
        );
    }
    // `-o` wrote its report, and only there.
    assert!(fs::read_to_string(&report).unwrap().contains("CORS"));
}

/// A fix keeps what surrounds its edit byte for byte: CRLF line endings, a comment in
/// ISO-8859-1, the YAML byte-order mark, trailing spaces, the file's permissions.
#[test]
fn fix_keeps_line_endings_encoding_and_marks() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let cases: [(&str, &[u8], &[u8]); 2] = [
        (
            "config.properties",
            b"# caf\xE9, CRLF  \r\ninference_address=http://127.0.0.1:8080\r\ncors.allowed.origin=https://app.example.com\r\n",
            b"# caf\xE9, CRLF  \r\ninference_address=http://127.0.0.1:8080\r\ncors_allowed_origin=https://app.example.com\r\n",
        ),
        (
            "ingress.yaml",
            b"\xEF\xBB\xBFapiVersion: networking.k8s.io/v1\r\nkind: Ingress\r\nmetadata:\r\n  name: a   \r\n  annotations:\r\n    nginx.ingress.kubernetes.io/enable-cors: \"true\"\r\n    nginx.ingress.kubernetes.io/cors-allow-origin: \"https://app.example.com\"\r\n",
            b"",
        ),
    ];
    for (name, before, expected) in cases {
        let path = d.path().join(name);
        fs::write(&path, before).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        let spans = offered_edits(name, before, frontend::recognise(name, before).unwrap().0);
        assert!(!spans.is_empty(), "{name}: no fix offered");
        Command::cargo_bin("cors-lint")
            .unwrap()
            .args(["--fix", "--unsafe-fixes", "--format", "concise"])
            .arg(&path)
            .assert()
            .code(predicates::ord::le(1));
        let after = fs::read(&path).unwrap();
        assert_ne!(after, before, "{name}: not fixed");
        if !expected.is_empty() {
            assert_eq!(after, expected, "{name}");
        }
        assert!(
            only_spans_changed(before, &after, &spans),
            "{name}: bytes changed outside the edits:\n{}",
            String::from_utf8_lossy(&after)
        );
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640, "{name}: permissions");
    }
}
