//! `hoist push CHART.tgz oci://HOST/PATH`.

use crate::args::OutputFormat;
use crate::output::print_structured;
use clap::Args;
use hoist_core::provenance::prov_path;
use hoist_core::registry::{ClientOptions, Credentials, push_created, rfc3339};
use miette::miette;
use std::path::PathBuf;
use std::process::ExitCode;

/// Connection flags shared by the registry commands.
#[derive(Debug, Args, Clone, Default)]
pub struct RegistryConnArgs {
    /// Use HTTP instead of HTTPS (local registries).
    #[arg(long)]
    pub plain_http: bool,
    /// Skip TLS certificate checks.
    #[arg(long)]
    pub insecure_skip_tls_verify: bool,
    /// Registry user name (instead of the stored login).
    #[arg(long)]
    pub username: Option<String>,
    /// Registry password (instead of the stored login).
    #[arg(long)]
    pub password: Option<String>,
}

impl RegistryConnArgs {
    /// The client options these flags describe.
    pub fn options(&self) -> ClientOptions {
        let credentials = self.username.as_ref().map(|u| Credentials {
            username: u.clone(),
            password: self.password.clone().unwrap_or_default(),
        });
        ClientOptions {
            plain_http: self.plain_http,
            insecure_skip_tls_verify: self.insecure_skip_tls_verify,
            credentials,
            credentials_file: None,
        }
    }
}

/// Flags of `hoist push`.
#[derive(Debug, Args)]
pub struct PushArgs {
    /// The chart archive (ARCHIVE.prov beside it is pushed too).
    pub chart: PathBuf,
    /// Destination, `oci://HOST/PATH`; the chart lands at PATH/NAME:VERSION.
    pub remote: String,
    #[command(flatten)]
    pub conn: RegistryConnArgs,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

pub async fn run(a: PushArgs) -> miette::Result<ExitCode> {
    let archive =
        std::fs::read(&a.chart).map_err(|e| miette!("reading {}: {e}", a.chart.display()))?;
    let prov_file = prov_path(&a.chart);
    let prov = match std::fs::read(&prov_file) {
        Ok(p) => Some(p),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(miette!("reading {}: {e}", prov_file.display())),
    };
    // Like Helm, the manifest's creation time is the archive's mtime.
    let created = std::fs::metadata(&a.chart)
        .and_then(|m| m.modified())
        .map(rfc3339)
        .unwrap_or_else(|_| rfc3339(std::time::SystemTime::now()));
    let result = push_created(
        &archive,
        prov.as_deref(),
        &a.remote,
        &created,
        &a.conn.options(),
    )
    .await
    .map_err(|e| miette!("{e}"))?;
    if a.output == OutputFormat::Table {
        println!("Pushed: {}", result.reference);
        println!("Digest: {}", result.manifest_digest);
    } else {
        print_structured(&result, a.output)?;
    }
    Ok(ExitCode::SUCCESS)
}
