//! The sealing engine: turns a serde value into a sealed value and back, in one pass over a
//! reused per-thread buffer (serialize after the header, sign or encrypt in place, encode once).
//!
//! One [`Engine`] handle — a namespace's subkeys with their key ids, the format, the freshness
//! rules — serves both the derive path ([`SealedCookie`](crate::SealedCookie)) and the runtime
//! [`Sealer`]. Submodules: [`signed`] and [`encrypted`] (the two bodies), [`sealer`] (the
//! runtime front), [`opened`] (what opening reports), [`compress`] (raw DEFLATE for types
//! that declare `compress`), `vectors` (known answers).

pub(crate) mod compress;
pub(crate) mod encrypted;
mod opened;
mod sealer;
pub(crate) mod signed;

use std::cell::RefCell;

use serde::de::DeserializeOwned;
use serde::Serialize;
use time::{Duration, OffsetDateTime};
use zeroize::Zeroize;

use crate::error::{OpenError, SealError};
use crate::keys::subkeys::{NamespaceKeys, Subkey};
use crate::wire::claims::Claims;
use crate::wire::format::{
    Header, HeaderError, AEAD_TAG_LEN, COMPRESSED, FORMAT_OFFSET, MAC_LEN, MAX_COOKIE_LEN,
    MAX_PAYLOAD_LEN, NONCE_LEN,
};
use crate::wire::{base64url, Format, Mode};

pub use opened::{Opened, RefreshReason};
pub use sealer::{Sealer, SealerBuilder};

/// Default tolerance for an issued-at in the future (clock skew between servers).
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::seconds(60);

/// How old (and how new) an opened value may be, and when it is due for a refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Freshness {
    /// Absolute lifetime, counted from the session's creation; `None`: never expires.
    pub max_age: Option<Duration>,
    /// Inactivity timeout, counted from the last seal; `None`: none.
    pub idle: Option<Duration>,
    /// Age (since the last seal) from which a value is due for a refresh; `None`: only a
    /// fallback key makes it due.
    pub refresh_after: Option<Duration>,
    pub clock_skew: Duration,
}

impl Freshness {
    /// Only an absolute lifetime (or none), the default clock skew.
    pub const fn max_age(max_age: Option<Duration>) -> Self {
        Self {
            max_age,
            idle: None,
            refresh_after: None,
            clock_skew: DEFAULT_CLOCK_SKEW,
        }
    }
}

/// What opening found besides the value, in unix seconds (converted to dates only when asked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Meta {
    pub issued_at: i64,
    pub created_at: i64,
    pub key_index: usize,
    pub key_id: crate::KeyId,
    /// `created_at + max_age`.
    pub expires_at: Option<i64>,
    /// `issued_at + idle`.
    pub idle_deadline: Option<i64>,
    pub refresh: Option<RefreshReason>,
    /// A tracked value's claims (and the binding it opened under): what a reseal carries over.
    pub guarded: Option<Box<Defences>>,
}

/// What a reseal of a tracked or bound value must carry over.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Defences {
    pub claims: Option<Claims>,
    pub binding: Option<[u8; BINDING_LEN]>,
    /// Opened by the guard inside a replay grace window: another request already renewed the
    /// session, so this value must not be written back (see [`SealError::Superseded`]).
    ///
    /// [`SealError::Superseded`]: crate::SealError::Superseded
    pub superseded: bool,
}

/// Whether the value is bound, not the binding's digest: an unkeyed hash of the client's parts
/// (the same in every application), which a logged `?session` would otherwise carry and a
/// dictionary of device ids or the 2^24 IPv4 /24s would invert.
impl std::fmt::Debug for Defences {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Defences")
            .field("claims", &self.claims)
            .field("bound", &self.binding.is_some())
            .field("superseded", &self.superseded)
            .finish()
    }
}

/// Length of a client binding's digest.
pub(crate) const BINDING_LEN: usize = 32;

/// The server-side extras of one seal or open: the claims to write (tracked types), whether
/// opening requires them, and the client binding authenticated beside the value.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Guarding<'a> {
    /// Sealing: the claims block to write (`Some` exactly for tracked types).
    pub claims: Option<&'a Claims>,
    /// Opening: the value must carry a claims block (and must not otherwise).
    pub tracked: bool,
    /// The client binding's digest, authenticated as associated data, never written.
    pub binding: Option<&'a [u8; BINDING_LEN]>,
}

/// One namespace's engine: its subkeys (with their key ids), format, compression policy and
/// freshness rules.
#[derive(Clone, Copy)]
pub(crate) struct Engine<'k> {
    pub keys: &'k NamespaceKeys,
    pub format: Format,
    /// Whether values may be compressed: sealing deflates a payload when that makes it
    /// shorter, opening accepts compressed values. Without it, a compressed value is refused
    /// before anything is authenticated or inflated.
    pub compress: bool,
    pub freshness: Freshness,
    pub guarding: Guarding<'k>,
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

impl Engine<'_> {
    /// Seals `value` with the primary key at `now`, for a session created at `created_at`
    /// (`now` for a new one).
    pub fn seal<T: Serialize + ?Sized>(
        &self,
        value: &T,
        now: i64,
        created_at: i64,
    ) -> Result<String, SealError> {
        self.seal_then(value, now, created_at, base64url::encode)
    }

    /// [`Engine::seal`], handing the sealed bytes (before base64url) to `encode`, which
    /// writes them wherever they go: a `Set-Cookie` header is encoded straight after its
    /// `name=`, without a value string of its own.
    pub fn seal_then<T: Serialize + ?Sized, R>(
        &self,
        value: &T,
        now: i64,
        created_at: i64,
        encode: impl FnOnce(&[u8]) -> R,
    ) -> Result<R, SealError> {
        let nonce = (self.format.mode == Mode::Encrypted).then(encrypted::random_nonce);
        self.seal_with_nonce_then(value, now, created_at, nonce, encode)
    }

    /// [`Engine::seal`] with the nonce given (`None` in signed mode); test vectors fix it.
    #[cfg(test)]
    pub fn seal_with_nonce<T: Serialize + ?Sized>(
        &self,
        value: &T,
        now: i64,
        created_at: i64,
        nonce: Option<[u8; NONCE_LEN]>,
    ) -> Result<String, SealError> {
        self.seal_with_nonce_then(value, now, created_at, nonce, base64url::encode)
    }

    fn seal_with_nonce_then<T: Serialize + ?Sized, R>(
        &self,
        value: &T,
        now: i64,
        created_at: i64,
        nonce: Option<[u8; NONCE_LEN]>,
        encode: impl FnOnce(&[u8]) -> R,
    ) -> Result<R, SealError> {
        with_scratch(|buf| {
            let header = Header {
                format: self.format,
                // Set below, once the payload is known to shrink.
                compressed: false,
                key_id: self.keys.ids[0].to_bytes(),
                issued_at: now,
                created_at: created_at.min(now),
                claims: self.guarding.claims.is_some(),
            };
            header.write(buf);
            if let Some(nonce) = nonce {
                buf.extend_from_slice(&nonce);
            }
            if let Some(claims) = self.guarding.claims {
                claims.write(buf);
            }
            let result = self.seal_body(value, header.len(), buf);
            if result.is_err() && self.format.mode == Mode::Encrypted {
                wipe(buf);
            }
            result?;
            Ok(encode(buf))
        })
    }

    fn seal_body<T: Serialize + ?Sized>(
        &self,
        value: &T,
        header_len: usize,
        buf: &mut Vec<u8>,
    ) -> Result<(), SealError> {
        let too_large = |raw: usize| SealError::TooLarge {
            len: encoded_len(raw),
            max: MAX_COOKIE_LEN,
        };
        let start = buf.len();
        let (payload_len, compressed) = if self.compress {
            compress::encode(self.format.codec, value, buf)
        } else {
            self.format.codec.encode(value, buf).map(|len| (len, false))
        }
        .map_err(|e| SealError::Serialize { reason: e.0 })?;
        if compressed {
            buf[FORMAT_OFFSET] |= COMPRESSED;
        }
        let raw = start + payload_len + self.format.tag_len();
        // Also refuses a payload the buffer did not hold whole (never the case for a payload
        // that fits in a cookie: the buffer is twice that size). A compressing type's payload
        // over MAX_PAYLOAD_LEN comes back uncompressed and unstored, so it is refused here.
        if encoded_len(raw) > MAX_COOKIE_LEN || buf.len() != start + payload_len {
            return Err(too_large(raw));
        }
        match &self.keys.keys[0] {
            Subkey::Signed(mac) => signed::sign(mac, buf, self.guarding.binding),
            Subkey::Encrypted(cipher) => {
                if !encrypted::encrypt(cipher, buf, header_len, self.guarding.binding) {
                    return Err(too_large(raw));
                }
            }
        }
        Ok(())
    }

    /// Opens `value` at `now`: size, decoding, header, key, authentication, age, then payload.
    pub fn open<T: DeserializeOwned>(
        &self,
        value: &(impl AsRef<[u8]> + ?Sized),
        now: i64,
    ) -> Result<Opened<T>, OpenError> {
        self.open_with(value, now, Opened::new)
    }

    /// [`Engine::open`], handing the value and what the header said to `finish`: the plain
    /// `open` paths keep only the value, so nothing else is built or moved for them.
    pub fn open_with<T: DeserializeOwned, R>(
        &self,
        value: &(impl AsRef<[u8]> + ?Sized),
        now: i64,
        finish: impl FnOnce(T, Meta) -> R,
    ) -> Result<R, OpenError> {
        let value = value.as_ref();
        if value.len() > MAX_COOKIE_LEN {
            return Err(OpenError::TooLarge {
                len: value.len(),
                max: MAX_COOKIE_LEN,
            });
        }
        with_scratch(|buf| {
            base64url::decode_into(value, buf).map_err(|()| OpenError::Malformed)?;
            let result = self.open_decoded(buf, now, finish);
            if self.format.mode == Mode::Encrypted {
                wipe(buf);
            }
            result
        })
    }

    fn open_decoded<T: DeserializeOwned, R>(
        &self,
        sealed: &mut [u8],
        now: i64,
        finish: impl FnOnce(T, Meta) -> R,
    ) -> Result<R, OpenError> {
        let format = self.format;
        let (header, header_len) = Header::parse(sealed).map_err(|e| match e {
            HeaderError::UnknownVersion(version) => OpenError::UnknownVersion { version },
            HeaderError::UnknownFormat | HeaderError::Truncated => OpenError::Malformed,
        })?;
        if header.format != format {
            return Err(OpenError::WrongFormat {
                expected: format,
                found: header.format,
            });
        }
        if header.claims != self.guarding.tracked {
            return Err(OpenError::TrackingMismatch {
                tracked: self.guarding.tracked,
            });
        }
        // Public structure, like the format: refused before authentication, so a type that
        // does not compress never runs the inflater, whatever the value.
        if header.compressed && !self.compress {
            return Err(OpenError::UnexpectedCompression);
        }
        let key_index = self
            .keys
            .ids
            .iter()
            .position(|id| id.to_bytes() == header.key_id)
            .ok_or(OpenError::UnknownKey {
                key_id: crate::KeyId::from_bytes(header.key_id),
            })?;
        if sealed.len() < header_len + format.overhead() {
            return Err(OpenError::Malformed);
        }
        let authentic = match &self.keys.keys[key_index] {
            Subkey::Signed(mac) => signed::verify(mac, sealed, self.guarding.binding),
            Subkey::Encrypted(cipher) => {
                encrypted::decrypt(cipher, sealed, header_len, self.guarding.binding)
            }
        };
        if !authentic {
            return Err(OpenError::Invalid);
        }
        let mut meta = check_freshness(&header, self.freshness, now)?;
        meta.key_index = key_index;
        meta.key_id = self.keys.ids[key_index];
        if key_index != 0 {
            meta.refresh = Some(RefreshReason::FallbackKey);
        }
        let mut payload = match format.mode {
            Mode::Signed => &sealed[header_len..sealed.len() - MAC_LEN],
            Mode::Encrypted => &sealed[header_len + NONCE_LEN..sealed.len() - AEAD_TAG_LEN],
        };
        if header.claims || self.guarding.binding.is_some() {
            let claims = if header.claims {
                // Authentic, so written by us: a block that does not parse is a bug or a
                // retired format, reported like any undecodable value.
                let (claims, len) = Claims::parse(payload).ok_or(OpenError::Malformed)?;
                payload = &payload[len..];
                Some(claims)
            } else {
                None
            };
            meta.guarded = Some(Box::new(Defences {
                claims,
                binding: self.guarding.binding.copied(),
                superseded: false,
            }));
        }
        // Inflated only now: authentic, fresh, and bounded by MAX_PAYLOAD_LEN.
        let value = if header.compressed {
            compress::inflate(payload, |plain| format.codec.decode(plain)).map_err(|e| match e {
                compress::InflateError::TooLarge => OpenError::InflatedTooLarge {
                    max: MAX_PAYLOAD_LEN,
                },
                compress::InflateError::Corrupt => OpenError::CorruptCompression,
            })?
        } else {
            format.codec.decode(payload)
        };
        let value = value.ok_or(OpenError::PayloadMismatch {
            type_name: std::any::type_name::<T>(),
        })?;
        Ok(finish(value, meta))
    }
}

/// Checks an authentic header's times against `freshness` at `now`; what it found, with the
/// key fields left for the caller.
fn check_freshness(header: &Header, freshness: Freshness, now: i64) -> Result<Meta, OpenError> {
    let at = |secs: i64| {
        OffsetDateTime::from_unix_timestamp(secs)
            .or_else(|_| OffsetDateTime::from_unix_timestamp(now))
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    };
    let deadline = |from: i64, after: Option<Duration>| {
        after.map(|after| from.saturating_add(after.whole_seconds()))
    };
    let expires_at = deadline(header.created_at, freshness.max_age);
    let idle_deadline = deadline(header.issued_at, freshness.idle);
    for end in [expires_at, idle_deadline].into_iter().flatten() {
        if now > end {
            return Err(OpenError::Expired { at: at(end) });
        }
    }
    if header.issued_at > now.saturating_add(freshness.clock_skew.whole_seconds()) {
        return Err(OpenError::IssuedInFuture {
            at: at(header.issued_at),
        });
    }
    let refresh = freshness
        .refresh_after
        .filter(|after| now.saturating_sub(header.issued_at) >= after.whole_seconds())
        .map(|_| RefreshReason::Idle);
    Ok(Meta {
        issued_at: header.issued_at,
        created_at: header.created_at,
        key_index: 0,
        key_id: crate::KeyId::from_bytes(header.key_id),
        expires_at,
        idle_deadline,
        refresh,
        guarded: None,
    })
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
    use crate::wire::Codec;

    fn header(issued_at: i64, created_at: i64) -> Header {
        Header {
            format: Format {
                mode: Mode::Signed,
                codec: Codec::Json,
            },
            compressed: false,
            key_id: [0; 4],
            issued_at,
            created_at,
            claims: false,
        }
    }

    #[test]
    fn freshness_reports_when() {
        let freshness = Freshness::max_age(Some(Duration::seconds(10)));
        let at = |secs| OffsetDateTime::from_unix_timestamp(secs).unwrap();
        let check =
            |issued, now| check_freshness(&header(issued, issued), freshness, now).map(|_| ());
        assert_eq!(check(1_000, 1_010), Ok(()));
        assert_eq!(
            check(1_000, 1_011),
            Err(OpenError::Expired { at: at(1_010) })
        );
        assert_eq!(
            check(1_061, 1_000),
            Err(OpenError::IssuedInFuture { at: at(1_061) })
        );
        // An expiry outside `OffsetDateTime`'s range is reported as now, without a panic.
        assert_eq!(
            check(i64::MIN, 1_000),
            Err(OpenError::Expired { at: at(1_000) })
        );
    }

    #[test]
    fn absolute_lifetime_counts_from_creation_idle_from_the_last_seal() {
        let freshness = Freshness {
            max_age: Some(Duration::seconds(100)),
            idle: Some(Duration::seconds(30)),
            refresh_after: Some(Duration::seconds(15)),
            clock_skew: DEFAULT_CLOCK_SKEW,
        };
        let at = |secs| OffsetDateTime::from_unix_timestamp(secs).unwrap();
        let check =
            |issued, created, now| check_freshness(&header(issued, created), freshness, now);
        let meta = check(1_080, 1_000, 1_090).unwrap();
        assert_eq!(
            (meta.expires_at, meta.idle_deadline, meta.refresh),
            (Some(1_100), Some(1_110), None)
        );
        assert_eq!(
            check(1_080, 1_000, 1_095).unwrap().refresh,
            Some(RefreshReason::Idle)
        );
        // Active (resealed at 1_080) but past the absolute deadline of 1_100.
        assert_eq!(
            check(1_080, 1_000, 1_101),
            Err(OpenError::Expired { at: at(1_100) })
        );
        // Idle: created recently, last sealed 31 s ago.
        assert_eq!(
            check(1_050, 1_040, 1_081),
            Err(OpenError::Expired { at: at(1_080) })
        );
    }
}
