//! Known-answer tests for wire format v1: fixed key, nonce, time and payload give exactly the
//! values printed in `FORMAT.md`, and an independent composition of the primitives (HKDF, HMAC,
//! AES-GCM-SIV, base64 called directly) agrees, so the format cannot change silently.

use aes_gcm_siv::aead::{Aead, KeyInit, Payload};
use aes_gcm_siv::{Aes256GcmSiv, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::format::{Format, Mode, NONCE_LEN};
use super::subkey::Namespace;
use super::{open, seal_with_nonce, Freshness, DEFAULT_CLOCK_SKEW};
use crate::codec::Codec;
use crate::key::Key;
use crate::keyring::KeyRing;

/// Key bytes 0x00, 0x01, …, 0x1f.
fn key_bytes() -> Vec<u8> {
    (0u8..32).collect()
}
/// 2026-01-01T00:00:00Z.
const ISSUED_AT: i64 = 1_767_225_600;
const NONCE: [u8; NONCE_LEN] = [
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab,
];
const SALT: &str = "vectors.v1";
const SCHEMA: u64 = 0x0123_4567_89ab_cdef;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Claims {
    user_id: u64,
    name: String,
}

fn payload() -> Claims {
    Claims {
        user_id: 42,
        name: "Ada".into(),
    }
}

const KEY_ID: &str = "65e6b8b0";
const SIGNED_JSON: &str = "AQFl5riwAAAAAGlVuQB7InVzZXJfaWQiOjQyLCJuYW1lIjoiQWRhIn17XoVslgTBpdLQBuXuW5v3h-Dr-qUH9O3F2rlQ_olBXg";
const ENCRYPTED_JSON: &str =
    "AQJl5riwAAAAAGlVuQCgoaKjpKWmp6ipqquZZBgdvvWGSJJIh7gaCpY3BBnPtCnCmmswSIVb7Uj1p8NWciEzYaFlmszz";
const SIGNED_POSTCARD: &str =
    "ARFl5riwAAAAAGlVuQAqA0FkYeILrgbFOJ6q-W3ERk-Qy9TcaF5X0Md_3iHbNS5OFJ4R";
const ENCRYPTED_POSTCARD: &str = "ARJl5riwAAAAAGlVuQCgoaKjpKWmp6ipqquoBjwEyBwiH6GTSYPOhfuSd7ZlMpY";

fn vector(mode: Mode, codec: Codec) -> (Format, &'static str) {
    let value = match (mode, codec) {
        (Mode::Signed, Codec::Json) => SIGNED_JSON,
        (Mode::Encrypted, Codec::Json) => ENCRYPTED_JSON,
        (Mode::Signed, Codec::Postcard) => SIGNED_POSTCARD,
        (Mode::Encrypted, Codec::Postcard) => ENCRYPTED_POSTCARD,
    };
    (Format { mode, codec }, value)
}

fn all() -> Vec<(Format, &'static str)> {
    [Mode::Signed, Mode::Encrypted]
        .into_iter()
        .flat_map(|m| {
            [Codec::Json, Codec::Postcard]
                .into_iter()
                .map(move |c| vector(m, c))
        })
        .collect()
}

fn ring() -> KeyRing {
    KeyRing::new(Key::from_bytes(&key_bytes()).unwrap())
}

fn engine_seal(ring: &KeyRing, format: Format) -> String {
    let namespace = Namespace {
        format,
        schema: SCHEMA,
        salt: SALT,
    };
    let keys = ring.cache().get(ring.keys(), &namespace);
    let nonce = (format.mode == Mode::Encrypted).then_some(NONCE);
    seal_with_nonce(ring, &keys, format, &payload(), ISSUED_AT, nonce).unwrap()
}

/// The same value composed from the primitives directly, following FORMAT.md.
fn by_hand(format: Format) -> String {
    let info = match format.codec {
        Codec::Json => format!("typed-cookies/v1/{}/{SALT}", format.mode.label()),
        Codec::Postcard => format!(
            "typed-cookies/v1/{}+postcard-{SCHEMA:016x}/{SALT}",
            format.mode.label()
        ),
    };
    let mut subkey = [0u8; 32];
    Hkdf::<Sha256>::new(None, &key_bytes())
        .expand(info.as_bytes(), &mut subkey)
        .unwrap();
    let mut id = [0u8; 4];
    Hkdf::<Sha256>::new(None, &key_bytes())
        .expand(b"typed-cookies/v1/key-id", &mut id)
        .unwrap();
    let body = match format.codec {
        Codec::Json => serde_json::to_vec(&payload()).unwrap(),
        Codec::Postcard => postcard::to_allocvec(&payload()).unwrap(),
    };
    let mut header = vec![1, format.to_byte()];
    header.extend_from_slice(&id);
    header.extend_from_slice(&ISSUED_AT.to_be_bytes());
    let mut out = header.clone();
    match format.mode {
        Mode::Signed => {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&subkey).unwrap();
            mac.update(&header);
            mac.update(&body);
            out.extend_from_slice(&body);
            out.extend_from_slice(&mac.finalize().into_bytes());
        }
        Mode::Encrypted => {
            let cipher = Aes256GcmSiv::new_from_slice(&subkey).unwrap();
            let sealed = cipher
                .encrypt(
                    Nonce::from_slice(&NONCE),
                    Payload {
                        msg: &body,
                        aad: &header,
                    },
                )
                .unwrap();
            out.extend_from_slice(&NONCE);
            out.extend_from_slice(&sealed);
        }
    }
    URL_SAFE_NO_PAD.encode(out)
}

#[test]
fn key_id_matches() {
    assert_eq!(ring().primary().id().to_string(), KEY_ID);
}

#[test]
fn engine_matches_vectors_and_independent_composition() {
    let ring = ring();
    for (format, expected) in all() {
        let sealed = engine_seal(&ring, format);
        assert_eq!(
            sealed,
            by_hand(format),
            "{format}: engine and FORMAT.md composition differ"
        );
        assert_eq!(
            sealed, expected,
            "{format}: wire format changed; update FORMAT.md only on purpose"
        );
    }
}

#[test]
fn vectors_open() {
    let ring = ring();
    let fresh = Freshness {
        max_age: None,
        clock_skew: DEFAULT_CLOCK_SKEW,
    };
    for (format, value) in all() {
        let namespace = Namespace {
            format,
            schema: SCHEMA,
            salt: SALT,
        };
        let keys = ring.cache().get(ring.keys(), &namespace);
        let (opened, meta) = open::<Claims>(&ring, &keys, format, fresh, value, ISSUED_AT).unwrap();
        assert_eq!(opened, payload(), "{format}");
        assert_eq!(meta.issued_at, ISSUED_AT);
    }
}
