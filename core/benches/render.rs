//! Load + coalesce + render of synthetic charts: one shaped like
//! kube-prometheus-stack (Go templates), and 200 templates with 2 subcharts
//! written once for each engine. `cargo bench -p hoist-core --bench render`.

use criterion::{Criterion, criterion_group, criterion_main};
use hoist_core::action::capabilities::offline_capabilities;
use hoist_core::action::render::{RenderRequest, render_chart};
use hoist_core::engine::ReleaseInfo;
use hoist_core::values::Value;
use std::fmt::Write as _;
use std::path::Path;

const TEMPLATES: usize = 200;

fn write(path: &Path, text: &str) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).expect("bench scratch folder");
    }
    std::fs::write(path, text).expect("bench scratch file");
}

/// Writes a chart with `TEMPLATES` templates and two subcharts.
fn synthetic_chart(root: &Path, handlebars: bool) {
    let annotation = if handlebars {
        "annotations:\n  hoist.dev/engine: handlebars\n"
    } else {
        ""
    };
    write(
        &root.join("Chart.yaml"),
        &format!(
            "apiVersion: v2\nname: big\nversion: 1.0.0\nappVersion: \"2.0\"\n{annotation}dependencies:\n- name: sub-a\n  version: 0.1.0\n- name: sub-b\n  version: 0.1.0\n"
        ),
    );
    let mut values =
        String::from("replicas: 3\nimage:\n  repository: nginx\n  tag: \"1.27\"\nlabels:\n");
    for i in 0..20 {
        let _ = writeln!(values, "  label{i}: value{i}");
    }
    values.push_str("sub-a:\n  enabled: true\nglobal:\n  env: prod\n");
    write(&root.join("values.yaml"), &values);
    if handlebars {
        write(
            &root.join("templates/_helpers.hbs"),
            "{{#*inline \"big.labels\"}}app: {{Chart.Name}}\nrelease: {{Release.Name}}{{/inline}}",
        );
    } else {
        write(
            &root.join("templates/_helpers.tpl"),
            "{{- define \"big.labels\" -}}\napp: {{ .Chart.Name }}\nrelease: {{ .Release.Name }}\n{{- end }}\n",
        );
    }
    for i in 0..TEMPLATES {
        let body = if handlebars {
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{{{Release.Name}}}}-cm-{i}\n  labels:\n{{{{indent 4 (include \"big.labels\" this)}}}}\ndata:\n  image: {{{{quote Values.image.repository}}}}\n  labels: |\n{{{{indent 4 (toYaml Values.labels)}}}}\n"
            )
        } else {
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{{{ .Release.Name }}}}-cm-{i}\n  labels:\n    {{{{- include \"big.labels\" . | nindent 4 }}}}\ndata:\n  image: {{{{ .Values.image.repository | quote }}}}\n  replicas: {{{{ .Values.replicas | quote }}}}\n  labels: |\n    {{{{- toYaml .Values.labels | nindent 4 }}}}\n"
            )
        };
        write(&root.join(format!("templates/cm-{i:03}.yaml")), &body);
    }
    for sub in ["sub-a", "sub-b"] {
        let dir = root.join("charts").join(sub);
        write(
            &dir.join("Chart.yaml"),
            &format!("apiVersion: v2\nname: {sub}\nversion: 0.1.0\n{annotation}"),
        );
        write(&dir.join("values.yaml"), "port: 8080\n");
        let svc = if handlebars {
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{Release.Name}}-{{Chart.Name}}\nspec:\n  ports:\n  - port: {{Values.port}}\n"
        } else {
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-{{ .Chart.Name }}\nspec:\n  ports:\n  - port: {{ .Values.port }}\n"
        };
        write(&dir.join("templates/svc.yaml"), svc);
    }
}

fn bench_engine(c: &mut Criterion, name: &str, handlebars: bool) {
    let dir = tempfile::tempdir().expect("bench tempdir");
    synthetic_chart(dir.path(), handlebars);
    let req = RenderRequest {
        release: ReleaseInfo::default(),
        capabilities: offline_capabilities(None, &[]).expect("default capabilities"),
        user_values: Value::empty_map(),
        render_subchart_notes: false,
        skip_schema_validation: false,
        lint_mode: false,
        enable_dns: false,
    };
    // Fail loudly here rather than benchmark an error path.
    let first =
        render_chart(hoist_core::chart::load(dir.path()).expect("load"), &req).expect("render");
    assert_eq!(first.manifests.len(), TEMPLATES + 2);
    c.bench_function(name, |b| {
        b.iter(|| {
            let chart = hoist_core::chart::load(dir.path()).expect("load");
            render_chart(chart, &req).expect("render")
        })
    });
}

/// A chart shaped like kube-prometheus-stack: a parent with 100 templates
/// and four subcharts of 10 templates each, helpers that include each other
/// eight levels deep (as kube-prometheus-stack's name/label helpers do), a
/// large values tree (rules, dashboards) rendered through `toYaml`, `tpl`
/// and `range`, and `global` values shared by every chart.
fn prometheus_like_chart(root: &Path) {
    const PARENT_TEMPLATES: usize = 100;
    const SUBCHARTS: [&str; 4] = ["metrics", "exporter", "dashboards", "operator"];
    let mut deps = String::new();
    for sub in SUBCHARTS {
        let _ = write!(deps, "- name: {sub}\n  version: 0.1.0\n");
    }
    write(
        &root.join("Chart.yaml"),
        &format!(
            "apiVersion: v2\nname: stack\nversion: 1.0.0\nappVersion: \"2.0\"\ndependencies:\n{deps}"
        ),
    );
    let mut values = String::from(
        "global:\n  imageRegistry: registry.example.com\n  labels:\n    team: observability\nnameOverride: \"\"\nfullnameOverride: \"\"\nannotationTemplate: \"{{ .Release.Name }}-{{ .Chart.Version }}\"\nrules:\n",
    );
    for g in 0..40 {
        let _ = writeln!(values, "  group{g}:\n    enabled: true\n    rules:");
        for r in 0..10 {
            let _ = writeln!(
                values,
                "    - alert: Alert{g}x{r}\n      expr: sum(rate(metric_{r}[5m])) by (job) > {r}.5\n      for: 5m\n      labels:\n        severity: warning\n      annotations:\n        summary: \"Rule {r} of group {g} fired on {{{{ $labels.job }}}}\""
            );
        }
    }
    values.push_str("components:\n");
    for i in 0..PARENT_TEMPLATES {
        let _ = writeln!(
            values,
            "  c{i}:\n    enabled: true\n    replicas: {}\n    port: {}\n    resources:\n      limits:\n        cpu: 500m\n        memory: 512Mi\n    env:\n      A: \"1\"\n      B: two",
            i % 3 + 1,
            8000 + i
        );
    }
    write(&root.join("values.yaml"), &values);
    // Eight levels of helpers, each including the next.
    let mut helpers = String::new();
    for level in 0..8 {
        let next = if level == 7 {
            "{{ default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix \"-\" }}"
                .to_string()
        } else {
            format!("{{{{ include \"stack.level{}\" . }}}}", level + 1)
        };
        let _ = write!(
            helpers,
            "{{{{- define \"stack.level{level}\" -}}}}\n{next}\n{{{{- end }}}}\n"
        );
    }
    helpers.push_str(
        "{{- define \"stack.fullname\" -}}\n{{- if .Values.fullnameOverride }}{{ .Values.fullnameOverride | trunc 63 | trimSuffix \"-\" }}{{- else }}{{- $name := include \"stack.level0\" . }}{{- printf \"%s-%s\" .Release.Name $name | trunc 63 | trimSuffix \"-\" }}{{- end }}\n{{- end }}\n\
{{- define \"stack.labels\" -}}\napp.kubernetes.io/name: {{ include \"stack.level0\" . }}\napp.kubernetes.io/instance: {{ .Release.Name }}\nhelm.sh/chart: {{ printf \"%s-%s\" .Chart.Name .Chart.Version | replace \"+\" \"_\" }}\n{{- with .Values.global.labels }}\n{{ toYaml . }}\n{{- end }}\n{{- end }}\n",
    );
    write(&root.join("templates/_helpers.tpl"), &helpers);
    for i in 0..PARENT_TEMPLATES {
        let body = if i % 4 == 0 {
            // A rules object: large values through range and toYaml.
            format!(
                "{{{{- $g := index .Values.rules \"group{}\" }}}}\n{{{{- if $g.enabled }}}}\napiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: {{{{ include \"stack.fullname\" . }}}}-rules-{i}\n  labels:\n    {{{{- include \"stack.labels\" . | nindent 4 }}}}\nspec:\n  groups:\n  - name: group{}\n    rules:\n    {{{{- range $g.rules }}}}\n    - alert: {{{{ .alert }}}}\n      expr: {{{{ .expr | quote }}}}\n      for: {{{{ .for }}}}\n      labels:\n        {{{{- toYaml .labels | nindent 8 }}}}\n      annotations:\n        {{{{- range $k, $v := .annotations }}}}\n        {{{{ $k }}}}: {{{{ $v | quote }}}}\n        {{{{- end }}}}\n    {{{{- end }}}}\n{{{{- end }}}}\n",
                i % 40,
                i % 40
            )
        } else {
            format!(
                "{{{{- $c := index .Values.components \"c{i}\" }}}}\n{{{{- if $c.enabled }}}}\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{{{ include \"stack.fullname\" . }}}}-c{i}\n  labels:\n    {{{{- include \"stack.labels\" . | nindent 4 }}}}\n  annotations:\n    rendered: {{{{ tpl .Values.annotationTemplate . | quote }}}}\nspec:\n  replicas: {{{{ $c.replicas }}}}\n  selector:\n    matchLabels:\n      {{{{- include \"stack.labels\" . | nindent 6 }}}}\n  template:\n    spec:\n      containers:\n      - name: c{i}\n        image: \"{{{{ .Values.global.imageRegistry }}}}/c{i}:{{{{ .Chart.AppVersion }}}}\"\n        ports:\n        - containerPort: {{{{ $c.port }}}}\n        env:\n        {{{{- range $k, $v := $c.env }}}}\n        - name: {{{{ $k }}}}\n          value: {{{{ $v | quote }}}}\n        {{{{- end }}}}\n        resources:\n          {{{{- toYaml $c.resources | nindent 10 }}}}\n{{{{- end }}}}\n"
            )
        };
        write(&root.join(format!("templates/t-{i:03}.yaml")), &body);
    }
    for sub in SUBCHARTS {
        let dir = root.join("charts").join(sub);
        write(
            &dir.join("Chart.yaml"),
            &format!("apiVersion: v2\nname: {sub}\nversion: 0.1.0\n"),
        );
        write(
            &dir.join("values.yaml"),
            "port: 9100\nextraArgs:\n  a: \"1\"\n  b: \"2\"\n",
        );
        write(
            &dir.join("templates/_helpers.tpl"),
            "{{- define \"sub.name\" -}}{{ .Chart.Name | trunc 63 }}{{- end }}\n",
        );
        for i in 0..10 {
            write(
                &dir.join(format!("templates/s-{i}.yaml")),
                &format!(
                    "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{{{ .Release.Name }}}}-{{{{ include \"sub.name\" . }}}}-{i}\n  labels:\n    {{{{- toYaml .Values.global.labels | nindent 4 }}}}\nspec:\n  ports:\n  - port: {{{{ .Values.port }}}}\n  {{{{- range $k, $v := .Values.extraArgs }}}}\n  # --{{{{ $k }}}}={{{{ $v }}}}\n  {{{{- end }}}}\n"
                ),
            );
        }
    }
}

fn bench_prometheus_like(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("bench tempdir");
    prometheus_like_chart(dir.path());
    // HOIST_BENCH_CHART_DIR=PATH also writes the chart there, so the same
    // input can be rendered by real Helm for the comparison in the notes.
    if let Some(out) = std::env::var_os("HOIST_BENCH_CHART_DIR") {
        prometheus_like_chart(Path::new(&out));
    }
    let req = RenderRequest {
        release: ReleaseInfo::default(),
        capabilities: offline_capabilities(None, &[]).expect("default capabilities"),
        user_values: Value::empty_map(),
        render_subchart_notes: false,
        skip_schema_validation: false,
        lint_mode: false,
        enable_dns: false,
    };
    let first =
        render_chart(hoist_core::chart::load(dir.path()).expect("load"), &req).expect("render");
    assert_eq!(first.manifests.len(), 100 + 4 * 10);
    c.bench_function(
        "load+coalesce+render kube-prometheus-stack-like (140 templates, 4 subcharts, 8-deep includes)",
        |b| {
            b.iter(|| {
                let chart = hoist_core::chart::load(dir.path()).expect("load");
                render_chart(chart, &req).expect("render")
            })
        },
    );
}

fn benches(c: &mut Criterion) {
    bench_prometheus_like(c);
    bench_engine(
        c,
        "load+coalesce+render 200 templates, 2 subcharts (gotemplate)",
        false,
    );
    bench_engine(
        c,
        "load+coalesce+render 200 templates, 2 subcharts (handlebars)",
        true,
    );
}

criterion_group!(render, benches);
criterion_main!(render);
