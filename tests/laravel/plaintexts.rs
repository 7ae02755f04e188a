//! Plaintexts and encodings attacked: PHP-serialized values, lengths, percent-encoding,
//! hostile envelopes and deep JSON; key rotation; no `APP_KEY` in `Debug` or errors; the
//! recipes with the real middleware.

use serde_json::{json, Value};
use typed_cookies::interop::laravel::{
    self, AppKeyError, Cipher, EncryptCookies, Encrypter, SERIALIZED_STRING, SESSION_COOKIE_NAME,
    XSRF_COOKIE_NAME,
};
use typed_cookies::OpenError;

use crate::interop::mutations;
use crate::migration::{bridge_json, bridge_user, NOW};
use crate::*;

/// Plaintexts of every PHP-serialized form but a string (objects, custom serialization,
/// arrays holding objects, references, enums, escaped strings, numbers) and strings with
/// hostile lengths (negative, signed, huge, overflowing, past the end, multibyte miscounted,
/// with trailing values): never deserialized; `decrypt`, `open` and `$serialize` cookies
/// refuse them as `PayloadMismatch`. Authentic envelopes made by Laravel's `encryptString`.
#[test]
fn php_serialized_values_are_never_deserialized() {
    let Some(mut php) = php("php_serialized_values_are_never_deserialized") else {
        return;
    };
    let cipher = Cipher::Aes256Cbc;
    let ours = crypt(cipher);
    let cookies = EncryptCookies::new(ours.clone()).serialize(true);
    let prefix = cookies.value_prefix("a");
    let hostile = [
        "O:8:\"stdClass\":0:{}".to_owned(),
        "O:8:\"stdClass\":1:{s:1:\"a\";s:1:\"b\";}".to_owned(),
        "O:+8:\"stdClass\":0:{}".to_owned(),
        "o:8:\"stdClass\":0:{}".to_owned(),
        "C:11:\"ArrayObject\":21:{x:i:0;a:0:{};m:a:0:{}}".to_owned(),
        "a:1:{i:0;O:8:\"stdClass\":0:{}}".to_owned(),
        "a:2:{i:0;s:1:\"a\";i:1;R:2;}".to_owned(),
        "a:2:{i:0;s:1:\"a\";i:1;r:2;}".to_owned(),
        "r:1;".to_owned(),
        "R:1;".to_owned(),
        "E:7:\"Foo:Bar\";".to_owned(),
        "S:1:\"\\61\";".to_owned(),
        "i:1;".to_owned(),
        "b:1;".to_owned(),
        "d:0.1;".to_owned(),
        "N;".to_owned(),
        String::new(),
        "s:-1:\"\";".to_owned(),
        "s:+1:\"a\";".to_owned(),
        "s:1e0:\"a\";".to_owned(),
        "s: 1:\"a\";".to_owned(),
        "s:1 :\"a\";".to_owned(),
        "s:0x1:\"a\";".to_owned(),
        "s:01:\"a\";".to_owned(),
        "s:4294967297:\"a\";".to_owned(),
        "s:18446744073709551617:\"a\";".to_owned(),
        "s:99999:\"a\";".to_owned(),
        "s:2:\"a\";".to_owned(),
        "s:1:\"é\";".to_owned(),
        "s:3:\"é\";".to_owned(),
        "s:1:\"a\";O:8:\"stdClass\":0:{}".to_owned(),
        "s:1:\"a\";;".to_owned(),
        "s:1:\"a\"".to_owned(),
        "s:1:'a';".to_owned(),
        format!(
            "O:8:\"stdClass\":1:{{s:1:\"a\";s:{}:\"{prefix}v\";}}",
            prefix.len() + 1
        ),
        format!("a:1:{{i:0;s:{}:\"{prefix}v\";}}", prefix.len() + 1),
        format!(
            "s:{}:\"{prefix}v\";O:8:\"stdClass\":0:{{}}",
            prefix.len() + 1
        ),
    ];
    let mismatch = OpenError::PayloadMismatch {
        type_name: SERIALIZED_STRING,
    };
    for plain in &hostile {
        let theirs = php.value(
            json!({"op": "encrypt_string", "key": KEY32, "cipher": cipher.name(), "value": plain}),
            "value",
        );
        for value in [theirs, ours.encrypt_string(plain).unwrap()] {
            assert_eq!(ours.decrypt(&value).unwrap_err(), mismatch, "{plain}");
            assert_eq!(ours.open::<Value>(&value).unwrap_err(), mismatch, "{plain}");
            assert_eq!(
                cookies.open_str("a", &wire(&value)).unwrap_err(),
                mismatch,
                "{plain}"
            );
            assert_eq!(
                cookies.open::<Value>("a", &wire(&value)).unwrap_err(),
                mismatch,
                "{plain}"
            );
        }
    }
    // Strings are strings: a string holding serialized-object text stays text; multibyte
    // lengths count bytes, as PHP's do.
    for inner in [
        "O:8:\"stdClass\":0:{}",
        "é😀",
        "s:1:\"a\";",
        "\";O:8:\"stdClass\":0:{}",
    ] {
        let theirs = php.value(
            json!({"op": "encrypt", "key": KEY32, "cipher": cipher.name(), "value": inner}),
            "value",
        );
        assert_eq!(ours.decrypt(&theirs).unwrap(), inner);
    }
}

/// The bounded reader over every declared length around the true one, with truncated and
/// extended tails: only the canonical `s:<byte length>:"…";` opens, to exactly its bytes.
#[test]
fn serialized_lengths_around_the_truth_open_only_when_exact() {
    let ours = crypt(Cipher::Aes256Gcm);
    for body in ["", "a", "é", "a\"b", "x\";s:1:\"y", "\";\";"] {
        let truth = body.len();
        for declared in 0..truth + 6 {
            for tail in ["\";", "\"", "", "\";x", "\";\";", ";"] {
                let plain = format!("s:{declared}:\"{body}{tail}");
                let value = ours.encrypt_string(&plain).unwrap();
                match ours.decrypt(&value) {
                    Ok(s) => assert_eq!(plain, format!("s:{}:\"{s}\";", s.len()), "{plain}"),
                    Err(e) => {
                        assert!(!(declared == truth && tail == "\";"), "{plain}: {e:?}");
                        assert!(
                            matches!(e, OpenError::PayloadMismatch { .. }),
                            "{plain}: {e:?}"
                        );
                    }
                }
            }
        }
    }
}

/// Percent-encoding tricks on a genuine cookie (whose wire form is letters, digits and
/// `%3D`: the outer base64 of ASCII JSON never has `+` or `/`): lower-case escapes open on
/// both sides; double encoding, `%00`, a space, a broken escape, a stray `%`, a `+`, quotes
/// and overlong UTF-8 are refused here (Laravel's lenient base64 reads some of them as the
/// genuine value, never as another one).
#[test]
fn percent_encoding_tricks_on_cookies() {
    let Some(mut php) = php("percent_encoding_tricks_on_cookies") else {
        return;
    };
    let cookies = laravel::cookies(KEY32).unwrap();
    let read = |php: &mut Peer, value: &str| {
        php_cookie(
            php,
            json!({"op": "cookie_decrypt", "key": KEY32, "name": "a", "value": value}),
        )
    };
    let genuine = (0..100)
        .map(|i| cookies.seal_str("a", &format!("v{i}")).unwrap())
        .find(|v| v.ends_with("%3D%3D"))
        .unwrap();
    assert!(
        !genuine.contains(['+', '/', '=']) && !genuine.contains("%2B") && !genuine.contains("%2F")
    );
    let plain = cookies.open_str("a", &genuine).unwrap();
    for value in [
        genuine.clone(),
        genuine.replace("%3D", "%3d"),
        unwire(&genuine),
    ] {
        assert_eq!(cookies.open_str("a", &value).unwrap(), plain);
        assert_eq!(read(&mut php, &value), json!(plain));
    }
    let bad = [
        genuine.replace('%', "%25"),
        genuine.replacen("%3D", "%00", 1),
        genuine.replacen("%3D", "%20", 1),
        genuine.replacen("%3D", "%3", 1),
        genuine.replacen("%3D", "+", 1),
        genuine.replacen("%3D", "%u003D", 1),
        genuine.replacen("%3D", "%C0%BD", 1),
        genuine.replacen("%3D", "%3D%3D", 1),
        format!("{genuine}%"),
        format!("\"{genuine}\""),
        format!("{genuine}%00"),
        format!("%00{genuine}"),
        format!(" {genuine}"),
    ];
    for value in &bad {
        assert!(cookies.open_str("a", value).is_err(), "{value}");
        let theirs = read(&mut php, value);
        assert!(
            theirs == Value::Null || theirs == json!(plain),
            "{value}: {theirs}"
        );
    }
    // Every insertion of these characters: a refusal or the genuine value.
    for (i, _) in genuine.char_indices() {
        for insert in ["%", "%25", "%00", "+", " ", "\"", "%2B", "%3D", "=", "%2F"] {
            let m = format!("{}{insert}{}", &genuine[..i], &genuine[i..]);
            if let Ok(v) = cookies.open_str("a", &m) {
                assert_eq!(v, plain, "{m}");
            }
        }
    }
}

/// Hostile envelopes (deep JSON in an extra field, wrong types, duplicate keys, a BOM, huge
/// fields, not an object) and authentic values with deep JSON inside: refused (or, for an
/// extra field Laravel ignores too, the genuine plaintext), never a panic.
#[test]
fn hostile_envelopes_and_deep_json_never_panic() {
    for cipher in CIPHERS {
        let ours = crypt(cipher);
        let cookies = EncryptCookies::new(ours.clone());
        let value = ours.encrypt_string("x").unwrap();
        let json = open_envelope(&value);
        let (iv, ct, mac, tag) = (
            field(&json, "iv"),
            field(&json, "value"),
            field(&json, "mac"),
            field(&json, "tag"),
        );
        let fields =
            format!("\"iv\":\"{iv}\",\"value\":\"{ct}\",\"mac\":\"{mac}\",\"tag\":\"{tag}\"");
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        let extra_field = [
            format!("{{{fields},\"x\":{}}}", deep(1200)),
            format!("{{{fields},\"x\":{}}}", deep(100)),
            format!("{{\"x\":{},{fields}}}", deep(1200)),
        ];
        for json in &extra_field {
            let value = envelope(json);
            if let Ok(plain) = ours.decrypt_string(&value) {
                assert_eq!(plain, "x", "{cipher}");
            }
        }
        let hostile = [
            format!("{{\"x\":{}}}", deep(1200)),
            deep(1500),
            format!("\u{feff}{{{fields}}}"),
            format!("{{{fields},\"value\":\"{ct}\"}}"),
            format!("{{\"iv\":\"{iv}\",\"value\":{{}},\"mac\":\"{mac}\",\"tag\":\"{tag}\"}}"),
            format!("{{\"iv\":\"{iv}\",\"value\":\"{ct}\",\"mac\":{mac:?}1,\"tag\":\"{tag}\"}}"),
            format!(
                "{{\"iv\":\"{iv}\",\"value\":\"{}\",\"mac\":\"{mac}\",\"tag\":\"{tag}\"}}",
                "A".repeat(2800)
            ),
            format!("{{\"iv\":\"{iv}\",\"value\":\"{ct}\",\"mac\":\"{mac}\",\"tag\":\"{tag}\"",),
            "[]".to_owned(),
            "null".to_owned(),
            "\"iv\"".to_owned(),
            "{}".to_owned(),
            String::new(),
        ];
        for json in &hostile {
            let value = envelope(json);
            for v in [value.clone(), wire(&value)] {
                assert!(ours.decrypt_string(&v).is_err(), "{cipher} {json:.80}");
                assert!(ours.decrypt(&v).is_err());
                assert!(ours.open::<Value>(&v).is_err());
                assert!(cookies.open_str("a", &v).is_err());
                assert!(cookies.open_session_id("a", &v).is_err());
            }
        }
        // Authentic values with JSON deeper than serde_json reads: a type mismatch.
        let raw = ours.clone().serialize(false);
        let deep_value = raw.encrypt_string(&deep(1000)).unwrap();
        assert!(matches!(
            raw.open::<Value>(&deep_value),
            Err(OpenError::PayloadMismatch { .. })
        ));
        let serialized = ours.encrypt(&deep(900)).unwrap();
        assert!(matches!(
            ours.open::<Value>(&serialized),
            Err(OpenError::PayloadMismatch { .. })
        ));
        let deep_cookie = cookies.seal_str("a", &deep(500)).unwrap();
        assert!(matches!(
            cookies.open::<Value>("a", &deep_cookie),
            Err(OpenError::PayloadMismatch { .. })
        ));
        for m in mutations(&value) {
            let _ = ours.decrypt(&m);
            let _ = cookies.open_str("a", &m);
        }
    }
}

/// Rotation: values opened under a previous key are resealed under the current one only —
/// Laravel with the new key reads the reseal, the old key (on either side) does not; the
/// prefix written is the current key's.
#[test]
fn previous_keys_only_open_and_reseals_use_the_current_key() {
    let Some(mut php) = php("previous_keys_only_open_and_reseals_use_the_current_key") else {
        return;
    };
    for cipher in CIPHERS {
        let rotated = crypt(cipher).previous_keys([old_key(cipher)]).unwrap();
        let cookies = EncryptCookies::new(rotated.clone());
        let req = |op: &str, app_key: &str, name: &str, value: &str| json!({"op": op, "key": app_key, "cipher": cipher.name(), "name": name, "value": value});
        let old = php.call(req("cookie_encrypt", old_key(cipher), "a", "v"));
        let old = set_cookie_value(old["header"].as_str().unwrap());
        let opened = cookies.open_str("a", &old).unwrap();
        let resealed = cookies.seal_str("a", &opened).unwrap();
        assert_eq!(
            php_cookie(&mut php, req("cookie_decrypt", key(cipher), "a", &resealed)),
            json!("v")
        );
        assert_eq!(
            php_cookie(
                &mut php,
                req("cookie_decrypt", old_key(cipher), "a", &resealed)
            ),
            Value::Null
        );
        let old_only = EncryptCookies::new(Encrypter::new(old_key(cipher), cipher).unwrap());
        assert_eq!(old_only.open_str("a", &resealed), Err(OpenError::Invalid));
        assert_eq!(
            cookies.value_prefix("a"),
            php.value(
                json!({"op": "prefix", "key": key(cipher), "name": "a"}),
                "value"
            )
        );
        // Encrypter: the same.
        let by_old = Encrypter::new(old_key(cipher), cipher)
            .unwrap()
            .encrypt("x")
            .unwrap();
        let again = rotated.encrypt(&rotated.decrypt(&by_old).unwrap()).unwrap();
        assert!(Encrypter::new(old_key(cipher), cipher)
            .unwrap()
            .decrypt(&again)
            .is_err());
        assert!(php_decrypt_string(&mut php, cipher, old_key(cipher), &again).is_err());
        // An empty or wrong-length previous key is refused, never a key anyone can use.
        assert_eq!(
            crypt(cipher).previous_keys([""]).unwrap_err(),
            AppKeyError::Missing
        );
        assert!(crypt(cipher).previous_keys(["base64:"]).is_err());
        assert!(Encrypter::from_bytes(&[], cipher).is_err());
        // previous_keys() replaces the list.
        let dropped = rotated.clone().previous_keys([key(cipher)]).unwrap();
        assert_eq!(dropped.decrypt(&by_old), Err(OpenError::Invalid));
    }
}

/// No `APP_KEY` (nor a previous key, raw or base64) in `Debug` of the configured types, in
/// `AppKeyError`s for bad keys, nor in errors opening or sealing.
#[test]
fn debug_and_errors_show_no_app_key() {
    let raw = "0123456789abcdef0123456789abcdef";
    let b64_body = KEY32.strip_prefix("base64:").unwrap();
    let enc = Encrypter::new(KEY32, Cipher::Aes256Cbc)
        .unwrap()
        .previous_keys([raw])
        .unwrap();
    let cookies = EncryptCookies::new(enc.clone()).serialize(true);
    let mut shown = vec![format!("{enc:?}"), format!("{cookies:?}")];
    let bad_keys = [
        format!("base64:{}", &b64_body[..40]),
        format!("base64:{b64_body}!"),
        raw[..31].to_owned(),
        format!("{raw}0"),
        b64_body.to_owned(),
        String::new(),
    ];
    for bad in &bad_keys {
        for cipher in CIPHERS {
            if let Err(e) = Encrypter::new(bad, cipher) {
                shown.push(format!("{e} {e:?}"));
            }
            if let Err(e) = crypt(cipher).previous_keys([bad.as_str()]) {
                shown.push(format!("{e} {e:?}"));
            }
        }
        if let Err(e) = Encrypter::from_bytes(bad.as_bytes(), Cipher::Aes256Gcm) {
            shown.push(format!("{e} {e:?}"));
        }
    }
    let value = enc.encrypt_string("not a php string").unwrap();
    for input in [value.as_str(), "", "eyJpdiI6", &"A".repeat(5000)] {
        for e in [
            enc.decrypt(input).err(),
            enc.open::<u8>(input).err(),
            cookies.open_str("a", input).err(),
            cookies.open_session_id(SESSION_COOKIE_NAME, input).err(),
        ]
        .into_iter()
        .flatten()
        {
            shown.push(format!("{e} {e:?}"));
        }
    }
    for e in [
        cookies
            .seal_session_id(SESSION_COOKIE_NAME, "not an id")
            .err(),
        cookies.seal_str("a", &"x".repeat(5000)).err(),
    ]
    .into_iter()
    .flatten()
    {
        shown.push(format!("{e} {e:?}"));
    }
    let secrets = [
        &b64_body[..20],
        &b64_body[20..],
        &raw[..16],
        &raw[16..],
        "0123456789abcdef0123456789abcde",
    ];
    for text in &shown {
        for s in secrets {
            assert!(!text.contains(s), "{s} in {text}");
        }
    }
    assert!(matches!(
        Encrypter::new(&bad_keys[0], Cipher::Aes256Cbc),
        Err(AppKeyError::WrongLength { .. })
    ));
}

/// The migration guide's recipes end to end against the real middleware: the browser's
/// `Cookie:` header (Laravel's `Set-Cookie` values) parsed as the guide parses it, the
/// session id and a typed bridge cookie opened, and a cookie written here read by Laravel
/// as the guide says (`json_decode($request->cookie('prefs'), true)['theme']`).
#[test]
fn migration_guide_recipes_work_with_the_real_middleware() {
    let Some(mut php) = php("migration_guide_recipes_work_with_the_real_middleware") else {
        return;
    };
    let cookies = laravel::cookies(KEY32).unwrap();
    let set = |php: &mut Peer, name: &str, value: &str| {
        let answer =
            php.call(json!({"op": "cookie_encrypt", "key": KEY32, "name": name, "value": value}));
        set_cookie_value(answer["header"].as_str().unwrap())
    };
    let header = format!(
        "XSRF-TOKEN={}; {SESSION_COOKIE_NAME}={}; bridge={}",
        set(&mut php, XSRF_COOKIE_NAME, XSRF_TOKEN),
        set(&mut php, SESSION_COOKIE_NAME, SESSION_ID),
        set(&mut php, "bridge", &bridge_json(42, SESSION_ID, NOW + 120)),
    );
    let cookie = |name: &str| {
        header
            .split(';')
            .map(str::trim)
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
    };
    let id = cookies
        .open_session_id(SESSION_COOKIE_NAME, cookie(SESSION_COOKIE_NAME).unwrap())
        .unwrap();
    assert_eq!(id, SESSION_ID);
    assert_eq!(bridge_user(&cookies, &header, NOW), Ok(42));
    // Written here, read there.
    let value = cookies.seal("prefs", &json!({"theme": "dark"})).unwrap();
    let back = php_cookie(
        &mut php,
        json!({"op": "cookie_decrypt", "key": KEY32, "name": "prefs", "value": value}),
    );
    let back: Value = serde_json::from_str(back.as_str().unwrap()).unwrap();
    assert_eq!(back["theme"], "dark");
    // The guide's rotation recipe with a value the real middleware wrote under the old key.
    let old = {
        let answer = php
            .call(json!({"op": "cookie_encrypt", "key": OLD32, "name": "prefs", "value": "dark"}));
        set_cookie_value(answer["header"].as_str().unwrap())
    };
    let rotated = EncryptCookies::new(
        Encrypter::new(KEY32, Cipher::Aes256Cbc)
            .unwrap()
            .previous_keys([OLD32])
            .unwrap(),
    );
    assert_eq!(rotated.open_str("prefs", &old).unwrap(), "dark");
    assert_eq!(rotated.open_str("prefs", &unwire(&old)).unwrap(), "dark");
}
