//! `cors-lint completions SHELL`: a completion script for the shell, on stdout.

use clap::builder::PossibleValuesParser;
use clap::{Args, Command, CommandFactory};
use clap_complete::Shell;
use std::io::Write;

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum, value_name = "SHELL")]
    shell: Shell,
}

pub fn run(args: &CompletionsArgs) -> i32 {
    let mut command = with_values(super::Cli::command());
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "cors-lint", &mut script);
    if args.shell == Shell::Bash {
        script = bash_subcommands_found(script);
    }
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(&script)
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return super::check::EXIT_ERROR;
    }
    0
}

/// The command with what each free-form argument may be, for the script only: rule codes
/// (and their families, `ALL`) for `--select`/`--ignore`/`--warn`/`--extend-select` and
/// `rule`, dialects for `convert --to`. Parsing keeps accepting any prefix.
fn with_values(command: Command) -> Command {
    // Rule metadata is `'static`, so codes and their families are too.
    let mut selectors: Vec<&'static str> = vec!["ALL", crate::selection::DEFAULT];
    for m in crate::rules::all_meta() {
        let family = m.code.trim_end_matches(|c: char| c.is_ascii_digit());
        if !selectors.contains(&family) {
            selectors.push(family);
        }
        selectors.push(m.code.as_str());
    }
    selectors[2..].sort_unstable();
    let codes: Vec<&'static str> = crate::rules::all_meta()
        .iter()
        .map(|m| m.code.as_str())
        .collect();
    let dialects: Vec<&str> = crate::frontend::DIALECTS.iter().map(|d| d.name()).collect();
    let check = |c: Command| {
        ["select", "ignore", "warn", "extend_select"]
            .into_iter()
            .fold(c, |c, id| {
                c.mut_arg(id, |a| {
                    a.value_parser(PossibleValuesParser::new(selectors.clone()))
                })
            })
    };
    check(command)
        .mut_subcommand("check", check)
        .mut_subcommand("rule", |c| {
            c.mut_arg("code", |a| {
                a.value_parser(PossibleValuesParser::new(codes.clone()))
            })
        })
        .mut_subcommand("convert", |c| {
            c.mut_arg("to", |a| {
                a.value_parser(PossibleValuesParser::new(dialects.clone()))
            })
        })
}

/// clap_complete's bash script names a subcommand's state `cors__lint__subcmd__check` where it
/// sets it but `cors__subcmd__lint__subcmd__check` where it matches it (the `-` in the name),
/// so nothing after a subcommand would complete; one spelling makes them meet.
fn bash_subcommands_found(script: Vec<u8>) -> Vec<u8> {
    String::from_utf8_lossy(&script)
        .replace("cors__subcmd__lint", "cors__lint")
        .into_bytes()
}
