//! `hoist test`.

use super::release::{connect, print_release, storage, with_storage};
use crate::args::{OutputFormat, TestArgs};
use hoist_core::action::status::status_text;
use hoist_core::action::test::{TestOptions, run_tests, test_logs};
use miette::miette;
use std::process::ExitCode;

pub async fn run(a: TestArgs) -> miette::Result<ExitCode> {
    let mut opts = TestOptions {
        timeout: a.timeout,
        ..TestOptions::default()
    };
    for f in &a.filter {
        match f.strip_prefix('!') {
            Some(rest) => opts.exclude.push(filter_name(rest)?),
            None => opts.include.push(filter_name(f)?),
        }
    }
    let client = connect(&a.cluster).await?;
    let namespace = client.namespace().to_string();
    let backend = storage(&a.cluster, &client, Some(&namespace));
    let outcome = with_storage!(&backend, s => run_tests(s, &client, &a.name, &opts).await)
        .map_err(|e| miette!("{e}"))?;
    match a.output {
        OutputFormat::Table => print!("{}", status_text(&outcome.release)),
        f => print_release(&outcome.release, f)?,
    }
    if a.logs {
        for (pod, text) in test_logs(&client, &outcome.release)
            .await
            .map_err(|e| miette!("{e}"))?
        {
            println!("POD LOGS: {pod}\n{text}");
        }
    }
    match outcome.failure {
        Some(e) => Err(miette!("{e}")),
        None => Ok(ExitCode::SUCCESS),
    }
}

/// `name=NAME` (the only attribute Helm's `--filter` knows).
fn filter_name(f: &str) -> miette::Result<String> {
    f.strip_prefix("name=")
        .map(str::to_string)
        .ok_or_else(|| miette!("invalid --filter {f:?}: expected name=NAME or !name=NAME"))
}
