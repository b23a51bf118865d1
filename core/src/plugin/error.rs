//! Why a plugin could not be found, read, installed or run.

use std::path::{Path, PathBuf};

/// A plugin error, with the plugin, file or source it concerns.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// `plugin.yaml` could not be read.
    #[error("failed to read plugin at {:?}: {source}", .path.display().to_string())]
    Read {
        /// The plugin.yaml path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// `plugin.yaml` is not valid YAML for its format, or fails Helm's checks.
    #[error("failed to load plugin {:?}: {message}", .dir.display().to_string())]
    Invalid {
        /// The plugin folder.
        dir: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The plugin needs a runtime hoist does not have (WebAssembly).
    #[error(
        "plugin {name:?} ({}) uses the {runtime:?} runtime, which hoist does not support: only subprocess plugins run with hoist",
        .dir.display()
    )]
    UnsupportedRuntime {
        /// The plugin's name.
        name: String,
        /// Its folder.
        dir: PathBuf,
        /// The runtime it asks for.
        runtime: String,
    },
    /// Two plugins in one folder have the same name.
    #[error("two plugins claim the name {name:?} at {:?} and {:?}", .first.display().to_string(), .second.display().to_string())]
    Duplicate {
        /// The name.
        name: String,
        /// The first plugin's folder.
        first: PathBuf,
        /// The second plugin's folder.
        second: PathBuf,
    },
    /// No plugin of that name (and type) is installed.
    #[error("plugin: {0} not found")]
    NotFound(String),
    /// No `platformCommand` applies to this OS and architecture.
    #[error("failed to prepare plugin command: no plugin command is applicable")]
    NoCommand {
        /// The plugin's name.
        name: String,
    },
    /// The plugin's program could not be started.
    #[error("plugin {name:?}: could not start {program:?}: {source}")]
    Spawn {
        /// The plugin's name.
        name: String,
        /// The program.
        program: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The plugin exited unsuccessfully (Helm's message, plus what it wrote
    /// to stderr when hoist captured it).
    #[error("plugin {name:?} exited with error{}", describe_exit(*.code, .stderr))]
    Exited {
        /// The plugin's name.
        name: String,
        /// Its exit code (`None` when killed by a signal).
        code: Option<i32>,
        /// Its stderr, when captured (downloaders).
        stderr: String,
    },
    /// A hook exited unsuccessfully.
    #[error("plugin {event} hook for {name:?} exited with error")]
    Hook {
        /// `install`, `update` or `delete`.
        event: String,
        /// The plugin's name.
        name: String,
    },
    /// A downloader's output is bigger than the download limit.
    #[error("plugin {name:?} returned more than {limit} bytes for {url}")]
    TooLarge {
        /// The plugin's name.
        name: String,
        /// The URL it was fetching.
        url: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// Installing failed before anything was written (Helm's messages:
    /// `plugin already exists`, `plugin source does not support
    /// verification...`).
    #[error("{0}")]
    Install(String),
    /// An archive entry would land outside the plugin's folder, or is of a
    /// kind a plugin archive may not hold.
    #[error("refusing plugin archive {archive}: entry {entry:?} {reason}")]
    UnsafeArchive {
        /// The archive (file name or URL).
        archive: String,
        /// The entry's name.
        entry: String,
        /// Why it is refused.
        reason: String,
    },
    /// The archive is not a readable gzip'd tar, or holds no plugin.
    #[error("plugin archive {archive}: {message}")]
    Archive {
        /// The archive (file name or URL).
        archive: String,
        /// What is wrong.
        message: String,
    },
    /// A git command failed.
    #[error("{0}")]
    Git(String),
    /// The plugin's provenance did not verify.
    #[error("plugin verification failed: {0}")]
    Verify(String),
    /// Downloading an archive failed.
    #[error(transparent)]
    Download(Box<crate::repo::RepoError>),
    /// A file system operation failed.
    #[error("{action} {}: {source}", .path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// On what.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

impl PluginError {
    pub(crate) fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        PluginError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn invalid(dir: &Path, message: impl Into<String>) -> Self {
        PluginError::Invalid {
            dir: dir.to_path_buf(),
            message: message.into(),
        }
    }

    /// The plugin's exit code, when the error is that it failed.
    pub fn exit_code(&self) -> Option<i32> {
        match self {
            PluginError::Exited { code, .. } => *code,
            _ => None,
        }
    }
}

impl From<crate::repo::RepoError> for PluginError {
    fn from(e: crate::repo::RepoError) -> Self {
        PluginError::Download(Box::new(e))
    }
}

fn describe_exit(code: Option<i32>, stderr: &str) -> String {
    let mut out = String::new();
    match code {
        Some(c) => out.push_str(&format!(" (exit status {c})")),
        None => out.push_str(" (killed by a signal)"),
    }
    let stderr = stderr.trim();
    if !stderr.is_empty() {
        out.push_str(": ");
        out.push_str(stderr);
    }
    out
}
