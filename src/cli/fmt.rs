//! `cors-lint fmt [PATH…] [--check] [--diff]`: normalize CORS values in place (see
//! `crate::format`), like `ruff format`: `--check` and `--diff` write nothing and exit 1
//! when a file would change; a file that cannot be read or parsed exits 2 while the others
//! are still formatted.

use super::ServerArgs;
use super::check::build_options;
use crate::format;
use crate::frontend;
use crate::lint::{MAX_FILE_BYTES, Settings};
use crate::source::SourceFile;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct FmtArgs {
    /// Files or directories to format; directories are walked (honouring .gitignore)
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,
    /// Write nothing; exit 1 if a file would be reformatted
    #[arg(long)]
    check: bool,
    /// Write nothing; show the changes as a unified diff (exit 1 if any)
    #[arg(long)]
    diff: bool,
    #[command(flatten)]
    server: ServerArgs,
}

enum Result {
    Unchanged,
    Changed,
    Failed,
}

pub fn run(args: &FmtArgs) -> i32 {
    let options = match build_options(&args.server) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let settings = Settings {
        options,
        selection: Default::default(),
        org_policy: None,
    };
    let (mut changed, mut unchanged, mut failed) = (0, 0, 0);
    for c in crate::walk::expand(&args.paths) {
        let result = match &c.error {
            Some(e) => {
                eprintln!("error: {}: {e}", c.shown);
                Result::Failed
            }
            None => one(&c.path, &c.shown, args, &settings),
        };
        match result {
            Result::Unchanged => unchanged += 1,
            Result::Changed => changed += 1,
            Result::Failed => failed += 1,
        }
    }
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let verb = if args.check || args.diff {
        "would be reformatted"
    } else {
        "reformatted"
    };
    eprintln!(
        "{changed} file{} {verb}, {unchanged} file{} left unchanged{}",
        plural(changed),
        plural(unchanged),
        if failed > 0 {
            format!(
                ", {failed} file{} not formatted (errors above)",
                plural(failed)
            )
        } else {
            String::new()
        }
    );
    if failed > 0 {
        2
    } else if changed > 0 && (args.check || args.diff) {
        1
    } else {
        0
    }
}

fn one(path: &std::path::Path, shown: &str, args: &FmtArgs, settings: &Settings) -> Result {
    let bytes = match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_FILE_BYTES => {
            eprintln!(
                "error: {shown}: over the {} MiB limit",
                MAX_FILE_BYTES >> 20
            );
            return Result::Failed;
        }
        _ => match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: {shown}: cannot read: {e}");
                return Result::Failed;
            }
        },
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Files no front end reads are not ours to format.
    let Ok((dialect, _)) = frontend::recognise(&name, &bytes) else {
        return Result::Unchanged;
    };
    let file = SourceFile::new(shown, bytes, dialect.encoding());
    let formatted = match format::format(&file, dialect, settings) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {shown}: {e}");
            return Result::Failed;
        }
    };
    for n in &formatted.notes {
        let at = file.position(n.at.start);
        eprintln!("note: {shown}:{}:{}: {}", at.line, at.column, n.message);
    }
    if formatted.bytes == file.bytes() {
        return Result::Unchanged;
    }
    if args.diff {
        let old = String::from_utf8_lossy(file.bytes());
        let new = String::from_utf8_lossy(&formatted.bytes);
        print!(
            "{}",
            similar::TextDiff::from_lines(old.as_ref(), new.as_ref())
                .unified_diff()
                .header(shown, shown)
        );
    } else if args.check {
        println!("Would reformat: {shown}");
    } else if let Err(e) = crate::fsutil::write_atomic(path, &formatted.bytes) {
        eprintln!("error: {shown}: cannot write: {e}");
        return Result::Failed;
    }
    Result::Changed
}
