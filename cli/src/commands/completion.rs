//! `hoist completion bash|zsh|fish`: shell completion scripts generated
//! from the same clap definitions the parser uses, so they never go stale.

use crate::args::Cli;
use clap::{Args, CommandFactory};
use clap_complete::Shell;
use std::io::Write;
use std::process::ExitCode;

/// `hoist completion`.
#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell to generate the script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub fn run(a: CompletionArgs) -> miette::Result<ExitCode> {
    // Generated into memory first: clap_complete panics on a failed write
    // (a closed pipe), which must be a plain error instead.
    let mut script = Vec::new();
    clap_complete::generate(a.shell, &mut Cli::command(), "hoist", &mut script);
    let mut out = std::io::stdout().lock();
    match out.write_all(&script).and_then(|()| out.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(miette::miette!("writing the completion script: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_name_the_commands() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "hoist", &mut out);
            let text = String::from_utf8(out).unwrap();
            for word in ["upgrade", "rollback", "diff"] {
                assert!(text.contains(word), "{shell:?} script lacks {word}");
            }
        }
    }
}
