//! The envelope of Laravel's `Encrypter`: `base64(json_encode(['iv' => b64, 'value' => b64,
//! 'mac' => hex, 'tag' => b64], JSON_UNESCAPED_SLASHES))`, read and checked the way
//! `getJsonPayload` / `validPayload` / `ensureTagIsValid` check it, before anything is
//! authenticated: the four keys (`tag` may be absent or empty, as in values from before
//! Laravel 8's GCM support), an IV of the cipher's length, and a tag only for GCM (16 bytes).
//!
//! Only public structure is checked here; every failure is [`OpenError::Malformed`]. Unlike
//! PHP's lenient `base64_decode`, every base64 field must be canonical standard base64 with
//! its padding, as Laravel writes it.

use base64::Engine as _;
use serde::Deserialize;

use super::Cipher;
use crate::error::OpenError;

/// The JSON object, as decoded (escapes such as `\/` of older Laravel versions undone).
#[derive(Deserialize)]
struct Json {
    iv: String,
    value: String,
    mac: String,
    #[serde(default)]
    tag: Option<String>,
}

/// An envelope whose structure is valid for its cipher.
pub(super) struct Envelope {
    /// The `iv` field as written (the MAC covers the text).
    pub iv_b64: String,
    /// The decoded IV, of the cipher's IV length.
    pub iv: Vec<u8>,
    /// The `value` field as written: base64 of the ciphertext.
    pub value_b64: String,
    /// The `mac` field (hex of HMAC-SHA256 for CBC; ignored for GCM, as Laravel ignores it).
    pub mac: String,
    /// The GCM tag (GCM only).
    pub tag: Option<[u8; 16]>,
}

/// Standard base64 with padding (PHP's `base64_encode`), canonical.
pub(super) fn b64_decode(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// PHP's `base64_encode`.
pub(super) fn b64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

impl Envelope {
    /// Decodes and checks `payload` (the whole encrypted value) for `cipher`.
    pub fn parse(payload: &str, cipher: Cipher) -> Result<Envelope, OpenError> {
        let json = b64_decode(payload).ok_or(OpenError::Malformed)?;
        let json: Json = serde_json::from_slice(&json).map_err(|_| OpenError::Malformed)?;
        let iv = b64_decode(&json.iv)
            .filter(|iv| iv.len() == cipher.iv_len())
            .ok_or(OpenError::Malformed)?;
        let tag = match json.tag.as_deref() {
            None | Some("") => None,
            Some(tag) => Some(b64_decode(tag).ok_or(OpenError::Malformed)?),
        };
        let tag = match (cipher.is_aead(), tag) {
            (true, Some(tag)) => Some(<[u8; 16]>::try_from(tag).map_err(|_| OpenError::Malformed)?),
            // GCM without a tag: "Could not decrypt the data."
            (true, None) => return Err(OpenError::Malformed),
            // A tag for CBC: "Unable to use tag because the cipher algorithm does not support AEAD."
            (false, Some(_)) => return Err(OpenError::Malformed),
            (false, None) => None,
        };
        Ok(Envelope {
            iv_b64: json.iv,
            iv,
            value_b64: json.value,
            mac: json.mac,
            tag,
        })
    }

    /// The encrypted value: the JSON as `json_encode(…, JSON_UNESCAPED_SLASHES)` writes it
    /// (every field is base64 or hex, so nothing needs escaping), base64-encoded.
    pub fn write(iv: &[u8], ciphertext: &[u8], mac: &str, tag: &[u8]) -> String {
        let json = format!(
            r#"{{"iv":"{}","value":"{}","mac":"{mac}","tag":"{}"}}"#,
            b64_encode(iv),
            b64_encode(ciphertext),
            b64_encode(tag)
        );
        b64_encode(json.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(json: &str) -> String {
        b64_encode(json.as_bytes())
    }

    const IV16: &str = "AAAAAAAAAAAAAAAAAAAAAA==";
    const IV12: &str = "AAAAAAAAAAAAAAAA";
    const TAG: &str = "AAAAAAAAAAAAAAAAAAAAAA==";

    #[test]
    fn valid_envelopes() {
        let cbc = envelope(&format!(
            r#"{{"iv":"{IV16}","value":"AA==","mac":"ab","tag":""}}"#
        ));
        let e = Envelope::parse(&cbc, Cipher::Aes256Cbc).unwrap();
        assert_eq!((e.iv.len(), e.mac.as_str(), e.tag), (16, "ab", None));
        // No tag at all (Laravel before 8), and older versions' escaped slashes.
        let old = envelope(r#"{"iv":"AAAAAAAAAAAAAAAAAAAA\/w==","value":"a\/b=","mac":"ab"}"#);
        let e = Envelope::parse(&old, Cipher::Aes128Cbc).unwrap();
        assert_eq!(
            (e.iv_b64.as_str(), e.value_b64.as_str()),
            ("AAAAAAAAAAAAAAAAAAAA/w==", "a/b=")
        );
        let gcm = envelope(&format!(
            r#"{{"iv":"{IV12}","value":"","mac":"","tag":"{TAG}"}}"#
        ));
        assert_eq!(
            Envelope::parse(&gcm, Cipher::Aes256Gcm).unwrap().tag,
            Some([0; 16])
        );
    }

    #[test]
    fn invalid_structure_is_malformed() {
        let bad = [
            "not base64!".to_owned(),
            envelope("not json"),
            envelope("[]"),
            envelope(&format!(r#"{{"iv":"{IV16}","value":"AA=="}}"#)),
            envelope(&format!(r#"{{"iv":"{IV16}","value":"AA==","mac":null}}"#)),
            envelope(&format!(r#"{{"iv":"{IV16}","value":1,"mac":""}}"#)),
            envelope(&format!(r#"{{"iv":"{IV12}","value":"AA==","mac":""}}"#)),
            envelope(r#"{"iv":"AAAA AAAA","value":"AA==","mac":""}"#),
            envelope(&format!(
                r#"{{"iv":"{IV16}","iv":"{IV16}","value":"","mac":""}}"#
            )),
            envelope(&format!(
                r#"{{"iv":"{IV16}","value":"","mac":"","tag":"{TAG}"}}"#
            )),
        ];
        for payload in &bad {
            assert!(
                matches!(
                    Envelope::parse(payload, Cipher::Aes256Cbc),
                    Err(OpenError::Malformed)
                ),
                "{payload}"
            );
        }
        for json in [
            format!(r#"{{"iv":"{IV12}","value":"","mac":""}}"#),
            format!(r#"{{"iv":"{IV12}","value":"","mac":"","tag":"AAAA"}}"#),
            format!(r#"{{"iv":"{IV16}","value":"","mac":"","tag":"{TAG}"}}"#),
        ] {
            assert!(
                matches!(
                    Envelope::parse(&envelope(&json), Cipher::Aes256Gcm),
                    Err(OpenError::Malformed)
                ),
                "{json}"
            );
        }
    }

    #[test]
    fn writes_what_php_writes() {
        let value = Envelope::write(&[0; 16], &[0], "ab", &[]);
        let json = String::from_utf8(b64_decode(&value).unwrap()).unwrap();
        assert_eq!(
            json,
            format!(r#"{{"iv":"{IV16}","value":"AA==","mac":"ab","tag":""}}"#)
        );
    }
}
