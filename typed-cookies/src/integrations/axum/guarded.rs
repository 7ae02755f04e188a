//! axum for bound and tracked types: the guarded middleware's work (`guard_request`: opens once
//! per request, carries replay renewals and refreshes, clears refused cookies), installed as
//! the [`guarded`] function (key ring and [`Guard`] from the router state, a [`CookieState`])
//! or as a `GuardedLayer`; the [`Guarded<T>`] extractor (what the middleware opened: it reads
//! no state) and [`Issued`] as a response part.

use std::convert::Infallible;
use std::net::SocketAddr;

use ::axum::body::Body;
use ::axum::extract::{ConnectInfo, FromRequestParts, OptionalFromRequestParts, Request, State};
use ::axum::http::header::{HeaderName, COOKIE, SET_COOKIE, USER_AGENT};
use ::axum::http::request::Parts;
use ::axum::middleware::Next;
use ::axum::response::{IntoResponse, IntoResponseParts, Response, ResponseParts};

use crate::cookie::SealedCookie;
use crate::guard::{AppBinding, ClientContext, Guard, Issued};
use crate::integrations::http::header_value;
use crate::keys::KeyRing;
use crate::request::cookies::extractor_cookies;
use crate::request::guarded_outcome::{
    client_context, guarded_after_open, guarded_from_slot, open_for_client, optional, Guarded, Slot,
};
use crate::request::response::sets_cookie_of;
use crate::request::SealedRejection;

use super::CookieState;
#[cfg(doc)]
use super::GuardedLayer;

/// `X-Forwarded-For`, which `http` has no constant for.
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// The request's client context for `T`, as the [`Guarded<T>`] extractor and the [`guarded`]
/// middleware build it (take it for [`Guard::issue`] at sign-in): the `User-Agent`, the IP from
/// the guard's source (the peer from `ConnectInfo<SocketAddr>`, or `X-Forwarded-For` behind
/// trusted proxies) when `T` binds `ip`, and the [`AppBinding`] in the request's extensions
/// when `T` binds `app` (insert it in a middleware of yours that runs first; a handler's
/// `Parts` carry it). Refused with [`SealedRejection::NoClientIp`] or
/// [`SealedRejection::NoAppBinding`] when a bound part is missing.
pub fn client_context_of<T: SealedCookie>(
    parts: &Parts,
    guard: &Guard,
) -> Result<ClientContext, SealedRejection> {
    let user_agent = parts.headers.get(USER_AGENT).map(|v| v.as_bytes());
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    // Looked up only when `T` binds `ip` (the iterator is lazy), by a name parsed at compile
    // time.
    let forwarded_for = std::iter::once(&parts.headers).flat_map(|headers| {
        headers
            .get_all(X_FORWARDED_FOR)
            .into_iter()
            .map(|v| v.as_bytes())
    });
    client_context::<T>(guard, user_agent, peer, forwarded_for, || {
        parts.extensions.get::<AppBinding>().cloned()
    })
}

/// What the [`guarded`] middleware opened for this request; without the middleware (or a
/// second time in one request), [`SealedRejection::NoGuardLayer`].
fn guarded_from_parts<T>(parts: &mut Parts) -> Result<Guarded<T>, SealedRejection>
where
    T: SealedCookie + Send + Sync + 'static,
{
    let app_now = Slot::<T>::app_now(|| parts.extensions.get::<AppBinding>().cloned());
    guarded_from_slot(parts.extensions.get_mut::<Slot<T>>(), app_now.as_ref())
}

/// `401` without a valid cookie (missing, tampered, expired, revoked, replayed, bound to
/// another client), `503` when the store is down and the type fails closed, `500` for a
/// configuration mistake — among them a route that `T`'s [`guarded`] middleware does not
/// cover ([`SealedRejection::NoGuardLayer`]): the extractor takes what the middleware opened
/// (one open per request), and the middleware is what renews, reseals and clears the cookie
/// on the way out. It reads nothing from the router state, so it compiles under any state:
/// the state must be a [`CookieState`] where the middleware is installed, and a mistake there
/// is one compile error at that line.
impl<S, T> FromRequestParts<S> for Guarded<T>
where
    T: SealedCookie + Send + Sync + 'static,
    S: Send + Sync,
{
    type Rejection = SealedRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        guarded_from_parts(parts)
    }
}

/// `None` when the request has no valid cookie (the cases that are `401` for `Guarded<T>`:
/// missing, tampered, expired, revoked, replayed, bound to another client); a store outage
/// (`503`) and configuration mistakes (`500`, a route without `T`'s [`guarded`] middleware
/// among them) still reject, and so does a cookie name present
/// twice (`400`, [`SealedRejection::DuplicateCookie`]): with a planted duplicate beside the
/// real session, a sign-out must fail visibly instead of revoking nothing and reporting
/// success. Sign-out with a non-`__Host-` name can meet such duplicates; prefer `__Host-`.
impl<S, T> OptionalFromRequestParts<S> for Guarded<T>
where
    T: SealedCookie + Send + Sync + 'static,
    S: Send + Sync,
{
    type Rejection = SealedRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        optional(guarded_from_parts(parts))
    }
}

/// The middleware for a bound or tracked `T` as a function, for
/// `axum::middleware::from_fn_with_state(state, guarded::<T, S>)`; [`GuardedLayer`] is the
/// same middleware as a tower layer, `.layer(GuardedLayer::<T>::new(&state))`, which costs
/// less per request (no clone of the state, no second boxed future). Opens `T`'s cookie once
/// through the guard and hands the result to the [`Guarded<T>`] extractor; after the
/// handler, appends (unless the response sets or removes the cookie itself) the renewed value
/// of a `replay` type, the reseal of a value due for a refresh, or the removal of a refused
/// cookie. Required wherever `Guarded<T>` is extracted (without it, a logged `500`:
/// [`SealedRejection::NoGuardLayer`]), and the only refresh of guarded types: the plain
/// `refresh` middleware does not compile for them (they are not
/// [`Stateless`](crate::Stateless)).
///
/// The state `S` gives the key ring and the guard: a [`CookieState`]
/// (`cookie_state!(App { keys, guard })`, or `FromRef<S>` for both `KeyRing` and `Guard`).
pub async fn guarded<T, S>(State(state): State<S>, request: Request, next: Next) -> Response
where
    T: SealedCookie + Send + Sync + 'static,
    S: CookieState + Clone + Send + Sync + 'static,
{
    let (parts, body) = request.into_parts();
    let answered = guard_request::<T, _, _>(state.keys(), state.guard(), parts, body, |request| {
        next.run(request)
    });
    answered.await.unwrap_or_else(|never| match never {})
}

/// The work of `T`'s guarded middleware around `next` (the rest of the stack and the
/// handler), for both ways to install it ([`guarded`] through `from_fn_with_state`, and
/// [`GuardedLayer`]): opens `T`'s cookie once, hands the result to the
/// [`Guarded<T>`] extractor through the request's extensions, and after `next` appends the
/// renewal, reseal or removal unless the response sets or removes the cookie itself.
///
/// It takes the request already split and answers the layer's `Result` (never an error): the
/// request is then held once in its future (each async step that wraps or re-splits it keeps
/// another copy, ~250 bytes moved per step).
pub(super) async fn guard_request<T, F, Fut>(
    keys: KeyRing,
    guard: Guard,
    mut parts: Parts,
    body: Body,
    next: F,
) -> Result<Response, Infallible>
where
    T: SealedCookie + Send + Sync + 'static,
    F: FnOnce(Request) -> Fut,
    Fut: std::future::Future<Output = Response>,
{
    if parts.extensions.get::<Slot<T>>().is_some() {
        // `T`'s middleware is installed twice and the outer one has opened the cookie (and
        // writes the response's renewal): opening it again would claim a `one_time` value
        // twice and rotate a `replay` nonce twice.
        return Ok(next(Request::from_parts(parts, body)).await);
    }
    let view = super::view_of_parts(keys, &parts.headers, &parts.uri, &parts.extensions, false);
    let ctx = client_context_of::<T>(&parts, &guard);
    // The cookie is read once, before the handler: like an extractor, a short header with no
    // split kept is read directly (see `request::cookies`).
    let current = parts.headers.get_all(COOKIE);
    let cookies = extractor_cookies(parts.extensions.get(), || current.iter());
    if let Some(split) = cookies.new_split() {
        parts.extensions.insert(split.clone());
    }
    let find = |name| cookies.find_bytes(name);
    let (result, ctx) = match open_for_client::<T>(&guard, &view, find, ctx).await {
        Ok(opened) => opened,
        Err(rejection) => return Ok(rejection.into_response()),
    };
    let after = ctx
        .as_ref()
        .and_then(|ctx| guarded_after_open(&view, &result, ctx));
    parts.extensions.insert(Slot::new(
        result,
        view.cookie_name(&T::CONFIG),
        parts.extensions.get::<AppBinding>(),
    ));
    let mut response = next(Request::from_parts(parts, body)).await;
    if let Some(header) = after {
        let headers = response.headers_mut();
        let sets_it = sets_cookie_of::<T, _>(&view, || {
            headers.get_all(SET_COOKIE).iter().map(|v| v.as_bytes())
        });
        if !sets_it {
            headers.append(SET_COOKIE, header_value(header));
        }
    }
    Ok(response)
}

/// Appends the new session's `Set-Cookie`.
impl IntoResponseParts for Issued {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        res.headers_mut()
            .append(SET_COOKIE, header_value(self.set_cookie().to_owned()));
        Ok(res)
    }
}

impl IntoResponse for Issued {
    fn into_response(self) -> Response {
        (self, ()).into_response()
    }
}
