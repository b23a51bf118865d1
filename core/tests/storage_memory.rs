//! `Storage` over the memory driver: history, last, deployed, and Helm's
//! max-history pruning, on the real revisions Helm wrote (install, upgrade,
//! failed upgrade, upgrade) and on small synthetic histories.

use hoist_core::release::record::Release;
use hoist_core::release::status::Status;
use hoist_core::storage::codec::release_from_secret;
use hoist_core::storage::{Driver, MemoryDriver, Storage, StorageError};
use std::future::Future;
use std::path::PathBuf;

/// The memory driver never waits, so polling once with a no-op waker is enough.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

fn helm_history() -> Vec<Release> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/storage/secrets-5-failed-then-upgraded.json");
    let list: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| release_from_secret(s).unwrap())
        .collect()
}

fn rel(name: &str, version: i64, status: Status) -> Release {
    let mut r = Release {
        name: name.into(),
        namespace: "ns".into(),
        version,
        ..Release::default()
    };
    r.set_status(status, "");
    r
}

fn storage_with(releases: &[Release], max_history: usize) -> Storage<MemoryDriver> {
    let storage = Storage::new(MemoryDriver::new());
    for r in releases {
        block_on(storage.create(r)).unwrap();
    }
    storage.with_max_history(max_history)
}

fn versions(rels: &[Release]) -> Vec<i64> {
    let mut v: Vec<i64> = rels.iter().map(|r| r.version).collect();
    v.sort();
    v
}

#[test]
fn history_last_and_deployed_on_helm_records() {
    let s = storage_with(&helm_history(), 0);
    assert_eq!(
        versions(&block_on(s.history("probe")).unwrap()),
        [1, 2, 3, 4]
    );
    let last = block_on(s.last("probe")).unwrap();
    assert_eq!((last.version, last.status()), (4, Status::Deployed));
    assert_eq!(block_on(s.deployed("probe")).unwrap().version, 4);
    assert_eq!(versions(&block_on(s.deployed_all("probe")).unwrap()), [4]);
    assert_eq!(
        block_on(s.get("probe", 3)).unwrap().status(),
        Status::Failed
    );
    assert_eq!(block_on(s.list_releases()).unwrap().len(), 4);
    assert_eq!(versions(&block_on(s.list_deployed()).unwrap()), [4]);
    assert!(block_on(s.list_uninstalled()).unwrap().is_empty());
}

#[test]
fn unknown_releases_report_helm_errors() {
    let s = storage_with(&helm_history(), 0);
    let err = block_on(s.history("nope")).unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.to_string(), "release: not found");
    let err = block_on(s.deployed("nope")).unwrap_err();
    assert_eq!(err.to_string(), "\"nope\" has no deployed releases");
    assert!(block_on(s.last("nope")).unwrap_err().is_not_found());
    let err = block_on(s.create(&helm_history()[0])).unwrap_err();
    assert_eq!(err.to_string(), "release: already exists");
}

#[test]
fn a_last_failed_revision_is_last_but_not_deployed() {
    let s = storage_with(
        &[rel("a", 1, Status::Deployed), rel("a", 2, Status::Failed)],
        0,
    );
    assert_eq!(block_on(s.last("a")).unwrap().version, 2);
    assert_eq!(block_on(s.deployed("a")).unwrap().version, 1);
}

#[test]
fn several_deployed_revisions_yield_the_newest() {
    let s = storage_with(
        &[rel("a", 2, Status::Deployed), rel("a", 1, Status::Deployed)],
        0,
    );
    assert_eq!(block_on(s.deployed("a")).unwrap().version, 2);
    assert_eq!(block_on(s.deployed_all("a")).unwrap().len(), 2);
}

#[test]
fn max_history_prunes_the_oldest_revisions_on_create() {
    let s = storage_with(&helm_history(), 3);
    let mut v5 = helm_history()[3].clone();
    v5.version = 5;
    block_on(s.create(&v5)).unwrap();
    // Room for one more with at most 3: revisions 1 and 2 go.
    assert_eq!(versions(&block_on(s.history("probe")).unwrap()), [3, 4, 5]);
}

#[test]
fn max_history_spares_the_deployed_revision() {
    let s = storage_with(
        &[
            rel("a", 1, Status::Deployed),
            rel("a", 2, Status::Failed),
            rel("a", 3, Status::Failed),
        ],
        2,
    );
    block_on(s.create(&rel("a", 4, Status::PendingUpgrade))).unwrap();
    // Helm keeps 1 (deployed) and deletes 2 and 3 to leave one slot.
    assert_eq!(versions(&block_on(s.history("a")).unwrap()), [1, 4]);
}

#[test]
fn max_history_without_a_deployed_revision_deletes_oldest_first() {
    let s = storage_with(
        &[rel("a", 1, Status::Superseded), rel("a", 2, Status::Failed)],
        2,
    );
    block_on(s.create(&rel("a", 3, Status::PendingUpgrade))).unwrap();
    assert_eq!(versions(&block_on(s.history("a")).unwrap()), [2, 3]);
}

#[test]
fn max_history_applies_to_a_first_install_too() {
    let s = Storage::new(MemoryDriver::new()).with_max_history(1);
    block_on(s.create(&rel("a", 1, Status::PendingInstall))).unwrap();
    assert_eq!(versions(&block_on(s.history("a")).unwrap()), [1]);
}

#[test]
fn update_and_delete_go_through_the_driver() {
    let s = storage_with(&[rel("a", 1, Status::PendingInstall)], 0);
    block_on(s.update(&rel("a", 1, Status::Deployed))).unwrap();
    assert_eq!(block_on(s.get("a", 1)).unwrap().status(), Status::Deployed);
    assert!(matches!(
        block_on(s.update(&rel("a", 9, Status::Deployed))),
        Err(StorageError::NotFound)
    ));
    assert_eq!(block_on(s.delete("a", 1)).unwrap().version, 1);
    assert!(block_on(s.get("a", 1)).unwrap_err().is_not_found());
    assert_eq!(s.driver().name(), "Memory");
}

#[test]
fn storage_futures_can_be_spawned_on_a_multithreaded_runtime() {
    fn assert_send<T: Send>(_: &T) {}
    let s = Storage::new(MemoryDriver::new());
    let r = rel("a", 1, Status::Deployed);
    let create = s.create(&r);
    assert_send(&create);
    block_on(create).unwrap();
    let history = s.history("a");
    assert_send(&history);
    assert_eq!(block_on(history).unwrap().len(), 1);
    assert_send(&s.deployed("a"));
}
