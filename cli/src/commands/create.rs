//! `hoist create`.

use crate::args::{CreateArgs, EngineChoice};
use hoist_core::action::create::{StarterEngine, create};
use miette::miette;
use std::process::ExitCode;

pub fn run(a: CreateArgs) -> miette::Result<ExitCode> {
    let engine = match a.engine {
        EngineChoice::Gotemplate => StarterEngine::GoTemplate,
        EngineChoice::Handlebars => StarterEngine::Handlebars,
    };
    let path = create(&a.name, engine).map_err(|e| miette!("{e}"))?;
    println!("Creating {}", path.display());
    Ok(ExitCode::SUCCESS)
}
