//! Shared output helpers: machine-readable formats and values flags.

use crate::args::{ColorMode, OutputFormat, ValuesArgs};
use hoist_core::values::Value;
use hoist_core::values::options::ValueOptions;
use miette::{IntoDiagnostic, miette};
use std::io::IsTerminal;
use std::io::Read;
use std::sync::OnceLock;

/// Prints `data` as JSON or YAML (pretty, stable key order).
pub fn print_structured<T: serde::Serialize>(data: &T, format: OutputFormat) -> miette::Result<()> {
    let json = serde_json::to_value(data).into_diagnostic()?;
    match format {
        OutputFormat::Yaml => print!("{}", hoist_core::yaml::to_string(&Value::from(json))),
        _ => println!("{}", serde_json::to_string_pretty(&json).into_diagnostic()?),
    }
    Ok(())
}

/// Merges the values flags in Helm's order, reading files (and `-` as stdin).
pub fn merge_values(args: &ValuesArgs) -> miette::Result<Value> {
    let opts = ValueOptions {
        value_files: args.values.clone(),
        values: args.set.clone(),
        string_values: args.set_string.clone(),
        file_values: args.set_file.clone(),
        json_values: args.set_json.clone(),
        literal_values: args.set_literal.clone(),
    };
    let reader = |path: &str| -> std::io::Result<Vec<u8>> {
        if path == "-" {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf)?;
            Ok(buf)
        } else {
            std::fs::read(path)
        }
    };
    opts.merge_values(&reader).map_err(|e| miette!("{e}"))
}

/// The `--color` mode of this run.
static COLOR_MODE: OnceLock<ColorMode> = OnceLock::new();

/// Records `--color` (once, at start-up).
pub fn set_color_mode(mode: ColorMode) {
    let _ = COLOR_MODE.set(mode);
}

/// Whether to colour what goes to stdout, by Helm v4's rules: `always`
/// and `never` as they say; `auto` only for a terminal, never with a
/// non-empty NO_COLOR (<https://no-color.org>) or TERM=dumb.
pub fn colour_stdout() -> bool {
    colour_for(
        COLOR_MODE.get().copied().unwrap_or(ColorMode::Auto),
        std::io::stdout().is_terminal(),
    )
}

fn colour_for(mode: ColorMode, terminal: bool) -> bool {
    match mode {
        ColorMode::Always => true,
        ColorMode::Never => false,
        ColorMode::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
            terminal && !no_color && !dumb
        }
    }
}

#[cfg(test)]
mod colour_tests {
    use super::*;

    #[test]
    fn explicit_modes_win_and_auto_needs_a_terminal() {
        assert!(colour_for(ColorMode::Always, false));
        assert!(!colour_for(ColorMode::Never, true));
        assert!(!colour_for(ColorMode::Auto, false));
    }
}
