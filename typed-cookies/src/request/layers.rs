//! Markers the adapters' middlewares leave in a request's extensions so that the extractors
//! can tell a missing middleware (a setup mistake, said loudly): the `development` middleware
//! ran ([`DevelopmentLayer`]); which types' `refresh` middleware runs ([`RefreshLayers`]).

use crate::cookie::SealedCookie;

/// Put in a request's extensions by the adapters' `development` middleware, so the extractors
/// can tell when it is missing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DevelopmentLayer;

/// Put in a request's extensions by the adapters' `refresh` middleware: the cookie types it
/// refreshes on this request ([`std::any::type_name`]), so that `Sealed<T>` and `Opened<T>`
/// can tell when `T`'s is missing.
#[derive(Debug, Clone, Default)]
pub(crate) struct RefreshLayers(Vec<&'static str>);

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
const fn needs_refresh_layer(config: &crate::cookie::CookieConfig) -> bool {
    config.idle().is_some() || config.flash()
}

/// What `Sealed<T>` and `Opened<T>` check: when `T` needs its `refresh` middleware
/// ([`needs_refresh_layer`]) and `covered()` (whether the request's [`RefreshLayers`] hold it)
/// says no,
/// a `warn` naming the layer to add — once per type for the whole process (the request is
/// still served: its cookie is valid, only the renewal or removal on the way out is missing).
pub(crate) fn check_refresh_layer<T: SealedCookie>(covered: impl FnOnce() -> bool) {
    if !needs_refresh_layer(&T::CONFIG) || covered() {
        return;
    }
    let type_name = std::any::type_name::<T>();
    if !first_warning(type_name) {
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
         `.layer(RefreshLayer::<{type_name}>::new(&keys))`, or \
         `.layer(middleware::from_fn_with_state(state, refresh::<{type_name}, _>))`; actix-web: \
         `.wrap(from_fn(refresh::<{type_name}, _>))`). A handler that writes the cookie itself is \
         left alone by it, so adding it is also how to silence this; logged once per type"
    );
}

/// Whether the warning for `type_name` is the process's first: `true` once per type. Every
/// request of a route without the middleware asks, so this thread's answers are kept and
/// asked first (a short scan of the types it has seen); only a type new to this thread takes
/// the process-wide lock and hashes its name — a lock on every such request cost about a
/// tenth of what the handler's seal + open does, and serialized the server's threads.
fn first_warning(type_name: &'static str) -> bool {
    use std::cell::RefCell;
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static WARNED: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    thread_local! {
        /// The types this thread has seen in `WARNED`.
        static SEEN: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
    }
    let same = |seen: &&'static str| {
        (seen.as_ptr() == type_name.as_ptr() && seen.len() == type_name.len()) || *seen == type_name
    };
    let known = SEEN.with(|seen| seen.try_borrow().is_ok_and(|seen| seen.iter().any(same)));
    if known {
        return false;
    }
    let first = WARNED
        .get_or_init(Default::default)
        .lock()
        .map(|mut warned| warned.insert(type_name))
        .unwrap_or(false);
    SEEN.with(|seen| {
        if let Ok(mut seen) = seen.try_borrow_mut() {
            seen.push(type_name);
        }
    });
    first
}
