//! A small implementation of Masterminds/semver v3 constraint checking, as
//! Sprig's `semverCompare` uses it: lenient versions (`v` prefix, missing
//! minor/patch), `||` alternatives, comma- or space-separated conjunctions,
//! `= != > < >= <= ~ ^` operators, `x`/`*` wildcards, and the rule that a
//! prerelease version only matches constraints that name a prerelease.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
}

impl Version {
    fn cmp_to(&self, o: &Version) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(o.major, o.minor, o.patch))
            .then_with(|| cmp_pre(&self.pre, &o.pre))
    }
}

fn cmp_pre(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let (pa, pb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for (x, y) in pa.iter().zip(pb.iter()) {
        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(n), Ok(m)) => n.cmp(&m),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            _ => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    pa.len().cmp(&pb.len())
}

/// A parsed version where parts may be wildcards (`None`).
struct Partial {
    major: Option<u64>,
    minor: Option<u64>,
    patch: Option<u64>,
    pre: String,
}

fn parse_partial(s: &str) -> Option<Partial> {
    let s = s.trim().trim_start_matches(['v', 'V']);
    let s = s.split('+').next()?;
    let (core, pre) = match s.split_once('-') {
        Some((c, p)) => (c, p.to_string()),
        None => (s, String::new()),
    };
    let mut parts = core.split('.');
    let mut next = |required: bool| -> Option<Option<u64>> {
        match parts.next() {
            None => Some(None).filter(|_| !required),
            Some("x") | Some("X") | Some("*") => Some(None),
            Some(n) => n.parse::<u64>().ok().map(Some),
        }
    };
    let major = next(true)?;
    let minor = next(false)?;
    let patch = next(false)?;
    if parts.next().is_some() {
        return None;
    }
    Some(Partial {
        major,
        minor,
        patch,
        pre,
    })
}

fn parse_version(s: &str) -> Result<Version, String> {
    let p = parse_partial(s)
        .filter(|p| p.major.is_some())
        .ok_or_else(|| "Invalid Semantic Version".to_string())?;
    Ok(Version {
        major: p.major.unwrap_or(0),
        minor: p.minor.unwrap_or(0),
        patch: p.patch.unwrap_or(0),
        pre: p.pre,
    })
}

fn check(op: &str, p: &Partial, v: &Version) -> bool {
    if !v.pre.is_empty() && p.pre.is_empty() {
        return false;
    }
    let base = Version {
        major: p.major.unwrap_or(0),
        minor: p.minor.unwrap_or(0),
        patch: p.patch.unwrap_or(0),
        pre: p.pre.clone(),
    };
    let bump = |lvl: u8| -> Version {
        match lvl {
            0 => Version {
                major: base.major + 1,
                minor: 0,
                patch: 0,
                pre: String::new(),
            },
            1 => Version {
                major: base.major,
                minor: base.minor + 1,
                patch: 0,
                pre: String::new(),
            },
            _ => Version {
                major: base.major,
                minor: base.minor,
                patch: base.patch + 1,
                pre: String::new(),
            },
        }
    };
    // The level of the first wildcard (0 major, 1 minor, 2 patch, 3 none).
    let wild = if p.major.is_none() {
        0
    } else if p.minor.is_none() {
        1
    } else if p.patch.is_none() {
        2
    } else {
        3
    };
    let c = v.cmp_to(&base);
    let in_wild_range = |lvl: u8| -> bool {
        if lvl == 0 {
            return true;
        }
        c != Ordering::Less && v.cmp_to(&bump(lvl - 1)) == Ordering::Less
    };
    match op {
        "" | "=" => {
            if wild < 3 {
                in_wild_range(wild)
            } else {
                c == Ordering::Equal
            }
        }
        "!=" => {
            if wild < 3 {
                !in_wild_range(wild)
            } else {
                c != Ordering::Equal
            }
        }
        ">" => {
            if wild == 0 {
                false
            } else if wild < 3 {
                v.cmp_to(&bump(wild - 1)) != Ordering::Less
            } else {
                c == Ordering::Greater
            }
        }
        "<" => c == Ordering::Less,
        ">=" | "=>" => c != Ordering::Less,
        "<=" | "=<" => {
            if wild == 0 {
                true
            } else if wild < 3 {
                v.cmp_to(&bump(wild - 1)) == Ordering::Less
            } else {
                c != Ordering::Greater
            }
        }
        "~" | "~>" => {
            let lvl = if p.minor.is_none() { 0 } else { 1 };
            c != Ordering::Less && v.cmp_to(&bump(lvl)) == Ordering::Less
        }
        "^" => {
            let lvl = if base.major > 0 || p.minor.is_none() {
                0
            } else if base.minor > 0 || p.patch.is_none() {
                1
            } else {
                2
            };
            c != Ordering::Less && v.cmp_to(&bump(lvl)) == Ordering::Less
        }
        _ => false,
    }
}

/// A parsed version as Sprig's `semver` returns it (Masterminds' `*Version`).
#[derive(Debug, Clone)]
pub struct SemVer {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    meta: String,
    original: String,
}

impl SemVer {
    /// Masterminds' `NewVersion`: lenient (`v` prefix, missing parts).
    pub fn parse(s: &str) -> Result<SemVer, String> {
        let v = parse_version(s)?;
        let meta = s
            .split_once('+')
            .map(|(_, m)| m.to_string())
            .unwrap_or_default();
        Ok(SemVer {
            major: v.major,
            minor: v.minor,
            patch: v.patch,
            pre: v.pre,
            meta,
            original: s.to_string(),
        })
    }

    fn text(&self) -> String {
        let mut t = format!("{}.{}.{}", self.major, self.minor, self.patch);
        if !self.pre.is_empty() {
            t.push('-');
            t.push_str(&self.pre);
        }
        if !self.meta.is_empty() {
            t.push('+');
            t.push_str(&self.meta);
        }
        t
    }
}

impl super::value::GoObject for SemVer {
    fn type_name(&self) -> String {
        "*semver.Version".into()
    }
    fn field(&self, _name: &str) -> Option<super::value::Value> {
        None
    }
    fn method_params(&self, name: &str) -> Option<&'static [super::funcs::Param]> {
        matches!(
            name,
            "Major" | "Minor" | "Patch" | "Prerelease" | "Metadata" | "Original" | "String"
        )
        .then_some(&[])
    }
    fn call(
        &self,
        name: &str,
        args: &[super::value::Value],
    ) -> Option<Result<super::value::Value, String>> {
        use super::value::Value;
        let v = match name {
            "Major" => Value::Int(self.major as i64),
            "Minor" => Value::Int(self.minor as i64),
            "Patch" => Value::Int(self.patch as i64),
            "Prerelease" => Value::str(self.pre.clone()),
            "Metadata" => Value::str(self.meta.clone()),
            "Original" => Value::str(self.original.clone()),
            "String" => Value::str(self.text()),
            _ => return None,
        };
        if !args.is_empty() {
            return Some(Err(format!(
                "wrong number of args for {name}: want 0 got {}",
                args.len()
            )));
        }
        Some(Ok(v))
    }
    fn display(&self) -> String {
        self.text()
    }
    fn to_data(&self) -> super::value::Value {
        super::value::Value::str(self.text())
    }
}

/// `semverCompare CONSTRAINT VERSION`.
pub fn compare(constraint: &str, version: &str) -> Result<bool, String> {
    let v = parse_version(version)?;
    let mut any = false;
    for alt in constraint.split("||") {
        let mut comparators: Vec<(String, Partial)> = Vec::new();
        let tokens: Vec<&str> = alt.split([',', ' ']).filter(|t| !t.is_empty()).collect();
        let mut i = 0;
        while i < tokens.len() {
            let mut tok = tokens[i].to_string();
            // An operator may be separated from its version by spaces.
            if tok.chars().all(|c| "=!<>~^".contains(c)) && i + 1 < tokens.len() {
                tok.push_str(tokens[i + 1]);
                i += 1;
            }
            // Hyphen ranges: `A - B`.
            if i + 2 < tokens.len() && tokens[i + 1] == "-" {
                let lo = parse_partial(&tok).ok_or(format!("improper constraint: {constraint}"))?;
                let hi = parse_partial(tokens[i + 2])
                    .ok_or(format!("improper constraint: {constraint}"))?;
                comparators.push((">=".into(), lo));
                comparators.push(("<=".into(), hi));
                i += 3;
                continue;
            }
            let op_len = tok
                .find(|c: char| !"=!<>~^".contains(c))
                .unwrap_or(tok.len());
            let (op, ver) = tok.split_at(op_len);
            let p = parse_partial(ver).ok_or(format!("improper constraint: {constraint}"))?;
            comparators.push((op.to_string(), p));
            i += 1;
        }
        if comparators.is_empty() {
            return Err(format!("improper constraint: {constraint}"));
        }
        if comparators.iter().all(|(op, p)| check(op, p, &v)) {
            any = true;
        }
    }
    Ok(any)
}

#[cfg(test)]
mod tests {
    use super::compare;

    #[test]
    fn common_helm_constraints() {
        assert!(compare(">=1.19-0", "v1.33.0").unwrap());
        assert!(!compare("<1.19-0", "v1.33.0").unwrap());
        assert!(compare(">=1.21-0", "1.21.0-gke.100").unwrap());
        assert!(!compare(">=1.21", "1.21.0-gke.100").unwrap());
        assert!(compare("^1.2.3", "1.9.0").unwrap());
        assert!(!compare("^1.2.3", "2.0.0").unwrap());
        assert!(compare("~1.2.3", "1.2.9").unwrap());
        assert!(!compare("~1.2.3", "1.3.0").unwrap());
        assert!(compare("1.2.x", "1.2.7").unwrap());
        assert!(compare(">= 1.2, < 2", "1.5.0").unwrap());
        assert!(compare("<1 || >=3", "3.1.0").unwrap());
        assert!(compare("1.0 - 2.0", "1.5.0").unwrap());
        assert!(compare("x".trim(), "1.0.0").is_ok());
        assert!(compare(">=1", "garbage").is_err());
    }
}
