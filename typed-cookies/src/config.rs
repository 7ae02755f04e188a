//! [`CookieConfig`]: everything `#[cookie(...)]` declares about a cookie type — name, salt,
//! lifetime, mode, codec and attributes — as a `const` the derive writes.

use time::Duration;

use crate::codec::Codec;
use crate::seal::format::{Format, Mode};
use crate::seal::subkey::Namespace;
use crate::seal::{Freshness, DEFAULT_CLOCK_SKEW};

/// How long a sealed value is accepted after it was sealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifetime {
    /// Refused this many seconds after sealing; also the cookie's `Max-Age`.
    MaxAgeSeconds(u32),
    /// Never expires server-side (`no_expiry`); the cookie is a browser-session cookie.
    NoExpiry,
}

/// The cookie's `SameSite` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// Sent only on same-site requests.
    Strict,
    /// Sent on same-site requests and top-level cross-site navigations (the default).
    Lax,
    /// Sent everywhere; requires `Secure`.
    None,
}

/// The whole policy of a cookie type. Written by `#[derive(SealedCookie)]`, which validates it
/// at compile time; building one by hand skips those checks.
///
/// ```
/// use typed_cookies::{CookieConfig, Lifetime, SameSite};
/// const CONFIG: CookieConfig = CookieConfig::new("__Host-sid", "shop.session.v1", Lifetime::MaxAgeSeconds(7200))
///     .encrypted()
///     .same_site(SameSite::Strict);
/// assert_eq!(CONFIG.name(), "__Host-sid");
/// assert!(CONFIG.is_secure() && CONFIG.is_http_only());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CookieConfig {
    name: &'static str,
    salt: &'static str,
    lifetime: Lifetime,
    format: Format,
    schema: u64,
    path: &'static str,
    domain: Option<&'static str>,
    same_site: SameSite,
    secure: bool,
    http_only: bool,
}

impl CookieConfig {
    /// A signed, JSON-encoded cookie with `Path=/`, `Secure`, `HttpOnly` and `SameSite=Lax`.
    pub const fn new(name: &'static str, salt: &'static str, lifetime: Lifetime) -> Self {
        Self {
            name,
            salt,
            lifetime,
            format: Format {
                mode: Mode::Signed,
                codec: Codec::Json,
            },
            schema: 0,
            path: "/",
            domain: None,
            same_site: SameSite::Lax,
            secure: true,
            http_only: true,
        }
    }

    /// Encrypt instead of sign.
    pub const fn encrypted(mut self) -> Self {
        self.format.mode = Mode::Encrypted;
        self
    }

    /// Encode the payload with `codec`; `schema` is the fingerprint of the type's fields, part
    /// of the namespace for [`Codec::Postcard`].
    pub const fn codec(mut self, codec: Codec, schema: u64) -> Self {
        self.format.codec = codec;
        self.schema = schema;
        self
    }

    /// The `Path` attribute (default `/`).
    pub const fn path(mut self, path: &'static str) -> Self {
        self.path = path;
        self
    }

    /// The `Domain` attribute (default none: host-only).
    pub const fn domain(mut self, domain: &'static str) -> Self {
        self.domain = Some(domain);
        self
    }

    /// The `SameSite` attribute (default `Lax`).
    pub const fn same_site(mut self, same_site: SameSite) -> Self {
        self.same_site = same_site;
        self
    }

    /// The `Secure` attribute (default on).
    pub const fn secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// The `HttpOnly` attribute (default on).
    pub const fn http_only(mut self, http_only: bool) -> Self {
        self.http_only = http_only;
        self
    }

    /// The cookie name.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The salt: the namespace this type's values are sealed in.
    pub const fn salt(&self) -> &'static str {
        self.salt
    }

    /// How long values are accepted.
    pub const fn lifetime(&self) -> Lifetime {
        self.lifetime
    }

    /// Mode and codec.
    pub const fn format(&self) -> Format {
        self.format
    }

    /// The `Path` attribute.
    pub const fn path_attr(&self) -> &'static str {
        self.path
    }

    /// The `Domain` attribute.
    pub const fn domain_attr(&self) -> Option<&'static str> {
        self.domain
    }

    /// The `SameSite` attribute.
    pub const fn same_site_attr(&self) -> SameSite {
        self.same_site
    }

    /// Whether `Secure` is set.
    pub const fn is_secure(&self) -> bool {
        self.secure
    }

    /// Whether `HttpOnly` is set.
    pub const fn is_http_only(&self) -> bool {
        self.http_only
    }

    /// The max age, if the type has one.
    pub const fn max_age(&self) -> Option<Duration> {
        match self.lifetime {
            Lifetime::MaxAgeSeconds(secs) => Some(Duration::seconds(secs as i64)),
            Lifetime::NoExpiry => None,
        }
    }

    /// Whether a browser would store this cookie and `other` as one: the same name (compared
    /// byte for byte, as browsers do), `Path` and `Domain` (case-insensitive, a leading dot
    /// ignored; a host-only cookie without `Domain` is distinct from one with it). Two such
    /// types overwrite each other's cookie; the derive refuses them in one crate unless one says
    /// `replaces = "OtherType"`, and then checks this at compile time.
    ///
    /// ```
    /// use typed_cookies::{CookieConfig, Lifetime};
    /// const OLD: CookieConfig = CookieConfig::new("sid", "shop.session.v1", Lifetime::MaxAgeSeconds(60)).domain("Example.com");
    /// const NEW: CookieConfig = CookieConfig::new("sid", "shop.session.v2", Lifetime::NoExpiry).encrypted().domain(".example.com");
    /// assert!(OLD.same_browser_cookie(&NEW));
    /// assert!(!OLD.same_browser_cookie(&NEW.path("/admin")));
    /// assert!(!OLD.same_browser_cookie(&CookieConfig::new("SID", "x", Lifetime::NoExpiry).domain("example.com")));
    /// assert!(!OLD.same_browser_cookie(&CookieConfig::new("sid", "x", Lifetime::NoExpiry)));
    /// ```
    pub const fn same_browser_cookie(&self, other: &CookieConfig) -> bool {
        /// Byte equality, optionally ASCII case-insensitive, usable in a `const`.
        const fn eq(a: &[u8], b: &[u8], fold: bool) -> bool {
            if a.len() != b.len() {
                return false;
            }
            let mut i = 0;
            while i < a.len() {
                let (x, y) = if fold {
                    (a[i].to_ascii_lowercase(), b[i].to_ascii_lowercase())
                } else {
                    (a[i], b[i])
                };
                if x != y {
                    return false;
                }
                i += 1;
            }
            true
        }
        const fn without_dot(domain: &[u8]) -> &[u8] {
            match domain {
                [b'.', rest @ ..] => rest,
                all => all,
            }
        }
        let domains = match (self.domain, other.domain) {
            (None, None) => true,
            (Some(a), Some(b)) => eq(without_dot(a.as_bytes()), without_dot(b.as_bytes()), true),
            _ => false,
        };
        domains
            && eq(self.name.as_bytes(), other.name.as_bytes(), false)
            && eq(self.path.as_bytes(), other.path.as_bytes(), false)
    }

    pub(crate) fn namespace(&self) -> Namespace<'static> {
        Namespace {
            format: self.format,
            schema: self.schema,
            salt: self.salt,
        }
    }

    pub(crate) fn freshness(&self) -> Freshness {
        Freshness {
            max_age: self.max_age(),
            clock_skew: DEFAULT_CLOCK_SKEW,
        }
    }
}
