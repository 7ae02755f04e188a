//! One-time claims under contention: exactly one winner per id, among threads of one process
//! (both stores) and between two processes sharing one Redis.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::{mpsc, Arc, Barrier};
use std::time::Duration;

use typed_cookies::store::{MemoryStore, RedisStore, RevocationStore, SessionId};
use typed_cookies_testkit::RedisServer;

use super::{connect, fresh, runtime, NOW};

const THREADS: usize = 16;
const IDS: usize = 64;

/// `THREADS` threads released together by a barrier claim each of `IDS` ids; returns how many
/// claims of each id succeeded.
fn race(store: Arc<dyn RevocationStore>, handle: tokio::runtime::Handle) -> Vec<usize> {
    let ns = Arc::new(fresh("race"));
    let ids: Arc<Vec<SessionId>> = Arc::new((0..IDS).map(|_| SessionId::generate()).collect());
    let barrier = Arc::new(Barrier::new(THREADS));
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let (store, handle, ns, ids, barrier) = (
                store.clone(),
                handle.clone(),
                ns.clone(),
                ids.clone(),
                barrier.clone(),
            );
            std::thread::spawn(move || {
                barrier.wait();
                ids.iter()
                    .map(|id| {
                        handle
                            .block_on(store.claim(&ns, *id, NOW + 100, NOW))
                            .expect("claim")
                    })
                    .collect::<Vec<bool>>()
            })
        })
        .collect();
    let mut wins = vec![0; IDS];
    for thread in threads {
        for (i, won) in thread.join().unwrap().into_iter().enumerate() {
            wins[i] += usize::from(won);
        }
    }
    wins
}

#[test]
fn memory_store_one_claim_wins_among_threads() {
    let rt = runtime();
    let wins = race(Arc::new(MemoryStore::new()), rt.handle().clone());
    assert_eq!(wins, vec![1; IDS]);
}

#[test]
fn redis_store_one_claim_wins_among_threads() {
    let Some(server) = RedisServer::start_or_skip("redis_store_one_claim_wins_among_threads")
    else {
        return;
    };
    let rt = runtime();
    let store = rt.block_on(connect(&server, Duration::from_secs(5)));
    let wins = race(Arc::new(store), rt.handle().clone());
    assert_eq!(wins, vec![1; IDS]);
}

/// Set in the child process of [`two_processes_one_winner_per_id`]: the Redis URL.
const CHILD_URL: &str = "TYPED_COOKIES_STORE_CHILD_URL";
/// The namespace both processes claim in.
const CHILD_NS: &str = "TYPED_COOKIES_STORE_CHILD_NS";
const SHARED_IDS: u8 = 200;

/// The ids both processes claim (the same list in each).
fn shared_ids() -> Vec<SessionId> {
    (0..SHARED_IDS)
        .map(|i| SessionId::from_bytes([i; 16]))
        .collect()
}

/// A store for one side of the race, connected before the start signal.
async fn racer(url: String) -> Arc<RedisStore> {
    Arc::new(
        RedisStore::builder(url)
            .timeout(Duration::from_secs(5))
            .build()
            .await
            .expect("connect"),
    )
}

/// Claims every shared id with 8 concurrent tasks over one store; the indexes it won.
async fn claim_all(store: Arc<RedisStore>, ns: String) -> Vec<usize> {
    let ns = Arc::new(ns);
    let tasks: Vec<_> = (0..8)
        .map(|task| {
            let (store, ns) = (store.clone(), ns.clone());
            tokio::spawn(async move {
                let mut won = Vec::new();
                // Each task walks the ids from its own offset, so claims of one id by the two
                // processes (and their tasks) meet at many different moments.
                for k in 0..usize::from(SHARED_IDS) {
                    let i = (k + task * 25) % usize::from(SHARED_IDS);
                    let id = shared_ids()[i];
                    if store.claim(&ns, id, NOW + 100, NOW).await.expect("claim") {
                        won.push(i);
                    }
                }
                won
            })
        })
        .collect();
    let mut won = Vec::new();
    for task in tasks {
        won.extend(task.await.unwrap());
    }
    won
}

/// The child's half of [`two_processes_one_winner_per_id`]; does nothing in a normal run.
/// Prints `CHILD-READY`, waits for a line on stdin, claims, prints `WON i` per id it won (on
/// their own lines; libtest may print `test … ` before the first).
#[test]
fn two_processes_child() {
    let (Ok(url), Ok(ns)) = (std::env::var(CHILD_URL), std::env::var(CHILD_NS)) else {
        return;
    };
    let rt = runtime();
    let store = rt.block_on(racer(url));
    println!("CHILD-READY");
    std::io::stdout().flush().unwrap();
    let mut go = String::new();
    std::io::stdin().read_line(&mut go).unwrap();
    for i in rt.block_on(claim_all(store, ns)) {
        println!("WON {i}");
    }
}

#[test]
fn two_processes_one_winner_per_id() {
    let Some(server) = RedisServer::start_or_skip("two_processes_one_winner_per_id") else {
        return;
    };
    let ns = fresh("two.processes");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["concurrency::two_processes_child", "--exact", "--nocapture"])
        .args(["--test-threads", "1"])
        .env(CHILD_URL, server.url())
        .env(CHILD_NS, &ns)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn the child test process");
    // The child's output, line by line, through a channel: every wait for it is bounded.
    let (tx, output) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let next_line = || output.recv_timeout(Duration::from_secs(60));
    let rt = runtime();
    let store = rt.block_on(racer(server.url()));
    loop {
        match next_line() {
            Ok(line) if line.ends_with("CHILD-READY") => break,
            Ok(_) => {}
            Err(e) => {
                let _ = child.kill();
                panic!("the child never said CHILD-READY: {e}");
            }
        }
    }
    // Both start claiming now.
    writeln!(child.stdin.take().unwrap(), "GO").unwrap();
    let mine = rt.block_on(claim_all(store, ns));
    let mut theirs: Vec<usize> = Vec::new();
    loop {
        match next_line() {
            Ok(line) => theirs.extend(
                line.strip_prefix("WON ")
                    .map(|i| i.parse::<usize>().unwrap()),
            ),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(e) => {
                let _ = child.kill();
                panic!("the child did not finish: {e}");
            }
        }
    }
    assert!(child.wait().unwrap().success(), "the child test failed");

    let mut wins = vec![0; usize::from(SHARED_IDS)];
    for &i in mine.iter().chain(&theirs) {
        wins[i] += 1;
    }
    assert_eq!(wins, vec![1; usize::from(SHARED_IDS)], "one winner per id");
    // Not a proof of interleaving, but a sign of it: each process won some ids. If one process
    // got everything, the race was not a race (printed, not asserted: scheduling decides).
    eprintln!(
        "two processes: {} ids won here, {} in the child",
        mine.len(),
        theirs.len()
    );
}
