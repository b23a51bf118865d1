//! Releases: rendered templates split into YAML documents, hooks separated
//! from plain manifests, both put in Helm's install order, and the notes.

pub mod hook;
pub mod manifest;

pub use hook::{
    Hook, HookDeletePolicy, HookEvent, HookExecution, HookOutputLogPolicy, executing_hooks,
};
pub use manifest::{
    INSTALL_ORDER, Manifest, ManifestError, SortedManifests, UNINSTALL_ORDER, manifest_text,
    sort_manifests, split_manifests, take_notes,
};
