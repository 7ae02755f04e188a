//! `bind = "app"` through the `Guard` itself: bytes B never open a value bound to A (nor does a
//! missing binding), a reseal keeps its binding, the digest separates its parts, a thief with
//! other bytes burns nothing, revocation ends bound sessions, and neither `Debug` nor errors
//! show the app bytes or the binding digest.

use serde::{Deserialize, Serialize};
use typed_cookies::guard::{AppBinding, ClientContext, Guard};
use typed_cookies::store::MemoryStore;
use typed_cookies::{KeyRing, OpenError, SealError, SealedCookie, Stateless};
use typed_cookies_testkit::ring;
use typed_cookies_testkit::sessions::value_of;

use crate::{ann, AppOnly};

#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-ua-app",
    salt = "tests.app-binding-attacks.ua-app.v1",
    max_age = "8h",
    bind = "user_agent, app"
)]
struct UaApp {
    user: String,
}

#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-replay",
    salt = "tests.app-binding-attacks.replay.v1",
    max_age = "8h",
    encrypt,
    replay = "5s",
    bind = "app"
)]
struct AppReplay {
    user: String,
}

#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-invite",
    salt = "tests.app-binding-attacks.invite.v1",
    max_age = "1h",
    one_time,
    bind = "app"
)]
struct AppInvite {
    team: String,
}

/// A careless user's hand-written `Stateless` for a bound type: the plain API compiles for it.
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-plain",
    salt = "tests.app-binding-attacks.plain.v1",
    max_age = "1h",
    bind = "app"
)]
struct CarelessPlain {
    user: String,
}

impl Stateless for CarelessPlain {}

fn app(bytes: &str) -> ClientContext {
    ClientContext::new().app(AppBinding::new(bytes))
}

/// Why `guard` refuses `value` as a `T` for the client `ctx`; `None` when it opens.
async fn refusal<T: SealedCookie>(
    guard: &Guard,
    keys: &KeyRing,
    value: &str,
    ctx: &ClientContext,
) -> Option<OpenError> {
    guard.open::<T>(keys, value, ctx).await.err()
}

/// The binding digest as FORMAT.md defines it, for `bind = "app"` alone.
fn app_digest(bytes: &[u8]) -> [u8; 32] {
    use sha2::{Digest as _, Sha256};
    let mut hash = Sha256::new();
    hash.update(b"typed-cookies client binding v1\0");
    hash.update(b"a");
    hash.update([1]);
    hash.update((bytes.len() as u64).to_be_bytes());
    hash.update(bytes);
    hash.finalize().into()
}

#[tokio::test]
async fn bytes_b_never_open_a_value_bound_to_a_nor_does_a_missing_binding() {
    let keys = ring();
    let guard = Guard::new(MemoryStore::new());
    let issued = guard
        .issue(&keys, &ann(), Some("user:ann"), &app("device-A"))
        .await
        .unwrap();
    let value = issued.value();
    assert_eq!(
        guard
            .open::<AppOnly>(&keys, value, &app("device-A"))
            .await
            .unwrap()
            .value()
            .user,
        "ann"
    );
    for thief in [
        app("device-B"),
        app("device-A\0"),
        app("device-a"),
        app(""),
        ClientContext::new(),
        // Other parts do not stand in for the app bytes.
        ClientContext::new().user_agent("device-A"),
        ClientContext::new().user_agent("device-A").app("device-B"),
    ] {
        assert_eq!(
            refusal::<AppOnly>(&guard, &keys, value, &thief).await,
            Some(OpenError::Invalid),
            "{thief:?}"
        );
    }
    let header = format!("__Host-app={value}");
    assert_eq!(
        guard
            .open_from_cookie_headers::<AppOnly>(&keys, [header.as_bytes()], &app("device-B"))
            .await
            .err(),
        Some(OpenError::Invalid)
    );
}

#[tokio::test]
async fn a_reseal_keeps_the_binding_it_opened_under() {
    let keys = ring();
    let guard = Guard::new(MemoryStore::new());
    let issued = guard
        .issue(&keys, &ann(), None, &app("device-A"))
        .await
        .unwrap();
    let opened = guard
        .open::<AppOnly>(&keys, issued.value(), &app("device-A"))
        .await
        .unwrap()
        .into_opened();
    let resealed = opened.reseal(&keys).unwrap();
    let set_cookie = opened.to_set_cookie(&keys).unwrap();
    let from_header = value_of(&set_cookie).to_owned();
    for value in [resealed, from_header] {
        assert!(guard
            .open::<AppOnly>(&keys, &value, &app("device-A"))
            .await
            .is_ok());
        assert_eq!(
            refusal::<AppOnly>(&guard, &keys, &value, &app("device-B")).await,
            Some(OpenError::Invalid)
        );
    }
}

/// Length-prefixed parts: moving bytes between the user agent and the app bytes, or
/// turning an empty part into an absent one, changes the digest; empty app bytes are
/// never issued.
#[tokio::test]
async fn the_digest_separates_its_parts() {
    let keys = ring();
    let guard = Guard::stateless();
    let ua_app = |ua: &str, app: &str| ClientContext::new().user_agent(ua).app(app);
    let issued = guard
        .issue(&keys, &UaApp { user: "x".into() }, None, &ua_app("ab", "c"))
        .await
        .unwrap();
    let open = |ctx: ClientContext| {
        let (guard, keys, value) = (guard.clone(), keys.clone(), issued.value().to_owned());
        async move { refusal::<UaApp>(&guard, &keys, &value, &ctx).await }
    };
    assert_eq!(open(ua_app("ab", "c")).await, None);
    for shifted in [
        ua_app("a", "bc"),
        ua_app("abc", ""),
        ua_app("", "abc"),
        ClientContext::new().app("abc"),
        ClientContext::new().app("c"),
        ua_app("ab", "c\0"),
    ] {
        assert_eq!(
            open(shifted.clone()).await,
            Some(OpenError::Invalid),
            "{shifted:?}"
        );
    }

    // Empty app bytes are never issued: a value bound to them would open for anyone who
    // sends none.
    assert_eq!(
        guard
            .issue(
                &keys,
                &UaApp { user: "x".into() },
                None,
                &ClientContext::new().app(AppBinding::new("")),
            )
            .await
            .err(),
        Some(SealError::MissingClientPart {
            name: UaApp::CONFIG.name(),
            part: "app"
        })
    );
}

#[tokio::test]
async fn issue_refuses_a_context_without_app_bytes() {
    let keys = ring();
    let guard = Guard::new(MemoryStore::new());
    for ctx in [
        ClientContext::new(),
        ClientContext::new().user_agent("Firefox"),
    ] {
        assert_eq!(
            guard.issue(&keys, &ann(), None, &ctx).await.err(),
            Some(SealError::MissingClientPart {
                name: "__Host-app",
                part: "app"
            })
        );
    }
}

/// The plain API, made to compile by a hand-written `Stateless`, still refuses the type at
/// run time: it neither seals it unbound nor opens a bound value without the binding.
#[tokio::test]
async fn a_hand_written_stateless_does_not_open_bound_values_unbound() {
    let keys = ring();
    let value = CarelessPlain { user: "ann".into() };
    assert_eq!(
        value.seal(&keys).err(),
        Some(SealError::NeedsGuard {
            name: "__Host-plain"
        })
    );
    assert!(value.to_set_cookie(&keys).is_err());
    let issued = Guard::stateless()
        .issue(&keys, &value, None, &app("device-A"))
        .await
        .unwrap();
    let needs_guard = Some(OpenError::NeedsGuard {
        name: "__Host-plain",
    });
    assert_eq!(
        CarelessPlain::open(&keys, issued.value()).err(),
        needs_guard
    );
    assert_eq!(
        CarelessPlain::open_with_metadata(&keys, issued.value()).err(),
        needs_guard
    );
    let header = format!("__Host-plain={}", issued.value());
    assert_eq!(
        CarelessPlain::from_cookie_header(&keys, &header).err(),
        needs_guard
    );
}

/// A thief with the wrong app bytes is refused before the store is touched: the one-time
/// token is not used up, the replay session is neither rotated nor revoked.
#[tokio::test]
async fn a_thief_with_other_bytes_burns_nothing() {
    let keys = ring();
    let guard = Guard::new(MemoryStore::new());

    let invite = guard
        .issue(&keys, &AppInvite { team: "t".into() }, None, &app("A"))
        .await
        .unwrap();
    assert_eq!(
        refusal::<AppInvite>(&guard, &keys, invite.value(), &app("B")).await,
        Some(OpenError::Invalid)
    );
    assert!(guard
        .open::<AppInvite>(&keys, invite.value(), &app("A"))
        .await
        .is_ok());
    // Used: even the right device cannot use it again, nor can the thief.
    assert_eq!(
        refusal::<AppInvite>(&guard, &keys, invite.value(), &app("A")).await,
        Some(OpenError::AlreadyUsed)
    );
    assert_eq!(
        refusal::<AppInvite>(&guard, &keys, invite.value(), &app("B")).await,
        Some(OpenError::Invalid)
    );

    let session = guard
        .issue(
            &keys,
            &AppReplay { user: "ann".into() },
            Some("user:ann"),
            &app("A"),
        )
        .await
        .unwrap();
    for _ in 0..3 {
        assert_eq!(
            refusal::<AppReplay>(&guard, &keys, session.value(), &app("B")).await,
            Some(OpenError::Invalid)
        );
    }
    let checked = guard
        .open::<AppReplay>(&keys, session.value(), &app("A"))
        .await
        .unwrap();
    let renewed = checked.renewed().expect("a replay rotation");
    let renewed = value_of(renewed);
    // The renewal is bound to A too.
    assert_eq!(
        refusal::<AppReplay>(&guard, &keys, renewed, &app("B")).await,
        Some(OpenError::Invalid)
    );
    assert!(guard
        .open::<AppReplay>(&keys, renewed, &app("A"))
        .await
        .is_ok());
}

#[tokio::test]
async fn revocation_and_sign_out_everywhere_end_bound_sessions() {
    let keys = ring();
    let guard = Guard::new(MemoryStore::new());
    let first = guard
        .issue(&keys, &ann(), Some("user:ann"), &app("A"))
        .await
        .unwrap();
    let opened = guard
        .open::<AppOnly>(&keys, first.value(), &app("A"))
        .await
        .unwrap();
    guard.revoke(&keys, opened.opened()).await.unwrap();
    assert_eq!(
        refusal::<AppOnly>(&guard, &keys, first.value(), &app("A")).await,
        Some(OpenError::Revoked)
    );
    let second = guard
        .issue(&keys, &ann(), Some("user:ann"), &app("C"))
        .await
        .unwrap();
    guard.sign_out_everywhere(&keys, "user:ann").await.unwrap();
    assert_eq!(
        refusal::<AppOnly>(&guard, &keys, second.value(), &app("C")).await,
        Some(OpenError::Revoked)
    );
}

#[test]
fn debug_and_errors_do_not_show_the_app_bytes() {
    let secret = "device-secret-7f3a";
    let ctx = app(secret);
    assert!(!format!("{ctx:?}").contains("7f3a"));
    assert!(!format!("{:?}", AppBinding::new(secret)).contains("7f3a"));
    let rejection =
        typed_cookies::integrations::SealedRejection::NoAppBinding { name: "__Host-app" };
    assert!(!format!("{rejection} {rejection:?}").contains("7f3a"));
}

/// `Checked<T>`, `Opened<T>` (and the adapters' `Guarded<T>`, which wraps it) derive
/// `Debug` down to the binding digest: an unsalted SHA-256 of the bound parts, the same
/// in every application using typed-cookies (FORMAT.md). `AppBinding` and `ClientContext`
/// hide their bytes ("the bytes may identify a device or a person"), but a handler that
/// logs `?session` writes a stable, cross-application identifier of the device, which a
/// dictionary (device ids, tenants) or, for `bind = "ip"`, 2^24 hashes invert.
#[tokio::test]
async fn debug_of_an_opened_value_does_not_show_the_binding_digest() {
    let keys = ring();
    let guard = Guard::stateless();
    let value = UaApp { user: "x".into() };
    let tenant = ClientContext::new().app("tenant-acme");
    let issued = guard.issue(&keys, &value, None, &tenant).await.unwrap();
    let checked = guard
        .open::<UaApp>(&keys, issued.value(), &tenant)
        .await
        .unwrap();
    let shown = format!("{checked:?}");
    // The digest of `bind = "user_agent, app"` with no user agent and app "tenant-acme".
    use sha2::{Digest as _, Sha256};
    let mut hash = Sha256::new();
    hash.update(b"typed-cookies client binding v1\0");
    hash.update([b'u', 0]);
    hash.update([b'a', 1]);
    hash.update(11u64.to_be_bytes());
    hash.update(b"tenant-acme");
    let digest: [u8; 32] = hash.finalize().into();
    let digest = format!("{digest:?}");
    let digest = digest.trim_start_matches('[').trim_end_matches(']');
    assert!(!shown.contains(digest), "{shown}");
}

/// The digest is what `app_digest` computes: the check above is not vacuous.
#[test]
fn the_reference_digest_is_formats() {
    assert_ne!(app_digest(b"A"), app_digest(b"B"));
    assert_ne!(app_digest(b""), app_digest(b"\0"));
}
