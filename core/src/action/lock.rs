//! One operation per release at a time. The lock is the record itself: an
//! install, upgrade or rollback creates the next revision's record with the
//! API server's create-if-absent, so of two operations racing for revision
//! N exactly one succeeds and the other gets a conflict. A pending revision
//! left by a process that died is recovered with the command the error
//! names (`hoist rollback NAME`, or `hoist uninstall NAME` when nothing was
//! ever deployed).

use super::ActionError;
use crate::release::record::Release;
use crate::storage::{Driver, Storage, StorageError};

/// Stores `release` as a new revision, or fails with
/// [`ActionError::Locked`] when another operation created that revision first.
/// Callers check the record's size ([`Storage::check_fits`]) before they
/// write anything to the cluster.
pub async fn claim_revision<D: Driver>(
    storage: &Storage<D>,
    release: &Release,
) -> Result<(), ActionError> {
    match storage.create(release).await {
        Ok(()) => Ok(()),
        Err(StorageError::AlreadyExists) => Err(ActionError::Locked {
            name: release.name.clone(),
            detail: format!(
                "revision {} was created by a concurrent operation; retry once it has finished",
                release.version
            ),
        }),
        Err(e) => Err(e.into()),
    }
}

/// The error for an operation that finds the release's last revision
/// pending: it names the revision and the recovery command, in case the
/// operation that left it died.
pub fn pending(last: &Release, has_earlier_revision: bool) -> ActionError {
    let recovery = if has_earlier_revision {
        format!("hoist rollback {}", last.name)
    } else {
        format!("hoist uninstall {}", last.name)
    };
    let since = last
        .info
        .as_ref()
        .map(|i| format!(" since {}", i.last_deployed))
        .unwrap_or_default();
    ActionError::Locked {
        name: last.name.clone(),
        detail: format!(
            "revision {} is {}{since}. If no other hoist or helm process is working on it \
             (it was interrupted), recover with `{recovery}`",
            last.version,
            last.status()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::record::Info;
    use crate::release::status::Status;

    #[test]
    fn pending_names_the_revision_and_the_recovery() {
        let rel = Release {
            name: "web".into(),
            version: 4,
            info: Some(Info {
                status: Status::PendingUpgrade,
                ..Info::default()
            }),
            ..Release::default()
        };
        let msg = pending(&rel, true).to_string();
        assert!(
            msg.starts_with("another operation (install/upgrade/rollback) is in progress on web"),
            "{msg}"
        );
        assert!(msg.contains("revision 4 is pending-upgrade"), "{msg}");
        assert!(msg.contains("`hoist rollback web`"), "{msg}");
        assert!(
            pending(&rel, false)
                .to_string()
                .contains("`hoist uninstall web`")
        );
    }
}
