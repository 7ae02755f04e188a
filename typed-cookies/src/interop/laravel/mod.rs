//! Laravel's encrypted values and cookies (Laravel 8, checked against Debian's
//! `php-illuminate-encryption` / `php-illuminate-cookie` 8.83.26), read and written byte for
//! byte:
//!
//! - [`Encrypter`]: `Illuminate\Encryption\Encrypter` (`Crypt`, `encrypt()`, `decrypt()`):
//!   AES-256-CBC (the default) or AES-128-CBC with an HMAC-SHA256 `mac`, or AES-256-GCM /
//!   AES-128-GCM with its tag; `APP_KEY` as in `.env`; previous keys for rotation (on our
//!   side only: Laravel 8 has none);
//! - [`EncryptCookies`] (and [`cookies`]): the `EncryptCookies` middleware's cookie values,
//!   with `CookieValuePrefix` (the HMAC-SHA1 of the cookie's name that ties a value to it):
//!   the session id cookie ([`SESSION_COOKIE_NAME`]), `XSRF-TOKEN`, and the app's own
//!   cookies as strings or typed JSON.
//!
//! ```
//! use typed_cookies::interop::laravel::{self, SESSION_COOKIE_NAME};
//!
//! let cookies = laravel::cookies("base64:q2kFjq0yG0aOsdIuKsbZ2VQ3bAbVYc+l0HoUQ8PmBbU=").unwrap();
//! // The Laravel app's session cookie, as the browser sends it:
//! let value = cookies.seal_session_id(SESSION_COOKIE_NAME, "wJ9ckz3GjnJd1yiIzWcTqVSQWkVbyK8vCGQyUDWM").unwrap();
//! let id = cookies.open_session_id(SESSION_COOKIE_NAME, &value).unwrap();
//! assert_eq!(id, "wJ9ckz3GjnJd1yiIzWcTqVSQWkVbyK8vCGQyUDWM");
//! ```
//!
//! A value is `base64(json)` of `{"iv":"<base64>","value":"<base64 ciphertext>","mac":"<hex>",
//! "tag":"<base64>"}`: for CBC, `mac` is HMAC-SHA256(key, iv ‖ value) over the two fields'
//! base64 text and `tag` is empty; for GCM, `mac` is empty and `tag` the 16-byte GCM tag
//! (no associated data). Opening checks the envelope's structure as Laravel's `validPayload`
//! does ([`OpenError::Malformed`](crate::OpenError::Malformed)), then the `mac` in constant
//! time or the GCM tag ([`OpenError::Invalid`](crate::OpenError::Invalid)), and only then
//! decrypts. The envelope's JSON itself is not authenticated (in Laravel neither): several
//! strings open to one plaintext, so never use the encrypted string as an identifier.
//!
//! **No expiry.** Laravel's values carry no time: one opens for as long as its key is
//! configured. A session cookie is only as old as the session it names, which the
//! session store expires; the app's own cookies never expire server-side.
//!
//! **No PHP objects.** Laravel's `decrypt()` (and cookies under `$serialize = true`) runs
//! PHP's `unserialize()`, which instantiates any class the plaintext names: with a leaked
//! `APP_KEY`, the well-known Laravel remote-code-execution route. This module never
//! deserializes PHP values: it reads exactly one form, a PHP string `s:N:"…";`, with a
//! strict bounded parser, and refuses objects, arrays and everything else as
//! [`OpenError::PayloadMismatch`](crate::OpenError::PayloadMismatch). Typed values travel as
//! JSON.

mod cookies;
mod encrypter;
mod envelope;
mod key;
mod serialized;

pub use cookies::{
    cookies, EncryptCookies, SESSION_COOKIE_NAME, SESSION_ID_LEN, VALUE_PREFIX_LEN,
    XSRF_COOKIE_NAME,
};
pub use encrypter::Encrypter;
pub use key::{AppKeyError, Cipher};

/// What a serialized PHP value other than a string is refused as
/// ([`OpenError::PayloadMismatch`](crate::OpenError::PayloadMismatch)'s `type_name`).
pub const SERIALIZED_STRING: &str = "a PHP-serialized string (s:N:\"...\";)";
