//! YAML reading and writing with the semantics of Helm's Go YAML stack.
//!
//! - Reading ([`parse`], [`parse_all`]) behaves like `sigs.k8s.io/yaml.Unmarshal`
//!   into `interface{}`: go-yaml v2 typing (YAML 1.1 booleans, octal,
//!   merge keys...), non-string keys turned into strings, and a JSON round
//!   trip that makes every number a [`Value::Float`].
//! - Writing ([`to_string`]) behaves like `sigs.k8s.io/yaml.Marshal` (Helm's
//!   `toYaml`): JSON marshalling, then go-yaml v2 reading that JSON and
//!   emitting it. [`to_string_pretty`] is Helm's `toYamlPretty` (a go-yaml
//!   v3 encoder with a 2-space indent, straight from the Go values).

mod emit;
mod load;
mod resolve;
mod sort;

use crate::values::Value;
use emit::{Node, Options, Requested};
use resolve::{Flavor, Resolved, is_base60_float, is_old_bool, resolve_plain};

/// A YAML document that could not be read, or a value that cannot be written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// What went wrong, worded like Helm (`error converting YAML to JSON:
    /// yaml: line 2: did not find expected key`).
    pub message: String,
    /// 1-based line of the problem, when known.
    pub line: Option<usize>,
    /// 1-based column of the problem, when known.
    pub column: Option<usize>,
}

impl YamlError {
    fn new(message: String, line: Option<usize>, column: Option<usize>) -> Self {
        YamlError {
            message,
            line,
            column,
        }
    }
}

/// Parses one YAML document into a [`Value`]; an empty document is `Null`.
/// Only the first document of a stream is read, as go-yaml's `Unmarshal` does.
pub fn parse(text: &str) -> Result<Value, YamlError> {
    load::parse_first(text)
}

/// Parses every document of a stream separated by `---`.
pub fn parse_all(text: &str) -> Result<Vec<Value>, YamlError> {
    load::parse_stream(text)
}

/// Writes a value as `sigs.k8s.io/yaml.Marshal` does (with its trailing
/// newline). Values Go cannot marshal (NaN, ±Inf, strings with characters
/// go-yaml refuses to read back) give an empty string, which is what Helm's
/// `toYaml` prints for them; use [`try_to_string`] to see the error.
pub fn to_string(value: &Value) -> String {
    try_to_string(value).unwrap_or_default()
}

/// Like [`to_string`], reporting why a value cannot be written.
pub fn try_to_string(value: &Value) -> Result<String, YamlError> {
    let node = json_round_trip_node(value)?;
    Ok(emit::emit_document(
        &node,
        Options {
            v3: false,
            width: 80,
        },
    ))
}

/// Sorts map keys into the order [`to_string`] writes them (go-yaml v2's
/// key order, which is not byte order: `a2` comes before `a10`), for callers
/// that assemble one document from pieces written separately.
pub fn sort_keys_as_written<T>(items: &mut Vec<(String, T)>) {
    sort::sort_keys(items, Flavor::V2);
}

/// Helm's `toYamlPretty`: a go-yaml v3 encoder with `SetIndent(2)` run on the
/// values directly (no JSON round trip, so floats print as Go's `%g`, e.g.
/// `1e+06`), sequences indented under their key and no line folding.
/// Includes the trailing newline; Helm trims it.
pub fn to_string_pretty(value: &Value) -> String {
    emit::emit_document(
        &direct_node(value),
        Options {
            v3: true,
            width: usize::MAX,
        },
    )
}

/// How go-yaml's `stringv` asks for a string to be written.
fn string_node(s: &str, flavor: Flavor) -> Node {
    let can_use_plain = resolve_plain(s, flavor) == Resolved::Str
        && !is_base60_float(s)
        && !(flavor == Flavor::V3 && is_old_bool(s));
    let style = if s.contains('\n') {
        Requested::Literal
    } else if can_use_plain {
        Requested::Plain
    } else {
        Requested::DoubleQuoted
    };
    Node::Scalar(s.to_string(), style)
}

fn plain(s: impl Into<String>) -> Node {
    Node::Scalar(s.into(), Requested::Plain)
}

/// v3 encoder on Go values.
fn direct_node(value: &Value) -> Node {
    stacker::maybe_grow(load::RED_ZONE, load::STACK_CHUNK, || {
        direct_node_inner(value)
    })
}

fn direct_node_inner(value: &Value) -> Node {
    match value {
        Value::Null => plain("null"),
        Value::Bool(b) => plain(b.to_string()),
        Value::Int(i) => plain(i.to_string()),
        Value::Float(f) => plain(go_yaml_float(*f)),
        Value::String(s) => string_node(s, Flavor::V3),
        Value::List(items) => Node::Seq(items.iter().map(direct_node).collect()),
        Value::Map(map) => {
            let mut items: Vec<(String, &Value)> =
                map.iter().map(|(k, v)| (k.clone(), v)).collect();
            sort::sort_keys(&mut items, Flavor::V3);
            Node::Map(
                items
                    .into_iter()
                    .map(|(k, v)| (string_node(&k, Flavor::V3), direct_node(v)))
                    .collect(),
            )
        }
    }
}

/// go-yaml's float text: `%g` shortest with `.inf`/`.nan` spellings.
fn go_yaml_float(f: f64) -> String {
    match crate::strconv::format_float(f, 'g', -1).as_str() {
        "+Inf" => ".inf".to_string(),
        "-Inf" => "-.inf".to_string(),
        "NaN" => ".nan".to_string(),
        s => s.to_string(),
    }
}

/// The node go-yaml v2 builds after `json.Marshal(value)` is read back as YAML.
fn json_round_trip_node(value: &Value) -> Result<Node, YamlError> {
    stacker::maybe_grow(load::RED_ZONE, load::STACK_CHUNK, || {
        json_round_trip_node_inner(value)
    })
}

fn json_round_trip_node_inner(value: &Value) -> Result<Node, YamlError> {
    Ok(match value {
        Value::Null => plain("null"),
        Value::Bool(b) => plain(b.to_string()),
        Value::Int(i) => plain(i.to_string()),
        Value::Float(f) => {
            let text = crate::json::format_float(*f).map_err(|e| {
                YamlError::new(format!("error marshaling into JSON: {e}"), None, None)
            })?;
            plain(reread_json_number(&text))
        }
        Value::String(s) => string_node(&reread_json_string(s)?, Flavor::V2),
        Value::List(items) => Node::Seq(
            items
                .iter()
                .map(json_round_trip_node)
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(map) => {
            let mut items = Vec::with_capacity(map.len());
            for (k, v) in map {
                items.push((reread_json_string(k)?, v));
            }
            sort::sort_keys(&mut items, Flavor::V2);
            let mut out = Vec::with_capacity(items.len());
            for (k, v) in items {
                out.push((string_node(&k, Flavor::V2), json_round_trip_node(v)?));
            }
            Node::Map(out)
        }
    })
}

/// go-yaml v2 typing of a JSON number, then its own printing of that type.
fn reread_json_number(text: &str) -> String {
    match resolve_plain(text, Flavor::V2) {
        Resolved::Int(i) => i.to_string(),
        Resolved::Uint(u) => u.to_string(),
        Resolved::Float(f) => go_yaml_float(f),
        _ => text.to_string(),
    }
}

/// What go-yaml v2 reads back from the JSON string literal Go wrote for `s`.
///
/// Go leaves most characters raw in JSON; go-yaml's reader then rejects the
/// C1 controls (except NEL), DEL and U+FFFE/U+FFFF, and its double-quoted
/// scalar scanner folds a raw NEL line break (with surrounding spaces) into
/// a space, or into `n-1` newlines for a run of `n` breaks.
fn reread_json_string(s: &str) -> Result<String, YamlError> {
    let refused = |c: char| {
        let c = c as u32;
        (0x7F..=0x9F).contains(&c) && c != 0x85 || c == 0xFFFE || c == 0xFFFF
    };
    if s.chars().any(refused) {
        return Err(YamlError::new(
            "yaml: control characters are not allowed".to_string(),
            None,
            None,
        ));
    }
    if !s.contains('\u{85}') {
        return Ok(s.to_string());
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != ' ' && c != '\u{85}' {
            out.push(c);
            i += 1;
            continue;
        }
        // A run of blanks and breaks; only folded if it holds a break.
        let start = i;
        let mut breaks = 0;
        while i < chars.len() && (chars[i] == ' ' || chars[i] == '\u{85}') {
            if chars[i] == '\u{85}' {
                breaks += 1;
            }
            i += 1;
        }
        if breaks == 0 {
            out.extend(&chars[start..i]);
        } else if breaks == 1 {
            out.push(' ');
        } else {
            out.extend(std::iter::repeat_n('\n', breaks - 1));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::Map;

    fn map(pairs: &[(&str, Value)]) -> Value {
        Value::Map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect::<Map>(),
        )
    }

    // Expected texts below were printed by Helm (see testdata/helm-decoded.txt).
    #[test]
    fn numbers_after_json_round_trip() {
        let v = map(&[
            ("a", Value::Float(1e6)),
            ("b", Value::Float(1.5)),
            ("c", Value::Float(1e21)),
            ("d", Value::Float(1e20)),
            ("e", Value::Float(1e-6)),
            ("f", Value::Int(7)),
            ("g", Value::Float(-0.0)),
        ]);
        assert_eq!(
            to_string(&v),
            "a: 1000000\nb: 1.5\nc: 1e+21\nd: 1e+20\ne: 1e-06\nf: 7\ng: 0\n"
        );
    }

    #[test]
    fn pretty_uses_go_float_formatting() {
        let v = map(&[("f", Value::Float(1e6)), ("i", Value::Int(1_000_000))]);
        assert_eq!(to_string_pretty(&v), "f: 1e+06\ni: 1000000\n");
    }

    #[test]
    fn unsupported_values_give_empty_output() {
        assert_eq!(to_string(&Value::Float(f64::NAN)), "");
        assert_eq!(to_string(&Value::from("a\u{7f}b")), "");
        assert!(try_to_string(&Value::Float(f64::INFINITY)).is_err());
    }

    #[test]
    fn nel_is_folded_by_the_round_trip() {
        assert_eq!(to_string(&Value::from("a\u{85}b")), "a b\n");
    }

    #[test]
    fn yes_key_becomes_true() {
        let v = parse("yes: yes\n").unwrap();
        assert_eq!(v, map(&[("true", Value::Bool(true))]));
    }
}
