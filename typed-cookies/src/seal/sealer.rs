//! The low-level API: [`Sealer`], made by [`KeyRing::signed`] and [`KeyRing::encrypted`] (through
//! a [`SealerBuilder`] that makes the caller choose a lifetime), seals and opens any serde
//! value under a salt chosen at run time — Django's `signing.dumps(value, salt=…)` /
//! `loads(…, max_age=…)`, typed — or built from parts ([`KeyRing::signed_parts`]). Runtime
//! sealers derive their subkeys in a domain of their own, apart from derived types' (see
//! `keys/subkeys.rs` and FORMAT.md); [`SealerBuilder::also_open_legacy`] is the optional
//! transition for values sealed before that.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::error::{OpenError, SealError};
use crate::keys::salt::RuntimeSalt;
use crate::keys::subkeys::{Namespace, NamespaceKeys, RuntimeNamespace};
use crate::keys::KeyRing;
use crate::seal::{Engine, Freshness, Guarding, Opened};
use crate::wire::{Codec, Format, Mode};

/// Seals and opens values of any serde type for one purpose (salt) and mode.
///
/// Made by [`KeyRing::signed`] (tamper-proof, readable) or [`KeyRing::encrypted`] (encrypted)
/// — or [`KeyRing::signed_parts`] / [`KeyRing::encrypted_parts`] when the salt includes data
/// such as a user id or a team name — then [`SealerBuilder::max_age`] or
/// [`SealerBuilder::no_expiry`]: every sealer has a lifetime
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
///
/// Runtime sealers and derived types never open each other's values, whatever their salts: a
/// sealer of `"shop.session.v1"` cannot mint a value that a `#[derive(SealedCookie)]` type
/// with `salt = "shop.session.v1"` opens (each has its own HKDF derivation domain).
#[derive(Clone)]
pub struct Sealer {
    ring: KeyRing,
    keys: Arc<NamespaceKeys>,
    /// The digest of the salt's parts (32 bytes, whatever the salt's length): the salt itself
    /// is not kept.
    salt: RuntimeSalt,
    /// [`SealerBuilder::also_open_legacy`]: the legacy namespace's subkeys and salt.
    legacy: Option<Arc<Legacy>>,
    /// `SealerBuilder::__seal_in_type_domain` (feature `cli-internals`): seal (and reseal)
    /// with `legacy`'s subkeys. Always `false` without that feature.
    seal_in_legacy: bool,
    format: Format,
    compress: bool,
    freshness: Freshness,
}

/// What a sealer built with [`SealerBuilder::also_open_legacy`] also opens: the namespace its
/// salt had before runtime sealers got a domain of their own.
pub(crate) struct Legacy {
    keys: Arc<NamespaceKeys>,
    /// The legacy salt, as given: a one-time sealer's legacy store namespace.
    salt: Arc<str>,
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
    salt: RuntimeSalt,
    legacy: Option<Arc<str>>,
    seal_in_legacy: bool,
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
    /// `salt` names a fixed purpose (`"newsletter.unsubscribe"`). When the salt must include
    /// data — a team name, an email, a user id — use [`KeyRing::signed_parts`] instead of
    /// gluing it into one string: `format!("invite:{team}")` for the team `acme:admin` is the
    /// salt of `format!("invite:{team}:admin")` for the team `acme`, while parts never alias.
    /// `signed(salt)` is `signed_parts([salt])`.
    ///
    /// A runtime sealer never opens, nor makes, values of a `#[derive(SealedCookie)]` type,
    /// even of the same salt: each has its own derivation domain (FORMAT.md, *Subkeys*).
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
        SealerBuilder::new(self, RuntimeSalt::single(salt), Mode::Signed)
    }

    /// A [`SealerBuilder`] for values **encrypted** (AES-256-GCM-SIV) for the purpose `salt`:
    /// the payload is neither readable nor changeable. Choose the lifetime with
    /// [`SealerBuilder::max_age`] or [`SealerBuilder::no_expiry`].
    ///
    /// As with [`KeyRing::signed`], a salt that includes data goes through
    /// [`KeyRing::encrypted_parts`], and no derived type ever opens these values (nor the
    /// reverse). `encrypted(salt)` is `encrypted_parts([salt])`.
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
        SealerBuilder::new(self, RuntimeSalt::single(salt), Mode::Encrypted)
    }

    /// [`KeyRing::signed`] for a salt built from `parts`, for salts that include data (a team
    /// name, an email, a user id): each part is length-prefixed (FORMAT.md, *Subkeys*), so
    /// no two different part lists are the same salt, whatever the parts contain. A salt of
    /// any length costs the ring's cache and the sealer 32 bytes (they keep only its digest).
    ///
    /// ```
    /// use typed_cookies::time::Duration;
    /// use typed_cookies::{Key, KeyRing, OpenError};
    /// let keys = KeyRing::new(Key::generate());
    /// let invite = |team: &str| keys.signed_parts(["invite", team]).max_age(Duration::days(7));
    /// let token = invite("acme:admin").seal(&"ann@example.com").unwrap();
    /// assert_eq!(invite("acme:admin").open::<String>(&token).unwrap(), "ann@example.com");
    /// // Not the invite of another team, however the names are cut:
    /// assert_eq!(invite("acme").open::<String>(&token), Err(OpenError::Invalid));
    /// let glued = keys.signed_parts(["invite:acme", "admin"]).max_age(Duration::days(7));
    /// assert_eq!(glued.open::<String>(&token), Err(OpenError::Invalid));
    /// // One part is the plain salt.
    /// let one = keys.signed_parts(["invite"]).max_age(Duration::days(7)).seal(&1).unwrap();
    /// assert_eq!(keys.signed("invite").max_age(Duration::days(7)).open::<u8>(&one), Ok(1));
    /// ```
    pub fn signed_parts<I, S>(&self, parts: I) -> SealerBuilder
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        SealerBuilder::new(self, RuntimeSalt::from_parts(parts), Mode::Signed)
    }

    /// [`KeyRing::encrypted`] for a salt built from `parts`: see [`KeyRing::signed_parts`].
    ///
    /// ```
    /// use typed_cookies::time::Duration;
    /// use typed_cookies::{Key, KeyRing, OpenError};
    /// let keys = KeyRing::new(Key::generate());
    /// let user_id = 42u64.to_string();
    /// let download = keys.encrypted_parts(["download", &user_id]).max_age(Duration::hours(1));
    /// let token = download.seal(&"report-2026.pdf").unwrap();
    /// assert_eq!(download.open::<String>(&token).unwrap(), "report-2026.pdf");
    /// let other = keys.encrypted_parts(["download", "43"]).max_age(Duration::hours(1));
    /// assert_eq!(other.open::<String>(&token), Err(OpenError::Invalid));
    /// ```
    pub fn encrypted_parts<I, S>(&self, parts: I) -> SealerBuilder
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        SealerBuilder::new(self, RuntimeSalt::from_parts(parts), Mode::Encrypted)
    }
}

impl SealerBuilder {
    fn new(ring: &KeyRing, salt: RuntimeSalt, mode: Mode) -> Self {
        Self {
            ring: ring.clone(),
            salt,
            legacy: None,
            seal_in_legacy: false,
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
        let namespace = RuntimeNamespace {
            mode: self.mode,
            salt: &self.salt,
            one_time,
        };
        let legacy = self.legacy.map(|salt| {
            let keys = self.ring.namespace(&Namespace {
                format,
                schema: 0,
                salt: &salt,
                one_time,
            });
            Arc::new(Legacy { keys, salt })
        });
        Sealer {
            keys: self.ring.runtime_namespace(&namespace),
            salt: self.salt,
            // Plain sealers only: a one-time sealer's tokens stay in the runtime domain.
            seal_in_legacy: self.seal_in_legacy && legacy.is_some() && !one_time,
            legacy,
            ring: self.ring,
            format,
            compress: self.compress,
            freshness: Freshness::max_age(max_age),
        }
    }

    /// Also open values sealed under `salt` in the **legacy** domain: the derivation runtime
    /// sealers used before they got a domain of their own (`typed-cookies/v1/<mode>/<salt>`,
    /// or `…+one-time/<salt>` for [`SealerBuilder::one_time`]; FORMAT.md, *Subkeys*). A
    /// transition, for tokens already handed out when the library was upgraded: without it
    /// they are [`OpenError::Invalid`]. Sealing is unchanged (always the new domain), and a
    /// value that opens through the legacy domain and is [resealed](Sealer::reseal) moves to
    /// the new one. Remove it once the longest-lived of those tokens has expired.
    ///
    /// **It reopens the aliasing the separate domain closed, for this sealer only.** The
    /// legacy domain is the one `#[derive(SealedCookie)]` JSON types use: this sealer then
    /// also opens values of an untracked derived JSON type whose salt is `salt` (and what any
    /// other legacy runtime sealer of `salt` sealed, including one whose salt was glued
    /// together from user data). Other sealers, and derived types, are unaffected.
    ///
    /// `salt` is the salt as the legacy sealer had it, one string: for a sealer built from
    /// parts, the string the code used to glue (`format!("invite:{team}")`). Opening a
    /// value tries the new domain first, and the legacy one only when the value did not
    /// authenticate there (so a forged value costs two checks).
    ///
    /// ```
    /// use typed_cookies::time::Duration;
    /// use typed_cookies::{Key, KeyRing};
    /// let keys = KeyRing::new(Key::generate());
    /// let team = "acme";
    /// let invite = keys
    ///     .signed_parts(["invite", team])
    ///     .also_open_legacy(&format!("invite:{team}")) // until last week's invites expire
    ///     .max_age(Duration::days(7));
    /// let token = invite.seal(&"ann@example.com").unwrap(); // sealed in the new domain
    /// assert_eq!(invite.open::<String>(&token).unwrap(), "ann@example.com");
    /// ```
    pub fn also_open_legacy(mut self, salt: &str) -> Self {
        self.legacy = Some(salt.into());
        self
    }

    /// **For the `typed-cookies` command only.** Seal in the domain of
    /// [`also_open_legacy`](Self::also_open_legacy)'s salt — the derived types' — instead of
    /// the runtime sealer's own: a value the built [`Sealer`] seals (or reseals) opens with the
    /// untracked `#[derive(SealedCookie)]` JSON type of that salt and mode, which is what
    /// `typed-cookies seal --salt X` promises its users. That is exactly the aliasing runtime
    /// sealers must not have: **never call it with a salt built from user data**, and never in
    /// an application (seal with the derived type there). Opening is unchanged (both domains,
    /// the runtime one first). Without `also_open_legacy`, and for
    /// [`one_time`](Self::one_time) sealers, it changes nothing.
    ///
    /// Only with the `cli-internals` feature, which only typed-cookies-cli turns on: without
    /// it no crate can call this (`ui-tests/fail/seal_in_type_domain_without_cli_internals.rs`).
    #[cfg(feature = "cli-internals")]
    #[doc(hidden)]
    pub fn __seal_in_type_domain(mut self) -> Self {
        self.seal_in_legacy = true;
        self
    }

    /// **For the `typed-cookies` command only.** A [`Sealer`] in the namespace of this
    /// builder's [`one_time`](Self::one_time) sealer (and, after
    /// [`also_open_legacy`](Self::also_open_legacy), its legacy one-time namespace), to read
    /// one-time tokens with [`Sealer::__open_as`] **without claiming them** in a store, as
    /// `typed-cookies open` does. `max_age` as [`SealerBuilder::max_age`] (`None`: no
    /// lifetime checked), unchecked here. For opening only: what it seals carries no claims,
    /// so no one-time sealer opens it. Only with the `cli-internals` feature.
    #[cfg(feature = "cli-internals")]
    #[doc(hidden)]
    pub fn __one_time_reader(self, max_age: Option<Duration>) -> Sealer {
        self.build(max_age, true)
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
            .field("also_open_legacy", &self.legacy.is_some())
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

    /// The engine that seals: this sealer's, or the legacy namespace's after
    /// `SealerBuilder::__seal_in_type_domain` (feature `cli-internals`).
    fn sealing_engine(&self) -> Engine<'_> {
        match &self.legacy {
            Some(legacy) if self.seal_in_legacy => Engine {
                keys: &legacy.keys,
                ..self.engine()
            },
            _ => self.engine(),
        }
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

    /// The digest of the salt's parts.
    pub(crate) fn salt(&self) -> &RuntimeSalt {
        &self.salt
    }

    /// Opens with `open` run on this sealer's engine (with `guarding`) and, when the value
    /// did not authenticate there and the sealer was built with
    /// [`SealerBuilder::also_open_legacy`], on the legacy namespace's engine. Says which
    /// domain opened it: `None` for the runtime sealer's own, the legacy salt for the legacy
    /// one.
    pub(crate) fn open_in_domains<'a, R>(
        &'a self,
        guarding: Guarding<'a>,
        open: impl Fn(Engine<'_>) -> Result<R, OpenError>,
    ) -> Result<(R, Option<&'a str>), OpenError> {
        match open(self.engine_with(guarding)) {
            Err(OpenError::Invalid) => match &self.legacy {
                Some(legacy) => {
                    let engine = Engine {
                        keys: &legacy.keys,
                        ..self.engine_with(guarding)
                    };
                    open(engine).map(|opened| (opened, Some(&*legacy.salt)))
                }
                None => Err(OpenError::Invalid),
            },
            other => other.map(|opened| (opened, None)),
        }
    }

    /// **For the `typed-cookies` command only.** Opens `value` as a tracked value (`tracked`:
    /// one that carries a claims block, as values of `revocable`, `one_time` and `replay`
    /// types and one-time tokens do) or an untracked one, in this sealer's domain and, if it
    /// did not authenticate there, in the legacy one ([`SealerBuilder::also_open_legacy`]);
    /// says whether the legacy domain opened it. The legacy namespace of a plain sealer is the
    /// derived types' of the same salt, so a `revocable` type's value opens there.
    ///
    /// **No store is consulted**: a tracked value that opens here may have been revoked,
    /// signed out everywhere, used once already or replayed; only a
    /// [`Guard`](crate::guard::Guard) knows, and nothing may be accepted on this answer alone.
    /// The claims are on the result: [`Opened::session_id`], [`Opened::subject`],
    /// [`Opened::__epoch`], [`Opened::__replay_nonce`]. A value bound to its client (`bind`)
    /// never opens here ([`OpenError::Invalid`]): its binding is authenticated, not carried.
    ///
    /// Only with the `cli-internals` feature: an application reads tracked values through its
    /// [`Guard`](crate::guard::Guard), never around it.
    #[cfg(feature = "cli-internals")]
    #[doc(hidden)]
    pub fn __open_as<T: DeserializeOwned>(
        &self,
        value: &str,
        tracked: bool,
    ) -> Result<(Opened<T>, bool), OpenError> {
        let now = self.ring.unix_now();
        let guarding = Guarding {
            claims: None,
            tracked,
            binding: None,
        };
        self.open_in_domains(guarding, |engine| engine.open(value.as_bytes(), now))
            .map(|(opened, legacy)| (opened, legacy.is_some()))
    }

    /// Seals `value`.
    pub fn seal<T: Serialize + ?Sized>(&self, value: &T) -> Result<String, SealError> {
        let now = self.ring.unix_now();
        self.sealing_engine().seal(value, now, now)
    }

    /// Opens `value`: verified (or decrypted), not expired, decoded as a `T`.
    pub fn open<T: DeserializeOwned>(&self, value: &str) -> Result<T, OpenError> {
        let now = self.ring.unix_now();
        if self.legacy.is_none() {
            return self
                .engine()
                .open_with(value.as_bytes(), now, |value, _| value);
        }
        self.open_in_domains(Guarding::default(), |engine| {
            engine.open_with(value.as_bytes(), now, |value, _| value)
        })
        .map(|(value, _)| value)
    }

    /// Opens `value`, and says when it was sealed and whether with the primary key (if not,
    /// [`Sealer::reseal`] it to move it to the current key).
    pub fn open_with_metadata<T: DeserializeOwned>(
        &self,
        value: &str,
    ) -> Result<Opened<T>, OpenError> {
        let now = self.ring.unix_now();
        self.open_in_domains(Guarding::default(), |engine| {
            engine.open(value.as_bytes(), now)
        })
        .map(|(opened, _)| opened)
    }

    /// Seals an opened value again with the primary key, keeping its creation time (so a
    /// `max_age` still counts from the first seal). A value opened through the legacy domain
    /// ([`SealerBuilder::also_open_legacy`]) is resealed in the new one.
    pub fn reseal<T: Serialize>(&self, opened: &Opened<T>) -> Result<String, SealError> {
        self.sealing_engine().seal(
            opened.value(),
            self.ring.unix_now(),
            opened.created_at_unix(),
        )
    }
}

/// What the `typed-cookies` command shows of a tracked value opened by [`Sealer::__open_as`]
/// (besides the public [`Opened::session_id`] and [`Opened::subject`]); feature
/// `cli-internals`.
#[cfg(feature = "cli-internals")]
impl<T> Opened<T> {
    /// **For the `typed-cookies` command.** The epoch a tracked value was stamped with when its
    /// session was issued: microseconds on the store's clock of its subject's last "sign out
    /// everywhere" (or a small counter, from versions before epochs were times; 0: none).
    /// `None` for an untracked value.
    #[doc(hidden)]
    pub fn __epoch(&self) -> Option<u64> {
        self.claims().map(|c| c.epoch)
    }

    /// **For the `typed-cookies` command.** A tracked value's replay-detection nonce (0 for
    /// types without `replay`); `None` for an untracked value.
    #[doc(hidden)]
    pub fn __replay_nonce(&self) -> Option<u64> {
        self.claims().map(|c| c.nonce)
    }
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer")
            .field("format", &self.format)
            .field("compress", &self.compress)
            .field("also_open_legacy", &self.legacy.is_some())
            .field("max_age", &self.freshness.max_age)
            .field("ring", &self.ring)
            .finish_non_exhaustive()
    }
}

// Every test here is of what the `cli-internals` feature adds (the sealer's own behaviour is
// tested through the public API, in the doc tests and tests/).
#[cfg(all(test, feature = "cli-internals"))]
mod tests {
    use super::*;
    use crate::wire::claims::Claims;
    use crate::Key;

    const SALT: &str = "shop.session.v1";

    /// What the derived untracked JSON type of `SALT` opens: the derived-domain namespace.
    #[cfg(feature = "cli-internals")]
    fn derived_opens(ring: &KeyRing, mode: Mode, value: &str) -> Result<u64, OpenError> {
        let format = Format {
            mode,
            codec: Codec::Json,
        };
        let keys = ring.namespace(&Namespace {
            format,
            schema: 0,
            salt: SALT,
            one_time: false,
        });
        let engine = Engine {
            keys: &keys,
            format,
            compress: false,
            freshness: Freshness::max_age(None),
            guarding: Guarding::default(),
        };
        engine
            .open::<u64>(value.as_bytes(), ring.unix_now())
            .map(Opened::into_value)
    }

    /// What a tracked derived type of `SALT` seals (claims, the derived domain), bound to
    /// `binding` when given.
    fn seal_tracked(
        ring: &KeyRing,
        mode: Mode,
        claims: &Claims,
        binding: Option<&[u8; crate::seal::BINDING_LEN]>,
    ) -> String {
        let format = Format {
            mode,
            codec: Codec::Json,
        };
        let keys = ring.namespace(&Namespace {
            format,
            schema: 0,
            salt: SALT,
            one_time: false,
        });
        let engine = Engine {
            keys: &keys,
            format,
            compress: false,
            freshness: Freshness::max_age(None),
            guarding: Guarding {
                claims: Some(claims),
                tracked: true,
                binding,
            },
        };
        let now = ring.unix_now();
        engine.seal(&7u64, now, now).unwrap()
    }

    #[test]
    fn open_as_reads_tracked_values_without_a_store() {
        let ring = KeyRing::new(Key::generate());
        let claims = Claims {
            session_id: crate::wire::claims::SessionId::from_bytes([5; 16]),
            epoch: 1_767_225_600_000_000,
            nonce: 42,
            subject: Some("ann".into()),
        };
        for mode in [Mode::Signed, Mode::Encrypted] {
            let builder = || match mode {
                Mode::Signed => ring.signed(SALT),
                Mode::Encrypted => ring.encrypted(SALT),
            };
            let reader = builder().also_open_legacy(SALT).no_expiry();
            let value = seal_tracked(&ring, mode, &claims, None);
            let (opened, legacy) = reader.__open_as::<u64>(&value, true).unwrap();
            assert!(legacy, "{mode:?}: the derived domain opened it");
            assert_eq!(*opened.value(), 7);
            assert_eq!(opened.session_id(), Some(claims.session_id));
            assert_eq!(opened.subject(), Some("ann"));
            assert_eq!(
                (opened.__epoch(), opened.__replay_nonce()),
                (Some(claims.epoch), Some(42))
            );
            // Untracked: refused on the header. Without the derived domain: not authentic.
            assert_eq!(
                reader.__open_as::<u64>(&value, false).unwrap_err(),
                OpenError::TrackingMismatch { tracked: false }
            );
            assert_eq!(
                builder()
                    .no_expiry()
                    .__open_as::<u64>(&value, true)
                    .unwrap_err(),
                OpenError::Invalid
            );
            // A bound value never opens without its binding.
            let bound = seal_tracked(&ring, mode, &claims, Some(&[1; 32]));
            assert_eq!(
                reader.__open_as::<u64>(&bound, true).unwrap_err(),
                OpenError::Invalid
            );
            // An untracked runtime value: no claims, its own domain.
            let plain = reader.seal(&8u64).unwrap();
            let (opened, legacy) = reader.__open_as::<u64>(&plain, false).unwrap();
            assert_eq!(
                (
                    *opened.value(),
                    legacy,
                    opened.__epoch(),
                    opened.session_id()
                ),
                (8, false, None, None)
            );
            // A runtime one-time token: only the one-time reader opens it.
            let token = builder().one_time(Duration::hours(1)).seal(&9u64).unwrap();
            assert_eq!(
                reader.__open_as::<u64>(&token, true).unwrap_err(),
                OpenError::Invalid
            );
            let (opened, legacy) = builder()
                .__one_time_reader(None)
                .__open_as::<u64>(&token, true)
                .unwrap();
            assert_eq!(
                (
                    *opened.value(),
                    legacy,
                    opened.__epoch(),
                    opened.__replay_nonce()
                ),
                (9, false, Some(0), Some(0))
            );
            assert!(opened.session_id().is_some());
        }
    }

    #[cfg(feature = "cli-internals")]
    #[test]
    fn seal_in_type_domain_mints_what_the_derived_type_opens() {
        let ring = KeyRing::new(Key::generate());
        for mode in [Mode::Signed, Mode::Encrypted] {
            let builder = || match mode {
                Mode::Signed => ring.signed(SALT),
                Mode::Encrypted => ring.encrypted(SALT),
            };
            let runtime = builder().no_expiry();
            let cli = builder()
                .also_open_legacy(SALT)
                .__seal_in_type_domain()
                .no_expiry();
            let value = cli.seal(&7u64).unwrap();
            assert_eq!(derived_opens(&ring, mode, &value), Ok(7), "{mode:?}");
            assert_eq!(runtime.open::<u64>(&value), Err(OpenError::Invalid));
            // It still opens both domains, and reseals where it seals.
            assert_eq!(cli.open::<u64>(&value), Ok(7));
            assert_eq!(cli.open::<u64>(&runtime.seal(&8u64).unwrap()), Ok(8));
            let opened = cli.open_with_metadata::<u64>(&value).unwrap();
            assert_eq!(
                derived_opens(&ring, mode, &cli.reseal(&opened).unwrap()),
                Ok(7)
            );

            // Without `also_open_legacy` there is no type domain to seal in: unchanged.
            let plain = builder().__seal_in_type_domain().no_expiry();
            let value = plain.seal(&9u64).unwrap();
            assert_eq!(runtime.open::<u64>(&value), Ok(9));
            assert_eq!(derived_opens(&ring, mode, &value), Err(OpenError::Invalid));
            // Nor does `also_open_legacy` alone change where values are sealed.
            let transition = builder().also_open_legacy(SALT).no_expiry();
            let value = transition.seal(&10u64).unwrap();
            assert_eq!(derived_opens(&ring, mode, &value), Err(OpenError::Invalid));
        }
    }
}
