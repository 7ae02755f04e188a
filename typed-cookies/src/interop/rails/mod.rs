//! Rails' signed and encrypted messages and cookies, read and written byte for byte
//! (ActiveSupport 6.1 and 7.x, ActionDispatch's cookie jar):
//!
//! - [`CookieJar`]: `cookies.signed[:name]` ([`CookieJar::signed`]), `cookies.encrypted[:name]`
//!   ([`CookieJar::encrypted`]) and the session cookie of the `CookieStore`
//!   ([`CookieJar::session`], `_app_session`), with the keys Rails derives from
//!   `secret_key_base`, the `cookie.NAME` purpose, `expires`, the legacy AES-256-CBC cookies
//!   of Rails < 5.2, and rotations (old `secret_key_base` values, the Rails 7.0 switch of the
//!   key generator to SHA-256, signed-cookie digests);
//! - [`MessageVerifier`] and [`MessageEncryptor`]: ActiveSupport's classes with the JSON
//!   serializer, `purpose:`, `expires_in:`/`expires_at:`, `rotate`, and both metadata
//!   envelopes (Rails ≤ 7.0, and 7.1's `use_message_serializer_for_metadata`);
//! - [`KeyGenerator`]: ActiveSupport's PBKDF2 key derivation;
//! - [`inspect`]: the unauthenticated structure of a Rails value, for tools.
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use typed_cookies::interop::rails;
//!
//! #[derive(Serialize, Deserialize, PartialEq, Debug)]
//! struct Session { session_id: String, user_id: u64 }
//!
//! let jar = rails::CookieJar::new("0123456789abcdef".repeat(8)).unwrap(); // secret_key_base
//! let sessions = jar.session("_app_session");
//! let cookie = sessions.seal(&Session { session_id: "a1".into(), user_id: 42 }).unwrap();
//! assert_eq!(sessions.open::<Session>(&cookie).unwrap().user_id, 42);
//! ```
//!
//! # Formats
//!
//! | what | value |
//! |---|---|
//! | signed (`MessageVerifier`) | `base64(data) "--" hex(HMAC(key, base64(data)))`, HMAC-SHA1 unless `digest:` says otherwise |
//! | encrypted, AES-256-GCM (Rails ≥ 5.2) | `base64(ciphertext) "--" base64(12-byte IV) "--" base64(16-byte tag)`, no associated data |
//! | encrypted, AES-256-CBC (Rails < 5.2) | a signed message whose data is `base64(ciphertext) "--" base64(16-byte IV)` (PKCS#7) |
//! | metadata (Rails ≤ 7.0; cookies always) | `{"_rails":{"message":base64(json),"exp":"2023-11-14T23:13:20.000Z" or null,"pur":"cookie.NAME" or null}}` |
//! | metadata (7.1, `use_message_serializer_for_metadata`) | `{"_rails":{"data":json,"exp":…,"pur":…}}`, `exp` and `pur` only when set (never read by cookies, as by Rails' cookie jars) |
//! | no purpose, no expiry | the bare JSON, except an object with a top-level `_rails` key (or duplicate keys), which goes into the first envelope with `"exp":null,"pur":null` |
//!
//! Base64 is the standard, padded, strict alphabet (Ruby's `strict_encode64`). A cookie value
//! is escaped on its way into `Set-Cookie` as Rack does (`+`, `/`, `=` as `%2B`, `%2F`,
//! `%3D`): [`SignedCookie::seal`] returns it escaped, and the `open` methods take it escaped
//! (as the `Cookie:` header carries it) or already unescaped.
//!
//! Cookie keys come from `secret_key_base` through [`KeyGenerator`] (PBKDF2-HMAC, 1000
//! iterations, SHA-1 up to Rails 6.1 and SHA-256 with Rails 7.0's
//! `key_generator_hash_digest_class`) under the salts `"signed cookie"` (64 bytes),
//! `"authenticated encrypted cookie"` (32 bytes), and for the legacy CBC cookies
//! `"encrypted cookie"` (32) and `"signed encrypted cookie"` (64).
//!
//! # Only JSON, never Marshal
//!
//! Values are JSON (Rails' `cookies_serializer = :json`, the default since Rails 4.1's app
//! template). A value that authenticates but holds Ruby `Marshal` data (`:marshal`,
//! `:hybrid` before Rails rewrote it, or a `MessageVerifier` left on its default serializer)
//! is refused with [`OpenError::UnsupportedSerializer`] and never parsed: `Marshal.load` of
//! a forged value runs code in Ruby, and its format is not one to re-implement. Switch the
//! Rails app to `:json` (or `:hybrid`, which rewrites each Marshal cookie as JSON when it
//! reads it) before sharing its cookies. Rails 7.1's `:message_pack` values (their
//! `\xCC\x80` signature) are refused the same way; other non-JSON payloads are
//! [`OpenError::PayloadMismatch`].
//!
//! # Stricter than Rails, where it costs nothing
//!
//! - A cookie must carry its `cookie.NAME` purpose (Rails ≥ 6.0 writes it on every signed and
//!   encrypted cookie). Rails also accepts values without a purpose under any cookie name,
//!   which lets a value move from one cookie to another; turn that on only for an app that
//!   wrote cookies without metadata ([`CookieJar::cookies_with_metadata`]`(false)`, Rails
//!   5.2 defaults) or still has such cookies ([`CookieJar::accept_unpurposed`]).
//! - Junk after a message (`data--digest--more`, which Ruby's `split` ignores) is refused.
//! - A value sealed without purpose or expiry whose JSON is an object with a `_rails` key
//!   (say, a user-chosen map) is written inside an envelope of its own, so it never reads as
//!   metadata with the purpose or expiry it spells: Rails writes it bare, and then reads it
//!   (and a reader here would read it) as a message of that purpose. Rails reads the
//!   envelope back as the value.
//! - An authentic object whose top-level `_rails` key is not one well-formed envelope (two
//!   `_rails` keys, which Ruby reads as the last) is [`OpenError::Malformed`], never a bare
//!   value; cookies read only the envelope Rails' cookie jars read (`message`, not 7.1's
//!   `data`).
//! - Verdicts are typed: [`OpenError::Invalid`] for anything that does not authenticate or is
//!   meant for another purpose, [`OpenError::Expired`] (with `exp`) for an authentic value
//!   past its expiry, [`OpenError::Malformed`] for a broken structure, and
//!   [`OpenError::PayloadMismatch`] for an authentic value of another type. Rails answers
//!   `nil` to all of them.
//!
//! [`OpenError::Invalid`]: crate::OpenError::Invalid
//! [`OpenError::Expired`]: crate::OpenError::Expired
//! [`OpenError::Malformed`]: crate::OpenError::Malformed
//! [`OpenError::PayloadMismatch`]: crate::OpenError::PayloadMismatch
//! [`OpenError::UnsupportedSerializer`]: crate::OpenError::UnsupportedSerializer

mod cipher;
mod cookie;
mod encryptor;
mod escape;
mod expiry;
mod inspect;
mod jar;
mod json;
mod key_generator;
mod metadata;
mod rotation;
mod verifier;

pub use cookie::{EncryptedCookie, SignedCookie};
pub use encryptor::{Cipher, MessageEncryptor};
pub use inspect::{inspect, Inspection, MessageKind};
pub use jar::{CookieJar, Defaults};
pub use key_generator::KeyGenerator;
pub use rotation::Rotation;
pub use verifier::MessageVerifier;

/// `config.action_dispatch.signed_cookie_salt`'s default.
pub const SIGNED_COOKIE_SALT: &str = "signed cookie";
/// `config.action_dispatch.authenticated_encrypted_cookie_salt`'s default (AES-256-GCM).
pub const AUTHENTICATED_ENCRYPTED_COOKIE_SALT: &str = "authenticated encrypted cookie";
/// `config.action_dispatch.encrypted_cookie_salt`'s default (legacy AES-256-CBC).
pub const ENCRYPTED_COOKIE_SALT: &str = "encrypted cookie";
/// `config.action_dispatch.encrypted_signed_cookie_salt`'s default (legacy CBC's HMAC key).
pub const ENCRYPTED_SIGNED_COOKIE_SALT: &str = "signed encrypted cookie";
/// The iterations of `Rails.application.key_generator` (PBKDF2).
pub const KEY_GENERATOR_ITERATIONS: u32 = 1000;

/// A secret or key size Rails (or this module) refuses.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// An empty `secret_key_base` or verifier secret: anyone could sign with it.
    #[error("the Rails secret is empty; set secret_key_base (`bin/rails secret` makes one)")]
    Empty,
    /// A `MessageEncryptor` key that is not exactly the cipher's key length.
    #[error("MessageEncryptor key is {len} bytes; AES-256 needs exactly {expected} (derive it with KeyGenerator::generate_key(salt, 32))")]
    WrongLength {
        /// The length given.
        len: usize,
        /// The length the cipher needs.
        expected: usize,
    },
    /// A [`KeyGenerator::generate_key`] size over [`KeyGenerator::MAX_KEY_SIZE`].
    #[error("a generated key of {len} bytes is over the {max}-byte limit (Rails' keys are 32 or 64 bytes)")]
    KeySizeTooLarge {
        /// The size asked for.
        len: usize,
        /// [`KeyGenerator::MAX_KEY_SIZE`].
        max: usize,
    },
}

/// The message, as `Display` writes it: what a `main` returning this error prints.
impl std::fmt::Debug for SecretError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// Ruby's `Base64.strict_encode64`: standard alphabet, padded.
fn b64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Ruby's `Base64.strict_decode64`: standard alphabet, padding required, canonical trailing
/// bits, nothing else.
fn b64_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// Lowercase hex, as `OpenSSL::HMAC.hexdigest` writes it.
fn hex_encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// Lowercase hex only (Rails compares the hex digest as a string, so `ABCD` never matches).
fn hex_decode(text: &str) -> Option<Vec<u8>> {
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let pairs = text.as_bytes().chunks_exact(2);
    if !pairs.remainder().is_empty() {
        return None;
    }
    pairs
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests;
