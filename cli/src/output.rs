//! Shared output helpers: machine-readable formats and values flags.

use crate::args::{ColorMode, OutputFormat, ValuesArgs};
use hoist_core::values::Value;
use hoist_core::values::options::ValueOptions;
use miette::{IntoDiagnostic, miette};
use std::io::IsTerminal;
use std::io::Read;
use std::sync::OnceLock;

/// Prints `data` as JSON or YAML (pretty, stable key order).
pub fn print_structured<T: serde::Serialize>(data: &T, format: OutputFormat) -> miette::Result<()> {
    let json = serde_json::to_value(data).into_diagnostic()?;
    match format {
        OutputFormat::Yaml => print!("{}", hoist_core::yaml::to_string(&Value::from(json))),
        _ => println!("{}", serde_json::to_string_pretty(&json).into_diagnostic()?),
    }
    Ok(())
}

/// Merges the values flags in Helm's order, reading files (and `-` as stdin).
pub fn merge_values(args: &ValuesArgs) -> miette::Result<Value> {
    let opts = ValueOptions {
        value_files: args.values.clone(),
        values: args.set.clone(),
        string_values: args.set_string.clone(),
        file_values: args.set_file.clone(),
        json_values: args.set_json.clone(),
        literal_values: args.set_literal.clone(),
    };
    let reader = |path: &str| -> Result<Vec<u8>, String> {
        if path.trim() == "-" {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| e.to_string())?;
            return Ok(buf);
        }
        if fetched_by_a_getter(path) {
            return download_values(path);
        }
        std::fs::read(path).map_err(|e| e.to_string())
    };
    opts.merge_values(&reader).map_err(|e| miette!("{e}"))
}

/// Helm's `readFile`: a `-f`/`--set-file` argument that is a URL of a
/// scheme some getter serves (http, https, or a downloader plugin's,
/// such as helm-secrets' `secrets://`) is downloaded; anything else is a
/// local path.
fn fetched_by_a_getter(path: &str) -> bool {
    let Some(scheme) = url_scheme(path) else {
        return false;
    };
    matches!(scheme.as_str(), "http" | "https")
        || hoist_core::plugin::getter::find_for_scheme(&scheme).is_some()
}

/// The scheme of `text` read as a URL, lowercased as Go's `url.Parse`
/// does: a letter, then letters, digits, `+`, `-` or `.`, before a `:`.
fn url_scheme(text: &str) -> Option<String> {
    let (scheme, _) = text.split_once(':')?;
    let mut chars = scheme.chars();
    let valid = chars.next()?.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}

/// Downloads a values file with the repository getter (no credentials, as
/// Helm's), on a thread of its own so that it works whether or not the
/// caller already runs an async runtime.
fn download_values(url: &str) -> Result<Vec<u8>, String> {
    use hoist_core::repo::RepoEntry;
    use hoist_core::repo::http::{Getter, HttpOptions};
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| e.to_string())?;
                runtime.block_on(async {
                    let entry = RepoEntry {
                        url: url.to_string(),
                        ..RepoEntry::default()
                    };
                    let getter =
                        Getter::new(&entry, &HttpOptions::from_env()).map_err(|e| e.to_string())?;
                    getter.get(url).await.map_err(|e| e.to_string())
                })
            })
            .join()
            .unwrap_or_else(|_| Err("the download thread failed".to_string()))
    })
}

/// The `--color` mode of this run.
static COLOR_MODE: OnceLock<ColorMode> = OnceLock::new();

/// Records `--color` (once, at start-up).
pub fn set_color_mode(mode: ColorMode) {
    let _ = COLOR_MODE.set(mode);
}

/// Whether to colour what goes to stdout, by Helm v4's rules: `always`
/// and `never` as they say; `auto` only for a terminal, never with a
/// non-empty NO_COLOR (<https://no-color.org>) or TERM=dumb.
pub fn colour_stdout() -> bool {
    colour_for(
        COLOR_MODE.get().copied().unwrap_or(ColorMode::Auto),
        std::io::stdout().is_terminal(),
    )
}

fn colour_for(mode: ColorMode, terminal: bool) -> bool {
    match mode {
        ColorMode::Always => true,
        ColorMode::Never => false,
        ColorMode::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
            terminal && !no_color && !dumb
        }
    }
}

#[cfg(test)]
mod colour_tests {
    use super::*;

    #[test]
    fn explicit_modes_win_and_auto_needs_a_terminal() {
        assert!(colour_for(ColorMode::Always, false));
        assert!(!colour_for(ColorMode::Never, true));
        assert!(!colour_for(ColorMode::Auto, false));
    }
}

#[cfg(test)]
mod tests {
    use super::url_scheme;

    #[test]
    fn schemes_as_go_reads_them() {
        assert_eq!(url_scheme("https://x/v.yaml").as_deref(), Some("https"));
        assert_eq!(url_scheme("HTTP://x").as_deref(), Some("http"));
        assert_eq!(url_scheme("secrets://v.yaml").as_deref(), Some("secrets"));
        assert_eq!(url_scheme("values.yaml"), None);
        assert_eq!(url_scheme("/abs/values.yaml"), None);
        assert_eq!(url_scheme("./a:b.yaml"), None);
        assert_eq!(url_scheme("1x://y"), None);
    }
}
