//! [`ClientIp`]: where the adapters take the client's address from, for `bind = "ip"`. The
//! default is the TCP peer; a header is only believed when the application says how many
//! proxies of its own add to it — a client-supplied `X-Forwarded-For` is never trusted by
//! default.

use std::net::{IpAddr, SocketAddr};

/// Where the client IP comes from.
///
/// ```
/// use std::net::IpAddr;
/// use typed_cookies::guard::ClientIp;
/// let peer: IpAddr = "10.0.0.2".parse().unwrap();
/// // One proxy of ours appends the address it saw; the client may have sent anything before.
/// let header: &[&[u8]] = &[b"6.6.6.6, 203.0.113.7"];
/// let ip = ClientIp::ForwardedFor { proxies: 1 }.resolve(Some(peer), header.iter().copied());
/// assert_eq!(ip, Some("203.0.113.7".parse().unwrap()));
/// assert_eq!(ClientIp::Peer.resolve(Some(peer), header.iter().copied()), Some(peer));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientIp {
    /// The TCP peer address (axum: serve with `into_make_service_with_connect_info::<SocketAddr>()`;
    /// actix-web: the connection's peer address). Right when clients connect directly.
    #[default]
    Peer,
    /// Behind `proxies` reverse proxies of your own, each appending the address it received
    /// from to `X-Forwarded-For`: the client is the `proxies`-th entry from the right. Entries
    /// further left were written by the client and are ignored.
    ForwardedFor {
        /// How many proxies of yours the request passed (at least 1).
        proxies: usize,
    },
}

impl ClientIp {
    /// The client's address from the `peer` address and the request's `X-Forwarded-For`
    /// header values (in order); `None` when the configured source does not have it (no peer
    /// address, fewer entries than proxies, an entry that is not an address).
    pub fn resolve<'h>(
        self,
        peer: Option<IpAddr>,
        forwarded_for: impl IntoIterator<Item = &'h [u8]>,
    ) -> Option<IpAddr> {
        match self {
            ClientIp::Peer => peer,
            ClientIp::ForwardedFor { proxies } => {
                if proxies == 0 {
                    return None;
                }
                let entries: Vec<&[u8]> = forwarded_for
                    .into_iter()
                    .flat_map(|value| value.split(|&b| b == b','))
                    .collect();
                let entry = entries.len().checked_sub(proxies).map(|i| entries[i])?;
                parse(std::str::from_utf8(entry).ok()?.trim())
            }
        }
    }
}

/// An address as proxies write it: `203.0.113.7`, `2001:db8::1`, `[2001:db8::1]:443`,
/// `203.0.113.7:5000`.
fn parse(text: &str) -> Option<IpAddr> {
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(source: ClientIp, headers: &[&str]) -> Option<IpAddr> {
        source.resolve(
            Some("10.0.0.1".parse().unwrap()),
            headers.iter().map(|h| h.as_bytes()),
        )
    }

    #[test]
    fn forwarded_for_counts_trusted_proxies_from_the_right() {
        let one = ClientIp::ForwardedFor { proxies: 1 };
        let two = ClientIp::ForwardedFor { proxies: 2 };
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        assert_eq!(resolve(one, &["1.1.1.1, 2.2.2.2"]), ip("2.2.2.2"));
        assert_eq!(resolve(two, &["1.1.1.1, 2.2.2.2"]), ip("1.1.1.1"));
        // Split over two header lines, as HTTP allows.
        assert_eq!(
            resolve(two, &["9.9.9.9, 1.1.1.1", "2.2.2.2"]),
            ip("1.1.1.1")
        );
        assert_eq!(resolve(one, &["[2001:db8::1]:443"]), ip("2001:db8::1"));
        assert_eq!(resolve(one, &["203.0.113.7:5000"]), ip("203.0.113.7"));
        assert_eq!(
            resolve(two, &["2.2.2.2"]),
            None,
            "fewer entries than proxies"
        );
        assert_eq!(resolve(one, &[]), None);
        assert_eq!(resolve(one, &["unknown"]), None);
        assert_eq!(
            resolve(ClientIp::ForwardedFor { proxies: 0 }, &["1.1.1.1"]),
            None
        );
        assert_eq!(resolve(ClientIp::Peer, &["1.1.1.1"]), ip("10.0.0.1"));
    }
}
