//! [`AppBinding`]: the application's bytes for `bind = "app"`, handed to the framework
//! adapters per request through the request's extensions.

use std::sync::Arc;

/// The bytes a `bind = "app"` type's values are bound to on one request (a TLS channel id, a
/// device id, a tenant), for the framework adapters: the application inserts one into the
/// request's extensions, in a middleware of its own that runs before the adapter reads the
/// cookie, and the adapters' `Guarded<T>`, `MaybeGuarded<T>`, `guarded` middleware and
/// `client_context_of::<T>` put it into the [`ClientContext`](super::ClientContext)
/// ([`ClientContext::app`](super::ClientContext::app)). Only types that bind `app` look for it;
/// for them, a request without one is refused with
/// [`SealedRejection::NoAppBinding`](crate::integrations::SealedRejection::NoAppBinding) (a
/// logged 500: a setup mistake), never bound to "no bytes".
///
/// Insert one on **every** request that reaches the adapter, also when the source is absent
/// (then choose: bind to empty bytes, as below, or answer the request yourself, say with a
/// 400). A middleware that inserts a binding only when the client sends its source would let
/// any client turn a public page, or an `Option<Guarded<T>>` route, into a logged 500 by
/// leaving the source out. Empty bytes stay safe: a value bound to a device's bytes does not
/// open without them, and an anonymous visitor is simply anonymous. They are never *issued*:
/// [`Guard::issue`](super::Guard::issue) refuses empty app bytes
/// ([`SealError::MissingClientPart`](crate::SealError::MissingClientPart), a 500 through the
/// adapters) rather than seal a value that would open for anyone who sends none, so refuse a
/// sign-in without the source yourself first (say with a 400).
///
/// The binding is as strong as the bytes: a value the client sends (a header, a cookie) travels
/// with a stolen cookie; one the client cannot choose (the TLS channel, a device attested
/// elsewhere, the tenant of the host name) does not. Its `Debug` shows the length only.
///
/// axum — a layer outside the `guarded` middleware: with `Router::layer`, a later `.layer`
/// runs first, so add it after `guarded`; with `tower::ServiceBuilder` the first layer runs
/// first, so list it before `guarded`. Without `guarded`, any layer before a `Guarded<T>`
/// extractor will do:
///
/// ```
/// # #[cfg(feature = "axum")] {
/// use axum::{extract::Request, middleware::{self, Next}, response::Response, routing::get, Router};
/// use typed_cookies::guard::AppBinding;
///
/// async fn device_binding(mut request: Request, next: Next) -> Response {
///     // Every request gets a binding: without the header, empty bytes.
///     let device = request.headers().get("x-device-id").map(|v| v.as_bytes().to_vec());
///     let binding = AppBinding::new(device.unwrap_or_default());
///     request.extensions_mut().insert(binding);
///     next.run(request).await
/// }
///
/// let router: Router = Router::new()
///     .route("/", get(|| async { "hi" }))
///     .layer(middleware::from_fn(device_binding));
/// # }
/// ```
///
/// actix-web — a `wrap_fn` registered after `guarded` (a later `.wrap` runs first):
///
/// ```
/// # #[cfg(feature = "actix-web")] {
/// use actix_web::{dev::Service as _, web, App, HttpMessage as _};
/// use typed_cookies::guard::AppBinding;
///
/// let app = App::new()
///     .route("/", web::get().to(|| async { "hi" }))
///     .wrap_fn(|req, srv| {
///         // Every request gets a binding: without the header, empty bytes.
///         let device = req.headers().get("x-device-id").map(|v| v.as_bytes().to_vec());
///         let binding = AppBinding::new(device.unwrap_or_default());
///         req.extensions_mut().insert(binding);
///         srv.call(req)
///     });
/// # }
/// ```
///
/// Outside the adapters, give the bytes to the context directly:
///
/// ```
/// use typed_cookies::guard::{AppBinding, ClientContext};
/// let binding = AppBinding::new("device-7f3a");
/// assert_eq!(binding.as_bytes(), b"device-7f3a");
/// assert_eq!(format!("{binding:?}"), "AppBinding { len: 11 }");
/// let ctx = ClientContext::new().app(&binding);
/// # let _ = ctx;
/// ```
#[derive(Clone)]
pub struct AppBinding(Arc<[u8]>);

impl AppBinding {
    /// The bytes to bind to (copied; an empty value is bound as empty, not as absent).
    pub fn new(bytes: impl AsRef<[u8]>) -> Self {
        Self(Arc::from(bytes.as_ref()))
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for AppBinding {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// The length only: the bytes may identify a device or a person.
impl std::fmt::Debug for AppBinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppBinding")
            .field("len", &self.0.len())
            .finish()
    }
}
