//! Seeded mutation sweeps of every kind of value and authentic payloads of any shape: nothing
//! panics (a key size included), nothing forged opens, and no verdict depends on anything
//! unauthenticated.

use super::*;

/// `value` with its `%XX` escapes decoded (`None` when it has a broken one).
fn unescaped(value: &str) -> Option<String> {
    let mut out = Vec::new();
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// One random change: a character replaced, removed, inserted or doubled, a part swapped,
/// truncated or extended, separators and escapes added.
fn mutate(rng: &mut StdRng, value: &str, others: &[String]) -> String {
    const PIECES: &[&str] = &[
        "--", "-", "%", "%2", "%3D", "%2B", "%2F", "%00", "%FF", "=", "+", "/", "A", "a", "0", "f",
        "F", " ", "\u{0}", "é", "\u{202e}", "{", "\"", "==", "--x", "%25",
    ];
    let mut chars: Vec<char> = value.chars().collect();
    let at = |rng: &mut StdRng, len: usize| rng.gen_range(0..=len);
    match rng.gen_range(0..9) {
        0 if !chars.is_empty() => {
            let i = rng.gen_range(0..chars.len());
            chars[i] = PIECES[rng.gen_range(0..PIECES.len())]
                .chars()
                .next()
                .unwrap();
        }
        1 if !chars.is_empty() => {
            let i = rng.gen_range(0..chars.len());
            let n = rng.gen_range(1..=4.min(chars.len() - i));
            chars.drain(i..i + n);
        }
        2 => {
            let i = at(rng, chars.len());
            let piece = PIECES[rng.gen_range(0..PIECES.len())];
            chars.splice(i..i, piece.chars());
        }
        3 => {
            let i = at(rng, chars.len());
            chars.truncate(i);
        }
        4 => {
            // A part of another value in place of one of this value's.
            let other = &others[rng.gen_range(0..others.len())];
            let mut mine: Vec<&str> = value.split("--").collect();
            let theirs: Vec<&str> = other.split("--").collect();
            let i = rng.gen_range(0..mine.len());
            mine[i] = theirs[rng.gen_range(0..theirs.len())];
            return mine.join("--");
        }
        5 => {
            let mut parts: Vec<&str> = value.split("--").collect();
            let (i, j) = (rng.gen_range(0..parts.len()), rng.gen_range(0..parts.len()));
            parts.swap(i, j);
            return parts.join("--");
        }
        6 => {
            let i = at(rng, chars.len());
            let j = at(rng, chars.len());
            let (i, j) = (i.min(j), i.max(j));
            let copy: Vec<char> = chars[i..j].to_vec();
            chars.splice(j..j, copy);
        }
        7 if !chars.is_empty() => {
            let i = rng.gen_range(0..chars.len());
            chars[i] = char::from(rng.gen_range(0x20u8..0x7f));
        }
        _ => {
            let n = rng.gen_range(0..3);
            for _ in 0..n {
                chars.push(
                    PIECES[rng.gen_range(0..PIECES.len())]
                        .chars()
                        .next()
                        .unwrap(),
                );
            }
        }
    }
    chars.into_iter().collect()
}

#[test]
fn seeded_mutations_of_every_kind_of_value_never_panic_or_open() {
    let jar = CookieJar::new(SKB).unwrap().clock(at(NOW));
    let v70 = jar.clone().load_defaults(Defaults::V7_0);
    let verifier = MessageVerifier::new("k")
        .unwrap()
        .digest(Digest::Sha512)
        .purpose("p")
        .clock(at(NOW));
    let gcm = MessageEncryptor::new([7u8; 32])
        .unwrap()
        .purpose("p")
        .clock(at(NOW));
    let cbc = MessageEncryptor::new([7u8; 32])
        .unwrap()
        .cipher(Cipher::Aes256Cbc)
        .purpose("p")
        .clock(at(NOW));
    let payload = json!({"session_id": "ab12", "user_id": 42, "flash": ["é <b>", 1.5, null]});
    let ttl = Duration::hours(1);
    let values = vec![
        jar.signed("c").expires_in(ttl).seal(&payload).unwrap(),
        jar.encrypted("c").seal(&payload).unwrap(),
        jar.session("c").expires_in(ttl).seal(&payload).unwrap(),
        jar.clone()
            .authenticated_encryption(false)
            .encrypted("c")
            .seal(&payload)
            .unwrap(),
        v70.signed("c").seal(&payload).unwrap(),
        verifier.seal(&payload).unwrap(),
        verifier
            .clone()
            .use_message_serializer_for_metadata(true)
            .seal(&payload)
            .unwrap(),
        gcm.seal(&payload).unwrap(),
        cbc.seal(&payload).unwrap(),
    ];
    let mut rng = StdRng::seed_from_u64(0x0052_4149_4c53);
    let mut opened = 0;
    // A mutation may splice together another of the values, which is authentic.
    let originals: Vec<String> = values.iter().map(|v| unescaped(v).unwrap()).collect();
    for value in &values {
        for _ in 0..1500 {
            let mut m = mutate(&mut rng, value, &values);
            if rng.gen_bool(0.3) {
                m = mutate(&mut rng, &m, &values);
            }
            let verdicts: [Result<Value, OpenError>; 7] = [
                jar.signed("c").open(&m),
                jar.encrypted("c").open(&m),
                jar.clone().accept_unpurposed(true).signed("c").open(&m),
                v70.signed("c").open(&m),
                verifier.open(&m),
                gcm.open(&m),
                cbc.open(&m),
            ];
            let _ = rails::inspect(&m);
            let same = unescaped(&m).is_some_and(|u| originals.contains(&u));
            for verdict in verdicts {
                match verdict {
                    Ok(v) => {
                        assert!(same, "{m:?} opened (from {value:?})");
                        assert_eq!(v, payload);
                        opened += 1;
                    }
                    Err(OpenError::Invalid | OpenError::Malformed) => {}
                    Err(e) => panic!("{m:?}: {e:?} (from {value:?})"),
                }
            }
        }
    }
    // Some mutations only respell escapes (`%3d`), and those open.
    assert!(opened > 0);
}

/// A random payload for a signed value: JSON-ish fragments, envelopes with random fields,
/// `exp` and `pur` values, Marshal, bytes.
fn random_payload(rng: &mut StdRng) -> Vec<u8> {
    const FRAGMENTS: &[&str] = &[
        r#"{"_rails":"#,
        r#"{"message":"#,
        r#""exp":"#,
        r#""pur":"#,
        r#""data":"#,
        r#""cookie.c""#,
        r#""p""#,
        "null",
        "true",
        "1",
        "-0",
        "1e999",
        "123456789012345678901234567890",
        r#""2099-01-01T00:00:00Z""#,
        r#""2000-01-01T00:00:00Z""#,
        r#""2099-01-01T00:00:00+25:59""#,
        r#""9999-12-31T23:59:59.999999999999Z""#,
        r#""0000-01-01T00:00:00-23:59""#,
        r#""MQ==""#,
        r#""BAg6BngK""#,
        r#""""#,
        "[",
        "]",
        "{",
        "}",
        ",",
        ":",
        r#""\ud800""#,
        r#""\u0000""#,
        "\u{feff}",
        "\x04\x08",
        " ",
        r#""_rails""#,
        r#""\u005frails""#,
    ];
    let mut out = Vec::new();
    for _ in 0..rng.gen_range(1..24) {
        if rng.gen_bool(0.1) {
            out.push(rng.gen());
        } else {
            out.extend_from_slice(FRAGMENTS[rng.gen_range(0..FRAGMENTS.len())].as_bytes());
        }
    }
    out
}

#[test]
fn authentic_payloads_of_any_shape_never_panic_and_open_only_for_their_purpose() {
    let key = signed_cookie_key();
    let strict = jar256();
    let lenient = jar256().accept_unpurposed(true);
    let verifier = MessageVerifier::new(&key)
        .unwrap()
        .digest(Digest::Sha256)
        .purpose("p")
        .clock(at(NOW));
    let mut rng = StdRng::seed_from_u64(7);
    let mut opened = 0;
    for _ in 0..20_000 {
        let data = random_payload(&mut rng);
        let value = sign256(&key, &data);
        let claimed = rails::inspect(&value).ok().and_then(|i| i.purpose);
        for (jar, label) in [(&strict, "strict"), (&lenient, "lenient")] {
            match jar.signed("c").open::<Value>(&value) {
                Ok(_) => {
                    opened += 1;
                    if label == "strict" {
                        assert_eq!(
                            claimed.as_deref(),
                            Some("cookie.c"),
                            "{}",
                            String::from_utf8_lossy(&data)
                        );
                    }
                }
                Err(OpenError::TooLarge { .. }) => panic!("a short value was too large"),
                Err(_) => {}
            }
        }
        let _ = verifier.open::<Value>(&value);
        let _ = verifier.open::<String>(&value);
    }
    assert!(opened > 0);
}

#[test]
fn nothing_unauthenticated_changes_the_verdict() {
    let key = signed_cookie_key();
    let past = "2000-01-01T00:00:00Z";
    let payloads: Vec<Vec<u8>> = vec![
        legacy_envelope(&json!(1), json!(past), json!("cookie.c")),
        legacy_envelope(&json!(1), json!(null), json!("cookie.other")),
        legacy_envelope(&json!(1), json!("garbage"), json!("cookie.c")),
        br#"{"_rails":{"message":"BAg6BngK","exp":null,"pur":"cookie.c"}}"#.to_vec(),
        b"\x04\x08:\x06x".to_vec(),
        br#"{"_rails":{"data":1,"exp":"2000-01-01T00:00:00Z","pur":"cookie.c"}}"#.to_vec(),
        br#"{"_rails":5}"#.to_vec(),
        format!("{}{}", "[".repeat(300), "]".repeat(300)).into_bytes(),
        b"\xff\xfe not json".to_vec(),
        br#""a string""#.to_vec(),
    ];
    let jars = [jar256(), jar256().accept_unpurposed(true)];
    for data in &payloads {
        let label = String::from_utf8_lossy(data);
        // Signed under a wrong key, and with the right key but a changed tag.
        let wrong = sign256(b"a wrong key", data);
        let good = sign256(&key, data);
        let (body, tag) = good.split_once("--").unwrap();
        let flipped = format!(
            "{body}--{}{}",
            &tag[..63],
            if tag.ends_with('0') { '1' } else { '0' }
        );
        for value in [&wrong, &flipped] {
            for jar in &jars {
                for name in ["c", "other"] {
                    assert_eq!(
                        jar.signed(name).open::<Value>(value),
                        Err(OpenError::Invalid),
                        "{label}"
                    );
                }
            }
        }
    }
    // Encrypted under a wrong key: each payload shape is Invalid, never Expired or
    // UnsupportedSerializer (the verdicts that need the plaintext).
    let jar = CookieJar::new(SKB).unwrap().clock(at(NOW));
    let other = CookieJar::new(OLD_SKB).unwrap().clock(at(NOW - 7200));
    for writer in [other.clone(), other.authenticated_encryption(false)] {
        for name in ["c", "other"] {
            let expired = writer
                .encrypted(name)
                .expires_in(Duration::hours(1))
                .seal(&1)
                .unwrap();
            let fresh = writer.encrypted(name).seal(&1).unwrap();
            for value in [&expired, &fresh] {
                assert_eq!(
                    jar.encrypted("c").open::<Value>(value),
                    Err(OpenError::Invalid)
                );
            }
        }
    }
}

#[test]
fn key_sizes_past_the_bound_are_refused_not_allocated() {
    let keys = KeyGenerator::new(SKB).unwrap();
    let max = KeyGenerator::MAX_KEY_SIZE;
    for len in [max + 1, isize::MAX as usize, usize::MAX] {
        let asked = std::panic::catch_unwind(|| keys.generate_key("x", len));
        assert_eq!(
            asked.expect("generate_key panicked"),
            Err(rails::SecretError::KeySizeTooLarge { len, max })
        );
    }
    assert_eq!(keys.generate_key("x", max).unwrap().len(), max);
}
