//! The `hoist-repo-server` binary: parse flags, set up logging, serve.

use clap::Parser;
use hoist_repo_server::{Config, serve};

#[tokio::main]
async fn main() {
    let config = Config::parse();
    let level = if config.debug { "debug" } else { "info" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    if config.log_json {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    if let Err(e) = serve(config).await {
        tracing::error!("{e}");
        eprintln!("hoist-repo-server: {e}");
        std::process::exit(1);
    }
}
