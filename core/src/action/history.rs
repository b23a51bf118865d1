//! `hoist history`: every revision of a release, oldest first, at most the
//! newest `max` (Helm's `History.Run` plus its command's trimming).

use serde::Serialize;

use super::ActionError;
use super::list::{ansic, app_version, chart_name, ui_table};
use crate::release::record::{GoTime, Release};
use crate::storage::{Driver, Storage, StorageError};

/// Revisions of `name`, oldest first, the newest `max` of them (0: all).
pub async fn history<D: Driver>(
    storage: &Storage<D>,
    name: &str,
    max: usize,
) -> Result<Vec<Release>, ActionError> {
    let mut all = match storage.history(name).await {
        Ok(h) if !h.is_empty() => h,
        Ok(_) | Err(StorageError::NotFound) => {
            return Err(ActionError::Invalid("release: not found".into()));
        }
        Err(e) => return Err(e.into()),
    };
    all.sort_by_key(|r| std::cmp::Reverse(r.version));
    if max > 0 {
        all.truncate(max);
    }
    all.reverse();
    Ok(all)
}

/// One row of `history -o json` (Helm's `releaseInfo`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// Revision number.
    pub revision: i64,
    /// When the revision was deployed; left out when unset.
    #[serde(skip_serializing_if = "GoTime::is_zero")]
    pub updated: GoTime,
    /// Status.
    pub status: String,
    /// `CHART-VERSION`.
    pub chart: String,
    /// The chart's appVersion.
    pub app_version: String,
    /// The revision a rollback returned to.
    #[serde(skip_serializing_if = "is_zero")]
    pub rollback_revision: i64,
    /// The revision's description.
    pub description: String,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// The rows for `revisions`.
pub fn history_entries(revisions: &[Release]) -> Vec<HistoryEntry> {
    revisions
        .iter()
        .map(|r| {
            let info = r.info.clone().unwrap_or_default();
            HistoryEntry {
                revision: r.version,
                updated: info.last_deployed,
                status: info.status.as_str().to_string(),
                chart: chart_name(r),
                app_version: app_version(r),
                rollback_revision: info.rollback_revision,
                description: info.description,
            }
        })
        .collect()
}

/// The `history` table.
pub fn history_table(entries: &[HistoryEntry]) -> String {
    let mut rows = vec![
        [
            "REVISION",
            "UPDATED",
            "STATUS",
            "CHART",
            "APP VERSION",
            "DESCRIPTION",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for e in entries {
        rows.push(vec![
            e.revision.to_string(),
            ansic(&e.updated),
            e.status.clone(),
            e.chart.clone(),
            e.app_version.clone(),
            e.description.clone(),
        ]);
    }
    ui_table(&rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::record::Info;
    use crate::release::status::Status;
    use crate::storage::{MemoryDriver, block_on};

    #[test]
    fn newest_max_revisions_oldest_first() {
        let storage = Storage::new(MemoryDriver::new());
        for v in 1..=3 {
            let r = Release {
                name: "a".into(),
                version: v,
                info: Some(Info {
                    status: Status::Superseded,
                    ..Info::default()
                }),
                ..Release::default()
            };
            block_on(storage.create(&r)).unwrap();
        }
        let h = block_on(history(&storage, "a", 2)).unwrap();
        assert_eq!(h.iter().map(|r| r.version).collect::<Vec<_>>(), [2, 3]);
        assert!(block_on(history(&storage, "b", 0)).is_err());
        let json = serde_json::to_value(history_entries(&h)).unwrap();
        assert_eq!(json[0]["revision"], 2);
        assert!(json[0].get("updated").is_none());
        assert_eq!(json[0]["chart"], "MISSING");
    }
}
