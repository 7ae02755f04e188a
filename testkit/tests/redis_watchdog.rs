//! A [`RedisServer`] never outlives its test process, even one that dies without dropping it
//! (a killed `cargo test`): the test runs itself again as a child that starts a server, prints
//! its port and kills itself with SIGKILL, then checks the port stops answering.
#![cfg(feature = "redis")]

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use typed_cookies_testkit::RedisServer;

const TEST: &str = "a_server_dies_with_a_test_process_that_aborts";
const CHILD: &str = "TYPED_COOKIES_WATCHDOG_CHILD";

#[test]
fn a_server_dies_with_a_test_process_that_aborts() {
    if std::env::var_os(CHILD).is_some() {
        let server = RedisServer::start_or_skip(TEST);
        match &server {
            Some(server) => println!("PORT {}", server.port()),
            None => println!("SKIP"),
        }
        // No drop, no cleanup: as a CI timeout or `kill -9` would end it.
        let _ = Command::new("kill")
            .args(["-9", &std::process::id().to_string()])
            .status();
        std::process::abort();
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let (mut port, mut skipped) = (None, false);
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        // libtest writes `test NAME ... ` first, on the same line.
        let line = line.unwrap();
        skipped |= line.ends_with("SKIP");
        if let Some((_, p)) = line.split_once("PORT ") {
            port = Some(p.trim().parse::<u16>().unwrap());
        }
    }
    // The child has exited (its output ended), killed; its server answered before it was.
    let status = child.wait().unwrap();
    assert!(!status.success(), "the child was killed: {status}");
    if skipped {
        return;
    }
    let port = port.expect("the child started a server");
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(
            Instant::now() < deadline,
            "redis-server on port {port} outlived the test process"
        );
        std::thread::yield_now();
    }
}
