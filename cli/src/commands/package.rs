//! `hoist package`.

use crate::args::{OutputFormat, PackageArgs};
use crate::output::print_structured;
use hoist_core::chart::package::{PackageOptions, package};
use hoist_core::provenance::{Keyring, prov_path, sign_bytes};
use miette::miette;
use std::io::BufRead;
use std::path::Path;
use std::process::ExitCode;

#[derive(serde::Serialize)]
struct Packaged {
    path: String,
    sha256: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    provenance: Option<String>,
}

/// The passphrase: the first line of the file, or of standard input for `-`
/// (read once, so several charts can be signed with one passphrase).
fn read_passphrase(file: &Path) -> miette::Result<String> {
    let mut line = String::new();
    if file == Path::new("-") {
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| miette!("reading the passphrase from standard input: {e}"))?;
    } else {
        let f = std::fs::File::open(file)
            .map_err(|e| miette!("reading passphrase file {}: {e}", file.display()))?;
        std::io::BufReader::new(f)
            .read_line(&mut line)
            .map_err(|e| miette!("reading passphrase file {}: {e}", file.display()))?;
    }
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

/// What signing needs, checked before anything is packaged.
struct Signer {
    keyring: Keyring,
    key: String,
    passphrase: Option<String>,
}

fn signer(a: &PackageArgs) -> miette::Result<Option<Signer>> {
    if !a.sign {
        return Ok(None);
    }
    let key = a
        .key
        .clone()
        .filter(|k| !k.is_empty())
        .ok_or_else(|| miette!("--key is required for signing a package"))?;
    let keyring_path = a
        .keyring
        .clone()
        .unwrap_or_else(super::verify::default_keyring);
    let keyring = Keyring::load(&keyring_path).map_err(|e| miette!("{e}"))?;
    let passphrase = a
        .passphrase_file
        .as_deref()
        .map(read_passphrase)
        .transpose()?;
    Ok(Some(Signer {
        keyring,
        key,
        passphrase,
    }))
}

/// `package -u`: `dependency update` on `dir`.
fn update_dependencies(dir: &Path, a: &PackageArgs) -> miette::Result<()> {
    let opts = hoist_core::repo::deps::DepOptions {
        skip_refresh: false,
        fetch: hoist_core::repo::FetchOptions {
            http: hoist_core::repo::http::HttpOptions::from_env(),
            registry: a.remote.registry(),
            ..Default::default()
        },
        verify: None,
        verify_if_possible: false,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| miette!("{e}"))?;
    // Helm discards the update's progress messages (`Out: io.Discard`):
    // a script reads only the package line.
    runtime
        .block_on(hoist_core::repo::deps::update(dir, &opts))
        .map_err(|e| miette!("{}: {e}", dir.display()))?;
    Ok(())
}

pub fn run(a: PackageArgs) -> miette::Result<ExitCode> {
    let signer = signer(&a)?;
    let opts = PackageOptions {
        version: a.version.clone(),
        app_version: a.app_version.clone(),
        destination: a.destination.clone(),
    };
    let mut done = Vec::new();
    for dir in &a.charts {
        if a.dependency_update {
            update_dependencies(dir, &a)?;
        }
        let path = package(dir, &opts).map_err(|e| miette!("{e}"))?;
        let bytes = std::fs::read(&path).map_err(|e| miette!("reading {}: {e}", path.display()))?;
        let sha256 = hoist_core::chart::package::sha256_hex(&bytes);
        let mut provenance = None;
        if let Some(s) = &signer {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let prov = sign_bytes(&bytes, &name, &s.keyring, &s.key, s.passphrase.as_deref())
                .map_err(|e| miette!("{e}"))?;
            let prov_file = prov_path(&path);
            std::fs::write(&prov_file, prov)
                .map_err(|e| miette!("writing {}: {e}", prov_file.display()))?;
            provenance = Some(prov_file.display().to_string());
        }
        if a.output == OutputFormat::Table {
            println!(
                "Successfully packaged chart and saved it to: {}",
                path.display()
            );
        }
        done.push(Packaged {
            path: path.display().to_string(),
            sha256,
            provenance,
        });
    }
    if a.output != OutputFormat::Table {
        print_structured(&done, a.output)?;
    }
    Ok(ExitCode::SUCCESS)
}
