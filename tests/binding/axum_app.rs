//! The axum application the axum tests assemble in different ways (the sign-in handler is
//! `axum_support`'s, shared with `guard/`).

pub use axum::body::Body;
pub use axum::extract::{ConnectInfo, Request, State};
pub use axum::http::{header, StatusCode};
pub use axum::middleware::{from_fn, from_fn_with_state, Next};
pub use axum::response::Response;
pub use axum::routing::{get, post};
pub use axum::Router;
pub use std::net::SocketAddr;
pub use typed_cookies::integrations::axum::{Guarded, Removal};

pub use crate::axum_guard_state::AppState;
pub use crate::axum_support::sign_in;
use crate::*;

/// The docs' binding: every request gets one, empty bytes without `x-device-id`.
pub async fn device_binding(mut request: Request, next: Next) -> Response {
    let device = request
        .headers()
        .get("x-device-id")
        .map(|v| v.as_bytes().to_vec());
    let binding = AppBinding::new(device.unwrap_or_default());
    request.extensions_mut().insert(binding);
    next.run(request).await
}

/// A binding only when the client sends `x-device-id` (what the docs warn against: a request
/// without the header has no binding).
pub async fn device_binding_if_sent(mut request: Request, next: Next) -> Response {
    if let Some(device) = request.headers().get("x-device-id").cloned() {
        request
            .extensions_mut()
            .insert(AppBinding::new(device.as_bytes()));
    }
    next.run(request).await
}

pub async fn me<T: Account>(session: Guarded<T>) -> String {
    session.user().to_owned()
}

pub async fn maybe<T: Account>(session: Option<Guarded<T>>) -> String {
    session.map_or("anonymous".to_owned(), |s| s.user().to_owned())
}

pub async fn sign_out<T: Account>(
    State(state): State<AppState>,
    session: Guarded<T>,
) -> Result<Removal<T>, StatusCode> {
    state
        .guard
        .revoke(&state.keys, session.opened())
        .await
        .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
    Ok(Removal::new())
}

pub async fn everywhere<T: Account>(
    State(state): State<AppState>,
    session: Guarded<T>,
) -> Result<Removal<T>, StatusCode> {
    let subject = session.opened().subject().ok_or(StatusCode::BAD_REQUEST)?;
    state
        .guard
        .sign_out_everywhere(&state.keys, subject)
        .await
        .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
    Ok(Removal::new())
}

/// `/sign-in`, `/me`, `/maybe`, `/sign-out`, `/everywhere` and `/public` for `T`.
pub fn routes<T: Account>() -> Router<AppState> {
    Router::new()
        .route("/sign-in", post(sign_in::<T>))
        .route("/me", get(me::<T>))
        .route("/maybe", get(maybe::<T>))
        .route("/sign-out", post(sign_out::<T>))
        .route("/everywhere", post(everywhere::<T>))
        .route("/public", get(|| async { "public" }))
}

/// A state over `keys` with a fresh memory store and the client IP from `source`.
pub fn state(keys: KeyRing, source: ClientIp) -> AppState {
    AppState {
        keys,
        guard: Guard::new(MemoryStore::new()).with_client_ip(source),
    }
}

/// A request, with `headers` appended in order (a name may repeat) and, when given, the
/// TCP peer as axum's `ConnectInfo`.
pub fn request(
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    peer: Option<&str>,
) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::USER_AGENT, FIREFOX);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let mut request = builder.body(Body::empty()).unwrap();
    if let Some(peer) = peer {
        request
            .extensions_mut()
            .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
    }
    request
}

/// A reply: status, body, `Set-Cookie`s.
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub set_cookies: Vec<String>,
}

impl Reply {
    pub fn answer(&self) -> (u16, &str) {
        (self.status, self.body.as_str())
    }

    /// The `name=value` pair a sign-in set (not a removal).
    pub fn pair(&self, name: &str) -> Option<String> {
        self.set_cookies
            .iter()
            .find(|c| c.starts_with(&format!("{name}=")) && !c.starts_with(&format!("{name}=;")))
            .map(|c| c.split(';').next().unwrap().to_owned())
    }

    /// Whether the response removes `name`.
    pub fn removes(&self, name: &str) -> bool {
        self.set_cookies
            .iter()
            .any(|c| c.starts_with(&format!("{name}=;")))
    }
}

/// A request from device `device` (its `X-Device-Id`), with `cookie` if given.
pub async fn call(
    app: &Router,
    method: &str,
    uri: &str,
    cookie: Option<&str>,
    device: &str,
) -> Reply {
    let mut headers = vec![("x-device-id", device)];
    if let Some(cookie) = cookie {
        headers.push(("cookie", cookie));
    }
    send(app, request(method, uri, &headers, None)).await
}

pub async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = crate::axum_support::send(app, request).await;
    Reply {
        status: response.status.as_u16(),
        body: response.body,
        set_cookies: response.set_cookies,
    }
}
