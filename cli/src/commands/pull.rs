//! `hoist pull` (alias `fetch`), and the chart-reference flags
//! (`--version`, `--repo`, credentials) other commands share.

use clap::Args;
use hoist_core::repo::fetch::{PullOptions, pull};
use hoist_core::repo::http::HttpOptions;
use hoist_core::repo::{FetchOptions, Located, RepoEntry, locate_chart};
use miette::miette;
use std::path::PathBuf;
use std::process::ExitCode;

/// Credentials and TLS settings for a chart repository (`repo add` and
/// every command that downloads a chart).
#[derive(Debug, Args, Default, Clone)]
pub struct RepoCredentialArgs {
    /// Chart repository username.
    #[arg(long)]
    pub username: Option<String>,
    /// Chart repository password.
    #[arg(long)]
    pub password: Option<String>,
    /// Pass credentials to all domains.
    #[arg(long)]
    pub pass_credentials: bool,
    /// Verify HTTPS servers with this CA bundle.
    #[arg(long)]
    pub ca_file: Option<String>,
    /// Identify with this SSL certificate file.
    #[arg(long)]
    pub cert_file: Option<String>,
    /// Identify with this SSL key file.
    #[arg(long)]
    pub key_file: Option<String>,
    /// Skip TLS certificate checks.
    #[arg(long)]
    pub insecure_skip_tls_verify: bool,
}

impl RepoCredentialArgs {
    /// A repository entry with these settings (name and URL empty).
    pub fn entry(&self) -> RepoEntry {
        RepoEntry {
            username: self.username.clone().unwrap_or_default(),
            password: self.password.clone().unwrap_or_default(),
            pass_credentials_all: self.pass_credentials,
            ca_file: self.ca_file.clone().unwrap_or_default(),
            cert_file: self.cert_file.clone().unwrap_or_default(),
            key_file: self.key_file.clone().unwrap_or_default(),
            insecure_skip_tls_verify: self.insecure_skip_tls_verify,
            ..RepoEntry::default()
        }
    }
}

/// Where to find a chart that is not a local path: `REPO/CHART`, a name
/// with `--repo`, or a URL, and the version to pick.
#[derive(Debug, Args, Default, Clone)]
pub struct ChartRefArgs {
    /// Chart version or constraint (default: the newest stable version).
    #[arg(long)]
    pub version: Option<String>,
    /// Consider development versions (prereleases) too; same as `--version '>0.0.0-0'`.
    #[arg(long)]
    pub devel: bool,
    /// Chart repository URL to find the chart in.
    #[arg(long)]
    pub repo: Option<String>,
    #[command(flatten)]
    pub credentials: RepoCredentialArgs,
    /// Talk plain HTTP to an OCI registry (local registries).
    #[arg(long)]
    pub plain_http: bool,
}

impl ChartRefArgs {
    /// The core options these flags describe.
    pub fn fetch_options(&self) -> FetchOptions {
        FetchOptions {
            version: self.version.clone().unwrap_or_default(),
            devel: self.devel,
            repo_url: self.repo.clone(),
            auth: self.credentials.entry(),
            http: HttpOptions::from_env(),
            paths: None,
            registry: hoist_core::registry::ClientOptions {
                plain_http: self.plain_http,
                insecure_skip_tls_verify: self.credentials.insecure_skip_tls_verify,
                ..Default::default()
            },
        }
    }

    /// [`ChartRefArgs::locate_async`], checking the chart's provenance
    /// with `keyring` when it is given (`--verify`).
    pub async fn locate_checked(
        &self,
        reference: &str,
        keyring: Option<&std::path::Path>,
    ) -> miette::Result<PathBuf> {
        match keyring {
            None => self.locate_async(reference).await,
            Some(ring) => {
                hoist_core::repo::fetch::locate_verified(reference, &self.fetch_options(), ring)
                    .await
                    .map_err(|e| miette!("{e}"))
            }
        }
    }

    /// [`ChartRefArgs::locate`] for commands already on a runtime.
    pub async fn locate_async(&self, reference: &str) -> miette::Result<PathBuf> {
        let located = locate_chart(reference, &self.fetch_options())
            .await
            .map_err(|e| miette!("{e}"))?;
        Ok(match located {
            Located::Local(p) | Located::Downloaded(p) => p,
        })
    }

    /// The local path of `reference`: itself when it exists locally,
    /// otherwise the archive downloaded (and digest-checked) into the cache.
    pub fn locate(&self, reference: &str) -> miette::Result<PathBuf> {
        let opts = self.fetch_options();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| miette!("{e}"))?;
        let located = rt
            .block_on(locate_chart(reference, &opts))
            .map_err(|e| miette!("{e}"))?;
        Ok(match located {
            Located::Local(p) | Located::Downloaded(p) => p,
        })
    }
}

/// `pull`.
#[derive(Debug, Args)]
pub struct PullArgs {
    /// Charts to download: REPO/CHART, a chart URL, or a name with --repo.
    #[arg(required = true, value_name = "CHART")]
    pub charts: Vec<String>,
    #[command(flatten)]
    pub chart_ref: ChartRefArgs,
    /// Folder to write the chart into.
    #[arg(short = 'd', long, default_value = ".")]
    pub destination: PathBuf,
    /// Unpack the chart after downloading it.
    #[arg(long)]
    pub untar: bool,
    /// Folder to unpack into with --untar (relative to --destination).
    #[arg(long, default_value = ".")]
    pub untardir: PathBuf,
    /// Fetch the provenance file too.
    #[arg(long)]
    pub prov: bool,
    /// Verify the package before using it.
    #[arg(long)]
    pub verify: bool,
    /// Keyring holding public keys for --verify.
    #[arg(long)]
    pub keyring: Option<PathBuf>,
}

pub(crate) fn default_keyring() -> PathBuf {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join(".gnupg").join("pubring.gpg")
}

pub fn run(a: PullArgs) -> miette::Result<ExitCode> {
    let fetch = a.chart_ref.fetch_options();
    let opts = PullOptions {
        destination: a.destination.clone(),
        untar: a.untar,
        untar_dir: Some(a.untardir.clone()),
        prov: a.prov,
        verify: a
            .verify
            .then(|| a.keyring.clone().unwrap_or_else(default_keyring)),
    };
    super::release::block_on(async move {
        for chart in &a.charts {
            let pulled = pull(chart, &fetch, &opts)
                .await
                .map_err(|e| miette!("{e}"))?;
            for w in &pulled.warnings {
                eprintln!("WARNING: {w}");
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
