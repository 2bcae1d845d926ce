//! `cors-lint fmt [PATH…] [--check] [--diff]`: normalize CORS values in place (see
//! `crate::format`), like `ruff format`: `--check` and `--diff` write nothing and exit 1
//! when a file would change; a file that cannot be read or parsed exits 2 while the others
//! are still formatted. Files are formatted on every core, their messages printed in path
//! order; `--stdin-filename` formats standard input to standard output, for editors.

use super::ServerArgs;
use super::check::build_options;
use crate::format;
use crate::frontend;
use crate::lint::{MAX_FILE_BYTES, Settings};
use crate::source::SourceFile;
use clap::Args;
use rayon::prelude::*;
use std::fmt::Write as _;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

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
    /// Format standard input as if it were the file NAME and write the result to standard
    /// output (with --check/--diff: write nothing / the diff); the only PATH allowed is `-`
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<PathBuf>,
    #[command(flatten)]
    server: ServerArgs,
}

/// What formatting one file said: on standard output (a diff, "Would reformat") and on
/// standard error (notes, errors), printed in path order once every file is done.
#[derive(Default)]
struct Said {
    out: String,
    err: String,
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
    if let Some(name) = &args.stdin_filename {
        return stdin(name, args, &settings);
    }
    let candidates = crate::walk::expand(&args.paths);
    let done = AtomicUsize::new(0);
    let results: Vec<(Result, Said)> = std::thread::scope(|scope| {
        let progress = scope.spawn(|| progress(&done, candidates.len()));
        let results = candidates
            .par_iter()
            .map(|c| {
                let mut said = Said::default();
                let result = match &c.error {
                    Some(e) => {
                        let _ = writeln!(said.err, "error: {}: {e}", c.shown);
                        Result::Failed
                    }
                    None => one(&c.path, &c.shown, args, &settings, &mut said),
                };
                done.fetch_add(1, Ordering::Relaxed);
                (result, said)
            })
            .collect();
        done.store(usize::MAX, Ordering::Relaxed);
        progress.thread().unpark();
        let _ = progress.join();
        results
    });
    let (mut changed, mut unchanged, mut failed) = (0, 0, 0);
    let (mut stdout, mut stderr) = (std::io::stdout().lock(), std::io::stderr().lock());
    for (result, said) in results {
        let _ = stdout.write_all(said.out.as_bytes());
        let _ = stderr.write_all(said.err.as_bytes());
        match result {
            Result::Unchanged => unchanged += 1,
            Result::Changed => changed += 1,
            Result::Failed => failed += 1,
        }
    }
    let _ = stdout.flush();
    drop((stdout, stderr));
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

/// "formatted N/M files" on a terminal, every second, while a long run goes on; `done`
/// is `usize::MAX` once it ends.
fn progress(done: &AtomicUsize, total: usize) {
    let terminal = std::io::stderr().is_terminal();
    let started = std::time::Instant::now();
    let mut shown = false;
    loop {
        // Woken early when the run ends.
        std::thread::park_timeout(std::time::Duration::from_millis(250));
        let n = done.load(Ordering::Relaxed);
        if n == usize::MAX {
            break;
        }
        if terminal && started.elapsed().as_secs() >= 1 {
            eprint!("\rformatted {n}/{total} files");
            shown = true;
        }
    }
    if shown {
        eprint!("\r\x1b[K");
    }
}

/// `--stdin-filename`: the formatted text (or the diff) on standard output.
fn stdin(name: &Path, args: &FmtArgs, settings: &Settings) -> i32 {
    if let Some(p) = args
        .paths
        .iter()
        .find(|p| p.as_os_str() != "-" && p.as_os_str() != ".")
    {
        eprintln!(
            "error: with --stdin-filename the file is read from standard input; `{}` is not `-`",
            p.display()
        );
        return 2;
    }
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin()
        .lock()
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
    {
        eprintln!("error: cannot read standard input: {e}");
        return 2;
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        eprintln!(
            "error: standard input is over the {} MiB limit",
            MAX_FILE_BYTES >> 20
        );
        return 2;
    }
    let shown = name.to_string_lossy().into_owned();
    let mut said = Said::default();
    let formatted = formatted(name, &shown, bytes.clone(), settings, &mut said);
    let _ = std::io::stderr().write_all(said.err.as_bytes());
    let mut stdout = std::io::stdout().lock();
    let code = match formatted {
        Err(()) => {
            // An editor replaces the buffer with what it reads back: give it the input.
            if !args.check && !args.diff {
                let _ = stdout.write_all(&bytes);
            }
            2
        }
        Ok(new) if args.diff => {
            let _ = stdout.write_all(diff(&shown, &bytes, &new).as_bytes());
            i32::from(new != bytes)
        }
        Ok(new) if args.check => i32::from(new != bytes),
        Ok(new) => {
            let _ = stdout.write_all(&new);
            0
        }
    };
    let _ = stdout.flush();
    code
}

/// The formatted bytes of a file (unchanged if no front end reads it); `Err` after saying
/// why it cannot be formatted.
fn formatted(
    path: &Path,
    shown: &str,
    bytes: Vec<u8>,
    settings: &Settings,
    said: &mut Said,
) -> std::result::Result<Vec<u8>, ()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Files no front end reads are not ours to format.
    let Ok((dialect, _)) = frontend::recognise(&name, &bytes) else {
        return Ok(bytes);
    };
    let file = SourceFile::new(shown, bytes, dialect.encoding());
    let formatted = match format::format(&file, dialect, settings) {
        Ok(f) => f,
        Err(e) => {
            let _ = writeln!(said.err, "error: {shown}: {e}");
            return Err(());
        }
    };
    for n in &formatted.notes {
        let at = file.position(n.at.start);
        let _ = writeln!(
            said.err,
            "note: {shown}:{}:{}: {}",
            at.line, at.column, n.message
        );
    }
    Ok(formatted.bytes)
}

fn diff(shown: &str, old: &[u8], new: &[u8]) -> String {
    let old = String::from_utf8_lossy(old);
    let new = String::from_utf8_lossy(new);
    similar::TextDiff::from_lines(old.as_ref(), new.as_ref())
        .unified_diff()
        .header(shown, shown)
        .to_string()
}

fn one(path: &Path, shown: &str, args: &FmtArgs, settings: &Settings, said: &mut Said) -> Result {
    let bytes = match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_FILE_BYTES => {
            let _ = writeln!(
                said.err,
                "error: {shown}: over the {} MiB limit",
                MAX_FILE_BYTES >> 20
            );
            return Result::Failed;
        }
        _ => match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                let _ = writeln!(said.err, "error: {shown}: cannot read: {e}");
                return Result::Failed;
            }
        },
    };
    let Ok(new) = formatted(path, shown, bytes.clone(), settings, said) else {
        return Result::Failed;
    };
    if new == bytes {
        return Result::Unchanged;
    }
    if args.diff {
        said.out.push_str(&diff(shown, &bytes, &new));
    } else if args.check {
        let _ = writeln!(said.out, "Would reformat: {shown}");
    } else if let Err(e) = crate::fsutil::write_atomic(path, &new) {
        let _ = writeln!(said.err, "error: {shown}: cannot write: {e}");
        return Result::Failed;
    }
    Result::Changed
}
