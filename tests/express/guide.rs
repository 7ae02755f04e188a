//! Empty secrets verify nothing, and what the migration guide must say about secrets and
//! package versions.

use serde_json::{json, Value};
use typed_cookies::interop::{express, Digest};
use typed_cookies::OpenError;

use crate::*;

/// HMAC-SHA256 under the empty key, base64 as `alphabet` writes it: what anyone computes
/// without a secret (cookie-signature's `sign(text, "")`, keygrip's `sha256` under `""`).
fn empty_key_hmac_sha256(data: &str, alphabet: base64::engine::GeneralPurpose) -> String {
    use base64::Engine as _;
    use hmac::Mac as _;
    let mut mac = <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(b"").unwrap();
    mac.update(data.as_bytes());
    alphabet.encode(mac.finalize().into_bytes())
}

/// Found (medium): an empty secret signed and verified. `cookieParser("")` verifies nothing
/// (no signed cookies at all), `session({ secret: "" })` answers every request with "secret
/// option required for sessions" and `cookieSession({ keys: "" })` throws ".keys required." —
/// the three Express packages fail closed. `signed_cookie("")`, `session_id_cookie("")` and
/// `cookie_session("")` (the result of an unset environment variable read with
/// `unwrap_or_default()`) opened values that anyone computes with HMAC under the empty key:
/// forged sessions and signed cookies; an empty fallback (`fallbacks([""])`) did the same
/// beside a good secret. Now an empty secret (or fallback) opens nothing, and sealing or
/// signing under an empty current secret is `SealError::EmptySecret`.
#[test]
fn empty_secret_verifies_nothing() {
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    // The forgeries: cookie-signature / keygrip with the empty key, no secret needed.
    let forged_text = "admin";
    let forged_signed = format!(
        "s:{forged_text}.{}",
        empty_key_hmac_sha256(forged_text, STANDARD_NO_PAD)
    );
    let forged_value = base64_std(br#"{"admin":true}"#);
    let forged_sig = empty_key_hmac_sha256(&format!("session={forged_value}"), URL_SAFE_NO_PAD);

    // Express: every package refuses to verify with an empty secret.
    if let Some(mut js) = node("empty_secret_verifies_nothing") {
        // The forgery is cookie-signature's own signature under "" (1.2.2 signs with it).
        let theirs = js.value(
            json!({"op": "sign", "value": forged_text, "secret": ""}),
            "value",
        );
        assert_eq!(format!("s:{theirs}"), forged_signed);
        assert_eq!(
            parser_verdict(&mut js, json!(""), "c", &forged_signed),
            Err("unsigned".to_owned())
        );
        let answer = js.call(json!({"op": "sid_open", "secrets": "",
                                    "name": "connect.sid", "value": forged_signed}));
        assert!(
            answer["error"]
                .as_str()
                .is_some_and(|e| e.contains("secret option required")),
            "{answer}"
        );
        let answer = js.call(json!({"op": "session_open", "keys": "", "name": "session",
                                    "value": forged_value, "sig": forged_sig}));
        assert!(
            answer["error"]
                .as_str()
                .is_some_and(|e| e.contains("keys required")),
            "{answer}"
        );
        // keygrip itself signs under `[""]` (SHA-1, cookie-session's default): refused here.
        let sha1 = js.call(
            json!({"op": "session_seal", "keys": [""], "name": "session",
                                  "obj": {"admin": true}}),
        );
        let (value, sig) = (
            sha1["value"].as_str().unwrap(),
            sha1["sig"].as_str().unwrap(),
        );
        for sessions in [
            express::cookie_session(""),
            express::cookie_session(SECRET).fallbacks([""]),
        ] {
            assert_eq!(
                sessions.open::<Value>(value, sig),
                Err(OpenError::Invalid),
                "a keygrip SHA-1 forgery under the empty key opened"
            );
        }
    }

    // Here: the same forgeries do not open…
    assert_eq!(
        express::signed_cookie("").open::<String>(&forged_signed),
        Err(OpenError::Invalid),
        "signed_cookie(\"\") opened a forgery"
    );
    assert_eq!(
        express::session_id_cookie("").open(&forged_signed),
        Err(OpenError::Invalid),
        "session_id_cookie(\"\") opened a forgery"
    );
    let sha256_sessions = express::cookie_session("").digest(Digest::Sha256);
    assert_eq!(
        sha256_sessions.open::<Value>(&forged_value, &forged_sig),
        Err(OpenError::Invalid),
        "cookie_session(\"\") opened a forgery"
    );
    assert_eq!(
        express::Signer::new("").unsign(&forged_signed[2..]),
        Err(OpenError::Invalid),
        "Signer::new(\"\") verified a forgery"
    );
    // …nor beside a good secret, through an empty fallback (or one of zero bytes, which
    // HMAC pads to the same key)…
    for empty in ["", "\0", "\0\0\0"] {
        assert_eq!(
            express::signed_cookie(SECRET)
                .fallbacks([empty])
                .open::<String>(&forged_signed),
            Err(OpenError::Invalid),
            "an empty fallback opened a forgery"
        );
        assert_eq!(
            express::session_id_cookie(SECRET)
                .fallbacks([empty])
                .open(&forged_signed),
            Err(OpenError::Invalid),
            "an empty express-session fallback opened a forgery"
        );
        assert_eq!(
            express::cookie_session(SECRET)
                .fallbacks([empty])
                .digest(Digest::Sha256)
                .open::<Value>(&forged_value, &forged_sig),
            Err(OpenError::Invalid),
            "an empty cookie-session fallback key opened a forgery"
        );
    }
    // …and nothing is sealed under an empty secret: a typed error that names it.
    let refusals = [
        express::signed_cookie("").seal("v").err(),
        express::session_id_cookie("").seal("id").err(),
        express::cookie_session("").seal(&json!({})).err(),
        express::Signer::new("\0").sign("v").err(),
        express::cookie_session("").sign(&forged_value).err(),
    ];
    for refusal in refusals {
        let e = refusal.expect("sealed under an empty secret");
        assert!(
            matches!(e, typed_cookies::SealError::EmptySecret { .. }),
            "{e:?}"
        );
        assert!(e.to_string().contains("is empty"), "{e}");
    }
    // The good secret beside an empty fallback still seals and opens.
    let cookies = express::signed_cookie(SECRET).fallbacks([""]);
    assert_eq!(
        cookies.open::<String>(&cookies.seal("v").unwrap()).unwrap(),
        "v"
    );
}

/// Found (low, docs): keygrip with `"sha256"` (`cookie_session(..).digest(Digest::Sha256)`)
/// and cookie-signature compute the same HMAC-SHA256 under the same secret, over
/// `NAME=VALUE` and over the value: a signed cookie whose text an attacker chooses (any
/// `res.cookie(name, userInput, { signed: true })`, or `signed_cookie(secret).seal(input)`
/// here) hands them a valid `session.sig` for the session of their choice when the two
/// share a secret (shown against the real packages by
/// `keygrip_sha256_and_cookie_signature_share_one_mac` below). The guide and the module
/// docs now say that cookie-session under SHA-256 must not share a secret with
/// cookie-parser or express-session.
#[test]
fn guide_warns_sha256_cookie_session_must_not_share_the_signed_cookie_secret() {
    let guide = include_str!("../../docs/migrate-from-express.md");
    let warned = guide.split("\n\n").any(|paragraph| {
        let p = paragraph.to_lowercase();
        p.contains("sha256")
            && p.contains("cookie-session")
            && (p.contains("signed cookie") || p.contains("cookie-signature"))
            && (p.contains("same secret") || p.contains("own secret") || p.contains("share"))
    });
    assert!(
        warned,
        "no warning about cookie-session under SHA-256 sharing a secret"
    );
}

/// The guide names the versions the tests ran: cookie-parser and express-session (and
/// Express's own `res.cookie`) bring their own cookie-signature 1.0.x; only the peer's
/// direct `sign` / `unsign` use the top-level 1.2.2.
#[test]
fn guide_states_the_cookie_signature_versions_each_package_uses() {
    let guide = include_str!("../../docs/migrate-from-express.md");
    let tested = guide
        .split("\n\n")
        .find(|p| p.contains("Tested against"))
        .expect("the guide's tested versions");
    for version in ["1.0.6", "1.0.7", "1.2.2"] {
        assert!(tested.contains(version), "{version} missing: {tested}");
    }
}
