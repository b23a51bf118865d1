//! Load + coalesce + render of a synthetic chart: 200 templates, 2 subcharts,
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

fn benches(c: &mut Criterion) {
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
