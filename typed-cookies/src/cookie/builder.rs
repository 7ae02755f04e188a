//! [`ConfigBuilder`]: how the derive's output builds a type's `const` [`CookieConfig`], field
//! by field, after the derive checked every attribute. Reached by generated code through
//! `typed_cookies::__private::ConfigBuilder`; not public API.

use crate::cookie::{Binding, CookieConfig, Lifetime, Priority, SameSite, Tracking};
use crate::wire::{Codec, Format, Mode};

/// Builds the `const CONFIG` of a derived type, field by field, in a `const` context.
#[derive(Debug, Clone, Copy)]
pub struct ConfigBuilder(CookieConfig);

impl ConfigBuilder {
    /// A signed JSON cookie with `Path=/`, `Secure`, `HttpOnly`, `SameSite=Lax`, not
    /// `Partitioned`, no `Priority`, no idle timeout, clearing invalid cookies.
    pub const fn new(name: &'static str, salt: &'static str, lifetime: Lifetime) -> Self {
        Self(CookieConfig {
            name,
            salt,
            lifetime,
            idle: None,
            refresh: None,
            clear_invalid: true,
            flash: false,
            format: Format {
                mode: Mode::Signed,
                codec: Codec::Json,
            },
            compress: false,
            schema: 0,
            path: "/",
            domain: None,
            same_site: SameSite::Lax,
            secure: true,
            http_only: true,
            partitioned: false,
            priority: None,
            binding: Binding::NONE,
            tracking: Tracking::None,
            replay_grace: None,
            fail_open: false,
        })
    }

    /// `encrypt`.
    pub const fn encrypted(mut self) -> Self {
        self.0.format.mode = Mode::Encrypted;
        self
    }

    /// `codec = ".."`, with the type's schema fingerprint (part of the postcard namespace).
    pub const fn codec(mut self, codec: Codec, schema: u64) -> Self {
        self.0.format.codec = codec;
        self.0.schema = schema;
        self
    }

    /// `compress` (the derive has checked that an encrypted type opted in explicitly).
    pub const fn compress(mut self) -> Self {
        self.0.compress = true;
        self
    }

    /// `idle = ".."`, in seconds.
    pub const fn idle(mut self, secs: u32) -> Self {
        self.0.idle = Some(secs);
        self
    }

    /// `refresh = ".."`, in seconds.
    pub const fn refresh(mut self, secs: u32) -> Self {
        self.0.refresh = Some(secs);
        self
    }

    /// `flash`.
    pub const fn flash(mut self, flash: bool) -> Self {
        self.0.flash = flash;
        self
    }

    /// `clear_invalid = bool`.
    pub const fn clear_invalid(mut self, clear: bool) -> Self {
        self.0.clear_invalid = clear;
        self
    }

    /// `path = ".."`.
    pub const fn path(mut self, path: &'static str) -> Self {
        self.0.path = path;
        self
    }

    /// `domain = ".."`.
    pub const fn domain(mut self, domain: &'static str) -> Self {
        self.0.domain = Some(domain);
        self
    }

    /// `same_site = ".."`.
    pub const fn same_site(mut self, same_site: SameSite) -> Self {
        self.0.same_site = same_site;
        self
    }

    /// `secure = bool`.
    pub const fn secure(mut self, secure: bool) -> Self {
        self.0.secure = secure;
        self
    }

    /// `http_only = bool`.
    pub const fn http_only(mut self, http_only: bool) -> Self {
        self.0.http_only = http_only;
        self
    }

    /// `partitioned` (the derive has checked `Secure`).
    pub const fn partitioned(mut self, partitioned: bool) -> Self {
        self.0.partitioned = partitioned;
        self
    }

    /// `priority = ".."`.
    pub const fn priority(mut self, priority: Priority) -> Self {
        self.0.priority = Some(priority);
        self
    }

    /// `bind = ".."`.
    pub const fn bind(mut self, binding: Binding) -> Self {
        self.0.binding = self.0.binding.and(binding);
        self
    }

    /// `revocable` or `one_time`.
    pub const fn tracking(mut self, tracking: Tracking) -> Self {
        self.0.tracking = tracking;
        self
    }

    /// `replay = ".."`, in seconds (implies `revocable`).
    pub const fn replay(mut self, grace_secs: u32) -> Self {
        self.0.tracking = Tracking::Revocable;
        self.0.replay_grace = Some(grace_secs);
        self
    }

    /// `if_store_down = "accept"`.
    pub const fn fail_open(mut self, fail_open: bool) -> Self {
        self.0.fail_open = fail_open;
        self
    }

    /// The finished configuration. Evaluated in the derived type's `const CONFIG`, so a name,
    /// path or domain that could not go into a `Set-Cookie` header stops the build (the derive
    /// checks these first, with better messages; this makes the guarantee hold by
    /// construction, which is what lets the adapters build header values without a fallible
    /// step).
    pub const fn build(self) -> CookieConfig {
        assert!(
            header_safe(self.0.name.as_bytes()) && !self.0.name.is_empty(),
            "cookie name is not a header-safe token"
        );
        assert!(
            header_safe(self.0.path.as_bytes()),
            "cookie path is not header-safe"
        );
        if let Some(domain) = self.0.domain {
            assert!(
                header_safe(domain.as_bytes()),
                "cookie domain is not header-safe"
            );
        }
        self.0
    }
}

/// Visible ASCII without `;` (which would end the attribute): what a `Set-Cookie` name or
/// attribute value may hold.
const fn header_safe(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x21 || b > 0x7e || b == b';' {
            return false;
        }
        i += 1;
    }
    true
}
