//! `hoist install`.

use super::release::{connect, print_release, storage, with_storage};
use crate::args::{InstallArgs, OutputFormat};
use crate::output::merge_values;
use crate::progress::wait_progress;
use hoist_core::action::dry_run::DryRun;
use hoist_core::action::install::{InstallOptions, install, install_client_only, template_name};
use miette::miette;
use std::process::ExitCode;

pub async fn run(a: InstallArgs) -> miette::Result<ExitCode> {
    let post_renderer = a.post_render.renderer()?;
    // Helm's NameAndChart, in its order.
    let (name, chart_ref) = match (&a.chart, a.generate_name, &a.name_template) {
        (Some(_), true, _) => {
            return Err(miette!(
                "cannot set --generate-name and also specify a name"
            ));
        }
        (Some(_), false, Some(_)) => {
            return Err(miette!(
                "cannot set --name-template and also specify a name"
            ));
        }
        (Some(c), false, None) => (Some(a.name.clone()), c.clone()),
        (None, _, Some(t)) => (
            Some(template_name(t).map_err(|e| miette!("INSTALLATION FAILED: {e}"))?),
            a.name.clone(),
        ),
        (None, true, None) => (None, a.name.clone()),
        (None, false, None) => {
            return Err(miette!(
                "must either provide a name or specify --generate-name"
            ));
        }
    };
    let keyring = a.verify.then(|| {
        a.keyring
            .clone()
            .unwrap_or_else(super::pull::default_keyring)
    });
    let chart_path = a
        .chart_ref
        .locate_checked(&chart_ref, keyring.as_deref())
        .await?;
    let chart = super::dependency::load_checked(
        &chart_path,
        a.dependency_update,
        a.chart_ref.fetch_options(),
        a.output != OutputFormat::Table,
    )
    .await
    .map_err(|e| miette!("INSTALLATION FAILED: {e}"))?;
    let name = name.unwrap_or_else(|| hoist_core::action::install::generated_name(chart.name()));
    let user_values = merge_values(&a.values)?;
    let dry_run = a.preview.strategy()?;
    // `--dry-run=client` needs no cluster: the namespace still comes from
    // the kubeconfig when there is one (reading it contacts nothing).
    let client = match dry_run {
        DryRun::Client => connect(&a.cluster).await.ok(),
        _ => Some(connect(&a.cluster).await?),
    };
    let namespace = match &client {
        Some(client) => client.namespace().to_string(),
        None => a
            .cluster
            .namespace
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "default".into()),
    };
    let opts = InstallOptions {
        name,
        labels: crate::args::merged_labels(&a.labels),
        namespace: namespace.clone(),
        user_values,
        dry_run,
        description: a.description.clone(),
        skip_crds: a.skip_crds,
        no_hooks: a.no_hooks,
        create_namespace: a.create_namespace,
        replace: a.replace,
        render_subchart_notes: a.render_subchart_notes,
        skip_schema_validation: a.skip_schema_validation,
        enable_dns: a.enable_dns,
        server_side: a.server_side,
        take_ownership: a.take_ownership,
        atomic: a.deploy.atomic,
        wait: a.deploy.waits(),
        wait_for_jobs: a.deploy.wait_for_jobs,
        timeout: a.deploy.timeout,
        wait_strategy: a.deploy.strategy(),
        progress: wait_progress(a.output),
        force_conflicts: a.deploy.force_conflicts,
        post_renderer,
    };
    let rel = match &client {
        Some(client) if dry_run != DryRun::Client => {
            let backend = storage(&a.cluster, client, Some(&namespace));
            let rel = with_storage!(&backend, s => install(s, client, chart, &opts).await);
            super::upgrade::warn_if_fell_back(client);
            rel
        }
        _ => install_client_only(chart, &opts).await,
    }
    .map_err(|e| miette!("INSTALLATION FAILED: {e}"))?;
    match a.output {
        OutputFormat::Table => print!("{}", a.preview.text(&rel)),
        f => print_release(&a.preview.shown(rel, true), f)?,
    }
    Ok(ExitCode::SUCCESS)
}
