//! hoist-repo-server: a ChartMuseum-compatible Helm chart repository.
//!
//! - [`config`]: flags with ChartMuseum's names and environment variables.
//! - [`server`]: the HTTP routes (index, packages, `/api`), auth and uploads.
//! - [`index`]: the in-memory, incrementally updated repository index.
//! - [`repo`]: one repository's storage and index, and replica sync.
//! - [`storage`]: the storage trait and the local-folder backend.
//! - [`object`]: S3-compatible object stores (`object_store`).
//! - [`auth`]: basic and bearer (RS256 JWT) authentication.
//! - [`metrics`]: Prometheus metrics.
//! - [`tls`]: TLS and mutual TLS with rustls.
//! - [`archive`]: validating an uploaded package with hoist-core's chart loader.
//! - [`version`]: Helm's index version ordering and lookup (hoist-core semver).

pub mod archive;
pub mod auth;
pub mod config;
pub mod index;
pub mod metrics;
pub mod object;
pub mod repo;
pub mod server;
pub mod storage;
pub mod tls;
pub mod version;

pub use archive::{chart_meta_from_archive, chart_meta_from_file, chart_meta_from_reader};
pub use config::Config;
pub use server::{app, serve};
