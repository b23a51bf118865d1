//! `hoist status`: a release's last revision (Helm's `Status.Run`) and the
//! text Helm prints for it, which `install` prints too.

use super::ActionError;
use super::list::ansic;
use crate::release::HookEvent;
use crate::release::record::Release;
use crate::storage::{Driver, Storage, StorageError};

/// The newest revision of `name` (any state), or Helm's "release: not found".
pub async fn status<D: Driver>(storage: &Storage<D>, name: &str) -> Result<Release, ActionError> {
    match storage.last(name).await {
        Ok(r) => Ok(r),
        Err(StorageError::NotFound | StorageError::NoRevision { .. }) => {
            Err(StorageError::NotFound.into())
        }
        Err(e) => Err(e.into()),
    }
}

/// Helm's status table: name, time, namespace, status, revision,
/// description, test suite, then (after a dry run) hooks and manifest, and
/// the notes.
pub fn status_text(rel: &Release) -> String {
    let info = rel.info.clone().unwrap_or_default();
    let mut out = format!("NAME: {}\n", rel.name);
    if !info.last_deployed.is_zero() {
        out.push_str(&format!("LAST DEPLOYED: {}\n", ansic(&info.last_deployed)));
    }
    out.push_str(&format!("NAMESPACE: {}\n", rel.namespace));
    out.push_str(&format!("STATUS: {}\n", info.status.as_str()));
    out.push_str(&format!("REVISION: {}\n", rel.version));
    out.push_str(&format!("DESCRIPTION: {}\n", info.description));
    let tests: Vec<_> = rel
        .hooks
        .iter()
        .filter(|h| h.events.contains(&HookEvent::Test))
        .collect();
    if tests.is_empty() {
        out.push_str("TEST SUITE: None\n");
    } else {
        for h in tests {
            if h.last_run.started_at.is_zero() {
                continue;
            }
            out.push_str(&format!(
                "TEST SUITE:     {}\nLast Started:   {}\nLast Completed: {}\nPhase:          {}\n",
                h.name,
                ansic(&h.last_run.started_at),
                ansic(&h.last_run.completed_at),
                h.last_run.phase.as_str()
            ));
        }
    }
    if info.description.eq_ignore_ascii_case("Dry run complete") {
        out.push_str("HOOKS:\n");
        for h in &rel.hooks {
            out.push_str(&format!("---\n# Source: {}\n{}\n", h.path, h.manifest));
        }
        out.push_str(&format!("MANIFEST:\n{}\n", rel.manifest));
    }
    if !info.notes.is_empty() {
        out.push_str(&format!("NOTES:\n{}\n", info.notes.trim()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::record::{GoTime, Info};
    use crate::release::status::Status;

    #[test]
    fn text_has_helms_lines() {
        let rel = Release {
            name: "web".into(),
            namespace: "ns".into(),
            version: 1,
            info: Some(Info {
                status: Status::Deployed,
                description: "Install complete".into(),
                last_deployed: GoTime::parse("2026-01-02T03:04:05Z").unwrap(),
                notes: "  hi\n".into(),
                ..Info::default()
            }),
            ..Release::default()
        };
        assert_eq!(
            status_text(&rel),
            "NAME: web\nLAST DEPLOYED: Fri Jan  2 03:04:05 2026\nNAMESPACE: ns\nSTATUS: deployed\n\
             REVISION: 1\nDESCRIPTION: Install complete\nTEST SUITE: None\nNOTES:\nhi\n"
        );
    }
}
