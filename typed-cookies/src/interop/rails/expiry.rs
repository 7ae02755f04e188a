//! The text of a Rails message's expiry (`exp` in the metadata envelope): written as
//! `time.utc.iso8601(3)` writes it, read as Ruby's `Time.iso8601` reads it.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// `time.utc.iso8601(3)`: `2023-11-14T23:13:20.000Z` (milliseconds truncated; years kept
/// within 0000–9999, so a time past either end, in any offset, saturates to it).
pub(crate) fn format_exp(at: OffsetDateTime) -> String {
    let lo = PrimitiveDateTime::new(
        Date::from_calendar_date(0, Month::January, 1).unwrap_or(Date::MIN),
        Time::MIDNIGHT,
    )
    .assume_utc();
    let hi = PrimitiveDateTime::new(
        Date::from_calendar_date(9999, Month::December, 31).unwrap_or(Date::MAX),
        Time::from_hms_milli(23, 59, 59, 999).unwrap_or(Time::MIDNIGHT),
    )
    .assume_utc();
    let at = match at.checked_to_offset(UtcOffset::UTC) {
        Some(utc) => utc.clamp(lo, hi),
        // Outside `time`'s range once in UTC (its last day at −01:00, its first at +01:00):
        // past one end of 0000–9999 (comparing converts nothing, so it cannot fail).
        None if at > hi => hi,
        None => lo,
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// `Time.iso8601(text)` for what Rails writes and close variants:
/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH[[:]MM])`. A time without a zone (local time in Ruby)
/// is refused, and so is a zone offset of 24 hours or more (Ruby: `utc_offset out of range`).
pub(crate) fn parse_exp(text: &str) -> Option<OffsetDateTime> {
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let sep = |at: usize, c: u8| b.get(at).is_some_and(|&x| x.eq_ignore_ascii_case(&c));
    if !(sep(4, b'-') && sep(7, b'-') && sep(10, b'T') && sep(13, b':') && sep(16, b':')) {
        return None;
    }
    let year = i32::try_from(num(0, 4)?).ok()?;
    let month = Month::try_from(u8::try_from(num(5, 2)?).ok()?).ok()?;
    let date = Date::from_calendar_date(year, month, u8::try_from(num(8, 2)?).ok()?).ok()?;
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let mut at = 19;
    let mut nanos = 0u32;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            if at - start < 9 {
                nanos = nanos * 10 + u32::from(b[at] - b'0');
            }
            at += 1;
        }
        if at == start {
            return None;
        }
        for _ in (at - start)..9 {
            nanos *= 10;
        }
    }
    let offset = match b.get(at..)? {
        [b'Z' | b'z'] => UtcOffset::UTC,
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (h, m) = match rest {
                [_, _] => (num(at + 1, 2)?, 0),
                [_, _, _, _] => (num(at + 1, 2)?, num(at + 3, 2)?),
                [_, _, b':', _, _] => (num(at + 1, 2)?, num(at + 4, 2)?),
                _ => return None,
            };
            // `time` allows offsets up to ±25:59:59; Ruby only below ±24:00.
            if h >= 24 {
                return None;
            }
            let (h, m) = (i8::try_from(h).ok()?, i8::try_from(m).ok()?);
            let sign = if *sign == b'-' { -1 } else { 1 };
            UtcOffset::from_hms(sign * h, sign * m, 0).ok()?
        }
        _ => return None,
    };
    let time = Time::from_hms_nano(
        u8::try_from(hour).ok()?,
        u8::try_from(minute).ok()?,
        u8::try_from(second).ok()?,
        nanos,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interop::datetime;

    #[test]
    fn expiry_text_like_ruby() {
        // Time.at(1700000000).utc.iso8601(3)
        let at = datetime(1_700_000_000);
        assert_eq!(format_exp(at), "2023-11-14T22:13:20.000Z");
        assert_eq!(parse_exp("2023-11-14T22:13:20.000Z"), Some(at));
        assert_eq!(parse_exp("2023-11-14T22:13:20Z"), Some(at));
        assert_eq!(parse_exp("2023-11-14T23:13:20+01:00"), Some(at));
        assert_eq!(parse_exp("2023-11-14T23:13:20+0100"), Some(at));
        assert_eq!(parse_exp("2023-11-14T21:13:20-01"), Some(at));
        let ms = parse_exp("2023-11-14T22:13:20.123456789123Z").unwrap();
        assert_eq!(ms.nanosecond(), 123_456_789);
        assert_eq!(format_exp(ms), "2023-11-14T22:13:20.123Z");
        for bad in [
            "",
            "2023-11-14T22:13:20",
            "2023-11-14T22:13:20.Z",
            "2023-13-14T22:13:20Z",
            "2023-02-30T22:13:20Z",
            "2023-11-14T24:13:20Z",
            "2023-11-14 22:13:20Z",
            "2023-11-14T22:13:20+1",
            "2023-11-14T22:13:20+99:00",
            "2023-11-14T22:13:20Zjunk",
            "+023-11-14T22:13:20Z",
            "２０２３-11-14T22:13:20Z",
        ] {
            assert_eq!(parse_exp(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn zone_offsets_as_ruby_bounds_them() {
        // Ruby: Time.iso8601("2023-11-14T22:13:20+23:59") is fine, +24:00 raises.
        assert!(parse_exp("2023-11-14T22:13:20+23:59").is_some());
        assert!(parse_exp("2023-11-14T22:13:20-2359").is_some());
        for bad in [
            "2023-11-14T22:13:20+24:00",
            "2023-11-14T22:13:20-24",
            "2023-11-14T22:13:20+2559",
            "2023-11-14T22:13:20-25:59",
            "2023-11-14T22:13:20+01:60",
        ] {
            assert_eq!(parse_exp(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_ends_of_time_saturate_in_any_offset() {
        let max = PrimitiveDateTime::MAX;
        let min = PrimitiveDateTime::MIN;
        let offsets = [
            UtcOffset::UTC,
            UtcOffset::from_hms(-1, 0, 0).unwrap(),
            UtcOffset::from_hms(1, 0, 0).unwrap(),
            UtcOffset::from_hms(-25, -59, -59).unwrap(),
            UtcOffset::from_hms(25, 59, 59).unwrap(),
        ];
        for offset in offsets {
            // Past 9999 once in UTC, or within it (a positive offset moves the last
            // instant back into 9999-12-30/31): never a panic, never past 9999.
            let late = format_exp(max.assume_offset(offset));
            if offset.is_positive() {
                assert!(late.starts_with("9999-12-3"), "{offset}: {late}");
            } else {
                assert_eq!(late, "9999-12-31T23:59:59.999Z", "{offset}");
            }
            assert_eq!(
                format_exp(min.assume_offset(offset)),
                "0000-01-01T00:00:00.000Z",
                "{offset}"
            );
        }
        // Within range, an offset is converted, not dropped.
        let noon = datetime(1_700_000_000).to_offset(UtcOffset::from_hms(-5, 0, 0).unwrap());
        assert_eq!(format_exp(noon), "2023-11-14T22:13:20.000Z");
    }
}
