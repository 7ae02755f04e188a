//! A raw HTTP/1.1 client for the adapter tests over real HTTP (`guarded_layer_attacks`,
//! `refresh_layer_attacks`; `kept_alive` builds on its server and `Answer`): an app served by
//! `axum::serve` on `127.0.0.1` (with `ConnectInfo<SocketAddr>`), and requests written byte
//! for byte over a `TcpStream`, so repeated `Cookie:` headers, exact lengths and non-UTF-8
//! bytes reach the server as written; `padded_header` makes a `Cookie:` value of an exact
//! length (also for `attacks.rs`).

use std::net::{Ipv4Addr, SocketAddr};

use axum::Router;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The `User-Agent` every request sends.
pub(crate) const FIREFOX: &str = "Mozilla/5.0 Firefox/140";

/// An app served on `127.0.0.1` with `ConnectInfo<SocketAddr>`; stopped when dropped.
pub(crate) struct Server {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Where it listens.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `app` on a free loopback port.
pub(crate) async fn serve(app: Router) -> Server {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    Server { addr, task }
}

/// `pairs` joined with `; `, then a `pad=` cookie making the whole header value exactly `len`
/// bytes (for tests at a length threshold of the `Cookie:` header).
pub(crate) fn padded_header<S: AsRef<str>>(pairs: &[S], len: usize) -> String {
    let mut text = pairs
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join("; ");
    let rest = len - text.len() - "; pad=".len();
    text.push_str("; pad=");
    text.push_str(&"p".repeat(rest));
    assert_eq!(text.len(), len);
    text
}

/// A response: status (`0` when the connection closed without one), `Set-Cookie`s, body.
#[derive(Debug, Default)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) set_cookies: Vec<String>,
    pub(crate) body: String,
}

impl Answer {
    /// The `Set-Cookie`s of `name` (removals too).
    pub(crate) fn of(&self, name: &str) -> Vec<&str> {
        self.set_cookies
            .iter()
            .filter(|c| c.starts_with(&format!("{name}=")))
            .map(String::as_str)
            .collect()
    }

    /// The removals of `name`.
    pub(crate) fn removals(&self, name: &str) -> usize {
        let removal = format!("{name}=;");
        self.of(name)
            .iter()
            .filter(|c| c.starts_with(&removal))
            .count()
    }

    /// The `Set-Cookie`s setting `name` to a value (not removals).
    pub(crate) fn reseals(&self, name: &str) -> usize {
        self.of(name).len() - self.removals(name)
    }

    /// The `name=value` pair of the last `Set-Cookie` setting `name` (not a removal).
    pub(crate) fn pair(&self, name: &str) -> Option<String> {
        let removal = format!("{name}=;");
        self.of(name)
            .into_iter()
            .rfind(|c| !c.starts_with(&removal))
            .map(|c| c.split(';').next().unwrap().to_owned())
    }
}

impl Server {
    /// `method path` to `host` with `User-Agent: FIREFOX`, one `Cookie:` header per entry of
    /// `cookies`, and the `extra` header lines (values as raw bytes); no body.
    pub(crate) async fn request(
        &self,
        method: &str,
        path: &str,
        host: &str,
        cookies: &[&[u8]],
        extra: &[(&str, &[u8])],
    ) -> Answer {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nhost: {host}\r\nuser-agent: {FIREFOX}\r\n\
             connection: close\r\ncontent-length: 0\r\n"
        )
        .into_bytes();
        for cookie in cookies {
            head.extend_from_slice(b"cookie: ");
            head.extend_from_slice(cookie);
            head.extend_from_slice(b"\r\n");
        }
        for (name, value) in extra {
            head.extend_from_slice(name.as_bytes());
            head.extend_from_slice(b": ");
            head.extend_from_slice(value);
            head.extend_from_slice(b"\r\n");
        }
        head.extend_from_slice(b"\r\n");
        let mut stream = TcpStream::connect(self.addr).await.unwrap();
        stream.write_all(&head).await.unwrap();
        let mut raw = Vec::new();
        // A panicking handler may reset the connection: whatever came is the answer.
        let _ = stream.read_to_end(&mut raw).await;
        parse(&raw)
    }

    /// `GET path` to `shop.example` with one `Cookie:` header per entry of `cookies`.
    pub(crate) async fn get(&self, path: &str, cookies: &[&str]) -> Answer {
        let cookies: Vec<&[u8]> = cookies.iter().map(|c| c.as_bytes()).collect();
        self.request("GET", path, "shop.example", &cookies, &[])
            .await
    }

    /// `POST path` to `shop.example` with one `Cookie:` header per entry of `cookies`.
    pub(crate) async fn post(&self, path: &str, cookies: &[&str]) -> Answer {
        let cookies: Vec<&[u8]> = cookies.iter().map(|c| c.as_bytes()).collect();
        self.request("POST", path, "shop.example", &cookies, &[])
            .await
    }
}

/// An HTTP/1.1 response (`Content-Length` or chunked body).
fn parse(raw: &[u8]) -> Answer {
    let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Answer::default();
    };
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let (mut set_cookies, mut chunked) = (vec![], false);
    for line in lines {
        let (name, value) = line.split_once(':').unwrap();
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
        if name == "set-cookie" {
            set_cookies.push(value.to_owned());
        } else if name == "transfer-encoding" && value.eq_ignore_ascii_case("chunked") {
            chunked = true;
        }
    }
    let mut rest = &raw[end + 4..];
    let body = if chunked {
        let mut body = Vec::new();
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size =
                usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap(), 16).unwrap();
            rest = &rest[line_end + 2..];
            if size == 0 {
                break;
            }
            body.extend_from_slice(&rest[..size]);
            rest = &rest[size + 2..];
        }
        body
    } else {
        rest.to_vec()
    };
    Answer {
        status,
        set_cookies,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}
