//! User-level operations (Helm's pkg/action): plain functions over the
//! chart, values, engine and release modules. The CLI only parses flags,
//! calls these and prints what they return.

pub mod capabilities;
pub mod create;
mod error;
pub mod lint;
pub mod render;
pub mod show;
pub mod template;

pub use error::ActionError;
