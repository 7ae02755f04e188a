//! The adapter's middlewares as tower layers of our own: [`GuardedLayer`] (a guarded type's
//! middleware, `.layer(GuardedLayer::<T>::new(&state))`) and [`RefreshLayer`] (a stateless
//! type's refresh, `.layer(RefreshLayer::<T>::new(&keys))`), over one service,
//! [`LayerService`]. They do what the [`guarded`](super::guarded) and
//! [`refresh`](super::refresh) functions do through `axum::middleware::from_fn_with_state`,
//! without that adapter's per-request work (a clone of the app state, its extraction from a
//! request taken apart and put together again, a second boxed future): what they need from the
//! state is taken once, when the router is built.

use std::convert::Infallible;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use ::axum::body::Body;
use ::axum::extract::{FromRef, Request};
use ::axum::http::request::Parts;
use ::axum::response::{IntoResponse, Response};
use futures_util::FutureExt as _;
use tower_layer::Layer;
use tower_service::Service;

use crate::cookie::{SealedCookie, Stateless};
use crate::guard::Guard;
use crate::keys::KeyRing;

use super::guarded::guard_request;
use super::{refresh_request, CookieState};

/// `T`'s guarded middleware as a tower [`Layer`]: opens `T`'s cookie once per request through
/// the [`Guard`], hands the result to the [`Guarded<T>`](super::Guarded) extractor, and on
/// the way out appends the renewed value of a `replay` type, the reseal of a value due for a
/// refresh, or the removal of a refused cookie (unless the response sets or removes the cookie
/// itself) — exactly what [`guarded`](super::guarded) does through
/// `axum::middleware::from_fn_with_state`, at less cost per request. Required wherever
/// `Guarded<T>` is extracted (without it, a logged `500`:
/// [`SealedRejection::NoGuardLayer`](super::SealedRejection::NoGuardLayer)). Installed twice
/// for one type (a nested router with its own), the inner one passes the request on.
///
/// The key ring and the guard are taken from the app state (a [`CookieState`]) when the layer
/// is built (both reference-counted: the guard's store is shared with the state, not copied).
///
/// ```
/// use axum::{routing::get, Router};
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::guard::Guard;
/// use typed_cookies::integrations::axum::{cookie_state, Guarded, GuardedLayer};
/// use typed_cookies::{store::MemoryStore, Key, KeyRing, SealedCookie};
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-sid", salt = "docs.guarded-layer.v1", max_age = "8h", revocable)]
/// struct Session { user: String }
///
/// #[derive(Clone)]
/// struct App { keys: KeyRing, guard: Guard }
/// cookie_state!(App { keys, guard });
///
/// async fn me(session: Guarded<Session>) -> String {
///     session.user.clone()
/// }
///
/// let app = App { keys: KeyRing::new(Key::generate()), guard: Guard::new(MemoryStore::new()) };
/// let router: Router = Router::new()
///     .route("/me", get(me))
///     .layer(GuardedLayer::<Session>::new(&app))
///     .with_state(app);
/// ```
pub struct GuardedLayer<T> {
    keys: KeyRing,
    guard: Guard,
    cookie: PhantomData<fn() -> T>,
}

impl<T: SealedCookie + Send + Sync + 'static> GuardedLayer<T> {
    /// The layer for `T`, with the key ring and the guard of `state`.
    pub fn new(state: &impl CookieState) -> Self {
        Self {
            keys: state.keys(),
            guard: state.guard(),
            cookie: PhantomData,
        }
    }
}

impl<T> Clone for GuardedLayer<T> {
    fn clone(&self) -> Self {
        Self {
            keys: self.keys.clone(),
            guard: self.guard.clone(),
            cookie: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for GuardedLayer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuardedLayer")
            .field("type", &std::any::type_name::<T>())
            .finish_non_exhaustive()
    }
}

impl<T, I> Layer<I> for GuardedLayer<T> {
    type Service = LayerService<Self, I>;

    fn layer(&self, inner: I) -> Self::Service {
        LayerService {
            inner,
            layer: self.clone(),
        }
    }
}

impl<T: SealedCookie + Send + Sync + 'static> sealed::Around for GuardedLayer<T> {
    fn around<F, Fut>(
        self,
        parts: Parts,
        body: Body,
        next: F,
    ) -> impl Future<Output = Result<Response, Infallible>> + Send
    where
        F: FnOnce(Request) -> Fut + Send,
        Fut: Future<Output = Response> + Send,
    {
        guard_request::<T, _, _>(self.keys, self.guard, parts, body, next)
    }
}

/// `T`'s refresh middleware as a tower [`Layer`]: after the handler, reseals `T`'s cookie when
/// it is due (the idle window, a value a fallback key sealed) and clears it when it does not
/// open (unless the type says `clear_invalid = false`), without handler code; a response that
/// sets or removes the cookie itself is left alone — exactly what [`refresh`](super::refresh)
/// does through `axum::middleware::from_fn_with_state`, at less cost per request. Only for a
/// [`Stateless`] type: a guarded type's session is refreshed by its [`GuardedLayer`].
///
/// The key ring is taken when the layer is built (`&keys`, or the app state of which
/// `KeyRing: FromRef`), as the extractors take it from the state: the same keys and clock.
///
/// ```
/// use axum::{routing::get, Router};
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::integrations::axum::{RefreshLayer, Sealed};
/// use typed_cookies::{Key, KeyRing, SealedCookie};
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-sid", salt = "docs.refresh-layer.v1", max_age = "8h", idle = "30m", encrypt)]
/// struct Session { user: String }
///
/// async fn me(Sealed(session): Sealed<Session>) -> String {
///     session.user
/// }
///
/// let keys = KeyRing::new(Key::generate());
/// let router: Router = Router::new()
///     .route("/me", get(me))
///     .layer(RefreshLayer::<Session>::new(&keys))
///     .with_state(keys);
/// ```
pub struct RefreshLayer<T> {
    keys: KeyRing,
    cookie: PhantomData<fn() -> T>,
}

impl<T> RefreshLayer<T> {
    /// The layer for `T`, with the key ring of `state` (a `KeyRing`, or an app state with
    /// `FromRef` for it). A guarded `T` is a compile error here that names its `GuardedLayer`.
    pub fn new<S>(state: &S) -> Self
    where
        T: Stateless,
        KeyRing: FromRef<S>,
    {
        Self {
            keys: KeyRing::from_ref(state),
            cookie: PhantomData,
        }
    }
}

impl<T> Clone for RefreshLayer<T> {
    fn clone(&self) -> Self {
        Self {
            keys: self.keys.clone(),
            cookie: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for RefreshLayer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshLayer")
            .field("type", &std::any::type_name::<T>())
            .finish_non_exhaustive()
    }
}

impl<T, I> Layer<I> for RefreshLayer<T> {
    type Service = LayerService<Self, I>;

    fn layer(&self, inner: I) -> Self::Service {
        LayerService {
            inner,
            layer: self.clone(),
        }
    }
}

impl<T: Stateless + 'static> sealed::Around for RefreshLayer<T> {
    fn around<F, Fut>(
        self,
        parts: Parts,
        body: Body,
        next: F,
    ) -> impl Future<Output = Result<Response, Infallible>> + Send
    where
        F: FnOnce(Request) -> Fut + Send,
        Fut: Future<Output = Response> + Send,
    {
        refresh_request::<T, _, _>(self.keys, parts, body, next)
    }
}

/// The service [`GuardedLayer`] and [`RefreshLayer`] wrap around a route (or a router): not
/// named by apps.
pub struct LayerService<L, I> {
    inner: I,
    layer: L,
}

impl<L: Clone, I: Clone> Clone for LayerService<L, I> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            layer: self.layer.clone(),
        }
    }
}

impl<L: std::fmt::Debug, I> std::fmt::Debug for LayerService<L, I> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LayerService")
            .field("layer", &self.layer)
            .finish_non_exhaustive()
    }
}

impl<L, I> Service<Request> for LayerService<L, I>
where
    L: sealed::Around,
    I: Service<Request, Error = Infallible> + Clone + Send + 'static,
    I::Response: IntoResponse,
    I::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        // The clone takes the place of the service that was polled ready, which runs this
        // request (tower's rule for services called from a future).
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        // Mapped, not wrapped in an async block (which would hold the inner future twice).
        let next = move |request| inner.call(request).map(answer);
        let (parts, body) = request.into_parts();
        Box::pin(self.layer.clone().around(parts, body, next))
    }
}

/// The inner service's answer as a response (its error type has no value).
fn answer<R: IntoResponse>(result: Result<R, Infallible>) -> Response {
    match result {
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    }
}

/// What each layer does around the rest of the stack: public in a private module, so that
/// only this crate's layers implement it.
mod sealed {
    use std::convert::Infallible;
    use std::future::Future;

    use ::axum::body::Body;
    use ::axum::extract::Request;
    use ::axum::http::request::Parts;
    use ::axum::response::Response;

    /// A layer's work around `next` (the rest of the stack and the handler), by value (a
    /// cheap clone of the layer per request: reference counts).
    pub trait Around: Clone + Send + Sync + 'static {
        /// Runs the middleware around `next`.
        fn around<F, Fut>(
            self,
            parts: Parts,
            body: Body,
            next: F,
        ) -> impl Future<Output = Result<Response, Infallible>> + Send
        where
            F: FnOnce(Request) -> Fut + Send,
            Fut: Future<Output = Response> + Send;
    }
}
