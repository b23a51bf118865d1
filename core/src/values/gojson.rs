//! The syntax-error messages of Go's `encoding/json` decoder, for reporting
//! a malformed values.schema.json the way Helm does. Parsing itself is left
//! to serde_json; this only finds the first error and words it like Go.

/// Go's message for the first syntax error in `input` as santhosh-tekuri's
/// `UnmarshalJSON` reports it, or `None` when the document is well formed.
pub(crate) fn syntax_error(input: &[u8]) -> Option<String> {
    let mut s = Scanner { b: input, i: 0 };
    s.ws();
    if s.i >= s.b.len() {
        return Some("EOF".into());
    }
    if let Err(e) = s.value() {
        return Some(e);
    }
    s.ws();
    (s.i < s.b.len()).then(|| "invalid character after top-level value".into())
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

type R = Result<(), String>;

/// Go's `quoteChar`: the offending character in single quotes.
fn quote_char(c: char) -> String {
    match c {
        '\'' => "'\\''".into(),
        '"' => "'\"'".into(),
        c => {
            let q = super::strvals::go_quote(&c.to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

impl Scanner<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// The character at the cursor (decoded from UTF-8) for messages.
    fn here(&self) -> char {
        std::str::from_utf8(&self.b[self.i..])
            .ok()
            .and_then(|s| s.chars().next())
            .or_else(|| {
                std::str::from_utf8(&self.b[self.i..self.b.len().min(self.i + 4)])
                    .ok()
                    .and_then(|s| s.chars().next())
            })
            .unwrap_or(char::REPLACEMENT_CHARACTER)
    }

    fn invalid(&self, context: &str) -> String {
        format!("invalid character {} {context}", quote_char(self.here()))
    }

    fn need(&self) -> Result<u8, String> {
        self.peek().ok_or_else(|| "unexpected EOF".to_string())
    }

    fn value(&mut self) -> R {
        self.ws();
        match self.need()? {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' => self.string(),
            b'-' | b'0'..=b'9' => self.number(),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            _ => Err(self.invalid("looking for beginning of value")),
        }
    }

    fn object(&mut self) -> R {
        self.i += 1;
        self.ws();
        if self.need()? == b'}' {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.ws();
            if self.need()? != b'"' {
                return Err(self.invalid("looking for beginning of object key string"));
            }
            self.string()?;
            self.ws();
            if self.need()? != b':' {
                return Err(self.invalid("after object key"));
            }
            self.i += 1;
            self.value()?;
            self.ws();
            match self.need()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(self.invalid("after object key:value pair")),
            }
        }
    }

    fn array(&mut self) -> R {
        self.i += 1;
        self.ws();
        if self.need()? == b']' {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.value()?;
            self.ws();
            match self.need()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err(self.invalid("after array element")),
            }
        }
    }

    fn string(&mut self) -> R {
        self.i += 1;
        loop {
            match self.need()? {
                b'"' => {
                    self.i += 1;
                    return Ok(());
                }
                b'\\' => {
                    self.i += 1;
                    match self.need()? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.i += 1,
                        b'u' => {
                            self.i += 1;
                            for _ in 0..4 {
                                if !self.need()?.is_ascii_hexdigit() {
                                    return Err(self.invalid("in \\u hexadecimal character escape"));
                                }
                                self.i += 1;
                            }
                        }
                        _ => return Err(self.invalid("in string escape code")),
                    }
                }
                c if c < 0x20 => return Err(self.invalid("in string literal")),
                _ => self.i += 1,
            }
        }
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
    }

    fn number(&mut self) -> R {
        if self.peek() == Some(b'-') {
            self.i += 1;
            if !self.need()?.is_ascii_digit() {
                return Err(self.invalid("in numeric literal"));
            }
        }
        if self.peek() == Some(b'0') {
            self.i += 1;
        } else {
            self.digits();
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !self.need()?.is_ascii_digit() {
                return Err(self.invalid("after decimal point in numeric literal"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !self.need()?.is_ascii_digit() {
                return Err(self.invalid("in exponent of numeric literal"));
            }
            self.digits();
        }
        Ok(())
    }

    fn literal(&mut self, word: &str) -> R {
        for expected in word.bytes() {
            if self.need()? != expected {
                return Err(self.invalid(&format!(
                    "in literal {word} (expecting {})",
                    quote_char(expected as char)
                )));
            }
            self.i += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::syntax_error;

    /// Each message was checked against real Helm v4 (helm-render on a chart
    /// whose values.schema.json held the input).
    #[test]
    fn go_wording() {
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
}
