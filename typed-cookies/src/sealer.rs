//! The low-level API: [`Sealer`], made by [`KeyRing::signer`] and [`KeyRing::sealer`], seals
//! and opens any serde value under a salt chosen at run time — Django's
//! `signing.dumps(value, salt=…)` / `loads(…, max_age=…)`, typed.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::codec::Codec;
use crate::error::{OpenError, SealError};
use crate::keyring::KeyRing;
use crate::opened::Opened;
use crate::seal::format::{Format, Mode};
use crate::seal::subkey::{Namespace, NamespaceKeys};
use crate::seal::{self, Freshness, Meta, DEFAULT_CLOCK_SKEW};

/// Seals and opens values of any serde type for one purpose (salt) and mode.
///
/// Made by [`KeyRing::signer`] (tamper-proof, readable) or [`KeyRing::sealer`] (encrypted).
/// Its subkeys are derived when it is made, so keep it around rather than making one per call
/// (making one is still cheap: subkeys are cached in the ring).
///
/// A password-reset link that works for one hour and only for resetting passwords:
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use time::{Duration, OffsetDateTime};
/// use typed_cookies::{Key, KeyRing, OpenError};
///
/// #[derive(Serialize, Deserialize, PartialEq, Debug)]
/// struct Reset { user_id: u64, password_hash_prefix: String }
///
/// let keys = KeyRing::new(Key::generate());
/// let reset = keys.signer("accounts.password-reset").max_age(Duration::hours(1));
///
/// let now = OffsetDateTime::now_utc();
/// let token = reset.seal_at(&Reset { user_id: 7, password_hash_prefix: "x9Qz".into() }, now).unwrap();
/// let link = format!("https://shop.example/reset?token={token}"); // base64url: safe in a URL
///
/// let back: Reset = reset.open_at(&token, now + Duration::minutes(59)).unwrap();
/// assert_eq!(back.user_id, 7);
/// assert!(matches!(reset.open_at::<Reset>(&token, now + Duration::minutes(61)), Err(OpenError::Expired { .. })));
/// // The same token is worthless for any other purpose:
/// assert_eq!(keys.signer("accounts.email-change").open::<Reset>(&token), Err(OpenError::Invalid));
/// # let _ = link;
/// ```
///
/// A hidden form field the client must hand back unchanged and unread:
///
/// ```
/// use typed_cookies::{Key, KeyRing};
/// let keys = KeyRing::new(Key::generate());
/// let field = keys.sealer("checkout.cart-id");
/// let hidden = field.seal(&"cart-5531").unwrap();
/// let html = format!(r#"<input type="hidden" name="cart" value="{hidden}">"#);
/// assert!(!html.contains("cart-5531"));
/// assert_eq!(field.open::<String>(&hidden).unwrap(), "cart-5531");
/// ```
#[derive(Clone)]
pub struct Sealer {
    ring: KeyRing,
    keys: Arc<NamespaceKeys>,
    format: Format,
    freshness: Freshness,
}

impl KeyRing {
    /// A [`Sealer`] that signs (HMAC-SHA256) for the purpose `salt`: the payload stays readable
    /// (base64url JSON), any change is detected. Values never expire unless
    /// [`Sealer::max_age`] is set.
    pub fn signer(&self, salt: &str) -> Sealer {
        Sealer::new(self, salt, Mode::Signed)
    }

    /// A [`Sealer`] that encrypts (AES-256-GCM-SIV) for the purpose `salt`: the payload is
    /// neither readable nor changeable. Values never expire unless [`Sealer::max_age`] is set.
    pub fn sealer(&self, salt: &str) -> Sealer {
        Sealer::new(self, salt, Mode::Encrypted)
    }
}

impl Sealer {
    fn new(ring: &KeyRing, salt: &str, mode: Mode) -> Self {
        let format = Format {
            mode,
            codec: Codec::Json,
        };
        let namespace = Namespace {
            format,
            schema: 0,
            salt,
        };
        Self {
            keys: ring.cache().get(ring.keys(), &namespace),
            ring: ring.clone(),
            format,
            freshness: Freshness {
                max_age: None,
                clock_skew: DEFAULT_CLOCK_SKEW,
            },
        }
    }

    /// Values older than `max_age` (counted from when they were sealed) are refused with
    /// [`OpenError::Expired`].
    #[must_use]
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.freshness.max_age = Some(max_age);
        self
    }

    /// How far in the future an issued-at may lie (default 60 s) before
    /// [`OpenError::IssuedInFuture`].
    #[must_use]
    pub fn clock_skew(mut self, skew: Duration) -> Self {
        self.freshness.clock_skew = skew;
        self
    }

    /// Signed or encrypted.
    pub fn mode(&self) -> Mode {
        self.format.mode
    }

    /// Seals `value` now.
    pub fn seal<T: Serialize + ?Sized>(&self, value: &T) -> Result<String, SealError> {
        seal::seal(&self.ring, &self.keys, self.format, value, seal::unix_now())
    }

    /// Seals `value` as if it were `now`.
    pub fn seal_at<T: Serialize + ?Sized>(
        &self,
        value: &T,
        now: OffsetDateTime,
    ) -> Result<String, SealError> {
        seal::seal(
            &self.ring,
            &self.keys,
            self.format,
            value,
            now.unix_timestamp(),
        )
    }

    /// Opens `value` now.
    pub fn open<T: DeserializeOwned>(&self, value: &str) -> Result<T, OpenError> {
        self.open_unix(value, seal::unix_now())
            .map(|(value, _)| value)
    }

    /// Opens `value` as if it were `now`.
    pub fn open_at<T: DeserializeOwned>(
        &self,
        value: &str,
        now: OffsetDateTime,
    ) -> Result<T, OpenError> {
        self.open_unix(value, now.unix_timestamp())
            .map(|(value, _)| value)
    }

    /// Opens `value` now, and says when it was sealed and whether with the primary key (if
    /// not, reseal it to move it to the current key).
    pub fn open_with_metadata<T: DeserializeOwned>(
        &self,
        value: &str,
    ) -> Result<Opened<T>, OpenError> {
        self.open_unix(value, seal::unix_now())
            .map(|(value, meta)| Opened::new(value, meta))
    }

    /// [`Sealer::open_with_metadata`] as if it were `now`.
    pub fn open_with_metadata_at<T: DeserializeOwned>(
        &self,
        value: &str,
        now: OffsetDateTime,
    ) -> Result<Opened<T>, OpenError> {
        self.open_unix(value, now.unix_timestamp())
            .map(|(value, meta)| Opened::new(value, meta))
    }

    /// The engine works in unix seconds: `seal` and `open` read the clock directly, the `_at`
    /// twins convert once.
    fn open_unix<T: DeserializeOwned>(
        &self,
        value: &str,
        now: i64,
    ) -> Result<(T, Meta), OpenError> {
        seal::open(
            &self.ring,
            &self.keys,
            self.format,
            self.freshness,
            value,
            now,
        )
    }
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer")
            .field("format", &self.format)
            .field("max_age", &self.freshness.max_age)
            .field("ring", &self.ring)
            .finish_non_exhaustive()
    }
}
