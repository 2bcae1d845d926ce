//! `cors-lint rule CODE` and `cors-lint rule --all`, from the same metadata as the rules.

use crate::rules::{ExampleKind, RuleMeta, all_meta, find_meta};
use serde_json::json;

pub fn run(code: Option<&str>, all: bool, as_json: bool) -> i32 {
    if all {
        let metas = all_meta();
        if as_json {
            let list: Vec<_> = metas.iter().map(|m| to_json(m)).collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&list).expect("serializable")
            );
        } else {
            print!("{}", table(&metas));
        }
        return 0;
    }
    let code = code.unwrap_or_default();
    let Some(meta) = find_meta(code) else {
        eprintln!("error: unknown rule `{code}` (see `cors-lint rule --all`)");
        return 2;
    };
    if as_json {
        println!(
            "{}",
            serde_json::to_string_pretty(&to_json(meta)).expect("serializable")
        );
    } else {
        print!("{}", docs(meta));
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

fn push_example(out: &mut String, e: &crate::rules::Example) {
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
