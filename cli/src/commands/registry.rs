//! `hoist registry login|logout`.

use clap::{Args, Subcommand};
use hoist_core::registry::{ClientOptions, Credentials, login, logout};
use miette::miette;
use std::io::{BufRead, IsTerminal, Read, Write};
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
    /// User name (prompted for on a terminal when no password is given either).
    #[arg(short = 'u', long)]
    pub username: Option<String>,
    /// Password (or an access token the registry takes as one; identity
    /// tokens are not supported yet).
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

/// Helm's `registry login` credential rules: `--password-stdin` reads the
/// password (or identity token) from stdin; with neither it nor
/// `--password`, the username (unless given) and the password are asked for
/// on the terminal, the password without echo ("Token: " when the username
/// is empty). Without a terminal that is an error pointing at
/// `--password-stdin`.
fn credentials(
    username: Option<String>,
    password: Option<String>,
    password_stdin: bool,
) -> miette::Result<(String, String)> {
    let mut username = username.unwrap_or_default();
    if password_stdin {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| miette!("reading the password from standard input: {e}"))?;
        return Ok((username, s.trim_end_matches(['\n', '\r']).to_string()));
    }
    if let Some(p) = password.filter(|p| !p.is_empty()) {
        return Ok((username, p));
    }
    if !std::io::stdin().is_terminal() {
        return Err(miette!(
            "registry login needs a password, and standard input is not a terminal to ask for one: pass it with --password-stdin (or --password)"
        ));
    }
    if username.is_empty() {
        print!("Username: ");
        std::io::stdout()
            .flush()
            .map_err(|e| miette!("writing the prompt: {e}"))?;
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| miette!("reading the username: {e}"))?;
        username = line.trim().to_string();
    }
    let (prompt, what) = if username.is_empty() {
        ("Token: ", "token")
    } else {
        ("Password: ", "password")
    };
    let secret = prompt_secret(prompt)?;
    if secret.is_empty() {
        return Err(miette!("{what} required"));
    }
    Ok((username, secret))
}

/// Asks for a secret on the terminal without echoing it.
pub(crate) fn prompt_secret(prompt: &str) -> miette::Result<String> {
    rpassword::prompt_password(prompt).map_err(|e| miette!("reading the password: {e}"))
}

pub async fn run(c: RegistryCommand) -> miette::Result<ExitCode> {
    match c {
        RegistryCommand::Login(a) => {
            let (username, password) = credentials(a.username, a.password, a.password_stdin)?;
            let opts = ClientOptions {
                plain_http: a.plain_http,
                insecure_skip_tls_verify: a.insecure,
                ..Default::default()
            };
            let creds = Credentials { username, password };
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
