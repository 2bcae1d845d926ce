//! `cors-lint diff OLD NEW`: do two configurations — in any dialects — let browsers make the
//! same calls? Policies are paired by scope; each pair is compared over one request space
//! (`equiv`), and every call whose verdict or readable headers change is shown.

use super::ServerArgs;
use super::check::build_options;
use crate::equiv::{self, Change, Comparison};
use crate::frontend::{self, Options};
use crate::ir::CorsPolicy;
use crate::source::SourceFile;
use clap::{Args, ValueEnum};
use serde_json::json;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The configuration before: a file or a directory
    #[arg(required_unless_present = "git")]
    old: Option<PathBuf>,
    /// The configuration after: a file or a directory
    #[arg(required_unless_present = "git")]
    new: Option<PathBuf>,
    /// Compare git revisions instead: `REV` (against the working tree) or `REV..REV`
    #[arg(long, value_name = "REV[..REV]", conflicts_with_all = ["old", "new"])]
    git: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    format: DiffFormat,
    /// Counterexamples shown per pair and direction
    #[arg(long, default_value_t = 5)]
    examples: usize,
    #[command(flatten)]
    server: ServerArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    Text,
    Json,
}

/// Lower one file's policies; `Err` is a located message.
fn policies(path: &Path, options: &Options) -> Result<Vec<CorsPolicy>, String> {
    let shown = path.to_string_lossy().into_owned();
    let bytes = std::fs::read(path).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (dialect, _) = frontend::recognise(&name, &bytes)
        .map_err(|why| format!("{shown}: not a file cors-lint reads ({why})"))?;
    lower_bytes(shown, bytes, dialect, options)
}

fn lower_bytes(
    shown: String,
    bytes: Vec<u8>,
    dialect: frontend::Dialect,
    options: &Options,
) -> Result<Vec<CorsPolicy>, String> {
    let file = SourceFile::new(shown.clone(), bytes, dialect.encoding());
    let lowered =
        frontend::lower(dialect, &file, options).map_err(|e| match e.position(&file) {
            Some(at) => format!("{shown}:{at}: {}", e.message),
            None => format!("{shown}: {}", e.message),
        })?;
    Ok(lowered.policies)
}

/// Policies of a tree of files (`(path relative to the tree, bytes)`), each scope prefixed
/// with its file so the two sides pair by file and scope; files no front end reads are
/// left out.
fn tree_policies(
    files: Vec<(String, Vec<u8>)>,
    options: &Options,
) -> Result<Vec<CorsPolicy>, String> {
    let mut out = Vec::new();
    for (rel, bytes) in files {
        let name = rel.rsplit('/').next().unwrap_or(&rel).to_string();
        let Ok((dialect, _)) = frontend::recognise(&name, &bytes) else {
            continue;
        };
        for mut p in lower_bytes(rel.clone(), bytes, dialect, options)? {
            p.scope.description = format!("{rel}: {}", p.scope.description);
            out.push(p);
        }
    }
    Ok(out)
}

/// A file's policies, or a directory's (walked like `check`).
fn side(path: &Path, options: &Options) -> Result<Vec<CorsPolicy>, String> {
    if !path.is_dir() {
        return policies(path, options);
    }
    let mut files = Vec::new();
    for c in crate::walk::expand(&[path.to_path_buf()]) {
        if let Some(e) = c.error {
            return Err(format!("{}: {e}", c.shown));
        }
        let rel = c
            .path
            .strip_prefix(path)
            .unwrap_or(&c.path)
            .to_string_lossy()
            .into_owned();
        let bytes = std::fs::read(&c.path).map_err(|e| format!("{}: cannot read: {e}", c.shown))?;
        files.push((rel, bytes));
    }
    tree_policies(files, options)
}

fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let out = std::process::Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}

/// The files of revision `rev` (`None`: the working tree), relative to the repository root.
fn git_side(rev: Option<&str>, options: &Options) -> Result<Vec<CorsPolicy>, String> {
    let root = String::from_utf8_lossy(&git(&["rev-parse", "--show-toplevel"])?)
        .trim()
        .to_string();
    let Some(rev) = rev else {
        return side(Path::new(&root), options);
    };
    let list = git(&["-C", &root, "ls-tree", "-r", "--name-only", rev])?;
    let mut files = Vec::new();
    for name in String::from_utf8_lossy(&list).lines() {
        if !crate::walk::worth_offering(Path::new(name)) {
            continue;
        }
        let bytes = git(&["-C", &root, "show", &format!("{rev}:{name}")])?;
        files.push((name.to_string(), bytes));
    }
    tree_policies(files, options)
}

/// Pairs of (old, new) policies: one with one, else by equal scope description; the rest
/// unpaired.
type Pairing<'a> = (
    Vec<(&'a CorsPolicy, &'a CorsPolicy)>,
    Vec<&'a CorsPolicy>,
    Vec<&'a CorsPolicy>,
);

/// Policies that are not a branch of another one (nginx's `if ($request_method = OPTIONS)`
/// inside a location is "location `/`, when …": it answers only some requests of the same
/// scope, and is compared through its location).
fn bases(policies: &[CorsPolicy]) -> Vec<&CorsPolicy> {
    policies
        .iter()
        .filter(|p| {
            !policies.iter().any(|q| {
                p.scope
                    .description
                    .strip_prefix(q.scope.description.as_str())
                    .is_some_and(|rest| rest.starts_with(", when "))
            })
        })
        .collect()
}

fn pair<'a>(old: &'a [CorsPolicy], new: &'a [CorsPolicy]) -> Pairing<'a> {
    let (old, new) = (bases(old), bases(new));
    if old.len() == 1 && new.len() == 1 {
        return (vec![(old[0], new[0])], Vec::new(), Vec::new());
    }
    let mut pairs = Vec::new();
    let mut gone = Vec::new();
    let mut taken = vec![false; new.len()];
    for o in old {
        match new
            .iter()
            .enumerate()
            .find(|(i, n)| !taken[*i] && n.scope.description == o.scope.description)
        {
            Some((i, n)) => {
                taken[i] = true;
                pairs.push((o, *n));
            }
            None => gone.push(o),
        }
    }
    let added = new
        .iter()
        .enumerate()
        .filter(|(i, _)| !taken[*i])
        .map(|(_, n)| *n)
        .collect();
    (pairs, gone, added)
}

pub fn run(args: &DiffArgs) -> i32 {
    let result = build_options(&args.server).and_then(|options| match &args.git {
        Some(revs) => {
            let (a, b) = match revs.split_once("..") {
                Some((a, b)) => (a, Some(b)),
                None => (revs.as_str(), None),
            };
            Ok((git_side(Some(a), &options)?, git_side(b, &options)?))
        }
        None => {
            let (Some(old), Some(new)) = (&args.old, &args.new) else {
                return Err("give OLD and NEW, or --git REV[..REV]".into());
            };
            Ok((side(old, &options)?, side(new, &options)?))
        }
    });
    let (old, new) = match result {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let (pairs, gone, added) = pair(&old, &new);
    let compared: Vec<(&CorsPolicy, &CorsPolicy, Comparison)> = pairs
        .into_iter()
        .map(|(o, n)| (o, n, equiv::compare(o, n)))
        .collect();
    // A policy that disappears can only narrow; one that appears may widen.
    let widened = compared.iter().any(|(_, _, c)| c.widens())
        || added.iter().any(|p| p.sends_any_cors_header());
    let equivalent = compared.iter().all(|(_, _, c)| c.equivalent())
        && gone.iter().all(|p| !p.sends_any_cors_header())
        && added.iter().all(|p| !p.sends_any_cors_header());
    match args.format {
        DiffFormat::Text => print!(
            "{}",
            text(&compared, &gone, &added, args.examples, equivalent)
        ),
        DiffFormat::Json => println!("{}", to_json(&compared, &gone, &added, equivalent, widened)),
    }
    if widened { 1 } else { 0 }
}

fn text(
    compared: &[(&CorsPolicy, &CorsPolicy, Comparison)],
    gone: &[&CorsPolicy],
    added: &[&CorsPolicy],
    examples: usize,
    equivalent: bool,
) -> String {
    let mut out = String::new();
    for (o, n, c) in compared {
        let scope = if o.scope.description == n.scope.description {
            o.scope.description.clone()
        } else {
            format!("{} → {}", o.scope.description, n.scope.description)
        };
        if c.equivalent() {
            out.push_str(&format!(
                "{scope}: equivalent ({} calls compared)\n",
                c.calls
            ));
        } else {
            out.push_str(&format!("{scope}:\n"));
            out.push_str(&c.render(examples));
        }
        for n in equiv::side_notes(o, n) {
            out.push_str(&format!("  note: {n}\n"));
        }
    }
    for p in gone {
        out.push_str(&format!("{}: removed\n", p.scope.description));
    }
    for p in added {
        out.push_str(&format!("{}: added\n", p.scope.description));
    }
    if equivalent {
        out.push_str("equivalent\n");
    }
    out
}

fn to_json(
    compared: &[(&CorsPolicy, &CorsPolicy, Comparison)],
    gone: &[&CorsPolicy],
    added: &[&CorsPolicy],
    equivalent: bool,
    widened: bool,
) -> String {
    let pairs: Vec<serde_json::Value> = compared
        .iter()
        .map(|(o, n, c)| {
            json!({
                "before": o.scope.description,
                "after": n.scope.description,
                "calls": c.calls,
                "notes": equiv::side_notes(o, n),
                "differences": c.differences.iter().map(|d| json!({
                    "change": if d.change == Change::Widened { "widened" } else { "narrowed" },
                    "origin": d.call.origin,
                    "method": d.call.method,
                    "headers": d.call.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
                    "credentials": d.call.credentials,
                    "before": {"allowed": d.before.allowed, "check": d.before.detail, "exposed": d.before.exposed},
                    "after": {"allowed": d.after.allowed, "check": d.after.detail, "exposed": d.after.exposed},
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::to_string_pretty(&json!({
        "equivalent": equivalent,
        "widened": widened,
        "pairs": pairs,
        "removed": gone.iter().map(|p| &p.scope.description).collect::<Vec<_>>(),
        "added": added.iter().map(|p| &p.scope.description).collect::<Vec<_>>(),
    }))
    .expect("serializable")
}
