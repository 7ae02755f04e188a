//! [`ClientIp`]: where the adapters take the client's address from, for `bind = "ip"`. The
//! default is the TCP peer; a header is only believed when the application says how many
//! proxies of its own add to it — a client-supplied `X-Forwarded-For` is never trusted by
//! default — and, unless it says otherwise, only from a peer with a private address (a
//! client reaching the application directly cannot choose its address).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

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
/// // A client that reached the application directly (a public peer) chose that header.
/// let direct: IpAddr = "198.51.100.9".parse().unwrap();
/// assert_eq!(ClientIp::ForwardedFor { proxies: 1 }.resolve(Some(direct), header.iter().copied()), None);
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
    ///
    /// Believed only when the TCP peer (the nearest proxy) has a private address: loopback,
    /// `10/8`, `172.16/12`, `192.168/16`, `100.64/10`, `169.254/16`, `fc00::/7`, `fe80::/10`
    /// (IPv4-mapped too). From any other peer — a client that reached the application
    /// without the proxy — or with no peer address at all (axum: serve with
    /// `into_make_service_with_connect_info::<SocketAddr>()`), the request has no client
    /// address: a type bound to it answers a logged 500. Proxies with public addresses (a CDN
    /// in front of the origin): [`ClientIp::ForwardedForFromAnyPeer`].
    ForwardedFor {
        /// How many proxies of yours the request passed (at least 1).
        proxies: usize,
    },
    /// [`ClientIp::ForwardedFor`] from any peer, private or not: for proxies with public
    /// addresses (a CDN), and only when nothing but them can reach the application (a
    /// firewall that admits their addresses alone). Otherwise a client connecting directly
    /// writes the address it wants bound, a stolen cookie's victim's included.
    ForwardedForFromAnyPeer {
        /// How many proxies of yours the request passed (at least 1).
        proxies: usize,
    },
}

impl ClientIp {
    /// The client's address from the `peer` address and the request's `X-Forwarded-For`
    /// header values (in order); `None` when the configured source does not have it (no peer
    /// address, a peer that is not private for [`ClientIp::ForwardedFor`], fewer entries than
    /// proxies, an entry that is not an address).
    pub fn resolve<'h>(
        self,
        peer: Option<IpAddr>,
        forwarded_for: impl IntoIterator<Item = &'h [u8]>,
    ) -> Option<IpAddr> {
        match self {
            ClientIp::Peer => peer,
            ClientIp::ForwardedFor { proxies } if peer.is_some_and(is_private) => {
                ClientIp::ForwardedForFromAnyPeer { proxies }.resolve(peer, forwarded_for)
            }
            ClientIp::ForwardedFor { .. } => None,
            ClientIp::ForwardedForFromAnyPeer { proxies } => {
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

/// Whether a peer's address is one a proxy of ours has and the internet cannot give itself:
/// loopback, private, shared (carrier-grade NAT), link-local, unique-local (IPv4-mapped too).
fn is_private(ip: IpAddr) -> bool {
    let v4 = |ip: Ipv4Addr| {
        let [a, b, ..] = ip.octets();
        ip.is_loopback() || ip.is_private() || ip.is_link_local() || (a == 100 && b & 0xc0 == 64)
    };
    let v6 = |ip: Ipv6Addr| {
        let first = ip.segments()[0];
        ip.is_loopback() || first & 0xfe00 == 0xfc00 || first & 0xffc0 == 0xfe80
    };
    match ip {
        IpAddr::V4(ip) => v4(ip),
        IpAddr::V6(ip) => ip.to_ipv4_mapped().map_or_else(|| v6(ip), v4),
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

    #[test]
    fn forwarded_for_is_believed_from_private_peers_only() {
        let one = ClientIp::ForwardedFor { proxies: 1 };
        let any = ClientIp::ForwardedForFromAnyPeer { proxies: 1 };
        let header: &[&[u8]] = &[b"6.6.6.6, 203.0.113.7"];
        let client = Some("203.0.113.7".parse::<IpAddr>().unwrap());
        let from = |source: ClientIp, peer: &str| {
            source.resolve(peer.parse().ok(), header.iter().copied())
        };
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.255",
            "169.254.0.1",
            "::1",
            "fd00::1",
            "fc00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert_eq!(from(one, private), client, "{private}");
        }
        for public in [
            "203.0.113.9",
            "172.32.0.1",
            "100.128.0.1",
            "8.8.8.8",
            "2001:db8::1",
            "::ffff:8.8.8.8",
            "fec0::1",
        ] {
            assert_eq!(from(one, public), None, "{public}");
            assert_eq!(from(any, public), client, "{public}");
        }
        // No peer address (axum without ConnectInfo): nothing to vouch for the header.
        assert_eq!(from(one, "not an address"), None);
        assert_eq!(from(any, "not an address"), client);
        assert_eq!(
            from(ClientIp::ForwardedForFromAnyPeer { proxies: 0 }, "10.0.0.1"),
            None
        );
    }
}
