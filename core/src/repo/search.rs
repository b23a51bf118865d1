//! `search repo`: Helm's literal/regexp scoring over name, `repo/name`,
//! description and keywords, then its version filtering.

use super::RepoError;
use super::index::{ChartVersion, IndexFile};
use crate::chart::constraint::{Constraint, parse_version};
use std::cmp::Ordering;

/// Helm's `searchMaxScore`: matches in later fields than this are dropped.
const MAX_SCORE: usize = 25;
/// Field separator of the searched line (Helm uses a vertical tab).
const SEP: char = '\u{0b}';

/// Flags of `search repo`.
#[derive(Clone, Debug, Default)]
pub struct SearchOptions {
    /// Version constraint (`--version`).
    pub version: String,
    /// Every version, not only the newest (`-l/--versions`).
    pub versions: bool,
    /// Include prereleases (`--devel`).
    pub devel: bool,
    /// Read the keyword as a regular expression (`-r/--regexp`).
    pub regexp: bool,
}

/// One search hit.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchResult {
    /// `repo/chart`.
    pub name: String,
    /// Which field matched first (0 = name; lower is better).
    pub score: usize,
    /// The chart version.
    pub chart: ChartVersion,
}

/// Searches the indexes (`(repo name, index)` pairs) for `keyword`
/// (`None` lists everything), as `helm search repo` does.
pub fn search(
    indexes: &[(String, IndexFile)],
    keyword: Option<&str>,
    opts: &SearchOptions,
) -> Result<Vec<SearchResult>, RepoError> {
    let version = if !opts.version.is_empty() {
        opts.version.clone()
    } else if opts.devel {
        ">0.0.0-0".to_string()
    } else {
        ">0.0.0".to_string()
    };
    let re =
        match (keyword, opts.regexp) {
            (Some(k), true) => Some(regex::Regex::new(k).map_err(|e| {
                RepoError::Invalid(format!("invalid regular expression {k:?}: {e}"))
            })?),
            _ => None,
        };
    let needle = keyword.map(str::to_lowercase);
    let mut hits = Vec::new();
    // One buffer for every searched line: 30,000 versions of a big index
    // would otherwise cost two allocations each.
    let mut buf = String::new();
    for (repo, index) in indexes {
        for (name, versions) in &index.entries {
            // Helm sets the default constraint before building its search
            // index, so every version is always searched and the newest
            // one passing the constraint is kept.
            for cv in versions {
                let score = match (&re, &needle) {
                    (None, None) => Some(0),
                    (Some(re), _) => {
                        fill_line(&mut buf, repo, cv);
                        re.find(&buf).map(|m| score_at(&buf, m.start()))
                    }
                    (None, Some(n)) => {
                        fill_line(&mut buf, repo, cv);
                        if buf.is_ascii() {
                            buf.make_ascii_lowercase();
                        } else {
                            buf = buf.to_lowercase();
                        }
                        buf.find(n.as_str()).map(|at| score_at(&buf, at))
                    }
                };
                if let Some(score) = score.filter(|s| *s < MAX_SCORE) {
                    hits.push(SearchResult {
                        name: format!("{repo}/{name}"),
                        score,
                        chart: cv.clone(),
                    });
                }
            }
        }
    }
    hits.sort_by(compare);
    let constraint = Constraint::parse(&version).map_err(|e| RepoError::BadConstraint {
        constraint: version.clone(),
        message: e.to_string(),
    })?;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for h in hits {
        if !opts.versions && seen.contains(&h.name) {
            continue;
        }
        if parse_version(&h.chart.version).is_ok_and(|v| constraint.matches(&v)) {
            seen.insert(h.name.clone());
            out.push(h);
        }
    }
    Ok(out)
}

/// The searched text: name, repo/name, description, keywords (space
/// separated), written into `buf`.
fn fill_line(buf: &mut String, repo: &str, cv: &ChartVersion) {
    buf.clear();
    buf.push_str(&cv.name);
    buf.push(SEP);
    buf.push_str(repo);
    buf.push('/');
    buf.push_str(&cv.name);
    buf.push(SEP);
    buf.push_str(&cv.description);
    buf.push(SEP);
    for (i, k) in cv.keywords.iter().enumerate() {
        if i > 0 {
            buf.push(' ');
        }
        buf.push_str(k);
    }
}

/// The index of the field holding byte offset `at`.
fn score_at(line: &str, at: usize) -> usize {
    line.match_indices(SEP)
        .take_while(|(pos, _)| at > *pos)
        .count()
}

/// Helm's `SortScore`: by score, then name, then newest version first.
fn compare(a: &SearchResult, b: &SearchResult) -> Ordering {
    a.score
        .cmp(&b.score)
        .then_with(|| a.name.cmp(&b.name))
        .then_with(|| {
            match (
                parse_version(&a.chart.version),
                parse_version(&b.chart.version),
            ) {
                (Ok(x), Ok(y)) => y.cmp_precedence(&x),
                _ => Ordering::Equal,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> Vec<(String, IndexFile)> {
        let yaml = "apiVersion: v1\nentries:\n  nginx:\n  - {name: nginx, version: 2.0.0-rc.1, description: web server}\n  - {name: nginx, version: 1.2.0, description: web server}\n  - {name: nginx, version: 1.1.0, description: web server}\n  redis:\n  - {name: redis, version: 3.0.0, description: key value store, keywords: [cache, nginx-friendly]}\n  webapp:\n  - {name: webapp, version: 0.1.0, description: Demo}\n";
        vec![("r".into(), IndexFile::parse(yaml.as_bytes(), "t").unwrap())]
    }

    fn names(res: &[SearchResult]) -> Vec<String> {
        res.iter()
            .map(|r| format!("{}@{}", r.name, r.chart.version))
            .collect()
    }

    #[test]
    fn keyword_scores_name_before_keywords() {
        let r = search(&index(), Some("NGINX"), &SearchOptions::default()).unwrap();
        assert_eq!(names(&r), ["r/nginx@1.2.0", "r/redis@3.0.0"]);
        let r = search(
            &index(),
            Some("nginx"),
            &SearchOptions {
                devel: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(names(&r), ["r/nginx@2.0.0-rc.1", "r/redis@3.0.0"]);
        assert_eq!(r[0].score, 0);
        assert_eq!(r[1].score, 3);
    }

    #[test]
    fn versions_and_constraints() {
        let o = SearchOptions {
            version: "^1".into(),
            ..Default::default()
        };
        assert_eq!(
            names(&search(&index(), Some("nginx"), &o).unwrap()),
            ["r/nginx@1.2.0"]
        );
        let o = SearchOptions {
            versions: true,
            ..Default::default()
        };
        assert_eq!(
            names(&search(&index(), Some("web server"), &o).unwrap()),
            ["r/nginx@1.2.0", "r/nginx@1.1.0"]
        );
        let all = search(&index(), None, &SearchOptions::default()).unwrap();
        assert_eq!(
            names(&all),
            ["r/nginx@1.2.0", "r/redis@3.0.0", "r/webapp@0.1.0"]
        );
    }

    #[test]
    fn regexp_search() {
        let o = SearchOptions {
            regexp: true,
            ..Default::default()
        };
        assert_eq!(
            names(&search(&index(), Some("^web"), &o).unwrap()),
            ["r/webapp@0.1.0"]
        );
        assert!(search(&index(), Some("("), &o).is_err());
    }
}
