//! Helm v4's `--dry-run` strategies.

/// What `--dry-run` asked for: nothing, a render that never contacts the
/// cluster, or one checked against it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DryRun {
    /// Not a dry run: the operation is carried out.
    #[default]
    None,
    /// `--dry-run` / `--dry-run=client`: rendered without the API server
    /// for install (Helm's default capabilities, `lookup` empty); install
    /// then needs no cluster at all. Upgrade and rollback still read the
    /// release history and the server's capabilities, and `lookup` stays
    /// empty.
    Client,
    /// `--dry-run=server`: rendered with the server's capabilities and
    /// `lookup`, and checked for objects owned by someone else.
    Server,
}

impl DryRun {
    /// Whether nothing is to be written.
    pub fn is_dry_run(self) -> bool {
        !matches!(self, DryRun::None)
    }

    /// Whether templates may read the cluster (`lookup`), as Helm's
    /// `interactWithServer`.
    pub fn reads_cluster(self) -> bool {
        !matches!(self, DryRun::Client)
    }
}
