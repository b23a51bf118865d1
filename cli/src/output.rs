//! Shared output helpers: machine-readable formats and values flags.

use crate::args::{OutputFormat, ValuesArgs};
use hoist_core::values::Value;
use hoist_core::values::options::ValueOptions;
use miette::{IntoDiagnostic, miette};
use std::io::Read;

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
