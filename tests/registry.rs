//! The rule registry is consistent: one `rules/<CODE>.toml` and one `src/rules/<code>_*.rs`
//! per rule, unique codes and names, complete docs, at least one bad and one good example.

use cors_lint::frontend::Dialect;
use cors_lint::rules::{ExampleKind, RULES, all_meta};
use std::collections::BTreeSet;
use std::path::Path;

const FAMILIES: [&str; 10] = [
    "CL", "CORS", "EG", "GW", "INGX", "IST", "KONG", "NGX", "TFK", "TS",
];

#[test]
fn every_toml_is_registered_and_every_rule_has_a_toml() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let files: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let registered: BTreeSet<String> = all_meta().iter().map(|m| m.code.clone()).collect();
    assert_eq!(files, registered);
}

#[test]
fn codes_names_and_docs() {
    let code_re = regex::Regex::new(r"^([A-Z]+)(\d{3})$").unwrap();
    let name_re = regex::Regex::new(r"^[a-z0-9]+(-[a-z0-9]+)*$").unwrap();
    let prevents_re = regex::Regex::new(r"^(F[1-7]|A\.8#\d+)$").unwrap();
    let mut names = BTreeSet::new();
    for m in all_meta() {
        let caps = code_re
            .captures(&m.code)
            .unwrap_or_else(|| panic!("bad code {}", m.code));
        assert!(FAMILIES.contains(&&caps[1]), "{}: unknown family", m.code);
        assert!(
            name_re.is_match(&m.name),
            "{}: name {} is not kebab-case",
            m.code,
            m.name
        );
        assert!(names.insert(m.name.clone()), "duplicate name {}", m.name);
        assert!(
            !m.summary.trim().is_empty() && !m.summary.contains('\n'),
            "{}: one-line summary",
            m.code
        );
        for (what, text) in [
            ("what", &m.docs.what),
            ("why", &m.docs.why),
            ("fix", &m.docs.fix),
        ] {
            assert!(text.trim().len() > 20, "{}: docs.{what} is empty", m.code);
        }
        for p in &m.prevents {
            assert!(prevents_re.is_match(p), "{}: prevents {p}", m.code);
        }
        assert!(
            m.code.starts_with("CL") || !m.prevents.is_empty(),
            "{}: says what it prevents",
            m.code
        );
        for d in &m.dialects {
            assert!(
                Dialect::from_name(d).is_some(),
                "{}: unknown dialect {d}",
                m.code
            );
        }
        for kind in [ExampleKind::Bad, ExampleKind::Good] {
            assert!(
                m.examples.iter().any(|e| e.kind == kind),
                "{}: needs a {kind:?} example",
                m.code
            );
        }
        for e in &m.examples {
            assert!(
                m.dialects.contains(&e.dialect),
                "{}: example dialect {} not in `dialects`",
                m.code,
                e.dialect
            );
        }
    }
}

#[test]
fn one_source_file_per_rule() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
    for rule in RULES {
        let code = &rule.meta().code;
        let prefix = format!("{}_", code.to_ascii_lowercase());
        let files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|f| f.starts_with(&prefix) && f.ends_with(".rs"))
            .collect();
        assert_eq!(
            files.len(),
            1,
            "{code}: expected one src/rules/{prefix}*.rs, found {files:?}"
        );
        let text = std::fs::read_to_string(dir.join(&files[0])).unwrap();
        assert!(
            text.contains(&format!("\"{code}\"")),
            "{}: does not declare {code}",
            files[0]
        );
    }
}
