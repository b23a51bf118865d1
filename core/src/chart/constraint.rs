//! Version constraints with the semantics of Masterminds semver v3, the
//! library Helm checks `kubeVersion` and dependency versions with.
//!
//! Grammar (as Masterminds parses it): `||` separates alternatives; inside
//! one, comparators are separated by commas or spaces and must all hold.
//! A comparator is an operator (`=`, `!=`, `>`, `<`, `>=`, `=>`, `<=`, `=<`,
//! `~`, `~>`, `^`, or none, meaning `=`) followed by a version that may be
//! partial (`1.2`, `1`), carry a leading `v`, or use `x`/`X`/`*` wildcards.
//! `A - B` is rewritten to `>= A, <= B` before anything else.
//!
//! Prereleases: a version with a prerelease only satisfies an alternative in
//! which some comparator itself carries a prerelease (`>=1.2.0-0`).

use regex::Regex;
use std::cmp::Ordering;
use std::fmt;
use std::sync::LazyLock;

/// A constraint or version that Masterminds semver would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ConstraintError {
    /// Masterminds' wording, e.g. `improper constraint: ">= foo"`.
    pub message: String,
}

impl ConstraintError {
    fn new(message: impl Into<String>) -> Self {
        ConstraintError {
            message: message.into(),
        }
    }
}

/// The version part of a comparator; `[0-9|x|X|\*]` is Masterminds' class
/// (the `|` inside it is literal, kept for identical acceptance).
const CV: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";

/// The operators, in Masterminds' alternation order: the regex engine picks
/// the first alternative that lets the whole pattern match, so the order
/// decides how `>=` versus `>` is read.
const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";

static LOOSE_VERSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$",
    )
    .expect("static regex")
});
static ONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^\s*({OPS})\s*({CV})\s*$")).expect("static regex"));
static RANGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"\s*({CV})\s+-\s+({CV})\s*")).expect("static regex"));
static FIND: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"({OPS})\s*({CV})")).expect("static regex"));
static VALID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(\s*({OPS})\s*({CV})\s*)((?:\s+|,\s*)({OPS})\s*({CV})\s*)*$"
    ))
    .expect("static regex")
});

/// A version as Masterminds holds it; build metadata never takes part in
/// comparisons, so it is not kept.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Ver {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
}

impl Ver {
    fn from_semver(v: &semver::Version) -> Self {
        Ver {
            major: v.major,
            minor: v.minor,
            patch: v.patch,
            pre: v.pre.as_str().to_string(),
        }
    }

    fn compare(&self, o: &Ver) -> Ordering {
        self.major
            .cmp(&o.major)
            .then(self.minor.cmp(&o.minor))
            .then(self.patch.cmp(&o.patch))
            .then_with(|| match (self.pre.is_empty(), o.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &o.pre),
            })
    }
}

/// Masterminds' prerelease ordering: dot-separated parts compared in turn, a
/// missing part sorts first, numbers sort before words, words compare as
/// bytes.
fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let ap: Vec<&str> = a.split('.').collect();
    let bp: Vec<&str> = b.split('.').collect();
    for i in 0..ap.len().max(bp.len()) {
        let s = ap.get(i).copied().unwrap_or("");
        let o = bp.get(i).copied().unwrap_or("");
        let d = compare_pre_part(s, o);
        if d != Ordering::Equal {
            return d;
        }
    }
    Ordering::Equal
}

fn compare_pre_part(s: &str, o: &str) -> Ordering {
    if s == o {
        return Ordering::Equal;
    }
    if s.is_empty() {
        return Ordering::Less;
    }
    if o.is_empty() {
        return Ordering::Greater;
    }
    match (s.parse::<u64>(), o.parse::<u64>()) {
        (Err(_), Err(_)) => s.cmp(o),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Ok(si), Ok(oi)) => si.cmp(&oi),
    }
}

fn validate_prerelease(p: &str) -> Result<(), ConstraintError> {
    for part in p.split('.') {
        if part.is_empty() {
            return Err(ConstraintError::new("invalid prerelease string"));
        }
        if part.bytes().all(|b| b.is_ascii_digit()) && part.len() > 1 && part.starts_with('0') {
            return Err(ConstraintError::new("version segment starts with 0"));
        }
    }
    Ok(())
}

/// Parses a version the way Masterminds' `NewVersion` does (what Helm uses
/// for chart versions): a leading `v` is allowed, minor and patch may be
/// left out (`1.2` is `1.2.0`), leading zeros in numbers are tolerated.
pub fn parse_version(text: &str) -> Result<semver::Version, ConstraintError> {
    let (ver, meta) = parse_loose(text)?;
    let pre = semver::Prerelease::new(&ver.pre)
        .map_err(|e| ConstraintError::new(format!("invalid prerelease in {text:?}: {e}")))?;
    let build = semver::BuildMetadata::new(meta)
        .map_err(|e| ConstraintError::new(format!("invalid metadata in {text:?}: {e}")))?;
    Ok(semver::Version {
        major: ver.major,
        minor: ver.minor,
        patch: ver.patch,
        pre,
        build,
    })
}

fn parse_loose(text: &str) -> Result<(Ver, &str), ConstraintError> {
    let m = LOOSE_VERSION
        .captures(text)
        .ok_or_else(|| ConstraintError::new("invalid semantic version"))?;
    let num = |i: usize| -> Result<u64, ConstraintError> {
        match m.get(i) {
            None => Ok(0),
            Some(g) => g
                .as_str()
                .trim_start_matches('.')
                .parse::<u64>()
                .map_err(|e| ConstraintError::new(format!("error parsing version segment: {e}"))),
        }
    };
    let pre = m.get(5).map_or("", |g| g.as_str());
    if !pre.is_empty() {
        validate_prerelease(pre)?;
    }
    let meta = m.get(8).map_or("", |g| g.as_str());
    Ok((
        Ver {
            major: num(1)?,
            minor: num(2)?,
            patch: num(3)?,
            pre: pre.to_string(),
        },
        meta,
    ))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

impl Op {
    fn from_str(s: &str) -> Option<Op> {
        Some(match s {
            "" | "=" => Op::TildeOrEqual,
            "!=" => Op::NotEqual,
            ">" => Op::Greater,
            "<" => Op::Less,
            ">=" | "=>" => Op::GreaterEqual,
            "<=" | "=<" => Op::LessEqual,
            "~" | "~>" => Op::Tilde,
            "^" => Op::Caret,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug)]
struct Comparator {
    op: Op,
    con: Ver,
    /// Any of major, minor or patch is a wildcard or missing.
    dirty: bool,
    minor_dirty: bool,
    patch_dirty: bool,
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

impl Comparator {
    fn parse(text: &str) -> Result<Comparator, ConstraintError> {
        let m = ONE
            .captures(text)
            .ok_or_else(|| ConstraintError::new(format!("improper constraint: {text:?}")))?;
        let op_text = m.get(1).map_or("", |g| g.as_str());
        let op = Op::from_str(op_text)
            .ok_or_else(|| ConstraintError::new(format!("improper constraint: {text:?}")))?;
        let whole = m.get(2).map_or("", |g| g.as_str());
        let major = m.get(3).map_or("", |g| g.as_str());
        let minor = m.get(4).map_or("", |g| g.as_str().trim_start_matches('.'));
        let patch = m.get(5).map_or("", |g| g.as_str().trim_start_matches('.'));
        let pre_dash = m.get(6).map_or("", |g| g.as_str());
        let (mut dirty, mut minor_dirty, mut patch_dirty) = (false, false, false);
        let ver = if is_x(major) || major.is_empty() {
            dirty = true;
            format!("0.0.0{pre_dash}")
        } else if is_x(minor) || minor.is_empty() {
            dirty = true;
            minor_dirty = true;
            format!("{major}.0.0{pre_dash}")
        } else if is_x(patch) || patch.is_empty() {
            dirty = true;
            patch_dirty = true;
            format!("{major}.{minor}.0{pre_dash}")
        } else {
            whole.to_string()
        };
        let (con, _) = parse_loose(&ver)
            .map_err(|_| ConstraintError::new(format!("improper constraint: {text:?}")))?;
        Ok(Comparator {
            op,
            con,
            dirty,
            minor_dirty,
            patch_dirty,
        })
    }

    fn check(&self, v: &Ver, include_pre: bool) -> bool {
        if !v.pre.is_empty() && !include_pre {
            return false;
        }
        let c = &self.con;
        match self.op {
            Op::TildeOrEqual => {
                if self.dirty {
                    self.tilde(v)
                } else {
                    v.compare(c) == Ordering::Equal
                }
            }
            Op::NotEqual => self.not_equal(v),
            Op::Greater => self.greater(v),
            Op::Less => v.compare(c) == Ordering::Less,
            Op::GreaterEqual => v.compare(c) != Ordering::Less,
            Op::LessEqual => self.less_equal(v),
            Op::Tilde => self.tilde(v),
            Op::Caret => self.caret(v),
        }
    }

    fn not_equal(&self, v: &Ver) -> bool {
        let c = &self.con;
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
                    return compare_prerelease(&v.pre, &c.pre) != Ordering::Equal;
                }
                return false;
            }
        }
        v.compare(c) != Ordering::Equal
    }

    fn greater(&self, v: &Ver) -> bool {
        let c = &self.con;
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

    fn less_equal(&self, v: &Ver) -> bool {
        let c = &self.con;
        if !self.dirty {
            return v.compare(c) != Ordering::Greater;
        }
        if v.major > c.major {
            return false;
        }
        !(v.major == c.major && v.minor > c.minor && !self.minor_dirty)
    }

    fn tilde(&self, v: &Ver) -> bool {
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

    fn caret(&self, v: &Ver) -> bool {
        let c = &self.con;
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
}

/// A parsed constraint: alternatives (`||`) of comparator lists (all must hold).
#[derive(Clone, Debug)]
pub struct Constraint {
    alternatives: Vec<Alternative>,
    source: String,
}

#[derive(Clone, Debug)]
struct Alternative {
    comparators: Vec<Comparator>,
    /// Some comparator carries a prerelease, which lets prerelease versions in.
    has_prerelease: bool,
}

impl Constraint {
    /// Parses a constraint such as `>= 1.2, < 2.0.0 || ^3`.
    pub fn parse(text: &str) -> Result<Constraint, ConstraintError> {
        let rewritten = rewrite_ranges(text);
        let mut alternatives = Vec::new();
        for alt in rewritten.split("||") {
            if !VALID.is_match(alt) {
                return Err(ConstraintError::new(format!(
                    "improper constraint: {alt:?}"
                )));
            }
            let mut comparators = Vec::new();
            let mut has_prerelease = false;
            for m in FIND.find_iter(alt) {
                let c = Comparator::parse(m.as_str())?;
                has_prerelease |= !c.con.pre.is_empty();
                comparators.push(c);
            }
            alternatives.push(Alternative {
                comparators,
                has_prerelease,
            });
        }
        Ok(Constraint {
            alternatives,
            source: text.to_string(),
        })
    }

    /// True when `version` satisfies some alternative of the constraint.
    pub fn matches(&self, version: &semver::Version) -> bool {
        let v = Ver::from_semver(version);
        self.alternatives.iter().any(|alt| {
            alt.comparators
                .iter()
                .all(|c| c.check(&v, alt.has_prerelease))
        })
    }

    /// The constraint as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// Rewrites every hyphen range `A - B` into `>= A, <= B `.
fn rewrite_ranges(text: &str) -> String {
    RANGE
        .replace_all(text, |caps: &regex::Captures<'_>| {
            let a = caps.get(1).map_or("", |g| g.as_str());
            let b = caps.get(11).map_or("", |g| g.as_str());
            format!(">= {a}, <= {b} ")
        })
        .into_owned()
}

/// Reduces a Kubernetes version such as `v1.20.0-gke.1` to its numeric part
/// (`v1.20.0`), as Helm's `ParseKubeVersion` does before checking a chart's
/// kubeVersion, so vendor suffixes do not make the cluster look like a
/// prerelease. Needs at least major and minor.
pub fn normalize_kube_version(version: &str) -> Option<String> {
    let t = version.trim_start();
    let t = t.strip_prefix('v').unwrap_or(t);
    let numeric: &str = {
        let end = t
            .char_indices()
            .find(|(_, ch)| !(ch.is_ascii_digit() || *ch == '.'))
            .map_or(t.len(), |(i, _)| i);
        &t[..end]
    };
    // A trailing dot belongs to the suffix (`1.20.` has no third component).
    let numeric = numeric.trim_end_matches('.');
    let parts: Vec<&str> = numeric.split('.').collect();
    if parts.len() < 2 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    // Kubernetes' generic parser refuses a zero-prefixed major version.
    if parts[0].len() > 1 && parts[0].starts_with('0') {
        return None;
    }
    let mut out = String::from("v");
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push_str(&p.parse::<u64>().ok()?.to_string());
    }
    Some(out)
}

/// Helm's `IsCompatibleRange`: true when `version` parses as Masterminds'
/// `NewVersion` would, `constraint` parses, and the version satisfies it.
/// Anything malformed (an empty constraint included) matches nothing. Helm
/// uses it to pick the chart in charts/ that a Chart.yaml dependency names.
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    let Ok(v) = parse_version(version) else {
        return false;
    };
    Constraint::parse(constraint).is_ok_and(|c| c.matches(&v))
}

/// Helm's `IsCompatibleRange` for kubeVersion: the constraint and the
/// normalized cluster version must both parse, and the version must match.
pub fn kube_version_compatible(constraint: &str, kube_version: &str) -> bool {
    normalize_kube_version(kube_version).is_some_and(|norm| is_compatible_range(constraint, &norm))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(c: &str, v: &str) -> bool {
        let c = Constraint::parse(c).unwrap_or_else(|e| panic!("{c}: {e}"));
        c.matches(&parse_version(v).unwrap())
    }

    #[test]
    fn parses_loose_versions_like_new_version() {
        assert_eq!(parse_version("1.2").unwrap().to_string(), "1.2.0");
        assert_eq!(parse_version("v1").unwrap().to_string(), "1.0.0");
        assert_eq!(
            parse_version("1.2.3-beta.1+build.5").unwrap().to_string(),
            "1.2.3-beta.1+build.5"
        );
        assert_eq!(parse_version("01.02.03").unwrap().to_string(), "1.2.3");
        for bad in ["", "1.2.3.4", "a.b.c", "1.2.3-01", "1.2.3-", "v", "1..2"] {
            assert!(parse_version(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn equality_and_operators() {
        assert!(check("1.2.3", "1.2.3"));
        assert!(check("=1.2.3", "1.2.3"));
        assert!(!check("=1.2.3", "1.2.4"));
        assert!(check("!=1.2.3", "1.2.4"));
        assert!(!check("!=1.2.3", "1.2.3"));
        assert!(check(">1.2.3", "1.2.4"));
        assert!(!check(">1.2.3", "1.2.3"));
        assert!(check("<1.2.3", "1.2.2"));
        assert!(!check("<1.2.3", "1.2.3"));
        assert!(check(">=1.2.3", "1.2.3"));
        assert!(check("=>1.2.3", "1.2.3"));
        assert!(check("<=1.2.3", "1.2.3"));
        assert!(check("=<1.2.3", "1.2.3"));
        assert!(!check("<=1.2.3", "1.2.4"));
        // Build metadata never takes part.
        assert!(check("=1.2.3+a", "1.2.3+b"));
    }

    #[test]
    fn wildcards_and_partials() {
        assert!(check("1.2.x", "1.2.9"));
        assert!(!check("1.2.x", "1.3.0"));
        assert!(check("1.x", "1.9.9"));
        assert!(check("1.X", "1.0.0"));
        assert!(!check("1.*", "2.0.0"));
        assert!(check("*", "7.0.0"));
        assert!(check("1.2", "1.2.7"));
        assert!(check("1", "1.7.0"));
        assert!(!check("1", "2.0.0"));
        // `>` with a partial version means above the whole partial range.
        assert!(!check(">1.2", "1.2.9"));
        assert!(check(">1.2", "1.3.0"));
        assert!(!check(">1", "1.9.0"));
        assert!(check(">1", "2.0.0"));
        // `<=` with a partial version includes the whole partial range.
        assert!(check("<=1.2", "1.2.99"));
        assert!(!check("<=1.2", "1.3.0"));
        assert!(check("<=1.x", "1.99.0"));
        assert!(check("!=1.2.x", "1.3.0"));
        assert!(!check("!=1.2.x", "1.2.5"));
        assert!(!check("!=1.x", "1.5.0"));
    }

    #[test]
    fn tilde_and_caret() {
        assert!(check("~1.2.3", "1.2.9"));
        assert!(!check("~1.2.3", "1.3.0"));
        assert!(check("~>1.2.3", "1.2.4"));
        assert!(check("~1", "1.9.0"));
        assert!(!check("~1", "2.0.0"));
        assert!(check("~1.2", "1.2.0"));
        assert!(!check("~1.2", "1.3.0"));
        assert!(check("^1.2.3", "1.9.9"));
        assert!(!check("^1.2.3", "2.0.0"));
        assert!(!check("^1.2.3", "1.2.2"));
        assert!(check("^0.2.3", "0.2.9"));
        assert!(!check("^0.2.3", "0.3.0"));
        assert!(check("^0.0.3", "0.0.3"));
        assert!(!check("^0.0.3", "0.0.4"));
        assert!(check("^0", "0.9.0"));
        assert!(!check("^0", "1.0.0"));
        assert!(check("^0.0", "0.0.9"));
        assert!(!check("^0.0", "0.1.0"));
    }

    #[test]
    fn ranges_and_combinations() {
        assert!(check("1.2 - 1.4.5", "1.2.0"));
        assert!(check("1.2 - 1.4.5", "1.4.5"));
        assert!(!check("1.2 - 1.4.5", "1.4.6"));
        assert!(!check("1.2 - 1.4.5", "1.1.9"));
        assert!(check(">= 1.2, < 3.0.0", "2.5.0"));
        assert!(check(">= 1.2 < 3.0.0", "2.5.0"));
        assert!(!check(">= 1.2, < 3.0.0", "3.0.0"));
        assert!(check("<1.0.0 || >=2.0.0", "0.5.0"));
        assert!(check("<1.0.0 || >=2.0.0", "2.5.0"));
        assert!(!check("<1.0.0 || >=2.0.0", "1.5.0"));
        assert!(check(">=v1.20.0", "1.21.0"));
    }

    #[test]
    fn prereleases_need_a_prerelease_comparator() {
        assert!(!check(">=1.2.0", "1.3.0-beta.1"));
        assert!(check(">=1.2.0-0", "1.3.0-beta.1"));
        assert!(check(">=1.2.0-0", "1.3.0"));
        // Only the alternative holding the prerelease comparator admits them.
        assert!(!check(">=1.2.0 || >=5.0.0-0", "1.3.0-beta"));
        assert!(check(">=1.2.0-alpha.1", "1.2.0-alpha.2"));
        assert!(!check(">=1.2.0-alpha.2", "1.2.0-alpha.1"));
        assert!(!check(">=1.2.0-beta", "1.2.0-alpha"));
        // Numeric identifiers sort before alphanumeric ones.
        assert!(check(">1.2.0-1", "1.2.0-alpha"));
    }

    #[test]
    fn rejects_improper_constraints() {
        for bad in [
            "",
            "foo",
            ">= bar",
            "1.2.3 ||",
            "~~1",
            ">=1.2.3.4",
            "1.2.3-01",
        ] {
            assert!(
                Constraint::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
        let e = Constraint::parse(">= bar").unwrap_err();
        assert!(e.message.contains("improper constraint"), "{e}");
    }

    /// Helm's dependency matching, as values processing relies on it.
    #[test]
    fn is_compatible_range_like_helm() {
        use super::is_compatible_range as ok;
        assert!(ok("1.2", "1.2.9"));
        assert!(!ok("1.2", "1.3.0"));
        assert!(ok("x.x.x", "0.1.0"));
        assert!(!ok("", "1.0.0"));
        assert!(!ok("1.0.0", "not-a-version"));
        assert!(ok("^1.2.0", "1.9.0"));
        assert!(!ok("^1.2.0", "2.0.0"));
        assert!(ok("^0.2.1", "0.2.5"));
        assert!(!ok("^0.2.1", "0.3.0"));
        assert!(ok(">= 1.0.0 < 2.0.0", "1.5.0"));
        assert!(!ok(">=1.0.0 <2.0.0", "2.0.0"));
        assert!(ok("1.0.0 - 2.0.0", "2.0.0"));
        assert!(!ok("1.0.0 - 2.0.0", "2.0.1"));
        assert!(!ok(">=1.0.0", "1.1.0-beta.1"));
        assert!(ok(">=1.0.0-0", "1.1.0-beta.1"));
        assert!(ok("1.0.0-rc.1", "1.0.0-rc.1"));
        assert!(ok("v1.0.0", "v1.0.0"));
    }

    #[test]
    fn kube_versions_are_normalized_like_helm() {
        assert_eq!(
            normalize_kube_version("v1.20.0-gke.1").as_deref(),
            Some("v1.20.0")
        );
        assert_eq!(normalize_kube_version("1.20").as_deref(), Some("v1.20"));
        assert_eq!(
            normalize_kube_version("v1.28.3+k3s1").as_deref(),
            Some("v1.28.3")
        );
        assert_eq!(normalize_kube_version("v1"), None);
        assert_eq!(normalize_kube_version("01.20"), None);
        assert_eq!(normalize_kube_version("1.020").as_deref(), Some("v1.20"));
        // The vendor suffix does not turn the cluster into a prerelease.
        assert!(kube_version_compatible(">=1.20.0", "v1.20.0-gke.1"));
        assert!(kube_version_compatible(">=1.20.0-0", "v1.20.0-gke.1"));
        assert!(!kube_version_compatible("<1.20.0", "v1.20.0-gke.1"));
        assert!(!kube_version_compatible("not a constraint", "v1.20.0"));
    }
}
