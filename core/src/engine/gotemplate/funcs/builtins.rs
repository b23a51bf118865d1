//! text/template's predefined functions: comparison, `index`,
//! `len`, `not`, the print family and the escapers. (`and`/`or` are
//! registered here but short-circuited by the executor.)

use super::{FuncTable, Host, Param, add, add_var};
use crate::engine::gotemplate::exec::GoError;
use crate::engine::gotemplate::fmt as gofmt;
use crate::engine::gotemplate::value::Value;

const BAD_CMP: &str = "incompatible types for comparison";
const BAD_CMP_TYPE: &str = "invalid type for comparison";

pub(super) fn register(t: &mut FuncTable) {
    use Param::*;
    add_var(t, "and", &[Reflect], Reflect, |_, a| {
        Ok(a.into_iter().last().unwrap_or_default())
    });
    add_var(t, "or", &[Reflect], Reflect, |_, a| {
        Ok(a.into_iter().last().unwrap_or_default())
    });
    add(t, "not", &[Reflect], |_, a| Ok(Value::Bool(!a[0].truth())));
    add(t, "len", &[Reflect], |_, a| match &a[0] {
        Value::Nil => Err(GoError::plain("len of nil pointer")),
        Value::Invalid => Err(GoError::plain(
            "reflect: call of reflect.Value.Type on zero Value",
        )),
        v => match v.len() {
            Some(n) => Ok(Value::Int(n as i64)),
            None => Err(GoError::plain(format!("len of type {}", v.type_name()))),
        },
    });
    add_var(t, "index", &[Reflect], Reflect, |_, a| index(a));
    // `slice` is Sprig's in Helm (it shadows the builtin); see sprig.rs.
    add_var(t, "eq", &[Reflect], Reflect, |_, a| {
        eq(&a[0], &a[1..]).map(Value::Bool)
    });
    add(t, "ne", &[Reflect, Reflect], |_, a| {
        eq(&a[0], &a[1..]).map(|b| Value::Bool(!b))
    });
    add(t, "lt", &[Reflect, Reflect], |_, a| {
        lt(&a[0], &a[1]).map(Value::Bool)
    });
    add(t, "le", &[Reflect, Reflect], |_, a| {
        le(&a[0], &a[1]).map(Value::Bool)
    });
    add(t, "gt", &[Reflect, Reflect], |_, a| {
        le(&a[0], &a[1]).map(|b| Value::Bool(!b))
    });
    add(t, "ge", &[Reflect, Reflect], |_, a| {
        lt(&a[0], &a[1]).map(|b| Value::Bool(!b))
    });
    add_var(t, "print", &[], Any, |_, a| {
        Ok(Value::Str(gofmt::sprint(&a)))
    });
    add_var(t, "println", &[], Any, |_, a| {
        Ok(Value::Str(gofmt::sprintln(&a)))
    });
    add_var(t, "printf", &[Str], Any, |_, a| {
        Ok(Value::Str(gofmt::sprintf(super::s(&a[0]), &a[1..])))
    });
    add_var(t, "html", &[], Any, |_, a| {
        Ok(Value::Str(html_escape(&eval_args(&a))))
    });
    add_var(t, "js", &[], Any, |_, a| {
        Ok(Value::Str(js_escape(&eval_args(&a))))
    });
    add_var(t, "urlquery", &[], Any, |_, a| {
        Ok(Value::Str(query_escape(&eval_args(&a))))
    });
    add_var(
        t,
        "call",
        &[Reflect],
        Reflect,
        |_: &mut dyn Host, a: Vec<Value>| {
            Err(GoError::plain(format!(
                "non-function {} of type {}",
                gofmt::format_v(&a[0]),
                a[0].type_name()
            )))
        },
    );
}

/// text/template's `evalArgs`: one string as is, else `fmt.Sprint`.
fn eval_args(a: &[Value]) -> String {
    if let [Value::Str(s)] = a {
        return s.clone();
    }
    let printable: Vec<Value> = a
        .iter()
        .map(|v| match v {
            Value::Invalid | Value::Nil => Value::str("<no value>"),
            other => other.clone(),
        })
        .collect();
    gofmt::sprint(&printable)
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Go's `url.QueryEscape`.
pub(crate) fn query_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn deref(v: &Value) -> &Value {
    v
}

fn index_arg(idx: &Value, cap: usize) -> Result<usize, GoError> {
    let x = match idx {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Invalid | Value::Nil => {
            return Err(GoError::plain("cannot index slice/array with nil"));
        }
        other => {
            return Err(GoError::plain(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            )));
        }
    };
    if x < 0 || x as u64 > cap as u64 {
        return Err(GoError::plain(format!("index out of range: {x}")));
    }
    Ok(x as usize)
}

fn index(a: Vec<Value>) -> Result<Value, GoError> {
    let mut item = match &a[0] {
        Value::Invalid => return Err(GoError::plain("index of untyped nil")),
        v => v.clone(),
    };
    for idx in &a[1..] {
        item = match deref(&item) {
            Value::Nil => return Err(GoError::plain("index of nil pointer")),
            Value::Str(s) => {
                let x = index_arg(idx, s.len())?;
                match s.as_bytes().get(x) {
                    Some(b) => Value::Int(i64::from(*b)),
                    None => return Err(GoError::plain("reflect: string index out of range")),
                }
            }
            v @ (Value::List(_) | Value::StrList(_) | Value::Bytes(_)) => {
                let items = v.list_items().unwrap_or_default();
                let x = index_arg(idx, items.len())?;
                match items.get(x) {
                    Some(e) => e.clone(),
                    None => return Err(GoError::plain("reflect: slice index out of range")),
                }
            }
            Value::Map(m) => match idx {
                Value::Str(k) => m.borrow().get(k).cloned().unwrap_or(Value::Nil),
                Value::Invalid | Value::Nil => {
                    return Err(GoError::plain("value is nil; should be of type string"));
                }
                other => {
                    return Err(GoError::plain(format!(
                        "value has type {}; should be string",
                        other.type_name()
                    )));
                }
            },
            other => {
                return Err(GoError::plain(format!(
                    "can't index item of type {}",
                    other.type_name()
                )));
            }
        };
    }
    Ok(item)
}

/// Go ≥ 1.23 names both types in this error.
fn bad_cmp(a: &Value, b: &Value) -> GoError {
    GoError::plain(format!(
        "{BAD_CMP}: {} and {}",
        a.type_name(),
        b.type_name()
    ))
}

#[derive(PartialEq, Eq, Clone, Copy, Debug)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Float,
    Str,
    Other,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Invalid | Value::Nil => Kind::Invalid,
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::Str(_) => Kind::Str,
        _ => Kind::Other,
    }
}

/// Go's `eq`: true when `a` equals any of `rest`.
pub(crate) fn eq(a: &Value, rest: &[Value]) -> Result<bool, GoError> {
    if rest.is_empty() {
        return Err(GoError::plain("missing argument for comparison"));
    }
    let k1 = basic_kind(a);
    for b in rest {
        let k2 = basic_kind(b);
        let truth = if k1 != k2 {
            if k1 != Kind::Invalid && k2 != Kind::Invalid {
                return Err(bad_cmp(a, b));
            }
            false
        } else {
            match (a, b) {
                (Value::Bool(x), Value::Bool(y)) => x == y,
                (Value::Float(x), Value::Float(y)) => x == y,
                (Value::Str(x), Value::Str(y)) => x == y,
                _ if k1 == Kind::Int => a.as_int() == b.as_int(),
                _ if k1 == Kind::Invalid => true,
                _ => {
                    return Err(GoError::plain(format!(
                        "non-comparable type {}: {}",
                        gofmt::format_v(b),
                        b.type_name()
                    )));
                }
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn lt(a: &Value, b: &Value) -> Result<bool, GoError> {
    let k1 = basic_kind(a);
    let k2 = basic_kind(b);
    if matches!(k1, Kind::Invalid | Kind::Other) || matches!(k2, Kind::Invalid | Kind::Other) {
        return Err(GoError::plain(BAD_CMP_TYPE));
    }
    if k1 != k2 {
        return Err(bad_cmp(a, b));
    }
    Ok(match (a, b) {
        (Value::Float(x), Value::Float(y)) => x < y,
        (Value::Str(x), Value::Str(y)) => x < y,
        (Value::Bool(_), _) => return Err(GoError::plain(BAD_CMP_TYPE)),
        _ => a.as_int() < b.as_int(),
    })
}

fn le(a: &Value, b: &Value) -> Result<bool, GoError> {
    if lt(a, b)? {
        return Ok(true);
    }
    eq(a, std::slice::from_ref(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eq_rules() {
        assert!(eq(&Value::Int(1), &[Value::Int64(2), Value::Int(1)]).unwrap());
        assert_eq!(
            eq(&Value::Float(1.0), &[Value::Int(1)]).unwrap_err().text,
            "incompatible types for comparison: float64 and int"
        );
        assert!(!eq(&Value::Invalid, &[Value::str("x")]).unwrap());
    }

    #[test]
    fn index_errors_like_go() {
        let l = Value::list(vec![Value::Int(1)]);
        assert_eq!(
            index(vec![l.clone(), Value::Int(5)]).unwrap_err().text,
            "index out of range: 5"
        );
        assert_eq!(
            index(vec![l.clone(), Value::Int(1)]).unwrap_err().text,
            "reflect: slice index out of range"
        );
        assert_eq!(
            index(vec![Value::Invalid, Value::Int(0)]).unwrap_err().text,
            "index of untyped nil"
        );
    }

    #[test]
    fn escapers() {
        assert_eq!(
            html_escape("<a href='x'>&"),
            "&lt;a href=&#39;x&#39;&gt;&amp;"
        );
        assert_eq!(js_escape("a'b<"), "a\\'b\\u003C");
        assert_eq!(query_escape("a b&c"), "a+b%26c");
    }
}
