//! The `--set` family of parsers, following Helm's `pkg/strvals` rule for rule.
//!
//! A set line is `name1=value1,name2=value2`. Keys nest with `.`, list items
//! are addressed with `[N]`, `{a,b}` builds a list, and `\` escapes the next
//! character. The flavours differ only in how a value becomes a [`Value`]:
//!
//! - `--set` infers a type ([`typed_value`]): booleans, `null`, `int64`, else string;
//! - `--set-string` keeps every value a string;
//! - `--set-file` hands the value (a path) to a reader and stores what it returns;
//! - `--set-json` decodes each value as one JSON document (numbers become floats);
//! - `--set-literal` takes everything after the first `=` verbatim.
//!
//! Error texts are Helm's, since users and scripts match on them.

use super::value::{Map, Value};
use crate::strconv::quote;

/// The largest list index a set line may address (Helm's `strvals.MaxIndex`).
/// It keeps `a[999999999]=x` from allocating gigabytes.
pub const MAX_INDEX: usize = 65536;

/// The deepest `a.b.c...` nesting a key may have (Helm's `MaxNestedNameLevel`).
pub const MAX_NESTED_NAME_LEVEL: usize = 30;

/// The deepest nesting of keys and list indexes accepted in one entry.
/// Helm has no such limit (Go stacks grow, and `a[0].b[0].c...` escapes
/// its name-level check); this one only guards the stack against absurd input.
pub const MAX_NESTING: usize = 200;

/// A set line that could not be parsed. The message is Helm's wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct StrvalsError {
    /// What went wrong, as Helm words it.
    pub message: String,
}

/// Reads the value of a `--set-file` entry: receives the path, returns the value.
pub type FileReader<'a> = dyn Fn(&str) -> Result<Value, String> + 'a;

/// Parses a `--set` line into a new map.
pub fn parse(s: &str) -> Result<Map, StrvalsError> {
    let mut out = Map::new();
    parse_into(s, &mut out)?;
    Ok(out)
}

/// Parses a `--set` line into `dest`; keys it names overwrite what is there.
pub fn parse_into(s: &str, dest: &mut Map) -> Result<(), StrvalsError> {
    Parser::new(s, Mode::Typed).run(dest)
}

/// Parses a `--set-string` line into a new map.
pub fn parse_string(s: &str) -> Result<Map, StrvalsError> {
    let mut out = Map::new();
    parse_into_string(s, &mut out)?;
    Ok(out)
}

/// Parses a `--set-string` line into `dest`: every value stays a string.
pub fn parse_into_string(s: &str, dest: &mut Map) -> Result<(), StrvalsError> {
    Parser::new(s, Mode::Strings).run(dest)
}

/// Parses a `--set-file` line into `dest`; each value is a path given to `reader`.
pub fn parse_into_file(
    s: &str,
    dest: &mut Map,
    reader: &FileReader<'_>,
) -> Result<(), StrvalsError> {
    Parser::new(s, Mode::File(reader)).run(dest)
}

/// Parses a `--set-json` line (`key=JSON,key2=JSON`) into `dest`. An empty value is `null`.
pub fn parse_json(s: &str, dest: &mut Map) -> Result<(), StrvalsError> {
    Parser::new(s, Mode::Json).run(dest)
}

/// Parses a `--set-literal` line into a new map.
pub fn parse_literal(s: &str) -> Result<Map, StrvalsError> {
    let mut out = Map::new();
    parse_literal_into(s, &mut out)?;
    Ok(out)
}

/// Parses a `--set-literal` line into `dest`: the value is everything after
/// the first `=`, commas and backslashes included.
pub fn parse_literal_into(s: &str, dest: &mut Map) -> Result<(), StrvalsError> {
    Parser::new(s, Mode::Literal).run(dest)
}

/// Helm's `typedVal` for `--set`: `true`/`false`/`null` in any letter case,
/// `int64` when the text is a base-10 integer not starting with `0` (but `0`
/// itself is an integer), otherwise the text as a string.
pub fn typed_value(text: &str) -> Value {
    if text.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if text.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if text.eq_ignore_ascii_case("null") {
        return Value::Null;
    }
    if text == "0" {
        return Value::Int(0);
    }
    if !text.is_empty()
        && !text.starts_with('0')
        && let Ok(i) = text.parse::<i64>()
    {
        return Value::Int(i);
    }
    Value::String(text.to_string())
}

/// How values are turned into [`Value`]s.
enum Mode<'a> {
    Typed,
    Strings,
    File(&'a FileReader<'a>),
    Json,
    Literal,
}

/// An internal parse error. `eof` marks errors that are (or wrap) Go's
/// `io.EOF`: the top-level loop treats those as a clean end of input, which
/// is why `a[0` is accepted silently by Helm.
#[derive(Debug)]
struct PErr {
    message: String,
    eof: bool,
}

impl PErr {
    fn eof() -> Self {
        PErr {
            message: "EOF".into(),
            eof: true,
        }
    }
    fn msg(message: impl Into<String>) -> Self {
        PErr {
            message: message.into(),
            eof: false,
        }
    }
    /// `fmt.Errorf("prefix: %w", err)`: keeps the EOF-ness of the cause.
    fn wrap(self, prefix: &str) -> Self {
        PErr {
            message: format!("{prefix}: {}", self.message),
            eof: self.eof,
        }
    }
}

type PResult<T> = Result<T, PErr>;

/// Go's panic on a failed type assertion, which strvals recovers into an error.
fn conversion_panic(found: Option<&Value>, wanted: &str) -> PErr {
    let found = match found {
        None | Some(Value::Null) => "nil",
        Some(v) => v.type_name(),
    };
    PErr::msg(format!(
        "unable to parse key: interface conversion: interface {{}} is {found}, not {wanted}"
    ))
}

const LIST_TYPE: &str = "[]interface {}";
const MAP_TYPE: &str = "map[string]interface {}";

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    mode: Mode<'a>,
    /// Current recursion depth of key/list parsing.
    depth: usize,
}

impl<'a> Parser<'a> {
    fn new(s: &str, mode: Mode<'a>) -> Self {
        Parser {
            chars: s.chars().collect(),
            pos: 0,
            mode,
            depth: 0,
        }
    }

    fn literal(&self) -> bool {
        matches!(self.mode, Mode::Literal)
    }

    fn run(mut self, data: &mut Map) -> Result<(), StrvalsError> {
        loop {
            match self.key(data, 0) {
                Ok(()) => continue,
                Err(e) if e.eof => return Ok(()),
                Err(e) => return Err(StrvalsError { message: e.message }),
            }
        }
    }

    fn read(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn unread(&mut self) {
        self.pos = self.pos.saturating_sub(1);
    }

    /// Reads up to one of `stop`. Returns the text and the stop character;
    /// `None` as stop means the input ended (Go's `io.EOF`). Backslash escapes
    /// the next character except in literal mode.
    fn until(&mut self, stop: &[char]) -> (String, Option<char>) {
        let mut out = String::new();
        loop {
            match self.read() {
                None => return (out, None),
                Some(c) if stop.contains(&c) => return (out, Some(c)),
                Some('\\') if !self.literal() => match self.read() {
                    None => return (out, None),
                    Some(n) => out.push(n),
                },
                Some(c) => out.push(c),
            }
        }
    }

    fn convert(&self, text: &str) -> PResult<Value> {
        match &self.mode {
            Mode::Typed => Ok(typed_value(text)),
            Mode::Strings | Mode::Literal | Mode::Json => Ok(Value::String(text.to_string())),
            Mode::File(reader) => reader(text).map_err(PErr::msg),
        }
    }

    /// Counts one level of parser recursion, refusing absurd depths.
    fn enter(&mut self) -> PResult<()> {
        if self.depth >= MAX_NESTING {
            return Err(PErr::msg(format!(
                "value nesting is greater than maximum supported nesting of {MAX_NESTING}"
            )));
        }
        self.depth += 1;
        Ok(())
    }

    fn key(&mut self, data: &mut Map, level: usize) -> PResult<()> {
        self.enter()?;
        let res = self.key_inner(data, level);
        self.depth -= 1;
        res
    }

    fn key_inner(&mut self, data: &mut Map, mut level: usize) -> PResult<()> {
        let stop: &[char] = if self.literal() {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        let (k, last) = self.until(stop);
        match last {
            None => {
                if k.is_empty() {
                    Err(PErr::eof())
                } else {
                    Err(PErr::msg(format!("key {} has no value", quote(&k))))
                }
            }
            Some('[') => {
                let i = self
                    .key_index()
                    .map_err(|e| e.wrap("error parsing index"))?;
                let mut list = match data.remove(&k) {
                    None => Vec::new(),
                    Some(Value::List(l)) => l,
                    Some(other) => {
                        let err = conversion_panic(Some(&other), LIST_TYPE);
                        data.insert(k, other);
                        return Err(err);
                    }
                };
                let res = self.list_item(&mut list, i, level);
                set(data, &k, Value::List(list));
                res
            }
            Some('=') => {
                match self.mode {
                    Mode::Json => {
                        let (v, was_empty) = self.json_value()?;
                        set(data, &k, v);
                        if !was_empty {
                            self.empty_val();
                        }
                        Ok(())
                    }
                    Mode::Literal => {
                        let (v, _) = self.until(&[]);
                        set(data, &k, Value::String(v));
                        Ok(())
                    }
                    _ => match self.val_list() {
                        Ok(list) => {
                            set(data, &k, Value::List(list));
                            Ok(())
                        }
                        Err(ListErr::Eof) => {
                            set(data, &k, Value::String(String::new()));
                            Err(PErr::eof())
                        }
                        Err(ListErr::NotList) => {
                            let (text, _) = self.until(&[',']);
                            // Helm stores the value even when the reader fails.
                            match self.convert(&text) {
                                Ok(v) => {
                                    set(data, &k, v);
                                    Ok(())
                                }
                                Err(e) => {
                                    set(data, &k, Value::Null);
                                    Err(e)
                                }
                            }
                        }
                        Err(ListErr::Other(e)) => Err(e),
                    },
                }
            }
            Some(',') => {
                set(data, &k, Value::String(String::new()));
                Err(PErr::msg(format!(
                    "key {} has no value (cannot end with ,)",
                    quote(&k)
                )))
            }
            Some(_) => {
                // '.': descend into (or create) the map under this key.
                level += 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return Err(PErr::msg(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    )));
                }
                let existed = data.contains_key(&k);
                let mut inner = match data.remove(&k) {
                    None => Map::new(),
                    Some(Value::Map(m)) => m,
                    Some(other) => {
                        let err = conversion_panic(Some(&other), MAP_TYPE);
                        data.insert(k, other);
                        return Err(err);
                    }
                };
                let res = self.key(&mut inner, level);
                let empty = inner.is_empty();
                // Go shares the map by reference, so an existing (even
                // empty) map stays in place; a new one is kept only if filled.
                if existed || !empty {
                    set(data, &k, Value::Map(inner));
                }
                if res.is_ok() && empty {
                    return Err(PErr::msg(format!("key map {} has no value", quote(&k))));
                }
                res
            }
        }
    }

    fn key_index(&mut self) -> PResult<i64> {
        let (v, last) = self.until(&[']']);
        if last.is_none() {
            return Err(PErr::eof());
        }
        crate::strconv::atoi(&v).map_err(|e| PErr::msg(e.to_string()))
    }

    fn list_item(&mut self, list: &mut Vec<Value>, i: i64, level: usize) -> PResult<()> {
        self.enter()?;
        let res = self.list_item_inner(list, i, level);
        self.depth -= 1;
        res
    }

    fn list_item_inner(&mut self, list: &mut Vec<Value>, i: i64, level: usize) -> PResult<()> {
        if i < 0 {
            return Err(PErr::msg(format!("negative {i} index not allowed")));
        }
        let (k, last) = self.until(&['[', '.', '=']);
        if !k.is_empty() {
            return Err(PErr::msg(format!(
                "unexpected data at end of array index: {}",
                quote(&k)
            )));
        }
        match last {
            None => Err(PErr::eof()),
            Some('=') => match self.mode {
                Mode::Json => {
                    let (v, was_empty) = self.json_value()?;
                    set_index(list, i, v)?;
                    if !was_empty {
                        self.empty_val();
                    }
                    Ok(())
                }
                Mode::Literal => {
                    let (v, _) = self.until(&[]);
                    set_index(list, i, Value::String(v))
                }
                _ => match self.val_list() {
                    Ok(vl) => set_index(list, i, Value::List(vl)),
                    Err(ListErr::Eof) => set_index(list, i, Value::String(String::new())),
                    Err(ListErr::NotList) => {
                        let (text, _) = self.until(&[',']);
                        let v = self.convert(&text)?;
                        set_index(list, i, v)
                    }
                    Err(ListErr::Other(e)) => Err(e),
                },
            },
            Some('[') => {
                let next = self
                    .key_index()
                    .map_err(|e| e.wrap("error parsing index"))?;
                let idx = i as usize;
                let mut inner = match list.get(idx) {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::List(l)) => l.clone(),
                    Some(other) => return Err(conversion_panic(Some(other), LIST_TYPE)),
                };
                self.list_item(&mut inner, next, level)?;
                set_index(list, i, Value::List(inner))
            }
            Some(_) => {
                // '.': a map inside the list item.
                let idx = i as usize;
                let mut inner = Map::new();
                if idx < list.len() {
                    match std::mem::take(&mut list[idx]) {
                        Value::Map(m) => inner = m,
                        // Indices set out of order leave other values here;
                        // Helm replaces them with an empty map.
                        _ => inner = Map::new(),
                    }
                }
                let res = self.key(&mut inner, level);
                if idx < list.len() {
                    list[idx] = Value::Map(inner.clone());
                }
                res?;
                set_index(list, i, Value::Map(inner))
            }
        }
    }

    /// Skips blanks up to a comma (consumed) or the end: true when no value
    /// follows. Any other character is left for the next read.
    fn empty_val(&mut self) -> bool {
        loop {
            match self.read() {
                None | Some(',') => return true,
                Some(c) if c.is_whitespace() => continue,
                Some(_) => {
                    self.unread();
                    return false;
                }
            }
        }
    }

    /// Decodes one JSON document from the rest of the line, as Go's
    /// `json.Decoder` does, and consumes exactly its characters.
    /// The flag is true when the value was empty (and so `null`).
    fn json_value(&mut self) -> PResult<(Value, bool)> {
        if self.empty_val() {
            return Ok((Value::Null, true));
        }
        let rest: String = self.chars[self.pos..].iter().collect();
        let (v, used) = crate::json::parse_prefix(&rest).map_err(|e| PErr::msg(e.to_string()))?;
        self.pos += rest[..used].chars().count();
        Ok((v, false))
    }

    fn val_list(&mut self) -> Result<Vec<Value>, ListErr> {
        match self.read() {
            None => return Err(ListErr::Eof),
            Some('{') => {}
            Some(_) => {
                self.unread();
                return Err(ListErr::NotList);
            }
        }
        let mut list = Vec::new();
        loop {
            let (text, last) = self.until(&[',', '}']);
            match last {
                None => {
                    return Err(ListErr::Other(PErr::msg("list must terminate with '}'")));
                }
                Some('}') => {
                    if self.read().is_some_and(|c| c != ',') {
                        self.unread();
                    }
                    list.push(self.convert(&text).map_err(ListErr::Other)?);
                    return Ok(list);
                }
                Some(_) => list.push(self.convert(&text).map_err(ListErr::Other)?),
            }
        }
    }
}

enum ListErr {
    Eof,
    NotList,
    Other(PErr),
}

/// Sets a key; Helm silently ignores empty keys (`.a=b`, `=x`).
fn set(data: &mut Map, key: &str, value: Value) {
    if !key.is_empty() {
        data.insert(key.to_string(), value);
    }
}

/// Sets a list item, growing the list with nulls as Go's `make` does.
fn set_index(list: &mut Vec<Value>, index: i64, value: Value) -> PResult<()> {
    if index < 0 {
        return Err(PErr::msg(format!("negative {index} index not allowed")));
    }
    if index as u64 > MAX_INDEX as u64 {
        return Err(PErr::msg(format!(
            "index of {index} is greater than maximum supported index of {MAX_INDEX}"
        )));
    }
    let index = index as usize;
    if list.len() <= index {
        list.resize(index + 1, Value::Null);
    }
    list[index] = value;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v(j: serde_json::Value) -> Value {
        Value::from(j)
    }

    fn set_ok(s: &str) -> Value {
        Value::Map(parse(s).unwrap())
    }

    fn set_err(s: &str) -> String {
        parse(s).unwrap_err().message
    }

    #[test]
    fn typed_values_follow_typedval() {
        assert_eq!(typed_value("TRUE"), Value::Bool(true));
        assert_eq!(typed_value("fAlSe"), Value::Bool(false));
        assert_eq!(typed_value("Null"), Value::Null);
        assert_eq!(typed_value("0"), Value::Int(0));
        assert_eq!(typed_value("-0"), Value::Int(0));
        assert_eq!(typed_value("-12"), Value::Int(-12));
        assert_eq!(typed_value("+7"), Value::Int(7));
        assert_eq!(typed_value("00009"), Value::from("00009"));
        assert_eq!(typed_value("1.5"), Value::from("1.5"));
        assert_eq!(typed_value("1e3"), Value::from("1e3"));
        assert_eq!(
            typed_value("9223372036854775808"),
            Value::from("9223372036854775808")
        );
        assert_eq!(typed_value("yes"), Value::from("yes"));
        assert_eq!(typed_value(""), Value::from(""));
    }

    #[test]
    fn simple_pairs_and_nesting() {
        let got = set_ok("a=b,c=1,d.e.f=true,g=null");
        let mut want = Map::new();
        want.insert("a".into(), "b".into());
        want.insert("c".into(), Value::Int(1));
        want.insert("d".into(), v(json!({"e": {"f": true}})));
        want.insert("g".into(), Value::Null);
        assert_eq!(got, Value::Map(want));
        assert_eq!(
            set_ok("name1=,name2=value2"),
            v(json!({"name1": "", "name2": "value2"}))
        );
        assert_eq!(set_ok("a="), v(json!({"a": ""})));
        assert_eq!(set_ok("a.b="), v(json!({"a": {"b": ""}})));
    }

    #[test]
    fn escapes_keep_separators() {
        assert_eq!(set_ok(r"a=b\,c,d\.e=f"), v(json!({"a": "b,c", "d.e": "f"})));
        assert_eq!(set_ok(r"a\=b=c"), v(json!({"a=b": "c"})));
        assert_eq!(set_ok(r"a=\{x\}"), v(json!({"a": "{x}"})));
        assert_eq!(set_ok(r"a=x\\y"), v(json!({"a": "x\\y"})));
    }

    #[test]
    fn curly_lists() {
        let got = set_ok("a={1,two,true},b=c");
        let want = Value::Map(Map::from([
            (
                "a".to_string(),
                Value::List(vec![Value::Int(1), "two".into(), Value::Bool(true)]),
            ),
            ("b".to_string(), "c".into()),
        ]));
        assert_eq!(got, want);
        assert_eq!(set_ok("a={}"), v(json!({"a": [""]})));
        assert_eq!(set_ok("name=[]"), v(json!({"name": "[]"})));
        assert_eq!(set_err("name1={1021,902"), "list must terminate with '}'");
    }

    #[test]
    fn index_syntax_fills_with_null() {
        assert_eq!(
            set_ok("list[0]=foo,list[3]=bar"),
            v(json!({"list": ["foo", null, null, "bar"]}))
        );
        assert_eq!(
            set_ok("list[0].foo=bar,list[0].hello=world"),
            v(json!({"list": [{"foo": "bar", "hello": "world"}]}))
        );
        assert_eq!(set_ok("a[1].b=c"), v(json!({"a": [null, {"b": "c"}]})));
        assert_eq!(set_ok("a[0][1]=x"), v(json!({"a": [[null, "x"]]})));
        assert_eq!(set_ok("a[1]={x,y}"), v(json!({"a": [null, ["x", "y"]]})));
        // The input ending inside an index is an EOF, which Helm treats as done.
        assert_eq!(set_ok("a[0"), v(json!({})));
        assert_eq!(set_ok("a[0]"), v(json!({"a": []})));
    }

    #[test]
    fn helm_parser_table_cases() {
        assert_eq!(set_ok("noval[0]"), v(json!({"noval": []})));
        assert_eq!(set_ok("noval[0]="), v(json!({"noval": [""]})));
        assert_eq!(
            set_ok("nested[1][1]=1"),
            Value::Map(Map::from([(
                "nested".to_string(),
                Value::List(vec![
                    Value::Null,
                    Value::List(vec![Value::Null, Value::Int(1)])
                ])
            )]))
        );
        assert_eq!(
            set_ok("name1.name2[1].foo=bar,name1.name2[0].foo=bar"),
            v(json!({"name1": {"name2": [{"foo": "bar"}, {"foo": "bar"}]}}))
        );
        assert_eq!(
            set_ok("name1=one two three,name2=three two one"),
            v(json!({"name1": "one two three", "name2": "three two one"}))
        );
        assert_eq!(
            set_ok("list[0]=foo,list[1]=bar,"),
            v(json!({"list": ["foo", "bar"]}))
        );
        assert!(parse("illegal[0]name.foo=bar").is_err());
        assert!(parse("]={}].").is_err());
        assert!(parse("name1.,name2").is_err());
        assert!(parse("name1,name2=value2\\").is_err());
    }

    #[test]
    fn index_errors() {
        assert_eq!(set_err("list[-20]=bar"), "negative -20 index not allowed");
        assert_eq!(
            set_err("list[65537]=bar"),
            "index of 65537 is greater than maximum supported index of 65536"
        );
        assert!(parse("list[65536]=bar").is_ok());
        assert_eq!(
            set_err("a[x]=1"),
            "error parsing index: strconv.Atoi: parsing \"x\": invalid syntax"
        );
        assert_eq!(
            set_err("a[0]x=1"),
            "unexpected data at end of array index: \"x\""
        );
        assert_eq!(
            set_err("a=1,a[0]=2"),
            "unable to parse key: interface conversion: interface {} is int64, not []interface {}"
        );
        assert_eq!(
            set_err("a=x,a.b=2"),
            "unable to parse key: interface conversion: interface {} is string, not map[string]interface {}"
        );
    }

    #[test]
    fn absurd_list_nesting_is_an_error_not_a_crash() {
        let deep = format!("a{}=1", "[0]".repeat(5000));
        assert!(set_err(&deep).starts_with("value nesting is greater"));
        let deep = format!("a{}=1", "[0].b".repeat(5000));
        assert!(set_err(&deep).starts_with("value nesting is greater"));
        let ok = format!("a{}=1", "[0]".repeat(50));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn key_errors() {
        assert_eq!(
            set_err("name1,name2=v"),
            "key \"name1\" has no value (cannot end with ,)"
        );
        assert_eq!(set_err("name1"), "key \"name1\" has no value");
        assert_eq!(set_err("name1.name2"), "key \"name2\" has no value");
        assert_eq!(set_err("name1.=name2"), "key map \"name1\" has no value");
        assert_eq!(
            set_err("a=1,,b=2"),
            "key \"\" has no value (cannot end with ,)"
        );
        let deep = (0..32)
            .map(|i| format!("k{i}"))
            .collect::<Vec<_>>()
            .join(".")
            + "=1";
        assert_eq!(
            set_err(&deep),
            "value name nested level is greater than maximum supported nested level of 30"
        );
    }

    #[test]
    fn later_keys_overwrite_and_merge() {
        let mut dest = parse("a.b=1,a.c=2").unwrap();
        parse_into("a.b=3,x=y", &mut dest).unwrap();
        assert_eq!(dest["a"].get_path("b"), Some(&Value::Int(3)));
        assert_eq!(dest["a"].get_path("c"), Some(&Value::Int(2)));
        assert_eq!(dest["x"], Value::from("y"));
    }

    #[test]
    fn set_string_keeps_text() {
        let got = parse_string("a=true,b=0,c=null,d={1,2}").unwrap();
        assert_eq!(
            Value::Map(got),
            v(json!({"a": "true", "b": "0", "c": "null", "d": ["1", "2"]}))
        );
    }

    #[test]
    fn set_json_values() {
        let mut dest = Map::new();
        parse_json(r#"a={"b":[1,"x",null]},c=2 ,d=,e[1]=true"#, &mut dest).unwrap();
        assert_eq!(
            Value::Map(dest.clone()),
            v(json!({"a": {"b": [1, "x", null]}, "c": 2, "d": null, "e": [null, true]}))
        );
        assert_eq!(dest.get("c"), Some(&Value::Float(2.0)));
        let mut dest = Map::new();
        assert!(parse_json("a={bad", &mut dest).is_err());
    }

    #[test]
    fn set_literal_takes_everything() {
        let got = parse_literal(r"a.b=x,y=z\n{1}").unwrap();
        assert_eq!(Value::Map(got), v(json!({"a": {"b": "x,y=z\\n{1}"}})));
        let got = parse_literal("l[1]=a,b").unwrap();
        assert_eq!(Value::Map(got), v(json!({"l": [null, "a,b"]})));
    }

    #[test]
    fn set_file_reads_through_reader() {
        let reader = |p: &str| -> Result<Value, String> {
            if p == "missing" {
                Err(format!("open {p}: no such file or directory"))
            } else {
                Ok(Value::String(format!("content of {p}")))
            }
        };
        let mut dest = Map::new();
        parse_into_file("a=f1,b.c=f2", &mut dest, &reader).unwrap();
        assert_eq!(
            Value::Map(dest),
            v(json!({"a": "content of f1", "b": {"c": "content of f2"}}))
        );
        let mut dest = Map::new();
        let err = parse_into_file("a=missing", &mut dest, &reader).unwrap_err();
        assert_eq!(err.message, "open missing: no such file or directory");
    }
}
