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
    let mut cli = args::Cli::parse();
    let argv: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    cli.cluster.kube_as_group = kube_as_groups(&argv);
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

/// How a variable's text is read, as Helm reads its own (`envOr`,
/// `envBoolOr`, `envIntOr`, `envFloat32Or`): empty is unset, and a value
/// that does not parse is ignored (the default applies) instead of failing
/// every command.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Text,
    /// Go's strconv.ParseBool.
    Bool,
    Float,
    Unsigned,
    /// never, auto or always, in any case (Helm lowercases it).
    Color,
    /// `--history-max`: Go's Atoi; zero or less is no limit.
    History,
}

/// Helm's environment variables, for the hoist ones that are not set: a
/// job written for `helm` (HELM_NAMESPACE, HELM_KUBETOKEN...) keeps its
/// meaning when it runs hoist.
const HELM_VARIABLES: &[(&str, &str, Kind)] = &[
    ("HELM_NAMESPACE", "HOIST_NAMESPACE", Kind::Text),
    ("HELM_DRIVER", "HOIST_DRIVER", Kind::Text),
    ("HELM_DEBUG", "HOIST_DEBUG", Kind::Bool),
    ("HELM_COLOR", "HOIST_COLOR", Kind::Color),
    ("HELM_KUBECONTEXT", "HOIST_KUBECONTEXT", Kind::Text),
    ("HELM_KUBEAPISERVER", "HOIST_KUBEAPISERVER", Kind::Text),
    ("HELM_KUBETOKEN", "HOIST_KUBETOKEN", Kind::Text),
    ("HELM_KUBEASUSER", "HOIST_KUBEASUSER", Kind::Text),
    ("HELM_KUBEASGROUPS", "HOIST_KUBEASGROUPS", Kind::Text),
    ("HELM_KUBECAFILE", "HOIST_KUBECAFILE", Kind::Text),
    (
        "HELM_KUBEINSECURE_SKIP_TLS_VERIFY",
        "HOIST_KUBEINSECURE_SKIP_TLS_VERIFY",
        Kind::Bool,
    ),
    (
        "HELM_KUBETLS_SERVER_NAME",
        "HOIST_KUBETLS_SERVER_NAME",
        Kind::Text,
    ),
    (
        "HELM_REPOSITORY_CONFIG",
        "HOIST_REPOSITORY_CONFIG",
        Kind::Text,
    ),
    (
        "HELM_REPOSITORY_CACHE",
        "HOIST_REPOSITORY_CACHE",
        Kind::Text,
    ),
    ("HELM_CONTENT_CACHE", "HOIST_CONTENT_CACHE", Kind::Text),
    ("HELM_REGISTRY_CONFIG", "HOIST_REGISTRY_CONFIG", Kind::Text),
    ("HELM_MAX_HISTORY", "HOIST_MAX_HISTORY", Kind::History),
    ("HELM_QPS", "HOIST_QPS", Kind::Float),
    ("HELM_BURST_LIMIT", "HOIST_BURST_LIMIT", Kind::Unsigned),
];

/// The value clap should see for `text` of `kind`, or `None` for unset.
fn normalized(kind: Kind, text: &str) -> Option<String> {
    if text.is_empty() {
        return None;
    }
    match kind {
        Kind::Text => Some(text.to_string()),
        Kind::Bool => match text {
            "1" | "t" | "T" | "TRUE" | "true" | "True" => Some("true".into()),
            "0" | "f" | "F" | "FALSE" | "false" | "False" => Some("false".into()),
            _ => None,
        },
        Kind::Float => text.parse::<f32>().ok().map(|_| text.to_string()),
        Kind::Unsigned => text.parse::<u32>().ok().map(|_| text.to_string()),
        Kind::Color => {
            let text = text.to_ascii_lowercase();
            ["never", "auto", "always"]
                .contains(&text.as_str())
                .then_some(text)
        }
        Kind::History => text
            .parse::<i64>()
            .ok()
            .map(|n| n.clamp(0, i64::from(u32::MAX)).to_string()),
    }
}

fn helm_environment() {
    for (helm, hoist, kind) in HELM_VARIABLES {
        let value = match kind {
            // Paths and names keep their bytes, UTF-8 or not, as Go's
            // strings do; only empty means unset.
            Kind::Text => std::env::var_os(hoist)
                .filter(|v| !v.is_empty())
                .or_else(|| std::env::var_os(helm).filter(|v| !v.is_empty())),
            _ => {
                let read =
                    |name: &str| std::env::var(name).ok().and_then(|v| normalized(*kind, &v));
                read(hoist).or_else(|| read(helm)).map(Into::into)
            }
        };
        // SAFETY: at start-up, before any thread exists (the runtime is
        // built later, by the command).
        match value {
            Some(value) => unsafe { std::env::set_var(hoist, value) },
            None => unsafe { std::env::remove_var(hoist) },
        }
    }
}

/// `--kube-as-group` from the command line (every position, values as
/// given), else `HOIST_KUBEASGROUPS` split at commas, as Helm's flag and
/// `HELM_KUBEASGROUPS` are read.
fn kube_as_groups(argv: &[String]) -> Vec<String> {
    args::kube_as_groups(argv).unwrap_or_else(|| {
        std::env::var("HOIST_KUBEASGROUPS")
            .unwrap_or_default()
            .split(',')
            .filter(|g| !g.is_empty())
            .map(str::to_string)
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_read_as_helm_reads_its_own() {
        assert_eq!(normalized(Kind::Text, ""), None);
        assert_eq!(normalized(Kind::Text, "sql").as_deref(), Some("sql"));
        assert_eq!(normalized(Kind::Bool, "1").as_deref(), Some("true"));
        assert_eq!(normalized(Kind::Bool, "F").as_deref(), Some("false"));
        assert_eq!(normalized(Kind::Bool, "yes"), None);
        assert_eq!(normalized(Kind::Float, "2.5").as_deref(), Some("2.5"));
        assert_eq!(normalized(Kind::Float, "abc"), None);
        assert_eq!(normalized(Kind::Unsigned, "-1"), None);
        assert_eq!(normalized(Kind::Unsigned, "300").as_deref(), Some("300"));
        assert_eq!(normalized(Kind::Color, "ALWAYS").as_deref(), Some("always"));
        assert_eq!(normalized(Kind::Color, "bogus"), None);
        assert_eq!(normalized(Kind::History, "-1").as_deref(), Some("0"));
        assert_eq!(normalized(Kind::History, "5").as_deref(), Some("5"));
    }
}
