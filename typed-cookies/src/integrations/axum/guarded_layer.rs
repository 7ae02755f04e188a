//! [`GuardedLayer`]: `T`'s guarded middleware as a tower layer of its own, installed with
//! `.layer(GuardedLayer::<T>::new(&state))`. It does what [`guarded`](super::guarded) through
//! `axum::middleware::from_fn_with_state` does, without that adapter's per-request work (a
//! clone of the app state, its extraction from a request taken apart and put together again,
//! a second boxed future): the key ring and the guard are taken from the state once, when the
//! router is built.

use std::convert::Infallible;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use ::axum::extract::Request;
use ::axum::response::{IntoResponse, Response};
use tower_layer::Layer;
use tower_service::Service;

use crate::cookie::SealedCookie;
use crate::guard::Guard;
use crate::keys::KeyRing;

use super::guarded::guard_request;
use super::CookieState;

/// `T`'s guarded middleware as a tower [`Layer`]: opens `T`'s cookie once per request through
/// the [`Guard`], hands the result to the [`Guarded<T>`](super::Guarded) extractor, and on
/// the way out appends the renewed value of a `replay` type, the reseal of a value due for a
/// refresh, or the removal of a refused cookie (unless the response sets or removes the cookie
/// itself) — exactly what [`guarded`](super::guarded) does through
/// `axum::middleware::from_fn_with_state`, at less cost per request. Required wherever
/// `Guarded<T>` is extracted (without it, a logged `500`:
/// [`SealedRejection::NoGuardLayer`](super::SealedRejection::NoGuardLayer)).
///
/// The key ring and the guard are taken from the app state (a [`CookieState`]) when the layer
/// is built; both are reference-counted, so a key ring that rotates or a guard's store is
/// shared with the state, not copied.
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
    type Service = GuardedService<T, I>;

    fn layer(&self, inner: I) -> Self::Service {
        GuardedService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`GuardedLayer`] wraps around a route (or a router): not named by apps.
pub struct GuardedService<T, I> {
    inner: I,
    layer: GuardedLayer<T>,
}

impl<T, I: Clone> Clone for GuardedService<T, I> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            layer: self.layer.clone(),
        }
    }
}

impl<T, I> std::fmt::Debug for GuardedService<T, I> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuardedService")
            .field("layer", &self.layer)
            .finish_non_exhaustive()
    }
}

impl<T, I> Service<Request> for GuardedService<T, I>
where
    T: SealedCookie + Send + Sync + 'static,
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
        let keys = self.layer.keys.clone();
        let guard = self.layer.guard.clone();
        Box::pin(async move {
            let response = guard_request::<T, _, _>(keys, &guard, request, |request| {
                let call = inner.call(request);
                async move {
                    match call.await {
                        Ok(response) => response.into_response(),
                        Err(never) => match never {},
                    }
                }
            })
            .await;
            Ok(response)
        })
    }
}
