//! What `check` keeps of each linted file until the report is written.
//!
//! The line formats (`full`, `concise`, `github`) are a sequence of per-file parts, so a file
//! whose findings no other file can change is rendered by the worker that linted it and only
//! its text, outcome and totals are kept: memory grows with the output, not with the sources
//! and findings of every file. A file whose findings another file can change — an object
//! it defines is used, or one it names is defined, only elsewhere (Traefik middlewares,
//! KongPlugins, policy targets; [`crossref::settled`]) — a file that includes others (nginx),
//! or one that could not be read, is kept whole until every file has been read; so is every
//! file for the document formats, `--statistics`, `--fix` and `--diff`.

use super::crossref;
use crate::finding::Severity;
use crate::frontend::Objects;
use crate::lint::{FileReport, Outcome};
use crate::report::{self, GraphicalOptions, Totals};

/// The formats rendered one file at a time.
#[derive(Clone, Copy, Debug)]
pub enum PerFile {
    Full(GraphicalOptions),
    /// Coloured or not.
    Concise(bool),
    Github,
}

impl PerFile {
    pub fn render(self, r: &FileReport) -> String {
        let one = std::slice::from_ref(r);
        match self {
            PerFile::Full(options) => report::graphical_file(r, options),
            PerFile::Concise(color) => report::concise_with(one, color),
            PerFile::Github => report::github(one),
        }
    }

    /// What follows the per-file parts.
    pub fn trailer(self, totals: Totals) -> String {
        match self {
            PerFile::Full(_) => format!("{}\n", report::footer(totals)),
            // Nothing linted: the warning on standard error says so.
            PerFile::Concise(_) if totals.files == 0 => String::new(),
            PerFile::Concise(_) => format!("{}\n", report::summary(totals)),
            PerFile::Github => String::new(),
        }
    }
}

pub enum Kept {
    Whole(Box<FileReport>),
    Rendered(Rendered),
}

/// A file's part of the report, already rendered.
pub struct Rendered {
    pub path: String,
    pub outcome: Outcome,
    pub text: String,
    pub totals: Totals,
    /// What it defines and uses, for the files kept whole.
    pub objects: Objects,
}

impl Kept {
    /// Rendered now when `per_file` is given and nothing later can change the findings.
    pub fn new(r: FileReport, per_file: Option<PerFile>) -> Kept {
        match per_file {
            Some(format)
                if crossref::settled(&r)
                    && !super::once::holds_any(&r)
                    && r.included.is_empty()
                    && !matches!(r.outcome, Outcome::Failed) =>
            {
                Kept::Rendered(Rendered {
                    text: format.render(&r),
                    totals: report::totals(std::slice::from_ref(&r)),
                    path: r.path,
                    outcome: r.outcome,
                    objects: r.objects,
                })
            }
            _ => Kept::Whole(Box::new(r)),
        }
    }

    pub fn path(&self) -> &str {
        match self {
            Kept::Whole(r) => &r.path,
            Kept::Rendered(r) => &r.path,
        }
    }

    pub fn outcome(&self) -> &Outcome {
        match self {
            Kept::Whole(r) => &r.outcome,
            Kept::Rendered(r) => &r.outcome,
        }
    }

    pub fn totals(&self) -> Totals {
        match self {
            Kept::Whole(r) => report::totals(std::slice::from_ref(r)),
            Kept::Rendered(r) => r.totals,
        }
    }

    /// The most severe finding, if any.
    pub fn worst(&self) -> Option<Severity> {
        let t = self.totals();
        [
            (t.errors, Severity::Error),
            (t.warnings, Severity::Warning),
            (t.infos, Severity::Info),
        ]
        .into_iter()
        .find(|(n, _)| *n > 0)
        .map(|(_, s)| s)
    }

    pub fn rendered(&self) -> Option<&Rendered> {
        match self {
            Kept::Whole(_) => None,
            Kept::Rendered(r) => Some(r),
        }
    }

    pub fn whole(&self) -> Option<&FileReport> {
        match self {
            Kept::Whole(r) => Some(r.as_ref()),
            Kept::Rendered(_) => None,
        }
    }

    pub fn into_whole(self) -> Option<FileReport> {
        match self {
            Kept::Whole(r) => Some(*r),
            Kept::Rendered(_) => None,
        }
    }

    pub fn whole_mut(&mut self) -> Option<&mut FileReport> {
        match self {
            Kept::Whole(r) => Some(r.as_mut()),
            Kept::Rendered(_) => None,
        }
    }

    /// This file's part of a per-file report.
    pub fn text(&self, format: PerFile) -> std::borrow::Cow<'_, str> {
        match self {
            Kept::Whole(r) => format.render(r).into(),
            Kept::Rendered(r) => r.text.as_str().into(),
        }
    }
}
