//! Helm's own template functions: `include`, `tpl`, `required`, `fail`,
//! `lookup` and the YAML/JSON converters.

use super::{FuncTable, Param, add, s};
use crate::engine::gotemplate::exec::GoError;
use crate::engine::gotemplate::value::Value;

/// Helm's markers around `required`/`fail` messages, which its error
/// reformatting extracts.
pub const WARN_START: &str = "HELM_ERR_START";
/// See [`WARN_START`].
pub const WARN_END: &str = "HELM_ERR_END";

pub(super) fn register(t: &mut FuncTable) {
    use Param::*;
    add(t, "include", &[Str, Any], |h, a| {
        h.include(s(&a[0]), a[1].clone())
    });
    add(t, "tpl", &[Str, Any], |h, a| h.tpl(s(&a[0]), a[1].clone()));
    add(t, "required", &[Str, Any], |h, a| {
        let missing = match &a[1] {
            Value::Invalid | Value::Nil => true,
            Value::Str(x) => x.is_empty(),
            _ => false,
        };
        if missing {
            if h.lint_mode() {
                return Ok(Value::str(""));
            }
            return Err(GoError::plain(format!(
                "{WARN_START}{}{WARN_END}",
                s(&a[0])
            )));
        }
        Ok(a[1].clone())
    });
    add(t, "fail", &[Str], |h, a| {
        if h.lint_mode() {
            return Ok(Value::str(""));
        }
        Err(GoError::plain(format!(
            "{WARN_START}{}{WARN_END}",
            s(&a[0])
        )))
    });
    add(t, "lookup", &[Str, Str, Str, Str], |h, a| {
        h.lookup(s(&a[0]), s(&a[1]), s(&a[2]), s(&a[3]))
    });
    add(t, "toYaml", &[Any], |_, a| Ok(Value::Str(to_yaml(&a[0]))));
    add(t, "mustToYaml", &[Any], |_, a| {
        Ok(Value::Str(to_yaml(&a[0])))
    });
    add(t, "toJson", &[Any], |_, a| {
        Ok(Value::Str(to_json(&a[0]).unwrap_or_default()))
    });
    add(t, "mustToJson", &[Any], |_, a| {
        to_json(&a[0]).map(Value::Str)
    });
    add(t, "fromYaml", &[Str], |_, a| Ok(from_yaml(s(&a[0]))));
    add(t, "fromJson", &[Str], |_, a| Ok(from_json(s(&a[0]))));
    add(t, "fromYamlArray", &[Str], |_, a| {
        Ok(from_yaml_array(s(&a[0])))
    });
    add(t, "fromJsonArray", &[Str], |_, a| {
        Ok(from_json_array(s(&a[0])))
    });
}

/// Helm's `toYaml`: YAML without the trailing newline; errors give "".
pub fn to_yaml(v: &Value) -> String {
    let input = v.to_input();
    if crate::engine::gotemplate::limits::take_too_deep() {
        // sigs.k8s.io/yaml goes through encoding/json, which refuses cycles.
        return String::new();
    }
    let y = crate::yaml::to_string(&input);
    y.strip_suffix('\n').unwrap_or(&y).to_string()
}

/// Go's `json.Marshal` ([`crate::json`]), including its HTML-safe escaping.
pub fn to_json(v: &Value) -> Result<String, GoError> {
    let input = v.to_input();
    if crate::engine::gotemplate::limits::take_too_deep() {
        return Err(GoError::plain(
            "json: unsupported value: encountered a cycle via map[string]interface {}",
        ));
    }
    crate::json::marshal(&input, crate::json::Style::COMPACT)
        .map_err(|e| GoError::plain(e.to_string()))
}

fn error_map(msg: String) -> Value {
    let mut m = std::collections::BTreeMap::new();
    m.insert("Error".to_string(), Value::Str(msg));
    Value::map(m)
}

/// Helm's `fromYaml`: a map, or `{Error: message}`.
pub fn from_yaml(text: &str) -> Value {
    match crate::yaml::parse(text) {
        Ok(crate::values::Value::Null) => Value::map(Default::default()),
        Ok(v @ crate::values::Value::Map(_)) => Value::from_input(&v),
        Ok(other) => error_map(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json_kind(&other)
        )),
        Err(e) => error_map(e.message),
    }
}

/// Helm's `fromYamlArray`: a list, or `[message]`.
pub fn from_yaml_array(text: &str) -> Value {
    match crate::yaml::parse(text) {
        // sigs.k8s.io/yaml leaves the slice as it was for an empty or null
        // document (unlike encoding/json on `null`).
        Ok(crate::values::Value::Null) => Value::list(Vec::new()),
        Ok(v @ crate::values::Value::List(_)) => Value::from_input(&v),
        Ok(other) => Value::list(vec![Value::Str(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type []interface {{}}",
            json_kind(&other)
        ))]),
        Err(e) => Value::list(vec![Value::Str(e.message)]),
    }
}

fn json_kind(v: &crate::values::Value) -> &'static str {
    match v {
        crate::values::Value::List(_) => "array",
        crate::values::Value::String(_) => "string",
        crate::values::Value::Bool(_) => "bool",
        crate::values::Value::Map(_) => "object",
        _ => "number",
    }
}

/// Helm's `fromJson`: a map, or `{Error: message}` with Go's
/// `json.Unmarshal` message.
pub fn from_json(text: &str) -> Value {
    match crate::json::parse(text) {
        Ok(v @ crate::values::Value::Map(_)) => Value::from_input(&v),
        Ok(crate::values::Value::Null) => Value::map(Default::default()),
        Ok(other) => error_map(format!(
            "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json_kind(&other)
        )),
        Err(e) => error_map(go_json_error(e)),
    }
}

/// Helm's `fromJsonArray`: a list, or `[message]` with Go's message.
pub fn from_json_array(text: &str) -> Value {
    match crate::json::parse(text) {
        Ok(v @ crate::values::Value::List(_)) => Value::from_input(&v),
        // Unmarshalling `null` into the slice sets it to nil.
        Ok(crate::values::Value::Null) => Value::nil_list(),
        Ok(other) => Value::list(vec![Value::Str(format!(
            "json: cannot unmarshal {} into Go value of type []interface {{}}",
            json_kind(&other)
        ))]),
        Err(e) => Value::list(vec![Value::Str(go_json_error(e))]),
    }
}

/// What Go's `err.Error()` says for a JSON decoding error (without the byte
/// offset [`crate::json::JsonError`] adds for hoist's own messages).
pub fn go_json_error(e: crate::json::JsonError) -> String {
    match e {
        crate::json::JsonError::Syntax { message, .. } => message,
        other => other.to_string(),
    }
}
