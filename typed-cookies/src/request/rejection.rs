//! [`SealedRejection`]: why an extractor did not hand a cookie to the handler, the status and
//! body it answers with, and the log line it leaves (`debug` for a client matter, `error` for a
//! setup mistake). One enum for the plain and the guarded extractors of every adapter; the
//! guarded-only reasons (no guard, no client address, no guard layer, a duplicated cookie seen
//! by an optional extractor) are its variants too, so a handler matches on one type.

use std::fmt;

use crate::error::OpenError;

/// Why [`Sealed<T>`](crate::integrations::Sealed), `Opened<T>` or
/// [`Guarded<T>`](crate::integrations::Guarded) did not extract. As a response (see
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
    /// The framework has no [`KeyRing`](crate::KeyRing) to open cookies with (actix-web: none in `app_data`).
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
    /// actix-web's `MaybeGuarded<T>`) on a route that its `guarded::<T, _>` middleware (in axum
    /// also installed as `GuardedLayer::<T>`) does not cover (or a second time in one request:
    /// the middleware's result is handed out once). The middleware opens the cookie and writes what the response owes it: a
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
    #[cfg(middleware_adapter)]
    pub(crate) fn log(&self) {
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
                 that extracts it (axum: `.layer(GuardedLayer::<{type_name}>::new(&state))`, or \
                 `.layer(middleware::from_fn_with_state(state, guarded::<{type_name}, _>))`; \
                 actix-web: `.wrap(from_fn(guarded::<{type_name}, _>))`), or the idle refresh, \
                 the reseal after a key rotation, replay renewals and the removal of refused \
                 cookies never happen"
            ),
        }
    }
}

impl std::error::Error for SealedRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.open_error().map(|e| e as _)
    }
}
