//! Attacks on `typed_cookies::interop::laravel` through its public API, checked against the
//! real Laravel 8 `Encrypter` and `EncryptCookies` middleware where they have a verdict
//! (`tests/interop/laravel_peer.php`): MACs in upper case, truncated, over other fields or
//! with the field boundary moved; GCM tags of every wrong length; an envelope with both a
//! `mac` and a `tag`; IV length games; CBC padding failures (no oracle before the MAC);
//! cookie values moved between `laravel_session` and `XSRF-TOKEN`; prefixes under the wrong
//! key; hostile PHP-serialized plaintexts (objects, references, enums, huge, negative and
//! overlong lengths, multibyte); percent-encoding tricks; deep JSON; key rotation; the
//! `APP_KEY` in `Debug` output and error messages; and the migration guide's recipes. The
//! cases that found a problem (fixed since) come first and stay as regression tests; the
//! others held.

#![cfg(feature = "laravel")]

mod interop;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use interop::{mutations, Peer};
use serde_json::{json, Value};
use sha2::Sha256;
use typed_cookies::interop::laravel::{
    self, AppKeyError, Cipher, EncryptCookies, Encrypter, SERIALIZED_STRING, SESSION_COOKIE_NAME,
    XSRF_COOKIE_NAME,
};
use typed_cookies::OpenError;

const PHP_HINT: &str = "php-cli with Debian's php-illuminate-encryption and \
     php-illuminate-cookie (apt-get install php-cli php-illuminate-encryption php-illuminate-cookie)";

const KEY32: &str = "base64:q2kFjq0yG0aOsdIuKsbZ2VQ3bAbVYc+l0HoUQ8PmBbU=";
const KEY16: &str = "base64:3q2+7wABAgMEBQYHCAkKCw==";
const OLD32: &str = "base64:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const OLD16: &str = "base64:AAECAwQFBgcICQoLDA0ODw==";
const SESSION_ID: &str = "wJ9ckz3GjnJd1yiIzWcTqVSQWkVbyK8vCGQyUDWM";
const XSRF_TOKEN: &str = "x6YJkR0cQ1gnPw3T5VlNYmh2oYy3hXrJTbmcKQ9e";

const CIPHERS: [Cipher; 4] = [
    Cipher::Aes256Cbc,
    Cipher::Aes128Cbc,
    Cipher::Aes256Gcm,
    Cipher::Aes128Gcm,
];

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn php(test: &str) -> Option<Peer> {
    Peer::start(test, "php", "laravel_peer.php", PHP_HINT)
}

fn key(cipher: Cipher) -> &'static str {
    if cipher.key_len() == 32 {
        KEY32
    } else {
        KEY16
    }
}

fn old_key(cipher: Cipher) -> &'static str {
    if cipher.key_len() == 32 {
        OLD32
    } else {
        OLD16
    }
}

/// The raw bytes of a `base64:` APP_KEY.
fn key_bytes(app_key: &str) -> Vec<u8> {
    B64.decode(app_key.strip_prefix("base64:").unwrap())
        .unwrap()
}

fn crypt(cipher: Cipher) -> Encrypter {
    Encrypter::new(key(cipher), cipher).unwrap()
}

/// The envelope's JSON object.
fn open_envelope(value: &str) -> serde_json::Map<String, Value> {
    serde_json::from_slice(&B64.decode(value).unwrap()).unwrap()
}

/// An envelope from its JSON text.
fn envelope(json: &str) -> String {
    B64.encode(json.as_bytes())
}

/// The envelope with `edit` applied to its JSON object.
fn edited(value: &str, edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> String {
    let mut json = open_envelope(value);
    edit(&mut json);
    envelope(&serde_json::to_string(&json).unwrap())
}

fn field(json: &serde_json::Map<String, Value>, name: &str) -> String {
    json[name].as_str().unwrap().to_owned()
}

/// Laravel's `hash()`: hex HMAC-SHA256 of `iv . value` (the fields' text).
fn laravel_mac(key: &[u8], iv: &str, value: &str) -> String {
    hex(&hmac256(key, &[iv.as_bytes(), value.as_bytes()]))
}

fn hmac256(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Laravel's verdict on `decryptString`: the plaintext, or the exception.
fn php_decrypt_string(
    php: &mut Peer,
    cipher: Cipher,
    app_key: &str,
    value: &str,
) -> Result<String, String> {
    let answer = php.call(json!({"op": "decrypt_string", "key": app_key,
                                 "cipher": cipher.name(), "value": value}));
    match (answer["value"].as_str(), answer["error"].as_str()) {
        (Some(v), _) => Ok(v.to_owned()),
        (None, Some(e)) => Err(e.to_owned()),
        _ => panic!("unexpected answer {answer}"),
    }
}

/// `value` as the browser sends it back after Symfony's `rawurlencode`.
fn wire(value: &str) -> String {
    value
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

/// `wire` undone.
fn unwire(value: &str) -> String {
    value
        .replace("%2B", "+")
        .replace("%2F", "/")
        .replace("%3D", "=")
}

/// The value of `Set-Cookie: name=value; …`.
fn set_cookie_value(header: &str) -> String {
    header
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned()
}

/// What the real middleware reads for cookie `name` = `value` (`null` when refused).
fn php_cookie(php: &mut Peer, req: Value) -> Value {
    let answer = php.call(req);
    assert!(answer.get("error").is_none(), "{answer}");
    answer["value"].clone()
}

// --- findings, fixed --------------------------------------------------------------------

/// The guide's bridge cookie (docs/migrate-from-laravel.md): what the Laravel app queues.
#[derive(serde::Deserialize)]
struct Bridge {
    user_id: u64,
    sid: String,
    exp: i64,
}

/// "Now" for the bridge recipe, in unix seconds (the guide reads the clock; tests pass it).
const NOW: i64 = 1_767_225_600;

/// The bridge JSON the guide's `Cookie::queue('bridge', json_encode([...]))` writes.
fn bridge_json(user_id: u64, sid: &str, exp: i64) -> String {
    json!({"user_id": user_id, "sid": sid, "exp": exp}).to_string()
}

/// The guide's bridge recipe over a `Cookie:` header at `now`: the user, or why not.
fn bridge_user(cookies: &EncryptCookies, header: &str, now: i64) -> Result<u64, String> {
    let cookie = |name: &str| {
        header
            .split(';')
            .map(str::trim)
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
    };
    let id = cookies
        .open_session_id(
            SESSION_COOKIE_NAME,
            cookie(SESSION_COOKIE_NAME).ok_or("no Laravel session")?,
        )
        .map_err(|e| e.to_string())?;
    let bridge: Bridge = cookies
        .open("bridge", cookie("bridge").ok_or("no bridge cookie")?)
        .map_err(|e| e.to_string())?;
    if bridge.exp <= now {
        return Err("the bridge cookie has expired".into());
    }
    if bridge.sid != id {
        return Err("the bridge cookie belongs to another Laravel session".into());
    }
    Ok(bridge.user_id)
}

/// Found (medium, docs): the migration guide's "bridge cookie" recipe
/// (`Cookie::queue('bridge', json_encode(['user_id' => $user->id]), 120)`, opened as
/// `struct Bridge { user_id: u64 }` and turned into a fresh 8-hour session of our own) made
/// a bearer credential that never expired and was bound to nothing: Laravel's encrypted
/// values carry no time (the 120 minutes are only the browser's `Max-Age`), and the recipe
/// checked neither that the Laravel session still exists nor that the bridge belongs to it.
/// A bridge cookie copied once signed its holder in as that user for as long as `APP_KEY`
/// lived — after the user signed out of Laravel and changed their password. The recipe now
/// puts an expiry and the Laravel session id into the bridge JSON, and the Rust side checks
/// both (`exp` against the clock, `sid` against `open_session_id` of the `laravel_session`
/// cookie sent with it); `migration_guide_bridge_recipe_refuses_replays` runs it against the
/// real middleware.
#[test]
fn migration_guide_bridge_cookie_expires_and_is_bound_to_the_session() {
    let guide = include_str!("../docs/migrate-from-laravel.md");
    let recipe = guide
        .split("```")
        .find(|block| block.contains("struct Bridge"))
        .expect("the guide's bridge recipe");
    let bridge_struct = recipe
        .split("struct Bridge")
        .nth(1)
        .and_then(|rest| rest.split('}').next())
        .unwrap();
    assert!(
        bridge_struct.contains("exp") || bridge_struct.contains("expires"),
        "the bridge carries no expiry: struct Bridge {bridge_struct}}}"
    );
    assert!(
        bridge_struct.contains("sid") || bridge_struct.contains("session"),
        "the bridge is not bound to the Laravel session: struct Bridge {bridge_struct}}}"
    );
    // The recipe checks both, as `bridge_user` here does.
    assert!(recipe.contains("bridge.exp <= now"), "{recipe}");
    assert!(recipe.contains("bridge.sid != id"), "{recipe}");
    let queue = guide
        .lines()
        .find(|line| line.contains("Cookie::queue('bridge'"))
        .or_else(|| guide.split("Cookie::queue('bridge'").nth(1))
        .unwrap_or_default();
    assert!(
        queue.contains("exp"),
        "Laravel side writes no expiry: {queue}"
    );
    assert!(
        queue.contains("'sid' => $request->session()->getId()"),
        "Laravel side writes no session id: {queue}"
    );
}

/// Found (medium, docs): the guide's security notes said to "rotate it (above) if it leaks",
/// and "above" is the rotation recipe that keeps the old key in `previous_keys`. After a
/// leak that is exactly wrong: whoever holds the leaked key keeps forging cookies (any
/// `laravel_session` id, any bridge or typed cookie) that the Rust service opens for as long
/// as the key stays in the list — while Laravel 8, with one key, already refuses them. The
/// note now says that a leaked key is never a previous key (rotate it out entirely, and
/// accept that sessions end), and the rotation section that previous keys are for planned
/// rotation only.
#[test]
fn migration_guide_never_keeps_a_leaked_key_as_a_previous_key() {
    let guide = include_str!("../docs/migrate-from-laravel.md");
    let note = guide
        .split("\n- ")
        .find(|item| item.contains("if it leaks") || item.contains("whole trust"))
        .expect("the guide's note on a leaked APP_KEY");
    assert!(
        note.contains("previous"),
        "the leak advice does not say to keep the leaked key out of previous_keys: {note}"
    );
    assert!(
        note.contains("never keep the leaked key as a previous key"),
        "{note}"
    );
    let rotation = guide
        .split("\n## ")
        .find(|section| section.starts_with("Rotating"))
        .expect("the guide's rotation section");
    assert!(rotation.contains("planned"), "{rotation}");
    // Why: the forgery a leaked key in previous_keys lets through.
    let leaked = OLD32;
    let forged = EncryptCookies::new(Encrypter::new(leaked, Cipher::Aes256Cbc).unwrap())
        .seal_session_id(SESSION_COOKIE_NAME, SESSION_ID)
        .unwrap();
    let keeping_it = EncryptCookies::new(
        Encrypter::new(KEY32, Cipher::Aes256Cbc)
            .unwrap()
            .previous_keys([leaked])
            .unwrap(),
    );
    assert_eq!(
        keeping_it
            .open_session_id(SESSION_COOKIE_NAME, &forged)
            .unwrap(),
        SESSION_ID
    );
    // As advised now: the leaked key is gone, its forgeries are refused.
    let rotated_out = laravel::cookies(KEY32).unwrap();
    assert_eq!(
        rotated_out.open_session_id(SESSION_COOKIE_NAME, &forged),
        Err(OpenError::Invalid)
    );
}

/// Found (low): `AppKeyError::UnknownCipher` echoed up to 32 characters of the cipher name,
/// so an `APP_KEY` passed where the cipher goes (a swapped variable, a CLI flag) showed up
/// in the message and in logs. The error now names Laravel's four ciphers and keeps nothing
/// of the input.
#[test]
fn unknown_cipher_names_the_ciphers_not_the_input() {
    let raw = "0123456789abcdef0123456789abcdef";
    for given in [KEY32, raw, "aes-256-ctr", ""] {
        let err = given.parse::<Cipher>().unwrap_err();
        assert_eq!(err, AppKeyError::UnknownCipher);
        let shown = format!("{err} {err:?}");
        for secret in [&KEY32[7..20], &KEY32[20..], &raw[..16], &raw[16..]] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        for cipher in CIPHERS {
            assert!(shown.contains(cipher.name()), "{shown}");
        }
    }
}

/// The bridge recipe as the guide writes it, against the real middleware: the bridge and
/// session cookies Laravel sets open to the user; the same bridge replayed without its
/// Laravel session, beside another session's cookie, after its `exp`, or a bridge without
/// `sid` and `exp` (the old recipe's) are refused.
#[test]
fn migration_guide_bridge_recipe_refuses_replays() {
    let Some(mut php) = php("migration_guide_bridge_recipe_refuses_replays") else {
        return;
    };
    let set = |php: &mut Peer, name: &str, value: &str| {
        let answer =
            php.call(json!({"op": "cookie_encrypt", "key": KEY32, "name": name, "value": value}));
        set_cookie_value(answer["header"].as_str().unwrap())
    };
    let other_id = "Zq0XkYgT7mPp3cL9vB2nR5sW8dF1hJ4kA6eU0iOy";
    let session = set(&mut php, SESSION_COOKIE_NAME, SESSION_ID);
    let other_session = set(&mut php, SESSION_COOKIE_NAME, other_id);
    let bridge = set(&mut php, "bridge", &bridge_json(42, SESSION_ID, NOW + 120));
    let unbound = set(&mut php, "bridge", r#"{"user_id":42}"#);
    let cookies = laravel::cookies(KEY32).unwrap();

    // The genuine pair, in time: the user.
    let header = format!("{SESSION_COOKIE_NAME}={session}; bridge={bridge}");
    assert_eq!(bridge_user(&cookies, &header, NOW), Ok(42));
    assert_eq!(bridge_user(&cookies, &header, NOW + 119), Ok(42));
    // After its expiry: refused, with the Laravel session still there.
    assert!(bridge_user(&cookies, &header, NOW + 120).is_err());
    assert!(bridge_user(&cookies, &header, NOW + 86_400 * 30).is_err());
    // Without any Laravel session, or beside another one: refused.
    assert!(bridge_user(&cookies, &format!("bridge={bridge}"), NOW).is_err());
    let elsewhere = format!("{SESSION_COOKIE_NAME}={other_session}; bridge={bridge}");
    assert!(bridge_user(&cookies, &elsewhere, NOW).is_err());
    // The bridge's value moved into the session cookie: refused (the prefix names the cookie).
    let moved = format!("{SESSION_COOKIE_NAME}={bridge}; bridge={bridge}");
    assert!(bridge_user(&cookies, &moved, NOW).is_err());
    // A bridge of the old recipe (no sid, no exp): refused.
    let old = format!("{SESSION_COOKIE_NAME}={session}; bridge={unbound}");
    assert!(bridge_user(&cookies, &old, NOW).is_err());
}

// --- what held -------------------------------------------------------------------------------

/// CBC `mac`: upper case, truncated, extended, empty, with a prefix, or the HMAC of other
/// fields (swapped order, the decoded bytes, with the tag, SHA-1-sized) — refused by Laravel
/// and here.
#[test]
fn macs_other_than_laravel_s_exact_hex_are_refused() {
    let Some(mut php) = php("macs_other_than_laravel_s_exact_hex_are_refused") else {
        return;
    };
    for cipher in [Cipher::Aes256Cbc, Cipher::Aes128Cbc] {
        let k = key_bytes(key(cipher));
        let ours = crypt(cipher);
        let theirs = php.value(
            json!({"op": "encrypt_string", "key": key(cipher), "cipher": cipher.name(), "value": "secret"}),
            "value",
        );
        for value in [theirs, ours.encrypt_string("secret").unwrap()] {
            let json = open_envelope(&value);
            let (iv, ct, mac) = (
                field(&json, "iv"),
                field(&json, "value"),
                field(&json, "mac"),
            );
            assert_eq!(mac, laravel_mac(&k, &iv, &ct));
            let iv_raw = B64.decode(&iv).unwrap();
            let ct_raw = B64.decode(&ct).unwrap();
            let macs = [
                mac.to_uppercase(),
                mac[..62].to_owned(),
                mac[..40].to_owned(),
                format!("{mac}00"),
                format!("0x{mac}"),
                format!(" {mac}"),
                String::new(),
                laravel_mac(&k, &ct, &iv),
                hex(&hmac256(&k, &[&iv_raw, &ct_raw])),
                hex(&hmac256(&k, &[iv.as_bytes(), ct.as_bytes(), b""])) + "00",
                hex(&hmac256(&k, &[ct.as_bytes()])),
                hex(&hmac256(&k[1..], &[iv.as_bytes(), ct.as_bytes()])),
                B64.encode(hmac256(&k, &[iv.as_bytes(), ct.as_bytes()])),
            ];
            for bad_mac in macs {
                let bad = edited(&value, |j| {
                    j.insert("mac".into(), json!(bad_mac));
                });
                assert_eq!(
                    ours.decrypt_string(&bad),
                    Err(OpenError::Invalid),
                    "{bad_mac}"
                );
                let verdict = php_decrypt_string(&mut php, cipher, key(cipher), &bad);
                assert!(verdict.unwrap_err().contains("MAC is invalid"), "{bad_mac}");
            }
            // A mac that is not a string at all: refused on both sides.
            let bad = edited(&value, |j| {
                j.insert("mac".into(), json!(["x"]));
            });
            assert!(ours.decrypt_string(&bad).is_err());
            assert!(php_decrypt_string(&mut php, cipher, key(cipher), &bad).is_err());
        }
    }
}

/// Laravel MACs `iv . value` without a separator: moving the boundary between the two fields
/// keeps the MAC. The IV must decode to exactly 16 bytes, so the only move is its `==`
/// padding into the value; refused here (not canonical base64), and Laravel either refuses it
/// or reads the same plaintext.
#[test]
fn mac_field_boundary_cannot_be_moved() {
    let Some(mut php) = php("mac_field_boundary_cannot_be_moved") else {
        return;
    };
    for cipher in [Cipher::Aes256Cbc, Cipher::Aes128Cbc] {
        let ours = crypt(cipher);
        let value = ours.encrypt_string("secret").unwrap();
        let json = open_envelope(&value);
        let (iv, ct) = (field(&json, "iv"), field(&json, "value"));
        assert!(iv.ends_with("=="));
        let moves = [
            (iv[..22].to_owned(), format!("=={ct}")),
            (iv[..23].to_owned(), format!("={ct}")),
            (format!("{iv}{}", &ct[..4]), ct[4..].to_owned()),
        ];
        for (new_iv, new_ct) in moves {
            let moved = edited(&value, |j| {
                j.insert("iv".into(), json!(new_iv));
                j.insert("value".into(), json!(new_ct));
            });
            assert!(ours.decrypt_string(&moved).is_err(), "{new_iv} {new_ct}");
            if let Ok(plain) = php_decrypt_string(&mut php, cipher, key(cipher), &moved) {
                assert_eq!(plain, "secret", "{new_iv} {new_ct}");
            }
        }
    }
}

/// GCM: a tag that is absent, empty, `null`, or not exactly 16 bytes (Laravel 8.83's
/// `ensureTagIsValid`; OpenSSL alone would accept a truncated tag) is refused on both sides;
/// a zeroed or flipped 16-byte tag fails authentication. A CBC envelope with a tag is refused
/// on both sides; a GCM envelope's `mac` is ignored by both (the tag authenticates).
#[test]
fn gcm_tags_and_mixed_envelopes() {
    let Some(mut php) = php("gcm_tags_and_mixed_envelopes") else {
        return;
    };
    for cipher in [Cipher::Aes256Gcm, Cipher::Aes128Gcm] {
        let ours = crypt(cipher);
        let theirs = php.value(
            json!({"op": "encrypt_string", "key": key(cipher), "cipher": cipher.name(), "value": "secret"}),
            "value",
        );
        for value in [theirs, ours.encrypt_string("secret").unwrap()] {
            let tag = B64.decode(field(&open_envelope(&value), "tag")).unwrap();
            let tags: Vec<Option<Value>> = vec![
                None,
                Some(json!("")),
                Some(Value::Null),
                Some(json!(B64.encode(&tag[..1]))),
                Some(json!(B64.encode(&tag[..4]))),
                Some(json!(B64.encode(&tag[..12]))),
                Some(json!(B64.encode(&tag[..15]))),
                Some(json!(B64.encode([&tag[..], &[0]].concat()))),
                Some(json!(B64.encode([&tag[..], &tag[..]].concat()))),
                Some(json!(B64.encode([0u8; 16]))),
                Some(json!(B64.encode({
                    let mut t = tag.clone();
                    t[15] ^= 1;
                    t
                }))),
                Some(json!(0)),
            ];
            for bad_tag in tags {
                let bad = edited(&value, |j| match &bad_tag {
                    None => {
                        j.remove("tag");
                    }
                    Some(t) => {
                        j.insert("tag".into(), t.clone());
                    }
                });
                assert!(ours.decrypt_string(&bad).is_err(), "{bad_tag:?}");
                assert!(
                    php_decrypt_string(&mut php, cipher, key(cipher), &bad).is_err(),
                    "{bad_tag:?}"
                );
            }
            // A `mac` beside the tag: ignored by Laravel for GCM, and here.
            let k = key_bytes(key(cipher));
            let json = open_envelope(&value);
            let with_mac = edited(&value, |j| {
                let mac = laravel_mac(&k, &field(&json, "iv"), &field(&json, "value"));
                j.insert("mac".into(), json!(mac));
            });
            assert_eq!(ours.decrypt_string(&with_mac).unwrap(), "secret");
            assert_eq!(
                php_decrypt_string(&mut php, cipher, key(cipher), &with_mac).unwrap(),
                "secret"
            );
        }
    }
    // CBC with a (16-byte) tag beside a valid mac: refused by both.
    for cipher in [Cipher::Aes256Cbc, Cipher::Aes128Cbc] {
        let value = crypt(cipher).encrypt_string("secret").unwrap();
        let bad = edited(&value, |j| {
            j.insert("tag".into(), json!(B64.encode([0u8; 16])));
        });
        assert_eq!(
            crypt(cipher).decrypt_string(&bad),
            Err(OpenError::Malformed)
        );
        assert!(php_decrypt_string(&mut php, cipher, key(cipher), &bad)
            .unwrap_err()
            .contains("does not support AEAD"));
    }
}

/// IVs of every wrong length, in non-canonical base64, or of the other mode: refused before
/// the MAC is looked at, on both sides.
#[test]
fn iv_length_games_are_refused() {
    let Some(mut php) = php("iv_length_games_are_refused") else {
        return;
    };
    for cipher in CIPHERS {
        let ours = crypt(cipher);
        let value = ours.encrypt_string("secret").unwrap();
        let iv = B64.decode(field(&open_envelope(&value), "iv")).unwrap();
        let mut ivs: Vec<Value> = [0usize, 1, 8, 11, 13, 15, 17, 24, 32, 64]
            .iter()
            .filter(|&&n| n != cipher.iv_len())
            .map(|&n| json!(B64.encode(vec![7u8; n])))
            .collect();
        let canonical = B64.encode(&iv);
        ivs.extend([
            json!(format!(" {canonical}")),
            json!(format!("{canonical}\n")),
            json!(format!("{canonical}=")),
            json!(null),
            json!(16),
            json!([canonical]),
        ]);
        let url_safe = canonical.replace('+', "-").replace('/', "_");
        if url_safe != canonical {
            ivs.push(json!(url_safe));
        }
        if cipher.is_aead() {
            // 12 bytes are 16 characters without padding; a padded spelling is not canonical.
            ivs.push(json!(format!("{canonical}==")));
        }
        for bad_iv in ivs {
            let bad = edited(&value, |j| {
                j.insert("iv".into(), bad_iv.clone());
            });
            let refused = ours.decrypt_string(&bad);
            assert!(refused.is_err(), "{cipher} {bad_iv}");
            // Laravel: "The payload is invalid." (or it cannot use the IV at all).
            let theirs = php_decrypt_string(&mut php, cipher, key(cipher), &bad);
            if let Ok(plain) = theirs {
                // PHP's lenient base64 may read a sloppy spelling of the same IV.
                assert_eq!(plain, "secret", "{cipher} {bad_iv}");
            }
        }
    }
}

/// CBC padding is checked only after the MAC: without the key, a ciphertext with broken
/// padding and one with good padding get the same `Invalid` (and the same message); with the
/// key, a broken padding is `Invalid` too. Laravel agrees ("The MAC is invalid." /
/// "Could not decrypt the data.").
#[test]
fn cbc_padding_is_no_oracle() {
    let Some(mut php) = php("cbc_padding_is_no_oracle") else {
        return;
    };
    for cipher in [Cipher::Aes256Cbc, Cipher::Aes128Cbc] {
        let k = key_bytes(key(cipher));
        let ours = crypt(cipher);
        // One block ("short" + 11 bytes of padding 0x0b): the IV's last byte sets the
        // padding byte.
        let value = ours.encrypt_string("short").unwrap();
        let json = open_envelope(&value);
        let iv = B64.decode(field(&json, "iv")).unwrap();
        let ct = field(&json, "value");
        let with_iv = |iv: &[u8], remac: bool| {
            let iv_b64 = B64.encode(iv);
            edited(&value, |j| {
                if remac {
                    j.insert("mac".into(), json!(laravel_mac(&k, &iv_b64, &ct)));
                }
                j.insert("iv".into(), json!(iv_b64));
            })
        };
        let mut bad_padding = iv.clone();
        bad_padding[15] ^= 0x0b ^ 0x20; // padding byte 0x20: invalid PKCS#7
        let mut good_padding = iv.clone();
        good_padding[15] ^= 0x0b ^ 0x01; // padding byte 0x01: valid, one byte
        let mut other_text = iv.clone();
        other_text[0] ^= 1; // "thort"

        // Without the key (MAC unchanged): one answer for every change.
        let answers: Vec<_> = [&bad_padding, &good_padding, &other_text]
            .iter()
            .map(|iv| ours.decrypt_string(&with_iv(iv, false)))
            .collect();
        for a in &answers {
            assert_eq!(a, &Err(OpenError::Invalid));
            assert_eq!(
                a.as_ref().unwrap_err().to_string(),
                answers[0].as_ref().unwrap_err().to_string()
            );
        }
        for iv in [&bad_padding, &good_padding] {
            let theirs = php_decrypt_string(&mut php, cipher, key(cipher), &with_iv(iv, false));
            assert!(theirs.unwrap_err().contains("MAC is invalid"));
        }

        // With the key (MAC recomputed): broken padding is a decryption failure on both sides.
        let bad = with_iv(&bad_padding, true);
        assert_eq!(ours.decrypt_string(&bad), Err(OpenError::Invalid));
        assert!(php_decrypt_string(&mut php, cipher, key(cipher), &bad)
            .unwrap_err()
            .contains("Could not decrypt"));
        let good = with_iv(&good_padding, true);
        let theirs = php_decrypt_string(&mut php, cipher, key(cipher), &good).unwrap();
        assert_eq!(ours.decrypt_string(&good).unwrap(), theirs);
        assert_eq!(theirs.len(), 15);
        // As a cookie: broken padding and a broken prefix are the same `Invalid`.
        let cookies = EncryptCookies::new(ours.clone());
        assert_eq!(cookies.open_str("a", &wire(&bad)), Err(OpenError::Invalid));
        assert_eq!(cookies.open_str("a", &wire(&good)), Err(OpenError::Invalid));
    }
}

/// Cookie swapping: the session cookie sent as `XSRF-TOKEN` and the other way round, a value
/// of another app's session cookie name, a name in another case, and a `Crypt::encrypt`
/// value planted as a cookie: `null` in Laravel's middleware, `Invalid` here, for every
/// cipher and both `$serialize` settings.
#[test]
fn cookie_values_cannot_be_swapped_between_names() {
    let Some(mut php) = php("cookie_values_cannot_be_swapped_between_names") else {
        return;
    };
    for cipher in [Cipher::Aes256Cbc, Cipher::Aes256Gcm, Cipher::Aes128Cbc] {
        for serialize in [false, true] {
            let cookies = EncryptCookies::new(crypt(cipher)).serialize(serialize);
            let req = |op: &str, name: &str, value: &str| {
                json!({"op": op, "key": key(cipher), "cipher": cipher.name(),
                       "serialize": serialize, "name": name, "value": value})
            };
            let set = |php: &mut Peer, name: &str, value: &str| {
                let answer = php.call(req("cookie_encrypt", name, value));
                set_cookie_value(answer["header"].as_str().unwrap())
            };
            let session = set(&mut php, SESSION_COOKIE_NAME, SESSION_ID);
            let xsrf = set(&mut php, XSRF_COOKIE_NAME, XSRF_TOKEN);
            let other_app = set(&mut php, "my_shop_session", SESSION_ID);
            let planted = php.value(
                json!({"op": "encrypt", "key": key(cipher), "cipher": cipher.name(), "value": SESSION_ID}),
                "value",
            );
            let planted_string = php.value(
                json!({"op": "encrypt_string", "key": key(cipher), "cipher": cipher.name(), "value": SESSION_ID}),
                "value",
            );
            let ours_session = cookies
                .seal_session_id(SESSION_COOKIE_NAME, SESSION_ID)
                .unwrap();
            let ours_xsrf = cookies.seal_str(XSRF_COOKIE_NAME, XSRF_TOKEN).unwrap();
            let swaps = [
                (XSRF_COOKIE_NAME, session.clone()),
                (XSRF_COOKIE_NAME, ours_session.clone()),
                (SESSION_COOKIE_NAME, xsrf.clone()),
                (SESSION_COOKIE_NAME, ours_xsrf.clone()),
                (SESSION_COOKIE_NAME, other_app),
                ("Laravel_session", session.clone()),
                ("laravel_session ", session.clone()),
                (SESSION_COOKIE_NAME, wire(&planted)),
                (SESSION_COOKIE_NAME, wire(&planted_string)),
            ];
            for (name, value) in swaps {
                let ours = cookies.open_str(name, &value);
                assert!(
                    matches!(
                        ours,
                        Err(OpenError::Invalid) | Err(OpenError::PayloadMismatch { .. })
                    ),
                    "{cipher} {serialize} {name}: {ours:?}"
                );
                assert!(cookies.open_session_id(name, &value).is_err());
                if name.trim() == name {
                    assert_eq!(
                        php_cookie(&mut php, req("cookie_decrypt", name, &value)),
                        Value::Null
                    );
                }
            }
            // Each in its place: read by both.
            for (name, value, plain) in [
                (SESSION_COOKIE_NAME, &session, SESSION_ID),
                (SESSION_COOKIE_NAME, &ours_session, SESSION_ID),
                (XSRF_COOKIE_NAME, &xsrf, XSRF_TOKEN),
                (XSRF_COOKIE_NAME, &ours_xsrf, XSRF_TOKEN),
            ] {
                assert_eq!(cookies.open_str(name, value).unwrap(), plain);
                assert_eq!(
                    php_cookie(&mut php, req("cookie_decrypt", name, value)),
                    json!(plain)
                );
            }
        }
    }
}

/// The prefix is checked under the key that decrypted: a value encrypted under a previous
/// key with the current key's prefix (or the other way round) is refused.
#[test]
fn prefix_is_checked_under_the_key_that_decrypted() {
    let Some(mut php) = php("prefix_is_checked_under_the_key_that_decrypted") else {
        return;
    };
    for cipher in CIPHERS {
        let rotated = EncryptCookies::new(crypt(cipher).previous_keys([old_key(cipher)]).unwrap());
        let prefix_of = |php: &mut Peer, app_key: &str| {
            php.value(
                json!({"op": "prefix", "key": app_key, "name": "a"}),
                "value",
            )
        };
        let new_prefix = prefix_of(&mut php, key(cipher));
        let old_prefix = prefix_of(&mut php, old_key(cipher));
        assert_eq!(rotated.value_prefix("a"), new_prefix);
        let encrypt = |php: &mut Peer, app_key: &str, plain: String| {
            wire(&php.value(
                json!({"op": "encrypt_string", "key": app_key, "cipher": cipher.name(), "value": plain}),
                "value",
            ))
        };
        let crossed = [
            encrypt(&mut php, old_key(cipher), format!("{new_prefix}v")),
            encrypt(&mut php, key(cipher), format!("{old_prefix}v")),
        ];
        for value in &crossed {
            assert_eq!(
                rotated.open_str("a", value),
                Err(OpenError::Invalid),
                "{cipher}"
            );
        }
        let genuine = [
            encrypt(&mut php, old_key(cipher), format!("{old_prefix}v")),
            encrypt(&mut php, key(cipher), format!("{new_prefix}v")),
        ];
        for value in &genuine {
            assert_eq!(rotated.open_str("a", value).unwrap(), "v", "{cipher}");
        }
    }
}

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
