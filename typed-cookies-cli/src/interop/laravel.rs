//! `--laravel`: Laravel's encrypted values (`Crypt::encrypt`, `encryptString`) and the
//! `EncryptCookies` middleware's cookies, through `typed_cookies::interop::laravel`, and what
//! `inspect` shows of one without keys: only the envelope's public structure, decoded here
//! (its cipher mode, by the IV's length and whether it carries a `mac` or a GCM `tag`).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;
use typed_cookies::interop::laravel::{Cipher, EncryptCookies, Encrypter};
use typed_cookies::{OpenError, SealError, MAX_COOKIE_LEN};
use zeroize::Zeroizing;

use super::Seen;
use crate::cli::FormatArgs;
use crate::Failure;

/// The encrypter, and the cookie it is for (`--name`) if any.
pub struct Crypt {
    crypt: Encrypter,
    /// `--name`: an `EncryptCookies` cookie rather than a bare encrypted value.
    name: Option<String>,
    /// `--php-serialize`; `None`: the default when sealing, both when opening.
    serialize: Option<bool>,
}

impl Crypt {
    /// The encrypter of `APP_KEY` (`first`) and the previous keys (`rest`) for `--cipher`.
    pub fn new(
        first: &str,
        rest: &[Zeroizing<String>],
        args: &FormatArgs,
    ) -> Result<Self, Failure> {
        let cipher: Cipher = args
            .cipher
            .as_deref()
            .unwrap_or("AES-256-CBC")
            .parse()
            .map_err(|e| Failure::usage(format!("bad --cipher: {e}")))?;
        let crypt = Encrypter::new(first, cipher)
            .map_err(|e| Failure::usage(format!("bad APP_KEY: {e}")))?
            .previous_keys(rest.iter().map(|k| k.as_str()))
            .map_err(|e| Failure::usage(format!("bad previous APP_KEY: {e}")))?;
        Ok(Self {
            crypt,
            name: args.name.clone(),
            serialize: args.php_serialize,
        })
    }

    fn cookies(&self, serialize: bool) -> EncryptCookies {
        EncryptCookies::new(self.crypt.clone()).serialize(serialize)
    }

    /// A JSON string is sealed as the string (`Cookie::queue($name, $s)`, `encrypt($s)`),
    /// anything else as its JSON (`json_encode`).
    pub fn seal(&self, payload: &Value) -> Result<String, SealError> {
        match &self.name {
            Some(name) => {
                let cookies = self.cookies(self.serialize.unwrap_or(false));
                match payload {
                    Value::String(s) => cookies.seal_str(name, s),
                    other => cookies.seal(name, other),
                }
            }
            None => {
                let serialize = self.serialize.unwrap_or(true);
                match payload {
                    Value::String(s) if serialize => self.crypt.encrypt(s),
                    Value::String(s) => self.crypt.encrypt_string(s),
                    other => self.crypt.clone().serialize(serialize).seal(other),
                }
            }
        }
    }

    /// The plaintext, as JSON when it is a JSON object or array, else as a JSON string.
    pub fn open(&self, value: &str) -> Result<Value, OpenError> {
        let text = match &self.name {
            Some(name) => match self.serialize {
                Some(serialize) => self.cookies(serialize).open_str(name, value)?,
                // Unambiguous: a serialized plaintext never carries a valid name prefix first.
                None => match self.cookies(false).open_str(name, value) {
                    Err(OpenError::Invalid) => self
                        .cookies(true)
                        .open_str(name, value)
                        .map_err(|_| OpenError::Invalid)?,
                    other => other?,
                },
            },
            None => {
                let value = percent_decoded(value)?;
                match self.serialize {
                    Some(true) => self.crypt.decrypt(&value)?,
                    Some(false) => self.crypt.decrypt_string(&value)?,
                    None => {
                        let plain = self.crypt.decrypt_string(&value)?;
                        if plain.starts_with("s:") {
                            self.crypt.decrypt(&value).unwrap_or(plain)
                        } else {
                            plain
                        }
                    }
                }
            }
        };
        Ok(json_or_string(text))
    }
}

/// `text` as JSON when it is a JSON object or array (what `json_encode` of a PHP array
/// makes), else as a JSON string.
fn json_or_string(text: String) -> Value {
    if text.trim_start().starts_with(['{', '[']) {
        if let Ok(json) = serde_json::from_str(&text) {
            return json;
        }
    }
    Value::String(text)
}

/// `%XX` escapes decoded (a cookie value as Symfony writes it); base64 never contains `%`.
fn percent_decoded(value: &str) -> Result<String, OpenError> {
    if value.len() > MAX_COOKIE_LEN {
        return Err(OpenError::TooLarge {
            len: value.len(),
            max: MAX_COOKIE_LEN,
        });
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                // Two hex digits: at most 255.
                out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'%'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| OpenError::Malformed)
}

/// The envelope's structure, unauthenticated: which cipher mode it claims, and sizes.
pub fn unverified(value: &str) -> Result<Seen, OpenError> {
    let decoded = percent_decoded(value)?;
    let json = STANDARD.decode(decoded).map_err(|_| OpenError::Malformed)?;
    // The envelope's strings are only measured, never shown.
    let envelope: Value = serde_json::from_slice(&json).map_err(|_| OpenError::Malformed)?;
    let field = |name: &str| match envelope.get(name) {
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        None | Some(Value::Null) if name == "tag" => Ok(None),
        _ => Err(OpenError::Malformed),
    };
    let b64 = |text: &str| STANDARD.decode(text).map_err(|_| OpenError::Malformed);
    let iv = b64(field("iv")?.unwrap_or_default())?;
    let ciphertext = b64(field("value")?.unwrap_or_default())?;
    let mac = field("mac")?.unwrap_or_default();
    let tag = match field("tag")? {
        None | Some("") => None,
        Some(tag) => Some(b64(tag)?),
    };
    let mac = mac.len() == 64 && mac.bytes().all(|b| b.is_ascii_hexdigit());
    let mut seen = Seen::default();
    match (iv.len(), tag.map(|t| t.len()), mac) {
        (16, None, true) => seen.add(
            "kind",
            "AES-CBC with an HMAC-SHA256 `mac` (AES-256-CBC or AES-128-CBC: the key decides)"
                .to_owned(),
            "kind",
            "cbc".into(),
        ),
        (12, Some(16), _) => seen.add(
            "kind",
            "AES-GCM with its `tag` (AES-256-GCM or AES-128-GCM: the key decides)".to_owned(),
            "kind",
            "gcm".into(),
        ),
        _ => return Err(OpenError::Malformed),
    }
    seen.add(
        "ciphertext",
        format!("{} bytes", ciphertext.len()),
        "ciphertext_len",
        ciphertext.len().into(),
    );
    seen.line(
        "payload",
        "encrypted (give keys to decrypt, and --name for a cookie)",
    );
    Ok(seen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_and_json_or_string() {
        assert_eq!(percent_decoded("eyJ%3D%3d%2B%2F%").unwrap(), "eyJ==+/%");
        assert_eq!(percent_decoded("%zz%4"), Ok("%zz%4".to_owned()));
        assert_eq!(percent_decoded("%FF"), Err(OpenError::Malformed));
        assert_eq!(json_or_string("[1]".into()), serde_json::json!([1]));
        assert_eq!(json_or_string("42".into()), Value::String("42".into()));
        assert_eq!(
            json_or_string("{nope".into()),
            Value::String("{nope".into())
        );
    }

    #[test]
    fn envelopes_by_structure() {
        let crypt = |cipher| Encrypter::from_bytes(&[7; 32], cipher).unwrap();
        let cbc = crypt(Cipher::Aes256Cbc).encrypt_string("x").unwrap();
        assert_eq!(unverified(&cbc).unwrap().fields["kind"], "cbc");
        let gcm = crypt(Cipher::Aes256Gcm).encrypt_string("x").unwrap();
        assert_eq!(unverified(&gcm).unwrap().fields["kind"], "gcm");
        let escaped = gcm.replace('=', "%3D");
        assert_eq!(unverified(&escaped).unwrap().fields["kind"], "gcm");
        for bad in ["", "e30=", "eyJpdiI6IiJ9", "%%%"] {
            assert_eq!(unverified(bad).unwrap_err(), OpenError::Malformed, "{bad}");
        }
    }
}
