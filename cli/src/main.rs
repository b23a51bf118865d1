//! The `hoist` command line: parses flags, calls `hoist_core::action`, prints.
//! Results go to stdout, diagnostics to stderr; any error exits non-zero.

mod args;
mod commands;
mod output;
mod progress;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Like other Unix tools, end quietly when the reader of our output
    // goes away (`hoist list | head -1`) instead of panicking on EPIPE.
    // SAFETY: restoring the default disposition of one signal at start-up,
    // before any thread exists.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // Scripts match on error text: wrap messages only for a person at a terminal.
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let _ = miette::set_hook(Box::new(|_| {
            Box::new(
                miette::MietteHandlerOpts::new()
                    .wrap_lines(false)
                    .color(false)
                    .build(),
            )
        }));
    }
    helm_environment();
    let cli = args::Cli::parse();
    for (name, value) in cli.locations.as_environment() {
        // SAFETY: still at start-up, before any thread exists.
        unsafe { std::env::set_var(name, value) };
    }
    if cli.debug {
        debug_log();
    }
    output::set_color_mode(cli.color);
    match commands::run(cli) {
        Ok(code) => code,
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(1)
        }
    }
}

/// `--debug`: hoist's own debug events on stderr (the HTTP and TLS crates
/// below it stay quiet: their traces drown what hoist decided).
fn debug_log() {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;
    let only_hoist = Targets::new()
        .with_target("hoist", LevelFilter::DEBUG)
        .with_target("hoist_core", LevelFilter::DEBUG)
        .with_default(LevelFilter::WARN);
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                .with_filter(only_hoist),
        )
        .try_init();
}

/// Helm's environment variables, for the hoist ones that are not set: a
/// job written for `helm` (HELM_NAMESPACE, HELM_KUBETOKEN...) keeps its
/// meaning when it runs hoist.
const HELM_VARIABLES: &[(&str, &str)] = &[
    ("HELM_NAMESPACE", "HOIST_NAMESPACE"),
    ("HELM_DRIVER", "HOIST_DRIVER"),
    ("HELM_DEBUG", "HOIST_DEBUG"),
    ("HELM_COLOR", "HOIST_COLOR"),
    ("HELM_KUBECONTEXT", "HOIST_KUBECONTEXT"),
    ("HELM_KUBEAPISERVER", "HOIST_KUBEAPISERVER"),
    ("HELM_KUBETOKEN", "HOIST_KUBETOKEN"),
    ("HELM_KUBEASUSER", "HOIST_KUBEASUSER"),
    ("HELM_KUBEASGROUPS", "HOIST_KUBEASGROUPS"),
    ("HELM_KUBECAFILE", "HOIST_KUBECAFILE"),
    (
        "HELM_KUBEINSECURE_SKIP_TLS_VERIFY",
        "HOIST_KUBEINSECURE_SKIP_TLS_VERIFY",
    ),
    ("HELM_KUBETLS_SERVER_NAME", "HOIST_KUBETLS_SERVER_NAME"),
    ("HELM_REPOSITORY_CONFIG", "HOIST_REPOSITORY_CONFIG"),
    ("HELM_REPOSITORY_CACHE", "HOIST_REPOSITORY_CACHE"),
    ("HELM_CONTENT_CACHE", "HOIST_CONTENT_CACHE"),
    ("HELM_REGISTRY_CONFIG", "HOIST_REGISTRY_CONFIG"),
    ("HELM_MAX_HISTORY", "HOIST_MAX_HISTORY"),
    ("HELM_QPS", "HOIST_QPS"),
    ("HELM_BURST_LIMIT", "HOIST_BURST_LIMIT"),
];

fn helm_environment() {
    for (helm, hoist) in HELM_VARIABLES {
        if std::env::var_os(hoist).is_none()
            && let Some(value) = std::env::var_os(helm)
        {
            // SAFETY: at start-up, before any thread exists (the runtime is
            // built later, by the command).
            unsafe { std::env::set_var(hoist, value) };
        }
    }
}
