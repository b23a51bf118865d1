//! `hoist template`.

use crate::args::TemplateArgs;
use crate::output::merge_values;
use hoist_core::action::capabilities::offline_capabilities;
use hoist_core::action::dry_run::DryRun;
use hoist_core::action::render::{RenderRequest, render_chart};
use hoist_core::action::template::{
    TemplateOptions, manifest_block, post_rendered_text, render_against_cluster,
    template_documents, template_text,
};
use hoist_core::engine::ReleaseInfo;
use miette::{IntoDiagnostic, WrapErr, miette};
use std::collections::BTreeSet;
use std::io::Write;
use std::process::ExitCode;

pub fn run(a: TemplateArgs) -> miette::Result<ExitCode> {
    let post_renderer = a.post_render.renderer()?;
    if post_renderer.is_some() && a.output_dir.is_some() {
        // Helm 3 silently skips the post-renderer with --output-dir.
        return Err(miette!("--post-renderer cannot be used with --output-dir"));
    }
    // Helm's argument rules: `template CHART` or `template NAME CHART`.
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
        (Some(c), false, None) => (a.first.clone(), c.clone()),
        (None, _, Some(t)) => (
            hoist_core::action::install::template_name(t).map_err(|e| miette!("{e}"))?,
            a.first.clone(),
        ),
        (None, _, None) => ("release-name".to_string(), a.first.clone()),
    };
    let against_cluster = match a.dry_run.strategy()? {
        DryRun::Server => true,
        // Helm: template is always a dry run.
        DryRun::None if a.dry_run.value.is_some() => {
            return Err(miette!(
                "invalid dry-run value ({:?}). Must be \"server\" or \"client\"",
                a.dry_run.value.as_deref().unwrap_or_default()
            ));
        }
        _ => a.validate,
    };
    if a.validate {
        eprintln!("Flag --validate has been deprecated, use '--dry-run=server' instead");
    }
    // Helm's template checks for missing dependencies as install does.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .into_diagnostic()?;
    let keyring = a.verify.then(|| {
        a.keyring
            .clone()
            .unwrap_or_else(super::pull::default_keyring)
    });
    let chart_path =
        runtime.block_on(a.chart_ref.locate_checked(&chart_ref, keyring.as_deref()))?;
    let chart = runtime.block_on(super::dependency::load_checked(
        &chart_path,
        a.dependency_update,
        a.chart_ref.fetch_options(),
        true,
    ))?;
    let user_values = merge_values(&a.values)?;
    let req = RenderRequest {
        release: ReleaseInfo {
            name: if a.generate_name && a.name_template.is_none() {
                hoist_core::action::install::generated_name(chart.name())
            } else {
                name
            },
            namespace: a.namespace.clone(),
            revision: 1,
            is_install: !a.is_upgrade,
            is_upgrade: a.is_upgrade,
            service: "Helm".into(),
        },
        capabilities: offline_capabilities(a.kube_version.as_deref(), &a.api_versions)
            .map_err(|e| miette!("{e}"))?,
        user_values,
        render_subchart_notes: a.render_subchart_notes,
        skip_schema_validation: a.skip_schema_validation,
        enable_dns: a.enable_dns,
        lint_mode: false,
    };
    let release_name = req.release.name.clone();
    let (rendered, target) = if against_cluster {
        // Helm renders with the server's capabilities here, whatever
        // --kube-version and --api-versions say.
        let (rendered, target) = runtime.block_on(async {
            let client = super::release::connect(&a.cluster).await?;
            render_against_cluster(chart, req, &client)
                .await
                .map_err(|e| miette!("{e}"))
        })?;
        (rendered, Some(target))
    } else {
        (render_chart(chart, &req).map_err(|e| miette!("{e}"))?, None)
    };
    // The server's checks, on what an install would apply: the manifest
    // after any post-renderer (CRDs included with --include-crds).
    let check = |manifest: &str| -> miette::Result<()> {
        match &target {
            Some(target) => runtime
                .block_on(target.check(manifest, a.is_upgrade, a.take_ownership))
                .map_err(|e| miette!("{e}")),
            None => Ok(()),
        }
    };
    for w in &rendered.warnings {
        eprintln!("warning: {w}");
    }
    let opts = TemplateOptions {
        include_crds: a.include_crds,
        skip_tests: a.skip_tests,
        no_hooks: a.no_hooks,
        show_only: a.show_only.clone(),
    };
    if a.hide_secret && post_renderer.is_some() {
        return Err(miette!(
            "--hide-secret cannot be used with --post-renderer in hoist template"
        ));
    }
    if let Some(pr) = &post_renderer {
        let block = manifest_block(&rendered, &opts).map_err(|e| miette!("{e}"))?;
        let post_rendered = pr.run_blocking(&block).map_err(|e| miette!("{e}"))?;
        check(&post_rendered)?;
        let text =
            post_rendered_text(&rendered, &post_rendered, &opts).map_err(|e| miette!("{e}"))?;
        std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .into_diagnostic()?;
        return Ok(ExitCode::SUCCESS);
    }
    if target.is_some() {
        check(&manifest_block(&rendered, &opts).map_err(|e| miette!("{e}"))?)?;
    }
    let mut docs = template_documents(&rendered, &opts).map_err(|e| miette!("{e}"))?;
    if a.hide_secret && a.output_dir.is_none() {
        use hoist_core::release::manifest::{HIDDEN_SECRET, is_v1_secret};
        for d in docs
            .iter_mut()
            .filter(|d| !d.is_hook && is_v1_secret(&d.content))
        {
            d.content = HIDDEN_SECRET.to_string();
        }
    }
    match &a.output_dir {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(template_text(&docs, &opts).as_bytes())
                .into_diagnostic()?;
        }
        Some(dir) => {
            // One file per template, as Helm writes them; documents from the
            // same template are appended to the same file.
            let base = if a.use_release_name {
                dir.join(&release_name)
            } else {
                dir.clone()
            };
            let mut written = BTreeSet::new();
            for d in &docs {
                let target = base.join(&d.source);
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)
                        .into_diagnostic()
                        .wrap_err_with(|| format!("creating {}", parent.display()))?;
                }
                let mut f = std::fs::OpenOptions::new()
                    .create(true)
                    .write(true)
                    .append(written.contains(&target))
                    .truncate(!written.contains(&target))
                    .open(&target)
                    .into_diagnostic()
                    .wrap_err_with(|| format!("writing {}", target.display()))?;
                write!(f, "---\n# Source: {}\n{}\n", d.source, d.content).into_diagnostic()?;
                if written.insert(target.clone()) {
                    println!("wrote {}", target.display());
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
