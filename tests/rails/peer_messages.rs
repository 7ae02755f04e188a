//! Against the real Rails 6.1, both ways: `MessageVerifier` and `MessageEncryptor`; bad input
//! never panics; the `rails_session` example reads a session Rails wrote.

use crate::interop::{flip, mutations, Peer};
use serde_json::{json, Value};
use typed_cookies::interop::rails::{self, CookieJar};
use typed_cookies::interop::Digest;
use typed_cookies::time::{Duration, OffsetDateTime};
use typed_cookies::OpenError;

use super::peer_cookies::{rails, remember, request};
use super::*;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn message_verifier_both_ways() {
    let Some(mut rb) = rails("message_verifier_both_ways") else {
        return;
    };
    let secret = rails::KeyGenerator::new(SKB)
        .unwrap()
        .generate_key("unsubscribe", 64)
        .unwrap();
    let old = b"an old verifier secret".to_vec();
    let value = json!({"list": "news", "user": 42});
    for (digest, name) in [
        (Digest::Sha1, "SHA1"),
        (Digest::Sha256, "SHA256"),
        (Digest::Sha512, "SHA512"),
    ] {
        let base = json!({"secret": hex(&secret), "digest": name});
        let theirs = rb.value(
            request(
                &base,
                json!({"op": "verifier_generate", "value": value, "purpose": "unsubscribe",
                                  "expires_in": 3600, "now": NOW}),
            ),
            "value",
        );
        let ours = rails::MessageVerifier::new(&*secret)
            .unwrap()
            .digest(digest)
            .purpose("unsubscribe")
            .expires_in(Duration::hours(1))
            .clock(at(NOW));
        assert_eq!(ours.seal(&value).unwrap(), theirs, "{name}");
        assert_eq!(ours.open::<Value>(&theirs).unwrap(), value);
        let verify = |rb: &mut Peer, token: &str, purpose: &str, now: i64, rotations: Value| {
            let answer = rb.call(request(
                &base,
                json!({"op": "verifier_verify", "value": token, "purpose": purpose, "now": now,
                       "rotations": rotations}),
            ));
            (answer["found"] == true).then(|| answer["value"].clone())
        };
        assert_eq!(
            verify(&mut rb, &theirs, "unsubscribe", NOW + 3599, json!([])),
            Some(value.clone())
        );
        assert_eq!(verify(&mut rb, &theirs, "login", NOW, json!([])), None);
        assert_eq!(
            ours.clone().purpose("login").open::<Value>(&theirs),
            Err(OpenError::Invalid)
        );
        assert_eq!(
            verify(&mut rb, &theirs, "unsubscribe", NOW + 3600, json!([])),
            None
        );
        let late = ours.clone().clock(at(NOW + 3600));
        assert!(matches!(
            late.open::<Value>(&theirs),
            Err(OpenError::Expired { .. })
        ));
        assert_eq!(
            verify(&mut rb, &flip(&theirs, 3), "unsubscribe", NOW, json!([])),
            None
        );
        assert_eq!(
            ours.open::<Value>(&flip(&theirs, 3)),
            Err(OpenError::Invalid)
        );

        // Rotation: a token of the old secret (SHA-1) opens on both sides with the rotation.
        let old_token = rails::MessageVerifier::new(&old)
            .unwrap()
            .purpose("unsubscribe")
            .seal(&value)
            .unwrap();
        let rotations = json!([{"secret": hex(&old), "digest": "SHA1"}]);
        assert_eq!(
            verify(&mut rb, &old_token, "unsubscribe", NOW, rotations.clone()),
            Some(value.clone())
        );
        assert_eq!(
            verify(&mut rb, &old_token, "unsubscribe", NOW, json!([])),
            None
        );
        let rotated = ours
            .clone()
            .rotate(rails::MessageVerifier::new(&old).unwrap());
        assert_eq!(rotated.open::<Value>(&old_token).unwrap(), value);
        assert_eq!(ours.open::<Value>(&old_token), Err(OpenError::Invalid));
    }
}

#[test]
fn message_encryptor_both_ways() {
    let Some(mut rb) = rails("message_encryptor_both_ways") else {
        return;
    };
    let secret = rails::KeyGenerator::new(SKB)
        .unwrap()
        .generate_key("tokens", 32)
        .unwrap();
    let sign = rails::KeyGenerator::new(SKB)
        .unwrap()
        .generate_key("tokens signing", 64)
        .unwrap();
    let value = json!(["a", 1, true, null]);
    let gcm = rails::MessageEncryptor::new(&*secret)
        .unwrap()
        .purpose("invite")
        .clock(at(NOW));
    let cbc = rails::MessageEncryptor::new(&*secret)
        .unwrap()
        .cipher(rails::Cipher::Aes256Cbc)
        .sign_secret(&*sign)
        .digest(Digest::Sha256)
        .purpose("invite")
        .clock(at(NOW));
    let settings = [
        json!({"secret": hex(&secret), "cipher": "aes-256-gcm"}),
        json!({"secret": hex(&secret), "sign_secret": hex(&sign), "cipher": "aes-256-cbc", "digest": "SHA256"}),
    ];
    for (ours, base) in [(&gcm, &settings[0]), (&cbc, &settings[1])] {
        let label = base["cipher"].as_str().unwrap();
        let theirs = rb.value(
            request(
                base,
                json!({"op": "encryptor_encrypt", "value": value, "purpose": "invite",
                                 "expires_in": 600, "now": NOW}),
            ),
            "value",
        );
        assert_eq!(ours.open::<Value>(&theirs).unwrap(), value, "{label}");
        let late = ours.clone().clock(at(NOW + 600));
        assert!(
            matches!(late.open::<Value>(&theirs), Err(OpenError::Expired { .. })),
            "{label}"
        );
        assert_eq!(
            ours.clone().purpose("other").open::<Value>(&theirs),
            Err(OpenError::Invalid)
        );
        let decrypt = |rb: &mut Peer, token: &str, purpose: &str, rotations: Value| {
            let answer = rb.call(request(
                base,
                json!({"op": "encryptor_decrypt", "value": token, "purpose": purpose, "now": NOW + 1,
                       "rotations": rotations}),
            ));
            (answer["found"] == true).then(|| answer["value"].clone())
        };
        let sealed = ours
            .clone()
            .expires_in(Duration::seconds(600))
            .seal(&value)
            .unwrap();
        assert_eq!(
            decrypt(&mut rb, &sealed, "invite", json!([])),
            Some(value.clone()),
            "{label}"
        );
        assert_eq!(
            decrypt(&mut rb, &sealed, "other", json!([])),
            None,
            "{label}"
        );
        assert!(
            decrypt(&mut rb, &flip(&sealed, 2), "invite", json!([])).is_none(),
            "{label}"
        );
    }
    // `crypt.rotate old_secret, cipher: "aes-256-cbc"`: a CBC token of the old key opens in a
    // GCM encryptor with that rotation, on both sides.
    let old_key = [5u8; 32];
    let old = rails::MessageEncryptor::new(old_key)
        .unwrap()
        .cipher(rails::Cipher::Aes256Cbc)
        .purpose("invite");
    let token = old.seal(&value).unwrap();
    let rotations = json!([{"secret": hex(&old_key), "cipher": "aes-256-cbc"}]);
    let answer = rb.call(request(
        &settings[0],
        json!({"op": "encryptor_decrypt", "value": token, "purpose": "invite", "now": NOW, "rotations": rotations}),
    ));
    assert_eq!(answer["value"], value, "{answer}");
    assert_eq!(
        gcm.clone().rotate(old).open::<Value>(&token).unwrap(),
        value
    );
    assert_eq!(gcm.open::<Value>(&token), Err(OpenError::Invalid));
}

#[test]
fn bad_input_never_panics() {
    let jar = CookieJar::new(SKB).unwrap().clock(at(NOW));
    let values = [
        jar.signed("c")
            .expires_in(Duration::hours(1))
            .seal(&remember())
            .unwrap(),
        jar.encrypted("c").seal(&remember()).unwrap(),
        jar.clone()
            .authenticated_encryption(false)
            .encrypted("c")
            .seal(&remember())
            .unwrap(),
    ];
    for value in &values {
        for m in mutations(value) {
            let signed = jar.signed("c").open::<Value>(&m);
            let encrypted = jar.encrypted("c").open::<Value>(&m);
            let _ = rails::inspect(&m);
            if &m != value {
                assert!(signed.is_err() && encrypted.is_err(), "{m}");
            }
        }
    }
}

#[allow(dead_code)]
#[cfg(feature = "axum")]
#[path = "../../examples/rails_session.rs"]
mod example;

#[cfg(feature = "axum")]
#[tokio::test]
async fn the_example_reads_a_session_rails_wrote() {
    use axum::body::{to_bytes, Body};
    use axum::http::{header, Request, StatusCode};
    use tower::ServiceExt;

    let Some(mut rb) = rails("the_example_reads_a_session_rails_wrote") else {
        return;
    };
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let settings = json!({"secret_key_base": SKB});
    let answer = rb.call(request(
        &settings,
        json!({"op": "session_write", "name": "_shop_session", "data": {"user_id": 42},
               "expire_after": 1200, "now": now}),
    ));
    let cookie = answer["value"]
        .as_str()
        .expect("a session cookie")
        .to_owned();
    let app = example::app(example::AppState {
        sessions: CookieJar::new(SKB).unwrap().session("_shop_session"),
        cookie_name: "_shop_session".into(),
    });
    let get = |cookie: String| {
        Request::get("/me")
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap()
    };
    let response = app
        .clone()
        .oneshot(get(format!("_shop_session={cookie}")))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = to_bytes(response.into_body(), 1 << 16).await.unwrap();
    assert_eq!(&body[..], b"user 42");
    // Changed in transit, or another app's: not signed in.
    let response = app
        .clone()
        .oneshot(get(format!("_shop_session={}", flip(&cookie, 5))))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let anonymous = rb.call(request(
        &settings,
        json!({"op": "session_write", "name": "_shop_session", "data": {"cart": [1]}, "now": now}),
    ))["value"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = app
        .oneshot(get(format!("_shop_session={anonymous}")))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}
