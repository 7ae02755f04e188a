//! The hand-composed floor: `serde_json` (or `postcard`) + `aes-gcm-siv` or `hmac` + `base64`,
//! no framework. To be a fair floor it does the same cryptographic and encoding work as our
//! format — the same 14 header bytes (version, format, key id, issued-at from the clock) as
//! AAD or MAC input, a random 12-byte nonce from `rand::thread_rng`, base64url without
//! padding — and the same checks on open (header, length, tag, age), with one pre-keyed cipher
//! or MAC and nothing else: no key ring, no namespaces, no reused buffer.

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use aes_gcm_siv::aead::{AeadInPlace, KeyInit};
use aes_gcm_siv::{Aes256GcmSiv, Nonce, Tag};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::Sha256;

use super::payload::MAX_AGE;
use super::Contender;

const HEADER_LEN: usize = 14;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const MAC_LEN: usize = 32;
const KEY_ID: [u8; 4] = [0x1f, 0x2e, 0x3d, 0x4c];

/// The payload encoding the floor uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// `serde_json`.
    Json,
    /// `postcard`.
    Postcard,
}

/// The primitive, keyed once.
enum Primitive {
    Aead(Box<Aes256GcmSiv>),
    Mac(Hmac<Sha256>),
}

/// The floor for one mode and encoding.
pub struct Floor<P> {
    primitive: Primitive,
    encoding: Encoding,
    sample: P,
}

impl<P> Floor<P> {
    /// Encrypted (AES-256-GCM-SIV) floor.
    pub fn encrypted(encoding: Encoding, sample: P) -> Self {
        let key = [0x5au8; 32];
        let cipher = Aes256GcmSiv::new_from_slice(&key).expect("32-byte key");
        Self {
            primitive: Primitive::Aead(Box::new(cipher)),
            encoding,
            sample,
        }
    }

    /// Signed (HMAC-SHA256) floor.
    pub fn signed(encoding: Encoding, sample: P) -> Self {
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(&[0xa5u8; 32]).expect("any key length");
        Self {
            primitive: Primitive::Mac(mac),
            encoding,
            sample,
        }
    }

    fn format_byte(&self) -> u8 {
        let mode = match self.primitive {
            Primitive::Mac(_) => 0x01,
            Primitive::Aead(_) => 0x02,
        };
        let codec = match self.encoding {
            Encoding::Json => 0x00,
            Encoding::Postcard => 0x10,
        };
        mode | codec
    }
}

fn unix_now() -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    i64::try_from(secs).expect("fits")
}

impl<P: Serialize + DeserializeOwned> Contender for Floor<P> {
    type Value = P;

    fn seal(&self) -> String {
        let mut buf = Vec::with_capacity(4096);
        buf.push(1);
        buf.push(self.format_byte());
        buf.extend_from_slice(&KEY_ID);
        buf.extend_from_slice(&unix_now().to_be_bytes());
        if let Primitive::Aead(_) = self.primitive {
            let mut nonce = [0u8; NONCE_LEN];
            rand::thread_rng().fill_bytes(&mut nonce);
            buf.extend_from_slice(&nonce);
        }
        match self.encoding {
            Encoding::Json => serde_json::to_writer(&mut buf, &self.sample).expect("serializes"),
            Encoding::Postcard => buf = postcard::to_extend(&self.sample, buf).expect("serializes"),
        }
        match &self.primitive {
            Primitive::Aead(cipher) => {
                let (head, payload) = buf.split_at_mut(HEADER_LEN + NONCE_LEN);
                let (header, nonce) = head.split_at(HEADER_LEN);
                let tag = cipher
                    .encrypt_in_place_detached(Nonce::from_slice(nonce), header, payload)
                    .expect("small payload");
                buf.extend_from_slice(&tag);
            }
            Primitive::Mac(mac) => {
                let mut mac = mac.clone();
                mac.update(&buf);
                buf.extend_from_slice(&mac.finalize().into_bytes());
            }
        }
        URL_SAFE_NO_PAD.encode(&buf)
    }

    fn open(&self, value: Cow<'static, str>) -> P {
        assert!(value.len() <= 4096, "too long");
        let mut bytes = URL_SAFE_NO_PAD.decode(value.as_bytes()).expect("base64");
        let overhead = match self.primitive {
            Primitive::Aead(_) => NONCE_LEN + TAG_LEN,
            Primitive::Mac(_) => MAC_LEN,
        };
        assert!(bytes.len() >= HEADER_LEN + overhead, "too short");
        assert!(bytes[0] == 1 && bytes[1] == self.format_byte() && bytes[2..6] == KEY_ID);
        let issued = i64::from_be_bytes(bytes[6..HEADER_LEN].try_into().expect("8 bytes"));
        let len = bytes.len();
        let payload = match &self.primitive {
            Primitive::Aead(cipher) => {
                let (rest, tag) = bytes.split_at_mut(len - TAG_LEN);
                let (head, ciphertext) = rest.split_at_mut(HEADER_LEN + NONCE_LEN);
                let (header, nonce) = head.split_at(HEADER_LEN);
                cipher
                    .decrypt_in_place_detached(
                        Nonce::from_slice(nonce),
                        header,
                        ciphertext,
                        Tag::from_slice(tag),
                    )
                    .expect("authentic");
                &bytes[HEADER_LEN + NONCE_LEN..len - TAG_LEN]
            }
            Primitive::Mac(mac) => {
                let (signed, tag) = bytes.split_at(len - MAC_LEN);
                let mut mac = mac.clone();
                mac.update(signed);
                mac.verify_slice(tag).expect("authentic");
                &bytes[HEADER_LEN..len - MAC_LEN]
            }
        };
        let now = unix_now();
        assert!(now <= issued + MAX_AGE && issued <= now + 60, "stale");
        match self.encoding {
            Encoding::Json => serde_json::from_slice(payload).expect("decodes"),
            Encoding::Postcard => postcard::from_bytes(payload).expect("decodes"),
        }
    }

    fn sample(&self) -> &P {
        &self.sample
    }
}
