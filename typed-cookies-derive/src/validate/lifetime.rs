//! Lifetimes: `max_age` (or an explicit `no_expiry`), `idle` and `refresh`, and how a
//! duration is written — `"90s"`, `"15m"`, `"2h"`, `"7d"` or a whole number of seconds,
//! positive and at most 400 days, the longest lifetime browsers give a cookie.

use proc_macro2::Span;

use crate::attr::{DurationLit, RawAttrs, Spanned};
use crate::ctxt::Ctxt;

/// The checked lifetimes, in seconds (`None` where not given or refused).
pub struct Lifetimes {
    /// `None`: `no_expiry`.
    pub max_age: Option<u32>,
    pub idle: Option<u32>,
    pub refresh: Option<u32>,
    /// `flash`: read once, so never refreshed (no `idle` or `refresh`).
    pub flash: bool,
}

/// Checks `max_age` / `no_expiry`, then `idle` and `refresh` against them; a missing `max_age`
/// is reported on `anchor`.
pub fn check(raw: &RawAttrs, anchor: Span, cx: &Ctxt) -> Lifetimes {
    let max_age = match (&raw.max_age, raw.no_expiry) {
        (Some(_), Some(no_expiry)) => {
            cx.error(
                no_expiry,
                "`no_expiry` contradicts `max_age`; keep one of them",
            );
            None
        }
        (Some(max_age), None) => match seconds(&max_age.value) {
            Ok(secs) => Some(secs),
            Err(message) => {
                cx.error(max_age.span, message);
                None
            }
        },
        (None, Some(_)) => None,
        (None, None) if raw.mentions("max_age") || raw.mentions("no_expiry") => None,
        (None, None) => {
            cx.missing(
                anchor,
                "missing `max_age`, e.g. `max_age = \"2h\"`; a cookie that never expires must say `no_expiry` explicitly",
            );
            None
        }
    };
    let (idle, refresh) = idle_and_refresh(raw, max_age, cx);
    if let (Some(flash), true) = (raw.flash, raw.idle.is_some() || raw.refresh.is_some()) {
        cx.error(
            flash,
            "a `flash` cookie is read once and deleted by the same response, so it is never \
             refreshed: remove `idle`/`refresh` (its `max_age` bounds how long an unread one waits)",
        );
    }
    Lifetimes {
        max_age,
        idle,
        refresh,
        flash: raw.flash.is_some(),
    }
}

/// `idle` and `refresh`: each a positive duration, `idle` shorter than an absolute `max_age`
/// (which it needs: a session kept alive by activity alone would never end), `refresh` only
/// with `idle` and shorter than it.
fn idle_and_refresh(raw: &RawAttrs, max_age: Option<u32>, cx: &Ctxt) -> (Option<u32>, Option<u32>) {
    fn checked(key: &str, slot: &Option<Spanned<DurationLit>>, cx: &Ctxt) -> Option<(u32, Span)> {
        let slot = slot.as_ref()?;
        seconds_of(key, &slot.value)
            .map_err(|message| cx.error(slot.span, message))
            .ok()
            .map(|secs| (secs, slot.span))
    }
    let idle = checked("idle", &raw.idle, cx);
    let refresh = checked("refresh", &raw.refresh, cx);
    if let Some((idle, span)) = idle {
        match max_age {
            Some(max_age) if idle >= max_age => cx.error(
                span,
                "`idle` must be shorter than `max_age`: the inactivity timeout ends a session \
                 early, `max_age` ends it for good (e.g. `max_age = \"8h\", idle = \"30m\"`)",
            ),
            None if raw.no_expiry.is_some() => cx.error(
                span,
                "`idle` needs an absolute lifetime: with `no_expiry` a session kept alive by \
                 activity would never end, and a stolen one neither; write `max_age = \"8h\"` \
                 (it counts from sign-in, whatever the activity)",
            ),
            _ => {}
        }
    }
    if let Some((refresh, span)) = refresh {
        match idle {
            None if raw.idle.is_none() => cx.error(
                span,
                "`refresh` needs `idle`: it says when, within the idle window, a value is sealed \
                 again (by default after half of it), e.g. `idle = \"30m\", refresh = \"10m\"`",
            ),
            Some((idle, _)) if refresh >= idle => cx.error(
                span,
                "`refresh` must be shorter than `idle`, or the value would expire before it is \
                 refreshed (the default is half of `idle`)",
            ),
            _ => {}
        }
    }
    (idle.map(|(s, _)| s), refresh.map(|(s, _)| s))
}

/// Seconds in each accepted unit.
/// The same units the CLI's `--max-age` takes.
const UNITS: &[(&str, u32)] = &[
    ("s", 1),
    ("m", 60),
    ("h", 3600),
    ("d", 86_400),
    ("w", 7 * 86_400),
];

/// 400 days: RFC 6265bis (section 5.5) has browsers cap `Max-Age`/`Expires` there, and Chromium
/// and Firefox do. A longer `max_age` would promise a lifetime the cookie never gets.
const MAX_SECONDS: u32 = 400 * 86_400;

/// The number of seconds of `max_age`, or an error message for the value's span.
fn seconds(max_age: &DurationLit) -> Result<u32, String> {
    seconds_of("max_age", max_age)
}

/// The number of seconds of the duration `key = value`, or an error message for its span.
pub(super) fn seconds_of(key: &str, max_age: &DurationLit) -> Result<u32, String> {
    let positive = |what: &str| positive(key, what);
    let (digits, unit) = match max_age {
        DurationLit::Seconds { negative: true, .. } => return Err(positive("is negative")),
        DurationLit::Seconds {
            digits,
            negative: false,
        } => (digits.as_str(), "s"),
        DurationLit::Text(text) => {
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
            "unknown unit `{unit}` in `{key}`; use `s`, `m`, `h`, `d` or `w`, e.g. \"2h\""
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
        seconds(&DurationLit::Text(s.to_owned()))
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
            seconds(&DurationLit::Seconds {
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
        assert_eq!(text("2w"), Ok(14 * 86_400));
        assert!(text("3y").unwrap_err().contains("unknown unit `y`"));
        assert!(text("58w").unwrap_err().contains("over 400 days"));
        assert!(text("h").unwrap_err().contains("not a duration"));
        assert!(text("").unwrap_err().contains("not a duration"));
        assert!(text("1.5h").unwrap_err().contains("not a whole number"));
        assert!(text("3H").unwrap_err().contains("unknown unit `H`"));
        assert!(seconds(&DurationLit::Seconds {
            digits: "0".into(),
            negative: false
        })
        .unwrap_err()
        .contains("zero"));
        assert!(seconds(&DurationLit::Seconds {
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
        assert!(seconds(&DurationLit::Seconds {
            digits: "1".into(),
            negative: true
        })
        .unwrap_err()
        .contains("negative"));
    }
}
