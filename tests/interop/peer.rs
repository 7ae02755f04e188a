//! The real peers of the interop tests: a Python or Node program (in this folder) that reads
//! one JSON request per line and answers one JSON line, started once per test and stopped
//! when the test ends. Without the interpreter or its packages a test fails, naming what to
//! install, unless the run opted out with `TYPED_COOKIES_SKIP_PEERS=1` (then it is listed as
//! skipped; never under `CI=true`).

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::Value;

/// A running peer; killed and reaped on drop.
pub struct Peer {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

/// What to install when a peer is missing.
pub const PYTHON_HINT: &str =
    "python3 with `pip install -r tests/interop/requirements.txt` (Django, Flask, itsdangerous)";
pub const NODE_HINT: &str = "node with `npm ci` in tests/interop/node (iron-session, @hapi/iron)";

impl Peer {
    /// Starts `tests/interop/<script>` with `program`; when it cannot run here, a panic
    /// naming what to install — or `None` (listed as skipped) if the run opted out with
    /// `TYPED_COOKIES_SKIP_PEERS=1` (testkit's `missing_peer`).
    pub fn start(test: &str, program: &str, script: &str, hint: &str) -> Option<Peer> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop");
        let spawned = Command::new(program)
            .arg(dir.join(script))
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn();
        let why = match spawned {
            Err(e) => format!("cannot run `{program}`: {e}"),
            Ok(mut child) => {
                let stdin = child.stdin.take().expect("piped stdin");
                let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
                let mut line = String::new();
                let _ = stdout.read_line(&mut line);
                let mut peer = Peer {
                    child,
                    stdin,
                    stdout,
                };
                match serde_json::from_str::<Value>(&line) {
                    Ok(v) if v["ready"] == true => return Some(peer),
                    Ok(v) => {
                        let _ = peer.child.kill();
                        format!("{script}: {}", v["missing"].as_str().unwrap_or("not ready"))
                    }
                    Err(_) => format!("{script} did not start (printed {line:?})"),
                }
            }
        };
        typed_cookies_testkit::missing_peer(test, &format!("{why}; install {hint}"));
        None
    }

    /// Sends one request, returns the answer.
    pub fn call(&mut self, request: Value) -> Value {
        let mut line = serde_json::to_string(&request).expect("request is JSON");
        line.push('\n');
        self.stdin
            .write_all(line.as_bytes())
            .expect("peer takes the request");
        self.stdin.flush().expect("peer takes the request");
        let mut answer = String::new();
        self.stdout.read_line(&mut answer).expect("peer answers");
        serde_json::from_str(&answer)
            .unwrap_or_else(|e| panic!("peer answered {answer:?} to {request}: {e}"))
    }

    /// Calls, and returns the string field `field` of the answer, panicking with the answer
    /// when it is not there (an error from the peer).
    pub fn value(&mut self, request: Value, field: &str) -> String {
        let answer = self.call(request.clone());
        answer[field]
            .as_str()
            .unwrap_or_else(|| panic!("peer answered {answer} to {request}"))
            .to_owned()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Flips one character of `value` at `at` (to another character of the same alphabet), as a
/// changed byte in transit would.
pub fn flip(value: &str, at: usize) -> String {
    let mut bytes = value.as_bytes().to_vec();
    bytes[at] = match bytes[at] {
        b'A' => b'B',
        b'0' => b'1',
        b'a' => b'b',
        _ => b'A',
    };
    String::from_utf8(bytes).expect("ASCII")
}

/// Every value made from `value` by one small change: each byte replaced, deleted, doubled;
/// truncations; separators and junk appended. For "bad input never panics" sweeps.
pub fn mutations(value: &str) -> Vec<String> {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    for i in 0..bytes.len() {
        for replacement in [b'A', b'.', b':', b'*', b'~', 0xff] {
            let mut m = bytes.to_vec();
            m[i] = replacement;
            out.push(String::from_utf8_lossy(&m).into_owned());
        }
        let mut m = bytes.to_vec();
        m.remove(i);
        out.push(String::from_utf8_lossy(&m).into_owned());
        out.push(String::from_utf8_lossy(&bytes[..i]).into_owned());
    }
    for tail in [".", ":", "*", "~2", "~3", "A", ".eJw", "*1*"] {
        out.push(format!("{value}{tail}"));
        out.push(format!("{tail}{value}"));
    }
    out.push("x".repeat(5000));
    out
}
