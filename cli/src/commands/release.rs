//! What the cluster commands share: a tokio runtime, the cluster
//! connection and the release storage chosen by `--storage`/`HOIST_DRIVER`.

use crate::args::{ClusterArgs, OutputFormat, StorageChoice};
use hoist_core::kube::throttle::Throttle;
use hoist_core::kube::{ClientOptions, ConnectionOverrides, KubeClient};
use hoist_core::release::record::{Release, to_go_json};
use hoist_core::storage::kube_driver::{ConfigMapsDriver, SecretsDriver};
use hoist_core::storage::{MemoryDriver, Storage};
use hoist_core::values::Value;
use miette::{IntoDiagnostic, miette};
use std::future::Future;
use std::process::ExitCode;

/// Runs a cluster command on a single-threaded runtime.
pub fn block_on(fut: impl Future<Output = miette::Result<ExitCode>>) -> miette::Result<ExitCode> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .into_diagnostic()?
        .block_on(fut)
}

/// Release storage over one of the drivers.
pub enum Backend {
    Secrets(Storage<SecretsDriver>),
    ConfigMaps(Storage<ConfigMapsDriver>),
    Memory(Storage<MemoryDriver>),
}

/// Runs `$body` with `$s` bound to the backend's `Storage<D>`.
macro_rules! with_storage {
    ($backend:expr, $s:ident => $body:expr) => {
        match $backend {
            $crate::commands::release::Backend::Secrets($s) => $body,
            $crate::commands::release::Backend::ConfigMaps($s) => $body,
            $crate::commands::release::Backend::Memory($s) => $body,
        }
    };
}
pub(crate) use with_storage;

/// Connects to the cluster; the client's namespace is `-n` or the context's.
pub async fn connect(c: &ClusterArgs) -> miette::Result<KubeClient> {
    c.storage_choice().map_err(|e| miette!("{e}"))?;
    // As Helm's flags: an empty value is no value.
    let given = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
    let opts = ClientOptions {
        kubeconfig: c.kubeconfig.clone().filter(|p| !p.as_os_str().is_empty()),
        context: given(&c.kube_context),
        namespace: given(&c.namespace),
        overrides: ConnectionOverrides {
            api_server: given(&c.kube_apiserver),
            token: given(&c.kube_token),
            as_user: given(&c.kube_as_user),
            as_groups: c
                .kube_as_group
                .iter()
                .filter(|g| !g.is_empty())
                .cloned()
                .collect(),
            ca_file: c.kube_ca_file.clone().filter(|p| !p.as_os_str().is_empty()),
            insecure_skip_tls_verify: c.kube_insecure_skip_tls_verify,
            tls_server_name: given(&c.kube_tls_server_name),
        },
        throttle: Throttle::from_flags(c.qps, c.burst_limit).map_err(|e| miette!("{e}"))?,
    };
    KubeClient::connect(&opts).await.map_err(|e| miette!("{e}"))
}

/// The namespace commands that render without a cluster use (Helm's
/// `settings.Namespace()`): `-n`, else the kubeconfig context's, read from
/// the file without building credentials, else `default`.
pub fn rendering_namespace(c: &ClusterArgs) -> String {
    hoist_core::kube::kubeconfig_namespace(&ClientOptions {
        kubeconfig: c.kubeconfig.clone().filter(|p| !p.as_os_str().is_empty()),
        context: c.kube_context.clone().filter(|v| !v.is_empty()),
        namespace: c.namespace.clone().filter(|v| !v.is_empty()),
        ..ClientOptions::default()
    })
}

/// Storage in `namespace`, or across every namespace with `None`.
pub fn storage(c: &ClusterArgs, client: &KubeClient, namespace: Option<&str>) -> Backend {
    storage_with_history_max(c, client, namespace, 0)
}

/// Storage that keeps at most `max` revisions per release (0: no limit).
pub fn storage_with_history_max(
    c: &ClusterArgs,
    client: &KubeClient,
    namespace: Option<&str>,
    max: usize,
) -> Backend {
    // `connect` has checked the name already.
    match c.storage_choice().unwrap_or_default() {
        StorageChoice::Secret => Backend::Secrets(
            Storage::new(SecretsDriver::new(client.clone(), namespace)).with_max_history(max),
        ),
        StorageChoice::Configmap => Backend::ConfigMaps(
            Storage::new(ConfigMapsDriver::new(client.clone(), namespace)).with_max_history(max),
        ),
        StorageChoice::Memory => {
            let driver = MemoryDriver::new();
            driver.set_namespace(namespace.unwrap_or(""));
            Backend::Memory(Storage::new(driver).with_max_history(max))
        }
    }
}

/// Prints a release as JSON (compact, Go's escaping, as Helm's encoder) or YAML.
pub fn print_release(rel: &Release, format: OutputFormat) -> miette::Result<()> {
    let bytes = to_go_json(rel).map_err(|e| miette!("{e}"))?;
    match format {
        OutputFormat::Yaml => {
            let json: serde_json::Value = serde_json::from_slice(&bytes).into_diagnostic()?;
            print!("{}", hoist_core::yaml::to_string(&Value::from(json)));
        }
        _ => println!("{}", String::from_utf8_lossy(&bytes)),
    }
    Ok(())
}

/// Prints rows as compact JSON (Helm's encoder) or YAML.
pub fn print_rows<T: serde::Serialize>(rows: &T, format: OutputFormat) -> miette::Result<()> {
    let json = serde_json::to_value(rows).into_diagnostic()?;
    match format {
        OutputFormat::Yaml => print!("{}", hoist_core::yaml::to_string(&Value::from(json))),
        _ => println!("{json}"),
    }
    Ok(())
}
