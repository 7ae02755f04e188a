//! The ways a suite installs axum's guarded and refresh middlewares, to run each scenario
//! through every one: as our tower layer (`GuardedLayer`, `RefreshLayer`) or as the function
//! through `from_fn_with_state` (`guarded`, `refresh`), with `Router::layer` or
//! `Router::route_layer`, on a router of any state that gives what the middleware needs.

use axum::extract::FromRef;
use axum::middleware::from_fn_with_state;
use axum::Router;
use typed_cookies::integrations::axum::{
    guarded, refresh, CookieState, GuardedLayer, RefreshLayer,
};
use typed_cookies::{KeyRing, SealedCookie, Stateless};

/// The two ways to install a middleware.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Install {
    /// Our tower layer.
    Layer,
    /// The function through `from_fn_with_state`.
    Function,
}

/// Both ways.
pub(crate) const INSTALLS: [Install; 2] = [Install::Layer, Install::Function];

/// Where a middleware goes on the router.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum On {
    /// `Router::layer`: every route and the fallback.
    Layer,
    /// `Router::route_layer`: the matched routes only.
    RouteLayer,
}

/// `router` with `T`'s guarded middleware installed `how`, `on` it.
pub(crate) fn with_guarded<T, S>(router: Router<S>, state: &S, how: Install, on: On) -> Router<S>
where
    T: SealedCookie + Send + Sync + 'static,
    S: CookieState + Clone + Send + Sync + 'static,
{
    match (how, on) {
        (Install::Layer, On::Layer) => router.layer(GuardedLayer::<T>::new(state)),
        (Install::Layer, On::RouteLayer) => router.route_layer(GuardedLayer::<T>::new(state)),
        (Install::Function, On::Layer) => {
            router.layer(from_fn_with_state(state.clone(), guarded::<T, S>))
        }
        (Install::Function, On::RouteLayer) => {
            router.route_layer(from_fn_with_state(state.clone(), guarded::<T, S>))
        }
    }
}

/// `router` with `T`'s refresh middleware installed `how`, `on` it.
pub(crate) fn with_refresh<T, S>(router: Router<S>, state: &S, how: Install, on: On) -> Router<S>
where
    T: Stateless + Send + Sync + 'static,
    KeyRing: FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    match (how, on) {
        (Install::Layer, On::Layer) => router.layer(RefreshLayer::<T>::new(state)),
        (Install::Layer, On::RouteLayer) => router.route_layer(RefreshLayer::<T>::new(state)),
        (Install::Function, On::Layer) => {
            router.layer(from_fn_with_state(state.clone(), refresh::<T, S>))
        }
        (Install::Function, On::RouteLayer) => {
            router.route_layer(from_fn_with_state(state.clone(), refresh::<T, S>))
        }
    }
}
