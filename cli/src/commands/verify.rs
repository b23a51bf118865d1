//! `hoist verify`: check a chart archive against its `.prov` file.

use crate::args::OutputFormat;
use crate::output::print_structured;
use clap::Args;
use hoist_core::provenance::verify_archive;
use miette::miette;
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `hoist verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The chart archive; its provenance file is ARCHIVE.prov.
    pub chart: PathBuf,
    /// Keyring with the public keys to trust (binary or ASCII-armored).
    #[arg(long)]
    pub keyring: Option<PathBuf>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

/// Helm's default keyring: `$GNUPGHOME/pubring.gpg` or `~/.gnupg/pubring.gpg`.
pub fn default_keyring() -> PathBuf {
    let gnupg = std::env::var_os("GNUPGHOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_default()
                .join(".gnupg")
        });
    gnupg.join("pubring.gpg")
}

pub fn run(a: VerifyArgs) -> miette::Result<ExitCode> {
    if a.chart.is_dir() {
        return Err(miette!(
            "unpacked charts cannot be verified: {}",
            a.chart.display()
        ));
    }
    // Helm refuses anything not named .tgz before reading it.
    let is_tgz = a
        .chart
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tgz"));
    if !is_tgz {
        return Err(miette!("chart must be a tgz file: {}", a.chart.display()));
    }
    let keyring = a.keyring.clone().unwrap_or_else(default_keyring);
    let v = verify_archive(&a.chart, &keyring).map_err(|e| miette!("{e}"))?;
    if a.output == OutputFormat::Table {
        print!("{}", v.report());
    } else {
        print_structured(&v, a.output)?;
    }
    Ok(ExitCode::SUCCESS)
}
