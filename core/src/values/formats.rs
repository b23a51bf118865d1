//! The reasons Helm's schema validator (santhosh-tekuri/jsonschema) gives
//! when a string fails a `format`, for the formats charts use most. Which
//! strings fail is decided by the `jsonschema` crate; this only words why.

/// Helm's reason for `s` not being a valid `format`, when known.
pub(crate) fn reason(format: &str, s: &str) -> Option<String> {
    match format {
        "ipv4" => ipv4(s),
        "hostname" => hostname(s),
        "email" => email(s),
        "date" => date(s),
        _ => None,
    }
}

fn ipv4(s: &str) -> Option<String> {
    let groups: Vec<&str> = s.split('.').collect();
    if groups.len() != 4 {
        return Some("expected four decimals".into());
    }
    for g in groups {
        if g.len() > 1 && g.starts_with('0') {
            return Some("leading zeros".into());
        }
        match crate::strconv::atoi(g) {
            Ok(n) if (0..=255).contains(&n) => {}
            Ok(_) => return Some("decimal must be between 0 and 255".into()),
            Err(e) => return Some(e.to_string()),
        }
    }
    None
}

fn hostname(s: &str) -> Option<String> {
    let s = s.strip_suffix('.').unwrap_or(s);
    if s.len() > 253 {
        return Some("more than 253 characters long".into());
    }
    for label in s.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Some("label must be 1 to 63 characters long".into());
        }
        if label.starts_with('-') {
            return Some("label starts with hyphen".into());
        }
        if label.ends_with('-') {
            return Some("label ends with hyphen".into());
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Some(format!(
                "invalid character {}",
                crate::strconv::quote_rune(c)
            ));
        }
    }
    None
}

fn email(s: &str) -> Option<String> {
    if s.len() > 254 {
        return Some("more than 255 characters long".into());
    }
    let Some(at) = s.rfind('@') else {
        return Some("missing @".into());
    };
    let (local, domain) = (&s[..at], &s[at + 1..]);
    if local.len() > 64 {
        return Some("local part more than 64 characters long".into());
    }
    if local.len() > 1 && local.starts_with('"') {
        let inner = &local[1..local.len() - 1];
        if inner.contains('\\') || inner.contains('"') {
            return Some("backslash and quote are not allowed within quoted local part".into());
        }
    } else {
        if local.starts_with('.') {
            return Some("starts with dot".into());
        }
        if local.ends_with('.') {
            return Some("ends with dot".into());
        }
        if local.contains("..") {
            return Some("consecutive dots".into());
        }
        if let Some(c) = local
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || ".!#$%&'*+-/=?^_`{|}~".contains(*c)))
        {
            return Some(format!(
                "invalid character {}",
                crate::strconv::quote_rune(c)
            ));
        }
    }
    if domain.starts_with('[') && domain.ends_with(']') && domain.len() >= 2 {
        let inner = &domain[1..domain.len() - 1];
        if inner.starts_with("IPv6:") {
            return None;
        }
        return ipv4(inner).map(|r| format!("invalid ipv4 address: {r}"));
    }
    hostname(domain).map(|r| format!("invalid domain: {r}"))
}

/// Go's `time.Parse("2006-01-02", s)` error, which Helm's validator reports.
fn date(s: &str) -> Option<String> {
    use crate::strconv::quote as q;
    const LAYOUT: &str = "2006-01-02";
    let cannot = |at: usize, elem: &str| {
        Some(format!(
            "parsing time {} as {}: cannot parse {} as {}",
            q(s),
            q(LAYOUT),
            q(s.get(at..).unwrap_or("")),
            q(elem)
        ))
    };
    let b = s.as_bytes();
    let digits = |from: usize, n: usize| -> Option<u32> {
        let part = b.get(from..from + n)?;
        part.iter().all(u8::is_ascii_digit).then(|| {
            part.iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
        })
    };
    let Some(year) = digits(0, 4) else {
        return cannot(0, "2006");
    };
    if b.get(4) != Some(&b'-') {
        return cannot(4, "-");
    }
    let Some(month) = digits(5, 2) else {
        return cannot(5, "01");
    };
    if !(1..=12).contains(&month) {
        return Some(format!("parsing time {}: month out of range", q(s)));
    }
    if b.get(7) != Some(&b'-') {
        return cannot(7, "-");
    }
    let Some(day) = digits(8, 2) else {
        return cannot(8, "02");
    };
    if day > 31 {
        return Some(format!("parsing time {}: day out of range", q(s)));
    }
    if b.len() > 10 {
        return Some(format!(
            "parsing time {}: extra text: {}",
            q(s),
            q(s.get(10..).unwrap_or(""))
        ));
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day < 1 || day > days_in_month {
        return Some(format!("parsing time {}: day out of range", q(s)));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::reason;

    #[test]
    fn reasons() {
        assert_eq!(reason("email", "nobody").as_deref(), Some("missing @"));
        assert_eq!(
            reason("email", "a..b@x.io").as_deref(),
            Some("consecutive dots")
        );
        assert_eq!(
            reason("email", "a@bad_host").as_deref(),
            Some("invalid domain: invalid character '_'")
        );
        assert_eq!(
            reason("ipv4", "1.2.3").as_deref(),
            Some("expected four decimals")
        );
        assert_eq!(
            reason("ipv4", "1.2.3.256").as_deref(),
            Some("decimal must be between 0 and 255")
        );
        assert_eq!(
            reason("hostname", "-a.io").as_deref(),
            Some("label starts with hyphen")
        );
        assert_eq!(
            reason("date", "2024-13-01").as_deref(),
            Some("parsing time \"2024-13-01\": month out of range")
        );
        assert_eq!(
            reason("date", "2023-02-29").as_deref(),
            Some("parsing time \"2023-02-29\": day out of range")
        );
        assert_eq!(
            reason("date", "24-01-01").as_deref(),
            Some(
                "parsing time \"24-01-01\" as \"2006-01-02\": cannot parse \"24-01-01\" as \"2006\""
            )
        );
        assert_eq!(reason("uri", "x"), None);
    }
}
