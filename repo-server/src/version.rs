//! Chart version parsing and ordering with the leniency of Masterminds/semver
//! (what Helm uses): an optional `v` prefix and missing minor/patch parts
//! are accepted, so `v1.2` is a valid version equal to `1.2.0`.

use std::cmp::Ordering;

/// A parsed chart version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartVersion(semver::Version);

impl ChartVersion {
    /// Parses `text` the way Masterminds' `NewVersion` does; `None` when Helm
    /// would reject it.
    pub fn parse(text: &str) -> Option<Self> {
        let body = text.strip_prefix('v').unwrap_or(text);
        let (core, rest) = match body.find(['-', '+']) {
            Some(p) => (&body[..p], &body[p..]),
            None => (body, ""),
        };
        let mut nums = core.split('.');
        let mut parts = [0u64; 3];
        let mut count = 0;
        for part in nums.by_ref() {
            if count == 3 || part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            parts[count] = part.parse().ok()?;
            count += 1;
        }
        if count == 0 {
            return None;
        }
        let normal = format!("{}.{}.{}{}", parts[0], parts[1], parts[2], rest);
        semver::Version::parse(&normal).ok().map(Self)
    }

    /// True for versions with a pre-release part (`1.0.0-rc.1`).
    pub fn is_prerelease(&self) -> bool {
        !self.0.pre.is_empty()
    }
}

impl PartialOrd for ChartVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ChartVersion {
    /// SemVer precedence; build metadata does not count.
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp_precedence(&other.0)
    }
}

/// Orders version strings newest first, as Helm's `IndexFile.SortEntries`
/// does: by SemVer precedence, with unparsable versions compared as text.
pub fn newest_first(a: &str, b: &str) -> Ordering {
    match (ChartVersion::parse(a), ChartVersion::parse(b)) {
        (Some(x), Some(y)) => y.cmp(&x).then_with(|| b.cmp(a)),
        _ => b.cmp(a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_masterminds_lenient_forms() {
        assert!(ChartVersion::parse("1.2.3").is_some());
        assert!(ChartVersion::parse("v1.2").is_some());
        assert!(ChartVersion::parse("1").is_some());
        assert!(ChartVersion::parse("1.2.3-rc.1+build.5").is_some());
        assert!(ChartVersion::parse("1.2.3.4").is_none());
        assert!(ChartVersion::parse("latest").is_none());
        assert!(ChartVersion::parse("").is_none());
        assert!(ChartVersion::parse("1..2").is_none());
    }

    #[test]
    fn orders_newest_first_with_prereleases_below_releases() {
        let mut v = vec!["1.0.0-rc.1", "0.9.0", "1.0.0", "1.10.0", "1.2.0"];
        v.sort_by(|a, b| newest_first(a, b));
        assert_eq!(v, vec!["1.10.0", "1.2.0", "1.0.0", "1.0.0-rc.1", "0.9.0"]);
    }

    #[test]
    fn prerelease_flag() {
        assert!(ChartVersion::parse("1.0.0-alpha").is_some_and(|v| v.is_prerelease()));
        assert!(ChartVersion::parse("1.0.0").is_some_and(|v| !v.is_prerelease()));
    }
}
