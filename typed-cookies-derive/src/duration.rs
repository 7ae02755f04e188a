//! Durations (`max_age`, `idle`, `refresh`): `"90s"`, `"15m"`, `"2h"`, `"7d"` or a whole number
//! of seconds, checked to be positive and at most 400 days, the longest lifetime browsers give
//! a cookie.

use crate::attr::MaxAge;

/// Seconds in each accepted unit.
const UNITS: &[(&str, u32)] = &[("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)];

/// 400 days: RFC 6265bis (section 5.5) has browsers cap `Max-Age`/`Expires` there, and Chromium
/// and Firefox do. A longer `max_age` would promise a lifetime the cookie never gets.
pub const MAX_SECONDS: u32 = 400 * 86_400;

/// The number of seconds of `max_age`, or an error message for the value's span.
pub fn seconds(max_age: &MaxAge) -> Result<u32, String> {
    seconds_of("max_age", max_age)
}

/// The number of seconds of the duration `key = value`, or an error message for its span.
pub fn seconds_of(key: &str, max_age: &MaxAge) -> Result<u32, String> {
    let positive = |what: &str| positive(key, what);
    let (digits, unit) = match max_age {
        MaxAge::Seconds { negative: true, .. } => return Err(positive("is negative")),
        MaxAge::Seconds {
            digits,
            negative: false,
        } => (digits.as_str(), "s"),
        MaxAge::Text(text) => {
            let text = text.trim();
            if text.starts_with('-') {
                return Err(positive("is negative"));
            }
            let split = text
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(text.len());
            let (digits, unit) = text.split_at(split);
            if digits.is_empty() {
                return Err(format!(
                    "`{key} = \"{text}\"` is not a duration; write a number and a unit, e.g. \"90s\", \"15m\", \"2h\" or \"7d\""
                ));
            }
            if unit.starts_with(['.', ',']) {
                return Err(format!(
                    "`{key} = \"{text}\"` is not a whole number; use a smaller unit, e.g. \"90m\" rather than \"1.5h\""
                ));
            }
            if unit.trim().is_empty() {
                return Err(format!(
                    "`{key} = \"{text}\"` has no unit; write e.g. \"{text}s\", or the bare number {text} for seconds"
                ));
            }
            (digits, unit.trim())
        }
    };
    let Some(&(_, scale)) = UNITS.iter().find(|(name, _)| *name == unit) else {
        return Err(format!(
            "unknown unit `{unit}` in `{key}`; use `s`, `m`, `h` or `d`, e.g. \"2h\""
        ));
    };
    let too_long = || {
        format!(
            "`{key}` is over 400 days: browsers cap cookie lifetimes at 400 days (RFC 6265bis), \
             so the cookie would be dropped before the value expires; use at most `{key} = \"400d\"`"
        )
    };
    let count: u32 = digits.parse().map_err(|_| too_long())?;
    let total = count.checked_mul(scale).ok_or_else(too_long)?;
    if total == 0 {
        return Err(positive("is zero"));
    }
    if total > MAX_SECONDS {
        return Err(too_long());
    }
    Ok(total)
}

fn positive(key: &str, what: &str) -> String {
    if key == "max_age" {
        format!("`max_age` {what}; it must be positive, e.g. `max_age = \"2h\"` (or write `no_expiry` to opt out)")
    } else {
        format!("`{key}` {what}; it must be positive, e.g. `{key} = \"30m\"`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Result<u32, String> {
        seconds(&MaxAge::Text(s.to_owned()))
    }

    #[test]
    fn units() {
        assert_eq!(text("90s"), Ok(90));
        assert_eq!(text("15m"), Ok(900));
        assert_eq!(text("2h"), Ok(7200));
        assert_eq!(text("7d"), Ok(604_800));
        assert_eq!(text(" 2 h "), Ok(7200));
        // The largest accepted value: 400 days, however it is written.
        assert_eq!(text("400d"), Ok(MAX_SECONDS));
        assert_eq!(text("9600h"), Ok(MAX_SECONDS));
        assert_eq!(text("34560000s"), Ok(MAX_SECONDS));
        assert_eq!(
            seconds(&MaxAge::Seconds {
                digits: "3600".into(),
                negative: false
            }),
            Ok(3600)
        );
    }

    #[test]
    fn refusals() {
        assert!(text("0s").unwrap_err().contains("zero"));
        assert!(text("-5m").unwrap_err().contains("negative"));
        assert!(text("3w").unwrap_err().contains("unknown unit `w`"));
        assert!(text("h").unwrap_err().contains("not a duration"));
        assert!(text("").unwrap_err().contains("not a duration"));
        assert!(text("1.5h").unwrap_err().contains("not a whole number"));
        assert!(text("3H").unwrap_err().contains("unknown unit `H`"));
        assert!(seconds(&MaxAge::Seconds {
            digits: "0".into(),
            negative: false
        })
        .unwrap_err()
        .contains("zero"));
        assert!(seconds(&MaxAge::Seconds {
            digits: "4294967296".into(),
            negative: false
        })
        .unwrap_err()
        .contains("over 400 days"));
        assert!(text("90").unwrap_err().contains("no unit"));
        assert!(text("401d").unwrap_err().contains("over 400 days"));
        assert!(text("34560001s").unwrap_err().contains("over 400 days"));
        assert!(text("9601h").unwrap_err().contains("over 400 days"));
        assert!(text("50000d").unwrap_err().contains("over 400 days"));
        assert!(text("4294967295s").unwrap_err().contains("over 400 days"));
        assert!(text("99999999999999999999s")
            .unwrap_err()
            .contains("over 400 days"));
        assert!(seconds(&MaxAge::Seconds {
            digits: "1".into(),
            negative: true
        })
        .unwrap_err()
        .contains("negative"));
    }
}
