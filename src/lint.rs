//! Lint one file: read → recognise → front end → rules → findings.

use crate::finding::{Finding, Severity};
use crate::frontend::kube::Stream;
use crate::frontend::{self, Dialect, InputError, Lowered, Options};
use crate::rules::{self, CL000, Reporter, Unit};
use crate::selection::Selection;
use crate::source::{Encoding, SourceFile, Span};
use crate::suppress::Suppression;
use std::io::Read;
use std::path::Path;

/// Files larger than this are refused (CL000) rather than read into memory.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Clone, Debug, Default)]
pub struct Settings {
    pub options: Options,
    pub selection: Selection,
    /// The organisation's CORS policy (`[policy]` of `cors-lint.toml`), for CORS032.
    pub org_policy: Option<std::sync::Arc<crate::config::policy::OrgPolicy>>,
}

#[derive(Debug)]
pub enum Outcome {
    Linted {
        dialect: Dialect,
        because: String,
    },
    /// No front end reads this file.
    Skipped {
        reason: String,
    },
    /// It could not be read or parsed (a CL000 finding says why).
    Failed,
}

pub struct FileReport {
    /// The path as given or as reached by walking.
    pub path: String,
    pub source: Option<SourceFile>,
    pub findings: Vec<Finding>,
    pub outcome: Outcome,
    /// Files read as part of this one (nginx `include`), with the findings located in them.
    pub included: Vec<FileReport>,
    /// Objects it defines and uses, for resolution across the files of a run.
    pub objects: frontend::Objects,
    /// Its `cors-lint: ignore` comments and annotations, for findings added across files.
    pub suppressions: Vec<crate::suppress::Suppression>,
}

impl FileReport {
    fn failed(path: String, source: Option<SourceFile>, span: Span, message: String) -> FileReport {
        FileReport {
            path,
            source,
            findings: vec![input_error(span, message)],
            outcome: Outcome::Failed,
            included: Vec::new(),
            objects: frontend::Objects::default(),
            suppressions: Vec::new(),
        }
    }
}

fn input_error(span: Span, message: String) -> Finding {
    Finding {
        code: CL000.code.as_str(),
        name: CL000.name.as_str(),
        severity: Severity::Error,
        message,
        note: None,
        help: None,
        span,
        label: "here".into(),
        related: Vec::new(),
        fix: None,
    }
}

/// Read and lint a file found on disk. `path` is shown as given.
pub fn lint_path(path: &Path, shown: String, settings: &Settings) -> FileReport {
    lint_path_as(path, shown, settings, None)
}

/// [`lint_path`], read as `dialect` when the configuration says (`[dialects]`).
pub fn lint_path_as(
    path: &Path,
    shown: String,
    settings: &Settings,
    dialect: Option<Dialect>,
) -> FileReport {
    let bytes = match read_regular_file(path) {
        Ok(b) => b,
        Err(message) => return FileReport::failed(shown, None, Span::empty(0), message),
    };
    lint_named_bytes_as(path, shown, bytes, settings, dialect)
}

/// Lint bytes read elsewhere (standard input) as if they were the file at `path`: its name
/// and the bytes decide the dialect. `path` is shown as given.
pub fn lint_named_bytes(
    path: &Path,
    shown: String,
    bytes: Vec<u8>,
    settings: &Settings,
) -> FileReport {
    lint_named_bytes_as(path, shown, bytes, settings, None)
}

/// [`lint_named_bytes`], read as `dialect` when the configuration says (`[dialects]`).
pub fn lint_named_bytes_as(
    path: &Path,
    shown: String,
    bytes: Vec<u8>,
    settings: &Settings,
    dialect: Option<Dialect>,
) -> FileReport {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // The file comes before its dialect (and so its encoding) is known, so that the YAML
    // stream parsed to recognise it is the one lowered.
    let file = SourceFile::new(shown, bytes, Encoding::Utf8);
    let stream = Stream::new(file.bytes());
    let recognised = match dialect {
        Some(d) => Ok((d, "cors-lint.toml `[dialects]` says so".to_string())),
        None => frontend::recognise_stream(&file_name, &stream),
    };
    match recognised {
        Ok((dialect, because)) if dialect.encoding() == file.encoding() => {
            let read = read(dialect, &file, &stream, settings);
            drop(stream);
            report(file, read, dialect, because, settings)
        }
        // Another encoding (TorchServe's ISO-8859-1): a dialect that reads no YAML.
        Ok((dialect, because)) => {
            drop(stream);
            lint_file(
                file.with_encoding(dialect.encoding()),
                dialect,
                because,
                settings,
            )
        }
        Err(reason) => FileReport {
            path: file.name().to_string(),
            source: None,
            findings: Vec::new(),
            outcome: Outcome::Skipped { reason },
            included: Vec::new(),
            objects: frontend::Objects::default(),
            suppressions: Vec::new(),
        },
    }
}

fn read_regular_file(path: &Path) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {}", io_message(&e)))?;
    if meta.is_dir() {
        return Err("is a directory".into());
    }
    if !meta.is_file() {
        return Err("not a regular file (a FIFO, socket or device is never read)".into());
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "file is {} bytes, over the {} MiB limit; it was not read",
            meta.len(),
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read: {}", io_message(&e)))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "file grew over the {} MiB limit while being read",
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    Ok(bytes)
}

fn io_message(e: &std::io::Error) -> String {
    // "No such file or directory (os error 2)" -> "No such file or directory"
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Lint bytes as the given dialect.
pub fn lint_bytes(
    shown: String,
    bytes: Vec<u8>,
    dialect: Dialect,
    because: String,
    settings: &Settings,
) -> FileReport {
    lint_file(
        SourceFile::new(shown, bytes, dialect.encoding()),
        dialect,
        because,
        settings,
    )
}

/// [`lint_bytes`] of a file already made (in its dialect's encoding).
fn lint_file(
    file: SourceFile,
    dialect: Dialect,
    because: String,
    settings: &Settings,
) -> FileReport {
    let stream = Stream::new(file.bytes());
    let read = read(dialect, &file, &stream, settings);
    drop(stream);
    report(file, read, dialect, because, settings)
}

/// What is read from the file's bytes: its policies and facts, and its suppressions (both
/// from one YAML stream, which borrows the file and so must be gone before the report
/// takes it).
fn read(
    dialect: Dialect,
    file: &SourceFile,
    stream: &Stream,
    settings: &Settings,
) -> Result<(Lowered, Vec<Suppression>), InputError> {
    let lowered = frontend::lower_stream(dialect, file, stream, &settings.options)?;
    Ok((lowered, crate::suppress::find_stream(file, dialect, stream)))
}

/// The rules' findings on what [`read`] found, suppressions applied.
fn report(
    file: SourceFile,
    read: Result<(Lowered, Vec<Suppression>), InputError>,
    dialect: Dialect,
    because: String,
    settings: &Settings,
) -> FileReport {
    let (lowered, mut suppressions) = match read {
        Ok(r) => r,
        Err(e) => {
            let shown = file.name().to_string();
            return FileReport::failed(shown, Some(file), e.span.unwrap_or_default(), e.message);
        }
    };
    let unit = Unit {
        file: &file,
        policies: &lowered.policies,
        facts: &lowered.facts,
        org_policy: settings.org_policy.as_deref(),
    };
    let mut findings = run_rules(&unit, &settings.selection);
    let mut included = split_included(&mut findings, &file, &lowered.included, dialect);
    crate::suppress::apply(&mut findings, &mut suppressions, &settings.selection);
    for inc in &mut included {
        if let Some(src) = &inc.source {
            let mut s = crate::suppress::find(src, dialect);
            crate::suppress::apply(&mut inc.findings, &mut s, &settings.selection);
            inc.suppressions = s;
        }
    }
    let mut objects = lowered.objects;
    for o in objects.defines.iter_mut().chain(&mut objects.references) {
        o.line = file.position(o.span.start).line;
    }
    FileReport {
        path: file.name().to_string(),
        source: Some(file),
        findings,
        outcome: Outcome::Linted { dialect, because },
        included,
        objects,
        suppressions,
    }
}

/// Every enabled rule over one file's policies and facts, in file order, one finding per rule
/// and span (a header set in a `server` reaches every location).
pub fn run_rules(unit: &Unit, selection: &Selection) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in rules::RULES {
        let meta = rule.meta();
        if !selection.enabled(&meta.code) {
            continue;
        }
        let start = findings.len();
        rule.check(unit, &mut Reporter::new(meta, &mut findings));
        for f in &mut findings[start..] {
            f.severity = selection.severity(&meta.code, f.severity);
        }
    }
    findings.sort_by(|a, b| {
        (a.span.start, a.span.end, a.code).cmp(&(b.span.start, b.span.end, b.code))
    });
    findings.dedup_by(|a, b| a.code == b.code && a.span == b.span);
    merge_branch_repeats(&mut findings, unit.policies);
    findings.retain(|f| selection.shown(f.severity));
    findings
}

/// A branch (an nginx `if ($request_method = OPTIONS)` in a location) that repeats a finding
/// of its parent place repeats one cause: the parent's finding stays, pointing at the
/// branch's bytes and carrying their fix, and the branch's goes.
fn merge_branch_repeats(findings: &mut Vec<Finding>, policies: &[crate::ir::CorsPolicy]) {
    let branches: Vec<crate::ir::Branch> = policies.iter().filter_map(|p| p.scope.branch).collect();
    if branches.is_empty() {
        return;
    }
    let in_any_branch = |s: Span| branches.iter().any(|b| b.block.contains(s));
    let mut i = 0;
    while i < findings.len() {
        let repeat = &findings[i];
        let parent = branches
            .iter()
            .filter(|b| b.block.contains(repeat.span))
            .find_map(|b| {
                findings.iter().position(|g| {
                    g.code == repeat.code
                        && b.parent.contains(g.span)
                        && !in_any_branch(g.span)
                        && fixes_combine(g, repeat)
                })
            });
        let Some(p) = parent else {
            i += 1;
            continue;
        };
        let repeat = findings.remove(i);
        let p = if p > i { p - 1 } else { p };
        let kept = &mut findings[p];
        kept.related.push(crate::finding::Related {
            span: repeat.span,
            message: "repeated in this branch".into(),
        });
        if let (Some(fix), Some(more)) = (&mut kept.fix, repeat.fix) {
            fix.edits.extend(more.edits);
            fix.edits.sort_by_key(|e| (e.span.start, e.span.end));
        }
    }
}

/// Two findings merge when the result's fix still says what `--fix` does: the repeat offers
/// none, or both offer fixes of one safety.
fn fixes_combine(kept: &Finding, repeat: &Finding) -> bool {
    match (&kept.fix, &repeat.fix) {
        (_, None) => true,
        (Some(a), Some(b)) => a.safe == b.safe,
        (None, Some(_)) => false,
    }
}

/// Move the findings located in included files (spans at or after their `base`) into one
/// report per file, with spans relative to that file. A related span in another file than
/// its finding becomes a line of the help.
fn split_included(
    findings: &mut Vec<Finding>,
    top: &SourceFile,
    included: &[frontend::nginx::include::Included],
    dialect: Dialect,
) -> Vec<FileReport> {
    if included.is_empty() {
        return Vec::new();
    }
    let files: Vec<SourceFile> = included
        .iter()
        .map(|i| {
            SourceFile::new(
                i.path.to_string_lossy().into_owned(),
                i.bytes.clone(),
                dialect.encoding(),
            )
        })
        .collect();
    // Which file a span starts in: `None` for the top file, else an index into `included`.
    let owner = |s: Span| included.iter().rposition(|i| i.base <= s.start);
    let rebase = |s: Span, o: Option<usize>| match o {
        None => s,
        Some(k) => Span::new(s.start - included[k].base, s.end - included[k].base),
    };
    let where_is = |s: Span| {
        let o = owner(s);
        let (name, file) = match o {
            None => (top.name().to_string(), top),
            Some(k) => (files[k].name().to_string(), &files[k]),
        };
        let pos = file.position(rebase(s, o).start);
        format!("{name}:{}:{}", pos.line, pos.column)
    };
    let mut per_file: Vec<Vec<Finding>> = vec![Vec::new(); included.len()];
    let mut keep = Vec::new();
    for mut f in findings.drain(..) {
        let o = owner(f.span);
        let mut moved_related = Vec::new();
        f.related.retain(|r| {
            let same = owner(r.span) == o;
            if !same {
                moved_related.push(format!("{} at {}", r.message, where_is(r.span)));
            }
            same
        });
        for r in &mut f.related {
            r.span = rebase(r.span, o);
        }
        if !moved_related.is_empty() {
            let extra = moved_related.join("; ");
            f.help = Some(match f.help.take() {
                Some(h) => format!("{h}\n{extra}"),
                None => extra,
            });
        }
        // A fix applies to the file its finding is in; one that edits another file is dropped.
        if let Some(fix) = &mut f.fix {
            if fix.edits.iter().all(|e| owner(e.span) == o) {
                for e in &mut fix.edits {
                    e.span = rebase(e.span, o);
                }
            } else {
                f.fix = None;
            }
        }
        f.span = rebase(f.span, o);
        match o {
            None => keep.push(f),
            Some(k) => per_file[k].push(f),
        }
    }
    *findings = keep;
    files
        .into_iter()
        .zip(per_file)
        .map(|(file, findings)| FileReport {
            path: file.name().to_string(),
            source: Some(file),
            findings,
            outcome: Outcome::Linted {
                dialect,
                because: format!("included by {}", top.name()),
            },
            included: Vec::new(),
            objects: frontend::Objects::default(),
            suppressions: Vec::new(),
        })
        .collect()
}
