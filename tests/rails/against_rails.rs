//! Against the real Rails 6.1 (`tests/interop/rails_peer.rb`): every crafted cookie that opens
//! here opens the same in Rails, and what the metadata findings rest on, in Rails itself.

use super::moving::near_purposes;
use super::*;

/// Authentic cookie payloads of every shape the reader distinguishes.
fn crafted_cookie_payloads() -> Vec<Vec<u8>> {
    let one = b64(b"1");
    let mut out = near_purposes();
    for exp in [
        json!(null),
        json!("2099-01-01T00:00:00Z"),
        json!("2099-01-01T00:00:00.123456+05:30"),
        json!("2099-01-01t00:00:00z"),
        json!("2023-11-14T22:13:20.000Z"),
        json!("2023-11-14T22:13:21.000Z"),
        json!("2023-11-14T17:13:21-05:00"),
        json!("2023-11-14T17:13:19-05:00"),
        json!("2099-01-01T00:00:00"),
        json!("9999-12-31T23:59:59.999Z"),
        json!(4_102_444_800_i64),
        // ±24:00 to ±25:59: Ruby raises; refused here too (`an_exp_offset_ruby_refuses_never_opens`).
        json!("2099-01-01T00:00:00+24:00"),
        json!("2099-01-01T00:00:00-2559"),
    ] {
        out.push(legacy_envelope(&json!({"a": 1}), exp, json!("cookie.c")));
    }
    for text in [
        format!(r#"{{"_rails":{{"pur":"cookie.c","exp":null,"message":"{one}"}}}}"#),
        format!(r#" {{ "_rails" : {{ "message" : "{one}" , "pur" : "cookie.c" }} }} "#),
        format!(r#"{{"\u005frails":{{"message":"{one}","exp":null,"pur":"cookie.c"}}}}"#),
        format!(r#"{{"_rails":{{"message":"{one}","exp":null,"pur":"cookie\u002ec"}}}}"#),
        format!(r#"{{"extra":1,"_rails":{{"message":"{one}","exp":null,"pur":"cookie.c"}}}}"#),
        format!(r#"{{"_rails":{{"message":"{one}","exp":null,"pur":"cookie.c","x":[]}}}}"#),
        r#"{"_rails":{"message":"MQ","exp":null,"pur":"cookie.c"}}"#.to_owned(),
        r#"{"_rails":{"message":"MQ==\n","exp":null,"pur":"cookie.c"}}"#.to_owned(),
        r#"{"_rails":{"message":"M-Q=","exp":null,"pur":"cookie.c"}}"#.to_owned(),
        r#"{"_rails":{"message":null,"exp":null,"pur":"cookie.c"}}"#.to_owned(),
        r#"{"_rails":{"message":"","exp":null,"pur":"cookie.c"}}"#.to_owned(),
        r#"{"_rails":{"message":"BAg6BngK","exp":null,"pur":"cookie.c"}}"#.to_owned(),
        r#"{"_rails":{"exp":null,"pur":"cookie.c"}}"#.to_owned(),
        r#"{"_rails":null}"#.to_owned(),
        r#"{"_rails":[]}"#.to_owned(),
        r#"{"_rails":"cookie.c"}"#.to_owned(),
        r#"{"_Rails":{"message":"MQ==","exp":null,"pur":"cookie.c"}}"#.to_owned(),
        r#"{"_rails ":{"message":"MQ==","exp":null,"pur":"cookie.c"}}"#.to_owned(),
        r#"[{"_rails":{"message":"MQ==","exp":null,"pur":"cookie.c"}}]"#.to_owned(),
        r#"{"a":{"_rails":{"message":"MQ==","exp":null,"pur":"cookie.c"}}}"#.to_owned(),
        r#"{"a":1}"#.to_owned(),
        "\u{feff}1".to_owned(),
        "1 2".to_owned(),
        "NaN".to_owned(),
    ] {
        out.push(text.into_bytes());
    }
    // Nested: an envelope whose message is an envelope of another cookie.
    let inner = legacy_envelope(&json!(2), json!(null), json!("cookie.d"));
    out.push(
        serde_json::to_vec(
            &json!({"_rails": {"message": b64(&inner), "exp": null, "pur": "cookie.c"}}),
        )
        .unwrap(),
    );
    out
}

#[test]
fn every_crafted_cookie_that_opens_here_opens_the_same_in_rails() {
    let Some(mut rb) = rails_peer("every_crafted_cookie_that_opens_here_opens_the_same_in_rails")
    else {
        return;
    };
    let key = signed_cookie_key();
    let settings = json!({"secret_key_base": SKB, "signed_cookie_digest": "SHA256"});
    let mut opened = 0;
    for data in crafted_cookie_payloads() {
        let label = String::from_utf8_lossy(&data).into_owned();
        let value = sign256(&key, &data)
            .replace('=', "%3D")
            .replace('+', "%2B")
            .replace('/', "%2F");
        let theirs = rails_reads(&mut rb, &settings, "signed", "c", &value, NOW);
        for jar in [jar256(), jar256().accept_unpurposed(true)] {
            if let Ok(ours) = jar.signed("c").open::<Value>(&value) {
                opened += 1;
                assert_eq!(theirs, Ok(Some(ours)), "{label}");
            }
        }
    }
    assert!(opened > 10);
}

/// What the finding `a_sealed_value_spelling_the_metadata_envelope_never_forges_a_purpose`
/// rests on, in Rails itself: a map spelling `_rails` signed without a purpose is read as an
/// envelope of the purpose it spells; the same map inside an envelope with `pur: null` (what
/// Rails writes for an expiry without a purpose) is read back as the map. So a sealer that
/// always envelopes such a value stays compatible with Rails.
#[test]
fn rails_reads_a_map_spelling_rails_as_an_envelope_unless_it_is_enveloped() {
    let Some(mut rb) =
        rails_peer("rails_reads_a_map_spelling_rails_as_an_envelope_unless_it_is_enveloped")
    else {
        return;
    };
    let secret = [3u8; 64];
    let user_map = json!({"_rails": {
        "message": b64(br#"{"user_id":1}"#), "exp": null, "pur": "password_reset"}});
    let bare = sign256(&secret, &serde_json::to_vec(&user_map).unwrap());
    assert_eq!(
        rails_verifies(&mut rb, &secret, &bare, Some("password_reset"), NOW),
        Some(json!({"user_id": 1}))
    );
    assert_eq!(rails_verifies(&mut rb, &secret, &bare, None, NOW), None);
    let enveloped = sign256(
        &secret,
        &legacy_envelope(&user_map, json!(null), json!(null)),
    );
    assert_eq!(
        rails_verifies(&mut rb, &secret, &enveloped, None, NOW),
        Some(user_map.clone())
    );
    assert_eq!(
        rails_verifies(&mut rb, &secret, &enveloped, Some("password_reset"), NOW),
        None
    );
    // The same for cookies written without metadata (Rails 5.2 settings): bare, Rails 6.1
    // reads the map as cookie `admin`'s value `true`; enveloped with `pur: null`, its
    // second read (without a purpose) gives back the map itself.
    let settings = json!({"secret_key_base": SKB, "signed_cookie_digest": "SHA256"});
    let key = signed_cookie_key();
    let admin = json!({"_rails": {"message": b64(b"true"), "exp": null, "pur": "cookie.admin"}});
    let bare = sign256(&key, &serde_json::to_vec(&admin).unwrap()).replace('=', "%3D");
    assert_eq!(
        rails_reads(&mut rb, &settings, "signed", "admin", &bare, NOW),
        Ok(Some(json!(true)))
    );
    let enveloped =
        sign256(&key, &legacy_envelope(&admin, json!(null), json!(null))).replace('=', "%3D");
    assert_eq!(
        rails_reads(&mut rb, &settings, "signed", "admin", &enveloped, NOW),
        Ok(Some(admin))
    );
}

/// The fix of `a_sealed_value_spelling_the_metadata_envelope_never_forges_a_purpose`, in
/// Rails: a map spelling `_rails` sealed here without a purpose (a verifier, an encryptor, a
/// jar writing without metadata) reads back in Rails as the map, never as a message of the
/// purpose or cookie it spells.
#[test]
fn a_map_spelling_rails_sealed_here_reads_back_as_the_map_in_rails() {
    let Some(mut rb) =
        rails_peer("a_map_spelling_rails_sealed_here_reads_back_as_the_map_in_rails")
    else {
        return;
    };
    let user_map = json!({"_rails": {
        "message": b64(br#"{"user_id":1}"#), "exp": null, "pur": "password_reset"}});
    let secret = [3u8; 64];
    let token = MessageVerifier::new(secret)
        .unwrap()
        .digest(Digest::Sha256)
        .seal(&user_map)
        .unwrap();
    assert_eq!(
        rails_verifies(&mut rb, &secret, &token, None, NOW),
        Some(user_map.clone())
    );
    assert_eq!(
        rails_verifies(&mut rb, &secret, &token, Some("password_reset"), NOW),
        None
    );
    let key = [4u8; 32];
    let token = MessageEncryptor::new(key).unwrap().seal(&user_map).unwrap();
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    for (purpose, expected) in [
        (None, json!(user_map)),
        (Some("password_reset"), json!(null)),
    ] {
        let answer = rb.call(json!({"op": "encryptor_decrypt", "secret": hex,
            "value": token, "purpose": purpose, "now": NOW}));
        assert_eq!(answer["value"], expected, "{purpose:?}: {answer}");
    }
    // Cookies written without metadata (Rails 5.2 settings): Rails reads them back under
    // their own name and, on its second read without a purpose, under any other, as the map.
    let admin = json!({"_rails": {"message": b64(b"true"), "exp": null, "pur": "cookie.admin"}});
    let v52 = CookieJar::new(SKB).unwrap().load_defaults(Defaults::V5_2);
    for jar in ["signed", "encrypted"] {
        let value = if jar == "signed" {
            v52.signed("prefs").seal(&admin)
        } else {
            v52.encrypted("prefs").seal(&admin)
        }
        .unwrap();
        for (metadata, name) in [(false, "prefs"), (true, "admin")] {
            let settings = json!({"secret_key_base": SKB, "metadata": metadata});
            assert_eq!(
                rails_reads(&mut rb, &settings, jar, name, &value, NOW),
                Ok(Some(admin.clone())),
                "{jar} read as {name}"
            );
        }
    }
}

/// What the finding `cookies_open_only_the_envelope_rails_cookie_jars_read` rests on: Rails
/// 6.1's cookie jar raises on the 7.1 `data` layout (no `message` to decode) and reads two
/// `_rails` keys as the last one.
#[test]
fn rails_cookie_jars_do_not_read_the_data_layout_or_the_first_of_two_envelopes() {
    let Some(mut rb) =
        rails_peer("rails_cookie_jars_do_not_read_the_data_layout_or_the_first_of_two_envelopes")
    else {
        return;
    };
    let settings = json!({"secret_key_base": SKB, "signed_cookie_digest": "SHA256"});
    let key = signed_cookie_key();
    let data_layout = sign256(
        &key,
        br#"{"_rails":{"data":{"admin":true},"pur":"cookie.admin"}}"#,
    );
    let read = rails_reads(&mut rb, &settings, "signed", "admin", &data_layout, NOW);
    assert!(!matches!(read, Ok(Some(_))), "{read:?}");
    let duplicate = sign256(
        &key,
        br#"{"_rails":{"message":"MQ==","exp":null,"pur":"cookie.x"},"_rails":{"message":"Mg==","exp":null,"pur":"cookie.y"}}"#,
    )
    .replace('=', "%3D");
    assert_eq!(
        rails_reads(&mut rb, &settings, "signed", "x", &duplicate, NOW),
        Ok(None)
    );
    assert_eq!(
        rails_reads(&mut rb, &settings, "signed", "y", &duplicate, NOW),
        Ok(Some(json!(2)))
    );
}
