//! Executor tests: expected outputs follow Go's documented text/template
//! behaviour (and Helm's, where noted).

use super::render_text;
use crate::values::Value as In;

fn data() -> In {
    serde_json::json!({
        "s": "str",
        "n": 1000000.0,
        "f": 1.5,
        "i": 3,
        "t": true,
        "nul": null,
        "list": ["a", "b", "c"],
        "empty": [],
        "m": {"b": 2, "a": 1},
        "nested": {"x": {"y": "deep"}},
    })
    .into()
}

fn r(t: &str) -> String {
    match render_text("t", t, &data()) {
        Ok(s) => s,
        Err(e) => panic!("{t}: {e}"),
    }
}

fn e(t: &str) -> String {
    render_text("t", t, &data()).expect_err(t)
}

#[test]
fn prints_every_kind_like_go() {
    assert_eq!(
        r("{{.s}} {{.n}} {{.f}} {{.i}} {{.t}}"),
        "str 1e+06 1.5 3 true"
    );
    assert_eq!(r("{{.list}} {{.m}} {{.empty}}"), "[a b c] map[a:1 b:2] []");
    assert_eq!(r("{{.missing}}|{{.nul}}"), "<no value>|<no value>");
    assert_eq!(r("{{print .missing}}|{{print .nul}}"), "<nil>|<nil>");
    assert_eq!(
        r("{{1}} {{1.0}} {{0x10}} {{'a'}} {{1e3}}"),
        "1 1 16 97 1000"
    );
    assert_eq!(r(r#"{{"a\tb"}}{{`raw\n`}}"#), "a\tbraw\\n");
}

#[test]
fn trimming_and_comments() {
    assert_eq!(r("a  {{- .s -}}  b"), "astrb");
    assert_eq!(r("a\n{{- /* comment */ -}}\nb"), "ab");
    assert_eq!(r("a {{/* c */}} b"), "a  b");
}

#[test]
fn variables_and_scoping() {
    assert_eq!(r("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}"), "2");
    assert_eq!(
        r("{{$x := 1}}{{with .s}}{{$x := 5}}{{$x}}{{end}}{{$x}}"),
        "51"
    );
    assert_eq!(
        r("{{range $i, $v := .list}}{{$i}}={{$v}};{{end}}"),
        "0=a;1=b;2=c;"
    );
    assert_eq!(r("{{range $k, $v := .m}}{{$k}}{{$v}}{{end}}"), "a1b2");
    assert_eq!(r("{{with .nested.x}}{{.y}}-{{$.s}}{{end}}"), "deep-str");
}

#[test]
fn control_flow() {
    assert_eq!(r("{{if .missing}}a{{else if .t}}b{{else}}c{{end}}"), "b");
    assert_eq!(r("{{with .missing}}a{{else with .s}}{{.}}{{end}}"), "str");
    assert_eq!(r("{{range .empty}}x{{else}}none{{end}}"), "none");
    assert_eq!(
        r(
            "{{range .list}}{{if eq . \"b\"}}{{continue}}{{end}}{{if eq . \"c\"}}{{break}}{{end}}{{.}}{{end}}"
        ),
        "a"
    );
    assert_eq!(r("{{range 3}}{{.}}{{end}}"), "012");
    assert_eq!(r("{{range .missing}}x{{end}}"), "");
}

#[test]
fn and_or_short_circuit_and_return_operands() {
    assert_eq!(r("{{and 1 0 (index .list 9)}}"), "0");
    assert_eq!(r("{{or 0 \"\" .s}}"), "str");
    assert_eq!(r("{{and .s .i}}"), "3");
    assert_eq!(r("{{not .empty}}"), "true");
}

#[test]
fn comparisons() {
    assert_eq!(
        r("{{eq .s \"x\" \"str\"}} {{ne 1 2}} {{lt 1 2}} {{ge .f 1.5}}"),
        "true true true true"
    );
    assert_eq!(r("{{eq .missing \"x\"}}"), "false");
    assert!(
        e("{{eq .i 3}}")
            .ends_with("error calling eq: incompatible types for comparison: float64 and int")
    );
    assert!(e("{{lt .list 1}}").ends_with("error calling lt: invalid type for comparison"));
}

#[test]
fn index_slice_len() {
    assert_eq!(
        r("{{index .list 1}} {{index .m \"a\"}} {{index .nested \"x\" \"y\"}}"),
        "b 1 deep"
    );
    assert_eq!(
        r("{{slice .list 1}} {{slice .list 0 2}} {{len .list}} {{len .s}}"),
        "[b c] [a b] 3 3"
    );
    assert!(e("{{slice .s 1 2}}").ends_with("list should be type of slice or array but string"));
    assert_eq!(
        e("{{index .list 5}}"),
        "template: t:1:2: executing \"t\" at <index .list 5>: error calling index: index out of range: 5"
    );
}

#[test]
fn field_errors_match_go() {
    assert_eq!(
        e("{{ .nested.missing.y }}"),
        "template: t:1:10: executing \"t\" at <.nested.missing.y>: nil pointer evaluating interface {}.y"
    );
    assert_eq!(
        e("{{ .s.x }}"),
        "template: t:1:5: executing \"t\" at <.s.x>: can't evaluate field x in type interface {}"
    );
    assert_eq!(
        e("{{ upper .missing }}"),
        "template: t:1:9: executing \"t\" at <.missing>: wrong type for value; expected string; got interface {}"
    );
    assert_eq!(
        e("{{ .missing | upper }}"),
        "template: t:1:14: executing \"t\" at <upper>: invalid value; expected string"
    );
    assert_eq!(
        e("{{ upper 1 }}"),
        "template: t:1:9: executing \"t\" at <1>: expected string; found 1"
    );
    assert_eq!(
        e("{{ printf }}"),
        "template: t:1:3: executing \"t\" at <printf>: wrong number of args for printf: want at least 1 got 0"
    );
}

#[test]
fn templates_and_blocks() {
    assert_eq!(
        r(r#"{{define "x"}}[{{.}}]{{end}}{{template "x" .s}}"#),
        "[str]"
    );
    assert_eq!(r(r#"{{block "b" .i}}<{{.}}>{{end}}"#), "<3>");
    assert_eq!(
        r(r#"{{define "x"}}{{.}}{{end}}{{include "x" 5 | upper}}"#),
        "5"
    );
    assert_eq!(r(r#"{{tpl "{{ .a }}-{{ .b }}" (dict "a" 1)}}"#), "1-");
    assert!(e(r#"{{template "nope"}}"#).ends_with("template \"nope\" not defined"));
}

#[test]
fn printf_family() {
    assert_eq!(
        r(r#"{{printf "%s-%d-%.1f-%v" .s 5 .f .list}}"#),
        "str-5-1.5-[a b c]"
    );
    assert_eq!(r(r#"{{printf "%d" .f}}"#), "%!d(float64=1.5)");
    assert_eq!(r("{{println 1 2}}"), "1 2\n");
    assert_eq!(r(r#"{{print "a" 1 2 "b"}}"#), "a1 2b");
    assert_eq!(
        r(r#"{{html "<a>"}} {{js "it's"}} {{urlquery "a b"}}"#),
        "&lt;a&gt; it\\'s a+b"
    );
}

#[test]
fn sprig_basics() {
    assert_eq!(
        r(r#"{{.missing | default "d"}} {{.s | default "d"}} {{0 | default 5}}"#),
        "d str 5"
    );
    assert_eq!(
        r(r#"{{.s | quote}} {{.s | squote}} {{.s | upper}} {{"  x " | trim}}"#),
        "\"str\" 'str' STR x"
    );
    assert_eq!(
        r(r#"{{"a\nb" | indent 2}}|{{"a" | nindent 2}}"#),
        "  a\n  b|\n  a"
    );
    assert_eq!(
        r(r#"{{trunc 2 "abcd"}} {{trunc -2 "abcd"}} {{substr 1 3 "abcd"}}"#),
        "ab cd bc"
    );
    assert_eq!(
        r(r#"{{list 1 "a" | join ","}} {{splitList "," "a,b"}} {{"a-b" | replace "-" "_"}}"#),
        "1,a [a b] a_b"
    );
    assert_eq!(
        r(
            r#"{{$d := dict "k" "v"}}{{$_ := set $d "n" 1}}{{$d}} {{hasKey $d "n"}} {{get $d "zz"}}|"#
        ),
        "map[k:v n:1] true |"
    );
    assert_eq!(
        r(
            r#"{{add 1 2 .f}} {{sub 5 2}} {{mul 2 3}} {{div 7 2}} {{mod 7 2}} {{max 1 5 3}} {{min 4 2}}"#
        ),
        "4 3 6 3 1 5 2"
    );
    assert_eq!(
        r(r#"{{int "0x1F"}} {{int64 .f}} {{float64 "2.5"}} {{atoi "42"}} {{"7" | int | typeOf}}"#),
        "31 1 2.5 42 int"
    );
    assert_eq!(
        r(r#"{{ternary "y" "n" true}} {{coalesce .missing "" "c"}} {{empty .empty}}"#),
        "y c true"
    );
    assert_eq!(
        r(r#"{{"aGk=" | b64dec}} {{"hi" | b64enc}} {{"x" | sha256sum | trunc 8}}"#),
        "hi aGk= 2d711642"
    );
    assert_eq!(
        r(r#"{{regexMatch "^s.r$" .s}} {{regexReplaceAll "(t)" .s "${1}T"}}"#),
        "true stTr"
    );
    assert_eq!(
        r(r#"{{first .list}} {{last .list}} {{has "b" .list}} {{append .list "d"}} {{until 3}}"#),
        "a c true [a b c d] [0 1 2]"
    );
    assert_eq!(
        r(r#"{{keys .m | sortAlpha}} {{pluck "a" .m (dict "a" 9)}}"#),
        "[a b] [1 9]"
    );
    assert_eq!(
        r(r#"{{cat "a" .missing 1}} {{toString 1.5}} {{title "hello world"}}"#),
        "a 1 1.5 Hello World"
    );
}

#[test]
fn yaml_and_json() {
    assert_eq!(
        r(r#"{{.m | toJson}} {{(fromJson "{\"a\":[1,2]}").a}}"#),
        "{\"a\":1,\"b\":2} [1 2]"
    );
    assert_eq!(r(r#"{{(fromYaml "a: b").a}}"#), "b");
    assert_eq!(r(r#"{{toJson "<&>"}}"#), "\"\\u003c\\u0026\\u003e\"");
}

#[test]
fn required_and_fail_carry_helm_markers() {
    let err = e(r#"{{required "need it" .missing}}"#);
    assert!(err.contains("HELM_ERR_STARTneed itHELM_ERR_END"), "{err}");
    let err = e(r#"{{fail "boom"}}"#);
    assert!(
        err.contains("error calling fail: HELM_ERR_STARTboomHELM_ERR_END"),
        "{err}"
    );
}

#[test]
fn helm_error_reformatting() {
    use super::exec::GoError;
    let inner = GoError {
        text: "template: c/templates/x.yaml:2:3: executing \"c/templates/x.yaml\" at <required \"m\" .x>: error calling required: HELM_ERR_STARTmHELM_ERR_END".into(),
        cause: None,
        exec: true,
    };
    assert_eq!(
        super::helm_exec_error("c/templates/x.yaml", &inner),
        "execution error at (c/templates/x.yaml:2:3): m"
    );
    let nil = GoError {
        text: "template: c/t.yaml:1:10: executing \"c/t.yaml\" at <.Values.a.b>: nil pointer evaluating interface {}.b".into(),
        cause: None,
        exec: true,
    };
    assert_eq!(
        super::helm_exec_error("c/t.yaml", &nil),
        "c/t.yaml:1:10\n  executing \"c/t.yaml\" at <.Values.a.b>:\n    nil pointer evaluating interface {}.b"
    );
    assert_eq!(
        super::helm_parse_error(
            "c/t.yaml",
            "template: c/t.yaml:3: function \"x\" not defined"
        ),
        "parse error at (c/t.yaml:3): function \"x\" not defined"
    );
}

mod engine {
    use super::super::GoTemplateEngine;
    use crate::chart::{Chart, ChartFile, Metadata};
    use crate::engine::{
        Capabilities, Engine, EngineError, KubeVersion, ReleaseInfo, RenderContext,
    };
    use crate::values::Value as In;

    fn chart(templates: &[(&str, &str)]) -> Chart {
        Chart {
            metadata: Metadata {
                name: "c".into(),
                version: "1.0.0".into(),
                api_version: "v2".into(),
                ..Default::default()
            },
            templates: templates
                .iter()
                .map(|(n, t)| ChartFile {
                    name: format!("templates/{n}"),
                    data: t.as_bytes().to_vec(),
                })
                .collect(),
            values: In::empty_map(),
            ..Default::default()
        }
    }

    fn ctx(lint: bool) -> RenderContext {
        RenderContext {
            release: ReleaseInfo::default(),
            capabilities: Capabilities {
                kube_version: KubeVersion::parse("1.30").unwrap(),
                api_versions: vec!["v1".into()],
                helm_version: "v4.0.0".into(),
            },
            lookup: None,
            lint_mode: lint,
            enable_dns: false,
        }
    }

    fn values() -> In {
        serde_json::json!({"a": {"b": 1}}).into()
    }

    #[test]
    fn no_value_is_erased_and_partials_are_not_rendered() {
        let c = chart(&[("x.yaml", "[{{ .Values.nope }}]"), ("_p.tpl", "partial")]);
        let out = GoTemplateEngine::new()
            .render(&c, &values(), &ctx(false))
            .unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out["c/templates/x.yaml"], "[]");
    }

    #[test]
    fn strict_mode_fails_on_missing_keys() {
        let c = chart(&[("x.yaml", "{{ .Values.a.zz }}")]);
        let e = GoTemplateEngine { strict: true }
            .render(&c, &values(), &ctx(false))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "c/templates/x.yaml:1:10\n  executing \"c/templates/x.yaml\" at <.Values.a.zz>:\n    map has no entry for key \"zz\""
        );
    }

    #[test]
    fn lint_mode_lets_required_and_fail_through() {
        let c = chart(&[(
            "x.yaml",
            "a{{ required \"m\" .Values.no }}{{ fail \"f\" }}b",
        )]);
        let out = GoTemplateEngine::new()
            .render(&c, &values(), &ctx(true))
            .unwrap();
        assert_eq!(out["c/templates/x.yaml"], "ab");
        let e = GoTemplateEngine::new()
            .render(&c, &values(), &ctx(false))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "execution error at (c/templates/x.yaml:1:4): m"
        );
    }

    #[test]
    fn get_host_by_name_asks_the_resolver_only_with_enable_dns() {
        let c = chart(&[("x.yaml", "[{{ getHostByName \"localhost\" }}]")]);
        let out = GoTemplateEngine::new()
            .render(&c, &values(), &ctx(false))
            .unwrap();
        assert_eq!(out["c/templates/x.yaml"], "[]");
        let dns = RenderContext {
            enable_dns: true,
            ..ctx(false)
        };
        let out = GoTemplateEngine::new().render(&c, &values(), &dns).unwrap();
        let text = out["c/templates/x.yaml"]
            .trim_matches(['[', ']'])
            .to_string();
        let ip: std::net::IpAddr = text.parse().unwrap();
        assert!(ip.is_loopback(), "{ip}");
        // A name that does not resolve fails as Sprig's does (it indexes
        // an empty list of addresses).
        let c = chart(&[("x.yaml", "{{ getHostByName \"no-such-host.invalid\" }}")]);
        let e = GoTemplateEngine::new()
            .render(&c, &values(), &dns)
            .unwrap_err();
        assert!(
            e.to_string()
                .ends_with("error calling getHostByName: invalid argument to Intn"),
            "{e}"
        );
    }

    #[test]
    fn parse_errors_name_the_file_and_line() {
        let c = chart(&[("x.yaml", "ok\n{{ nofunc }}")]);
        let e = GoTemplateEngine::new()
            .render(&c, &values(), &ctx(false))
            .unwrap_err();
        let EngineError::Parse { template, message } = e else {
            panic!("{e}")
        };
        assert_eq!(template, "c/templates/x.yaml");
        assert_eq!(
            message,
            "parse error at (c/templates/x.yaml:2): function \"nofunc\" not defined"
        );
    }

    #[test]
    fn library_charts_only_contribute_partials() {
        let mut c = chart(&[("x.yaml", "{{ include \"lib.t\" . }}")]);
        let mut lib = chart(&[
            ("_l.tpl", "{{ define \"lib.t\" }}L{{ end }}"),
            ("y.yaml", "{{ .Nope.x.y }}"),
        ]);
        lib.metadata.name = "lib".into();
        lib.metadata.chart_type = Some("library".into());
        c.dependencies.push(lib);
        let out = GoTemplateEngine::new()
            .render(&c, &values(), &ctx(false))
            .unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out["c/templates/x.yaml"], "L");
    }
}
