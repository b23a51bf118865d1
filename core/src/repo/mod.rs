//! The chart repository client: what `helm repo`, `helm search repo`,
//! `helm pull` and `helm dependency` do, plus the lookups install,
//! template, show and lint make for `REPO/CHART` references.
//!
//! - [`paths`]: hoist's config/cache/data folders.
//! - [`config`]: repositories.yaml in Helm's format.
//! - [`http`]: the HTTP getter (credentials, TLS, timeouts, size limits).
//! - [`index`]: parsing index.yaml / index.json.
//! - [`cache`]: the on-disk index cache and its fast parsed form.
//! - [`select`], [`search`]: version choice and `search repo`; [`hub`]: `search hub`.
//! - [`deps`]: `dependency update|build|list` and Chart.lock.
//! - [`write`]: `repo index DIR` (index.yaml for a folder of archives).
//! - [`fetch`]: resolving references, downloading with digest checks, `pull`, [`locate_chart`].

pub mod cache;
mod codec;
pub mod config;
pub mod deps;
mod error;
pub mod fetch;
pub mod fsutil;
pub mod http;
pub mod hub;
pub mod index;
pub mod paths;
pub mod search;
pub mod select;
pub mod write;

pub use config::{RepoEntry, RepoFile};
pub use error::RepoError;
pub use fetch::{FetchOptions, Located, locate_chart};
pub use index::{ChartVersion, IndexFile};
pub use paths::Paths;
