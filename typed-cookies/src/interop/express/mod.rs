//! Express's signed cookies, `cookie-session` cookies and express-session's session id, read
//! and written byte for byte (feature `express`):
//!
//! - [`Signer`]: `cookie-signature`'s `sign` / `unsign` (HMAC-SHA256, base64 without
//!   padding), with a list of secrets as cookie-parser and express-session take them (the
//!   first signs, every one unsigns);
//! - [`signed_cookie`]: `res.cookie(name, value, { signed: true })` read back through
//!   cookie-parser's `req.signedCookies`: `s:` + the signed value, objects as `j:` + JSON,
//!   percent-encoded as Express writes it;
//! - [`cookie_session`]: the `cookie-session` middleware's two cookies, the base64 JSON
//!   session and its keygrip signature `NAME.sig` (HMAC-SHA1 of `NAME=VALUE` by default,
//!   key rotation by a key list);
//! - [`session_id_cookie`]: the `connect.sid` cookie of express-session, whose signed
//!   session id is the key into the app's session store;
//! - [`inspect`]: which of these a value is, and what it claims to carry, without a secret
//!   (unauthenticated, for tools).
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use typed_cookies::interop::express;
//!
//! #[derive(Serialize, Deserialize, PartialEq, Debug)]
//! struct Cart { items: Vec<u32> }
//!
//! // res.cookie("cart", { items: [3] }, { signed: true }) with cookieParser("keyboard cat")
//! let cart = express::signed_cookie("keyboard cat");
//! let value = cart.seal(&Cart { items: vec![3] }).unwrap();
//! assert!(value.starts_with("s%3Aj%3A"));
//! assert_eq!(cart.open::<Cart>(&value).unwrap(), Cart { items: vec![3] });
//!
//! // cookieSession({ keys: ["key1"] }): the `session` and `session.sig` cookies
//! let sessions = express::cookie_session("key1");
//! let cookie = sessions.seal(&Cart { items: vec![1, 2] }).unwrap();
//! assert_eq!(sessions.open::<Cart>(&cookie.value, &cookie.sig).unwrap().items, [1, 2]);
//! ```
//!
//! **None of these values expires.** cookie-session's `maxAge` and express-session's
//! `cookie.maxAge` only set the cookie's `Expires`; an express-session session ends in its
//! store, which the id here is the key to. A copied value stays valid until its secret is
//! retired. **Neither signature covers the purpose:** a `cookie-signature` value does not
//! even cover its cookie's name, so under one secret a signed value (a session id included)
//! can be presented as any other signed cookie; keygrip signs `NAME=VALUE`, so a
//! cookie-session value is bound to its name only. Give each use its own secret where that
//! matters, and open values as the narrowest type.

use std::fmt;

use zeroize::Zeroizing;

use super::Secret;

mod cookie_session;
mod inspect;
mod session_id;
mod signature;
mod signed_cookie;
mod uri;

pub use cookie_session::{cookie_session, CookieSession, SessionCookie, SESSION_COOKIE_NAME};
pub use inspect::{inspect, Inspection, ValueKind};
pub use session_id::{session_id_cookie, SessionIdCookie, SESSION_ID_COOKIE_NAME};
pub use signature::Signer;
pub use signed_cookie::{signed_cookie, SignedCookie};

/// The secrets of one signer: the first signs, every one verifies. Never empty; wiped on drop.
#[derive(Clone)]
struct Secrets(Vec<Secret>);

impl Secrets {
    fn new(first: impl AsRef<[u8]>) -> Self {
        Self(vec![Zeroizing::new(first.as_ref().to_vec())])
    }

    /// Keeps the first secret and replaces the ones after it with `fallbacks`, in order.
    fn set_fallbacks<I, S>(&mut self, fallbacks: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        self.0.truncate(1);
        self.0.extend(
            fallbacks
                .into_iter()
                .map(|s| Zeroizing::new(s.as_ref().to_vec())),
        );
    }

    /// The secret that signs.
    fn first(&self) -> &[u8] {
        &self.0[0]
    }

    /// Every secret, the signing one first.
    fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.0.iter().map(|s| s.as_slice())
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} redacted>", self.0.len())
    }
}
