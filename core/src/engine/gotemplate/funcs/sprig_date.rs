//! Sprig's date functions over a Go-like `time.Time` object, with Go's
//! reference-time layouts (`2006-01-02 15:04:05`). Times live in UTC (the
//! render host's `Local` is taken to be UTC); `dateInZone` and
//! `htmlDateInZone` format in any zone of the IANA database (jiff's bundled
//! copy, so output does not depend on the host), and unknown zone names fall
//! back to UTC, as Sprig does when `time.LoadLocation` fails.

use super::helm_duration::{Duration, parse_duration};
use super::{FuncTable, Param, add, s};
use crate::engine::gotemplate::exec::GoError;
use crate::engine::gotemplate::funcs::Param as P;
use crate::engine::gotemplate::value::{GoObject, Value};
use std::rc::Rc;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// A UTC instant (Go `time.Time` in the UTC location).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Time {
    /// Seconds since the Unix epoch.
    pub secs: i64,
    /// Nanoseconds within the second.
    pub nanos: u32,
}

/// Days since 1970-01-01 → (year, month 1-12, day 1-31).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) → days since 1970-01-01.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

struct Parts {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    min: u32,
    sec: u32,
    weekday: usize,
    yday: u32,
}

impl Time {
    /// `t.Add(d)` for `d` nanoseconds.
    pub fn add(self, d: i64) -> Time {
        let total = i128::from(self.nanos) + i128::from(d);
        let secs = self.secs + total.div_euclid(1_000_000_000) as i64;
        Time {
            secs,
            nanos: total.rem_euclid(1_000_000_000) as u32,
        }
    }

    /// The current time.
    pub fn now() -> Time {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Time {
            secs: d.as_secs() as i64,
            nanos: d.subsec_nanos(),
        }
    }

    fn parts(&self) -> Parts {
        self.parts_at(0)
    }

    /// Calendar fields of this instant at `offset` seconds east of UTC.
    fn parts_at(&self, offset: i32) -> Parts {
        let local = self.secs.saturating_add(i64::from(offset));
        let days = local.div_euclid(86_400);
        let rem = local.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        Parts {
            year,
            month,
            day,
            hour: rem / 3600,
            min: rem / 60 % 60,
            sec: rem % 60,
            weekday: (days + 4).rem_euclid(7) as usize,
            yday: (days - days_from_civil(year, 1, 1) + 1) as u32,
        }
    }

    /// Go's `Time.Format` with a reference-time layout, in UTC.
    pub fn format(&self, layout: &str) -> String {
        self.format_in(layout, &Zone::utc())
    }

    /// Go's `t.In(loc).Format(layout)`.
    pub fn format_in(&self, layout: &str, zone: &Zone) -> String {
        let (offset, abbrev) = zone.at(self);
        self.format_at(layout, offset, &abbrev)
    }

    /// Go's `Format` for a time in a fixed zone `offset` seconds east of
    /// UTC named `abbrev` (what the `MST` element prints).
    pub fn format_at(&self, layout: &str, offset: i32, abbrev: &str) -> String {
        let p = self.parts_at(offset);
        let mut out = String::new();
        let mut rest = layout;
        while !rest.is_empty() {
            let (tok, len) = next_token(rest);
            let lit = &rest[..len];
            rest = &rest[len..];
            match tok {
                Tok::Lit => out.push_str(lit),
                Tok::LongMonth => out.push_str(MONTHS[p.month as usize - 1]),
                Tok::Month => out.push_str(&MONTHS[p.month as usize - 1][..3]),
                Tok::NumMonth => out.push_str(&p.month.to_string()),
                Tok::ZeroMonth => out.push_str(&format!("{:02}", p.month)),
                Tok::LongWeekDay => out.push_str(DAYS[p.weekday]),
                Tok::WeekDay => out.push_str(&DAYS[p.weekday][..3]),
                Tok::Day => out.push_str(&p.day.to_string()),
                Tok::UnderDay => out.push_str(&format!("{:>2}", p.day)),
                Tok::ZeroDay => out.push_str(&format!("{:02}", p.day)),
                Tok::UnderYearDay => out.push_str(&format!("{:>3}", p.yday)),
                Tok::ZeroYearDay => out.push_str(&format!("{:03}", p.yday)),
                Tok::Hour => out.push_str(&format!("{:02}", p.hour)),
                Tok::Hour12 | Tok::ZeroHour12 => {
                    let h = if p.hour.is_multiple_of(12) {
                        12
                    } else {
                        p.hour % 12
                    };
                    if tok == Tok::Hour12 {
                        out.push_str(&h.to_string());
                    } else {
                        out.push_str(&format!("{h:02}"));
                    }
                }
                Tok::Minute => out.push_str(&p.min.to_string()),
                Tok::ZeroMinute => out.push_str(&format!("{:02}", p.min)),
                Tok::Second => out.push_str(&p.sec.to_string()),
                Tok::ZeroSecond => out.push_str(&format!("{:02}", p.sec)),
                Tok::LongYear => out.push_str(&format!("{:04}", p.year)),
                Tok::Year => out.push_str(&format!("{:02}", p.year.rem_euclid(100))),
                Tok::PM => out.push_str(if p.hour >= 12 { "PM" } else { "AM" }),
                Tok::Pm => out.push_str(if p.hour >= 12 { "pm" } else { "am" }),
                // Go prints the abbreviation, or -0700 style when the
                // zone has none.
                Tok::TZ if abbrev.is_empty() => out.push_str(&numeric_zone("-0700", offset)),
                Tok::TZ => out.push_str(abbrev),
                Tok::IsoZ if offset == 0 => out.push('Z'),
                Tok::IsoZ => out.push_str(&numeric_zone(&lit[1..], offset)),
                Tok::NumTZ => out.push_str(&numeric_zone(&lit[1..], offset)),
                Tok::Frac { digits, trim } => {
                    let f = format!("{:09}", self.nanos);
                    let mut f = f[..digits.min(9)].to_string();
                    if trim {
                        while f.ends_with('0') {
                            f.pop();
                        }
                        if !f.is_empty() {
                            out.push_str(&lit[..1]);
                            out.push_str(&f);
                        }
                    } else {
                        out.push_str(&lit[..1]);
                        out.push_str(&f);
                    }
                }
            }
        }
        out
    }
}

/// A Go `*time.Location`: UTC, or a zone of the IANA database.
#[derive(Debug, Clone)]
pub struct Zone(Option<jiff::tz::TimeZone>);

impl Zone {
    /// UTC (also the render host's `Local`).
    pub fn utc() -> Zone {
        Zone(None)
    }

    /// Sprig's `time.LoadLocation(name)` falling back to UTC: `""`,
    /// `"UTC"` and `"Local"` are UTC, unknown names too.
    pub fn load(name: &str) -> Zone {
        match name {
            "" | "UTC" | "Local" => Zone::utc(),
            _ => Zone(jiff::tz::TimeZone::get(name).ok()),
        }
    }

    /// Offset east of UTC (seconds) and abbreviation in effect at `t`.
    fn at(&self, t: &Time) -> (i32, String) {
        let Some(tz) = &self.0 else {
            return (0, "UTC".into());
        };
        match jiff::Timestamp::from_second(t.secs) {
            Ok(ts) => {
                let info = tz.to_offset_info(ts);
                (info.offset().seconds(), info.abbreviation().to_string())
            }
            // Outside jiff's range (years beyond ±9999): no zone data.
            Err(_) => (0, "UTC".into()),
        }
    }
}

/// Go's numeric zone for a layout element without its leading sign or `Z`
/// (`0700`, `07:00`, `07`, `070000`, `07:00:00`).
fn numeric_zone(element: &str, offset: i32) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let abs = offset.unsigned_abs();
    let (h, m, sec) = (abs / 3600, abs / 60 % 60, abs % 60);
    match element {
        "07" => format!("{sign}{h:02}"),
        "07:00" => format!("{sign}{h:02}:{m:02}"),
        "070000" => format!("{sign}{h:02}{m:02}{sec:02}"),
        "07:00:00" => format!("{sign}{h:02}:{m:02}:{sec:02}"),
        _ => format!("{sign}{h:02}{m:02}"),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tok {
    Lit,
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    TZ,
    IsoZ,
    NumTZ,
    Frac { digits: usize, trim: bool },
}

/// Go's `nextStdChunk`, one token at a time: the token at the start of
/// `s` and its length (literal runs are returned one character at a time).
fn next_token(s: &str) -> (Tok, usize) {
    const TABLE: &[(&str, Tok)] = &[
        ("January", Tok::LongMonth),
        ("Jan", Tok::Month),
        ("Monday", Tok::LongWeekDay),
        ("Mon", Tok::WeekDay),
        ("MST", Tok::TZ),
        ("002", Tok::ZeroYearDay),
        ("01", Tok::ZeroMonth),
        ("02", Tok::ZeroDay),
        ("03", Tok::ZeroHour12),
        ("04", Tok::ZeroMinute),
        ("05", Tok::ZeroSecond),
        ("06", Tok::Year),
        ("15", Tok::Hour),
        ("1", Tok::NumMonth),
        ("2006", Tok::LongYear),
        ("2", Tok::Day),
        ("__2", Tok::UnderYearDay),
        ("_2", Tok::UnderDay),
        ("3", Tok::Hour12),
        ("4", Tok::Minute),
        ("5", Tok::Second),
        ("PM", Tok::PM),
        ("pm", Tok::Pm),
        ("-07:00:00", Tok::NumTZ),
        ("-070000", Tok::NumTZ),
        ("-07:00", Tok::NumTZ),
        ("-0700", Tok::NumTZ),
        ("-07", Tok::NumTZ),
        ("Z07:00:00", Tok::IsoZ),
        ("Z070000", Tok::IsoZ),
        ("Z07:00", Tok::IsoZ),
        ("Z0700", Tok::IsoZ),
        ("Z07", Tok::IsoZ),
    ];
    let b = s.as_bytes();
    if (b[0] == b'.' || b[0] == b',') && b.len() > 1 && (b[1] == b'0' || b[1] == b'9') {
        let ch = b[1];
        let n = b[1..].iter().take_while(|c| **c == ch).count();
        if !b.get(1 + n).is_some_and(u8::is_ascii_digit) {
            return (
                Tok::Frac {
                    digits: n,
                    trim: ch == b'9',
                },
                1 + n,
            );
        }
    }
    for (pat, tok) in TABLE {
        if let Some(after) = s.strip_prefix(pat) {
            // "Jan"/"Mon" must not run into a lower-case letter ("Month").
            if matches!(tok, Tok::Month | Tok::WeekDay)
                && after.starts_with(|c: char| c.is_ascii_lowercase())
            {
                continue;
            }
            return (*tok, pat.len());
        }
    }
    (Tok::Lit, s.chars().next().map_or(1, char::len_utf8))
}

/// Go's `time.Parse` for the numeric tokens charts use (UTC only).
fn parse(layout: &str, value: &str) -> Result<Time, String> {
    let err = || format!("parsing time {value:?} as {layout:?}: cannot parse");
    let (mut y, mut mo, mut d, mut h, mut mi, mut se, mut ns) =
        (1i64, 1u32, 1u32, 0u32, 0u32, 0u32, 0u32);
    let mut pm: Option<bool> = None;
    let mut rest = layout;
    let mut v = value;
    let num = |v: &mut &str, max: usize| -> Result<u32, String> {
        let n = v.chars().take(max).take_while(char::is_ascii_digit).count();
        if n == 0 {
            return Err(err());
        }
        let x = v[..n].parse::<u32>().map_err(|_| err())?;
        *v = &v[n..];
        Ok(x)
    };
    while !rest.is_empty() {
        let (tok, len) = next_token(rest);
        let lit = &rest[..len];
        rest = &rest[len..];
        match tok {
            Tok::Lit => {
                v = v.strip_prefix(lit).ok_or_else(err)?;
            }
            Tok::LongYear => y = i64::from(num(&mut v, 4)?),
            Tok::Year => y = 2000 + i64::from(num(&mut v, 2)?),
            Tok::ZeroMonth | Tok::NumMonth => mo = num(&mut v, 2)?,
            Tok::ZeroDay | Tok::Day => d = num(&mut v, 2)?,
            Tok::UnderDay => {
                v = v.trim_start_matches(' ');
                d = num(&mut v, 2)?;
            }
            Tok::Hour => h = num(&mut v, 2)?,
            Tok::Hour12 | Tok::ZeroHour12 => h = num(&mut v, 2)?,
            Tok::ZeroMinute | Tok::Minute => mi = num(&mut v, 2)?,
            Tok::ZeroSecond | Tok::Second => {
                se = num(&mut v, 2)?;
                // Go accepts a fractional second after seconds.
                if !rest.starts_with(['.', ','])
                    && v.starts_with('.')
                    && v[1..].starts_with(|c: char| c.is_ascii_digit())
                {
                    let digits: String = v[1..].chars().take_while(char::is_ascii_digit).collect();
                    ns = format!("{digits:0<9}")[..9].parse().unwrap_or(0);
                    v = &v[1 + digits.len()..];
                }
            }
            Tok::PM | Tok::Pm => {
                let up = v.get(..2).map(str::to_ascii_uppercase);
                pm = Some(up.as_deref() == Some("PM"));
                v = v.get(2..).ok_or_else(err)?;
            }
            Tok::Month | Tok::LongMonth => {
                let (i, name) = MONTHS
                    .iter()
                    .enumerate()
                    .find(|(_, m)| {
                        let pat = if tok == Tok::Month { &m[..3] } else { m };
                        v.starts_with(pat)
                    })
                    .ok_or_else(err)?;
                mo = i as u32 + 1;
                v = &v[if tok == Tok::Month { 3 } else { name.len() }..];
            }
            Tok::Frac { .. } => {
                if v.starts_with(['.', ',']) {
                    let digits: String = v[1..].chars().take_while(char::is_ascii_digit).collect();
                    ns = format!("{digits:0<9}")[..9].parse().unwrap_or(0);
                    v = &v[1 + digits.len()..];
                } else if !lit.contains('9') {
                    return Err(err());
                }
            }
            Tok::IsoZ if v.starts_with('Z') => v = &v[1..],
            Tok::TZ if v.starts_with("UTC") => v = &v[3..],
            _ => return Err(err()),
        }
    }
    if !v.is_empty() {
        return Err(format!("parsing time {value:?}: extra text: {v:?}"));
    }
    if let Some(is_pm) = pm {
        h = h % 12 + if is_pm { 12 } else { 0 };
    }
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 59 {
        return Err(format!("parsing time {value:?}: value out of range"));
    }
    let days = days_from_civil(y, mo, d);
    Ok(Time {
        secs: days * 86_400 + i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(se),
        nanos: ns,
    })
}

impl GoObject for Time {
    fn type_name(&self) -> String {
        "time.Time".into()
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn method_params(&self, name: &str) -> Option<&'static [P]> {
        match name {
            "Format" => Some(&[P::Str]),
            "Unix" | "UnixNano" | "Year" | "Month" | "Day" | "Hour" | "Minute" | "Second"
            | "YearDay" | "Weekday" | "UTC" | "Local" | "String" => Some(&[]),
            _ => None,
        }
    }
    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let p = self.parts();
        Some(Ok(match name {
            "Format" => Value::Str(self.format(args.first().and_then(Value::as_str).unwrap_or(""))),
            "Unix" => Value::Int64(self.secs),
            // Go's int64 arithmetic wraps here.
            "UnixNano" => Value::Int64(
                self.secs
                    .wrapping_mul(1_000_000_000)
                    .wrapping_add(i64::from(self.nanos)),
            ),
            "Year" => Value::Int(p.year),
            "Month" => Value::str(MONTHS[p.month as usize - 1]),
            "Day" => Value::Int(i64::from(p.day)),
            "Hour" => Value::Int(i64::from(p.hour)),
            "Minute" => Value::Int(i64::from(p.min)),
            "Second" => Value::Int(i64::from(p.sec)),
            "YearDay" => Value::Int(i64::from(p.yday)),
            "Weekday" => Value::str(DAYS[p.weekday]),
            "UTC" | "Local" => Value::Object(Rc::new(*self)),
            "String" => Value::Str(self.display()),
            _ => return None,
        }))
    }
    fn display(&self) -> String {
        self.format("2006-01-02 15:04:05.999999999 -0700 MST")
    }
    fn to_data(&self) -> Value {
        Value::Str(self.format("2006-01-02T15:04:05.999999999Z07:00"))
    }
}

/// The time a `date`-family argument denotes (Sprig: times, unix seconds,
/// anything else means now).
fn time_of(v: &Value) -> Time {
    match v {
        Value::Object(o) if o.type_name() == "time.Time" => {
            match (o.call("Unix", &[]), o.call("UnixNano", &[])) {
                (Some(Ok(Value::Int64(s))), Some(Ok(Value::Int64(n)))) => Time {
                    secs: s,
                    nanos: n.rem_euclid(1_000_000_000) as u32,
                },
                _ => Time::now(),
            }
        }
        Value::Int(i) | Value::Int64(i) => Time { secs: *i, nanos: 0 },
        _ => Time::now(),
    }
}

/// Sprig's `durationRound`: the largest whole unit (y, mo, d, h, m, s).
fn rough_duration(d: i64) -> String {
    let u = d.unsigned_abs();
    const SEC: u64 = 1_000_000_000;
    for (unit, size) in [
        ("y", SEC * 3600 * 24 * 365),
        ("mo", SEC * 3600 * 24 * 30),
        ("d", SEC * 3600 * 24),
        ("h", SEC * 3600),
        ("m", SEC * 60),
        ("s", SEC),
    ] {
        if u > size {
            return format!("{}{unit}", u / size);
        }
    }
    "0s".into()
}

/// Go's `Duration.String` for whole seconds.
fn duration_string(secs: i64) -> String {
    if secs == 0 {
        return "0s".into();
    }
    let neg = secs < 0;
    let mut a = secs.unsigned_abs();
    let h = a / 3600;
    a %= 3600;
    let m = a / 60;
    let s = a % 60;
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if h > 0 || m > 0 {
        out.push_str(&format!("{m}m"));
    }
    out.push_str(&format!("{s}s"));
    out
}

pub(super) fn register(t: &mut FuncTable) {
    use Param::*;
    add(t, "now", &[], |_, _| {
        Ok(Value::Object(Rc::new(Time::now())))
    });
    add(t, "date", &[Str, Any], |_, a| {
        Ok(Value::Str(time_of(&a[1]).format(s(&a[0]))))
    });
    add(t, "dateInZone", &[Str, Any, Str], |_, a| {
        let zone = Zone::load(s(&a[2]));
        Ok(Value::Str(time_of(&a[1]).format_in(s(&a[0]), &zone)))
    });
    add(t, "htmlDate", &[Any], |_, a| {
        Ok(Value::Str(time_of(&a[0]).format("2006-01-02")))
    });
    add(t, "htmlDateInZone", &[Any, Str], |_, a| {
        let zone = Zone::load(s(&a[1]));
        Ok(Value::Str(time_of(&a[0]).format_in("2006-01-02", &zone)))
    });
    add(t, "unixEpoch", &[Any], |_, a| {
        Ok(Value::Str(time_of(&a[0]).secs.to_string()))
    });
    add(t, "toDate", &[Str, Str], |_, a| {
        // Sprig ignores the error and returns the zero time.
        let t = parse(s(&a[0]), s(&a[1])).unwrap_or(Time {
            secs: -62_135_596_800,
            nanos: 0,
        });
        Ok(Value::Object(Rc::new(t)))
    });
    add(t, "mustToDate", &[Str, Str], |_, a| {
        parse(s(&a[0]), s(&a[1]))
            .map(|t| Value::Object(Rc::new(t)))
            .map_err(GoError::plain)
    });
    add(t, "dateModify", &[Str, Any], |_, a| {
        let t0 = time_of(&a[1]);
        Ok(Value::Object(Rc::new(match parse_duration(s(&a[0])) {
            Ok(d) => t0.add(d.0),
            Err(_) => t0,
        })))
    });
    add(t, "mustDateModify", &[Str, Any], |_, a| {
        let d = parse_duration(s(&a[0])).map_err(GoError::plain)?;
        Ok(Value::Object(Rc::new(time_of(&a[1]).add(d.0))))
    });
    add(t, "ago", &[Any], |_, a| {
        let then = time_of(&a[0]);
        let now = Time::now();
        let ns =
            (now.secs - then.secs) * 1_000_000_000 + i64::from(now.nanos) - i64::from(then.nanos);
        Ok(Value::Str(Duration(ns).round(1_000_000_000).go_string()))
    });
    add(t, "durationRound", &[Any], |_, a| {
        let d: i64 = match &a[0] {
            Value::Str(x) => parse_duration(x).map_or(0, |d| d.0),
            Value::Int64(n) => *n,
            v @ Value::Object(_) if v.type_name() == "time.Time" => {
                let then = time_of(v);
                let now = Time::now();
                (now.secs - then.secs) * 1_000_000_000
            }
            _ => 0,
        };
        Ok(Value::Str(rough_duration(d)))
    });
    add(t, "duration", &[Any], |_, a| {
        // Sprig reads only strings and int64s; anything else is zero.
        let n = match &a[0] {
            Value::Str(x) => x.parse::<i64>().unwrap_or(0),
            Value::Int64(n) => *n,
            _ => 0,
        };
        Ok(Value::Str(duration_string(n)))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected strings are Helm v4's output for the same instants
    // (tests/fixtures/engine/gaps, rendered with helm-render).
    #[test]
    fn formats_in_iana_zones_with_go_layouts() {
        let t = Time {
            secs: 1_717_245_000, // 2024-06-01 12:30:00 UTC
            nanos: 0,
        };
        let layout = "2006-01-02 15:04:05 -0700 MST";
        assert_eq!(
            t.format_in(layout, &Zone::load("Europe/Berlin")),
            "2024-06-01 14:30:00 +0200 CEST"
        );
        assert_eq!(
            t.format_in(layout, &Zone::load("Australia/Lord_Howe")),
            "2024-06-01 23:00:00 +1030 +1030"
        );
        // Unknown zones fall back to UTC, as Sprig does.
        assert_eq!(
            t.format_in(layout, &Zone::load("Nowhere/Invalid")),
            "2024-06-01 12:30:00 +0000 UTC"
        );
        let late = Time {
            secs: 1_735_687_800, // 2024-12-31 23:30 UTC
            nanos: 0,
        };
        assert_eq!(
            late.format_in("2006-01-02 15:04 Z07:00", &Zone::load("Asia/Kolkata")),
            "2025-01-01 05:00 +05:30"
        );
        assert_eq!(late.format_in("15:04 Z07:00", &Zone::utc()), "23:30 Z");
    }

    #[test]
    fn numeric_zones_follow_the_layout_element() {
        assert_eq!(numeric_zone("0700", -16_200), "-0430");
        assert_eq!(numeric_zone("07:00", 19_800), "+05:30");
        assert_eq!(numeric_zone("07", 3600), "+01");
        assert_eq!(numeric_zone("07:00:00", -3_723), "-01:02:03");
    }

    #[test]
    fn formats_with_go_layouts() {
        let t = parse("2006-01-02 15:04:05", "2024-03-05 13:07:09").unwrap();
        assert_eq!(
            t.format("Jan 2, 2006 at 3:04pm (MST)"),
            "Mar 5, 2024 at 1:07pm (UTC)"
        );
        assert_eq!(
            t.format("Monday 02/01/06 15h Z07:00 .000"),
            "Tuesday 05/03/24 13h Z .000"
        );
        assert_eq!(
            t.format("2006-01-02T15:04:05Z07:00"),
            "2024-03-05T13:07:09Z"
        );
        assert_eq!(t.format("002 __2 _2"), "065  65  5");
        assert_eq!(t.secs, 1_709_644_029);
    }

    #[test]
    fn civil_dates_round_trip() {
        for days in [-800_000i64, -1, 0, 59, 365, 11_016, 20_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert!(parse("2006-01-02", "2024-13-01").is_err());
    }

    #[test]
    fn durations_print_like_go() {
        assert_eq!(duration_string(3725), "1h2m5s");
        assert_eq!(duration_string(65), "1m5s");
        assert_eq!(duration_string(0), "0s");
    }
}
