//! The helpers of the handlebars engine: Helm's and Sprig's functions in
//! prefix form, with their argument order (`{{nindent 4 (toYaml Values.x)}}`
//! is Go's `{{ .Values.x | toYaml | nindent 4 }}`).

use super::State;
use crate::engine::Files;
use crate::values::Value;
use base64::Engine as _;
use handlebars::{
    Context, Handlebars, Helper, HelperDef, JsonValue as Json, RenderContext, RenderError,
    RenderErrorReason, ScopedJson,
};
use sha2::Digest as _;
use std::sync::{Arc, Mutex};

/// Helm's limit on nested `include`/`tpl` calls.
pub const MAX_INCLUDE_DEPTH: usize = 1000;

/// What a plain helper computes from its arguments.
type PlainFn = fn(&[Json]) -> Result<Json, String>;

/// A helper taking evaluated arguments and returning a value, so it works both
/// as `{{helper ...}}` and as a subexpression `(helper ...)`.
struct Plain {
    name: &'static str,
    min: usize,
    max: usize,
    /// Whether a missing (undefined) argument is allowed and read as null;
    /// otherwise strict mode reports it.
    missing_ok: bool,
    /// Lint mode: `required` and `fail` warn and yield "" instead of failing,
    /// as Helm's lint does.
    lint_mode: bool,
    f: PlainFn,
}

/// Checks arity and strict-mode missing arguments; missing ones become null.
fn arguments(
    h: &Helper<'_>,
    name: &str,
    min: usize,
    max: usize,
    missing_ok: bool,
) -> Result<Vec<Json>, RenderError> {
    let n = h.params().len();
    if n < min || n > max {
        let want = if min == max {
            format!("{min}")
        } else if max == usize::MAX {
            format!("at least {min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(other(format!(
            "{name}: wrong number of arguments: want {want}, got {n}"
        )));
    }
    let mut out = Vec::with_capacity(n);
    for p in h.params() {
        if p.is_value_missing() {
            if !missing_ok {
                return Err(RenderErrorReason::MissingVariable(p.relative_path().cloned()).into());
            }
            out.push(Json::Null);
        } else {
            out.push(p.value().clone());
        }
    }
    Ok(out)
}

fn other(message: String) -> RenderError {
    RenderErrorReason::Other(message).into()
}

impl HelperDef for Plain {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let args = arguments(h, self.name, self.min, self.max, self.missing_ok)?;
        let author_message = matches!(self.name, "required" | "fail");
        match (self.f)(&args) {
            Ok(v) => Ok(ScopedJson::Derived(v)),
            Err(m) if author_message && self.lint_mode => {
                tracing::warn!(helper = self.name, message = %m, "lint: template would fail");
                Ok(ScopedJson::Derived(Json::String(String::new())))
            }
            // The chart author's own message, which Helm prints unprefixed.
            Err(m) if author_message => Err(other(m)),
            Err(m) => Err(other(format!("{}: {m}", self.name))),
        }
    }
}

/// Helpers that need the render state: `include`, `tpl` and the `files*` family.
struct Stateful {
    name: &'static str,
    min: usize,
    max: usize,
    state: Arc<Mutex<State>>,
    f: StatefulFn,
}

type StatefulFn = fn(&Stateful, &[Json], &Handlebars<'_>) -> Result<Json, RenderError>;

impl Stateful {
    fn files(&self) -> Arc<Files> {
        self.state
            .lock()
            .map(|s| s.files.clone())
            .unwrap_or_else(|p| p.into_inner().files.clone())
    }

    /// Runs a nested render with the include depth raised by one.
    fn nested<T>(&self, run: impl FnOnce() -> Result<T, RenderError>) -> Result<T, RenderError> {
        let depth = {
            let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
            s.depth += 1;
            s.depth
        };
        let result = if depth > MAX_INCLUDE_DEPTH {
            Err(other(format!(
                "{}: rendering template has a nested reference name exceeding the maximum of {MAX_INCLUDE_DEPTH} (recursive include?)",
                self.name
            )))
        } else {
            run()
        };
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.depth -= 1;
        result
    }
}

impl HelperDef for Stateful {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let args = arguments(h, self.name, self.min, self.max, false)?;
        (self.f)(self, &args, r).map(ScopedJson::Derived)
    }
}

/// Registers every helper on `registry`; `state` carries the files of the
/// chart being rendered and the include depth.
pub fn register(registry: &mut Handlebars<'_>, state: &Arc<Mutex<State>>, lint_mode: bool) {
    let plain: &[(&'static str, usize, usize, bool, PlainFn)] = &[
        ("toYaml", 1, 1, false, to_yaml),
        ("toJson", 1, 1, false, to_json),
        ("fromYaml", 1, 1, false, from_yaml),
        ("indent", 2, 2, false, indent),
        ("nindent", 2, 2, false, nindent),
        ("quote", 0, usize::MAX, false, quote),
        ("squote", 0, usize::MAX, false, squote),
        ("default", 1, 2, true, default),
        ("required", 2, 2, true, required),
        ("fail", 1, 1, false, fail),
        ("b64enc", 1, 1, false, b64enc),
        ("b64dec", 1, 1, false, b64dec),
        ("sha256sum", 1, 1, false, sha256sum),
        ("upper", 1, 1, false, |a| {
            Ok(Json::String(strval(&a[0]).to_uppercase()))
        }),
        ("lower", 1, 1, false, |a| {
            Ok(Json::String(strval(&a[0]).to_lowercase()))
        }),
        ("trim", 1, 1, false, |a| {
            Ok(Json::String(strval(&a[0]).trim().to_string()))
        }),
        ("trunc", 2, 2, false, trunc),
        ("replace", 3, 3, false, replace),
        ("contains", 2, 2, false, |a| {
            Ok(Json::Bool(strval(&a[1]).contains(&strval(&a[0]))))
        }),
        ("hasKey", 2, 2, false, has_key),
        ("semverCompare", 2, 2, false, semver_compare),
    ];
    for &(name, min, max, missing_ok, f) in plain {
        registry.register_helper(
            name,
            Box::new(Plain {
                name,
                min,
                max,
                missing_ok,
                lint_mode,
                f,
            }),
        );
    }
    let stateful: &[(&'static str, usize, usize, StatefulFn)] = &[
        ("include", 2, 2, include),
        ("tpl", 2, 2, tpl),
        ("filesGet", 1, 1, files_get),
        ("filesLines", 1, 1, files_lines),
        ("filesGlob", 1, 1, files_glob),
        ("filesAsConfig", 1, 1, files_as_config),
        ("filesAsSecrets", 1, 1, files_as_secrets),
    ];
    for &(name, min, max, f) in stateful {
        registry.register_helper(
            name,
            Box::new(Stateful {
                name,
                min,
                max,
                state: Arc::clone(state),
                f,
            }),
        );
    }
}

// ---- value conversions ----

/// Converts handlebars data to a values tree (JSON integers stay integers).
pub fn to_value(j: &Json) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(0.0)),
        },
        Json::String(s) => Value::String(s.clone()),
        Json::Array(a) => Value::List(a.iter().map(to_value).collect()),
        Json::Object(o) => Value::Map(o.iter().map(|(k, v)| (k.clone(), to_value(v))).collect()),
    }
}

/// Converts a values tree to handlebars data.
pub fn to_json_value(v: &Value) -> Json {
    serde_json::to_value(v).unwrap_or(Json::Null)
}

/// Sprig's `strval` (Go's `%v`): strings as they are, numbers and booleans
/// printed, lists as `[a b]`, maps as `map[k:v]`, null as empty.
pub fn strval(j: &Json) -> String {
    match j {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => match n.as_i64() {
            Some(i) => i.to_string(),
            // Go prints a float64 with %v as strconv's shortest 'g' form.
            None => n.as_f64().map_or_else(
                || n.to_string(),
                |f| crate::strconv::format_float(f, 'g', -1),
            ),
        },
        Json::Array(a) => format!("[{}]", a.iter().map(strval).collect::<Vec<_>>().join(" ")),
        Json::Object(o) => {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{k}:{}", strval(&o[k])))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

fn int_arg(j: &Json, what: &str) -> Result<i64, String> {
    match j {
        Json::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .ok_or_else(|| format!("{what} must be an integer, got {n}")),
        Json::String(s) => s
            .trim()
            .parse()
            .map_err(|_| format!("{what} must be an integer, got {s:?}")),
        other => Err(format!("{what} must be an integer, got {}", strval(other))),
    }
}

/// Sprig's notion of an empty value (what `default` replaces).
fn is_empty(j: &Json) -> bool {
    match j {
        Json::Null => true,
        Json::Bool(b) => !b,
        Json::Number(n) => n.as_f64() == Some(0.0),
        Json::String(s) => s.is_empty(),
        Json::Array(a) => a.is_empty(),
        Json::Object(o) => o.is_empty(),
    }
}

// ---- plain helpers ----

fn to_yaml(a: &[Json]) -> Result<Json, String> {
    let text = crate::yaml::to_string(&to_value(&a[0]));
    Ok(Json::String(
        text.strip_suffix('\n').unwrap_or(&text).to_string(),
    ))
}

/// Helm's `toJson`: Go's `json.Marshal` output.
fn to_json(a: &[Json]) -> Result<Json, String> {
    Ok(Json::String(crate::json::to_string(&to_value(&a[0]))))
}

/// Helm's `fromYaml`: a map, or `{"Error": message}` when the text is not YAML.
fn from_yaml(a: &[Json]) -> Result<Json, String> {
    match crate::yaml::parse(&strval(&a[0])) {
        Ok(Value::Null) => Ok(Json::Object(Default::default())),
        Ok(v) => Ok(to_json_value(&v)),
        Err(e) => Ok(serde_json::json!({ "Error": e.message })),
    }
}

fn indent_text(n: i64, text: &str) -> String {
    let pad = " ".repeat(usize::try_from(n).unwrap_or(0));
    format!("{pad}{}", text.replace('\n', &format!("\n{pad}")))
}

fn indent(a: &[Json]) -> Result<Json, String> {
    Ok(Json::String(indent_text(
        int_arg(&a[0], "the width")?,
        &strval(&a[1]),
    )))
}

fn nindent(a: &[Json]) -> Result<Json, String> {
    Ok(Json::String(format!(
        "\n{}",
        indent_text(int_arg(&a[0], "the width")?, &strval(&a[1]))
    )))
}

fn quote(a: &[Json]) -> Result<Json, String> {
    let parts: Vec<String> = a
        .iter()
        .filter(|j| !j.is_null())
        .map(|j| crate::strconv::quote(&strval(j)))
        .collect();
    Ok(Json::String(parts.join(" ")))
}

fn squote(a: &[Json]) -> Result<Json, String> {
    let parts: Vec<String> = a
        .iter()
        .filter(|j| !j.is_null())
        .map(|j| format!("'{}'", strval(j)))
        .collect();
    Ok(Json::String(parts.join(" ")))
}

fn default(a: &[Json]) -> Result<Json, String> {
    match a.get(1) {
        Some(given) if !is_empty(given) => Ok(given.clone()),
        _ => Ok(a[0].clone()),
    }
}

fn required(a: &[Json]) -> Result<Json, String> {
    match &a[1] {
        Json::Null => Err(strval(&a[0])),
        Json::String(s) if s.is_empty() => Err(strval(&a[0])),
        v => Ok(v.clone()),
    }
}

fn fail(a: &[Json]) -> Result<Json, String> {
    Err(strval(&a[0]))
}

fn b64enc(a: &[Json]) -> Result<Json, String> {
    Ok(Json::String(
        base64::engine::general_purpose::STANDARD.encode(strval(&a[0])),
    ))
}

/// Sprig returns the decoding error as the result instead of failing.
fn b64dec(a: &[Json]) -> Result<Json, String> {
    match base64::engine::general_purpose::STANDARD.decode(strval(&a[0])) {
        Ok(bytes) => Ok(Json::String(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) => Ok(Json::String(e.to_string())),
    }
}

fn sha256sum(a: &[Json]) -> Result<Json, String> {
    Ok(Json::String(hex::encode(sha2::Sha256::digest(
        strval(&a[0]).as_bytes(),
    ))))
}

/// Sprig's `trunc`: a negative length keeps the end; counts bytes as Go does.
fn trunc(a: &[Json]) -> Result<Json, String> {
    let n = int_arg(&a[0], "the length")?;
    let s = strval(&a[1]);
    let bytes = s.as_bytes();
    let len = bytes.len() as i64;
    let cut: &[u8] = if n < 0 && len + n > 0 {
        &bytes[(len + n) as usize..]
    } else if n >= 0 && len > n {
        &bytes[..n as usize]
    } else {
        bytes
    };
    Ok(Json::String(String::from_utf8_lossy(cut).into_owned()))
}

fn replace(a: &[Json]) -> Result<Json, String> {
    Ok(Json::String(
        strval(&a[2]).replace(&strval(&a[0]), &strval(&a[1])),
    ))
}

fn has_key(a: &[Json]) -> Result<Json, String> {
    match &a[0] {
        Json::Object(o) => Ok(Json::Bool(o.contains_key(&strval(&a[1])))),
        other => Err(format!(
            "the first argument must be a map, got {}",
            strval(other)
        )),
    }
}

/// Sprig's `semverCompare CONSTRAINT VERSION`, with Masterminds semantics
/// from [`crate::chart::constraint`].
fn semver_compare(a: &[Json]) -> Result<Json, String> {
    use crate::chart::constraint::{Constraint, parse_version};
    let constraint = Constraint::parse(&strval(&a[0])).map_err(|e| e.message)?;
    let version = parse_version(&strval(&a[1])).map_err(|e| e.message)?;
    Ok(Json::Bool(constraint.matches(&version)))
}

// ---- stateful helpers ----

fn include(s: &Stateful, a: &[Json], r: &Handlebars<'_>) -> Result<Json, RenderError> {
    let name = strval(&a[0]);
    if !r.has_template(&name) {
        return Err(other(format!("include: no partial named {name:?}")));
    }
    let ctx = Context::wraps(&a[1])?;
    s.nested(|| {
        r.render_with_context(&name, &ctx)
            .map(Json::String)
            .map_err(|e| {
                let origin = s
                    .state
                    .lock()
                    .ok()
                    .and_then(|st| st.partial_files.get(&name).cloned())
                    .map(|f| format!(" (defined in {f})"))
                    .unwrap_or_default();
                other(format!("include {name:?}{origin}: {}", super::describe(&e)))
            })
    })
}

fn tpl(s: &Stateful, a: &[Json], r: &Handlebars<'_>) -> Result<Json, RenderError> {
    let text = strval(&a[0]);
    let ctx = Context::wraps(&a[1])?;
    s.nested(|| {
        r.render_template_with_context(&text, &ctx)
            .map(Json::String)
            .map_err(|e| other(format!("tpl: {}", super::describe(&e))))
    })
}

fn files_get(s: &Stateful, a: &[Json], _: &Handlebars<'_>) -> Result<Json, RenderError> {
    Ok(Json::String(s.files().get(&strval(&a[0]))))
}

fn files_lines(s: &Stateful, a: &[Json], _: &Handlebars<'_>) -> Result<Json, RenderError> {
    Ok(Json::Array(
        s.files()
            .lines(&strval(&a[0]))
            .into_iter()
            .map(Json::String)
            .collect(),
    ))
}

fn files_glob(s: &Stateful, a: &[Json], _: &Handlebars<'_>) -> Result<Json, RenderError> {
    let matched = s.files().glob(&strval(&a[0]));
    let mut map = serde_json::Map::new();
    for (name, bytes) in matched.iter() {
        map.insert(
            name.to_string(),
            Json::String(String::from_utf8_lossy(bytes).into_owned()),
        );
    }
    Ok(Json::Object(map))
}

fn files_as_config(s: &Stateful, a: &[Json], _: &Handlebars<'_>) -> Result<Json, RenderError> {
    Ok(Json::String(s.files().glob(&strval(&a[0])).as_config()))
}

fn files_as_secrets(s: &Stateful, a: &[Json], _: &Handlebars<'_>) -> Result<Json, RenderError> {
    Ok(Json::String(s.files().glob(&strval(&a[0])).as_secrets()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quote_like_go() {
        assert_eq!(
            crate::strconv::quote("a\"b\\c\n\té\u{1}"),
            "\"a\\\"b\\\\c\\n\\té\\x01\""
        );
        assert_eq!(
            quote(&[json!("a"), Json::Null, json!(3)]).unwrap(),
            json!("\"a\" \"3\"")
        );
        assert_eq!(squote(&[json!("a b")]).unwrap(), json!("'a b'"));
    }

    #[test]
    fn indent_and_nindent() {
        assert_eq!(
            indent(&[json!(2), json!("a\nb")]).unwrap(),
            json!("  a\n  b")
        );
        assert_eq!(nindent(&[json!(1), json!("a")]).unwrap(), json!("\n a"));
    }

    #[test]
    fn default_and_required() {
        assert_eq!(default(&[json!("d"), json!("")]).unwrap(), json!("d"));
        assert_eq!(default(&[json!("d"), json!(0)]).unwrap(), json!("d"));
        assert_eq!(default(&[json!("d"), json!(false)]).unwrap(), json!("d"));
        assert_eq!(default(&[json!("d"), json!("x")]).unwrap(), json!("x"));
        assert_eq!(default(&[json!("d")]).unwrap(), json!("d"));
        assert_eq!(required(&[json!("m"), json!("")]).unwrap_err(), "m");
        assert_eq!(required(&[json!("m"), Json::Null]).unwrap_err(), "m");
        assert_eq!(required(&[json!("m"), json!(0)]).unwrap(), json!(0));
    }

    #[test]
    fn strings() {
        assert_eq!(trunc(&[json!(3), json!("abcdef")]).unwrap(), json!("abc"));
        assert_eq!(trunc(&[json!(-2), json!("abcdef")]).unwrap(), json!("ef"));
        assert_eq!(trunc(&[json!(-9), json!("abc")]).unwrap(), json!("abc"));
        assert_eq!(
            replace(&[json!("a"), json!("b"), json!("banana")]).unwrap(),
            json!("bbnbnb")
        );
        assert_eq!(b64enc(&[json!("hi")]).unwrap(), json!("aGk="));
        assert_eq!(b64dec(&[json!("aGk=")]).unwrap(), json!("hi"));
        assert_eq!(
            sha256sum(&[json!("")]).unwrap(),
            json!("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
        assert_eq!(
            strval(&json!({"b": [1, "x"], "a": true})),
            "map[a:true b:[1 x]]"
        );
        // Floats print as Go's %v does (strconv's shortest 'g').
        assert_eq!(strval(&json!(1e6)), "1e+06");
        assert_eq!(strval(&json!(0.000012)), "1.2e-05");
        assert_eq!(strval(&json!(2.5)), "2.5");
    }

    #[test]
    fn json_escapes_html_like_go() {
        assert_eq!(
            to_json(&[json!({"b": "<&>", "a": 1})]).unwrap(),
            json!("{\"a\":1,\"b\":\"\\u003c\\u0026\\u003e\"}")
        );
    }

    #[test]
    fn from_yaml_reports_errors_in_the_map() {
        assert_eq!(from_yaml(&[json!("a: 1")]).unwrap(), json!({"a": 1}));
        let bad = from_yaml(&[json!("a: [")]).unwrap();
        assert!(bad.get("Error").is_some());
    }

    #[test]
    fn has_key_needs_a_map() {
        assert_eq!(
            has_key(&[json!({"a": 1}), json!("a")]).unwrap(),
            json!(true)
        );
        assert!(has_key(&[json!([1]), json!("a")]).is_err());
    }
}
