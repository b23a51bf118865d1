//! The chart tree as the engines see it: which templates exist, under which
//! Helm path, and with which scoped values (Helm's `allTemplates` /
//! `recAllTpls` in pkg/engine/engine.go).

use super::{Files, RenderContext, metadata_value};
use crate::chart::{Chart, ChartFile};
use crate::values::{Map, Value};

/// A chart of the tree with the values its templates see.
#[derive(Debug)]
pub struct ScopedChart<'a> {
    /// The chart.
    pub chart: &'a Chart,
    /// Helm's `ChartFullPath`: `top`, `top/charts/sub`, `top/charts/sub/charts/x`.
    pub full_path: String,
    /// `.Values` for this chart: the whole tree for the top chart, the
    /// parent's `.Values.<subchart name>` for a subchart (an empty map when
    /// that is missing or not a map, as Helm's `Values.Table` gives).
    pub values: Value,
    /// True for the top chart (`.Chart.IsRoot`).
    pub is_root: bool,
    /// The enabled subcharts, in `Chart::dependencies` order.
    pub subcharts: Vec<ScopedChart<'a>>,
}

/// One template file of the tree.
#[derive(Clone, Copy, Debug)]
pub struct TemplateRef<'s, 'a> {
    /// The chart it belongs to.
    pub scope: &'s ScopedChart<'a>,
    /// The file (`name` is relative to its chart, e.g. `templates/x.yaml`).
    pub file: &'a ChartFile,
}

impl<'a> ScopedChart<'a> {
    /// Scopes a chart tree; `values` is the coalesced `.Values` of the top chart.
    pub fn new(chart: &'a Chart, values: &Value) -> Self {
        Self::build(chart, values.clone(), chart.name().to_string(), true)
    }

    fn build(chart: &'a Chart, values: Value, full_path: String, is_root: bool) -> Self {
        let subcharts = chart
            .dependencies
            .iter()
            .map(|sub| {
                let sub_values = match values.as_map().and_then(|m| m.get(sub.name())) {
                    Some(v @ Value::Map(_)) => v.clone(),
                    _ => Value::empty_map(),
                };
                let path = format!("{full_path}/charts/{}", sub.name());
                Self::build(sub, sub_values, path, false)
            })
            .collect();
        ScopedChart {
            chart,
            full_path,
            values,
            is_root,
            subcharts,
        }
    }

    /// `.Chart`: the metadata with Go field names plus `IsRoot`.
    pub fn chart_value(&self) -> Value {
        let mut v = metadata_value(&self.chart.metadata);
        if let Some(m) = v.as_map_mut() {
            m.insert("IsRoot".into(), self.is_root.into());
        }
        v
    }

    /// `.Files` of this chart.
    pub fn files(&self) -> Files {
        Files::new(&self.chart.files)
    }

    /// The data every template of this chart sees, minus `.Files` (engines
    /// provide that their own way) and `.Template`: `Values`, `Release`,
    /// `Capabilities`, `Chart` and `Subcharts` (each subchart's own such map).
    pub fn base_context(&self, ctx: &RenderContext) -> Map {
        let mut m = Map::new();
        m.insert("Values".into(), self.values.clone());
        m.insert("Release".into(), ctx.release.to_value());
        m.insert("Capabilities".into(), ctx.capabilities.to_value());
        m.insert("Chart".into(), self.chart_value());
        m.insert(
            "Subcharts".into(),
            Value::Map(
                self.subcharts
                    .iter()
                    .map(|s| (s.chart.name().to_string(), Value::Map(s.base_context(ctx))))
                    .collect(),
            ),
        );
        m
    }

    /// Every template of the tree in Helm's parse order: deepest paths first,
    /// and within one depth reverse alphabetical (Helm sorts by the number of
    /// `/` then by name, and reverses). Later templates win when two define
    /// the same partial, so the top chart's definitions override its
    /// subcharts'. Library charts contribute only their partials.
    pub fn templates(&self) -> Vec<TemplateRef<'_, 'a>> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out.sort_by(|a, b| {
            let (pa, pb) = (a.path(), b.path());
            let (da, db) = (pa.matches('/').count(), pb.matches('/').count());
            db.cmp(&da).then_with(|| pb.cmp(&pa))
        });
        out
    }

    fn collect<'s>(&'s self, out: &mut Vec<TemplateRef<'s, 'a>>) {
        for sub in &self.subcharts {
            sub.collect(out);
        }
        for file in &self.chart.templates {
            let t = TemplateRef { scope: self, file };
            if self.chart.is_library() && !t.is_partial() {
                continue;
            }
            out.push(t);
        }
    }
}

impl TemplateRef<'_, '_> {
    /// Helm's template path, e.g. `top/charts/sub/templates/x.yaml`
    /// (`.Template.Name`, the key of the rendered output).
    pub fn path(&self) -> String {
        format!("{}/{}", self.scope.full_path, self.file.name)
    }

    /// `.Template.BasePath`, e.g. `top/charts/sub/templates`.
    pub fn base_path(&self) -> String {
        format!("{}/templates", self.scope.full_path)
    }

    /// True for partials (base name starting with `_`), which are never
    /// rendered on their own.
    pub fn is_partial(&self) -> bool {
        let base = self.file.name.rsplit('/').next().unwrap_or(&self.file.name);
        base.starts_with('_')
    }

    /// The template's source text (invalid UTF-8 replaced).
    pub fn source(&self) -> String {
        String::from_utf8_lossy(&self.file.data).into_owned()
    }

    /// `.Template`: `Name` and `BasePath`.
    pub fn template_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("Name".into(), self.path().into());
        m.insert("BasePath".into(), self.base_path().into());
        Value::Map(m)
    }

    /// The whole top-level data of this template: the chart's
    /// [`ScopedChart::base_context`] plus `Template`.
    pub fn context(&self, ctx: &RenderContext) -> Value {
        let mut m = self.scope.base_context(ctx);
        m.insert("Template".into(), self.template_value());
        Value::Map(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Metadata;

    fn chart(name: &str, templates: &[&str], deps: Vec<Chart>) -> Chart {
        Chart {
            metadata: Metadata {
                name: name.into(),
                version: "1.0.0".into(),
                ..Metadata::default()
            },
            templates: templates
                .iter()
                .map(|t| ChartFile {
                    name: t.to_string(),
                    data: Vec::new(),
                })
                .collect(),
            dependencies: deps,
            ..Chart::default()
        }
    }

    #[test]
    fn paths_values_and_order_follow_helm() {
        let mut lib = chart("lib", &["templates/_l.tpl", "templates/x.yaml"], vec![]);
        lib.metadata.chart_type = Some("library".into());
        let sub = chart("sub", &["templates/a.yaml"], vec![lib]);
        let top = chart(
            "top",
            &["templates/a.yaml", "templates/_h.tpl", "templates/z/b.yaml"],
            vec![sub],
        );
        let values: Value = serde_json::json!({"k": 1, "sub": {"s": 2}}).into();
        let scoped = ScopedChart::new(&top, &values);
        let paths: Vec<String> = scoped.templates().iter().map(|t| t.path()).collect();
        assert_eq!(
            paths,
            vec![
                "top/charts/sub/charts/lib/templates/_l.tpl",
                "top/charts/sub/templates/a.yaml",
                "top/templates/z/b.yaml",
                "top/templates/a.yaml",
                "top/templates/_h.tpl",
            ]
        );
        assert_eq!(
            scoped.subcharts[0].values,
            serde_json::json!({"s": 2}).into()
        );
        assert_eq!(scoped.subcharts[0].subcharts[0].values, Value::empty_map());
        let sub_templates = scoped.subcharts[0].templates();
        let t = sub_templates
            .iter()
            .find(|t| t.path() == "top/charts/sub/templates/a.yaml")
            .copied()
            .unwrap();
        assert_eq!(t.base_path(), "top/charts/sub/templates");
        let ctx = RenderContext {
            release: Default::default(),
            capabilities: crate::engine::Capabilities {
                kube_version: crate::engine::KubeVersion::parse("1.33").unwrap(),
                api_versions: vec![],
                helm_version: "v4.0.0".into(),
            },
            lookup: None,
            lint_mode: false,
            enable_dns: false,
        };
        let c = t.context(&ctx);
        assert_eq!(c.get_path("Chart.IsRoot"), Some(&Value::Bool(false)));
        assert_eq!(
            c.get_path("Template.Name"),
            Some(&Value::from("top/charts/sub/templates/a.yaml"))
        );
        assert!(c.get_path("Subcharts.lib.Values").is_some());
        assert!(t.path().ends_with("a.yaml") && !t.is_partial());
    }
}
