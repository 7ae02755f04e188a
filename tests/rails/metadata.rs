//! Metadata spelled in data: `_rails` in a sealed value never forges a purpose, nested
//! envelopes, the layouts cookies read, arrays and scalars, and Ruby Marshal refused after
//! authentication wherever it sits.

use super::*;

/// A value whose JSON is an object with a top-level `_rails` key, sealed
/// with no purpose and no expiry, was written bare, and every opener (here and in Rails) then
/// read it as a metadata envelope of whatever purpose and expiry it spelled: an app signing a
/// user-chosen map without a purpose, under a verifier or encryptor it also uses with a
/// purpose, handed out tokens of that purpose. Such a value is now sealed in an envelope of
/// its own (`"pur":null`) and opens as itself, and only without a purpose.
#[test]
fn a_sealed_value_spelling_the_metadata_envelope_never_forges_a_purpose() {
    let forged = json!({"user_id": 1});
    let user_map = json!({"_rails": {
        "message": b64(&serde_json::to_vec(&forged).unwrap()),
        "exp": null,
        "pur": "password_reset",
    }});

    // MessageVerifier: `generate(params[:filter])` next to `generate(id, purpose: :password_reset)`.
    let verifier = MessageVerifier::new([3u8; 64]).unwrap();
    let token = verifier.seal(&user_map).unwrap();
    assert_eq!(
        verifier
            .clone()
            .purpose("password_reset")
            .open::<Value>(&token),
        Err(OpenError::Invalid),
        "a user map signed without a purpose opened as a password_reset token"
    );
    assert_eq!(verifier.open::<Value>(&token).unwrap(), user_map);

    // The 7.1 layout spelled in the value: the same.
    let embedded = json!({"_rails": {"data": {"user_id": 1}, "pur": "password_reset"}});
    let token = verifier.seal(&embedded).unwrap();
    assert_eq!(
        verifier
            .clone()
            .purpose("password_reset")
            .open::<Value>(&token),
        Err(OpenError::Invalid)
    );
    assert_eq!(verifier.open::<Value>(&token).unwrap(), embedded);

    // MessageEncryptor, the same.
    let encryptor = MessageEncryptor::new([4u8; 32]).unwrap();
    let token = encryptor.seal(&user_map).unwrap();
    assert_eq!(
        encryptor
            .clone()
            .purpose("password_reset")
            .open::<Value>(&token),
        Err(OpenError::Invalid)
    );
    assert_eq!(encryptor.open::<Value>(&token).unwrap(), user_map);

    // A jar writing without metadata (Rails 5.2 settings, e.g. during a migration) stores a
    // user map in cookie `prefs`; the strict Rails 6.1 jar of the same app (purpose required,
    // `accept_unpurposed` off) then opens it as cookie `admin`.
    let admin = json!({"_rails": {
        "message": b64(br#"{"admin":true}"#),
        "exp": null,
        "pur": "cookie.admin",
    }});
    let v52 = CookieJar::new(SKB).unwrap().load_defaults(Defaults::V5_2);
    let strict = CookieJar::new(SKB).unwrap();
    for kind in ["signed", "encrypted"] {
        let value = if kind == "signed" {
            v52.signed("prefs").seal(&admin)
        } else {
            v52.encrypted("prefs").seal(&admin)
        }
        .unwrap();
        let opened = if kind == "signed" {
            strict.signed("admin").open::<Value>(&value)
        } else {
            strict.encrypted("admin").open::<Value>(&value)
        };
        assert_eq!(
            opened,
            Err(OpenError::Invalid),
            "{kind}: prefs opened as admin"
        );
    }
}

/// Cookies opened envelopes that no Rails cookie jar reads as envelopes: the
/// 7.1 `{"_rails":{"data":…,"pur":"cookie.NAME"}}` layout (Rails 6.1's jar raises on it; 7.1's
/// jar, with its pass-through serializer, recognises only `{"_rails":{"message":`), and, with
/// `accept_unpurposed`, an object with two `_rails` keys, which Rails reads as the envelope of
/// the last one and serde refused as an envelope, so it opened as a bare, unpurposed value.
/// Each widened what a bare user map written under the cookie keys could turn into; both are
/// now refused.
#[test]
fn cookies_open_only_the_envelope_rails_cookie_jars_read() {
    let key = signed_cookie_key();
    let data_layout = sign256(
        &key,
        br#"{"_rails":{"data":{"admin":true},"pur":"cookie.admin"}}"#,
    );
    let opened = jar256().signed("admin").open::<Value>(&data_layout);
    assert!(
        opened.is_err(),
        "the 7.1 data layout opened as cookie admin: {opened:?}"
    );
    let duplicate = sign256(
        &key,
        br#"{"_rails":{"message":"MQ==","exp":null,"pur":"cookie.x"},"_rails":{"message":"Mg==","exp":null,"pur":"cookie.y"}}"#,
    );
    let opened = jar256()
        .accept_unpurposed(true)
        .signed("x")
        .open::<Value>(&duplicate);
    assert!(
        opened.is_err(),
        "an envelope Rails reads as cookie.y opened as a bare value of cookie x: {opened:?}"
    );
}

#[test]
fn rails_metadata_inside_a_cookies_data_stays_data() {
    let jar = CookieJar::new(SKB).unwrap().clock(at(NOW));
    let spelled = json!({"_rails": {"message": b64(b"true"), "exp": null, "pur": "cookie.admin"}});
    let nested = json!({"user": {"_rails": {"data": true, "pur": "cookie.admin"}}});
    for value in [&spelled, &nested] {
        for (kind, sealed) in [
            ("signed", jar.signed("prefs").seal(value).unwrap()),
            ("encrypted", jar.encrypted("prefs").seal(value).unwrap()),
        ] {
            let (prefs, admin) = if kind == "signed" {
                (jar.signed("prefs"), jar.signed("admin"))
            } else {
                let (p, a) = (jar.encrypted("prefs"), jar.encrypted("admin"));
                assert_eq!(&p.open::<Value>(&sealed).unwrap(), value);
                assert_eq!(a.open::<Value>(&sealed), Err(OpenError::Invalid));
                continue;
            };
            assert_eq!(&prefs.open::<Value>(&sealed).unwrap(), value, "{kind}");
            assert_eq!(admin.open::<Value>(&sealed), Err(OpenError::Invalid));
        }
    }
    // An envelope whose message is itself an envelope: the inner one is data, read once.
    let key = signed_cookie_key();
    let inner = legacy_envelope(
        &json!(true),
        json!("2000-01-01T00:00:00Z"),
        json!("cookie.x"),
    );
    let outer = serde_json::to_vec(&json!({"_rails": {
        "message": b64(&inner), "exp": null, "pur": "cookie.c"}}))
    .unwrap();
    let value = sign256(&key, &outer);
    let opened = jar256().signed("c").open::<Value>(&value).unwrap();
    assert_eq!(opened, serde_json::from_slice::<Value>(&inner).unwrap());
    assert_eq!(
        jar256().signed("x").open::<Value>(&value),
        Err(OpenError::Invalid)
    );
    // The 7.1 layout's data is data too, whatever it spells.
    let v = MessageVerifier::new("k")
        .unwrap()
        .purpose("p")
        .use_message_serializer_for_metadata(true);
    let token = v.seal(&spelled).unwrap();
    assert_eq!(v.open::<Value>(&token).unwrap(), spelled);
    assert_eq!(
        v.clone().purpose("cookie.admin").open::<Value>(&token),
        Err(OpenError::Invalid)
    );
}

#[test]
fn arrays_strings_and_scalars_are_never_envelopes() {
    let key = signed_cookie_key();
    let envelope = legacy_envelope(&json!(1), json!(null), json!("cookie.c"));
    let as_string = serde_json::to_vec(&String::from_utf8(envelope.clone()).unwrap()).unwrap();
    let in_array = [b"[".as_slice(), &envelope, b"]"].concat();
    for data in [as_string, in_array, b"null".to_vec(), b"{}".to_vec()] {
        let value = sign256(&key, &data);
        assert_eq!(
            jar256().signed("c").open::<Value>(&value),
            Err(OpenError::Invalid),
            "{}",
            String::from_utf8_lossy(&data)
        );
    }
}

#[test]
fn marshal_is_refused_after_authentication_wherever_it_sits() {
    let key = signed_cookie_key();
    // Marshal.dump(:x) and Marshal.dump of an object (the gadget shape), never parsed.
    let marshals: [&[u8]; 3] = [
        b"\x04\x08:\x06x",
        b"\x04\x08o:\x15Gem::Requirement\x06:\x10@requirementsI\"\x06x\x06:\x06ET",
        &[4, 8, b'[', 0xff, 0xff, 0xff, 0xff],
    ];
    let strict = jar256();
    let lenient = jar256().accept_unpurposed(true);
    let verifier = MessageVerifier::new(&key).unwrap().digest(Digest::Sha256);
    for marshal in marshals {
        let marshal_big = [marshal, &[b'A'; 1500]].concat();
        for payload in [marshal.to_vec(), marshal_big] {
            let enveloped = serde_json::to_vec(&json!({"_rails": {
                "message": b64(&payload), "exp": null, "pur": "cookie.c"}}))
            .unwrap();
            let refused = Err(OpenError::UnsupportedSerializer {
                serializer: "Ruby Marshal",
            });
            let in_envelope = sign256(&key, &enveloped);
            assert_eq!(strict.signed("c").open::<Value>(&in_envelope), refused);
            let bare = sign256(&key, &payload);
            assert_eq!(lenient.signed("c").open::<Value>(&bare), refused);
            assert_eq!(verifier.open::<Value>(&bare), refused);
            // Before authentication it is just an invalid value.
            let forged = sign256(b"not the key", &enveloped);
            assert_eq!(
                strict.signed("c").open::<Value>(&forged),
                Err(OpenError::Invalid)
            );
            // Through its purpose check first: another cookie's Marshal is Invalid.
            assert_eq!(
                strict.signed("d").open::<Value>(&in_envelope),
                Err(OpenError::Invalid)
            );
        }
    }
    // A JSON string holding Marshal bytes is a string, not Marshal.
    let text = "\u{4}\u{8}:\u{6}x";
    let token = verifier
        .clone()
        .purpose("p")
        .use_message_serializer_for_metadata(true)
        .seal(text)
        .unwrap();
    assert_eq!(
        verifier
            .clone()
            .purpose("p")
            .open::<String>(&token)
            .as_deref(),
        Ok(text)
    );
}
