//! Moving a value between kinds (signed, encrypted, `MessageVerifier` tokens, legacy
//! AES-256-CBC), cookies and purposes; rotations and digests.

use super::*;

/// The jar configurations an app can have, each with its name.
fn jars() -> Vec<(&'static str, CookieJar)> {
    let base = CookieJar::new(SKB).unwrap().clock(at(NOW));
    vec![
        ("6.1", base.clone()),
        ("7.0", base.clone().load_defaults(Defaults::V7_0)),
        ("5.2", base.clone().load_defaults(Defaults::V5_2)),
        ("lenient", base.clone().accept_unpurposed(true)),
        ("cbc", base.clone().authenticated_encryption(false)),
        ("gcm only", base.clone().legacy_cbc(false)),
        ("rotated", base.fallbacks([OLD_SKB])),
    ]
}

#[test]
fn signed_values_never_open_as_encrypted_and_encrypted_never_as_signed() {
    for (label, jar) in jars() {
        for (writer_label, writer) in jars() {
            let signed = writer.signed("c").seal(&json!({"a": 1})).unwrap();
            let encrypted = writer.encrypted("c").seal(&json!({"a": 1})).unwrap();
            let session = writer.session("c").seal(&json!({"a": 1})).unwrap();
            let label = format!("{writer_label} -> {label}");
            assert!(
                jar.encrypted("c").open::<Value>(&signed).is_err(),
                "{label}: signed opened as encrypted"
            );
            assert!(
                jar.session("c").open::<Value>(&signed).is_err(),
                "{label}: signed opened as the session"
            );
            for value in [&encrypted, &session] {
                assert!(
                    jar.signed("c").open::<Value>(value).is_err(),
                    "{label}: encrypted opened as signed"
                );
            }
        }
    }
    // A MessageVerifier under the signed-cookie key, with the cookie's own purpose, is a signed
    // cookie (the same bytes); as an encrypted cookie it is refused.
    let token = MessageVerifier::new(signed_cookie_key())
        .unwrap()
        .purpose("cookie.c")
        .seal(&1)
        .unwrap();
    let jar = CookieJar::new(SKB).unwrap();
    assert_eq!(jar.signed("c").open::<u8>(&token), Ok(1));
    assert_eq!(
        jar.encrypted("c").open::<u8>(&token),
        Err(OpenError::Invalid)
    );
}

#[test]
fn a_cookie_value_opens_under_its_own_name_only() {
    let names = [
        "a",
        "b",
        "A",
        "a ",
        " a",
        "a.b",
        "cookie.a",
        "",
        "a\u{0}",
        "_app_session",
        "é",
    ];
    for (label, jar) in jars().into_iter().filter(|(l, _)| *l != "5.2") {
        for &from in &names {
            let values = [
                ("signed", jar.signed(from).seal("v").unwrap()),
                ("encrypted", jar.encrypted(from).seal("v").unwrap()),
                ("session", jar.session(from).seal("v").unwrap()),
            ];
            for (kind, value) in &values {
                for &to in &names {
                    let opened = match *kind {
                        "signed" => jar.signed(to).open::<String>(value),
                        _ => jar.encrypted(to).open::<String>(value),
                    };
                    if from == to {
                        assert_eq!(opened.as_deref(), Ok("v"), "{label} {kind} {from:?}");
                    } else {
                        assert_eq!(
                            opened,
                            Err(OpenError::Invalid),
                            "{label} {kind} {from:?} opened as {to:?}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn message_verifier_tokens_under_the_cookie_key_need_the_cookie_purpose() {
    let verifier = MessageVerifier::new(signed_cookie_key()).unwrap();
    let encryptor = MessageEncryptor::new(
        KeyGenerator::new(SKB)
            .unwrap()
            .generate_key(rails::AUTHENTICATED_ENCRYPTED_COOKIE_SALT, 32)
            .unwrap(),
    )
    .unwrap();
    let jar = CookieJar::new(SKB).unwrap();
    for purpose in [None, Some("login"), Some("cookie.other"), Some("cookie.c ")] {
        let (mut v, mut e) = (verifier.clone(), encryptor.clone());
        if let Some(p) = purpose {
            v = v.purpose(p);
            e = e.purpose(p);
        }
        let token = v.seal(&1).unwrap();
        assert_eq!(
            jar.signed("c").open::<u8>(&token),
            Err(OpenError::Invalid),
            "{purpose:?}"
        );
        let token = e.seal(&1).unwrap();
        assert_eq!(
            jar.encrypted("c").open::<u8>(&token),
            Err(OpenError::Invalid),
            "{purpose:?}"
        );
    }
    // Expiring tokens without a purpose (an envelope with `pur: null`) too.
    let token = verifier.expires_in(Duration::days(1)).seal(&1).unwrap();
    assert_eq!(jar.signed("c").open::<u8>(&token), Err(OpenError::Invalid));
}

#[test]
fn settings_changed_on_a_clone_never_reuse_its_cached_keys() {
    let base = CookieJar::new(SKB).unwrap();
    let value = base.signed("c").seal(&1).unwrap(); // derives and caches the keys
    let encrypted = base.encrypted("c").seal(&1).unwrap();
    let changed = [
        base.clone().signed_cookie_salt("other salt"),
        base.clone()
            .authenticated_encrypted_cookie_salt("other salt"),
        base.clone().key_generator_digest(Digest::Sha256),
        base.clone().iterations(999),
        base.clone().signed_cookie_digest(Digest::Sha512),
    ];
    for (i, jar) in changed.iter().enumerate() {
        let signed_opens = jar.signed("c").open::<u8>(&value).is_ok();
        let encrypted_opens = jar.encrypted("c").open::<u8>(&encrypted).is_ok();
        // Each change touches one kind (the salt of the other kind stays).
        match i {
            0 | 4 => assert!(!signed_opens && encrypted_opens, "#{i}"),
            1 => assert!(signed_opens && !encrypted_opens, "#{i}"),
            _ => assert!(!signed_opens && !encrypted_opens, "#{i}"),
        }
    }
    // A fallback or leniency added to a clone does not reach the original.
    let old = CookieJar::new(OLD_SKB)
        .unwrap()
        .signed("c")
        .seal(&1)
        .unwrap();
    let with_fallback = base.clone().fallbacks([OLD_SKB]);
    assert_eq!(with_fallback.signed("c").open::<u8>(&old), Ok(1));
    assert_eq!(base.signed("c").open::<u8>(&old), Err(OpenError::Invalid));
    let unpurposed = base
        .clone()
        .cookies_with_metadata(false)
        .signed("x")
        .seal(&1)
        .unwrap();
    let lenient = base.clone().accept_unpurposed(true);
    assert_eq!(lenient.signed("c").open::<u8>(&unpurposed), Ok(1));
    assert_eq!(
        base.signed("c").open::<u8>(&unpurposed),
        Err(OpenError::Invalid)
    );
}

/// Authentic envelopes whose purpose is missing, empty, null or a near miss of `cookie.c`.
pub(super) fn near_purposes() -> Vec<Vec<u8>> {
    let one = b64(b"1");
    let mut out = vec![
        format!(r#"{{"_rails":{{"message":"{one}"}}}}"#).into_bytes(),
        format!(r#"{{"_rails":{{"message":"{one}","exp":null}}}}"#).into_bytes(),
        b"1".to_vec(),
    ];
    for pur in [
        json!(null),
        json!(""),
        json!("cookie.c "),
        json!(" cookie.c"),
        json!("Cookie.c"),
        json!("cookie.C"),
        json!("cookie.c\u{0}"),
        json!("cookie."),
        json!("cookie"),
        json!("c"),
        json!(["cookie.c"]),
        json!({"cookie.c": true}),
        json!(true),
        json!(0),
    ] {
        out.push(legacy_envelope(&json!(1), json!(null), pur));
    }
    out
}

#[test]
fn a_purpose_cannot_be_stripped_emptied_or_spelled_nearly() {
    let key = signed_cookie_key();
    let strict = jar256();
    for data in near_purposes() {
        let value = sign256(&key, &data);
        let opened = strict.signed("c").open::<Value>(&value);
        assert!(
            matches!(opened, Err(OpenError::Invalid | OpenError::Malformed)),
            "{}: {opened:?}",
            String::from_utf8_lossy(&data)
        );
    }
    // The exact purpose opens: the key and the signature above are right.
    let exact = sign256(
        &key,
        &legacy_envelope(&json!(1), json!(null), json!("cookie.c")),
    );
    assert_eq!(strict.signed("c").open::<u8>(&exact), Ok(1));
}

#[test]
fn legacy_cbc_values_open_only_under_the_jars_own_cbc_keys() {
    let keys = KeyGenerator::new(SKB).unwrap();
    let cbc_key = keys.generate_key(rails::ENCRYPTED_COOKIE_SALT, 32).unwrap();
    let cbc_sign = keys
        .generate_key(rails::ENCRYPTED_SIGNED_COOKIE_SALT, 64)
        .unwrap();
    let jar = CookieJar::new(SKB)
        .unwrap()
        .cookies_digest(Digest::Sha256)
        .clock(at(NOW));
    let cbc = |key: &[u8], sign: &[u8]| {
        MessageEncryptor::new(key)
            .unwrap()
            .cipher(Cipher::Aes256Cbc)
            .sign_secret(sign)
            .digest(Digest::Sha256)
            .purpose("cookie.c")
    };
    // Control: the jar's own CBC keys open.
    let genuine = cbc(&cbc_key, &cbc_sign).seal(&json!({"a": 1})).unwrap();
    assert_eq!(
        jar.encrypted("c").open::<Value>(&genuine).unwrap(),
        json!({"a": 1})
    );
    assert_eq!(
        jar.clone()
            .legacy_cbc(false)
            .encrypted("c")
            .open::<Value>(&genuine),
        Err(OpenError::Invalid)
    );
    // HMAC-SHA256 values an attacker could make with another key: the signed-cookie key, the
    // AES-GCM key, or the right HMAC key over a blob encrypted under another salt's key.
    let signed_key = keys.generate_key(rails::SIGNED_COOKIE_SALT, 64).unwrap();
    let gcm_key = keys
        .generate_key(rails::AUTHENTICATED_ENCRYPTED_COOKIE_SALT, 32)
        .unwrap();
    let other_key = keys.generate_key("another encrypted cookie", 32).unwrap();
    for (label, key, sign) in [
        ("signed-cookie HMAC key", &cbc_key[..], &signed_key[..]),
        ("GCM key as HMAC key", &cbc_key[..], &gcm_key[..]),
        (
            "no sign secret (Rails' default)",
            &cbc_key[..],
            &cbc_key[..],
        ),
        ("another encryption salt", &other_key[..], &cbc_sign[..]),
    ] {
        for i in 0..300 {
            let value = cbc(key, sign).seal(&json!({"a": i})).unwrap();
            for jar in [jar.clone(), jar.clone().accept_unpurposed(true)] {
                let opened = jar.encrypted("c").open::<Value>(&value);
                assert!(opened.is_err(), "{label} #{i}: {opened:?}");
                assert!(jar.signed("c").open::<Value>(&value).is_err(), "{label}");
            }
            assert_eq!(
                jar.encrypted("c").open::<Value>(&value),
                Err(OpenError::Invalid),
                "{label} #{i}"
            );
        }
    }
    // A signed cookie's value (HMAC under the signed-cookie key, digest SHA-256) whose data
    // is itself a well-formed CBC blob.
    let blob = format!("{}--{}", b64(&[0u8; 32]), b64(&[1u8; 16]));
    let value = sign256(&signed_key, blob.as_bytes());
    assert_eq!(
        jar.encrypted("c").open::<Value>(&value),
        Err(OpenError::Invalid)
    );
}

#[test]
fn each_digest_is_tried_at_its_own_length_and_rotations_never_seal() {
    let key = b"a verifier secret".to_vec();
    let sha1 = MessageVerifier::new(&key).unwrap();
    let sha256 = MessageVerifier::new(&key).unwrap().digest(Digest::Sha256);
    let sha512 = MessageVerifier::new(&key).unwrap().digest(Digest::Sha512);
    let t1 = sha1.seal(&1).unwrap();
    let t256 = sha256.seal(&1).unwrap();
    let t512 = sha512.seal(&1).unwrap();
    // No downgrade: a verifier opens only its own digest, whatever the tag's prefix.
    assert_eq!(sha256.open::<u8>(&t1), Err(OpenError::Invalid));
    assert_eq!(sha256.open::<u8>(&t512), Err(OpenError::Invalid));
    assert_eq!(sha1.open::<u8>(&t256), Err(OpenError::Invalid));
    let (data, tag512) = t512.split_once("--").unwrap();
    let truncated = [&tag512[..40], &tag512[..64]];
    let rotated = sha512.clone().rotate(sha1.clone()).rotate(sha256.clone());
    for tag in truncated {
        assert_eq!(
            rotated.open::<u8>(&format!("{data}--{tag}")),
            Err(OpenError::Invalid)
        );
    }
    // Rotated-in keys open, the first key seals.
    for t in [&t1, &t256, &t512] {
        assert_eq!(rotated.open::<u8>(t), Ok(1));
    }
    assert_eq!(rotated.seal(&1).unwrap(), t512);

    // The cookie jar: a SHA-256 jar refuses SHA-1 cookies of the same key until the digest is
    // rotated in; it still signs with SHA-256; a jar without the rotation refuses again.
    let old = CookieJar::new(SKB).unwrap();
    let new = CookieJar::new(SKB)
        .unwrap()
        .signed_cookie_digest(Digest::Sha256);
    let v1 = old.signed("c").seal(&1).unwrap();
    assert_eq!(new.signed("c").open::<u8>(&v1), Err(OpenError::Invalid));
    let both = new
        .clone()
        .rotate(Rotation::new().signed_cookie_digest(Digest::Sha1));
    assert_eq!(both.signed("c").open::<u8>(&v1), Ok(1));
    let v256 = both.signed("c").seal(&1).unwrap();
    assert_eq!(old.signed("c").open::<u8>(&v256), Err(OpenError::Invalid));
    assert_eq!(new.signed("c").open::<u8>(&v256), Ok(1));

    // An old secret_key_base opens only while it is a fallback, and never seals.
    let rotating = CookieJar::new(SKB).unwrap().fallbacks([OLD_SKB]);
    let by_old = CookieJar::new(OLD_SKB).unwrap();
    for kind in ["signed", "encrypted"] {
        let (old_value, new_value) = if kind == "signed" {
            (
                by_old.signed("c").seal(&1).unwrap(),
                rotating.signed("c").seal(&1).unwrap(),
            )
        } else {
            (
                by_old.encrypted("c").seal(&1).unwrap(),
                rotating.encrypted("c").seal(&1).unwrap(),
            )
        };
        let open = |jar: &CookieJar, v: &str| {
            if kind == "signed" {
                jar.signed("c").open::<u8>(v)
            } else {
                jar.encrypted("c").open::<u8>(v)
            }
        };
        assert_eq!(open(&rotating, &old_value), Ok(1), "{kind}");
        assert_eq!(open(&by_old, &new_value), Err(OpenError::Invalid), "{kind}");
        let dropped = CookieJar::new(SKB).unwrap();
        assert_eq!(
            open(&dropped, &old_value),
            Err(OpenError::Invalid),
            "{kind}"
        );
    }
    // An empty old secret is ignored: its keys (PBKDF2 of "") are public.
    let empty = CookieJar::new(SKB)
        .unwrap()
        .key_generator_digest(Digest::Sha256)
        .signed_cookie_digest(Digest::Sha256)
        .rotate(Rotation::new().secret_key_base(""));
    let public_key = pbkdf2_sha256(b"", rails::SIGNED_COOKIE_SALT.as_bytes(), 64);
    let forged = sign256(
        &public_key,
        &legacy_envelope(&json!(1), json!(null), json!("cookie.c")),
    );
    assert_eq!(
        empty.signed("c").open::<u8>(&forged),
        Err(OpenError::Invalid)
    );
    // (The helper derives Rails' keys: the same forgery under SKB's own key opens.)
    let own = pbkdf2_sha256(SKB.as_bytes(), rails::SIGNED_COOKIE_SALT.as_bytes(), 64);
    let genuine = sign256(
        &own,
        &legacy_envelope(&json!(1), json!(null), json!("cookie.c")),
    );
    assert_eq!(empty.signed("c").open::<u8>(&genuine), Ok(1));
}

/// PBKDF2-HMAC-SHA256 with Rails' 1000 iterations, written out (an independent derivation).
fn pbkdf2_sha256(password: &[u8], salt: &[u8], len: usize) -> Vec<u8> {
    let prf = |data: &[&[u8]]| {
        let mut mac = Hmac::<Sha256>::new_from_slice(password).unwrap();
        for d in data {
            mac.update(d);
        }
        mac.finalize().into_bytes()
    };
    let mut out = Vec::new();
    for block in 1u32.. {
        let mut u = prf(&[salt, &block.to_be_bytes()]);
        let mut t = u;
        for _ in 1..rails::KEY_GENERATOR_ITERATIONS {
            u = prf(&[&u]);
            t.iter_mut().zip(u.iter()).for_each(|(a, b)| *a ^= b);
        }
        out.extend_from_slice(&t);
        if out.len() >= len {
            break;
        }
    }
    out.truncate(len);
    out
}
