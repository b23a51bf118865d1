//! The reading half of `encoding/json`, into Helm's value typing.

use super::JsonError;
use crate::values::{Map, Value};

/// Parses one JSON document like Go's `json.Unmarshal` into `interface{}`:
/// numbers become [`Value::Float`], duplicate keys keep the last value,
/// invalid surrogate escapes become U+FFFD. Errors are worded like Go's.
pub fn parse(text: &str) -> Result<Value, JsonError> {
    let mut p = Parser::new(text);
    let v = p.first_value()?;
    p.skip_ws();
    if p.pos < p.s.len() {
        return Err(p.invalid(AFTER_TOP_LEVEL));
    }
    p.finish(v)
}

/// Decodes the first JSON value in `text` as one `json.Decoder.Decode` call
/// does (Helm's `--set-json key=VALUE,...` reads values this way): leading
/// whitespace is skipped and whatever follows the value is left unread.
/// Returns the value and the byte offset just past it (`InputOffset`).
pub fn parse_prefix(text: &str) -> Result<(Value, usize), JsonError> {
    let mut p = Parser::new(text);
    let v = p.first_value()?;
    let end = p.pos;
    Ok((p.finish(v)?, end))
}

/// Go's message for the first syntax error in `input` as a `json.Decoder`
/// reading one value words it, followed by santhosh-tekuri/jsonschema's own
/// check for trailing data (Helm reports a malformed values.schema.json this
/// way), or `None` when the document is well formed. Out-of-range numbers
/// are not syntax errors. Invalid UTF-8 reads as U+FFFD, as in Go.
pub(crate) fn decoder_syntax_error(input: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(input);
    let Err(JsonError::Syntax { message, .. }) = parse(&text) else {
        return None;
    };
    // Where `Unmarshal` sees the whole input end early, a `Decoder` reports
    // a bare `EOF` for an empty stream and `unexpected EOF` mid-value.
    Some(if message == UNEXPECTED_END {
        if text.trim_matches([' ', '\t', '\n', '\r']).is_empty() {
            "EOF".to_string()
        } else {
            "unexpected EOF".to_string()
        }
    } else if message.ends_with(AFTER_TOP_LEVEL) {
        format!("invalid character {AFTER_TOP_LEVEL}")
    } else {
        message
    })
}

/// `json.Unmarshal`'s message for input that ends inside a value.
const UNEXPECTED_END: &str = "unexpected end of JSON input";
/// The context of an error in data that follows the document.
const AFTER_TOP_LEVEL: &str = "after top-level value";

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    range_error: Option<String>,
    depth: usize,
}

/// Go's decoder gives up beyond this nesting depth.
const MAX_DEPTH: usize = 10_000;

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser {
            s: text.as_bytes(),
            pos: 0,
            range_error: None,
            depth: 0,
        }
    }

    /// The value at the start of the input, after any whitespace.
    fn first_value(&mut self) -> Result<Value, JsonError> {
        self.skip_ws();
        self.value()
    }

    /// Go checks the syntax of everything it reads before decoding, so a
    /// syntax error anywhere wins over an out-of-range number.
    fn finish(self, v: Value) -> Result<Value, JsonError> {
        match self.range_error {
            Some(n) => Err(JsonError::NumberRange(n)),
            None => Ok(v),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn current_char(&self) -> char {
        std::str::from_utf8(&self.s[self.pos..])
            .ok()
            .and_then(|t| t.chars().next())
            .or_else(|| {
                // Not at a char boundary (cannot happen for &str input), fall back to the byte.
                self.s.get(self.pos).map(|b| *b as char)
            })
            .unwrap_or('\0')
    }

    fn eof(&self) -> JsonError {
        JsonError::Syntax {
            message: UNEXPECTED_END.to_string(),
            offset: self.pos,
        }
    }

    fn invalid(&self, context: &str) -> JsonError {
        if self.pos >= self.s.len() {
            return self.eof();
        }
        JsonError::Syntax {
            message: format!(
                "invalid character {} {}",
                crate::strconv::quote_rune(self.current_char()),
                context
            ),
            offset: self.pos,
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn value(&mut self) -> Result<Value, JsonError> {
        stacker::maybe_grow(64 * 1024, 2 * 1024 * 1024, || self.value_inner())
    }

    fn nest(&mut self) -> Result<(), JsonError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.invalid("exceeded max depth"));
        }
        Ok(())
    }

    fn value_inner(&mut self) -> Result<Value, JsonError> {
        match self.peek() {
            None => Err(self.eof()),
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.invalid("looking for beginning of value")),
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, JsonError> {
        for (i, expected) in word.bytes().enumerate() {
            match self.peek() {
                Some(b) if b == expected => self.pos += 1,
                None => return Err(self.eof()),
                Some(_) => {
                    return Err(self.invalid(&format!(
                        "in literal {} (expecting {})",
                        word,
                        crate::strconv::quote_rune(word.as_bytes()[i] as char)
                    )));
                }
            }
        }
        Ok(v)
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            None => return Err(self.eof()),
            Some(_) => return Err(self.invalid("in numeric literal")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            match self.peek() {
                Some(b'0'..=b'9') => self.digits(),
                None => return Err(self.eof()),
                Some(_) => return Err(self.invalid("after decimal point in numeric literal")),
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            match self.peek() {
                Some(b'0'..=b'9') => self.digits(),
                None => return Err(self.eof()),
                Some(_) => return Err(self.invalid("in exponent of numeric literal")),
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.pos]).unwrap_or("0");
        let f: f64 = text.parse().unwrap_or(0.0);
        if f.is_infinite() && self.range_error.is_none() {
            self.range_error = Some(text.to_string());
        }
        Ok(Value::Float(f))
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                None => return Err(self.eof()),
                Some(b) => (b as char).to_digit(16),
            };
            match d {
                Some(d) => {
                    v = v * 16 + d;
                    self.pos += 1;
                }
                None => return Err(self.invalid("in \\u hexadecimal character escape")),
            }
        }
        Ok(v)
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(std::str::from_utf8(&self.s[start..self.pos]).unwrap_or(""));
            match self.peek() {
                None => return Err(self.eof()),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let esc = self.peek().ok_or_else(|| self.eof())?;
                    self.pos += 1;
                    match esc {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            out.push(self.surrogate_pair(hi)?);
                        }
                        _ => {
                            self.pos -= 1;
                            return Err(self.invalid("in string escape code"));
                        }
                    }
                }
                Some(_) => return Err(self.invalid("in string literal")),
            }
        }
    }

    /// Combines a `\u` escape with a following low surrogate when there is one.
    fn surrogate_pair(&mut self, hi: u32) -> Result<char, JsonError> {
        if (0xD800..0xDC00).contains(&hi)
            && self.s.get(self.pos) == Some(&b'\\')
            && self.s.get(self.pos + 1) == Some(&b'u')
        {
            let save = self.pos;
            self.pos += 2;
            let lo = self.hex4()?;
            if (0xDC00..0xE000).contains(&lo) {
                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                return Ok(char::from_u32(c).unwrap_or('\u{fffd}'));
            }
            self.pos = save;
        }
        Ok(char::from_u32(hi).unwrap_or('\u{fffd}'))
    }

    fn array(&mut self) -> Result<Value, JsonError> {
        self.nest()?;
        let r = self.array_items();
        self.depth -= 1;
        r
    }

    fn array_items(&mut self) -> Result<Value, JsonError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::List(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value()?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::List(items));
                }
                _ => return Err(self.invalid("after array element")),
            }
        }
    }

    fn object(&mut self) -> Result<Value, JsonError> {
        self.nest()?;
        let r = self.object_members();
        self.depth -= 1;
        r
    }

    fn object_members(&mut self) -> Result<Value, JsonError> {
        self.pos += 1;
        let mut map = Map::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Map(map));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.invalid("looking for beginning of object key string"));
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.invalid("after object key"));
            }
            self.pos += 1;
            self.skip_ws();
            let v = self.value()?;
            map.insert(key, v);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Map(map));
                }
                _ => return Err(self.invalid("after object key:value pair")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_floats_and_last_key_wins() {
        let v = parse(r#"{"a": 1, "a": 2, "b": [1.5, -0, 1E+2], "c": null}"#).unwrap();
        let m = v.as_map().unwrap();
        assert_eq!(m["a"], Value::Float(2.0));
        let Value::List(b) = &m["b"] else {
            panic!("list")
        };
        assert_eq!(b[0], Value::Float(1.5));
        assert!(matches!(b[1], Value::Float(z) if z == 0.0 && z.is_sign_negative()));
        assert_eq!(b[2], Value::Float(100.0));
        assert_eq!(m["c"], Value::Null);
    }

    #[test]
    fn escapes_and_surrogates() {
        let v = parse(r#""\u00e9\ud83d\ude00\ud800x\/""#).unwrap();
        assert_eq!(v, Value::from("é😀\u{fffd}x/"));
    }

    /// Each message was checked against real Helm v4 (helm-render on a chart
    /// whose values.schema.json held the input).
    #[test]
    fn decoder_wording() {
        let syntax_error = decoder_syntax_error;
        assert_eq!(
            syntax_error(b"{not json").as_deref(),
            Some("invalid character 'n' looking for beginning of object key string")
        );
        assert_eq!(syntax_error(br#"{"a": 1}"#), None);
        assert_eq!(
            syntax_error(br#"{"type": "object",}"#).as_deref(),
            Some("invalid character '}' looking for beginning of object key string")
        );
        assert_eq!(
            syntax_error(br#"{"a" 1}"#).as_deref(),
            Some("invalid character '1' after object key")
        );
        assert_eq!(
            syntax_error(br#"{"a": 1 "b": 2}"#).as_deref(),
            Some("invalid character '\"' after object key:value pair")
        );
        assert_eq!(
            syntax_error(b"[1, tru]").as_deref(),
            Some("invalid character ']' in literal true (expecting 'e')")
        );
        assert_eq!(
            syntax_error(br#"{"a": "#).as_deref(),
            Some("unexpected EOF")
        );
        assert_eq!(syntax_error(b"  ").as_deref(), Some("EOF"));
        assert_eq!(
            syntax_error(b"{} x").as_deref(),
            Some("invalid character after top-level value")
        );
        assert_eq!(
            syntax_error(b"[01]").as_deref(),
            Some("invalid character '1' after array element")
        );
    }

    #[test]
    fn prefix_stops_after_one_value() {
        let (v, used) = parse_prefix(r#" {"a": [1]},b=2"#).unwrap();
        assert_eq!(
            v,
            Value::Map(Map::from([(
                "a".into(),
                Value::List(vec![Value::Float(1.0)])
            )]))
        );
        assert_eq!(used, 11);
        // A number ends at the first byte that cannot continue it.
        assert_eq!(parse_prefix("12x").unwrap(), (Value::Float(12.0), 2));
        assert_eq!(parse_prefix("true").unwrap(), (Value::Bool(true), 4));
        assert!(parse_prefix("[1,").is_err());
        assert!(parse_prefix("").is_err());
    }

    #[test]
    fn go_error_messages() {
        // Wording observed from Helm's fromJson (see the golden chart cases).
        let e = parse(r#"{"a": [1, 2}"#).unwrap_err();
        assert!(matches!(e, JsonError::Syntax { ref message, .. }
            if message == "invalid character '}' after array element"));
        let e = parse("").unwrap_err();
        assert!(e.to_string().starts_with("unexpected end of JSON input"));
        assert!(matches!(parse("1e400"), Err(JsonError::NumberRange(_))));
        assert!(parse("[1] x").is_err());
        let deep = "[".repeat(10_001);
        assert!(
            parse(&deep)
                .unwrap_err()
                .to_string()
                .contains("exceeded max depth")
        );
        let ok = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
        assert!(parse(&ok).is_ok());
    }
}
