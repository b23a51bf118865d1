//! hoist-repo-server: a ChartMuseum-compatible Helm chart repository.
//!
//! - [`config`]: flags with ChartMuseum's names and environment variables.
//! - [`server`]: the HTTP routes (index, packages, `/api`), auth and uploads.
//! - [`index`]: the in-memory, incrementally updated repository index.
//! - [`storage`]: the storage trait and the local-folder backend.
//! - [`archive`]: validating an uploaded package with hoist-core's chart loader.
//! - [`version`]: Helm's index version ordering and lookup (hoist-core semver).

pub mod archive;
pub mod config;
pub mod index;
pub mod server;
pub mod storage;
pub mod version;

pub use archive::{chart_meta_from_archive, chart_meta_from_file, chart_meta_from_reader};
pub use config::Config;
pub use server::{app, serve};
