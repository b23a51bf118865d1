//! Values: the typed tree ([`Value`]), coalescing in Helm's order, the `--set`
//! family of parsers, dependency enablement and values.schema.json checks.

pub mod strvals;
mod value;

pub use value::{Map, Value};
