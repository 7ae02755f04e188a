//! `typed_cookies::interop::laravel` against the real Laravel 8 (Debian's
//! php-illuminate-encryption / php-illuminate-cookie 8.83.26 on php-symfony-http-foundation
//! 5.4, `tests/interop/laravel_peer.php`), one peer harness for:
//!
//! - `peer.rs`: the `Encrypter` (`encrypt`/`decrypt`, `encryptString`/`decryptString`, all
//!   four ciphers, `APP_KEY` parsing) and the `EncryptCookies` middleware (value prefix,
//!   Symfony's `Set-Cookie` encoding, `$serialize`) in both directions, with the same verdicts
//!   on both sides;
//! - `migration.rs`: the migration guide's recipes (a bridge cookie that expires, is bound to
//!   the session and refuses replays; a leaked key is never kept as a previous key) and
//!   unknown cipher names;
//! - `envelopes.rs`: MACs other than Laravel's exact hex, a moved field boundary, GCM tags of
//!   every wrong length, mixed envelopes, IV length games, CBC padding (no oracle before the
//!   MAC), values swapped between cookie names, prefixes under the wrong key;
//! - `plaintexts.rs`: PHP-serialized plaintexts never deserialized, lengths around the truth,
//!   percent-encoding tricks, hostile envelopes and deep JSON, key rotation, no `APP_KEY` in
//!   `Debug` output or errors, and the recipes with the real middleware.

#[path = "../interop/peer.rs"]
mod interop;

mod envelopes;
mod migration;
mod peer;
mod plaintexts;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use interop::Peer;
use serde_json::{json, Value};
use sha2::Sha256;
use typed_cookies::interop::laravel::{Cipher, Encrypter};

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
