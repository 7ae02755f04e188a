//! [`KeyRing`]: one primary key that seals, ordered fallbacks that only open, and the subkey
//! cache shared by every clone.

use std::fmt;
use std::sync::Arc;

use zeroize::Zeroizing;

use time::OffsetDateTime;

use crate::clock::Clock;
use crate::keys::subkeys::{Namespace, NamespaceKeys, SubkeyCache};
use crate::keys::{Key, KeyError, KeyId};
use crate::seal::SealerBuilder;
use crate::wire::Mode;

/// The keys a service seals and opens with: a primary (seals and opens) and fallbacks (open
/// only), so keys rotate without logging anyone out.
///
/// Cloning is cheap (one reference count); clones share the subkey cache. `Send + Sync`.
///
/// ```
/// use typed_cookies::{Key, KeyRing};
/// let old = Key::generate();
/// let new = Key::generate();
/// let before = KeyRing::new(old.clone());
/// let value = before.signed("invite").no_expiry().seal(&"alice").unwrap();
///
/// // Rotation: the new key seals, the old one still opens what it sealed.
/// let after = KeyRing::with_fallbacks(new, [old]).unwrap();
/// assert_eq!(after.signed("invite").no_expiry().open::<String>(&value).unwrap(), "alice");
/// ```
#[derive(Clone)]
pub struct KeyRing {
    inner: Arc<Inner>,
    /// Where seals and opens through this ring read the time; per handle, so `keys.at(t)` is a
    /// cheap clone that shares the keys and the subkey cache.
    clock: Clock,
}

struct Inner {
    /// Primary first, then fallbacks in the order given.
    keys: Box<[Key]>,
    cache: SubkeyCache,
}

impl KeyRing {
    /// A ring with one key.
    pub fn new(primary: Key) -> Self {
        Self::from_keys(vec![primary]).expect("a single key has no duplicate")
    }

    /// A ring that seals with `primary` and also opens values sealed by `fallbacks` (tried by
    /// key id, not by trial). Two keys with the same id are refused.
    pub fn with_fallbacks(
        primary: Key,
        fallbacks: impl IntoIterator<Item = Key>,
    ) -> Result<Self, KeyError> {
        Self::from_keys(std::iter::once(primary).chain(fallbacks).collect())
    }

    /// A ring from comma-separated base64 keys, primary first (whitespace around each is
    /// ignored).
    ///
    /// ```
    /// use typed_cookies::{Key, KeyRing};
    /// let (a, b) = (Key::generate(), Key::generate());
    /// let ring = KeyRing::from_base64_list(&format!("{}, {}", a.to_base64(), b.to_base64())).unwrap();
    /// assert_eq!(ring.primary().id(), a.id());
    /// assert_eq!(ring.key_ids(), vec![a.id(), b.id()]);
    /// ```
    pub fn from_base64_list(list: &str) -> Result<Self, KeyError> {
        Self::parse_list(list, None)
    }

    /// A ring from the environment variable `var`: comma-separated base64 keys, primary first.
    /// The copy of the variable read here is zeroized; the process environment itself keeps
    /// the variable (removing it is up to the application).
    pub fn from_env(var: &str) -> Result<Self, KeyError> {
        let list = Zeroizing::new(std::env::var(var).map_err(|_| KeyError::MissingEnv {
            var: var.to_owned(),
        })?);
        Self::parse_list(&list, Some(var))
    }

    fn parse_list(list: &str, var: Option<&str>) -> Result<Self, KeyError> {
        let entries = || {
            list.split(',')
                .map(str::trim)
                .filter(|part| !part.is_empty())
        };
        let count = entries().count();
        let keys = entries()
            .enumerate()
            .map(|(i, entry)| {
                Key::from_base64(entry).map_err(|error| KeyError::InList {
                    var: var.map(str::to_owned),
                    position: i + 1,
                    count,
                    error: Box::new(error),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(KeyError::Empty {
                var: var.map(str::to_owned),
            });
        }
        Self::from_keys(keys)
    }

    fn from_keys(keys: Vec<Key>) -> Result<Self, KeyError> {
        for (i, key) in keys.iter().enumerate() {
            if keys[..i].iter().any(|earlier| earlier.id() == key.id()) {
                return Err(KeyError::DuplicateKeyId { id: key.id() });
            }
        }
        Ok(Self {
            inner: Arc::new(Inner {
                keys: keys.into_boxed_slice(),
                cache: SubkeyCache::default(),
            }),
            clock: Clock::system(),
        })
    }

    /// This ring (same keys, same subkey cache) reading the time from `clock`: every seal and
    /// open through it, including the framework extractors that get it from app state, uses
    /// that clock. For tests and simulations; production keeps the system clock.
    ///
    /// ```
    /// use typed_cookies::time::{Duration, OffsetDateTime};
    /// use typed_cookies::{Key, KeyRing, ManualClock, OpenError};
    ///
    /// let clock = ManualClock::new(OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap());
    /// let keys = KeyRing::new(Key::generate()).with_clock(clock.clone());
    /// let link = keys.signed("accounts.password-reset").max_age(Duration::hours(1));
    /// let token = link.seal(&7u64).unwrap();
    /// clock.advance(Duration::minutes(61));
    /// assert!(matches!(link.open::<u64>(&token), Err(OpenError::Expired { .. })));
    /// ```
    #[must_use]
    pub fn with_clock(&self, clock: impl Into<Clock>) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            clock: clock.into(),
        }
    }

    /// This ring with its clock stopped at `now`: `Session::open(&keys.at(then), &value)`
    /// opens as if it were `then`.
    ///
    /// ```
    /// use typed_cookies::time::{Duration, OffsetDateTime};
    /// use typed_cookies::{Key, KeyRing};
    /// let keys = KeyRing::new(Key::generate());
    /// let then = OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap();
    /// assert_eq!(keys.at(then).now(), then);
    /// ```
    #[must_use]
    pub fn at(&self, now: OffsetDateTime) -> Self {
        self.with_clock(Clock::fixed(now))
    }

    /// The ring's clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The current time by the ring's clock.
    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    pub(crate) fn unix_now(&self) -> i64 {
        self.clock.unix_now()
    }

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

    /// Runs `f` with the subkeys of a derived type's namespace (its salt is a `'static`
    /// constant), derived on first use: the hot path is one atomic load and a lookup.
    pub(crate) fn with_namespace<R>(
        &self,
        namespace: &Namespace<'static>,
        f: impl FnOnce(&NamespaceKeys) -> R,
    ) -> R {
        self.inner.cache.with(&self.inner.keys, namespace, f)
    }

    /// The subkeys of a runtime namespace (a salt chosen at run time), from the bounded cache.
    pub(crate) fn namespace(&self, namespace: &Namespace<'_>) -> Arc<NamespaceKeys> {
        self.inner.cache.get(&self.inner.keys, namespace)
    }

    /// The key that seals.
    pub fn primary(&self) -> &Key {
        &self.inner.keys[0]
    }

    /// The ids of all keys, primary first.
    pub fn key_ids(&self) -> Vec<KeyId> {
        self.inner.keys.iter().map(Key::id).collect()
    }

    /// How many runtime salts ([`KeyRing::signed`], [`KeyRing::encrypted`]) have their subkeys
    /// cached; never more than [`KeyRing::__runtime_salt_cache_cap`]. For tests only.
    #[doc(hidden)]
    pub fn __runtime_salt_cache_len(&self) -> usize {
        self.inner.cache.runtime_len()
    }

    /// The most runtime salts a ring caches subkeys for (the least recently used is evicted).
    /// For tests only.
    #[doc(hidden)]
    pub fn __runtime_salt_cache_cap() -> usize {
        crate::keys::subkeys::RUNTIME_SALTS
    }
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("primary", &self.primary().id())
            .field(
                "fallbacks",
                &self.inner.keys[1..].iter().map(Key::id).collect::<Vec<_>>(),
            )
            .field("clock", &self.clock)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_duplicates_and_empty_lists() {
        let key = Key::generate();
        let err = KeyRing::with_fallbacks(key.clone(), [Key::generate(), key.clone()]).unwrap_err();
        assert_eq!(err, KeyError::DuplicateKeyId { id: key.id() });
        assert_eq!(
            KeyRing::from_base64_list(" , ,").unwrap_err(),
            KeyError::Empty { var: None }
        );
        assert_eq!(
            KeyRing::from_base64_list("%%%").unwrap_err(),
            KeyError::InList {
                var: None,
                position: 1,
                count: 1,
                error: Box::new(KeyError::InvalidBase64)
            }
        );
    }

    #[test]
    fn a_bad_entry_is_named_by_position_and_variable_never_echoed() {
        let good = Key::generate().to_base64();
        let passphrase = "Y29ycmVjdCBob3JzZSBiYXR0ZXJ5IHN0YXBsZSwgbG9uZ2Vy";
        let list = format!("{good}, ,{passphrase} ,{good}x");
        let err = KeyRing::parse_list(&list, Some("APP_KEYS")).unwrap_err();
        assert_eq!(
            err,
            KeyError::InList {
                var: Some("APP_KEYS".into()),
                position: 2,
                count: 3,
                error: Box::new(KeyError::Text)
            }
        );
        let message = err.to_string();
        assert!(
            message.starts_with("key 2 of 3 in `APP_KEYS`: key material is plain text"),
            "{message}"
        );
        let list = format!("{good},{good}!");
        let err = KeyRing::from_base64_list(&list).unwrap_err();
        assert_eq!(
            err.to_string(),
            "key 2 of 2: key is not valid base64 (standard or URL-safe alphabet expected)"
        );
        for err in [
            KeyRing::parse_list(&format!("{good}, ,{passphrase} ,{good}x"), Some("APP_KEYS")),
            KeyRing::from_base64_list(&format!("{good},{good}!")),
            KeyRing::from_base64_list(&good[..20]),
        ] {
            let shown = format!(
                "{:?} {}",
                err.as_ref().unwrap_err(),
                err.as_ref().unwrap_err()
            );
            assert!(!shown.contains(&good[..12]), "{shown}");
            assert!(!shown.contains(&passphrase[..12]), "{shown}");
        }
    }

    #[test]
    fn env_errors_name_the_variable() {
        let err = KeyRing::from_env("TYPED_COOKIES_TEST_SURELY_UNSET").unwrap_err();
        assert!(
            err.to_string().contains("TYPED_COOKIES_TEST_SURELY_UNSET"),
            "{err}"
        );
        let err = KeyRing::parse_list("", Some("APP_KEYS")).unwrap_err();
        assert!(err.to_string().contains("APP_KEYS"), "{err}");
    }

    #[test]
    fn is_send_sync_clone() {
        fn assert<T: Send + Sync + Clone>() {}
        assert::<KeyRing>();
    }
}
