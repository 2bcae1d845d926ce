//! `cors-lint fmt`: rewrite each CORS value in place into the normalized form of its own
//! dialect — methods upper-case in the usual order, well-known header names in their
//! standard spelling, sorted, without duplicates, `, ` between entries, values trimmed —
//! touching only the bytes of those values. Defaults stay implicit.
//!
//! Formatting must never change who is allowed. Every proposal is therefore applied, the
//! file lowered again and each policy compared with the original over the browser request
//! space, on answers and on errors (`behaviour::check`); a proposal the front end refuses or that changes any verdict is dropped
//! for a weaker one (e.g. the same list with the written case kept) and said in a note.

mod lists;

use crate::behaviour;
use crate::frontend::{Dialect, Options};
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
    /// The edits that made `bytes`: only a finding about bytes they rewrite may go away.
    pub edits: Vec<Edit>,
    pub notes: Vec<Note>,
}

/// Safe fixes that only normalize how a value is written; `fmt` applies them too (still
/// checked for equivalence like every other proposal). Defaults stay implicit: writing one
/// out would hide the finding that says it is in force (`INGX001`).
const NORMALIZING_FIXES: [&str; 1] = ["CORS007"];

/// Normalize one file; `Err` is the input error that stops it (a located message).
pub fn format(
    file: &SourceFile,
    dialect: Dialect,
    settings: &Settings,
) -> Result<Formatted, String> {
    let before = behaviour::lower(file.bytes(), file.name(), dialect, &settings.options)?;
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
    Ok(Formatted {
        bytes,
        edits: accepted,
        notes,
    })
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
    behaviour::check(file.name(), dialect, options, before, &bytes).map_err(|c| c.to_string())
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
