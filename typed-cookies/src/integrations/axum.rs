//! axum 0.8: the [`Sealed<T>`] and [`Opened<T>`] extractors for any [`Stateless`] cookie
//! type, with the [`KeyRing`] taken from router state through [`FromRef`]; the [`SetCookie`]
//! and [`Removal<T>`] response parts; and the refresh middleware that reseals due cookies,
//! as a tower layer ([`RefreshLayer`]) or a function for `from_fn_with_state` ([`refresh`]).
//! A guarded type (`bind`, `revocable`, `one_time`, `replay`) is extracted as [`Guarded<T>`]
//! and refreshed by its guarded middleware ([`GuardedLayer`], or the [`guarded`] function);
//! `Sealed<T>`, `SetCookie::new` and the refresh middleware do not compile for it.
//!
//! **State.** The extractors need `KeyRing: FromRef<S>` for the router's state `S`. A state
//! that *is* a `KeyRing` works as is; an app state struct implements `FromRef` (or derives it
//! with axum's `macros` feature) as below. Forgetting the `FromRef` impl shows up in one of
//! two ways: when a handler also takes `State<AppState>`, as "the trait bound
//! `fn(..) {handler}: Handler<_, _>` is not satisfied" on the route; when handlers only take
//! `Sealed<T>`, axum infers the state to be `KeyRing` and `.with_state(app_state)` fails with
//! "expected `KeyRing`, found `AppState`" (or `MethodRouter<KeyRing>` vs
//! `MethodRouter<AppState>`). Either way: add `impl FromRef<AppState> for KeyRing` (or, for a
//! state that also holds a guard, the [`cookie_state!`] line, which writes it).
//!
//! Three ways to ask for a cookie, from strict to lenient (the same for `Opened<T>`, which
//! also carries the metadata: expiry, idle deadline, key id, refresh due):
//!
//! | handler argument | no cookie | invalid, expired, duplicated cookie |
//! |---|---|---|
//! | `Sealed<T>` | `401 Unauthorized` ([`SealedRejection::Missing`]) | `401 Unauthorized` ([`SealedRejection::Invalid`]) |
//! | `Result<Sealed<T>, SealedRejection>` | `Err(Missing)` | `Err(Invalid { error, .. })` — the handler decides |
//! | `Option<Sealed<T>>` | `None` | `None` (like an expired session: not signed in) |
//!
//! Rejections are logged with `tracing` at `debug` level; the response body names the cookie
//! but never why it failed to open.
//!
//! **Bound and tracked types** (`bind`, `revocable`, `one_time`, `replay`) are extracted as
//! [`Guarded<T>`] and need their guarded middleware instead of `refresh`:
//! `.layer(GuardedLayer::<T>::new(&state))` ([`GuardedLayer`]; or the same middleware as a
//! function, [`guarded`], through `from_fn_with_state`, at more cost per request). It takes
//! from the app state, a [`CookieState`], the ring and a [`Guard`](crate::guard::Guard). One
//! line gives an app state both, `cookie_state!(App { keys, guard })` (it writes the two
//! `FromRef` impls); a state without them is one compile error at `GuardedLayer::new` that
//! says so. The full guarded app is the guide's example (`docs/stolen-cookies.md`),
//! `examples/guarded_app.rs`.
//!
//! `Option<Guarded<T>>` is `None` for a missing or refused cookie, but rejects when the
//! revocation store cannot answer (`503`) and when the cookie's name is present twice
//! (`400 Bad Request`, [`SealedRejection::DuplicateCookie`]): a sign-out written with it must
//! not see "no session", revoke nothing and report success while a cookie planted beside the
//! real one (cookie tossing, possible for a name without the `__Host-` prefix) leaves the
//! session valid. Prefer `__Host-` names for sessions. A `bind = "app"` type binds
//! to the [`AppBinding`](crate::guard::AppBinding) the application inserts into the request's
//! extensions in a middleware of its own, added as a `.layer` after `guarded` (so it runs
//! first); without one, its requests are refused with [`SealedRejection::NoAppBinding`] (500).
//!
//! **Plain http in development.** With a ring in development mode
//! ([`KeyRing::with_development_mode`]), add the [`development`] middleware as the outermost
//! layer: loopback requests then get and send the unprefixed, non-`Secure` cookie; every other
//! request the type's own.
//!
//! ```
//! use axum::{extract::{FromRef, State}, response::{IntoResponse, Redirect}, routing::{get, post}, Router};
//! use serde::{Deserialize, Serialize};
//! use typed_cookies::integrations::axum::{RefreshLayer, Removal, Sealed, SetCookie};
//! use typed_cookies::{Key, KeyRing, SealError, SealedCookie};
//!
//! #[derive(Serialize, Deserialize, SealedCookie)]
//! #[cookie(name = "__Host-sid", salt = "docs.axum.session.v1", max_age = "8h", idle = "30m", encrypt)]
//! struct Session { user: String }
//!
//! #[derive(Clone)]
//! struct AppState { keys: KeyRing }
//!
//! impl FromRef<AppState> for KeyRing {
//!     fn from_ref(state: &AppState) -> KeyRing { state.keys.clone() }
//! }
//!
//! async fn me(Sealed(session): Sealed<Session>) -> String {
//!     format!("hello {}", session.user)   // 401 before we get here without a valid cookie
//! }
//!
//! async fn maybe(session: Option<Sealed<Session>>) -> &'static str {
//!     if session.is_some() { "signed in" } else { "not signed in" }
//! }
//!
//! async fn login(State(state): State<AppState>) -> Result<impl IntoResponse, SealError> {
//!     // A refused seal (e.g. over 4096 bytes) becomes a logged 500.
//!     let cookie = SetCookie::new(&Session { user: "ann".into() }, &state.keys)?;
//!     Ok((cookie, Redirect::to("/me")))
//! }
//!
//! async fn logout() -> impl IntoResponse {
//!     (Removal::<Session>::new(), Redirect::to("/"))
//! }
//!
//! let state = AppState { keys: KeyRing::new(Key::generate()) };
//! let app: Router = Router::new()
//!     .route("/me", get(me))
//!     .route("/maybe", get(maybe))
//!     .route("/login", post(login))
//!     .route("/logout", post(logout))
//!     // Reseal due sessions (idle refresh, fallback key) and clear invalid ones, on every route.
//!     // (or `middleware::from_fn_with_state(state.clone(), refresh::<Session, AppState>)`)
//!     .layer(RefreshLayer::<Session>::new(&state))
//!     .with_state(state);
//! ```

use std::convert::Infallible;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use ::axum::body::Body;
use ::axum::extract::{FromRef, FromRequestParts, OptionalFromRequestParts, Request, State};
use ::axum::http::header::{COOKIE, SET_COOKIE};
use ::axum::http::request::Parts;
use ::axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, Uri};
use ::axum::middleware::Next;
use ::axum::response::{IntoResponse, IntoResponseParts, Response, ResponseParts};

use super::http::{self as http_adapter, header_value, CookieHeaders};
use crate::cookie::{CookieScope, SealedCookie, Stateless};
use crate::error::SealError;
use crate::keys::KeyRing;
use crate::request::cookies::{cached_pairs, extractor_cookies, CookiePairs};
use crate::request::layers::{check_refresh_layer, DevelopmentLayer, RefreshLayers};
use crate::request::origin::{view_of_request, RequestOrigin};
use crate::request::outcome::{
    log_seal_error, open_found, open_parsed, plain_answer, refresh_header, seal_error_response,
};
use crate::request::response::sets_cookie_of;
use crate::request::RequestView;
use crate::seal::Opened;

pub use super::{Guarded, Sealed, SealedRejection};
#[doc(inline)]
pub use crate::__typed_cookies_axum_cookie_state as cookie_state;
pub use guarded::{client_context_of, guarded};
pub use layers::{GuardedLayer, LayerService, RefreshLayer};
#[doc(hidden)]
pub use state::__private;
pub use state::CookieState;

mod guarded;
mod layers;
mod state;

fn opened_from_parts<S, T>(parts: &mut Parts, state: &S) -> Result<Opened<T>, SealedRejection>
where
    T: Stateless,
    KeyRing: FromRef<S>,
{
    let view = view_of_parts(
        KeyRing::from_ref(state),
        &parts.headers,
        &parts.uri,
        &parts.extensions,
        true,
    );
    check_refresh_layer::<T>(|| {
        let layers = parts.extensions.get::<RefreshLayers>();
        layers.is_some_and(RefreshLayers::covers::<T>)
    });
    let current = parts.headers.get_all(COOKIE);
    let cookies = extractor_cookies(parts.extensions.get(), || current.iter());
    if let Some(split) = cookies.new_split() {
        parts.extensions.insert(split.clone());
    }
    plain_answer(
        &view,
        open_found::<T>(&view, |name| cookies.find_bytes(name)),
    )
}

/// The request's `Cookie:` header values split into pairs: the split an earlier middleware or
/// extractor kept in `extensions` if the header is still the one it split, else a new one,
/// kept there for the next (see `request::cookies`).
pub(crate) fn cookie_pairs_of(
    headers: &HeaderMap,
    extensions: &mut Extensions,
) -> Arc<CookiePairs<HeaderValue>> {
    let current = headers.get_all(COOKIE);
    let (cookies, new) = cached_pairs(extensions.get(), || current.iter());
    if new {
        extensions.insert(cookies.clone());
    }
    cookies
}

impl<S, T> FromRequestParts<S> for Opened<T>
where
    T: Stateless,
    KeyRing: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = SealedRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        opened_from_parts(parts, state)
    }
}

impl<S, T> OptionalFromRequestParts<S> for Opened<T>
where
    T: Stateless,
    KeyRing: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(opened_from_parts(parts, state).ok())
    }
}

impl<S, T> FromRequestParts<S> for Sealed<T>
where
    T: Stateless,
    KeyRing: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = SealedRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        opened_from_parts(parts, state).map(|opened| Sealed(opened.into_value()))
    }
}

impl<S, T> OptionalFromRequestParts<S> for Sealed<T>
where
    T: Stateless,
    KeyRing: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(opened_from_parts(parts, state)
            .ok()
            .map(|opened| Sealed(opened.into_value())))
    }
}

/// The rejection's [`status`](SealedRejection::status) (401 for a missing or refused cookie;
/// 400, 503 or 500 as it says) with a plain-text body that names the cookie but not why it
/// failed to open; logged as [`SealedRejection`] describes (a refusal at `debug`, a
/// configuration mistake at `error`).
impl IntoResponse for SealedRejection {
    fn into_response(self) -> Response {
        self.log();
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, self.body()).into_response()
    }
}

/// `500 Internal Server Error` (`503 Service Unavailable` when the revocation store could not
/// answer while issuing a tracked session; `409 Conflict` for
/// [`SealError::Superseded`], logged at `debug` only), logged without payload data (see the
/// `integrations` module), with a body that does not repeat the reason.
impl IntoResponse for SealError {
    fn into_response(self) -> Response {
        log_seal_error(&self);
        let (status, body) = seal_error_response(&self);
        (
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body,
        )
            .into_response()
    }
}

/// The refresh middleware for `T` as a function, for
/// `axum::middleware::from_fn_with_state(state, refresh::<T, S>)` — the cookie type first, as
/// in the actix-web adapter; [`RefreshLayer`] is the same middleware as a tower layer,
/// `.layer(RefreshLayer::<T>::new(&keys))`, at less cost per request. After the handler, it
/// reseals `T`'s cookie when it is due and clears it when it does not open (unless the type
/// says `clear_invalid = false`), without handler code. A response that sets or removes the
/// cookie itself is left alone. See the module example.
///
/// It opens the cookie once more than a handler that extracts it does (about a microsecond),
/// unless the response already sets it; the `Cookie:` header itself is split once per request
/// for every middleware and extractor after it (see the `integrations` module). The key ring comes
/// from the same state as the extractors', clock included. Only for a [`Stateless`] type: a
/// guarded type's session is refreshed by the [`guarded`] middleware. Without it, a
/// `Sealed<T>` or `Opened<T>` of a type with `idle` or `flash` logs a `warn` (once per type).
pub async fn refresh<T, S>(State(state): State<S>, request: Request, next: Next) -> Response
where
    T: Stateless,
    KeyRing: FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    let (parts, body) = request.into_parts();
    let answered = refresh_request::<T, _, _>(KeyRing::from_ref(&state), parts, body, |request| {
        next.run(request)
    });
    answered.await.unwrap_or_else(|never| match never {})
}

/// The work of `T`'s refresh middleware around `next` (the rest of the stack and the
/// handler), for both ways to install it ([`refresh`] through `from_fn_with_state`, and
/// [`RefreshLayer`]): records that `T` is refreshed on this request, and after `next` reseals
/// `T`'s cookie when due or clears it when it does not open, unless the response sets or
/// removes it itself.
///
/// It takes the request already split and answers the layer's `Result` (never an error), for
/// the reason `guard_request` does.
pub(crate) async fn refresh_request<T, F, Fut>(
    keys: KeyRing,
    mut parts: Parts,
    body: Body,
    next: F,
) -> Result<Response, Infallible>
where
    T: Stateless,
    F: FnOnce(Request) -> Fut,
    Fut: std::future::Future<Output = Response>,
{
    let view = view_of_parts(keys, &parts.headers, &parts.uri, &parts.extensions, false);
    let cookies = cookie_pairs_of(&parts.headers, &mut parts.extensions);
    parts
        .extensions
        .get_or_insert_default::<RefreshLayers>()
        .add::<T>();
    let mut response = next(Request::from_parts(parts, body)).await;
    let headers = response.headers_mut();
    let sets_it = sets_cookie_of::<T, _>(&view, || {
        headers
            .get_all(SET_COOKIE)
            .iter()
            .map(HeaderValue::as_bytes)
    });
    if !sets_it {
        // The handler did not write the cookie itself: open it (as the request carried it
        // when this middleware saw it) and decide.
        let opened = open_parsed::<T, _>(&view, &cookies);
        if let Some(header) = refresh_header(&view, opened, false) {
            headers.append(SET_COOKIE, header_value(header));
        }
    }
    Ok(response)
}

/// A response part that appends a sealed cookie's `Set-Cookie` header (a new session). Sealing
/// happens in [`SetCookie::new`], so a refused seal (e.g. [`SealError::TooLarge`]) is a
/// `Result` the handler sees; returning that error from the handler responds
/// `500 Internal Server Error` and logs it. To write back a changed session that keeps its
/// creation time, use [`SetCookie::resealed`].
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// # use typed_cookies::{Key, KeyRing, SealedCookie};
/// use axum::response::IntoResponse;
/// use typed_cookies::integrations::axum::SetCookie;
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-prefs", salt = "docs.axum.prefs.v1", max_age = "7d")]
/// struct Prefs { theme: String }
///
/// let keys = KeyRing::new(Key::generate());
/// let response = (SetCookie::new(&Prefs { theme: "dark".into() }, &keys).unwrap(), "saved").into_response();
/// assert!(response.headers()["set-cookie"].to_str().unwrap().starts_with("__Host-prefs="));
/// ```
#[derive(Clone)]
pub struct SetCookie {
    header: HeaderValue,
}

/// Shows the cookie name only: the value (a signed cookie's payload is readable) stays out of
/// logs.
impl fmt::Debug for SetCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.header.as_bytes();
        let name = bytes.split(|&b| b == b'=').next().unwrap_or_default();
        f.debug_struct("SetCookie")
            .field("name", &String::from_utf8_lossy(name))
            .finish_non_exhaustive()
    }
}

impl SetCookie {
    /// Seals `value` as a new session into its `Set-Cookie` header.
    pub fn new<T: Stateless>(value: &T, keys: &impl CookieScope) -> Result<Self, SealError> {
        Ok(Self {
            header: header_value(value.to_set_cookie(keys)?),
        })
    }

    /// Seals an opened (possibly changed) session again, keeping its creation time.
    pub fn resealed<T: SealedCookie>(
        opened: &Opened<T>,
        keys: &impl CookieScope,
    ) -> Result<Self, SealError> {
        Ok(Self {
            header: header_value(opened.to_set_cookie(keys)?),
        })
    }

    /// The `Set-Cookie` header value.
    pub fn header_value(&self) -> &HeaderValue {
        &self.header
    }
}

impl IntoResponseParts for SetCookie {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        res.headers_mut().append(SET_COOKIE, self.header);
        Ok(res)
    }
}

impl IntoResponse for SetCookie {
    fn into_response(self) -> Response {
        (self, ()).into_response()
    }
}

/// A response part that appends the `Set-Cookie` header deleting `T`'s cookie.
///
/// ```
/// # use serde::{Deserialize, Serialize};
/// # use typed_cookies::SealedCookie;
/// use axum::response::{IntoResponse, Redirect};
/// use typed_cookies::integrations::axum::Removal;
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-sid", salt = "docs.axum.remove.v1", max_age = "2h")]
/// struct Session { user: String }
///
/// let response = (Removal::<Session>::new(), Redirect::to("/")).into_response();
/// assert!(response.headers()["set-cookie"].to_str().unwrap().starts_with("__Host-sid=; "));
/// ```
pub struct Removal<T>(PhantomData<fn() -> T>);

impl<T: SealedCookie> Removal<T> {
    /// The removal of `T`'s cookie.
    pub fn new() -> Self {
        Removal(PhantomData)
    }
}

impl<T: SealedCookie> Default for Removal<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: SealedCookie> fmt::Debug for Removal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Removal").field(&T::CONFIG.name()).finish()
    }
}

impl<T: SealedCookie> IntoResponseParts for Removal<T> {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        res.headers_mut().append_removal::<T>();
        Ok(res)
    }
}

impl<T: SealedCookie> IntoResponse for Removal<T> {
    fn into_response(self) -> Response {
        (self, ()).into_response()
    }
}

/// The development middleware, for `axum::middleware::from_fn_with_state(state,
/// development::<S>)` as the **outermost** layer (the last `.layer(..)`): when the state's
/// ring is in development mode ([`KeyRing::with_development_mode`]) and the request is local —
/// its `Host` (and URL authority, if any) is loopback and no `Forwarded`/`X-Forwarded-*`/
/// `X-Real-IP` header says a proxy sent it — it relaxes every `Set-Cookie` of the response
/// (no `Secure`, no `Partitioned`, no `__Host-`/`__Secure-` prefix, see
/// [`relax_set_cookie`](crate::development::relax_set_cookie)); the extractors and [`refresh`] then read
/// the unprefixed names for that request. Without development mode it only passes the
/// request on, so it can stay installed in production.
///
/// ```
/// use axum::{extract::State, middleware, routing::post, Router};
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::integrations::axum::{development, refresh, SetCookie};
/// use typed_cookies::{Key, KeyRing, SealError, SealedCookie};
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-sid", salt = "docs.axum.development.v1", max_age = "8h", encrypt)]
/// struct Session { user: String }
///
/// async fn login(State(keys): State<KeyRing>) -> Result<SetCookie, SealError> {
///     SetCookie::new(&Session { user: "ann".into() }, &keys) // `sid=…` to http://localhost
/// }
///
/// # std::env::remove_var("TYPED_COOKIES_DEV");
/// // An error, not a panic, in a release build without TYPED_COOKIES_DEV=1.
/// let keys = KeyRing::new(Key::generate()).with_development_mode().unwrap();
/// let app: Router = Router::new()
///     .route("/login", post(login))
///     .layer(middleware::from_fn_with_state(keys.clone(), refresh::<Session, KeyRing>))
///     .layer(middleware::from_fn_with_state(keys.clone(), development::<KeyRing>)) // outermost
///     .with_state(keys);
/// ```
pub async fn development<S>(State(state): State<S>, mut request: Request, next: Next) -> Response
where
    KeyRing: FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    let keys = KeyRing::from_ref(&state);
    if !keys.development_mode() {
        return next.run(request).await;
    }
    let origin = origin(request.headers(), request.uri(), request.extensions());
    let local = origin.is_local();
    let host = origin
        .host_header
        .and_then(|host| std::str::from_utf8(host).ok())
        .map(str::to_owned);
    request.extensions_mut().insert(DevelopmentLayer);
    let mut response = next.run(request).await;
    if local {
        http_adapter::relax_response(response.headers_mut(), host.as_deref());
    }
    response
}

/// What development mode looks at in a request: headers, the URL's authority (HTTP/2), and
/// the peer's address when the app is served with `into_make_service_with_connect_info`.
fn origin<'a>(headers: &'a HeaderMap, uri: &'a Uri, extensions: &Extensions) -> RequestOrigin<'a> {
    RequestOrigin {
        peer: extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip()),
        ..http_adapter::origin(headers, uri.authority().map(|authority| authority.as_str()))
    }
}

/// The view of one request: the state's ring, relaxed for a local request in development mode
/// (one branch when development mode is off). `extractor`: warn once if the `development`
/// middleware did not run.
pub(crate) fn view_of_parts(
    keys: KeyRing,
    headers: &HeaderMap,
    uri: &Uri,
    extensions: &Extensions,
    extractor: bool,
) -> RequestView {
    view_of_request(
        keys,
        || origin(headers, uri, extensions),
        || extractor.then(|| extensions.get::<DevelopmentLayer>().is_some()),
    )
}
