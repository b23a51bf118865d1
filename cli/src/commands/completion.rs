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
    /// Leave the descriptions of commands and flags out of the script.
    #[arg(long)]
    pub no_descriptions: bool,
}

/// `command` with no help text on it, its flags, their values and its
/// subcommands: the shells that show descriptions (zsh, fish) then show
/// bare names, as Helm's `--no-descriptions` does.
fn without_descriptions(command: clap::Command) -> clap::Command {
    command
        .about(None)
        .long_about(None)
        .mut_args(|arg| {
            let values: Vec<clap::builder::PossibleValue> = arg
                .get_possible_values()
                .into_iter()
                .filter(|v| !v.is_hide_set())
                .map(|v| v.help(None))
                .collect();
            let arg = arg.help(None).long_help(None);
            if values.is_empty() {
                arg
            } else {
                arg.value_parser(clap::builder::PossibleValuesParser::new(values))
            }
        })
        .mut_subcommands(without_descriptions)
}

pub fn run(a: CompletionArgs) -> miette::Result<ExitCode> {
    // Generated into memory first: clap_complete panics on a failed write
    // (a closed pipe), which must be a plain error instead.
    let mut script = Vec::new();
    let mut command = Cli::command();
    if a.no_descriptions {
        // Built first, so that the help and version flags and the `help`
        // subcommand clap adds lose their text too.
        command.build();
        command = without_descriptions(command);
    }
    clap_complete::generate(a.shell, &mut command, "hoist", &mut script);
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

    #[test]
    fn no_descriptions_leaves_the_help_text_out() {
        for shell in [Shell::Zsh, Shell::Fish] {
            let script = |command: clap::Command| {
                let mut out = Vec::new();
                clap_complete::generate(shell, &mut command.clone(), "hoist", &mut out);
                String::from_utf8(out).unwrap()
            };
            let with = script(Cli::command());
            let mut built = Cli::command();
            built.build();
            let without = script(without_descriptions(built));
            // A command's and a flag's description, and a value's.
            for text in [
                "Roll a release back to an earlier revision",
                "Create the release namespace if it does not exist",
                "Always colour, even into a pipe",
            ] {
                assert!(with.contains(text), "{shell:?} lacks {text}");
                assert!(!without.contains(text), "{shell:?} still has {text}");
            }
            for word in ["rollback", "create-namespace", "always", "help"] {
                assert!(without.contains(word), "{shell:?} lost {word}");
            }
            // Not even clap's own help text is left.
            assert!(with.contains("Print help"), "{shell:?}");
            assert!(!without.contains("Print help"), "{shell:?}");
            if shell == Shell::Fish {
                assert!(!without.contains(" -d '"), "a fish description is left");
            }
        }
    }
}
