//! [`CookieConfig`]: everything `#[cookie(...)]` declares about a cookie type — name, salt,
//! lifetime, mode, codec and attributes — as a `const` the derive writes.

use time::Duration;

use crate::cookie::{Binding, Tracking};
use crate::keys::subkeys::Namespace;
use crate::seal::{Freshness, DEFAULT_CLOCK_SKEW};
use crate::wire::Format;

/// How long a sealed value is accepted: its absolute lifetime, counted from the session's
/// creation (resealing carries the creation time over).
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::{Lifetime, SealedCookie};
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-sid", salt = "docs.lifetime.v1", max_age = "2h")]
/// struct Session { user_id: u64 }
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "consent", salt = "docs.lifetime.consent.v1", no_expiry)]
/// struct Consent { analytics: bool }
///
/// assert_eq!(Session::CONFIG.lifetime(), Lifetime::MaxAgeSeconds(7200));
/// assert_eq!(Consent::CONFIG.lifetime(), Lifetime::NoExpiry);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifetime {
    /// Refused this many seconds after the session was created.
    MaxAgeSeconds(u32),
    /// Never expires server-side (`no_expiry`); the cookie is a browser-session cookie.
    NoExpiry,
}

/// The cookie's `SameSite` attribute (`same_site = "strict" | "lax" | "none"`; `none` needs
/// `Secure`, which the derive checks).
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::{Key, KeyRing, SameSite, SealedCookie};
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-sid", salt = "docs.same-site.v1", max_age = "2h", same_site = "strict")]
/// struct Session { user_id: u64 }
///
/// assert_eq!(Session::CONFIG.same_site(), SameSite::Strict);
/// let header = Session { user_id: 1 }.to_set_cookie(&KeyRing::new(Key::generate())).unwrap();
/// assert!(header.contains("SameSite=Strict"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// Sent only on same-site requests.
    Strict,
    /// Sent on same-site requests and top-level cross-site navigations (the default).
    Lax,
    /// Sent everywhere; requires `Secure`.
    None,
}

/// The cookie's `Priority` attribute (`priority = ".."`): which of a site's cookies Chromium
/// evicts last when it must drop some (its per-domain limit). Other browsers ignore it. A type
/// without `priority` writes none (Chromium then treats it as `Medium`).
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::{Priority, SealedCookie};
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-sid", salt = "docs.priority.v1", max_age = "2h", priority = "high")]
/// struct Session { user_id: u64 }
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "theme", salt = "docs.priority.theme", max_age = "7d")]
/// struct Theme { dark: bool }
///
/// assert_eq!(Session::CONFIG.priority(), Some(Priority::High));
/// assert_eq!(Priority::High.as_str(), "High");
/// assert_eq!(Theme::CONFIG.priority(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Priority {
    /// `Priority=Low`: evicted first.
    Low,
    /// `Priority=Medium`: what Chromium assumes when none is written.
    Medium,
    /// `Priority=High`: evicted last.
    High,
}

impl Priority {
    /// The attribute value as written in `Set-Cookie`: `"Low"`, `"Medium"` or `"High"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "Low",
            Priority::Medium => "Medium",
            Priority::High => "High",
        }
    }
}

/// The whole policy of a cookie type, read-only: `#[derive(SealedCookie)]` writes it (after
/// checking it at compile time) as [`SealedCookie::CONFIG`](crate::SealedCookie::CONFIG).
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use typed_cookies::time::Duration;
/// use typed_cookies::{Lifetime, Mode, SameSite, SealedCookie};
///
/// #[derive(Serialize, Deserialize, SealedCookie)]
/// #[cookie(name = "__Host-sid", salt = "shop.session.v1", max_age = "8h", idle = "30m", encrypt, same_site = "strict")]
/// struct Session { user_id: u64 }
///
/// let config = Session::CONFIG;
/// assert_eq!(config.name(), "__Host-sid");
/// assert_eq!(config.lifetime(), Lifetime::MaxAgeSeconds(8 * 3600));
/// assert_eq!(config.idle(), Some(Duration::minutes(30)));
/// assert_eq!(config.refresh_after(), Some(Duration::minutes(15)));
/// assert_eq!(config.format().mode, Mode::Encrypted);
/// assert_eq!((config.path(), config.domain(), config.same_site()), ("/", None, SameSite::Strict));
/// assert!(config.secure() && config.http_only() && config.clears_invalid());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CookieConfig {
    pub(crate) name: &'static str,
    pub(crate) salt: &'static str,
    pub(crate) lifetime: Lifetime,
    /// Idle timeout in seconds.
    pub(crate) idle: Option<u32>,
    /// Refresh point in seconds since the last seal (`None`: half of `idle`).
    pub(crate) refresh: Option<u32>,
    pub(crate) clear_invalid: bool,
    pub(crate) flash: bool,
    pub(crate) format: Format,
    /// `compress`: payloads are deflated when that makes them shorter.
    pub(crate) compress: bool,
    pub(crate) schema: u64,
    pub(crate) path: &'static str,
    pub(crate) domain: Option<&'static str>,
    pub(crate) same_site: SameSite,
    pub(crate) secure: bool,
    pub(crate) http_only: bool,
    pub(crate) partitioned: bool,
    pub(crate) priority: Option<Priority>,
    pub(crate) binding: Binding,
    pub(crate) tracking: Tracking,
    /// Replay detection's grace window in seconds (`replay = ".."`); implies `Revocable`.
    pub(crate) replay_grace: Option<u32>,
    /// `if_store_down = "accept"`.
    pub(crate) fail_open: bool,
}

impl CookieConfig {
    /// The cookie name.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The name the cookie has in [development mode](crate::development)
    /// for loopback requests: [`CookieConfig::name`] without a `__Host-` or `__Secure-`
    /// prefix. Two types whose development names are equal (`__Host-sid` and `sid`) would
    /// share one cookie in development: give them distinct names.
    ///
    /// ```
    /// use serde::{Deserialize, Serialize};
    /// use typed_cookies::SealedCookie;
    ///
    /// #[derive(Serialize, Deserialize, SealedCookie)]
    /// #[cookie(name = "__Host-sid", salt = "docs.dev-name.v1", max_age = "1h")]
    /// struct Session { user_id: u64 }
    ///
    /// assert_eq!(Session::CONFIG.development_name(), "sid");
    /// ```
    pub fn development_name(&self) -> &'static str {
        unprefixed(self.name)
    }

    /// The salt: the namespace this type's values are sealed in.
    pub const fn salt(&self) -> &'static str {
        self.salt
    }

    /// The absolute lifetime, from the session's creation.
    pub const fn lifetime(&self) -> Lifetime {
        self.lifetime
    }

    /// The inactivity timeout (`idle = ".."`), counted from the last seal; `None`: none.
    pub const fn idle(&self) -> Option<Duration> {
        match self.idle {
            Some(secs) => Some(Duration::seconds(secs as i64)),
            None => None,
        }
    }

    /// How long after its last seal a value is due for a refresh (`refresh = ".."`, by
    /// default half of `idle`); `None` without `idle` (then only a fallback key makes a value
    /// due).
    pub const fn refresh_after(&self) -> Option<Duration> {
        match (self.refresh, self.idle) {
            (Some(secs), _) => Some(Duration::seconds(secs as i64)),
            (None, Some(idle)) => Some(Duration::seconds(idle as i64 / 2)),
            (None, None) => None,
        }
    }

    /// Whether this is a flash cookie (`flash`): a one-time message (a notice after a redirect)
    /// that the adapters' refresh middleware deletes in the response to the first request
    /// that carries it, unless that response sets it again.
    ///
    /// ```
    /// use serde::{Deserialize, Serialize};
    /// use typed_cookies::SealedCookie;
    ///
    /// #[derive(Serialize, Deserialize, SealedCookie)]
    /// #[cookie(name = "__Host-flash", salt = "docs.flash.v1", max_age = "5m", flash)]
    /// struct Notice { text: String }
    ///
    /// assert!(Notice::CONFIG.flash());
    /// ```
    pub const fn flash(&self) -> bool {
        self.flash
    }

    /// Whether a cookie that is present but does not open (expired, tampered, sealed for
    /// another purpose, …) is deleted with a removal `Set-Cookie` by the adapters' refresh
    /// layer (`clear_invalid = false` turns it off; default on).
    pub const fn clears_invalid(&self) -> bool {
        self.clear_invalid
    }

    /// Mode and codec.
    pub const fn format(&self) -> Format {
        self.format
    }

    /// Whether the type declares `compress` (or, with `encrypt`,
    /// `compress = "i_understand_compression_leaks_length"`): its payloads are raw-DEFLATE
    /// compressed when that makes them shorter, and compressed values open. A type without it
    /// refuses a compressed value with
    /// [`OpenError::UnexpectedCompression`](crate::OpenError::UnexpectedCompression).
    ///
    /// ```
    /// use serde::{Deserialize, Serialize};
    /// use typed_cookies::SealedCookie;
    ///
    /// #[derive(Serialize, Deserialize, SealedCookie)]
    /// #[cookie(name = "prefs", salt = "docs.compress.v1", max_age = "30d", compress)]
    /// struct Prefs { pinned: Vec<String> }
    ///
    /// assert!(Prefs::CONFIG.compresses());
    /// ```
    pub const fn compresses(&self) -> bool {
        self.compress
    }

    /// The `Path` attribute.
    pub const fn path(&self) -> &'static str {
        self.path
    }

    /// The `Domain` attribute as declared; `Set-Cookie` writes it without one leading dot
    /// (`.Example.com` as `Domain=Example.com`), as the `cookie` crate does and browsers read it.
    pub const fn domain(&self) -> Option<&'static str> {
        self.domain
    }

    /// The `SameSite` attribute.
    pub const fn same_site(&self) -> SameSite {
        self.same_site
    }

    /// Whether `Secure` is set.
    pub const fn secure(&self) -> bool {
        self.secure
    }

    /// Whether `HttpOnly` is set.
    pub const fn http_only(&self) -> bool {
        self.http_only
    }

    /// Whether `Partitioned` (CHIPS) is set: browsers then keep a separate copy of the cookie
    /// per top-level site it is embedded in. Always with `Secure` (the derive refuses it
    /// otherwise). A cookie meant for a cross-site embed also needs `SameSite=None` to be sent
    /// there; the derive does not require it.
    ///
    /// ```
    /// use serde::{Deserialize, Serialize};
    /// use typed_cookies::{SameSite, SealedCookie};
    ///
    /// #[derive(Serialize, Deserialize, SealedCookie)]
    /// #[cookie(name = "__Host-widget", salt = "docs.partitioned.v1", max_age = "1h", partitioned, same_site = "none")]
    /// struct Widget { visitor: u64 }
    ///
    /// assert!(Widget::CONFIG.partitioned() && Widget::CONFIG.secure());
    /// assert_eq!(Widget::CONFIG.same_site(), SameSite::None);
    /// ```
    pub const fn partitioned(&self) -> bool {
        self.partitioned
    }

    /// The `Priority` attribute; `None`: not written.
    pub const fn priority(&self) -> Option<Priority> {
        self.priority
    }

    /// The absolute lifetime as a duration, if the type has one.
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
    /// use serde::{Deserialize, Serialize};
    /// use typed_cookies::SealedCookie;
    ///
    /// #[derive(Serialize, Deserialize, SealedCookie)]
    /// #[cookie(name = "sid", salt = "docs.same.v1", max_age = "1h", domain = "Example.com")]
    /// struct Old { id: u64 }
    ///
    /// #[derive(Serialize, Deserialize, SealedCookie)]
    /// #[cookie(name = "sid", salt = "docs.same.v2", max_age = "1h", domain = "example.com", encrypt, replaces = "Old")]
    /// struct New { id: u64 }
    ///
    /// #[derive(Serialize, Deserialize, SealedCookie)]
    /// #[cookie(name = "sid", salt = "docs.same.admin", max_age = "1h", domain = "example.com", path = "/admin")]
    /// struct Admin { id: u64 }
    ///
    /// assert!(Old::CONFIG.same_browser_cookie(&New::CONFIG));
    /// assert!(!Old::CONFIG.same_browser_cookie(&Admin::CONFIG));
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

    /// What its values are bound to (`bind = ".."`).
    pub const fn binding(&self) -> Binding {
        self.binding
    }

    /// How its values are tracked server-side (`revocable`, `one_time`, `replay`).
    pub const fn tracking(&self) -> Tracking {
        self.tracking
    }

    /// Replay detection's grace window (`replay = ".."`): how long the previous value of a
    /// session still opens after a response replaced it; `None`: no replay detection.
    pub const fn replay_grace(&self) -> Option<Duration> {
        match self.replay_grace {
            Some(secs) => Some(Duration::seconds(secs as i64)),
            None => None,
        }
    }

    /// Whether values are accepted (and the outage logged) when the store cannot answer
    /// (`if_store_down = "accept"`); by default they are refused.
    pub const fn fails_open(&self) -> bool {
        self.fail_open
    }

    /// Whether opening or sealing needs a [`Guard`](crate::guard::Guard): bound or tracked.
    pub const fn guarded(&self) -> bool {
        !self.binding.is_none() || !matches!(self.tracking, Tracking::None)
    }

    pub(crate) fn namespace(&self) -> Namespace<'static> {
        Namespace {
            format: self.format,
            schema: self.schema,
            salt: self.salt,
            one_time: false,
        }
    }

    pub(crate) const fn freshness(&self) -> Freshness {
        Freshness {
            max_age: self.max_age(),
            idle: self.idle(),
            refresh_after: self.refresh_after(),
            clock_skew: DEFAULT_CLOCK_SKEW,
        }
    }
}

/// `name` without a `__Host-` or `__Secure-` prefix (matched in any case, as browsers do); a
/// name that is only the prefix stays as it is.
pub(crate) fn unprefixed(name: &str) -> &str {
    for prefix in ["__Host-", "__Secure-"] {
        if name.len() > prefix.len()
            && name.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
        {
            return &name[prefix.len()..];
        }
    }
    name
}
