//! Envelopes attacked: MACs, the MAC's field boundary, GCM tags, IVs, CBC padding, values
//! swapped between cookie names, prefixes under the wrong key.

use base64::Engine as _;
use serde_json::{json, Value};
use typed_cookies::interop::laravel::{
    Cipher, EncryptCookies, SESSION_COOKIE_NAME, XSRF_COOKIE_NAME,
};
use typed_cookies::OpenError;

use crate::*;

// --- what held -------------------------------------------------------------------------------

/// CBC `mac`: upper case, truncated, extended, empty, with a prefix, or the HMAC of other
/// fields (swapped order, the decoded bytes, with the tag, SHA-1-sized) — refused by Laravel
/// and here.
#[test]
fn macs_other_than_laravel_s_exact_hex_are_refused() {
    let Some(mut php) = php("macs_other_than_laravel_s_exact_hex_are_refused") else {
        return;
    };
    for cipher in [Cipher::Aes256Cbc, Cipher::Aes128Cbc] {
        let k = key_bytes(key(cipher));
        let ours = crypt(cipher);
        let theirs = php.value(
            json!({"op": "encrypt_string", "key": key(cipher), "cipher": cipher.name(), "value": "secret"}),
            "value",
        );
        for value in [theirs, ours.encrypt_string("secret").unwrap()] {
            let json = open_envelope(&value);
            let (iv, ct, mac) = (
                field(&json, "iv"),
                field(&json, "value"),
                field(&json, "mac"),
            );
            assert_eq!(mac, laravel_mac(&k, &iv, &ct));
            let iv_raw = B64.decode(&iv).unwrap();
            let ct_raw = B64.decode(&ct).unwrap();
            let macs = [
                mac.to_uppercase(),
                mac[..62].to_owned(),
                mac[..40].to_owned(),
                format!("{mac}00"),
                format!("0x{mac}"),
                format!(" {mac}"),
                String::new(),
                laravel_mac(&k, &ct, &iv),
                hex(&hmac256(&k, &[&iv_raw, &ct_raw])),
                hex(&hmac256(&k, &[iv.as_bytes(), ct.as_bytes(), b""])) + "00",
                hex(&hmac256(&k, &[ct.as_bytes()])),
                hex(&hmac256(&k[1..], &[iv.as_bytes(), ct.as_bytes()])),
                B64.encode(hmac256(&k, &[iv.as_bytes(), ct.as_bytes()])),
            ];
            for bad_mac in macs {
                let bad = edited(&value, |j| {
                    j.insert("mac".into(), json!(bad_mac));
                });
                assert_eq!(
                    ours.decrypt_string(&bad),
                    Err(OpenError::Invalid),
                    "{bad_mac}"
                );
                let verdict = php_decrypt_string(&mut php, cipher, key(cipher), &bad);
                assert!(verdict.unwrap_err().contains("MAC is invalid"), "{bad_mac}");
            }
            // A mac that is not a string at all: refused on both sides.
            let bad = edited(&value, |j| {
                j.insert("mac".into(), json!(["x"]));
            });
            assert!(ours.decrypt_string(&bad).is_err());
            assert!(php_decrypt_string(&mut php, cipher, key(cipher), &bad).is_err());
        }
    }
}

/// Laravel MACs `iv . value` without a separator: moving the boundary between the two fields
/// keeps the MAC. The IV must decode to exactly 16 bytes, so the only move is its `==`
/// padding into the value; refused here (not canonical base64), and Laravel either refuses it
/// or reads the same plaintext.
#[test]
fn mac_field_boundary_cannot_be_moved() {
    let Some(mut php) = php("mac_field_boundary_cannot_be_moved") else {
        return;
    };
    for cipher in [Cipher::Aes256Cbc, Cipher::Aes128Cbc] {
        let ours = crypt(cipher);
        let value = ours.encrypt_string("secret").unwrap();
        let json = open_envelope(&value);
        let (iv, ct) = (field(&json, "iv"), field(&json, "value"));
        assert!(iv.ends_with("=="));
        let moves = [
            (iv[..22].to_owned(), format!("=={ct}")),
            (iv[..23].to_owned(), format!("={ct}")),
            (format!("{iv}{}", &ct[..4]), ct[4..].to_owned()),
        ];
        for (new_iv, new_ct) in moves {
            let moved = edited(&value, |j| {
                j.insert("iv".into(), json!(new_iv));
                j.insert("value".into(), json!(new_ct));
            });
            assert!(ours.decrypt_string(&moved).is_err(), "{new_iv} {new_ct}");
            if let Ok(plain) = php_decrypt_string(&mut php, cipher, key(cipher), &moved) {
                assert_eq!(plain, "secret", "{new_iv} {new_ct}");
            }
        }
    }
}

/// GCM: a tag that is absent, empty, `null`, or not exactly 16 bytes (Laravel 8.83's
/// `ensureTagIsValid`; OpenSSL alone would accept a truncated tag) is refused on both sides;
/// a zeroed or flipped 16-byte tag fails authentication. A CBC envelope with a tag is refused
/// on both sides; a GCM envelope's `mac` is ignored by both (the tag authenticates).
#[test]
fn gcm_tags_and_mixed_envelopes() {
    let Some(mut php) = php("gcm_tags_and_mixed_envelopes") else {
        return;
    };
    for cipher in [Cipher::Aes256Gcm, Cipher::Aes128Gcm] {
        let ours = crypt(cipher);
        let theirs = php.value(
            json!({"op": "encrypt_string", "key": key(cipher), "cipher": cipher.name(), "value": "secret"}),
            "value",
        );
        for value in [theirs, ours.encrypt_string("secret").unwrap()] {
            let tag = B64.decode(field(&open_envelope(&value), "tag")).unwrap();
            let tags: Vec<Option<Value>> = vec![
                None,
                Some(json!("")),
                Some(Value::Null),
                Some(json!(B64.encode(&tag[..1]))),
                Some(json!(B64.encode(&tag[..4]))),
                Some(json!(B64.encode(&tag[..12]))),
                Some(json!(B64.encode(&tag[..15]))),
                Some(json!(B64.encode([&tag[..], &[0]].concat()))),
                Some(json!(B64.encode([&tag[..], &tag[..]].concat()))),
                Some(json!(B64.encode([0u8; 16]))),
                Some(json!(B64.encode({
                    let mut t = tag.clone();
                    t[15] ^= 1;
                    t
                }))),
                Some(json!(0)),
            ];
            for bad_tag in tags {
                let bad = edited(&value, |j| match &bad_tag {
                    None => {
                        j.remove("tag");
                    }
                    Some(t) => {
                        j.insert("tag".into(), t.clone());
                    }
                });
                assert!(ours.decrypt_string(&bad).is_err(), "{bad_tag:?}");
                assert!(
                    php_decrypt_string(&mut php, cipher, key(cipher), &bad).is_err(),
                    "{bad_tag:?}"
                );
            }
            // A `mac` beside the tag: ignored by Laravel for GCM, and here.
            let k = key_bytes(key(cipher));
            let json = open_envelope(&value);
            let with_mac = edited(&value, |j| {
                let mac = laravel_mac(&k, &field(&json, "iv"), &field(&json, "value"));
                j.insert("mac".into(), json!(mac));
            });
            assert_eq!(ours.decrypt_string(&with_mac).unwrap(), "secret");
            assert_eq!(
                php_decrypt_string(&mut php, cipher, key(cipher), &with_mac).unwrap(),
                "secret"
            );
        }
    }
    // CBC with a (16-byte) tag beside a valid mac: refused by both.
    for cipher in [Cipher::Aes256Cbc, Cipher::Aes128Cbc] {
        let value = crypt(cipher).encrypt_string("secret").unwrap();
        let bad = edited(&value, |j| {
            j.insert("tag".into(), json!(B64.encode([0u8; 16])));
        });
        assert_eq!(
            crypt(cipher).decrypt_string(&bad),
            Err(OpenError::Malformed)
        );
        assert!(php_decrypt_string(&mut php, cipher, key(cipher), &bad)
            .unwrap_err()
            .contains("does not support AEAD"));
    }
}

/// IVs of every wrong length, in non-canonical base64, or of the other mode: refused before
/// the MAC is looked at, on both sides.
#[test]
fn iv_length_games_are_refused() {
    let Some(mut php) = php("iv_length_games_are_refused") else {
        return;
    };
    for cipher in CIPHERS {
        let ours = crypt(cipher);
        let value = ours.encrypt_string("secret").unwrap();
        let iv = B64.decode(field(&open_envelope(&value), "iv")).unwrap();
        let mut ivs: Vec<Value> = [0usize, 1, 8, 11, 13, 15, 17, 24, 32, 64]
            .iter()
            .filter(|&&n| n != cipher.iv_len())
            .map(|&n| json!(B64.encode(vec![7u8; n])))
            .collect();
        let canonical = B64.encode(&iv);
        ivs.extend([
            json!(format!(" {canonical}")),
            json!(format!("{canonical}\n")),
            json!(format!("{canonical}=")),
            json!(null),
            json!(16),
            json!([canonical]),
        ]);
        let url_safe = canonical.replace('+', "-").replace('/', "_");
        if url_safe != canonical {
            ivs.push(json!(url_safe));
        }
        if cipher.is_aead() {
            // 12 bytes are 16 characters without padding; a padded spelling is not canonical.
            ivs.push(json!(format!("{canonical}==")));
        }
        for bad_iv in ivs {
            let bad = edited(&value, |j| {
                j.insert("iv".into(), bad_iv.clone());
            });
            let refused = ours.decrypt_string(&bad);
            assert!(refused.is_err(), "{cipher} {bad_iv}");
            // Laravel: "The payload is invalid." (or it cannot use the IV at all).
            let theirs = php_decrypt_string(&mut php, cipher, key(cipher), &bad);
            if let Ok(plain) = theirs {
                // PHP's lenient base64 may read a sloppy spelling of the same IV.
                assert_eq!(plain, "secret", "{cipher} {bad_iv}");
            }
        }
    }
}

/// CBC padding is checked only after the MAC: without the key, a ciphertext with broken
/// padding and one with good padding get the same `Invalid` (and the same message); with the
/// key, a broken padding is `Invalid` too. Laravel agrees ("The MAC is invalid." /
/// "Could not decrypt the data.").
#[test]
fn cbc_padding_is_no_oracle() {
    let Some(mut php) = php("cbc_padding_is_no_oracle") else {
        return;
    };
    for cipher in [Cipher::Aes256Cbc, Cipher::Aes128Cbc] {
        let k = key_bytes(key(cipher));
        let ours = crypt(cipher);
        // One block ("short" + 11 bytes of padding 0x0b): the IV's last byte sets the
        // padding byte.
        let value = ours.encrypt_string("short").unwrap();
        let json = open_envelope(&value);
        let iv = B64.decode(field(&json, "iv")).unwrap();
        let ct = field(&json, "value");
        let with_iv = |iv: &[u8], remac: bool| {
            let iv_b64 = B64.encode(iv);
            edited(&value, |j| {
                if remac {
                    j.insert("mac".into(), json!(laravel_mac(&k, &iv_b64, &ct)));
                }
                j.insert("iv".into(), json!(iv_b64));
            })
        };
        let mut bad_padding = iv.clone();
        bad_padding[15] ^= 0x0b ^ 0x20; // padding byte 0x20: invalid PKCS#7
        let mut good_padding = iv.clone();
        good_padding[15] ^= 0x0b ^ 0x01; // padding byte 0x01: valid, one byte
        let mut other_text = iv.clone();
        other_text[0] ^= 1; // "thort"

        // Without the key (MAC unchanged): one answer for every change.
        let answers: Vec<_> = [&bad_padding, &good_padding, &other_text]
            .iter()
            .map(|iv| ours.decrypt_string(&with_iv(iv, false)))
            .collect();
        for a in &answers {
            assert_eq!(a, &Err(OpenError::Invalid));
            assert_eq!(
                a.as_ref().unwrap_err().to_string(),
                answers[0].as_ref().unwrap_err().to_string()
            );
        }
        for iv in [&bad_padding, &good_padding] {
            let theirs = php_decrypt_string(&mut php, cipher, key(cipher), &with_iv(iv, false));
            assert!(theirs.unwrap_err().contains("MAC is invalid"));
        }

        // With the key (MAC recomputed): broken padding is a decryption failure on both sides.
        let bad = with_iv(&bad_padding, true);
        assert_eq!(ours.decrypt_string(&bad), Err(OpenError::Invalid));
        assert!(php_decrypt_string(&mut php, cipher, key(cipher), &bad)
            .unwrap_err()
            .contains("Could not decrypt"));
        let good = with_iv(&good_padding, true);
        let theirs = php_decrypt_string(&mut php, cipher, key(cipher), &good).unwrap();
        assert_eq!(ours.decrypt_string(&good).unwrap(), theirs);
        assert_eq!(theirs.len(), 15);
        // As a cookie: broken padding and a broken prefix are the same `Invalid`.
        let cookies = EncryptCookies::new(ours.clone());
        assert_eq!(cookies.open_str("a", &wire(&bad)), Err(OpenError::Invalid));
        assert_eq!(cookies.open_str("a", &wire(&good)), Err(OpenError::Invalid));
    }
}

/// Cookie swapping: the session cookie sent as `XSRF-TOKEN` and the other way round, a value
/// of another app's session cookie name, a name in another case, and a `Crypt::encrypt`
/// value planted as a cookie: `null` in Laravel's middleware, `Invalid` here, for every
/// cipher and both `$serialize` settings.
#[test]
fn cookie_values_cannot_be_swapped_between_names() {
    let Some(mut php) = php("cookie_values_cannot_be_swapped_between_names") else {
        return;
    };
    for cipher in [Cipher::Aes256Cbc, Cipher::Aes256Gcm, Cipher::Aes128Cbc] {
        for serialize in [false, true] {
            let cookies = EncryptCookies::new(crypt(cipher)).serialize(serialize);
            let req = |op: &str, name: &str, value: &str| {
                json!({"op": op, "key": key(cipher), "cipher": cipher.name(),
                       "serialize": serialize, "name": name, "value": value})
            };
            let set = |php: &mut Peer, name: &str, value: &str| {
                let answer = php.call(req("cookie_encrypt", name, value));
                set_cookie_value(answer["header"].as_str().unwrap())
            };
            let session = set(&mut php, SESSION_COOKIE_NAME, SESSION_ID);
            let xsrf = set(&mut php, XSRF_COOKIE_NAME, XSRF_TOKEN);
            let other_app = set(&mut php, "my_shop_session", SESSION_ID);
            let planted = php.value(
                json!({"op": "encrypt", "key": key(cipher), "cipher": cipher.name(), "value": SESSION_ID}),
                "value",
            );
            let planted_string = php.value(
                json!({"op": "encrypt_string", "key": key(cipher), "cipher": cipher.name(), "value": SESSION_ID}),
                "value",
            );
            let ours_session = cookies
                .seal_session_id(SESSION_COOKIE_NAME, SESSION_ID)
                .unwrap();
            let ours_xsrf = cookies.seal_str(XSRF_COOKIE_NAME, XSRF_TOKEN).unwrap();
            let swaps = [
                (XSRF_COOKIE_NAME, session.clone()),
                (XSRF_COOKIE_NAME, ours_session.clone()),
                (SESSION_COOKIE_NAME, xsrf.clone()),
                (SESSION_COOKIE_NAME, ours_xsrf.clone()),
                (SESSION_COOKIE_NAME, other_app),
                ("Laravel_session", session.clone()),
                ("laravel_session ", session.clone()),
                (SESSION_COOKIE_NAME, wire(&planted)),
                (SESSION_COOKIE_NAME, wire(&planted_string)),
            ];
            for (name, value) in swaps {
                let ours = cookies.open_str(name, &value);
                assert!(
                    matches!(
                        ours,
                        Err(OpenError::Invalid) | Err(OpenError::PayloadMismatch { .. })
                    ),
                    "{cipher} {serialize} {name}: {ours:?}"
                );
                assert!(cookies.open_session_id(name, &value).is_err());
                if name.trim() == name {
                    assert_eq!(
                        php_cookie(&mut php, req("cookie_decrypt", name, &value)),
                        Value::Null
                    );
                }
            }
            // Each in its place: read by both.
            for (name, value, plain) in [
                (SESSION_COOKIE_NAME, &session, SESSION_ID),
                (SESSION_COOKIE_NAME, &ours_session, SESSION_ID),
                (XSRF_COOKIE_NAME, &xsrf, XSRF_TOKEN),
                (XSRF_COOKIE_NAME, &ours_xsrf, XSRF_TOKEN),
            ] {
                assert_eq!(cookies.open_str(name, value).unwrap(), plain);
                assert_eq!(
                    php_cookie(&mut php, req("cookie_decrypt", name, value)),
                    json!(plain)
                );
            }
        }
    }
}

/// The prefix is checked under the key that decrypted: a value encrypted under a previous
/// key with the current key's prefix (or the other way round) is refused.
#[test]
fn prefix_is_checked_under_the_key_that_decrypted() {
    let Some(mut php) = php("prefix_is_checked_under_the_key_that_decrypted") else {
        return;
    };
    for cipher in CIPHERS {
        let rotated = EncryptCookies::new(crypt(cipher).previous_keys([old_key(cipher)]).unwrap());
        let prefix_of = |php: &mut Peer, app_key: &str| {
            php.value(
                json!({"op": "prefix", "key": app_key, "name": "a"}),
                "value",
            )
        };
        let new_prefix = prefix_of(&mut php, key(cipher));
        let old_prefix = prefix_of(&mut php, old_key(cipher));
        assert_eq!(rotated.value_prefix("a"), new_prefix);
        let encrypt = |php: &mut Peer, app_key: &str, plain: String| {
            wire(&php.value(
                json!({"op": "encrypt_string", "key": app_key, "cipher": cipher.name(), "value": plain}),
                "value",
            ))
        };
        let crossed = [
            encrypt(&mut php, old_key(cipher), format!("{new_prefix}v")),
            encrypt(&mut php, key(cipher), format!("{old_prefix}v")),
        ];
        for value in &crossed {
            assert_eq!(
                rotated.open_str("a", value),
                Err(OpenError::Invalid),
                "{cipher}"
            );
        }
        let genuine = [
            encrypt(&mut php, old_key(cipher), format!("{old_prefix}v")),
            encrypt(&mut php, key(cipher), format!("{new_prefix}v")),
        ];
        for value in &genuine {
            assert_eq!(rotated.open_str("a", value).unwrap(), "v", "{cipher}");
        }
    }
}
