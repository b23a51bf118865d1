//! Chart version ordering and lookup as Helm's `repo.IndexFile` does them,
//! on top of hoist-core's Masterminds semver implementation
//! ([`hoist_core::chart::constraint`]).

use std::cmp::Ordering;

use hoist_core::chart::constraint::{Constraint, ConstraintError, parse_version};

/// Orders version strings newest first, as Helm's `IndexFile.SortEntries`
/// does: by SemVer precedence (build metadata does not count), with
/// unparsable versions compared as text.
pub fn newest_first(a: &str, b: &str) -> Ordering {
    match (parse_version(a), parse_version(b)) {
        (Ok(x), Ok(y)) => y.cmp_precedence(&x).then_with(|| b.cmp(a)),
        _ => b.cmp(a),
    }
}

/// Picks a version out of `versions` (newest first) the way Helm's
/// `IndexFile.Get` does, which is what ChartMuseum's
/// `GET /api/charts/<name>/<version>` calls: an empty request means `*`
/// (the newest version that is not a prerelease); otherwise an exact string
/// match wins, and failing that the request is read as a Masterminds
/// constraint and the newest satisfying version is taken. `Ok(None)` when
/// nothing matches; `Err` when the request is neither a listed version nor
/// a valid constraint.
pub fn select<'a, T>(
    versions: &'a [T],
    requested: &str,
    version_of: impl Fn(&T) -> &str,
) -> Result<Option<&'a T>, ConstraintError> {
    let constraint = Constraint::parse(if requested.is_empty() { "*" } else { requested })?;
    if !requested.is_empty()
        && let Some(exact) = versions.iter().find(|v| version_of(v) == requested)
    {
        return Ok(Some(exact));
    }
    Ok(versions
        .iter()
        .find(|v| parse_version(version_of(v)).is_ok_and(|parsed| constraint.matches(&parsed))))
}

/// True when `text` is a version Helm accepts for a chart (Masterminds'
/// `NewVersion`: optional `v`, minor and patch may be left out).
pub fn is_valid(text: &str) -> bool {
    parse_version(text).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_masterminds_lenient_forms() {
        assert!(is_valid("1.2.3"));
        assert!(is_valid("v1.2"));
        assert!(is_valid("1"));
        assert!(is_valid("1.2.3-rc.1+build.5"));
        assert!(!is_valid("1.2.3.4"));
        assert!(!is_valid("latest"));
        assert!(!is_valid(""));
        assert!(!is_valid("1..2"));
    }

    #[test]
    fn orders_newest_first_with_prereleases_below_releases() {
        let mut v = vec!["1.0.0-rc.1", "0.9.0", "1.0.0", "1.10.0", "1.2.0"];
        v.sort_by(|a, b| newest_first(a, b));
        assert_eq!(v, vec!["1.10.0", "1.2.0", "1.0.0", "1.0.0-rc.1", "0.9.0"]);
    }

    #[test]
    fn prerelease_flag() {
        // The prerelease part is what keeps a version out of `latest`.
        let listed = ["1.0.0-alpha"];
        assert_eq!(select(&listed, "", |v| v).ok(), Some(None));
        let listed = ["1.0.0"];
        assert_eq!(select(&listed, "", |v| v).ok(), Some(Some(&"1.0.0")));
    }

    #[test]
    fn select_prefers_exact_match_then_constraint() {
        let listed = ["2.0.0-rc.1", "1.10.0", "1.2.0", "v1.1"];
        let pick = |req: &str| select(&listed, req, |v| v).map(|o| o.copied());
        assert_eq!(pick(""), Ok(Some("1.10.0")));
        assert_eq!(pick("v1.1"), Ok(Some("v1.1")));
        assert_eq!(pick("1.1.0"), Ok(Some("v1.1")));
        assert_eq!(pick("~1.2"), Ok(Some("1.2.0")));
        assert_eq!(pick("^1"), Ok(Some("1.10.0")));
        assert_eq!(pick(">=2.0.0-0"), Ok(Some("2.0.0-rc.1")));
        assert_eq!(pick("3.x"), Ok(None));
        assert!(pick("banana").is_err());
    }
}
