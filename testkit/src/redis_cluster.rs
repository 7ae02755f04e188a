//! [`RedisCluster`]: a throwaway Redis Cluster on loopback (feature `redis`): six
//! `redis-server --cluster-enabled yes` processes on free ports, made into 3 primaries with one
//! replica each by `redis-cli --cluster create … --cluster-replicas 1 --cluster-yes`, for the
//! cluster tests of the revocation store.
//!
//! Nothing is waited for by sleeping: each server's readiness is read from its log, and the
//! cluster's (`cluster_state:ok` on every node, a failover finished) is polled with `redis-cli`
//! until a deadline. Every server runs under the same `sh` watchdog as
//! [`RedisServer`](crate::RedisServer)'s (killed when its standard input closes: on
//! [`kill`](RedisCluster::kill), on drop, or when the test process dies). A missing
//! `redis-server` or `redis-cli` goes through [`missing_peer`](crate::missing_peer): the test
//! fails naming what to install, unless the run opted out with `TYPED_COOKIES_SKIP_PEERS=1`
//! (never under `CI=true`).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use std::{fs, io, thread};

use crate::StartError;

/// How long the cluster may take to form, and a failover to finish.
const WITHIN: Duration = Duration::from_secs(30);
/// The pause between two polls of the cluster's state.
const POLL: Duration = Duration::from_millis(50);
/// `cluster-node-timeout`: how long a silent primary takes to be declared failed (Redis's
/// default, 15 s, would make a failover test slow).
pub const NODE_TIMEOUT: Duration = Duration::from_millis(1_000);

/// A running Redis Cluster of 3 primaries and 3 replicas on loopback, killed on drop.
///
/// ```no_run
/// use typed_cookies_testkit::redis_cluster::RedisCluster;
/// let Some(mut cluster) = RedisCluster::start_or_skip("my_test") else { return };
/// let urls = cluster.urls(); // every node, redis://127.0.0.1:PORT/
/// let primary = cluster.primary_of("some-key").unwrap();
/// cluster.kill(primary);
/// cluster.wait_for_failover(primary).unwrap(); // its replica now serves its slots
/// # let _ = urls;
/// ```
pub struct RedisCluster {
    /// Port → the watchdog of the server on it (`None` once killed).
    nodes: BTreeMap<u16, Option<Child>>,
    dir: PathBuf,
}

impl RedisCluster {
    /// Starts six servers and creates the cluster; returns once every node says
    /// `cluster_state:ok` and every replica is in sync with its primary.
    pub fn start() -> Result<Self, StartError> {
        for (binary, package) in [(server(), "redis-server"), (cli(), "redis-tools")] {
            present(&binary, package)?;
        }
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "typed-cookies-cluster-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).map_err(|e| StartError::Failed(format!("data dir: {e}")))?;
        let mut cluster = Self {
            nodes: BTreeMap::new(),
            dir,
        };
        // Twelve free ports: six for clients, six for the cluster bus (`cluster-port`; the
        // default, port + 10000, may be taken or beyond 65535).
        let listeners = (0..12)
            .map(|_| TcpListener::bind("127.0.0.1:0"))
            .collect::<io::Result<Vec<_>>>()
            .map_err(|e| StartError::Failed(format!("no free port: {e}")))?;
        let ports = listeners
            .iter()
            .map(|l| l.local_addr().map(|a| a.port()))
            .collect::<io::Result<Vec<_>>>()
            .map_err(|e| StartError::Failed(format!("no free port: {e}")))?;
        drop(listeners);
        for pair in ports.chunks(2) {
            let child = spawn(pair[0], pair[1], &cluster.dir)?;
            cluster.nodes.insert(pair[0], Some(child));
        }
        let mut create = Command::new(cli());
        create.arg("--cluster").arg("create");
        for port in cluster.nodes.keys() {
            create.arg(format!("127.0.0.1:{port}"));
        }
        let out = create
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| StartError::Failed(format!("redis-cli --cluster create: {e}")))?;
        if !out.status.success() {
            return Err(StartError::Failed(format!(
                "redis-cli --cluster create failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        cluster
            .wait_until(|c| Ok(c.is_ok()? && c.every_primary_has_its_replica_online()?))
            .map_err(|e| StartError::Failed(format!("the cluster did not form: {e}")))?;
        Ok(cluster)
    }

    /// [`start`](Self::start); when `redis-server` or `redis-cli` is missing, a panic naming
    /// what to install, or `None` (listed as skipped) if the run opted out with
    /// `TYPED_COOKIES_SKIP_PEERS=1` ([`missing_peer`](crate::missing_peer)).
    pub fn start_or_skip(test: &str) -> Option<Self> {
        match Self::start() {
            Ok(cluster) => Some(cluster),
            Err(StartError::Missing(why)) => {
                crate::missing_peer(test, &why);
                None
            }
            Err(e) => panic!("{test}: {e}"),
        }
    }

    /// `redis://127.0.0.1:PORT/` of every node, killed ones included.
    pub fn urls(&self) -> Vec<String> {
        self.nodes
            .keys()
            .map(|port| format!("redis://127.0.0.1:{port}/"))
            .collect()
    }

    /// The ports of the nodes still running.
    pub fn live(&self) -> Vec<u16> {
        self.nodes
            .iter()
            .filter(|(_, child)| child.is_some())
            .map(|(port, _)| *port)
            .collect()
    }

    /// `redis-cli -p PORT ARGS…` against one node: its output, or why it failed.
    pub fn cli(&self, port: u16, args: &[&str]) -> Result<String, String> {
        let out = Command::new(cli())
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("redis-cli: {e}"))?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.success() && !text.starts_with("ERR") {
            Ok(text)
        } else {
            Err(format!("{text}{}", String::from_utf8_lossy(&out.stderr)))
        }
    }

    /// Every node as a live node sees it (`CLUSTER NODES`).
    fn nodes_seen(&self) -> Result<Vec<NodeLine>, String> {
        let port = *self.live().first().ok_or("every node is down")?;
        Ok(self
            .cli(port, &["cluster", "nodes"])?
            .lines()
            .filter_map(NodeLine::parse)
            .collect())
    }

    /// The port of the primary serving `key`'s slot, as the cluster sees it now.
    pub fn primary_of(&self, key: &str) -> Result<u16, String> {
        let port = *self.live().first().ok_or("every node is down")?;
        let slot: u16 = self
            .cli(port, &["cluster", "keyslot", key])?
            .trim()
            .parse()
            .map_err(|e| format!("keyslot: {e}"))?;
        self.nodes_seen()?
            .into_iter()
            .find(|n| n.primary && !n.failed && n.slots.iter().any(|r| r.contains(&slot)))
            .map(|n| n.port)
            .ok_or_else(|| format!("no live primary serves slot {slot}"))
    }

    /// The port of the primary serving each of `keys`' slots (one `redis-cli` for the slots,
    /// one for the slot map). Keys may not contain whitespace or quotes.
    pub fn primaries_of(&self, keys: &[String]) -> Result<Vec<u16>, String> {
        let port = *self.live().first().ok_or("every node is down")?;
        let script: String = keys
            .iter()
            .map(|key| format!("cluster keyslot {key}\n"))
            .collect();
        let mut child = Command::new(cli())
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("redis-cli: {e}"))?;
        let mut stdin = child.stdin.take().ok_or("redis-cli: no stdin")?;
        let writer = thread::spawn(move || io::Write::write_all(&mut stdin, script.as_bytes()));
        let out = child
            .wait_with_output()
            .map_err(|e| format!("redis-cli: {e}"))?;
        let _ = writer.join();
        let nodes = self.nodes_seen()?;
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|line| {
                let slot: u16 = line
                    .trim()
                    .parse()
                    .map_err(|e| format!("keyslot {line:?}: {e}"))?;
                nodes
                    .iter()
                    .find(|n| n.primary && !n.failed && n.slots.iter().any(|r| r.contains(&slot)))
                    .map(|n| n.port)
                    .ok_or_else(|| format!("no live primary serves slot {slot}"))
            })
            .collect()
    }

    /// The ports of the replicas of the primary on `port`.
    pub fn replicas_of(&self, port: u16) -> Result<Vec<u16>, String> {
        let nodes = self.nodes_seen()?;
        let id = nodes
            .iter()
            .find(|n| n.port == port)
            .map(|n| n.id.clone())
            .ok_or_else(|| format!("no node on port {port}"))?;
        Ok(nodes
            .iter()
            .filter(|n| n.primary_id == id)
            .map(|n| n.port)
            .collect())
    }

    /// Kills the node on `port` (SIGKILL, like a crash) and reaps it.
    pub fn kill(&mut self, port: u16) {
        if let Some(child) = self.nodes.get_mut(&port).and_then(Option::take) {
            kill(child);
        }
    }

    /// Polls until the cluster has replaced the killed primary on `port`: the others flag it
    /// `fail`, a replica of it serves its slots, and every live node says `cluster_state:ok`.
    /// How long that takes depends on [`NODE_TIMEOUT`] (the failure detection) and the
    /// election; an error after 30 s.
    pub fn wait_for_failover(&self, port: u16) -> Result<(), String> {
        self.wait_until(|c| {
            let nodes = c.nodes_seen()?;
            let failed = nodes.iter().any(|n| n.port == port && n.failed);
            Ok(failed && c.is_ok()?)
        })
    }

    /// Whether every live node says `cluster_state:ok`, and every live replica has finished
    /// its initial copy and is connected to its primary (`master_link_status:up`): before
    /// that, a `WAIT` would count it out.
    fn is_ok(&self) -> Result<bool, String> {
        for port in self.live() {
            if !self
                .cli(port, &["cluster", "info"])?
                .contains("cluster_state:ok")
            {
                return Ok(false);
            }
            let replication = self.cli(port, &["info", "replication"])?;
            if replication.contains("role:slave") && !replication.contains("master_link_status:up")
            {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Whether every live primary lists one replica, `state=online` (`INFO replication`): a
    /// replica's own `master_link_status:up` can come before its primary counts it, and until
    /// then a `WAIT` right after the cluster formed answers "0 of 1".
    fn every_primary_has_its_replica_online(&self) -> Result<bool, String> {
        for port in self.live() {
            let replication = self.cli(port, &["info", "replication"])?;
            if replication.contains("role:master")
                && !(replication.contains("connected_slaves:1")
                    && replication.contains("state=online"))
            {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Polls `done` every [`POLL`] until it says `true`, or fails after [`WITHIN`] (with its
    /// last error, if any).
    fn wait_until(&self, done: impl Fn(&Self) -> Result<bool, String>) -> Result<(), String> {
        let deadline = Instant::now() + WITHIN;
        let mut last = String::from("not yet");
        while Instant::now() < deadline {
            match done(self) {
                Ok(true) => return Ok(()),
                Ok(false) => {}
                Err(e) => last = e,
            }
            thread::sleep(POLL);
        }
        Err(format!("still not done after {WITHIN:?}: {last}"))
    }
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for child in self.nodes.values_mut().filter_map(Option::take) {
            kill(child);
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// One line of `CLUSTER NODES`.
struct NodeLine {
    id: String,
    port: u16,
    primary: bool,
    failed: bool,
    primary_id: String,
    slots: Vec<std::ops::RangeInclusive<u16>>,
}

impl NodeLine {
    /// `<id> <ip:port@bus> <flags> <primary id|-> <ping> <pong> <epoch> <link> <slots…>`.
    fn parse(line: &str) -> Option<Self> {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let address = fields.get(1)?;
        let port = address
            .split('@')
            .next()?
            .rsplit(':')
            .next()?
            .parse()
            .ok()?;
        let flags: Vec<&str> = fields.get(2)?.split(',').collect();
        let slots = fields
            .iter()
            .skip(8)
            .filter(|s| !s.starts_with('['))
            .filter_map(|s| match s.split_once('-') {
                Some((a, b)) => Some(a.parse().ok()?..=b.parse().ok()?),
                None => s.parse().ok().map(|x| x..=x),
            })
            .collect();
        Some(Self {
            id: fields.first()?.to_string(),
            port,
            primary: flags.contains(&"master"),
            failed: flags.contains(&"fail"),
            primary_id: fields.get(3)?.to_string(),
            slots,
        })
    }
}

fn server() -> String {
    std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_owned())
}

fn cli() -> String {
    std::env::var("REDIS_CLI").unwrap_or_else(|_| "redis-cli".to_owned())
}

/// `binary --version` runs, else [`StartError::Missing`] naming the Debian package.
fn present(binary: &str, package: &str) -> Result<(), StartError> {
    match Command::new(binary)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(StartError::Missing(format!(
            "{binary} is not available ({e}); apt-get install {package}"
        ))),
        Err(e) => Err(StartError::Failed(format!(
            "running {binary} --version: {e}"
        ))),
    }
}

/// The watchdog of `redis.rs`: runs the server, waits for its own standard input to close,
/// then kills the server with SIGKILL.
const WATCHDOG: &str =
    r#""$0" "$@" & server=$!; exec >/dev/null; read -r _; kill -9 "$server"; wait "$server""#;

fn kill(mut child: Child) {
    drop(child.stdin.take());
    let _ = child.wait();
}

/// Starts one cluster-enabled server without persistence and returns once it is ready.
fn spawn(port: u16, bus: u16, dir: &Path) -> Result<Child, StartError> {
    let mut child = Command::new("sh")
        .args(["-c", WATCHDOG])
        .arg(server())
        .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
        .args([
            "--cluster-enabled",
            "yes",
            "--cluster-port",
            &bus.to_string(),
        ])
        .arg("--cluster-config-file")
        .arg(dir.join(format!("nodes-{port}.conf")))
        .args([
            "--cluster-node-timeout",
            &NODE_TIMEOUT.as_millis().to_string(),
        ])
        .arg("--dir")
        .arg(dir)
        .args(["--save", "", "--appendonly", "no"])
        .args(["--logfile", "", "--daemonize", "no"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| StartError::Failed(format!("spawning sh for {}: {e}", server())))?;
    let stdout = child.stdout.take().expect("piped stdout");
    let (lines, log) = mpsc::channel();
    // Drains the log for as long as the server runs; reports lines until the ready one.
    thread::spawn(move || {
        let mut reporting = true;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if reporting {
                reporting = !line.contains("Ready to accept connections");
                if lines.send(line).is_err() {
                    reporting = false;
                }
            }
        }
    });
    let deadline = Instant::now() + WITHIN;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match log.recv_timeout(left) {
            Ok(line) if line.contains("Ready to accept connections") => return Ok(child),
            Ok(line) => seen.push(line),
            Err(_) => {
                kill(child);
                return Err(StartError::Failed(format!(
                    "node on port {port} not ready; log:\n{}",
                    seen.join("\n")
                )));
            }
        }
    }
}
