//! The low-level API: [`Sealer`], made by [`KeyRing::signed`] and [`KeyRing::encrypted`] (through
//! a [`SealerBuilder`] that makes the caller choose a lifetime), seals and opens any serde
//! value under a salt chosen at run time — Django's `signing.dumps(value, salt=…)` /
//! `loads(…, max_age=…)`, typed.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::error::{OpenError, SealError};
use crate::keys::subkeys::{Namespace, NamespaceKeys};
use crate::keys::KeyRing;
use crate::seal::{Engine, Freshness, Guarding, Opened};
use crate::wire::{Codec, Format, Mode};

/// Seals and opens values of any serde type for one purpose (salt) and mode.
///
/// Made by [`KeyRing::signed`] (tamper-proof, readable) or [`KeyRing::encrypted`] (encrypted),
/// then [`SealerBuilder::max_age`] or [`SealerBuilder::no_expiry`]: every sealer has a lifetime
/// chosen in the code that makes it. Its subkeys are derived when it is made, so keep it around
/// rather than making one per call (making one is still cheap: subkeys are cached in the ring).
/// It reads the time from its ring's [`Clock`](crate::Clock).
///
/// A password-reset link that works for one hour and only for resetting passwords:
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use time::{Duration, OffsetDateTime};
/// use typed_cookies::{Key, KeyRing, ManualClock, OpenError};
///
/// #[derive(Serialize, Deserialize, PartialEq, Debug)]
/// struct Reset { user_id: u64, password_hash_prefix: String }
///
/// let clock = ManualClock::new(OffsetDateTime::now_utc());
/// let keys = KeyRing::new(Key::generate()).with_clock(clock.clone());
/// let reset = keys.signed("accounts.password-reset").max_age(Duration::hours(1));
///
/// let token = reset.seal(&Reset { user_id: 7, password_hash_prefix: "x9Qz".into() }).unwrap();
/// let link = format!("https://shop.example/reset?token={token}"); // base64url: safe in a URL
///
/// clock.advance(Duration::minutes(59));
/// let back: Reset = reset.open(&token).unwrap();
/// assert_eq!(back.user_id, 7);
/// clock.advance(Duration::minutes(2));
/// assert!(matches!(reset.open::<Reset>(&token), Err(OpenError::Expired { .. })));
/// // The same token is worthless for any other purpose:
/// let email_change = keys.signed("accounts.email-change").max_age(Duration::hours(1));
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
/// let field = keys.encrypted("checkout.cart-id").no_expiry();
/// let hidden = field.seal(&"cart-5531").unwrap();
/// let html = format!(r#"<input type="hidden" name="cart" value="{hidden}">"#);
/// assert!(!html.contains("cart-5531"));
/// assert_eq!(field.open::<String>(&hidden).unwrap(), "cart-5531");
/// ```
#[derive(Clone)]
pub struct Sealer {
    ring: KeyRing,
    keys: Arc<NamespaceKeys>,
    salt: Arc<str>,
    format: Format,
    compress: bool,
    freshness: Freshness,
}

/// A [`Sealer`] whose lifetime is not chosen yet: made by [`KeyRing::signed`] and
/// [`KeyRing::encrypted`], it cannot seal or open anything until [`SealerBuilder::max_age`] or
/// [`SealerBuilder::no_expiry`] turns it into a [`Sealer`]. A value that never expires is
/// therefore always visible in the code, and forgetting the lifetime does not compile:
///
/// ```compile_fail
/// use typed_cookies::{Key, KeyRing};
/// let keys = KeyRing::new(Key::generate());
/// keys.signed("accounts.password-reset").seal(&7u64); // no lifetime chosen
/// ```
///
/// ```
/// use typed_cookies::time::Duration;
/// use typed_cookies::{Key, KeyRing};
/// let keys = KeyRing::new(Key::generate());
/// let reset = keys.signed("accounts.password-reset").max_age(Duration::hours(1));
/// let invite = keys.encrypted("team.invite").no_expiry();
/// assert_eq!(reset.open::<u64>(&reset.seal(&7u64).unwrap()).unwrap(), 7);
/// assert_eq!(invite.open::<u64>(&invite.seal(&8u64).unwrap()).unwrap(), 8);
/// ```
#[must_use = "a SealerBuilder does nothing until `.max_age(..)` or `.no_expiry()` makes a Sealer"]
#[derive(Clone)]
pub struct SealerBuilder {
    ring: KeyRing,
    salt: Arc<str>,
    mode: Mode,
    compress: bool,
}

// The runtime sealers of a ring. They live here, beside the type they build, rather than in
// `keys/ring.rs`, so that `keys` never imports from `seal` (no module import loop).
impl KeyRing {
    /// A [`SealerBuilder`] for values **signed** (HMAC-SHA256) for the purpose `salt`: the
    /// payload stays readable (base64url JSON), any change is detected. Choose the lifetime
    /// with [`SealerBuilder::max_age`] or [`SealerBuilder::no_expiry`].
    ///
    /// ```
    /// use typed_cookies::time::Duration;
    /// use typed_cookies::{Key, KeyRing};
    /// let keys = KeyRing::new(Key::generate());
    /// let unsubscribe = keys.signed("newsletter.unsubscribe").max_age(Duration::days(30));
    /// let token = unsubscribe.seal(&"ada@example.com").unwrap();
    /// assert_eq!(unsubscribe.open::<String>(&token).unwrap(), "ada@example.com");
    /// ```
    pub fn signed(&self, salt: &str) -> SealerBuilder {
        SealerBuilder::new(self, salt, Mode::Signed)
    }

    /// A [`SealerBuilder`] for values **encrypted** (AES-256-GCM-SIV) for the purpose `salt`:
    /// the payload is neither readable nor changeable. Choose the lifetime with
    /// [`SealerBuilder::max_age`] or [`SealerBuilder::no_expiry`].
    ///
    /// ```
    /// use typed_cookies::time::Duration;
    /// use typed_cookies::{Key, KeyRing};
    /// let keys = KeyRing::new(Key::generate());
    /// let cart = keys.encrypted("checkout.cart").max_age(Duration::hours(12));
    /// let value = cart.seal(&"cart-5531").unwrap();
    /// assert!(!value.contains("cart"));
    /// assert_eq!(cart.open::<String>(&value).unwrap(), "cart-5531");
    /// ```
    pub fn encrypted(&self, salt: &str) -> SealerBuilder {
        SealerBuilder::new(self, salt, Mode::Encrypted)
    }
}

impl SealerBuilder {
    pub(crate) fn new(ring: &KeyRing, salt: &str, mode: Mode) -> Self {
        Self {
            ring: ring.clone(),
            salt: salt.into(),
            mode,
            compress: false,
        }
    }

    /// The sealer, its subkeys derived (or found in the ring's cache) now that the namespace
    /// is known: a runtime one-time sealer's (`one_time`, from `SealerBuilder::one_time`) is
    /// apart from the plain one's of the same salt.
    pub(crate) fn build(self, max_age: Option<Duration>, one_time: bool) -> Sealer {
        let format = Format {
            mode: self.mode,
            codec: Codec::Json,
        };
        let namespace = Namespace {
            format,
            schema: 0,
            salt: &self.salt,
            one_time,
        };
        Sealer {
            keys: self.ring.namespace(&namespace),
            salt: self.salt,
            ring: self.ring,
            format,
            compress: self.compress,
            freshness: Freshness::max_age(max_age),
        }
    }

    /// `max_age`, checked to be positive (see [`SealerBuilder::max_age`]'s panic).
    pub(crate) fn positive(max_age: Duration) -> Duration {
        assert!(
            max_age.is_positive(),
            "Sealer max_age must be positive (got {max_age}); use `.no_expiry()` for values that never expire"
        );
        max_age
    }

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
    /// let _ = keys.signed("accounts.password-reset").max_age(Duration::ZERO); // panics
    /// ```
    pub fn max_age(self, max_age: Duration) -> Sealer {
        self.build(Some(Self::positive(max_age)), false)
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
    /// let field = keys.signed("checkout.cart-id").no_expiry();
    /// let value = field.seal(&"cart-5531").unwrap();
    /// let years_later = OffsetDateTime::now_utc() + Duration::days(3650);
    /// assert_eq!(field.at(years_later).open::<String>(&value).unwrap(), "cart-5531");
    /// ```
    pub fn no_expiry(self) -> Sealer {
        self.build(None, false)
    }

    /// Compress payloads of this **signed** sealer with raw DEFLATE when that makes them
    /// shorter (the format byte then says so; see `FORMAT.md`). Values it opens may be
    /// compressed or not, so turning it on keeps old values opening; a sealer without it
    /// refuses compressed values ([`OpenError::UnexpectedCompression`]). Payloads are limited
    /// to [`MAX_PAYLOAD_LEN`](crate::MAX_PAYLOAD_LEN) bytes before compression, and inflating
    /// stops there.
    ///
    /// ```
    /// use typed_cookies::time::Duration;
    /// use typed_cookies::{Key, KeyRing};
    /// let keys = KeyRing::new(Key::generate());
    /// let plain = keys.signed("report.filters").max_age(Duration::hours(1));
    /// let packed = keys.signed("report.filters").compress().max_age(Duration::hours(1));
    /// let filters = vec!["status=open"; 40];
    /// let value = packed.seal(&filters).unwrap();
    /// assert!(value.len() < plain.seal(&filters).unwrap().len() / 3);
    /// assert_eq!(packed.open::<Vec<String>>(&value).unwrap().len(), 40);
    /// ```
    ///
    /// # Panics
    ///
    /// On an encrypted builder ([`KeyRing::encrypted`]). Compressing a secret beside data an
    /// attacker can influence lets them learn the secret from the value's length
    /// (CRIME/BREACH; see SECURITY.md); if no attacker-influenced data is ever in the same
    /// value, say so with [`SealerBuilder::compress_leaking_length`].
    ///
    /// ```should_panic
    /// use typed_cookies::{Key, KeyRing};
    /// let keys = KeyRing::new(Key::generate());
    /// let _ = keys.encrypted("checkout.cart").compress(); // panics
    /// ```
    pub fn compress(self) -> Self {
        assert!(
            self.mode == Mode::Signed,
            "SealerBuilder::compress() on an encrypted sealer: compression makes the value's \
             length depend on how much the secret repeats attacker-influenced data \
             (CRIME/BREACH); if nothing in these values is attacker-influenced, use \
             `.compress_leaking_length()`"
        );
        self.compress_leaking_length()
    }

    /// [`SealerBuilder::compress`] for any mode, **encrypted included**, where the length of a
    /// compressed value leaks how much its content repeats itself. Only for values where no
    /// field an attacker can influence (a search term, a name they chose, a referrer) sits
    /// beside a secret: otherwise they can guess the secret piece by piece, watching the
    /// length shrink when a guess matches (CRIME/BREACH).
    ///
    /// ```
    /// use typed_cookies::time::Duration;
    /// use typed_cookies::{Key, KeyRing};
    /// let keys = KeyRing::new(Key::generate());
    /// // Server-chosen ids only: nothing here is attacker-influenced.
    /// let ids = keys.encrypted("catalog.seen").compress_leaking_length().max_age(Duration::days(1));
    /// let seen: Vec<u32> = (1000..1400).collect();
    /// let value = ids.seal(&seen).unwrap();
    /// assert_eq!(ids.open::<Vec<u32>>(&value).unwrap(), seen);
    /// ```
    pub fn compress_leaking_length(mut self) -> Self {
        self.compress = true;
        self
    }

    /// Signed or encrypted.
    pub fn mode(&self) -> Mode {
        self.mode
    }
}

impl std::fmt::Debug for SealerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealerBuilder")
            .field("mode", &self.mode)
            .field("compress", &self.compress)
            .field("ring", &self.ring)
            .finish_non_exhaustive()
    }
}

impl Sealer {
    /// The lifetime chosen by [`SealerBuilder::max_age`] (`None`: [`SealerBuilder::no_expiry`]).
    ///
    /// ```
    /// use typed_cookies::time::Duration;
    /// use typed_cookies::{Key, KeyRing};
    /// let keys = KeyRing::new(Key::generate());
    /// assert_eq!(keys.signed("a").max_age(Duration::hours(1)).max_age(), Some(Duration::hours(1)));
    /// assert_eq!(keys.signed("a").no_expiry().max_age(), None);
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

    /// Whether this sealer compresses ([`SealerBuilder::compress`] or
    /// [`SealerBuilder::compress_leaking_length`]) and so opens compressed values.
    pub fn compresses(&self) -> bool {
        self.compress
    }

    /// This sealer reading the time from `clock` (see [`KeyRing::with_clock`]).
    #[must_use]
    pub fn with_clock(&self, clock: impl Into<crate::Clock>) -> Self {
        Self {
            ring: self.ring.with_clock(clock),
            ..self.clone()
        }
    }

    /// This sealer with its clock stopped at `now` (see [`KeyRing::at`]).
    #[must_use]
    pub fn at(&self, now: OffsetDateTime) -> Self {
        self.with_clock(crate::Clock::fixed(now))
    }

    fn engine(&self) -> Engine<'_> {
        self.engine_with(Default::default())
    }

    /// The engine with claims or a binding (the guard's one-time sealer).
    pub(crate) fn engine_with<'a>(&'a self, guarding: Guarding<'a>) -> Engine<'a> {
        Engine {
            keys: &self.keys,
            format: self.format,
            compress: self.compress,
            freshness: self.freshness,
            guarding,
        }
    }

    pub(crate) fn ring(&self) -> &KeyRing {
        &self.ring
    }

    pub(crate) fn salt(&self) -> &str {
        &self.salt
    }

    /// Seals `value`.
    pub fn seal<T: Serialize + ?Sized>(&self, value: &T) -> Result<String, SealError> {
        let now = self.ring.unix_now();
        self.engine().seal(value, now, now)
    }

    /// Opens `value`: verified (or decrypted), not expired, decoded as a `T`.
    pub fn open<T: DeserializeOwned>(&self, value: &str) -> Result<T, OpenError> {
        self.engine()
            .open_with(value.as_bytes(), self.ring.unix_now(), |value, _| value)
    }

    /// Opens `value`, and says when it was sealed and whether with the primary key (if not,
    /// [`Sealer::reseal`] it to move it to the current key).
    pub fn open_with_metadata<T: DeserializeOwned>(
        &self,
        value: &str,
    ) -> Result<Opened<T>, OpenError> {
        self.engine().open(value.as_bytes(), self.ring.unix_now())
    }

    /// Seals an opened value again with the primary key, keeping its creation time (so a
    /// `max_age` still counts from the first seal).
    pub fn reseal<T: Serialize>(&self, opened: &Opened<T>) -> Result<String, SealError> {
        self.engine().seal(
            opened.value(),
            self.ring.unix_now(),
            opened.created_at_unix(),
        )
    }
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer")
            .field("format", &self.format)
            .field("compress", &self.compress)
            .field("max_age", &self.freshness.max_age)
            .field("ring", &self.ring)
            .finish_non_exhaustive()
    }
}
