//! The `cookie-session` middleware's cookies: the session as base64 JSON in `NAME`, and its
//! keygrip signature (base64url HMAC of `NAME=VALUE`, SHA-1 by default) in `NAME.sig`.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::de::DeserializeOwned;
use serde::Serialize;
use zeroize::Zeroizing;

use super::Secrets;
use crate::error::{OpenError, SealError};
use crate::interop::{b64url_decode, b64url_encode, check_len, payload_mismatch, Digest};

/// cookie-session's default `name`.
pub const SESSION_COOKIE_NAME: &str = "session";

/// `cookieSession({ name, keys })`: see [`cookie_session`].
#[derive(Clone)]
pub struct CookieSession {
    name: String,
    keys: Secrets,
    digest: Digest,
}

impl fmt::Debug for CookieSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("express::CookieSession")
            .field("name", &self.name)
            .field("keys", &self.keys)
            .field("digest", &self.digest)
            .finish()
    }
}

/// The two cookie values cookie-session writes for one session: the session itself
/// (`NAME`) and its signature (`NAME.sig`, see [`CookieSession::sig_name`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionCookie {
    /// The `NAME` cookie's value: base64 of the session's JSON.
    pub value: String,
    /// The `NAME.sig` cookie's value: keygrip's signature of `NAME=VALUE`.
    pub sig: String,
}

/// The `cookie-session` middleware's cookies with `keys` = `[key]` (or `secret: key`) and
/// the default name `session`; older keys with [`fallbacks`](CookieSession::fallbacks).
///
/// The session (`req.session`) is a JSON object; its cookie is `base64(JSON)` with
/// standard base64 and `=` padding, and the `.sig` cookie keygrip's `sign("NAME=VALUE")`:
/// HMAC (SHA-1 unless the app passed `keys: new Keygrip(keys, "sha256")`) under the first
/// key, base64url without padding. Opening checks the signature against every key, then
/// decodes. The session carries no expiry (cookie-session's `maxAge` is only the cookie's).
/// An empty `key` seals nothing ([`SealError::EmptySecret`]) and opens nothing
/// ([`OpenError::Invalid`]), as cookie-session throws ".keys required." for one.
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::interop::express;
///
/// #[derive(Serialize, Deserialize, PartialEq, Debug)]
/// struct Session { user_id: u64 }
///
/// let sessions = express::cookie_session("new key").fallbacks(["old key"]).name("sess");
/// let cookie = sessions.seal(&Session { user_id: 42 }).unwrap();
/// assert_eq!(sessions.sig_name(), "sess.sig");
/// assert_eq!(sessions.open::<Session>(&cookie.value, &cookie.sig).unwrap(), Session { user_id: 42 });
/// ```
pub fn cookie_session(key: impl AsRef<[u8]>) -> CookieSession {
    CookieSession {
        name: SESSION_COOKIE_NAME.to_owned(),
        keys: Secrets::new(key, "cookie-session key (`keys` / `secret`)"),
        digest: Digest::Sha1,
    }
}

impl CookieSession {
    /// The `name` option: the session cookie's name (the signature's is this + `.sig`). It is
    /// part of what is signed, so a session never opens under another name.
    ///
    /// ```
    /// use typed_cookies::interop::express::cookie_session;
    /// let cookie = cookie_session("k").name("a").seal(&serde_json::json!({})).unwrap();
    /// assert!(cookie_session("k").name("b").open::<serde_json::Value>(&cookie.value, &cookie.sig).is_err());
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The older keys after the first in `keys: [new, old]`: keygrip verifies with them, and
    /// only the first signs. Replaces earlier fallbacks; an empty one is skipped (it never
    /// verifies, and keeps its place in [`key_index`](Self::key_index)'s numbering).
    ///
    /// ```
    /// use typed_cookies::interop::express::cookie_session;
    /// let old = cookie_session("old").seal(&serde_json::json!({"n": 1})).unwrap();
    /// let sessions = cookie_session("new").fallbacks(["old"]);
    /// assert_eq!(sessions.key_index(&old.value, &old.sig).unwrap(), 1);
    /// ```
    pub fn fallbacks<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        self.keys.set_fallbacks(keys);
        self
    }

    /// keygrip's `algorithm` (`new Keygrip(keys, "sha256")`); SHA-1 by default.
    ///
    /// ```
    /// use typed_cookies::interop::{express::cookie_session, Digest};
    /// let s = cookie_session("k").digest(Digest::Sha256);
    /// assert_eq!(s.seal(&serde_json::json!({})).unwrap().sig.len(), 43);
    /// ```
    pub fn digest(mut self, digest: Digest) -> Self {
        self.digest = digest;
        self
    }

    /// The session cookie's name.
    ///
    /// ```
    /// assert_eq!(typed_cookies::interop::express::cookie_session("k").cookie_name(), "session");
    /// ```
    pub fn cookie_name(&self) -> &str {
        &self.name
    }

    /// The signature cookie's name: the session cookie's + `.sig`.
    ///
    /// ```
    /// assert_eq!(typed_cookies::interop::express::cookie_session("k").sig_name(), "session.sig");
    /// ```
    pub fn sig_name(&self) -> String {
        format!("{}.sig", self.name)
    }

    /// The cookies cookie-session writes for `session` (`req.session = session`): it must
    /// serialize to a JSON object, as `req.session` is one. An empty key is
    /// [`SealError::EmptySecret`].
    ///
    /// ```
    /// use typed_cookies::interop::express::cookie_session;
    /// use typed_cookies::SealError;
    /// let sessions = cookie_session("k");
    /// let cookie = sessions.seal(&serde_json::json!({"a": 1})).unwrap();
    /// assert_eq!(cookie.value, "eyJhIjoxfQ==");
    /// assert!(matches!(sessions.seal(&[1, 2]), Err(SealError::Serialize { .. })));
    /// ```
    pub fn seal<T: Serialize + ?Sized>(&self, session: &T) -> Result<SessionCookie, SealError> {
        let json =
            Zeroizing::new(
                serde_json::to_vec(session).map_err(|e| SealError::Serialize {
                    reason: e.to_string(),
                })?,
            );
        if json.first() != Some(&b'{') {
            return Err(SealError::Serialize {
                reason: "a cookie-session session must serialize to a JSON object".to_owned(),
            });
        }
        let value = STANDARD.encode(&*json);
        let pair = self.name.len() + 1 + value.len();
        if pair > crate::MAX_COOKIE_LEN {
            return Err(SealError::TooLarge {
                len: pair,
                max: crate::MAX_COOKIE_LEN,
            });
        }
        let sig = self.sign(&value)?;
        Ok(SessionCookie { value, sig })
    }

    /// The session cookie-session reads from the `NAME` cookie's `value` and the `NAME.sig`
    /// cookie's `sig`: [`OpenError::Invalid`] unless `sig` is the signature of
    /// `NAME=value` under one of the keys (never an empty one); [`OpenError::Malformed`] for
    /// an empty value
    /// (cookie-session's "no session", also what it writes to end one);
    /// [`OpenError::PayloadMismatch`] when the authentic session is not a `T`.
    ///
    /// ```
    /// use typed_cookies::interop::express::cookie_session;
    /// use typed_cookies::OpenError;
    /// use serde_json::{json, Value};
    /// let sessions = cookie_session("k");
    /// let c = sessions.seal(&json!({"user": "ada"})).unwrap();
    /// assert_eq!(sessions.open::<Value>(&c.value, &c.sig).unwrap()["user"], "ada");
    /// let forged = sessions.seal(&json!({"user": "eve"})).unwrap().value;
    /// assert_eq!(sessions.open::<Value>(&forged, &c.sig), Err(OpenError::Invalid));
    /// ```
    pub fn open<T: DeserializeOwned>(&self, value: &str, sig: &str) -> Result<T, OpenError> {
        self.key_index(value, sig)?;
        let json = Zeroizing::new(STANDARD.decode(value).map_err(|_| OpenError::Malformed)?);
        serde_json::from_slice(&json).map_err(|_| payload_mismatch::<T>())
    }

    /// keygrip's `index("NAME=value", sig)`: which key signed (`0` is the current one), or
    /// [`OpenError::Invalid`]. When it is not `0`, cookie-session's `Cookies` re-signs: it
    /// writes [`sign`](Self::sign)`(value)` as the new `NAME.sig`; do the same to move
    /// clients to the new key.
    ///
    /// ```
    /// use typed_cookies::interop::express::cookie_session;
    /// let old = cookie_session("old").seal(&serde_json::json!({})).unwrap();
    /// let sessions = cookie_session("new").fallbacks(["old"]);
    /// if sessions.key_index(&old.value, &old.sig).unwrap() > 0 {
    ///     let sig = sessions.sign(&old.value)?;
    ///     assert_eq!(sessions.key_index(&old.value, &sig).unwrap(), 0);
    /// }
    /// # Ok::<(), typed_cookies::SealError>(())
    /// ```
    pub fn key_index(&self, value: &str, sig: &str) -> Result<usize, OpenError> {
        check_len(value)?;
        check_len(sig)?;
        if value.is_empty() {
            return Err(OpenError::Malformed);
        }
        let tag = b64url_decode(sig).ok_or(OpenError::Invalid)?;
        let data = [self.name.as_bytes(), b"=", value.as_bytes()];
        self.keys
            .verifying()
            .find(|(_, key)| self.digest.verify(key, &data, &tag))
            .map(|(index, _)| index)
            .ok_or(OpenError::Invalid)
    }

    /// keygrip's `sign("NAME=value")` with the first key: the `NAME.sig` cookie's value;
    /// [`SealError::EmptySecret`] when the first key is empty.
    ///
    /// ```
    /// use typed_cookies::interop::express::cookie_session;
    /// let sessions = cookie_session("k");
    /// let cookie = sessions.seal(&serde_json::json!({})).unwrap();
    /// assert_eq!(sessions.sign(&cookie.value).unwrap(), cookie.sig);
    /// assert!(cookie_session("").sign(&cookie.value).is_err());
    /// ```
    pub fn sign(&self, value: &str) -> Result<String, SealError> {
        let data = [self.name.as_bytes(), b"=", value.as_bytes()];
        Ok(b64url_encode(&self.digest.hmac(self.keys.first()?, &data)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn vector_from_cookie_session() {
        // cookie-session 2.1.1, keys ["key1"]: req.session = { a: 1 }
        let sessions = cookie_session("key1");
        let cookie = sessions.seal(&json!({"a": 1})).unwrap();
        assert_eq!(cookie.value, "eyJhIjoxfQ==");
        assert_eq!(cookie.sig, "UnrWFWXg_7LPJE9wHI-xkA0L-Sk");
    }

    #[test]
    fn malformed_inputs_never_panic() {
        let sessions = cookie_session("k").fallbacks(["k2"]);
        let c = sessions
            .seal(&json!({"user": "ada ✓", "n": [1, 2]}))
            .unwrap();
        assert_eq!(
            sessions.open::<Value>(&c.value, &c.sig).unwrap()["n"],
            json!([1, 2])
        );
        for i in 0..c.value.len() {
            for cut in [&c.value[..i], &c.value[i + 1..]] {
                assert!(sessions.open::<Value>(cut, &c.sig).is_err(), "{cut:?}");
            }
        }
        for i in 0..c.sig.len() {
            for cut in [&c.sig[..i], &c.sig[i + 1..]] {
                assert!(sessions.open::<Value>(&c.value, cut).is_err(), "{cut:?}");
            }
        }
        assert_eq!(
            sessions.open::<Value>("", &sessions.sign("").unwrap()),
            Err(OpenError::Malformed)
        );
        assert_eq!(
            sessions.open::<Value>(&c.value, "!!"),
            Err(OpenError::Invalid)
        );
        assert_eq!(
            sessions.open::<Value>(&c.value, &format!("{}=", c.sig)),
            Err(OpenError::Invalid)
        );
        let long = "A".repeat(crate::MAX_COOKIE_LEN + 1);
        assert!(matches!(
            sessions.open::<Value>(&long, &c.sig),
            Err(OpenError::TooLarge { .. })
        ));
        assert!(matches!(
            sessions.open::<Value>(&c.value, &long),
            Err(OpenError::TooLarge { .. })
        ));
    }

    #[test]
    fn authentic_but_not_base64_or_not_t() {
        let sessions = cookie_session("k");
        // Signed but not base64: after authentication, malformed.
        let value = "not base64!";
        assert_eq!(
            sessions.open::<Value>(value, &sessions.sign(value).unwrap()),
            Err(OpenError::Malformed)
        );
        // Base64 of something that is not the type.
        let c = sessions.seal(&json!({"user": 1})).unwrap();
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Needs {
            user: String,
        }
        assert!(matches!(
            sessions.open::<Needs>(&c.value, &c.sig),
            Err(OpenError::PayloadMismatch { .. })
        ));
    }

    #[test]
    fn too_large_sessions_are_refused() {
        let sessions = cookie_session("k");
        let big = json!({"x": "y".repeat(3100)});
        assert!(matches!(
            sessions.seal(&big),
            Err(SealError::TooLarge { .. })
        ));
    }

    #[test]
    fn empty_keys_neither_sign_nor_verify() {
        // keygrip(["key1"]) and keygrip([""]) of `session=eyJhIjoxfQ==` ({"a": 1}).
        let (value, by_key1) = ("eyJhIjoxfQ==", "UnrWFWXg_7LPJE9wHI-xkA0L-Sk");
        let forged = "m6R1BTvFZ9pLkrXyGc7I4BlFI6s";
        let empty = cookie_session("");
        assert!(matches!(
            empty.seal(&json!({"a": 1})),
            Err(SealError::EmptySecret { .. })
        ));
        assert!(matches!(
            empty.sign(value),
            Err(SealError::EmptySecret { .. })
        ));
        assert_eq!(empty.key_index(value, forged), Err(OpenError::Invalid));
        // An empty fallback is skipped, and keeps its place in the numbering.
        let rotated = cookie_session("new").fallbacks(["", "key1"]);
        assert_eq!(rotated.key_index(value, forged), Err(OpenError::Invalid));
        assert_eq!(rotated.key_index(value, by_key1), Ok(2));
        // An empty current key with a fallback: reads the fallback's, re-signs nothing.
        let unset = cookie_session("").fallbacks(["key1"]);
        assert_eq!(unset.key_index(value, by_key1), Ok(1));
        assert!(unset.sign(value).is_err());
    }

    #[test]
    fn debug_shows_no_key() {
        let shown = format!("{:?}", cookie_session("hunter2").fallbacks(["swordfish"]));
        assert!(
            !shown.contains("hunter2") && !shown.contains("swordfish"),
            "{shown}"
        );
    }
}
