//! `hoist list`: Helm's `List.Run` and its table and JSON forms. Only the
//! latest revision of each release is shown, by default only when it is
//! `deployed` or `failed`, sorted by name.

use serde::Serialize;

use super::ActionError;
use crate::release::record::{GoTime, Release};
use crate::release::status::Status;
use crate::storage::{Driver, Storage};

/// Which releases to list.
#[derive(Clone, Debug, Default)]
pub struct ListOptions {
    /// Every state, not only deployed and failed (`--all`).
    pub all: bool,
}

/// The latest revision of every release in the storage's scope, filtered
/// by state and sorted by name (then namespace).
pub async fn list<D: Driver>(
    storage: &Storage<D>,
    opts: &ListOptions,
) -> Result<Vec<Release>, ActionError> {
    let mut latest = storage.driver().list_latest_summaries().await?;
    latest.retain(|r| opts.all || matches!(r.status(), Status::Deployed | Status::Failed));
    latest.sort_by(|a, b| (&a.name, &a.namespace).cmp(&(&b.name, &b.namespace)));
    Ok(latest)
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
    releases
        .iter()
        .map(|r| {
            let updated = r
                .info
                .as_ref()
                .map(|i| i.last_deployed)
                .filter(|t| !t.is_zero())
                .map(|t| go_time_string(&t))
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

/// The `list` table.
pub fn list_table(rows: &[ListElement]) -> String {
    let mut table = vec![
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
    ];
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
        let all = block_on(list(&storage, &ListOptions { all: true })).unwrap();
        assert_eq!(all.len(), 3);
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
    fn ansic_pads_the_day() {
        let t = GoTime::parse("2026-01-02T03:04:05Z").unwrap();
        assert_eq!(ansic(&t), "Fri Jan  2 03:04:05 2026");
    }
}
