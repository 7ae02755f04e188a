//! [`RedisServer`]: a throwaway Debian `redis-server` on a free loopback port, for the revocation
//! store's tests and benchmark (feature `redis`).
//!
//! Readiness is read from the server's log (its "Ready to accept connections" line), never
//! waited for by sleeping. The server runs under a small `sh` watchdog that kills it when its
//! standard input closes: on [`RedisServer::stop`], on drop, and when the test process dies
//! without dropping it (a killed `cargo test`), so no server outlives its test. When `redis-server` is not installed, [`RedisServer::start_or_skip`]
//! fails the test naming what to install, unless the run opted out with
//! `TYPED_COOKIES_SKIP_PEERS=1` ([`missing_peer`](crate::missing_peer): then it returns `None`,
//! listed as skipped; never under `CI=true`).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use std::{fmt, fs, io, thread};

/// How long a server may take to say it is ready.
const READY_WITHIN: Duration = Duration::from_secs(20);

/// The log line of a server ready for clients.
const READY: &str = "Ready to accept connections";

/// A running `redis-server` (under its watchdog), killed on drop.
///
/// ```no_run
/// use typed_cookies_testkit::RedisServer;
/// let Some(mut server) = RedisServer::start_or_skip("my_test") else { return };
/// let url = server.url(); // redis://127.0.0.1:PORT/
/// server.restart().unwrap(); // same port, same data directory
/// server.stop(); // killed, as by a crash
/// # let _ = url;
/// ```
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    /// The data directory of a persistent server, removed on drop.
    dir: Option<PathBuf>,
}

/// Why a server could not start.
#[derive(Debug)]
pub enum StartError {
    /// No `redis-server` binary (on `PATH`, or at `$REDIS_SERVER`).
    Missing(String),
    /// It started but did not become ready; the message ends with its log.
    Failed(String),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Missing(why) => write!(f, "redis-server is not available: {why}"),
            StartError::Failed(why) => write!(f, "redis-server did not start: {why}"),
        }
    }
}

impl std::error::Error for StartError {}

impl RedisServer {
    /// A server without persistence (`--save "" --appendonly no`): a restart loses everything.
    pub fn start() -> Result<Self, StartError> {
        Self::launch(None)
    }

    /// A server with an append-only file (`--appendonly yes --appendfsync always`) in a fresh
    /// temporary directory: what it acknowledged survives [`stop`](Self::stop) (a kill) and
    /// [`restart`](Self::restart). The directory is removed on drop.
    pub fn start_persistent() -> Result<Self, StartError> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "typed-cookies-redis-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).map_err(|e| StartError::Failed(format!("data dir: {e}")))?;
        Self::launch(Some(dir))
    }

    /// [`start`](Self::start); when `redis-server` is missing, a panic naming what to
    /// install, or `None` (listed as skipped) if the run opted out with
    /// `TYPED_COOKIES_SKIP_PEERS=1` ([`missing_peer`](crate::missing_peer)).
    pub fn start_or_skip(test: &str) -> Option<Self> {
        skip_if_missing(test, Self::start())
    }

    /// [`start_persistent`](Self::start_persistent), skipped like
    /// [`start_or_skip`](Self::start_or_skip).
    pub fn start_persistent_or_skip(test: &str) -> Option<Self> {
        skip_if_missing(test, Self::start_persistent())
    }

    /// `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// The loopback port it listens on (kept across restarts).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills the server (SIGKILL, like a crash) and reaps it; nothing happens if it is stopped.
    pub fn stop(&mut self) {
        if let Some(child) = self.child.take() {
            kill(child);
        }
    }

    /// Stops it if running and starts it again on the same port with the same options (a
    /// persistent server reloads its append-only file before it says it is ready).
    pub fn restart(&mut self) -> Result<(), StartError> {
        self.stop();
        self.child = Some(spawn(self.port, self.dir.as_deref())?);
        Ok(())
    }

    fn launch(dir: Option<PathBuf>) -> Result<Self, StartError> {
        // A free port can be taken between asking for it and the server binding it: retry.
        let mut last = None;
        for _ in 0..5 {
            let port = free_port().map_err(|e| StartError::Failed(format!("no free port: {e}")))?;
            match spawn(port, dir.as_deref()) {
                Ok(child) => {
                    return Ok(Self {
                        child: Some(child),
                        port,
                        dir,
                    })
                }
                Err(StartError::Failed(log)) if log.contains("Address already in use") => {
                    last = Some(StartError::Failed(log));
                }
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| StartError::Failed("no port".to_owned())))
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        if let Some(dir) = &self.dir {
            let _ = fs::remove_dir_all(dir);
        }
    }
}

fn skip_if_missing(test: &str, started: Result<RedisServer, StartError>) -> Option<RedisServer> {
    match started {
        Ok(server) => Some(server),
        Err(StartError::Missing(why)) => {
            crate::missing_peer(
                test,
                &format!("redis-server is not available ({why}); apt-get install redis-server"),
            );
            None
        }
        Err(e) => panic!("{test}: {e}"),
    }
}

fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The server binary: `$REDIS_SERVER`, else `redis-server` on `PATH`.
fn binary() -> String {
    std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_owned())
}

/// The watchdog: starts the server (`$0` with the arguments) in the background, hands it the
/// log on standard output and keeps none itself (so the log ends when the server exits), then
/// waits for its own standard input to close — `kill`, or the test process gone — and kills
/// the server with SIGKILL, as a crash would.
const WATCHDOG: &str =
    r#""$0" "$@" & server=$!; exec >/dev/null; read -r _; kill -9 "$server"; wait "$server""#;

/// Stops the watchdog's server (by closing the watchdog's standard input) and reaps both.
fn kill(mut child: Child) {
    drop(child.stdin.take());
    let _ = child.wait();
}

/// Starts the server and returns once its log says it is ready (or it failed).
fn spawn(port: u16, dir: Option<&Path>) -> Result<Child, StartError> {
    // `sh` always starts: ask the binary itself first, so a missing one is `Missing`.
    Command::new(binary())
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => StartError::Missing(format!("{}: {e}", binary())),
            _ => StartError::Failed(format!("running {} --version: {e}", binary())),
        })?;
    let mut command = Command::new("sh");
    command
        .args(["-c", WATCHDOG])
        .arg(binary())
        .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
        .args(["--save", "", "--logfile", "", "--daemonize", "no"]);
    match dir {
        Some(dir) => {
            command
                .arg("--dir")
                .arg(dir)
                .args(["--appendonly", "yes", "--appendfsync", "always"])
        }
        None => command.args(["--appendonly", "no"]),
    };
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| StartError::Failed(format!("spawning sh for {}: {e}", binary())))?;
    let stdout = child.stdout.take().expect("piped stdout");

    // A thread reads the log for as long as the server runs (so its pipe never fills up) and
    // reports each line until the ready one.
    let (lines, log) = mpsc::channel();
    thread::spawn(move || {
        let mut reporting = true;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if reporting {
                reporting = !line.contains(READY);
                if lines.send(line).is_err() {
                    reporting = false;
                }
            }
        }
    });

    let deadline = Instant::now() + READY_WITHIN;
    let mut seen = Vec::new();
    let failed = |child: Child, seen: &[String], why: &str| {
        kill(child);
        StartError::Failed(format!("{why}; log:\n{}", seen.join("\n")))
    };
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match log.recv_timeout(left) {
            Ok(line) if line.contains(READY) => return Ok(child),
            Ok(line) => seen.push(line),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                return Err(failed(child, &seen, "not ready in time"))
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(failed(child, &seen, "exited before it was ready"))
            }
        }
    }
}
