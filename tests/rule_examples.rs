//! Every example in `rules/*.toml` is a test: a bad example must produce exactly one finding
//! of its rule, at the bytes marked `«…»`; a good example none. Any other code must be listed
//! in the example's `also` (and must then really appear, so `also` never goes stale).

use clap::Parser;
use cors_lint::cli::{CheckArgs, build_settings};
use cors_lint::frontend::Dialect;
use cors_lint::lint::lint_bytes;
use cors_lint::rules::{Example, ExampleKind, RuleMeta, all_meta};
use libtest_mimic::{Arguments, Failed, Trial};

#[derive(Parser)]
struct Flags {
    #[command(flatten)]
    check: CheckArgs,
}

fn run(meta: &'static RuleMeta, ex: &'static Example) -> Result<(), Failed> {
    let (text, marked) = ex.unmarked();
    // Every rule runs, opt-in ones too, unless the example selects its own.
    let select_all = (!ex.flags.iter().any(|f| f.starts_with("--select")))
        .then(|| ["--select".to_string(), "ALL".to_string()])
        .into_iter()
        .flatten();
    let flags = Flags::try_parse_from(
        std::iter::once("cors-lint".to_string())
            .chain(select_all)
            .chain(ex.flags.iter().cloned()),
    )
    .map_err(|e| format!("bad flags {:?}: {e}", ex.flags))?;
    let mut settings = build_settings(&flags.check)?;
    if let Some(config) = &ex.config {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = dir.path().join(cors_lint::config::FILE_NAME);
        std::fs::write(&path, config).map_err(|e| e.to_string())?;
        let c = cors_lint::config::load(&path).map_err(|e| e.message)?;
        settings.org_policy = c.policy.map(std::sync::Arc::new);
    }
    let dialect =
        Dialect::from_name(&ex.dialect).ok_or_else(|| format!("unknown dialect {}", ex.dialect))?;
    let report = lint_bytes(
        ex.file_name().to_string(),
        text.clone().into_bytes(),
        dialect,
        "example".into(),
        &settings,
    );
    let show = |f: &cors_lint::finding::Finding| {
        format!(
            "{} {}..{} {:?}: {}",
            f.code,
            f.span.start,
            f.span.end,
            &text.get(f.span.range()).unwrap_or("?"),
            f.message
        )
    };

    let unexpected: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.code != meta.code && !ex.also.iter().any(|a| a == f.code))
        .map(show)
        .collect();
    if !unexpected.is_empty() {
        return Err(format!(
            "unexpected findings from other rules:\n  {}",
            unexpected.join("\n  ")
        )
        .into());
    }
    for code in &ex.also {
        if !report.findings.iter().any(|f| f.code == code) {
            return Err(format!("`also` lists {code}, which this example does not produce").into());
        }
    }

    let mine: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.code == meta.code)
        .collect();
    match ex.kind {
        ExampleKind::Good if mine.is_empty() => Ok(()),
        ExampleKind::Good => Err(format!(
            "good example produced {}:\n  {}",
            meta.code,
            mine.iter()
                .map(|f| show(f))
                .collect::<Vec<_>>()
                .join("\n  ")
        )
        .into()),
        ExampleKind::Bad => {
            let Some((start, end)) = marked else {
                return Err("bad example has no «…» marker".into());
            };
            match mine.as_slice() {
                [f] if (f.span.start, f.span.end) == (start, end) => {
                    check_message_is_a_headline(f)?;
                    check_fix(meta, ex, &text, f)?;
                    check_safe_fix_keeps_behaviour(ex, dialect, &settings, &text, f)?;
                    check_fixed_lints_clean(meta, ex, dialect, &settings)
                }
                [f] => Err(format!(
                    "{} reported at {}..{} {:?}, expected {start}..{end} {:?}",
                    meta.code,
                    f.span.start,
                    f.span.end,
                    text.get(f.span.range()).unwrap_or("?"),
                    &text[start..end]
                )
                .into()),
                _ => Err(format!(
                    "expected exactly one {} finding, got {}:\n  {}",
                    meta.code,
                    mine.len(),
                    mine.iter()
                        .map(|f| show(f))
                        .collect::<Vec<_>>()
                        .join("\n  ")
                )
                .into()),
            }
        }
    }
}

/// The longest message a finding may have, in words: a headline, as ruff's; the mechanism
/// goes to its `note`, the remedy to `help`.
const MAX_MESSAGE_WORDS: usize = 30;

fn check_message_is_a_headline(f: &cors_lint::finding::Finding) -> Result<(), Failed> {
    let words = f.message.split_whitespace().count();
    if words > MAX_MESSAGE_WORDS {
        return Err(format!(
            "{}'s message has {words} words (at most {MAX_MESSAGE_WORDS}; move the why to a note): {}",
            f.code, f.message
        )
        .into());
    }
    Ok(())
}

/// A rule that offers a fix must offer it on its bad examples that say what they become
/// (`fixed`), and the fix must produce exactly that text; a rule declared without a fix
/// offers none.
fn check_fix(
    meta: &RuleMeta,
    ex: &Example,
    text: &str,
    f: &cors_lint::finding::Finding,
) -> Result<(), Failed> {
    use cors_lint::rules::FixKind;
    match (&f.fix, &ex.fixed, meta.fix) {
        (None, None, _) => Ok(()),
        (Some(_), _, FixKind::None) => Err(format!(
            "{} offers a fix but its metadata says `fix = \"none\"`",
            meta.code
        )
        .into()),
        (Some(fix), _, kind) if fix.safe != (kind == FixKind::Safe) => Err(format!(
            "{} offers a fix with safe = {} but its metadata says `fix = \"{}\"`",
            meta.code,
            fix.safe,
            kind.as_str()
        )
        .into()),
        (Some(fix), Some(want), _) => {
            let (got, _) = cors_lint::source::apply_edits(text.as_bytes(), &fix.edits);
            let got = String::from_utf8(got).map_err(|e| e.to_string())?;
            if got.trim_end() == want.trim_end() {
                Ok(())
            } else {
                Err(format!("the fix gives:\n{got}\nexpected:\n{want}").into())
            }
        }
        (Some(fix), None, _) => Err(format!(
            "{} offers a fix ({}); say what the example becomes with a `fixed` text",
            meta.code, fix.description
        )
        .into()),
        (None, Some(_), _) => Err("the example has `fixed` but the finding offers no fix".into()),
    }
}

/// A fix marked safe leaves every browser call's verdict and readable headers as they were.
fn check_safe_fix_keeps_behaviour(
    ex: &Example,
    dialect: Dialect,
    settings: &cors_lint::lint::Settings,
    text: &str,
    f: &cors_lint::finding::Finding,
) -> Result<(), Failed> {
    let Some(fix) = f.fix.as_ref().filter(|x| x.safe) else {
        return Ok(());
    };
    let options = &settings.options;
    let before = cors_lint::behaviour::lower(text.as_bytes(), ex.file_name(), dialect, options)?;
    let (fixed, _) = cors_lint::source::apply_edits(text.as_bytes(), &fix.edits);
    cors_lint::behaviour::check(ex.file_name(), dialect, options, &before, &fixed)
        .map_err(|c| format!("the safe fix `{}` changes behaviour: {c}", fix.description).into())
}

/// The `fixed` text is what the fix promises: it parses, and the rule no longer reports it.
fn check_fixed_lints_clean(
    meta: &RuleMeta,
    ex: &Example,
    dialect: Dialect,
    settings: &cors_lint::lint::Settings,
) -> Result<(), Failed> {
    let Some(fixed) = &ex.fixed else {
        return Ok(());
    };
    let report = lint_bytes(
        ex.file_name().to_string(),
        fixed.clone().into_bytes(),
        dialect,
        "example".into(),
        settings,
    );
    match report
        .findings
        .iter()
        .find(|f| f.code == meta.code || f.code == "CL000")
    {
        Some(f) => Err(format!("the fixed text still has {}: {}", f.code, f.message).into()),
        None => Ok(()),
    }
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for meta in all_meta() {
        for (i, ex) in meta.examples.iter().enumerate() {
            let kind = match ex.kind {
                ExampleKind::Bad => "bad",
                ExampleKind::Good => "good",
            };
            trials.push(Trial::test(
                format!("{}::{kind}_{i}", meta.code),
                move || run(meta, ex),
            ));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
