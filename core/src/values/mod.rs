//! Values: the typed tree ([`Value`]), coalescing in Helm's order, the `--set`
//! family of parsers, dependency enablement and values.schema.json checks.

pub mod coalesce;
pub mod dependencies;
mod error;
mod formats;
mod gofmt;
pub mod options;
mod render;
pub mod reuse;
pub mod schema;
pub mod strvals;
mod value;

pub use coalesce::{coalesce_values, merge_values};
pub use dependencies::process_dependencies;
pub use error::ValuesError;
pub use options::ValueOptions;
pub use render::{RenderValues, render_values};
pub use reuse::{ReuseMode, reuse_values};
pub use schema::validate;
pub use value::{Map, Value};
