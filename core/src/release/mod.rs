//! Releases: rendered templates split into YAML documents, hooks separated
//! from plain manifests, both put in Helm's install order, and the notes.

pub(crate) mod gojson;
pub mod hook;
pub mod manifest;
pub mod record;
pub mod status;
pub mod time;

pub use hook::{
    Hook, HookDeletePolicy, HookEvent, HookExecution, HookOutputLogPolicy, HookPhase,
    executing_hooks,
};
pub use manifest::{
    INSTALL_ORDER, Manifest, ManifestError, ReleaseContent, SortedManifests, UNINSTALL_ORDER,
    manifest_text, release_content, sort_manifests, split_manifests, split_manifests_keyed,
    take_notes, uninstall_manifests,
};
