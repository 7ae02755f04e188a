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
//! Without a purpose or expiry Rails writes the bare serialized value, no envelope, and every
//! reader (Rails' and this one) takes an object with a top-level `_rails` key for an envelope.
//! So here such a value — an object with a `_rails` key or with duplicate keys, which a reader
//! may take for one — is written in the first layout with `exp` and `pur` `null` (what Rails
//! writes for an expiry without a purpose), which every reader reads back as the value itself:
//! a value that spells `_rails` never becomes metadata.
//!
//! An authentic object with a top-level `_rails` key that is not a well-formed envelope (two
//! `_rails` keys, which Ruby reads as the last one) is refused, never read as a bare value.
//! Cookies read only the first layout, the one Rails' cookie jars read.

use std::collections::HashSet;
use std::fmt;
use std::hash::{BuildHasher, RandomState};

use serde::de::{DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

use super::expiry::{format_exp, parse_exp};
use super::json;
use crate::clock::Clock;
use crate::error::{OpenError, SealError};
use crate::interop::payload_mismatch;

/// The first two bytes of every `Marshal.dump`: format version 4.8.
const MARSHAL_SIGNATURE: &[u8] = b"\x04\x08";
/// The first two bytes of every dump of Rails 7.1's MessagePack serializer
/// (`ActiveSupport::MessagePack::Serializer::SIGNATURE`, `128.to_msgpack`): the
/// `cookies_serializer = :message_pack` cookies. Never the start of JSON.
const MESSAGE_PACK_SIGNATURE: &[u8] = b"\xcc\x80";

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
    /// Open only Rails ≤ 7.0's envelope (`message`), as Rails' cookie jars do: a 7.1 `data`
    /// envelope is refused.
    pub(crate) legacy_envelope_only: bool,
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

/// The top-level keys of a JSON object that matter to a metadata reader (a value that is not
/// an object does not deserialize as one). Keys are looked at where the parser holds them,
/// never copied (they are the value's data).
#[derive(Default)]
struct Keys {
    /// A `_rails` key (after unescaping, as every JSON reader compares keys).
    rails: bool,
    /// A key that appears twice, by the keys' hashes (serde refuses a duplicate field where
    /// Ruby keeps the last; a collision only errs on the side of "duplicate").
    duplicate: bool,
}

impl<'de> Deserialize<'de> for Keys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(KeysVisitor)
    }
}

struct KeysVisitor;

impl<'de> Visitor<'de> for KeysVisitor {
    type Value = Keys;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
        let hasher = RandomState::new();
        let mut seen = HashSet::new();
        let mut keys = Keys::default();
        while let Some(key) = map.next_key_seed(KeySeed(&hasher))? {
            map.next_value::<IgnoredAny>()?;
            keys.rails |= key.rails;
            keys.duplicate |= !seen.insert(key.hash);
        }
        Ok(keys)
    }
}

/// One key: whether it is `_rails`, and its hash.
struct Key {
    rails: bool,
    hash: u64,
}

/// Reads one key as the `&str` the parser holds (borrowed, or its own scratch buffer).
struct KeySeed<'a>(&'a RandomState);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed<'_> {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Key, E> {
        Ok(Key {
            rails: key == "_rails",
            hash: self.0.hash_one(key),
        })
    }
}

/// The top-level keys of `bytes` if they are a JSON object (`None` for anything else, or
/// JSON no reader parses).
fn object_keys(bytes: &[u8]) -> Option<Keys> {
    // Only an object can be an envelope.
    if !bytes.trim_ascii_start().starts_with(b"{") {
        return None;
    }
    serde_json::from_slice(bytes).ok()
}

/// Whether serialized bytes, written bare, could be read as an envelope: an object with a
/// `_rails` key, with duplicate keys, or that starts like an object but does not parse here
/// (only deeper nesting than serde_json takes can do that to what it wrote itself).
fn could_pass_for_an_envelope(bytes: &[u8]) -> bool {
    bytes.trim_ascii_start().starts_with(b"{")
        && object_keys(bytes).is_none_or(|k| k.rails || k.duplicate)
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
            let bare = Zeroizing::new(json::to_vec(value).map_err(serialize_error)?);
            if !could_pass_for_an_envelope(&bare) {
                return Ok(bare);
            }
            // In an envelope of its own, with no metadata: read back as the value itself.
            return legacy(&bare, None, None);
        }
        if self.embedded {
            json::to_vec(&Embedded {
                rails: EmbeddedInner {
                    data: value,
                    exp: exp.as_deref(),
                    pur,
                },
            })
            .map(Zeroizing::new)
            .map_err(serialize_error)
        } else {
            let data = Zeroizing::new(json::to_vec(value).map_err(serialize_error)?);
            legacy(&data, exp.as_deref(), pur)
        }
    }

    /// `Messages::Metadata.verify(message, purpose)` and the JSON serializer's `load`, typed,
    /// for authenticated bytes: the purpose must match (else [`OpenError::Invalid`]), the
    /// message must not have expired ([`OpenError::Expired`]), and the payload must be JSON
    /// of `T` ([`OpenError::UnsupportedSerializer`] for Ruby Marshal data, never parsed).
    ///
    /// An object with a top-level `_rails` key is an envelope, or [`OpenError::Malformed`]
    /// (two `_rails` keys included); with [`legacy_envelope_only`](Self::legacy_envelope_only),
    /// so is one without `message`.
    pub(crate) fn unwrap<T: DeserializeOwned>(&self, bytes: &[u8]) -> Result<T, OpenError> {
        // Only an object can be an envelope (serde would also read a struct from an array).
        let envelope = object_keys(bytes).is_some_and(|k| k.rails);
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
            (None, true) if !self.legacy_envelope_only => {
                serde_json::from_slice::<EmbeddedData<T>>(bytes)
                    .map(|e| e.rails.data)
                    .map_err(|_| payload_mismatch::<T>())
            }
            (None, _) => Err(OpenError::Malformed),
        }
    }
}

/// `{"_rails":{"message":base64(data),"exp":exp,"pur":pur}}` (Rails ≤ 7.0's layout).
fn legacy(
    data: &[u8],
    exp: Option<&str>,
    pur: Option<&str>,
) -> Result<Zeroizing<Vec<u8>>, SealError> {
    let message = Zeroizing::new(super::b64_encode(data));
    json::to_vec(&Legacy {
        rails: LegacyInner {
            message: &message,
            exp,
            pur,
        },
    })
    .map(Zeroizing::new)
    .map_err(serialize_error)
}

/// The JSON serializer's `load`, refusing Marshal and MessagePack.
fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, OpenError> {
    if bytes.starts_with(MARSHAL_SIGNATURE) {
        return Err(OpenError::UnsupportedSerializer {
            serializer: "Ruby Marshal",
        });
    }
    if bytes.starts_with(MESSAGE_PACK_SIGNATURE) {
        return Err(OpenError::UnsupportedSerializer {
            serializer: "MessagePack",
        });
    }
    serde_json::from_slice(bytes).map_err(|_| payload_mismatch::<T>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interop::datetime;

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
    fn a_value_that_could_pass_for_an_envelope_is_enveloped() {
        let plain = opts(None);
        let spelled = serde_json::json!({"_rails": {"message": "MQ==", "exp": null, "pur": "p"}});
        let sealed = plain.wrap(&spelled).unwrap();
        let message = super::super::b64_encode(&json::to_vec(&spelled).unwrap());
        assert_eq!(
            std::str::from_utf8(&sealed).unwrap(),
            format!(r#"{{"_rails":{{"message":"{message}","exp":null,"pur":null}}}}"#)
        );
        assert_eq!(plain.unwrap::<serde_json::Value>(&sealed).unwrap(), spelled);
        assert_eq!(
            opts(Some("p")).unwrap::<serde_json::Value>(&sealed),
            Err(OpenError::Invalid)
        );
        // Duplicate keys (a hand-written `Serialize`) too; other objects stay bare.
        struct Twice;
        impl Serialize for Twice {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("a", &1)?;
                map.serialize_entry("a", &2)?;
                map.end()
            }
        }
        assert!(plain
            .wrap(&Twice)
            .unwrap()
            .starts_with(br#"{"_rails":{"message":"#));
        for bare in [
            serde_json::json!({"rails": 1, "a": {"_rails": 2}}),
            serde_json::json!([{"_rails": 1}]),
            serde_json::json!("{\"_rails\":1}"),
        ] {
            assert_eq!(
                &*plain.wrap(&bare).unwrap(),
                &json::to_vec(&bare).unwrap()[..]
            );
        }
    }

    #[test]
    fn duplicate_envelopes_and_the_cookie_layout_are_refused() {
        let lenient = Options {
            also_unpurposed: true,
            ..opts(Some("cookie.x"))
        };
        let twice = br#"{"_rails":{"message":"MQ==","exp":null,"pur":"cookie.x"},"_rails":{"message":"Mg==","exp":null,"pur":"cookie.y"}}"#;
        assert_eq!(lenient.unwrap::<u8>(twice), Err(OpenError::Malformed));
        let escaped = br#"{"_rails":{"message":"MQ==","exp":null,"pur":null},"\u005frails":1}"#;
        assert_eq!(lenient.unwrap::<u8>(escaped), Err(OpenError::Malformed));
        let data = br#"{"_rails":{"data":1,"pur":"cookie.x"}}"#;
        assert_eq!(lenient.unwrap::<u8>(data), Ok(1));
        let cookie = Options {
            legacy_envelope_only: true,
            ..lenient.clone()
        };
        assert_eq!(cookie.unwrap::<u8>(data), Err(OpenError::Malformed));
        assert_eq!(
            cookie.unwrap::<u8>(br#"{"_rails":{"message":"MQ==","exp":null,"pur":"cookie.x"}}"#),
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
        // Rails 7.1's MessagePack serializer: 128.to_msgpack, then the value ("x").
        assert_eq!(
            plain.unwrap::<String>(b"\xcc\x80\xa1x"),
            Err(OpenError::UnsupportedSerializer {
                serializer: "MessagePack"
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
