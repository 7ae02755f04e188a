//! Attacks on the near cache over a real `redis-server` (review R28, issue 28). Findings are
//! `#[ignore = "finding: …"]` tests that fail today; the others are what held.
//!
//! - A feed that dies without saying so (its runtime shut down) leaves the cache live, with
//!   nothing listening for invalidations (finding).
//! - Forged messages from any client that can `PUBLISH` only drop answers; messages of another
//!   prefix or database never change one; a revocation written without a message (an older
//!   server, a hand edit) is seen within `max_age` whatever the passed clock does; subjects
//!   holding the separator, newlines or 100 kB are invalidated exactly; a durable revoke or
//!   sign-out through the cache reports `NotReplicated` and is refused at once; a forged or
//!   tampered cookie never reaches the cache; a subscriber node that stalls on a cluster
//!   (connected, silent) delays a revocation by no more than `max_age` (held).

use std::process::Command;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use typed_cookies::guard::{ClientContext, Guard, SignOutError};
use typed_cookies::store::{NearCache, NotReplicated, RedisStore, RevocationStore, SessionId};
use typed_cookies::{Key, KeyRing, OpenError, SealedCookie};
use typed_cookies_testkit::redis_cluster::RedisCluster;
use typed_cookies_testkit::RedisServer;

use super::{admin, fresh, near, plain, runtime, until, NOW};

#[derive(Serialize, Deserialize, SealedCookie)]
#[cookie(
    name = "__Host-near-attack",
    salt = "tests.near_cache.attacks.session.v1",
    max_age = "8h",
    encrypt,
    revocable
)]
struct Session {
    user: String,
}

/// The channel every store of the default prefix publishes to.
const CHANNEL: &str = "typed-cookies:invalidate";

/// The single-server revocation key of `id` in `ns` (redis/keys.rs).
fn revocation_key(ns: &str, id: SessionId) -> String {
    format!("typed-cookies:rev:{}:{ns}:{id}", ns.len())
}

#[test]
fn a_feed_that_dies_with_its_runtime_takes_the_cache_down_with_it() {
    let Some(server) = RedisServer::start_or_skip(
        "a_feed_that_dies_with_its_runtime_takes_the_cache_down_with_it",
    ) else {
        return;
    };
    let url = server.url();
    let ns = fresh("tests.near_cache.attacks.runtime");
    let id = SessionId::generate();
    // Built (and used) on a runtime that then shuts down, as a set-up runtime would.
    let setup = runtime();
    let b = setup.block_on(async {
        let b = near(&url, NearCache::new()).await;
        b.status(&ns, id, None, NOW).await.unwrap();
        b.status(&ns, id, None, NOW).await.unwrap();
        assert_eq!(b.stats().hits, 1);
        b
    });
    drop(setup);
    // The feed task is gone: no subscriber reads the channel any more.
    let stats = b.stats();
    assert!(
        !stats.live && stats.entries == 0,
        "no feed, yet the cache still answers: {stats:?}"
    );
}

#[test]
fn forged_messages_only_drop_answers_never_add_or_keep_a_wrong_one() {
    let Some(server) = RedisServer::start_or_skip(
        "forged_messages_only_drop_answers_never_add_or_keep_a_wrong_one",
    ) else {
        return;
    };
    runtime().block_on(async {
        let url = server.url();
        let (a, b) = (plain(&url).await, near(&url, NearCache::new()).await);
        let mut forger = admin(&server).await;
        let ns = fresh("tests.near_cache.attacks.forged");
        let (live, revoked) = (SessionId::generate(), SessionId::generate());
        let subject = fresh("alice");
        a.revoke(&ns, revoked, NOW + 60, NOW).await.unwrap();
        let epoch = a.bump_epoch(&subject, NOW).await.unwrap();
        let hex = live.to_string();
        let forged: Vec<Vec<u8>> = vec![
            format!("s:{live}").into_bytes(),
            format!("s:{revoked}").into_bytes(),
            format!("e:{subject}").into_bytes(),
            format!("s:{}", hex.to_uppercase()).into_bytes(),
            format!("s:{hex}0").into_bytes(),
            b"e:someone-else".to_vec(),
            b"e:\xff\xfe".to_vec(),
            b"".to_vec(),
            b"s:".to_vec(),
            b"garbage".to_vec(),
            vec![b'e'; 100_000],
        ];
        for message in forged {
            // Both answers cached (and right) before the forged message.
            for _ in 0..2 {
                let l = b.status(&ns, live, Some(&subject), NOW).await.unwrap();
                let r = b.status(&ns, revoked, Some(&subject), NOW).await.unwrap();
                assert!(!l.revoked && r.revoked && l.epoch == epoch && r.epoch == epoch);
            }
            let before = b.stats();
            let _: i64 = ::redis::cmd("PUBLISH")
                .arg(CHANNEL)
                .arg(&message)
                .query_async(&mut forger)
                .await
                .unwrap();
            until("B receives the forged message", || {
                b.stats().invalidations > before.invalidations
            })
            .await;
            let after = b.stats();
            assert!(
                after.entries <= before.entries,
                "a message added entries: {before:?} → {after:?}"
            );
            let l = b.status(&ns, live, Some(&subject), NOW).await.unwrap();
            let r = b.status(&ns, revoked, Some(&subject), NOW).await.unwrap();
            assert!(
                !l.revoked && r.revoked && l.epoch == epoch && r.epoch == epoch,
                "{:?}",
                String::from_utf8_lossy(&message[..message.len().min(40)])
            );
        }
    });
}

#[test]
fn another_prefix_or_database_never_changes_an_answer() {
    let Some(server) =
        RedisServer::start_or_skip("another_prefix_or_database_never_changes_an_answer")
    else {
        return;
    };
    runtime().block_on(async {
        let url = server.url();
        let b = near(&url, NearCache::new()).await;
        let own = plain(&url).await;
        let other_prefix = RedisStore::builder(&url)
            .prefix("other")
            .build()
            .await
            .unwrap();
        let other_db = plain(&format!("{url}1")).await;
        let ns = fresh("tests.near_cache.attacks.prefix");
        let id = SessionId::generate();
        b.status(&ns, id, None, NOW).await.unwrap();

        // Another prefix revokes the same id in its own key space: B's channel stays silent
        // (the unrelated revocation after it, on B's channel, comes first and alone).
        other_prefix.revoke(&ns, id, NOW + 60, NOW).await.unwrap();
        let before = b.stats().invalidations;
        own.revoke(&ns, SessionId::generate(), NOW + 60, NOW)
            .await
            .unwrap();
        until("B hears its own prefix", || {
            b.stats().invalidations > before
        })
        .await;
        assert_eq!(b.stats().invalidations, before + 1);
        assert!(!b.status(&ns, id, None, NOW).await.unwrap().revoked);

        // Another database with the same prefix: pub/sub is server-wide, so B hears it and
        // drops the entry; the answer read again is its own database's.
        let before = b.stats().invalidations;
        other_db.revoke(&ns, id, NOW + 60, NOW).await.unwrap();
        until("B hears the other database", || {
            b.stats().invalidations > before
        })
        .await;
        assert!(!b.status(&ns, id, None, NOW).await.unwrap().revoked);
        assert!(!b.status(&ns, id, None, NOW).await.unwrap().revoked);
    });
}

#[test]
fn a_revocation_written_without_a_message_is_seen_within_max_age_whatever_the_clock() {
    let Some(server) = RedisServer::start_or_skip(
        "a_revocation_written_without_a_message_is_seen_within_max_age_whatever_the_clock",
    ) else {
        return;
    };
    runtime().block_on(async {
        let url = server.url();
        let reference = plain(&url).await;
        let mut hand = admin(&server).await;
        let ns = fresh("tests.near_cache.attacks.silent");
        for max_age in [1_i64, 3] {
            let b = near(
                &url,
                NearCache::new().max_age(Duration::from_secs(max_age as u64)),
            )
            .await;
            for later in [max_age, -1, 1_000_000, i64::MAX - NOW, i64::MIN / 2] {
                let (id, subject) = (SessionId::generate(), fresh("silent"));
                b.status(&ns, id, Some(&subject), NOW).await.unwrap();
                // An older server (or a hand edit) writes without publishing.
                ::redis::pipe()
                    .cmd("SET")
                    .arg(revocation_key(&ns, id))
                    .arg(NOW + 60)
                    .cmd("SET")
                    .arg(format!("typed-cookies:epoch:{}:{subject}", subject.len()))
                    .arg(9_000_000_000_000_000_i64)
                    .query_async::<()>(&mut hand)
                    .await
                    .unwrap();
                // Within the bound the cached answer may stand (the documented window)…
                let stale = b.status(&ns, id, Some(&subject), NOW + max_age - 1).await;
                assert!(
                    !stale.unwrap().revoked,
                    "served from the cache within max_age"
                );
                // …past it, or on a clock that moved back or jumped, the store's answer.
                let now = NOW.saturating_add(later);
                assert_eq!(
                    b.status(&ns, id, Some(&subject), now).await.unwrap(),
                    reference
                        .status(&ns, id, Some(&subject), now)
                        .await
                        .unwrap(),
                    "max_age {max_age}, now {now}"
                );
            }
        }
    });
}

#[test]
fn subjects_with_separators_newlines_or_great_length_are_invalidated_exactly() {
    let Some(server) = RedisServer::start_or_skip(
        "subjects_with_separators_newlines_or_great_length_are_invalidated_exactly",
    ) else {
        return;
    };
    runtime().block_on(async {
        let url = server.url();
        let (a, b) = (plain(&url).await, near(&url, NearCache::new()).await);
        let ns = fresh("tests.near_cache.attacks.subjects");
        let tag = fresh("s");
        let subjects: Vec<String> = [
            "a:b",
            "e:x",
            "s:",
            ":",
            "e:",
            "line\nbreak",
            "\r\n",
            "ünï{}",
            "\0",
        ]
        .iter()
        .map(|s| format!("{s}{tag}"))
        .chain([
            format!("s:{}", SessionId::generate()),
            "x".repeat(100_000) + &tag,
        ])
        .collect();
        let sessions: Vec<SessionId> = subjects.iter().map(|_| SessionId::generate()).collect();
        for (subject, id) in subjects.iter().zip(&sessions) {
            b.status(&ns, *id, Some(subject), NOW).await.unwrap();
        }
        for (n, (subject, id)) in subjects.iter().zip(&sessions).enumerate() {
            let before = b.stats().invalidations;
            let epoch = a.bump_epoch(subject, NOW).await.unwrap();
            until("B hears the sign-out", || b.stats().invalidations > before).await;
            assert_eq!(
                b.status(&ns, *id, Some(subject), NOW).await.unwrap().epoch,
                epoch,
                "subject {n} signed out"
            );
            // The subjects not yet signed out are still answered from the cache, at epoch 0.
            for (other, other_id) in subjects.iter().zip(&sessions).skip(n + 1) {
                let hits = b.stats().hits;
                let status = b.status(&ns, *other_id, Some(other), NOW).await.unwrap();
                assert_eq!(status.epoch, 0);
                assert_eq!(
                    b.stats().hits,
                    hits + 1,
                    "subject {n}'s message dropped another"
                );
            }
        }
    });
}

#[test]
fn a_durable_revoke_or_sign_out_through_the_cache_is_typed_and_refused_at_once() {
    let Some(server) = RedisServer::start_or_skip(
        "a_durable_revoke_or_sign_out_through_the_cache_is_typed_and_refused_at_once",
    ) else {
        return;
    };
    runtime().block_on(async {
        let store = RedisStore::builder(server.url())
            .wait_for_replicas(1, Duration::from_millis(20))
            .build_near_cached(NearCache::new())
            .await
            .unwrap();
        assert!(store.stats().live);
        let guard = Guard::new(store.clone());
        let (keys, ctx) = (KeyRing::new(Key::generate()), ClientContext::new());
        let subject = fresh("user:carol");
        let session = Session {
            user: "carol".into(),
        };
        let lonely = Some(NotReplicated {
            acknowledged: 0,
            wanted: 1,
        });

        let issued = guard
            .issue(&keys, &session, Some(&subject), &ctx)
            .await
            .unwrap();
        let opened = guard
            .open::<Session>(&keys, issued.value(), &ctx)
            .await
            .unwrap();
        guard
            .open::<Session>(&keys, issued.value(), &ctx)
            .await
            .unwrap();
        let hits = store.stats().hits;
        assert!(hits >= 1, "the second open was a cache hit");
        let error = guard.revoke(&keys, opened.opened()).await.unwrap_err();
        assert_eq!(error.not_replicated(), lonely, "{error}");
        let refused = guard
            .open::<Session>(&keys, issued.value(), &ctx)
            .await
            .err();
        assert_eq!(refused, Some(OpenError::Revoked));

        let issued = guard
            .issue(&keys, &session, Some(&subject), &ctx)
            .await
            .unwrap();
        guard
            .open::<Session>(&keys, issued.value(), &ctx)
            .await
            .unwrap();
        guard
            .open::<Session>(&keys, issued.value(), &ctx)
            .await
            .unwrap();
        match guard.sign_out_everywhere(&keys, &subject).await {
            Err(SignOutError::Store(error)) => assert_eq!(error.not_replicated(), lonely),
            other => panic!("expected NotReplicated, got {other:?}"),
        }
        let refused = guard
            .open::<Session>(&keys, issued.value(), &ctx)
            .await
            .err();
        assert_eq!(refused, Some(OpenError::Revoked));
    });
}

#[test]
fn forged_or_tampered_cookies_never_reach_the_cache() {
    let Some(server) =
        RedisServer::start_or_skip("forged_or_tampered_cookies_never_reach_the_cache")
    else {
        return;
    };
    runtime().block_on(async {
        let store = near(&server.url(), NearCache::new().capacity(4)).await;
        let guard = Guard::new(store.clone());
        let (keys, ctx) = (KeyRing::new(Key::generate()), ClientContext::new());
        let issued = guard
            .issue(
                &keys,
                &Session { user: "dan".into() },
                Some("user:dan"),
                &ctx,
            )
            .await
            .unwrap();
        let before = store.stats();
        let value = issued.value().to_owned();
        let mut forged: Vec<String> = (0..value.len())
            .step_by(3)
            .map(|at| {
                let mut bytes = value.clone().into_bytes();
                bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
                String::from_utf8(bytes).unwrap()
            })
            .collect();
        forged.extend(["", "x", "AAAA", &"A".repeat(4_000)].map(String::from));
        let other = KeyRing::new(Key::generate());
        let foreign = Guard::new(typed_cookies::store::MemoryStore::new())
            .issue(
                &other,
                &Session { user: "eve".into() },
                Some("user:dan"),
                &ctx,
            )
            .await
            .unwrap();
        forged.push(foreign.value().to_owned());
        for value in &forged {
            assert!(guard.open::<Session>(&keys, value, &ctx).await.is_err());
        }
        let after = store.stats();
        assert_eq!(
            (after.hits, after.misses, after.uncached, after.entries),
            (before.hits, before.misses, before.uncached, before.entries),
            "an unauthenticated value reached the cache"
        );
    });
}

/// A node's process, stopped with `SIGSTOP` until this is dropped.
struct Frozen(String);

impl Frozen {
    fn node(cluster: &RedisCluster, port: u16) -> Self {
        let info = cluster.cli(port, &["info", "server"]).unwrap();
        let pid = info
            .lines()
            .find_map(|line| line.strip_prefix("process_id:"))
            .expect("process_id in INFO server")
            .trim()
            .to_owned();
        let status = Command::new("kill").args(["-STOP", &pid]).status().unwrap();
        assert!(status.success(), "SIGSTOP {pid}");
        Self(pid)
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-CONT", &self.0]).status();
    }
}

#[test]
fn a_silent_subscriber_node_on_a_cluster_delays_a_revocation_by_max_age_at_most() {
    let Some(cluster) = RedisCluster::start_or_skip(
        "a_silent_subscriber_node_on_a_cluster_delays_a_revocation_by_max_age_at_most",
    ) else {
        return;
    };
    runtime().block_on(async {
        let a = RedisStore::cluster_builder(cluster.urls())
            .build()
            .await
            .unwrap();
        // B's feed subscribes on the first node it is given: a replica.
        let replica = cluster
            .replicas_of(cluster.primary_of("anything").unwrap())
            .unwrap()[0];
        let mut urls = vec![format!("redis://127.0.0.1:{replica}/")];
        urls.extend(cluster.urls());
        let b = RedisStore::cluster_builder(urls)
            .timeout(Duration::from_secs(2))
            .build_near_cached(NearCache::new())
            .await
            .unwrap();
        assert!(b.stats().live);
        let ns = fresh("tests.near_cache.attacks.stalled");
        let id = SessionId::generate();
        b.status(&ns, id, None, NOW).await.unwrap();

        // The subscriber's node stops answering, its connection open: messages are lost
        // while the channel looks live.
        let frozen = Frozen::node(&cluster, replica);
        a.revoke(&ns, id, NOW + 60, NOW).await.unwrap();
        assert!(!b.status(&ns, id, None, NOW).await.unwrap().revoked);
        assert!(b.stats().live, "a silent connection is not noticed");
        // The age bound still holds.
        assert!(b.status(&ns, id, None, NOW + 1).await.unwrap().revoked);
        drop(frozen);
    });
}

#[test]
fn hostile_values_in_redis_are_refused_without_echo_and_never_cached() {
    let Some(server) = RedisServer::start_or_skip(
        "hostile_values_in_redis_are_refused_without_echo_and_never_cached",
    ) else {
        return;
    };
    runtime().block_on(async {
        let b = near(&server.url(), NearCache::new()).await;
        let mut hand = admin(&server).await;
        let ns = fresh("tests.near_cache.attacks.hostile");
        let subject = fresh("mallory");
        let epoch_key = format!("typed-cookies:epoch:{}:{subject}", subject.len());
        for value in ["secret-abc", "1e99", "99999999999999999999999", "12 secret"] {
            let id = SessionId::generate();
            for (key, with_subject) in [
                (revocation_key(&ns, id), None),
                (epoch_key.clone(), Some(subject.as_str())),
            ] {
                let _: () = ::redis::cmd("SET")
                    .arg(&key)
                    .arg(value)
                    .query_async(&mut hand)
                    .await
                    .unwrap();
                let entries = b.stats().entries;
                match b.status(&ns, id, with_subject, NOW).await {
                    Ok(status) => panic!("{value:?} in {key} read as {status:?}"),
                    Err(error) => {
                        let text = format!("{error} {error:?}");
                        assert!(!text.contains("secret") && !text.contains(&ns), "{text}");
                    }
                }
                assert_eq!(b.stats().entries, entries, "an error was cached");
                let _: () = ::redis::cmd("DEL")
                    .arg(&key)
                    .query_async(&mut hand)
                    .await
                    .unwrap();
            }
        }
    });
}

#[test]
fn a_reconnect_storm_never_loses_a_revocation_while_the_channel_looks_live() {
    const TRIALS: usize = 300;
    let Some(server) = RedisServer::start_or_skip(
        "a_reconnect_storm_never_loses_a_revocation_while_the_channel_looks_live",
    ) else {
        return;
    };
    runtime().block_on(async {
        let url = server.url();
        let (a, b) = (plain(&url).await, near(&url, NearCache::new()).await);
        let mut killer = admin(&server).await;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        // Kills B's subscriber whenever it is back, after a varying number of yields, so
        // that kills land before, during and after revocations and cached reads.
        let storm = tokio::spawn({
            let (stop, b) = (stop.clone(), b.clone());
            async move {
                let mut kills = 0_u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    if !b.stats().live {
                        tokio::task::yield_now().await;
                        continue;
                    }
                    for _ in 0..(kills * 7) % 61 {
                        tokio::task::yield_now().await;
                    }
                    kills += ::redis::cmd("CLIENT")
                        .arg(&["KILL", "TYPE", "pubsub"])
                        .query_async::<u64>(&mut killer)
                        .await
                        .unwrap();
                }
                kills
            }
        });
        let ns = fresh("tests.near_cache.attacks.storm");
        for _ in 0..TRIALS {
            let id = SessionId::generate();
            b.status(&ns, id, None, NOW).await.unwrap();
            b.status(&ns, id, None, NOW).await.unwrap();
            a.revoke(&ns, id, NOW + 60, NOW).await.unwrap();
            // `now` never moves: only a message or a flush can make B see it.
            let started = std::time::Instant::now();
            while !b.status(&ns, id, None, NOW).await.unwrap().revoked {
                assert!(
                    started.elapsed() < super::DEADLINE,
                    "a revocation was lost in the storm: {:?}",
                    b.stats()
                );
                tokio::task::yield_now().await;
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let kills = storm.await.unwrap();
        assert!(kills > 0, "the storm killed subscribers");
        println!(
            "reconnect storm: {kills} subscribers killed, {:?}",
            b.stats()
        );
    });
}
