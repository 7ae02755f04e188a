//! [`ClientContext`]: the parts of a request a bound type's values are tied to, and the digest
//! of the parts a [`Binding`] selects — authenticated beside the value, never stored in it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use sha2::{Digest as _, Sha256};

use crate::cookie::Binding;
use crate::seal::BINDING_LEN;

/// What the request looks like, for client binding: its `User-Agent`, the client's IP (from a
/// source the application trusts) and any bytes the application adds. The adapters fill it in
/// from the request (the app bytes from the request's [`AppBinding`](super::AppBinding)); a
/// type's `bind = ".."` picks the parts its values are tied to.
///
/// ```
/// use std::net::IpAddr;
/// use typed_cookies::guard::ClientContext;
/// let ctx = ClientContext::new()
///     .user_agent("Mozilla/5.0")
///     .ip("203.0.113.7".parse::<IpAddr>().unwrap());
/// assert_eq!(ctx.ip_prefix(), Some("203.0.113.0/24".to_string()));
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ClientContext {
    user_agent: Option<Box<[u8]>>,
    ip: Option<IpAddr>,
    app: Option<Box<[u8]>>,
}

/// Only which parts are present: a user agent and an address are personal data.
impl std::fmt::Debug for ClientContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientContext")
            .field("user_agent", &self.user_agent.is_some())
            .field("ip", &self.ip.is_some())
            .field("app", &self.app.is_some())
            .finish()
    }
}

impl ClientContext {
    /// An empty context (every part absent).
    pub fn new() -> Self {
        Self::default()
    }

    /// The `User-Agent` header's bytes.
    pub fn user_agent(mut self, user_agent: impl AsRef<[u8]>) -> Self {
        self.user_agent = Some(user_agent.as_ref().into());
        self
    }

    /// The client's address; only its prefix is bound (/24 for IPv4, /64 for IPv6; an IPv6
    /// address that carries an IPv4 client — IPv4-mapped, SIIT-translated, IPv4-compatible,
    /// NAT64's well-known prefix, Teredo — counts as that IPv4 address, and one of NAT64's
    /// local-use prefix is bound whole; see [`ClientContext::ip_prefix`]).
    pub fn ip(mut self, ip: IpAddr) -> Self {
        self.ip = Some(ip);
        self
    }

    /// Application-supplied binding bytes (a TLS channel id, a device id, a tenant). Through
    /// the adapters, insert an [`AppBinding`](super::AppBinding) into the request's extensions
    /// instead.
    pub fn app(mut self, bytes: impl AsRef<[u8]>) -> Self {
        self.app = Some(bytes.as_ref().into());
        self
    }

    /// Whether an IP is set (the adapters refuse to bind to an address they could not find).
    pub fn has_ip(&self) -> bool {
        self.ip.is_some()
    }

    /// The bound prefix of the IP, as text (`203.0.113.0/24`, `2001:db8:1:2::/64`). An IPv4
    /// client seen through IPv6 is bound by its IPv4 /24, not by the /64 it shares with every
    /// other client of the same translator or relay: IPv4-mapped (`::ffff:a.b.c.d`), SIIT's
    /// IPv4-translated (`::ffff:0:a.b.c.d`), IPv4-compatible (`::a.b.c.d`, deprecated; `::`
    /// and `::1` stay themselves), NAT64's well-known prefix (`64:ff9b::a.b.c.d`) and Teredo
    /// (`2001:0::/32`, the client's public IPv4 address obfuscated in the last 32 bits). A
    /// 6to4 address (`2002:V4ADDR::/48`) stays bound by its /64, which already holds the
    /// site's whole IPv4 address.
    ///
    /// NAT64's local-use prefix (`64:ff9b:1::/48`, RFC 8215) is bound by the **whole address**
    /// (`/128`): where the IPv4 client sits in it is the network's choice, and the /64 holds
    /// at most 16 bits of it (none in the common /96 layout), so a /64 would be shared by the
    /// translator's IPv4 clients. Such a client's binding does not carry over to its native
    /// IPv4 address or the well-known prefix.
    ///
    /// **Known limitation:** a NAT64 prefix of the operator's own (any /32–/96 of their space,
    /// RFC 6052) cannot be told from native IPv6: its clients are bound by the /64 of that
    /// prefix's layout, which every IPv4 client of the translator (or every one of a range)
    /// shares. Recognising it would need a setting naming the prefix, which does not exist;
    /// behind such a translator, bind by `user_agent` or `app` bytes too.
    ///
    /// ```
    /// use std::net::IpAddr;
    /// use typed_cookies::guard::ClientContext;
    /// let prefix = |ip: &str| ClientContext::new().ip(ip.parse::<IpAddr>().unwrap()).ip_prefix();
    /// assert_eq!(prefix("64:ff9b::198.51.100.7").as_deref(), Some("198.51.100.0/24"));
    /// // Teredo: relay 65.54.227.120, client 192.0.2.45 (port 40000), obfuscated.
    /// assert_eq!(prefix("2001:0:4136:e378:8000:63bf:3fff:fdd2").as_deref(), Some("192.0.2.0/24"));
    /// assert_eq!(prefix("::198.51.100.7").as_deref(), Some("198.51.100.0/24"));
    /// assert_eq!(prefix("::1").as_deref(), Some("::/64"));
    /// assert_eq!(prefix("::ffff:0:198.51.100.7").as_deref(), Some("198.51.100.0/24"));
    /// assert_eq!(
    ///     prefix("64:ff9b:1::198.51.100.7").as_deref(),
    ///     Some("64:ff9b:1::c633:6407/128")
    /// );
    /// ```
    pub fn ip_prefix(&self) -> Option<String> {
        self.ip.map(|ip| match prefix(ip) {
            Prefix::V4(p) => format!("{}.{}.{}.0/24", p[0], p[1], p[2]),
            Prefix::V6(p) => {
                let mut octets = [0u8; 16];
                octets[..8].copy_from_slice(&p);
                format!("{}/64", Ipv6Addr::from(octets))
            }
            Prefix::V6Whole(octets) => format!("{}/128", Ipv6Addr::from(octets)),
        })
    }

    /// The first part `binding` selects that this context lacks and that a request always has
    /// (`"ip"`, `"app"`; `None` when complete). Empty app bytes count as missing: a value
    /// bound to them would open for anyone who sends none. A missing user agent is not
    /// reported: a request without `User-Agent` is bound as having none, as the adapters see it.
    pub(crate) fn missing_part(&self, binding: Binding) -> Option<&'static str> {
        if binding.ip() && self.ip.is_none() {
            Some("ip")
        } else if binding.app() && self.app.as_deref().is_none_or(<[u8]>::is_empty) {
            Some("app")
        } else {
            None
        }
    }

    /// The digest of the parts `binding` selects (`None` when it selects none). Each part is
    /// written as a tag, a presence byte and, when present, a length and its bytes, so no two
    /// contexts share an encoding; an absent part is bound as absent.
    pub(crate) fn digest(&self, binding: Binding) -> Option<[u8; BINDING_LEN]> {
        if binding.is_none() {
            return None;
        }
        let mut hash = Sha256::new();
        hash.update(b"typed-cookies client binding v1\0");
        let mut part = |tag: u8, bytes: Option<&[u8]>| {
            hash.update([tag]);
            match bytes {
                None => hash.update([0]),
                Some(bytes) => {
                    hash.update([1]);
                    hash.update((bytes.len() as u64).to_be_bytes());
                    hash.update(bytes);
                }
            }
        };
        if binding.user_agent() {
            part(b'u', self.user_agent.as_deref());
        }
        if binding.ip() {
            let prefix = self.ip.map(prefix);
            let bytes = prefix.as_ref().map(|p| match p {
                Prefix::V4(p) => &p[..],
                Prefix::V6(p) => &p[..],
                Prefix::V6Whole(p) => &p[..],
            });
            // A /128 is tagged `6` as a /64 is: its length (16 bytes, not 8) sets it apart.
            part(
                if matches!(prefix, Some(Prefix::V6(_) | Prefix::V6Whole(_))) {
                    b'6'
                } else {
                    b'4'
                },
                bytes,
            );
        }
        if binding.app() {
            part(b'a', self.app.as_deref());
        }
        Some(hash.finalize().into())
    }
}

/// What of an address is bound.
enum Prefix {
    /// An IPv4 /24 (an IPv4 client, natively or through one of [`embedded_ipv4`]'s mappings).
    V4([u8; 3]),
    /// An IPv6 /64.
    V6([u8; 8]),
    /// A whole IPv6 address: NAT64's local-use prefix (see [`is_local_use_nat64`]).
    V6Whole([u8; 16]),
}

fn prefix(ip: IpAddr) -> Prefix {
    let ip = match ip {
        IpAddr::V6(v6) => embedded_ipv4(v6).map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            Prefix::V4([o[0], o[1], o[2]])
        }
        IpAddr::V6(v6) if is_local_use_nat64(v6) => Prefix::V6Whole(v6.octets()),
        IpAddr::V6(v6) => {
            let mut p = [0u8; 8];
            p.copy_from_slice(&v6.octets()[..8]);
            Prefix::V6(p)
        }
    }
}

/// NAT64's local-use prefix, `64:ff9b:1::/48` (RFC 8215): the network places the IPv4 client
/// somewhere under it (any RFC 6052 layout, from a /48 to a /96), so no fixed bits can be read
/// as the client, and its /64 holds at most the client's first 16 bits (none with the common
/// /96). Bound whole: each client of the translator by its own address.
fn is_local_use_nat64(v6: Ipv6Addr) -> bool {
    matches!(v6.segments(), [0x64, 0xff9b, 1, ..])
}

/// The IPv4 client an IPv6 address stands for, bound as IPv4 because every such client of
/// one translator or relay shares one /64:
/// - IPv4-mapped, `::ffff:a.b.c.d` (RFC 4291);
/// - SIIT's IPv4-translated, `::ffff:0:a.b.c.d` (RFC 2765; every IPv4 client of such a
///   translator, and `::1` and `::`, would otherwise share `::/64`);
/// - IPv4-compatible, `::a.b.c.d` (RFC 4291, deprecated), but not `::` or `::1`
///   (`0.0.0.0`, `0.0.0.1`), which are the unspecified and loopback addresses themselves;
/// - NAT64's well-known prefix, `64:ff9b::a.b.c.d` (RFC 6052; not the local-use
///   `64:ff9b:1::/48`, whose layout the network chooses: bound whole, see [`prefix`]);
/// - Teredo, `2001:0::/32` (RFC 4380): the client's public IPv4 address, XORed with all ones,
///   in the last 32 bits (the relay's address and the client's port come before it).
///
/// 6to4 (`2002:V4ADDR:SUBNET::/64`, RFC 3056) is not here: its /64 holds the site's whole
/// IPv4 address (and a subnet), so it is already narrower than that address's /24.
fn embedded_ipv4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let [.., a, b, c, d] = v6.octets();
    let last = u32::from_be_bytes([a, b, c, d]);
    match v6.segments() {
        [0, 0, 0, 0, 0, 0xffff, ..] => Some(Ipv4Addr::from(last)),
        [0, 0, 0, 0, 0xffff, 0, ..] => Some(Ipv4Addr::from(last)),
        [0, 0, 0, 0, 0, 0, ..] if last > 1 => Some(Ipv4Addr::from(last)),
        [0x64, 0xff9b, 0, 0, 0, 0, ..] => Some(Ipv4Addr::from(last)),
        [0x2001, 0, ..] => Some(Ipv4Addr::from(!last)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FORMAT.md's binding digest of a user agent (the engine's vectors seal under it).
    #[test]
    fn the_user_agent_digest_is_format_mds() {
        let ua = b"Firefox";
        let mut hash = Sha256::new();
        hash.update(b"typed-cookies client binding v1\0");
        hash.update(b"u");
        hash.update([1]);
        hash.update((ua.len() as u64).to_be_bytes());
        hash.update(ua);
        let expected: [u8; 32] = hash.finalize().into();
        let digest = ClientContext::new()
            .user_agent("Firefox")
            .digest(Binding::USER_AGENT);
        assert_eq!(digest, Some(expected));
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_digest_sees_exactly_the_selected_parts() {
        let ua = Binding::USER_AGENT;
        let net = Binding::IP;
        let a = ClientContext::new().user_agent("A").ip(ip("198.51.100.1"));
        let same_net = ClientContext::new()
            .user_agent("A")
            .ip(ip("198.51.100.254"));
        let other_net = ClientContext::new().user_agent("A").ip(ip("198.51.101.1"));
        let other_ua = ClientContext::new().user_agent("B").ip(ip("198.51.100.1"));
        assert_eq!(a.digest(Binding::NONE), None);
        assert_eq!(a.digest(net), same_net.digest(net), "same /24");
        assert_ne!(a.digest(net), other_net.digest(net));
        assert_eq!(
            a.digest(net),
            other_ua.digest(net),
            "user agent not selected"
        );
        assert_ne!(a.digest(ua), other_ua.digest(ua));
        assert_ne!(a.digest(ua), a.digest(ua.and(net)));
        // Absent is not the empty string.
        assert_ne!(
            ClientContext::new().digest(ua),
            ClientContext::new().user_agent("").digest(ua)
        );
        assert_ne!(
            ClientContext::new().app("x").digest(Binding::APP),
            ClientContext::new().app("y").digest(Binding::APP)
        );
    }

    #[test]
    fn missing_parts_are_ip_and_app_never_the_user_agent() {
        let v4 = ip("198.51.100.1");
        assert_eq!(ClientContext::new().missing_part(Binding::NONE), None);
        assert_eq!(ClientContext::new().missing_part(Binding::USER_AGENT), None);
        assert_eq!(
            ClientContext::new()
                .user_agent("A")
                .missing_part(Binding::IP),
            Some("ip")
        );
        assert_eq!(ClientContext::new().ip(v4).missing_part(Binding::IP), None);
        assert_eq!(
            ClientContext::new()
                .ip(v4)
                .missing_part(Binding::IP.and(Binding::APP)),
            Some("app")
        );
        assert_eq!(
            ClientContext::new()
                .ip(v4)
                .app("d")
                .missing_part(Binding::IP.and(Binding::APP)),
            None
        );
        // Empty bytes bind nothing: whoever sends none would match them.
        assert_eq!(
            ClientContext::new().app("").missing_part(Binding::APP),
            Some("app")
        );
    }

    #[test]
    fn ipv6_binds_its_64_and_ipv4_clients_seen_through_it_their_24() {
        let net = Binding::IP;
        let v6 = |s: &str| ClientContext::new().ip(ip(s)).digest(net);
        assert_eq!(v6("2001:db8:1:2::1"), v6("2001:db8:1:2:ffff::9"));
        assert_ne!(v6("2001:db8:1:2::1"), v6("2001:db8:1:3::1"));
        assert_eq!(v6("::ffff:198.51.100.7"), v6("198.51.100.9"));
        // NAT64's well-known prefix: each IPv4 client by its own /24, not the prefix's /64.
        assert_eq!(v6("64:ff9b::198.51.100.7"), v6("198.51.100.9"));
        assert_ne!(v6("64:ff9b::198.51.100.7"), v6("64:ff9b::203.0.113.7"));
        assert_ne!(
            v6("64:ff9b:1::198.51.100.7"),
            v6("198.51.100.7"),
            "only the /96"
        );
        // NAT64's local-use /48: each address bound whole, whatever the layout under it.
        assert_ne!(v6("64:ff9b:1::198.51.100.7"), v6("64:ff9b:1::198.51.100.8"));
        assert_ne!(v6("64:ff9b:1:c633:64:700::"), v6("64:ff9b:1:c633:cb:700::"));
        assert_eq!(v6("64:ff9b:1::198.51.100.7"), v6("64:ff9b:1::c633:6407"));
        assert_ne!(
            v6("64:ff9b:1::198.51.100.7"),
            v6("64:ff9b:1::1"),
            "not the /64"
        );
        // Just outside it: an ordinary /64.
        assert_eq!(v6("64:ff9b:2::1"), v6("64:ff9b:2::2"));
        // SIIT's IPv4-translated `::ffff:0:a.b.c.d`: by the IPv4 /24, as IPv4-mapped.
        assert_eq!(v6("::ffff:0:198.51.100.7"), v6("198.51.100.9"));
        assert_eq!(v6("::ffff:0:198.51.100.7"), v6("::ffff:198.51.100.9"));
        assert_ne!(v6("::ffff:0:198.51.100.7"), v6("::ffff:0:203.0.113.7"));
        assert_ne!(v6("::ffff:0:198.51.100.7"), v6("::1"));
        // IPv4-compatible (deprecated): by the IPv4 /24; `::` and `::1` stay themselves.
        assert_eq!(v6("::198.51.100.7"), v6("198.51.100.9"));
        assert_ne!(v6("::198.51.100.7"), v6("::203.0.113.7"));
        assert_ne!(v6("::1"), v6("0.0.0.1"));
        assert_ne!(v6("::"), v6("0.0.0.0"));
        assert_eq!(v6("::1"), v6("::"), "both in ::/64");
        assert_ne!(v6("::1:0:0:1"), v6("0.0.0.1"), "not a /96");
        // Teredo: the client's IPv4 (XORed with all ones) in the last 32 bits, whatever the
        // relay, flags and port; two clients of one relay do not share its /64.
        let teredo = |relay: &str, v4: [u8; 4]| {
            let [a, b, c, d] = v4.map(|o| !o);
            format!(
                "2001:0:{relay}:8000:63bf:{:x}:{:x}",
                u16::from_be_bytes([a, b]),
                u16::from_be_bytes([c, d])
            )
        };
        assert_eq!(
            teredo("4136:e378", [192, 0, 2, 45]),
            "2001:0:4136:e378:8000:63bf:3fff:fdd2"
        );
        assert_eq!(
            v6(&teredo("4136:e378", [198, 51, 100, 7])),
            v6("198.51.100.9")
        );
        assert_eq!(
            v6(&teredo("4136:e378", [198, 51, 100, 7])),
            v6(&teredo("5db7:6a01", [198, 51, 100, 200])),
            "another relay, the same client network"
        );
        assert_ne!(
            v6(&teredo("4136:e378", [198, 51, 100, 7])),
            v6(&teredo("4136:e378", [203, 0, 113, 7])),
            "one relay, two client networks"
        );
        let not_teredo = "2001:1:4136:e378:8000:63bf:3fff:fdd2";
        assert_ne!(v6(not_teredo), v6("192.0.2.45"), "only 2001:0::/32");
        assert_eq!(v6(not_teredo), v6("2001:1:4136:e378::1"));
        // 6to4 keeps its /64 (the site's whole IPv4 address and a subnet).
        assert_ne!(v6("2002:c633:6407::1"), v6("198.51.100.7"));
        assert_ne!(v6("2002:c633:6407:1::1"), v6("2002:c633:6407:2::1"));
        assert_eq!(
            ClientContext::new()
                .ip(ip("2001:db8:1:2::1"))
                .ip_prefix()
                .unwrap(),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            ClientContext::new()
                .ip(ip("64:ff9b:1:c633:64:700::"))
                .ip_prefix()
                .unwrap(),
            "64:ff9b:1:c633:64:700::/128"
        );
    }
}
