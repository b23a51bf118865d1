//! Releases: rendered manifests split into documents, hooks, install order.
