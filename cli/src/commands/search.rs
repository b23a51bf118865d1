//! `hoist search repo` and `hoist search hub`.

use crate::args::OutputFormat;
use clap::{Args, Subcommand};
use hoist_core::action::list::ui_table;
use hoist_core::repo::search::{SearchOptions, search};
use hoist_core::repo::{Paths, RepoFile, cache};
use hoist_core::values::{Map, Value};
use miette::miette;
use std::process::ExitCode;

/// Search for charts.
#[derive(Debug, Subcommand)]
pub enum SearchCommand {
    /// Search the repositories added with `hoist repo add` for a keyword.
    Repo(SearchRepoArgs),
    /// Search Artifact Hub, or another hub with the Monocular search API.
    Hub(SearchHubArgs),
}

/// `search hub`.
#[derive(Debug, Args)]
pub struct SearchHubArgs {
    /// Keyword(s), or a quoted rich query for Artifact Hub.
    pub keyword: Vec<String>,
    /// The hub to ask.
    #[arg(long, default_value = hoist_core::repo::hub::DEFAULT_ENDPOINT)]
    pub endpoint: String,
    /// Maximum column width of the table.
    #[arg(long, default_value_t = 50)]
    pub max_col_width: usize,
    /// Add the charts' repository URLs to the table.
    #[arg(long)]
    pub list_repo_url: bool,
    /// Fail when nothing is found.
    #[arg(long)]
    pub fail_on_no_result: bool,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

async fn run_hub(a: SearchHubArgs) -> miette::Result<ExitCode> {
    use hoist_core::repo::hub;
    let term = a.keyword.join(" ");
    let http = hoist_core::repo::http::HttpOptions::from_env();
    let found = hub::search(&a.endpoint, &term, &http)
        .await
        .map_err(|e| miette!("unable to perform search against {:?}: {e}", a.endpoint))?;
    if found.is_empty() && a.fail_on_no_result {
        return Err(miette!("no results found"));
    }
    match a.output {
        OutputFormat::Table => {
            if found.is_empty() {
                println!("No results found");
                return Ok(ExitCode::SUCCESS);
            }
            let mut header = vec!["URL", "CHART VERSION", "APP VERSION", "DESCRIPTION"];
            if a.list_repo_url {
                header.push("REPO URL");
            }
            let mut t = vec![header.into_iter().map(String::from).collect::<Vec<_>>()];
            for c in &found {
                let mut row = vec![&c.url, &c.version, &c.app_version, &c.description];
                if a.list_repo_url {
                    row.push(&c.repository.url);
                }
                t.push(
                    row.into_iter()
                        .map(|s| truncate(s, a.max_col_width))
                        .collect(),
                );
            }
            print!("{}", ui_table(&t));
        }
        // Helm's JSON keeps its struct order; its YAML sorts the keys.
        OutputFormat::Json => {
            println!(
                "{}",
                serde_json::to_string(&found).map_err(|e| miette!("{e}"))?
            );
        }
        OutputFormat::Yaml => {
            let value: Value = serde_json::to_value(&found)
                .map_err(|e| miette!("{e}"))?
                .into();
            print!("{}", hoist_core::yaml::to_string(&value));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `search repo`.
#[derive(Debug, Args)]
pub struct SearchRepoArgs {
    /// Keyword(s) to look for in names, descriptions and keywords.
    pub keyword: Vec<String>,
    /// Use regular expressions for searching.
    #[arg(short = 'r', long)]
    pub regexp: bool,
    /// Show every version, not only the newest.
    #[arg(short = 'l', long)]
    pub versions: bool,
    /// Include development versions (prereleases).
    #[arg(long)]
    pub devel: bool,
    /// Version constraint; prereleases only when it names one.
    #[arg(long, default_value = "")]
    pub version: String,
    /// Maximum column width of the table.
    #[arg(long, default_value_t = 50)]
    pub max_col_width: usize,
    /// Fail when nothing is found.
    #[arg(long)]
    pub fail_on_no_result: bool,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: OutputFormat,
}

/// gosuri/uitable's truncation: keep `max - 3` characters and add `...`.
fn truncate(s: &str, max: usize) -> String {
    if max == 0 || s.chars().count() <= max {
        return s.to_string();
    }
    let keep: String = s.chars().take(max.saturating_sub(3)).collect();
    format!("{keep}...")
}

pub fn run(cmd: SearchCommand) -> miette::Result<ExitCode> {
    let a = match cmd {
        SearchCommand::Repo(a) => a,
        SearchCommand::Hub(a) => return crate::commands::release::block_on(run_hub(a)),
    };
    let paths = Paths::from_env();
    let config = RepoFile::load(&paths.repository_config()).map_err(|e| miette!("{e}"))?;
    if config.repositories.is_empty() {
        return Err(miette!("no repositories configured"));
    }
    let mut indexes = Vec::new();
    for r in &config.repositories {
        match cache::load(&paths.repository_cache(), &r.name) {
            Ok(i) => indexes.push((r.name.clone(), i)),
            Err(e) => eprintln!("WARNING: repo {:?} is corrupt or missing: {e}", r.name),
        }
    }
    let keyword = (!a.keyword.is_empty()).then(|| a.keyword.join(" "));
    let opts = SearchOptions {
        version: a.version.clone(),
        versions: a.versions,
        devel: a.devel,
        regexp: a.regexp,
    };
    let results = search(&indexes, keyword.as_deref(), &opts).map_err(|e| miette!("{e}"))?;
    if results.is_empty() && a.fail_on_no_result {
        return Err(miette!("no results found"));
    }
    match a.output {
        OutputFormat::Table => {
            if results.is_empty() {
                println!("No results found");
                return Ok(ExitCode::SUCCESS);
            }
            let mut t = vec![
                ["NAME", "CHART VERSION", "APP VERSION", "DESCRIPTION"]
                    .map(String::from)
                    .to_vec(),
            ];
            for r in &results {
                t.push(
                    [
                        &r.name,
                        &r.chart.version,
                        &r.chart.app_version,
                        &r.chart.description,
                    ]
                    .map(|s| truncate(s, a.max_col_width))
                    .to_vec(),
                );
            }
            print!("{}", ui_table(&t));
        }
        f => {
            let rows: Vec<Value> = results
                .iter()
                .map(|r| {
                    let mut m = Map::new();
                    m.insert("name".into(), Value::from(r.name.as_str()));
                    m.insert("version".into(), Value::from(r.chart.version.as_str()));
                    m.insert(
                        "app_version".into(),
                        Value::from(r.chart.app_version.as_str()),
                    );
                    m.insert(
                        "description".into(),
                        Value::from(r.chart.description.as_str()),
                    );
                    Value::Map(m)
                })
                .collect();
            if f == OutputFormat::Json {
                // Helm's JSON keeps its struct order: name, version, app_version, description.
                let list: Vec<serde_json::Value> = results
                    .iter()
                    .map(|r| {
                        serde_json::json!({
                            "name": r.name,
                            "version": r.chart.version,
                            "app_version": r.chart.app_version,
                            "description": r.chart.description,
                        })
                    })
                    .collect();
                println!("{}", serde_json::Value::Array(list));
            } else {
                print!("{}", hoist_core::yaml::to_string(&Value::List(rows)));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
