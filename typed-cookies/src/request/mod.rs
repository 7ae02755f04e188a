//! The request layer, between the core (wire, keys, seal, cookie) and the framework adapters:
//! everything about *one request* that does not depend on the framework, written once.
//!
//! - **The per-request view** ([`RequestView`], `view`): the ring as this request sees it —
//!   strict, or relaxed for a loopback request in development mode (`origin`: where the
//!   request came from) — and so the name each cookie is read under and the form its
//!   `Set-Cookie` takes. The cookie layer receives it as a [`CookieScope`](crate::CookieScope)
//!   and never learns why a form differs.
//! - **The `Cookie:` header split once** per request (`cookies`), kept in the request's
//!   extensions by the adapters.
//! - **The outcome** of handling the request: open the cookie and log what an operator watches,
//!   the extractor's answer or its [`SealedRejection`] (status, body, log line), what the
//!   response owes the cookie on the way out — a due reseal, a flash or refused cookie's
//!   removal, a replay renewal (`outcome` for stateless types, `guarded_outcome` for bound and
//!   tracked ones, through the [`Guard`](crate::guard::Guard)) — and how the response's
//!   `Set-Cookie`s are read (`response`).
//! - **The markers** the adapters' middlewares leave for the extractors (`layers`), so a missing
//!   middleware is a loud setup error rather than a silent one.
//!
//! A framework adapter (`integrations::*`) only translates: it builds the [`RequestView`] and
//! the client context from its request type, calls these functions, and turns their answers
//! into its response type. Policy is decided here or below, never in an adapter.

#[cfg(adapter)]
pub(crate) mod cookies;
#[cfg(adapter)]
pub(crate) mod guarded_outcome;
#[cfg(middleware_adapter)]
pub(crate) mod layers;
#[cfg(adapter)]
pub(crate) mod origin;
#[cfg(adapter)]
pub(crate) mod outcome;
#[cfg(adapter)]
mod rejection;
#[cfg(adapter)]
pub(crate) mod response;
mod view;

#[cfg(adapter)]
pub use rejection::SealedRejection;
pub use view::RequestView;
