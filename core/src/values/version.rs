//! Masterminds/semver v3 constraint checks, as Helm's `IsCompatibleRange`
//! uses them to match a Chart.yaml dependency to a chart in charts/.
//!
//! Only what dependency processing needs: lenient version parsing
//! (`v1`, `1.2`), constraint parsing with the same regular expressions
//! (`x`/`*` wildcards, `~`, `^`, comparisons, `,`/space AND, `||` OR,
//! `a - b` ranges) and the same prerelease rule (a prerelease version only
//! matches a constraint group that itself names a prerelease).

use regex::Regex;
use std::cmp::Ordering;
use std::sync::OnceLock;

const CV: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";

struct Res {
    constraint: Regex,
    range: Regex,
    find: Regex,
    valid: Regex,
    version: Regex,
}

fn res() -> Option<&'static Res> {
    static RES: OnceLock<Option<Res>> = OnceLock::new();
    RES.get_or_init(|| {
        Some(Res {
            constraint: Regex::new(&format!(r"^\s*({OPS})\s*({CV})\s*$")).ok()?,
            range: Regex::new(&format!(r"\s*({CV})\s+-\s+({CV})\s*")).ok()?,
            find: Regex::new(&format!(r"({OPS})\s*({CV})")).ok()?,
            valid: Regex::new(&format!(
                r"^(\s*({OPS})\s*({CV})\s*)((?:\s+|,\s*)({OPS})\s*({CV})\s*)*$"
            ))
            .ok()?,
            version: Regex::new(
                r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$",
            )
            .ok()?,
        })
    })
    .as_ref()
}

#[derive(Debug, Clone)]
struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
}

impl Version {
    fn parse(s: &str) -> Option<Version> {
        let c = res()?.version.captures(s)?;
        let num = |i: usize| -> Option<u64> {
            match c.get(i) {
                None => Some(0),
                Some(m) => m.as_str().trim_start_matches('.').parse().ok(),
            }
        };
        Some(Version {
            major: num(1)?,
            minor: num(2)?,
            patch: num(3)?,
            pre: c.get(5).map(|m| m.as_str().to_string()).unwrap_or_default(),
        })
    }

    fn compare(&self, o: &Version) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(o.major, o.minor, o.patch))
            .then_with(|| compare_pre(&self.pre, &o.pre))
    }
}

fn compare_pre(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => match (semver::Prerelease::new(a), semver::Prerelease::new(b)) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => a.cmp(b),
        },
    }
}

struct Constraint {
    op: String,
    con: Version,
    dirty: bool,
    minor_dirty: bool,
    patch_dirty: bool,
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

impl Constraint {
    fn parse(s: &str) -> Option<Constraint> {
        let c = res()?.constraint.captures(s)?;
        let g = |i: usize| c.get(i).map(|m| m.as_str()).unwrap_or("");
        let (major, minor, patch, pre) = (g(3), g(4), g(5), g(6));
        let (mut dirty, mut minor_dirty, mut patch_dirty) = (false, false, false);
        let ver = if is_x(major) || major.is_empty() {
            dirty = true;
            format!("0.0.0{pre}")
        } else if is_x(minor.trim_start_matches('.')) || minor.is_empty() {
            dirty = true;
            minor_dirty = true;
            format!("{major}.0.0{pre}")
        } else if is_x(patch.trim_start_matches('.')) || patch.is_empty() {
            dirty = true;
            patch_dirty = true;
            format!("{major}{minor}.0{pre}")
        } else {
            g(2).to_string()
        };
        Some(Constraint {
            op: g(1).to_string(),
            con: Version::parse(&ver)?,
            dirty,
            minor_dirty,
            patch_dirty,
        })
    }

    fn check(&self, v: &Version, include_pre: bool) -> bool {
        if !v.pre.is_empty() && !include_pre {
            return false;
        }
        let c = &self.con;
        match self.op.as_str() {
            "" | "=" => {
                if self.dirty {
                    self.tilde(v)
                } else {
                    v.compare(c) == Ordering::Equal
                }
            }
            "!=" => {
                if self.dirty {
                    if c.major != v.major {
                        return true;
                    }
                    if c.minor != v.minor && !self.minor_dirty {
                        return true;
                    } else if self.minor_dirty {
                        return false;
                    } else if c.patch != v.patch && !self.patch_dirty {
                        return true;
                    } else if self.patch_dirty {
                        if !v.pre.is_empty() || !c.pre.is_empty() {
                            return compare_pre(&v.pre, &c.pre) != Ordering::Equal;
                        }
                        return false;
                    }
                }
                v.compare(c) != Ordering::Equal
            }
            ">" => {
                if !self.dirty {
                    return v.compare(c) == Ordering::Greater;
                }
                if v.major > c.major {
                    true
                } else if v.major < c.major || self.minor_dirty {
                    false
                } else if self.patch_dirty {
                    v.minor > c.minor
                } else {
                    v.compare(c) == Ordering::Greater
                }
            }
            "<" => v.compare(c) == Ordering::Less,
            ">=" | "=>" => v.compare(c) != Ordering::Less,
            "<=" | "=<" => {
                if !self.dirty {
                    return v.compare(c) != Ordering::Greater;
                }
                !(v.major > c.major
                    || (v.major == c.major && v.minor > c.minor && !self.minor_dirty))
            }
            "~" | "~>" => self.tilde(v),
            "^" => {
                if v.compare(c) == Ordering::Less {
                    return false;
                }
                if c.major > 0 || self.minor_dirty {
                    return v.major == c.major;
                }
                if v.major > 0 {
                    return false;
                }
                if c.minor > 0 || self.patch_dirty {
                    return v.minor == c.minor;
                }
                if v.minor > 0 {
                    return false;
                }
                c.patch == v.patch
            }
            _ => false,
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        if v.major != c.major {
            return false;
        }
        v.minor == c.minor || self.minor_dirty
    }
}

/// Helm's `IsCompatibleRange`: true when `version` parses and satisfies
/// `constraint`. An empty or malformed constraint matches nothing.
pub(crate) fn is_compatible_range(constraint: &str, version: &str) -> bool {
    let (Some(res), Some(v)) = (res(), Version::parse(version)) else {
        return false;
    };
    let mut rewritten = constraint.to_string();
    for m in res.range.captures_iter(constraint) {
        let (Some(whole), Some(a), Some(b)) = (m.get(0), m.get(1), m.get(11)) else {
            continue;
        };
        rewritten = rewritten.replacen(
            whole.as_str(),
            &format!(">= {}, <= {} ", a.as_str(), b.as_str()),
            1,
        );
    }
    let mut groups = Vec::new();
    for part in rewritten.split("||") {
        if !res.valid.is_match(part) {
            return false;
        }
        let mut cs = Vec::new();
        let found: Vec<&str> = res.find.find_iter(part).map(|m| m.as_str()).collect();
        let items = if found.is_empty() { vec![part] } else { found };
        for s in items {
            match Constraint::parse(s) {
                Some(c) => cs.push(c),
                None => return false,
            }
        }
        let has_pre = cs.iter().any(|c| !c.con.pre.is_empty());
        groups.push((cs, has_pre));
    }
    groups
        .iter()
        .any(|(cs, has_pre)| cs.iter().all(|c| c.check(&v, *has_pre)))
}

#[cfg(test)]
mod tests {
    use super::is_compatible_range as ok;

    #[test]
    fn exact_and_wildcards() {
        assert!(ok("1.2.3", "1.2.3"));
        assert!(!ok("1.2.3", "1.2.4"));
        assert!(ok("1.2.x", "1.2.9"));
        assert!(ok("1.2", "1.2.9"));
        assert!(!ok("1.2", "1.3.0"));
        assert!(ok("*", "4.0.0"));
        assert!(ok("x.x.x", "0.1.0"));
        assert!(!ok("", "1.0.0"));
        assert!(!ok("1.0.0", "not-a-version"));
    }

    #[test]
    fn operators() {
        assert!(ok("^1.2.0", "1.9.0"));
        assert!(!ok("^1.2.0", "2.0.0"));
        assert!(ok("^0.2.1", "0.2.5"));
        assert!(!ok("^0.2.1", "0.3.0"));
        assert!(ok("~1.2.3", "1.2.9"));
        assert!(!ok("~1.2.3", "1.3.0"));
        assert!(ok(">=1.0.0, <2.0.0", "1.5.0"));
        assert!(ok(">= 1.0.0 < 2.0.0", "1.5.0"));
        assert!(!ok(">=1.0.0 <2.0.0", "2.0.0"));
        assert!(ok("<1.0.0 || >=3.0.0", "3.1.0"));
        assert!(ok("1.0.0 - 2.0.0", "2.0.0"));
        assert!(!ok("1.0.0 - 2.0.0", "2.0.1"));
        assert!(ok("!=1.0.0", "1.0.1"));
    }

    #[test]
    fn prereleases_need_a_prerelease_constraint() {
        assert!(!ok(">=1.0.0", "1.1.0-beta.1"));
        assert!(ok(">=1.0.0-0", "1.1.0-beta.1"));
        assert!(ok("1.0.0-rc.1", "1.0.0-rc.1"));
        assert!(ok("v1.0.0", "v1.0.0"));
    }
}
