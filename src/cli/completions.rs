//! `cors-lint completions SHELL`: a completion script for the shell, on stdout.

use clap::{Args, CommandFactory};
use clap_complete::Shell;
use std::io::Write;

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum, value_name = "SHELL")]
    shell: Shell,
}

pub fn run(args: &CompletionsArgs) -> i32 {
    let mut command = super::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "cors-lint", &mut script);
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
