//! Vectors of Rails 7.1's metadata layout, and malformed input against every entry point.

use serde_json::{json, Value};
use time::Duration;

use super::*;
use crate::interop::{datetime, Digest};
use crate::{Clock, OpenError};

fn at(secs: i64) -> Clock {
    Clock::fixed(datetime(secs))
}

/// Rails 7.1 (`use_message_serializer_for_metadata = true`) is not installable next to the
/// 6.1 peer; these values follow its `Messages::Metadata#serialize_with_metadata`, built with
/// Ruby's own JSON, Base64 and OpenSSL:
///
/// ```ruby
/// data = JSON.dump({"_rails"=>{"data"=>{"user"=>1},"exp"=>Time.at(1700003600).utc.iso8601(3),"pur"=>"login"}})
/// b64 = Base64.strict_encode64(data)
/// "#{b64}--#{OpenSSL::HMAC.hexdigest("SHA1", "s3Krit", b64)}"
/// ```
const RAILS_7_1_SHA1: &str = "eyJfcmFpbHMiOnsiZGF0YSI6eyJ1c2VyIjoxfSwiZXhwIjoiMjAyMy0xMS0xNFQyMzoxMzoyMC4wMDBaIiwicHVyIjoibG9naW4ifX0=--3013440cce05f1c9fedf76530507a4ae0d40f71f";
/// The same for `{"_rails"=>{"data"=>"x","pur"=>"login"}}` with SHA-256 (no `exp`: 7.1 leaves
/// unset keys out).
const RAILS_7_1_SHA256: &str = "eyJfcmFpbHMiOnsiZGF0YSI6IngiLCJwdXIiOiJsb2dpbiJ9fQ==--7783de7e8fcdd17be983caef68131c8506115121f04d3ddab36bf548b660b630";

#[test]
fn rails_7_1_metadata_vectors() {
    let v = MessageVerifier::new("s3Krit")
        .unwrap()
        .purpose("login")
        .use_message_serializer_for_metadata(true)
        .clock(at(1_700_000_000));
    let sealed = v
        .clone()
        .expires_at(datetime(1_700_003_600))
        .seal(&json!({"user": 1}))
        .unwrap();
    assert_eq!(sealed, RAILS_7_1_SHA1);
    assert_eq!(v.open::<Value>(RAILS_7_1_SHA1).unwrap(), json!({"user": 1}));
    let late = v.clone().clock(at(1_700_003_600));
    assert_eq!(
        late.open::<Value>(RAILS_7_1_SHA1),
        Err(OpenError::Expired {
            at: datetime(1_700_003_600)
        })
    );
    // The 6.1 layout reads it too (opening reads both), and the purpose is still checked.
    let legacy = MessageVerifier::new("s3Krit")
        .unwrap()
        .purpose("login")
        .clock(at(1_700_000_000));
    assert_eq!(
        legacy.open::<Value>(RAILS_7_1_SHA1).unwrap(),
        json!({"user": 1})
    );
    assert_eq!(
        legacy
            .clone()
            .purpose("other")
            .open::<Value>(RAILS_7_1_SHA1),
        Err(OpenError::Invalid)
    );
    let sha256 = v.digest(Digest::Sha256);
    assert_eq!(sha256.seal("x").unwrap(), RAILS_7_1_SHA256);
    assert_eq!(sha256.open::<String>(RAILS_7_1_SHA256).unwrap(), "x");
}

#[test]
fn stricter_than_rails_on_structure() {
    let v = MessageVerifier::new("k").unwrap();
    let token = v.seal(&1).unwrap();
    // Ruby's `split("--")` ignores what follows a second separator; here it is refused.
    assert_eq!(
        v.open::<u8>(&format!("{token}--junk")),
        Err(OpenError::Malformed)
    );
    // An upper-case digest never matches Rails' lower-case `hexdigest`.
    let (data, digest) = token.split_once("--").unwrap();
    assert_eq!(
        v.open::<u8>(&format!("{data}--{}", digest.to_uppercase())),
        Err(OpenError::Invalid)
    );
    // A digest of another length (SHA-256 for a SHA-1 verifier) is not tried.
    let other = MessageVerifier::new("k").unwrap().digest(Digest::Sha256);
    assert_eq!(
        v.open::<u8>(&other.seal(&1).unwrap()),
        Err(OpenError::Invalid)
    );

    let e = MessageEncryptor::new([7u8; 32]).unwrap();
    let token = e.seal(&1).unwrap();
    let parts: Vec<&str> = token.split("--").collect();
    // A truncated tag (forgeable under OpenSSL without Rails' check) and a short IV.
    let short_tag = format!("{}--{}--{}", parts[0], parts[1], "AAAA");
    assert_eq!(e.open::<u8>(&short_tag), Err(OpenError::Malformed));
    let short_iv = format!("{}--{}--{}", parts[0], "AAAA", parts[2]);
    assert_eq!(e.open::<u8>(&short_iv), Err(OpenError::Malformed));
    assert_eq!(
        e.open::<u8>(&format!("{token}--x")),
        Err(OpenError::Malformed)
    );
    // Non-canonical base64 (Ruby's strict_decode64 refuses it too).
    assert_eq!(
        e.open::<u8>(&format!("{}--{}--{}", "YR==", parts[1], parts[2])),
        Err(OpenError::Malformed)
    );
}

#[test]
fn cbc_under_the_right_signing_key_but_the_wrong_encryption_key_is_invalid() {
    let right = MessageEncryptor::new([1u8; 32])
        .unwrap()
        .cipher(Cipher::Aes256Cbc)
        .sign_secret([9u8; 64]);
    let wrong = MessageEncryptor::new([2u8; 32])
        .unwrap()
        .cipher(Cipher::Aes256Cbc)
        .sign_secret([9u8; 64]);
    let token = right.seal(&"x".repeat(40)).unwrap();
    assert_eq!(wrong.open::<String>(&token), Err(OpenError::Invalid));
    // …and the next key in the rotation is tried, as Rails' rotations do.
    assert_eq!(
        wrong.rotate(right).open::<String>(&token).unwrap().len(),
        40
    );
}

#[test]
fn cookies_of_one_kind_never_open_as_the_other() {
    let jar = CookieJar::new("k").unwrap();
    let signed = jar.signed("c").seal(&1).unwrap();
    let encrypted = jar.encrypted("c").seal(&1).unwrap();
    assert_eq!(
        jar.encrypted("c").open::<u8>(&signed),
        Err(OpenError::Invalid)
    );
    assert!(jar.signed("c").open::<u8>(&encrypted).is_err());
    let cbc = jar
        .clone()
        .authenticated_encryption(false)
        .encrypted("c")
        .seal(&1)
        .unwrap();
    assert_eq!(jar.signed("c").open::<u8>(&cbc), Err(OpenError::Invalid));
    assert_eq!(jar.encrypted("c").open::<u8>(&cbc), Ok(1));
    assert_eq!(
        jar.clone()
            .legacy_cbc(false)
            .encrypted("c")
            .open::<u8>(&cbc),
        Err(OpenError::Invalid)
    );
}

#[test]
fn expiry_is_checked_after_authentication_and_purpose() {
    let jar = CookieJar::new("k").unwrap().clock(at(1_700_000_000));
    let v = jar
        .signed("c")
        .expires_in(Duration::seconds(60))
        .seal(&1)
        .unwrap();
    let later = jar.clone().clock(at(1_700_000_060));
    assert_eq!(
        later.signed("c").open::<u8>(&v),
        Err(OpenError::Expired {
            at: datetime(1_700_000_060)
        })
    );
    // Expired *and* for another cookie, or forged: no expiry is reported.
    assert_eq!(later.signed("d").open::<u8>(&v), Err(OpenError::Invalid));
    let forged = CookieJar::new("other").unwrap().clock(at(1_700_000_060));
    assert_eq!(forged.signed("c").open::<u8>(&v), Err(OpenError::Invalid));
    assert_eq!(
        jar.clone()
            .clock(at(1_700_000_059))
            .signed("c")
            .open::<u8>(&v),
        Ok(1)
    );
}

#[test]
fn malformed_input_is_refused_without_panicking() {
    let jar = CookieJar::new("k").unwrap();
    let signed = jar.signed("c");
    let encrypted = jar.encrypted("c");
    let verifier = MessageVerifier::new("k").unwrap();
    let encryptor = MessageEncryptor::new([7u8; 32]).unwrap();
    let cbc = encryptor.clone().cipher(Cipher::Aes256Cbc);
    let samples = [
        signed.seal(&json!({"a": [1, "é"]})).unwrap(),
        encrypted.seal(&json!({"a": [1, "é"]})).unwrap(),
        verifier.seal(&1).unwrap(),
        encryptor.seal(&1).unwrap(),
        cbc.seal(&1).unwrap(),
    ];
    let garbage = [
        "",
        "-",
        "--",
        "----",
        "--x",
        "x--",
        "a--b--c",
        "a--b--c--d",
        "%",
        "%zz--%",
        "====--abcd",
        "\u{0}--\u{0}",
        "é--é",
        "AAAA--AAAA--AAAA",
        "AAAA--",
    ];
    let mut inputs: Vec<String> = garbage.iter().map(|s| (*s).to_owned()).collect();
    inputs.push("A".repeat(crate::MAX_COOKIE_LEN + 1));
    for sample in &samples {
        for i in 0..sample.len() {
            for b in [b'A', b'-', b'%', b'=', b'{', 0xff] {
                let mut m = sample.as_bytes().to_vec();
                m[i] = b;
                inputs.push(String::from_utf8_lossy(&m).into_owned());
            }
            inputs.push(sample[..i].to_owned());
        }
    }
    for input in &inputs {
        let results = [
            signed.open::<Value>(input),
            encrypted.open::<Value>(input),
            verifier.open::<Value>(input),
            encryptor.open::<Value>(input),
            cbc.open::<Value>(input),
        ];
        for r in results {
            if let Err(e) = r {
                assert!(
                    matches!(
                        e,
                        OpenError::Malformed | OpenError::Invalid | OpenError::TooLarge { .. }
                    ),
                    "{input:?}: {e:?}"
                );
            }
        }
        let _ = inspect(input);
    }
    assert!(matches!(
        signed.open::<Value>(&"A".repeat(crate::MAX_COOKIE_LEN + 1)),
        Err(OpenError::TooLarge { .. })
    ));
}

#[test]
fn debug_never_shows_secrets() {
    let jar = CookieJar::new("very-secret-key-base")
        .unwrap()
        .rotate(Rotation::new().secret_key_base("old-secret-key-base"));
    let text = format!(
        "{jar:?} {:?} {:?} {:?} {:?} {:?}",
        jar.signed("c"),
        jar.encrypted("c"),
        MessageVerifier::new("very-secret-key-base").unwrap(),
        MessageEncryptor::new([0x41u8; 32]).unwrap(),
        KeyGenerator::new("very-secret-key-base").unwrap(),
    );
    assert!(!text.contains("secret-key-base"), "{text}");
    assert!(!text.contains("AAAA") && !text.contains("65, 65"), "{text}");
}
