//! One module per command; each turns parsed flags into a core action call
//! and prints the result.

pub mod completion;
mod create;
pub(crate) mod dependency;
pub mod diff;
pub mod env;
mod get;
mod history;
mod install;
mod lint;
mod list;
mod package;
pub mod plugin;
pub(crate) mod pull;
pub mod push;
pub mod registry;
pub(crate) mod release;
pub(crate) mod repo;
mod rollback;
pub(crate) mod search;
mod show;
pub(crate) mod status;
mod template;
mod test;
mod uninstall;
pub(crate) mod upgrade;
pub mod verify;
mod version;

use crate::args::{Cli, Command};
use std::process::ExitCode;

/// Runs the parsed command line.
pub fn run(cli: Cli) -> miette::Result<ExitCode> {
    // Downloader plugins run deep in the repository client; they get
    // Helm's variables for this command line too.
    let (cluster, debug) = (cli.cluster.clone(), cli.debug);
    let for_getters = cluster.clone();
    hoist_core::plugin::getter::set_environment(move || {
        plugin::helm_variables(&for_getters, debug)
    });
    match cli.into_command() {
        Command::Template(a) => template::run(a),
        Command::Lint(a) => lint::run(a),
        Command::Create(a) => create::run(a),
        Command::Package(a) => package::run(a),
        Command::Show(a) => show::run(a),
        Command::Version(a) => version::run(a),
        Command::Install(a) => release::block_on(install::run(a)),
        Command::Uninstall(a) => release::block_on(uninstall::run(a)),
        Command::List(a) => release::block_on(list::run(a)),
        Command::Status(a) => release::block_on(status::run(a)),
        Command::History(a) => release::block_on(history::run(a)),
        Command::Get(a) => release::block_on(get::run(a)),
        Command::Upgrade(a) => release::block_on(upgrade::run(a)),
        Command::Rollback(a) => release::block_on(rollback::run(a)),
        Command::Test(a) => release::block_on(test::run(a)),
        Command::Diff(a) => release::block_on(diff::run(a)),
        Command::Completion(a) => completion::run(a),
        Command::Env(a) => env::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Push(a) => release::block_on(push::run(a)),
        Command::Registry(a) => release::block_on(registry::run(a)),
        Command::Repo(a) => repo::run(a),
        Command::Search(a) => search::run(a),
        Command::Pull(a) => pull::run(a),
        Command::Dependency(a) => dependency::run(a),
        Command::Plugin(a) => plugin::run(a, cluster, debug),
        Command::External(words) => plugin::run_external(words),
    }
}
