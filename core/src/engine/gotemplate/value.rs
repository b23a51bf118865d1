//! Runtime values of the Go template engine.
//!
//! Go templates work on `reflect.Value`s, so the engine needs more than the
//! input [`crate::values::Value`] tree: Go `int` and `int64` print alike but
//! are different types for `eq` and for typed function parameters, `[]string`
//! is not `[]interface{}`, maps are shared references that Sprig's `set`
//! mutates in place, and `.Files`/`.Capabilities` are objects with methods.

use crate::values::{Map as InMap, Value as InValue};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

/// A Go map as Helm templates see it (`map[string]interface{}`): shared, so
/// that `set $d "k" v` is visible through every reference to `$d`.
pub type MapRef = Rc<RefCell<BTreeMap<String, Value>>>;

/// An object with Go methods and fields (`.Files`, `.Capabilities`...).
pub trait GoObject: fmt::Debug {
    /// The Go type name used in error messages (`%T`), e.g. `engine.files`.
    fn type_name(&self) -> String;
    /// A struct field or zero-argument method, when the object has one.
    fn field(&self, name: &str) -> Option<Value>;
    /// The parameter types of a method, `None` when there is no such
    /// method. The executor checks arguments against them as Go does.
    fn method_params(&self, name: &str) -> Option<&'static [super::funcs::Param]>;
    /// Calls a method with checked arguments. `None` when there is no such method.
    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>>;
    /// What `fmt` prints for it (Go's `String()` method or struct printing).
    fn display(&self) -> String;
    /// What `%+v` prints (struct printing with field names); the same as
    /// [`GoObject::display`] for objects with a `String()` method.
    fn display_plus(&self) -> String {
        self.display()
    }
    /// What `{{ . }}` prints: text/template takes the address of an
    /// addressable struct whose pointer has `String()`, which a function
    /// argument (a copy) does not get.
    fn display_action(&self) -> String {
        self.display()
    }
    /// The plain data form, for `toYaml`/`toJson`.
    fn to_data(&self) -> Value;
    /// Map-like objects (Go map types): entries for `range` and `len`.
    fn entries(&self) -> Option<Vec<(String, Value)>> {
        None
    }
    /// Slice-like objects (Go slice types): elements for `range`, `len`, `index`.
    fn items(&self) -> Option<Vec<Value>> {
        None
    }
}

/// One runtime value.
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// Go's invalid `reflect.Value`: what a missing key or a nil interface
    /// becomes once a pipeline has evaluated it. Prints `<no value>`.
    #[default]
    Invalid,
    /// A nil `interface{}` (a null value or missing key read from a map).
    Nil,
    /// `bool`.
    Bool(bool),
    /// Go `int` (constants, `len`, Sprig's `int`...).
    Int(i64),
    /// Go `int64` (`--set` numbers, Sprig arithmetic).
    Int64(i64),
    /// Go `float64` (numbers from YAML/JSON values).
    Float(f64),
    /// `string`.
    Str(String),
    /// `[]byte`.
    Bytes(Rc<Vec<u8>>),
    /// `[]interface{}`.
    List(Rc<Vec<Value>>),
    /// `[]string`.
    StrList(Rc<Vec<String>>),
    /// `map[string]interface{}`.
    Map(MapRef),
    /// An object with methods.
    Object(Rc<dyn GoObject>),
}

thread_local! {
    /// The one `[]interface{}(nil)` and `[]string(nil)` of this thread:
    /// empty like any empty slice, but `null` to `toJson`/`toYaml`, which is
    /// all that tells a nil slice from an empty one in a template.
    static NIL_LIST: Rc<Vec<Value>> = Rc::new(Vec::new());
    static NIL_STRINGS: Rc<Vec<String>> = Rc::new(Vec::new());
}

impl Value {
    /// Go's nil `[]interface{}` (Sprig's `concat` of nothing, `fromJsonArray
    /// "null"`).
    pub fn nil_list() -> Value {
        Value::List(NIL_LIST.with(Rc::clone))
    }

    /// Go's nil `[]string` (`regexFindAll` without a match).
    pub fn nil_strings() -> Value {
        Value::StrList(NIL_STRINGS.with(Rc::clone))
    }

    /// True for [`Value::nil_list`] and [`Value::nil_strings`].
    pub fn is_nil_slice(&self) -> bool {
        match self {
            Value::List(l) => NIL_LIST.with(|n| Rc::ptr_eq(n, l)),
            Value::StrList(l) => NIL_STRINGS.with(|n| Rc::ptr_eq(n, l)),
            _ => false,
        }
    }

    /// A new string value.
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(s.into())
    }

    /// A new list value.
    pub fn list(v: Vec<Value>) -> Value {
        Value::List(Rc::new(v))
    }

    /// A new map value.
    pub fn map(m: BTreeMap<String, Value>) -> Value {
        Value::Map(Rc::new(RefCell::new(m)))
    }

    /// Go's type name, as `%T` and error messages print it.
    pub fn type_name(&self) -> String {
        match self {
            Value::Invalid => "<nil>".into(),
            Value::Nil => "interface {}".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Int64(_) => "int64".into(),
            Value::Float(_) => "float64".into(),
            Value::Str(_) => "string".into(),
            Value::Bytes(_) => "[]uint8".into(),
            Value::List(_) => "[]interface {}".into(),
            Value::StrList(_) => "[]string".into(),
            Value::Map(_) => "map[string]interface {}".into(),
            Value::Object(o) => o.type_name(),
        }
    }

    /// Go's `reflect.Kind` name, for `kindOf` and comparison errors.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Invalid => "invalid",
            Value::Nil => "interface",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::Bytes(_) | Value::List(_) | Value::StrList(_) => "slice",
            Value::Map(_) => "map",
            Value::Object(_) => "struct",
        }
    }

    /// True for `Invalid` and `Nil`: Go's "no value / nil interface".
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Invalid | Value::Nil)
    }

    /// Go template truth (`if`, `with`, `and`, `or`, `not`).
    pub fn truth(&self) -> bool {
        match self {
            Value::Invalid | Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::StrList(l) => !l.is_empty(),
            Value::Map(m) => !m.borrow().is_empty(),
            // Go map and slice types are true when non-empty; structs always.
            Value::Object(_) => self.len().is_none_or(|n| n > 0),
        }
    }

    /// The integer inside Go `int`/`int64` values.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) | Value::Int64(i) => Some(*i),
            _ => None,
        }
    }

    /// The string inside, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// True when [`Value::len`] is zero.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// Length for `len`: strings (bytes), slices, maps.
    pub fn len(&self) -> Option<usize> {
        match self {
            Value::Str(s) => Some(s.len()),
            Value::Bytes(b) => Some(b.len()),
            Value::List(l) => Some(l.len()),
            Value::StrList(l) => Some(l.len()),
            Value::Map(m) => Some(m.borrow().len()),
            Value::Object(o) => o
                .entries()
                .map(|e| e.len())
                .or_else(|| o.items().map(|i| i.len())),
            _ => None,
        }
    }

    /// Elements of a slice value as runtime values.
    pub fn list_items(&self) -> Option<Vec<Value>> {
        match self {
            Value::List(l) => Some(l.as_ref().clone()),
            Value::StrList(l) => Some(l.iter().map(|s| Value::Str(s.clone())).collect()),
            Value::Bytes(b) => Some(b.iter().map(|x| Value::Int(i64::from(*x))).collect()),
            Value::Object(o) => o.items(),
            _ => None,
        }
    }

    /// Converts an input values tree (numbers typed as Helm types them).
    pub fn from_input(v: &InValue) -> Value {
        match v {
            InValue::Null => Value::Nil,
            InValue::Bool(b) => Value::Bool(*b),
            InValue::Int(i) => Value::Int64(*i),
            InValue::Float(f) => Value::Float(*f),
            InValue::String(s) => Value::Str(s.clone()),
            InValue::List(l) => Value::list(l.iter().map(Value::from_input).collect()),
            InValue::Map(m) => Value::map(
                m.iter()
                    .map(|(k, v)| (k.clone(), Value::from_input(v)))
                    .collect(),
            ),
        }
    }

    /// Converts back to a plain values tree, as Go's YAML/JSON marshalling
    /// sees it (`[]byte` as base64, objects as their data).
    pub fn to_input(&self) -> InValue {
        use base64::Engine as _;
        // A map that contains itself stops here; the executor reports it.
        let Some(_level) = super::limits::enter() else {
            return InValue::Null;
        };
        if self.is_nil_slice() {
            return InValue::Null;
        }
        match self {
            Value::Invalid | Value::Nil => InValue::Null,
            Value::Bool(b) => InValue::Bool(*b),
            Value::Int(i) | Value::Int64(i) => InValue::Int(*i),
            Value::Float(f) => InValue::Float(*f),
            Value::Str(s) => InValue::String(s.clone()),
            Value::Bytes(b) => {
                InValue::String(base64::engine::general_purpose::STANDARD.encode(b.as_slice()))
            }
            Value::List(l) => InValue::List(l.iter().map(Value::to_input).collect()),
            Value::StrList(l) => InValue::List(l.iter().cloned().map(InValue::String).collect()),
            Value::Map(m) => InValue::Map(
                m.borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_input()))
                    .collect::<InMap>(),
            ),
            Value::Object(o) => o.to_data().to_input(),
        }
    }

    /// A deep copy (maps are otherwise shared).
    pub fn deep_copy(&self) -> Value {
        let Some(_level) = super::limits::enter() else {
            return Value::Nil;
        };
        if self.is_nil_slice() {
            return self.clone();
        }
        match self {
            Value::List(l) => Value::list(l.iter().map(Value::deep_copy).collect()),
            Value::Map(m) => Value::map(
                m.borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.deep_copy()))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_numbers_keep_go_types() {
        assert_eq!(Value::from_input(&InValue::Int(3)).type_name(), "int64");
        assert_eq!(
            Value::from_input(&InValue::Float(3.0)).type_name(),
            "float64"
        );
        assert_eq!(
            Value::from_input(&InValue::Null).type_name(),
            "interface {}"
        );
    }

    #[test]
    fn maps_are_shared_until_deep_copied() {
        let m = Value::map(BTreeMap::new());
        let alias = m.clone();
        let copy = m.deep_copy();
        if let Value::Map(r) = &alias {
            r.borrow_mut().insert("k".into(), Value::Int(1));
        }
        assert_eq!(m.len(), Some(1));
        assert_eq!(copy.len(), Some(0));
    }

    #[test]
    fn truth_follows_go() {
        assert!(!Value::Str(String::new()).truth());
        assert!(!Value::Float(0.0).truth());
        assert!(Value::Int(-1).truth());
        assert!(!Value::list(vec![]).truth());
        assert!(!Value::Nil.truth());
    }
}
