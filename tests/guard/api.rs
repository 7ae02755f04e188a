//! Stolen-cookie defences through the public API, on the in-process store: client binding,
//! real sign-out, sign out everywhere, one-time values, replay detection, and what a store
//! outage does (fail closed by default, fail open when the type says so). The same store
//! contract against a real Redis is `tests/store/`; the adapters, `axum_adapter.rs` and
//! `actix_adapter.rs`.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use typed_cookies::guard::{ClientContext, Guard};
use typed_cookies::store::MemoryStore;
use typed_cookies::time::Duration;
use typed_cookies::{Binding, OpenError, SealError, SealedCookie, Tracking};
use typed_cookies_testkit::sessions::value_of;
use typed_cookies_testkit::{clocked, poll_ready as run, ring, SwitchableStore};

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-bound",
    salt = "tests.guard.bound.v1",
    max_age = "8h",
    encrypt,
    bind = "user_agent, ip"
)]
struct Bound {
    user: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-session",
    salt = "tests.guard.session.v1",
    max_age = "8h",
    idle = "30m",
    encrypt,
    revocable
)]
struct Session {
    user: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-signed",
    salt = "tests.guard.signed.v1",
    max_age = "8h",
    revocable,
    bind = "app"
)]
struct SignedSession {
    user: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-reset",
    salt = "tests.guard.reset.v1",
    max_age = "1h",
    one_time
)]
struct Reset {
    user: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-replayed",
    salt = "tests.guard.paranoid.v1",
    max_age = "8h",
    encrypt,
    replay = "5s"
)]
struct Paranoid {
    user: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-lenient",
    salt = "tests.guard.lenient.v1",
    max_age = "8h",
    revocable,
    if_store_down = "accept"
)]
struct Lenient {
    user: String,
}

fn ann<T: From<String>>() -> T {
    T::from("ann".to_string())
}

macro_rules! from_user {
    ($($t:ident),*) => {$(impl From<String> for $t { fn from(user: String) -> Self { Self { user } } })*};
}
from_user!(Bound, Session, SignedSession, Reset, Paranoid, Lenient);

fn firefox() -> ClientContext {
    ClientContext::new()
        .user_agent("Mozilla/5.0 Firefox/140")
        .ip("198.51.100.20".parse::<IpAddr>().unwrap())
}

#[test]
fn the_derive_records_each_defence() {
    assert_eq!(
        Bound::CONFIG.binding(),
        Binding::USER_AGENT.and(Binding::IP)
    );
    assert_eq!(Bound::CONFIG.tracking(), Tracking::None);
    assert_eq!(Session::CONFIG.tracking(), Tracking::Revocable);
    assert_eq!(Reset::CONFIG.tracking(), Tracking::OneTime);
    assert_eq!(Paranoid::CONFIG.tracking(), Tracking::Revocable);
    assert_eq!(Paranoid::CONFIG.replay_grace(), Some(Duration::seconds(5)));
    assert!(Lenient::CONFIG.fails_open() && !Session::CONFIG.fails_open());
    assert!(Bound::CONFIG.guarded() && Session::CONFIG.guarded());
}

/// Guarded types that claim, by hand, to be `Stateless`: the derive never writes that (the plain
/// API on a guarded type is a compile error, `ui-tests/fail/guarded_*.rs`), so these exist only
/// to reach the run-time backstop behind the bound.
mod hand_marked {
    use serde::{Deserialize, Serialize};
    use typed_cookies::{SealedCookie, Stateless};

    #[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
    #[cookie(
        name = "__Host-marked-sid",
        salt = "tests.guard.marked.session.v1",
        max_age = "8h",
        encrypt,
        revocable
    )]
    pub struct Session {
        pub user: String,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
    #[cookie(
        name = "__Host-marked-bound",
        salt = "tests.guard.marked.bound.v1",
        max_age = "8h",
        bind = "user_agent"
    )]
    pub struct Bound {
        pub user: String,
    }

    impl Stateless for Session {}
    impl Stateless for Bound {}
}

#[test]
fn a_hand_written_stateless_still_refuses_the_unguarded_paths_at_run_time() {
    use hand_marked::{Bound, Session};
    let keys = ring();
    let session = || Session { user: "ann".into() };
    assert_eq!(
        session().seal(&keys),
        Err(SealError::NeedsGuard {
            name: "__Host-marked-sid"
        })
    );
    assert!(matches!(
        session().to_set_cookie(&keys),
        Err(SealError::NeedsGuard { .. })
    ));
    assert!(matches!(
        Bound { user: "ann".into() }.to_set_cookie(&keys),
        Err(SealError::NeedsGuard { .. })
    ));
    let guard = Guard::new(MemoryStore::new());
    let issued = run(guard.issue(&keys, &session(), None, &firefox())).unwrap();
    assert_eq!(
        Session::open(&keys, issued.value()),
        Err(OpenError::NeedsGuard {
            name: "__Host-marked-sid"
        })
    );
    assert!(matches!(
        Session::open_with_metadata(&keys, issued.value()),
        Err(OpenError::NeedsGuard { .. })
    ));
    let header = format!("__Host-marked-sid={}", issued.value());
    assert!(matches!(
        Session::from_cookie_header(&keys, &header),
        Err(OpenError::NeedsGuard { .. })
    ));
    // The guard itself still opens it.
    let opened = run(guard.open::<Session>(&keys, issued.value(), &firefox())).unwrap();
    assert_eq!(opened.value(), &session());
}

#[test]
fn a_bound_value_opens_only_from_its_client() {
    let keys = ring();
    let guard = Guard::stateless();
    let issued = run(guard.issue(&keys, &ann::<Bound>(), None, &firefox())).unwrap();
    assert_eq!(issued.session_id(), None, "bound only: nothing tracked");
    let open = |ctx: &ClientContext| run(guard.open::<Bound>(&keys, issued.value(), ctx));
    assert_eq!(open(&firefox()).unwrap().value(), &ann::<Bound>());
    // Same /24: a NAT pool or DHCP renewal keeps working.
    let neighbour = ClientContext::new()
        .user_agent("Mozilla/5.0 Firefox/140")
        .ip("198.51.100.200".parse::<IpAddr>().unwrap());
    assert!(open(&neighbour).is_ok());
    for thief in [
        ClientContext::new()
            .user_agent("Mozilla/5.0 Firefox/140")
            .ip("203.0.113.9".parse::<IpAddr>().unwrap()),
        ClientContext::new()
            .user_agent("curl/8.5")
            .ip("198.51.100.20".parse::<IpAddr>().unwrap()),
        ClientContext::new().ip("198.51.100.20".parse::<IpAddr>().unwrap()),
        ClientContext::new(),
    ] {
        assert_eq!(open(&thief).err(), Some(OpenError::Invalid), "{thief:?}");
    }
    // Resealing an opened bound value keeps it bound to the same client.
    let opened = open(&firefox()).unwrap();
    let again = opened.opened().reseal(&keys).unwrap();
    assert!(run(guard.open::<Bound>(&keys, &again, &firefox())).is_ok());
    assert_eq!(
        run(guard.open::<Bound>(&keys, &again, &ClientContext::new())).err(),
        Some(OpenError::Invalid)
    );
}

#[test]
fn a_signed_value_bound_to_app_bytes_refuses_other_bytes() {
    let keys = ring();
    let guard = Guard::new(MemoryStore::new());
    let device = ClientContext::new().app("device-1");
    let issued = run(guard.issue(&keys, &ann::<SignedSession>(), Some("ann"), &device)).unwrap();
    assert!(run(guard.open::<SignedSession>(&keys, issued.value(), &device)).is_ok());
    assert_eq!(
        run(guard.open::<SignedSession>(
            &keys,
            issued.value(),
            &ClientContext::new().app("device-2")
        ))
        .err(),
        Some(OpenError::Invalid)
    );
}

#[test]
fn sign_out_revokes_every_copy_of_that_session_only() {
    let keys = ring();
    let guard = Guard::new(MemoryStore::new());
    let ctx = ClientContext::new();
    let laptop = run(guard.issue(&keys, &ann::<Session>(), Some("user:1"), &ctx)).unwrap();
    let phone = run(guard.issue(&keys, &ann::<Session>(), Some("user:1"), &ctx)).unwrap();
    assert_ne!(laptop.session_id(), phone.session_id());
    let opened = run(guard.open::<Session>(&keys, laptop.value(), &ctx)).unwrap();
    assert_eq!(opened.opened().session_id(), laptop.session_id());
    assert_eq!(opened.opened().subject(), Some("user:1"));
    // A copy taken before sign-out (and a reseal of it) is refused after.
    let copy = laptop.value().to_string();
    let resealed = opened.opened().reseal(&keys).unwrap();
    run(guard.revoke(&keys, opened.opened())).unwrap();
    for value in [&copy, &resealed] {
        assert_eq!(
            run(guard.open::<Session>(&keys, value, &ctx)).err(),
            Some(OpenError::Revoked)
        );
    }
    assert!(run(guard.open::<Session>(&keys, phone.value(), &ctx)).is_ok());
}

#[test]
fn sign_out_everywhere_ends_every_older_session_of_the_subject() {
    let keys = ring();
    let guard = Guard::new(MemoryStore::new());
    let ctx = ClientContext::new();
    let mine = run(guard.issue(&keys, &ann::<Session>(), Some("user:1"), &ctx)).unwrap();
    let other_user = run(guard.issue(&keys, &ann::<Session>(), Some("user:2"), &ctx)).unwrap();
    let anonymous = run(guard.issue(&keys, &ann::<Session>(), None, &ctx)).unwrap();
    let epoch = run(guard.sign_out_everywhere(&keys, "user:1")).unwrap();
    // The epoch is the sign-out time in µs on the store's clock (see tests/revocation/epochs.rs).
    assert_eq!(epoch, keys.now().unix_timestamp() as u64 * 1_000_000);
    assert_eq!(
        run(guard.open::<Session>(&keys, mine.value(), &ctx)).err(),
        Some(OpenError::Revoked)
    );
    assert!(run(guard.open::<Session>(&keys, other_user.value(), &ctx)).is_ok());
    assert!(run(guard.open::<Session>(&keys, anonymous.value(), &ctx)).is_ok());
    // Signing in again afterwards works: the new session carries the new epoch.
    let again = run(guard.issue(&keys, &ann::<Session>(), Some("user:1"), &ctx)).unwrap();
    assert!(run(guard.open::<Session>(&keys, again.value(), &ctx)).is_ok());
}

#[test]
fn a_one_time_value_opens_once() {
    let keys = ring();
    let guard = Guard::new(MemoryStore::new());
    let ctx = ClientContext::new();
    let link = run(guard.issue(&keys, &ann::<Reset>(), Some("user:1"), &ctx)).unwrap();
    let second = run(guard.issue(&keys, &ann::<Reset>(), Some("user:1"), &ctx)).unwrap();
    assert_eq!(
        run(guard.open::<Reset>(&keys, link.value(), &ctx))
            .unwrap()
            .value(),
        &ann::<Reset>()
    );
    assert_eq!(
        run(guard.open::<Reset>(&keys, link.value(), &ctx)).err(),
        Some(OpenError::AlreadyUsed)
    );
    assert!(run(guard.open::<Reset>(&keys, second.value(), &ctx)).is_ok());
}

#[test]
fn a_one_time_value_is_claimed_once_under_concurrent_opens() {
    let keys = ring();
    let guard = Guard::new(MemoryStore::new());
    let link = run(guard.issue(&keys, &ann::<Reset>(), None, &ClientContext::new())).unwrap();
    let wins = std::thread::scope(|s| {
        let handles: Vec<_> = (0..32)
            .map(|_| {
                s.spawn(|| {
                    run(guard.open::<Reset>(&keys, link.value(), &ClientContext::new())).is_ok()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .filter(|won| *won)
            .count()
    });
    assert_eq!(wins, 1);
}

#[test]
fn replay_detection_rotates_tolerates_in_flight_requests_and_revokes_a_stolen_copy() {
    let (keys, clock) = clocked(&ring());
    let guard = Guard::new(MemoryStore::new());
    let ctx = ClientContext::new();
    let issued = run(guard.issue(&keys, &ann::<Paranoid>(), Some("user:1"), &ctx)).unwrap();
    let first = issued.value().to_string();
    // Every request rotates: the response carries the next value.
    let checked = run(guard.open::<Paranoid>(&keys, &first, &ctx)).unwrap();
    let renewed = checked.renewed().expect("rotated").to_string();
    assert!(renewed.starts_with("__Host-replayed="));
    let second = renewed["__Host-replayed=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert_ne!(second, first);
    // A request that was in flight with the first value, within the grace window: accepted,
    // no new value (the other response already carries it).
    clock.advance(Duration::seconds(5));
    let in_flight = run(guard.open::<Paranoid>(&keys, &first, &ctx)).unwrap();
    assert_eq!(in_flight.renewed(), None);
    // The real browser goes on with the second value.
    let third_set = run(guard.open::<Paranoid>(&keys, &second, &ctx)).unwrap();
    assert!(third_set.renewed().is_some());
    // A thief replays the first value later: detected, and the whole session ends.
    clock.advance(Duration::seconds(1));
    assert_eq!(
        run(guard.open::<Paranoid>(&keys, &first, &ctx)).err(),
        Some(OpenError::Replayed)
    );
    let third = third_set.renewed().unwrap()["__Host-replayed=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        run(guard.open::<Paranoid>(&keys, &third, &ctx)).err(),
        Some(OpenError::Revoked)
    );
}

#[test]
fn replay_of_the_previous_value_after_the_grace_window_is_detected() {
    let (keys, clock) = clocked(&ring());
    let guard = Guard::new(MemoryStore::new());
    let ctx = ClientContext::new();
    let issued = run(guard.issue(&keys, &ann::<Paranoid>(), None, &ctx)).unwrap();
    let _ = run(guard.open::<Paranoid>(&keys, issued.value(), &ctx)).unwrap();
    clock.advance(Duration::seconds(6));
    assert_eq!(
        run(guard.open::<Paranoid>(&keys, issued.value(), &ctx)).err(),
        Some(OpenError::Replayed)
    );
}

#[test]
fn a_store_outage_refuses_by_default_and_accepts_when_the_type_says_so() {
    let keys = ring();
    let store = std::sync::Arc::new(SwitchableStore::default());
    let guard = Guard::from_arc(store.clone());
    let ctx = ClientContext::new();
    let strict = run(guard.issue(&keys, &ann::<Session>(), Some("u"), &ctx)).unwrap();
    let lenient = run(guard.issue(&keys, &ann::<Lenient>(), Some("u"), &ctx)).unwrap();
    let link = run(guard.issue(&keys, &ann::<Reset>(), None, &ctx)).unwrap();
    store.set_down(true);
    assert_eq!(
        run(guard.open::<Session>(&keys, strict.value(), &ctx)).err(),
        Some(OpenError::StoreUnavailable)
    );
    assert_eq!(
        run(guard.open::<Reset>(&keys, link.value(), &ctx)).err(),
        Some(OpenError::StoreUnavailable)
    );
    assert!(run(guard.open::<Lenient>(&keys, lenient.value(), &ctx)).is_ok());
    assert_eq!(
        run(guard.issue(&keys, &ann::<Session>(), Some("u"), &ctx)).err(),
        Some(SealError::StoreUnavailable)
    );
    assert!(run(guard.issue(&keys, &ann::<Lenient>(), Some("u"), &ctx)).is_ok());
    // Back up: the one-time link was never claimed during the outage.
    store.set_down(false);
    assert!(run(guard.open::<Reset>(&keys, link.value(), &ctx)).is_ok());
}

/// README trial: `bind = "ip"` issued with a hand-built context holding only the user agent
/// used to succeed silently, and the cookie then never opened (401 right after sign-in). Issuing
/// now refuses a context that lacks a bound part other than the user agent, names the part,
/// and touches no store; a missing user agent is still bound as absent.
#[test]
fn issue_refuses_a_context_without_a_bound_ip_or_app_part() {
    let keys = ring();
    let store = std::sync::Arc::new(SwitchableStore::default());
    let guard = Guard::from_arc(store.clone());
    let user_agent_only = ClientContext::new().user_agent("Mozilla/5.0 Firefox/140");
    let refused = run(guard.issue(&keys, &ann::<Bound>(), None, &user_agent_only)).unwrap_err();
    assert_eq!(
        refused,
        SealError::MissingClientPart {
            name: "__Host-bound",
            part: "ip"
        }
    );
    assert_eq!(refused.kind(), "missing_client_part");
    let message = refused.to_string();
    assert!(
        message.contains("client's ip") && message.contains("client_context_of"),
        "{message}"
    );
    assert!(!message.contains("Firefox"), "{message}");
    // `bind = "app"` without app bytes, on a tracked type: refused before the store is asked
    // (a store outage would otherwise be the answer).
    store.set_down(true);
    assert_eq!(
        run(guard.issue(&keys, &ann::<SignedSession>(), Some("ann"), &firefox())).err(),
        Some(SealError::MissingClientPart {
            name: "__Host-signed",
            part: "app"
        })
    );
    store.set_down(false);
    // Complete contexts issue, and a context without a user agent is bound as "none".
    assert!(run(guard.issue(&keys, &ann::<Bound>(), None, &firefox())).is_ok());
    let no_agent = ClientContext::new().ip("198.51.100.20".parse::<IpAddr>().unwrap());
    let issued = run(guard.issue(&keys, &ann::<Bound>(), None, &no_agent)).unwrap();
    assert!(run(guard.open::<Bound>(&keys, issued.value(), &no_agent)).is_ok());
    assert!(run(guard.issue(
        &keys,
        &ann::<SignedSession>(),
        Some("ann"),
        &ClientContext::new().app("device-1")
    ))
    .is_ok());
}

#[test]
fn a_stateless_guard_refuses_tracked_types() {
    let keys = ring();
    let guard = Guard::stateless();
    assert_eq!(
        run(guard.issue(&keys, &ann::<Session>(), None, &ClientContext::new())).err(),
        Some(SealError::StoreUnavailable)
    );
}

#[test]
fn the_absolute_and_idle_lifetimes_still_apply() {
    let (keys, clock) = clocked(&ring());
    let guard = Guard::new(MemoryStore::new());
    let ctx = ClientContext::new();
    let issued = run(guard.issue(&keys, &ann::<Session>(), None, &ctx)).unwrap();
    clock.advance(Duration::minutes(31));
    assert!(matches!(
        run(guard.open::<Session>(&keys, issued.value(), &ctx)),
        Err(OpenError::Expired { .. })
    ));
}

#[test]
fn an_overlong_subject_is_refused() {
    let keys = ring();
    let guard = Guard::new(MemoryStore::new());
    assert_eq!(
        run(guard.issue(
            &keys,
            &ann::<Session>(),
            Some(&"x".repeat(256)),
            &ClientContext::new()
        ))
        .err(),
        Some(SealError::SubjectTooLong { len: 256 })
    );
}

/// `Some("")` used to issue an anonymous session (the claims block reads an empty subject as
/// none), which "sign out everywhere" for any subject never ends: refused, for every kind of
/// guarded type.
#[test]
fn an_empty_subject_is_refused_not_an_anonymous_session() {
    let keys = ring();
    let guard = Guard::new(MemoryStore::new());
    let ctx = firefox();
    let refused = SealError::EmptySubject;
    assert_eq!(
        run(guard.issue(&keys, &ann::<Session>(), Some(""), &ctx)).err(),
        Some(refused.clone())
    );
    assert_eq!(
        run(guard.issue(&keys, &ann::<Paranoid>(), Some(""), &ctx)).err(),
        Some(refused.clone())
    );
    assert_eq!(
        run(guard.issue(&keys, &ann::<Bound>(), Some(""), &ctx)).err(),
        Some(refused.clone())
    );
    assert_eq!(refused.kind(), "empty_subject");
    assert!(refused.to_string().contains("pass `None`"), "{refused}");
    // A one-character subject is a subject: it carries it, and everywhere ends it.
    let issued = run(guard.issue(&keys, &ann::<Session>(), Some("7"), &ctx)).unwrap();
    let opened = run(guard.open::<Session>(&keys, issued.value(), &ctx)).unwrap();
    assert_eq!(opened.opened().subject(), Some("7"));
    run(guard.sign_out_everywhere(&keys, "7")).unwrap();
    assert_eq!(
        run(guard.open::<Session>(&keys, issued.value(), &ctx)).err(),
        Some(OpenError::Revoked)
    );
}

/// A runtime one-time sealer and a derived tracked type with the same salt (both values carry
/// a claims block) used to share a namespace: a token minted by `keys.signed(salt).one_time(..)`
/// opened as the derived type's session, and the derived type's values as one-time tokens.
/// Each now has its own subkey: `Invalid` both ways.
#[test]
fn a_runtime_one_time_sealer_and_a_derived_tracked_type_of_one_salt_stay_apart() {
    let keys = ring();
    let guard = Guard::new(MemoryStore::new());
    let ctx = firefox();
    // `Reset`: signed, `one_time`, salt "tests.guard.reset.v1".
    let runtime_reset = keys
        .signed(Reset::CONFIG.salt())
        .one_time(Duration::hours(1));
    let minted = runtime_reset.seal(&ann::<Reset>()).unwrap();
    assert_eq!(
        run(guard.open::<Reset>(&keys, &minted, &ctx)).err(),
        Some(OpenError::Invalid)
    );
    let issued = run(guard.issue(&keys, &ann::<Reset>(), None, &ctx)).unwrap();
    assert_eq!(
        run(runtime_reset.open::<Reset>(&guard, issued.value())),
        Err(OpenError::Invalid)
    );
    // `Session`: encrypted, `revocable`, with a subject.
    let runtime_session = keys
        .encrypted(Session::CONFIG.salt())
        .one_time(Duration::hours(1));
    let minted = runtime_session.seal(&ann::<Session>()).unwrap();
    assert_eq!(
        run(guard.open::<Session>(&keys, &minted, &ctx)).err(),
        Some(OpenError::Invalid)
    );
    let issued = run(guard.issue(&keys, &ann::<Session>(), Some("user:ann"), &ctx)).unwrap();
    assert_eq!(
        run(runtime_session.open::<Session>(&guard, issued.value())),
        Err(OpenError::Invalid)
    );
    // Each still opens its own.
    let token = runtime_reset.seal(&ann::<Reset>()).unwrap();
    assert_eq!(run(runtime_reset.open(&guard, &token)), Ok(ann::<Reset>()));
    let issued = run(guard.issue(&keys, &ann::<Reset>(), None, &ctx)).unwrap();
    let opened = run(guard.open::<Reset>(&keys, issued.value(), &ctx)).unwrap();
    assert_eq!(opened.value(), &ann::<Reset>());
}

#[test]
fn a_runtime_one_time_token_opens_once_and_never_through_a_plain_sealer() {
    let (keys, clock) = clocked(&ring());
    let guard = Guard::new(MemoryStore::new());
    let invite = keys
        .encrypted("tests.guard.invite")
        .one_time(Duration::hours(1));
    let token = invite.seal(&("team-7", "ann@example.com")).unwrap();
    let other = invite.seal(&("team-7", "bob@example.com")).unwrap();
    // The plain sealer of the same salt cannot open it (and so cannot skip the claim).
    let plain = keys
        .encrypted("tests.guard.invite")
        .max_age(Duration::hours(1));
    assert_eq!(
        plain.open::<(String, String)>(&token),
        Err(OpenError::TrackingMismatch { tracked: false })
    );
    let opened: (String, String) = run(invite.open(&guard, &token)).unwrap();
    assert_eq!(opened.1, "ann@example.com");
    assert_eq!(
        run(invite.open::<(String, String)>(&guard, &token)),
        Err(OpenError::AlreadyUsed)
    );
    assert_eq!(
        run(invite.open::<(String, String)>(&Guard::stateless(), &other)),
        Err(OpenError::StoreUnavailable)
    );
    clock.advance(Duration::minutes(61));
    assert!(matches!(
        run(invite.open::<(String, String)>(&guard, &other)),
        Err(OpenError::Expired { .. })
    ));
}

#[test]
fn inspect_shows_a_tracked_value_and_its_payload_without_the_claims() {
    let keys = ring();
    let guard = Guard::new(MemoryStore::new());
    let issued = run(guard.issue(&keys, &ann::<Reset>(), None, &ClientContext::new())).unwrap();
    let seen = typed_cookies::inspect(issued.value()).unwrap();
    assert!(seen.tracked);
    assert_eq!(
        seen.unverified_payload.as_deref(),
        Some(&br#"{"user":"ann"}"#[..])
    );
    let plain = typed_cookies::inspect(&keys.signed("x").no_expiry().seal(&1).unwrap()).unwrap();
    assert!(!plain.tracked);
}

// Idle types: store entries live until the session's own deadline (not the presented copy's
// idle deadline), and a grace answer never reseals the previous nonce.

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-idle",
    salt = "tests.guard.idle.v1",
    max_age = "8h",
    idle = "15m",
    encrypt,
    revocable
)]
struct IdleSession {
    user: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-idle-replay",
    salt = "tests.guard.idle-replay.v1",
    max_age = "8h",
    idle = "15m",
    encrypt,
    replay = "5s"
)]
struct IdleParanoid {
    user: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-idle-once",
    salt = "tests.guard.idle-once.v1",
    max_age = "8h",
    idle = "15m",
    one_time
)]
struct IdleOnce {
    user: String,
}

#[test]
fn a_revocation_outlives_every_copy_of_the_session() {
    let (keys, clock) = clocked(&ring());
    let guard = Guard::new(MemoryStore::new());
    let ctx = ClientContext::new();
    let issued = run(guard.issue(
        &keys,
        &IdleSession { user: "ann".into() },
        Some("ann"),
        &ctx,
    ))
    .unwrap();
    let victim = issued.value().to_owned();
    // The thief's copy, refreshed 8 minutes in (a later idle deadline than the victim's).
    clock.advance(Duration::minutes(8));
    let thief = run(guard.open::<IdleSession>(&keys, &victim, &ctx)).unwrap();
    let thief = value_of(&thief.opened().to_set_cookie(&keys).unwrap()).to_owned();
    // The victim signs out with the older copy.
    clock.advance(Duration::minutes(1));
    let opened = run(guard.open::<IdleSession>(&keys, &victim, &ctx)).unwrap();
    run(guard.revoke(&keys, opened.opened())).unwrap();
    // Past the victim copy's idle deadline, within the thief copy's: still revoked.
    clock.advance(Duration::minutes(6) + Duration::seconds(1));
    assert_eq!(
        run(guard.open::<IdleSession>(&keys, &thief, &ctx)).err(),
        Some(OpenError::Revoked)
    );
}

#[test]
fn an_active_user_is_never_taken_for_a_replayer() {
    let (keys, clock) = clocked(&ring());
    let guard = Guard::new(MemoryStore::new());
    let ctx = ClientContext::new();
    let issued = run(guard.issue(&keys, &IdleParanoid { user: "ann".into() }, None, &ctx)).unwrap();
    let mut current = issued.value().to_owned();
    for _ in 0..4 {
        clock.advance(Duration::minutes(14));
        let checked = run(guard.open::<IdleParanoid>(&keys, &current, &ctx)).unwrap();
        current = value_of(checked.renewed().unwrap()).to_owned();
    }
}

#[test]
fn a_grace_answer_never_reseals_the_previous_nonce() {
    let (keys, clock) = clocked(&ring());
    let guard = Guard::new(MemoryStore::new());
    let ctx = ClientContext::new();
    let issued = run(guard.issue(&keys, &IdleParanoid { user: "ann".into() }, None, &ctx)).unwrap();
    clock.advance(Duration::minutes(8)); // past the refresh point
    let first = run(guard.open::<IdleParanoid>(&keys, issued.value(), &ctx)).unwrap();
    let second = run(guard.open::<IdleParanoid>(&keys, issued.value(), &ctx)).unwrap();
    assert!(first.renewed().is_some() && second.renewed().is_none());
    assert_eq!(
        second.opened().refresh_due(),
        None,
        "only the rotation renews"
    );
}

#[test]
fn a_value_opened_in_the_grace_window_is_read_only() {
    let (keys, clock) = clocked(&ring());
    let guard = Guard::new(MemoryStore::new());
    let ctx = ClientContext::new();
    let issued = run(guard.issue(&keys, &ann::<Paranoid>(), None, &ctx)).unwrap();
    let rotated = run(guard.open::<Paranoid>(&keys, issued.value(), &ctx)).unwrap();
    let in_flight = run(guard.open::<Paranoid>(&keys, issued.value(), &ctx)).unwrap();
    assert!(!rotated.opened().superseded() && in_flight.opened().superseded());
    assert_eq!(in_flight.value().user, "ann", "readable");
    // Neither nonce would be safe to write back: the presented one is a replay once the
    // window is over, the current one would make a stolen previous value live.
    let superseded = SealError::Superseded {
        name: "__Host-replayed",
    };
    assert_eq!(in_flight.opened().reseal(&keys), Err(superseded.clone()));
    assert_eq!(
        in_flight.opened().to_set_cookie(&keys),
        Err(superseded.clone())
    );
    assert_eq!(superseded.kind(), "superseded");
    // The rotating request's own write-back carries the next nonce: it opens past the window.
    let written = rotated.opened().reseal(&keys).unwrap();
    clock.advance(Duration::minutes(1));
    assert!(run(guard.open::<Paranoid>(&keys, &written, &ctx))
        .unwrap()
        .renewed()
        .is_some());
}

#[test]
fn a_one_time_value_is_never_refreshed_into_a_second_use() {
    let (keys, clock) = clocked(&ring());
    let guard = Guard::new(MemoryStore::new());
    let ctx = ClientContext::new();
    let issued = run(guard.issue(&keys, &IdleOnce { user: "ann".into() }, None, &ctx)).unwrap();
    clock.advance(Duration::minutes(8));
    let used = run(guard.open::<IdleOnce>(&keys, issued.value(), &ctx)).unwrap();
    assert_eq!(used.opened().refresh_due(), None);
    // Even a reseal made by hand stays used up, past the first copy's idle deadline.
    let again = used.opened().reseal(&keys).unwrap();
    clock.advance(Duration::minutes(10));
    assert_eq!(
        run(guard.open::<IdleOnce>(&keys, &again, &ctx)).err(),
        Some(OpenError::AlreadyUsed)
    );
}
