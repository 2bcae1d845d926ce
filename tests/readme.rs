//! The documentation stays true.
//!
//! * In README.md and every `docs/**/*.md` page, each output block marked
//!   `<!-- cors-lint: ARGS -->` is what the binary prints for ARGS (run from the repository
//!   root), and `simulate`'s checks table is `sim::Check::ALL`.
//! * `docs/rules/` holds exactly the pages `cors-lint rule CODE --format markdown` prints for
//!   every rule, and the index `cors-lint rule --all --format markdown` prints: none missing,
//!   none extra, none stale.
//! * README.md starts with the two set-up commands (the second is what `.ci/run` runs) and has
//!   at most 250 lines; every relative link of the docs reaches a file and heading that exist.
//!
//! `CORS_LINT_BLESS=1 cargo test --test readme` rewrites the pages instead of failing.

use assert_cmd::Command;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const README_MAX_LINES: usize = 250;

fn root() -> &'static Path {
    Path::new(ROOT)
}

fn bless() -> bool {
    std::env::var_os("CORS_LINT_BLESS").is_some()
}

fn rel(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// `*.md` files under `dir`, recursively, in name order.
fn markdown_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            out.extend(markdown_under(&path));
        } else if path.extension().is_some_and(|x| x == "md") {
            out.push(path);
        }
    }
    out
}

/// The hand-written pages: README.md and `docs/**/*.md` except the generated `docs/rules/`.
fn written_pages() -> Vec<PathBuf> {
    let rules = root().join("docs/rules");
    let mut pages = vec![root().join("README.md")];
    pages.extend(
        markdown_under(&root().join("docs"))
            .into_iter()
            .filter(|p| !p.starts_with(&rules)),
    );
    pages
}

fn cors_lint(args: &[&str]) -> String {
    let output = Command::cargo_bin("cors-lint")
        .unwrap()
        .current_dir(ROOT)
        .env_remove("NO_COLOR")
        .args(args)
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap()
}

const CHECKS_BEGIN: &str = "<!-- checks-table:begin -->\n";
const CHECKS_END: &str = "<!-- checks-table:end -->";

/// `simulate`'s checks, between `<!-- checks-table:begin -->` and `<!-- checks-table:end -->`
/// (the text unchanged when it has no such table).
fn with_checks_table(text: &str) -> String {
    let Some(begin) = text.find(CHECKS_BEGIN) else {
        return text.to_string();
    };
    let start = begin + CHECKS_BEGIN.len();
    let end = text.find(CHECKS_END).expect("checks-table:end marker");
    let mut table = String::from("| check | the browser blocks because |\n|---|---|\n");
    for c in cors_lint::sim::Check::ALL {
        table.push_str(&format!("| `{}` | {} |\n", c.name(), c.meaning()));
    }
    format!("{}{table}{}", &text[..start], &text[end..])
}

/// Every fenced block after a `<!-- cors-lint: ARGS -->` line replaced by what ARGS print.
fn with_outputs(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    // Markers start a line; one quoted inside a sentence is no marker.
    while let Some(at) = rest
        .match_indices("<!-- cors-lint: ")
        .map(|(at, _)| at)
        .find(|&at| at == 0 || rest[..at].ends_with('\n'))
    {
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
        out.push_str(&rest[..=fence_line_end]);
        out.push_str(&cors_lint(&args.split_whitespace().collect::<Vec<_>>()));
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// The first lines where `actual` and `expected` differ, for a failure message.
fn first_differences(name: &str, actual: &str, expected: &str) -> String {
    let mut lines: Vec<String> = actual
        .lines()
        .zip(expected.lines())
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .take(5)
        .map(|(i, (a, b))| format!("{name}:{}:\n  found:    {a}\n  expected: {b}", i + 1))
        .collect();
    lines.push(format!(
        "{name}: {} lines, expected {}",
        actual.lines().count(),
        expected.lines().count()
    ));
    lines.join("\n")
}

#[test]
fn executed_examples_are_up_to_date() {
    let mut stale = Vec::new();
    let mut checks_tables = Vec::new();
    for page in written_pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        if text.contains(CHECKS_BEGIN) {
            checks_tables.push(rel(&page));
        }
        let expected = with_outputs(&with_checks_table(&text));
        if text == expected {
            continue;
        }
        if bless() {
            std::fs::write(&page, &expected).unwrap();
        } else {
            stale.push(first_differences(&rel(&page), &text, &expected));
        }
    }
    assert_eq!(
        checks_tables.len(),
        1,
        "`simulate`'s checks table is on exactly one page: {checks_tables:?}"
    );
    assert!(
        stale.is_empty(),
        "pages out of date (CORS_LINT_BLESS=1 cargo test --test readme rewrites them):\n{}",
        stale.join("\n")
    );
}

/// What `docs/rules/` must hold: file name → content.
fn generated_rule_pages() -> BTreeMap<String, String> {
    let mut pages = BTreeMap::new();
    pages.insert(
        "README.md".to_string(),
        cors_lint(&["rule", "--all", "--format", "markdown"]),
    );
    for meta in cors_lint::rules::all_meta() {
        let page = cors_lint(&["rule", &meta.code, "--format", "markdown"]);
        assert!(
            page.starts_with(&format!("# {} {}\n", meta.code, meta.name)),
            "{}: {page}",
            meta.code
        );
        pages.insert(format!("{}.md", meta.code), page);
    }
    pages
}

#[test]
fn rule_pages_are_generated_from_the_metadata() {
    let dir = root().join("docs/rules");
    let expected = generated_rule_pages();
    // The address every output format prints for a finding is one of these pages.
    for meta in cors_lint::rules::all_meta() {
        let url = cors_lint::finding::rule_url(&meta.code);
        let name = format!("{}.md", meta.code);
        assert!(
            url.ends_with(&format!("/blob/main/docs/rules/{name}")),
            "{url}"
        );
        assert!(expected.contains_key(&name));
    }
    if bless() {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let present: BTreeSet<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let mut problems = Vec::new();
    for name in present.iter().filter(|n| !expected.contains_key(*n)) {
        if bless() {
            std::fs::remove_file(dir.join(name)).unwrap();
        } else {
            problems.push(format!("docs/rules/{name}: no rule has this page"));
        }
    }
    for (name, content) in &expected {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(actual) if actual == *content => {}
            _ if bless() => std::fs::write(&path, content).unwrap(),
            Ok(actual) => problems.push(first_differences(
                &format!("docs/rules/{name}"),
                &actual,
                content,
            )),
            Err(_) => problems.push(format!("docs/rules/{name}: missing")),
        }
    }
    assert!(
        problems.is_empty(),
        "docs/rules/ differs from `cors-lint rule … --format markdown` \
         (CORS_LINT_BLESS=1 cargo test --test readme rewrites it):\n{}",
        problems.join("\n")
    );
}

#[test]
fn readme_is_short() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(
        lines <= README_MAX_LINES,
        "README.md has {lines} lines, at most {README_MAX_LINES}: move details to docs/"
    );
}

#[test]
fn readme_starts_with_exactly_two_commands() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut lines = readme
        .lines()
        .skip_while(|l| l.starts_with('#') || l.trim().is_empty());
    assert_eq!(lines.next(), Some("```sh"));
    let commands: Vec<&str> = lines.take_while(|l| *l != "```").collect();
    assert_eq!(commands.len(), 2, "{commands:?}");
    assert!(commands[0].starts_with("cargo run --release -- corpus/"));
    assert!(commands[1].starts_with("tests/run"));
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    assert!(
        ci.lines().any(|l| l.trim() == "tests/run"),
        ".ci/run calls the README's test command"
    );
}

/// The anchors GitHub gives a page's headings (github-slugger: lower case, punctuation
/// dropped, spaces to `-`, repeats numbered).
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    for line in prose_lines(text) {
        let Some(heading) = line.strip_prefix('#') else {
            continue;
        };
        let heading = heading.trim_start_matches('#');
        if !heading.starts_with(' ') {
            continue;
        }
        let slug: String = heading
            .trim()
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                _ => None,
            })
            .collect();
        let n = seen.entry(slug.clone()).or_insert(0);
        out.insert(if *n == 0 {
            slug.clone()
        } else {
            format!("{slug}-{n}")
        });
        *n += 1;
    }
    out
}

/// The lines of a Markdown text outside fenced code blocks.
fn prose_lines(text: &str) -> Vec<&str> {
    let mut fence: Option<String> = None;
    let mut out = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        let ticks = trimmed.chars().take_while(|c| *c == '`').count();
        match &fence {
            Some(open) if ticks >= open.len() && trimmed[ticks..].trim().is_empty() => {
                fence = None;
            }
            Some(_) => {}
            None if ticks >= 3 => fence = Some("`".repeat(ticks)),
            None => out.push(line),
        }
    }
    out
}

/// The targets of a text's inline links `[…](target)`, outside code.
fn link_targets(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in prose_lines(text) {
        // Drop code spans, whose brackets are no links.
        let mut prose = String::new();
        let mut in_code = false;
        for c in line.chars() {
            if c == '`' {
                in_code = !in_code;
            } else if !in_code {
                prose.push(c);
            }
        }
        let mut rest = prose.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            out.push(after[..end].to_string());
            rest = &after[end..];
        }
    }
    out
}

#[test]
fn relative_links_resolve() {
    let mut pages = vec![root().join("ARCHITECTURE.md")];
    pages.extend(written_pages());
    pages.extend(markdown_under(&root().join("docs/rules")));
    let mut broken = Vec::new();
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        for target in link_targets(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = match target.split_once('#') {
                Some((file, anchor)) => (file, Some(anchor)),
                None => (target.as_str(), None),
            };
            let path = if file.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(file)
            };
            if !path.exists() {
                broken.push(format!("{}: `{target}`: no such file", rel(page)));
                continue;
            }
            if let Some(anchor) = anchor
                && path.extension().is_some_and(|x| x == "md")
                && !anchors(&std::fs::read_to_string(&path).unwrap()).contains(anchor)
            {
                broken.push(format!("{}: `{target}`: no such heading", rel(page)));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}
