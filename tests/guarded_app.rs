//! `examples/guarded_app.rs` — the guide's guarded-session example — served on a loopback
//! port and driven over real HTTP/1.1 (a `TcpStream`, one request per connection): sign-in,
//! `/me`, a sign-out that revokes (the old cookie is refused), "sign out everywhere" across two
//! devices, a key rotation from the environment (the old cookie opens and is resealed under the
//! new key), the same sessions across two servers over a real Redis; and the code block of
//! `docs/stolen-cookies.md` is the example's code, character for character.

#[allow(dead_code)]
#[path = "../examples/guarded_app.rs"]
mod app;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use app::App;
use typed_cookies::guard::Guard;
use typed_cookies::{inspect, Key, KeyError, KeyRing};
use typed_cookies_testkit::{logs_of, RedisServer};

/// The example's router on `127.0.0.1:<free port>`, served by a runtime of its own (dropped,
/// with the server, at the end of the test).
struct Server {
    address: SocketAddr,
    _runtime: tokio::runtime::Runtime,
}

/// Serves the app `make` builds on the server's runtime (a `RedisStore`'s connection lives on
/// the runtime that built it).
fn serve_with(make: impl std::future::Future<Output = App>) -> Server {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let app = runtime.block_on(make);
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let address = listener.local_addr().unwrap();
    runtime.spawn(async move { axum::serve(listener, app::router(app)).await });
    Server {
        address,
        _runtime: runtime,
    }
}

fn serve(app: App) -> Server {
    serve_with(async { app })
}

/// An app over a store in this process's memory.
fn memory_app(keys: KeyRing) -> App {
    App {
        keys,
        guard: memory_guard(),
    }
}

fn memory_guard() -> Guard {
    let (guard, logs) = logs_of(|| block_on_here(app::revocation_guard(None)));
    assert!(
        logs.iter()
            .any(|(level, text)| *level == tracing::Level::WARN
                && text.contains("REDIS_URL is not set: revocations in this process's memory")),
        "{logs:?}"
    );
    guard.unwrap()
}

/// Runs a future that needs no runtime (building a `MemoryStore` guard) on this thread.
fn block_on_here<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

/// What came back: the status, the `Set-Cookie` headers and the body.
#[derive(Debug)]
struct Reply {
    status: u16,
    location: Option<String>,
    set_cookies: Vec<String>,
    body: String,
}

impl Reply {
    /// The `name=value` of the session cookie this response sets (not a removal).
    fn session_cookie(&self) -> String {
        let cookie = self
            .set_cookies
            .iter()
            .find(|c| c.starts_with("__Host-sid=") && !c.starts_with("__Host-sid=;"))
            .unwrap_or_else(|| panic!("no session cookie in {self:?}"));
        cookie.split(';').next().unwrap().to_owned()
    }

    /// Whether it removes the session cookie.
    fn removes_session(&self) -> bool {
        self.set_cookies
            .iter()
            .any(|c| c.starts_with("__Host-sid=;") && c.contains("Max-Age=0"))
    }
}

/// One request from a client that says `User-Agent: {device}`, carrying `cookie` (a
/// `name=value`) if given, and a form body if given.
fn send(
    server: &Server,
    method: &str,
    path: &str,
    device: &str,
    cookie: Option<&str>,
    form: Option<&str>,
) -> Reply {
    let mut stream = TcpStream::connect(server.address).unwrap();
    // A bound on a broken server, not a wait: every answer comes at once.
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: {device}\r\nConnection: close\r\n"
    );
    if let Some(cookie) = cookie {
        request.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    let body = form.unwrap_or("");
    if form.is_some() {
        request.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    parse(&response)
}

fn parse(response: &str) -> Reply {
    let (head, body) = response
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"));
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let mut reply = Reply {
        status,
        location: None,
        set_cookies: Vec::new(),
        body: body.to_owned(),
    };
    for line in lines {
        let (name, value) = line.split_once(':').unwrap();
        let value = value.trim().to_owned();
        match name.to_ascii_lowercase().as_str() {
            "set-cookie" => reply.set_cookies.push(value),
            "location" => reply.location = Some(value),
            "transfer-encoding" => panic!("a chunked body this parser does not read: {response:?}"),
            _ => {}
        }
    }
    reply
}

/// Signs `user` in from `device`: `303` to `/me` with the session cookie.
fn sign_in(server: &Server, device: &str, user: &str) -> String {
    let reply = send(
        server,
        "POST",
        "/sign-in",
        device,
        None,
        Some(&format!("user={user}")),
    );
    assert_eq!(reply.status, 303, "{reply:?}");
    assert_eq!(reply.location.as_deref(), Some("/me"));
    reply.session_cookie()
}

fn me(server: &Server, device: &str, cookie: &str) -> Reply {
    send(server, "GET", "/me", device, Some(cookie), None)
}

#[test]
fn sign_in_me_and_a_sign_out_that_revokes() {
    let server = serve(memory_app(KeyRing::new(Key::generate())));
    let cookie = sign_in(&server, "laptop", "ann");

    let reply = me(&server, "laptop", &cookie);
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (200, "signed in as ann\n")
    );
    assert_eq!(
        send(&server, "GET", "/me", "laptop", None, None).status,
        401
    );
    // Bound to the User-Agent: the same cookie from another client is refused.
    assert_eq!(me(&server, "stolen-by-curl", &cookie).status, 401);
    assert_eq!(me(&server, "laptop", &cookie).status, 200);

    let reply = send(&server, "POST", "/sign-out", "laptop", Some(&cookie), None);
    assert_eq!((reply.status, reply.body.as_str()), (200, "signed out\n"));
    assert!(reply.removes_session(), "{reply:?}");

    // A copy of the cookie kept from before the sign-out: refused, and cleared again.
    let reply = me(&server, "laptop", &cookie);
    assert_eq!(reply.status, 401, "{reply:?}");
    assert!(reply.removes_session(), "{reply:?}");
    assert_eq!(
        send(&server, "POST", "/sign-out", "laptop", Some(&cookie), None).status,
        401
    );

    // Signing in again works.
    let again = sign_in(&server, "laptop", "ann");
    assert_eq!(me(&server, "laptop", &again).status, 200);
}

#[test]
fn sign_out_everywhere_ends_every_device_of_the_user() {
    let server = serve(memory_app(KeyRing::new(Key::generate())));
    let laptop = sign_in(&server, "laptop", "ann");
    let phone = sign_in(&server, "phone", "ann");
    let bob = sign_in(&server, "desktop", "bob");
    assert_ne!(laptop, phone);
    for (device, cookie) in [("laptop", &laptop), ("phone", &phone), ("desktop", &bob)] {
        assert_eq!(me(&server, device, cookie).status, 200);
    }

    let reply = send(
        &server,
        "POST",
        "/sign-out-everywhere",
        "phone",
        Some(&phone),
        None,
    );
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (200, "signed out everywhere\n")
    );
    assert!(reply.removes_session());

    assert_eq!(me(&server, "laptop", &laptop).status, 401);
    assert_eq!(me(&server, "phone", &phone).status, 401);
    let reply = me(&server, "desktop", &bob);
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (200, "signed in as bob\n")
    );

    // A session begun after the sign-out is not affected by it.
    let fresh = sign_in(&server, "laptop", "ann");
    assert_eq!(me(&server, "laptop", &fresh).status, 200);
}

#[test]
fn a_rotated_ring_from_the_environment_opens_the_old_cookie_and_reseals_it() {
    let (old, new) = (Key::generate(), Key::generate());
    let guard = memory_guard();
    let before = serve(App {
        keys: KeyRing::new(old.clone()),
        guard: guard.clone(),
    });
    let cookie = sign_in(&before, "laptop", "ann");
    let value = cookie.strip_prefix("__Host-sid=").unwrap();
    assert_eq!(inspect(value).unwrap().key_id, old.id());

    // The rotation as the example's operator does it: the new key first, the old one after.
    let var = "GUARDED_APP_TEST_ROTATED_KEYS";
    std::env::set_var(var, format!("{}, {}", new.to_base64(), old.to_base64()));
    let rotated = app::key_ring(var).unwrap();
    std::env::remove_var(var);
    assert_eq!(rotated.key_ids(), vec![new.id(), old.id()]);
    let after = serve(App {
        keys: rotated,
        guard: guard.clone(),
    });

    let reply = me(&after, "laptop", &cookie);
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (200, "signed in as ann\n")
    );
    let resealed = reply.session_cookie();
    let value = resealed.strip_prefix("__Host-sid=").unwrap();
    assert_eq!(inspect(value).unwrap().key_id, new.id());
    // Resealed, not reissued: the same session, so signing it out ends the old copy too.
    assert_eq!(me(&after, "laptop", &resealed).status, 200);

    // Once the old key is retired, only the resealed cookie opens.
    let retired = serve(App {
        keys: KeyRing::new(new),
        guard: guard.clone(),
    });
    assert_eq!(me(&retired, "laptop", &resealed).status, 200);
    assert_eq!(me(&retired, "laptop", &cookie).status, 401);

    assert_eq!(
        send(
            &retired,
            "POST",
            "/sign-out",
            "laptop",
            Some(&resealed),
            None
        )
        .status,
        200
    );
    assert_eq!(me(&after, "laptop", &cookie).status, 401);
}

#[test]
fn keys_from_the_environment_or_a_new_key_said_in_the_log() {
    let unset = "GUARDED_APP_TEST_UNSET_KEYS";
    std::env::remove_var(unset);
    let (ring, logs) = logs_of(|| app::key_ring(unset));
    let ring = ring.unwrap();
    assert_eq!(ring.key_ids().len(), 1);
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert_eq!(logs[0].0, tracing::Level::WARN);
    assert!(
        logs[0]
            .1
            .contains("GUARDED_APP_TEST_UNSET_KEYS is not set: a new key for this run"),
        "{logs:?}"
    );
    // A new key each time: sessions do not survive a restart without the variable.
    assert_ne!(app::key_ring(unset).unwrap().key_ids(), ring.key_ids());

    // A malformed variable stops the server rather than signing everyone out.
    let malformed = "GUARDED_APP_TEST_MALFORMED_KEYS";
    std::env::set_var(malformed, "hunter2");
    let error = app::key_ring(malformed).unwrap_err();
    std::env::remove_var(malformed);
    assert!(!matches!(error, KeyError::MissingEnv { .. }), "{error}");
    assert!(!error.to_string().contains("hunter2"), "{error}");
}

#[test]
fn sign_in_refuses_an_empty_or_overlong_user() {
    let server = serve(memory_app(KeyRing::new(Key::generate())));
    for form in ["user=", &format!("user={}", "a".repeat(65)), "name=ann"] {
        let reply = send(&server, "POST", "/sign-in", "laptop", None, Some(form));
        assert!(
            reply.status == 400 || reply.status == 422,
            "{form}: {reply:?}"
        );
        assert!(reply.set_cookies.is_empty(), "{form}: {reply:?}");
    }
}

#[test]
fn two_servers_over_one_redis_share_sessions_and_sign_outs() {
    let Some(redis) = RedisServer::start_or_skip("guarded_app_over_redis") else {
        return;
    };
    let keys = KeyRing::new(Key::generate());
    let fleet: Vec<Server> = (0..2)
        .map(|_| {
            serve_with(async {
                let guard = app::revocation_guard(Some(&redis.url())).await.unwrap();
                App {
                    keys: keys.clone(),
                    guard,
                }
            })
        })
        .collect();
    let laptop = sign_in(&fleet[0], "laptop", "ann");
    let phone = sign_in(&fleet[1], "phone", "ann");
    assert_eq!(me(&fleet[1], "laptop", &laptop).status, 200);
    assert_eq!(me(&fleet[0], "phone", &phone).status, 200);

    // Signed out on one server: refused by the other.
    let reply = send(
        &fleet[1],
        "POST",
        "/sign-out",
        "laptop",
        Some(&laptop),
        None,
    );
    assert_eq!(reply.status, 200);
    assert_eq!(me(&fleet[0], "laptop", &laptop).status, 401);
    assert_eq!(me(&fleet[0], "phone", &phone).status, 200);

    let again = sign_in(&fleet[0], "laptop", "ann");
    let reply = send(
        &fleet[0],
        "POST",
        "/sign-out-everywhere",
        "laptop",
        Some(&again),
        None,
    );
    assert_eq!(reply.status, 200);
    assert_eq!(me(&fleet[1], "phone", &phone).status, 401);
    assert_eq!(me(&fleet[1], "laptop", &again).status, 401);
}

/// The guide's guarded example (`docs/stolen-cookies.md`) is the example's code between its
/// `guide:begin` and `guide:end` lines, character for character.
#[test]
fn the_guide_shows_the_example() {
    let example = include_str!("../examples/guarded_app.rs");
    let start = example.find("// guide:begin").expect("a guide:begin line");
    let region = &example[start..];
    let region = &region[region.find('\n').unwrap() + 1..];
    let region = &region[..region.find("// guide:end").expect("a guide:end line")];

    let page = include_str!("../docs/stolen-cookies.md");
    let anchor = page
        .find("<!-- examples/guarded_app.rs guide:begin..guide:end -->")
        .expect("the guide's anchor of the guarded example");
    let block = &page[anchor..];
    let block = &block[block
        .find("```rust\n")
        .expect("a rust block after the anchor")
        + 8..];
    let block = &block[..block.find("```\n").expect("the end of the block")];

    if block != region {
        let line = block
            .lines()
            .zip(region.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| block.lines().count().min(region.lines().count()));
        panic!(
            "docs/stolen-cookies.md's guarded example and examples/guarded_app.rs differ at line \
             {} of the block:\n  guide: {:?}\nexample: {:?}\n(copy the example's region into \
             the page)",
            line + 1,
            block.lines().nth(line),
            region.lines().nth(line)
        );
    }
}
