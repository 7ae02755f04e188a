//! Development mode: one cookie type for plain-`http` development on your own machine and for
//! production behind TLS.
//!
//! A type declared for production (`name = "__Host-sid"`, `Secure`) keeps its attributes:
//! nothing here changes the derive or its compile-time checks. A [`KeyRing`] turned into
//! development mode with [`KeyRing::with_development_mode`] — explicitly, at run time, and only
//! where [the guard](development_mode_allowed) allows it — relaxes the cookies of *loopback
//! requests only* (`Host` is `localhost`, `*.localhost`, `127.0.0.0/8` or `[::1]`, with an
//! optional port): their `Set-Cookie` loses `Secure`, `Partitioned` and the
//! `__Host-`/`__Secure-` prefix (`SameSite=None`, which browsers refuse without `Secure`,
//! becomes `Lax`), removals likewise, and reading looks for the unprefixed name. Every other
//! request — any non-loopback `Host`, a missing one, one that came through a proxy
//! (`Forwarded`, `X-Forwarded-*`, `X-Real-IP`), or one whose peer address is known and not
//! loopback — gets the type's own, strict cookie, even with development mode on.
//!
//! **Why a client-controlled `Host` is good enough here.** Anyone can send `Host: localhost`.
//! What they get is a relaxed cookie *in the response to their own request*, in their own
//! client; and what they can present under the relaxed name still has to open with the ring's
//! keys (same salt, same expiry, same authentication), so it is no easier to forge than the
//! strict one. The prefix's protection (a sibling subdomain cannot plant a `__Host-` cookie in
//! a victim's browser) stays for real users: their browsers send the production host name,
//! and for that host only the prefixed name is read. A browser only sends a loopback `Host`
//! to its own machine. What this does not protect against is a *proxy* in front of a
//! production server that rewrites `Host` to the upstream's loopback address (nginx's
//! `proxy_pass http://127.0.0.1:3000;` without `proxy_set_header Host $host;` does): every
//! request would look local. The forwarding headers above catch the usual setups, but the real
//! guard is that development mode cannot be turned on by accident in a production build — see
//! [`development_mode_allowed`].
//!
//! This module holds the policy: whether development mode may be on, which hosts are loopback,
//! what a relaxed cookie looks like. Applying it to one request — deciding that a request is
//! local and handing its handlers a relaxed view of the ring — is the request layer's
//! ([`RequestView`](crate::request::RequestView), [`KeyRing::for_host`]).
//!
//! [`KeyRing`]: crate::KeyRing
//! [`KeyRing::for_host`]: crate::KeyRing::for_host
//! [`KeyRing::with_development_mode`]: crate::KeyRing::with_development_mode

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::cookie::{unprefixed, CookieConfig, SameSite};
use crate::keys::KeyRing;

/// The environment variable that allows (`1`) or forbids (`0`) development mode; unset, it is
/// allowed only in builds with `debug_assertions` (`cargo run`, `cargo test`).
pub const DEVELOPMENT_MODE_ENV: &str = "TYPED_COOKIES_DEV";

/// Why [`KeyRing::with_development_mode`] refused.
///
/// ```
/// use typed_cookies::development::DevelopmentModeError;
/// let refused = DevelopmentModeError::ReleaseBuild;
/// assert!(refused.to_string().contains("TYPED_COOKIES_DEV=1"));
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DevelopmentModeError {
    /// A build without `debug_assertions` (`--release`) and `TYPED_COOKIES_DEV` unset.
    #[error(
        "development mode refused: this is a release build (no debug_assertions); \
         set TYPED_COOKIES_DEV=1 to allow it on a development machine"
    )]
    ReleaseBuild,
    /// `TYPED_COOKIES_DEV=0`: forbidden whatever the build.
    #[error("development mode refused: TYPED_COOKIES_DEV=0 forbids it")]
    Forbidden,
    /// `TYPED_COOKIES_DEV` is set to something other than `0` or `1`.
    #[error("development mode refused: TYPED_COOKIES_DEV must be 1 (allow) or 0 (forbid)")]
    BadValue,
}

/// The message, as `Display` writes it: what a `main` returning this error prints.
impl std::fmt::Debug for DevelopmentModeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// Whether development mode may be turned on, by [`DEVELOPMENT_MODE_ENV`]'s value (`None`:
/// unset) and whether this is a debug build: `1` allows it, `0` forbids it, unset allows it
/// only in a debug build, anything else is refused. [`KeyRing::with_development_mode`]
/// applies it to the process environment and `cfg!(debug_assertions)`.
///
/// So a release build refuses development mode unless the machine it runs on says
/// `TYPED_COOKIES_DEV=1`, and `TYPED_COOKIES_DEV=0` in a production environment refuses it
/// even in a debug build that was shipped by mistake.
///
/// ```
/// use typed_cookies::development::{development_mode_allowed, DevelopmentModeError};
/// assert_eq!(development_mode_allowed(None, true), Ok(()));
/// assert_eq!(development_mode_allowed(None, false), Err(DevelopmentModeError::ReleaseBuild));
/// assert_eq!(development_mode_allowed(Some("1"), false), Ok(()));
/// assert_eq!(development_mode_allowed(Some("0"), true), Err(DevelopmentModeError::Forbidden));
/// assert_eq!(development_mode_allowed(Some("yes"), true), Err(DevelopmentModeError::BadValue));
/// ```
pub fn development_mode_allowed(
    env: Option<&str>,
    debug_build: bool,
) -> Result<(), DevelopmentModeError> {
    match env.map(str::trim) {
        Some("1") => Ok(()),
        Some("0") => Err(DevelopmentModeError::Forbidden),
        Some(_) => Err(DevelopmentModeError::BadValue),
        None if debug_build => Ok(()),
        None => Err(DevelopmentModeError::ReleaseBuild),
    }
}

impl KeyRing {
    /// This ring (same keys, cache and clock) in development mode, or why not: see the
    /// [`development`](crate#development-mode) overview. Off by default. When on, the cookies
    /// of *loopback requests only* (`localhost`, `*.localhost`, `127.0.0.0/8`, `[::1]`) are
    /// sent without `Secure`, `Partitioned` and their `__Host-`/`__Secure-` prefix, and read
    /// under the unprefixed name; every other request gets the type's strict cookie. The
    /// framework adapters decide per request (their `development` middleware must be
    /// installed for the responses' `Set-Cookie`s); elsewhere use [`KeyRing::for_host`].
    ///
    /// **Guarded**: refused with a [`DevelopmentModeError`] (never a panic) unless
    /// [`development_mode_allowed`] says yes — `TYPED_COOKIES_DEV=1`, or a build with
    /// `debug_assertions` and `TYPED_COOKIES_DEV` unset. A release build therefore refuses it
    /// unless the machine says `TYPED_COOKIES_DEV=1`, and `TYPED_COOKIES_DEV=0` refuses it
    /// everywhere. Logs at `warn` with `tracing` when turned on.
    ///
    /// ```
    /// use typed_cookies::{Key, KeyRing};
    /// # std::env::remove_var("TYPED_COOKIES_DEV");
    /// let keys = KeyRing::new(Key::generate());
    /// assert!(!keys.development_mode());
    /// // Doc tests are debug builds: allowed here, refused by a release build.
    /// let dev = keys.with_development_mode().unwrap();
    /// assert!(dev.development_mode());
    /// ```
    pub fn with_development_mode(&self) -> Result<Self, DevelopmentModeError> {
        allowed_here()?;
        #[cfg(feature = "tracing")]
        tracing::warn!(
            "typed-cookies development mode is on: cookies of requests to loopback hosts \
             (localhost, 127.0.0.0/8, [::1]) are sent without Secure and without their \
             __Host-/__Secure- prefix; never turn it on in production"
        );
        Ok(self.with_development_switch(true))
    }
}

/// The guard applied to this process: [`DEVELOPMENT_MODE_ENV`] and `debug_assertions` (of the
/// `typed-cookies` crate's build, which follows the profile of the application's).
fn allowed_here() -> Result<(), DevelopmentModeError> {
    let env = std::env::var_os(DEVELOPMENT_MODE_ENV);
    match env {
        None => development_mode_allowed(None, cfg!(debug_assertions)),
        Some(value) => match value.to_str() {
            Some(value) => development_mode_allowed(Some(value), cfg!(debug_assertions)),
            None => Err(DevelopmentModeError::BadValue),
        },
    }
}

/// Whether `host` — a `Host` header or URL authority, with an optional port — names this
/// machine's loopback interface: `localhost` and `*.localhost` (any case; RFC 6761 reserves
/// them, browsers resolve them to loopback themselves), `127.0.0.0/8`, and `[::1]`. Anything
/// else, including an empty or malformed value, a trailing dot, userinfo, or a name that only
/// *resolves* to loopback (`lvh.me`), is not.
///
/// ```
/// use typed_cookies::development::is_loopback_host;
/// for local in ["localhost", "localhost:3000", "LocalHost", "app.localhost:8080", "127.0.0.1",
///               "127.1.2.3:80", "[::1]", "[::1]:3000"] {
///     assert!(is_loopback_host(local), "{local}");
/// }
/// for remote in ["example.com", "localhost.example.com", "127.0.0.1.nip.io", "10.0.0.1",
///                "[::2]", "::1", "localhost:", "localhost:http", "0.0.0.0", "", ".localhost",
///                "user@localhost", "localhost."] {
///     assert!(!is_loopback_host(remote), "{remote}");
/// }
/// ```
pub fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        // `[v6]` or `[v6]:port`
        let Some((inside, after)) = rest.split_once(']') else {
            return false;
        };
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(is_port)) {
            return false;
        }
        return inside.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if is_port(port) => name,
            Some(_) => return false,
            None => host,
        }
    };
    if let Ok(ip) = name.parse::<Ipv4Addr>() {
        return ip.is_loopback();
    }
    let lower = name.to_ascii_lowercase();
    let Some(labels) = lower.strip_suffix("localhost") else {
        return false;
    };
    if labels.is_empty() {
        return true;
    }
    // `*.localhost`: DNS labels before it.
    labels.strip_suffix('.').is_some_and(|labels| {
        !labels.is_empty()
            && labels.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
    })
}

fn is_port(port: &str) -> bool {
    !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit())
}

/// `config` as sent to a loopback request in development mode: the unprefixed name, no
/// `Secure`, no `Partitioned`, `SameSite=None` as `Lax`.
pub(crate) fn relaxed(config: &CookieConfig) -> CookieConfig {
    CookieConfig {
        name: unprefixed(config.name),
        secure: false,
        partitioned: false,
        same_site: match config.same_site {
            SameSite::None => SameSite::Lax,
            other => other,
        },
        ..*config
    }
}

/// A response's `Set-Cookie` header value as sent to a loopback request in development mode,
/// or `None` when it needs no change: what the adapters' `development` middleware applies to
/// every `Set-Cookie` of such a response (the application's own cookies too). The `name=value`
/// pair keeps its value; the name loses a `__Host-`/`__Secure-` prefix; the `Secure` and
/// `Partitioned` attributes go; `SameSite=None` becomes `SameSite=Lax`; other attributes are
/// kept, each written as `; attribute`.
///
/// ```
/// use typed_cookies::development::relax_set_cookie;
/// assert_eq!(
///     relax_set_cookie("__Host-sid=v; HttpOnly; SameSite=None; Partitioned; Secure; Path=/; Max-Age=60").as_deref(),
///     Some("sid=v; HttpOnly; SameSite=Lax; Path=/; Max-Age=60"),
/// );
/// assert_eq!(relax_set_cookie("theme=dark; Path=/"), None);
/// ```
pub fn relax_set_cookie(header: &str) -> Option<String> {
    let mut pieces = header.split(';');
    let pair = pieces.next()?;
    let (name, value) = pair.split_once('=')?;
    let name = name.trim_matches([' ', '\t']);
    let dev_name = unprefixed(name);
    let mut changed = dev_name.len() != name.len();
    let mut out = String::with_capacity(header.len());
    out.push_str(dev_name);
    out.push('=');
    out.push_str(value.trim_matches([' ', '\t']));
    for attribute in pieces {
        let attribute = attribute.trim_matches([' ', '\t']);
        let key = attribute.split('=').next().unwrap_or_default().trim();
        if key.eq_ignore_ascii_case("secure") || key.eq_ignore_ascii_case("partitioned") {
            changed = true;
            continue;
        }
        if key.eq_ignore_ascii_case("samesite")
            && attribute
                .split_once('=')
                .is_some_and(|(_, v)| v.trim().eq_ignore_ascii_case("none"))
        {
            changed = true;
            out.push_str("; SameSite=Lax");
            continue;
        }
        if attribute.is_empty() {
            continue;
        }
        out.push_str("; ");
        out.push_str(attribute);
    }
    changed.then_some(out)
}

/// Logs at `warn`, once per cookie name and process, that `name` is sent relaxed as
/// `dev_name` (`host`: the request's, when known).
pub(crate) fn warn_once(name: &str, dev_name: &str, host: Option<&str>) {
    #[cfg(feature = "tracing")]
    {
        use std::collections::HashSet;
        use std::sync::{Mutex, OnceLock};
        static WARNED: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
        let first = WARNED
            .get_or_init(Default::default)
            .lock()
            .map(|mut warned| warned.insert(name.to_owned()))
            .unwrap_or(false);
        if first {
            let to = match host {
                Some(host) => format!("http://{host}"),
                None => "loopback hosts".to_owned(),
            };
            tracing::warn!(
                cookie = name,
                sent_as = dev_name,
                "development mode: cookie `{name}` is sent as `{dev_name}` without Secure to \
                 {to} (loopback requests only; every other host still gets `{name}`)"
            );
        }
    }
    let _ = (name, dev_name, host);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(unprefixed("__Host-sid"), "sid");
        assert_eq!(unprefixed("__secure-sid"), "sid");
        assert_eq!(unprefixed("sid"), "sid");
        assert_eq!(unprefixed("__Host"), "__Host");
        assert_eq!(unprefixed("__Host-"), "__Host-");
        assert_eq!(unprefixed("\u{2000}__Host-sid"), "\u{2000}__Host-sid");
    }

    #[test]
    fn relaxing_headers() {
        assert_eq!(
            relax_set_cookie("__Secure-a=1;Secure;Domain=x.test").as_deref(),
            Some("a=1; Domain=x.test")
        );
        assert_eq!(relax_set_cookie("c=1; Secure").as_deref(), Some("c=1"));
        assert_eq!(relax_set_cookie("garbage"), None);
        assert_eq!(relax_set_cookie(""), None);
        assert_eq!(relax_set_cookie("a=1; SameSite=Strict"), None);
        assert_eq!(
            relax_set_cookie("__host-x=\u{e9}; secure; samesite=none").as_deref(),
            Some("x=\u{e9}; SameSite=Lax")
        );
    }
}
