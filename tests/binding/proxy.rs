//! `bind = "app, ip"` behind one reverse proxy of ours (`ClientIp::ForwardedFor {
//! proxies: 1 }`, the proxy at 10.0.0.2 appending the address it saw), and with the TCP
//! peer (`ClientIp::Peer`) for IPv4-mapped addresses.

use super::axum_app::*;
use super::*;

const PROXY: &str = "10.0.0.2:41000";
const NAME: &str = "__Host-appnet";

fn app(source: ClientIp) -> Router {
    let state = state(clocked(&ring()).0, source);
    routes::<AppNet>()
        .layer(guarded_layer!(AppNet, state))
        .layer(from_fn(device_binding))
        .with_state(state)
}

fn behind_proxy() -> Router {
    app(ClientIp::ForwardedFor { proxies: 1 })
}

/// A request through the proxy: `forwarded_for` are the `X-Forwarded-For` lines as the
/// app receives them (the client's, then the proxy's).
async fn via_proxy(
    app: &Router,
    method: &str,
    uri: &str,
    cookie: Option<&str>,
    device: &str,
    forwarded_for: &[&str],
) -> Reply {
    let mut headers = vec![("x-device-id", device)];
    if let Some(cookie) = cookie {
        headers.push(("cookie", cookie));
    }
    headers.extend(forwarded_for.iter().map(|v| ("x-forwarded-for", *v)));
    send(app, request(method, uri, &headers, Some(PROXY))).await
}

async fn sign_in(app: &Router, device: &str, forwarded_for: &[&str]) -> String {
    let reply = via_proxy(app, "POST", "/sign-in", None, device, forwarded_for).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.pair(NAME).expect("a session cookie")
}

/// Whatever the client writes into `X-Forwarded-For` before the proxy's entry — the
/// victim's address, garbage, a second header line — is never what the value binds to;
/// and the device bytes and the network are both required.
#[test]
fn client_written_forwarded_for_entries_never_bind() {
    run(async {
        let app = behind_proxy();
        // The victim's client sent garbage of its own; the proxy appended 198.51.100.7.
        let cookie = sign_in(&app, "phone", &["1.2.3.4, not-an-ip, 198.51.100.7"]).await;
        let cookie = Some(cookie.as_str());
        for forwarded_for in [
            &["198.51.100.7"][..],
            &["198.51.100.200"],                 // same /24 (DHCP, carrier NAT)
            &["[::zz, , 6.6.6.6, 198.51.100.9"], // client garbage first
            &["203.0.113.9, 198.51.100.9"],
            &["203.0.113.9", "198.51.100.9"], // the client's line, then the proxy's
        ] {
            let me = via_proxy(&app, "GET", "/me", cookie, "phone", forwarded_for).await;
            assert_eq!(me.answer(), (200, "ann"), "{forwarded_for:?}");
        }
        // The thief stole the cookie *and* the device id (a header travels with it), and
        // writes the victim's address before the proxy's entry, in one line or two.
        for forwarded_for in [
            &["198.51.100.7, 203.0.113.9"][..],
            &["198.51.100.7", "203.0.113.9"],
            &["198.51.100.7,203.0.113.9"],
            &["198.51.100.7 , 203.0.113.9:5000"],
            &["198.51.100.7, [2001:db8:1:2::7]:443"],
        ] {
            let me = via_proxy(&app, "GET", "/me", cookie, "phone", forwarded_for).await;
            assert_eq!(me.status, 401, "{forwarded_for:?}: {}", me.body);
            assert!(me.removes(NAME), "a refused copy is cleared");
            let maybe = via_proxy(&app, "GET", "/maybe", cookie, "phone", forwarded_for).await;
            assert_eq!(maybe.answer(), (200, "anonymous"), "{forwarded_for:?}");
        }
        // Behind the same NAT as the victim (same /24) but on another device: refused.
        for device in ["laptop", ""] {
            let me = via_proxy(&app, "GET", "/me", cookie, device, &["198.51.100.7"]).await;
            assert_eq!(me.status, 401, "device {device:?}");
        }
    });
}

/// A source the guard does not read — `Forwarded`, `X-Real-IP` — or a proxy entry that is
/// no address gives no client address: never a value bound to "no address", never a
/// session. Something a client can cause, so no 500: a sign-in is a 400 logged at `warn`
/// (a proxy that stopped sending the header shows there), a request with the cookie has
/// no session (401, `None`), and no cookie is set or cleared.
#[test]
fn a_source_the_guard_does_not_read_fails_closed() {
    let app = behind_proxy();
    let cookie = run(sign_in(&app, "phone", &["198.51.100.7"]));
    let cases: &[&[(&str, &str)]] = &[
        &[],
        &[("forwarded", "for=198.51.100.7")],
        &[("x-real-ip", "198.51.100.7")],
        &[("x-forwarded-for", "unknown")],
        &[("x-forwarded-for", "")],
        &[("x-forwarded-for", "198.51.100.7, ")],
        &[("x-forwarded-for", "198.51.100.7:http")],
        &[("x-forwarded-for", "fe80::1%eth0")],
    ];
    for headers in cases {
        for (method, uri) in [("POST", "/sign-in"), ("GET", "/me"), ("GET", "/maybe")] {
            let mut all = vec![("x-device-id", "phone"), ("cookie", cookie.as_str())];
            all.extend_from_slice(headers);
            let (reply, logs) =
                logs_of(|| run(send(&app, request(method, uri, &all, Some(PROXY)))));
            let expected = match uri {
                "/sign-in" => (
                    400,
                    "400 Bad Request: the client's address could not be determined\n",
                ),
                "/me" => (401, "401 Unauthorized: no valid `__Host-appnet` cookie\n"),
                _ => (200, "anonymous"),
            };
            assert_eq!(reply.answer(), expected, "{headers:?} {uri}");
            assert!(reply.set_cookies.is_empty(), "{:?}", reply.set_cookies);
            if uri == "/sign-in" {
                assert!(
                    logs.iter()
                        .any(|(level, text)| *level == tracing::Level::WARN
                            && text.contains(NAME)
                            && text.contains("X-Forwarded-For")),
                    "{logs:?}"
                );
            }
            assert!(!logs
                .iter()
                .any(|(level, _)| *level == tracing::Level::ERROR));
        }
    }
    // Two proxies configured, one entry: no session either, not the client's entry.
    let two = super::proxy::app(ClientIp::ForwardedFor { proxies: 2 });
    let reply = run(send(
        &two,
        request(
            "GET",
            "/maybe",
            &[
                ("x-device-id", "phone"),
                ("x-forwarded-for", "198.51.100.7"),
            ],
            Some(PROXY),
        ),
    ));
    assert_eq!(reply.answer(), (200, "anonymous"));
}

/// An IPv4-mapped IPv6 address (a dual-stack listener's view of an IPv4 client, or a
/// proxy that writes it so) binds as the IPv4 address, from the peer and from the header;
/// so does an IPv4-compatible one (`::a.b.c.d`).
#[test]
fn ipv4_mapped_addresses_bind_as_ipv4() {
    run(async {
        let peer = app(ClientIp::Peer);
        let signed = send(
            &peer,
            request(
                "POST",
                "/sign-in",
                &[("x-device-id", "phone")],
                Some("[::ffff:198.51.100.7]:50000"),
            ),
        )
        .await;
        let cookie = signed.pair(NAME).expect("a session cookie");
        for (addr, expected) in [
            ("198.51.100.8:1", 200),
            ("[::ffff:198.51.100.250]:2", 200),
            ("[::ffff:203.0.113.9]:3", 401),
            ("[2001:db8::c633:6407]:4", 401),
        ] {
            let headers = [("x-device-id", "phone"), ("cookie", cookie.as_str())];
            let me = send(&peer, request("GET", "/me", &headers, Some(addr))).await;
            assert_eq!(me.status, expected, "{addr}");
        }

        let proxied = behind_proxy();
        let cookie = sign_in(&proxied, "phone", &["198.51.100.7"]).await;
        for (entry, expected) in [
            ("::ffff:198.51.100.50", 200),
            ("[::ffff:198.51.100.50]:443", 200),
            ("::ffff:c633:6432", 200), // the same address, written in hex
            ("::ffff:203.0.113.50", 401),
            // IPv4-compatible (deprecated): its IPv4 address too, but `::1` is loopback.
            ("::198.51.100.7", 200),
            ("::203.0.113.7", 401),
            ("::1", 401),
        ] {
            let me = via_proxy(&proxied, "GET", "/me", Some(&cookie), "phone", &[entry]).await;
            assert_eq!(me.status, expected, "{entry}");
        }
    });
}

/// A client that moves to another network (Wi-Fi to mobile, IPv4 to IPv6) is refused
/// there even with its own device bytes, and that response clears the cookie; it signs in
/// again, and the new value is bound to the new network only. The old value is not
/// revoked: back on the old network it still opens (only `revocable` sign-out ends it).
#[test]
fn a_client_switching_networks_is_refused_on_the_new_one() {
    run(async {
        let app = behind_proxy();
        let old = sign_in(&app, "phone", &["198.51.100.7"]).await;
        for new_network in ["203.0.113.20", "2001:db8:1:2::7", "198.51.101.7"] {
            let me = via_proxy(&app, "GET", "/me", Some(&old), "phone", &[new_network]).await;
            assert_eq!(me.status, 401, "{new_network}");
            assert!(me.removes(NAME), "{new_network}: {:?}", me.set_cookies);
        }
        let new = sign_in(&app, "phone", &["2001:db8:1:2::7"]).await;
        // Same /64, other interface id (privacy addresses rotate): still the network.
        let me = via_proxy(
            &app,
            "GET",
            "/me",
            Some(&new),
            "phone",
            &["2001:db8:1:2:abcd::1"],
        )
        .await;
        assert_eq!(me.answer(), (200, "ann"));
        let back = via_proxy(&app, "GET", "/me", Some(&new), "phone", &["198.51.100.7"]).await;
        assert_eq!(back.status, 401);
        let old_again = via_proxy(&app, "GET", "/me", Some(&old), "phone", &["198.51.100.7"]).await;
        assert_eq!(old_again.answer(), (200, "ann"));
    });
}

/// When the application port is also reachable without the proxy (a second listener, a
/// misconfigured security group, another path into the cluster), a thief with the cookie
/// and the device id connects directly and writes the victim's address as the only
/// entry. `ClientIp::ForwardedFor` believes the header from a private peer only, so the
/// `ip` half of the binding holds (this test found it believed any peer).
#[test]
fn forwarded_for_from_a_peer_that_is_no_proxy_is_not_believed() {
    run(async {
        let app = behind_proxy();
        let cookie = sign_in(&app, "phone", &["198.51.100.7"]).await;
        let direct = send(
            &app,
            request(
                "GET",
                "/me",
                &[
                    ("x-device-id", "phone"),
                    ("cookie", &cookie),
                    ("x-forwarded-for", "198.51.100.7"),
                ],
                Some("203.0.113.9:51515"),
            ),
        )
        .await;
        // No client address from a public peer: no session.
        assert_eq!(direct.status, 401, "a direct client chose its address");
    });
}

/// Behind NAT64/SIIT (RFC 6052's well-known prefix `64:ff9b::/96`), every IPv4 client
/// reaches an IPv6-only server from the same /64: the embedded IPv4 address is bound as
/// IPv4 (its /24), as IPv4-mapped addresses are (this test found all of them bound by the
/// prefix's one /64).
#[test]
fn nat64_translated_ipv4_clients_do_not_share_one_binding() {
    run(async {
        let keys = ring();
        let guard = Guard::new(MemoryStore::new());
        let ctx = |ip: &str| {
            ClientContext::new()
                .app(AppBinding::new("phone"))
                .ip(ip.parse().unwrap())
        };
        let issued = guard
            .issue(
                &keys,
                &AppNet::named("ann"),
                None,
                &ctx("64:ff9b::c633:6407"),
            )
            .await
            .unwrap();
        // 198.51.100.7's neighbour opens it; 203.0.113.9, another network entirely,
        // must not.
        assert!(guard
            .open::<AppNet>(&keys, issued.value(), &ctx("64:ff9b::c633:6408"))
            .await
            .is_ok());
        assert_eq!(
            guard
                .open::<AppNet>(&keys, issued.value(), &ctx("64:ff9b::cb00:7109"))
                .await
                .err(),
            Some(OpenError::Invalid)
        );
    });
}

/// Teredo clients (`2001:0::/32`, RFC 4380) of one relay, and IPv4-compatible ones
/// (`::a.b.c.d`, deprecated), all share one /64: each is bound by its own IPv4 /24 (for
/// Teredo the client's public address, XORed with all ones in the last 32 bits), as
/// NAT64's are (these tests found all of them bound by the shared /64).
#[test]
fn teredo_and_ipv4_compatible_clients_do_not_share_one_binding() {
    run(async {
        let keys = ring();
        let guard = Guard::new(MemoryStore::new());
        let ctx = |ip: &str| {
            ClientContext::new()
                .app(AppBinding::new("phone"))
                .ip(ip.parse().unwrap())
        };
        // Relay 65.54.227.120 (4136:e378); clients 198.51.100.7 (obfuscated 39cc:9bf8),
        // its neighbour 198.51.100.8 (39cc:9bf7) and 203.0.113.9 (34ff:8ef6), with
        // their own ports.
        let teredo = |client: &str| format!("2001:0:4136:e378:8000:63bf:{client}");
        for (own, neighbour, other) in [
            (
                teredo("39cc:9bf8"),
                teredo("39cc:9bf7"),
                teredo("34ff:8ef6"),
            ),
            (
                "::c633:6407".to_owned(),
                "::c633:6408".to_owned(),
                "::cb00:7109".to_owned(),
            ),
        ] {
            let issued = guard
                .issue(&keys, &AppNet::named("ann"), None, &ctx(&own))
                .await
                .unwrap();
            for same_network in [neighbour.as_str(), "198.51.100.200"] {
                assert!(
                    guard
                        .open::<AppNet>(&keys, issued.value(), &ctx(same_network))
                        .await
                        .is_ok(),
                    "{own} then {same_network}"
                );
            }
            assert_eq!(
                guard
                    .open::<AppNet>(&keys, issued.value(), &ctx(&other))
                    .await
                    .err(),
                Some(OpenError::Invalid),
                "{own} then {other}"
            );
        }
    });
}
