//! Two app servers (two guards, each over its own cluster connection) and one cluster: a
//! sign-out on one is refused on the other, a sign-out everywhere ends the other's sessions,
//! replay nonces rotate across both, and a one-time token opens once across both (testkit's
//! fleet scenarios, shared with `tests/store/guard.rs`).

use std::time::Duration;

use typed_cookies::guard::Guard;
use typed_cookies::{Key, KeyRing};
use typed_cookies_testkit::redis_cluster::RedisCluster;
use typed_cookies_testkit::redis_store::{
    connect_cluster_moving_time, fleet_shares_sign_outs_epochs_and_replay_nonces,
    one_time_token_opens_once_across,
};

use super::runtime;

/// An app server's guard: its own connection to the cluster; the replay grace window on the
/// ring's clock (the test moves it).
async fn app_server(cluster: &RedisCluster) -> Guard {
    Guard::new(connect_cluster_moving_time(cluster, Duration::from_secs(2)).await)
}

#[test]
fn two_app_servers_share_sign_outs_epochs_and_replay_nonces_on_a_cluster() {
    let Some(cluster) = RedisCluster::start_or_skip(
        "two_app_servers_share_sign_outs_epochs_and_replay_nonces_on_a_cluster",
    ) else {
        return;
    };
    runtime().block_on(async {
        let keys = KeyRing::new(Key::generate());
        let (a, b) = (app_server(&cluster).await, app_server(&cluster).await);
        // Many sessions, so that their entries land on every primary.
        fleet_shares_sign_outs_epochs_and_replay_nonces(&a, &b, &keys, 12).await;
    });
}

#[test]
fn a_one_time_token_opens_once_across_app_servers_on_a_cluster() {
    let Some(cluster) =
        RedisCluster::start_or_skip("a_one_time_token_opens_once_across_app_servers_on_a_cluster")
    else {
        return;
    };
    runtime().block_on(async {
        let keys = KeyRing::new(Key::generate());
        let (a, b) = (app_server(&cluster).await, app_server(&cluster).await);
        // Many tokens, so that their claims land on every primary.
        one_time_token_opens_once_across(&a, &b, &keys, 12).await;
    });
}
