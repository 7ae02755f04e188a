//! Where a request came from, as far as development mode cares: its `Host` header and URL
//! authority, whether a proxy forwarded it, its peer address. The adapters fill a
//! [`RequestOrigin`] from their framework's request; [`RequestOrigin::is_local`] decides.

use std::net::IpAddr;

use crate::development::is_loopback_host;
use crate::keys::KeyRing;
use crate::request::RequestView;

/// What the adapters know about a request, for the development-mode decision: its `Host`
/// header and URL authority (HTTP/2 sends the latter only), whether a forwarding header is
/// present, and the peer's address when the framework gives it.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct RequestOrigin<'a> {
    pub(crate) host_header: Option<&'a [u8]>,
    /// More than one `Host` header: never local (which one a proxy routed on is unknown).
    pub(crate) several_hosts: bool,
    pub(crate) authority: Option<&'a str>,
    pub(crate) forwarded: bool,
    pub(crate) peer: Option<IpAddr>,
}

impl RequestOrigin<'_> {
    /// Local: a loopback host (every one given, and one `Host` header at most), no forwarding
    /// header, no non-loopback peer.
    pub(crate) fn is_local(&self) -> bool {
        if self.forwarded || self.several_hosts || self.peer.is_some_and(|peer| !peer.is_loopback())
        {
            return false;
        }
        let header = match self.host_header {
            Some(bytes) => match std::str::from_utf8(bytes) {
                Ok(host) if is_loopback_host(host.trim_matches([' ', '\t'])) => true,
                _ => return false,
            },
            None => false,
        };
        match self.authority {
            Some(authority) => is_loopback_host(authority),
            None => header,
        }
    }
}

/// Request headers (lower-case names) whose presence means a proxy forwarded the request.
pub(crate) const FORWARDING_HEADERS: [&str; 5] = [
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-real-ip",
];

/// The view of one request: strict unless the ring is in development mode (one branch on the
/// hot path, nothing else is looked at); then relaxed when `origin()` is local.
/// `layer_seen()`: whether the `development` middleware ran for this request (`None`: cannot
/// tell); a local request in development mode without it is logged once, at `warn`, since its
/// responses would keep their strict cookies.
pub(crate) fn view_of_request<'a>(
    keys: KeyRing,
    origin: impl FnOnce() -> RequestOrigin<'a>,
    layer_seen: impl FnOnce() -> Option<bool>,
) -> RequestView {
    if !keys.development_mode() {
        return RequestView::strict(keys);
    }
    let local = origin().is_local();
    if local && layer_seen() == Some(false) {
        use std::sync::atomic::{AtomicBool, Ordering};
        static WARNED: AtomicBool = AtomicBool::new(false);
        if !WARNED.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "typed-cookies development mode is on, but the `development` middleware is not \
                 installed: loopback requests read cookies under their development names \
                 while handlers' Set-Cookie headers keep the strict ones; add the \
                 adapter's `development` middleware as the outermost layer"
            );
        }
    }
    RequestView::new(keys, local)
}

#[cfg(test)]
mod tests {
    use std::net::Ipv6Addr;

    use super::*;

    #[test]
    fn origins() {
        let local = RequestOrigin {
            host_header: Some(b"localhost:3000"),
            ..Default::default()
        };
        assert!(local.is_local());
        assert!(!RequestOrigin::default().is_local(), "no host: strict");
        assert!(!RequestOrigin {
            forwarded: true,
            ..local
        }
        .is_local());
        assert!(!RequestOrigin {
            several_hosts: true,
            ..local
        }
        .is_local());
        assert!(!RequestOrigin {
            peer: Some(IpAddr::from([10, 0, 0, 1])),
            ..local
        }
        .is_local());
        assert!(RequestOrigin {
            peer: Some(IpAddr::from(Ipv6Addr::LOCALHOST)),
            ..local
        }
        .is_local());
        assert!(!RequestOrigin {
            authority: Some("example.com"),
            ..local
        }
        .is_local());
        assert!(RequestOrigin {
            authority: Some("[::1]:8080"),
            host_header: None,
            ..local
        }
        .is_local());
        assert!(!RequestOrigin {
            host_header: Some(b"local\xffhost"),
            ..local
        }
        .is_local());
        assert!(!RequestOrigin {
            host_header: Some(b"example.com"),
            authority: Some("localhost"),
            ..local
        }
        .is_local());
    }
}
