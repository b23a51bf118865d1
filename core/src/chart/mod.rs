//! The chart model (Helm's `chart.Chart`), loading from folders and archives,
//! `.helmignore`, archive safety limits and reproducible packaging.
//!
//! - [`load`], [`load_dir`], [`load_archive`], [`load_archive_bytes`],
//!   [`load_archive_reader`]: read a chart as Helm's loader does.
//! - [`validate()`] and [`check_kube_version`]: Chart.yaml rules.
//! - [`constraint`]: Masterminds semver v3 constraints.
//! - [`gojson`]: Chart.yaml in Go's JSON form (release records, packaging).
//! - [`ignore`]: `.helmignore` rules.
//! - [`archive`]: safe reading of chart archives.
//! - [`package()`]: reproducible `NAME-VERSION.tgz` archives.

pub mod archive;
pub mod constraint;
mod error;
pub mod gojson;
pub mod ignore;
mod loader;
mod model;
pub mod package;
mod validate;

pub use error::ChartError;
pub use loader::{
    load, load_archive, load_archive_bytes, load_archive_reader, load_dir, load_files, load_values,
    read_dir_files,
};
pub use model::{
    Chart, ChartFile, Dependency, ImportValue, Lock, LockDependency, Maintainer, Metadata,
};
pub use package::{PackageOptions, archive_bytes, package};
pub use validate::{check_kube_version, is_strict_semver, sanitize, validate};
