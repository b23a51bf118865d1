//! `hoist show` (alias `inspect`).

use crate::args::ShowCommand;
use hoist_core::action::show::{ShowPart, show};
use hoist_core::chart;
use miette::miette;
use std::process::ExitCode;

pub fn run(c: ShowCommand) -> miette::Result<ExitCode> {
    let (part, args) = match c {
        ShowCommand::Chart(a) => (ShowPart::Chart, a),
        ShowCommand::Values(a) => (ShowPart::Values, a),
        ShowCommand::Readme(a) => (ShowPart::Readme, a),
        ShowCommand::Crds(a) => (ShowPart::Crds, a),
        ShowCommand::All(a) => (ShowPart::All, a),
    };
    let chart_path = args.chart_ref.locate(&args.chart.to_string_lossy())?;
    let chart = chart::load(&chart_path).map_err(|e| miette!("{e}"))?;
    print!("{}", show(&chart, part));
    Ok(ExitCode::SUCCESS)
}
