//! Releases: rendered manifests split into documents, hooks, install order.
pub mod record;
pub mod status;
