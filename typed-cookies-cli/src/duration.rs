//! Durations on the command line: `90s`, `15m`, `2h`, `7d`, `2w`, or plain seconds (as the
//! derive's `max_age`).

use time::Duration;

/// Parses a positive duration.
pub fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (digits, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let n: i64 = digits.parse().map_err(|_| {
        format!("`{text}` is not a duration (e.g. 90s, 15m, 2h, 7d, 2w or seconds)")
    })?;
    let secs_per = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(format!("unknown unit `{unit}` (use s, m, h, d or w)")),
    };
    let secs = n
        .checked_mul(secs_per)
        .filter(|&s| s <= 100 * 365 * 86_400)
        .ok_or_else(|| format!("`{text}` is too long"))?;
    if secs == 0 {
        return Err(
            "a max age must be positive (use --no-expiry for values that never expire)".into(),
        );
    }
    Ok(Duration::seconds(secs))
}

/// `3d 4h`, `5m 2s`, `12s`: the two largest units of a duration.
pub fn human(d: Duration) -> String {
    let mut secs = d.whole_seconds().unsigned_abs();
    let mut parts = Vec::new();
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if secs >= size || (unit == "s" && parts.is_empty()) {
            parts.push(format!("{}{unit}", secs / size));
            secs %= size;
        }
    }
    parts.truncate(2);
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_refuses_nonsense() {
        assert_eq!(parse("90s"), Ok(Duration::seconds(90)));
        assert_eq!(parse("15m"), Ok(Duration::minutes(15)));
        assert_eq!(parse("2h"), Ok(Duration::hours(2)));
        assert_eq!(parse("7d"), Ok(Duration::days(7)));
        assert_eq!(parse("2w"), Ok(Duration::weeks(2)));
        assert_eq!(parse("3600"), Ok(Duration::hours(1)));
        for bad in ["", "0", "0s", "-5s", "5y", "h", "99999999999999999d"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn humanizes() {
        assert_eq!(human(Duration::seconds(0)), "0s");
        assert_eq!(human(Duration::seconds(302)), "5m 2s");
        assert_eq!(human(Duration::seconds(3 * 86_400 + 4 * 3600 + 5)), "3d 4h");
    }
}
