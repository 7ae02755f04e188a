//! [`Config`]: a cookie policy that passed every check — what [`crate::validate`] produces and
//! [`crate::expand`] writes out, unchanged.

use proc_macro2::Span;

/// A checked `#[cookie(...)]`.
pub struct Config {
    pub name: String,
    /// Where the name was written: the duplicate-cookie error points there.
    pub name_span: Span,
    pub salt: String,
    /// Where the salt was written: the duplicate-salt error points there.
    pub salt_span: Span,
    /// In seconds; `None`: `no_expiry`.
    pub max_age: Option<u32>,
    /// Inactivity timeout in seconds, shorter than `max_age`.
    pub idle: Option<u32>,
    /// Refresh point in seconds, shorter than `idle`.
    pub refresh: Option<u32>,
    pub clear_invalid: bool,
    pub encrypt: bool,
    /// `compress` (with `encrypt`, only through the explicit opt-in).
    pub compress: bool,
    pub postcard: bool,
    pub path: String,
    pub domain: Option<String>,
    pub same_site: SameSite,
    pub secure: bool,
    pub http_only: bool,
    /// `Partitioned` (CHIPS); only with `Secure`.
    pub partitioned: bool,
    /// `flash`: deleted by the refresh middleware once a request has carried it.
    pub flash: bool,
    /// `Priority`; `None`: not written.
    pub priority: Option<Priority>,
    /// Stolen-cookie defences.
    pub defence: Defence,
    /// `replaces = "OldType"`: this type deliberately sets the same cookie (name, path,
    /// domain) as `OldType`, so it writes no duplicate-cookie guard and checks the match instead.
    pub replaces: Option<syn::Path>,
}

/// The `same_site` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    Strict,
    Lax,
    None,
}

/// The `priority` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    Low,
    Medium,
    High,
}

/// The checked stolen-cookie defences (`bind`, `revocable`, `one_time`, `replay`,
/// `if_store_down`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Defence {
    pub bind_user_agent: bool,
    pub bind_ip: bool,
    pub bind_app: bool,
    pub tracking: Tracking,
    /// Replay grace in seconds (implies `Revocable`).
    pub replay: Option<u32>,
    pub fail_open: bool,
}

impl Defence {
    /// No defence declared (no `bind`, `revocable`, `one_time` nor `replay`): the type is
    /// `Stateless`, sealed and opened without a guard.
    pub fn is_stateless(&self) -> bool {
        let Defence {
            bind_user_agent,
            bind_ip,
            bind_app,
            tracking,
            replay,
            // Only valid beside tracking (`validate::defence` refuses it alone).
            fail_open: _,
        } = *self;
        !bind_user_agent && !bind_ip && !bind_app && tracking == Tracking::None && replay.is_none()
    }
}

/// Server-side tracking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tracking {
    #[default]
    None,
    Revocable,
    OneTime,
}
