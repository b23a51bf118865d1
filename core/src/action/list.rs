//! `hoist list`: Helm's `List.Run` and its table and JSON forms. Only the
//! latest revision of each release is shown, by default only when it is
//! `deployed` or `failed`, sorted by name; the state flags, `--filter`,
//! `--selector`, the sort flags, `--max` and `--offset` work as Helm's.

use serde::Serialize;

use super::ActionError;
use crate::kube::selector::LabelSelector;
use crate::release::record::{GoTime, Release};
use crate::release::status::Status;
use crate::storage::{Driver, Freshness, Storage};

/// Which releases to list and in which order (Helm's `action.List`).
#[derive(Clone, Debug, Default)]
pub struct ListOptions {
    /// Every state (`--all`); the state flags below are then ignored.
    pub all: bool,
    /// `--deployed`.
    pub deployed: bool,
    /// `--failed`.
    pub failed: bool,
    /// `--pending`: pending-install, pending-upgrade and pending-rollback.
    pub pending: bool,
    /// `--superseded`. Alone, it lists every superseded revision (not only
    /// the latest of each release, which is never superseded).
    pub superseded: bool,
    /// `--uninstalled` (releases uninstalled with `--keep-history`).
    pub uninstalled: bool,
    /// `--uninstalling`.
    pub uninstalling: bool,
    /// `--filter`: a regular expression the release name must match.
    pub filter: Option<String>,
    /// `--selector`: a label selector over the releases' labels.
    pub selector: Option<String>,
    /// `--date`: sort by last deployment time, oldest first.
    pub by_date: bool,
    /// `--reverse`: the other way round.
    pub reverse: bool,
    /// `--max`: at most this many releases; 0 means no limit.
    pub max: usize,
    /// `--offset`: skip this many releases first.
    pub offset: usize,
    /// `--cached`: read the records from the API server's cache (see
    /// [`Freshness::Cached`]); Helm always reads consistently.
    pub freshness: Freshness,
}

impl ListOptions {
    /// The states shown: the flags given, deployed and failed when none is.
    fn shows(&self, status: Status) -> bool {
        if self.all {
            return true;
        }
        let none = !(self.deployed
            || self.failed
            || self.pending
            || self.superseded
            || self.uninstalled
            || self.uninstalling);
        match status {
            Status::Deployed => self.deployed || none,
            Status::Failed => self.failed || none,
            Status::PendingInstall | Status::PendingUpgrade | Status::PendingRollback => {
                self.pending
            }
            Status::Superseded => self.superseded,
            Status::Uninstalled => self.uninstalled,
            Status::Uninstalling => self.uninstalling,
            _ => false,
        }
    }

    /// Helm skips the latest-revision filter when only superseded
    /// revisions are asked for, since a latest revision is never one.
    fn only_superseded(&self) -> bool {
        !self.all
            && self.superseded
            && !(self.deployed
                || self.failed
                || self.pending
                || self.uninstalled
                || self.uninstalling)
    }
}

/// The latest revision of every release in the storage's scope (every
/// superseded revision with `--superseded` alone), filtered, sorted and
/// cut to `--offset`/`--max` as Helm's list does.
pub async fn list<D: Driver>(
    storage: &Storage<D>,
    opts: &ListOptions,
) -> Result<Vec<Release>, ActionError> {
    let filter = match opts.filter.as_deref().filter(|f| !f.is_empty()) {
        Some(f) => Some(regex::Regex::new(f).map_err(|e| {
            ActionError::Invalid(format!("invalid --filter regular expression {f:?}: {e}"))
        })?),
        None => None,
    };
    let selector = LabelSelector::parse(opts.selector.as_deref().unwrap_or(""))
        .map_err(|e| ActionError::Invalid(e.to_string()))?;
    let mut shown = if opts.only_superseded() {
        storage.driver().list(&|_| true).await?
    } else {
        storage
            .driver()
            .list_latest_summaries(opts.freshness)
            .await?
    };
    shown.retain(|r| {
        filter.as_ref().is_none_or(|f| f.is_match(&r.name))
            && opts.shows(r.status())
            && selector.matches(&r.labels)
    });
    sort(&mut shown, opts);
    Ok(shown
        .into_iter()
        .skip(opts.offset)
        .take(if opts.max == 0 { usize::MAX } else { opts.max })
        .collect())
}

/// Helm's sort: by name (then namespace, to be deterministic), or with
/// `--date` by last deployment (to the second, oldest first); `--reverse`
/// turns either round.
fn sort(releases: &mut [Release], opts: &ListOptions) {
    let deployed = |r: &Release| {
        r.info
            .as_ref()
            .map(|i| i.last_deployed.timestamp().as_second())
            .unwrap_or(i64::MIN)
    };
    if opts.by_date {
        releases.sort_by(|a, b| {
            deployed(a)
                .cmp(&deployed(b))
                .then_with(|| (&a.name, &a.namespace).cmp(&(&b.name, &b.namespace)))
        });
    } else {
        releases.sort_by(|a, b| (&a.name, &a.namespace).cmp(&(&b.name, &b.namespace)));
    }
    if opts.reverse {
        releases.reverse();
    }
}

/// One row of `list -o json` (Helm's `releaseElement`; the revision is a string).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ListElement {
    /// Release name.
    pub name: String,
    /// Release namespace.
    pub namespace: String,
    /// Revision number as text.
    pub revision: String,
    /// Last deployment time in Go's `time.Time.String` form, `-` when unset.
    pub updated: String,
    /// Status.
    pub status: String,
    /// `CHART-VERSION`.
    pub chart: String,
    /// The chart's appVersion.
    pub app_version: String,
}

/// The rows for `releases`.
pub fn list_elements(releases: &[Release]) -> Vec<ListElement> {
    list_elements_with(releases, None)
}

/// The rows for `releases`, the UPDATED column in Go's `time.Time.String`
/// form or, with `time_format`, formatted with that Go layout
/// (`--time-format`).
pub fn list_elements_with(releases: &[Release], time_format: Option<&str>) -> Vec<ListElement> {
    releases
        .iter()
        .map(|r| {
            let updated = r
                .info
                .as_ref()
                .map(|i| i.last_deployed)
                .filter(|t| !t.is_zero())
                .map(|t| match time_format {
                    Some(layout) => go_format(&t, layout),
                    None => go_time_string(&t),
                })
                .unwrap_or_else(|| "-".into());
            ListElement {
                name: r.name.clone(),
                namespace: r.namespace.clone(),
                revision: r.version.to_string(),
                updated,
                status: r.status().as_str().to_string(),
                chart: chart_name(r),
                app_version: app_version(r),
            }
        })
        .collect()
}

/// Go's `t.Format(layout)` in the offset the time was recorded with.
fn go_format(t: &GoTime, layout: &str) -> String {
    let ts = t.timestamp();
    crate::engine::gotemplate::funcs::format_go_time(
        ts.as_second(),
        ts.subsec_nanosecond().max(0) as u32,
        t.offset().seconds(),
        layout,
    )
}

/// The `list` table.
pub fn list_table(rows: &[ListElement]) -> String {
    list_table_with(rows, true)
}

/// The `list` table, with or without its header row (`--no-headers`).
pub fn list_table_with(rows: &[ListElement], headers: bool) -> String {
    let mut table = Vec::new();
    if headers {
        table.push(
            [
                "NAME",
                "NAMESPACE",
                "REVISION",
                "UPDATED",
                "STATUS",
                "CHART",
                "APP VERSION",
            ]
            .map(String::from)
            .to_vec(),
        );
    }
    for r in rows {
        table.push(vec![
            r.name.clone(),
            r.namespace.clone(),
            r.revision.clone(),
            r.updated.clone(),
            r.status.clone(),
            r.chart.clone(),
            r.app_version.clone(),
        ]);
    }
    if table.is_empty() {
        return String::new();
    }
    ui_table(&table)
}

/// `CHART-VERSION` of a release's chart, `MISSING` without metadata (as Helm).
pub fn chart_name(r: &Release) -> String {
    match r.chart.as_ref().and_then(|c| c.metadata.as_ref()) {
        Some(m) => format!("{}-{}", m.name, m.version),
        None => "MISSING".into(),
    }
}

/// The appVersion of a release's chart, `MISSING` without metadata.
pub fn app_version(r: &Release) -> String {
    match r.chart.as_ref().and_then(|c| c.metadata.as_ref()) {
        Some(m) => m.app_version.clone(),
        None => "MISSING".into(),
    }
}

/// A table as Helm prints it (gosuri/uitable): every cell padded with
/// spaces to its column's width, cells joined by a tab, rows by newlines,
/// and one newline at the end.
pub fn ui_table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, s)| format!("{s:<width$}", width = widths[c]))
            .collect();
        out.push_str(&cells.join("\t"));
    }
    out.push('\n');
    out
}

/// Go's `time.Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`.
/// Times read from a record carry only an offset; Go names a zero offset
/// `UTC` and repeats the numeric offset for any other.
pub fn go_time_string(t: &GoTime) -> String {
    let dt = t.offset().to_datetime(t.timestamp());
    let mut s = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    );
    let nanos = dt.subsec_nanosecond();
    if nanos != 0 {
        s.push('.');
        s.push_str(format!("{nanos:09}").trim_end_matches('0'));
    }
    let secs = t.offset().seconds();
    let sign = if secs < 0 { '-' } else { '+' };
    let numeric = format!(
        "{sign}{:02}{:02}",
        secs.abs() / 3600,
        secs.abs() % 3600 / 60
    );
    let zone = if secs == 0 {
        "UTC".to_string()
    } else {
        numeric.clone()
    };
    format!("{s} {numeric} {zone}")
}

/// Go's `time.ANSIC` layout: `Mon Jan _2 15:04:05 2006`.
pub fn ansic(t: &GoTime) -> String {
    let dt = t.offset().to_datetime(t.timestamp());
    format!(
        "{} {} {:>2} {:02}:{:02}:{:02} {}",
        dt.strftime("%a"),
        dt.strftime("%b"),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.year()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::record::{ChartMetadata, Info, ReleaseChart};
    use crate::storage::{MemoryDriver, block_on};

    fn rel(name: &str, version: i64, status: Status) -> Release {
        Release {
            name: name.into(),
            namespace: "ns".into(),
            version,
            info: Some(Info {
                status,
                last_deployed: GoTime::parse("2026-01-02T03:04:05.5Z").unwrap(),
                ..Info::default()
            }),
            chart: Some(ReleaseChart {
                metadata: Some(ChartMetadata {
                    name: "c".into(),
                    version: "1.0.0".into(),
                    app_version: "2".into(),
                    ..ChartMetadata::default()
                }),
                ..ReleaseChart::default()
            }),
            ..Release::default()
        }
    }

    #[test]
    fn only_latest_deployed_or_failed_by_default() {
        let storage = Storage::new(MemoryDriver::new());
        storage.driver().set_namespace("ns");
        for r in [
            rel("b", 1, Status::Superseded),
            rel("b", 2, Status::Deployed),
            rel("a", 1, Status::Failed),
            rel("c", 1, Status::Uninstalled),
        ] {
            block_on(storage.create(&r)).unwrap();
        }
        let names = |v: Vec<Release>| -> Vec<(String, i64)> {
            v.into_iter().map(|r| (r.name, r.version)).collect()
        };
        let shown = block_on(list(&storage, &ListOptions::default())).unwrap();
        assert_eq!(names(shown), [("a".into(), 1), ("b".into(), 2)]);
        let all = block_on(list(
            &storage,
            &ListOptions {
                all: true,
                ..ListOptions::default()
            },
        ))
        .unwrap();
        assert_eq!(all.len(), 3);
    }

    fn stored(releases: &[Release]) -> Storage<MemoryDriver> {
        let storage = Storage::new(MemoryDriver::new());
        storage.driver().set_namespace("ns");
        for r in releases {
            block_on(storage.create(r)).unwrap();
        }
        storage
    }

    fn names(storage: &Storage<MemoryDriver>, opts: ListOptions) -> Vec<(String, i64)> {
        block_on(list(storage, &opts))
            .unwrap()
            .into_iter()
            .map(|r| (r.name, r.version))
            .collect()
    }

    fn at(mut r: Release, time: &str, labels: &[(&str, &str)]) -> Release {
        if let Some(i) = r.info.as_mut() {
            i.last_deployed = GoTime::parse(time).unwrap();
        }
        r.labels = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        r
    }

    #[test]
    fn state_flags_filter_selector_sorting_and_paging_follow_helm() {
        let storage = stored(&[
            at(
                rel("web", 1, Status::Superseded),
                "2026-01-01T00:00:00Z",
                &[],
            ),
            at(
                rel("web", 2, Status::Deployed),
                "2026-01-05T00:00:00Z",
                &[("team", "a")],
            ),
            at(
                rel("api", 1, Status::Failed),
                "2026-01-03T00:00:00Z",
                &[("team", "b")],
            ),
            at(
                rel("db", 1, Status::PendingInstall),
                "2026-01-04T00:00:00Z",
                &[],
            ),
            at(
                rel("old", 1, Status::Uninstalled),
                "2026-01-02T00:00:00Z",
                &[("team", "a")],
            ),
        ]);
        let n = |v: &[(&str, i64)]| -> Vec<(String, i64)> {
            v.iter().map(|(a, b)| (a.to_string(), *b)).collect()
        };
        assert_eq!(
            names(&storage, ListOptions::default()),
            n(&[("api", 1), ("web", 2)])
        );
        let pending = ListOptions {
            pending: true,
            ..ListOptions::default()
        };
        assert_eq!(names(&storage, pending), n(&[("db", 1)]));
        let uninstalled_or_deployed = ListOptions {
            uninstalled: true,
            deployed: true,
            ..ListOptions::default()
        };
        assert_eq!(
            names(&storage, uninstalled_or_deployed),
            n(&[("old", 1), ("web", 2)])
        );
        // Superseded alone lists superseded revisions, not latest ones.
        let superseded = ListOptions {
            superseded: true,
            ..ListOptions::default()
        };
        assert_eq!(names(&storage, superseded), n(&[("web", 1)]));
        let filtered = ListOptions {
            all: true,
            filter: Some("^(w|o)".into()),
            ..ListOptions::default()
        };
        assert_eq!(names(&storage, filtered), n(&[("old", 1), ("web", 2)]));
        let selected = ListOptions {
            all: true,
            selector: Some("team=a".into()),
            ..ListOptions::default()
        };
        assert_eq!(names(&storage, selected), n(&[("old", 1), ("web", 2)]));
        let by_date = ListOptions {
            all: true,
            by_date: true,
            ..ListOptions::default()
        };
        assert_eq!(
            names(&storage, by_date.clone()),
            n(&[("old", 1), ("api", 1), ("db", 1), ("web", 2)])
        );
        let newest_two = ListOptions {
            reverse: true,
            max: 2,
            ..by_date
        };
        assert_eq!(names(&storage, newest_two), n(&[("web", 2), ("db", 1)]));
        let page = ListOptions {
            all: true,
            offset: 1,
            max: 2,
            ..ListOptions::default()
        };
        assert_eq!(names(&storage, page), n(&[("db", 1), ("old", 1)]));
        let past_the_end = ListOptions {
            all: true,
            offset: 9,
            ..ListOptions::default()
        };
        assert!(names(&storage, past_the_end).is_empty());
    }

    #[test]
    fn bad_filter_and_selector_are_clear_errors() {
        let storage = stored(&[]);
        let e = block_on(list(
            &storage,
            &ListOptions {
                filter: Some("(".into()),
                ..ListOptions::default()
            },
        ))
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("invalid --filter regular expression \"(\""),
            "{e}"
        );
        let e = block_on(list(
            &storage,
            &ListOptions {
                selector: Some("a in b".into()),
                ..ListOptions::default()
            },
        ))
        .unwrap_err();
        assert!(e.to_string().contains("invalid label selector"), "{e}");
    }

    #[test]
    fn rows_and_table_follow_helm() {
        let rows = list_elements(&[rel("web", 3, Status::Deployed)]);
        assert_eq!(rows[0].revision, "3");
        assert_eq!(rows[0].chart, "c-1.0.0");
        assert_eq!(rows[0].updated, "2026-01-02 03:04:05.5 +0000 UTC");
        let table = list_table(&rows);
        let mut lines = table.lines();
        assert_eq!(
            lines.next().unwrap(),
            "NAME\tNAMESPACE\tREVISION\tUPDATED                        \tSTATUS  \tCHART  \tAPP VERSION"
        );
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("web \tns       \t3       \t2026-")
        );
    }

    #[test]
    fn time_format_uses_go_layouts_in_the_recorded_offset() {
        let mut r = rel("web", 1, Status::Deployed);
        if let Some(i) = r.info.as_mut() {
            i.last_deployed = GoTime::parse("2026-01-02T03:04:05+02:00").unwrap();
        }
        let rows = list_elements_with(&[r], Some("2006-01-02 15:04 MST Z07:00"));
        assert_eq!(rows[0].updated, "2026-01-02 03:04 +0200 +02:00");
        let table = list_table_with(&rows, false);
        assert!(table.starts_with("web\tns\t1\t2026-01-02 03:04"), "{table}");
        assert_eq!(list_table_with(&[], false), "");
    }

    #[test]
    fn ansic_pads_the_day() {
        let t = GoTime::parse("2026-01-02T03:04:05Z").unwrap();
        assert_eq!(ansic(&t), "Fri Jan  2 03:04:05 2026");
    }
}
