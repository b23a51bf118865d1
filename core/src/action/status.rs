//! `hoist status`: one revision of a release (Helm's `Status.Run`), with
//! its resources as they are in the cluster now, and the text Helm prints
//! for it, which `install`, `upgrade` and `test` print too.

mod live;
mod table;

pub use live::live_resources;
pub use table::TablePrinter;

use super::ActionError;
use super::install::validate_release_name;
use super::list::ansic;
use crate::kube::{KubeClient, ResourceClient};
use crate::release::HookEvent;
use crate::release::record::{GoTime, Release};
use crate::release::status::Status;
use crate::storage::{Driver, Storage, StorageError};
use jiff::tz::TimeZone;

/// How `status` reads the revision's resources from the cluster.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ResourceView {
    /// Not at all.
    #[default]
    None,
    /// As server-side tables, for the text output (Helm does this for
    /// `-o table`).
    Table,
    /// As whole objects, for `-o json|yaml`.
    Objects,
}

/// What `hoist status` shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusOptions {
    /// The revision; 0 (or less) for the newest, as Helm's `--revision`.
    pub revision: i64,
    /// Whether and how to read the resources into `info.resources`.
    pub resources: ResourceView,
}

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

/// Helm's `releaseContent`: revision `revision` of `name`, the newest when
/// `revision <= 0`; "release: not found" when there is no such revision.
pub async fn release_content<D: Driver>(
    storage: &Storage<D>,
    name: &str,
    revision: i64,
) -> Result<Release, ActionError> {
    validate_release_name(name).map_err(|_| {
        ActionError::Invalid(format!("releaseContent: Release name is invalid: {name}"))
    })?;
    if revision <= 0 {
        return status(storage, name).await;
    }
    Ok(storage.get(name, revision).await?)
}

/// Helm's `Status.Run`: the revision, with `info.resources` filled from the
/// cluster as `opts.resources` says (objects that are gone are left out).
/// The chart stays in the record; Helm's command drops it before printing.
pub async fn run_status<D: Driver>(
    storage: &Storage<D>,
    client: &KubeClient,
    name: &str,
    opts: &StatusOptions,
) -> Result<Release, ActionError> {
    // Helm checks that the cluster answers before reading the storage.
    client.check_reachable().await?;
    let mut release = release_content(storage, name, opts.revision).await?;
    if opts.resources != ResourceView::None {
        let resources = ResourceClient::connect(client.with_namespace(&release.namespace)).await?;
        let found = live_resources(&resources, &release.manifest, opts.resources).await?;
        release.info.get_or_insert_with(Default::default).resources = found;
    }
    Ok(release)
}

/// Helm's status table: name, time, namespace, status, revision,
/// description, the resources (when `info.resources` holds any), test
/// suite, then (after a dry run) hooks and manifest, and the notes.
pub fn status_text(rel: &Release) -> String {
    status_text_colored(rel, false)
}

/// [`status_text`] with Helm's terminal colours when `color`: the namespace
/// in cyan, the status in green (deployed), red (failed, unknown) or yellow
/// (pending, uninstalling), as `fatih/color` writes them.
pub fn status_text_colored(rel: &Release, color: bool) -> String {
    status_text_in(rel, color, &TimeZone::system())
}

/// [`status_text_colored`] with the times shown in `zone`: Helm's printer
/// converts them to the local zone (`.Local()`), whatever offset the record
/// was written in (unlike `history`, which keeps the recorded offset).
fn status_text_in(rel: &Release, color: bool, zone: &TimeZone) -> String {
    let ansic = |t: &GoTime| ansic(&GoTime::new(t.timestamp(), zone.to_offset(t.timestamp())));
    let info = rel.info.clone().unwrap_or_default();
    let mut out = format!("NAME: {}\n", rel.name);
    if !info.last_deployed.is_zero() {
        out.push_str(&format!("LAST DEPLOYED: {}\n", ansic(&info.last_deployed)));
    }
    let (namespace, status) = if color {
        (paint(CYAN, &rel.namespace), paint_status(info.status))
    } else {
        (rel.namespace.clone(), info.status.as_str().to_string())
    };
    out.push_str(&format!("NAMESPACE: {namespace}\n"));
    out.push_str(&format!("STATUS: {status}\n"));
    out.push_str(&format!("REVISION: {}\n", rel.version));
    out.push_str(&format!("DESCRIPTION: {}\n", info.description));
    if !info.resources.is_empty() {
        out.push_str(&format!("RESOURCES:\n{}\n", resources_text(&info)));
    }
    // One entry per `test` event, as Helm loops over each hook's events: a
    // hook annotated both `test` and `test-success` is listed twice.
    let tests: Vec<_> = rel
        .hooks
        .iter()
        .flat_map(|h| {
            h.events
                .iter()
                .filter(|e| **e == HookEvent::Test)
                .map(move |_| h)
        })
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

const CYAN: &str = "36";
const GREEN: &str = "32";
const RED: &str = "31";
const YELLOW: &str = "33";

/// `fatih/color`'s escape sequence around `text`.
fn paint(code: &str, text: &str) -> String {
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// Helm's `ColorizeStatus`.
fn paint_status(status: Status) -> String {
    let code = match status {
        Status::Deployed => GREEN,
        Status::Failed | Status::Unknown => RED,
        Status::PendingInstall
        | Status::PendingUpgrade
        | Status::PendingRollback
        | Status::Uninstalling => YELLOW,
        _ => return status.as_str().to_string(),
    };
    paint(code, status.as_str())
}

/// The body of the RESOURCES section: `==> VERSION/KIND`, the objects'
/// tables, a blank line, for each kind. Helm walks a Go map here, so its
/// order changes from run to run; hoist prints the kinds sorted.
fn resources_text(info: &crate::release::record::Info) -> String {
    let mut printer = TablePrinter::new(crate::release::record::GoTime::now());
    let mut out = String::new();
    for (kind, objects) in &info.resources {
        out.push_str(&format!("==> {kind}\n"));
        for object in objects {
            printer.print(object, &mut out);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::hook::{Hook, HookExecution, HookPhase};
    use crate::release::record::{GoTime, Info};
    use serde_json::json;
    use std::collections::BTreeMap;

    fn release(info: Info) -> Release {
        Release {
            name: "web".into(),
            namespace: "ns".into(),
            version: 2,
            info: Some(Info {
                status: Status::Deployed,
                last_deployed: GoTime::parse("2026-03-04T05:06:07Z").unwrap(),
                ..info
            }),
            ..Release::default()
        }
    }

    /// The text where the local zone is UTC, as the expected times assume.
    fn utc_text(rel: &Release) -> String {
        status_text_in(rel, false, &TimeZone::UTC)
    }

    fn cm_table(name: &str, data: i64) -> serde_json::Value {
        json!({
            "kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "columnDefinitions": [
                {"name": "Name", "type": "string", "format": "name", "priority": 0},
                {"name": "Data", "type": "integer", "priority": 0},
                {"name": "Age", "type": "string", "priority": 0}
            ],
            "rows": [{"cells": [name, data, "7s"]}]
        })
    }

    #[test]
    fn resources_come_after_the_description_kind_by_kind() {
        let pods = json!({
            "kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "columnDefinitions": [{"name": "Name", "type": "string", "priority": 0}],
            "rows": []
        });
        let resources = BTreeMap::from([
            (
                "v1/ConfigMap".to_string(),
                vec![cm_table("web-settings", 1), cm_table("web-x", 2)],
            ),
            ("v1/Pod(related)".to_string(), vec![pods]),
        ]);
        let rel = release(Info {
            description: "Upgrade complete".into(),
            resources,
            ..Info::default()
        });
        assert_eq!(
            utc_text(&rel),
            "NAME: web\nLAST DEPLOYED: Wed Mar  4 05:06:07 2026\nNAMESPACE: ns\nSTATUS: deployed\n\
             REVISION: 2\nDESCRIPTION: Upgrade complete\nRESOURCES:\n==> v1/ConfigMap\n\
             NAME           DATA   AGE\nweb-settings   1      7s\nweb-x   2     7s\n\n\
             ==> v1/Pod(related)\n\n\nTEST SUITE: None\n"
        );
    }

    #[test]
    fn colours_mark_the_namespace_and_the_status() {
        let text = status_text_colored(&release(Info::default()), true);
        assert!(
            text.contains("NAMESPACE: \x1b[36mns\x1b[0m\nSTATUS: \x1b[32mdeployed\x1b[0m\n"),
            "{text:?}"
        );
        let mut old = release(Info::default());
        if let Some(i) = old.info.as_mut() {
            i.status = Status::Superseded;
        }
        assert!(status_text_colored(&old, true).contains("STATUS: superseded\n"));
        let mut pending = release(Info::default());
        if let Some(i) = pending.info.as_mut() {
            i.status = Status::PendingUpgrade;
        }
        assert!(
            status_text_colored(&pending, true)
                .contains("STATUS: \x1b[33mpending-upgrade\x1b[0m\n")
        );
    }

    #[test]
    fn an_empty_description_still_has_its_line() {
        let text = status_text(&release(Info::default()));
        assert!(
            text.contains("\nREVISION: 2\nDESCRIPTION: \nTEST SUITE: None\n"),
            "{text}"
        );
        assert!(!text.contains("RESOURCES"));
    }

    #[test]
    fn a_hook_with_two_test_events_is_listed_twice_as_helm_does() {
        let mut rel = release(Info::default());
        rel.hooks = vec![Hook {
            name: "legacy".into(),
            // `helm.sh/hook: test, test-success`
            events: vec![HookEvent::Test, HookEvent::Test],
            last_run: HookExecution {
                started_at: GoTime::parse("2026-01-01T10:00:00Z").unwrap(),
                completed_at: GoTime::parse("2026-01-01T10:00:03Z").unwrap(),
                phase: HookPhase::Succeeded,
            },
            ..Hook::default()
        }];
        assert_eq!(
            utc_text(&rel).matches("TEST SUITE:     legacy\n").count(),
            2
        );
    }

    #[test]
    fn test_suite_lists_the_test_hooks_that_ran() {
        let run = |start: &str, end: &str, phase| HookExecution {
            started_at: GoTime::parse(start).unwrap(),
            completed_at: GoTime::parse(end).unwrap(),
            phase,
        };
        let mut rel = release(Info::default());
        rel.hooks = vec![
            Hook {
                name: "never-ran".into(),
                events: vec![HookEvent::Test],
                ..Hook::default()
            },
            Hook {
                name: "smoke".into(),
                events: vec![HookEvent::Test],
                last_run: run(
                    "2026-01-01T10:00:00Z",
                    "2026-01-01T10:00:03Z",
                    HookPhase::Succeeded,
                ),
                ..Hook::default()
            },
            Hook {
                name: "migrate".into(),
                events: vec![HookEvent::PreInstall],
                last_run: run(
                    "2026-01-01T09:00:00Z",
                    "2026-01-01T09:00:01Z",
                    HookPhase::Succeeded,
                ),
                ..Hook::default()
            },
        ];
        let text = utc_text(&rel);
        assert!(
            text.ends_with(
                "DESCRIPTION: \nTEST SUITE:     smoke\nLast Started:   Thu Jan  1 10:00:00 2026\n\
                 Last Completed: Thu Jan  1 10:00:03 2026\nPhase:          Succeeded\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn times_are_shown_in_the_local_zone_not_the_recorded_offset() {
        // Helm prints `LastDeployed.Local()` and `LastRun.*.Local()`: a
        // record written at +02:00 read where the zone is Tokyo (+09:00).
        let at = |t: &str| GoTime::parse(t).unwrap();
        let mut rel = release(Info::default());
        if let Some(i) = rel.info.as_mut() {
            i.last_deployed = at("2026-03-04T05:06:07+02:00");
        }
        rel.hooks = vec![Hook {
            name: "smoke".into(),
            events: vec![HookEvent::Test],
            last_run: HookExecution {
                started_at: at("2026-01-01T23:30:00-05:00"),
                completed_at: at("2026-01-01T23:30:03-05:00"),
                phase: HookPhase::Succeeded,
            },
            ..Hook::default()
        }];
        let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
        let text = status_text_in(&rel, false, &tokyo);
        assert!(
            text.contains("LAST DEPLOYED: Wed Mar  4 12:06:07 2026\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "Last Started:   Fri Jan  2 13:30:00 2026\nLast Completed: Fri Jan  2 13:30:03 2026\n"
            ),
            "{text}"
        );
    }

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
            utc_text(&rel),
            "NAME: web\nLAST DEPLOYED: Fri Jan  2 03:04:05 2026\nNAMESPACE: ns\nSTATUS: deployed\n\
             REVISION: 1\nDESCRIPTION: Install complete\nTEST SUITE: None\nNOTES:\nhi\n"
        );
    }
}
