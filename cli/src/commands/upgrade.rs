//! `hoist upgrade`.

use super::release::{connect, print_release, storage_with_history_max, with_storage};
use crate::args::{OutputFormat, UpgradeArgs};
use crate::output::merge_values;
use crate::progress::wait_progress;
use clap::Args;
use hoist_core::action::postrender::PostRenderer;
use hoist_core::action::upgrade::{UpgradeOptions, upgrade};
use hoist_core::kube::KubeClient;
use hoist_core::values::reuse::ReuseMode;
use miette::miette;
use std::process::ExitCode;

/// Helm v4's `--server-side` of upgrade and rollback: a string, so that
/// `auto` can follow the revision's `apply_method`.
#[derive(Debug, Args)]
pub struct ServerSideFlag {
    /// must be "true", "false" or "auto". Object updates run in the server instead of the client ("auto" defaults the value from the previous chart release's method)
    #[arg(long = "server-side", default_value = "auto", value_name = "string")]
    pub server_side: String,
}

impl ServerSideFlag {
    /// `Some(true)`, `Some(false)`, or `None` for `auto`; anything else is
    /// refused with Helm's message.
    pub fn mode(&self) -> miette::Result<Option<bool>> {
        match self.server_side.as_str() {
            "auto" => Ok(None),
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            other => Err(miette!(
                "invalid/unknown release server-side apply method: {other}"
            )),
        }
    }
}

/// `--post-renderer` and `--post-renderer-args`, shared by install,
/// upgrade, template and `diff upgrade`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PostRenderArgs {
    /// Pipe the rendered manifests (hooks excepted) through the Helm v4
    /// post-renderer plugin of this name, or else through this executable
    /// (Helm 3); its output replaces them. A name without `/` that is no
    /// plugin is looked up in $PATH.
    #[arg(long = "post-renderer", value_name = "NAME|PATH")]
    pub post_renderer: Option<String>,
    /// An argument to the post-renderer (repeatable; commas are not split).
    #[arg(
        long = "post-renderer-args",
        value_name = "ARG",
        allow_hyphen_values = true
    )]
    pub post_renderer_args: Vec<String>,
}

impl PostRenderArgs {
    /// The post-renderer to run, resolved now so that a missing program
    /// fails before anything is rendered or sent (Helm checks it when it
    /// parses the flag). An empty `--post-renderer` means none, as in Helm.
    pub fn renderer(&self) -> miette::Result<Option<PostRenderer>> {
        match self.post_renderer.as_deref() {
            None | Some("") => Ok(None),
            Some(program) => PostRenderer::from_flag(program, self.post_renderer_args.clone())
                .map(Some)
                .map_err(|e| {
                    miette!("invalid argument {program:?} for \"--post-renderer\" flag: {e}")
                }),
        }
    }
}

/// Tells the user when the server lacked server-side apply and objects
/// were applied client-side instead (the release records `csa`).
pub fn warn_if_fell_back(client: &KubeClient) {
    if client.ssa_unavailable() {
        eprintln!(
            "WARNING: the server does not support server-side apply; objects were applied client-side (three-way merge) and the release records apply_method \"csa\""
        );
    }
}

pub async fn run(a: UpgradeArgs) -> miette::Result<ExitCode> {
    let server_side = a.server_side.mode()?;
    let post_renderer = a.post_render.renderer()?;
    let keyring = a.verify.then(|| {
        a.keyring
            .clone()
            .unwrap_or_else(super::pull::default_keyring)
    });
    let chart_path = a
        .chart_ref
        .locate_checked(&a.chart, keyring.as_deref())
        .await?;
    let chart = super::dependency::load_checked(
        &chart_path,
        a.dependency_update,
        a.chart_ref.fetch_options(),
        a.output != OutputFormat::Table,
    )
    .await?;
    let user_values = merge_values(&a.values)?;
    let reuse = match (a.reset_values, a.reuse_values, a.reset_then_reuse_values) {
        (true, _, _) => ReuseMode::Reset,
        (false, true, _) => ReuseMode::Reuse,
        (false, false, true) => ReuseMode::ResetThenReuse,
        _ => ReuseMode::Default,
    };
    let dry_run = a.preview.strategy()?;
    let client = connect(&a.cluster).await?;
    let namespace = client.namespace().to_string();
    let opts = UpgradeOptions {
        name: a.name.clone(),
        labels: crate::args::merged_labels(&a.labels),
        namespace: namespace.clone(),
        user_values,
        install: a.install,
        reuse,
        dry_run,
        description: a.description.clone(),
        no_hooks: a.no_hooks,
        skip_crds: a.skip_crds,
        create_namespace: a.create_namespace,
        render_subchart_notes: a.render_subchart_notes,
        skip_schema_validation: a.skip_schema_validation,
        enable_dns: a.enable_dns,
        cleanup_on_fail: a.cleanup_on_fail,
        atomic: a.deploy.atomic,
        force: a.force,
        force_conflicts: a.deploy.force_conflicts,
        take_ownership: a.take_ownership,
        wait: a.deploy.waits(),
        wait_for_jobs: a.deploy.wait_for_jobs,
        timeout: a.deploy.timeout,
        wait_strategy: a.deploy.strategy(),
        progress: wait_progress(a.output),
        server_side,
        post_renderer,
    };
    let backend = storage_with_history_max(&a.cluster, &client, Some(&namespace), a.history_max);
    let outcome = with_storage!(&backend, s => upgrade(s, &client, chart, &opts).await)
        .map_err(|e| miette!("UPGRADE FAILED: {e}"));
    warn_if_fell_back(&client);
    let outcome = outcome?;
    match a.output {
        OutputFormat::Table => {
            if outcome.installed {
                println!(
                    "Release {:?} does not exist. Installing it now.",
                    outcome.release.name
                );
            } else if outcome.unchanged {
                println!(
                    "Release {:?} is unchanged: revision {} already deploys this chart and these values (use --force for a new revision).",
                    outcome.release.name, outcome.release.version
                );
            } else {
                println!(
                    "Release {:?} has been upgraded. Happy Helming!",
                    outcome.release.name
                );
            }
            print!("{}", a.preview.text(&outcome.release));
        }
        f => print_release(&a.preview.shown(outcome.release, true), f)?,
    }
    Ok(ExitCode::SUCCESS)
}
