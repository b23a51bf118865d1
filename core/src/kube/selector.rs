//! Label selectors in Kubernetes' text form (apimachinery's `labels.Parse`),
//! matched against a label map on the client: what `hoist list -l` filters
//! releases by, as Helm's list does with the releases' own labels.
//!
//! Requirements are separated by commas and must all hold:
//! `key`, `!key`, `key=value`, `key==value`, `key!=value`,
//! `key in (a,b)`, `key notin (a,b)`, `key>N`, `key<N`. As in Kubernetes,
//! `!=` and `notin` also hold when the key is absent.

use std::collections::BTreeMap;

/// A parsed selector; the empty selector matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    requirements: Vec<Requirement>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Requirement {
    key: String,
    op: Op,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Op {
    Exists,
    DoesNotExist,
    In(Vec<String>),
    NotIn(Vec<String>),
    Gt(i64),
    Lt(i64),
}

/// Why a selector could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid label selector {selector:?}: {reason}")]
pub struct SelectorError {
    /// The selector as given.
    pub selector: String,
    /// What is wrong with it.
    pub reason: String,
}

impl LabelSelector {
    /// Parses `text`; an empty or blank text is the selector that matches
    /// everything.
    pub fn parse(text: &str) -> Result<LabelSelector, SelectorError> {
        let err = |reason: String| SelectorError {
            selector: text.to_string(),
            reason,
        };
        let mut requirements = Vec::new();
        for part in split_top_level(text).map_err(err)? {
            let part = part.trim();
            if part.is_empty() {
                if text.trim().is_empty() {
                    continue;
                }
                return Err(err("empty requirement (two commas in a row?)".into()));
            }
            requirements.push(parse_requirement(part).map_err(err)?);
        }
        Ok(LabelSelector { requirements })
    }

    /// True when every requirement holds for `labels`.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| {
            let value = labels.get(&r.key);
            match &r.op {
                Op::Exists => value.is_some(),
                Op::DoesNotExist => value.is_none(),
                Op::In(values) => value.is_some_and(|v| values.contains(v)),
                Op::NotIn(values) => value.is_none_or(|v| !values.contains(v)),
                Op::Gt(n) => value
                    .and_then(|v| v.parse::<i64>().ok())
                    .is_some_and(|v| v > *n),
                Op::Lt(n) => value
                    .and_then(|v| v.parse::<i64>().ok())
                    .is_some_and(|v| v < *n),
            }
        })
    }
}

/// Splits at commas outside parentheses (the value lists of `in`/`notin`).
fn split_top_level(text: &str) -> Result<Vec<&str>, String> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| "a ')' without its '('".to_string())?;
            }
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err("a '(' without its ')'".into());
    }
    parts.push(&text[start..]);
    Ok(parts)
}

fn parse_requirement(part: &str) -> Result<Requirement, String> {
    if let Some(key) = part.strip_prefix('!') {
        return Ok(Requirement {
            key: check_key(key.trim())?,
            op: Op::DoesNotExist,
        });
    }
    for (token, make) in [
        ("!=", Op::NotIn as fn(Vec<String>) -> Op),
        ("==", Op::In),
        ("=", Op::In),
    ] {
        if let Some((key, value)) = part.split_once(token) {
            return Ok(Requirement {
                key: check_key(key.trim())?,
                op: make(vec![check_value(value.trim())?]),
            });
        }
    }
    for (token, gt) in [(">", true), ("<", false)] {
        if let Some((key, value)) = part.split_once(token) {
            let n: i64 = value
                .trim()
                .parse()
                .map_err(|_| format!("{:?} after '{token}' is not an integer", value.trim()))?;
            return Ok(Requirement {
                key: check_key(key.trim())?,
                op: if gt { Op::Gt(n) } else { Op::Lt(n) },
            });
        }
    }
    let words: Vec<&str> = part.splitn(2, char::is_whitespace).collect();
    if let [key, rest] = words.as_slice() {
        let rest = rest.trim();
        for (word, notin) in [("notin", true), ("in", false)] {
            if let Some(list) = rest.strip_prefix(word) {
                let list = list.trim();
                let inner = list
                    .strip_prefix('(')
                    .and_then(|l| l.strip_suffix(')'))
                    .ok_or_else(|| format!("'{word}' needs a list in parentheses: {part:?}"))?;
                let values = inner
                    .split(',')
                    .map(|v| check_value(v.trim()))
                    .collect::<Result<Vec<_>, _>>()?;
                let key = check_key(key)?;
                return Ok(Requirement {
                    key,
                    op: if notin {
                        Op::NotIn(values)
                    } else {
                        Op::In(values)
                    },
                });
            }
        }
        return Err(format!(
            "{part:?} is not a requirement (expected key, !key, key=value, key!=value, key in (...) or key notin (...))"
        ));
    }
    Ok(Requirement {
        key: check_key(part)?,
        op: Op::Exists,
    })
}

/// A label key: an optional DNS-subdomain prefix and `/`, then a name of
/// up to 63 characters of alphanumerics, `-`, `_` and `.`, starting and
/// ending alphanumeric.
fn check_key(key: &str) -> Result<String, String> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        let ok = !p.is_empty()
            && p.len() <= 253
            && p.split('.').all(|l| {
                !l.is_empty()
                    && l.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && !l.starts_with('-')
                    && !l.ends_with('-')
            });
        if !ok {
            return Err(format!("{key:?}: the prefix must be a DNS subdomain"));
        }
    }
    if name.is_empty() || !is_label_value(name) {
        return Err(format!(
            "{key:?} is not a valid label key (up to 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric)"
        ));
    }
    Ok(key.to_string())
}

fn check_value(value: &str) -> Result<String, String> {
    if value.is_empty() || is_label_value(value) {
        Ok(value.to_string())
    } else {
        Err(format!(
            "{value:?} is not a valid label value (up to 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric)"
        ))
    }
}

fn is_label_value(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn sel(s: &str) -> LabelSelector {
        LabelSelector::parse(s).unwrap()
    }

    #[test]
    fn equality_set_and_existence_requirements() {
        let l = labels(&[("team", "web"), ("tier", "front"), ("rank", "3")]);
        assert!(sel("").matches(&l));
        assert!(sel("team=web").matches(&l));
        assert!(sel("team==web,tier=front").matches(&l));
        assert!(!sel("team=web,tier=back").matches(&l));
        assert!(sel("team!=db").matches(&l));
        assert!(!sel("team!=web").matches(&l));
        assert!(
            sel("owner!=me").matches(&l),
            "!= holds when the key is absent"
        );
        assert!(sel("tier in (front, back)").matches(&l));
        assert!(!sel("tier notin (front,back)").matches(&l));
        assert!(sel("owner notin (a)").matches(&l));
        assert!(sel("team").matches(&l) && !sel("owner").matches(&l));
        assert!(sel("!owner").matches(&l) && !sel("!team").matches(&l));
        assert!(sel("rank>2").matches(&l) && !sel("rank<3").matches(&l));
        assert!(sel("example.com/x!=1").matches(&l));
    }

    #[test]
    fn malformed_selectors_are_refused_with_the_reason() {
        for (text, needle) in [
            ("team=web,,tier=x", "empty requirement"),
            ("tier in front", "needs a list in parentheses"),
            ("tier in (a", "without its ')'"),
            ("team=we b", "not a valid label value"),
            ("-team=web", "not a valid label key"),
            ("Bad_Prefix/x=1", "DNS subdomain"),
            ("rank>two", "not an integer"),
            ("tier within (a)", "is not a requirement"),
        ] {
            let e = LabelSelector::parse(text).unwrap_err();
            assert!(e.to_string().contains(needle), "{text}: {e}");
            assert!(e.to_string().contains(&format!("{text:?}")), "{e}");
        }
    }
}
