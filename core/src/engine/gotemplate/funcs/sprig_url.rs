//! Sprig's `urlParse` and `urlJoin`, over a port of the parts of Go's
//! `net/url` they use (`url.Parse` and `URL.String`). The WHATWG parser of
//! the `url` crate normalizes differently (it rejects relative references
//! and rewrites paths), so it cannot give Go's results.

use super::{FuncTable, Param, add, s};
use crate::engine::gotemplate::exec::GoError;
use crate::engine::gotemplate::value::Value;
use std::collections::BTreeMap;

pub(super) fn register(t: &mut FuncTable) {
    use Param::*;
    add(t, "urlParse", &[Str], |_, a| {
        let u = parse(s(&a[0])).map_err(|e| GoError::plain(format!("unable to parse url: {e}")))?;
        let mut m = BTreeMap::new();
        let user = u
            .user
            .as_ref()
            .map(Userinfo::to_go_string)
            .unwrap_or_default();
        for (k, v) in [
            ("scheme", u.scheme.clone()),
            ("host", u.host.clone()),
            ("hostname", hostname(&u.host)),
            ("path", u.path.clone()),
            ("query", u.raw_query.clone()),
            ("opaque", u.opaque.clone()),
            ("fragment", u.fragment.clone()),
            ("userinfo", user),
        ] {
            m.insert(k.to_string(), Value::Str(v));
        }
        Ok(Value::map(m))
    });
    add(t, "urlJoin", &[Map], |_, a| {
        let Value::Map(m) = &a[0] else {
            return Ok(Value::str(""));
        };
        let m = m.borrow();
        let get = |k: &str| -> Result<String, GoError> {
            match m.get(k) {
                None => Ok(String::new()),
                Some(Value::Str(v)) => Ok(v.clone()),
                Some(other) => Err(GoError::plain(format!(
                    "unable to parse {k} key, must be of type string, but {} found",
                    go_kind(other)
                ))),
            }
        };
        let mut u = Url {
            scheme: get("scheme")?,
            host: get("host")?,
            path: get("path")?,
            raw_query: get("query")?,
            opaque: get("opaque")?,
            fragment: get("fragment")?,
            ..Default::default()
        };
        let userinfo = get("userinfo")?;
        if !userinfo.is_empty() {
            let tmp = parse(&format!("proto://{userinfo}@host"))
                .map_err(|e| GoError::plain(format!("unable to parse userinfo in dict: {e}")))?;
            u.user = tmp.user;
        }
        Ok(Value::Str(u.to_go_string()))
    });
}

/// `reflect.Kind` names for Sprig's type complaint.
fn go_kind(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Int64(_) => "int64",
        Value::Float(_) => "float64",
        Value::Str(_) => "string",
        Value::List(_) | Value::StrList(_) | Value::Bytes(_) => "slice",
        Value::Map(_) => "map",
        Value::Object(_) => "struct",
        Value::Nil | Value::Invalid => "invalid",
    }
}

/// Go's `url.Userinfo`.
#[derive(Debug, Clone, Default, PartialEq)]
struct Userinfo {
    username: String,
    password: Option<String>,
}

impl Userinfo {
    fn to_go_string(&self) -> String {
        let mut out = escape(&self.username, Mode::UserPassword);
        if let Some(p) = &self.password {
            out.push(':');
            out.push_str(&escape(p, Mode::UserPassword));
        }
        out
    }
}

/// The fields of Go's `url.URL` Sprig reads or writes.
#[derive(Debug, Clone, Default, PartialEq)]
struct Url {
    scheme: String,
    opaque: String,
    user: Option<Userinfo>,
    host: String,
    path: String,
    raw_query: String,
    force_query: bool,
    fragment: String,
    omit_host: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Path,
    Host,
    UserPassword,
    Fragment,
}

fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if mode == Mode::Host && b"!$&'()*+,;=:[]<>\"".contains(&c) {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => {
            return match mode {
                Mode::Path => c == b'?',
                Mode::UserPassword => matches!(c, b'@' | b'/' | b'?' | b':'),
                Mode::Fragment => false,
                Mode::Host => true,
            };
        }
        _ => {}
    }
    if mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*') {
        return false;
    }
    true
}

fn escape(s: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if should_escape(b, mode) {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(b as char);
        }
    }
    out
}

/// Go's `unescape` outside queries: `%XX` only, `+` kept.
fn unescape(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut k = 0;
    while k < b.len() {
        if b[k] == b'%' {
            let hex = |c: u8| (c as char).to_digit(16);
            match (
                b.get(k + 1).and_then(|c| hex(*c)),
                b.get(k + 2).and_then(|c| hex(*c)),
            ) {
                (Some(h), Some(l)) => {
                    let byte = (h * 16 + l) as u8;
                    out.push(byte);
                    k += 3;
                }
                _ => {
                    let end = (k + 3).min(b.len());
                    return Err(format!(
                        "invalid URL escape {}",
                        crate::engine::gotemplate::fmt::quote(&String::from_utf8_lossy(&b[k..end]))
                    ));
                }
            }
        } else {
            out.push(b[k]);
            k += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn get_scheme(raw: &str) -> Result<(String, &str), String> {
    for (k, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' => {
                if k == 0 {
                    return Ok((String::new(), raw));
                }
            }
            b':' => {
                if k == 0 {
                    return Err("missing protocol scheme".to_string());
                }
                return Ok((raw[..k].to_string(), &raw[k + 1..]));
            }
            _ => return Ok((String::new(), raw)),
        }
    }
    Ok((String::new(), raw))
}

fn valid_port(port: &str) -> bool {
    port.bytes().all(|c| c.is_ascii_digit())
}

fn parse_host(host: &str) -> Result<String, String> {
    if let Some(rest) = host.strip_prefix('[') {
        let Some(end) = rest.find(']') else {
            return Err("missing ']' in host".to_string());
        };
        let after = &rest[end + 1..];
        let port_ok = after.is_empty() || (after.starts_with(':') && valid_port(&after[1..]));
        if !port_ok {
            return Err(format!(
                "invalid port {} after host",
                crate::engine::gotemplate::fmt::quote(after)
            ));
        }
    } else if let Some(i) = host.rfind(':') {
        let port = &host[i..];
        if !valid_port(&port[1..]) {
            return Err(format!(
                "invalid port {} after host",
                crate::engine::gotemplate::fmt::quote(port)
            ));
        }
    }
    unescape(host)
}

fn valid_userinfo(s: &str) -> bool {
    s.bytes()
        .all(|c| c.is_ascii_alphanumeric() || b"-._:~!$&'()*+,;=%@".contains(&c))
}

fn parse_authority(authority: &str) -> Result<(Option<Userinfo>, String), String> {
    let at = authority.rfind('@');
    let host = parse_host(match at {
        Some(i) => &authority[i + 1..],
        None => authority,
    })?;
    let Some(i) = at else {
        return Ok((None, host));
    };
    let info = &authority[..i];
    if !valid_userinfo(info) {
        return Err("net/url: invalid userinfo".to_string());
    }
    let user = match info.split_once(':') {
        None => Userinfo {
            username: unescape(info)?,
            password: None,
        },
        Some((u, p)) => Userinfo {
            username: unescape(u)?,
            password: Some(unescape(p)?),
        },
    };
    Ok((Some(user), host))
}

/// Go's `url.Parse`, with its error texts (`parse "URL": reason`).
fn parse(raw: &str) -> Result<Url, String> {
    let (u, frag) = match raw.split_once('#') {
        Some((u, f)) => (u, Some(f)),
        None => (raw, None),
    };
    let wrap =
        |url: &str, e: String| format!("parse {}: {e}", crate::engine::gotemplate::fmt::quote(url));
    let mut url = parse_no_fragment(u).map_err(|e| wrap(u, e))?;
    if let Some(f) = frag {
        url.fragment = unescape(f).map_err(|e| wrap(raw, e))?;
    }
    Ok(url)
}

fn parse_no_fragment(raw: &str) -> Result<Url, String> {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("net/url: invalid control character in URL".to_string());
    }
    let mut url = Url::default();
    if raw == "*" {
        url.path = "*".to_string();
        return Ok(url);
    }
    let (scheme, rest) = get_scheme(raw)?;
    url.scheme = scheme.to_lowercase();
    let mut rest = rest.to_string();
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        url.force_query = true;
        rest.pop();
    } else if let Some((r, q)) = rest.clone().split_once('?') {
        url.raw_query = q.to_string();
        rest = r.to_string();
    }
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            url.opaque = rest;
            return Ok(url);
        }
        let segment = rest.split('/').next().unwrap_or_default();
        if segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".to_string());
        }
    }
    if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let tail = rest[2..].to_string();
        let (authority, path) = match tail.find('/') {
            Some(i) => (tail[..i].to_string(), tail[i..].to_string()),
            None => (tail, String::new()),
        };
        let (user, host) = parse_authority(&authority)?;
        url.user = user;
        url.host = host;
        rest = path;
    } else if !url.scheme.is_empty() && rest.starts_with('/') {
        url.omit_host = true;
    }
    url.path = unescape(&rest)?;
    Ok(url)
}

/// Go's `URL.Hostname`: the host without port or IPv6 brackets.
fn hostname(host: &str) -> String {
    let h = match host.rfind(':') {
        Some(i) if !host[i..].contains(']') => &host[..i],
        _ => host,
    };
    match h.strip_prefix('[') {
        Some(inner) => inner.strip_suffix(']').unwrap_or(inner).to_string(),
        None => h.to_string(),
    }
}

impl Url {
    /// Go's `URL.String`.
    fn to_go_string(&self) -> String {
        let mut buf = String::new();
        if !self.scheme.is_empty() {
            buf.push_str(&self.scheme);
            buf.push(':');
        }
        if !self.opaque.is_empty() {
            buf.push_str(&self.opaque);
        } else {
            let has_authority =
                !self.scheme.is_empty() || !self.host.is_empty() || self.user.is_some();
            let omit = self.omit_host && self.host.is_empty() && self.user.is_none();
            if has_authority && !omit {
                if !self.host.is_empty() || !self.path.is_empty() || self.user.is_some() {
                    buf.push_str("//");
                }
                if let Some(u) = &self.user {
                    buf.push_str(&u.to_go_string());
                    buf.push('@');
                }
                buf.push_str(&escape(&self.host, Mode::Host));
            }
            let path = if self.path == "*" {
                "*".to_string()
            } else {
                escape(&self.path, Mode::Path)
            };
            if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                buf.push('/');
            }
            if buf.is_empty() {
                let segment = path.split('/').next().unwrap_or_default();
                if segment.contains(':') {
                    buf.push_str("./");
                }
            }
            buf.push_str(&path);
        }
        if self.force_query || !self.raw_query.is_empty() {
            buf.push('?');
            buf.push_str(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            buf.push('#');
            buf.push_str(&escape(&self.fragment, Mode::Fragment));
        }
        buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_parts_go_reports() {
        let u = parse("HTTPS://user:p%40ss@example.com:8443/a%20b/c?x=1&y=2#frag").unwrap();
        assert_eq!(u.scheme, "https");
        assert_eq!(u.host, "example.com:8443");
        assert_eq!(hostname(&u.host), "example.com");
        assert_eq!(u.path, "/a b/c");
        assert_eq!(u.raw_query, "x=1&y=2");
        assert_eq!(u.fragment, "frag");
        assert_eq!(u.user.as_ref().unwrap().to_go_string(), "user:p%40ss");
        let m = parse("mailto:someone@example.com").unwrap();
        assert_eq!(m.opaque, "someone@example.com");
        assert_eq!(
            parse(":foo").unwrap_err(),
            "parse \":foo\": missing protocol scheme"
        );
    }

    #[test]
    fn string_round_trips() {
        for raw in [
            "https://user:pw@example.com:8443/a%20b?x=1#f",
            "mailto:someone@example.com",
            "/relative/path?q",
            "//host/p",
        ] {
            assert_eq!(parse(raw).unwrap().to_go_string(), raw);
        }
    }
}
