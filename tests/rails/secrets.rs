//! Secrets, derived keys and plaintexts never in `Debug` or `Display`.

use super::*;

/// Every spelling of `secret` (and of 12-byte fragments of it) a careless `Debug` could print.
fn spellings_of(secret: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let windows: Vec<&[u8]> = if secret.len() > 12 {
        secret.windows(12).step_by(4).collect()
    } else {
        vec![secret]
    };
    for w in windows.into_iter().chain([secret]) {
        let hex: String = w.iter().map(|b| format!("{b:02x}")).collect();
        out.push(hex.to_uppercase());
        out.push(hex);
        let list = format!("{:?}", w);
        out.push(list[..list.len() - 1].to_owned());
        for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            let text = engine.encode(w);
            out.push(text[..text.len().min(14)].to_owned());
        }
        if let Ok(text) = std::str::from_utf8(w) {
            out.push(text.to_owned());
        }
    }
    out
}

#[test]
fn no_secret_derived_key_or_plaintext_in_debug_or_display() {
    let verifier_secret = b"a verifier secret, not for logs".to_vec();
    let encryptor_key = [0xA5u8; 32];
    let sign_secret = [0x5Au8; 64];
    let mut secrets: Vec<Vec<u8>> = vec![
        SKB.as_bytes().to_vec(),
        OLD_SKB.as_bytes().to_vec(),
        verifier_secret.clone(),
        encryptor_key.to_vec(),
        sign_secret.to_vec(),
    ];
    for skb in [SKB, OLD_SKB] {
        for digest in [Digest::Sha1, Digest::Sha256] {
            let keys = KeyGenerator::new(skb).unwrap().digest(digest);
            for (salt, len) in [
                (rails::SIGNED_COOKIE_SALT, 64),
                (rails::AUTHENTICATED_ENCRYPTED_COOKIE_SALT, 32),
                (rails::ENCRYPTED_COOKIE_SALT, 32),
                (rails::ENCRYPTED_SIGNED_COOKIE_SALT, 64),
            ] {
                secrets.push(keys.generate_key(salt, len).unwrap().to_vec());
            }
        }
    }
    let plaintext = "plaintext of the cookie: card 4111-1111-1111-1111";

    let jar = CookieJar::new(SKB)
        .unwrap()
        .fallbacks([OLD_SKB])
        .rotate(
            Rotation::new()
                .secret_key_base(OLD_SKB)
                .key_generator_digest(Digest::Sha256),
        )
        .clock(at(NOW));
    // Derive the keys first, so that a Debug of the cache would show them.
    let encrypted = jar.encrypted("c").seal(plaintext).unwrap();
    let signed = jar.signed("c").seal(&1).unwrap();
    let verifier = MessageVerifier::new(&verifier_secret)
        .unwrap()
        .rotate(MessageVerifier::new(sign_secret).unwrap());
    let encryptor = MessageEncryptor::new(encryptor_key)
        .unwrap()
        .cipher(Cipher::Aes256Cbc)
        .sign_secret(sign_secret)
        .rotate(MessageEncryptor::new(encryptor_key).unwrap());
    let token = encryptor.seal(plaintext).unwrap();

    let mut shown: Vec<String> = Vec::new();
    let mut show = |debug: String| shown.push(debug);
    show(format!("{jar:?} {jar:#?}"));
    show(format!("{:?} {:#?}", jar.signed("c"), jar.encrypted("c")));
    show(format!("{:#?}", jar.session("_app_session")));
    show(format!("{verifier:?} {verifier:#?}"));
    show(format!("{encryptor:?} {encryptor:#?}"));
    show(format!("{:?}", KeyGenerator::new(SKB).unwrap()));
    show(format!("{:?}", Rotation::new().secret_key_base(OLD_SKB)));
    show(format!("{:?}", rails::inspect(&encrypted)));
    show(format!("{:?}", rails::inspect(&token)));
    for e in [
        rails::SecretError::Empty,
        MessageEncryptor::new(&verifier_secret).unwrap_err(),
    ] {
        show(format!("{e} {e:?}"));
    }
    let other = CookieJar::new("another app").unwrap().clock(at(NOW));
    let opens = [
        other.encrypted("c").open::<String>(&encrypted).err(),
        other.signed("c").open::<String>(&signed).err(),
        jar.encrypted("d").open::<String>(&encrypted).err(),
        jar.encrypted("c").open::<u8>(&encrypted).err(),
        jar.encrypted("c").open::<String>(&"A".repeat(5000)).err(),
        jar.encrypted("c").open::<String>("%zz").err(),
        encryptor.open::<u8>(&token).err(),
    ];
    for e in opens.into_iter().flatten() {
        show(format!("{e} {e:?}"));
    }
    if let Err(e) = jar.encrypted("c").seal(&plaintext.repeat(100)) {
        show(format!("{e} {e:?}"));
    }
    for text in &shown {
        assert!(!text.contains("plaintext of the cookie"), "{text}");
        for secret in &secrets {
            for needle in spellings_of(secret) {
                assert!(
                    needle.len() < 8 || !text.contains(&needle),
                    "{needle:?} in {text}"
                );
            }
        }
    }
}
