//! The lexer of Go's text/template: splits a template into text and the
//! tokens inside `{{ }}` actions, applying trim markers (`{{- ` and ` -}}`)
//! and dropping comments, with Go's error messages.

/// Kinds of tokens.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// Plain text between actions (already trimmed by trim markers).
    Text(String),
    /// `{{` (with or without a trim marker).
    LeftDelim,
    /// `}}` (with or without a trim marker).
    RightDelim,
    /// A run of spaces inside an action.
    Space,
    /// `.Name` (the name without the dot).
    Field(String),
    /// `$name` or `$` (with the dollar).
    Variable(String),
    /// A function name.
    Identifier(String),
    /// A keyword: `block break continue define else end if range nil template with`.
    Keyword(&'static str),
    /// `true` or `false`.
    Bool(bool),
    /// An interpreted string literal, with its quotes.
    Str(String),
    /// A raw string literal, with its backquotes.
    RawStr(String),
    /// A character constant, with its quotes.
    Char(String),
    /// A number as written.
    Number(String),
    /// `.` alone.
    Dot,
    /// `|`.
    Pipe,
    /// `(`.
    LeftParen,
    /// `)`.
    RightParen,
    /// `:=`.
    Declare,
    /// `=`.
    Assign,
    /// `,`.
    Comma,
    /// End of input.
    Eof,
}

/// A token and where it starts (byte offset into the template text).
#[derive(Clone, Debug)]
pub struct Token {
    /// What it is.
    pub tok: Tok,
    /// Byte offset of its first character.
    pub pos: usize,
}

/// A lexing error: message and byte offset.
#[derive(Debug)]
pub struct LexError {
    /// Go's wording.
    pub message: String,
    /// Where it was detected.
    pub pos: usize,
}

const KEYWORDS: [&str; 11] = [
    "block", "break", "continue", "define", "else", "end", "if", "range", "nil", "template", "with",
];

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    out: Vec<Token>,
    paren_depth: i32,
}

/// Splits `src` into tokens.
pub fn lex(src: &str) -> Result<Vec<Token>, LexError> {
    let mut l = Lexer {
        src,
        pos: 0,
        out: Vec::new(),
        paren_depth: 0,
    };
    l.run()?;
    Ok(l.out)
}

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn emit(&mut self, tok: Tok, pos: usize) {
        self.out.push(Token { tok, pos });
    }

    fn err<T>(&self, message: String) -> Result<T, LexError> {
        Err(LexError {
            message,
            pos: self.pos,
        })
    }

    fn peek_char(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn run(&mut self) -> Result<(), LexError> {
        loop {
            // Text up to the next left delimiter.
            let start = self.pos;
            match self.rest().find("{{") {
                None => {
                    if self.pos < self.src.len() {
                        let t = self.rest().to_string();
                        self.emit(Tok::Text(t), start);
                    }
                    self.pos = self.src.len();
                    self.emit(Tok::Eof, self.pos);
                    return Ok(());
                }
                Some(i) => {
                    let delim_pos = self.pos + i;
                    let after = &self.src[delim_pos + 2..];
                    let trim = after.starts_with('-')
                        && after.as_bytes().get(1).is_some_and(|c| is_space(*c));
                    let mut text = &self.src[start..delim_pos];
                    if trim {
                        text = text.trim_end_matches([' ', '\t', '\r', '\n']);
                    }
                    if !text.is_empty() {
                        self.emit(Tok::Text(text.to_string()), start);
                    }
                    self.pos = delim_pos + 2;
                    if trim {
                        self.pos += 2;
                    }
                    // Comments must follow the delimiter (and marker) directly.
                    if self.rest().starts_with("/*") {
                        self.lex_comment()?;
                        continue;
                    }
                    self.emit(Tok::LeftDelim, delim_pos);
                    self.paren_depth = 0;
                    self.lex_action()?;
                }
            }
        }
    }

    /// Returns (is right delimiter, has trim marker) at the current position.
    fn at_right_delim(&self) -> (bool, bool) {
        let r = self.rest();
        if r.starts_with("}}") {
            return (true, false);
        }
        let b = r.as_bytes();
        if b.len() >= 4 && is_space(b[0]) && b[1] == b'-' && r[2..].starts_with("}}") {
            return (true, true);
        }
        (false, false)
    }

    fn skip_leading_space(&mut self) {
        while self.pos < self.src.len() && is_space(self.src.as_bytes()[self.pos]) {
            self.pos += 1;
        }
    }

    fn lex_comment(&mut self) -> Result<(), LexError> {
        let Some(i) = self.rest().find("*/") else {
            return self.err("unclosed comment".into());
        };
        self.pos += i + 2;
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.err("comment ends before closing delimiter".into());
        }
        self.pos += if trim { 4 } else { 2 };
        if trim {
            self.skip_leading_space();
        }
        Ok(())
    }

    fn lex_action(&mut self) -> Result<(), LexError> {
        loop {
            let (delim, trim) = self.at_right_delim();
            if delim {
                if self.paren_depth != 0 {
                    return self.err("unclosed left paren".into());
                }
                let p = self.pos;
                self.pos += if trim { 4 } else { 2 };
                self.emit(Tok::RightDelim, if trim { p + 1 } else { p });
                if trim {
                    self.skip_leading_space();
                }
                return Ok(());
            }
            let start = self.pos;
            let Some(c) = self.peek_char() else {
                return self.err("unclosed action".into());
            };
            match c {
                ' ' | '\t' | '\r' | '\n' => {
                    let mut n = 0;
                    while self
                        .src
                        .as_bytes()
                        .get(self.pos)
                        .is_some_and(|c| is_space(*c))
                    {
                        // Stop before a space that starts " -}}".
                        if self.at_right_delim() == (true, true) {
                            break;
                        }
                        self.pos += 1;
                        n += 1;
                    }
                    if n > 0 {
                        self.emit(Tok::Space, start);
                    }
                }
                '=' => {
                    self.pos += 1;
                    self.emit(Tok::Assign, start);
                }
                ':' => {
                    if !self.rest().starts_with(":=") {
                        return self.err("expected :=".into());
                    }
                    self.pos += 2;
                    self.emit(Tok::Declare, start);
                }
                '|' => {
                    self.pos += 1;
                    self.emit(Tok::Pipe, start);
                }
                ',' => {
                    self.pos += 1;
                    self.emit(Tok::Comma, start);
                }
                '(' => {
                    self.pos += 1;
                    self.paren_depth += 1;
                    self.emit(Tok::LeftParen, start);
                }
                ')' => {
                    self.pos += 1;
                    self.paren_depth -= 1;
                    if self.paren_depth < 0 {
                        return self.err("unexpected right paren".into());
                    }
                    self.emit(Tok::RightParen, start);
                }
                '"' => self.lex_quote()?,
                '`' => {
                    let Some(i) = self.rest()[1..].find('`') else {
                        return self.err("unterminated raw quoted string".into());
                    };
                    let s = self.rest()[..i + 2].to_string();
                    self.pos += i + 2;
                    self.emit(Tok::RawStr(s), start);
                }
                '\'' => self.lex_char()?,
                '$' => {
                    self.pos += 1;
                    self.scan_alnum();
                    let name = self.src[start..self.pos].to_string();
                    self.check_terminator()?;
                    self.emit(Tok::Variable(name), start);
                }
                '.' => {
                    let next = self.rest()[1..].chars().next();
                    if next.is_some_and(|c| c.is_ascii_digit()) {
                        self.lex_number()?;
                    } else {
                        self.pos += 1;
                        let s = self.pos;
                        self.scan_alnum();
                        if self.pos == s {
                            self.emit(Tok::Dot, start);
                        } else {
                            let name = self.src[s..self.pos].to_string();
                            self.check_terminator()?;
                            self.emit(Tok::Field(name), start);
                        }
                    }
                }
                '+' | '-' | '0'..='9' => self.lex_number()?,
                c if is_alnum(c) => {
                    self.scan_alnum();
                    let word = &self.src[start..self.pos];
                    self.check_terminator()?;
                    let tok = if let Some(k) = KEYWORDS.iter().find(|k| **k == word) {
                        Tok::Keyword(k)
                    } else if word == "true" || word == "false" {
                        Tok::Bool(word == "true")
                    } else {
                        Tok::Identifier(word.to_string())
                    };
                    self.emit(tok, start);
                }
                c => {
                    return self.err(format!(
                        "unrecognized character in action: {}",
                        go_char_repr(c)
                    ));
                }
            }
        }
    }

    fn scan_alnum(&mut self) {
        while let Some(c) = self.peek_char() {
            if !is_alnum(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    fn check_terminator(&self) -> Result<(), LexError> {
        let Some(c) = self.peek_char() else {
            return Ok(());
        };
        if matches!(
            c,
            ' ' | '\t' | '\r' | '\n' | '.' | ',' | '|' | ':' | ')' | '(' | '='
        ) || self.rest().starts_with("}}")
        {
            return Ok(());
        }
        self.err(format!("bad character {}", go_char_repr(c)))
    }

    fn lex_quote(&mut self) -> Result<(), LexError> {
        let start = self.pos;
        let bytes = self.src.as_bytes();
        let mut i = self.pos + 1;
        loop {
            match bytes.get(i) {
                None | Some(b'\n') => {
                    return self.err("unterminated quoted string".into());
                }
                Some(b'\\') => i += 2,
                Some(b'"') => break,
                Some(_) => i += 1,
            }
        }
        self.pos = i + 1;
        let s = self.src[start..self.pos].to_string();
        self.emit(Tok::Str(s), start);
        Ok(())
    }

    fn lex_char(&mut self) -> Result<(), LexError> {
        let start = self.pos;
        let bytes = self.src.as_bytes();
        let mut i = self.pos + 1;
        loop {
            match bytes.get(i) {
                None | Some(b'\n') => {
                    return self.err("unterminated character constant".into());
                }
                Some(b'\\') => i += 2,
                Some(b'\'') => break,
                Some(_) => i += 1,
            }
        }
        self.pos = i + 1;
        let s = self.src[start..self.pos].to_string();
        self.emit(Tok::Char(s), start);
        Ok(())
    }

    fn lex_number(&mut self) -> Result<(), LexError> {
        let start = self.pos;
        let b = self.src.as_bytes();
        let mut i = self.pos;
        if matches!(b.get(i), Some(b'+') | Some(b'-')) {
            i += 1;
        }
        let mut digits: &[u8] = b"0123456789_";
        let mut exp: &[u8] = b"eE";
        if b.get(i) == Some(&b'0') {
            match b.get(i + 1) {
                Some(b'x') | Some(b'X') => {
                    i += 2;
                    digits = b"0123456789abcdefABCDEF_";
                    exp = b"pP";
                }
                Some(b'o') | Some(b'O') => {
                    i += 2;
                    digits = b"01234567_";
                }
                Some(b'b') | Some(b'B') => {
                    i += 2;
                    digits = b"01_";
                }
                _ => {}
            }
        }
        while b.get(i).is_some_and(|c| digits.contains(c)) {
            i += 1;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            while b.get(i).is_some_and(|c| digits.contains(c)) {
                i += 1;
            }
        }
        if b.get(i).is_some_and(|c| exp.contains(c)) {
            i += 1;
            if matches!(b.get(i), Some(b'+') | Some(b'-')) {
                i += 1;
            }
            while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
                i += 1;
            }
        }
        if b.get(i) == Some(&b'i') {
            i += 1;
        }
        self.pos = i;
        if self.peek_char().is_some_and(is_alnum) {
            self.pos += self.peek_char().map_or(0, char::len_utf8);
            return self.err(format!(
                "bad number syntax: {}",
                super::fmt::quote(&self.src[start..self.pos])
            ));
        }
        let s = self.src[start..self.pos].to_string();
        self.emit(Tok::Number(s), start);
        Ok(())
    }
}

/// Go's `%#U` rendering of a rune, used in lexer errors.
fn go_char_repr(c: char) -> String {
    format!("U+{:04X} '{}'", c as u32, c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        lex(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn trim_markers_eat_whitespace() {
        assert_eq!(
            toks("a  \n{{- .x -}}\n  b"),
            vec![
                Tok::Text("a".into()),
                Tok::LeftDelim,
                Tok::Field("x".into()),
                Tok::RightDelim,
                Tok::Text("b".into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn dash_without_space_is_a_number() {
        assert_eq!(
            toks("{{-3}}"),
            vec![
                Tok::LeftDelim,
                Tok::Number("-3".into()),
                Tok::RightDelim,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn comments_vanish_and_must_close_at_delimiter() {
        assert_eq!(
            toks("a {{- /* c */ -}} b"),
            vec![Tok::Text("a".into()), Tok::Text("b".into()), Tok::Eof]
        );
        assert_eq!(
            lex("{{/* c */ x}}").unwrap_err().message,
            "comment ends before closing delimiter"
        );
        assert_eq!(lex("{{/* c").unwrap_err().message, "unclosed comment");
    }

    #[test]
    fn field_chains_and_variables() {
        assert_eq!(
            toks("{{$x.a.b}}"),
            vec![
                Tok::LeftDelim,
                Tok::Variable("$x".into()),
                Tok::Field("a".into()),
                Tok::Field("b".into()),
                Tok::RightDelim,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn numbers_in_go_syntaxes() {
        for n in ["0x1F", "1_000", "1.5e3", "0o17", "0b101", ".5", "-7"] {
            assert_eq!(
                toks(&format!("{{{{{n}}}}}"))[1],
                Tok::Number(n.into()),
                "{n}"
            );
        }
        assert!(
            lex("{{3x}}")
                .unwrap_err()
                .message
                .starts_with("bad number syntax")
        );
    }

    #[test]
    fn unclosed_action_and_strings() {
        assert_eq!(lex("{{ .x ").unwrap_err().message, "unclosed action");
        assert_eq!(
            lex("{{ \"ab }}").unwrap_err().message,
            "unterminated quoted string"
        );
    }
}
