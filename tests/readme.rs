//! README.md stays true: its rule table is the metadata's, and every output block marked
//! `<!-- cors-lint: ARGS -->` is what the binary prints for ARGS (run from the repository
//! root). `CORS_LINT_BLESS=1 cargo test --test readme` rewrites the README instead.

use assert_cmd::Command;
use std::path::Path;

const BEGIN: &str = "<!-- rules-table:begin -->\n";
const END: &str = "<!-- rules-table:end -->";

fn readme_path() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
}

fn bless() -> bool {
    std::env::var_os("CORS_LINT_BLESS").is_some()
}

fn with_rule_table(readme: &str) -> String {
    let start = readme.find(BEGIN).expect("rules-table:begin marker") + BEGIN.len();
    let end = readme.find(END).expect("rules-table:end marker");
    format!(
        "{}{}{}",
        &readme[..start],
        cors_lint::rules::markdown_table(),
        &readme[end..]
    )
}

/// `simulate`'s checks, between `<!-- checks-table:begin -->` and `<!-- checks-table:end -->`.
fn with_checks_table(readme: &str) -> String {
    const BEGIN: &str = "<!-- checks-table:begin -->\n";
    let start = readme.find(BEGIN).expect("checks-table:begin marker") + BEGIN.len();
    let end = readme
        .find("<!-- checks-table:end -->")
        .expect("checks-table:end marker");
    let mut table = String::from("| check | the browser blocks because |\n|---|---|\n");
    for c in cors_lint::sim::Check::ALL {
        table.push_str(&format!("| `{}` | {} |\n", c.name(), c.meaning()));
    }
    format!("{}{table}{}", &readme[..start], &readme[end..])
}

fn with_outputs(readme: &str) -> String {
    let mut out = String::new();
    let mut rest = readme;
    while let Some(at) = rest.find("<!-- cors-lint: ") {
        let line_end = at + rest[at..].find('\n').expect("marker line");
        let args = rest[at + "<!-- cors-lint: ".len()..line_end]
            .trim_end_matches("-->")
            .trim();
        let fence_start = line_end + 1;
        let fence_line_end = fence_start + rest[fence_start..].find('\n').expect("fence line");
        assert!(
            rest[fence_start..].starts_with("```"),
            "a fenced block must follow `{args}`"
        );
        let close = fence_line_end
            + 1
            + rest[fence_line_end + 1..]
                .find("```\n")
                .expect("closing fence");
        let output = Command::cargo_bin("cors-lint")
            .unwrap()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("NO_COLOR")
            .args(args.split_whitespace())
            .output()
            .unwrap();
        out.push_str(&rest[..=fence_line_end]);
        out.push_str(&String::from_utf8(output.stdout).unwrap());
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

#[test]
fn readme_is_up_to_date() {
    let readme = std::fs::read_to_string(readme_path()).unwrap();
    let expected = with_outputs(&with_checks_table(&with_rule_table(&readme)));
    if bless() {
        std::fs::write(readme_path(), &expected).unwrap();
        return;
    }
    if readme != expected {
        let diff: Vec<String> = readme
            .lines()
            .zip(expected.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(5)
            .map(|(i, (a, b))| format!("line {}:\n  README:   {a}\n  expected: {b}", i + 1))
            .collect();
        panic!(
            "README.md is out of date (CORS_LINT_BLESS=1 cargo test --test readme rewrites it):\n{}\n(line counts {} vs {})",
            diff.join("\n"),
            readme.lines().count(),
            expected.lines().count()
        );
    }
}

#[test]
fn readme_starts_with_exactly_two_commands() {
    let readme = std::fs::read_to_string(readme_path()).unwrap();
    let mut lines = readme
        .lines()
        .skip_while(|l| l.starts_with('#') || l.trim().is_empty());
    assert_eq!(lines.next(), Some("```sh"));
    let commands: Vec<&str> = lines.take_while(|l| *l != "```").collect();
    assert_eq!(commands.len(), 2, "{commands:?}");
    assert!(commands[0].starts_with("cargo run --release -- corpus/"));
    assert!(commands[1].starts_with("tests/run"));
    let ci = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run")).unwrap();
    assert!(
        ci.lines().any(|l| l.trim() == "tests/run"),
        ".ci/run calls the README's test command"
    );
}
