//! `hoist create`.

use crate::args::{CreateArgs, EngineChoice};
use hoist_core::action::create::{StarterEngine, create, create_from_starter};
use miette::miette;
use std::process::ExitCode;

pub fn run(a: CreateArgs) -> miette::Result<ExitCode> {
    let engine = match a.engine {
        EngineChoice::Gotemplate => StarterEngine::GoTemplate,
        EngineChoice::Handlebars => StarterEngine::Handlebars,
    };
    // Helm prints this first, and so does hoist, whatever follows.
    println!("Creating {}", a.name.display());
    match &a.starter {
        None => create(&a.name, engine),
        Some(starter) => {
            let starter = if starter.is_absolute() {
                starter.clone()
            } else {
                hoist_core::repo::Paths::from_env()
                    .data
                    .join("starters")
                    .join(starter)
            };
            create_from_starter(&a.name, &starter)
        }
    }
    .map_err(|e| miette!("{e}"))?;
    Ok(ExitCode::SUCCESS)
}
