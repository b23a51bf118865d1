//! Choosing a chart version the way Helm's `IndexFile.Get` does.

use super::RepoError;
use super::index::ChartVersion;
use crate::chart::constraint::{Constraint, parse_version};

/// The constraint Helm uses when none is given: with `--devel` any
/// version including prereleases (`>0.0.0-0`), otherwise stable ones only.
pub fn default_constraint(devel: bool) -> &'static str {
    if devel { ">0.0.0-0" } else { "" }
}

/// Picks from `versions` (newest first): an empty request means the newest
/// stable version; a listed version string wins as is; anything else is a
/// Masterminds constraint, which admits prereleases only when it names one
/// (`>=1.0.0-0`) or `devel` widened it. `Ok(None)` when nothing matches.
pub fn select<'a>(
    versions: &'a [ChartVersion],
    requested: &str,
    devel: bool,
) -> Result<Option<&'a ChartVersion>, RepoError> {
    let requested = if requested.is_empty() {
        default_constraint(devel)
    } else {
        requested
    };
    let text = if requested.is_empty() { "*" } else { requested };
    let constraint = Constraint::parse(text).map_err(|e| RepoError::BadConstraint {
        constraint: requested.to_string(),
        message: e.to_string(),
    })?;
    if !requested.is_empty()
        && let Some(exact) = versions.iter().find(|v| v.version == requested)
    {
        return Ok(Some(exact));
    }
    Ok(versions
        .iter()
        .find(|v| parse_version(&v.version).is_ok_and(|p| constraint.matches(&p))))
}

/// [`select`], with a "not found" error naming chart, request and
/// repository, and suggesting `--devel` when only prereleases would match.
pub fn select_or_err<'a>(
    versions: &'a [ChartVersion],
    chart: &str,
    requested: &str,
    devel: bool,
    repo: &str,
) -> Result<&'a ChartVersion, RepoError> {
    if let Some(v) = select(versions, requested, devel)? {
        return Ok(v);
    }
    let hint = if !devel && requested.is_empty() && !versions.is_empty() {
        " (only prereleases exist; use --devel to consider them)".to_string()
    } else {
        String::new()
    };
    Err(RepoError::VersionNotFound {
        chart: chart.to_string(),
        version: requested.to_string(),
        repo: repo.to_string(),
        hint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vs(list: &[&str]) -> Vec<ChartVersion> {
        list.iter()
            .map(|v| ChartVersion {
                name: "c".into(),
                version: v.to_string(),
                ..ChartVersion::default()
            })
            .collect()
    }

    fn pick(list: &[&str], req: &str, devel: bool) -> Option<String> {
        let v = vs(list);
        select(&v, req, devel).unwrap().map(|c| c.version.clone())
    }

    #[test]
    fn latest_stable_unless_devel() {
        let l = ["2.0.0-beta.1", "1.5.0", "1.4.2", "1.0.0"];
        assert_eq!(pick(&l, "", false).as_deref(), Some("1.5.0"));
        assert_eq!(pick(&l, "", true).as_deref(), Some("2.0.0-beta.1"));
    }

    #[test]
    fn constraints_follow_masterminds() {
        let l = ["2.0.0-beta.1", "1.5.0", "1.4.2", "1.0.0"];
        assert_eq!(pick(&l, "~1.4", false).as_deref(), Some("1.4.2"));
        assert_eq!(pick(&l, "^1", false).as_deref(), Some("1.5.0"));
        assert_eq!(pick(&l, "<1.4 || >=1.5", false).as_deref(), Some("1.5.0"));
        assert_eq!(pick(&l, ">= 1.0, < 1.5", false).as_deref(), Some("1.4.2"));
        assert_eq!(pick(&l, "1.0 - 1.4.9", false).as_deref(), Some("1.4.2"));
        // A constraint naming a prerelease admits prereleases.
        assert_eq!(
            pick(&l, ">=2.0.0-0", false).as_deref(),
            Some("2.0.0-beta.1")
        );
        assert_eq!(pick(&l, ">=2.0.0", false), None);
        // An exact listed string wins even when it is a prerelease.
        assert_eq!(
            pick(&l, "2.0.0-beta.1", false).as_deref(),
            Some("2.0.0-beta.1")
        );
    }

    #[test]
    fn errors_name_the_request_and_hint_devel() {
        let l = vs(&["1.0.0-rc.1"]);
        let e = select_or_err(&l, "c", "", false, "myrepo")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("\"c\"") && e.contains("myrepo") && e.contains("--devel"),
            "{e}"
        );
        let e = select(&l, ">>1", false).unwrap_err().to_string();
        assert!(e.contains(">>1"), "{e}");
    }
}
