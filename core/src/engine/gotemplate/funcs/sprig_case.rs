//! xstrings' `ToSnakeCase`/`ToKebabCase` (Sprig's `snakecase`, `kebabcase`):
//! the text is cut into words (upper-case runs, lower-case runs, numbers,
//! connectors, punctuation), and words are lower-cased and joined with the
//! connector, keeping numbers attached the way xstrings does.

use super::{FuncTable, Param, add, s};
use crate::engine::gotemplate::value::Value;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Word {
    Invalid,
    Number,
    Upper,
    Alphabet,
    Connector,
    Punct,
    Other,
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || c.is_whitespace()
}

/// A letter that is not a CJK ideograph.
fn is_alphabet(c: char) -> bool {
    c.is_alphabetic()
        && !matches!(c, '\u{4E00}'..='\u{9FCC}' | '\u{3400}'..='\u{4D85}' | '\u{20000}'..='\u{2B81D}')
}

/// Go's `unicode.IsPunct` for ASCII (Unicode category P; symbols excluded).
fn is_punct(c: char) -> bool {
    matches!(
        c,
        '!' | '"'
            | '#'
            | '%'
            | '&'
            | '\''
            | '('
            | ')'
            | '*'
            | ','
            | '-'
            | '.'
            | '/'
            | ':'
            | ';'
            | '?'
            | '@'
            | '['
            | '\\'
            | ']'
            | '_'
            | '{'
            | '}'
    )
}

fn is_number(c: char) -> bool {
    c.is_numeric()
}

/// Splits off the next word: its type, the word and the rest.
fn next_word(s: &str) -> (Word, &str, &str) {
    let mut it = s.char_indices().peekable();
    let Some((_, r)) = it.next() else {
        return (Word::Invalid, "", "");
    };
    let take_while = |start: usize, pred: &dyn Fn(char) -> bool| -> usize {
        let mut end = start;
        for (i, c) in s[start..].char_indices() {
            if !pred(c) {
                return start + i;
            }
            end = start + i + c.len_utf8();
        }
        end
    };
    let first = r.len_utf8();
    let (wt, end) = if is_connector(r) {
        (Word::Connector, take_while(first, &is_connector))
    } else if is_punct(r) {
        (Word::Punct, take_while(first, &is_punct))
    } else if r.is_uppercase() {
        match s[first..].chars().next() {
            None => (Word::Upper, first),
            Some(c) if c.is_uppercase() => {
                // "HTTPStatus" splits into "HTTP" and "Status".
                let end = take_while(first, &|c: char| c.is_uppercase());
                match s[end..].chars().next() {
                    Some(n) if is_alphabet(n) => {
                        let last = s[..end].chars().next_back().map_or(0, char::len_utf8);
                        (Word::Upper, end - last)
                    }
                    _ => (Word::Upper, end),
                }
            }
            Some(c) if is_alphabet(c) => (
                Word::Upper,
                take_while(first, &|c: char| is_alphabet(c) && !c.is_uppercase()),
            ),
            Some(_) => (Word::Upper, first),
        }
    } else if is_alphabet(r) {
        (
            Word::Alphabet,
            take_while(first, &|c: char| is_alphabet(c) && !c.is_uppercase()),
        )
    } else if is_number(r) {
        (Word::Number, take_while(first, &is_number))
    } else {
        (
            Word::Other,
            take_while(first, &|c: char| {
                !(is_connector(c) || is_alphabet(c) || is_number(c) || is_punct(c))
            }),
        )
    };
    (wt, &s[..end], &s[end..])
}

fn to_lower(out: &mut String, wt: Word, word: &str, connector: char) {
    if wt != Word::Upper && wt != Word::Connector {
        out.push_str(word);
        return;
    }
    for c in word.chars() {
        if is_connector(c) {
            out.push(connector);
        } else if c.is_uppercase() {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
}

/// xstrings' `camelCaseToLowerCase`.
pub(crate) fn lower_case_words(s: &str, connector: char) -> String {
    let mut out = String::new();
    if s.is_empty() {
        return out;
    }
    let (mut wt, mut word, mut rest) = next_word(s);
    while !rest.is_empty() {
        if wt != Word::Connector {
            to_lower(&mut out, wt, word, connector);
        }
        let prev = wt;
        let last = word;
        (wt, word, rest) = next_word(rest);
        match prev {
            Word::Number => {
                while wt == Word::Alphabet || wt == Word::Number {
                    to_lower(&mut out, wt, word, connector);
                    (wt, word, rest) = next_word(rest);
                }
                if !matches!(wt, Word::Invalid | Word::Punct | Word::Connector) {
                    out.push(connector);
                }
            }
            Word::Connector => to_lower(&mut out, prev, last, connector),
            Word::Punct => {}
            _ => {
                if wt != Word::Number {
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                if rest.is_empty() {
                    continue;
                }
                let num = word;
                (wt, word, rest) = next_word(rest);
                // A number followed by a non-letter belongs to the previous word.
                if wt != Word::Alphabet {
                    to_lower(&mut out, Word::Number, num, connector);
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                // Lower-case letters after a number start a new word with it.
                out.push(connector);
                to_lower(&mut out, Word::Number, num, connector);
                while wt == Word::Alphabet || wt == Word::Number {
                    to_lower(&mut out, wt, word, connector);
                    (wt, word, rest) = next_word(rest);
                }
                if !matches!(wt, Word::Invalid | Word::Connector | Word::Punct) {
                    out.push(connector);
                }
            }
        }
    }
    to_lower(&mut out, wt, word, connector);
    out
}

pub(super) fn register(t: &mut FuncTable) {
    add(t, "snakecase", &[Param::Str], |_, a| {
        Ok(Value::Str(lower_case_words(s(&a[0]), '_')))
    });
    add(t, "kebabcase", &[Param::Str], |_, a| {
        Ok(Value::Str(lower_case_words(s(&a[0]), '-')))
    });
}

#[cfg(test)]
mod tests {
    use super::lower_case_words;

    #[test]
    fn documented_xstrings_examples() {
        for (input, want) in [
            ("FirstName", "first_name"),
            ("HTTPServer", "http_server"),
            ("NoHTTPS", "no_https"),
            ("GO_PATH", "go_path"),
            ("GO PATH", "go_path"),
            ("GO-PATH", "go_path"),
            ("http2xx", "http_2xx"),
            ("HTTP20xOK", "http_20x_ok"),
            ("Duration2m3s", "duration_2m3s"),
            ("Bld4Floor3rd", "bld4_floor_3rd"),
        ] {
            assert_eq!(lower_case_words(input, '_'), want, "{input}");
        }
        assert_eq!(lower_case_words("FirstName", '-'), "first-name");
    }
}
