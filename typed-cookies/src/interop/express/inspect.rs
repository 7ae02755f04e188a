//! Looking inside an Express value without any secret, for tools
//! (`typed-cookies inspect --express`): which kind of value it is and what it claims to
//! carry. **Nothing here is authenticated.**

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine as _;

use super::uri;
use crate::error::OpenError;
use crate::interop::check_len;

/// Which Express value a cookie value is, by its structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueKind {
    /// `s:` + text + `.` + a `cookie-signature` (HMAC-SHA256) signature: a
    /// `res.cookie(…, { signed: true })` value or express-session's `connect.sid`. Open it
    /// with [`signed_cookie`](super::signed_cookie) or
    /// [`session_id_cookie`](super::session_id_cookie).
    Signed,
    /// Base64 of a JSON object: a cookie-session session, whose signature is in the
    /// `NAME.sig` cookie. Open it with [`cookie_session`](super::cookie_session).
    CookieSession,
}

/// The public structure of an Express value. **Unauthenticated**: anyone can write any of it;
/// only the `open` methods, with the secret, say whether it is genuine.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Inspection {
    /// The kind of value.
    pub kind: ValueKind,
    /// What it claims to carry, as its author wrote it: for [`ValueKind::Signed`] the text
    /// before the signature (`j:` + JSON for an object, else a string or a session id); for
    /// [`ValueKind::CookieSession`] the session's JSON. Escape control and bidi characters
    /// before showing it.
    pub unverified_payload: Vec<u8>,
}

/// Parses the structure of an Express signed value (percent-encoded or not) or cookie-session
/// value without a secret. Refuses input over [`MAX_COOKIE_LEN`](crate::MAX_COOKIE_LEN)
/// ([`OpenError::TooLarge`]) and anything that is neither ([`OpenError::Malformed`]).
///
/// ```
/// use typed_cookies::interop::express::{self, ValueKind};
///
/// let seen = express::inspect(&express::signed_cookie("k").seal(&[1, 2]).unwrap()).unwrap();
/// assert_eq!((seen.kind, &seen.unverified_payload[..]), (ValueKind::Signed, &b"j:[1,2]"[..]));
/// let cookie = express::cookie_session("k").seal(&serde_json::json!({"a": 1})).unwrap();
/// let seen = express::inspect(&cookie.value).unwrap();
/// assert_eq!((seen.kind, &seen.unverified_payload[..]), (ValueKind::CookieSession, &b"{\"a\":1}"[..]));
/// assert!(express::inspect("hello").is_err());
/// ```
pub fn inspect(value: &str) -> Result<Inspection, OpenError> {
    check_len(value)?;
    let decoded = uri::decode(value);
    if let Some((text, sig)) = decoded
        .strip_prefix("s:")
        .and_then(|signed| signed.rsplit_once('.'))
    {
        if STANDARD_NO_PAD.decode(sig).is_ok_and(|tag| tag.len() == 32) {
            return Ok(Inspection {
                kind: ValueKind::Signed,
                unverified_payload: text.as_bytes().to_vec(),
            });
        }
    }
    let json = STANDARD.decode(value).map_err(|_| OpenError::Malformed)?;
    let is_object = json.trim_ascii_start().starts_with(b"{")
        && serde_json::from_slice::<serde::de::IgnoredAny>(&json).is_ok();
    if !is_object {
        return Err(OpenError::Malformed);
    }
    Ok(Inspection {
        kind: ValueKind::CookieSession,
        unverified_payload: json,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_structure() {
        let id = super::super::session_id_cookie("k").seal("abc").unwrap();
        let seen = inspect(&id).unwrap();
        assert_eq!(
            (seen.kind, &seen.unverified_payload[..]),
            (ValueKind::Signed, &b"abc"[..])
        );
        // Decoded by a framework already: the same.
        assert_eq!(inspect(&uri::decode(&id)).unwrap(), seen);
        for bad in [
            "",
            "s:abc",
            "s:abc.c2ln",
            "eyJhIjoxfQ",
            "WzFd",
            "e30=x",
            "%",
            "s%3A.",
        ] {
            assert_eq!(inspect(bad), Err(OpenError::Malformed), "{bad:?}");
        }
        assert!(matches!(
            inspect(&"A".repeat(crate::MAX_COOKIE_LEN + 4)),
            Err(OpenError::TooLarge { .. })
        ));
        assert_eq!(inspect("e30=").unwrap().kind, ValueKind::CookieSession);
    }
}
