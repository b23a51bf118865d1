//! Cluster access (Helm's `pkg/kube`): connecting with a kubeconfig,
//! discovery, and applying, reading and deleting rendered objects.
//!
//! - [`client`]: [`KubeClient`] from kubeconfig or in-cluster config, with the
//!   namespace defaulting Helm does.
//! - [`discovery`]: the server's version and API groups, as
//!   [`crate::engine::Capabilities`] and as a kind-to-resource map.
//! - [`resources`]: manifest documents as dynamic objects; server-side apply
//!   (client-side where the server lacks it), get and delete with retries
//!   for idempotent calls.
//! - [`merge`]: client-side apply's three-way patches (strategic merge for
//!   Kubernetes' types, JSON merge for custom resources), with [`openapi`]
//!   reading the server's patch metadata.
//! - [`ownership`]: Helm's release ownership label and annotations.
//! - [`selector`]: label selectors in their text form, matched client-side.
//! - [`retry`]: exponential backoff for idempotent calls only.
//! - [`ready`]: Helm's readiness rules (v4 status watcher and Helm 3's
//!   legacy checker) as pure functions over live objects.
//! - [`wait`]: `--wait`, hook and uninstall waits, polling the server.
//! - [`error`]: [`KubeError`], API failures turned into messages a user can act on.
//!
//! Everything works on untyped objects (`DynamicObject` resolved through
//! discovery), so custom resources need no compiled-in types.

pub mod client;
pub mod discovery;
pub mod error;
pub mod lookup;
pub mod merge;
pub mod openapi;
pub mod ownership;
pub mod ready;
pub mod resources;
pub mod retry;
pub mod selector;
pub mod throttle;
pub mod wait;

pub use client::{ClientOptions, ConnectionOverrides, KubeClient, kubeconfig_namespace};
pub use discovery::{ApiDiscovery, ResourceInfo};
pub use error::{KubeError, Operation};
pub use lookup::ClusterLookup;
pub use ownership::{OwnershipError, check_ownership, stamp_ownership};
pub use ready::{
    Readiness, ReadyOptions, WaitStrategy, hook_failure_message, hook_readiness, readiness,
};
pub use resources::{ManifestObject, Propagation, ResourceClient};
pub use wait::{
    HookOutcome, WaitEvent, WaitFlag, WaitOptions, wait_deleted, wait_hook, wait_ready,
};
