//! The migration guide's recipes, and unknown cipher names.

use serde_json::json;
use typed_cookies::interop::laravel::{
    self, AppKeyError, Cipher, EncryptCookies, Encrypter, SESSION_COOKIE_NAME,
};
use typed_cookies::OpenError;

use crate::*;

// --- findings, fixed --------------------------------------------------------------------

/// The guide's bridge cookie (docs/migrate-from-laravel.md): what the Laravel app queues.
#[derive(serde::Deserialize)]
struct Bridge {
    user_id: u64,
    sid: String,
    exp: i64,
}

/// "Now" for the bridge recipe, in unix seconds (the guide reads the clock; tests pass it).
pub(crate) const NOW: i64 = 1_767_225_600;

/// The bridge JSON the guide's `Cookie::queue('bridge', json_encode([...]))` writes.
pub(crate) fn bridge_json(user_id: u64, sid: &str, exp: i64) -> String {
    json!({"user_id": user_id, "sid": sid, "exp": exp}).to_string()
}

/// The guide's bridge recipe over a `Cookie:` header at `now`: the user, or why not.
pub(crate) fn bridge_user(cookies: &EncryptCookies, header: &str, now: i64) -> Result<u64, String> {
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
    let guide = include_str!("../../docs/migrate-from-laravel.md");
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
    let guide = include_str!("../../docs/migrate-from-laravel.md");
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
