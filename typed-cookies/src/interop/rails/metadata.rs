//! ActiveSupport's message metadata (`ActiveSupport::Messages::Metadata`): the `_rails`
//! envelope that carries a message's purpose (`pur`) and expiry (`exp`), in its two layouts,
//! and the JSON payload inside it.
//!
//! - Rails ≤ 7.0, and Rails' cookie jar in every version: the serialized value is base64'd
//!   into `message`, and `exp` and `pur` are always present (`null` when unset):
//!   `{"_rails":{"message":"eyJh…","exp":"2023-11-14T23:13:20.000Z","pur":"cookie.remember"}}`.
//! - Rails 7.1's `use_message_serializer_for_metadata` (verifiers and encryptors with a JSON
//!   serializer): the value itself under `data`, `exp` and `pur` only when set:
//!   `{"_rails":{"data":{"a":1},"pur":"login"}}`.
//!
//! Without a purpose or expiry Rails writes the bare serialized value, no envelope.

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Deserializer, Serialize};
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};
use zeroize::Zeroizing;

use super::json;
use crate::clock::Clock;
use crate::error::{OpenError, SealError};
use crate::interop::payload_mismatch;

/// The first two bytes of every `Marshal.dump`: format version 4.8.
const MARSHAL_SIGNATURE: &[u8] = b"\x04\x08";

/// When a message expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expiry {
    /// `expires_in:` (from the time of sealing).
    In(Duration),
    /// `expires_at:`.
    At(OffsetDateTime),
}

/// The metadata a verifier or encryptor writes and expects, and how.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// `purpose:`; `None` (or empty, as Ruby's `to_s` makes them equal) is no purpose.
    pub(crate) purpose: Option<String>,
    /// Whether sealing writes [`purpose`](Self::purpose) (the cookie jar without
    /// `use_cookies_with_metadata` expects it but does not write it).
    pub(crate) omit_purpose: bool,
    /// Also open values without a purpose (what Rails' cookie jar does on its second read).
    pub(crate) also_unpurposed: bool,
    /// `expires_in:` / `expires_at:` of sealed values.
    pub(crate) expires: Option<Expiry>,
    /// Rails 7.1's envelope (`use_message_serializer_for_metadata`).
    pub(crate) embedded: bool,
    /// "Now", for `expires_in` and the expiry check.
    pub(crate) clock: Clock,
}

#[derive(Serialize)]
struct Legacy<'a> {
    #[serde(rename = "_rails")]
    rails: LegacyInner<'a>,
}

#[derive(Serialize)]
struct LegacyInner<'a> {
    message: &'a str,
    exp: Option<&'a str>,
    pur: Option<&'a str>,
}

#[derive(Serialize)]
struct Embedded<'a, T: ?Sized> {
    #[serde(rename = "_rails")]
    rails: EmbeddedInner<'a, T>,
}

#[derive(Serialize)]
struct EmbeddedInner<'a, T: ?Sized> {
    data: &'a T,
    #[serde(skip_serializing_if = "Option::is_none")]
    exp: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pur: Option<&'a str>,
}

/// Whether the value is a JSON object with a `_rails` key (anything else is a bare value).
#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "_rails", default, deserialize_with = "present")]
    rails: bool,
}

/// The envelope's metadata, whatever its layout.
#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "_rails")]
    rails: Inner,
}

#[derive(Deserialize)]
struct Inner {
    #[serde(default)]
    message: Option<String>,
    #[serde(default, deserialize_with = "present")]
    data: bool,
    #[serde(default)]
    exp: Option<String>,
    #[serde(default)]
    pur: Option<String>,
}

/// The value of a 7.1 envelope, typed.
#[derive(Deserialize)]
struct EmbeddedData<T> {
    #[serde(rename = "_rails")]
    rails: DataOnly<T>,
}

#[derive(Deserialize)]
struct DataOnly<T> {
    data: T,
}

/// `true` for a key that is present, whatever its value (`null` included).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(d).map(|_| true)
}

fn serialize_error(e: serde_json::Error) -> SealError {
    SealError::Serialize {
        reason: e.to_string(),
    }
}

impl Options {
    fn purpose(&self) -> Option<&str> {
        self.purpose.as_deref().filter(|p| !p.is_empty())
    }

    /// Whether a message whose `pur` is `found` is meant for us (Ruby: `pur.to_s == purpose.to_s`,
    /// and the cookie jar's second read without a purpose).
    fn accepts(&self, found: Option<&str>) -> bool {
        match found.filter(|p| !p.is_empty()) {
            Some(found) => self.purpose() == Some(found),
            None => self.purpose().is_none() || self.also_unpurposed,
        }
    }

    /// `Messages::Metadata.wrap(serializer.dump(value), expires_at:, expires_in:, purpose:)`
    /// with the JSON serializer: the bytes that get signed or encrypted.
    pub(crate) fn wrap<T: Serialize + ?Sized>(
        &self,
        value: &T,
    ) -> Result<Zeroizing<Vec<u8>>, SealError> {
        let exp = self.expires.map(|e| {
            format_exp(match e {
                Expiry::In(d) => self.clock.now().saturating_add(d),
                Expiry::At(at) => at,
            })
        });
        let pur = if self.omit_purpose {
            None
        } else {
            self.purpose()
        };
        if exp.is_none() && pur.is_none() {
            return json::to_vec(value)
                .map(Zeroizing::new)
                .map_err(serialize_error);
        }
        let out = if self.embedded {
            json::to_vec(&Embedded {
                rails: EmbeddedInner {
                    data: value,
                    exp: exp.as_deref(),
                    pur,
                },
            })
        } else {
            let data = Zeroizing::new(json::to_vec(value).map_err(serialize_error)?);
            let message = Zeroizing::new(super::b64_encode(&data));
            json::to_vec(&Legacy {
                rails: LegacyInner {
                    message: &message,
                    exp: exp.as_deref(),
                    pur,
                },
            })
        };
        out.map(Zeroizing::new).map_err(serialize_error)
    }

    /// `Messages::Metadata.verify(message, purpose)` and the JSON serializer's `load`, typed,
    /// for authenticated bytes: the purpose must match (else [`OpenError::Invalid`]), the
    /// message must not have expired ([`OpenError::Expired`]), and the payload must be JSON
    /// of `T` ([`OpenError::UnsupportedSerializer`] for Ruby Marshal data, never parsed).
    pub(crate) fn unwrap<T: DeserializeOwned>(&self, bytes: &[u8]) -> Result<T, OpenError> {
        // Only an object can be an envelope (serde would also read a struct from an array).
        let envelope = bytes.trim_ascii_start().starts_with(b"{")
            && serde_json::from_slice::<Probe>(bytes).is_ok_and(|p| p.rails);
        if !envelope {
            if !self.accepts(None) {
                return Err(OpenError::Invalid);
            }
            return decode(bytes);
        }
        let Envelope { rails: meta } =
            serde_json::from_slice(bytes).map_err(|_| OpenError::Malformed)?;
        if !self.accepts(meta.pur.as_deref()) {
            return Err(OpenError::Invalid);
        }
        if let Some(exp) = &meta.exp {
            let at = parse_exp(exp).ok_or(OpenError::Malformed)?;
            if self.clock.now() >= at {
                return Err(OpenError::Expired { at });
            }
        }
        match (meta.message, meta.data) {
            (Some(message), _) => {
                let data = Zeroizing::new(super::b64_decode(&message).ok_or(OpenError::Malformed)?);
                decode(&data)
            }
            (None, true) => serde_json::from_slice::<EmbeddedData<T>>(bytes)
                .map(|e| e.rails.data)
                .map_err(|_| payload_mismatch::<T>()),
            (None, false) => Err(OpenError::Malformed),
        }
    }
}

/// The JSON serializer's `load`, refusing Marshal.
fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, OpenError> {
    if bytes.starts_with(MARSHAL_SIGNATURE) {
        return Err(OpenError::UnsupportedSerializer {
            serializer: "Ruby Marshal",
        });
    }
    serde_json::from_slice(bytes).map_err(|_| payload_mismatch::<T>())
}

/// `time.utc.iso8601(3)`: `2023-11-14T23:13:20.000Z` (milliseconds truncated; years kept
/// within 0000–9999).
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
    let at = at.to_offset(UtcOffset::UTC).clamp(lo, hi);
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
/// is refused.
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
        assert_eq!(
            format_exp(time::PrimitiveDateTime::MAX.assume_utc()),
            "9999-12-31T23:59:59.999Z"
        );
    }

    fn opts(purpose: Option<&str>) -> Options {
        Options {
            purpose: purpose.map(str::to_owned),
            clock: Clock::fixed(datetime(1_700_000_000)),
            ..Options::default()
        }
    }

    #[test]
    fn envelopes() {
        let plain = opts(None);
        assert_eq!(&*plain.wrap(&[1, 2]).unwrap(), b"[1,2]");
        let pur = opts(Some("cookie.a&b"));
        let legacy = pur.wrap("x").unwrap();
        assert_eq!(
            std::str::from_utf8(&legacy).unwrap(),
            r#"{"_rails":{"message":"Ingi","exp":null,"pur":"cookie.a\u0026b"}}"#
        );
        assert_eq!(pur.unwrap::<String>(&legacy).unwrap(), "x");
        assert_eq!(plain.unwrap::<String>(&legacy), Err(OpenError::Invalid));
        assert_eq!(
            opts(Some("other")).unwrap::<String>(&legacy),
            Err(OpenError::Invalid)
        );
        let embedded = Options {
            embedded: true,
            expires: Some(Expiry::In(Duration::hours(1))),
            ..opts(Some("login"))
        };
        let sealed = embedded.wrap("x").unwrap();
        assert_eq!(
            std::str::from_utf8(&sealed).unwrap(),
            r#"{"_rails":{"data":"x","exp":"2023-11-14T23:13:20.000Z","pur":"login"}}"#
        );
        assert_eq!(embedded.unwrap::<String>(&sealed).unwrap(), "x");
        let late = Options {
            clock: Clock::fixed(datetime(1_700_003_600)),
            ..embedded.clone()
        };
        assert_eq!(
            late.unwrap::<String>(&sealed),
            Err(OpenError::Expired {
                at: datetime(1_700_003_600)
            })
        );
        // A bare value is only for openers without a purpose (or that also accept none).
        assert_eq!(pur.unwrap::<u8>(b"1"), Err(OpenError::Invalid));
        let lenient = Options {
            also_unpurposed: true,
            ..pur.clone()
        };
        assert_eq!(lenient.unwrap::<u8>(b"1"), Ok(1));
        assert_eq!(
            lenient.unwrap::<u8>(br#"{"_rails":{"message":"MQ==","exp":null,"pur":""}}"#),
            Ok(1)
        );
    }

    #[test]
    fn marshal_and_broken_envelopes() {
        let plain = opts(None);
        let marshal = b"\x04\x08I\"\x06x\x06:\x06ET";
        assert_eq!(
            plain.unwrap::<String>(marshal),
            Err(OpenError::UnsupportedSerializer {
                serializer: "Ruby Marshal"
            })
        );
        // Marshal inside a metadata envelope ({"_rails":{"message":base64(Marshal.dump("x"))}})
        let env = br#"{"_rails":{"message":"BAhJIgZ4BjoGRVQ=","exp":null,"pur":null}}"#;
        assert!(matches!(
            plain.unwrap::<String>(env),
            Err(OpenError::UnsupportedSerializer { .. })
        ));
        for broken in [
            &br#"{"_rails":"x"}"#[..],
            br#"{"_rails":{}}"#,
            br#"{"_rails":{"message":"not base64!"}}"#,
            br#"{"_rails":{"message":"MQ==","exp":"tomorrow"}}"#,
            br#"{"_rails":{"message":"MQ==","pur":5}}"#,
            br#"{"_rails":{"message":5}}"#,
        ] {
            assert_eq!(
                plain.unwrap::<serde_json::Value>(broken),
                Err(OpenError::Malformed),
                "{}",
                String::from_utf8_lossy(broken)
            );
        }
        // Arrays are values, never envelopes.
        assert_eq!(
            plain.unwrap::<Vec<String>>(br#"["MQ=="]"#).unwrap(),
            ["MQ=="]
        );
        assert!(matches!(
            plain.unwrap::<u8>(b"\"x\""),
            Err(OpenError::PayloadMismatch { .. })
        ));
        assert!(matches!(
            plain.unwrap::<u8>(b""),
            Err(OpenError::PayloadMismatch { .. })
        ));
    }
}
