//! `semverCompare` for the handlebars engine: a subset of the Masterminds
//! constraint syntax Helm uses, on top of the `semver` crate.
//!
//! Supported: `||` between alternatives; comparisons joined by `,` or
//! spaces (all must hold); operators `=`, `!=`, `>`, `>=`, `<`, `<=`, `~`,
//! `~>`, `^`, and a bare version meaning `=` (with `x`/`*` wildcards and
//! missing parts, `1.2` = `1.2.x`); a leading `v` on versions. A prerelease
//! version only satisfies comparators that carry a prerelease themselves
//! (Masterminds' rule, behind the usual `>=1.19.0-0` idiom).

use semver::{Comparator, Op, Version, VersionReq};

/// True when `version` satisfies `constraint`.
pub fn matches(constraint: &str, version: &str) -> Result<bool, String> {
    let v = parse_version(version)?;
    for alternative in constraint.split("||") {
        if all_hold(alternative, &v, constraint)? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn parse_version(text: &str) -> Result<Version, String> {
    let t = text.trim();
    let t = t.strip_prefix('v').unwrap_or(t);
    // Masterminds accepts `1.2` and `1` as `1.2.0` and `1.0.0`.
    let core_end = t.find(['-', '+']).unwrap_or(t.len());
    let dots = t[..core_end].matches('.').count();
    let padded = match dots {
        0 => format!("{}.0.0{}", &t[..core_end], &t[core_end..]),
        1 => format!("{}.0{}", &t[..core_end], &t[core_end..]),
        _ => t.to_string(),
    };
    Version::parse(&padded).map_err(|e| format!("invalid semantic version {text:?}: {e}"))
}

/// Splits one alternative into `(operator, version)` terms.
fn terms(alternative: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut pending_op = String::new();
    for word in alternative
        .split([',', ' ', '\t'])
        .filter(|w| !w.is_empty())
    {
        let op_len = word
            .find(|c: char| !matches!(c, '=' | '!' | '<' | '>' | '~' | '^'))
            .unwrap_or(word.len());
        let (op, ver) = word.split_at(op_len);
        if ver.is_empty() {
            pending_op = op.to_string();
            continue;
        }
        let op = if op.is_empty() {
            std::mem::take(&mut pending_op)
        } else {
            pending_op.clear();
            op.to_string()
        };
        out.push((op, ver.to_string()));
    }
    out
}

/// `1.19-0` is `1.19.0-0` to Masterminds; the `semver` crate wants all three
/// numbers before a prerelease.
fn pad_prerelease(ver: &str) -> String {
    match ver.find('-') {
        Some(i) => {
            let (core, pre) = ver.split_at(i);
            match core.matches('.').count() {
                0 => format!("{core}.0.0{pre}"),
                1 => format!("{core}.0{pre}"),
                _ => ver.to_string(),
            }
        }
        None => ver.to_string(),
    }
}

/// One comparator, with Masterminds' prerelease rule: a prerelease version
/// never satisfies a comparator without a prerelease, and is otherwise
/// compared by precedence (the `semver` crate would also require the same
/// `major.minor.patch`).
fn satisfies(cmp: &Comparator, v: &Version) -> bool {
    if v.pre.is_empty() {
        return VersionReq {
            comparators: vec![cmp.clone()],
        }
        .matches(v);
    }
    if cmp.pre.is_empty() {
        return false;
    }
    let bound = (
        cmp.major,
        cmp.minor.unwrap_or(0),
        cmp.patch.unwrap_or(0),
        cmp.pre.clone(),
    );
    let have = (v.major, v.minor, v.patch, v.pre.clone());
    match cmp.op {
        Op::Exact => have == bound,
        Op::Greater => have > bound,
        Op::GreaterEq => have >= bound,
        Op::Less => have < bound,
        Op::LessEq => have <= bound,
        _ => VersionReq {
            comparators: vec![cmp.clone()],
        }
        .matches(v),
    }
}

fn all_hold(alternative: &str, v: &Version, whole: &str) -> Result<bool, String> {
    let terms = terms(alternative);
    if terms.is_empty() {
        return Err(format!("improper constraint: {whole}"));
    }
    for (op, ver) in terms {
        let ver = ver.strip_prefix('v').unwrap_or(&ver);
        let ok = if op == "!=" {
            parse_version(ver)? != *v
        } else {
            let op = match op.as_str() {
                "" | "=" => "=",
                "~>" => "~",
                other => other,
            };
            let cmp = Comparator::parse(&format!("{op}{}", pad_prerelease(ver)))
                .map_err(|e| format!("improper constraint: {whole}: {e}"))?;
            satisfies(&cmp, v)
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_chart_constraints() {
        assert!(matches(">=1.19-0", "v1.33.0").unwrap());
        assert!(matches(">= 1.19.0-0, < 1.40.0", "1.33.0").unwrap());
        assert!(matches(">=1.19.0 <1.20.0 || >=1.30", "1.31.2").unwrap());
        assert!(!matches(">=1.19.0 <1.20.0 || >=1.32", "1.31.2").unwrap());
        assert!(matches("1.2.x", "1.2.9").unwrap());
        assert!(matches("1.2.3", "1.2.3").unwrap());
        assert!(!matches("1.2.3", "1.2.4").unwrap());
        assert!(matches("~1.2", "1.2.7").unwrap());
        assert!(matches("^1.2", "1.9.0").unwrap());
        assert!(!matches("!=1.2.3", "1.2.3").unwrap());
        assert!(matches(">=1.20.0-0", "v1.20.2-gke.1").unwrap());
        assert!(matches("<1.25", "1.24").unwrap());
        assert!(matches("not a constraint", "1.0.0").is_err());
        assert!(matches(">=1.0", "nope").is_err());
    }
}
