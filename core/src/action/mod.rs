//! User-level operations (Helm's pkg/action): plain functions over the
//! chart, values, engine and release modules. The CLI only parses flags,
//! calls these and prints what they return.

pub mod capabilities;
pub mod create;
pub mod deploy;
pub mod diff;
pub mod dry_run;
mod error;
pub mod get;
pub mod history;
pub mod install;
pub mod lint;
pub mod list;
pub mod lock;
pub mod postrender;
pub mod render;
pub mod rollback;
pub mod show;
pub mod status;
pub mod template;
pub mod test;
pub mod uninstall;
pub mod upgrade;

pub use error::ActionError;
