//! `hoist env`: the settings hoist runs with, as `helm env` prints Helm's.

use crate::args::ClusterArgs;
use clap::Args;
use hoist_core::repo::Paths;
use std::collections::BTreeMap;
use std::process::ExitCode;

/// `hoist env [NAME]`.
#[derive(Debug, Args)]
pub struct EnvArgs {
    /// One variable to print, bare (`HOIST_CACHE_HOME`; Helm's `HELM_*`
    /// names are read as hoist's).
    pub name: Option<String>,
    /// Helm's global flags.
    #[arg(skip)]
    pub cluster: ClusterArgs,
    /// The global `--debug`.
    #[arg(skip)]
    pub debug: bool,
}

/// hoist's variables and their values now: Helm's `EnvVars` under
/// `HOIST_` names. Plugins get them under Helm's names too.
pub(crate) fn variables(a: &EnvArgs) -> BTreeMap<String, String> {
    let paths = Paths::from_env();
    let c = &a.cluster;
    let env_or = |name: &str, default: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| default.to_string())
    };
    // As Helm's `settings.Namespace()`: from the kubeconfig file alone.
    let namespace = super::release::rendering_namespace(c);
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let path = |p: std::path::PathBuf| p.display().to_string();
    let mut vars: BTreeMap<String, String> = [
        (
            "HOIST_BIN",
            std::env::args_os()
                .next()
                .map(|a| a.to_string_lossy().into_owned())
                .unwrap_or_else(|| "hoist".into()),
        ),
        ("HOIST_CACHE_HOME", path(paths.cache.clone())),
        ("HOIST_CONFIG_HOME", path(paths.config.clone())),
        ("HOIST_DATA_HOME", path(paths.data.clone())),
        ("HOIST_DEBUG", a.debug.to_string()),
        (
            "HOIST_PLUGINS",
            hoist_core::plugin::loader::plugins_variable()
                .to_string_lossy()
                .into_owned(),
        ),
        (
            "HOIST_REGISTRY_CONFIG",
            path(hoist_core::registry::default_credentials_path()),
        ),
        ("HOIST_REPOSITORY_CACHE", path(paths.repository_cache())),
        ("HOIST_CONTENT_CACHE", path(paths.content_cache())),
        ("HOIST_REPOSITORY_CONFIG", path(paths.repository_config())),
        ("HOIST_NAMESPACE", namespace),
        ("HOIST_MAX_HISTORY", env_or("HOIST_MAX_HISTORY", "10")),
        (
            "HOIST_BURST_LIMIT",
            c.burst_limit
                .map(|b| b.to_string())
                .unwrap_or_else(|| hoist_core::kube::throttle::DEFAULT_BURST.to_string()),
        ),
        ("HOIST_QPS", format!("{:.2}", c.qps.unwrap_or(0.0))),
        ("HOIST_DRIVER", c.storage.clone()),
        ("HOIST_KUBECONTEXT", text(&c.kube_context)),
        ("HOIST_KUBETOKEN", text(&c.kube_token)),
        ("HOIST_KUBEASUSER", text(&c.kube_as_user)),
        ("HOIST_KUBEASGROUPS", c.kube_as_group.join(",")),
        ("HOIST_KUBEAPISERVER", text(&c.kube_apiserver)),
        (
            "HOIST_KUBECAFILE",
            c.kube_ca_file.clone().map(path).unwrap_or_default(),
        ),
        (
            "HOIST_KUBEINSECURE_SKIP_TLS_VERIFY",
            c.kube_insecure_skip_tls_verify.to_string(),
        ),
        ("HOIST_KUBETLS_SERVER_NAME", text(&c.kube_tls_server_name)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    // As Helm's: only `--kubeconfig` (its flag's empty default hides
    // $KUBECONFIG from `helm env`).
    if let Some(kubeconfig) = c.kubeconfig.clone().filter(|p| !p.as_os_str().is_empty()) {
        vars.insert("KUBECONFIG".into(), path(kubeconfig));
    }
    vars
}

pub fn run(a: EnvArgs) -> miette::Result<ExitCode> {
    let vars = variables(&a);
    match &a.name {
        None => {
            for (k, v) in &vars {
                println!("{k}=\"{v}\"");
            }
        }
        Some(name) => {
            let key = match name.strip_prefix("HELM_") {
                Some(rest) => format!("HOIST_{rest}"),
                None => name.clone(),
            };
            // An unknown name prints an empty line, as Helm's.
            println!("{}", vars.get(&key).map(String::as_str).unwrap_or_default());
        }
    }
    Ok(ExitCode::SUCCESS)
}
