//! The typed-cookies guide's pages as doc tests: each page of `docs/` is included as the
//! documentation of a private item that exists only under `cfg(doctest)`, so `cargo test -p
//! typed-cookies-guide --doc` (and the README's `scripts/test`) compiles and runs every Rust
//! block in it — the repository's README too. The library itself is empty.

/// Declares one doc-tested page per `name => "file.md"`.
macro_rules! pages {
    ($($name:ident => $file:literal),* $(,)?) => {
        $(
            #[cfg(doctest)]
            #[doc = include_str!($file)]
            struct $name;
        )*
    };
}

pages! {
    Readme => "../README.md",
    Index => "README.md",
    SessionsAndLifetimes => "sessions-and-lifetimes.md",
    Attributes => "attributes.md",
    RuntimeSealers => "runtime-sealers.md",
    KeysAndRotation => "keys-and-rotation.md",
    SecurityProperties => "security-properties.md",
    StolenCookies => "stolen-cookies.md",
    DevelopmentMode => "development-mode.md",
    Frameworks => "frameworks.md",
    Deployment => "deployment.md",
    RedisCluster => "redis-cluster.md",
    NearCache => "near-cache.md",
    Interop => "interop.md",
    Cli => "cli.md",
    MigrateFromRails => "migrate-from-rails.md",
    MigrateFromExpress => "migrate-from-express.md",
    MigrateFromLaravel => "migrate-from-laravel.md",
}
