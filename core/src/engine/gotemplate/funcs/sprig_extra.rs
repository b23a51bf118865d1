//! More Sprig functions: list and dict helpers (`dig`, `pick`, `omit`,
//! `concat`, `chunk`...), the `must*` variants, paths, regular expressions,
//! checksums, JSON variants and small string helpers.

use super::sprig::{empty, strval, to_float64, to_int64};
use super::{FuncTable, Param, add, add_var, i, panic_err, s};
use crate::engine::gotemplate::exec::GoError;
use crate::engine::gotemplate::limits;
use crate::engine::gotemplate::value::Value;
use std::collections::BTreeMap;
use std::rc::Rc;

pub(super) fn register(t: &mut FuncTable) {
    use Param::*;
    // Aliases whose Sprig implementation is the same function.
    for (alias, orig) in [
        ("trimall", "trimAll"),
        ("tuple", "list"),
        ("biggest", "max"),
        ("mustAppend", "append"),
        ("mustFirst", "first"),
        ("mustLast", "last"),
        ("mustRest", "rest"),
        ("mustInitial", "initial"),
        ("mustUniq", "uniq"),
        ("mustWithout", "without"),
        ("mustHas", "has"),
        ("mustCompact", "compact"),
        ("mustSlice", "slice"),
        ("mustMerge", "merge"),
        ("mustMergeOverwrite", "mergeOverwrite"),
        ("mustDeepCopy", "deepCopy"),
        ("mustRegexReplaceAll", "regexReplaceAll"),
    ] {
        if let Some(f) = t.get(orig).copied() {
            t.insert(alias, f);
        }
    }
    add(t, "untitle", &[Str], |_, a| {
        let v = s(&a[0]);
        let mut out = String::with_capacity(v.len());
        let mut prev_space = true;
        for c in v.chars() {
            if prev_space {
                out.extend(c.to_lowercase());
            } else {
                out.push(c);
            }
            prev_space = c.is_whitespace();
        }
        Ok(Value::Str(out))
    });
    add(t, "abbrev", &[Int, Str], |_, a| {
        let (w, v) = (i(&a[0]), s(&a[1]));
        if w < 4 || v.len() as i64 <= w {
            return Ok(Value::str(v));
        }
        let cut = String::from_utf8_lossy(&v.as_bytes()[..(w - 3) as usize]).into_owned();
        Ok(Value::Str(format!("{cut}...")))
    });
    add(t, "abbrevboth", &[Int, Int, Str], |_, a| {
        let (left, right, v) = (i(&a[0]), i(&a[1]), s(&a[2]));
        if right < 4 || (left > 0 && right < 7) {
            return Ok(Value::str(v));
        }
        Ok(Value::Str(abbreviate_full(v, left, right)))
    });
    add(t, "wrap", &[Int, Str], |_, a| {
        Ok(Value::Str(wrap_custom(s(&a[1]), i(&a[0]), "", false)))
    });
    add(t, "wrapWith", &[Int, Str, Str], |_, a| {
        // A break before each word, and within words longer than the width.
        let (width, brk, v) = (i(&a[0]).max(1) as u128, s(&a[1]), s(&a[2]));
        let breaks = v.split_whitespace().count() as u128 + v.len() as u128 / width + 1;
        limits::check_string(v.len() as u128 + breaks * brk.len() as u128)?;
        Ok(Value::Str(wrap_custom(s(&a[2]), i(&a[0]), s(&a[1]), true)))
    });
    add(t, "initials", &[Str], |_, a| {
        Ok(Value::Str(
            s(&a[0])
                .split_whitespace()
                .filter_map(|w| w.chars().next())
                .collect(),
        ))
    });
    add(t, "swapcase", &[Str], |_, a| {
        Ok(Value::Str(
            s(&a[0])
                .chars()
                .flat_map(|c| {
                    if c.is_uppercase() {
                        c.to_lowercase().collect::<Vec<_>>()
                    } else {
                        c.to_uppercase().collect::<Vec<_>>()
                    }
                })
                .collect(),
        ))
    });
    add(t, "plural", &[Str, Str, Int], |_, a| {
        Ok(if i(&a[2]) == 1 {
            a[0].clone()
        } else {
            a[1].clone()
        })
    });
    add(t, "sha1sum", &[Str], |_, a| {
        use sha1::Digest;
        Ok(Value::Str(hex::encode(sha1::Sha1::digest(
            s(&a[0]).as_bytes(),
        ))))
    });
    add(t, "b32enc", &[Str], |_, a| {
        Ok(Value::Str(b32_encode(s(&a[0]).as_bytes())))
    });
    add(t, "b32dec", &[Str], |_, a| {
        Ok(Value::Str(match b32_decode(s(&a[0])) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => e,
        }))
    });
    add(t, "camelcase", &[Str], |_, a| {
        Ok(Value::Str(camel_case(s(&a[0]))))
    });
    add(t, "sha512sum", &[Str], |_, a| {
        use sha2::Digest;
        Ok(Value::Str(hex::encode(sha2::Sha512::digest(
            s(&a[0]).as_bytes(),
        ))))
    });
    add(t, "adler32sum", &[Str], |_, a| {
        let (mut x, mut y) = (1u32, 0u32);
        for b in s(&a[0]).bytes() {
            x = (x + u32::from(b)) % 65521;
            y = (y + x) % 65521;
        }
        Ok(Value::Str(((y << 16) | x).to_string()))
    });
    add(t, "splitn", &[Str, Int, Str], |_, a| {
        let n = i(&a[1]);
        let parts: Vec<&str> = if n < 0 {
            s(&a[2]).split(s(&a[0])).collect()
        } else {
            s(&a[2]).splitn(n as usize, s(&a[0])).collect()
        };
        Ok(Value::map(
            parts
                .into_iter()
                .enumerate()
                .map(|(k, p)| (format!("_{k}"), Value::str(p)))
                .collect(),
        ))
    });
    add(t, "untilStep", &[Int, Int, Int], |_, a| {
        Ok(Value::list(
            until_step(i(&a[0]), i(&a[1]), i(&a[2]))?
                .into_iter()
                .map(Value::Int)
                .collect(),
        ))
    });
    add(t, "ceil", &[Any], |_, a| {
        Ok(Value::Float(to_float64(&a[0]).ceil()))
    });
    add(t, "floor", &[Any], |_, a| {
        Ok(Value::Float(to_float64(&a[0]).floor()))
    });
    add_var(t, "all", &[], Any, |_, a| {
        Ok(Value::Bool(a.iter().all(|v| !empty(v))))
    });
    add_var(t, "any", &[], Any, |_, a| {
        Ok(Value::Bool(a.iter().any(|v| !empty(v))))
    });
    add(t, "toRawJson", &[Any], |_, a| {
        Ok(Value::Str(crate::json::to_string_raw(&a[0].to_input())))
    });
    add(t, "mustToRawJson", &[Any], |_, a| {
        crate::json::marshal(&a[0].to_input(), crate::json::Style::RAW)
            .map(Value::Str)
            .map_err(|e| GoError::plain(e.to_string()))
    });
    add(t, "toPrettyJson", &[Any], |_, a| {
        Ok(Value::Str(pretty_json(&a[0]).unwrap_or_default()))
    });
    add(t, "mustToPrettyJson", &[Any], |_, a| {
        pretty_json(&a[0]).map(Value::Str)
    });
    add(t, "mustFromJson", &[Str], |_, a| {
        match crate::json::parse(s(&a[0])) {
            Ok(v) => Ok(Value::from_input(&v)),
            Err(e) => Err(GoError::plain(super::helm::go_json_error(e))),
        }
    });
    add(t, "typeIsLike", &[Str, Any], |_, a| {
        let tn = a[1].type_name();
        let want = s(&a[0]);
        Ok(Value::Bool(tn == want || tn == format!("*{want}")))
    });
    add(t, "deepEqual", &[Any, Any], |_, a| {
        Ok(Value::Bool(super::sprig::deep_equal(&a[0], &a[1])))
    });
    add(t, "getHostByName", &[Str], |h, a| {
        if !h.enable_dns() {
            // Helm replaces the function unless --enable-dns is given.
            return Ok(Value::str(""));
        }
        host_by_name(s(&a[0]))
    });
    // Paths (Go's `path` package).
    add(t, "base", &[Str], |_, a| {
        Ok(Value::Str(path_base(s(&a[0]))))
    });
    add(t, "dir", &[Str], |_, a| Ok(Value::Str(path_dir(s(&a[0])))));
    add(t, "clean", &[Str], |_, a| {
        Ok(Value::Str(path_clean(s(&a[0]))))
    });
    add(t, "ext", &[Str], |_, a| Ok(Value::Str(path_ext(s(&a[0])))));
    add(t, "isAbs", &[Str], |_, a| {
        Ok(Value::Bool(s(&a[0]).starts_with('/')))
    });
    // Dicts.
    add_var(t, "pick", &[Map], Str, |_, a| {
        let Value::Map(m) = &a[0] else {
            return Ok(Value::map(BTreeMap::new()));
        };
        let m = m.borrow();
        Ok(Value::map(
            a[1..]
                .iter()
                .filter_map(|k| m.get(s(k)).map(|v| (s(k).to_string(), v.clone())))
                .collect(),
        ))
    });
    add_var(t, "omit", &[Map], Str, |_, a| {
        let Value::Map(m) = &a[0] else {
            return Ok(Value::map(BTreeMap::new()));
        };
        let drop: Vec<&str> = a[1..].iter().map(s).collect();
        Ok(Value::map(
            m.borrow()
                .iter()
                .filter(|(k, _)| !drop.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ))
    });
    add(t, "values", &[Map], |_, a| {
        Ok(match &a[0] {
            Value::Map(m) => Value::list(m.borrow().values().cloned().collect()),
            _ => Value::list(Vec::new()),
        })
    });
    add_var(t, "dig", &[], Any, |_, a| dig(&a));
    // Lists.
    add(t, "prepend", &[Any, Any], |_, a| {
        let mut l = list_of(&a[0], "prepend")?;
        l.insert(0, a[1].clone());
        Ok(Value::list(l))
    });
    t.insert("mustPrepend", t["prepend"]);
    add(t, "reverse", &[Any], |_, a| {
        let mut l = list_of(&a[0], "reverse")?;
        l.reverse();
        Ok(Value::list(l))
    });
    t.insert("mustReverse", t["reverse"]);
    add_var(t, "concat", &[], Any, |_, a| {
        limits::check_list(a.iter().filter_map(Value::len).map(|n| n as u128).sum())?;
        let mut out = Vec::new();
        for l in &a {
            match l.list_items() {
                Some(items) => out.extend(items),
                None if l.is_nil() => {}
                None => {
                    return Err(panic_err(format!(
                        "Cannot concat type {} as list",
                        l.kind_name()
                    )));
                }
            }
        }
        if out.is_empty() {
            // Sprig appends to a nil slice: nothing appended leaves it nil.
            return Ok(Value::nil_list());
        }
        Ok(Value::list(out))
    });
    add(t, "chunk", &[Int, Any], |_, a| {
        let size = i(&a[0]).max(1) as usize;
        let l = list_of(&a[1], "chunk")?;
        Ok(Value::list(
            l.chunks(size).map(|c| Value::list(c.to_vec())).collect(),
        ))
    });
    t.insert("mustChunk", t["chunk"]);
    add_var(t, "seq", &[], Int, |_, a| Ok(Value::Str(seq(&a)?)));
    // Regular expressions.
    add(t, "regexFind", &[Str, Str], |_, a| {
        let r = compile(s(&a[0]))?;
        Ok(Value::Str(
            r.find(s(&a[1]))
                .map(|m| m.as_str().to_string())
                .unwrap_or_default(),
        ))
    });
    add(t, "regexFindAll", &[Str, Str, Int], |_, a| {
        let n = i(&a[2]);
        let found: Vec<String> = compile(s(&a[0]))?
            .find_iter(s(&a[1]))
            .take(if n < 0 { usize::MAX } else { n as usize })
            .map(|m| m.as_str().to_string())
            .collect();
        if found.is_empty() {
            // Go's FindAllString returns nil without a match.
            return Ok(Value::nil_strings());
        }
        Ok(Value::StrList(Rc::new(found)))
    });
    add(t, "regexReplaceAllLiteral", &[Str, Str, Str], |_, a| {
        let r = compile(s(&a[0]))?;
        Ok(Value::Str(
            r.replace_all(s(&a[1]), regex::NoExpand(s(&a[2])))
                .into_owned(),
        ))
    });
    t.insert("mustRegexReplaceAllLiteral", t["regexReplaceAllLiteral"]);
    add(t, "regexSplit", &[Str, Str, Int], |_, a| {
        let r = compile(s(&a[0]))?;
        let n = i(&a[2]);
        let parts: Vec<String> = if n == 0 {
            Vec::new()
        } else if n < 0 {
            r.split(s(&a[1])).map(String::from).collect()
        } else {
            r.splitn(s(&a[1]), n as usize).map(String::from).collect()
        };
        Ok(Value::StrList(Rc::new(parts)))
    });
    add(t, "regexQuoteMeta", &[Str], |_, a| {
        let mut out = String::new();
        for c in s(&a[0]).chars() {
            if "\\.+*?()|[]{}^$".contains(c) {
                out.push('\\');
            }
            out.push(c);
        }
        Ok(Value::Str(out))
    });
    // The `must` forms differ only in how a bad pattern fails; both error here.
    for (alias, orig) in [
        ("mustRegexFind", "regexFind"),
        ("mustRegexFindAll", "regexFindAll"),
        ("mustRegexSplit", "regexSplit"),
        ("osBase", "base"),
        ("osClean", "clean"),
        ("osDir", "dir"),
        ("osExt", "ext"),
        ("osIsAbs", "isAbs"),
    ] {
        if let Some(f) = t.get(orig).copied() {
            t.insert(alias, f);
        }
    }
    add(t, "mustRegexMatch", &[Str, Str], |_, a| {
        Ok(Value::Bool(compile(s(&a[0]))?.is_match(s(&a[1]))))
    });
}

fn compile(re: &str) -> Result<regex::Regex, GoError> {
    regex::Regex::new(re).map_err(|e| GoError::plain(format!("error parsing regexp: {e}")))
}

fn pretty_json(v: &Value) -> Result<String, GoError> {
    crate::json::marshal(&v.to_input(), crate::json::Style::PRETTY)
        .map_err(|e| GoError::plain(e.to_string()))
}

fn list_of(v: &Value, f: &str) -> Result<Vec<Value>, GoError> {
    match v {
        Value::Invalid | Value::Nil => Ok(Vec::new()),
        other => other
            .list_items()
            .ok_or_else(|| panic_err(format!("Cannot {f} on type {}", other.kind_name()))),
    }
}

/// Sprig's `dig KEY... DEFAULT DICT`.
fn dig(a: &[Value]) -> Result<Value, GoError> {
    if a.len() < 3 {
        return Err(panic_err("dig needs at least three arguments"));
    }
    let dict = &a[a.len() - 1];
    let default = &a[a.len() - 2];
    let keys = &a[..a.len() - 2];
    let mut cur = dict.clone();
    for (n, k) in keys.iter().enumerate() {
        let Value::Map(m) = &cur else {
            return Err(panic_err(format!(
                "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                cur.type_name()
            )));
        };
        let next = m.borrow().get(&strval(k)).cloned();
        match next {
            None => return Ok(default.clone()),
            Some(v) if n == keys.len() - 1 => return Ok(v),
            Some(v) => cur = v,
        }
    }
    Ok(default.clone())
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// goutils' `AbbreviateFull` (byte offsets, as in Go).
fn abbreviate_full(s: &str, offset: i64, max_width: i64) -> String {
    let b = s.as_bytes();
    let len = b.len() as i64;
    if s.is_empty() || max_width < 4 {
        return String::new();
    }
    if len <= max_width {
        return s.to_string();
    }
    let mut offset = offset.min(len);
    if len - offset < max_width - 3 {
        offset = len - (max_width - 3);
    }
    if offset <= 4 {
        return format!("{}...", lossy(&b[..(max_width - 3) as usize]));
    }
    if max_width < 7 {
        return String::new();
    }
    if offset + max_width - 3 < len {
        let rest = lossy(&b[offset as usize..]);
        return format!("...{}", abbreviate_full(&rest, 0, max_width - 3));
    }
    format!("...{}", lossy(&b[(len - (max_width - 3)) as usize..]))
}

/// goutils' `WrapCustom` (byte offsets, as in Go).
fn wrap_custom(s: &str, width: i64, newline: &str, wrap_long: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let width = width.max(1) as usize;
    let b = s.as_bytes();
    let len = b.len();
    let mut offset = 0usize;
    let mut out: Vec<u8> = Vec::new();
    while len - offset > width {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = width + offset + 1;
        match b[offset..end].iter().rposition(|c| *c == b' ') {
            Some(p) => {
                out.extend_from_slice(&b[offset..offset + p]);
                out.extend_from_slice(newline.as_bytes());
                offset += p + 1;
            }
            None if wrap_long => {
                out.extend_from_slice(&b[offset..offset + width]);
                out.extend_from_slice(newline.as_bytes());
                offset += width;
            }
            None => {
                let end = width + offset;
                match b[end..].iter().position(|c| *c == b' ') {
                    None => {
                        out.extend_from_slice(&b[offset..]);
                        offset = len;
                    }
                    Some(p) => {
                        out.extend_from_slice(&b[offset..end + p]);
                        out.extend_from_slice(newline.as_bytes());
                        offset = end + p + 1;
                    }
                }
            }
        }
    }
    out.extend_from_slice(&b[offset..]);
    lossy(&out)
}

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Go's `base32.StdEncoding.EncodeToString`.
fn b32_encode(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let bits = buf.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let chars = match chunk.len() {
            1 => 2,
            2 => 4,
            3 => 5,
            4 => 7,
            _ => 8,
        };
        for k in 0..8 {
            if k < chars {
                out.push(B32[((bits >> (35 - 5 * k)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Go's `base32.StdEncoding.DecodeString`, with its error wording.
fn b32_decode(text: &str) -> Result<Vec<u8>, String> {
    let bytes: Vec<u8> = text
        .bytes()
        .filter(|b| *b != b'\n' && *b != b'\r')
        .collect();
    if !bytes.len().is_multiple_of(8) {
        let at = bytes.len() - bytes.len() % 8;
        return Err(format!("illegal base32 data at input byte {at}"));
    }
    let mut out = Vec::new();
    for (ci, chunk) in bytes.chunks(8).enumerate() {
        let pad = chunk.iter().rev().take_while(|b| **b == b'=').count();
        let mut bits = 0u64;
        for (k, b) in chunk.iter().enumerate() {
            let v = if k < 8 - pad {
                match B32.iter().position(|c| c == b) {
                    Some(v) => v as u64,
                    None => {
                        return Err(format!("illegal base32 data at input byte {}", ci * 8 + k));
                    }
                }
            } else {
                0
            };
            bits = (bits << 5) | v;
        }
        let n = match pad {
            0 => 5,
            1 => 4,
            3 => 3,
            4 => 2,
            6 => 1,
            _ => return Err(format!("illegal base32 data at input byte {}", ci * 8)),
        };
        for k in 0..n {
            out.push(((bits >> (32 - 8 * k)) & 0xff) as u8);
        }
    }
    Ok(out)
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || c.is_whitespace()
}

/// xstrings' `ToCamelCase`: words split by `-`, `_` or spaces are joined
/// with their first letters upper-cased; leading and doubled connectors stay.
fn camel_case(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    let mut cur = None;
    for c in chars.by_ref() {
        if !is_connector(c) {
            cur = Some(c.to_uppercase().next().unwrap_or(c));
            break;
        }
        out.push(c);
    }
    let Some(mut r0) = cur else {
        return out;
    };
    for c in chars {
        let r1 = r0;
        r0 = c;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            r0 = r0.to_uppercase().next().unwrap_or(r0);
        } else {
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

/// Sprig's `untilStep`.
fn until_step(start: i64, stop: i64, step: i64) -> Result<Vec<i64>, GoError> {
    // Counted in i128 so that a step that would wrap Go's int (where Go
    // loops until it runs out of memory) cannot overflow here.
    let (start, stop, step) = (i128::from(start), i128::from(stop), i128::from(step));
    let count = if (stop < start && step < 0) || (stop >= start && step > 0) {
        let (span, stride) = ((stop - start).unsigned_abs(), step.unsigned_abs());
        span.div_ceil(stride)
    } else {
        0
    };
    limits::check_list(count)?;
    Ok((0..count as i128)
        .map(|k| (start + k * step) as i64)
        .collect())
}

/// Sprig's `seq`: `seq END`, `seq START END`, `seq START STEP END`.
fn seq(a: &[Value]) -> Result<String, GoError> {
    let p: Vec<i64> = a.iter().map(to_int64).collect();
    let nums = match p.as_slice() {
        [end] => {
            let inc = if *end < 1 { -1 } else { 1 };
            until_step(1, end.wrapping_add(inc), inc)?
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            until_step(*start, end.wrapping_add(step), step)?
        }
        [start, step, end] => {
            let mut inc = 1;
            if end < start {
                inc = -1;
                if *step > 0 {
                    return Ok(String::new());
                }
            }
            until_step(*start, end.wrapping_add(inc), *step)?
        }
        _ => return Ok(String::new()),
    };
    Ok(nums
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(" "))
}

/// Go's `path.Clean`.
pub(crate) fn path_clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

fn path_base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

fn path_dir(p: &str) -> String {
    let dir = match p.rfind('/') {
        Some(i) => &p[..=i],
        None => "",
    };
    path_clean(dir)
}

fn path_ext(p: &str) -> String {
    for (i, c) in p.char_indices().rev() {
        if c == '/' {
            break;
        }
        if c == '.' {
            return p[i..].to_string();
        }
    }
    String::new()
}

/// Sprig's `getHostByName`: one of the name's addresses, picked at random.
/// A name that does not resolve makes Sprig index an empty list
/// (`rand.Intn(0)` panics), which Go reports as the call's error.
fn host_by_name(name: &str) -> Result<Value, GoError> {
    use std::net::ToSocketAddrs;
    let mut addresses: Vec<std::net::IpAddr> = Vec::new();
    if let Ok(found) = (name, 0u16).to_socket_addrs() {
        for address in found {
            if !addresses.contains(&address.ip()) {
                addresses.push(address.ip());
            }
        }
    }
    if addresses.is_empty() {
        return Err(GoError::plain("invalid argument to Intn"));
    }
    let mut seed = [0u8; 8];
    getrandom::fill(&mut seed).map_err(|e| GoError::plain(format!("random source: {e}")))?;
    let pick = (u64::from_le_bytes(seed) % addresses.len() as u64) as usize;
    Ok(Value::Str(addresses[pick].to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_go() {
        assert_eq!(path_clean("a/../../b/./c/"), "../b/c");
        assert_eq!(path_clean("/../x"), "/x");
        assert_eq!(path_base("/a/b/"), "b");
        assert_eq!(path_dir("a/b/c.txt"), "a/b");
        assert_eq!(path_dir("c.txt"), ".");
        assert_eq!(path_ext("a/b.tar.gz"), ".gz");
    }

    #[test]
    fn base32_round_trips_like_go() {
        assert_eq!(b32_encode(b"hello"), "NBSWY3DP");
        assert_eq!(b32_encode(b"hi"), "NBUQ====");
        assert_eq!(b32_decode("NBUQ====").unwrap(), b"hi");
        assert_eq!(
            b32_decode("NBU").unwrap_err(),
            "illegal base32 data at input byte 0"
        );
    }

    #[test]
    fn wrap_and_abbreviate_follow_goutils() {
        assert_eq!(
            wrap_custom("hello big world", 5, "", false),
            "hello\nbig\nworld"
        );
        assert_eq!(
            wrap_custom("abcdefghij kl", 4, "|", true),
            "abcd|efgh|ij|kl"
        );
        assert_eq!(abbreviate_full("abcdefghijklmno", 5, 10), "...fghi...");
        assert_eq!(abbreviate_full("abcdefghijklmno", 0, 10), "abcdefg...");
    }

    #[test]
    fn camel_case_follows_xstrings() {
        assert_eq!(camel_case("some_words"), "SomeWords");
        assert_eq!(camel_case("_complex__case_"), "_Complex_Case_");
        assert_eq!(camel_case("some words"), "SomeWords");
        assert_eq!(camel_case("x"), "X");
    }

    #[test]
    fn seq_and_dig() {
        assert_eq!(seq(&[Value::Int(3)]).unwrap(), "1 2 3");
        assert_eq!(seq(&[Value::Int(5), Value::Int(3)]).unwrap(), "5 4 3");
        assert_eq!(
            seq(&[Value::Int(0), Value::Int(2), Value::Int(5)]).unwrap(),
            "0 2 4"
        );
        assert_eq!(seq(&[Value::Int(0)]).unwrap(), "1 0");
        let inner = Value::map([("b".to_string(), Value::Int(1))].into_iter().collect());
        let d = Value::map([("a".to_string(), inner)].into_iter().collect());
        let got = dig(&[
            Value::str("a"),
            Value::str("b"),
            Value::str("dflt"),
            d.clone(),
        ])
        .unwrap();
        assert_eq!(got.as_int(), Some(1));
        let got = dig(&[Value::str("a"), Value::str("x"), Value::str("dflt"), d]).unwrap();
        assert_eq!(got.as_str(), Some("dflt"));
    }
}
