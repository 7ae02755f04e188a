//! The low-level API: [`Sealer`], made by [`KeyRing::signer`] and [`KeyRing::sealer`] (through
//! a [`SealerBuilder`] that makes the caller choose a lifetime), seals and opens any serde
//! value under a salt chosen at run time — Django's `signing.dumps(value, salt=…)` /
//! `loads(…, max_age=…)`, typed.

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
/// Made by [`KeyRing::signer`] (tamper-proof, readable) or [`KeyRing::sealer`] (encrypted),
/// then [`SealerBuilder::max_age`] or [`SealerBuilder::no_expiry`]: every sealer has a lifetime
/// chosen in the code that makes it. Its subkeys are derived when it is made, so keep it around rather than making one per call
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
/// let email_change = keys.signer("accounts.email-change").max_age(Duration::hours(1));
/// assert_eq!(email_change.open::<Reset>(&token), Err(OpenError::Invalid));
/// # let _ = link;
/// ```
///
/// A hidden form field the client must hand back unchanged and unread, valid for as long as the
/// key (say so with [`SealerBuilder::no_expiry`]):
///
/// ```
/// use typed_cookies::{Key, KeyRing};
/// let keys = KeyRing::new(Key::generate());
/// let field = keys.sealer("checkout.cart-id").no_expiry();
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

/// A [`Sealer`] whose lifetime is not chosen yet: made by [`KeyRing::signer`] and
/// [`KeyRing::sealer`], it cannot seal or open anything until [`SealerBuilder::max_age`] or
/// [`SealerBuilder::no_expiry`] turns it into a [`Sealer`]. A value that never expires is
/// therefore always visible in the code, and forgetting the lifetime does not compile:
///
/// ```compile_fail
/// use typed_cookies::{Key, KeyRing};
/// let keys = KeyRing::new(Key::generate());
/// keys.signer("accounts.password-reset").seal(&7u64); // no lifetime chosen
/// ```
///
/// ```
/// use typed_cookies::time::Duration;
/// use typed_cookies::{Key, KeyRing};
/// let keys = KeyRing::new(Key::generate());
/// let reset = keys.signer("accounts.password-reset").max_age(Duration::hours(1));
/// let invite = keys.sealer("team.invite").no_expiry();
/// assert_eq!(reset.open::<u64>(&reset.seal(&7u64).unwrap()).unwrap(), 7);
/// assert_eq!(invite.open::<u64>(&invite.seal(&8u64).unwrap()).unwrap(), 8);
/// ```
#[must_use = "a SealerBuilder does nothing until `.max_age(..)` or `.no_expiry()` makes a Sealer"]
#[derive(Clone)]
pub struct SealerBuilder {
    sealer: Sealer,
}

impl KeyRing {
    /// A [`SealerBuilder`] for a sealer that signs (HMAC-SHA256) for the purpose `salt`: the
    /// payload stays readable (base64url JSON), any change is detected. Choose its lifetime
    /// with [`SealerBuilder::max_age`] or [`SealerBuilder::no_expiry`].
    ///
    /// ```
    /// use typed_cookies::time::Duration;
    /// use typed_cookies::{Key, KeyRing};
    /// let keys = KeyRing::new(Key::generate());
    /// let signer = keys.signer("newsletter.unsubscribe").max_age(Duration::days(30));
    /// let token = signer.seal(&"ada@example.com").unwrap();
    /// assert_eq!(signer.open::<String>(&token).unwrap(), "ada@example.com");
    /// ```
    pub fn signer(&self, salt: &str) -> SealerBuilder {
        SealerBuilder {
            sealer: Sealer::new(self, salt, Mode::Signed),
        }
    }

    /// A [`SealerBuilder`] for a sealer that encrypts (AES-256-GCM-SIV) for the purpose `salt`:
    /// the payload is neither readable nor changeable. Choose its lifetime with
    /// [`SealerBuilder::max_age`] or [`SealerBuilder::no_expiry`].
    ///
    /// ```
    /// use typed_cookies::time::Duration;
    /// use typed_cookies::{Key, KeyRing};
    /// let keys = KeyRing::new(Key::generate());
    /// let sealer = keys.sealer("checkout.cart").max_age(Duration::hours(12));
    /// let value = sealer.seal(&"cart-5531").unwrap();
    /// assert!(!value.contains("cart"));
    /// assert_eq!(sealer.open::<String>(&value).unwrap(), "cart-5531");
    /// ```
    pub fn sealer(&self, salt: &str) -> SealerBuilder {
        SealerBuilder {
            sealer: Sealer::new(self, salt, Mode::Encrypted),
        }
    }
}

impl SealerBuilder {
    /// A [`Sealer`] whose values are refused with [`OpenError::Expired`] once older than
    /// `max_age` (counted from when they were sealed). Any positive lifetime is accepted; the
    /// 400-day browser cap that the derive enforces applies to cookies, not to tokens in links.
    ///
    /// # Panics
    ///
    /// If `max_age` is zero or negative: every value would be expired as soon as it is
    /// sealed, which is always a mistake (a unit error, or a sign flipped). Use
    /// [`SealerBuilder::no_expiry`] for values that never expire.
    ///
    /// ```should_panic
    /// use typed_cookies::time::Duration;
    /// use typed_cookies::{Key, KeyRing};
    /// let keys = KeyRing::new(Key::generate());
    /// let _ = keys.signer("accounts.password-reset").max_age(Duration::ZERO); // panics
    /// ```
    pub fn max_age(mut self, max_age: Duration) -> Sealer {
        assert!(
            max_age.is_positive(),
            "Sealer max_age must be positive (got {max_age}); use `.no_expiry()` for values that never expire"
        );
        self.sealer.freshness.max_age = Some(max_age);
        self.sealer
    }

    /// A [`Sealer`] whose values never expire: they open for as long as the key that sealed
    /// them is in the ring. Only for values whose validity is checked elsewhere (e.g. a
    /// hidden form field tied to a server-side record); links and tokens want
    /// [`SealerBuilder::max_age`].
    ///
    /// ```
    /// use typed_cookies::time::{Duration, OffsetDateTime};
    /// use typed_cookies::{Key, KeyRing};
    /// let keys = KeyRing::new(Key::generate());
    /// let field = keys.signer("checkout.cart-id").no_expiry();
    /// let now = OffsetDateTime::now_utc();
    /// let value = field.seal_at(&"cart-5531", now).unwrap();
    /// let years_later = now + Duration::days(3650);
    /// assert_eq!(field.open_at::<String>(&value, years_later).unwrap(), "cart-5531");
    /// ```
    pub fn no_expiry(self) -> Sealer {
        self.sealer
    }

    /// Signed or encrypted.
    pub fn mode(&self) -> Mode {
        self.sealer.mode()
    }
}

impl std::fmt::Debug for SealerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealerBuilder")
            .field("format", &self.sealer.format)
            .field("ring", &self.sealer.ring)
            .finish_non_exhaustive()
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

    /// The lifetime chosen by [`SealerBuilder::max_age`] (`None`: [`SealerBuilder::no_expiry`]).
    ///
    /// ```
    /// use typed_cookies::time::Duration;
    /// use typed_cookies::{Key, KeyRing};
    /// let keys = KeyRing::new(Key::generate());
    /// assert_eq!(keys.signer("a").max_age(Duration::hours(1)).max_age(), Some(Duration::hours(1)));
    /// assert_eq!(keys.signer("a").no_expiry().max_age(), None);
    /// ```
    pub fn max_age(&self) -> Option<Duration> {
        self.freshness.max_age
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
