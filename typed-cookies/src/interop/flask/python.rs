//! The text forms of the Python values Flask's tagged JSON carries, as Python writes and reads
//! them: `uuid.UUID` (`.hex`, and what `UUID(…)` accepts) and werkzeug's `http_date` /
//! `parse_date` (an IMF-fixdate, `Wed, 21 Oct 2015 07:28:00 GMT`, read the way `email.utils`
//! reads it).

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// The years a Flask datetime round-trips: Python's `datetime` stops at 9999, and
/// `email.utils` reads a year below 100 as 19xx/20xx.
pub(super) const DATETIME_YEARS: std::ops::RangeInclusive<i32> = 100..=9999;

/// What `uuid.UUID(text)` accepts: 32 hex digits, with or without hyphens and braces and a
/// `urn:uuid:` prefix.
pub(super) fn parse_uuid(text: &str) -> Option<u128> {
    let text = text.strip_prefix("urn:").unwrap_or(text);
    let text = text.strip_prefix("uuid:").unwrap_or(text);
    let hex: String = text
        .chars()
        .filter(|c| !matches!(c, '{' | '}' | '-'))
        .collect();
    if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u128::from_str_radix(&hex, 16).ok()
}

/// `UUID.hex`: 32 lowercase hex digits, what Flask's ` u` tag holds.
pub(super) fn uuid_hex(id: u128) -> String {
    format!("{id:032x}")
}

/// `str(UUID)`: the hyphenated form.
pub(super) fn uuid_hyphenated(id: u128) -> String {
    let h = uuid_hex(id);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// RFC 3339, the form a datetime takes outside Flask's tagged JSON.
pub(super) fn format_rfc3339(at: OffsetDateTime) -> Option<String> {
    at.format(&Rfc3339).ok()
}

/// Parses RFC 3339.
pub(super) fn parse_rfc3339(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// werkzeug's `http_date`: `Wed, 21 Oct 2015 07:28:00 GMT` (UTC, whole seconds); `None`
/// unless the year *in UTC* is one of [`DATETIME_YEARS`] (what Flask reads back as written;
/// the local year can be one while the UTC year is not, or not even representable).
pub(super) fn format_http_date(at: OffsetDateTime) -> Option<String> {
    let at = at
        .checked_to_offset(UtcOffset::UTC)
        .filter(|at| DATETIME_YEARS.contains(&at.year()))?;
    Some(format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[at.weekday().number_days_from_monday() as usize],
        at.day(),
        MONTHS[at.month() as usize - 1],
        at.year(),
        at.hour(),
        at.minute(),
        at.second()
    ))
}

/// The IMF-fixdate werkzeug writes, read as `email.utils` does: the weekday is not checked,
/// and a year below 100 is 2000–2068 or 1969–1999 (so werkzeug's `0050` comes back as 2050).
pub(super) fn parse_http_date(text: &str) -> Option<OffsetDateTime> {
    let (_, rest) = text.split_once(", ")?;
    let mut parts = rest.split(' ');
    let day: u8 = parts.next()?.parse().ok()?;
    let month = parts.next()?;
    let month = MONTHS.iter().position(|m| *m == month)? as u8 + 1;
    let mut year: i32 = parts.next()?.parse().ok()?;
    if year < 100 {
        year += if year > 68 { 1900 } else { 2000 };
    }
    let mut hms = parts.next()?.split(':').map(|p| p.parse::<u8>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    if hms.next().is_some()
        || !matches!(parts.next()?, "GMT" | "UTC" | "+0000")
        || parts.next().is_some()
    {
        return None;
    }
    let date = Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()?;
    let time = Time::from_hms(h, m, s).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_round_trip() {
        let at = OffsetDateTime::from_unix_timestamp(1_445_412_480).unwrap();
        let text = format_http_date(at).unwrap();
        assert_eq!(text, "Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(parse_http_date(&text), Some(at));
        // email.utils: two-digit years.
        let y2050 = parse_http_date("Sat, 01 Jan 0050 00:00:00 GMT").unwrap();
        assert_eq!(y2050.year(), 2050);
        assert_eq!(
            parse_http_date("Sat, 01 Jan 0099 00:00:00 GMT")
                .unwrap()
                .year(),
            1999
        );
        assert_eq!(parse_http_date("Wed, 21 Oct 2015 07:28:00:01 GMT"), None);
        assert_eq!(parse_http_date("yesterday"), None);
    }

    #[test]
    fn http_dates_are_written_only_for_years_flask_reads_back_in_utc() {
        let at = |rfc3339: &str| OffsetDateTime::parse(rfc3339, &Rfc3339).unwrap();
        // The local year is in range, the UTC one is not (past 9999 it is not even
        // representable here: the checked conversion, not a panic).
        assert_eq!(format_http_date(at("9999-12-31T23:00:00-05:00")), None);
        assert_eq!(format_http_date(at("0100-01-01T00:00:00+01:00")), None);
        // The edges themselves, in UTC.
        assert_eq!(
            format_http_date(at("9999-12-31T18:59:59-05:00")).as_deref(),
            Some("Fri, 31 Dec 9999 23:59:59 GMT")
        );
        assert_eq!(
            format_http_date(at("0100-01-01T01:00:00+01:00")).as_deref(),
            Some("Fri, 01 Jan 0100 00:00:00 GMT")
        );
        assert_eq!(format_http_date(at("0099-12-31T23:59:59Z")), None);
    }

    #[test]
    fn uuids_like_python() {
        let id = 0x12345678_1234_5678_1234_567812345678;
        assert_eq!(uuid_hyphenated(id), "12345678-1234-5678-1234-567812345678");
        assert_eq!(parse_uuid(&uuid_hyphenated(id)), Some(id));
        assert_eq!(
            parse_uuid("urn:uuid:{12345678123456781234567812345678}"),
            Some(id)
        );
        assert_eq!(parse_uuid("1234"), None);
    }
}
