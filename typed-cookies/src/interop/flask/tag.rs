//! Wrappers that write the Python types of Flask's tagged JSON — tuple, bytes, UUID,
//! datetime, Markup — and read them back (in their untagged form, as
//! [`Serializer::open`](super::Serializer::open) hands them over).
//!
//! They are the only way to make a tag: inside a Flask session
//! ([`session`](super::session)) each becomes its `{" t": …}`, `{" b": …}`, `{" u": …}`,
//! `{" d": …}` or `{" m": …}` object, while map keys, field and variant names and strings
//! never do (a dict whose only key spells a tag is escaped as Flask escapes it). Elsewhere
//! (serde_json, an untimed itsdangerous serializer) they write the plain form they read: an
//! array, an array of byte values, the hyphenated UUID, an RFC 3339 string, a string.
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use typed_cookies::interop::flask::{self, tag};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Session {
//!     #[serde(rename = "_flashes")]
//!     flashes: Vec<tag::Tuple<(String, String)>>, // Python: [("message", "Saved")]
//!     avatar: tag::Bytes,                          // Python: b"\x89PNG"
//! }
//!
//! let s = flask::session("k");
//! let cookie = s.seal(&Session {
//!     flashes: vec![tag::Tuple(("message".into(), "Saved".into()))],
//!     avatar: tag::Bytes(b"\x89PNG".to_vec()),
//! }).unwrap();
//! let back: Session = s.open(&cookie).unwrap();
//! assert_eq!(back.flashes[0].0 .1, "Saved");
//! assert_eq!(back.avatar.0, b"\x89PNG");
//! ```

use serde::{de, ser, Deserialize, Deserializer, Serialize, Serializer};

use super::python::{format_rfc3339, parse_rfc3339, parse_uuid, uuid_hyphenated};
use super::tagged::Kind;

/// A Python `tuple` (`{" t": […]}`); wrap a Rust tuple, array or `Vec` (anything else is a
/// [`SealError::Serialize`](crate::SealError::Serialize) in a session). Reads a JSON array.
/// A session holds it under a key (the session itself must be a map or struct).
///
/// ```
/// use std::collections::BTreeMap;
/// use typed_cookies::interop::flask::{self, tag::Tuple};
/// let s = flask::session("k");
/// let v = s.seal(&BTreeMap::from([("pair", Tuple((1, "a")))])).unwrap();
/// let back: BTreeMap<String, (u8, String)> = s.open(&v).unwrap();
/// assert_eq!(back["pair"], (1, "a".to_owned()));
/// assert!(s.seal(&Tuple((1, "a"))).is_err()); // Flask could not make a session of a tuple
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tuple<T>(pub T);

impl<T: Serialize> Serialize for Tuple<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(Kind::Tuple.name(), &self.0)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Tuple<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Tuple)
    }
}

/// Python `bytes` (`{" b": "<standard base64>"}`). Reads a JSON array of byte values.
///
/// ```
/// use std::collections::BTreeMap;
/// use typed_cookies::interop::flask::{self, tag::Bytes};
/// let s = flask::session("k");
/// let v = s.seal(&BTreeMap::from([("b", Bytes(vec![0, 255]))])).unwrap();
/// assert_eq!(s.open::<BTreeMap<String, Bytes>>(&v).unwrap()["b"], Bytes(vec![0, 255]));
/// assert_eq!(s.open::<BTreeMap<String, Vec<u8>>>(&v).unwrap()["b"], [0, 255]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bytes(pub Vec<u8>);

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(Kind::Bytes.name(), &self.0)
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<u8>::deserialize(deserializer).map(Bytes)
    }
}

/// A Python `uuid.UUID` (`{" u": "<32 hex digits>"}`). Reads the hyphenated string (or any
/// form `UUID(…)` accepts).
///
/// ```
/// use std::collections::BTreeMap;
/// use typed_cookies::interop::flask::{self, tag::Uuid};
/// let s = flask::session("k");
/// let v = s.seal(&BTreeMap::from([("id", Uuid(0x1234))])).unwrap();
/// let text: BTreeMap<String, String> = s.open(&v).unwrap();
/// assert_eq!(text["id"], "00000000-0000-0000-0000-000000001234");
/// assert_eq!(s.open::<BTreeMap<String, Uuid>>(&v).unwrap()["id"], Uuid(0x1234));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Uuid(pub u128);

impl Serialize for Uuid {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(Kind::Uuid.name(), &uuid_hyphenated(self.0))
    }
}

impl<'de> Deserialize<'de> for Uuid {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_uuid(&text)
            .map(Uuid)
            .ok_or_else(|| de::Error::custom("not a UUID"))
    }
}

/// A Python `datetime` (`{" d": "Wed, 21 Oct 2015 07:28:00 GMT"}`, whole seconds, UTC; in a
/// session only the years 100 to 9999 *in UTC*, which Flask reads back as written — any other
/// is a [`SealError::Serialize`](crate::SealError::Serialize)). Reads an RFC 3339 string.
///
/// ```
/// use std::collections::BTreeMap;
/// use typed_cookies::interop::flask::{self, tag::DateTime};
/// use typed_cookies::time::{Date, Month, OffsetDateTime, UtcOffset};
/// let s = flask::session("k");
/// let at = OffsetDateTime::from_unix_timestamp(1_445_412_480).unwrap();
/// let v = s.seal(&BTreeMap::from([("at", DateTime(at))])).unwrap();
/// let text: BTreeMap<String, String> = s.open(&v).unwrap();
/// assert_eq!(text["at"], "2015-10-21T07:28:00Z");
/// assert_eq!(s.open::<BTreeMap<String, DateTime>>(&v).unwrap()["at"], DateTime(at));
/// // 9999-12-31 23:00 in New York is the year 10000 in UTC.
/// let new_year_eve = Date::from_calendar_date(9999, Month::December, 31).unwrap();
/// let late = new_year_eve.with_hms(23, 0, 0).unwrap();
/// let late = DateTime(late.assume_offset(UtcOffset::from_hms(-5, 0, 0).unwrap()));
/// assert!(s.seal(&BTreeMap::from([("at", late)])).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime(pub time::OffsetDateTime);

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = format_rfc3339(self.0).ok_or_else(|| {
            ser::Error::custom("flask tag::DateTime: not writable as RFC 3339 (years 0 to 9999)")
        })?;
        serializer.serialize_newtype_struct(Kind::DateTime.name(), &text)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_rfc3339(&text)
            .map(DateTime)
            .ok_or_else(|| de::Error::custom("not an RFC 3339 date and time"))
    }
}

/// A `markupsafe.Markup` string (`{" m": "…"}`): HTML that Jinja inserts **unescaped**, so
/// wrap only HTML your code made safe. Reads a string.
///
/// ```
/// use std::collections::BTreeMap;
/// use typed_cookies::interop::flask::{self, tag::Markup};
/// let s = flask::session("k");
/// let v = s.seal(&BTreeMap::from([("bio", Markup("<b>hi</b>".into()))])).unwrap();
/// assert_eq!(s.open::<BTreeMap<String, Markup>>(&v).unwrap()["bio"].0, "<b>hi</b>");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Markup(pub String);

impl Serialize for Markup {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(Kind::Markup.name(), &self.0)
    }
}

impl<'de> Deserialize<'de> for Markup {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Markup)
    }
}
