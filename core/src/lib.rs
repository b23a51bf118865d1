//! hoist-core: the library behind the `hoist` command line and repository server.
//!
//! The modules mirror Helm's `pkg/` layout so that behaviour can be compared
//! piece by piece:
//!
//! - [`chart`]: the chart model, loading from folders and archives, packaging.
//! - [`values`]: the values tree, coalescing, `--set` parsing, schema checks.
//! - [`yaml`]: YAML reading and writing with the semantics Helm's Go YAML stack has.
//! - [`engine`]: the template engines (Go templates and handlebars) behind one trait.
//! - [`release`]: rendered manifests, hooks and their install order.
//! - [`kube`]: cluster access: kubeconfig, discovery, server-side apply.
//! - [`provenance`]: signing and verifying charts with Helm's `.prov` files.
//! - [`registry`]: pushing charts to and pulling them from OCI registries.
//! - [`jsonpath`]: Kubernetes' JSONPath templates (`show values --jsonpath`).
//! - [`action`]: user-level operations (template, lint, package...) over the rest.
//! - [`plugin`]: Helm plugins: finding, installing and running them.

pub mod action;
pub mod chart;
pub mod engine;
pub mod json;
pub mod jsonpath;
pub mod kube;
pub mod plugin;
mod process;
pub mod provenance;
pub mod registry;
pub mod release;
pub mod repo;
pub mod storage;
pub mod strconv;
pub mod values;
pub mod yaml;
