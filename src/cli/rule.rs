//! `cors-lint rule CODE` and `cors-lint rule --all`, from the same metadata as the rules:
//! text for a terminal, JSON, or the Markdown pages kept in `docs/rules/` (`--format
//! markdown`; `tests/readme.rs` requires the pages to be what this prints).

use super::RuleFormat;
use crate::rules::{Example, ExampleKind, FixKind, RuleMeta, all_meta, find_meta};
use serde_json::json;

pub fn run(code: Option<&str>, all: bool, format: RuleFormat) -> i32 {
    if all {
        let metas = all_meta();
        match format {
            RuleFormat::Json => {
                let list: Vec<_> = metas.iter().map(|m| to_json(m)).collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&list).expect("serializable")
                );
            }
            RuleFormat::Markdown => print!("{}", markdown_index(&metas)),
            RuleFormat::Text => print!("{}", table(&metas)),
        }
        return 0;
    }
    let code = code.unwrap_or_default();
    let Some(meta) = find_meta(code) else {
        eprintln!("error: unknown rule `{code}` (see `cors-lint rule --all`)");
        return 2;
    };
    match format {
        RuleFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&to_json(meta)).expect("serializable")
        ),
        RuleFormat::Markdown => print!("{}", markdown_page(meta)),
        RuleFormat::Text => print!("{}", docs(meta)),
    }
    0
}

/// A plain-text table of every rule.
pub fn table(metas: &[&RuleMeta]) -> String {
    let w_code = metas.iter().map(|m| m.code.len()).max().unwrap_or(4).max(4);
    let w_name = metas.iter().map(|m| m.name.len()).max().unwrap_or(4).max(4);
    let mut out = format!(
        "{:w_code$}  {:w_name$}  {:8}  {:7}  SUMMARY\n",
        "CODE", "NAME", "SEVERITY", "DEFAULT"
    );
    for m in metas {
        out.push_str(&format!(
            "{:w_code$}  {:w_name$}  {:8}  {:7}  {}\n",
            m.code,
            m.name,
            m.severity.as_str(),
            if m.default { "yes" } else { "opt-in" },
            m.summary
        ));
    }
    out
}

/// A rule's documentation as Markdown, like `ruff rule`.
pub fn docs(m: &RuleMeta) -> String {
    let mut out = format!("# {} {}\n\n", m.code, m.name);
    out.push_str(&format!(
        "Default severity: {}{} · Fix: {} · Prevents: {} · Dialects: {}\n\n",
        m.severity.as_str(),
        if m.default {
            ""
        } else {
            " · Opt-in: not in the default set (`--extend-select CODE`)"
        },
        m.fix.as_str(),
        m.prevents.join(", "),
        if m.dialects.is_empty() {
            "any".to_string()
        } else {
            m.dialects.join(", ")
        }
    ));
    out.push_str(&format!("{}\n\n", m.summary));
    out.push_str(&format!(
        "## What it does\n\n{}\n\n",
        m.docs.what.trim_end()
    ));
    out.push_str(&format!(
        "## Why is this bad?\n\n{}\n\n",
        m.docs.why.trim_end()
    ));
    let example = |kind: ExampleKind| m.examples.iter().find(|e| e.kind == kind);
    if let Some(bad) = example(ExampleKind::Bad) {
        out.push_str("## Example\n\n");
        push_example(&mut out, bad);
    }
    if let Some(good) = example(ExampleKind::Good) {
        out.push_str("Use instead:\n\n");
        push_example(&mut out, good);
    }
    out.push_str(&format!("## Fix\n\n{}\n", m.docs.fix.trim_end()));
    out
}

fn push_example(out: &mut String, e: &Example) {
    if let Some(note) = &e.note {
        out.push_str(&format!("{note}\n\n"));
    }
    if let Some(config) = &e.config {
        out.push_str(&format!(
            "With this `cors-lint.toml`:\n\n```toml\n{}\n```\n\n",
            config.trim()
        ));
    }
    let (text, _) = e.unmarked();
    let lang = if e.dialect == "torchserve" {
        "properties"
    } else {
        e.dialect.as_str()
    };
    out.push_str(&format!("```{lang}\n{}\n```\n", text.trim_end()));
    if !e.flags.is_empty() {
        out.push_str(&format!("(linted with `{}`)\n", e.flags.join(" ")));
    }
    out.push('\n');
}

fn to_json(m: &RuleMeta) -> serde_json::Value {
    json!({
        "code": m.code,
        "name": m.name,
        "severity": m.severity.as_str(),
        "default": m.default,
        "summary": m.summary,
        "fix": m.fix.as_str(),
        "prevents": m.prevents,
        "dialects": m.dialects,
        "what": m.docs.what.trim_end(),
        "why": m.docs.why.trim_end(),
        "how_to_fix": m.docs.fix.trim_end(),
    })
}

/// Rule families, in the order the index lists them: code prefix, heading, what they know.
const FAMILIES: &[(&str, &str, &str)] = &[
    (
        "CL",
        "cors-lint itself",
        "Files that cannot be read or loaded, and suppressions.",
    ),
    (
        "CORS",
        "All dialects",
        "Rules on the CORS policy IR: they fire the same whatever dialect the policy was read from.",
    ),
    (
        "TS",
        "TorchServe",
        "What only the TorchServe front end knows: keys, values and the launcher.",
    ),
    (
        "NGX",
        "nginx",
        "What only the nginx front end knows: includes and location selection.",
    ),
    (
        "INGX",
        "ingress-nginx",
        "How the controller reads, rejects or defaults each annotation.",
    ),
    (
        "GW",
        "Gateway API",
        "HTTPRoute CORS filters the API server rejects, or whose meaning depends on the implementation.",
    ),
    (
        "IST",
        "Istio",
        "VirtualService `corsPolicy` fields Istio rejects or has deprecated.",
    ),
    (
        "EG",
        "Envoy Gateway",
        "SecurityPolicy `cors` settings rejected, overridden, or aimed at missing targets.",
    ),
    (
        "TFK",
        "Traefik",
        "The `headers` middleware: field types, regexes, versions and unused middlewares.",
    ),
    (
        "KONG",
        "Kong",
        "The `cors` plugin: config types, origin entries and unreferenced plugins.",
    ),
];

fn family(code: &str) -> &str {
    code.trim_end_matches(|c: char| c.is_ascii_digit())
}

/// A dialect as its project spells it.
fn dialect_name(dialect: &str) -> &str {
    match dialect {
        "torchserve" => "TorchServe",
        "gateway-api" => "Gateway API",
        "istio" => "Istio",
        "envoy-gateway" => "Envoy Gateway",
        "nginx-gateway-fabric" => "NGINX Gateway Fabric",
        "traefik" => "Traefik",
        "kong" => "Kong",
        other => other,
    }
}

/// Where a dialect is documented, relative to `docs/rules/`.
fn dialect_link(dialect: &str) -> String {
    let page = match dialect {
        "istio" | "envoy-gateway" | "nginx-gateway-fabric" => {
            format!("gateway-api.md#{dialect}")
        }
        other => format!("{other}.md"),
    };
    format!("[{}](../dialects/{page})", dialect_name(dialect))
}

/// A Markdown code span for `text`, whatever backticks it holds.
fn code_span(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat(longest + 1);
    if longest == 0 {
        format!("{ticks}{text}{ticks}")
    } else {
        format!("{ticks} {text} {ticks}")
    }
}

/// A fenced block of `text` in `lang`, with a fence longer than any run of backticks in it.
fn fenced(lang: &str, text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{lang}\n{}\n{fence}\n", text.trim_end())
}

/// The language GitHub highlights an example's file as.
fn language(e: &Example) -> &'static str {
    let file = e.file_name();
    if file.ends_with(".properties") {
        "properties"
    } else if file.ends_with(".toml") {
        "toml"
    } else if file.ends_with(".yaml") || file.ends_with(".yml") {
        "yaml"
    } else if e.dialect == "nginx" {
        "nginx"
    } else {
        "text"
    }
}

/// A rule's page, `docs/rules/CODE.md`: what `rule_url` links every finding to.
pub fn markdown_page(m: &RuleMeta) -> String {
    let mut out = format!("# {} {}\n\n", m.code, m.name);
    out.push_str(&format!("{}\n\n", m.summary.trim_end()));
    out.push_str(&format!("- **Severity:** {}\n", m.severity.as_str()));
    if m.default {
        out.push_str("- **Default:** yes, it runs unless deselected\n");
    } else {
        out.push_str(&format!(
            "- **Default:** no, opt-in: `--extend-select {code}` or `extend-select = [\"{code}\"]` in \
             [`cors-lint.toml`](../configuration.md)\n",
            code = m.code
        ));
    }
    out.push_str(&format!(
        "- **Fix:** {}\n",
        match m.fix {
            FixKind::Safe => "safe, applied by `--fix`",
            FixKind::Unsafe =>
                "unsafe (it changes what browsers may do), applied by `--fix --unsafe-fixes`",
            FixKind::None => "none",
        }
    ));
    out.push_str(&format!(
        "- **Dialects:** {}\n",
        if m.dialects.is_empty() {
            "any".to_string()
        } else {
            m.dialects
                .iter()
                .map(|d| dialect_link(d))
                .collect::<Vec<_>>()
                .join(", ")
        }
    ));
    if !m.prevents.is_empty() {
        out.push_str(&format!(
            "- **Prevents:** {}\n",
            m.prevents
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if m.once_per_run {
        out.push_str("- **Reported:** once per run, on its first occurrence\n");
    }
    out.push('\n');
    out.push_str(&format!(
        "## What it does\n\n{}\n\n",
        m.docs.what.trim_end()
    ));
    out.push_str(&format!(
        "## Why is this bad?\n\n{}\n\n",
        m.docs.why.trim_end()
    ));
    out.push_str(&format!(
        "## How to fix it\n\n{}\n\n",
        m.docs.fix.trim_end()
    ));
    if !m.examples.is_empty() {
        out.push_str("## Examples\n\n");
        out.push_str(
            "Every example is a test: a bad one must give this rule's finding at the reported \
             bytes, a good one none.\n\n",
        );
    }
    for e in &m.examples {
        markdown_example(&mut out, m, e);
    }
    out.push_str(&format!(
        "---\n\n[All rules](README.md) · `cors-lint rule {}` prints this page in a terminal.\n",
        m.code
    ));
    out
}

fn markdown_example(out: &mut String, m: &RuleMeta, e: &Example) {
    let kind = match e.kind {
        ExampleKind::Bad => "Bad",
        ExampleKind::Good => "Good",
    };
    out.push_str(&format!("### {kind}: {}\n\n", dialect_name(&e.dialect)));
    if let Some(note) = &e.note {
        out.push_str(&format!("{}\n\n", note.trim_end()));
    }
    if let Some(config) = &e.config {
        out.push_str("With this `cors-lint.toml`:\n\n");
        out.push_str(&fenced("toml", config.trim()));
        out.push('\n');
    }
    let (text, span) = e.unmarked();
    let mut facts = vec![format!("`{}`", e.file_name())];
    if !e.flags.is_empty() {
        facts.push(format!("linted with `{}`", e.flags.join(" ")));
    }
    out.push_str(&format!("{}:\n\n", facts.join(", ")));
    out.push_str(&fenced(language(e), &text));
    out.push('\n');
    if let (ExampleKind::Bad, Some((start, end))) = (e.kind, span) {
        let line = text[..start].matches('\n').count() + 1;
        let flagged = &text[start..end];
        if !flagged.is_empty() && !flagged.contains('\n') && flagged.chars().count() <= 80 {
            out.push_str(&format!(
                "Reported at line {line}: {}.\n\n",
                code_span(flagged)
            ));
        } else {
            out.push_str(&format!("Reported at line {line}.\n\n"));
        }
    }
    if !e.also.is_empty() {
        out.push_str(&format!(
            "It also gives {}.\n\n",
            e.also
                .iter()
                .map(|c| format!("[`{c}`]({c}.md)"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(fixed) = &e.fixed {
        let how = match m.fix {
            FixKind::Safe => "`cors-lint --fix`",
            _ => "`cors-lint --fix --unsafe-fixes`",
        };
        out.push_str(&format!("After {how}:\n\n"));
        out.push_str(&fenced(language(e), fixed));
        out.push('\n');
    }
}

/// `docs/rules/README.md`: every rule, by family, each code linked to its page.
pub fn markdown_index(metas: &[&RuleMeta]) -> String {
    let mut out = String::from("# Rules\n\n");
    out.push_str(
        "One page per rule, generated from `rules/CODE.toml` by `cors-lint rule CODE --format \
         markdown` (this index: `cors-lint rule --all --format markdown`); the link every output \
         format prints for a finding leads here. `CORS_LINT_BLESS=1 cargo test --test readme` \
         rewrites the pages, and the test fails when they differ from the metadata.\n\n",
    );
    out.push_str(&format!(
        "{} rules: {} in the default set, {} opt-in; {} with a safe fix, {} with an unsafe one. \
         Severities are `error`, `warning` and `info`. Opt-in rules run only when selected \
         (`--select ALL`, `--extend-select CODE`, or `select`/`extend-select` in \
         [`cors-lint.toml`](../configuration.md)); why the default set is small: \
         [precision](../precision.md).\n\n",
        metas.len(),
        metas.iter().filter(|m| m.default).count(),
        metas.iter().filter(|m| !m.default).count(),
        metas.iter().filter(|m| m.fix == FixKind::Safe).count(),
        metas.iter().filter(|m| m.fix == FixKind::Unsafe).count(),
    ));
    let mut sorted: Vec<&RuleMeta> = metas.to_vec();
    sorted.sort_by(|a, b| a.code.cmp(&b.code));
    let mut families: Vec<(&str, &str, &str)> = FAMILIES.to_vec();
    for m in &sorted {
        let f = family(&m.code);
        if !families.iter().any(|(p, _, _)| *p == f) {
            families.push((f, f, ""));
        }
    }
    for (prefix, heading, about) in families {
        let rules: Vec<&&RuleMeta> = sorted
            .iter()
            .filter(|m| family(&m.code) == prefix)
            .collect();
        if rules.is_empty() {
            continue;
        }
        out.push_str(&format!("## {prefix}: {heading}\n\n"));
        if !about.is_empty() {
            out.push_str(&format!("{about}\n\n"));
        }
        out.push_str(
            "| Code | Name | Severity | Default | Fix | Summary |\n|---|---|---|---|---|---|\n",
        );
        for m in rules {
            out.push_str(&format!(
                "| [`{code}`]({code}.md) | `{}` | {} | {} | {} | {} |\n",
                m.name,
                m.severity.as_str(),
                if m.default { "yes" } else { "opt-in" },
                m.fix.as_str(),
                m.summary.trim_end().replace('|', "\\|"),
                code = m.code,
            ));
        }
        out.push('\n');
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}
