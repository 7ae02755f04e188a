//! express-session's `connect.sid` cookie: `s:` + the session id signed by
//! `cookie-signature`, percent-encoded (`s%3A…`). Only the id is here; the session itself is
//! in the app's store, under that id.

use super::{uri, Signer};
use crate::error::{OpenError, SealError};
use crate::interop::check_len;

/// express-session's default cookie `name`.
pub const SESSION_ID_COOKIE_NAME: &str = "connect.sid";

/// The prefix of a signed session id (before percent-encoding).
const SIGNED: &str = "s:";

/// express-session's signed session id cookie: see [`session_id_cookie`].
#[derive(Clone, Debug)]
pub struct SessionIdCookie {
    signer: Signer,
}

/// express-session's session id cookie under `session({ secret })`; older secrets of
/// `secret: [new, old]` with [`fallbacks`](SessionIdCookie::fallbacks).
///
/// [`open`](SessionIdCookie::open) returns the id that express-session's `getcookie` would
/// find, so a Rust service can load the session from the store both apps share (for
/// connect-redis, the key `sess:` + id); [`seal`](SessionIdCookie::seal) writes the cookie
/// value for an id, as express-session's `setcookie` does. The id is all there is: the
/// session's expiry, and whether it exists at all, are the store's. An empty `secret`
/// seals nothing ([`SealError::EmptySecret`]) and opens nothing ([`OpenError::Invalid`]),
/// as express-session refuses to run without one ("secret option required for sessions").
///
/// ```
/// use typed_cookies::interop::express;
///
/// let sid = express::session_id_cookie("keyboard cat");
/// let value = sid.seal("CsRqn3VmFQ1kJ9r5a2m8Xh0qU7pLwE4Y").unwrap();
/// assert!(value.starts_with("s%3ACsRqn3VmFQ1kJ9r5a2m8Xh0qU7pLwE4Y."));
/// assert_eq!(sid.open(&value).unwrap(), "CsRqn3VmFQ1kJ9r5a2m8Xh0qU7pLwE4Y");
/// ```
pub fn session_id_cookie(secret: impl AsRef<[u8]>) -> SessionIdCookie {
    SessionIdCookie {
        signer: Signer::new(secret),
    }
}

impl SessionIdCookie {
    /// The older secrets of `secret: [new, old]`: they open, only the first signs.
    /// Replaces earlier fallbacks; an empty one is skipped.
    ///
    /// ```
    /// use typed_cookies::interop::express::session_id_cookie;
    /// let value = session_id_cookie("old").seal("abc").unwrap();
    /// assert_eq!(session_id_cookie("new").fallbacks(["old"]).open(&value).unwrap(), "abc");
    /// ```
    pub fn fallbacks<I, S>(mut self, secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        self.signer = self.signer.fallbacks(secrets);
        self
    }

    /// The session id in the cookie's `value` (as in the `Cookie:` header; percent-escapes
    /// are decoded as the `cookie` package does): [`OpenError::Malformed`] without the `s:`
    /// prefix (express-session ignores unsigned ids), [`OpenError::Invalid`] when no secret
    /// signed it.
    ///
    /// ```
    /// use typed_cookies::interop::express::session_id_cookie;
    /// use typed_cookies::OpenError;
    /// let sid = session_id_cookie("k");
    /// assert_eq!(sid.open(&sid.seal("id1").unwrap().replace("id1", "id2")), Err(OpenError::Invalid));
    /// assert_eq!(sid.open("id1"), Err(OpenError::Malformed));
    /// ```
    pub fn open(&self, value: &str) -> Result<String, OpenError> {
        check_len(value)?;
        let value = uri::decode(value);
        let signed = value.strip_prefix(SIGNED).ok_or(OpenError::Malformed)?;
        let id = self.signer.unsign(signed)?;
        // express-session treats an empty id as no cookie.
        if id.is_empty() {
            return Err(OpenError::Malformed);
        }
        Ok(id)
    }

    /// The cookie value express-session writes for the session `id`, percent-encoded as in
    /// its `Set-Cookie` header. An empty id is refused ([`SealError::Serialize`]), as
    /// express-session would not read it back; an empty secret is
    /// [`SealError::EmptySecret`].
    ///
    /// ```
    /// use typed_cookies::interop::express::session_id_cookie;
    /// assert!(session_id_cookie("k").seal("").is_err());
    /// ```
    pub fn seal(&self, id: &str) -> Result<String, SealError> {
        if id.is_empty() {
            return Err(SealError::Serialize {
                reason: "an express-session id cannot be empty".to_owned(),
            });
        }
        let value = uri::encode(&format!("{SIGNED}{}", self.signer.sign(id)?));
        if value.len() > crate::MAX_COOKIE_LEN {
            return Err(SealError::TooLarge {
                len: value.len(),
                max: crate::MAX_COOKIE_LEN,
            });
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_from_express_session() {
        // express-session 1.19.0, secret "keyboard cat", genid () => "abc"
        let sid = session_id_cookie("keyboard cat");
        let value = "s%3Aabc.BpxCrWRpvZMh%2Fwk%2Fdjl34N%2Bm%2BVQEU7K%2F5WenLwJCgFU";
        assert_eq!(sid.seal("abc").unwrap(), value);
        assert_eq!(sid.open(value).unwrap(), "abc");
        // Already decoded, as some frameworks hand cookie values over.
        assert_eq!(sid.open(&uri::decode(value)).unwrap(), "abc");
    }

    #[test]
    fn malformed_values_never_panic() {
        let sid = session_id_cookie("k").fallbacks(["k2"]);
        let good = sid.seal("CsRqn3VmFQ1kJ9r5a2m8Xh0qU7pLwE4Y").unwrap();
        for i in 0..good.len() {
            for cut in [&good[..i], &good[i + 1..]] {
                assert!(sid.open(cut).is_err(), "{cut:?}");
            }
        }
        for bad in ["", "s:", "s%3A", "s%3A.", "%", "s%3A%ZZ", "s:%E0%A4%A"] {
            assert!(sid.open(bad).is_err(), "{bad:?}");
        }
        let empty = format!("s:{}", Signer::new("k").sign("").unwrap());
        assert_eq!(sid.open(&empty), Err(OpenError::Malformed));
        assert!(matches!(
            sid.open(&"s".repeat(crate::MAX_COOKIE_LEN + 1)),
            Err(OpenError::TooLarge { .. })
        ));
        assert!(matches!(
            sid.seal(&"i".repeat(crate::MAX_COOKIE_LEN)),
            Err(SealError::TooLarge { .. })
        ));
    }
}
