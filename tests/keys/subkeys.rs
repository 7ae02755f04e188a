//! Subkeys and nonces — AEAD usage limits (SECURITY.md, "Limits"): what can be checked
//! about them.
//!
//! - Random 96-bit nonces are fresh: 200,000 seals of the same plaintext in the same second
//!   give 200,000 distinct nonces and values, and no nonce bit is stuck.
//! - The master key never encrypts or signs anything: each (key, mode, salt) namespace of a
//!   runtime sealer uses its own `HKDF-SHA256(master, "typed-cookies/v1/runtime/<mode>/<salt
//!   digest>")` subkey (`super::domains::runtime_info`). Re-deriving the
//!   subkeys here with the `hkdf`, `hmac` and `aes-gcm-siv` crates directly, a signed value's
//!   MAC verifies, and an encrypted value decrypts, under its own namespace's subkey and
//!   under no other (not the master key, not the other mode's subkey, not another salt's,
//!   not the fallback key's). So the per-key message budget of AES-GCM-SIV applies per
//!   namespace, and rotation resets it.

use std::collections::HashSet;

use aes_gcm_siv::aead::{Aead, KeyInit, Payload};
use aes_gcm_siv::{Aes256GcmSiv, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use typed_cookies::{Key, KeyRing, SealedCookie};
use typed_cookies_testkit::t0;

use super::domains::runtime_info;

const HEADER: usize = 14;
const NONCE: usize = 12;

fn master() -> Vec<u8> {
    (0u8..32)
        .map(|i| i.wrapping_mul(91).wrapping_add(3))
        .collect()
}

fn subkey(master: &[u8], info: &str) -> [u8; 32] {
    let mut okm = [0u8; 32];
    Hkdf::<Sha256>::new(None, master)
        .expand(info.as_bytes(), &mut okm)
        .unwrap();
    okm
}

/// Whether `raw` (header ‖ nonce ‖ ciphertext ‖ tag) decrypts under `key`; the plaintext.
fn decrypt(key: &[u8], raw: &[u8]) -> Option<Vec<u8>> {
    let cipher = Aes256GcmSiv::new_from_slice(key).unwrap();
    cipher
        .decrypt(
            Nonce::from_slice(&raw[HEADER..HEADER + NONCE]),
            Payload {
                msg: &raw[HEADER + NONCE..],
                aad: &raw[..HEADER],
            },
        )
        .ok()
}

/// Whether the trailing 32 bytes of `raw` are HMAC-SHA256(key, the rest).
fn verifies(key: &[u8], raw: &[u8]) -> bool {
    let (signed, tag) = raw.split_at(raw.len() - 32);
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
    mac.update(signed);
    mac.verify_slice(tag).is_ok()
}

#[test]
fn nonces_are_fresh_for_every_seal() {
    let _alone = super::HEAVY.lock().unwrap_or_else(|e| e.into_inner());
    const N: usize = 200_000;
    let keys = KeyRing::new(Key::generate());
    let sealer = keys.encrypted("limits.nonces").no_expiry();
    let mut nonces = HashSet::with_capacity(N);
    let mut values = HashSet::with_capacity(N);
    let mut ones = [0u32; NONCE * 8];
    for _ in 0..N {
        // Same plaintext, same key, same salt, same second: only the nonce differs.
        let value = sealer.at(t0()).seal(&"same plaintext").unwrap();
        let raw = URL_SAFE_NO_PAD.decode(&value).unwrap();
        let nonce: [u8; NONCE] = raw[HEADER..HEADER + NONCE].try_into().unwrap();
        for (bit, count) in ones.iter_mut().enumerate() {
            *count += u32::from(nonce[bit / 8] >> (bit % 8) & 1);
        }
        assert!(nonces.insert(nonce), "nonce repeated: {nonce:02x?}");
        assert!(values.insert(value));
    }
    // Each of the 96 nonce bits is set in about half the values. The bounds are ±5% of N,
    // about 45 standard deviations: a fair generator never fails this; a stuck or
    // badly biased bit (a zero nonce, a counter in a fixed field) always does.
    for (bit, &count) in ones.iter().enumerate() {
        let share = f64::from(count) / N as f64;
        assert!(
            (0.45..0.55).contains(&share),
            "nonce bit {bit} set in {share:.3} of values"
        );
    }
    println!("{N} seals of one plaintext: {N} distinct nonces and values");
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "l_sid",
    salt = "limits.typed",
    max_age = "1h",
    encrypt,
    codec = "postcard"
)]
struct Compact {
    user: u64,
}

#[test]
fn every_namespace_has_its_own_subkey_and_the_master_key_is_never_used_directly() {
    let master = master();
    let fallback: Vec<u8> = (0u8..32)
        .map(|i| i.wrapping_mul(13).wrapping_add(200))
        .collect();
    let keys = KeyRing::with_fallbacks(
        Key::from_bytes(&master).unwrap(),
        [Key::from_bytes(&fallback).unwrap()],
    )
    .unwrap();
    let salts = ["limits.a", "limits.b", "limits.a ", "Limits.a", ""];
    let namespaces: Vec<(String, [u8; 32])> = salts
        .iter()
        .flat_map(|salt| ["signed", "encrypted"].map(|mode| runtime_info(mode, &[salt])))
        .map(|info| {
            let key = subkey(&master, &info);
            (info, key)
        })
        .collect();
    // All subkeys distinct from each other and from the master key and the fallback's.
    let mut distinct: HashSet<[u8; 32]> = namespaces.iter().map(|(_, k)| *k).collect();
    assert_eq!(distinct.len(), namespaces.len());
    assert!(distinct.insert(master.clone().try_into().unwrap()));
    for (info, _) in &namespaces {
        assert!(distinct.insert(subkey(&fallback, info)), "{info}");
    }

    for salt in salts {
        let plaintext = serde_json::to_vec("budget").unwrap();
        let signed = URL_SAFE_NO_PAD
            .decode(
                keys.signed(salt)
                    .no_expiry()
                    .at(t0())
                    .seal(&"budget")
                    .unwrap(),
            )
            .unwrap();
        let encrypted = URL_SAFE_NO_PAD
            .decode(
                keys.encrypted(salt)
                    .no_expiry()
                    .at(t0())
                    .seal(&"budget")
                    .unwrap(),
            )
            .unwrap();
        for (info, key) in &namespaces {
            let own_signed = *info == runtime_info("signed", &[salt]);
            let own_encrypted = *info == runtime_info("encrypted", &[salt]);
            assert_eq!(
                verifies(key, &signed),
                own_signed,
                "{info} vs signed {salt:?}"
            );
            assert_eq!(
                decrypt(key, &encrypted),
                own_encrypted.then(|| plaintext.clone()),
                "{info} vs encrypted {salt:?}"
            );
        }
        assert!(!verifies(&master, &signed));
        assert_eq!(decrypt(&master, &encrypted), None);
        let own = runtime_info("encrypted", &[salt]);
        assert_eq!(decrypt(&subkey(&fallback, &own), &encrypted), None);
    }

    // Values sealed by the fallback key use the fallback's subkeys.
    let old = KeyRing::new(Key::from_bytes(&fallback).unwrap());
    let raw = URL_SAFE_NO_PAD
        .decode(
            old.encrypted("limits.a")
                .no_expiry()
                .at(t0())
                .seal(&1u8)
                .unwrap(),
        )
        .unwrap();
    assert_eq!(
        decrypt(
            &subkey(&fallback, &runtime_info("encrypted", &["limits.a"])),
            &raw
        ),
        Some(b"1".to_vec())
    );

    // The typed postcard cookie's namespace also folds in its schema: not even the JSON
    // subkey of its own salt opens it.
    let raw = URL_SAFE_NO_PAD
        .decode(Compact { user: 5 }.seal(&keys.at(t0())).unwrap())
        .unwrap();
    for info in [
        "typed-cookies/v1/encrypted/limits.typed",
        "typed-cookies/v1/signed/limits.typed",
    ] {
        assert_eq!(decrypt(&subkey(&master, info), &raw), None, "{info}");
    }
    assert_eq!(decrypt(&master, &raw), None);
}

/// A runtime one-time sealer's values are MACed (or encrypted) under
/// `typed-cookies/v1/runtime/<mode>+one-time/<salt digest>` (FORMAT.md), re-derived here
/// independently, and under no other namespace's subkey: not the plain runtime label of the
/// same salt, not the derived types' label (which derived tracked types use), not the legacy
/// one-time label.
#[test]
fn runtime_one_time_sealers_use_their_own_label() {
    let master = master();
    let keys = KeyRing::new(Key::from_bytes(&master).unwrap());
    let salt = "limits.one-time";
    let signed = URL_SAFE_NO_PAD
        .decode(
            keys.at(t0())
                .signed(salt)
                .one_time(typed_cookies::time::Duration::hours(1))
                .seal(&"budget")
                .unwrap(),
        )
        .unwrap();
    assert!(verifies(
        &subkey(&master, &runtime_info("signed+one-time", &[salt])),
        &signed
    ));
    for other in [
        runtime_info("signed", &[salt]),
        runtime_info("encrypted+one-time", &[salt]),
        format!("typed-cookies/v1/signed/{salt}"),
        format!("typed-cookies/v1/signed+one-time/{salt}"),
    ] {
        assert!(!verifies(&subkey(&master, &other), &signed), "{other}");
    }
    let encrypted = URL_SAFE_NO_PAD
        .decode(
            keys.at(t0())
                .encrypted(salt)
                .one_time(typed_cookies::time::Duration::hours(1))
                .seal(&"budget")
                .unwrap(),
        )
        .unwrap();
    let own = subkey(&master, &runtime_info("encrypted+one-time", &[salt]));
    // The plaintext is the claims block (16 + 8 + 8 + 1 bytes, no subject), then the payload.
    let plaintext = decrypt(&own, &encrypted).expect("opens under its own label");
    assert_eq!(&plaintext[33..], b"\"budget\"");
    for other in [
        runtime_info("encrypted", &[salt]),
        format!("typed-cookies/v1/encrypted/{salt}"),
        format!("typed-cookies/v1/encrypted+one-time/{salt}"),
    ] {
        assert_eq!(
            decrypt(&subkey(&master, &other), &encrypted),
            None,
            "{other}"
        );
    }
}

/// The value is exactly AES-256-GCM-SIV(subkey, nonce, payload, aad = header): re-encrypting
/// the decrypted payload under the same nonce reproduces the body byte for byte. This is the
/// property the limits rest on — GCM-SIV is deterministic per (key, nonce, aad, plaintext), so
/// a repeated nonce reveals at most that two values are identical, never the key or the
/// plaintext.
#[test]
fn the_body_is_gcm_siv_of_the_payload_under_the_namespace_subkey() {
    let keys = KeyRing::new(Key::from_bytes(&master()).unwrap());
    let key = subkey(&master(), &runtime_info("encrypted", &["limits.det"]));
    let cipher = Aes256GcmSiv::new_from_slice(&key).unwrap();
    for text in ["", "a", "the same text", &"long ".repeat(100)] {
        let raw = URL_SAFE_NO_PAD
            .decode(
                keys.encrypted("limits.det")
                    .no_expiry()
                    .at(t0())
                    .seal(&text)
                    .unwrap(),
            )
            .unwrap();
        let plaintext = decrypt(&key, &raw).unwrap();
        assert_eq!(plaintext, serde_json::to_vec(text).unwrap());
        let nonce = Nonce::from_slice(&raw[HEADER..HEADER + NONCE]);
        let again = cipher
            .encrypt(
                nonce,
                Payload {
                    msg: &plaintext,
                    aad: &raw[..HEADER],
                },
            )
            .unwrap();
        assert_eq!(again, raw[HEADER + NONCE..]);
        // Same nonce, different plaintext: a different ciphertext (nothing about the first
        // plaintext is revealed by the second).
        let other = cipher
            .encrypt(
                nonce,
                Payload {
                    msg: b"\"other\"",
                    aad: &raw[..HEADER],
                },
            )
            .unwrap();
        assert_ne!(other, again);
    }
}
