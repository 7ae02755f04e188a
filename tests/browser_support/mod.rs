//! Headless Chromium through chromedriver, shared by the real-browser tests (`browser.rs`,
//! `browser_replay.rs`): finding the binaries (`CHROMIUM` and `CHROMEDRIVER` override them),
//! starting chromedriver on a free loopback port, a WebDriver session with a fresh profile, and
//! [`in_chromium`], which serves an axum app on `127.0.0.1` and runs a flow in the browser
//! bounded to 120 s. Without chromium or chromedriver a test fails naming what to install, unless the
//! run opted out with `TYPED_COOKIES_SKIP_PEERS=1` (testkit's `missing_peer`).

use std::future::IntoFuture;
use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

/// Kills and reaps chromedriver (and so its browsers) however the test ends.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `var` if set, else the first of `names` found on `PATH`.
fn locate(var: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(var) {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// A port free on loopback right now (the OS picks it; chromedriver binds it just after).
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free loopback port")
}

/// Starts chromedriver on a free loopback port; returns it once it says it is ready.
fn start_chromedriver(binary: &Path) -> (KillOnDrop, u16) {
    let port = free_port();
    let mut child = Command::new(binary)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
    let stdout = child.stdout.take().expect("piped stdout");
    let guard = KillOnDrop(child);
    let (ready_tx, ready_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut ready_tx = Some(ready_tx);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            eprintln!("chromedriver: {line}");
            if line.contains("started successfully") {
                if let Some(tx) = ready_tx.take() {
                    let _ = tx.send(());
                }
            }
        }
    });
    ready_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("chromedriver did not report being ready within 60 s");
    (guard, port)
}

async fn connect(port: u16, chromium: &Path, profile: &Path, extra_args: &[&str]) -> Client {
    let mut args = vec![
        "--headless".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-quic".into(),
        "--disable-dev-shm-usage".into(),
        format!("--user-data-dir={}", profile.display()),
    ];
    args.extend(extra_args.iter().map(|arg| arg.to_string()));
    let options = json!({ "binary": chromium, "args": args });
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("browserName".into(), json!("chrome"));
    capabilities.insert("goog:chromeOptions".into(), options);
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session with headless Chromium")
}

/// A fresh, empty directory for the browser profile, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let mut bytes = [0u8; 8];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
        let name: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let path = std::env::temp_dir().join(format!("typed-cookies-browser-{name}"));
        std::fs::create_dir(&path).expect("a temporary profile directory");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// chromedriver and chromium, or `None` (after saying why) when the test should be skipped.
fn browser_binaries(test: &str) -> Option<(PathBuf, PathBuf)> {
    let chromedriver = locate("CHROMEDRIVER", &["chromedriver"]);
    let chromium = locate("CHROMIUM", &["chromium", "chromium-browser"]);
    let (Some(chromedriver), Some(chromium)) = (chromedriver, chromium) else {
        let why = "chromedriver or chromium not found (apt-get install chromium chromium-driver, \
                   or set CHROMEDRIVER and CHROMIUM)";
        typed_cookies_testkit::missing_peer(test, why);
        return None;
    };
    Some((chromedriver, chromium))
}

/// Serves `app` on a free loopback port, starts Chromium (with `extra_args`) through
/// chromedriver, and runs `flow(browser, port)` bounded to 120 s (a stuck page fails the test
/// instead of hanging CI); the flow returns errors instead of panicking so the browser is closed
/// either way. Skips (or fails under `CI=true`) without a browser.
pub async fn in_chromium<F, Fut>(test: &str, app: axum::Router, extra_args: &[&str], flow: F)
where
    F: FnOnce(Client, u16) -> Fut,
    Fut: std::future::Future<Output = Result<(), Box<dyn std::error::Error>>>,
{
    let Some((chromedriver, chromium)) = browser_binaries(test) else {
        return;
    };
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(axum::serve(listener, app).into_future());

    let (_chromedriver, driver_port) = start_chromedriver(&chromedriver);
    let profile = TempDir::new();
    let browser = connect(driver_port, &chromium, &profile.0, extra_args).await;
    let outcome = tokio::time::timeout(Duration::from_secs(120), flow(browser.clone(), port))
        .await
        .unwrap_or_else(|_| Err("the browser flow took over 120 s".into()));
    let _ = browser.close().await;
    server.abort();
    if let Err(error) = outcome {
        panic!("browser flow failed: {error}");
    }
}
