//! The RESOURCES section of `status`: server-side tables (`meta.k8s.io/v1`
//! `Table` objects) printed the way Helm prints them, which is kubectl's
//! human-readable table printer.
//!
//! Facts from Helm's status printer and kubectl's printer that shape this:
//! - One printer serves the whole section, and it prints a header only when a
//!   table's columns differ from the last header it printed (or nothing was
//!   printed yet); a table with no rows prints nothing at all.
//! - Every object is printed through its own tab writer (Helm hands the
//!   printer a plain buffer, so kubectl wraps it anew for each call), so
//!   columns line up within one object's table, not across objects.
//! - Columns with a non-zero priority are the `-o wide` ones and are left out.
//! - A cell is cut at its first line break (with `...` appended), and
//!   terminal escapes are made visible.

use crate::release::record::GoTime;
use serde_json::Value as Json;

/// Prints the tables of one release's resources, section after section.
///
/// Keeps what kubectl's printer remembers between calls: the last columns
/// it printed a header for, and whether its default NAME/AGE printer has
/// printed its header.
#[derive(Debug)]
pub struct TablePrinter {
    last_columns: Option<Json>,
    printed_headers: bool,
    printed_default: bool,
    now: GoTime,
}

impl TablePrinter {
    /// A printer that computes the ages it has to compute itself (objects
    /// the server did not send as tables) against `now`.
    pub fn new(now: GoTime) -> Self {
        TablePrinter {
            last_columns: None,
            printed_headers: false,
            printed_default: false,
            now,
        }
    }

    /// Appends one object to `out`. A `Table` prints as kubectl prints it;
    /// anything else (a server that does not serve tables) with kubectl's
    /// default NAME and AGE columns.
    pub fn print(&mut self, object: &Json, out: &mut String) {
        let is_table = object.get("kind").and_then(Json::as_str) == Some("Table")
            && object
                .get("apiVersion")
                .and_then(Json::as_str)
                .is_some_and(|v| v.starts_with("meta.k8s.io/"));
        if !is_table {
            self.print_default(object, out);
            return;
        }
        let empty = Vec::new();
        let columns = object
            .get("columnDefinitions")
            .and_then(Json::as_array)
            .unwrap_or(&empty);
        let rows = object
            .get("rows")
            .and_then(Json::as_array)
            .unwrap_or(&empty);
        let columns_json = Json::Array(columns.clone());
        let mut no_headers = false;
        if self.printed_headers
            && (columns.is_empty() || self.last_columns.as_ref() == Some(&columns_json))
        {
            no_headers = true;
        }
        let columns: Vec<Json> = if columns.is_empty() {
            // Tables without columns reuse the last ones (as kubectl does for watches).
            match &self.last_columns {
                Some(Json::Array(last)) => last.clone(),
                _ => Vec::new(),
            }
        } else {
            if self.last_columns.as_ref() != Some(&columns_json) {
                self.last_columns = Some(columns_json);
                self.printed_headers = false;
            }
            columns.clone()
        };
        if !rows.is_empty() {
            self.printed_headers = true;
        }
        out.push_str(&table_text(&columns, rows, no_headers));
    }

    /// kubectl's default printer: NAME and AGE (from `creationTimestamp`,
    /// against this printer's clock), one row per item of a list, the
    /// header only the first time.
    fn print_default(&mut self, object: &Json, out: &mut String) {
        let mut lines = Vec::new();
        if !self.printed_default {
            lines.push(vec!["NAME".to_string(), "AGE".to_string()]);
        }
        self.printed_default = true;
        let items = match object.get("items").and_then(Json::as_array) {
            Some(items) => items.iter().collect(),
            None => vec![object],
        };
        for item in items {
            let name = item.pointer("/metadata/name").and_then(Json::as_str);
            let created = item
                .pointer("/metadata/creationTimestamp")
                .and_then(Json::as_str)
                .and_then(|t| GoTime::parse(t).ok())
                .filter(|t| !t.is_zero());
            let age = match created {
                Some(t) => human_duration(
                    self.now.timestamp().as_nanosecond() - t.timestamp().as_nanosecond(),
                ),
                None => "<unknown>".to_string(),
            };
            lines.push(vec![name.unwrap_or("").to_string(), age]);
        }
        out.push_str(&tabwrite(&lines));
    }
}

/// Kubernetes' `duration.HumanDuration`: about two significant figures.
fn human_duration(nanos: i128) -> String {
    const SECOND: i128 = 1_000_000_000;
    let seconds = nanos / SECOND;
    if seconds < -1 {
        return "<invalid>".to_string();
    } else if seconds < 0 {
        return "0s".to_string();
    } else if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        return match seconds % 60 {
            0 => format!("{minutes}m"),
            s => format!("{minutes}m{s}s"),
        };
    } else if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        match minutes % 60 {
            0 => format!("{hours}h"),
            m => format!("{hours}h{m}m"),
        }
    } else if hours < 48 {
        format!("{hours}h")
    } else if hours < 24 * 8 {
        match hours % 24 {
            0 => format!("{}d", hours / 24),
            h => format!("{}d{h}h", hours / 24),
        }
    } else if hours < 24 * 365 * 2 {
        format!("{}d", hours / 24)
    } else if hours < 24 * 365 * 8 {
        match (hours / 24) % 365 {
            0 => format!("{}y", hours / 24 / 365),
            d => format!("{}y{d}d", hours / 24 / 365),
        }
    } else {
        format!("{}y", hours / 24 / 365)
    }
}

/// One table, headers first unless `no_headers`, through a fresh tab writer.
fn table_text(columns: &[Json], rows: &[Json], no_headers: bool) -> String {
    let shown: Vec<bool> = columns
        .iter()
        .map(|c| c.get("priority").and_then(Json::as_i64).unwrap_or(0) == 0)
        .collect();
    let mut lines: Vec<Vec<String>> = Vec::new();
    if !no_headers {
        if rows.is_empty() {
            return String::new();
        }
        lines.push(
            columns
                .iter()
                .zip(&shown)
                .filter(|(_, show)| **show)
                .map(|(c, _)| {
                    c.get("name")
                        .and_then(Json::as_str)
                        .unwrap_or("")
                        .to_uppercase()
                })
                .collect(),
        );
    }
    for row in rows {
        let empty = Vec::new();
        let cells = row.get("cells").and_then(Json::as_array).unwrap_or(&empty);
        // Cells past the column definitions are a server bug kubectl ignores.
        lines.push(
            cells
                .iter()
                .zip(&shown)
                .filter(|(_, show)| **show)
                .map(|(cell, _)| cell_text(cell))
                .collect(),
        );
    }
    tabwrite(&lines)
}

/// A cell as kubectl prints it: Go's `fmt.Sprint` of the decoded JSON value
/// with terminal escapes made visible; a string is also cut at its first
/// line break.
fn cell_text(cell: &Json) -> String {
    let Json::String(text) = cell else {
        return escape_terminal(&go_sprint(cell));
    };
    match text.find(['\n', '\r', '\x0c']) {
        Some(cut) => format!("{}...", escape_terminal(&text[..cut])),
        None => escape_terminal(text),
    }
}

/// kubectl's terminal escaping of cell text.
fn escape_terminal(text: &str) -> String {
    text.replace('\x1b', "^[").replace('\r', "\\r")
}

/// `fmt.Sprint` of a value decoded from JSON the way Kubernetes decodes
/// unstructured objects (whole numbers as int64, others as float64).
fn go_sprint(value: &Json) -> String {
    match value {
        Json::Null => String::new(),
        Json::Bool(b) => b.to_string(),
        Json::String(s) => s.clone(),
        Json::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (None, Some(u), _) => u.to_string(),
            (None, None, Some(f)) => go_float(f),
            _ => n.to_string(),
        },
        Json::Array(items) => {
            let inner: Vec<String> = items.iter().map(go_sprint_nested).collect();
            format!("[{}]", inner.join(" "))
        }
        Json::Object(map) => {
            let mut entries: Vec<(&String, &Json)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let inner: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{k}:{}", go_sprint_nested(v)))
                .collect();
            format!("map[{}]", inner.join(" "))
        }
    }
}

/// Inside a slice or map Go prints `nil` as `<nil>`.
fn go_sprint_nested(value: &Json) -> String {
    match value {
        Json::Null => "<nil>".to_string(),
        other => go_sprint(other),
    }
}

/// Go's `%v` of a float64 (`%g` with the shortest digits that round-trip):
/// exponent form when the decimal exponent is below -4 or at least 6, the
/// precision `strconv` uses for that decision when printing shortest.
fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    // `{:e}` gives the shortest round-tripping digits as d.ddde±x.
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if negative { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{frac}e{esign}{:02}", exp.abs());
    }
    let point = exp + 1;
    if point <= 0 {
        let zeros = "0".repeat(point.unsigned_abs() as usize);
        format!("{sign}0.{zeros}{digits}")
    } else if point as usize >= digits.len() {
        let zeros = "0".repeat(point as usize - digits.len());
        format!("{sign}{digits}{zeros}")
    } else {
        let (int, frac) = digits.split_at(point as usize);
        format!("{sign}{int}.{frac}")
    }
}

/// Go's `text/tabwriter` as kubectl configures it (minimum cell width 6,
/// padding 3, spaces), for lines whose cells are all tab-terminated but the
/// last: each column is as wide as its widest cell plus the padding, and the
/// last cell of a line is written as is.
fn tabwrite(lines: &[Vec<String>]) -> String {
    const MIN_WIDTH: usize = 6;
    const PADDING: usize = 3;
    let width = |s: &str| s.chars().count();
    let mut out = String::new();
    // A column's block is the run of consecutive lines that have a cell in
    // it that is followed by another one (Go aligns block by block).
    let columns = lines.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![vec![0usize; columns]; lines.len()];
    for col in 0..columns {
        let mut start = 0;
        while start < lines.len() {
            if lines[start].len() <= col + 1 {
                start += 1;
                continue;
            }
            let mut end = start;
            while end < lines.len() && lines[end].len() > col + 1 {
                end += 1;
            }
            let w = lines[start..end]
                .iter()
                .map(|l| width(&l[col]) + PADDING)
                .max()
                .unwrap_or(0)
                .max(MIN_WIDTH);
            for row in &mut widths[start..end] {
                row[col] = w;
            }
            start = end;
        }
    }
    for (line, line_widths) in lines.iter().zip(&widths) {
        for (i, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < line.len() {
                let pad = line_widths[i].saturating_sub(width(cell));
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn printer() -> TablePrinter {
        TablePrinter::new(GoTime::parse("2026-05-01T12:00:00Z").unwrap())
    }

    fn table(columns: Json, rows: Json) -> Json {
        json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "columnDefinitions": columns, "rows": rows})
    }

    fn cm_columns() -> Json {
        json!([
            {"name": "Name", "type": "string", "format": "name", "priority": 0},
            {"name": "Data", "type": "integer", "priority": 0},
            {"name": "Age", "type": "string", "priority": 0}
        ])
    }

    #[test]
    fn each_object_is_aligned_on_its_own_and_repeated_headers_are_dropped() {
        let mut p = printer();
        let mut out = String::new();
        p.print(
            &table(cm_columns(), json!([{"cells": ["demo-settings", 1, "5s"]}])),
            &mut out,
        );
        p.print(
            &table(cm_columns(), json!([{"cells": ["x", 2, "5s"]}])),
            &mut out,
        );
        assert_eq!(
            out,
            "NAME            DATA   AGE\ndemo-settings   1      5s\nx     2     5s\n"
        );
    }

    #[test]
    fn new_columns_print_a_header_and_wide_columns_are_hidden() {
        let mut p = printer();
        let mut out = String::new();
        p.print(
            &table(cm_columns(), json!([{"cells": ["a", 1, "1m"]}])),
            &mut out,
        );
        let svc = json!([
            {"name": "Name", "type": "string", "priority": 0},
            {"name": "Type", "type": "string", "priority": 0},
            {"name": "Selector", "type": "string", "priority": 1},
            {"name": "Age", "type": "string", "priority": 0}
        ]);
        p.print(
            &table(
                svc,
                json!([{"cells": ["web", "ClusterIP", "app=web", "2m"]}]),
            ),
            &mut out,
        );
        assert_eq!(
            out,
            "NAME   DATA   AGE\na      1      1m\nNAME   TYPE        AGE\nweb    ClusterIP   2m\n"
        );
    }

    #[test]
    fn a_table_without_rows_prints_nothing_and_keeps_the_next_header() {
        let mut p = printer();
        let mut out = String::new();
        p.print(&table(cm_columns(), json!([])), &mut out);
        assert_eq!(out, "");
        p.print(
            &table(cm_columns(), json!([{"cells": ["a", 0, "1s"]}])),
            &mut out,
        );
        assert_eq!(out, "NAME   DATA   AGE\na      0      1s\n");
    }

    #[test]
    fn many_rows_of_one_table_line_up() {
        let mut p = printer();
        let mut out = String::new();
        let cols = json!([
            {"name": "Name", "type": "string", "priority": 0},
            {"name": "Ready", "type": "string", "priority": 0},
            {"name": "Age", "type": "string", "priority": 0}
        ]);
        p.print(
            &table(
                cols,
                json!([{"cells": ["web-7d9f-abcde", "0/1", "3s"]}, {"cells": ["w", "1/1", "10d"]}]),
            ),
            &mut out,
        );
        assert_eq!(
            out,
            "NAME             READY   AGE\nweb-7d9f-abcde   0/1     3s\nw                1/1     10d\n"
        );
    }

    #[test]
    fn cells_follow_go_formatting() {
        assert_eq!(cell_text(&json!(null)), "");
        assert_eq!(cell_text(&json!(true)), "true");
        assert_eq!(cell_text(&json!(2.0)), "2");
        assert_eq!(cell_text(&json!(0.25)), "0.25");
        assert_eq!(cell_text(&json!(1e21)), "1e+21");
        assert_eq!(cell_text(&json!(1e-5)), "1e-05");
        assert_eq!(cell_text(&json!(123456789.5)), "1.234567895e+08");
        assert_eq!(cell_text(&json!(100000.5)), "100000.5");
        assert_eq!(cell_text(&json!(-0.001)), "-0.001");
        assert_eq!(cell_text(&json!(["a", 1])), "[a 1]");
        assert_eq!(cell_text(&json!({"b": 1, "a": null})), "map[a:<nil> b:1]");
        assert_eq!(cell_text(&json!("one\ntwo")), "one...");
        assert_eq!(cell_text(&json!(["a\rb"])), "[a\\rb]");
        assert_eq!(cell_text(&json!("\u{1b}[31mred")), "^[[31mred");
    }

    #[test]
    fn objects_that_are_not_tables_print_name_and_age() {
        let mut p = printer();
        let mut out = String::new();
        let cm = |name: &str, created: &str| json!({"kind": "ConfigMap", "metadata": {"name": name, "creationTimestamp": created}});
        p.print(&cm("a", "2026-05-01T11:55:30Z"), &mut out);
        p.print(
            &json!({"kind": "PodList", "items": [
                {"metadata": {"name": "pod-one", "creationTimestamp": "2026-04-28T10:00:00Z"}},
                {"metadata": {"name": "p"}}
            ]}),
            &mut out,
        );
        assert_eq!(
            out,
            "NAME   AGE\na      4m30s\npod-one   3d2h\np         <unknown>\n"
        );
    }

    #[test]
    fn ages_follow_kubernetes_human_duration() {
        let s = |n: i128| human_duration(n * 1_000_000_000);
        assert_eq!(s(-5), "<invalid>");
        assert_eq!(s(0), "0s");
        assert_eq!(s(119), "119s");
        assert_eq!(s(120), "2m");
        assert_eq!(s(9 * 60 + 59), "9m59s");
        assert_eq!(s(179 * 60), "179m");
        assert_eq!(s(3 * 3600 + 60), "3h1m");
        assert_eq!(s(47 * 3600), "47h");
        assert_eq!(s(7 * 86400), "7d");
        assert_eq!(s(400 * 86400), "400d");
        assert_eq!(s(3 * 365 * 86400 + 5 * 86400), "3y5d");
        assert_eq!(s(9 * 365 * 86400), "9y");
    }
}
