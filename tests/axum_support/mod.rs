//! What the axum tests (`guard/`, `binding/`, `replay/`) share: one request through a
//! `Router` with `oneshot`, and what came back; and the one sign-in handler ([`sign_in`]) for
//! any [`Account`] type, over the shared router state (`axum_guard_state`). Not every file
//! uses every item.
#![allow(dead_code)]

use axum::body::Body;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{header, Request, StatusCode};
use axum::response::{IntoResponse, Response as AxumResponse};
use axum::Router;
use tower::ServiceExt;
use typed_cookies::guard::Issued;
use typed_cookies::integrations::axum::client_context_of;

use crate::actix_support::Account;
use crate::axum_guard_state::AppState;

/// A response: its status, every `Set-Cookie` header (in order) and its body.
#[derive(Debug)]
pub struct Response {
    pub status: StatusCode,
    pub set_cookies: Vec<String>,
    pub body: String,
}

impl Response {
    /// The `Set-Cookie`s of the cookie `name` (removals too), in order.
    pub fn of(&self, name: &str) -> Vec<&str> {
        self.set_cookies
            .iter()
            .filter(|c| c.starts_with(&format!("{name}=")))
            .map(String::as_str)
            .collect()
    }

    /// The `name=value` pair of the last `Set-Cookie` that sets `name` (a removal, `name=;`,
    /// does not count), ready to send back as a `Cookie:` header.
    pub fn pair(&self, name: &str) -> Option<String> {
        self.of(name)
            .into_iter()
            .rfind(|c| !c.starts_with(&format!("{name}=;")))
            .map(|c| c.split(';').next().unwrap().to_owned())
    }
}

/// `request` as it is, through `app`.
pub async fn send(app: &Router, request: Request<Body>) -> Response {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let set_cookies = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let body = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    Response {
        status,
        set_cookies,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

/// `POST`: signs Ann in as a `T` (subject `user:ann`) bound to what the request carries
/// (`client_context_of::<T>`: user agent, peer address, `AppBinding`); a request that cannot
/// be bound is the adapter's rejection.
pub async fn sign_in<T: Account>(
    State(state): State<AppState>,
    parts: Parts,
) -> Result<Issued, AxumResponse> {
    let client =
        client_context_of::<T>(&parts, &state.guard).map_err(IntoResponse::into_response)?;
    state
        .guard
        .issue(&state.keys, &T::named("ann"), Some("user:ann"), &client)
        .await
        .map_err(IntoResponse::into_response)
}
