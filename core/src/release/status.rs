//! A release's lifecycle state, with the exact strings Helm stores in the
//! release record and in the `status` label of its Secret or ConfigMap.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The state of one release revision (Helm's `common.Status`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    /// The release is in an uncertain state.
    #[default]
    #[serde(rename = "unknown")]
    Unknown,
    /// The release has been pushed to Kubernetes.
    #[serde(rename = "deployed")]
    Deployed,
    /// The release was uninstalled but its history kept (`--keep-history`).
    #[serde(rename = "uninstalled")]
    Uninstalled,
    /// A newer revision replaced this one.
    #[serde(rename = "superseded")]
    Superseded,
    /// The install, upgrade or rollback that wrote this revision failed.
    #[serde(rename = "failed")]
    Failed,
    /// An uninstall is under way.
    #[serde(rename = "uninstalling")]
    Uninstalling,
    /// An install is under way.
    #[serde(rename = "pending-install")]
    PendingInstall,
    /// An upgrade is under way.
    #[serde(rename = "pending-upgrade")]
    PendingUpgrade,
    /// A rollback is under way.
    #[serde(rename = "pending-rollback")]
    PendingRollback,
}

impl Status {
    /// Every status, in Helm's declaration order.
    pub const ALL: [Status; 9] = [
        Status::Unknown,
        Status::Deployed,
        Status::Uninstalled,
        Status::Superseded,
        Status::Failed,
        Status::Uninstalling,
        Status::PendingInstall,
        Status::PendingUpgrade,
        Status::PendingRollback,
    ];

    /// The string Helm writes for this status.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unknown => "unknown",
            Status::Deployed => "deployed",
            Status::Uninstalled => "uninstalled",
            Status::Superseded => "superseded",
            Status::Failed => "failed",
            Status::Uninstalling => "uninstalling",
            Status::PendingInstall => "pending-install",
            Status::PendingUpgrade => "pending-upgrade",
            Status::PendingRollback => "pending-rollback",
        }
    }

    /// True while an install, upgrade or rollback holds the release: Helm
    /// refuses a second operation on a release whose last revision is pending
    /// ("another operation is in progress").
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            Status::PendingInstall | Status::PendingUpgrade | Status::PendingRollback
        )
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not one of Helm's release statuses.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown release status {0:?} (expected one of: unknown, deployed, uninstalled, superseded, failed, uninstalling, pending-install, pending-upgrade, pending-rollback)"
)]
pub struct ParseStatusError(pub String);

impl FromStr for Status {
    type Err = ParseStatusError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| ParseStatusError(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip_through_serde_and_from_str() {
        for st in Status::ALL {
            let json = serde_json::to_string(&st).unwrap();
            assert_eq!(json, format!("\"{}\"", st.as_str()));
            assert_eq!(serde_json::from_str::<Status>(&json).unwrap(), st);
            assert_eq!(st.as_str().parse::<Status>().unwrap(), st);
            assert_eq!(st.to_string(), st.as_str());
        }
    }

    #[test]
    fn only_the_three_pending_states_are_pending() {
        let pending: Vec<_> = Status::ALL.into_iter().filter(|s| s.is_pending()).collect();
        assert_eq!(
            pending,
            [
                Status::PendingInstall,
                Status::PendingUpgrade,
                Status::PendingRollback
            ]
        );
    }

    #[test]
    fn unknown_strings_are_rejected_with_the_value() {
        let err = "Deployed".parse::<Status>().unwrap_err();
        assert!(err.to_string().contains("\"Deployed\""), "{err}");
    }
}
