//! YAML reading: hoist's go-yaml-compatible reader (saphyr-parser events +
//! go-yaml v2 resolution) against serde-saphyr deserializing into the same
//! `Value`, on a 1 MB values file. `cargo bench -p hoist-core --bench yaml`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hoist_core::values::Value;
use std::fmt::Write as _;

/// A values file shaped like a large umbrella chart's: nested maps, lists of
/// maps, quoted and plain scalars, numbers and booleans.
fn values_text() -> String {
    let mut s = String::new();
    for i in 0..1500 {
        let _ = writeln!(
            s,
            "component{i}:\n  enabled: true\n  replicas: {i}\n  image:\n    repository: registry.example.com/team/app-{i}\n    tag: \"1.{i}.0\"\n    pullPolicy: IfNotPresent\n  resources:\n    limits: {{cpu: 500m, memory: 256Mi}}\n  env:\n  - name: LOG_LEVEL\n    value: info\n  - name: RATIO\n    value: \"0.{i}\"\n  annotations:\n    description: >-\n      component number {i} of the synthetic umbrella chart\n"
        );
    }
    s
}

fn benches(c: &mut Criterion) {
    let text = values_text();
    let mut g = c.benchmark_group("yaml parse 1 MB values");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("hoist yaml::parse (go-yaml semantics)", |b| {
        b.iter(|| hoist_core::yaml::parse(&text).expect("parse"))
    });
    g.bench_function("serde-saphyr into Value", |b| {
        b.iter(|| serde_saphyr::from_str::<Value>(&text).expect("parse"))
    });
    g.finish();
    let v = hoist_core::yaml::parse(&text).expect("parse");
    c.bench_function(
        "yaml to_string 1 MB values (sigs.k8s.io/yaml output)",
        |b| b.iter(|| hoist_core::yaml::to_string(&v)),
    );
}

criterion_group!(yaml, benches);
criterion_main!(yaml);
