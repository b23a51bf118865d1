//! Helm's `toToml`, `mustToToml`, `fromToml` and `toYamlPretty`.
//!
//! `toToml` follows the encoder of BurntSushi/toml v1.6 (what Helm v4
//! vendors): keys sorted, plain values before tables, a blank line before
//! each top-level table, two spaces of indentation per nesting level,
//! floats in Go's shortest `%g` form with `.0` added when needed, and
//! maps inside mixed arrays written inline.

use super::{FuncTable, Param, add, s};
use crate::engine::gotemplate::exec::GoError;
use crate::engine::gotemplate::value::Value;
use crate::strconv::format_float;
use std::collections::BTreeMap;

pub(super) fn register(t: &mut FuncTable) {
    use Param::*;
    add(t, "toToml", &[Any], |_, a| {
        nil_panic(&a[0])?;
        Ok(Value::Str(to_toml(&a[0]).unwrap_or_else(|e| e)))
    });
    add(t, "mustToToml", &[Any], |_, a| {
        nil_panic(&a[0])?;
        to_toml(&a[0]).map(Value::Str).map_err(GoError::plain)
    });
    add(t, "fromToml", &[Str], |_, a| Ok(from_toml(s(&a[0]))));
    add(t, "toYamlPretty", &[Any], |_, a| {
        let y = crate::yaml::to_string_pretty(&a[0].to_input());
        Ok(Value::Str(y.strip_suffix('\n').unwrap_or(&y).to_string()))
    });
}

/// The encoder reflects on a nil argument and panics, even in `toToml`.
fn nil_panic(v: &Value) -> Result<(), GoError> {
    if is_nil(v) {
        return Err(GoError::plain(
            "reflect: call of reflect.Value.Type on zero Value",
        ));
    }
    Ok(())
}

const NIL_ELEMENT: &str = "toml: cannot encode array with nil element";
const NO_KEY: &str = "toml: top-level values must be Go maps or structs";

/// Objects (`.Capabilities`...) encode as their data.
fn plain(v: &Value) -> Value {
    match v {
        Value::Object(o) => {
            if let Some(items) = o.items() {
                Value::list(items)
            } else if let Some(entries) = o.entries() {
                Value::map(entries.into_iter().collect())
            } else {
                o.to_data()
            }
        }
        other => other.clone(),
    }
}

fn is_nil(v: &Value) -> bool {
    matches!(v, Value::Nil | Value::Invalid)
}

fn list_of(v: &Value) -> Option<Vec<Value>> {
    match v {
        Value::List(l) => Some(l.to_vec()),
        Value::StrList(l) => Some(l.iter().map(|x| Value::str(x.clone())).collect()),
        Value::Bytes(b) => Some(b.iter().map(|x| Value::Int(i64::from(*x))).collect()),
        _ => None,
    }
}

fn map_of(v: &Value) -> Option<BTreeMap<String, Value>> {
    match v {
        Value::Map(m) => Some(m.borrow().clone()),
        _ => None,
    }
}

/// TOML's view of a value: table, array of tables, or a plain value.
#[derive(PartialEq)]
enum Kind {
    Table,
    TableArray,
    Other,
}

fn kind(v: &Value) -> Result<Kind, String> {
    let v = plain(v);
    if map_of(&v).is_some() {
        return Ok(Kind::Table);
    }
    if let Some(items) = list_of(&v) {
        if items.is_empty() {
            return Ok(Kind::Other);
        }
        let mut all_tables = true;
        for item in &items {
            if is_nil(item) {
                return Err(NIL_ELEMENT.to_string());
            }
            if map_of(&plain(item)).is_none() {
                all_tables = false;
            }
        }
        return Ok(if all_tables {
            Kind::TableArray
        } else {
            Kind::Other
        });
    }
    Ok(Kind::Other)
}

struct Encoder {
    out: String,
}

fn bare(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|r| r.is_ascii_alphanumeric() || r == '_' || r == '-')
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn key_part(k: &str) -> String {
    if k.is_empty() {
        "\"\"".to_string()
    } else if bare(k) {
        k.to_string()
    } else {
        quote(k)
    }
}

fn dotted(key: &[String]) -> String {
    key.iter()
        .map(|k| key_part(k))
        .collect::<Vec<_>>()
        .join(".")
}

fn float(f: f64) -> String {
    if f.is_nan() {
        return if f.is_sign_negative() { "-nan" } else { "nan" }.to_string();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-inf" } else { "inf" }.to_string();
    }
    let s = format_float(f, 'g', -1);
    if s.contains('e') || s.contains('.') {
        s
    } else {
        s + ".0"
    }
}

impl Encoder {
    fn newline(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    fn indent(key: &[String]) -> String {
        "  ".repeat(key.len().saturating_sub(1))
    }

    fn encode(&mut self, key: &[String], v: &Value) -> Result<(), String> {
        // Tables nest by key path, which grows with every level of a map
        // that contains itself: stop there (the executor reports it).
        let Some(_level) = crate::engine::gotemplate::limits::enter() else {
            return Ok(());
        };
        if self.out.len() > crate::engine::gotemplate::limits::MAX_STRING {
            return Ok(());
        }
        let v = plain(v);
        if is_nil(&v) {
            return Ok(());
        }
        match kind(&v)? {
            Kind::Table => self.table(key, &v),
            Kind::TableArray => {
                if key.is_empty() {
                    return Err(NO_KEY.to_string());
                }
                for item in list_of(&v).unwrap_or_default() {
                    self.newline();
                    self.out
                        .push_str(&format!("{}[[{}]]", Self::indent(key), dotted(key)));
                    self.newline();
                    self.map_body(key, &plain(&item), false)?;
                }
                Ok(())
            }
            Kind::Other => self.key_value(key, &v, false),
        }
    }

    fn table(&mut self, key: &[String], v: &Value) -> Result<(), String> {
        if key.len() == 1 {
            self.newline();
        }
        if !key.is_empty() {
            self.out
                .push_str(&format!("{}[{}]", Self::indent(key), dotted(key)));
            self.newline();
        }
        self.map_body(key, v, false)
    }

    fn map_body(&mut self, key: &[String], v: &Value, inline: bool) -> Result<(), String> {
        let m = map_of(v).unwrap_or_default();
        let mut direct = Vec::new();
        let mut sub = Vec::new();
        for (k, val) in &m {
            if kind(val)? == Kind::Other {
                direct.push(k);
            } else {
                sub.push(k);
            }
        }
        if inline {
            self.out.push('{');
        }
        let has_sub = !sub.is_empty();
        for (keys, trail) in [(direct, has_sub), (sub, false)] {
            let n = keys.len();
            for (idx, k) in keys.into_iter().enumerate() {
                let val = &m[k];
                if is_nil(val) {
                    continue;
                }
                if inline {
                    self.key_value(std::slice::from_ref(k), val, true)?;
                    if trail || idx != n - 1 {
                        self.out.push_str(", ");
                    }
                } else {
                    let mut sub_key = key.to_vec();
                    sub_key.push(k.clone());
                    self.encode(&sub_key, val)?;
                }
            }
        }
        if inline {
            self.out.push('}');
        }
        Ok(())
    }

    fn key_value(&mut self, key: &[String], v: &Value, inline: bool) -> Result<(), String> {
        if key.is_empty() {
            return self.element(v);
        }
        self.out.push_str(&format!(
            "{}{} = ",
            Self::indent(key),
            key_part(&key[key.len() - 1])
        ));
        self.element(v)?;
        if !inline {
            self.newline();
        }
        Ok(())
    }

    fn element(&mut self, v: &Value) -> Result<(), String> {
        let v = plain(v);
        if let Some(items) = list_of(&v) {
            // Checks for nil elements as Go's type probe does.
            kind(&v)?;
            self.out.push('[');
            let n = items.len();
            for (idx, item) in items.iter().enumerate() {
                self.element(item)?;
                if idx != n - 1 {
                    self.out.push_str(", ");
                }
            }
            self.out.push(']');
            return Ok(());
        }
        match &v {
            Value::Map(_) => self.map_body(&[], &v, true)?,
            Value::Str(x) => self.out.push_str(&quote(x)),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Int(n) | Value::Int64(n) => self.out.push_str(&n.to_string()),
            Value::Float(f) => self.out.push_str(&float(*f)),
            Value::Nil | Value::Invalid => {
                return Err("unexpected primitive type: <nil>".to_string());
            }
            other => self
                .out
                .push_str(&quote(&crate::engine::gotemplate::fmt::format_v(other))),
        }
        Ok(())
    }
}

/// Helm's `toToml`: the TOML text, or the encoder's error.
pub fn to_toml(v: &Value) -> Result<String, String> {
    let mut e = Encoder { out: String::new() };
    e.encode(&[], v)?;
    Ok(e.out)
}

/// Helm's `fromToml`: a map, or `{Error: message}`.
pub fn from_toml(text: &str) -> Value {
    match text.parse::<toml::Table>() {
        Ok(t) => from_table(t),
        Err(e) => {
            let mut m = BTreeMap::new();
            m.insert(
                "Error".to_string(),
                Value::Str(format!("toml: {}", e.message())),
            );
            Value::map(m)
        }
    }
}

fn from_table(t: toml::Table) -> Value {
    Value::map(
        t.into_iter()
            .map(|(k, v)| (k, from_toml_value(v)))
            .collect(),
    )
}

fn from_toml_value(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::Str(s),
        toml::Value::Integer(n) => Value::Int64(n),
        toml::Value::Float(f) => Value::Float(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::Str(d.to_string()),
        toml::Value::Array(a) => Value::list(a.into_iter().map(from_toml_value).collect()),
        toml::Value::Table(t) => from_table(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: Vec<(&str, Value)>) -> Value {
        Value::map(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    #[test]
    fn tables_come_after_plain_keys_and_nest_with_indent() {
        let v = map(vec![
            ("z", Value::Int(1)),
            (
                "a",
                map(vec![
                    ("b", map(vec![("c", Value::Float(2.0))])),
                    ("x y", Value::str("q\"")),
                ]),
            ),
        ]);
        assert_eq!(
            to_toml(&v).unwrap(),
            "z = 1\n\n[a]\n  \"x y\" = \"q\\\"\"\n  [a.b]\n    c = 2.0\n"
        );
    }

    #[test]
    fn nil_array_elements_are_errors() {
        let v = map(vec![("l", Value::list(vec![Value::Int(1), Value::Nil]))]);
        assert_eq!(to_toml(&v).unwrap_err(), NIL_ELEMENT);
        assert_eq!(float(1e6), "1e+06");
        assert_eq!(float(3.0), "3.0");
    }
}
