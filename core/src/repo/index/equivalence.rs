//! The fast readers must give exactly what serde-saphyr gives: on each
//! document below, the line scanner, the event reader and the split reader
//! (cut at every chart-name line, each piece read by the scanner or the
//! event reader) either decline or produce the reference result, warnings
//! included. On every split piece the scanner must also equal the event
//! reader whenever it accepts.

use super::*;

/// serde-saphyr's result, checked as `IndexFile::parse` checks it.
fn reference(text: &str) -> Result<IndexFile, String> {
    let raw = parse_serde_saphyr(text)?;
    IndexFile::from_raw(raw, "t").map_err(|e| e.to_string())
}

fn via_events(text: &str) -> Option<Result<IndexFile, String>> {
    from_doc(events::read_index(text).ok()?)
}

fn via_scan(text: &str) -> Option<Result<IndexFile, String>> {
    from_doc(scan::read_index(text).ok()?)
}

fn from_doc(doc: events::RawDoc) -> Option<Result<IndexFile, String>> {
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
    scan: bool,
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
    let scanned = via_scan(text);
    if let Some(got) = &scanned {
        assert_eq!(got, &want, "scanner differs on:\n{text}");
    }
    if let Some(plan) = split::plan(text, 1 << 16) {
        for part in &plan.parts {
            if let Ok(got) = scan::read_entries(part) {
                assert_eq!(
                    events::read_entries(part),
                    Ok(got),
                    "scanner differs on the piece:\n{part}"
                );
            }
        }
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
        scan: scanned.is_some(),
        events: events.is_some(),
        split: split.is_some(),
    }
}

const ALL: Accepted = Accepted {
    scan: true,
    events: true,
    split: true,
};

/// The event and split readers accept, the scanner declines.
const NOT_SCAN: Accepted = Accepted {
    scan: false,
    events: true,
    split: true,
};

#[test]
fn an_index_written_by_helm() {
    let text = include_str!("../../../../tests/fixtures/repos/helm-cached-index.yaml");
    assert_eq!(check(text), ALL);
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
    assert_eq!(check(RICH), NOT_SCAN);
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
    assert_eq!(check(&four), NOT_SCAN);
}

#[test]
fn documents_the_split_must_decline() {
    for (text, want) in [
        // Flow style entries.
        (
            "apiVersion: v1\nentries: {a: [{name: a, version: 1.0.0}]}\n",
            Accepted {
                scan: false,
                events: true,
                split: false,
            },
        ),
        // An anchor in one chart used in another.
        (
            "apiVersion: v1\nentries:\n  a:\n  - &e\n    name: a\n    version: 1.0.0\n  b:\n  - *e\n",
            Accepted {
                scan: false,
                events: false,
                split: false,
            },
        ),
        // A quoted scalar running over a line that looks like a chart name.
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    description: \"one\n  b:\n      two\"\n",
            Accepted {
                scan: false,
                events: true,
                split: false,
            },
        ),
        // A chart name repeated in two pieces.
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n  a:\n  - name: a\n    version: 2.0.0\n",
            Accepted {
                scan: false,
                events: false,
                split: false,
            },
        ),
        // A top-level key repeated before and after the entries.
        (
            "apiVersion: v1\ngenerated: x\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n  b: []\ngenerated: y\n",
            Accepted {
                scan: false,
                events: false,
                split: false,
            },
        ),
        // Tabs where indentation belongs.
        (
            "apiVersion: v1\nentries:\n  a:\n\t- name: a\n  b: []\n",
            Accepted {
                scan: false,
                events: false,
                split: false,
            },
        ),
        // A second document after the entries.
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n  b: []\n---\nx: 1\n",
            Accepted {
                scan: false,
                events: false,
                split: false,
            },
        ),
        // apiVersion only after the entries, and a %YAML directive.
        (
            "entries:\n  a:\n  - name: a\n    version: 1.0.0\n  b: []\napiVersion: v1\n",
            ALL,
        ),
        (
            "%YAML 1.1\n---\napiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n  b: []\n",
            Accepted {
                scan: false,
                events: true,
                split: false,
            },
        ),
        // No apiVersion at all: the same error on every path.
        (
            "entries:\n  a:\n  - name: a\n    version: 1.0.0\n  b: []\n",
            ALL,
        ),
        // A syntax error in one piece.
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: [a\n  b: []\n",
            Accepted {
                scan: false,
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
    let mut scanned = 0;
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
        assert!(accepted.events && accepted.split, "{s}");
        scanned += usize::from(accepted.scan);
    }
    // Most documents have a multi-line quoted description somewhere,
    // which the scanner leaves to the event reader.
    assert!(scanned > 3, "{scanned}");
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
        let accepted = check(&text);
        assert!(accepted.events && accepted.split, "{}", path.display());
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
    assert_eq!(check(&s), ALL);
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

/// The shapes the line scanner reads itself: everything in [`RICH`] but
/// multi-line quoted scalars, plus the corners of block scalars, quoting,
/// comments and keys.
const SCAN_RICH: &str = r#"# an index in the subset the scanner reads
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
      folded-strip: >-
        a
        b
      folded-keep: >+
        a

      keep: |+
        keep trailing


      leading-blank: |

        after a blank line
      indicator: |2
          two more spaces
        base
      indicator-chomp: |-1
         one
      chomp-indicator: >+2
        x
      comment-after-header: | # a comment
        text # not a comment
        # not a comment either
      "quoted key": 'v'
      'single key': "v"
      key with spaces: v
      hash-inside: a#b
      url: http://example.com:8080/x?y=z#frag
      empty:
      empty-quoted: ""
      tilde: ~
      emptyseq: []
      emptymap: {}
      trailing: value   
      colon-inside: a:b
      escapes: "\" \\ \/ \n \t \x41 \u00e9 \U0001F680 \0 \a \b \e \f \r \v \N \_ \L \P \ "
      single: 'it''s ''quoted'' # not a comment'
      multi-quoted: "double \"quoted\" with a line
        break that folds,\n an explicit newline and \
        an escaped break"
      multi-single: 'single
        quoted  

        folded'
      long: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    description: "double \"quoted\" with \\ escapes, \u00e9 and \n a newline" # c
    keywords:
    - 'single ''quoted'''
    - "two"
    - 3
    - yes
    - 1.10
    - key:value
    - a # comment
    - null-ish
    - multi
      line item
    maintainers:
    - email: a@example.com
      name: A
    -   name: B
        url: x
    name: quoted
    version: 2.0.0-rc.1+build.5
  - name: quoted
    version: 2.0.0
    urls: []
    deprecated: true
    type: library
    home: https://x
  - name: quoted
    version: v2.0.0-alpha
    deprecated: false
    dependencies:
    - name: common
      version: 2.x.x
      repository: oci://r
      tags:
        - a
      import-values:
      - child: c
        parent: p
  - ~
  - null
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
      deprecated: ~
    - version: 0.0.2
  empty-list: []
  null-list:
  tilde-list: ~
  "quoted-key":
  - name: quoted-key
    version: 1.2.3
    description: 'single # quoted'
    keywords:
  'single-quoted-key':
  - name: single-quoted-key
    version: 1.2.3
    appVersion: 'it''s'
  deep:
  - name: deep
    version: 1.0.0
    annotations:
      a:
        b:
          c:
          - d
          - e: f
            g: h
    description: "" # a trailing comment
    appVersion: ''
    digest: null
    created:
    type: NULL
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
fn the_scanner_reads_its_subset_like_the_reference() {
    for part in &split::plan(SCAN_RICH, 1 << 16).unwrap().parts {
        assert!(scan::read_entries(part).is_ok(), "{part}");
    }
    assert_eq!(check(SCAN_RICH), ALL);
    let idx = reference(SCAN_RICH).unwrap();
    let quoted = idx.versions("quoted").unwrap();
    assert!(
        quoted
            .iter()
            .any(|v| v.keywords.contains(&"key:value".to_string()))
    );
    // Every chart-name line cuts a piece, and each piece is scanned.
    let plan = split::plan(SCAN_RICH, 1 << 16).unwrap();
    assert!(plan.parts.len() > 5, "{}", plan.parts.len());
    for part in &plan.parts {
        assert!(scan::read_entries(part).is_ok(), "{part}");
    }
}

#[test]
fn scanner_corner_cases() {
    let with = |value: &str| {
        format!(
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    description: {value}\n    x: y\n"
        )
    };
    // (description value, whether the scanner must read it itself)
    for (value, scanned) in [
        ("plain", true),
        ("plain   ", true),
        ("a #b", true),
        ("a#b", true),
        ("'# x'", true),
        ("\"# x\"", true),
        ("~", true),
        ("null", true),
        ("Null", true),
        ("NULL", true),
        ("nULL", true),
        ("\"\"", true),
        ("''", true),
        ("|\n      a\n\n\n      b\n\n", true),
        ("|+\n      a\n\n", true),
        ("|-\n      a\n\n", true),
        (">\n\n      a\n      b\n\n      c\n", true),
        ("|3\n         a\n        b\n", true),
        ("|2\n        a\n", true),
        ("|1\n       a\n", true),
        ("|\n      a\n     \n      b\n", true),
        ("|\n      a\n        \n      b\n", false),
        (">\n      a\n        b\n", false),
        ("|\n", false),
        ("|\n    x: z\n", false),
        ("\"a\\\n      b\"", true),
        ("\"a \\\n\n      b\"", true),
        ("\"a  \n      b\"", true),
        ("\"a\\  \n      b\"", true),
        ("\"a\n\n   \n      b  \"", true),
        ("\"a\n      b\n      \"", true),
        ("\"a\n      # b\n      c: d\"", true),
        ("\"a\n    b\"", false),
        ("\"a\nb\"", false),
        ("\"a\n      b\" c", false),
        ("\"a\n      b\n", false),
        ("'a\n\n      b '' c'", true),
        ("\"\\u00e9\\x41\\U0001F600\"", true),
        ("\"\\ud83d\\ude00\"", false),
        ("\"\\q\"", false),
        ("'a\n      b'", true),
        ("a\n      b", true),
        ("a\n\n      b", true),
        ("a\n      # c\n      b", false),
        ("a\n      - b", false),
        ("a: b", false),
        ("a:b", true),
        ("a :b", true),
        ("[a, b]", false),
        ("{a: b}", false),
        ("&x a", false),
        ("!!str a", false),
        ("*x", false),
        ("- a", false),
        ("? a", false),
        ("@a", false),
        ("`a", false),
        ("%a", false),
        ("'a' b", false),
        ("\"a\"b", false),
        ("\"a\"#b", false),
        ("\"a\" #b", true),
        ("日本語 ✓ 🚀", true),
        ("|+\n      a\n\n    # c\n\n", true),
        ("|+\n      a\n\n      # c\n\n", true),
        (">\n      a\n     # c\n", true),
        // Plain scalars YAML could type: the readers keep the text.
        ("0x1F", true),
        ("0o17", true),
        ("1e3", true),
        ("1_000", true),
        ("+1", true),
        (".inf", true),
        (".NaN", true),
        ("2001-12-14", true),
        ("2001-12-14t21:59:43.10-05:00", true),
        ("on", true),
        ("Off", true),
        ("y", true),
        ("TRUE", true),
        ("=", true),
        ("<<", true),
    ] {
        let text = with(value);
        let accepted = check(&text);
        assert_eq!(accepted.scan, scanned, "{text}");
    }
    for (text, scanned) in [
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    deprecated: yes\n",
            false,
        ),
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    deprecated: 'true'\n",
            false,
        ),
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    keywords: [a]\n",
            false,
        ),
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    keywords:\n    - ~\n",
            false,
        ),
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    keywords: {}\n",
            false,
        ),
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    x: 1\n    x: 2\n",
            false,
        ),
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    x: 1\n    \"x\": 2\n",
            false,
        ),
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    name: b\n",
            false,
        ),
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n   x: 1\n",
            false,
        ),
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n     x: 1\n",
            false,
        ),
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n  - \"\"\n",
            false,
        ),
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n  -\n",
            false,
        ),
        ("apiVersion: v1\nentries:\n  a: x\n", false),
        ("apiVersion: v1\nentries:\n  a:\n    name: a\n", false),
        ("apiVersion: v1\nentries: []\n", false),
        ("apiVersion: v1\nentries: {}\n", true),
        ("apiVersion: v1\nentries:\n", true),
        ("apiVersion: ~\nentries:\n", true),
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n...\n",
            false,
        ),
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n---\n",
            false,
        ),
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n",
            true,
        ),
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0",
            false,
        ),
        ("\u{feff}apiVersion: v1\nentries:\n", false),
        ("apiVersion: v1\u{85}\nentries:\n", false),
        ("apiVersion: v1 \u{2028} x\nentries:\n", false),
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\u{7f}\n    version: 1.0.0\n",
            false,
        ),
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\u{1}\n    version: 1.0.0\n",
            false,
        ),
        (
            "apiVersion: v1\nentries:\n  ~:\n  - name: a\n    version: 1.0.0\n",
            false,
        ),
        ("apiVersion: v1\nentries:\n  <<: {}\n", false),
        (
            "apiVersion: v1\nentries:\n  a :\n  - name: a\n    version: 1.0.0\n",
            false,
        ),
        (
            "apiVersion: v1\nentries:\n  a b:\n  - name: a b\n    version: 1.0.0\n",
            true,
        ),
        (
            "apiVersion: v1\nentries:\n  \"a\\tb\":\n  - name: a\n    version: 1.0.0\n",
            true,
        ),
        (
            "apiVersion: v1\nentries:\n  1.0:\n  - name: a\n    version: 1.0.0\n",
            true,
        ),
        (
            "apiVersion: v1\nentries:\n  true:\n  - name: a\n    version: 1.0.0\n",
            true,
        ),
        ("  apiVersion: v1\n  entries:\n", false),
        ("apiVersion: v1\nentries: {}\nk#ey: x\n", false),
        (
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    \n  \n",
            true,
        ),
    ] {
        let accepted = check(text);
        assert_eq!(accepted.scan, scanned, "{text:?}");
    }
    let long_key = format!(
        "apiVersion: v1\nentries:\n  {}:\n  - name: a\n    version: 1.0.0\n",
        "k".repeat(1100)
    );
    assert!(!check(&long_key).scan);
    let long_value = format!(
        "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    description: {}\n",
        "v ".repeat(100_000).trim_end()
    );
    assert!(check(&long_value).scan);
}

/// Damaged variants of [`SCAN_RICH`], as [`damaged_variants_never_diverge`]
/// does for [`RICH`]: whatever the scanner accepts must equal the reference.
#[test]
fn damaged_scanner_documents_never_diverge() {
    let scanned = damage_scanner_documents(0x1234_5678_9abc_def1, 600);
    assert!(scanned > 150, "{scanned}");
}

/// The same with more variants: `HOIST_INDEX_FUZZ=ITERATIONS cargo test
/// -p hoist-core --lib many_damaged -- --ignored` (8,000 passed with seeds
/// 0 and 1 when it was written).
#[test]
#[ignore = "long; iterations from HOIST_INDEX_FUZZ"]
fn many_damaged_scanner_documents() {
    let n: usize = std::env::var("HOIST_INDEX_FUZZ")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    // Another starting point: HOIST_INDEX_FUZZ_SEED.
    let base: u64 = std::env::var("HOIST_INDEX_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    for seed in 1..=4u64 {
        let seed = (base * 4 + seed).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        damage_scanner_documents(seed, n / 4);
    }
}

/// Checks `count` damaged variants of [`SCAN_RICH`] drawn from `seed`;
/// returns how many the scanner read itself.
fn damage_scanner_documents(mut seed: u64, count: usize) -> usize {
    let lines: Vec<&str> = SCAN_RICH.lines().collect();
    let inserts = [
        "\"", "'", "#", " #", ": ", ":", "\t", "[", "{", "- ", "-", "&a ", "*a", "|", ">", "? ",
        "~", "\\", " ", "  ", "|-", ">+", "2", "\r", "\\n", "\\u00", "''", "---", "...",
    ];
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut scanned = 0;
    for _ in 0..count {
        let mut doc: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        for _ in 0..1 + next(3) {
            let i = next(doc.len());
            match next(9) {
                0 => {
                    doc.remove(i);
                }
                1 => {
                    let l = doc[i].clone();
                    doc.insert(i, l);
                }
                2 => doc[i] = format!(" {}", doc[i]),
                3 => doc[i] = doc[i].strip_prefix(' ').unwrap_or(&doc[i]).to_string(),
                4 => doc.insert(i, " ".repeat(next(10))),
                5 => doc[i].push_str(&" ".repeat(1 + next(3))),
                6 if i + 1 < doc.len() => {
                    // Join a line with the next one.
                    let l = doc.remove(i + 1);
                    doc[i] = format!("{} {}", doc[i], l.trim_start());
                }
                7 => {
                    // Break a line in two, the rest indented like it.
                    let l = doc[i].clone();
                    let mut at = next(l.len() + 1);
                    while !l.is_char_boundary(at) {
                        at -= 1;
                    }
                    let indent = l.len() - l.trim_start().len() + next(3);
                    doc[i] = l[..at].to_string();
                    doc.insert(i + 1, format!("{}{}", " ".repeat(indent), &l[at..]));
                }
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
        if check(&text).scan {
            scanned += 1;
        }
    }
    scanned
}

/// Typed fields: only what the event reader accepts is scanned.
#[test]
fn scanner_typed_fields() {
    let with = |lines: &str| {
        format!("apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n{lines}")
    };
    for (lines, scanned) in [
        ("    deprecated: True\n", false),
        ("    deprecated: 'false'\n", false),
        ("    deprecated: null\n", true),
        ("    deprecated:\n", true),
        ("    deprecated: false # c\n", true),
        (
            "    keywords:\n    - on\n    - 1.0\n    - 0x10\n    - \"\"\n",
            true,
        ),
        ("    keywords:\n    - null\n", false),
        ("    keywords:\n    - [a]\n", false),
        ("    keywords:\n    - a: b\n", false),
        ("    urls: ~\n", true),
        ("    urls: {}\n", false),
        ("    urls:\n      - a\n      - b\n", true),
        ("    x: \u{fffe}\n", false),
        ("    x:\n      - a\n      -  b\n      -   - c\n", false),
    ] {
        let text = with(lines);
        assert_eq!(check(&text).scan, scanned, "{text}");
    }
}
