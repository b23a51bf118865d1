//! hoist-repo-server: a ChartMuseum-compatible Helm chart repository.
//!
//! - [`config`]: flags with ChartMuseum's names and environment variables.
//! - [`server`]: the HTTP routes (index, packages, `/api`), auth and uploads.
//! - [`index`]: the in-memory, incrementally updated repository index.
//! - [`storage`]: the storage trait and the local-folder backend.
//! - [`archive`]: reading Chart.yaml out of an uploaded package.
//! - [`goyaml`]: writing YAML laid out as Helm's Go YAML stack does.
//! - [`version`]: Helm-compatible chart version parsing and ordering.

pub mod archive;
pub mod config;
pub mod goyaml;
pub mod index;
pub mod server;
pub mod storage;
pub mod version;

pub use archive::{ChartMeta, chart_meta_from_archive};
pub use config::Config;
pub use server::{app, serve};
