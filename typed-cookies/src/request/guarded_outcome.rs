//! The outcome of handling one request for a bound or tracked type (`bind`, `revocable`, `one_time`,
//! `replay`): the [`Guarded<T>`] extractor's value, the client context taken from a request,
//! the hand-over from the `guarded` middleware to the extractor, and what that middleware
//! appends to the response.

// Only the `Guarded<T>` type is used without a framework adapter (the `http` feature alone):
// the rest is what the axum and actix-web adapters share.
#![cfg_attr(not(middleware_adapter), allow(dead_code))]

use std::net::IpAddr;

use crate::cookie::{Binding, CookieScope, SealedCookie};
use crate::error::OpenError;
use crate::guard::{AppBinding, Checked, ClientContext, Guard};
use crate::request::outcome::after_open;
use crate::request::SealedRejection;
use crate::seal::Opened;

/// An opened value of a bound or tracked type that passed the [`Guard`]'s checks (binding,
/// deny list, epoch, one-time claim, replay nonce), as a framework extractor. Derefs to the
/// value; [`Guarded::opened`] gives the metadata and the session id that
/// [`Guard::revoke`] takes. It takes what `T`'s `guarded` middleware opened for the request:
/// on a route that middleware does not cover it is a logged `500`
/// ([`SealedRejection::NoGuardLayer`]).
///
/// **Optional sessions.** In axum, `Option<Guarded<T>>` is `None` for a missing or refused
/// cookie and still rejects (`503`) when the revocation store cannot answer, and (`400`,
/// [`SealedRejection::DuplicateCookie`]) when the request carries the cookie's name twice. In
/// actix-web it is `None` in every case, a store outage included (actix's `Option<E>`
/// extractor swallows every error): a sign-out written with it would skip the revocation and
/// clear the cookie anyway. Take `typed_cookies::integrations::actix::MaybeGuarded<T>` there
/// instead, which answers like axum's.
///
/// **Sign-out and cookie tossing.** A type whose name is not `__Host-` prefixed can meet a
/// second, planted cookie of the same name (set by a sibling subdomain for the parent domain,
/// or under another path). The request then does not say which one is the session, so the
/// optional extractors refuse it with `400 Bad Request` rather than answer `None`: a sign-out
/// handler never runs, revokes nothing and says "signed out" while the real session (and any
/// stolen copy) stays valid. The user has to clear the site's cookies. Prefer a `__Host-`
/// name for sessions: browsers refuse to let another host or path plant one.
///
/// **Writing a `replay` session back.** On a request that was in flight while another one
/// renewed the session (inside the grace window), the value is
/// [`superseded`](Opened::superseded): readable, but `SetCookie::resealed` (axum) and
/// `resealed_cookie` (actix-web) refuse it with `SealError::Superseded`, which answers
/// `409 Conflict` for the client to retry with the value it now holds.
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// # use typed_cookies::SealedCookie;
/// use typed_cookies::integrations::Guarded;
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-sid", salt = "docs.guarded.v1", max_age = "8h", revocable)]
/// struct Session { user: String }
///
/// fn greet(session: &Guarded<Session>) -> String {
///     format!("hello {} (session {:?})", session.user, session.opened().session_id())
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guarded<T>(Opened<T>);

impl<T> Guarded<T> {
    /// The opened value with its metadata (session id, subject, expiry). The metadata is the
    /// presented cookie's: when the `guarded` middleware reseals it on this response (a due
    /// refresh, a replay renewal), `idle_deadline()` and `refresh_due()` here are still the
    /// presented value's, not those of the `Set-Cookie` the response carries.
    pub fn opened(&self) -> &Opened<T> {
        &self.0
    }

    /// The opened value, by move.
    pub fn into_opened(self) -> Opened<T> {
        self.0
    }

    /// The value, by move.
    pub fn into_inner(self) -> T {
        self.0.into_value()
    }
}

impl<T> std::ops::Deref for Guarded<T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.0.value()
    }
}

/// The client context of a request for `T`'s binding: the `User-Agent` bytes, the client IP
/// from the guard's configured source, and the application's [`AppBinding`] from the request's
/// extensions (`app_binding` is only called when `T` binds `app`). A type bound to the IP is
/// refused when the source has none for this request — [`SealedRejection::NoClientIp`] (a
/// configuration error, 500) without any peer address, else
/// [`SealedRejection::NoClientAddress`] (the client's doing) — and a type bound to `app` when
/// the request has no `AppBinding`, rather than bound to "no address" or "no bytes".
pub(crate) fn client_context<'h, T: SealedCookie>(
    guard: &Guard,
    user_agent: Option<&[u8]>,
    peer: Option<IpAddr>,
    forwarded_for: impl IntoIterator<Item = &'h [u8]>,
    app_binding: impl FnOnce() -> Option<AppBinding>,
) -> Result<ClientContext, SealedRejection> {
    let binding = T::CONFIG.binding();
    let mut ctx = ClientContext::new();
    if binding.user_agent() {
        if let Some(user_agent) = user_agent {
            ctx = ctx.user_agent(user_agent);
        }
    }
    if binding.ip() {
        let name = T::CONFIG.name();
        let ip = guard
            .client_ip()
            .resolve(peer, forwarded_for)
            .ok_or(match peer {
                None => SealedRejection::NoClientIp { name },
                Some(_) => SealedRejection::NoClientAddress { name },
            })?;
        ctx = ctx.ip(ip);
    }
    if binding.app() {
        let app = app_binding().ok_or(SealedRejection::NoAppBinding {
            name: T::CONFIG.name(),
        })?;
        ctx = ctx.app(app);
    }
    Ok(ctx)
}

/// [`Guard::open_from_cookie_headers`] for what the request's `Cookie:` header values held
/// under `T`'s name (`found`: the same lookup, byte-exact name, a duplicate refused; over the
/// split kept for the request or the short header read directly), logged like the plain
/// path: fallback-key opens at `info`, refusals at `debug` (the guard itself warns about
/// replays and store outages).
pub(crate) async fn open_checked<T: SealedCookie>(
    guard: &Guard,
    scope: &impl CookieScope,
    found: Result<Option<&[u8]>, OpenError>,
    ctx: &ClientContext,
) -> Result<Option<Checked<T>>, OpenError> {
    // Not checked to be UTF-8 first: base64url decoding refuses any other byte (`Malformed`).
    let result = match found {
        Ok(Some(value)) => guard.open_bytes(scope, value, ctx).await.map(Some),
        Ok(None) => Ok(None),
        Err(error) => Err(error),
    };
    let cookie = T::CONFIG.name();
    match &result {
        Ok(Some(checked)) if !checked.opened().sealed_with_primary() => tracing::info!(
            cookie,
            key_id = %checked.opened().key_id(),
            "sealed cookie opened with a fallback key"
        ),
        Err(error) => tracing::debug!(cookie, reason = error.kind(), "sealed cookie refused"),
        _ => {}
    }
    result
}

/// The optional extractors' answer (axum's `Option<Guarded<T>>`, actix-web's
/// `MaybeGuarded<T>`): `None` for the cases that are `401` for `Guarded<T>` (a missing or
/// refused cookie) — except a duplicated name, which is [`SealedRejection::DuplicateCookie`]
/// (`400`): a sign-out must not see "no session" and report success while a planted copy sits
/// beside the real session. A store outage and configuration mistakes reject as they do for
/// `Guarded<T>`.
pub(crate) fn optional<T>(
    result: Result<Guarded<T>, SealedRejection>,
) -> Result<Option<Guarded<T>>, SealedRejection> {
    match result {
        Ok(guarded) => Ok(Some(guarded)),
        Err(SealedRejection::Invalid {
            name,
            error: OpenError::DuplicateCookie { count, .. },
        }) => Err(SealedRejection::DuplicateCookie { name, count }),
        Err(rejection) if rejection.status() == 401 => Ok(None),
        Err(rejection) => Err(rejection),
    }
}

/// The guarded extractors' answer from `T`'s slot in the request's extensions: what the
/// middleware opened, taken once ([`Slot::take`], under the request's [`AppBinding`] now:
/// [`Slot::app_now`]); without a slot, or a second time in one request,
/// [`SealedRejection::NoGuardLayer`].
pub(crate) fn guarded_from_slot<T: SealedCookie>(
    slot: Option<&mut Slot<T>>,
    app_now: Option<&AppBinding>,
) -> Result<Guarded<T>, SealedRejection> {
    let taken = match slot {
        Some(slot) => slot.take(app_now)?.map(|result| (slot.name(), result)),
        None => None,
    };
    match taken {
        Some((name, result)) => guarded_answer(name, result),
        None => Err(no_guard_layer::<T>()),
    }
}

/// The extractors' answer on a request that `T`'s `guarded` middleware did not open (or whose
/// opening an earlier extraction took): a configuration mistake, a `500` naming the layer.
fn no_guard_layer<T: SealedCookie>() -> SealedRejection {
    SealedRejection::NoGuardLayer {
        name: T::CONFIG.name(),
        type_name: std::any::type_name::<T>(),
    }
}

/// The guarded extractors' answer (`name`: the cookie name the request was read under, see
/// [`RequestView::cookie_name`](crate::request::RequestView::cookie_name)).
pub(crate) fn guarded_answer<T: SealedCookie>(
    name: &'static str,
    result: Result<Option<Checked<T>>, OpenError>,
) -> Result<Guarded<T>, SealedRejection> {
    match result {
        Ok(Some(checked)) => Ok(Guarded(checked.into_opened())),
        Ok(None) => Err(SealedRejection::Missing { name }),
        Err(error) => Err(SealedRejection::Invalid { name, error }),
    }
}

/// The `guarded` middleware's result for `T`, handed to the extractor through the request's
/// extensions (the extractor takes the result: once per request; the slot stays, so a second
/// `guarded` middleware for `T` under the first sees that `T` is already opened and passes
/// the request on), with the cookie name it was read under and, for an app-bound type, the
/// [`AppBinding`] it was opened under.
pub(crate) struct Slot<T> {
    result: Option<Opening<T>>,
    name: &'static str,
    app: Option<AppBinding>,
}

/// What the guard found for a request: absent, checked, or refused.
pub(crate) type Opening<T> = Result<Option<Checked<T>>, OpenError>;

/// A copy of a request's extensions (`http` requires them to be `Clone`) carries no result:
/// the opened value is handed to one extractor once, and an extractor of the copy answers as
/// one with no middleware ([`SealedRejection::NoGuardLayer`]).
impl<T> Clone for Slot<T> {
    fn clone(&self) -> Self {
        Self {
            result: None,
            name: self.name,
            app: self.app.clone(),
        }
    }
}

impl<T: SealedCookie> Slot<T> {
    /// `name`: the cookie name the request was read under (`RequestView::cookie_name`);
    /// `app`: the request's [`AppBinding`] when the middleware ran (kept for an app-bound `T`).
    pub fn new(result: Opening<T>, name: &'static str, app: Option<&AppBinding>) -> Self {
        Self {
            result: Some(result),
            name,
            app: app.filter(|_| T::CONFIG.binding().app()).cloned(),
        }
    }

    /// The result, once (a second extraction in the same request finds it taken), if the
    /// request's [`AppBinding`] is still the one the middleware opened under: one inserted or
    /// replaced after it ran (a per-route layer inside `guarded`) would otherwise be ignored
    /// silently, the value accepted for bytes never compared. A setup mistake, answered as
    /// [`SealedRejection::NoAppBinding`].
    pub fn take(
        &mut self,
        app_now: Option<&AppBinding>,
    ) -> Result<Option<Opening<T>>, SealedRejection> {
        if T::CONFIG.binding().app()
            && self.app.as_ref().map(AppBinding::as_bytes) != app_now.map(AppBinding::as_bytes)
        {
            return Err(SealedRejection::NoAppBinding {
                name: T::CONFIG.name(),
            });
        }
        Ok(self.result.take())
    }

    /// The request's [`AppBinding`] as [`Slot::take`] compares it: cloned out of the request's
    /// extensions (`get`) for an app-bound `T` only, so that the slot can then be borrowed
    /// mutably from the same extensions.
    pub fn app_now(get: impl FnOnce() -> Option<AppBinding>) -> Option<AppBinding> {
        if T::CONFIG.binding().app() {
            get()
        } else {
            None
        }
    }
}

impl<T> Slot<T> {
    /// The cookie name the request was read under.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

/// What the `guarded` middleware opens for a request: [`open_checked`] under `ctx` (from
/// [`client_context`]), returned with it; or, for a request whose client address the
/// configured source does not give ([`SealedRejection::NoClientAddress`]),
/// [`without_client_address`] and no context. Any other rejection is returned as it is.
/// `find` looks a cookie name up in the request's `Cookie:` header values (in the split kept
/// for the request, or directly: see `request::cookies`); it is asked for `T`'s name as the
/// request's view reads it (unprefixed on a loopback request in development mode).
pub(crate) async fn open_for_client<'c, T: SealedCookie>(
    guard: &Guard,
    scope: &impl CookieScope,
    find: impl FnOnce(&'static str) -> Result<Option<&'c [u8]>, OpenError>,
    ctx: Result<ClientContext, SealedRejection>,
) -> Result<(Opening<T>, Option<ClientContext>), SealedRejection> {
    let name = scope.form_of(&T::CONFIG).name();
    match ctx {
        Ok(ctx) => Ok((
            open_checked::<T>(guard, scope, find(name), &ctx).await,
            Some(ctx),
        )),
        Err(SealedRejection::NoClientAddress { .. }) => {
            Ok((without_client_address::<T>(find(name)), None))
        }
        Err(rejection) => Err(rejection),
    }
}

/// What the guard "found" for a request whose client address the configured source does not
/// give ([`SealedRejection::NoClientAddress`]): no session without `T`'s cookie, a refused one
/// with it (the value cannot be checked against an address, so it does not open), logged at
/// `debug`. The middleware (and so the extractors) answer such a request this way instead of
/// with an error a client could cause on every route.
fn without_client_address<T: SealedCookie>(found: Result<Option<&[u8]>, OpenError>) -> Opening<T> {
    let Some(value) = found? else {
        return Ok(None);
    };
    std::str::from_utf8(value).map_err(|_| OpenError::Malformed)?;
    tracing::debug!(
        cookie = T::CONFIG.name(),
        "sealed cookie refused: no client address for an ip-bound cookie"
    );
    Err(OpenError::Invalid)
}

/// What the `guarded` middleware appends for `T` unless the response sets the cookie itself:
/// the renewed value of a replay rotation, else what the plain refresh would append
/// ([`after_open`]: a due reseal, a flash removal, the removal of a refused cookie — never for
/// a duplicated name nor during a store outage). Nor for a value that did not authenticate on
/// a request without app bytes (`ctx`) when `T` binds them: a browser's top-level navigation
/// carries no custom header, and removing the cookie then would let any site that links to
/// the application sign its users out.
pub(crate) fn guarded_after_open<T: SealedCookie>(
    scope: &impl CookieScope,
    result: &Opening<T>,
    ctx: &ClientContext,
) -> Option<String> {
    let no_app_bytes = T::CONFIG.binding().app() && ctx.missing_part(Binding::APP).is_some();
    if no_app_bytes && matches!(result, Err(OpenError::Invalid)) {
        return None;
    }
    if let Ok(Some(renewed)) = result
        .as_ref()
        .map(|c| c.as_ref().and_then(Checked::renewed))
    {
        return Some(renewed.to_owned());
    }
    after_open(
        scope,
        result.as_ref().map(|c| c.as_ref().map(Checked::opened)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use serde::{Deserialize, Serialize};
    use std::cell::Cell;

    #[derive(Serialize, Deserialize, crate::SealedCookie)]
    #[cookie(
        crate = "crate",
        name = "__Host-device",
        salt = "integrations.guarded.test.device.v1",
        max_age = "1h",
        bind = "user_agent, app"
    )]
    struct Device {
        user: String,
    }

    #[derive(Serialize, Deserialize, crate::SealedCookie)]
    #[cookie(
        crate = "crate",
        name = "__Host-browser",
        salt = "integrations.guarded.test.browser.v1",
        max_age = "1h",
        bind = "user_agent"
    )]
    struct Browser {
        user: String,
    }

    fn context<T: SealedCookie>(
        app: Option<&str>,
        asked: &Cell<bool>,
    ) -> Result<ClientContext, SealedRejection> {
        let guard = Guard::new(MemoryStore::new());
        client_context::<T>(&guard, Some(b"Firefox/140"), None, [], || {
            asked.set(true);
            app.map(AppBinding::new)
        })
    }

    #[test]
    fn an_app_bound_type_takes_the_requests_app_binding() {
        let asked = Cell::new(false);
        let ctx = context::<Device>(Some("device-1"), &asked).unwrap();
        assert!(asked.get());
        let expected = ClientContext::new()
            .user_agent("Firefox/140")
            .app("device-1");
        assert_eq!(ctx, expected);
        let binding = Device::CONFIG.binding();
        assert_ne!(
            ctx.digest(binding),
            context::<Device>(Some("device-2"), &asked)
                .unwrap()
                .digest(binding)
        );
    }

    #[test]
    fn an_app_bound_type_without_an_app_binding_is_a_configuration_error() {
        let refused = context::<Device>(None, &Cell::new(false)).unwrap_err();
        assert_eq!(
            refused,
            SealedRejection::NoAppBinding {
                name: "__Host-device"
            }
        );
        assert_eq!(refused.status(), 500);
        assert_eq!(refused.body(), "500 Internal Server Error\n");
        let message = refused.to_string();
        assert!(
            message.contains("AppBinding") && message.contains("extensions"),
            "{message}"
        );
    }

    #[test]
    fn other_types_never_look_for_an_app_binding() {
        let asked = Cell::new(false);
        let ctx = context::<Browser>(Some("device-1"), &asked).unwrap();
        assert!(!asked.get(), "the extensions are not read");
        assert_eq!(ctx, ClientContext::new().user_agent("Firefox/140"));
        assert_eq!(
            context::<Browser>(None, &asked).unwrap(),
            ClientContext::new().user_agent("Firefox/140")
        );
    }
}
