//! `cors-lint fmt`: rewrite each CORS value in place into the normalized form of its own
//! dialect — methods upper-case in the usual order, well-known header names in their
//! standard spelling, sorted, without duplicates, `, ` between entries, defaults that hide a
//! decision written out — touching only the bytes of those values.
//!
//! Formatting must never change who is allowed. Every proposal is therefore applied, the
//! file lowered again and each policy compared with the original over the browser request
//! space (`equiv`); a proposal the front end refuses or that changes any verdict is dropped
//! for a weaker one (e.g. the same list with the written case kept) and said in a note.

mod lists;

use crate::equiv;
use crate::frontend::{self, Dialect, Options};
use crate::ir::CorsPolicy;
use crate::lint::{self, Settings};
use crate::source::{Edit, SourceFile, Span, apply_edits};

/// One value to normalize, with its rewrites from the most to the least normalized.
#[derive(Clone, Debug)]
pub struct Proposal {
    /// The bytes it rewrites, for notes.
    pub at: Span,
    /// E.g. "`Access-Control-Allow-Methods`".
    pub what: String,
    pub variants: Vec<Variant>,
}

#[derive(Clone, Debug)]
pub struct Variant {
    /// What this rewrite does beyond the next one, for the note when it is dropped
    /// (e.g. "upper-casing the methods").
    pub does: String,
    pub edits: Vec<Edit>,
    /// How much it normalizes (0 the most); variants of one level differ only in syntax
    /// (e.g. the separator an nginx bare word allows).
    pub level: u8,
}

/// Why a proposal (or its strongest variant) was not applied.
#[derive(Clone, Debug)]
pub struct Note {
    pub at: Span,
    pub message: String,
}

pub struct Formatted {
    pub bytes: Vec<u8>,
    pub notes: Vec<Note>,
}

/// Safe fixes that only write out what the server already does; `fmt` applies them too
/// (still checked for equivalence like every other proposal).
const NORMALIZING_FIXES: [&str; 2] = ["INGX001", "CORS007"];

/// Normalize one file; `Err` is the input error that stops it (a located message).
pub fn format(
    file: &SourceFile,
    dialect: Dialect,
    settings: &Settings,
) -> Result<Formatted, String> {
    let before = lower(file.bytes(), file.name(), dialect, &settings.options)
        .map_err(|e| e.unwrap_or_else(|| "the file cannot be read".into()))?;
    let mut proposals = lists::proposals(file, &before);
    proposals.extend(fix_proposals(file, dialect, settings));

    let mut accepted: Vec<Edit> = Vec::new();
    let mut notes = Vec::new();
    for p in proposals {
        // Why the strongest normalization (the first variants' level) was not possible.
        let mut why_not_strongest: Option<String> = None;
        let strongest = p.variants.first().map_or(0, |v| v.level);
        let mut done = false;
        for v in &p.variants {
            let mut tried = accepted.clone();
            if v.edits.iter().any(|e| overlaps(&tried, e)) {
                continue;
            }
            tried.extend(v.edits.iter().cloned());
            match check(file, dialect, &settings.options, &before, &tried) {
                Ok(()) => {
                    accepted = tried;
                    if v.level > strongest
                        && let Some(why) = why_not_strongest.take()
                    {
                        notes.push(Note {
                            at: p.at,
                            message: format!(
                                "{}: not {} ({why}){}",
                                p.what,
                                p.variants[0].does,
                                hint(&why)
                            ),
                        });
                    }
                    done = true;
                    break;
                }
                Err(why) if v.level == strongest => why_not_strongest = Some(why),
                Err(_) => {}
            }
        }
        if !done && let Some(why) = why_not_strongest {
            notes.push(Note {
                at: p.at,
                message: format!("{}: left as written ({why}){}", p.what, hint(&why)),
            });
        }
    }
    let (bytes, _) = apply_edits(file.bytes(), &accepted);
    Ok(Formatted { bytes, notes })
}

/// Where a change of behaviour is what the user wants, the linter's unsafe fixes make it.
fn hint(why: &str) -> &'static str {
    if why.starts_with("that would change") {
        "; `cors-lint check --fix --unsafe-fixes` makes such changes where a rule reports them"
    } else {
        ""
    }
}

fn overlaps(edits: &[Edit], e: &Edit) -> bool {
    edits.iter().any(|o| {
        o == e
            || (o.span.start < e.span.end && e.span.start < o.span.end)
            || (o.span.is_empty() && e.span.is_empty() && o.span.start == e.span.start)
    })
}

/// The policies of `bytes`; `Err(Some(message))` when the front end refuses them.
fn lower(
    bytes: &[u8],
    name: &str,
    dialect: Dialect,
    options: &Options,
) -> Result<Vec<CorsPolicy>, Option<String>> {
    let file = SourceFile::new(name, bytes.to_vec(), dialect.encoding());
    frontend::lower(dialect, &file, options)
        .map(|l| l.policies)
        .map_err(|e| {
            let at = e
                .span
                .map(|s| file.position(s.start))
                .map(|p| format!("{}:{}: ", p.line, p.column))
                .unwrap_or_default();
            Some(format!("{at}{}", e.message))
        })
}

/// `Ok` when the edited file still parses and every policy lets browsers make exactly the
/// same calls; otherwise why not, in a few words.
fn check(
    file: &SourceFile,
    dialect: Dialect,
    options: &Options,
    before: &[CorsPolicy],
    edits: &[Edit],
) -> Result<(), String> {
    let (bytes, _) = apply_edits(file.bytes(), edits);
    let after = lower(&bytes, file.name(), dialect, options)
        .map_err(|_| "the result would not parse".to_string())?;
    if after.len() != before.len() {
        return Err("the result would hold another number of policies".into());
    }
    for (b, a) in before.iter().zip(&after) {
        let c = equiv::compare(b, a);
        if let Some(d) = c.differences.first() {
            return Err(format!(
                "that would change what browsers may do: {} would be {} instead of {}",
                d.call,
                d.after.describe(),
                d.before.describe()
            ));
        }
    }
    Ok(())
}

/// The normalizing safe fixes the rules offer for this file.
fn fix_proposals(file: &SourceFile, dialect: Dialect, settings: &Settings) -> Vec<Proposal> {
    let report = lint::lint_bytes(
        file.name().to_string(),
        file.bytes().to_vec(),
        dialect,
        String::new(),
        settings,
    );
    report
        .findings
        .into_iter()
        .filter(|f| NORMALIZING_FIXES.contains(&f.code))
        .filter_map(|f| {
            let fix = f.fix.filter(|x| x.safe)?;
            Some(Proposal {
                at: f.span,
                what: format!("{} ({})", f.code, fix.description),
                variants: vec![Variant {
                    does: fix.description,
                    edits: fix.edits,
                    level: 0,
                }],
            })
        })
        .collect()
}
