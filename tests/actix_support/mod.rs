//! What the actix-web tests (`adapters/`, `guard/`, `binding/`, `replay/`, `revocation/`)
//! share: one request through an app made by `actix_web::test::init_service`, and what came
//! back; the app every guarded app of theirs starts from ([`guarded_app`]); and the guarded
//! handlers it serves ([`sign_in`], [`hello`], [`maybe`], [`sign_out`]) for any [`Account`]
//! type (the axum tests' `sign_in` takes the same). Not every file uses every item.
#![allow(dead_code)]

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, COOKIE, SET_COOKIE, USER_AGENT};
use actix_web::http::StatusCode;
use actix_web::{test, web, App, HttpRequest, HttpResponse};
use typed_cookies::guard::Guard;
use typed_cookies::integrations::actix::{
    client_context_of, Guarded, MaybeGuarded, ResponseBuilderExt,
};
use typed_cookies::store::MemoryStore;
use typed_cookies::{KeyRing, SealedCookie};

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

/// `POST uri` from a browser with this `User-Agent` and these `Cookie:` headers, through `app`.
pub async fn post<B: MessageBody>(
    app: &impl Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    uri: &str,
    cookies: &[&[u8]],
    user_agent: &str,
) -> Response {
    call(app, test::TestRequest::post().uri(uri), cookies, user_agent).await
}

/// `GET uri` from a browser with this `User-Agent` and these `Cookie:` headers, through `app`.
pub async fn get<B: MessageBody>(
    app: &impl Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    uri: &str,
    cookies: &[&[u8]],
    user_agent: &str,
) -> Response {
    call(app, test::TestRequest::get().uri(uri), cookies, user_agent).await
}

/// An app with `keys` and a guard over a fresh `MemoryStore` as `web::Data` (what the
/// extractors, the `guarded` middleware and the shared handlers take), to add middlewares and
/// routes to.
pub fn guarded_app(
    keys: KeyRing,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<BoxBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(keys))
        .app_data(web::Data::new(Guard::new(MemoryStore::new())))
}

/// A cookie type the shared handlers sign in and greet: a value for one user.
pub trait Account: SealedCookie + Send + Sync + 'static {
    /// The value for `user`.
    fn named(user: &str) -> Self;
    /// Whose value it is.
    fn user(&self) -> &str;
}

/// Implements [`Account`] for cookie types whose one field is `user: String`.
#[allow(unused_macros)]
macro_rules! accounts {
    ($($t:ty),* $(,)?) => {
        $(
            impl crate::actix_support::Account for $t {
                fn named(user: &str) -> Self {
                    Self { user: user.into() }
                }
                fn user(&self) -> &str {
                    &self.user
                }
            }
        )*
    };
}
#[allow(unused_imports)]
pub(crate) use accounts;

/// `POST`: signs Ann in as a `T` (subject `user:ann`) bound to what the request carries
/// (`client_context_of::<T>`: user agent, peer address, `AppBinding`).
pub async fn sign_in<T: Account>(
    req: HttpRequest,
    keys: web::Data<KeyRing>,
    guard: web::Data<Guard>,
) -> Result<HttpResponse, actix_web::Error> {
    let client = client_context_of::<T>(&req, &guard)?;
    let issued = guard
        .issue(&keys, &T::named("ann"), Some("user:ann"), &client)
        .await?;
    Ok(HttpResponse::Ok().issued(&issued).finish())
}

/// `GET` behind `Guarded<T>`: `hello {user}`.
pub async fn hello<T: Account>(session: Guarded<T>) -> String {
    format!("hello {}", session.user())
}

/// `GET` behind `MaybeGuarded<T>`: `some {user}` or `none`.
pub async fn maybe<T: Account>(MaybeGuarded(session): MaybeGuarded<T>) -> String {
    session.map_or("none".into(), |s| format!("some {}", s.user()))
}

/// `POST`, the documented sign-out: revokes the session when there is one (`revoked`, else
/// `nothing`) and removes the cookie; a store that cannot revoke is a 503 that keeps it.
pub async fn sign_out<T: Account>(
    MaybeGuarded(session): MaybeGuarded<T>,
    keys: web::Data<KeyRing>,
    guard: web::Data<Guard>,
) -> HttpResponse {
    let had = session.is_some();
    if let Some(session) = session {
        if guard.revoke(&keys, session.opened()).await.is_err() {
            return HttpResponse::ServiceUnavailable().body("try again");
        }
    }
    HttpResponse::Ok()
        .removal::<T>()
        .body(if had { "revoked" } else { "nothing" })
}
