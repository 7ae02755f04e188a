//! Expiry: every spelling of `exp` is the same instant here and in Rails, what is not a zoned
//! ISO 8601 instant never opens, expiry is checked in every layout and only for the right
//! purpose, and no `expires_at` makes sealing panic.

use super::*;

/// `instant` written in `offset` as `YYYY-MM-DDTHH:MM:SS[.fraction]±HH:MM`-style text; `zone`
/// picks the zone's spelling (`"Z"`, `"z"`, `"+HH:MM"`, `"+HHMM"`, `"+HH"`) and `t` the
/// separator.
fn spell(instant: OffsetDateTime, offset: UtcOffset, zone: &str, t: char, frac: &str) -> String {
    let local = instant.to_offset(offset);
    let (h, m, _) = offset.as_hms();
    let sign = if offset.is_negative() { '-' } else { '+' };
    let zone = match zone {
        "Z" | "z" => zone.to_owned(),
        "+HH:MM" => format!("{sign}{:02}:{:02}", h.abs(), m.abs()),
        "+HHMM" => format!("{sign}{:02}{:02}", h.abs(), m.abs()),
        _ => format!("{sign}{:02}", h.abs()),
    };
    let frac = match frac {
        "ms" => format!(".{:03}", local.millisecond()),
        "ns" => format!(".{:09}", local.nanosecond()),
        _ => String::new(),
    };
    format!(
        "{:04}-{:02}-{:02}{t}{:02}:{:02}:{:02}{frac}{zone}",
        local.year(),
        u8::from(local.month()),
        local.day(),
        local.hour(),
        local.minute(),
        local.second()
    )
}

/// Every spelling of `instant` that Ruby's `Time.iso8601` reads as that instant.
fn spellings(instant: OffsetDateTime) -> Vec<String> {
    let mut out = Vec::new();
    let utc = UtcOffset::UTC;
    let frac = if instant.nanosecond() == 0 { "" } else { "ns" };
    for zone in ["Z", "z", "+HH:MM", "+HHMM", "+HH"] {
        for t in ['T', 't'] {
            out.push(spell(instant, utc, zone, t, frac));
        }
    }
    for (h, m) in [(-5, 0), (5, 30), (-9, -30), (14, 0), (-12, 0)] {
        let offset = UtcOffset::from_hms(h, m, 0).unwrap();
        out.push(spell(instant, offset, "+HH:MM", 'T', frac));
        out.push(spell(instant, offset, "+HHMM", 'T', "ns"));
    }
    if instant.nanosecond().is_multiple_of(1_000_000) {
        out.push(spell(instant, utc, "Z", 'T', "ms"));
    }
    out
}

#[test]
fn every_spelling_of_exp_is_the_same_instant_here_and_in_rails() {
    let Some(mut rb) = rails_peer("every_spelling_of_exp_is_the_same_instant_here_and_in_rails")
    else {
        return;
    };
    let secret = [9u8; 64];
    let verifier = MessageVerifier::new(secret)
        .unwrap()
        .digest(Digest::Sha256)
        .purpose("p");
    let now = OffsetDateTime::from_unix_timestamp(NOW).unwrap();
    for delta in [
        Duration::seconds(-3600),
        Duration::seconds(-1),
        Duration::nanoseconds(-1),
        Duration::ZERO,
        Duration::nanoseconds(1),
        Duration::seconds(1),
        Duration::seconds(3600),
    ] {
        let instant = now + delta;
        for exp in spellings(instant) {
            let data = legacy_envelope(&json!("v"), json!(exp), json!("p"));
            let token = sign256(&secret, &data);
            let ours = verifier.clone().clock(at(NOW)).open::<String>(&token);
            let theirs = rails_verifies(&mut rb, &secret, &token, Some("p"), NOW);
            if delta > Duration::ZERO {
                assert_eq!(ours.as_deref(), Ok("v"), "{exp}");
                assert_eq!(theirs, Some(json!("v")), "{exp}");
            } else {
                assert!(
                    matches!(ours, Err(OpenError::Expired { at }) if at == instant),
                    "{exp}: {ours:?}"
                );
                assert_eq!(theirs, None, "{exp}");
            }
        }
    }
}

#[test]
fn an_exp_that_is_not_a_zoned_iso8601_instant_never_opens() {
    let Some(mut rb) = rails_peer("an_exp_that_is_not_a_zoned_iso8601_instant_never_opens") else {
        return;
    };
    let secret = [9u8; 64];
    let verifier = MessageVerifier::new(secret)
        .unwrap()
        .digest(Digest::Sha256)
        .purpose("p")
        .clock(at(NOW));
    for exp in [
        json!("2099-01-01T00:00:00"),
        json!("2099-01-01 00:00:00Z"),
        json!("2099-01-01T00:00Z"),
        json!("2099-01-01"),
        json!("2099-01-01T00:00:00.Z"),
        json!("2099-01-01T00:00:00Zjunk"),
        json!(" 2099-01-01T00:00:00Z"),
        json!("2099-01-01T00:00:00Z "),
        json!("2099-13-01T00:00:00Z"),
        json!("2099-02-29T00:00:00Z"),
        json!("2099-01-01T24:00:00Z"),
        json!("2023-11-14T23:59:60Z"),
        json!("2099-01-01T00:00:00+99:00"),
        json!("2099-01-01T00:00:00+01:60"),
        json!("2099-01-01T00:00:00+1"),
        json!("+2099-01-01T00:00:00Z"),
        json!("-2099-01-01T00:00:00Z"),
        json!("+10000-01-01T00:00:00Z"),
        json!("20990-01-01T00:00:00Z"),
        json!("٢٠٩٩-01-01T00:00:00Z"),
        json!("tomorrow"),
        json!(""),
        json!(4_102_444_800_i64),
        json!(4.1e9),
        json!(true),
        json!(["2099-01-01T00:00:00Z"]),
        json!({"at": "2099-01-01T00:00:00Z"}),
    ] {
        let data = legacy_envelope(&json!("v"), exp.clone(), json!("p"));
        let token = sign256(&secret, &data);
        assert_eq!(
            verifier.open::<String>(&token),
            Err(OpenError::Malformed),
            "{exp}"
        );
        // Where Rails reads one (local time, leap seconds, numbers, whitespace), we are
        // stricter, never the other way round.
        let _ = rails_verifies_or_raises(&mut rb, &secret, &token, Some("p"), NOW);
    }
    // The far ends that are instants open: 9999-12-31 (what `expires_in(Duration::MAX)` writes).
    let far = verifier
        .clone()
        .expires_in(Duration::MAX)
        .seal("v")
        .unwrap();
    assert_eq!(verifier.open::<String>(&far).as_deref(), Ok("v"));
    assert_eq!(
        rails_verifies(&mut rb, &secret, &far, Some("p"), NOW),
        Some(json!("v"))
    );
    // Zero and negative lifetimes are expired at once, here and in Rails.
    for ttl in [Duration::ZERO, Duration::seconds(-1), Duration::MIN] {
        let token = verifier.clone().expires_in(ttl).seal("v").unwrap();
        assert!(
            matches!(
                verifier.open::<String>(&token),
                Err(OpenError::Expired { .. })
            ),
            "{ttl}"
        );
        assert_eq!(
            rails_verifies(&mut rb, &secret, &token, Some("p"), NOW),
            None
        );
    }
}

#[test]
fn expiry_is_checked_in_every_envelope_layout_and_only_for_the_right_purpose() {
    let secret = [9u8; 64];
    let verifier = MessageVerifier::new(secret)
        .unwrap()
        .digest(Digest::Sha256)
        .purpose("p")
        .clock(at(NOW));
    let past = "2023-11-14T22:13:19.000Z";
    let one = b64(b"1");
    for layout in [
        format!(r#"{{"_rails":{{"message":"{one}","exp":"{past}","pur":"p"}}}}"#),
        format!(r#"{{"_rails":{{"data":1,"exp":"{past}","pur":"p"}}}}"#),
        format!(r#"{{"_rails":{{"message":"{one}","data":1,"exp":"{past}","pur":"p"}}}}"#),
        format!(r#"{{"_rails":{{"pur":"p","exp":"{past}","data":1}}}}"#),
        format!(r#"{{"x":[],"_rails":{{"pur":"p","exp":"{past}","message":"{one}"}}}}"#),
        format!(r#" {{ "_rails" : {{ "exp" : "{past}" , "pur" : "p" , "data" : 1 }} }} "#),
        format!(r#"{{"\u005frails":{{"message":"{one}","exp":"{past}","pur":"p"}}}}"#),
    ] {
        let token = sign256(&secret, layout.as_bytes());
        assert!(
            matches!(verifier.open::<u8>(&token), Err(OpenError::Expired { .. })),
            "{layout}: {:?}",
            verifier.open::<u8>(&token)
        );
        // Another purpose: Invalid, never Expired (no word on other purposes' lifetimes).
        assert_eq!(
            verifier.clone().purpose("q").open::<u8>(&token),
            Err(OpenError::Invalid),
            "{layout}"
        );
        let lenient = jar256().accept_unpurposed(true);
        let as_cookie = sign256(&signed_cookie_key(), layout.as_bytes());
        assert_eq!(
            lenient.signed("c").open::<u8>(&as_cookie),
            Err(OpenError::Invalid),
            "{layout}"
        );
    }
}

/// `expires_at` near the end of `time`'s range in a negative UTC offset (or
/// near its start in a positive one) panicked while sealing, converted to UTC before it was
/// clamped to 0000–9999. It now saturates.
#[test]
fn expires_at_the_ends_of_time_in_any_offset_never_panics() {
    let late = PrimitiveDateTime::MAX.assume_offset(UtcOffset::from_hms(-1, 0, 0).unwrap());
    let early = PrimitiveDateTime::MIN.assume_offset(UtcOffset::from_hms(1, 0, 0).unwrap());
    for when in [late, early] {
        let verifier = MessageVerifier::new("k").unwrap().expires_at(when);
        let sealed = std::panic::catch_unwind(|| verifier.seal(&1).is_ok());
        assert!(sealed.is_ok(), "MessageVerifier::seal panicked for {when}");
        let encryptor = MessageEncryptor::new([7u8; 32]).unwrap().expires_at(when);
        let sealed = std::panic::catch_unwind(|| encryptor.seal(&1).is_ok());
        assert!(sealed.is_ok(), "MessageEncryptor::seal panicked for {when}");
        let cookie = CookieJar::new(SKB).unwrap().signed("c").expires_at(when);
        let sealed = std::panic::catch_unwind(|| cookie.seal(&1).is_ok());
        assert!(sealed.is_ok(), "SignedCookie::seal panicked for {when}");
    }
}

/// `exp` offsets of ±24:00 to ±25:59 (which `time` allows) opened here; Ruby's
/// `Time.iso8601` raises `utc_offset out of range` on them, so Rails refuses such a value (its
/// cookie jar raises). Authenticated data only, so no forgery, but the one place the reader
/// was more lenient than Rails about expiry. Refused now (`Malformed`).
#[test]
fn an_exp_offset_ruby_refuses_never_opens() {
    let key = signed_cookie_key();
    for exp in ["2099-01-01T00:00:00+24:00", "2099-01-01T00:00:00-2559"] {
        let data = legacy_envelope(&json!(1), json!(exp), json!("cookie.c"));
        let opened = jar256().signed("c").open::<Value>(&sign256(&key, &data));
        assert_eq!(opened, Err(OpenError::Malformed), "{exp}");
    }
}
