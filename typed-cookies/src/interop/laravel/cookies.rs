//! Laravel's `EncryptCookies` middleware: every cookie a Laravel app sets (the session id
//! cookie, `XSRF-TOKEN`, the app's own) is `encrypt(CookieValuePrefix::create($name,
//! $key) . $value, static::serialized($name))` — `hash_hmac('sha1', $name . 'v2', $key)` in
//! hex and `|` before the value, which ties the value to its cookie name — and checked the
//! same way on the way in.
//!
//! Values here are the cookie values on the wire: Symfony writes the encrypted base64
//! `rawurlencode`d into `Set-Cookie` (`+`, `/`, `=` as `%2B`, `%2F`, `%3D`) and PHP
//! `urldecode`s what the browser sends back. [`EncryptCookies::seal_str`] returns the encoded
//! form; the `open` methods take either form (`%XX` are decoded; a bare `+` is kept, where
//! PHP would have turned it into a space and failed).

use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;
use zeroize::Zeroizing;

use super::encrypter::{hex, unhex, unserialize, utf8};
use super::{serialized, AppKeyError, Cipher, Encrypter};
use crate::error::{OpenError, SealError};
use crate::interop::{check_len, payload_mismatch, Digest};

/// The session cookie's name for the default `APP_NAME` (`Str::slug(env('APP_NAME',
/// 'laravel'), '_') . '_session'`; `config('session.cookie')`).
pub const SESSION_COOKIE_NAME: &str = "laravel_session";
/// The cookie `VerifyCsrfToken` sets for JavaScript clients (encrypted like the others).
pub const XSRF_COOKIE_NAME: &str = "XSRF-TOKEN";
/// The length of `CookieValuePrefix::create`'s prefix: 40 hex digits and `|`.
pub const VALUE_PREFIX_LEN: usize = 41;
/// The length of a Laravel session id (`Str::random(40)`: ASCII letters and digits).
pub const SESSION_ID_LEN: usize = 40;

/// What a session id is refused as when it is not one (`Store::isValidId`).
const SESSION_ID: &str = "a Laravel session id (40 ASCII letters and digits)";

/// `EncryptCookies` over `APP_KEY` with `config/app.php`'s default cipher, AES-256-CBC:
/// shorthand for `EncryptCookies::new(Encrypter::new(app_key, Cipher::Aes256Cbc)?)`.
///
/// ```
/// use typed_cookies::interop::laravel;
///
/// let cookies = laravel::cookies("base64:q2kFjq0yG0aOsdIuKsbZ2VQ3bAbVYc+l0HoUQ8PmBbU=").unwrap();
/// let value = cookies.seal_str("theme", "dark").unwrap();
/// assert_eq!(cookies.open_str("theme", &value).unwrap(), "dark");
/// assert!(cookies.open_str("other", &value).is_err()); // the prefix names the cookie
/// ```
pub fn cookies(app_key: &str) -> Result<EncryptCookies, AppKeyError> {
    Ok(EncryptCookies::new(Encrypter::new(
        app_key,
        Cipher::Aes256Cbc,
    )?))
}

/// The `EncryptCookies` middleware's encryption of cookie values (Laravel 8: with the value
/// prefix, not serialized).
///
/// Previous keys of the [`Encrypter`] open cookies too (and the prefix is then checked
/// under the key that decrypted). A cookie name is compared byte for byte, as browsers store
/// it. Cookies in the app's `$except` list are not encrypted: read those as they are.
///
/// ```
/// use typed_cookies::interop::laravel::{self, SESSION_COOKIE_NAME};
///
/// let cookies = laravel::cookies("base64:q2kFjq0yG0aOsdIuKsbZ2VQ3bAbVYc+l0HoUQ8PmBbU=").unwrap();
/// let id = "wJ9ckz3GjnJd1yiIzWcTqVSQWkVbyK8vCGQyUDWM";
/// let value = cookies.seal_session_id(SESSION_COOKIE_NAME, id).unwrap();
/// assert_eq!(cookies.open_session_id(SESSION_COOKIE_NAME, &value).unwrap(), id);
/// ```
#[derive(Clone)]
pub struct EncryptCookies {
    encrypter: Encrypter,
    serialize: bool,
}

impl fmt::Debug for EncryptCookies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("laravel::EncryptCookies")
            .field("encrypter", &self.encrypter)
            .field("serialize", &self.serialize)
            .finish()
    }
}

impl EncryptCookies {
    /// The middleware over `encrypter` (whose own [`Encrypter::serialize`] setting plays no
    /// part: cookies follow [`serialize`](Self::serialize)).
    ///
    /// ```
    /// use typed_cookies::interop::laravel::{Cipher, EncryptCookies, Encrypter};
    /// let crypt = Encrypter::from_bytes(&[7; 32], Cipher::Aes256Gcm).unwrap();
    /// let cookies = EncryptCookies::new(crypt.clone());
    /// let value = cookies.seal_str("a", "b").unwrap();
    /// // The plaintext is the prefix, then the value.
    /// let plain = crypt.decrypt_string(&value.replace("%3D", "=").replace("%2B", "+").replace("%2F", "/")).unwrap();
    /// assert_eq!(plain, cookies.value_prefix("a") + "b");
    /// ```
    pub fn new(encrypter: Encrypter) -> Self {
        Self {
            encrypter,
            serialize: false,
        }
    }

    /// `protected static $serialize = true;` in the app's `EncryptCookies`: values are PHP
    /// strings (`s:N:"…";`), as every cookie was before Laravel 5.6.30. Only strings are
    /// read; any other PHP value is refused, never unserialized.
    ///
    /// ```
    /// use typed_cookies::interop::laravel::{Cipher, EncryptCookies, Encrypter};
    /// let crypt = Encrypter::from_bytes(&[7; 32], Cipher::Aes256Cbc).unwrap();
    /// let old = EncryptCookies::new(crypt.clone()).serialize(true);
    /// let value = old.seal_str("a", "b").unwrap();
    /// assert_eq!(old.open_str("a", &value).unwrap(), "b");
    /// assert!(EncryptCookies::new(crypt).open_str("a", &value).is_err());
    /// ```
    pub fn serialize(mut self, serialize: bool) -> Self {
        self.serialize = serialize;
        self
    }

    /// The encrypter.
    ///
    /// ```
    /// use typed_cookies::interop::laravel::{self, Cipher};
    /// let cookies = laravel::cookies("base64:q2kFjq0yG0aOsdIuKsbZ2VQ3bAbVYc+l0HoUQ8PmBbU=").unwrap();
    /// assert_eq!(cookies.encrypter().cipher(), Cipher::Aes256Cbc);
    /// ```
    pub fn encrypter(&self) -> &Encrypter {
        &self.encrypter
    }

    /// `CookieValuePrefix::create($name, $key)` under the current key: the hex of
    /// HMAC-SHA1(key, name . "v2") and `|`. (It reveals nothing of the key, but is a
    /// per-app constant: nothing to show users either.)
    ///
    /// ```
    /// use typed_cookies::interop::laravel::{self, VALUE_PREFIX_LEN};
    /// let cookies = laravel::cookies("base64:q2kFjq0yG0aOsdIuKsbZ2VQ3bAbVYc+l0HoUQ8PmBbU=").unwrap();
    /// let prefix = cookies.value_prefix("laravel_session");
    /// assert_eq!(prefix.len(), VALUE_PREFIX_LEN);
    /// assert!(prefix.ends_with('|'));
    /// ```
    pub fn value_prefix(&self, name: &str) -> String {
        prefix(self.encrypter.key(), name)
    }

    /// The `Set-Cookie` value of cookie `name` holding `value`: what the middleware encrypts
    /// and Symfony writes (`rawurlencode`d).
    ///
    /// ```
    /// use typed_cookies::interop::laravel;
    /// let cookies = laravel::cookies("base64:q2kFjq0yG0aOsdIuKsbZ2VQ3bAbVYc+l0HoUQ8PmBbU=").unwrap();
    /// let value = cookies.seal_str("theme", "dark").unwrap();
    /// assert!(value.starts_with("eyJpdiI6") && value.ends_with("%3D"));
    /// ```
    pub fn seal_str(&self, name: &str, value: &str) -> Result<String, SealError> {
        self.seal_bytes(name, value.as_bytes())
    }

    /// The value of cookie `name` as the app reads it (`$request->cookie($name)`): decrypted,
    /// its prefix checked against `name` and removed. A value encrypted for another cookie
    /// name, under another key, or without a prefix (Laravel before 6.18.31 / 7.22.4) is
    /// [`OpenError::Invalid`] (Laravel reads such a cookie as `null`).
    ///
    /// ```
    /// use typed_cookies::interop::laravel;
    /// use typed_cookies::OpenError;
    /// let cookies = laravel::cookies("base64:q2kFjq0yG0aOsdIuKsbZ2VQ3bAbVYc+l0HoUQ8PmBbU=").unwrap();
    /// let value = cookies.seal_str("theme", "dark").unwrap();
    /// assert_eq!(cookies.open_str("theme", &value).unwrap(), "dark");
    /// assert_eq!(cookies.open_str("Theme", &value), Err(OpenError::Invalid));
    /// // Without an encryption of our own, a bare value is not base64 JSON:
    /// assert_eq!(cookies.open_str("theme", "dark"), Err(OpenError::Malformed));
    /// ```
    pub fn open_str(&self, name: &str, value: &str) -> Result<String, OpenError> {
        utf8(self.open_bytes(name, value)?)
    }

    /// A typed value as its JSON in cookie `name`: what the app reads with
    /// `json_decode($request->cookie($name), true)` after `Cookie::queue($name,
    /// json_encode($value))`.
    ///
    /// ```
    /// use serde::{Deserialize, Serialize};
    /// use typed_cookies::interop::laravel;
    ///
    /// #[derive(Serialize, Deserialize, PartialEq, Debug)]
    /// struct Prefs { theme: String, font_size: u8 }
    ///
    /// let cookies = laravel::cookies("base64:q2kFjq0yG0aOsdIuKsbZ2VQ3bAbVYc+l0HoUQ8PmBbU=").unwrap();
    /// let prefs = Prefs { theme: "dark".into(), font_size: 14 };
    /// let value = cookies.seal("prefs", &prefs).unwrap();
    /// assert_eq!(cookies.open_str("prefs", &value).unwrap(), r#"{"theme":"dark","font_size":14}"#);
    /// assert_eq!(cookies.open::<Prefs>("prefs", &value).unwrap(), prefs);
    /// ```
    pub fn seal<T: Serialize + ?Sized>(&self, name: &str, value: &T) -> Result<String, SealError> {
        let json = Zeroizing::new(serde_json::to_vec(value).map_err(|e| SealError::Serialize {
            reason: e.to_string(),
        })?);
        self.seal_bytes(name, &json)
    }

    /// A typed value from the JSON in cookie `name` (see [`seal`](Self::seal)).
    ///
    /// ```
    /// use typed_cookies::interop::laravel;
    /// use typed_cookies::OpenError;
    /// let cookies = laravel::cookies("base64:q2kFjq0yG0aOsdIuKsbZ2VQ3bAbVYc+l0HoUQ8PmBbU=").unwrap();
    /// let value = cookies.seal_str("n", "[1,2,3]").unwrap();
    /// assert_eq!(cookies.open::<Vec<u8>>("n", &value).unwrap(), [1, 2, 3]);
    /// assert!(matches!(cookies.open::<String>("n", &value), Err(OpenError::PayloadMismatch { .. })));
    /// ```
    pub fn open<T: DeserializeOwned>(&self, name: &str, value: &str) -> Result<T, OpenError> {
        let json = self.open_bytes(name, value)?;
        serde_json::from_slice(&json).map_err(|_| payload_mismatch::<T>())
    }

    /// The session cookie (named `config('session.cookie')`, [`SESSION_COOKIE_NAME`] by
    /// default) for session `id`, which must be a Laravel session id (40 ASCII letters and
    /// digits; anything else is [`SealError::Serialize`]).
    ///
    /// ```
    /// use typed_cookies::interop::laravel::{self, SESSION_COOKIE_NAME};
    /// let cookies = laravel::cookies("base64:q2kFjq0yG0aOsdIuKsbZ2VQ3bAbVYc+l0HoUQ8PmBbU=").unwrap();
    /// assert!(cookies.seal_session_id(SESSION_COOKIE_NAME, "../../etc/passwd").is_err());
    /// ```
    pub fn seal_session_id(&self, name: &str, id: &str) -> Result<String, SealError> {
        if !is_session_id(id.as_bytes()) {
            return Err(SealError::Serialize {
                reason: format!("not {SESSION_ID}"),
            });
        }
        self.seal_str(name, id)
    }

    /// The session id in the session cookie `name`: decrypted, prefix checked, and refused
    /// as [`OpenError::PayloadMismatch`] unless it is a valid session id (`Store::isValidId`;
    /// Laravel would start a new session instead). Look the session up in the store Laravel
    /// uses (its files, database table or Redis keys) by this id.
    ///
    /// ```
    /// use typed_cookies::interop::laravel::{self, SESSION_COOKIE_NAME};
    /// use typed_cookies::OpenError;
    /// let cookies = laravel::cookies("base64:q2kFjq0yG0aOsdIuKsbZ2VQ3bAbVYc+l0HoUQ8PmBbU=").unwrap();
    /// let value = cookies.seal_str(SESSION_COOKIE_NAME, "short").unwrap();
    /// assert!(matches!(
    ///     cookies.open_session_id(SESSION_COOKIE_NAME, &value),
    ///     Err(OpenError::PayloadMismatch { .. })
    /// ));
    /// ```
    pub fn open_session_id(&self, name: &str, value: &str) -> Result<String, OpenError> {
        let id = self.open_bytes(name, value)?;
        if !is_session_id(&id) {
            return Err(OpenError::PayloadMismatch {
                type_name: SESSION_ID,
            });
        }
        utf8(id)
    }

    fn seal_bytes(&self, name: &str, value: &[u8]) -> Result<String, SealError> {
        let mut plaintext = Zeroizing::new(self.value_prefix(name).into_bytes());
        plaintext.extend_from_slice(value);
        if self.serialize {
            plaintext = Zeroizing::new(serialized::write(&plaintext));
        }
        let encrypted = percent_encode(&self.encrypter.encrypt_bytes(&plaintext)?);
        if encrypted.len() > crate::MAX_COOKIE_LEN {
            return Err(SealError::TooLarge {
                len: encrypted.len(),
                max: crate::MAX_COOKIE_LEN,
            });
        }
        Ok(encrypted)
    }

    /// The value after the prefix.
    fn open_bytes(&self, name: &str, value: &str) -> Result<Zeroizing<Vec<u8>>, OpenError> {
        check_len(value)?;
        let payload = percent_decode(value).ok_or(OpenError::Malformed)?;
        let (plaintext, index) = self.encrypter.decrypt_bytes(&payload)?;
        let plaintext = if self.serialize {
            unserialize(&plaintext)?
        } else {
            &plaintext[..]
        };
        // strpos($value, CookieValuePrefix::create($name, $key)) === 0, in constant time.
        let key = self.encrypter.key_at(index);
        let valid = plaintext.len() >= VALUE_PREFIX_LEN
            && plaintext[VALUE_PREFIX_LEN - 1] == b'|'
            && std::str::from_utf8(&plaintext[..VALUE_PREFIX_LEN - 1])
                .ok()
                .and_then(unhex)
                .is_some_and(|mac| Digest::Sha1.verify(key, &[name.as_bytes(), b"v2"], &mac));
        if !valid {
            return Err(OpenError::Invalid);
        }
        Ok(Zeroizing::new(plaintext[VALUE_PREFIX_LEN..].to_vec()))
    }
}

/// `CookieValuePrefix::create($name, $key)`.
fn prefix(key: &[u8], name: &str) -> String {
    let mut prefix = hex(&Digest::Sha1.hmac(key, &[name.as_bytes(), b"v2"]));
    prefix.push('|');
    prefix
}

/// `Store::isValidId`: `ctype_alnum($id) && strlen($id) === 40`.
fn is_session_id(id: &[u8]) -> bool {
    id.len() == SESSION_ID_LEN && id.iter().all(u8::is_ascii_alphanumeric)
}

/// `rawurlencode` of base64: the three characters it changes.
fn percent_encode(base64: &str) -> String {
    let mut out = String::with_capacity(base64.len() + 8);
    for c in base64.chars() {
        match c {
            '+' => out.push_str("%2B"),
            '/' => out.push_str("%2F"),
            '=' => out.push_str("%3D"),
            c => out.push(c),
        }
    }
    out
}

/// Every `%XX` decoded (either case); `None` for a `%` without two hex digits or a result
/// that is not UTF-8.
fn percent_decode(value: &str) -> Option<String> {
    if !value.contains('%') {
        return Some(value.to_owned());
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cookies() -> EncryptCookies {
        EncryptCookies::new(Encrypter::from_bytes(&[7; 32], Cipher::Aes256Cbc).unwrap())
    }

    #[test]
    fn prefix_is_php_s() {
        // php -r 'echo hash_hmac("sha1", "laravel_sessionv2", str_repeat("\x07", 32));'
        assert_eq!(
            prefix(&[7; 32], "laravel_session"),
            "23647615404cebf4c593f1d77d12f140819566c2|"
        );
    }

    #[test]
    fn percent_coding() {
        assert_eq!(percent_encode("a+b/c=="), "a%2Bb%2Fc%3D%3D");
        assert_eq!(percent_decode("a%2Bb%2fc%3D%3D").unwrap(), "a+b/c==");
        assert_eq!(percent_decode("a+b").unwrap(), "a+b");
        for bad in ["%", "%3", "%zz", "a%", "%ff", "%+1"] {
            assert_eq!(percent_decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn wrong_prefix_is_invalid() {
        let c = cookies();
        let crypt = c.encrypter().clone();
        let raw = |plain: &str| percent_encode(&crypt.encrypt_string(plain).unwrap());
        // No prefix, a prefix for another name, a prefix cut short, a prefix in upper case.
        let other = c.value_prefix("other");
        let upper = c.value_prefix("a").to_uppercase();
        for plain in [
            "value".to_owned(),
            format!("{other}value"),
            c.value_prefix("a")[..40].to_owned(),
            format!("{upper}value"),
            format!("{}value", &c.value_prefix("a").replace('|', "!")),
        ] {
            assert_eq!(
                c.open_str("a", &raw(&plain)),
                Err(OpenError::Invalid),
                "{plain}"
            );
        }
        assert_eq!(
            c.open_str("a", &raw(&(c.value_prefix("a") + "ok")))
                .unwrap(),
            "ok"
        );
        // Exactly the prefix: an empty value.
        assert_eq!(c.open_str("a", &raw(&c.value_prefix("a"))).unwrap(), "");
    }

    #[test]
    fn serialized_cookies_refuse_objects() {
        let c = cookies().serialize(true);
        let crypt = c.encrypter().clone();
        let object = format!(
            "O:8:\"stdClass\":1:{{s:1:\"a\";s:{}:\"{}x\";}}",
            42,
            c.value_prefix("a")
        );
        let value = percent_encode(&crypt.encrypt_string(&object).unwrap());
        assert!(matches!(
            c.open_str("a", &value),
            Err(OpenError::PayloadMismatch { .. })
        ));
    }

    #[test]
    fn session_ids() {
        assert!(is_session_id(b"wJ9ckz3GjnJd1yiIzWcTqVSQWkVbyK8vCGQyUDWM"));
        assert!(!is_session_id(b"wJ9ckz3GjnJd1yiIzWcTqVSQWkVbyK8vCGQyUDW"));
        assert!(!is_session_id(b"wJ9ckz3GjnJd1yiIzWcTqVSQWkVbyK8vCGQyUDW-"));
        assert!(!is_session_id(
            "wJ9ckz3GjnJd1yiIzWcTqVSQWkVbyK8vCGQyUDé".as_bytes()
        ));
    }
}
