//! `typed_cookies::interop::iron` against the real @hapi/iron 7 and iron-session 8
//! (`tests/interop/node/peer.mjs`): seals made there open here and the other way round, with
//! password ids, rotation and `ttl`; a changed byte, a wrong password, an expired seal and a
//! retired password id get the same verdict on both sides.

use crate::peer::{flip, mutations, Peer, NODE_HINT};
use crate::{at, NOW};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use typed_cookies::interop::iron;
use typed_cookies::time::Duration;
use typed_cookies::OpenError;

const NOW_MS: i64 = NOW * 1000;
const PW1: &str = "first_password_that_is_at_least_32_characters";
const PW2: &str = "second_password_that_is_at_least_32_characters";

fn node(test: &str) -> Option<Peer> {
    Peer::start(test, "node", "node/peer.mjs", NODE_HINT)
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Session {
    user: String,
    admin: bool,
    visits: u32,
}

fn session() -> Session {
    Session {
        user: "ada ✓".into(),
        admin: false,
        visits: 3,
    }
}

#[test]
fn iron_seals_both_ways() {
    let Some(mut js) = node("iron_seals_both_ways") else {
        return;
    };
    // Plain password, no ttl.
    let theirs = js.value(
        json!({"op": "seal", "obj": session(), "password": PW1, "now": NOW_MS}),
        "value",
    );
    let plain = iron::Sealer::new(PW1).unwrap().clock(at(NOW));
    assert_eq!(plain.open::<Session>(&theirs).unwrap(), session());
    let ours = plain.seal(&session()).unwrap();
    let back = js.call(json!({"op": "unseal", "value": ours, "password": PW1, "now": NOW_MS}));
    assert_eq!(
        back["obj"],
        serde_json::to_value(session()).unwrap(),
        "{back}"
    );

    // Password ids and ttl.
    let theirs = js.value(
        json!({"op": "seal", "obj": session(), "password": {"id": "k2", "secret": PW2},
               "ttl_ms": 60_000, "now": NOW_MS}),
        "value",
    );
    assert!(theirs.starts_with("Fe26.2*k2*") && theirs.contains(&format!("*{}*", NOW_MS + 60_000)));
    let rotating = iron::Sealer::with_id("k2", PW2)
        .unwrap()
        .fallback("k1", PW1)
        .unwrap()
        .ttl(Duration::minutes(1))
        .clock(at(NOW + 30));
    assert_eq!(rotating.open::<Session>(&theirs).unwrap(), session());
    let ours = rotating.seal(&session()).unwrap();
    assert!(ours.starts_with("Fe26.2*k2*"));
    let map = json!({"k1": PW1, "k2": PW2});
    let back =
        js.call(json!({"op": "unseal", "value": ours, "password": map, "now": NOW_MS + 30_000}));
    assert_eq!(
        back["obj"],
        serde_json::to_value(session()).unwrap(),
        "{back}"
    );
    // A seal under the retired id k1 still opens on both sides.
    let old = iron::Sealer::with_id("k1", PW1)
        .unwrap()
        .clock(at(NOW))
        .seal(&session())
        .unwrap();
    let back = js.call(json!({"op": "unseal", "value": old, "password": map, "now": NOW_MS}));
    assert_eq!(
        back["obj"],
        serde_json::to_value(session()).unwrap(),
        "{back}"
    );
    assert_eq!(rotating.open::<Session>(&old).unwrap(), session());
}

#[test]
fn iron_verdicts_agree() {
    let Some(mut js) = node("iron_verdicts_agree") else {
        return;
    };
    let theirs = js.value(
        json!({"op": "seal", "obj": {"a": 1}, "password": {"id": "k1", "secret": PW1},
               "ttl_ms": 3_600_000, "now": NOW_MS}),
        "value",
    );
    let ours = iron::Sealer::with_id("k1", PW1)
        .unwrap()
        .ttl(Duration::hours(1))
        .clock(at(NOW))
        .seal(&json!({"a": 1}))
        .unwrap();
    let verdict = |js: &mut Peer, value: &str, password: Value, ours: &iron::Sealer, now: i64| {
        let answer = js
            .call(json!({"op": "unseal", "value": value, "password": password, "now": now * 1000}));
        let theirs = answer["error"].as_str().unwrap_or("ok").to_owned();
        let ours = match ours.clone().clock(at(now)).open::<Value>(value) {
            Ok(v) => {
                assert_eq!(v, answer["obj"]);
                "ok".to_owned()
            }
            Err(e) => format!("{e:?}"),
        };
        (theirs, ours)
    };
    let k1 = iron::Sealer::with_id("k1", PW1).unwrap();
    let map = json!({"k1": PW1});
    for value in [&theirs, &ours] {
        assert_eq!(
            verdict(&mut js, value, map.clone(), &k1, NOW + 10),
            ("ok".into(), "ok".into())
        );
        // A changed byte in the ciphertext, the IV, the salts or the MAC.
        let fields: Vec<usize> = value.match_indices('*').map(|(i, _)| i + 1).collect();
        for i in [fields[1], fields[2], fields[3], fields[5], value.len() - 1] {
            let (t, o) = verdict(&mut js, &flip(value, i), map.clone(), &k1, NOW + 10);
            assert_eq!(
                (t.as_str(), o.as_str()),
                ("Bad hmac value", "Invalid"),
                "byte {i}"
            );
        }
        // The wrong password under the right id.
        let wrong = iron::Sealer::with_id("k1", PW2).unwrap();
        let (t, o) = verdict(&mut js, value, json!({"k1": PW2}), &wrong, NOW + 10);
        assert_eq!((t.as_str(), o.as_str()), ("Bad hmac value", "Invalid"));
        // A password id no longer known.
        let other = iron::Sealer::with_id("k9", PW1).unwrap();
        let (t, o) = verdict(&mut js, value, json!({"k9": PW1}), &other, NOW + 10);
        assert_eq!(
            (t.as_str(), o.as_str()),
            ("Cannot find password: k1", "Invalid")
        );
        // Expired: past ttl + iron's 60 s of skew, on both sides; not a second before.
        assert_eq!(
            verdict(&mut js, value, map.clone(), &k1, NOW + 3659),
            ("ok".into(), "ok".into())
        );
        let (t, o) = verdict(&mut js, value, map.clone(), &k1, NOW + 3660);
        assert_eq!(t, "Expired seal");
        assert!(o.starts_with("Expired"), "{o}");
    }
}

#[test]
fn iron_session_cookies_both_ways() {
    let Some(mut js) = node("iron_session_cookies_both_ways") else {
        return;
    };
    // iron-session's password map: the highest id seals.
    let passwords = json!({"1": PW1, "2": PW2});
    let theirs = js.value(
        json!({"op": "session_seal", "obj": session(), "password": passwords, "now": NOW_MS}),
        "value",
    );
    assert!(
        theirs.starts_with("Fe26.2*2*") && theirs.ends_with("~2"),
        "{theirs}"
    );
    let two_weeks = 14 * 24 * 3600;
    assert!(theirs.contains(&format!("*{}*", (NOW + two_weeks) * 1000)));
    let sessions = iron::session([(1, PW1), (2, PW2)])
        .unwrap()
        .clock(at(NOW + 60));
    assert_eq!(sessions.open::<Session>(&theirs).unwrap(), session());

    let ours = sessions.clone().clock(at(NOW)).seal(&session()).unwrap();
    assert!(ours.starts_with("Fe26.2*2*") && ours.ends_with("~2"));
    let unseal = |js: &mut Peer, value: &str, password: Value, now: i64| {
        js.call(json!({"op": "session_unseal", "value": value, "password": password, "now": now * 1000}))["obj"]
            .clone()
    };
    assert_eq!(
        unseal(&mut js, &ours, passwords.clone(), NOW + 60),
        serde_json::to_value(session()).unwrap()
    );
    // A single string password is {1: password} in iron-session.
    let single = iron::session([(1, PW1)])
        .unwrap()
        .clock(at(NOW))
        .seal(&session())
        .unwrap();
    assert_eq!(
        unseal(&mut js, &single, json!(PW1), NOW + 60),
        serde_json::to_value(session()).unwrap()
    );
    assert_eq!(sessions.open::<Session>(&single).unwrap(), session());
    // iron-session answers an empty session where we refuse: tampered, expired, unknown id.
    assert_eq!(
        unseal(&mut js, &flip(&ours, 12), passwords.clone(), NOW + 60),
        json!({})
    );
    assert_eq!(
        sessions.open::<Session>(&flip(&ours, 12)),
        Err(OpenError::Invalid)
    );
    assert_eq!(
        unseal(&mut js, &ours, passwords.clone(), NOW + two_weeks + 60),
        json!({})
    );
    let late = sessions.clone().clock(at(NOW + two_weeks + 60));
    assert!(matches!(
        late.open::<Session>(&ours),
        Err(OpenError::Expired { .. })
    ));
    assert_eq!(
        unseal(&mut js, &ours, json!({"1": PW1}), NOW + 60),
        json!({})
    );
    let retired = iron::session([(1, PW1)]).unwrap().clock(at(NOW + 60));
    assert_eq!(retired.open::<Session>(&ours), Err(OpenError::Invalid));
    // A custom ttl.
    let short = iron::session([(1, PW1)])
        .unwrap()
        .ttl(Duration::minutes(5))
        .clock(at(NOW))
        .seal(&1)
        .unwrap();
    assert!(short.contains(&format!("*{}*", NOW_MS + 300_000)));
    let theirs_short = js.value(
        json!({"op": "session_seal", "obj": {"n": 1}, "password": PW1, "ttl": 300, "now": NOW_MS}),
        "value",
    );
    assert!(theirs_short.contains(&format!("*{}*", NOW_MS + 300_000)));
}

#[test]
fn bad_input_never_panics() {
    let sealer = iron::Sealer::with_id("k1", PW1)
        .unwrap()
        .ttl(Duration::hours(1))
        .clock(at(NOW));
    let sessions = iron::session([(1, PW1)]).unwrap().clock(at(NOW));
    let seals = [
        sealer.seal(&session()).unwrap(),
        sessions.seal(&session()).unwrap(),
    ];
    for value in &seals {
        for m in mutations(value) {
            if Some(m.as_str()) == value.strip_suffix("~2") {
                // Without its `~2` the seal reads as an iron-session v6/v7 cookie, whose
                // session lived under `persistent`: empty here, as in iron-session.
                assert_eq!(sessions.open::<Value>(&m).unwrap(), json!({}));
                continue;
            }
            if &m != value {
                assert!(sealer.open::<Value>(&m).is_err(), "{m}");
                assert!(sessions.open::<Value>(&m).is_err(), "{m}");
            }
        }
    }
    assert_eq!(
        iron::Sealer::new("short").unwrap_err(),
        iron::PasswordError::TooShort { len: 5 }
    );
    assert!(iron::Sealer::with_id("no spaces", PW1).is_err());
    assert_eq!(
        iron::session(Vec::<(u32, &str)>::new()).unwrap_err(),
        iron::PasswordError::Empty
    );
}
