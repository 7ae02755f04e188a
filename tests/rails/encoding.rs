//! Encodings and sizes: non-canonical base64, escapes decoded once and only for ASCII, input
//! over `MAX_COOKIE_LEN` refused unread, deep JSON refused without exhausting the stack.

use super::*;

/// Other encodings of `bytes` that lenient decoders take: unpadded, the URL-safe alphabet,
/// non-zero trailing bits, whitespace.
fn non_canonical(bytes: &[u8]) -> Vec<String> {
    let canonical = STANDARD.encode(bytes);
    let mut out = vec![
        STANDARD_NO_PAD.encode(bytes),
        URL_SAFE.encode(bytes),
        URL_SAFE_NO_PAD.encode(bytes),
        format!("{canonical}\n"),
        format!(" {canonical}"),
        format!("{}\n{}", &canonical[..4], &canonical[4..]),
        format!("{canonical}="),
    ];
    // Set a trailing bit of the last data character before the padding.
    if let Some(pad) = canonical.find('=') {
        let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let last = canonical.as_bytes()[pad - 1] as char;
        let index = alphabet.find(last).unwrap();
        let tweaked = alphabet.as_bytes()[index | 1] as char;
        if tweaked != last {
            out.push(format!(
                "{}{tweaked}{}",
                &canonical[..pad - 1],
                &canonical[pad..]
            ));
        }
    }
    out.retain(|s| *s != canonical);
    out
}

#[test]
fn non_canonical_base64_never_opens() {
    let Some(mut rb) = rails_peer("non_canonical_base64_never_opens") else {
        return;
    };
    // Signed: the HMAC covers the text, so each spelling is signed as it is (an attacker who
    // has the key could; the point is what a decoder accepts).
    let key = signed_cookie_key();
    let settings = json!({"secret_key_base": SKB, "signed_cookie_digest": "SHA256"});
    // A length that leaves padding (and trailing bits) in its base64.
    let data = legacy_envelope(&json!("xy"), json!(null), json!("cookie.c"));
    for pad in 0..3 {
        let data = [&data[..], &b"  "[..pad]].concat();
        assert_eq!(
            jar256()
                .signed("c")
                .open::<String>(&sign256(&key, &data))
                .as_deref(),
            Ok("xy")
        );
        for text in non_canonical(&data) {
            let value = sign_text(&key, &text);
            let ours = jar256().signed("c").open::<String>(&value);
            assert!(
                matches!(ours, Err(OpenError::Malformed | OpenError::Invalid)),
                "{text:?}: {ours:?}"
            );
            let escaped: String = value
                .replace('%', "%25")
                .replace('+', "%2B")
                .replace('/', "%2F")
                .replace('=', "%3D")
                .replace('\n', "%0A")
                .replace(' ', "%20");
            assert!(
                !matches!(
                    rails_reads(&mut rb, &settings, "signed", "c", &escaped, NOW),
                    Ok(Some(_))
                ),
                "Rails read {text:?}"
            );
        }
    }
    // Encrypted (AES-GCM): every part, respelled, is refused; the canonical value opens.
    let jar = CookieJar::new(SKB).unwrap();
    for payload in ["", "x", "xy", "xyz"] {
        let sealed = jar
            .encrypted("c")
            .seal(payload)
            .unwrap()
            .replace("%3D", "=");
        let sealed = sealed.replace("%2B", "+").replace("%2F", "/");
        let parts: Vec<&str> = sealed.split("--").collect();
        assert_eq!(
            jar.encrypted("c").open::<String>(&sealed).as_deref(),
            Ok(payload)
        );
        for i in 0..3 {
            let bytes = STANDARD.decode(parts[i]).unwrap();
            for spelled in non_canonical(&bytes) {
                let mut respelled = parts.clone();
                respelled[i] = &spelled;
                let value = respelled.join("--");
                let ours = jar.encrypted("c").open::<String>(&value);
                assert!(
                    matches!(ours, Err(OpenError::Malformed | OpenError::Invalid)),
                    "part {i} {spelled:?}: {ours:?}"
                );
            }
        }
    }
}

#[test]
fn escapes_are_decoded_once_and_only_for_ascii() {
    let jar = CookieJar::new(SKB).unwrap();
    let value = (1..8)
        .map(|n| jar.signed("c").seal(&"x".repeat(n)).unwrap())
        .find(|v| v.contains("%3D"))
        .expect("a value with base64 padding");
    // Lower-case hex and escaped letters are the same value, as in Rack.
    assert!(jar
        .signed("c")
        .open::<String>(&value.replace("%3D", "%3d"))
        .is_ok());
    // Escaped twice: one decode leaves `%3D`, which is not what was signed.
    let twice = value.replace("%3D", "%253D");
    assert_eq!(
        jar.signed("c").open::<String>(&twice),
        Err(OpenError::Invalid)
    );
    for bad in ["%", "%3", "%G0", "%%", "%C3%A9", "%FF", "%3D%"] {
        assert_eq!(
            jar.signed("c").open::<String>(&format!("{value}{bad}")),
            Err(OpenError::Malformed),
            "{bad}"
        );
    }
    // A `+` unescaped opens; read as a space (by a framework that form-decodes cookies) it
    // is not base64. (Encrypted: a signed cookie's base64 of ASCII JSON never has a `+`.)
    let plus = (0..1000)
        .map(|_| jar.encrypted("c").seal(&1).unwrap())
        .find(|v| v.contains("%2B"))
        .expect("a value with a `+` in its base64")
        .replace("%2B", "+");
    assert_eq!(jar.encrypted("c").open::<u8>(&plus), Ok(1));
    assert_eq!(
        jar.encrypted("c").open::<u8>(&plus.replace('+', " ")),
        Err(OpenError::Malformed)
    );
}

#[test]
fn input_over_max_cookie_len_is_refused_unread() {
    let max = typed_cookies::MAX_COOKIE_LEN;
    let jar = CookieJar::new(SKB).unwrap();
    let verifier = MessageVerifier::new("k").unwrap();
    let encryptor = MessageEncryptor::new([7u8; 32]).unwrap();
    // Structurally valid, and escaped values whose unescaped text is shorter.
    let long_signed = format!("{}--{}", "A".repeat(max), "0".repeat(40));
    let escaped = format!("{}--{}", "%3D".repeat(max / 3 + 1), "0".repeat(40));
    for input in [
        long_signed,
        escaped,
        "%".repeat(max + 1),
        "-".repeat(max + 1),
    ] {
        let too_large = |r: Result<Value, OpenError>| matches!(r, Err(OpenError::TooLarge { len, max: m }) if len == input.len() && m == max);
        assert!(too_large(jar.signed("c").open(&input)));
        assert!(too_large(jar.encrypted("c").open(&input)));
        assert!(too_large(jar.session("c").open(&input)));
        assert!(too_large(verifier.open(&input)));
        assert!(too_large(encryptor.open(&input)));
        assert!(matches!(
            rails::inspect(&input),
            Err(OpenError::TooLarge { .. })
        ));
    }
    // At the limit, read as usual.
    let at_limit = format!("{}--{}", "A".repeat(max - 42), "0".repeat(40));
    assert_eq!(
        jar.signed("c").open::<Value>(&at_limit),
        Err(OpenError::Invalid)
    );
    // Sealing past what a browser keeps is refused, not truncated.
    assert!(jar.signed("c").seal(&"x".repeat(max)).is_err());
    assert!(jar.encrypted("c").seal(&"x".repeat(max)).is_err());
}

#[test]
fn deeply_nested_authentic_json_is_refused_without_exhausting_the_stack() {
    let key = signed_cookie_key();
    let secret = [9u8; 64];
    let worker = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            let verifier = MessageVerifier::new(secret)
                .unwrap()
                .digest(Digest::Sha256)
                .purpose("p")
                .clock(at(NOW));
            for depth in [129, 500, 1400] {
                let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
                let deep_obj =
                    format!("{}1{}", r#"{"a":"#.repeat(depth / 3), "}".repeat(depth / 3));
                for inner in [&deep, &deep_obj] {
                    let layouts = [
                        format!(r#"{{"_rails":{{"data":{inner},"pur":"p"}}}}"#),
                        format!(r#"{{"x":{inner},"_rails":{{"data":1,"pur":"p"}}}}"#),
                        format!(
                            r#"{{"_rails":{{"message":"{}","exp":null,"pur":"p"}}}}"#,
                            b64(inner.as_bytes())
                        ),
                        inner.clone(),
                    ];
                    for (i, data) in layouts.iter().enumerate() {
                        let token = sign256(&secret, data.as_bytes());
                        if token.len() > typed_cookies::MAX_COOKIE_LEN {
                            continue;
                        }
                        let opened = verifier.open::<Value>(&token);
                        // Deeper than serde_json reads (128): refused where it is the value.
                        // (Beside the envelope it is skipped, and the envelope opens.)
                        if i != 1 && inner == &deep {
                            assert!(opened.is_err(), "depth {depth}: {opened:?}");
                        }
                        let cookie = sign256(&key, data.as_bytes());
                        let _ = jar256()
                            .accept_unpurposed(true)
                            .signed("p")
                            .open::<Value>(&cookie);
                        let _ = rails::inspect(&cookie);
                    }
                }
            }
        })
        .unwrap();
    worker.join().expect("no panic, no overflow");
}
