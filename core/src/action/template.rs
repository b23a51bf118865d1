//! `hoist template`: Helm's `helm template` output from a rendered chart.

use super::ActionError;
use super::render::RenderedChart;
use crate::chart::ignore::go_match;
use crate::release::HookEvent;
use crate::release::manifest::split_manifests;
use std::time::Duration;

/// Output choices of `template`.
#[derive(Clone, Debug, Default)]
pub struct TemplateOptions {
    /// Print CRDs from crds/ (of the chart and its subcharts) first.
    pub include_crds: bool,
    /// Leave test hooks out.
    pub skip_tests: bool,
    /// Leave every hook out.
    pub no_hooks: bool,
    /// Only documents rendered from templates matching these paths/globs
    /// (relative to the chart, e.g. `templates/deployment.yaml`).
    pub show_only: Vec<String>,
}

/// One document of the output with the template it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateDocument {
    /// Helm template path, e.g. `mychart/templates/svc.yaml`.
    pub source: String,
    /// The document text (without the `---` and `# Source:` lines).
    pub content: String,
    /// True for hook documents, which Helm prints after the manifest block.
    pub is_hook: bool,
}

/// The documents `helm template` prints, in its order: CRDs (when asked),
/// manifests in install order, then hooks (unless disabled or filtered).
pub fn template_documents(
    rendered: &RenderedChart,
    opts: &TemplateOptions,
) -> Result<Vec<TemplateDocument>, ActionError> {
    let mut docs = Vec::new();
    if opts.include_crds {
        for (path, content) in crd_documents(&rendered.chart, "") {
            docs.push(TemplateDocument {
                source: path,
                content,
                is_hook: false,
            });
        }
    }
    for m in &rendered.manifests {
        docs.push(TemplateDocument {
            source: m.name.clone(),
            content: m.content.clone(),
            is_hook: false,
        });
    }
    if !opts.no_hooks {
        for h in &rendered.hooks {
            if opts.skip_tests && h.events.contains(&HookEvent::Test) {
                continue;
            }
            docs.push(TemplateDocument {
                source: h.path.clone(),
                content: h.manifest.clone(),
                is_hook: true,
            });
        }
    }
    if opts.show_only.is_empty() {
        return Ok(docs);
    }
    filter_show_only(docs, &opts.show_only)
}

/// The text `helm template` prints for the documents of
/// [`template_documents`]: each as `---\n# Source: PATH\nCONTENT\n`, with
/// Helm's whitespace quirks (the manifest block is trimmed as a whole, and
/// `--show-only` trims every document).
pub fn template_text(docs: &[TemplateDocument], opts: &TemplateOptions) -> String {
    let mut out = String::new();
    if !opts.show_only.is_empty() {
        for d in docs {
            out.push_str("---\n");
            out.push_str(format!("# Source: {}\n{}", d.source, d.content).trim());
            out.push('\n');
        }
        return out;
    }
    let mut block = String::new();
    let mut hooks = String::new();
    for d in docs {
        let target = if d.is_hook { &mut hooks } else { &mut block };
        target.push_str("---\n# Source: ");
        target.push_str(&d.source);
        target.push('\n');
        target.push_str(&d.content);
        target.push('\n');
    }
    out.push_str(block.trim());
    out.push('\n');
    out.push_str(&hooks);
    out
}

/// The manifest block a post-renderer gets from `template`, as Helm 3's
/// `renderResources` builds it: CRDs (with `include_crds`) and the non-hook
/// manifests, each as `---\n# Source: PATH\nCONTENT\n`. `--show-only`
/// does not shorten it: Helm filters the post-rendered output instead.
pub fn manifest_block(
    rendered: &RenderedChart,
    opts: &TemplateOptions,
) -> Result<String, ActionError> {
    let all = TemplateOptions {
        show_only: Vec::new(),
        no_hooks: true,
        ..opts.clone()
    };
    let mut block = String::new();
    for d in template_documents(rendered, &all)? {
        push_document(&mut block, &d.source, &d.content);
    }
    Ok(block)
}

/// What `helm template` prints when a post-renderer rewrote the manifest
/// block of [`manifest_block`] into `post_rendered`: that output trimmed,
/// then the hooks (untouched, as in Helm 3). With `--show-only`, documents
/// of the whole output are picked by their `# Source: CHART/PATH` comment,
/// so a post-renderer that drops those comments leaves nothing to pick
/// (Helm then fails with "could not find template" too).
pub fn post_rendered_text(
    rendered: &RenderedChart,
    post_rendered: &str,
    opts: &TemplateOptions,
) -> Result<String, ActionError> {
    let hooks_only = TemplateOptions {
        include_crds: false,
        show_only: Vec::new(),
        ..opts.clone()
    };
    let mut out = String::new();
    out.push_str(post_rendered.trim());
    out.push('\n');
    for d in template_documents(rendered, &hooks_only)? {
        if d.is_hook {
            push_document(&mut out, &d.source, &d.content);
        }
    }
    if opts.show_only.is_empty() {
        return Ok(out);
    }
    let docs: Vec<String> = split_manifests(&out)
        .into_iter()
        .map(|d| d.trim().to_string())
        .collect();
    let mut picked = String::new();
    for pattern in &opts.show_only {
        let pattern = pattern.replace('\\', "/");
        let mut found = false;
        for doc in &docs {
            let Some(path) = source_path(doc) else {
                continue;
            };
            if go_match(&pattern, path).unwrap_or(false) {
                picked.push_str("---\n");
                picked.push_str(doc);
                picked.push('\n');
                found = true;
            }
        }
        if !found {
            return Err(ActionError::Invalid(format!(
                "could not find template {pattern} in chart"
            )));
        }
    }
    Ok(picked)
}

fn push_document(out: &mut String, source: &str, content: &str) {
    out.push_str("---\n# Source: ");
    out.push_str(source);
    out.push('\n');
    out.push_str(content);
    out.push('\n');
}

/// The template path of a post-rendered document, as Helm's
/// `# Source: [^/]+/(.+)` finds it: the first `# Source: ` comment with a
/// chart name, a `/` and a non-empty rest of the line. The chart-name part
/// may span lines (Go's `[^/]` matches newlines), the rest may not.
fn source_path(doc: &str) -> Option<&str> {
    const MARK: &str = "# Source: ";
    let mut from = 0;
    while let Some(i) = doc[from..].find(MARK) {
        let after = &doc[from + i + MARK.len()..];
        if let Some(slash) = after.find('/').filter(|s| *s > 0) {
            let rest = &after[slash + 1..];
            let line = rest.split('\n').next().unwrap_or("");
            if !line.is_empty() {
                return Some(line);
            }
        }
        from += i + 1;
    }
    None
}

/// `template --dry-run=server` (Helm 3's `--validate`): renders `chart`
/// as install's server dry run does, with the server's capabilities (the
/// request's are replaced) and `lookup` reading live objects. The checks
/// against the server come after any post-renderer, on what would be
/// installed: [`ClusterTarget::check`]. Nothing is written to the cluster.
pub async fn render_against_cluster(
    chart: crate::chart::Chart,
    mut req: super::render::RenderRequest,
    client: &crate::kube::KubeClient,
) -> Result<(RenderedChart, ClusterTarget), ActionError> {
    let namespace = req.release.namespace.clone();
    let release = req.release.name.clone();
    let resources = crate::kube::ResourceClient::connect(client.with_namespace(&namespace)).await?;
    req.capabilities = resources.discovery().capabilities();
    let mut rendered = super::render::render_with_lookup(chart, req, &resources).await?;
    if !crd_documents(&rendered.chart, "").is_empty() {
        // Helm's warning: a dry run does not create the CRDs the
        // templates may rely on.
        rendered.warnings.push(
            "This chart or one of its subcharts contains CRDs. Rendering may fail or contain \
             inaccuracies."
                .into(),
        );
    }
    Ok((
        rendered,
        ClusterTarget {
            resources,
            release,
            namespace,
        },
    ))
}

/// The cluster and release a [`render_against_cluster`] rendered for.
pub struct ClusterTarget {
    resources: crate::kube::ResourceClient,
    release: String,
    namespace: String,
}

impl ClusterTarget {
    /// Helm's checks of the manifest an install would apply (post-rendered,
    /// CRDs included when they are part of it): the server must serve
    /// every kind, and, unless `is_upgrade`, no object may exist already
    /// outside the release (with `take_ownership`, such objects would be
    /// adopted instead).
    pub async fn check(
        &self,
        manifest: &str,
        is_upgrade: bool,
        take_ownership: bool,
    ) -> Result<(), ActionError> {
        let deployer = super::deploy::Deployer::new(
            &self.resources,
            &self.release,
            &self.namespace,
            Duration::ZERO,
        );
        let objects = deployer.objects(manifest)?;
        for object in &objects {
            self.resources.resolve(object).map_err(|e| {
                ActionError::Invalid(format!(
                    "unable to build kubernetes objects from release manifest: {e}"
                ))
            })?;
        }
        if is_upgrade {
            return Ok(());
        }
        deployer
            .claim_new_objects(&[], &objects, take_ownership)
            .await
            .map_err(|e| ActionError::Invalid(format!("unable to continue with install: {e}")))?;
        Ok(())
    }
}

/// The CRD files of a chart and all its subcharts, as `(path, content)`
/// with Helm's full paths (`parent/charts/sub/crds/x.yaml`).
pub fn crd_documents(chart: &crate::chart::Chart, prefix: &str) -> Vec<(String, String)> {
    let base = if prefix.is_empty() {
        chart.name().to_string()
    } else {
        format!("{prefix}/charts/{}", chart.name())
    };
    let mut out: Vec<(String, String)> = chart
        .crd_files()
        .into_iter()
        .map(|f| {
            (
                format!("{base}/{}", f.name),
                String::from_utf8_lossy(&f.data).into_owned(),
            )
        })
        .collect();
    for dep in &chart.dependencies {
        out.extend(crd_documents(dep, &base));
    }
    out
}

/// Keeps the documents whose source (minus the chart-name prefix) matches
/// one of the patterns, pattern by pattern, as Helm's `--show-only` does; a
/// pattern matching nothing is an error.
fn filter_show_only(
    docs: Vec<TemplateDocument>,
    patterns: &[String],
) -> Result<Vec<TemplateDocument>, ActionError> {
    let mut out = Vec::new();
    for pattern in patterns {
        let pattern = pattern.replace('\\', "/");
        let mut found = false;
        for d in &docs {
            let rel = d
                .source
                .split_once('/')
                .map(|(_, r)| r)
                .unwrap_or(&d.source);
            if go_match(&pattern, rel).unwrap_or(false) {
                out.push(d.clone());
                found = true;
            }
        }
        if !found {
            return Err(ActionError::Invalid(format!(
                "could not find template {pattern} in chart"
            )));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::capabilities::offline_capabilities;
    use crate::action::render::{RenderRequest, render_chart};
    use crate::engine::ReleaseInfo;

    /// The fixture chart rendered as release `web` (the golden file's name).
    fn rendered() -> RenderedChart {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/charts/postrender");
        let chart = crate::chart::load_dir(dir).unwrap();
        let req = RenderRequest {
            release: ReleaseInfo {
                name: "web".into(),
                namespace: "default".into(),
                revision: 1,
                is_install: true,
                is_upgrade: false,
                service: "Helm".into(),
            },
            capabilities: offline_capabilities(None, &[]).unwrap(),
            user_values: crate::values::Value::Map(Default::default()),
            render_subchart_notes: false,
            skip_schema_validation: false,
            lint_mode: false,
            enable_dns: false,
        };
        render_chart(chart, &req).unwrap()
    }

    /// Real Helm v4's release of the fixture (tests/fixtures/postrender).
    fn helm_manifest() -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/postrender/helm-release.json");
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        json["manifest"].as_str().unwrap().to_string()
    }

    #[test]
    fn the_block_a_post_renderer_gets_is_helms_release_manifest() {
        let block = manifest_block(&rendered(), &TemplateOptions::default()).unwrap();
        assert_eq!(block, helm_manifest());
    }

    #[test]
    fn include_crds_puts_the_crds_first_and_show_only_does_not_shorten_the_block() {
        let opts = TemplateOptions {
            include_crds: true,
            show_only: vec!["templates/configmap.yaml".into()],
            ..TemplateOptions::default()
        };
        let block = manifest_block(&rendered(), &opts).unwrap();
        let crd_file = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../tests/fixtures/charts/postrender/crds/widget.yaml"),
        )
        .unwrap();
        assert_eq!(
            block,
            format!(
                "---\n# Source: postrender/crds/widget.yaml\n{crd_file}\n{}",
                helm_manifest()
            )
        );
    }

    #[test]
    fn post_rendered_output_is_trimmed_and_followed_by_the_untouched_hooks() {
        let r = rendered();
        let text =
            post_rendered_text(&r, "\n\nkind: Patched\n\n", &TemplateOptions::default()).unwrap();
        let hook = &r.hooks[0];
        assert_eq!(
            text,
            format!(
                "kind: Patched\n---\n# Source: {}\n{}\n",
                hook.path, hook.manifest
            )
        );
        let no_hooks = TemplateOptions {
            no_hooks: true,
            ..TemplateOptions::default()
        };
        assert_eq!(
            post_rendered_text(&r, "kind: Patched\n", &no_hooks).unwrap(),
            "kind: Patched\n"
        );
    }

    #[test]
    fn show_only_picks_post_rendered_documents_by_their_source_comment() {
        let r = rendered();
        let post = helm_manifest().replace("  name: web-", "  name: patched-");
        let opts = TemplateOptions {
            show_only: vec![
                "templates/service.yaml".into(),
                "templates/hook.yaml".into(),
            ],
            ..TemplateOptions::default()
        };
        let text = post_rendered_text(&r, &post, &opts).unwrap();
        let docs: Vec<&str> = text.split("---\n").filter(|d| !d.is_empty()).collect();
        assert_eq!(docs.len(), 3, "{text}");
        assert!(docs[0].contains("name: patched-extra"));
        assert!(docs[1].contains("name: patched-svc"));
        assert!(docs[2].starts_with("# Source: postrender/templates/hook.yaml\n"));
        assert!(
            docs[2].contains("name: web-hook"),
            "hooks are not post-rendered"
        );
    }

    #[test]
    fn show_only_finds_nothing_when_the_post_renderer_dropped_the_comments() {
        let opts = TemplateOptions {
            show_only: vec!["templates/configmap.yaml".into()],
            ..TemplateOptions::default()
        };
        let err = post_rendered_text(&rendered(), "kind: ConfigMap\n", &opts).unwrap_err();
        assert_eq!(
            err.to_string(),
            "could not find template templates/configmap.yaml in chart"
        );
    }

    #[test]
    fn source_paths_follow_helms_pattern() {
        assert_eq!(
            source_path("# Source: c/templates/a.yaml\nx: 1"),
            Some("templates/a.yaml")
        );
        assert_eq!(source_path("x: 1\n# Source: c/a/b.yaml"), Some("a/b.yaml"));
        assert_eq!(source_path("# Source: nochart\nx: 1"), None);
        assert_eq!(source_path("# Source: /abs\n"), None);
        assert_eq!(
            source_path("# Source: c/\n# Source: d/e.yaml"),
            Some("e.yaml")
        );
    }
}
