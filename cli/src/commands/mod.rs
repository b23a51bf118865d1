//! One module per command; each turns parsed flags into a core action call
//! and prints the result.

mod create;
mod lint;
mod package;
mod show;
mod template;
mod version;

use crate::args::{Cli, Command};
use std::process::ExitCode;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> miette::Result<ExitCode> {
    match cli.command {
        Command::Template(a) => template::run(a),
        Command::Lint(a) => lint::run(a),
        Command::Create(a) => create::run(a),
        Command::Package(a) => package::run(a),
        Command::Show(a) => show::run(a),
        Command::Version(a) => version::run(a),
    }
}
