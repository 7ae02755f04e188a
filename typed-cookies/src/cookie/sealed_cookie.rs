//! [`SealedCookie`]: the trait `#[derive(SealedCookie)]` implements. The derive only supplies
//! [`SealedCookie::CONFIG`]; every behaviour is a default method here, written and tested once.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::cookie::Tracking;
use crate::cookie::{cookie_header, set_cookie, CookieConfig, CookieScope, Stateless};
use crate::error::{OpenError, SealError};
use crate::keys::subkeys::NamespaceKeys;
use crate::keys::KeyRing;
use crate::seal::{encoded_len, Engine, Guarding, Opened, BINDING_LEN};
use crate::wire::base64url;

/// A type that travels as a sealed cookie, with its whole policy in [`SealedCookie::CONFIG`].
///
/// Implement it with `#[derive(SealedCookie)]` and `#[cookie(...)]`, which checks the policy at
/// compile time:
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::{Key, KeyRing, SealedCookie};
///
/// #[derive(Serialize, Deserialize, SealedCookie, Debug, PartialEq)]
/// #[cookie(name = "__Host-sid", salt = "shop.session.v1", max_age = "2h", encrypt)]
/// struct Session { user_id: u64, csrf: String }
///
/// let keys = KeyRing::new(Key::generate());
/// let session = Session { user_id: 42, csrf: "f3a9".into() };
///
/// let header = session.to_set_cookie(&keys).unwrap();
/// assert!(header.starts_with("__Host-sid="));
/// assert!(header.contains("Max-Age=7200") && header.contains("Secure") && header.contains("HttpOnly"));
///
/// let value = session.seal(&keys).unwrap();
/// assert_eq!(Session::open(&keys, &value).unwrap(), session);
///
/// let request = format!("theme=dark; __Host-sid={value}");
/// assert_eq!(Session::from_cookie_header(&keys, &request).unwrap(), Some(session));
/// assert_eq!(Session::from_cookie_header(&keys, "theme=dark").unwrap(), None);
/// ```
///
/// A browser keeps one cookie per name, `Path` and `Domain`, so two types of one crate that
/// set the same one would overwrite each other: that is a compile error (see
/// `ui-tests/fail/duplicate_cookie_name.rs`). When a new type takes over an old type's cookie
/// on purpose — a new payload under a new salt, during a migration — it says so with
/// `replaces`, and the derive checks at compile time that both really set the same cookie:
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::SealedCookie;
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-sid", salt = "shop.session.v1", max_age = "2h")]
/// struct OldSession { user_id: u64 }
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-sid", salt = "shop.session.v2", max_age = "2h", encrypt, replaces = "OldSession")]
/// struct Session { user_id: u64, csrf: String }
///
/// assert!(Session::CONFIG.same_browser_cookie(&OldSession::CONFIG));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a sealed cookie type",
    label = "`{Self}` does not implement `SealedCookie`",
    note = "derive it: `#[derive(Serialize, Deserialize, SealedCookie)]` with `#[cookie(name = \"..\", salt = \"..\", max_age = \"..\")]` on `{Self}`"
)]
pub trait SealedCookie: Serialize + DeserializeOwned {
    /// The cookie's policy.
    const CONFIG: CookieConfig;

    /// The sealed value (no name, no attributes) of a new session, sealed now by the ring's
    /// clock.
    ///
    /// Only for a [`Stateless`] type: a bound or tracked type is sealed by
    /// [`Guard::issue`](crate::guard::Guard::issue) (and, should `Stateless` be implemented
    /// for one by hand, this still refuses it with [`SealError::NeedsGuard`]).
    fn seal(&self, keys: &KeyRing) -> Result<String, SealError>
    where
        Self: Stateless,
    {
        let now = keys.unix_now();
        seal_session(self, keys, now, now, Guarding::default())
    }

    /// Verifies (or decrypts), checks the age of, and decodes a sealed value.
    ///
    /// Only for a [`Stateless`] type: a type that is bound (`bind`) or tracked (`revocable`,
    /// `one_time`, `replay`) is opened through a [`Guard`](crate::guard::Guard) (and, should
    /// `Stateless` be implemented for one by hand, this still refuses it with
    /// [`OpenError::NeedsGuard`]).
    fn open(keys: &KeyRing, value: &str) -> Result<Self, OpenError>
    where
        Self: Stateless,
    {
        refuse_unguarded::<Self>()?;
        let now = keys.unix_now();
        keys.with_namespace(&Self::CONFIG.namespace(), |subkeys| {
            engine::<Self>(subkeys, Guarding::default()).open_with(
                value.as_bytes(),
                now,
                |value, _| value,
            )
        })
    }

    /// [`SealedCookie::open`], also saying when the value was sealed and its session
    /// created, when it expires, which key sealed it and whether it is due for a refresh.
    fn open_with_metadata(keys: &KeyRing, value: &str) -> Result<Opened<Self>, OpenError>
    where
        Self: Stateless,
    {
        open_unguarded(keys, value.as_bytes())
    }

    /// The full `Set-Cookie` header value of a new session: `name=value` with
    /// `Max-Age`/`Expires` (unless `no_expiry`), `Path`, `Domain`, `Secure`, `HttpOnly` and
    /// `SameSite`. With `idle`, `Max-Age` is the idle window, so a browser left alone drops the
    /// cookie when the server would refuse it anyway.
    ///
    /// Only for a [`Stateless`] type, like [`SealedCookie::seal`]; a guarded type's comes from
    /// [`Guard::issue`](crate::guard::Guard::issue).
    fn to_set_cookie(&self, keys: &impl CookieScope) -> Result<String, SealError>
    where
        Self: Stateless,
    {
        let now = keys.keys().unix_now();
        session_set_cookie(self, keys, now, now, Guarding::default())
    }

    /// The `Set-Cookie` header value that deletes this cookie (same name, `Path` and `Domain`,
    /// `Max-Age=0` and an `Expires` in the past). For every type, guarded ones included: it is
    /// how a response signs out.
    fn removal() -> String {
        set_cookie::removal(&Self::CONFIG)
    }

    /// [`SealedCookie::removal`] in the form `keys` sends the cookie ([`CookieScope`]):
    /// relaxed like the cookie itself for a request's view that relaxes cookies (development
    /// mode, a loopback request: [`KeyRing::for_host`]), the same as
    /// [`SealedCookie::removal`] for a ring.
    ///
    /// ```
    /// # use serde::{Deserialize, Serialize};
    /// # use typed_cookies::{Key, KeyRing, SealedCookie};
    /// #[derive(Serialize, Deserialize, SealedCookie)]
    /// #[cookie(name = "__Host-sid", salt = "docs.removal-for.v1", max_age = "1h")]
    /// struct Session { user_id: u64 }
    ///
    /// let keys = KeyRing::new(Key::generate());
    /// assert_eq!(Session::removal_for(&keys), Session::removal());
    /// # std::env::remove_var("TYPED_COOKIES_DEV");
    /// let local = keys.with_development_mode().unwrap().for_host("localhost:3000");
    /// assert!(Session::removal_for(&local).starts_with("sid=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0"));
    /// ```
    fn removal_for(keys: &impl CookieScope) -> String {
        set_cookie::removal(&keys.form_of(&Self::CONFIG))
    }

    /// This type's cookie from a request's `Cookie:` header value: `Ok(None)` when the header
    /// does not hold it, an error when it is invalid, expired, or present twice
    /// ([`OpenError::DuplicateCookie`], see `docs/security-properties.md` on cookie tossing).
    ///
    /// The name matches byte-exactly, as browsers store it: only SP and HTAB around a pair are
    /// trimmed. A look-alike (`"\u{2000}__Host-sid"`, `"__host-sid"`), which a browser treats
    /// as another, unprotected cookie, is never opened as this one and is ignored beside it.
    ///
    /// Only for a [`Stateless`] type; a guarded type's is read by
    /// [`Guard::open_from_cookie_headers`](crate::guard::Guard::open_from_cookie_headers).
    fn from_cookie_header(keys: &impl CookieScope, header: &str) -> Result<Option<Self>, OpenError>
    where
        Self: Stateless,
    {
        Ok(Self::opened_from_cookie_headers(keys, [header.as_bytes()])?.map(Opened::into_value))
    }

    /// This type's cookie from all of a request's `Cookie:` header values (HTTP/2 may send
    /// several; a name repeated across them is a duplicate too), with its metadata: what the
    /// framework adapters read. Only for a [`Stateless`] type, like
    /// [`SealedCookie::from_cookie_header`].
    fn opened_from_cookie_headers<'h>(
        keys: &impl CookieScope,
        headers: impl IntoIterator<Item = &'h [u8]>,
    ) -> Result<Option<Opened<Self>>, OpenError>
    where
        Self: Stateless,
    {
        cookie_header::find_bytes(headers, keys.form_of(&Self::CONFIG).name())?
            .map(|value| open_unguarded(keys.keys(), value))
            .transpose()
    }
}

impl<T: SealedCookie> Opened<T> {
    /// Seals the (possibly changed) value again with the primary key, now, keeping the
    /// session's creation time: `max_age` still counts from the first seal, the idle window
    /// starts again.
    ///
    /// A tracked or bound value keeps its session id, epoch, binding and the session's current
    /// replay nonce (the renewed one when the guard rotated it on this request). A
    /// [`superseded`](Opened::superseded) value is refused ([`SealError::Superseded`]).
    pub fn reseal(&self, keys: &KeyRing) -> Result<String, SealError> {
        self.writable()?;
        let now = keys.unix_now();
        seal_session(
            self.value(),
            keys,
            now,
            self.created_at_unix(),
            self.guarding(),
        )
    }

    /// The `Set-Cookie` header value of [`Opened::reseal`]: the type's attributes, and a
    /// `Max-Age` that is the idle window or what is left of the absolute lifetime, whichever
    /// ends first.
    pub fn to_set_cookie(&self, keys: &impl CookieScope) -> Result<String, SealError> {
        self.writable()?;
        let now = keys.keys().unix_now();
        session_set_cookie(
            self.value(),
            keys,
            now,
            self.created_at_unix(),
            self.guarding(),
        )
    }

    /// `Err` for a [`superseded`](Opened::superseded) value: written back, it would carry a
    /// nonce the store already replaced (a replay once the grace window is over, ending the
    /// session), and a current nonce would turn a stolen previous value into a live one.
    fn writable(&self) -> Result<(), SealError> {
        if self.superseded() {
            return Err(SealError::Superseded {
                name: T::CONFIG.name(),
            });
        }
        Ok(())
    }

    /// What its reseal carries over: claims and binding (none for a plain type).
    fn guarding(&self) -> Guarding<'_> {
        let guarded = self.guarded();
        Guarding {
            claims: guarded.and_then(|g| g.claims.as_ref()),
            tracked: guarded.is_some_and(|g| g.claims.is_some()),
            binding: guarded.and_then(|g| g.binding.as_ref()),
        }
    }
}

/// [`OpenError::NeedsGuard`] for a bound or tracked type opened without its guard: the
/// backstop behind the [`Stateless`] bound, for a type that implements it by hand.
fn refuse_unguarded<T: SealedCookie>() -> Result<(), OpenError> {
    if const { T::CONFIG.guarded() } {
        return Err(OpenError::NeedsGuard {
            name: T::CONFIG.name(),
        });
    }
    Ok(())
}

/// [`SealedCookie::open_with_metadata`] of a value as it came in a header (bytes: the engine's
/// base64url decoding refuses anything but its alphabet, so no separate UTF-8 check).
pub(crate) fn open_unguarded<T: Stateless>(
    keys: &KeyRing,
    value: &[u8],
) -> Result<Opened<T>, OpenError> {
    refuse_unguarded::<T>()?;
    let now = keys.unix_now();
    keys.with_namespace(&T::CONFIG.namespace(), |subkeys| {
        engine::<T>(subkeys, Guarding::default()).open(value, now)
    })
}

/// Opens a value of a guarded (or plain) type under `binding`, claims required exactly when
/// the type is tracked: the [`Guard`](crate::guard::Guard)'s way in, before its store checks.
pub(crate) fn open_guarded<T: SealedCookie>(
    keys: &KeyRing,
    value: &[u8],
    now: i64,
    binding: Option<&[u8; BINDING_LEN]>,
) -> Result<Opened<T>, OpenError> {
    let guarding = Guarding {
        claims: None,
        tracked: !matches!(T::CONFIG.tracking(), Tracking::None),
        binding,
    };
    keys.with_namespace(&T::CONFIG.namespace(), |subkeys| {
        engine::<T>(subkeys, guarding).open(value, now)
    })
}

/// `T`'s engine over `subkeys`, its namespace's subkeys. The freshness rules are evaluated at
/// compile time (a `const` of the type's configuration), not on every call.
#[inline]
fn engine<'a, T: SealedCookie>(subkeys: &'a NamespaceKeys, guarding: Guarding<'a>) -> Engine<'a> {
    Engine {
        keys: subkeys,
        format: T::CONFIG.format(),
        compress: T::CONFIG.compresses(),
        freshness: const { T::CONFIG.freshness() },
        guarding,
    }
}

/// Seals `value` at `now` for a session created at `created_at`. A tracked type needs its
/// claims and a bound type its binding, which only a [`Guard`](crate::guard::Guard) (or an
/// [`Opened`] it produced) has: without them, [`SealError::NeedsGuard`].
pub(crate) fn seal_session<T: SealedCookie>(
    value: &T,
    keys: &KeyRing,
    now: i64,
    created_at: i64,
    guarding: Guarding<'_>,
) -> Result<String, SealError> {
    seal_session_then(value, keys, now, created_at, guarding, base64url::encode)
}

/// [`seal_session`], handing the sealed bytes to `encode` (see [`Engine::seal_then`]).
fn seal_session_then<T: SealedCookie, R>(
    value: &T,
    keys: &KeyRing,
    now: i64,
    created_at: i64,
    guarding: Guarding<'_>,
    encode: impl FnOnce(&[u8]) -> R,
) -> Result<R, SealError> {
    let config = &T::CONFIG;
    let tracked = !matches!(config.tracking(), Tracking::None);
    if tracked != guarding.claims.is_some()
        || config.binding().is_none() == guarding.binding.is_some()
    {
        return Err(SealError::NeedsGuard {
            name: config.name(),
        });
    }
    keys.with_namespace(&config.namespace(), |subkeys| {
        engine::<T>(subkeys, guarding).seal_then(value, now, created_at, encode)
    })
}

/// [`seal_session`] as a whole `Set-Cookie` header value, the value encoded straight into the
/// header text.
pub(crate) fn session_set_cookie<T: SealedCookie>(
    value: &T,
    scope: &impl CookieScope,
    now: i64,
    created_at: i64,
    guarding: Guarding<'_>,
) -> Result<String, SealError> {
    let form = scope.form_of(&T::CONFIG);
    seal_session_then(value, scope.keys(), now, created_at, guarding, |sealed| {
        set_cookie::set_cookie_with(&form, encoded_len(sealed.len()), now, created_at, |text| {
            base64url::encode_append(sealed, text)
        })
    })?
}
