//! What the actix-web test files (`adapters_actix.rs`, `guard_actix.rs`, `adversarial.rs`,
//! `guard_app_binding.rs`, `app_binding_attacks.rs`)
//! share: one request through an app made by `actix_web::test::init_service`, and what came
//! back. Not every file uses every item.
#![allow(dead_code)]

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::{HeaderValue, COOKIE, SET_COOKIE, USER_AGENT};
use actix_web::http::StatusCode;
use actix_web::test;

/// A response: its status, every `Set-Cookie` header (in order) and its body.
pub struct Response {
    pub status: StatusCode,
    pub set_cookies: Vec<String>,
    pub body: String,
}

impl Response {
    /// The `name=value` pair of the `Set-Cookie` that sets `name` (a removal, `name=;`, does
    /// not count), ready to send back as a `Cookie:` header.
    pub fn pair(&self, name: &str) -> Option<String> {
        self.set_cookies
            .iter()
            .find(|c| c.starts_with(&format!("{name}=")) && !c.starts_with(&format!("{name}=;")))
            .map(|c| c.split(';').next().unwrap().to_owned())
    }
}

/// `request` as it is, through `app`.
pub async fn send<B: MessageBody>(
    app: &impl Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    request: test::TestRequest,
) -> Response {
    let response = test::call_service(app, request.to_request()).await;
    let status = response.status();
    let set_cookies = response
        .headers()
        .get_all(SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let body = String::from_utf8(test::read_body(response).await.to_vec()).unwrap();
    Response {
        status,
        set_cookies,
        body,
    }
}

/// `request` from a browser with this `User-Agent`, with one `Cookie:` header per entry of
/// `cookies` (none for `&[]`), through `app`.
pub async fn call<B: MessageBody>(
    app: &impl Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    request: test::TestRequest,
    cookies: &[&[u8]],
    user_agent: &str,
) -> Response {
    let mut request = request.insert_header((USER_AGENT, user_agent));
    for cookie in cookies {
        request = request.append_header((COOKIE, HeaderValue::from_bytes(cookie).unwrap()));
    }
    send(app, request).await
}
