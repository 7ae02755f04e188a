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
//! matters, and open values as the narrowest type. In particular, **cookie-session under
//! SHA-256 must not share a secret with cookie-parser or express-session**: keygrip's
//! `sha256` and `cookie-signature` compute the same HMAC-SHA256, so a signed cookie whose
//! text a user chooses (`session=` + base64 JSON) is a valid `session.sig` for the session of
//! their choice (keygrip's default SHA-1 never meets `cookie-signature`).
//!
//! **An empty secret signs and opens nothing.** cookie-parser reads no signed cookie without
//! a secret, express-session refuses to start ("secret option required") and cookie-session
//! throws (".keys required."): anyone can compute an HMAC under the empty key. Here the
//! constructors take any secret, but under an empty one (or one of only zero bytes, the
//! same HMAC key) every `seal` and `sign` is [`SealError::EmptySecret`] and every `open`
//! [`OpenError::Invalid`](crate::OpenError::Invalid); an empty fallback is skipped, as the
//! Rails module skips an empty old `secret_key_base`.

use std::fmt;

use zeroize::Zeroizing;

use super::Secret;
use crate::error::SealError;

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

/// The secrets of one signer: the first signs, every one verifies; wiped on drop. An empty
/// secret (or one of only zero bytes, which HMAC pads to the same key as the empty one) is
/// kept in its place but never signs nor verifies: anyone can compute its signatures.
#[derive(Clone)]
struct Secrets {
    list: Vec<Secret>,
    /// What the app calls the signing secret, for [`SealError::EmptySecret`].
    which: &'static str,
}

/// Whether anyone without the secret could compute its HMACs: empty, or only zero bytes.
fn is_empty_key(secret: &[u8]) -> bool {
    secret.iter().all(|&b| b == 0)
}

impl Secrets {
    fn new(first: impl AsRef<[u8]>, which: &'static str) -> Self {
        Self {
            list: vec![Zeroizing::new(first.as_ref().to_vec())],
            which,
        }
    }

    /// Keeps the first secret and replaces the ones after it with `fallbacks`, in order.
    fn set_fallbacks<I, S>(&mut self, fallbacks: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        self.list.truncate(1);
        self.list.extend(
            fallbacks
                .into_iter()
                .map(|s| Zeroizing::new(s.as_ref().to_vec())),
        );
    }

    /// The secret that signs; [`SealError::EmptySecret`] when it is empty.
    fn first(&self) -> Result<&[u8], SealError> {
        match self.list[0].as_slice() {
            empty if is_empty_key(empty) => Err(SealError::EmptySecret { which: self.which }),
            secret => Ok(secret),
        }
    }

    /// The secrets that verify, each with its place in the list (`0` is the signing one);
    /// empty ones are skipped.
    fn verifying(&self) -> impl Iterator<Item = (usize, &[u8])> {
        self.list
            .iter()
            .map(|s| s.as_slice())
            .enumerate()
            .filter(|(_, s)| !is_empty_key(s))
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} redacted>", self.list.len())
    }
}
