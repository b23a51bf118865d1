//! The dynamically typed tree that values, Chart metadata and rendered data share.

use std::collections::BTreeMap;
use std::fmt;

/// A map of values. Keys are kept sorted, which is the order Go gives map keys
/// when it ranges over them, prints them or marshals them, so every consumer
/// (templates, `toYaml`, release JSON) sees Helm's order for free.
pub type Map = BTreeMap<String, Value>;

/// One node of a values tree.
///
/// Numbers keep the type Helm gives them: values files and `--set-json` yield
/// [`Value::Float`] (Helm decodes them through JSON into `float64`), `--set`
/// yields [`Value::Int`] (`int64`). Templates print the two differently
/// (`1e+06` against `1000000`), so the distinction is part of the output.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    /// YAML `null`, JSON `null`, Go `nil`.
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// A 64-bit integer (Go `int64`).
    Int(i64),
    /// A 64-bit float (Go `float64`).
    Float(f64),
    /// A UTF-8 string.
    String(String),
    /// A sequence (Go `[]interface{}`).
    List(Vec<Value>),
    /// A mapping with string keys (Go `map[string]interface{}`).
    Map(Map),
}

impl Value {
    /// An empty map, the neutral element of coalescing.
    pub fn empty_map() -> Self {
        Value::Map(Map::new())
    }

    /// The map inside, if this is a map.
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The map inside, mutably, if this is a map.
    pub fn as_map_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The string inside, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean inside, if this is a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// True for [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Looks up a dotted path such as `image.tag` through nested maps.
    pub fn get_path(&self, path: &str) -> Option<&Value> {
        let mut cur = self;
        for part in path.split('.') {
            cur = cur.as_map()?.get(part)?;
        }
        Some(cur)
    }

    /// The name Go's `%T`/`kindOf` would use, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int64",
            Value::Float(_) => "float64",
            Value::String(_) => "string",
            Value::List(_) => "[]interface {}",
            Value::Map(_) => "map[string]interface {}",
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}
impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Value::Map(m)
    }
}
impl From<Vec<Value>> for Value {
    fn from(l: Vec<Value>) -> Self {
        Value::List(l)
    }
}

impl fmt::Display for Value {
    /// A compact JSON-like rendering for diagnostics (not Go's `%v`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match serde_json::to_string(self) {
            Ok(s) => f.write_str(&s),
            Err(_) => f.write_str("<unprintable>"),
        }
    }
}

impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            // Go's encoding/json writes integral floats without a fraction;
            // serde_json would write `1.0`, which Helm would still read, but
            // we keep Go's form so stored releases round-trip byte for byte.
            // Only below 2^53, where the float holds the integer exactly.
            Value::Float(x) if x.fract() == 0.0 && x.abs() < 9_007_199_254_740_992.0 => {
                s.serialize_i64(*x as i64)
            }
            Value::Float(x) => s.serialize_f64(*x),
            Value::String(v) => s.serialize_str(v),
            Value::List(l) => {
                let mut seq = s.serialize_seq(Some(l.len()))?;
                for v in l {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Value::Map(m) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> serde::Deserialize<'de> for Value {
    /// Deserializes any self-describing format. Integers become
    /// [`Value::Float`] when they come from JSON or YAML documents, matching
    /// Helm; callers that need `int64` (the `--set` parser) build values directly.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> serde::de::Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML or JSON value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        serde::Deserialize::deserialize(d)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Float(i as f64))
    }
    fn visit_u64<E>(self, i: u64) -> Result<Value, E> {
        Ok(Value::Float(i as f64))
    }
    fn visit_f64<E>(self, x: f64) -> Result<Value, E> {
        Ok(Value::Float(x))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = a.next_element()? {
            out.push(v);
        }
        Ok(Value::List(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some((k, v)) = a.next_entry::<String, Value>()? {
            out.insert(k, v);
        }
        Ok(Value::Map(out))
    }
}

/// Converts a JSON value (e.g. from `--set-json` or a stored release) into a
/// [`Value`], with Helm's number typing (all JSON numbers are `float64`).
impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Self {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(a) => Value::List(a.into_iter().map(Value::from).collect()),
            serde_json::Value::Object(o) => {
                Value::Map(o.into_iter().map(|(k, v)| (k, Value::from(v))).collect())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_path_walks_maps() {
        let v: Value = serde_json::json!({"a": {"b": {"c": "x"}}}).into();
        assert_eq!(v.get_path("a.b.c"), Some(&Value::from("x")));
        assert_eq!(v.get_path("a.x"), None);
    }

    #[test]
    fn integral_floats_serialize_like_go() {
        let v = Value::List(vec![Value::Float(1.0), Value::Float(1.5), Value::Int(3)]);
        assert_eq!(serde_json::to_string(&v).unwrap(), "[1,1.5,3]");
        // Beyond 2^53 the value must not saturate into i64::MAX.
        let big = serde_json::to_string(&Value::Float(1e20)).unwrap();
        assert_eq!(big.parse::<f64>().unwrap(), 1e20);
    }
}
