//! `hoist registry login|logout`.

use clap::{Args, Subcommand};
use hoist_core::registry::{ClientOptions, Credentials, login, logout};
use miette::miette;
use std::io::Read;
use std::process::ExitCode;

/// Registry subcommands.
#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Check credentials against a registry and store them.
    Login(LoginArgs),
    /// Remove the stored credentials of a registry.
    Logout(LogoutArgs),
}

/// Flags of `hoist registry login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Registry host (`HOST[:PORT]`).
    pub host: String,
    /// User name.
    #[arg(short = 'u', long)]
    pub username: String,
    /// Password or identity token.
    #[arg(short = 'p', long, conflicts_with = "password_stdin")]
    pub password: Option<String>,
    /// Read the password from standard input.
    #[arg(long)]
    pub password_stdin: bool,
    /// Skip TLS certificate checks.
    #[arg(long)]
    pub insecure: bool,
    /// Use HTTP instead of HTTPS.
    #[arg(long)]
    pub plain_http: bool,
}

/// Flags of `hoist registry logout`.
#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// Registry host (`HOST[:PORT]`).
    pub host: String,
}

pub async fn run(c: RegistryCommand) -> miette::Result<ExitCode> {
    match c {
        RegistryCommand::Login(a) => {
            let password = match (a.password, a.password_stdin) {
                (Some(p), _) => p,
                (None, true) => {
                    let mut s = String::new();
                    std::io::stdin()
                        .read_to_string(&mut s)
                        .map_err(|e| miette!("reading the password from standard input: {e}"))?;
                    s.trim_end_matches(['\n', '\r']).to_string()
                }
                (None, false) => {
                    return Err(miette!(
                        "give the password with --password or --password-stdin"
                    ));
                }
            };
            let opts = ClientOptions {
                plain_http: a.plain_http,
                insecure_skip_tls_verify: a.insecure,
                ..Default::default()
            };
            let creds = Credentials {
                username: a.username,
                password,
            };
            login(&a.host, creds, &opts)
                .await
                .map_err(|e| miette!("{e}"))?;
            println!("Login Succeeded");
        }
        RegistryCommand::Logout(a) => {
            logout(&a.host, None).map_err(|e| miette!("{e}"))?;
            println!("Removing login credentials for {}", a.host);
        }
    }
    Ok(ExitCode::SUCCESS)
}
