//! The errors of sealing and opening: [`SealError`] (making a value) and [`OpenError`] (reading
//! one back). Building keys has its own, [`KeyError`](crate::KeyError), beside the keys.
//!
//! Messages say what went wrong and what to do about it. None of them contains key material,
//! plaintext, or anything that would let an attacker tell *why* authentication failed: every
//! signature or decryption failure is the single variant [`OpenError::Invalid`].

use time::OffsetDateTime;

use crate::keys::KeyId;
use crate::wire::Format;

/// Sealing a value failed.
///
/// ```
/// use typed_cookies::{Key, KeyRing, SealError};
/// let keys = KeyRing::new(Key::generate());
/// let note = keys.signed("notes").no_expiry();
/// let err = note.seal(&"x".repeat(5000)).unwrap_err();
/// assert!(matches!(err, SealError::TooLarge { max: 4096, .. }));
/// assert_eq!(err.kind(), "too_large");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// The sealed value (or the whole `name=value` pair) would not fit in a cookie.
    #[error("sealed cookie would be {len} bytes, over the {max}-byte limit browsers keep; store less in the cookie (or keep it server-side)")]
    TooLarge {
        /// Length the value (or `name=value`) would have had.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The type is bound or tracked and was sealed without its [`Guard`](crate::guard::Guard).
    /// Such a type is not [`Stateless`](crate::Stateless), so the plain API does not compile
    /// for it; this is the run-time backstop for a hand-written `impl Stateless`.
    #[error(
        "cookie `{name}` is bound or revocable: seal it through a `typed_cookies::guard::Guard`"
    )]
    NeedsGuard {
        /// The cookie name.
        name: &'static str,
    },
    /// The revocation store could not answer while issuing a tracked value, and the type
    /// fails closed (the default).
    #[error("revocation store unavailable; no session issued (the type fails closed)")]
    StoreUnavailable,
    /// The subject given for a tracked value is longer than 255 bytes.
    #[error("session subject is {len} bytes, over the 255-byte limit of the claims block")]
    SubjectTooLong {
        /// Its length.
        len: usize,
    },
    /// The subject given is `Some("")`. The claims block cannot tell an empty subject from
    /// none, so it would have issued an anonymous session that
    /// [`Guard::sign_out_everywhere`](crate::guard::Guard::sign_out_everywhere) never ends;
    /// pass `None` for an anonymous session, or the user's id.
    #[error(
        "session subject is empty: pass `None` for an anonymous session, or a non-empty user id"
    )]
    EmptySubject,
    /// The type binds its values to a part of the client (`bind = "ip"` or `"app"`) that the
    /// [`ClientContext`](crate::guard::ClientContext) given to
    /// [`Guard::issue`](crate::guard::Guard::issue) does not carry. Sealed anyway, the value
    /// would be bound to "no address" and never open from a real request, so the sign-in
    /// would look fine and the next request answer 401. Build the context with the adapters'
    /// `client_context_of::<T>` (axum: needs `ConnectInfo`, see the guard module), or add the
    /// part (`ClientContext::ip`, `ClientContext::app`). Empty app bytes are missing too: a
    /// value bound to them would open for anyone who sends none (refuse such a sign-in, say
    /// with a 400, before calling `issue`). A missing `User-Agent` is not this error: a
    /// request without one is bound as having none, and opens from such requests.
    #[error("cookie `{name}` is bound to the client's {part}, which the ClientContext given to Guard::issue does not carry (or carries empty); build it with the adapter's `client_context_of::<T>` or set it (`ClientContext::{part}`)")]
    MissingClientPart {
        /// The cookie name.
        name: &'static str,
        /// The missing part, as `bind` spells it: `"ip"` or `"app"`.
        part: &'static str,
    },
    /// The value was opened inside a `replay` type's grace window: a request that was in
    /// flight while another one renewed the session, so the browser already has (or is
    /// getting) a newer value and this one cannot be written back
    /// ([`Opened::superseded`](crate::Opened::superseded)). Neither nonce would be safe: the
    /// presented one is a replay once the window is over (the session would end), and the
    /// current one would let anyone holding the previous value turn it into a live one. The
    /// adapters answer `409 Conflict`: the client retries with the value it now holds.
    #[error("cookie `{name}` was opened inside its replay grace window (another request already renewed the session): it cannot be written back; retry the request")]
    Superseded {
        /// The cookie name.
        name: &'static str,
    },
    /// The payload could not be serialized.
    #[error("could not serialize the cookie payload: {reason}")]
    Serialize {
        /// What the serializer reported. serde_json's and postcard's own messages describe the
        /// type's shape ("key must be a string"), but a custom `Serialize` impl can return any
        /// message, including payload data: treat it as sensitive. The axum and actix-web
        /// adapters log it at `debug` level only.
        reason: String,
    },
    /// A foreign format's signing secret is empty (or all zero bytes, which HMAC treats as
    /// the empty key): anyone can compute its signatures, so nothing is signed with it, and
    /// nothing opens under it either (`OpenError::Invalid`). Usually an unset environment
    /// variable read as `""`.
    #[error("the {which} is empty, and anyone can sign with an empty key: nothing is signed with it; configure the secret (is the variable that holds it unset?)")]
    EmptySecret {
        /// Which secret, as the foreign app calls it (e.g. "Express secret").
        which: &'static str,
    },
}

/// Opening (verifying, decrypting, checking the age of, and decoding) a value failed.
///
/// Every variant before [`OpenError::Invalid`] is decided on public, unauthenticated structure
/// (length, encoding, the header's version, format and key id), which an attacker already sees.
/// Everything after it is only reported for values that authenticated under our key.
///
/// ```
/// use typed_cookies::time::{Duration, OffsetDateTime};
/// use typed_cookies::{Key, KeyRing, OpenError};
/// let then = OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap();
/// let keys = KeyRing::new(Key::generate()).at(then);
/// let reset = keys.signed("reset").max_age(Duration::hours(1));
/// let token = reset.seal(&7u64).unwrap();
///
/// // Changed, or sealed for another purpose: one variant, no oracle.
/// let mut changed = token.clone();
/// changed.replace_range(20..21, if &token[20..21] == "A" { "B" } else { "A" });
/// assert_eq!(reset.open::<u64>(&changed), Err(OpenError::Invalid));
/// let other = keys.signed("invite").max_age(Duration::hours(1));
/// assert_eq!(other.open::<u64>(&token), Err(OpenError::Invalid));
/// // Authentic but too old: says when it expired.
/// let later = reset.at(then + Duration::hours(2));
/// assert_eq!(
///     later.open::<u64>(&token),
///     Err(OpenError::Expired { at: then + Duration::hours(1) })
/// );
/// assert_eq!(OpenError::Malformed.to_string(), "cookie value is malformed (not a sealed value)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The value is longer than any cookie value we would have made; refused before decoding.
    #[error("cookie value is {len} bytes, over the {max}-byte limit; refused unread")]
    TooLarge {
        /// Length of the refused input.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Not base64url, or too short to hold a header and a tag.
    #[error("cookie value is malformed (not a sealed value)")]
    Malformed,
    /// The header names a format version this library does not know.
    #[error("cookie value has unknown format version {version}")]
    UnknownVersion {
        /// The version byte found.
        version: u8,
    },
    /// The value was sealed in another mode or codec than the one it is opened with.
    #[error("cookie value was sealed as {found} but is opened as {expected}")]
    WrongFormat {
        /// What the opener expects.
        expected: Format,
        /// What the header says.
        found: Format,
    },
    /// The value's payload is compressed (format byte bit `0x40`), but it is opened as a type
    /// (or by a [`Sealer`](crate::Sealer)) that does not declare `compress`. Decided on the
    /// header alone, before authentication: nothing is inflated for a type that never
    /// compresses.
    #[error(
        "cookie value is compressed, but it is opened as a type that does not declare `compress`"
    )]
    UnexpectedCompression,
    /// The key id in the header matches no key of the ring (the key was retired, or the value
    /// comes from elsewhere).
    #[error("cookie value was sealed with key {key_id}, which is not in the key ring")]
    UnknownKey {
        /// The id found in the header.
        key_id: KeyId,
    },
    /// Signature or decryption failed: tampered, forged, or sealed under another salt.
    #[error(
        "cookie value failed authentication (tampered, forged, or sealed for another purpose)"
    )]
    Invalid,
    /// Authentic, but older than its max age.
    #[error("cookie value expired at {}", rfc3339(.at))]
    Expired {
        /// When it expired.
        at: OffsetDateTime,
    },
    /// Authentic, but issued further in the future than the allowed clock skew.
    #[error("cookie value was issued in the future ({}); check the clocks of the servers", rfc3339(.at))]
    IssuedInFuture {
        /// The issued-at time found in the value.
        at: OffsetDateTime,
    },
    /// Authentic, but the payload does not decode as the expected type (the type changed since
    /// the value was sealed).
    #[error("cookie value is authentic but its payload does not decode as `{type_name}`")]
    PayloadMismatch {
        /// The Rust type it was opened as.
        type_name: &'static str,
    },
    /// Authentic (a foreign format's value, `interop`), but its payload is in a serialization
    /// this library never parses because parsing it can run code in the app that made it
    /// (Ruby `Marshal`): switch that app to JSON.
    #[error("cookie value is authentic but its payload is {serializer} data, which is never deserialized here; switch the other app to JSON (Rails: cookies_serializer = :json, or :hybrid until old cookies are rewritten)")]
    UnsupportedSerializer {
        /// The serialization found, e.g. `"Ruby Marshal"`.
        serializer: &'static str,
    },
    /// The value carries session claims and its type does not track sessions, or the reverse
    /// (a value sealed before the type became `revocable`, `one_time` or `replay`): refused
    /// so that no value escapes the server-side checks.
    #[error("cookie value {} session claims but its type {}; sealed under another policy (change the salt when a type becomes revocable)", if *.tracked { "has no" } else { "carries" }, if *.tracked { "is tracked" } else { "is not" })]
    TrackingMismatch {
        /// Whether the type opening it is tracked.
        tracked: bool,
    },
    /// The type is bound to its client or tracked server-side, and was sealed or opened
    /// without its [`Guard`](crate::guard::Guard), which would skip those checks. Such a type is
    /// not [`Stateless`](crate::Stateless), so the plain API does not compile for it; this is
    /// the run-time backstop for a hand-written `impl Stateless`.
    #[error("cookie `{name}` is bound or revocable: seal and open it through a `typed_cookies::guard::Guard` (or the adapters' `Guarded<T>`)")]
    NeedsGuard {
        /// The cookie name.
        name: &'static str,
    },
    /// Authentic and fresh, but its session was revoked: signed out, signed out everywhere
    /// (an older epoch), or revoked after a replay.
    #[error("cookie value belongs to a revoked session")]
    Revoked,
    /// A one-time value that was already used once.
    #[error("cookie value was already used (one-time)")]
    AlreadyUsed,
    /// Replay detection saw an older copy of the session being used: the session is now
    /// revoked everywhere it is open.
    #[error("cookie value is a replayed copy of an older response; its session is revoked")]
    Replayed,
    /// The revocation store could not answer and the type fails closed (the default).
    #[error("revocation store unavailable; refused (the type fails closed)")]
    StoreUnavailable,
    /// Authentic, but its compressed payload would inflate past `max` bytes
    /// ([`MAX_PAYLOAD_LEN`](crate::MAX_PAYLOAD_LEN)); inflating stopped there. Only a holder
    /// of the key can seal such a value (this library refuses to seal a payload that long).
    #[error("cookie value is authentic but its compressed payload inflates past the {max}-byte limit; refused")]
    InflatedTooLarge {
        /// The limit.
        max: usize,
    },
    /// Authentic, but its compressed payload is not one complete raw DEFLATE stream (corrupt,
    /// cut short, or followed by other bytes).
    #[error("cookie value is authentic but its compressed payload is not a valid DEFLATE stream")]
    CorruptCompression,
    /// The request's `Cookie:` header holds this cookie's name more than once (cookie tossing).
    #[error("cookie `{name}` appears {count} times in the Cookie header; refused as ambiguous (a `__Host-` name prevents this)")]
    DuplicateCookie {
        /// The cookie name.
        name: &'static str,
        /// How many times it appears.
        count: usize,
    },
}

impl SealError {
    /// A short, data-free name of the failure for logs and metrics: `too_large`,
    /// `serialize`, `needs_guard`, `subject_too_long`, `empty_subject`, `missing_client_part`,
    /// `superseded`, `store_unavailable` or `empty_secret`.
    pub fn kind(&self) -> &'static str {
        match self {
            SealError::TooLarge { .. } => "too_large",
            SealError::Serialize { .. } => "serialize",
            SealError::EmptySecret { .. } => "empty_secret",
            SealError::NeedsGuard { .. } => "needs_guard",
            SealError::SubjectTooLong { .. } => "subject_too_long",
            SealError::EmptySubject => "empty_subject",
            SealError::MissingClientPart { .. } => "missing_client_part",
            SealError::Superseded { .. } => "superseded",
            SealError::StoreUnavailable => "store_unavailable",
        }
    }
}

impl OpenError {
    /// A short, data-free name of the failure for logs and metrics (`too_large`, `malformed`,
    /// `unknown_version`, `wrong_format`, `unexpected_compression`, `unknown_key`, `invalid`,
    /// `expired`, `issued_in_future`, `payload_mismatch`, `unsupported_serializer`,
    /// `inflated_too_large`,
    /// `corrupt_compression`, `duplicate_cookie`, `tracking_mismatch`, `needs_guard`,
    /// `revoked`, `already_used`, `replayed`, `store_unavailable`).
    ///
    /// ```
    /// assert_eq!(typed_cookies::OpenError::Invalid.kind(), "invalid");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            OpenError::TooLarge { .. } => "too_large",
            OpenError::Malformed => "malformed",
            OpenError::UnknownVersion { .. } => "unknown_version",
            OpenError::WrongFormat { .. } => "wrong_format",
            OpenError::UnexpectedCompression => "unexpected_compression",
            OpenError::UnknownKey { .. } => "unknown_key",
            OpenError::Invalid => "invalid",
            OpenError::Expired { .. } => "expired",
            OpenError::IssuedInFuture { .. } => "issued_in_future",
            OpenError::PayloadMismatch { .. } => "payload_mismatch",
            OpenError::UnsupportedSerializer { .. } => "unsupported_serializer",
            OpenError::InflatedTooLarge { .. } => "inflated_too_large",
            OpenError::CorruptCompression => "corrupt_compression",
            OpenError::DuplicateCookie { .. } => "duplicate_cookie",
            OpenError::TrackingMismatch { .. } => "tracking_mismatch",
            OpenError::NeedsGuard { .. } => "needs_guard",
            OpenError::Revoked => "revoked",
            OpenError::AlreadyUsed => "already_used",
            OpenError::Replayed => "replayed",
            OpenError::StoreUnavailable => "store_unavailable",
        }
    }
}

/// `2026-03-01T14:00:00Z`, for messages.
fn rfc3339(at: &OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}
