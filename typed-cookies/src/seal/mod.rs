//! The sealing engine: turns a serde value into a cookie value and back, in one pass over a
//! reused per-thread buffer (serialize after the header, sign or encrypt in place, encode once).
//!
//! Submodules: [`format`] (the header), [`signed`], [`encrypted`], [`subkey`] (derivation and
//! cache), [`base64url`] (the outer encoding).

pub(crate) mod base64url;
pub(crate) mod encrypted;
pub mod format;
pub(crate) mod signed;
pub(crate) mod subkey;

use std::cell::RefCell;
use std::time::SystemTime;

use serde::de::DeserializeOwned;
use serde::Serialize;
use time::{Duration, OffsetDateTime};
use zeroize::Zeroize;

use crate::error::{OpenError, SealError};
use crate::keyring::KeyRing;
use format::{Format, Header, HeaderError, Mode, HEADER_LEN, MAX_COOKIE_LEN, NONCE_LEN};
use subkey::{NamespaceKeys, Subkey};

/// Default tolerance for an issued-at in the future (clock skew between servers).
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::seconds(60);

/// How old (and how new) an opened value may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Freshness {
    /// `None`: never expires.
    pub max_age: Option<Duration>,
    pub clock_skew: Duration,
}

/// What opening found besides the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Meta {
    pub issued_at: i64,
    pub key_index: usize,
}

/// Buffers larger than this are not kept for the next call.
const KEEP_SCRATCH: usize = 2 * MAX_COOKIE_LEN;

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(KEEP_SCRATCH));
}

/// Runs `f` with this thread's scratch buffer (or a fresh one when re-entered), cleared after.
///
/// The buffer never grows while it holds plaintext: its capacity ([`KEEP_SCRATCH`]) is twice
/// the largest cookie, the payload encoder stores nothing past the capacity (it only counts,
/// and the value is refused as too large), and everything else written (header, nonce, tag,
/// a decoded value of at most [`MAX_COOKIE_LEN`] characters) fits. A growing `Vec` would free
/// its old allocation, plaintext and all, without wiping it.
fn with_scratch<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            buf.clear();
            let out = f(&mut buf);
            if buf.capacity() > KEEP_SCRATCH {
                *buf = Vec::with_capacity(KEEP_SCRATCH);
            }
            buf.clear();
            out
        }
        Err(_) => f(&mut Vec::with_capacity(KEEP_SCRATCH)),
    })
}

/// Zeroizes the bytes this call wrote (plaintext). Only `buf.len()` bytes: every call wipes
/// what it wrote, so the spare capacity holds no plaintext either, and wiping the whole
/// capacity (as `Vec::zeroize` does) would cost ~8 KB of volatile writes per open.
fn wipe(buf: &mut Vec<u8>) {
    buf.as_mut_slice().zeroize();
    buf.clear();
}

/// Seals `value` with the ring's primary key under the namespace whose subkeys are `keys`.
pub(crate) fn seal<T: Serialize + ?Sized>(
    ring: &KeyRing,
    keys: &NamespaceKeys,
    format: Format,
    value: &T,
    now: i64,
) -> Result<String, SealError> {
    let nonce = (format.mode == Mode::Encrypted).then(encrypted::random_nonce);
    seal_with_nonce(ring, keys, format, value, now, nonce)
}

/// [`seal`] with the nonce given (`None` in signed mode); test vectors fix it.
pub(crate) fn seal_with_nonce<T: Serialize + ?Sized>(
    ring: &KeyRing,
    keys: &NamespaceKeys,
    format: Format,
    value: &T,
    now: i64,
    nonce: Option<[u8; NONCE_LEN]>,
) -> Result<String, SealError> {
    with_scratch(|buf| {
        let header = Header {
            format,
            key_id: ring.primary().id(),
            issued_at: now,
        };
        header.write(buf);
        if let Some(nonce) = nonce {
            buf.extend_from_slice(&nonce);
        }
        let result = seal_body(&keys.keys[0], format, value, buf);
        if result.is_err() && format.mode == Mode::Encrypted {
            wipe(buf);
        }
        result?;
        Ok(base64url::encode(buf))
    })
}

fn seal_body<T: Serialize + ?Sized>(
    subkey: &Subkey,
    format: Format,
    value: &T,
    buf: &mut Vec<u8>,
) -> Result<(), SealError> {
    let too_large = |raw: usize| SealError::TooLarge {
        len: encoded_len(raw),
        max: MAX_COOKIE_LEN,
    };
    let start = buf.len();
    let payload_len = format.codec.encode(value, buf)?;
    let raw = start + payload_len + format.tag_len();
    // Also refuses a payload the buffer did not hold whole (never the case for a payload that
    // fits in a cookie: the buffer is twice that size).
    if encoded_len(raw) > MAX_COOKIE_LEN || buf.len() != start + payload_len {
        return Err(too_large(raw));
    }
    match subkey {
        Subkey::Signed(mac) => signed::sign(mac, buf),
        Subkey::Encrypted(cipher) => {
            if !encrypted::encrypt(cipher, buf) {
                return Err(too_large(raw));
            }
        }
    }
    Ok(())
}

/// Opens `value`: size, decoding, header, key, authentication, age, then payload.
pub(crate) fn open<T: DeserializeOwned>(
    ring: &KeyRing,
    keys: &NamespaceKeys,
    format: Format,
    freshness: Freshness,
    value: &str,
    now: i64,
) -> Result<(T, Meta), OpenError> {
    if value.len() > MAX_COOKIE_LEN {
        return Err(OpenError::TooLarge {
            len: value.len(),
            max: MAX_COOKIE_LEN,
        });
    }
    with_scratch(|buf| {
        base64url::decode_into(value, buf).map_err(|()| OpenError::Malformed)?;
        let result = open_decoded(ring, keys, format, freshness, buf, now);
        if format.mode == Mode::Encrypted {
            wipe(buf);
        }
        result
    })
}

fn open_decoded<T: DeserializeOwned>(
    ring: &KeyRing,
    keys: &NamespaceKeys,
    format: Format,
    freshness: Freshness,
    sealed: &mut [u8],
    now: i64,
) -> Result<(T, Meta), OpenError> {
    let header_bytes: &[u8; HEADER_LEN] = sealed
        .get(..HEADER_LEN)
        .and_then(|h| h.try_into().ok())
        .ok_or(OpenError::Malformed)?;
    let header = Header::parse(header_bytes).map_err(|e| match e {
        HeaderError::UnknownVersion(version) => OpenError::UnknownVersion { version },
        HeaderError::UnknownFormat => OpenError::Malformed,
    })?;
    if header.format != format {
        return Err(OpenError::WrongFormat {
            expected: format,
            found: header.format,
        });
    }
    let key_index = ring.position(header.key_id).ok_or(OpenError::UnknownKey {
        key_id: header.key_id,
    })?;
    if sealed.len() < HEADER_LEN + format.overhead() {
        return Err(OpenError::Malformed);
    }
    let authentic = match &keys.keys[key_index] {
        Subkey::Signed(mac) => signed::verify(mac, sealed),
        Subkey::Encrypted(cipher) => encrypted::decrypt(cipher, sealed),
    };
    if !authentic {
        return Err(OpenError::Invalid);
    }
    check_freshness(header.issued_at, freshness, now)?;
    let payload = match format.mode {
        Mode::Signed => &sealed[HEADER_LEN..sealed.len() - format::MAC_LEN],
        Mode::Encrypted => &sealed[HEADER_LEN + NONCE_LEN..sealed.len() - format::AEAD_TAG_LEN],
    };
    let value = format.codec.decode(payload)?;
    Ok((
        value,
        Meta {
            issued_at: header.issued_at,
            key_index,
        },
    ))
}

fn check_freshness(issued_at: i64, freshness: Freshness, now_s: i64) -> Result<(), OpenError> {
    let at = |secs: i64| {
        OffsetDateTime::from_unix_timestamp(secs)
            .or_else(|_| OffsetDateTime::from_unix_timestamp(now_s))
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    };
    if let Some(max_age) = freshness.max_age {
        let expires = issued_at.saturating_add(max_age.whole_seconds());
        if now_s > expires {
            return Err(OpenError::Expired { at: at(expires) });
        }
    }
    if issued_at > now_s.saturating_add(freshness.clock_skew.whole_seconds()) {
        return Err(OpenError::IssuedInFuture { at: at(issued_at) });
    }
    Ok(())
}

/// The current time in unix seconds (rounded down), straight from the system clock: what the
/// engine needs, without `OffsetDateTime::now_utc`'s calendar conversion there and back.
pub(crate) fn unix_now() -> i64 {
    match SystemTime::now().duration_since(SystemTime::UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
        Err(before) => {
            let before = before.duration();
            let secs = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
            -secs - i64::from(before.subsec_nanos() > 0)
        }
    }
}

/// Length of the unpadded base64 encoding of `raw` bytes.
pub(crate) fn encoded_len(raw: usize) -> usize {
    base64::encoded_len(raw, false).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod vectors;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_now_is_the_clock_in_seconds() {
        let before = OffsetDateTime::now_utc().unix_timestamp();
        let now = unix_now();
        let after = OffsetDateTime::now_utc().unix_timestamp();
        assert!(before <= now && now <= after, "{before} {now} {after}");
    }

    #[test]
    fn freshness_reports_when() {
        let freshness = Freshness {
            max_age: Some(Duration::seconds(10)),
            clock_skew: DEFAULT_CLOCK_SKEW,
        };
        let at = |secs| OffsetDateTime::from_unix_timestamp(secs).unwrap();
        assert_eq!(check_freshness(1_000, freshness, 1_010), Ok(()));
        assert_eq!(
            check_freshness(1_000, freshness, 1_011),
            Err(OpenError::Expired { at: at(1_010) })
        );
        assert_eq!(
            check_freshness(1_061, freshness, 1_000),
            Err(OpenError::IssuedInFuture { at: at(1_061) })
        );
        // An expiry outside `OffsetDateTime`'s range is reported as now, without a panic.
        assert_eq!(
            check_freshness(i64::MIN, freshness, 1_000),
            Err(OpenError::Expired { at: at(1_000) })
        );
    }
}
