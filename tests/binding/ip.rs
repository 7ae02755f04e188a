//! `bind = "ip"`: IPv4 clients seen through IPv6 (mapped, SIIT-translated, compatible, NAT64's
//! well-known prefix, Teredo) are bound by their IPv4 /24, and those of NAT64's local-use
//! prefix by their whole address; two clients of different networks never share a binding,
//! and one client does not flap between bindings through the mappings.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use typed_cookies::guard::{ClientContext, Guard};
use typed_cookies::SealedCookie;
use typed_cookies_testkit::{poll_ready as run, ring, t0};

/// Bound to the client's network.
#[derive(Debug, Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-ip",
    salt = "tests.binding.ip.v1",
    max_age = "1h",
    bind = "ip"
)]
struct SignedBoundIp {
    user: String,
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn prefix(text: &str) -> String {
    ClientContext::new().ip(ip(text)).ip_prefix().unwrap()
}

/// A Teredo address (RFC 4380) of client `v4` behind relay/server `server`, with `flags` and
/// the client's mapped `port` (both obfuscated as Teredo does).
fn teredo(server: [u8; 4], flags: u16, port: u16, v4: [u8; 4]) -> String {
    let s = |a: u8, b: u8| u16::from_be_bytes([a, b]);
    let [a, b, c, d] = v4.map(|o| !o);
    format!(
        "2001:0:{:x}:{:x}:{flags:x}:{:x}:{:x}:{:x}",
        s(server[0], server[1]),
        s(server[2], server[3]),
        !port,
        s(a, b),
        s(c, d)
    )
}

/// Whether a value bound to `from` opens for `to`, through the guard (the real path).
fn binding_carries(from: &str, to: &str) -> bool {
    let keys = ring().at(t0());
    let guard = Guard::stateless();
    let issued = run(guard.issue(
        &keys,
        &SignedBoundIp { user: "u".into() },
        None,
        &ClientContext::new().ip(ip(from)),
    ))
    .unwrap();
    run(guard.open::<SignedBoundIp>(&keys, issued.value(), &ClientContext::new().ip(ip(to))))
        .is_ok()
}

/// One IPv4 client seen natively, IPv4-mapped, IPv4-compatible, through NAT64's well-known
/// prefix and through Teredo with any server, flags (cone bit, RFC 5991 random bits) and port
/// keeps one binding: no flapping between those paths.
#[test]
fn one_ipv4_client_keeps_one_binding_through_every_mapping() {
    let v4 = [198, 51, 100, 7];
    let native = "198.51.100.7";
    let mut seen = vec![
        "198.51.100.200".to_owned(),
        "::ffff:198.51.100.7".to_owned(),
        "::ffff:c633:64c8".to_owned(),
        "::198.51.100.7".to_owned(),
        "64:ff9b::198.51.100.7".to_owned(),
        "64:ff9b::c633:6401".to_owned(),
    ];
    for server in [[65, 54, 227, 120], [0, 0, 0, 0], [255, 255, 255, 255]] {
        for flags in [0x0000, 0x8000, 0x83ff, 0xffff] {
            for port in [0, 1, 40_000, 65_535] {
                seen.push(teredo(server, flags, port, v4));
            }
        }
    }
    for other in &seen {
        assert_eq!(prefix(other), "198.51.100.0/24", "{other}");
        assert!(binding_carries(native, other), "{native} -> {other}");
        assert!(binding_carries(other, native), "{other} -> {native}");
    }
}

/// Clients of different /24s never share a binding through any mapping; Teredo is
/// `2001:0::/32` only (`2001:db8::/32`, `2001:1::/32`, `2001:0:...` vs `2001:0db8:...`), and a
/// native /64 is not read as an embedded IPv4 address.
#[test]
fn different_networks_never_share_a_binding_through_the_mappings() {
    let a = [198, 51, 100, 7];
    let b = [203, 0, 113, 7];
    let pairs = [
        ("198.51.100.7", "203.0.113.7"),
        ("::ffff:198.51.100.7", "::ffff:203.0.113.7"),
        ("::198.51.100.7", "::203.0.113.7"),
        ("64:ff9b::198.51.100.7", "64:ff9b::203.0.113.7"),
        ("::ffff:198.51.100.7", "64:ff9b::203.0.113.7"),
        ("198.51.100.7", "::203.0.113.7"),
        ("::0.0.0.2", "::0.0.1.2"),
        ("::0.0.0.2", "::1"),
        ("::0.0.0.2", "::"),
    ];
    for (x, y) in pairs {
        assert_ne!(prefix(x), prefix(y), "{x} vs {y}");
        assert!(!binding_carries(x, y), "{x} -> {y}");
    }
    let ta = teredo([65, 54, 227, 120], 0x8000, 40_000, a);
    let tb = teredo([65, 54, 227, 120], 0x8000, 40_000, b);
    assert!(!binding_carries(&ta, &tb));
    assert!(!binding_carries(&ta, "203.0.113.7"));
    // Not Teredo: the documentation prefix and 2001:1::/32 keep their /64, whatever the last
    // 32 bits hold; and they do not pose as the IPv4 client those bits would decode to.
    let ia = ta.replacen("2001:0:", "2001:db8:", 1);
    assert_eq!(prefix(&ia), prefix("2001:db8:4136:e378::1"));
    assert!(!binding_carries(&ia, "198.51.100.7"));
    assert_eq!(prefix("2001:0db8::3fff:fdd2"), "2001:db8::/64");
    assert_eq!(prefix("2001:1::3fff:fdd2"), "2001:1::/64");
    assert_eq!(prefix("2001::3fff:fdd2"), "192.0.2.0/24");
    // IPv4-compatible: exactly ::/96 (not ::1:0:0/96); SIIT's is exactly ::ffff:0:0:0/96
    // (below): its neighbours keep their /64.
    assert_eq!(prefix("::1:c633:6407"), "::/64");
    assert_eq!(prefix("::ffff:1:c633:6407"), "::/64");
    assert_eq!(prefix("0:0:0:ffff::c633:6407"), "0:0:0:ffff::/64");
}

/// SIIT's IPv4-translated addresses (`::ffff:0:a.b.c.d`, RFC 2765 / RFC 6145's predecessor
/// format) carry an IPv4 client as the other mappings do: bound by their /64, `::/64`, every
/// IPv4 client of such a translator would share one binding — with `::1` and `::` too — and a
/// value stolen from one would open for every other. They are bound by the IPv4 /24, as
/// IPv4-mapped addresses are.
#[test]
fn siit_translated_clients_of_different_networks_do_not_share_a_binding() {
    let a = "::ffff:0:198.51.100.7";
    let b = "::ffff:0:203.0.113.7";
    assert!(
        !binding_carries(a, b),
        "{a} -> {b}: {} vs {}",
        prefix(a),
        prefix(b)
    );
    for other in ["::1", "::", "::ffff:0:0.0.0.1"] {
        assert!(!binding_carries(a, other), "{a} -> {other}");
    }
    // The client itself keeps its binding, natively and through the other mappings.
    assert_eq!(prefix(a), "198.51.100.0/24");
    for same in [
        "::ffff:0:198.51.100.200",
        "198.51.100.7",
        "::ffff:198.51.100.7",
    ] {
        assert!(binding_carries(a, same), "{a} -> {same}");
        assert!(binding_carries(same, a), "{same} -> {a}");
    }
}

/// NAT64's local-use prefix `64:ff9b:1::/48` (RFC 8215): the network chooses the layout, and
/// whatever it is the /64 holds at most the first two octets of the IPv4 client (RFC 6052's
/// /48 layout) or none of it (a /96 under the /48, the common deployment), so binding by the
/// /64 would let IPv4 clients of different networks share one binding. Each address is bound
/// whole (/128).
#[test]
fn local_use_nat64_clients_of_different_networks_do_not_share_a_binding() {
    // /96 layout under the local-use /48.
    let (a, b) = ("64:ff9b:1::198.51.100.7", "64:ff9b:1::203.0.113.7");
    assert!(
        !binding_carries(a, b),
        "{a} -> {b}: {} vs {}",
        prefix(a),
        prefix(b)
    );
    // RFC 6052 /48 layout: 198.51 in bits 48-63, then u-octet 0, then 100.7.
    let (a, b) = ("64:ff9b:1:c633:64:700::", "64:ff9b:1:c633:cb:700::");
    assert!(
        !binding_carries(a, b),
        "{a} -> {b}: {} vs {}",
        prefix(a),
        prefix(b)
    );
    // The whole address: the same one carries, any other under the /48 does not.
    assert_eq!(prefix(a), "64:ff9b:1:c633:64:700::/128");
    assert!(binding_carries(a, a));
    for other in [
        "64:ff9b:1:c633:64:700::1",
        "64:ff9b:1:c633::",
        "64:ff9b:1::",
        "198.51.100.7",
    ] {
        assert!(!binding_carries(a, other), "{a} -> {other}");
    }
}
