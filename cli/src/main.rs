//! The `hoist` command line: parses flags, calls `hoist_core::action`, prints.
//! Results go to stdout, diagnostics to stderr; any error exits non-zero.

mod args;
mod commands;
mod output;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(1)
        }
    }
}
