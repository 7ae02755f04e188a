//! The framework adapters through the public API, one module each: the plain `http` helpers
//! (`http_adapter.rs`), axum (`axum_adapter.rs`) and actix-web (`actix_adapter.rs`). The two
//! frameworks run the same request scenarios (`adapter_scenarios!`: the three extractor forms
//! against absent, valid, tampered, expired, wrong-salt, wrong-key, duplicated, look-alike and
//! malformed cookies), exact `Set-Cookie` and removal headers, an oversize cookie, the
//! `Cookie:` header split once per request, and the `warn` for an `idle` type read without
//! its `refresh` middleware. `guarded_layer_attacks/` attacks axum's guarded middleware
//! (`GuardedLayer` and `guarded` through `from_fn_with_state`) over real HTTP;
//! `refresh_layer_attacks.rs` attacks its refresh middleware (`RefreshLayer` and `refresh`) and
//! the check of a handler's own `Set-Cookie` the same way; both through `raw_http.rs`.
//! `layer_bodies/` runs both middlewares around what apps put inside and through them (tower
//! services answering tuples, streamed and large request bodies, both on one router,
//! concurrent requests), through `kept_alive.rs`, a connection that sends bodies. These three
//! run their scenarios through every install of the middlewares (`installs.rs`).

#[macro_use]
#[path = "../adapter_scenarios/mod.rs"]
mod adapter_scenarios;
#[path = "../actix_support/mod.rs"]
mod actix_support;

mod actix_adapter;
mod attacks;
mod axum_adapter;
mod guarded_layer_attacks;
mod http_adapter;
mod installs;
mod kept_alive;
mod layer_bodies;
mod raw_http;
mod refresh_layer_attacks;
