//! [`KeyRing`]: one primary key that seals, ordered fallbacks that only open, and the subkey
//! cache shared by every clone.

use std::fmt;
use std::sync::Arc;

use zeroize::Zeroizing;

use time::OffsetDateTime;

use crate::clock::Clock;
use crate::keys::subkeys::{Namespace, NamespaceKeys, RuntimeNamespace, SubkeyCache};
use crate::keys::{Key, KeyError, KeyId};

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
    /// The application's development-mode switch, per handle like the clock: set only by
    /// [`KeyRing::with_development_mode`] (in `development`), read by the request layer, which
    /// decides per request whether to relax cookies. Nothing in this module acts on it.
    development: bool,
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
        Self::parse_entries(list.split(','), None)
    }

    /// A ring from the environment variable `var`: comma-separated base64 keys, primary first.
    /// When `var` is not set but `{var}_FILE` is (the container-secrets convention), the keys
    /// are read from that file instead ([`KeyRing::from_file`]). The copy of the variable read
    /// here is zeroized; the process environment itself keeps the variable (removing it is up
    /// to the application).
    ///
    /// ```
    /// use typed_cookies::{Key, KeyError, KeyRing};
    /// std::env::set_var("DOCS_APP_KEYS", Key::generate().to_base64());
    /// assert!(KeyRing::from_env("DOCS_APP_KEYS").is_ok());
    /// std::env::set_var("DOCS_APP_KEYS", "hunter2");
    /// let err = KeyRing::from_env("DOCS_APP_KEYS").unwrap_err();
    /// assert!(err.to_string().starts_with("key 1 of 1 in `DOCS_APP_KEYS`"), "{err}");
    /// assert!(!err.to_string().contains("hunter2"));
    /// ```
    pub fn from_env(var: &str) -> Result<Self, KeyError> {
        let file_var = format!("{var}_FILE");
        match std::env::var(var) {
            Ok(list) => {
                let list = Zeroizing::new(list);
                Self::parse_entries(list.split(','), Some(var))
            }
            Err(_) => match std::env::var_os(&file_var) {
                Some(path) => Self::from_file(path),
                None => Err(KeyError::MissingEnv {
                    var: var.to_owned(),
                }),
            },
        }
    }

    /// A ring from a key file: one base64 key per line, primary first; blank lines and lines
    /// starting with `#` are ignored. A bad entry is named by its position and the file, never
    /// echoed. On Unix, a file that its group or others can read is accepted (container
    /// runtimes mount secrets that way) but logged at `warn` level with `tracing` when the
    /// `tracing` feature is on (the adapters turn it on).
    ///
    /// ```
    /// use typed_cookies::{Key, KeyRing};
    /// let (new, old) = (Key::generate(), Key::generate());
    /// let path = std::env::temp_dir().join(format!("typed-cookies-docs-{}", new.id()));
    /// std::fs::write(&path, format!("# rotated 2026-11-26\n{}\n\n{}\n", new.to_base64(), old.to_base64())).unwrap();
    /// let ring = KeyRing::from_file(&path).unwrap();
    /// assert_eq!(ring.key_ids(), vec![new.id(), old.id()]);
    /// std::fs::remove_file(&path).unwrap();
    /// ```
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self, KeyError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let unreadable = |error: std::io::Error| KeyError::File {
            path: shown.clone(),
            reason: error.kind().to_string(),
        };
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(unreadable)?);
        warn_if_shared(path);
        let lines = text
            .lines()
            .filter(|line| !line.trim_start().starts_with('#'));
        Self::parse_entries(lines, Some(&shown))
    }

    /// Keys from `entries` (empty ones skipped), primary first; `source` names the variable or
    /// file in errors.
    fn parse_entries<'a>(
        entries: impl Iterator<Item = &'a str> + Clone,
        source: Option<&str>,
    ) -> Result<Self, KeyError> {
        let entries = entries.map(str::trim).filter(|part| !part.is_empty());
        let count = entries.clone().count();
        let keys = entries
            .enumerate()
            .map(|(i, entry)| {
                Key::from_base64(entry).map_err(|error| KeyError::InList {
                    var: source.map(str::to_owned),
                    position: i + 1,
                    count,
                    error: Box::new(error),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(KeyError::Empty {
                var: source.map(str::to_owned),
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
            development: false,
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
            development: self.development,
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

    /// This ring (same keys, cache and clock) with the development-mode switch set to `on`:
    /// for [`KeyRing::with_development_mode`], which checks that it may be.
    pub(crate) fn with_development_switch(&self, on: bool) -> Self {
        Self {
            development: on,
            ..self.clone()
        }
    }

    /// Whether the development-mode switch is on ([`KeyRing::with_development_mode`]).
    pub fn development_mode(&self) -> bool {
        self.development
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

    /// Runs `f` with the subkeys of a derived type's namespace (its salt is a `'static`
    /// constant), derived on first use: the hot path is one atomic load and a lookup.
    pub(crate) fn with_namespace<R>(
        &self,
        namespace: &Namespace<'static>,
        f: impl FnOnce(&NamespaceKeys) -> R,
    ) -> R {
        self.inner.cache.with(&self.inner.keys, namespace, f)
    }

    /// The subkeys of a runtime sealer's namespace, from the bounded cache.
    pub(crate) fn runtime_namespace(&self, namespace: &RuntimeNamespace<'_>) -> Arc<NamespaceKeys> {
        self.inner.cache.get_runtime(&self.inner.keys, namespace)
    }

    /// The subkeys of a derived-domain namespace whose salt is not `'static` (a runtime
    /// sealer's legacy namespace; tests), from the bounded cache.
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

    /// How many runtime namespaces have their subkeys cached (a test hook:
    /// `__private::runtime_salt_cache_len`).
    pub(crate) fn runtime_salt_cache_len(&self) -> usize {
        self.inner.cache.runtime_len()
    }
}

/// Logs (with the `tracing` feature) when a key file can be read by its group or others.
fn warn_if_shared(path: &std::path::Path) {
    #[cfg(all(unix, feature = "tracing"))]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = meta.permissions().mode();
            if mode & 0o077 != 0 {
                tracing::warn!(
                    path = %path.display(),
                    mode = format_args!("{:o}", mode & 0o777),
                    "the key file can be read by its group or by others; make it 0600 or 0400"
                );
            }
        }
    }
    let _ = path;
}

/// A ring from configuration (`serde`): a list of base64 keys, primary first, or one string of
/// comma-separated keys, as in an environment variable. A bad entry is named by its position,
/// never echoed; the strings read are zeroized.
///
/// ```
/// use typed_cookies::{Key, KeyRing};
/// let (a, b) = (Key::generate(), Key::generate());
/// let list: KeyRing = serde_json::from_str(&format!(r#"["{}", "{}"]"#, a.to_base64(), b.to_base64())).unwrap();
/// let line: KeyRing = serde_json::from_str(&format!(r#""{},{}""#, a.to_base64(), b.to_base64())).unwrap();
/// assert_eq!(list.key_ids(), line.key_ids());
/// let err = serde_json::from_str::<KeyRing>(r#"["not-a-key"]"#).unwrap_err();
/// assert!(err.to_string().contains("key 1 of 1") && !err.to_string().contains("not-a-key"));
/// ```
impl<'de> serde::Deserialize<'de> for KeyRing {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> serde::de::Visitor<'de> for Keys {
            type Value = KeyRing;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of base64 keys, or a string of comma-separated base64 keys")
            }

            fn visit_str<E: serde::de::Error>(self, list: &str) -> Result<KeyRing, E> {
                KeyRing::from_base64_list(list).map_err(E::custom)
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<KeyRing, A::Error> {
                let mut entries: Vec<Zeroizing<String>> = Vec::new();
                while let Some(entry) = seq.next_element::<String>()? {
                    entries.push(Zeroizing::new(entry));
                }
                KeyRing::parse_entries(entries.iter().map(|e| e.as_str()), None)
                    .map_err(serde::de::Error::custom)
            }
        }
        deserializer.deserialize_any(Keys)
    }
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("KeyRing");
        debug
            .field("primary", &self.primary().id())
            .field(
                "fallbacks",
                &self.inner.keys[1..].iter().map(Key::id).collect::<Vec<_>>(),
            )
            .field("clock", &self.clock);
        if self.development {
            debug.field("development", &format_args!("On"));
        }
        debug.finish()
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
        let err = KeyRing::parse_entries(list.split(','), Some("APP_KEYS")).unwrap_err();
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
            KeyRing::parse_entries(
                format!("{good}, ,{passphrase} ,{good}x").split(','),
                Some("APP_KEYS"),
            ),
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
        let err = KeyRing::parse_entries("".split(','), Some("APP_KEYS")).unwrap_err();
        assert!(err.to_string().contains("APP_KEYS"), "{err}");
    }

    /// A file in the temporary directory, removed on drop.
    struct TempFile(std::path::PathBuf);

    impl TempFile {
        fn with(name: &str, text: &str) -> Self {
            let path = std::env::temp_dir().join(format!(
                "typed-cookies-ring-{name}-{}",
                Key::generate().id()
            ));
            std::fs::write(&path, text).unwrap();
            Self(path)
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    #[test]
    fn key_files_skip_comments_and_name_bad_entries_by_file_and_position() {
        let (a, b) = (Key::generate(), Key::generate());
        let good = TempFile::with(
            "good",
            &format!(
                "# primary\n  {}  \n\n# old\n{}\n",
                a.to_base64(),
                b.to_base64()
            ),
        );
        assert_eq!(
            KeyRing::from_file(&good.0).unwrap().key_ids(),
            vec![a.id(), b.id()]
        );

        let bad = TempFile::with("bad", &format!("{}\nsecret-looking-junk\n", a.to_base64()));
        let err = KeyRing::from_file(&bad.0).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("key 2 of 2 in `"), "{text}");
        assert!(text.contains(&bad.0.display().to_string()), "{text}");
        assert!(!text.contains("secret-looking-junk"), "{text}");

        let empty = TempFile::with("empty", "# nothing yet\n\n");
        assert!(matches!(
            KeyRing::from_file(&empty.0),
            Err(KeyError::Empty { var: Some(_) })
        ));
        let missing = std::env::temp_dir().join("typed-cookies-surely-missing-key-file");
        assert!(matches!(
            KeyRing::from_file(missing),
            Err(KeyError::File { .. })
        ));
    }

    #[test]
    fn env_falls_back_to_the_file_variable() {
        let key = Key::generate();
        let file = TempFile::with("env", &key.to_base64());
        let var = format!("TYPED_COOKIES_TEST_{}", key.id());
        std::env::set_var(format!("{var}_FILE"), &file.0);
        assert_eq!(KeyRing::from_env(&var).unwrap().key_ids(), vec![key.id()]);
        std::env::remove_var(format!("{var}_FILE"));
        assert!(matches!(
            KeyRing::from_env(&var),
            Err(KeyError::MissingEnv { .. })
        ));
    }

    #[test]
    fn is_send_sync_clone() {
        fn assert<T: Send + Sync + Clone>() {}
        assert::<KeyRing>();
    }
}
