//! Helm plugins: finding them, reading their `plugin.yaml`, running them.
//!
//! hoist runs the plugins Helm runs, unchanged, with Helm v4's rules
//! (`internal/plugin` and `pkg/cmd/load_plugins.go`):
//!
//! - [`metadata`]: both `plugin.yaml` formats, the legacy one of Helm 3
//!   (`command`, `hooks`, `downloaders`...) and Helm v4's `apiVersion: v1`
//!   (types `cli/v1`, `getter/v1` and `postrenderer/v1`, runtime
//!   `subprocess`), read into one [`Metadata`]. WebAssembly (`extism/v1`)
//!   plugins are refused by name.
//! - [`command`]: which `platformCommand` applies here, `$VAR` expansion as
//!   Go's `os.Expand` does it, and the final program and arguments.
//! - [`loader`]: the plugin folders (`HOIST_PLUGINS`/`HELM_PLUGINS`, else
//!   `<data home>/plugins`) and the plugins in them.
//! - [`run`]: running a CLI plugin or a hook with Helm's environment.
//! - [`getter`]: downloader plugins for URL schemes other than http(s).
//! - [`install`]: `plugin install|uninstall|update` (folders, archives,
//!   git), with safe archive extraction.

pub mod command;
mod error;
pub mod getter;
pub mod install;
pub mod loader;
pub mod metadata;
pub mod run;

pub use error::PluginError;
pub use loader::{Found, find_plugins, load_all, load_dir, plugin_dirs};
pub use metadata::{Config, Metadata, PlatformCommand, PluginType};

use std::path::{Path, PathBuf};

/// The file that makes a folder a plugin.
pub const PLUGIN_FILE: &str = "plugin.yaml";

/// A plugin found on disk: its folder and what its `plugin.yaml` says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plugin {
    dir: PathBuf,
    metadata: Metadata,
}

impl Plugin {
    /// The plugin's folder (as found: a symlink for plugins installed from
    /// a local folder).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Its metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.metadata.name
    }
}

/// True when `name` is a valid plugin name (Helm: `^[A-Za-z0-9_-]+$`).
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}
