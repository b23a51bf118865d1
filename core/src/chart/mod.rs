//! The chart model (Helm's `chart.Chart`), loading from folders and archives,
//! `.helmignore`, archive safety limits and reproducible packaging.

mod model;

pub use model::{
    Chart, ChartFile, Dependency, ImportValue, Lock, LockDependency, Maintainer, Metadata,
};
