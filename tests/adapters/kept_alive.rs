//! A raw HTTP/1.1 connection, kept alive across requests, for the tests that send request
//! bodies (`Content-Length` or chunked, in pieces) and read an answer as it streams, chunk by
//! chunk: what `raw_http`'s one-shot client (no body, whole answer) cannot do. Every read is
//! bounded, so a middleware that held a body back fails a test instead of hanging it.

use std::time::Duration as StdDuration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::raw_http::{Answer, Server, FIREFOX};

/// A bound on every read: a middleware that held a body back fails the test instead of
/// hanging it.
pub(crate) const READ_LIMIT: StdDuration = StdDuration::from_secs(20);

/// A response: status, every header (names lower-cased), body.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Its `Set-Cookie`s and body, as the raw client's [`Answer`] reads them.
    pub(crate) fn cookies(&self) -> Answer {
        Answer {
            status: self.status,
            set_cookies: self
                .header("set-cookie")
                .into_iter()
                .map(str::to_owned)
                .collect(),
            body: self.text(),
        }
    }

    /// The `name=value` pair of the one `Set-Cookie` of `name`, which must set a value.
    pub(crate) fn pair(&self, name: &str) -> String {
        let cookies = self.cookies();
        assert_eq!(
            cookies.of(name).len(),
            1,
            "one Set-Cookie of {name}: {self:?}"
        );
        cookies
            .pair(name)
            .unwrap_or_else(|| panic!("not a removal: {self:?}"))
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One connection, kept alive across requests.
pub(crate) struct Connection {
    stream: BufReader<TcpStream>,
}

impl Connection {
    pub(crate) async fn open(server: &Server) -> Self {
        let stream = TcpStream::connect(server.addr()).await.unwrap();
        Self {
            stream: BufReader::new(stream),
        }
    }

    pub(crate) async fn write(&mut self, bytes: &[u8]) {
        self.stream.get_mut().write_all(bytes).await.unwrap();
    }

    async fn line(&mut self) -> String {
        let mut line = String::new();
        tokio::time::timeout(READ_LIMIT, self.stream.read_line(&mut line))
            .await
            .expect("the server answered in time")
            .unwrap();
        line
    }

    async fn exact(&mut self, len: usize) -> Vec<u8> {
        let mut bytes = vec![0; len];
        tokio::time::timeout(READ_LIMIT, self.stream.read_exact(&mut bytes))
            .await
            .expect("the server answered in time")
            .unwrap();
        bytes
    }

    /// A response's status line and headers.
    pub(crate) async fn head(&mut self) -> (u16, Vec<(String, String)>) {
        let status_line = self.line().await;
        let status = status_line
            .split(' ')
            .nth(1)
            .unwrap_or_else(|| panic!("a status line: {status_line:?}"))
            .parse()
            .unwrap();
        let mut headers = Vec::new();
        loop {
            let line = self.line().await;
            let line = line.trim_end_matches("\r\n");
            if line.is_empty() {
                return (status, headers);
            }
            let (name, value) = line.split_once(':').unwrap();
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }

    /// The next chunk of a chunked body (`None` at its end).
    pub(crate) async fn chunk(&mut self) -> Option<Vec<u8>> {
        let size = self.line().await;
        let size = usize::from_str_radix(size.trim_end(), 16).unwrap();
        if size == 0 {
            assert_eq!(self.line().await, "\r\n");
            return None;
        }
        let data = self.exact(size).await;
        assert_eq!(self.exact(2).await, b"\r\n");
        Some(data)
    }

    /// A whole response (`Content-Length` or chunked).
    pub(crate) async fn reply(&mut self) -> Reply {
        let (status, headers) = self.head().await;
        let chunked = headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
        let body = if chunked {
            let mut body = Vec::new();
            while let Some(chunk) = self.chunk().await {
                body.extend_from_slice(&chunk);
            }
            body
        } else {
            let len = headers
                .iter()
                .find(|(n, _)| n == "content-length")
                .map_or(0, |(_, v)| v.parse().unwrap());
            self.exact(len).await
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// `method path` with `cookies` (one header) and a `Content-Length` body; the response.
    pub(crate) async fn send(
        &mut self,
        method: &str,
        path: &str,
        cookies: &[&str],
        body: &[u8],
    ) -> Reply {
        let mut request = head(method, path, cookies).into_bytes();
        request.extend_from_slice(format!("content-length: {}\r\n\r\n", body.len()).as_bytes());
        request.extend_from_slice(body);
        self.write(&request).await;
        self.reply().await
    }
}

/// A request head to `shop.example` with `User-Agent: FIREFOX` and `cookies` in one header,
/// its last line not ended (the caller adds the body's framing header and the blank line).
pub(crate) fn head(method: &str, path: &str, cookies: &[&str]) -> String {
    let mut head =
        format!("{method} {path} HTTP/1.1\r\nhost: shop.example\r\nuser-agent: {FIREFOX}\r\n");
    if !cookies.is_empty() {
        head.push_str(&format!("cookie: {}\r\n", cookies.join("; ")));
    }
    head
}

/// One request on a connection of its own.
pub(crate) async fn send(
    server: &Server,
    method: &str,
    path: &str,
    cookies: &[&str],
    body: &[u8],
) -> Reply {
    Connection::open(server)
        .await
        .send(method, path, cookies, body)
        .await
}
