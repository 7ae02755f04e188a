//! The `layer-control` variant: what axum charges for the *shape* of the guarded path, with no
//! cookie work at all. A tower layer of the same form as typed-cookies' `GuardedLayer` (the
//! inner service cloned in place, one boxed future) puts a value of about the size of the
//! guard's result into the request's extensions; the handler's last argument, an extractor,
//! takes it out. Its gap to `none` is axum's share of `typed-cookies-guarded`'s gap: a floor
//! that no layer-and-extractor design of ours can go below
//! (`scripts/server_instructions.py`).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_layer::Layer;
use tower_service::Service;

use crate::session::body;
use crate::stateless::none_login;

/// About the size of what the guarded middleware hands the extractor (an opened
/// `RevocableSession` and its claims).
type Payload = [u64; 20];

/// The slot the layer fills and the extractor empties (`http` needs extensions `Clone`).
#[derive(Clone)]
struct Slot(Option<Payload>);

/// The layer: hands a fixed payload to the handler.
#[derive(Clone)]
struct HandOffLayer;

impl<I> Layer<I> for HandOffLayer {
    type Service = HandOff<I>;

    fn layer(&self, inner: I) -> Self::Service {
        HandOff { inner }
    }
}

/// The layer's service.
#[derive(Clone)]
struct HandOff<I> {
    inner: I,
}

impl<I> Service<Request> for HandOff<I>
where
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

    fn call(&mut self, mut request: Request) -> Self::Future {
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        Box::pin(async move {
            let mut payload = [0; 20];
            payload[0] = std::hint::black_box(1);
            request.extensions_mut().insert(Slot(Some(payload)));
            match inner.call(request).await {
                Ok(response) => Ok(response.into_response()),
                Err(never) => match never {},
            }
        })
    }
}

/// The extractor: takes the payload out of the slot (a 500 without the layer).
struct HandedOff(Payload);

impl<S: Send + Sync> FromRequestParts<S> for HandedOff {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, StatusCode> {
        parts
            .extensions
            .get_mut::<Slot>()
            .and_then(|slot| slot.0.take())
            .map(HandedOff)
            .ok_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// The router: `GET /` answers from the handed-off payload, `GET /login` as the baseline.
pub fn router() -> Router {
    Router::new()
        .route("/", get(handler))
        .route("/login", get(none_login))
        .layer(HandOffLayer)
}

/// The baseline's body, from the payload.
async fn handler(handed: HandedOff) -> String {
    body(handed.0[0] - 1)
}
