//! The most used Sprig functions (strings, lists, dicts, conversions,
//! arithmetic, encodings, regular expressions, semver), with Sprig's
//! semantics: `empty`-based defaults, `cast`-style conversions, mergo merges.

use super::{FuncTable, Param, add, add_var, i, panic_err, s};
use crate::engine::gotemplate::exec::GoError;
use crate::engine::gotemplate::fmt as gofmt;
use crate::engine::gotemplate::limits;
use crate::engine::gotemplate::parse::parse_go_int;
use crate::engine::gotemplate::value::Value;
use base64::Engine as _;
use std::collections::BTreeMap;
use std::rc::Rc;

pub(super) fn register(t: &mut FuncTable) {
    use Param::*;
    // Defaults and emptiness.
    add_var(t, "default", &[Any], Any, |_, a| {
        let given = a.get(1).cloned().unwrap_or(Value::Nil);
        Ok(if a.len() < 2 || empty(&given) {
            a[0].clone()
        } else {
            given
        })
    });
    add(t, "empty", &[Any], |_, a| Ok(Value::Bool(empty(&a[0]))));
    add_var(t, "coalesce", &[], Any, |_, a| {
        Ok(a.into_iter().find(|v| !empty(v)).unwrap_or(Value::Nil))
    });
    add(t, "ternary", &[Any, Any, Bool], |_, a| {
        Ok(if a[2].truth() {
            a[0].clone()
        } else {
            a[1].clone()
        })
    });
    // Strings.
    add_var(t, "quote", &[], Any, |_, a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| gofmt::quote(&strval(v)))
            .collect();
        Ok(Value::Str(parts.join(" ")))
    });
    add_var(t, "squote", &[], Any, |_, a| {
        let parts: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| format!("'{}'", strval(v)))
            .collect();
        Ok(Value::Str(parts.join(" ")))
    });
    add_var(t, "cat", &[], Any, |_, a| {
        let kept: Vec<Value> = a.into_iter().filter(|v| !v.is_nil()).collect();
        let mut parts: Vec<String> = Vec::with_capacity(kept.len());
        let mut total = 0u128;
        for v in &kept {
            let p = gofmt::format_v(v);
            total += p.len() as u128 + 1;
            limits::check_string(total)?;
            parts.push(p);
        }
        Ok(Value::Str(parts.join(" ")))
    });
    add(t, "upper", &[Str], |_, a| {
        Ok(Value::Str(s(&a[0]).to_uppercase()))
    });
    add(t, "lower", &[Str], |_, a| {
        Ok(Value::Str(s(&a[0]).to_lowercase()))
    });
    add(t, "title", &[Str], |_, a| Ok(Value::Str(title(s(&a[0])))));
    add(t, "trim", &[Str], |_, a| {
        Ok(Value::Str(s(&a[0]).trim().to_string()))
    });
    add(t, "trimAll", &[Str, Str], |_, a| {
        let cut: Vec<char> = s(&a[0]).chars().collect();
        Ok(Value::Str(
            s(&a[1]).trim_matches(cut.as_slice()).to_string(),
        ))
    });
    add(t, "trimSuffix", &[Str, Str], |_, a| {
        let (suf, v) = (s(&a[0]), s(&a[1]));
        Ok(Value::Str(v.strip_suffix(suf).unwrap_or(v).to_string()))
    });
    add(t, "trimPrefix", &[Str, Str], |_, a| {
        let (pre, v) = (s(&a[0]), s(&a[1]));
        Ok(Value::Str(v.strip_prefix(pre).unwrap_or(v).to_string()))
    });
    add(t, "trunc", &[Int, Str], |_, a| {
        let (c, v) = (i(&a[0]), s(&a[1]).as_bytes());
        let len = v.len() as i64;
        let out = if c < 0 && len + c > 0 {
            &v[(len + c) as usize..]
        } else if c >= 0 && len > c {
            &v[..c as usize]
        } else {
            v
        };
        Ok(Value::Str(String::from_utf8_lossy(out).into_owned()))
    });
    add(t, "replace", &[Str, Str, Str], |_, a| {
        let (old, new, v) = (s(&a[0]), s(&a[1]), s(&a[2]));
        if new.len() > old.len() {
            // An empty `old` matches between every character, as in Go.
            let n = if old.is_empty() {
                v.chars().count() + 1
            } else {
                v.matches(old).count()
            };
            limits::check_string(v.len() as u128 + n as u128 * new.len() as u128)?;
        }
        Ok(Value::Str(v.replace(old, new)))
    });
    add(t, "contains", &[Str, Str], |_, a| {
        Ok(Value::Bool(s(&a[1]).contains(s(&a[0]))))
    });
    add(t, "hasPrefix", &[Str, Str], |_, a| {
        Ok(Value::Bool(s(&a[1]).starts_with(s(&a[0]))))
    });
    add(t, "hasSuffix", &[Str, Str], |_, a| {
        Ok(Value::Bool(s(&a[1]).ends_with(s(&a[0]))))
    });
    add(t, "indent", &[Int, Str], |_, a| {
        Ok(Value::Str(indent(i(&a[0]), s(&a[1]))?))
    });
    add(t, "nindent", &[Int, Str], |_, a| {
        Ok(Value::Str(format!("\n{}", indent(i(&a[0]), s(&a[1]))?)))
    });
    add(t, "nospace", &[Str], |_, a| {
        Ok(Value::Str(
            s(&a[0]).chars().filter(|c| !c.is_whitespace()).collect(),
        ))
    });
    add(t, "repeat", &[Int, Str], |_, a| {
        let n = i(&a[0]);
        if n < 0 {
            return Err(panic_err("strings: negative Repeat count"));
        }
        limits::check_string(n as u128 * s(&a[1]).len() as u128)?;
        Ok(Value::Str(s(&a[1]).repeat(n as usize)))
    });
    add(t, "substr", &[Int, Int, Str], |_, a| {
        let (start, end, v) = (i(&a[0]), i(&a[1]), s(&a[2]).as_bytes());
        let len = v.len() as i64;
        let range = if start < 0 {
            0..end
        } else if end < 0 || end > len {
            start..len
        } else {
            start..end
        };
        if range.start < 0 || range.end > len || range.start > range.end {
            return Err(panic_err(format!(
                "runtime error: slice bounds out of range [{}:{}]",
                range.start, range.end
            )));
        }
        Ok(Value::Str(
            String::from_utf8_lossy(&v[range.start as usize..range.end as usize]).into_owned(),
        ))
    });
    add(t, "join", &[Str, Any], |_, a| {
        let parts = strslice(&a[1]);
        let sep = s(&a[0]).len() as u128;
        limits::check_string(parts.iter().map(|p| p.len() as u128 + sep).sum())?;
        Ok(Value::Str(parts.join(s(&a[0]))))
    });
    add(t, "split", &[Str, Str], |_, a| {
        check_pieces(s(&a[1]), s(&a[0]))?;
        let m: BTreeMap<String, Value> = s(&a[1])
            .split(s(&a[0]))
            .enumerate()
            .map(|(n, p)| (format!("_{n}"), Value::str(p)))
            .collect();
        Ok(Value::map(m))
    });
    add(t, "splitList", &[Str, Str], |_, a| {
        check_pieces(s(&a[1]), s(&a[0]))?;
        Ok(Value::StrList(Rc::new(go_split(s(&a[1]), s(&a[0])))))
    });
    add(t, "toString", &[Any], |_, a| Ok(Value::Str(strval(&a[0]))));
    add(t, "toStrings", &[Any], |_, a| {
        Ok(Value::StrList(Rc::new(strslice(&a[0]))))
    });
    add(t, "sha256sum", &[Str], |_, a| {
        use sha2::Digest;
        Ok(Value::Str(hex::encode(sha2::Sha256::digest(
            s(&a[0]).as_bytes(),
        ))))
    });
    add(t, "b64enc", &[Str], |_, a| {
        Ok(Value::Str(
            base64::engine::general_purpose::STANDARD.encode(s(&a[0])),
        ))
    });
    add(t, "b64dec", &[Str], |_, a| {
        Ok(Value::Str(
            match base64::engine::general_purpose::STANDARD.decode(s(&a[0])) {
                Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                Err(e) => e.to_string(),
            },
        ))
    });
    add(t, "regexMatch", &[Str, Str], |_, a| {
        Ok(Value::Bool(
            regex::Regex::new(s(&a[0])).is_ok_and(|r| r.is_match(s(&a[1]))),
        ))
    });
    add(t, "regexReplaceAll", &[Str, Str, Str], |_, a| {
        let r = regex::Regex::new(s(&a[0]))
            .map_err(|e| panic_err(format!("regexp: Compile({}): {e}", gofmt::quote(s(&a[0])))))?;
        let (v, repl) = (s(&a[1]), s(&a[2]));
        if !repl.is_empty() {
            // `$1` expansions can make each replacement as long as the input.
            let per = repl.len() as u128
                + if repl.contains('$') {
                    v.len() as u128
                } else {
                    0
                };
            limits::check_string(v.len() as u128 + r.find_iter(v).count() as u128 * per)?;
        }
        Ok(Value::Str(r.replace_all(v, repl).into_owned()))
    });
    add(t, "semverCompare", &[Str, Str], |_, a| {
        super::super::semver::compare(s(&a[0]), s(&a[1]))
            .map(Value::Bool)
            .map_err(GoError::plain)
    });
    add(t, "semver", &[Str], |_, a| {
        super::super::semver::SemVer::parse(s(&a[0]))
            .map(|v| Value::Object(Rc::new(v)))
            .map_err(GoError::plain)
    });
    // Type inspection.
    add(t, "typeOf", &[Any], |_, a| Ok(Value::Str(a[0].type_name())));
    add(t, "kindOf", &[Any], |_, a| {
        Ok(Value::Str(kind_of(&a[0]).into()))
    });
    add(t, "kindIs", &[Str, Any], |_, a| {
        Ok(Value::Bool(kind_of(&a[1]) == s(&a[0])))
    });
    add(t, "typeIs", &[Str, Any], |_, a| {
        Ok(Value::Bool(a[1].type_name() == s(&a[0])))
    });
    // Lists.
    add_var(t, "list", &[], Any, |_, a| Ok(Value::list(a)));
    add(t, "append", &[Any, Any], |_, a| {
        push(&a[0], a[1].clone(), "push")
    });
    add(t, "push", &[Any, Any], |_, a| {
        push(&a[0], a[1].clone(), "push")
    });
    add(t, "first", &[Any], |_, a| {
        let l = items(&a[0], "first")?;
        Ok(l.first().cloned().unwrap_or(Value::Nil))
    });
    add(t, "last", &[Any], |_, a| {
        let l = items(&a[0], "last")?;
        Ok(l.last().cloned().unwrap_or(Value::Nil))
    });
    add(t, "rest", &[Any], |_, a| {
        let l = items(&a[0], "rest")?;
        Ok(if l.is_empty() {
            Value::Nil
        } else {
            Value::list(l[1..].to_vec())
        })
    });
    add(t, "initial", &[Any], |_, a| {
        let l = items(&a[0], "initial")?;
        Ok(if l.is_empty() {
            Value::Nil
        } else {
            Value::list(l[..l.len() - 1].to_vec())
        })
    });
    add(t, "has", &[Any, Any], |_, a| {
        if a[1].is_nil() {
            return Ok(Value::Bool(false));
        }
        let l = items(&a[1], "has")?;
        Ok(Value::Bool(l.iter().any(|x| deep_equal(x, &a[0]))))
    });
    add(t, "uniq", &[Any], |_, a| {
        let mut out: Vec<Value> = Vec::new();
        for x in items(&a[0], "uniq")? {
            if !out.iter().any(|y| deep_equal(y, &x)) {
                out.push(x);
            }
        }
        Ok(Value::list(out))
    });
    add(t, "compact", &[Any], |_, a| {
        Ok(Value::list(
            items(&a[0], "compact")?
                .into_iter()
                .filter(|x| !empty(x))
                .collect(),
        ))
    });
    add_var(t, "without", &[Any], Any, |_, a| {
        let l = items(&a[0], "without")?;
        Ok(Value::list(
            l.into_iter()
                .filter(|x| !a[1..].iter().any(|y| deep_equal(x, y)))
                .collect(),
        ))
    });
    add(t, "sortAlpha", &[Any], |_, a| {
        let mut v = strslice(&a[0]);
        v.sort();
        Ok(Value::StrList(Rc::new(v)))
    });
    add_var(t, "slice", &[Any], Any, |_, a| {
        let Some(l) = a[0].list_items() else {
            return Err(GoError::plain(format!(
                "list should be type of slice or array but {}",
                kind_of(&a[0])
            )));
        };
        if l.is_empty() {
            return Ok(Value::Nil);
        }
        let start = a.get(1).map(to_int64).unwrap_or(0);
        let end = a.get(2).map(to_int64).unwrap_or(l.len() as i64);
        if start < 0 || end < start || end as usize > l.len() {
            return Err(panic_err("reflect: slice index out of range"));
        }
        let part = l[start as usize..end as usize].to_vec();
        Ok(match &a[0] {
            Value::StrList(_) => {
                Value::StrList(Rc::new(part.iter().map(|v| s(v).to_string()).collect()))
            }
            _ => Value::list(part),
        })
    });
    add(t, "until", &[Int], |_, a| {
        let n = i(&a[0]);
        limits::check_list(u128::from(n.unsigned_abs()))?;
        let r: Vec<Value> = if n >= 0 {
            (0..n).map(Value::Int).collect()
        } else {
            (n + 1..=0).rev().map(Value::Int).collect()
        };
        Ok(Value::list(r))
    });
    // Dicts.
    add_var(t, "dict", &[], Any, |_, a| {
        let mut m = BTreeMap::new();
        let mut it = a.chunks(2);
        for pair in it.by_ref() {
            let k = strval(&pair[0]);
            m.insert(k, pair.get(1).cloned().unwrap_or(Value::str("")));
        }
        Ok(Value::map(m))
    });
    add(t, "set", &[Map, Str, Any], |_, a| {
        if let Value::Map(m) = &a[0] {
            m.borrow_mut().insert(s(&a[1]).to_string(), a[2].clone());
        }
        Ok(a[0].clone())
    });
    add(t, "unset", &[Map, Str], |_, a| {
        if let Value::Map(m) = &a[0] {
            m.borrow_mut().remove(s(&a[1]));
        }
        Ok(a[0].clone())
    });
    add(t, "hasKey", &[Map, Str], |_, a| {
        Ok(Value::Bool(match &a[0] {
            Value::Map(m) => m.borrow().contains_key(s(&a[1])),
            _ => false,
        }))
    });
    add(t, "get", &[Map, Str], |_, a| {
        Ok(match &a[0] {
            Value::Map(m) => m.borrow().get(s(&a[1])).cloned().unwrap_or(Value::str("")),
            _ => Value::str(""),
        })
    });
    add_var(t, "keys", &[], Map, |_, a| {
        let mut out = Vec::new();
        for d in &a {
            if let Value::Map(m) = d {
                out.extend(m.borrow().keys().cloned());
            }
        }
        Ok(Value::StrList(Rc::new(out)))
    });
    add_var(t, "pluck", &[Str], Map, |_, a| {
        let key = s(&a[0]);
        let mut out = Vec::new();
        for d in &a[1..] {
            if let Value::Map(m) = d
                && let Some(v) = m.borrow().get(key)
            {
                out.push(v.clone());
            }
        }
        Ok(Value::list(out))
    });
    add_var(t, "merge", &[Map], Map, |_, a| {
        for src in &a[1..] {
            merge_into(&a[0], src, false);
        }
        Ok(a[0].clone())
    });
    add_var(t, "mergeOverwrite", &[Map], Map, |_, a| {
        for src in &a[1..] {
            merge_into(&a[0], src, true);
        }
        Ok(a[0].clone())
    });
    add(t, "deepCopy", &[Any], |_, a| Ok(a[0].deep_copy()));
    // Conversions and arithmetic.
    add(t, "int", &[Any], |_, a| Ok(Value::Int(to_int64(&a[0]))));
    add(t, "int64", &[Any], |_, a| Ok(Value::Int64(to_int64(&a[0]))));
    add(t, "float64", &[Any], |_, a| {
        Ok(Value::Float(to_float64(&a[0])))
    });
    add(t, "atoi", &[Str], |_, a| {
        Ok(Value::Int(s(&a[0]).parse::<i64>().unwrap_or(0)))
    });
    add_var(t, "add", &[], Any, |_, a| {
        Ok(Value::Int64(
            a.iter().map(to_int64).fold(0i64, i64::wrapping_add),
        ))
    });
    add(t, "add1", &[Any], |_, a| {
        Ok(Value::Int64(to_int64(&a[0]).wrapping_add(1)))
    });
    add(t, "sub", &[Any, Any], |_, a| {
        Ok(Value::Int64(to_int64(&a[0]).wrapping_sub(to_int64(&a[1]))))
    });
    add_var(t, "mul", &[Any], Any, |_, a| {
        Ok(Value::Int64(
            a.iter().map(to_int64).fold(1i64, i64::wrapping_mul),
        ))
    });
    add(t, "div", &[Any, Any], |_, a| {
        let d = to_int64(&a[1]);
        if d == 0 {
            return Err(panic_err("runtime error: integer divide by zero"));
        }
        Ok(Value::Int64(to_int64(&a[0]).wrapping_div(d)))
    });
    add(t, "mod", &[Any, Any], |_, a| {
        let d = to_int64(&a[1]);
        if d == 0 {
            return Err(panic_err("runtime error: integer divide by zero"));
        }
        Ok(Value::Int64(to_int64(&a[0]).wrapping_rem(d)))
    });
    add_var(t, "max", &[Any], Any, |_, a| {
        Ok(Value::Int64(a.iter().map(to_int64).max().unwrap_or(0)))
    });
    add_var(t, "min", &[Any], Any, |_, a| {
        Ok(Value::Int64(a.iter().map(to_int64).min().unwrap_or(0)))
    });
}

/// Sprig's `empty`.
pub(crate) fn empty(v: &Value) -> bool {
    !v.truth()
}

/// Sprig's `strval`: strings as they are, everything else through `%v`.
pub(crate) fn strval(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => gofmt::format_v(other),
    }
}

/// Sprig's `strslice`.
fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::StrList(l) => l.as_ref().clone(),
        Value::List(l) => l.iter().filter(|x| !x.is_nil()).map(strval).collect(),
        Value::Invalid | Value::Nil => Vec::new(),
        other => vec![strval(other)],
    }
}

/// Go's `strings.Split` (an empty separator splits into UTF-8 characters).
fn go_split(s: &str, sep: &str) -> Vec<String> {
    if sep.is_empty() {
        return s.chars().map(String::from).collect();
    }
    s.split(sep).map(String::from).collect()
}

/// Refuses splitting `v` by `sep` into more pieces than a list may hold
/// (an empty separator splits between every character).
fn check_pieces(v: &str, sep: &str) -> Result<(), GoError> {
    let pieces = if sep.is_empty() {
        v.chars().count()
    } else {
        v.matches(sep).count() + 1
    };
    limits::check_list(pieces as u128)
}

fn indent(n: i64, v: &str) -> Result<String, GoError> {
    let width = n.max(0) as u128;
    let lines = v.bytes().filter(|b| *b == b'\n').count() as u128 + 1;
    limits::check_string(v.len() as u128 + lines * width)?;
    let pad = " ".repeat(n.max(0) as usize);
    Ok(format!("{pad}{}", v.replace('\n', &format!("\n{pad}"))))
}

/// Go's deprecated `strings.Title`: upper-cases letters that start words.
fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_sep = true;
    for c in s.chars() {
        if prev_sep {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev_sep = if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else {
            !(c.is_alphanumeric()) && c.is_whitespace()
        };
    }
    out
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Invalid | Value::Nil => "invalid",
        other => other.kind_name(),
    }
}

fn items(v: &Value, f: &str) -> Result<Vec<Value>, GoError> {
    match v {
        Value::Invalid | Value::Nil => Ok(Vec::new()),
        other => other
            .list_items()
            .ok_or_else(|| panic_err(format!("Cannot find {f} on type {}", other.kind_name()))),
    }
}

fn push(list: &Value, v: Value, f: &str) -> Result<Value, GoError> {
    match list.list_items() {
        Some(mut l) => {
            l.push(v);
            Ok(Value::list(l))
        }
        None => Err(panic_err(format!(
            "Cannot {f} on type {}",
            list.kind_name()
        ))),
    }
}

/// Go's `reflect.DeepEqual` on runtime values.
pub(crate) fn deep_equal(a: &Value, b: &Value) -> bool {
    let Some(_level) = crate::engine::gotemplate::limits::enter() else {
        return false;
    };
    match (a, b) {
        (Value::Int(x), Value::Int(y)) | (Value::Int64(x), Value::Int64(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Invalid | Value::Nil, Value::Invalid | Value::Nil) => true,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| deep_equal(p, q))
        }
        (Value::StrList(x), Value::StrList(y)) => x == y,
        (Value::Map(x), Value::Map(y)) => {
            let (x, y) = (x.borrow(), y.borrow());
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| deep_equal(v, w)))
        }
        _ => false,
    }
}

/// mergo's map merge: `dst` keeps its non-empty values unless `overwrite`;
/// nested maps merge recursively.
fn merge_into(dst: &Value, src: &Value, overwrite: bool) {
    let (Value::Map(d), Value::Map(sm)) = (dst, src) else {
        return;
    };
    if Rc::ptr_eq(d, sm) {
        return;
    }
    let Some(_level) = crate::engine::gotemplate::limits::enter() else {
        return;
    };
    let src_entries: Vec<(String, Value)> = sm
        .borrow()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, sv) in src_entries {
        if sv.is_nil() {
            if overwrite {
                d.borrow_mut().insert(k, Value::Nil);
            }
            continue;
        }
        let dv = d.borrow().get(&k).cloned();
        if let (Value::Map(_), Some(dm @ Value::Map(_))) = (&sv, &dv) {
            merge_into(dm, &sv, overwrite);
            continue;
        }
        let dst_empty = dv.as_ref().is_none_or(empty);
        if !dst_empty && matches!(sv, Value::List(_) | Value::StrList(_)) && !overwrite {
            continue;
        }
        if overwrite || dst_empty {
            d.borrow_mut().insert(k, sv);
        }
    }
}

/// spf13/cast's `ToInt64` (strings parsed with base prefixes, failures 0).
pub(crate) fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Float(f) => {
            if f.is_finite() {
                f.trunc() as i64
            } else {
                i64::MIN
            }
        }
        Value::Bool(b) => i64::from(*b),
        Value::Str(s) => {
            let t = trim_zero_decimal(s);
            parse_go_int(&t).unwrap_or(0)
        }
        _ => 0,
    }
}

/// cast's `trimZeroDecimal`: `"10.00"` → `"10"`.
fn trim_zero_decimal(s: &str) -> String {
    if let Some((int, frac)) = s.split_once('.')
        && !frac.is_empty()
        && frac.chars().all(|c| c == '0')
        && !int.is_empty()
    {
        return int.to_string();
    }
    s.to_string()
}

/// spf13/cast's `ToFloat64`.
pub(crate) fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Str(s) => s.parse::<f64>().unwrap_or(0.0),
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pairs: &[(&str, Value)]) -> Value {
        Value::map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn merge_keeps_non_empty_destination_values() {
        let dst = m(&[
            ("a", Value::Int(1)),
            ("b", Value::str("")),
            ("n", m(&[("x", Value::Int(1))])),
        ]);
        let src = m(&[
            ("a", Value::Int(2)),
            ("b", Value::str("s")),
            ("c", Value::Bool(true)),
            ("n", m(&[("x", Value::Int(2)), ("y", Value::Int(3))])),
        ]);
        merge_into(&dst, &src, false);
        assert_eq!(gofmt::format_v(&dst), "map[a:1 b:s c:true n:map[x:1 y:3]]");
        merge_into(&dst, &src, true);
        assert_eq!(gofmt::format_v(&dst), "map[a:2 b:s c:true n:map[x:2 y:3]]");
    }

    #[test]
    fn cast_conversions() {
        assert_eq!(to_int64(&Value::str("0x10")), 16);
        assert_eq!(to_int64(&Value::str("08")), 0);
        assert_eq!(to_int64(&Value::str("12.0")), 12);
        assert_eq!(to_int64(&Value::Float(3.9)), 3);
        assert_eq!(to_float64(&Value::str("1.5")), 1.5);
    }

    #[test]
    fn string_helpers() {
        assert_eq!(indent(2, "a\nb").unwrap(), "  a\n  b");
        assert_eq!(title("hello wORLD-x"), "Hello WORLD-X");
        assert_eq!(
            strslice(&Value::list(vec![
                Value::Int(1),
                Value::Nil,
                Value::str("a")
            ])),
            ["1", "a"]
        );
    }
}
