//! The fast readers must give exactly what serde-saphyr gives: on each
//! document below, the event reader and the split reader (cut at every
//! chart-name line) either decline or produce the reference result,
//! warnings included.

use super::*;

/// serde-saphyr's result, checked as `IndexFile::parse` checks it.
fn reference(text: &str) -> Result<IndexFile, String> {
    let raw = parse_serde_saphyr(text)?;
    IndexFile::from_raw(raw, "t").map_err(|e| e.to_string())
}

fn via_events(text: &str) -> Option<Result<IndexFile, String>> {
    let doc = events::read_index(text).ok()?;
    let charts = doc
        .entries
        .unwrap_or_default()
        .into_iter()
        .map(|(name, versions)| {
            let checked = check_chart(&name, versions, "t");
            (name, checked)
        });
    let index = assemble(doc.api_version.unwrap_or_default(), charts)?;
    Some(finish(index, "t").map_err(|e| e.to_string()))
}

/// Which fast readers accepted the document.
#[derive(Debug, PartialEq)]
struct Accepted {
    events: bool,
    split: bool,
}

/// Compares every reader with the reference and says which accepted.
fn check(text: &str) -> Accepted {
    let want = reference(text);
    let events = via_events(text);
    if let Some(got) = &events {
        assert_eq!(got, &want, "event reader differs on:\n{text}");
    }
    let split = split::read(text, "t", 1 << 16).map(|i| finish(i, "t").map_err(|e| e.to_string()));
    if let Some(got) = &split {
        assert_eq!(got, &want, "split reader differs on:\n{text}");
    }
    // What users get: the same result or the same error message.
    let parsed = IndexFile::parse_yaml(text.as_bytes(), "t", 4).map_err(|e| e.to_string());
    match (&parsed, &want) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(a), Err(b)) => assert!(a.contains(b.as_str()), "{a} / {b}"),
        _ => panic!("parse gave {parsed:?}, reference {want:?} on:\n{text}"),
    }
    Accepted {
        events: events.is_some(),
        split: split.is_some(),
    }
}

const BOTH: Accepted = Accepted {
    events: true,
    split: true,
};

#[test]
fn an_index_written_by_helm() {
    let text = include_str!("../../../../tests/fixtures/repos/helm-cached-index.yaml");
    assert_eq!(check(text), BOTH);
    assert_eq!(reference(text).unwrap().versions("beta").unwrap().len(), 2);
}

/// The shapes go-yaml v2 (sigs.k8s.io/yaml) writes: wrapped plain scalars,
/// literal blocks, quoted strings with escapes; plus comments, unicode,
/// other indentation and the fields hoist skips.
const RICH: &str = r#"# written by hand in the shapes real writers use
apiVersion: v1
entries:
  café-ünïcode:
  - apiVersion: v2
    appVersion: "1.0"
    created: "2026-01-02T03:04:05.123456789Z"
    description: Ünïcödé ✓ 日本語 chart with a long description that go-yaml
      wraps onto a second line and a third one, because it is longer than
      eighty characters
    digest: 0123abcd
    name: café-ünïcode
    urls:
    - https://example.com/café-1.0.0.tgz
    version: 1.0.0
  # a comment between charts
  quoted:
  - annotations:
      artifacthub.io/changes: |
        - kind: added
          description: something
      artifacthub.io/images: |-
        - name: x
          image: y:1
      folded: >
        folded
        text

        kept paragraph
      keep: |+
        keep trailing

    description: "double \"quoted\" with \\ escapes, \u00e9 and a line
      break that folds,\n an explicit newline and \
      an escaped break"
    keywords:
    - 'single ''quoted'''
    - "two"
    - 3
    - yes
    - 1.10
    maintainers:
    - email: a@example.com
      name: A
    name: quoted
    version: 2.0.0-rc.1+build.5
  - name: quoted
    version: 2.0.0
    urls: [a.tgz, "b.tgz"]
    deprecated: true
    type: library
    home: https://x
  - name: quoted
    version: v2.0.0-alpha
    dependencies:
    - name: common
      version: 2.x.x
      repository: oci://r
      tags: [a]
      import-values:
      - child: c
        parent: p
  - ~
  - name: quoted
    version: not semver
  - name: quoted
    version: 3.0.0
    urls:
    - ../escape.tgz
  - name: quoted
    type: plugin
    version: 4.0.0
  dotted.name_x-1:
    - name: dotted.name_x-1
      version: 0.0.1
      description: |
        literal
          indented more
        back
    - version: 0.0.2
  empty-list: []
  null-list:
  tilde-list: ~
  "quoted-key":
  - name: quoted-key
    version: 1.2.3
    description: 'single
      quoted folded'
  deep:
  - name: deep
    version: 1.0.0
    annotations:
      a: {b: {c: [d, {e: f}]}}
    description: "" # a trailing comment
    appVersion: ''
    digest: null
    created:
# a comment at column 0 inside the entries
  last:
  - name: last
    version: 10.0.0
  - name: last
    version: 9.0.0
  - name: last
    version: 10.0.0
    description: same version again
generated: "2026-11-27T10:00:00Z"
serverInfo:
  contextPath: /charts
"#;

#[test]
fn a_rich_index_reads_the_same_on_every_path() {
    assert_eq!(check(RICH), BOTH);
    let idx = reference(RICH).unwrap();
    assert!(idx.entries.len() > 8);
    assert!(!idx.warnings.is_empty());
    // The split really cut it: every chart-name line starts a piece.
    let plan = split::plan(RICH, 1 << 16).unwrap();
    assert!(plan.parts.len() > 5, "{}", plan.parts.len());
}

#[test]
fn indentation_other_than_two_spaces() {
    let four = RICH
        .lines()
        .map(|l| {
            if l.starts_with(' ') {
                format!("  {l}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(check(&four), BOTH);
}

#[test]
fn documents_the_split_must_decline() {
    for (text, want) in [
        // Flow style entries.
        (
            "apiVersion: v1\nentries: {a: [{name: a, version: 1.0.0}]}\n",
            Accepted {
                events: true,
                split: false,
            },
        ),
        // An anchor in one chart used in another.
        (
            "apiVersion: v1\nentries:\n  a:\n  - &e\n    name: a\n    version: 1.0.0\n  b:\n  - *e\n",
            Accepted {
                events: false,
                split: false,
            },
        ),
        // A quoted scalar running over a line that looks like a chart name.
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    description: \"one\n  b:\n      two\"\n",
            Accepted {
                events: true,
                split: false,
            },
        ),
        // A chart name repeated in two pieces.
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n  a:\n  - name: a\n    version: 2.0.0\n",
            Accepted {
                events: false,
                split: false,
            },
        ),
        // A top-level key repeated before and after the entries.
        (
            "apiVersion: v1\ngenerated: x\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n  b: []\ngenerated: y\n",
            Accepted {
                events: false,
                split: false,
            },
        ),
        // Tabs where indentation belongs.
        (
            "apiVersion: v1\nentries:\n  a:\n\t- name: a\n  b: []\n",
            Accepted {
                events: false,
                split: false,
            },
        ),
        // A second document after the entries.
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n  b: []\n---\nx: 1\n",
            Accepted {
                events: false,
                split: false,
            },
        ),
        // apiVersion only after the entries, and a %YAML directive.
        (
            "entries:\n  a:\n  - name: a\n    version: 1.0.0\n  b: []\napiVersion: v1\n",
            BOTH,
        ),
        (
            "%YAML 1.1\n---\napiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n  b: []\n",
            Accepted {
                events: true,
                split: false,
            },
        ),
        // No apiVersion at all: the same error on every path.
        (
            "entries:\n  a:\n  - name: a\n    version: 1.0.0\n  b: []\n",
            BOTH,
        ),
        // A syntax error in one piece.
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: [a\n  b: []\n",
            Accepted {
                events: false,
                split: false,
            },
        ),
    ] {
        assert_eq!(check(text), want, "{text}");
    }
}

/// A small deterministic generator of varied indexes: each chart's
/// entries pick their scalar styles, skipped fields and layout from a
/// pseudo-random stream, and the split is checked at every cut.
#[test]
fn generated_indexes() {
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let descriptions = [
        "plain text",
        "\"double \\\"quoted\\\" \\u00fc\"",
        "'single ''quoted'''",
        "|\n      literal line\n      second line",
        ">-\n      folded line\n      more",
        "a long plain description that wraps\n      onto the next line",
        "~",
        "\"\"",
        "\"multi\n      line quoted\"",
        "Ünïcödé 🚀 text",
    ];
    let versions = [
        "1.0.0",
        "1.10.0",
        "1.2.0",
        "2.0.0-rc.1",
        "v3.1",
        "0.0.1+b",
        "bad",
        "1.0",
    ];
    for doc in 0..60 {
        let mut s = String::from("apiVersion: v1\nentries:\n");
        let charts = 1 + next(12);
        for c in 0..charts {
            s.push_str(&format!("  chart-{doc}-{c}:\n"));
            for _ in 0..next(4) {
                if next(10) == 0 {
                    s.push_str("  - ~\n");
                    continue;
                }
                s.push_str(&format!("  - name: chart-{doc}-{c}\n"));
                let v = versions[next(versions.len() as u64) as usize];
                s.push_str(&format!("    version: {v}\n"));
                let d = descriptions[next(descriptions.len() as u64) as usize];
                s.push_str(&format!("    description: {d}\n"));
                if next(2) == 0 {
                    s.push_str("    maintainers:\n    - name: m\n      email: m@x\n");
                }
                if next(3) == 0 {
                    s.push_str("    annotations:\n      note: |\n        x: y\n        z\n");
                }
                if next(3) == 0 {
                    s.push_str("    keywords: [a, \"b\", 'c']\n");
                }
                if next(4) == 0 {
                    s.push_str("    # comment inside an entry\n");
                }
                s.push_str(&format!("    urls:\n    - chart-{doc}-{c}-{v}.tgz\n"));
            }
            if next(5) == 0 {
                s.push('\n');
            }
        }
        s.push_str("generated: \"2026-01-01T00:00:00Z\"\n");
        let accepted = check(&s);
        assert_eq!(accepted, BOTH, "{s}");
    }
}

/// Real indexes kept outside the repository (public ones are not ours to
/// commit): `HOIST_INDEX_SAMPLES=DIR cargo test -p hoist-core --lib
/// index_samples -- --ignored` checks every file in DIR.
#[test]
#[ignore = "reads the folder named by HOIST_INDEX_SAMPLES"]
fn index_samples_from_a_folder() {
    let dir = std::env::var("HOIST_INDEX_SAMPLES").expect("HOIST_INDEX_SAMPLES");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(check(&text), BOTH, "{}", path.display());
        n += 1;
    }
    assert!(n > 0);
}

/// The entry layout of the benchmark (sigs.k8s.io/yaml's, keys sorted).
#[test]
fn the_benchmark_layout() {
    use std::fmt::Write as _;
    let mut s = String::from("apiVersion: v1\nentries:\n");
    for i in 0..40 {
        let _ = writeln!(s, "  app-{i}:");
        for version in [
            format!("{}.{}.1", i % 20 + 1, i % 7),
            format!("{}.{}.0", i % 20 + 1, i % 7),
        ] {
            let _ = write!(
                s,
                "  - annotations:\n      category: Infrastructure\n      images: |\n        - name: app-{i}\n          image: docker.io/example/app-{i}:{version}-debian-12-r0\n      licenses: Apache-2.0\n    apiVersion: v2\n    appVersion: {version}\n    created: \"2026-11-01T10:00:00.123456789Z\"\n    dependencies:\n    - name: common\n      repository: oci://registry-1.docker.io/examplecharts\n      tags:\n      - example-common\n      version: 2.x.x\n    description: Chart {i} of the synthetic repository, a web application.\n    digest: {i:064x}\n    home: https://example.com/charts/app-{i}\n    keywords:\n    - app-{i}\n    - web\n    maintainers:\n    - name: Example Inc.\n      url: https://github.com/example/charts\n    name: app-{i}\n    urls:\n    - https://charts.example.com/app-{i}-{version}.tgz\n    version: {version}\n"
            );
        }
    }
    s.push_str("generated: \"2026-11-27T10:00:00Z\"\n");
    assert_eq!(check(&s), BOTH);
    assert_eq!(split::plan(&s, 2).unwrap().parts.len(), 2);
}

/// Damaged variants of [`RICH`]: lines dropped, repeated, shifted, or
/// given a character that changes YAML structure. Whatever each path
/// accepts must still equal the reference.
#[test]
fn damaged_variants_never_diverge() {
    let lines: Vec<&str> = RICH.lines().collect();
    let inserts = [
        "\"", "'", "#", ": ", "\t", "[", "{", "- ", "&a ", "*a", "|", ">", "? ",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut accepted = 0;
    for _ in 0..400 {
        let mut doc: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        for _ in 0..1 + next(2) {
            let i = next(doc.len());
            match next(5) {
                0 => {
                    doc.remove(i);
                }
                1 => {
                    let l = doc[i].clone();
                    doc.insert(i, l);
                }
                2 => doc[i] = format!(" {}", doc[i]),
                3 => doc[i] = doc[i].strip_prefix(' ').unwrap_or(&doc[i]).to_string(),
                _ => {
                    let l = &doc[i];
                    let mut at = next(l.len() + 1);
                    while !l.is_char_boundary(at) {
                        at -= 1;
                    }
                    doc[i] = format!("{}{}{}", &l[..at], inserts[next(inserts.len())], &l[at..]);
                }
            }
        }
        let text = doc.join("\n") + "\n";
        if check(&text).split {
            accepted += 1;
        }
    }
    // Most damage leaves the layout intact, so the fast paths were tested.
    assert!(accepted > 100, "{accepted}");
}
