//! The outcome of handling one request for a stateless type: open its cookie (logged: a
//! fallback-key open at `info`, a refusal at `debug`), the extractor's answer, and what the
//! response owes the cookie on the way out (a due reseal, a flash or refused cookie's removal),
//! plus how a failed seal is logged and answered. The guarded path's outcome is in `guarded`.

#[cfg(middleware_adapter)]
use crate::cookie::sealed_cookie::open_unguarded;
use crate::cookie::{CookieScope, SealedCookie, Stateless};
use crate::error::{OpenError, SealError};
#[cfg(middleware_adapter)]
use crate::request::cookies::CookiePairs;
#[cfg(middleware_adapter)]
use crate::request::SealedRejection;
use crate::seal::Opened;

/// Opens `T` from a request's `Cookie:` header values and logs what an operator watches:
/// fallback-key opens (`info`, with the key id) and refusals (`debug`, with the reason). The
/// `http` helpers' path; the middleware adapters read through `open_found`.
#[cfg(any(feature = "http", test))]
pub(crate) fn open_headers<'h, T: Stateless>(
    scope: &impl CookieScope,
    headers: impl IntoIterator<Item = &'h [u8]>,
) -> Result<Option<Opened<T>>, OpenError> {
    logged(T::opened_from_cookie_headers(scope, headers))
}

/// [`open_headers`] from a request's `Cookie:` header values split once ([`CookiePairs`]): the
/// same lookup, the same open, the same logs.
#[cfg(middleware_adapter)]
pub(crate) fn open_parsed<T: Stateless, H: AsRef<[u8]>>(
    scope: &impl CookieScope,
    cookies: &CookiePairs<H>,
) -> Result<Option<Opened<T>>, OpenError> {
    open_found(scope, |name| cookies.find_bytes(name))
}

/// [`open_headers`] with the lookup given: `find` is asked for `T`'s name as `scope` reads it
/// (an extractor's `ExtractorCookies::find_bytes`, or a split's).
#[cfg(middleware_adapter)]
pub(crate) fn open_found<'v, T: Stateless>(
    scope: &impl CookieScope,
    find: impl FnOnce(&'static str) -> Result<Option<&'v [u8]>, OpenError>,
) -> Result<Option<Opened<T>>, OpenError> {
    let found = find(scope.form_of(&T::CONFIG).name());
    logged(found.and_then(|value| {
        value
            .map(|value| open_unguarded(scope.keys(), value))
            .transpose()
    }))
}

/// Logs what opening `T`'s cookie found (see [`open_headers`]) and returns it.
fn logged<T: Stateless>(
    result: Result<Option<Opened<T>>, OpenError>,
) -> Result<Option<Opened<T>>, OpenError> {
    let cookie = T::CONFIG.name();
    match &result {
        Ok(Some(opened)) if !opened.sealed_with_primary() => tracing::info!(
            cookie,
            key_id = %opened.key_id(),
            "sealed cookie opened with a fallback key"
        ),
        Err(error) => tracing::debug!(cookie, reason = error.kind(), "sealed cookie refused"),
        _ => {}
    }
    result
}

/// The plain extractors' answer from an opened cookie (`scope`: the request's view, for the
/// name).
#[cfg(middleware_adapter)]
pub(crate) fn plain_answer<T: SealedCookie>(
    scope: &impl CookieScope,
    opened: Result<Option<Opened<T>>, OpenError>,
) -> Result<Opened<T>, SealedRejection> {
    // What a rejection names: the cookie the browser holds (`sid` for `__Host-sid` on a
    // relaxed loopback request).
    let name = scope.form_of(&T::CONFIG).name();
    match opened {
        Ok(Some(opened)) => Ok(opened),
        Ok(None) => Err(SealedRejection::Missing { name }),
        Err(error) => Err(SealedRejection::Invalid { name, error }),
    }
}

/// What the refresh middleware appends for `T`, given what the request carried and whether the
/// response already sets `T`'s cookie: the `Set-Cookie` of a due reseal, the removal of a
/// cookie that does not open (when the type clears invalid cookies), or nothing.
pub(crate) fn refresh_header<T: SealedCookie>(
    scope: &impl CookieScope,
    opened: Result<Option<Opened<T>>, OpenError>,
    response_sets_it: bool,
) -> Option<String> {
    if response_sets_it {
        return None;
    }
    after_open(scope, opened.as_ref().map(Option::as_ref))
}

/// The decision both the `refresh` and the `guarded` middleware take on what opening found: a
/// flash value read once is removed; a value due for a refresh is resealed; a cookie that was
/// refused is removed when the type clears invalid cookies — except a duplicated name, a store
/// outage, or a guarded type seen by the plain path, which are never cleared.
pub(crate) fn after_open<T: SealedCookie>(
    scope: &impl CookieScope,
    opened: Result<Option<&Opened<T>>, &OpenError>,
) -> Option<String> {
    match opened {
        // Read once: this response deletes it.
        Ok(Some(_)) if T::CONFIG.flash() => Some(T::removal_for(scope)),
        Ok(Some(opened)) => {
            let reason = opened.refresh_due()?;
            match opened.to_set_cookie(scope) {
                Ok(header) => {
                    tracing::debug!(
                        cookie = T::CONFIG.name(),
                        reason = reason.label(),
                        "sealed cookie refreshed"
                    );
                    Some(header)
                }
                Err(error) => {
                    log_seal_error(&error);
                    None
                }
            }
        }
        Ok(None) => None,
        // A guarded type is the guard middleware's, not the plain refresh's (which does not
        // compile for one; this is only reached through a hand-written `Stateless`); during a
        // store outage the session may be fine.
        Err(OpenError::NeedsGuard { .. } | OpenError::StoreUnavailable) => None,
        // Never for a duplicate: the removal could only match *our* copy (our Path, our
        // Domain or none), so it would delete the user's real cookie and leave a planted one
        // with another Domain or Path in place — cookie tossing turned into fixation.
        Err(OpenError::DuplicateCookie { .. }) => None,
        Err(_) if T::CONFIG.clears_invalid() => Some(T::removal_for(scope)),
        Err(_) => None,
    }
}

/// What the adapters log when a seal fails and they answer 500. At `error` level only the kind
/// of failure and data-free details (sizes); a serializer's own message
/// ([`SealError::Serialize`]'s `reason`) goes to `debug` only, because a custom `Serialize`
/// impl may put payload data in it and error logs travel far.
pub(crate) fn log_seal_error(error: &SealError) {
    match error {
        SealError::Serialize { reason } => {
            tracing::error!(
                kind = "serialize",
                "could not make a sealed cookie: the payload could not be serialized \
                 (the serializer's message is logged at debug level)"
            );
            tracing::debug!(kind = "serialize", %reason, "the serializer's message");
        }
        // Not a server fault: two requests raced within a replay type's grace window.
        SealError::Superseded { name } => tracing::debug!(
            kind = "superseded",
            cookie = name,
            "not written back: opened inside its replay grace window"
        ),
        other => {
            tracing::error!(kind = other.kind(), error = %other, "could not make a sealed cookie");
        }
    }
}

/// The status and body a failed seal responds with: 503 when the revocation store could not
/// answer (try again), 409 for a value superseded inside its replay grace window (try
/// again), 500 otherwise; the body never repeats the reason.
#[cfg(middleware_adapter)]
pub(crate) fn seal_error_response(error: &SealError) -> (u16, &'static str) {
    match error {
        SealError::StoreUnavailable => (503, "503 Service Unavailable: try again\n"),
        SealError::Superseded { .. } => (
            409,
            "409 Conflict: another request renewed the session meanwhile; try again\n",
        ),
        _ => (500, "500 Internal Server Error: could not set a cookie\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyRing;
    use crate::request::response::sets_cookie;
    use crate::request::RequestView;
    use crate::{Key, ManualClock};
    use serde::{Deserialize, Serialize};
    use time::{Duration, OffsetDateTime};

    #[derive(Debug, PartialEq, Serialize, Deserialize, crate::SealedCookie)]
    #[cookie(
        crate = "crate",
        name = "sid",
        salt = "integrations.test.v1",
        max_age = "1h",
        idle = "10m",
        encrypt
    )]
    struct Session {
        user: String,
    }

    fn open(headers: &[&[u8]], keys: &KeyRing) -> Result<Option<Session>, OpenError> {
        open_headers::<Session>(keys, headers.iter().copied()).map(|o| o.map(Opened::into_value))
    }

    #[test]
    fn scans_every_cookie_header() {
        let keys = KeyRing::new(Key::generate());
        let value = Session { user: "ann".into() }.seal(&keys).unwrap();
        let ours = format!("sid={value}");
        assert_eq!(open(&[], &keys), Ok(None));
        assert_eq!(open(&[b"a=1", b"b=2"], &keys), Ok(None));
        assert_eq!(
            open(&[b"a=1", ours.as_bytes()], &keys),
            Ok(Some(Session { user: "ann".into() }))
        );
        assert_eq!(
            open(&[ours.as_bytes(), b"x=1", ours.as_bytes()], &keys),
            Err(OpenError::DuplicateCookie {
                name: "sid",
                count: 2
            })
        );
    }

    #[test]
    fn garbage_is_absent_or_an_error_never_a_session() {
        let keys = KeyRing::new(Key::generate());
        assert_eq!(open(&[b"\xff\xfe;;;==;sid"], &keys), Ok(None));
        assert_eq!(open(&[b"sid=\xff\xfe"], &keys), Err(OpenError::Malformed));
        assert_eq!(open(&[b"sid="], &keys), Err(OpenError::Malformed));
        let huge = format!("sid={}", "A".repeat(1 << 20));
        assert!(matches!(
            open(&[huge.as_bytes()], &keys),
            Err(OpenError::TooLarge { .. })
        ));
    }

    #[test]
    fn refresh_reseals_when_due_clears_when_invalid_and_yields_to_the_response() {
        let clock = ManualClock::new(OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap());
        let keys = KeyRing::new(Key::generate()).with_clock(clock.clone());
        let value = Session { user: "ann".into() }.seal(&keys).unwrap();
        let header = format!("sid={value}");
        let opened = || open_headers::<Session>(&keys, [header.as_bytes()]);
        assert_eq!(
            refresh_header(&keys, opened(), false),
            None,
            "fresh: not due"
        );
        clock.advance(Duration::minutes(6));
        let refreshed = refresh_header(&keys, opened(), false).expect("past half the idle window");
        assert!(
            refreshed.starts_with("sid=") && refreshed.contains("Max-Age=600"),
            "{refreshed}"
        );
        assert_eq!(
            refresh_header(&keys, opened(), true),
            None,
            "the handler set it itself"
        );
        clock.advance(Duration::minutes(5));
        assert_eq!(
            refresh_header(&keys, opened(), false),
            Some(Session::removal()),
            "idle: cleared"
        );
        assert_eq!(refresh_header::<Session>(&keys, Ok(None), false), None);
    }

    #[test]
    fn refresh_never_clears_a_duplicated_cookie() {
        // A sibling subdomain planted a second `sid` (Domain=parent): clearing "ours" would
        // delete the user's host-only cookie and leave the attacker's.
        let keys = KeyRing::new(Key::generate());
        let planted = Session {
            user: "mallory".into(),
        }
        .seal(&keys)
        .unwrap();
        let real = Session { user: "ann".into() }.seal(&keys).unwrap();
        let header = format!("sid={real}; sid={planted}");
        let opened = open_headers::<Session>(&keys, [header.as_bytes()]);
        assert!(matches!(opened, Err(OpenError::DuplicateCookie { .. })));
        assert_eq!(refresh_header(&keys, opened, false), None);
        let junk = "sid=AAAA; sid=BBBB";
        assert_eq!(
            refresh_header(
                &keys,
                open_headers::<Session>(&keys, [junk.as_bytes()]),
                false
            ),
            None
        );
    }

    #[test]
    fn a_rejection_names_the_cookie_read_on_that_request() {
        std::env::remove_var("TYPED_COOKIES_DEV");
        let keys = KeyRing::new(Key::generate());
        let strict = plain_answer::<Session>(&keys, Ok(None)).unwrap_err().body();
        assert_eq!(strict, "401 Unauthorized: no valid `sid` cookie\n");
        #[derive(Debug, Serialize, Deserialize, crate::SealedCookie)]
        #[cookie(
            crate = "crate",
            name = "__Host-devname",
            salt = "integrations.test.host.v1",
            max_age = "1h"
        )]
        struct HostSession {
            user: String,
        }
        let body = |view: &RequestView, opened| {
            plain_answer::<HostSession>(view, opened)
                .unwrap_err()
                .body()
        };
        let dev = keys.clone().with_development_mode().unwrap();
        for view in [
            RequestView::strict(keys.clone()),
            RequestView::strict(dev.clone()),
            dev.for_host("shop.example"),
        ] {
            assert_eq!(
                body(&view, Ok(None)),
                "401 Unauthorized: no valid `__Host-devname` cookie\n"
            );
        }
        let local = dev.for_host("localhost");
        assert_eq!(
            body(&local, Ok(None)),
            "401 Unauthorized: no valid `devname` cookie\n"
        );
        assert_eq!(
            body(&local, Err(OpenError::Invalid)),
            "401 Unauthorized: no valid `devname` cookie\n"
        );
    }

    #[test]
    fn finds_the_cookie_a_response_sets() {
        let sets = |headers: &[&str], name| {
            sets_cookie(headers.iter().map(|h| h.as_bytes()), name, "/", None)
        };
        assert!(sets(&["a=1", "sid=; Max-Age=0"], "sid"));
        assert!(sets(&[" sid =v; path=/; Secure"], "sid"));
        assert!(!sets(&["sidx=1; Path=/", "a=sid"], "sid"));
        assert!(!sets(&[], "sid"));
        // Another Path or Domain is another cookie; the last attribute counts.
        assert!(!sets(&["sid=; Path=/legacy; Max-Age=0"], "sid"));
        assert!(!sets(&["sid=v; Domain=example.com"], "sid"));
        assert!(sets(&["sid=v; Path=/legacy; Path=/"], "sid"));
        assert!(!sets(&["sid=v; Path=/; Path=/a"], "sid"));
        // No usable Path: the browser's default, taken for ours; an empty Domain is ignored.
        assert!(sets(&["sid=v", "x=1"], "sid"));
        // No `=` before the first `;`: a nameless cookie whose value is `sid`, not ours.
        assert!(!sets(&["sid; Path=/"], "sid"));
        assert!(!sets(&["sid"], "sid"));
        assert!(sets(&["sid=v; Path=relative; Domain="], "sid"));
        let scoped = |headers: &[&str]| {
            let headers = headers.iter().map(|h| h.as_bytes());
            sets_cookie(headers, "sid", "/app", Some(".Example.com"))
        };
        assert!(scoped(&["sid=v; Path=/app; Domain=example.COM"]));
        assert!(scoped(&["sid=v; Domain=.example.com; Path=/app"]));
        assert!(!scoped(&["sid=v; Path=/app"]));
        assert!(!scoped(&["sid=v; Path=/; Domain=example.com"]));
        assert!(!scoped(&["sid=v; Path=/app; Domain=other.example.com"]));
    }
}
