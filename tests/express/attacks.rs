//! Attacks checked against the real Express packages where they have a verdict: signatures
//! moved, percent-encoding, truncation, dots, deep JSON, mutations, rotation, secrets in
//! `Debug`, and the guide's recipes.

use serde_json::{json, Value};
use typed_cookies::interop::{express, Digest};
use typed_cookies::OpenError;

use crate::interop::mutations;
use crate::*;

/// cookie-signature covers the value only (documented): a `connect.sid` value opens as any
/// other signed cookie under the same secret, on both sides — and the `s:` prefix and
/// signature cannot be moved to make a JSON value out of a string.
#[test]
fn signed_values_carry_no_name_on_either_side() {
    let Some(mut js) = node("signed_values_carry_no_name_on_either_side") else {
        return;
    };
    let sid = express::session_id_cookie(SECRET)
        .seal("CsRqn3VmFQ1kJ9r5a2m8Xh0qU7pLwE4Y")
        .unwrap();
    // cookie-parser reads it as cookie `role`, and so does signed_cookie (as a string).
    assert_eq!(
        parser_verdict(&mut js, json!([SECRET]), "role", &sid),
        Ok(json!("CsRqn3VmFQ1kJ9r5a2m8Xh0qU7pLwE4Y"))
    );
    let cookies = express::signed_cookie(SECRET);
    assert_eq!(
        cookies.open::<String>(&sid).unwrap(),
        "CsRqn3VmFQ1kJ9r5a2m8Xh0qU7pLwE4Y"
    );
    // …but never as a structured type: a session id is no JSON.
    assert!(matches!(
        cookies.open::<Vec<u8>>(&sid),
        Err(OpenError::PayloadMismatch { .. })
    ));
    // A string sealed here can never become `j:` JSON (Express itself would write it as is).
    for text in ["j:{\"admin\":true}", "j:[1]", "j:null"] {
        assert!(cookies.seal(text).is_err(), "{text}");
    }
    // Prefixing `j:` to a signed string breaks its signature on both sides.
    let theme = cookies.seal("{\"admin\":true}").unwrap();
    let moved = theme.replacen("s%3A", "s%3Aj%3A", 1);
    assert_eq!(
        parser_verdict(&mut js, json!([SECRET]), "c", &moved),
        Err("invalid".to_owned())
    );
    assert_eq!(cookies.open::<Value>(&moved), Err(OpenError::Invalid));
    assert!(cookies.open::<Value>(&theme).unwrap().is_string());
}

/// keygrip signs `NAME=VALUE`: a `.sig` moved to another cookie-session cookie (another
/// name, or the same name with another value) is refused by cookie-session and here.
#[test]
fn keygrip_signature_binds_name_and_value() {
    let Some(mut js) = node("keygrip_signature_binds_name_and_value") else {
        return;
    };
    for (digest, algorithm) in [
        (Digest::Sha1, Value::Null),
        (Digest::Sha256, json!("sha256")),
    ] {
        let a = express::cookie_session(SECRET).name("a").digest(digest);
        let b = a.clone().name("b");
        let admin = a.seal(&json!({"user": "admin"})).unwrap();
        let guest = a.seal(&json!({"user": "guest"})).unwrap();
        let b_admin = b.seal(&json!({"user": "admin"})).unwrap();
        assert_eq!(b_admin.value, admin.value); // the same session, so the same value
        let cases = [
            // b's signature of the same value, presented for a.
            ("a", admin.value.clone(), b_admin.sig.clone()),
            // a's signature of another value of a.
            ("a", admin.value.clone(), guest.sig.clone()),
            // a's genuine pair, sent under name b.
            ("b", admin.value.clone(), admin.sig.clone()),
            // the signature cookie's value in the value's place.
            ("a", admin.sig.clone(), admin.sig.clone()),
            // the right signature in standard base64, padded, or with a byte more.
            (
                "a",
                admin.value.clone(),
                admin.sig.replace('-', "+").replace('_', "/") + "+",
            ),
            ("a", admin.value.clone(), format!("{}=", admin.sig)),
            ("a", admin.value.clone(), format!("{}A", admin.sig)),
        ];
        for (name, value, sig) in cases {
            let ours = a.clone().name(name).open::<Value>(&value, &sig);
            assert_eq!(ours, Err(OpenError::Invalid), "{name} {value} {sig}");
            let theirs = js.call(json!({"op": "session_open", "keys": [SECRET],
                                        "algorithm": algorithm, "name": name,
                                        "value": value, "sig": sig}));
            assert_eq!(theirs["is_new"], true, "{theirs}");
        }
        // The genuine pair opens on both sides.
        let theirs = js.call(json!({"op": "session_open", "keys": [SECRET],
                                    "algorithm": algorithm, "name": "a",
                                    "value": admin.value, "sig": admin.sig}));
        assert_eq!(theirs["session"], json!({"user": "admin"}), "{theirs}");
        assert_eq!(
            a.open::<Value>(&admin.value, &admin.sig).unwrap(),
            json!({"user": "admin"})
        );
    }
}

/// Percent-encoding tricks on a genuine signed cookie and session id: whatever opens here
/// opens in Express to the same value; double encoding, `%00`, overlong UTF-8, `%u` escapes,
/// and a changed `+` or space are refused by both.
#[test]
fn percent_encoding_tricks_get_express_s_verdict() {
    let Some(mut js) = node("percent_encoding_tricks_get_express_s_verdict") else {
        return;
    };
    let cookies = express::signed_cookie(SECRET);
    let genuine = cookies.seal(&json!({"a": [1, 2], "b": "x y+z"})).unwrap();
    let decoded = decode_once(&genuine);
    let (text, sig) = decoded.rsplit_once('.').unwrap();
    let double = genuine.replace('%', "%25");
    let variants: Vec<(String, bool)> = vec![
        // (variant, opens on both sides)
        (genuine.clone(), true),
        (lower_escapes(&genuine), true),
        (encode_every_byte(&decoded), true),
        (decoded.replace(' ', "%20"), true),
        (double.clone(), false),
        (double.replacen("%253A", "%3A", 1), false),
        (genuine.replacen("s%3A", "s%3A%00", 1), false),
        (genuine.replacen("s%3A", "s%C0%BA", 1), false),
        (genuine.replacen("s%3A", "s%u003A", 1), false),
        (genuine.replacen("%20", "+", 1), false),
        (
            format!(
                "s%3A{}.{}",
                encode_every_byte(text.strip_prefix("s:").unwrap()),
                sig
            ),
            true,
        ),
        (
            format!("{}.{}", text, sig.replace('+', "%2B").replace('/', "%2F")),
            true,
        ),
        (format!("{text}.{sig}%00"), false),
        (format!("{text}%2E{sig}"), true),
        (format!("{text}..{sig}"), false),
        (format!("{text}.{sig}="), false),
    ];
    for (variant, opens) in variants {
        let theirs = parser_verdict(&mut js, json!([SECRET]), "c", &variant);
        let ours = cookies.open::<Value>(&variant);
        assert_eq!(
            theirs.is_ok(),
            opens,
            "cookie-parser on {variant:?}: {theirs:?}"
        );
        match ours {
            Ok(v) => assert_eq!(Ok(v), theirs, "{variant:?}"),
            Err(e) => assert!(
                !opens,
                "{variant:?} refused here ({e:?}) but opens in Express"
            ),
        }
    }
    // A value framed in double quotes: cookie.parse strips them, we refuse it (never the
    // other way round).
    let quoted = format!("\"{genuine}\"");
    assert!(parser_verdict(&mut js, json!([SECRET]), "c", &quoted).is_ok());
    assert_eq!(cookies.open::<Value>(&quoted), Err(OpenError::Malformed));

    // The session id through express-session's own cookie parsing.
    let sid = express::session_id_cookie(SECRET);
    let genuine = sid.seal("user:42/é+=").unwrap();
    let decoded = decode_once(&genuine);
    let variants = [
        (genuine.clone(), true),
        (lower_escapes(&genuine), true),
        (encode_every_byte(&decoded), true),
        (genuine.replace('%', "%25"), false),
        (genuine.replacen("%2B", "+", 1), true),
        (genuine.replacen("%2B", "%20", 1), false),
        (genuine.replacen("s%3A", "s%3A%00", 1), false),
        (genuine.replacen("%3A", "%C0%BA", 1), false),
    ];
    for (variant, opens) in variants {
        let theirs = session_verdict(&mut js, json!([SECRET]), &variant);
        assert_eq!(theirs.is_some(), opens, "express-session on {variant:?}");
        match sid.open(&variant) {
            Ok(id) => assert_eq!(Some(id), theirs, "{variant:?}"),
            Err(e) => assert!(
                !opens,
                "{variant:?} refused here ({e:?}) but opens in Express"
            ),
        }
    }
}

/// Truncated, padded, non-canonical and base64url signatures: refused by cookie-signature
/// (the top-level 1.2.2 `unsign`) and by cookie-parser, and here.
#[test]
fn truncated_and_non_canonical_signatures_are_refused() {
    let Some(mut js) = node("truncated_and_non_canonical_signatures_are_refused") else {
        return;
    };
    let signer = express::Signer::new(SECRET);
    // Find a value whose signature has `+` or `/` (to try the base64url spelling).
    let (value, signed) = (0..200)
        .map(|i| format!("v{i}"))
        .map(|v| {
            let s = signer.sign(&v).unwrap();
            (v, s)
        })
        .find(|(_, s)| s.rsplit_once('.').unwrap().1.contains(['+', '/']))
        .unwrap();
    let (_, sig) = signed.rsplit_once('.').unwrap();
    assert_eq!(sig.len(), 43);
    // The last character carries 2 unused bits: change them, the bytes stay the same.
    let last = sig.as_bytes()[42];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let index = alphabet.iter().position(|&c| c == last).unwrap();
    let sloppy = char::from(alphabet[(index & !3) | ((index + 1) & 3)]);
    let mut bad: Vec<String> = (1..=43)
        .map(|cut| format!("{value}.{}", &sig[..43 - cut]))
        .collect();
    bad.extend([
        format!("{value}.{sig}="),
        format!("{value}.{sig}A"),
        format!("{value}.{}{sloppy}", &sig[..42]),
        format!("{value}.{}", sig.replace('+', "-").replace('/', "_")),
        format!("{value}. {sig}"),
        format!("{value}.{sig} "),
        format!("{value}{sig}"),
        format!("{value}..{sig}"),
    ]);
    if sig.to_ascii_uppercase() != sig {
        bad.push(format!("{value}.{}", sig.to_ascii_uppercase()));
    }
    for b in &bad {
        assert!(signer.unsign(b).is_err(), "{b}");
        let theirs = js.call(json!({"op": "unsign", "value": b, "secrets": [SECRET]}));
        assert_eq!(theirs["value"], false, "{b}: {theirs}");
        let cookie = format!("s:{b}");
        assert!(
            express::signed_cookie(SECRET)
                .open::<String>(&cookie)
                .is_err(),
            "{b}"
        );
        if !b.ends_with(' ') && !b.contains(". ") {
            assert_eq!(
                parser_verdict(&mut js, json!([SECRET]), "c", &cookie),
                Err("invalid".to_owned()),
                "{b}"
            );
        }
    }
    assert_eq!(signer.unsign(&signed).unwrap(), value);
}

/// Dots: the signature is after the last `.`, on both sides; dots cannot be moved between
/// the value and the signature.
#[test]
fn dots_in_values_split_at_the_last_one() {
    let Some(mut js) = node("dots_in_values_split_at_the_last_one") else {
        return;
    };
    let signer = express::Signer::new(SECRET);
    for value in ["a.b", "a.b.c", ".", "..", "a.", ".a"] {
        let signed = signer.sign(value).unwrap();
        let theirs = js.value(
            json!({"op": "sign", "value": value, "secret": SECRET}),
            "value",
        );
        assert_eq!(signed, theirs);
        assert_eq!(signer.unsign(&signed).unwrap(), value);
        // Dropping the value's last dot part, or adding one, breaks the signature.
        let (v, sig) = signed.rsplit_once('.').unwrap();
        let shifted = [
            format!("{}.{sig}", v.rsplit_once('.').map_or("", |(head, _)| head)),
            format!("{v}.x.{sig}"),
            format!("{v}.{sig}.{sig}"),
        ];
        for s in shifted {
            assert!(signer.unsign(&s).is_err(), "{s}");
            let back = js.call(json!({"op": "unsign", "value": s, "secrets": [SECRET]}));
            assert_eq!(back["value"], false, "{s}");
        }
    }
}

/// Deep and large JSON in an authentic value (signed here with the secret, as an Express app
/// with a bug could) never panics: it opens within serde_json's depth limit or is refused.
#[test]
fn deep_and_large_json_never_panics() {
    let signer = express::Signer::new(SECRET);
    let cookies = express::signed_cookie(SECRET);
    let sessions = express::cookie_session(SECRET);
    for depth in [100, 127, 128, 129, 500, 1000, 1900] {
        let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let value = format!("s:{}", signer.sign(&format!("j:{deep}")).unwrap());
        match cookies.open::<Value>(&value) {
            // Too deep for serde_json: cookie-parser's raw text, as JSON that is not a T.
            Ok(v) => assert!(v.is_array() || v.is_string(), "{depth}"),
            Err(e) => assert!(matches!(e, OpenError::TooLarge { .. }), "{depth}: {e:?}"),
        }
        if depth <= 100 {
            assert!(cookies.open::<Vec<Value>>(&value).is_ok(), "{depth}");
        }
        let obj = format!("{{\"a\":{deep}}}");
        let value = base64_std(obj.as_bytes());
        let sig = sessions.sign(&value).unwrap();
        match sessions.open::<Value>(&value, &sig) {
            Ok(v) => assert!(v["a"].is_array(), "{depth}"),
            Err(e) => assert!(
                matches!(
                    e,
                    OpenError::PayloadMismatch { .. } | OpenError::TooLarge { .. }
                ),
                "{depth}: {e:?}"
            ),
        }
    }
    // Many keys, long strings, escapes: no panic, a value or a refusal.
    let wide = format!(
        "{{{}}}",
        (0..300)
            .map(|i| format!("\"k{i}\":\"\\u0000\\ud83d\\ude00\""))
            .collect::<Vec<_>>()
            .join(",")
    );
    let value = format!("s:{}", signer.sign(&format!("j:{wide}")).unwrap());
    let _ = cookies.open::<Value>(&value);
    let lone = format!("s:{}", signer.sign("j:\"\\ud800\"").unwrap());
    assert!(cookies.open::<Value>(&lone).is_ok_and(|v| v.is_string()));
}

/// Mutations around percent-escapes, quotes, `+` and NUL, of every kind of value: never a
/// panic, and never another value than the genuine one.
#[test]
fn mutated_values_never_open_to_another_value() {
    let cookies = express::signed_cookie(SECRET).fallbacks([OLD]);
    let sid = express::session_id_cookie(SECRET).fallbacks([OLD]);
    let sessions = express::cookie_session(SECRET).fallbacks([OLD]);
    let signed = cookies.seal(&json!({"user": "ada ✓ 100% +/=;"})).unwrap();
    let id = sid.seal("user:42/é+=").unwrap();
    let session = sessions.seal(&json!({"user": "ada"})).unwrap();
    let genuine_signed = cookies.open::<Value>(&signed).unwrap();
    let genuine_id = sid.open(&id).unwrap();
    // Under one secret a signed cookie is also a session id (documented): its text.
    let signed_as_id = sid.open(&signed).unwrap();
    let extra = |value: &str| {
        let mut out = mutations(value);
        for (i, _) in value.char_indices() {
            for insert in ["%", "%25", "%00", "+", " ", "\"", "%2E", ".", "%3A", "s%3A"] {
                out.push(format!("{}{insert}{}", &value[..i], &value[i..]));
            }
        }
        out.push(lower_escapes(value));
        out.push(value.replace('%', "%25"));
        out
    };
    for m in extra(&signed) {
        if let Ok(v) = cookies.open::<Value>(&m) {
            assert_eq!(v, genuine_signed, "{m:?}");
        }
        if let Ok(v) = sid.open(&m) {
            assert_eq!(v, signed_as_id, "{m:?}");
        }
    }
    for m in extra(&id) {
        if let Ok(v) = sid.open(&m) {
            assert_eq!(v, genuine_id, "{m:?}");
        }
        let _ = express::inspect(&m);
    }
    for m in extra(&session.value) {
        if m != session.value {
            assert!(sessions.open::<Value>(&m, &session.sig).is_err(), "{m:?}");
        }
    }
    for m in extra(&session.sig) {
        if m != session.sig {
            assert!(sessions.open::<Value>(&session.value, &m).is_err(), "{m:?}");
            assert!(sessions.key_index(&session.value, &m).is_err(), "{m:?}");
        }
    }
}

/// Rotation: old secrets only verify; whatever is sealed or re-signed after opening a value
/// of an old secret is under the current one, so the old secret alone cannot open it.
#[test]
fn rotation_reseals_only_under_the_current_secret() {
    let old_only = express::cookie_session(OLD);
    let rotated = express::cookie_session(SECRET).fallbacks([OLD]);
    let by_old = old_only.seal(&json!({"n": 1})).unwrap();
    assert_eq!(rotated.key_index(&by_old.value, &by_old.sig).unwrap(), 1);
    let resigned = rotated.sign(&by_old.value).unwrap();
    assert_eq!(rotated.key_index(&by_old.value, &resigned).unwrap(), 0);
    assert_eq!(
        old_only.key_index(&by_old.value, &resigned),
        Err(OpenError::Invalid)
    );
    let resealed = rotated
        .seal(&rotated.open::<Value>(&by_old.value, &by_old.sig).unwrap())
        .unwrap();
    assert_eq!(
        old_only.open::<Value>(&resealed.value, &resealed.sig),
        Err(OpenError::Invalid)
    );
    let (old, new) = (
        express::signed_cookie(OLD),
        express::signed_cookie(SECRET).fallbacks([OLD]),
    );
    let by_old = old.seal("v").unwrap();
    assert_eq!(new.open::<String>(&by_old).unwrap(), "v");
    let resealed = new.seal(&new.open::<String>(&by_old).unwrap()).unwrap();
    assert_eq!(old.open::<String>(&resealed), Err(OpenError::Invalid));
    let sid_old = express::session_id_cookie(OLD);
    let sid = express::session_id_cookie(SECRET).fallbacks([OLD]);
    let resealed = sid
        .seal(&sid.open(&sid_old.seal("abc").unwrap()).unwrap())
        .unwrap();
    assert_eq!(sid_old.open(&resealed), Err(OpenError::Invalid));
    // fallbacks() replaces the list: a dropped secret no longer opens.
    let dropped = express::signed_cookie(SECRET)
        .fallbacks([OLD])
        .fallbacks(["other"]);
    assert_eq!(
        dropped.open::<String>(&express::signed_cookie(OLD).seal("v").unwrap()),
        Err(OpenError::Invalid)
    );
}

/// No secret in `Debug` of any configured type, nor in any error opening or sealing gives.
#[test]
fn debug_and_errors_show_no_secret() {
    let secret = "hunter2-express-secret";
    let old = "swordfish-old-secret";
    let shown = [
        format!("{:?}", express::Signer::new(secret).fallbacks([old])),
        format!("{:?}", express::signed_cookie(secret).fallbacks([old])),
        format!("{:?}", express::session_id_cookie(secret).fallbacks([old])),
        format!(
            "{:?}",
            express::cookie_session(secret)
                .fallbacks([old])
                .digest(Digest::Sha256)
        ),
    ];
    let cookies = express::signed_cookie(secret).fallbacks([old]);
    let sessions = express::cookie_session(secret).fallbacks([old]);
    let sid = express::session_id_cookie(secret).fallbacks([old]);
    let mut errors = Vec::new();
    for input in [
        "",
        "s:",
        "s:x.y",
        "s%3Ax.AAAA",
        &"a".repeat(5000),
        "%",
        "s:j:{}.x",
    ] {
        for e in [
            cookies.open::<Value>(input).err(),
            cookies
                .open::<u8>(&cookies.seal(&json!({"a": 1})).unwrap())
                .err(),
            sid.open(input).err(),
            sessions.open::<Value>(input, input).err(),
            sessions
                .open::<u8>(&sessions.seal(&json!({})).unwrap().value, input)
                .err(),
        ]
        .into_iter()
        .flatten()
        {
            errors.push(format!("{e} {e:?}"));
        }
    }
    for e in [
        cookies.seal("j:x").err(),
        cookies.seal(&"x".repeat(5000)).err(),
        sid.seal("").err(),
        sessions.seal(&[1]).err(),
    ]
    .into_iter()
    .flatten()
    {
        errors.push(format!("{e} {e:?}"));
    }
    for text in shown.iter().chain(&errors) {
        for s in [secret, old, "hunter2", "swordfish"] {
            assert!(!text.contains(s), "{text}");
        }
    }
}

/// The mechanics of the SHA-256 finding above, against the real packages: a string signed by
/// Express's `res.cookie(…, { signed: true })` (and by `signed_cookie` here), its signature
/// re-spelled in base64url, is a `session.sig` that cookie-session (keygrip SHA-256) and
/// `cookie_session(..).digest(Digest::Sha256)` accept, for a session the string chose.
#[test]
fn keygrip_sha256_and_cookie_signature_share_one_mac() {
    let Some(mut js) = node("keygrip_sha256_and_cookie_signature_share_one_mac") else {
        return;
    };
    let chosen = base64_std(br#"{"admin":true}"#);
    let text = format!("session={chosen}");
    let theirs = js.value(
        json!({"op": "cookie_seal", "secrets": [SECRET], "name": "lang", "value": text}),
        "value",
    );
    let ours = express::signed_cookie(SECRET).seal(text.as_str()).unwrap();
    assert_eq!(ours, theirs);
    let sig = decode_once(&theirs)
        .rsplit_once('.')
        .unwrap()
        .1
        .replace('+', "-")
        .replace('/', "_");
    let back = js.call(
        json!({"op": "session_open", "keys": [SECRET], "algorithm": "sha256",
                              "name": "session", "value": chosen, "sig": sig}),
    );
    assert_eq!(back["session"], json!({"admin": true}), "{back}");
    assert_eq!(back["is_new"], false);
    let sessions = express::cookie_session(SECRET).digest(Digest::Sha256);
    assert_eq!(
        sessions.open::<Value>(&chosen, &sig).unwrap(),
        json!({"admin": true})
    );
    // Under keygrip's default SHA-1 the two never meet.
    let back = js.call(
        json!({"op": "session_open", "keys": [SECRET], "name": "session",
                              "value": chosen, "sig": sig}),
    );
    assert_eq!(back["is_new"], true);
    assert_eq!(
        express::cookie_session(SECRET).open::<Value>(&chosen, &sig),
        Err(OpenError::Invalid)
    );
}

/// The guide's recipes with cookies the real Express packages set: its `cookie()` helper
/// over the browser's `Cookie:` header finds them, and the values open (cookie-session's pair,
/// express-session's `connect.sid` both percent-encoded and decoded, a signed object).
#[test]
fn migration_guide_recipes_work_with_real_express() {
    let Some(mut js) = node("migration_guide_recipes_work_with_real_express") else {
        return;
    };
    fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, value)| value)
    }
    let theirs = js.call(
        json!({"op": "session_seal", "keys": [SECRET, OLD], "name": "session",
                                "obj": {"user_id": 42, "cart": [7]}}),
    );
    let sid = js.value(
        json!({"op": "sid_seal", "secrets": [SECRET, OLD], "name": "connect.sid",
               "id": "CsRqn3VmFQ1kJ9r5a2m8Xh0qU7pLwE4Y"}),
        "value",
    );
    let prefs = js.value(
        json!({"op": "cookie_seal", "secrets": [SECRET], "name": "prefs",
               "value": {"theme": "dark", "lang": "fr"}}),
        "value",
    );
    let header = format!(
        "session={}; session.sig={}; connect.sid={sid}; prefs={prefs}",
        theirs["value"].as_str().unwrap(),
        theirs["sig"].as_str().unwrap()
    );
    let sessions = express::cookie_session(SECRET).fallbacks([OLD]);
    let value = cookie(&header, sessions.cookie_name()).unwrap_or_default();
    let sig = cookie(&header, &sessions.sig_name()).unwrap_or_default();
    let session: Value = sessions.open(value, sig).unwrap();
    assert_eq!(session, json!({"user_id": 42, "cart": [7]}));
    let ids = express::session_id_cookie(SECRET).fallbacks([OLD]);
    let raw = cookie(&header, express::SESSION_ID_COOKIE_NAME).unwrap();
    assert_eq!(ids.open(raw).unwrap(), "CsRqn3VmFQ1kJ9r5a2m8Xh0qU7pLwE4Y");
    assert_eq!(
        ids.open(&decode_once(raw)).unwrap(),
        "CsRqn3VmFQ1kJ9r5a2m8Xh0qU7pLwE4Y"
    );
    let cookies = express::signed_cookie(SECRET).fallbacks([OLD]);
    let prefs: Value = cookies.open(cookie(&header, "prefs").unwrap()).unwrap();
    assert_eq!(prefs, json!({"theme": "dark", "lang": "fr"}));
}
