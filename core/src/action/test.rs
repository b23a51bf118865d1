//! `hoist test NAME`: Helm's `ReleaseTesting.Run`. Runs the release's
//! `test` hooks (by weight, with their delete policies), waits for each
//! Job or Pod to finish, records the results in the last revision, and
//! can fetch the test pods' logs.

use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, LogParams};

use super::ActionError;
use super::deploy::Deployer;
use super::install::validate_release_name;
use crate::kube::{KubeClient, ResourceClient};
use crate::release::HookEvent;
use crate::release::record::Release;
use crate::storage::{Driver, Storage};

/// How to run the tests.
#[derive(Clone, Debug, Default)]
pub struct TestOptions {
    /// How long each test may run (zero: five minutes).
    pub timeout: Duration,
    /// Run only the tests with these names (`--filter name=NAME`); empty runs all.
    pub include: Vec<String>,
    /// Skip the tests with these names (`--filter '!name=NAME'`).
    pub exclude: Vec<String>,
}

/// What a test run did.
#[derive(Clone, Debug)]
pub struct TestOutcome {
    /// The last revision with the tests' results recorded.
    pub release: Release,
    /// The first failure, if a test failed.
    pub failure: Option<String>,
}

/// Runs the tests of release `name`'s last revision.
pub async fn run_tests<D: Driver>(
    storage: &Storage<D>,
    client: &KubeClient,
    name: &str,
    opts: &TestOptions,
) -> Result<TestOutcome, ActionError> {
    validate_release_name(name)?;
    let mut release = storage.last(name).await?;
    let namespace = release.namespace.clone();
    let resources = ResourceClient::connect(client.with_namespace(&namespace)).await?;
    let deployer = Deployer::new(&resources, name, &namespace, opts.timeout);
    // Hooks filtered out keep their `test` event in the stored record; run
    // a copy holding only the selected ones, then copy results back.
    let selected = |hook_name: &str| {
        (opts.include.is_empty() || opts.include.iter().any(|n| n == hook_name))
            && !opts.exclude.iter().any(|n| n == hook_name)
    };
    let mut run = release.clone();
    run.hooks.retain(|h| selected(&h.name));
    let result = deployer.run_hooks(&mut run, HookEvent::Test).await;
    for hook in &mut release.hooks {
        if let Some(done) = run
            .hooks
            .iter()
            .find(|h| h.path == hook.path && h.name == hook.name)
        {
            hook.last_run = done.last_run.clone();
            hook.delete_policies = done.delete_policies.clone();
        }
    }
    storage.update(&release).await?;
    Ok(TestOutcome {
        release,
        failure: result.err().map(|e| e.to_string()),
    })
}

/// The logs of the release's test pods that still exist (a pod deleted by
/// its `hook-succeeded` policy has none), as `(pod name, text)`.
pub async fn test_logs(
    client: &KubeClient,
    release: &Release,
) -> Result<Vec<(String, String)>, ActionError> {
    let api: Api<Pod> = Api::namespaced(client.raw().clone(), &release.namespace);
    let mut out = Vec::new();
    for hook in release
        .hooks
        .iter()
        .filter(|h| h.events.contains(&HookEvent::Test) && !h.last_run.started_at.is_zero())
    {
        let pods: Vec<String> = match hook.kind.as_str() {
            "Pod" => vec![hook.name.clone()],
            "Job" => {
                let lp = ListParams::default().labels(&format!("job-name={}", hook.name));
                match api.list(&lp).await {
                    Ok(list) => list
                        .items
                        .into_iter()
                        .filter_map(|p| p.metadata.name)
                        .collect(),
                    Err(e) => {
                        return Err(ActionError::Invalid(format!(
                            "listing the pods of test {}: {e}",
                            hook.name
                        )));
                    }
                }
            }
            _ => Vec::new(),
        };
        for pod in pods {
            match api.logs(&pod, &LogParams::default()).await {
                Ok(text) => out.push((pod, text)),
                Err(kube::Error::Api(s)) if s.code == 404 => {}
                Err(e) => {
                    return Err(ActionError::Invalid(format!(
                        "reading the logs of test pod {pod}: {e}"
                    )));
                }
            }
        }
    }
    Ok(out)
}
