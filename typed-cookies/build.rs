//! The request layer's two gates, named once: a framework adapter is `adapter` (the request
//! layer's view, cookie split and outcomes are compiled), and one with middlewares is also
//! `middleware_adapter` (the layer markers, the rejection's log line). A new framework adds
//! its feature to the lists below and nowhere else (ARCHITECTURE.md, "Where to add").

/// Features whose adapters use the request layer.
const ADAPTERS: &[&str] = &["HTTP", "ACTIX_WEB"];
/// Features whose adapters have middlewares (extractors that find what a middleware left).
const MIDDLEWARE_ADAPTERS: &[&str] = &["AXUM", "ACTIX_WEB"];

fn main() {
    println!("cargo::rustc-check-cfg=cfg(adapter)");
    println!("cargo::rustc-check-cfg=cfg(middleware_adapter)");
    let on = |features: &[&str]| {
        features
            .iter()
            .any(|feature| std::env::var_os(format!("CARGO_FEATURE_{feature}")).is_some())
    };
    if on(ADAPTERS) {
        println!("cargo::rustc-cfg=adapter");
    }
    if on(MIDDLEWARE_ADAPTERS) {
        println!("cargo::rustc-cfg=middleware_adapter");
    }
    println!("cargo::rerun-if-changed=build.rs");
}
