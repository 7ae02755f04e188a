//! Framework adapters, each behind its own feature. The framework files only translate: what
//! they share — reading cookies from request headers, the rejection, the refresh decision,
//! what gets logged — is written once here.
//!
//! | feature | module | what it gives |
//! |---|---|---|
//! | `http` | `integrations::http` | `CookieHeaders` on `http::HeaderMap` (open a sealed cookie, append its `Set-Cookie` or its removal) and `http::refresh` — the base for any framework built on the `http` crate |
//! | `axum` | `integrations::axum` | the `Sealed<T>` and `Opened<T>` extractors (keys from router state), `SetCookie` / `Removal<T>` response parts, the `refresh` middleware |
//! | `actix-web` | `integrations::actix` | the same extractors (keys from `app_data`), `ResponseBuilderExt`, the `refresh` middleware |
//!
//! Every adapter reads cookies the same way: all of a request's `Cookie:` headers are
//! considered (HTTP/2 may split cookies over several), a cookie name present more than once
//! is [`OpenError::DuplicateCookie`], names are compared byte for byte as browsers store
//! them (a look-alike such as `"\u{2000}__Host-sid"` or `"__host-sid"` is another cookie and
//! is ignored), pieces without `=` are skipped, and a value that does not open (or is not
//! UTF-8) is an error — never a panic, never a session. Frameworks without an adapter use the
//! header-string API directly: [`SealedCookie::from_cookie_header`] and
//! [`SealedCookie::to_set_cookie`].
//!
//! **The `Cookie:` header is split once per request.** The first middleware or extractor of
//! the axum and actix-web adapters that needs a cookie splits all of the request's `Cookie:`
//! header values into pairs and keeps them in the request's extensions; every later one (each
//! `refresh` and `guarded` middleware, each extractor, whatever the cookie type) looks its name
//! up there, so a request pays for one walk over the header however many cookie types it
//! reads — one linear pass for a hostile header too. The pairs are the header's *as it is*: a
//! layer between two of them that changes the `Cookie:` header (rare) makes the next one split
//! the changed header again, so each component sees what it would have read from the header
//! itself.
//!
//! **Stateless types only.** `Sealed<T>`, `Opened<T>`, the `Set-Cookie` helpers and the
//! `refresh` middleware take [`Stateless`] types; for a bound or tracked one (`bind`,
//! `revocable`, `one_time`, `replay`) they do not compile — it goes through `Guarded<T>` and
//! the `guarded` middleware, which also refreshes it. Removals take any [`SealedCookie`].
//!
//! **A missing middleware is a setup mistake, said loudly.** `Guarded<T>` (and axum's
//! `Option<Guarded<T>>`, actix-web's `MaybeGuarded<T>`) on a route that `T`'s `guarded`
//! middleware does not cover answers `500` ([`SealedRejection::NoGuardLayer`], logged at
//! `error` with the layer to add): without the middleware, idle sessions would never be
//! renewed (active users signed out after `idle`), values sealed by a fallback key never
//! resealed, refused cookies never cleared. `Sealed<T>` or `Opened<T>` of a type with `idle`
//! or `flash` read where no `refresh` middleware for `T` ran logs a `warn` once per type (the
//! request is served: the value is valid), naming the `refresh::<T, _>` layer to add; a
//! handler that writes the cookie itself is left alone by that middleware, so adding it is
//! also how to silence the warning there.
//!
//! **Refresh.** The `refresh` middleware of each adapter (and `http::refresh`)
//! reseals, on the way out, a cookie that opened but is due ([`Opened::refresh_due`]: sealed
//! by a fallback key, or past the refresh point of its idle window), keeping its creation
//! time, and deletes one that is present but does not open when the type says
//! `clear_invalid` (the default) — except a name present twice (`DuplicateCookie`): a removal
//! can only match our own copy, so it would delete the user's cookie and keep a planted one.
//! During a `replaces` migration, give the refresh middleware to the new type only: the old
//! type's would find new values invalid and clear them. A `flash` type's cookie is deleted by the response to the
//! first request that carries it (read once). A response that sets or removes the cookie itself (the same
//! name, `Path` and `Domain`: one of that name on another path is another cookie) is left
//! alone. It logs (with `tracing`, never the value or key material): at `info`, every value
//! opened with a fallback key, with the type's cookie name and the key id (watch it fall to
//! zero before retiring the key, see SECURITY.md); at `debug`, every refusal with its reason.

use std::fmt;

#[cfg(any(feature = "axum", feature = "actix-web"))]
use std::sync::Arc;

#[cfg(any(feature = "axum", feature = "actix-web"))]
use crate::cookie::header::CookiePairs;
use crate::cookie::{SealedCookie, Stateless};
use crate::development::RequestOrigin;
use crate::error::{OpenError, SealError};
use crate::keys::KeyRing;
use crate::seal::Opened;

#[cfg(feature = "actix-web")]
pub mod actix;
#[cfg(feature = "axum")]
pub mod axum;
mod guarded;
#[cfg(feature = "http")]
pub mod http;

pub use guarded::Guarded;

/// An opened sealed cookie of type `T`, as a framework extractor: the axum and actix-web
/// adapters implement their extractor traits for it (see each module for what happens when
/// the cookie is absent or does not open). To see the metadata too (when it expires, which
/// key sealed it, whether a refresh is due), extract [`Opened<T>`] instead.
///
/// `T` must be [`Stateless`], on the type itself rather than only on the extractor impls: a
/// handler that takes `Sealed<T>` of a guarded type is then refused at its signature with
/// what to use instead ([`Guarded<T>`]), not with axum's "`Handler<_, _>` is not
/// implemented" on the route.
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::integrations::Sealed;
/// use typed_cookies::SealedCookie;
///
/// #[derive(Debug, PartialEq, Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "user", salt = "docs.integrations.sealed.v1", max_age = "1h")]
/// struct User(String);
///
/// let Sealed(user) = Sealed(User("ann".into()));
/// assert_eq!(user.0, "ann");
/// assert_eq!(Sealed(User("bo".into())).into_inner(), User("bo".into()));
/// assert_eq!(Sealed(User("cy".into())).0, User("cy".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed<T: Stateless>(pub T);

impl<T: Stateless> Sealed<T> {
    /// The opened value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: Stateless> std::ops::Deref for Sealed<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// Why [`Sealed<T>`], `Opened<T>` or [`Guarded<T>`] did not extract. As a response (see
/// [`status`](Self::status)): `401 Unauthorized` (cookie missing or refused), `400 Bad
/// Request` (a duplicated cookie, for the optional guarded extractors), `503 Service
/// Unavailable` (the revocation store is down) or `500 Internal Server Error` (a configuration
/// mistake: no key ring or guard, no client IP or `AppBinding` for a bound type), with a
/// plain-text body that names the cookie but not why it failed to open (that is logged at
/// `debug`).
///
/// ```
/// use typed_cookies::integrations::SealedRejection;
/// use typed_cookies::OpenError;
/// let rejection = SealedRejection::Invalid { name: "__Host-sid", error: OpenError::Invalid };
/// assert_eq!(rejection.status(), 401);
/// assert_eq!(rejection.open_error(), Some(&OpenError::Invalid));
/// assert_eq!(rejection.body(), "401 Unauthorized: no valid `__Host-sid` cookie\n");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SealedRejection {
    /// The request carries no such cookie.
    Missing {
        /// The cookie name.
        name: &'static str,
    },
    /// The cookie is there but does not open: tampered, forged, sealed for another salt,
    /// expired, present twice, …
    Invalid {
        /// The cookie name.
        name: &'static str,
        /// Why it does not open.
        error: OpenError,
    },
    /// The framework has no [`KeyRing`] to open cookies with (actix-web: none in `app_data`).
    NoKeyRing,
    /// The framework has no [`Guard`](crate::guard::Guard) for a bound or tracked type (actix-web: none in
    /// `app_data`).
    NoGuard,
    /// The type binds its values to the client IP, and the request has no peer address at
    /// all (axum without `ConnectInfo`): a configuration mistake.
    ///
    /// [`ClientIp`]: crate::guard::ClientIp
    NoClientIp {
        /// The cookie name.
        name: &'static str,
    },
    /// The type binds its values to the client IP, and the configured [`ClientIp`] source
    /// gives none for this request although it has a peer: no `X-Forwarded-For`, too few or
    /// unparsable entries, or a peer that is not a private address
    /// ([`ClientIp::ForwardedFor`]: a client that reached the application without the proxy,
    /// a health check). Something a client can cause, so not a 500: the `guarded` middleware
    /// and the `Guarded<T>` extractors treat the request as having no session (refused if it
    /// carries the cookie), and only a handler's own `client_context_of` (a sign-in) answers
    /// with it, `400 Bad Request`, logged at `warn` (a proxy that stopped sending the header
    /// shows there).
    ///
    /// [`ClientIp`]: crate::guard::ClientIp
    /// [`ClientIp::ForwardedFor`]: crate::guard::ClientIp::ForwardedFor
    NoClientAddress {
        /// The cookie name.
        name: &'static str,
    },
    /// The type binds its values to application bytes (`bind = "app"`), and the request's
    /// extensions hold no [`AppBinding`]: the application's middleware that inserts one did
    /// not run before the extractor (or the `guarded` middleware), or found nothing to insert.
    /// Also when it inserted or replaced one after the `guarded` middleware ran (a per-route
    /// layer inside it): the value was opened under the earlier bytes, never compared with
    /// the request's own.
    ///
    /// [`AppBinding`]: crate::guard::AppBinding
    NoAppBinding {
        /// The cookie name.
        name: &'static str,
    },
    /// A bound or tracked type was extracted (`Guarded<T>`, axum's `Option<Guarded<T>>`,
    /// actix-web's `MaybeGuarded<T>`) on a route that its `guarded::<T, _>` middleware does
    /// not cover (or a second time in one request: the middleware's result is handed out
    /// once). The middleware opens the cookie and writes what the response owes it: a
    /// `replay` type's renewed value (without which the browser keeps a value the store soon
    /// treats as replayed), the reseal of an idle session (without which active users are
    /// signed out after `idle`) or of one a fallback key sealed, the removal of a refused
    /// cookie. A configuration mistake: `500`, logged at `error` with the layer to add.
    NoGuardLayer {
        /// The cookie name.
        name: &'static str,
        /// The cookie type, as [`std::any::type_name`] writes it: the `T` of the
        /// `guarded::<T, _>` layer to add.
        type_name: &'static str,
    },
    /// The request carries the cookie's name more than once (cookie tossing: a sibling
    /// subdomain, or a page under another path, planted a second cookie of the same name, and
    /// the header does not say which is ours). Only the *optional* guarded extractors answer
    /// with it — axum's `Option<Guarded<T>>` and actix-web's `MaybeGuarded<T>` — as `400 Bad
    /// Request`, instead of `None`: otherwise a sign-out handler would see "no session",
    /// revoke nothing and report success while the real session (and any stolen copy) stays
    /// valid. (`Guarded<T>` and the plain extractors keep answering
    /// [`SealedRejection::Invalid`] with [`OpenError::DuplicateCookie`], a `401`.) A `__Host-`
    /// name prevents the planting.
    DuplicateCookie {
        /// The cookie name.
        name: &'static str,
        /// How many times it appears.
        count: usize,
    },
}

impl SealedRejection {
    /// The open error, when the cookie was there but did not open.
    pub fn open_error(&self) -> Option<&OpenError> {
        match self {
            SealedRejection::Invalid { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The HTTP status it responds with: 401 for a missing or refused cookie, 400 for a
    /// duplicated one seen by an optional guarded extractor
    /// ([`SealedRejection::DuplicateCookie`]) and for a request whose client address the
    /// configured source does not give ([`SealedRejection::NoClientAddress`]), 503 when the revocation store is down (the type
    /// fails closed: the user is not signed out), 500 for a configuration mistake (no key ring
    /// or guard, no client IP, no [`AppBinding`](crate::guard::AppBinding) for a
    /// `bind = "app"` type, a guarded type extracted where its `guarded` middleware does not
    /// run, a guarded type extracted as `Sealed<T>` — a compile error unless `Stateless` was
    /// implemented for it by hand).
    pub fn status(&self) -> u16 {
        match self {
            SealedRejection::Invalid {
                error: OpenError::StoreUnavailable,
                ..
            } => 503,
            SealedRejection::Invalid {
                error: OpenError::NeedsGuard { .. },
                ..
            } => 500,
            SealedRejection::Missing { .. } | SealedRejection::Invalid { .. } => 401,
            SealedRejection::DuplicateCookie { .. } | SealedRejection::NoClientAddress { .. } => {
                400
            }
            _ => 500,
        }
    }

    /// The plain-text response body: names the cookie, never the reason.
    pub fn body(&self) -> String {
        match (self.status(), self) {
            (401, SealedRejection::Missing { name } | SealedRejection::Invalid { name, .. }) => {
                format!("401 Unauthorized: no valid `{name}` cookie\n")
            }
            (400, SealedRejection::DuplicateCookie { name, .. }) => format!(
                "400 Bad Request: the request carries the `{name}` cookie more than once \
                 (another site on this domain may have set a copy); nothing was done. Clear \
                 this site's cookies and try again.\n"
            ),
            (400, SealedRejection::NoClientAddress { .. }) => {
                "400 Bad Request: the client's address could not be determined\n".into()
            }
            (503, _) => "503 Service Unavailable\n".into(),
            _ => "500 Internal Server Error\n".into(),
        }
    }

    /// Logs the rejection as it becomes a response (`debug`: a missing or bad cookie is a
    /// client matter; `info`: a duplicated cookie, which may be cookie tossing; `error`: a
    /// configuration mistake).
    #[cfg(any(feature = "axum", feature = "actix-web"))]
    fn log(&self) {
        if let SealedRejection::NoClientAddress { .. } = self {
            tracing::warn!(rejection = %self, "refusing a request without a client address");
            return;
        }
        match self.status() {
            401 => {
                tracing::debug!(rejection = %self, "rejecting a request without a valid sealed cookie")
            }
            400 => {
                tracing::info!(rejection = %self, "rejecting a request with a duplicated sealed cookie")
            }
            503 => {
                tracing::warn!(rejection = %self, "refusing a session while the revocation store is down")
            }
            _ => tracing::error!(rejection = %self, "cannot open sealed cookies"),
        }
    }
}

impl fmt::Display for SealedRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SealedRejection::Missing { name } => write!(f, "no cookie `{name}` in the request"),
            SealedRejection::Invalid { name, error } => write!(f, "cookie `{name}`: {error}"),
            SealedRejection::NoKeyRing => f.write_str(
                "no KeyRing to open cookies with: give the framework one (axum: router state \
                 with `KeyRing: FromRef<S>`; actix-web: `App::new().app_data(web::Data::new(keys))`)",
            ),
            SealedRejection::NoGuard => f.write_str(
                "no Guard for a bound or revocable cookie type: give the framework one (axum: \
                 router state with `Guard: FromRef<S>`; actix-web: `.app_data(web::Data::new(guard))`)",
            ),
            SealedRejection::NoClientIp { name } => write!(
                f,
                "cookie `{name}` is bound to the client IP, and this request has no peer \
                 address: axum needs `into_make_service_with_connect_info::<SocketAddr>()` \
                 (for every `ClientIp` source)"
            ),
            SealedRejection::NoClientAddress { name } => write!(
                f,
                "cookie `{name}` is bound to the client IP, which the configured `ClientIp` \
                 source does not give for this request: `ClientIp::ForwardedFor` believes \
                 `X-Forwarded-For` from a private peer address only (a public proxy: \
                 `ClientIp::ForwardedForFromAnyPeer`), and it must have `proxies` entries, \
                 the one counted from the right an address"
            ),
            SealedRejection::NoAppBinding { name } => write!(
                f,
                "cookie `{name}` is bound to application bytes (`bind = \"app\"`), which this \
                 request does not carry (or carried other bytes when the `guarded` middleware \
                 opened it): insert `typed_cookies::guard::AppBinding::new(..)` into \
                 the extensions of every request (empty bytes when its source is absent) in a \
                 middleware that runs before the extractor and the `guarded` middleware \
                 (axum: `request.extensions_mut().insert(..)` in a layer added after \
                 `guarded`; actix-web: `req.extensions_mut().insert(..)` in a \
                 `wrap_fn` registered after `guarded`)"
            ),
            SealedRejection::DuplicateCookie { name, count } => write!(
                f,
                "cookie `{name}` appears {count} times in the request; refused as ambiguous \
                 rather than treated as absent (cookie tossing? a `__Host-` name prevents it)"
            ),
            SealedRejection::NoGuardLayer { name, type_name } => write!(
                f,
                "cookie `{name}` is a guarded type extracted where no `guarded::<{type_name}, _>` \
                 middleware ran (or extracted twice in one request): add it around every route \
                 that extracts it (axum: `.layer(middleware::from_fn_with_state(state, \
                 guarded::<{type_name}, _>))`; actix-web: `.wrap(from_fn(guarded::<{type_name}, \
                 _>))`), or the idle refresh, the reseal after a key rotation, replay renewals \
                 and the removal of refused cookies never happen"
            ),
        }
    }
}

impl std::error::Error for SealedRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.open_error().map(|e| e as _)
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
#[cfg(any(feature = "axum", feature = "actix-web"))]
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

/// Opens `T` from a request's `Cookie:` header values and logs what an operator watches:
/// fallback-key opens (`info`, with the key id) and refusals (`debug`, with the reason).
#[cfg_attr(not(feature = "http"), allow(dead_code))] // actix-web reads through `open_parsed`
pub(crate) fn open_logged<'h, T: Stateless>(
    keys: &KeyRing,
    headers: impl IntoIterator<Item = &'h [u8]>,
) -> Result<Option<Opened<T>>, OpenError> {
    logged(T::opened_from_cookie_headers(keys, headers))
}

/// [`open_logged`] from a request's `Cookie:` header values split once ([`CookiePairs`]): the
/// same lookup, the same open, the same logs.
#[cfg(any(feature = "axum", feature = "actix-web"))]
pub(crate) fn open_parsed<T: Stateless, H: AsRef<[u8]>>(
    keys: &KeyRing,
    cookies: &CookiePairs<H>,
) -> Result<Option<Opened<T>>, OpenError> {
    let found = cookies.find_bytes(T::CONFIG.read_name(keys));
    logged(found.and_then(|value| {
        value
            .map(|value| crate::cookie::sealed_cookie::open_unguarded(keys, value))
            .transpose()
    }))
}

/// Logs what opening `T`'s cookie found (see [`open_logged`]) and returns it.
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

/// The extractor's answer from an opened cookie (`keys`: the request's ring, for the name).
#[cfg(any(feature = "axum", feature = "actix-web"))]
pub(crate) fn extracted<T: SealedCookie>(
    keys: &KeyRing,
    opened: Result<Option<Opened<T>>, OpenError>,
) -> Result<Opened<T>, SealedRejection> {
    // What a rejection names: the cookie the browser holds (`sid` for `__Host-sid` on a
    // relaxed loopback request).
    let name = T::CONFIG.read_name(keys);
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
    keys: &KeyRing,
    opened: Result<Option<Opened<T>>, OpenError>,
    response_sets_it: bool,
) -> Option<String> {
    if response_sets_it {
        return None;
    }
    after_open(keys, opened.as_ref().map(Option::as_ref))
}

/// The decision both the `refresh` and the `guarded` middleware take on what opening found: a
/// flash value read once is removed; a value due for a refresh is resealed; a cookie that was
/// refused is removed when the type clears invalid cookies — except a duplicated name, a store
/// outage, or a guarded type seen by the plain path, which are never cleared.
pub(crate) fn after_open<T: SealedCookie>(
    keys: &KeyRing,
    opened: Result<Option<&Opened<T>>, &OpenError>,
) -> Option<String> {
    match opened {
        // Read once: this response deletes it.
        Ok(Some(_)) if T::CONFIG.flash() => Some(T::removal_for(keys)),
        Ok(Some(opened)) => {
            let reason = opened.refresh_due()?;
            match opened.to_set_cookie(keys) {
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
        Err(_) if T::CONFIG.clears_invalid() => Some(T::removal_for(keys)),
        Err(_) => None,
    }
}

/// Whether one of a response's `Set-Cookie` header values sets (or removes) the cookie a
/// browser knows as `name` with `path` and `domain` (`None`: host-only): the same name and, as
/// browsers tell cookies apart, the same `Path` and `Domain` (one leading dot and case aside).
/// A `Path` that is absent or does not start with `/` counts as `path` (the browser's default
/// path depends on the request). Another `Path` or `Domain` is another cookie, whose removal
/// (say, of a legacy copy) must not cost `name` its renewal.
pub(crate) fn sets_cookie<'h>(
    set_cookies: impl IntoIterator<Item = &'h [u8]>,
    name: &str,
    path: &str,
    domain: Option<&str>,
) -> bool {
    let trim = |bytes: &'h [u8]| bytes.trim_ascii();
    let domain = domain.map(|d| d.strip_prefix('.').unwrap_or(d).as_bytes());
    set_cookies.into_iter().any(|header| {
        let mut parts = header.split(|&b| b == b';');
        let Some(pair) = parts.next() else {
            return false;
        };
        let found = pair.split(|&b| b == b'=').next().unwrap_or_default();
        if trim(found) != name.as_bytes() {
            return false;
        }
        // The last of each attribute counts, as in browsers.
        let (mut its_path, mut its_domain) = (None, None);
        for attribute in parts {
            let (key, value) = match attribute.iter().position(|&b| b == b'=') {
                Some(eq) => (trim(&attribute[..eq]), trim(&attribute[eq + 1..])),
                None => (trim(attribute), &[][..]),
            };
            if key.eq_ignore_ascii_case(b"path") {
                its_path = value.starts_with(b"/").then_some(value);
            } else if key.eq_ignore_ascii_case(b"domain") {
                let value = value.strip_prefix(b".").unwrap_or(value);
                its_domain = (!value.is_empty()).then_some(value);
            }
        }
        its_path.is_none_or(|p| p == path.as_bytes())
            && match (its_domain, domain) {
                (None, None) => true,
                (Some(its), Some(ours)) => its.eq_ignore_ascii_case(ours),
                _ => false,
            }
    })
}

/// Whether a response's `Set-Cookie`s set (or remove) `T`'s cookie, under its development
/// name too when `keys` relaxes cookies (the handler's `Set-Cookie` may not be relaxed yet).
pub(crate) fn sets_cookie_of<'h, T: SealedCookie, I>(
    keys: &KeyRing,
    set_cookies: impl Fn() -> I,
) -> bool
where
    I: IntoIterator<Item = &'h [u8]>,
{
    let (path, domain) = (T::CONFIG.path(), T::CONFIG.domain());
    sets_cookie(set_cookies(), T::CONFIG.name(), path, domain)
        || (keys.relaxes_cookies()
            && sets_cookie(set_cookies(), T::CONFIG.development_name(), path, domain))
}

/// Put in a request's extensions by the adapters' `development` middleware, so the extractors
/// can tell when it is missing.
#[cfg(any(feature = "axum", feature = "actix-web"))]
#[derive(Debug, Clone, Copy)]
pub(crate) struct DevelopmentLayer;

/// A request's `Cookie:` header values split into pairs, as the adapters keep them in its
/// extensions: `cached`, the pairs a middleware or extractor before this one kept, when they
/// are still those of `current()` (the request's `Cookie:` header values now); else a new split
/// of them, and `true`: keep it in the request's extensions for the next one. A layer
/// that changed the header in between gets its change read, never an old split.
#[cfg(any(feature = "axum", feature = "actix-web"))]
pub(crate) fn request_cookies<'c, H, I>(
    cached: Option<&Arc<CookiePairs<H>>>,
    current: impl Fn() -> I,
) -> (Arc<CookiePairs<H>>, bool)
where
    H: AsRef<[u8]> + Clone + 'c,
    I: Iterator<Item = &'c H>,
{
    match cached {
        Some(cached) if cached.parse_of(current().map(AsRef::as_ref)) => (cached.clone(), false),
        _ => (Arc::new(CookiePairs::parse(current().cloned())), true),
    }
}

/// How many times this thread has split a request's `Cookie:` header values into pairs (the
/// adapters do it once per request; a test counts). Not part of the API.
#[doc(hidden)]
pub fn cookie_header_parses() -> u64 {
    crate::cookie::header::parses_on_this_thread()
}

/// Put in a request's extensions by the adapters' `refresh` middleware: the cookie types it
/// refreshes on this request ([`std::any::type_name`]), so that `Sealed<T>` and `Opened<T>`
/// can tell when `T`'s is missing.
#[cfg(any(feature = "axum", feature = "actix-web"))]
#[derive(Debug, Clone, Default)]
pub(crate) struct RefreshLayers(Vec<&'static str>);

#[cfg(any(feature = "axum", feature = "actix-web"))]
impl RefreshLayers {
    /// Records that `T`'s `refresh` middleware runs for this request.
    pub(crate) fn add<T>(&mut self) {
        let name = std::any::type_name::<T>();
        if !self.covers::<T>() {
            self.0.push(name);
        }
    }

    /// Whether `T`'s `refresh` middleware runs for this request.
    pub(crate) fn covers<T>(&self) -> bool {
        self.0.contains(&std::any::type_name::<T>())
    }
}

/// Whether `T` relies on the `refresh` middleware for more than clearing refused cookies: an
/// `idle` window (renewed by the middleware only, else active users are signed out after
/// `idle`) or `flash` (deleted by the middleware after its first read).
#[cfg(any(feature = "axum", feature = "actix-web"))]
const fn needs_refresh_layer(config: &crate::cookie::CookieConfig) -> bool {
    config.idle().is_some() || config.flash()
}

/// What `Sealed<T>` and `Opened<T>` check: when `T` needs its `refresh` middleware
/// ([`needs_refresh_layer`]) and `covered()` (whether the request's [`RefreshLayers`] hold it)
/// says no,
/// a `warn` naming the layer to add — once per type for the whole process (the request is
/// still served: its cookie is valid, only the renewal or removal on the way out is missing).
#[cfg(any(feature = "axum", feature = "actix-web"))]
pub(crate) fn check_refresh_layer<T: SealedCookie>(covered: impl FnOnce() -> bool) {
    if !needs_refresh_layer(&T::CONFIG) || covered() {
        return;
    }
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static WARNED: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let type_name = std::any::type_name::<T>();
    let first = WARNED
        .get_or_init(Default::default)
        .lock()
        .map(|mut warned| warned.insert(type_name))
        .unwrap_or(false);
    if !first {
        return;
    }
    let cookie = T::CONFIG.name();
    let missing = match (T::CONFIG.idle().is_some(), T::CONFIG.flash()) {
        (true, true) => {
            "the idle renewal (active users are signed out after `idle`) and the removal after \
             the first read (`flash`)"
        }
        (true, false) => "the idle renewal (active users are signed out after `idle`)",
        _ => "the removal after the first read (`flash`: it would be read again)",
    };
    tracing::warn!(
        cookie,
        cookie_type = type_name,
        "cookie `{cookie}` was read without its `refresh::<{type_name}, _>` middleware, so {missing} \
         never happens: add it around every route that reads the cookie (axum: \
         `.layer(middleware::from_fn_with_state(state, refresh::<{type_name}, _>))`; actix-web: \
         `.wrap(from_fn(refresh::<{type_name}, _>))`). A handler that writes the cookie itself is \
         left alone by it, so adding it is also how to silence this; logged once per type"
    );
}

/// The ring for one request: `keys` itself unless development mode is on (one branch on the
/// hot path, nothing else is looked at); then relaxed when `origin()` is local.
/// `layer_seen()`: whether the `development` middleware ran for this request (`None`: cannot
/// tell); a local request in development mode without it is logged once, at `warn`, since its
/// responses would keep their strict cookies.
pub(crate) fn request_keys<'a>(
    keys: KeyRing,
    origin: impl FnOnce() -> RequestOrigin<'a>,
    layer_seen: impl FnOnce() -> Option<bool>,
) -> KeyRing {
    if !keys.development_mode() {
        return keys;
    }
    let local = origin().is_local();
    if local && layer_seen() == Some(false) {
        use std::sync::atomic::{AtomicBool, Ordering};
        static WARNED: AtomicBool = AtomicBool::new(false);
        if !WARNED.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "typed-cookies development mode is on, but the `development` middleware is not \
                 installed: loopback requests read cookies under their development names \
                 while handlers' Set-Cookie headers keep the strict ones; add the \
                 adapter's `development` middleware as the outermost layer"
            );
        }
    }
    keys.for_local_request(local)
}

/// One `Set-Cookie` of a response to a local request in development mode, relaxed
/// ([`crate::relax_set_cookie`]; `None`: unchanged), each relaxed name logged once (`host`:
/// the request's, for the log).
pub(crate) fn relaxed_set_cookie(header: &[u8], host: Option<&str>) -> Option<String> {
    let text = std::str::from_utf8(header).ok()?;
    let relaxed = crate::development::relax_set_cookie(text)?;
    let name = text.split('=').next().unwrap_or_default().trim();
    let dev_name = relaxed.split('=').next().unwrap_or_default();
    crate::development::warn_once(name, dev_name, host);
    Some(relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;
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
        open_logged::<Session>(keys, headers.iter().copied()).map(|o| o.map(Opened::into_value))
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
        let opened = || open_logged::<Session>(&keys, [header.as_bytes()]);
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
        let opened = open_logged::<Session>(&keys, [header.as_bytes()]);
        assert!(matches!(opened, Err(OpenError::DuplicateCookie { .. })));
        assert_eq!(refresh_header(&keys, opened, false), None);
        let junk = "sid=AAAA; sid=BBBB";
        assert_eq!(
            refresh_header(
                &keys,
                open_logged::<Session>(&keys, [junk.as_bytes()]),
                false
            ),
            None
        );
    }

    #[test]
    fn a_rejection_names_the_cookie_read_on_that_request() {
        std::env::remove_var("TYPED_COOKIES_DEV");
        let keys = KeyRing::new(Key::generate());
        let strict = |keys: &KeyRing| extracted::<Session>(keys, Ok(None)).unwrap_err().body();
        assert_eq!(strict(&keys), "401 Unauthorized: no valid `sid` cookie\n");
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
        let body =
            |keys: &KeyRing, opened| extracted::<HostSession>(keys, opened).unwrap_err().body();
        let dev = keys.clone().with_development_mode().unwrap();
        for keys in [&keys, &dev, &dev.for_host("shop.example")] {
            assert_eq!(
                body(keys, Ok(None)),
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
