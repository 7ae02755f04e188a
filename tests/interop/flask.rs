//! `typed_cookies::interop::flask` against the real Flask 3.1 and itsdangerous 2.2
//! (`tests/interop/flask_peer.py`): the session cookie with every tag Flask writes, and plain
//! `URLSafeTimedSerializer` / `URLSafeSerializer`, in both directions; a changed byte, a wrong
//! salt, an expired value and a fallback key get the same verdict on both sides; no key,
//! name or string of the data — whatever tag it spells — reaches Flask as anything but the
//! same plain dict and str; and nothing is sealed that Flask would misread or fail on, or that
//! would not open here. Each attack is a named case of the concept it attacks.

use crate::peer::{flip, mutations, Peer, PYTHON_HINT};
use crate::{at, NOW};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use typed_cookies::interop::flask::{self, tag, KeyDerivation};
use typed_cookies::interop::Digest;
use typed_cookies::time::{
    Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset,
};
use typed_cookies::{OpenError, SealError};

const SECRET: &str = "flask-secret-key-0123456789";
const OLD_SECRET: &str = "flask-secret-key-of-last-year";

fn flask(test: &str) -> Option<Peer> {
    Peer::start(test, "python3", "flask_peer.py", PYTHON_HINT)
}

/// Our Flask session for `data`, sealed at `NOW`.
fn seal<T: Serialize + ?Sized>(data: &T) -> String {
    flask::session(SECRET).clock(at(NOW)).seal(data).unwrap()
}

/// What Flask answers when a browser brings `cookie` a minute after `NOW`.
fn flask_loads(py: &mut Peer, cookie: &str) -> Value {
    py.call(json!({"op": "session_load", "secret": SECRET, "value": cookie, "now": NOW + 60}))
}

/// The session cookie Flask itself writes at `NOW` for the Python dict expression `python`.
fn flask_made(py: &mut Peer, python: &str) -> String {
    py.value(
        json!({"op": "session_save", "secret": SECRET, "data": {}, "python": python, "now": NOW}),
        "value",
    )
}

/// The reason of a `SealError::Serialize`.
fn serialize_reason<T>(sealed: Result<T, SealError>) -> String {
    match sealed {
        Err(SealError::Serialize { reason }) => reason,
        Err(other) => panic!("not a serialize error: {other:?}"),
        Ok(_) => panic!("sealed"),
    }
}

/// A Flask session with one value of each Python type Flask tags (the peer's `RICH`).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Rich {
    user_id: u64,
    pair: tag::Tuple<(u8, String)>,
    blob: tag::Bytes,
    uid: tag::Uuid,
    when: tag::DateTime,
    html: tag::Markup,
    escaped: BTreeMap<String, String>,
    escaped_markup: BTreeMap<String, tag::Markup>,
    #[serde(rename = "_flashes")]
    flashes: Vec<tag::Tuple<(String, String)>>,
}

fn rich() -> Rich {
    Rich {
        user_id: 42,
        pair: tag::Tuple((1, "a".into())),
        blob: tag::Bytes(b"\x00\xffPNG".to_vec()),
        uid: tag::Uuid(0x12345678_1234_5678_1234_567812345678),
        when: tag::DateTime(OffsetDateTime::from_unix_timestamp(1_445_412_480).unwrap()),
        html: tag::Markup("<b>hi</b>".into()),
        escaped: [(" t".to_owned(), "not a tuple".to_owned())].into(),
        escaped_markup: [(" m".to_owned(), tag::Markup("<i>x</i>".into()))].into(),
        flashes: vec![tag::Tuple(("message".into(), "Saved".into()))],
    }
}

/// What the peer describes for `rich()` in Python.
fn rich_in_python() -> Value {
    json!({
        "user_id": 42,
        "pair": {"tuple": [1, "a"]},
        "blob": {"bytes": "00ff504e47"},
        "uid": {"uuid": "12345678-1234-5678-1234-567812345678"},
        "when": {"datetime": "2015-10-21T07:28:00+00:00"},
        "html": {"markup": "<b>hi</b>"},
        "escaped": {" t": "not a tuple"},
        "escaped_markup": {" m": {"markup": "<i>x</i>"}},
        "_flashes": [{"tuple": ["message", "Saved"]}],
    })
}

#[test]
fn flask_sessions_open_here_with_every_tag() {
    let Some(mut py) = flask("flask_sessions_open_here_with_every_tag") else {
        return;
    };
    let cookie = py.value(
        json!({"op": "session_save", "secret": SECRET, "data": {"user_id": 42}, "rich": true, "now": NOW}),
        "value",
    );
    let sessions = flask::session(SECRET).clock(at(NOW + 60));
    assert_eq!(sessions.open::<Rich>(&cookie).unwrap(), rich());
    // Plain Rust types read the untagged forms too.
    let plain: Value = sessions.open(&cookie).unwrap();
    assert_eq!(plain["pair"], json!([1, "a"]));
    assert_eq!(plain["blob"], json!([0, 255, 80, 78, 71]));
    assert_eq!(plain["uid"], "12345678-1234-5678-1234-567812345678");
    assert_eq!(plain["when"], "2015-10-21T07:28:00Z");
    assert_eq!(plain["escaped"], json!({" t": "not a tuple"}));
    assert_eq!(plain["escaped_markup"], json!({" m": "<i>x</i>"}));
}

/// Tags inside tags, escaped dicts holding tags, and Python values at the edges of their
/// ranges, as Flask itself writes them: read here as plain data, never a panic.
#[test]
fn flask_nested_and_edge_tags_read_here_as_plain_data() {
    let Some(mut py) = flask("flask_nested_and_edge_tags_read_here_as_plain_data") else {
        return;
    };
    let cookie = flask_made(
        &mut py,
        r#"{
            "n": ({" m": Markup("<i>")}, (1, (b"\x00", uuid.UUID(int=0))), {" di": {" t": ()}}),
            "oldest": datetime.datetime(1, 1, 1),
            "newest": datetime.datetime(9999, 12, 31, 23, 59, 59, 999999),
            "keyed": {Markup(" m"): Markup("<b>")},
            "empty": (b"", (), {}),
        }"#,
    );
    let v: Value = flask::session(SECRET)
        .clock(at(NOW + 60))
        .open(&cookie)
        .unwrap();
    assert_eq!(
        v["n"],
        json!([{" m": "<i>"}, [1, [[0], "00000000-0000-0000-0000-000000000000"]], {" di": {" t": []}}])
    );
    // Flask itself (email.utils) reads year 0001 back as 2001; so does this reader.
    assert_eq!(v["oldest"], "2001-01-01T00:00:00Z");
    assert_eq!(v["newest"], "9999-12-31T23:59:59Z");
    assert_eq!(v["keyed"], json!({" m": "<b>"}));
    assert_eq!(v["empty"], json!([[], [], {}]));
}

#[test]
fn sessions_made_here_open_in_flask_with_python_types() {
    let Some(mut py) = flask("sessions_made_here_open_in_flask_with_python_types") else {
        return;
    };
    let ours = flask::session(SECRET).clock(at(NOW)).seal(&rich()).unwrap();
    let answer =
        py.call(json!({"op": "session_load", "secret": SECRET, "value": ours, "now": NOW + 60}));
    assert_eq!(answer["error"], Value::Null, "{answer}");
    assert_eq!(answer["data"], rich_in_python());
    // Byte for byte what Flask writes for the same uncompressed session at the same time (a
    // compressed one differs only in the zlib encoder's choices).
    let small = json!({"b": [1, 2], "a": "zoë", "t": {" t": 1}});
    let theirs = py.value(
        json!({"op": "session_save", "secret": SECRET, "data": small, "now": NOW}),
        "value",
    );
    assert!(!theirs.starts_with('.'));
    assert_eq!(
        flask::session(SECRET).clock(at(NOW)).seal(&small).unwrap(),
        theirs
    );
}

#[test]
fn session_verdicts_agree_with_flask() {
    let Some(mut py) = flask("session_verdicts_agree_with_flask") else {
        return;
    };
    let data = json!({"user_id": 7, "name": "zoë"});
    let theirs = py.value(
        json!({"op": "session_save", "secret": SECRET, "data": data, "now": NOW}),
        "value",
    );
    let ours = flask::session(SECRET).clock(at(NOW)).seal(&data).unwrap();
    let old = flask::session(OLD_SECRET)
        .clock(at(NOW))
        .seal(&data)
        .unwrap();
    let verdict = |py: &mut Peer, value: &str, fallbacks: &[&str], now: i64| {
        let answer = py.call(
            json!({"op": "session_load", "secret": SECRET, "fallbacks": fallbacks,
                                    "value": value, "now": now}),
        );
        let theirs = answer["error"].as_str().unwrap_or("ok").to_owned();
        let ours = match flask::session(SECRET)
            .fallbacks(fallbacks)
            .clock(at(now))
            .open::<Value>(value)
        {
            Ok(v) => {
                assert_eq!(v, answer["data"]);
                "ok".to_owned()
            }
            Err(e) => {
                assert_eq!(answer["data"], json!({}), "Flask starts an empty session");
                format!("{e:?}")
            }
        };
        (theirs, ours)
    };
    let lifetime = 31 * 24 * 3600;
    for value in [&theirs, &ours] {
        assert_eq!(
            verdict(&mut py, value, &[], NOW + 1),
            ("ok".into(), "ok".into())
        );
        for i in [1, value.len() / 2, value.len() - 2] {
            let (t, o) = verdict(&mut py, &flip(value, i), &[], NOW + 1);
            // itsdangerous' BadTimeSignature is its BadSignature of a timed value.
            assert_eq!(
                (t.as_str(), o.as_str()),
                ("BadTimeSignature", "Invalid"),
                "byte {i}"
            );
        }
        assert_eq!(
            verdict(&mut py, value, &[], NOW + lifetime),
            ("ok".into(), "ok".into())
        );
        let (t, o) = verdict(&mut py, value, &[], NOW + lifetime + 1);
        assert_eq!(t, "SignatureExpired");
        assert!(o.starts_with("Expired"), "{o}");
        // Signed in the future: itsdangerous refuses it whenever it checks an age.
        let (t, o) = verdict(&mut py, value, &[], NOW - 10);
        assert_eq!(t, "SignatureExpired");
        assert!(o.starts_with("IssuedInFuture"), "{o}");
    }
    let (t, o) = verdict(&mut py, &old, &[], NOW + 1);
    assert_eq!((t.as_str(), o.as_str()), ("BadTimeSignature", "Invalid"));
    assert_eq!(
        verdict(&mut py, &old, &[OLD_SECRET], NOW + 1),
        ("ok".into(), "ok".into())
    );
}

#[test]
fn itsdangerous_serializers_both_ways() {
    let Some(mut py) = flask("itsdangerous_serializers_both_ways") else {
        return;
    };
    let obj = json!({"email": "ada@example.com", "n": [1, 2, 3], "note": "ünïcode"});
    let big = json!({"ids": (0..200).collect::<Vec<u32>>()});
    let cases = [
        (
            true,
            "itsdangerous",
            "sha1",
            "django-concat",
            Digest::Sha1,
            KeyDerivation::DjangoConcat,
        ),
        (
            true,
            "activate",
            "sha256",
            "hmac",
            Digest::Sha256,
            KeyDerivation::Hmac,
        ),
        (
            true,
            "x",
            "sha512",
            "concat",
            Digest::Sha512,
            KeyDerivation::Concat,
        ),
        (
            false,
            "unsubscribe",
            "sha1",
            "django-concat",
            Digest::Sha1,
            KeyDerivation::DjangoConcat,
        ),
        (
            false,
            "y",
            "sha256",
            "none",
            Digest::Sha256,
            KeyDerivation::None,
        ),
    ];
    for (timed, salt, digest_name, kd_name, digest, kd) in cases {
        let make = |secret: &str| {
            let s = if timed {
                flask::Serializer::timed(secret)
            } else {
                flask::Serializer::untimed(secret)
            };
            s.salt(salt).digest(digest).key_derivation(kd)
        };
        let req = |op: &str, extra: Value| {
            let mut r = json!({"op": op, "timed": timed, "secret": SECRET, "salt": salt,
                               "digest": digest_name, "key_derivation": kd_name, "now": NOW});
            r.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            r
        };
        for value in [&obj, &big] {
            let theirs = py.value(req("dumps", json!({"obj": value})), "value");
            assert_eq!(
                make(SECRET).clock(at(NOW)).open::<Value>(&theirs).unwrap(),
                *value
            );
            let ours = make(SECRET).clock(at(NOW)).seal(value).unwrap();
            if !theirs.starts_with('.') {
                assert_eq!(ours, theirs, "byte for byte ({salt})");
            }
            assert_eq!(py.call(req("loads", json!({"value": ours})))["obj"], *value);
        }
        let ours = make(SECRET).clock(at(NOW)).seal(&obj).unwrap();
        let tampered = flip(&ours, 2);
        let verdict = py.call(req("loads", json!({"value": tampered})));
        assert!(
            matches!(
                verdict["error"].as_str(),
                Some("BadSignature" | "BadTimeSignature")
            ),
            "{verdict}"
        );
        assert_eq!(
            make(SECRET).open::<Value>(&tampered),
            Err(OpenError::Invalid)
        );
        let wrong_salt = make(SECRET)
            .salt("other")
            .clock(at(NOW))
            .seal(&obj)
            .unwrap();
        let verdict = py.call(req("loads", json!({"value": wrong_salt})));
        if kd == KeyDerivation::None {
            // No derivation: the salt takes no part in the key, on both sides.
            assert_eq!(verdict["obj"], obj);
            assert_eq!(make(SECRET).open::<Value>(&wrong_salt).unwrap(), obj);
        } else {
            assert!(verdict["error"].is_string(), "{verdict}");
            assert_eq!(
                make(SECRET).open::<Value>(&wrong_salt),
                Err(OpenError::Invalid)
            );
        }
        let old = make(OLD_SECRET).clock(at(NOW)).seal(&obj).unwrap();
        assert_eq!(
            py.call(req(
                "loads",
                json!({"value": old, "fallbacks": [OLD_SECRET]})
            ))["obj"],
            obj
        );
        assert_eq!(
            make(SECRET)
                .fallbacks([OLD_SECRET])
                .open::<Value>(&old)
                .unwrap(),
            obj
        );
        if timed {
            let late = py.call(req(
                "loads",
                json!({"value": ours, "max_age": 60, "now": NOW + 61}),
            ));
            assert_eq!(late["error"], "SignatureExpired");
            let ours_late = make(SECRET)
                .max_age(Duration::seconds(60))
                .clock(at(NOW + 61));
            assert!(matches!(
                ours_late.open::<Value>(&ours),
                Err(OpenError::Expired { .. })
            ));
        }
    }
}

#[test]
fn bad_input_never_panics() {
    let sessions = flask::session(SECRET).clock(at(NOW));
    let untimed = flask::Serializer::untimed(SECRET);
    let values = [
        sessions.seal(&rich()).unwrap(),
        sessions.seal(&json!({"a": "b"})).unwrap(),
        untimed.seal(&json!([1, 2, 3])).unwrap(),
    ];
    for value in &values {
        for m in mutations(value) {
            if &m != value {
                assert!(sessions.open::<Value>(&m).is_err(), "{m}");
                assert!(untimed.open::<Value>(&m).is_err(), "{m}");
            }
        }
    }
    // Authentic, but tags Flask never writes: refused as a payload mismatch.
    let odd = flask::Serializer::timed(SECRET)
        .salt(flask::SESSION_SALT)
        .key_derivation(KeyDerivation::Hmac)
        .clock(at(NOW));
    for bad in [
        json!({" b": "!!"}),
        json!({" d": "yesterday"}),
        json!({" u": 5}),
        json!({" t": "ab"}),
        json!({" m": {"a": 1}}),
        json!({" di": 1}),
        json!({" di": {"x": 1}}),
        json!({" di": {"a__": 1, "b__": 2}}),
    ] {
        let value = odd.seal(&bad).unwrap();
        assert!(
            matches!(
                sessions.open::<Value>(&value),
                Err(OpenError::PayloadMismatch { .. })
            ),
            "{bad}"
        );
    }
}

/// Python floats JSON lacks (`nan`, `inf` — `float(request.form[...])` accepts "nan"): Flask
/// writes `NaN`/`Infinity`, which this reader refuses as a payload mismatch (the whole
/// session), never a panic (a divergence, not a crash).
#[test]
fn flask_nan_is_refused_here_not_a_panic() {
    let Some(mut py) = flask("flask_nan_is_refused_here_not_a_panic") else {
        return;
    };
    for python in [r#"{"x": float("nan")}"#, r#"{"x": [float("-inf")]}"#] {
        let cookie = flask_made(&mut py, python);
        assert!(
            matches!(
                flask::session(SECRET)
                    .clock(at(NOW + 60))
                    .open::<Value>(&cookie),
                Err(OpenError::PayloadMismatch { .. })
            ),
            "{python}"
        );
    }
}

/// The in-band mark tags had before they travelled out of band (issue 25): a key spelling it
/// must stay a plain key too.
const OLD_MARK: &str = "\u{0}typed-cookies/flask-tag:";

/// Content shaped like what Flask keeps under `tag`, so that a tag we wrongly wrote would
/// load as the Python type (a `Markup` Jinja inserts unescaped, a tuple, bytes…).
fn content_for(tag: &str) -> Value {
    match tag {
        " t" => json!(["<script>alert(1)</script>", 2]),
        " b" => json!("PHNjcmlwdD4="), // base64 of "<script>"
        " u" => json!("12345678123456781234567812345678"),
        " d" => json!("Wed, 21 Oct 2015 07:28:00 GMT"),
        " di" => json!({" m__": "<script>alert(1)</script>"}),
        _ => json!("<script>alert(1)</script>"),
    }
}

/// Seals `data` here, has Flask load it and write it back, and checks that Flask loaded
/// exactly `expected` in plain Python types, that Flask writes the same tagged JSON for
/// `expected` as we do (the same cookie when neither is compressed), and that Flask's copies
/// open here as `expected`.
fn stays_plain<T: Serialize>(py: &mut Peer, data: &T, expected: &Value) {
    let ours = flask::session(SECRET).clock(at(NOW)).seal(data).unwrap();
    let answer = py.call(
        json!({"op": "session_load", "secret": SECRET, "value": ours,
                                "now": NOW + 60, "resave": true}),
    );
    assert_eq!(answer["error"], Value::Null, "{answer}");
    assert_eq!(
        answer["plain"], true,
        "Flask loaded a Python type: {answer}"
    );
    assert_eq!(answer["data"], *expected);
    let theirs = py.value(
        json!({"op": "session_save", "secret": SECRET, "data": expected, "now": NOW}),
        "value",
    );
    let json_of = |py: &mut Peer, value: &str| {
        py.value(
            json!({"op": "session_json", "secret": SECRET, "value": value, "now": NOW}),
            "json",
        )
    };
    assert_eq!(json_of(py, &ours), json_of(py, &theirs));
    if !theirs.starts_with('.') && !ours.starts_with('.') {
        assert_eq!(ours, theirs, "Flask escapes {expected} as we do");
    }
    let sessions = flask::session(SECRET).clock(at(NOW + 120));
    for flask_made in [&theirs, answer["value"].as_str().unwrap()] {
        assert_eq!(sessions.open::<Value>(flask_made).unwrap(), *expected);
    }
}

#[test]
fn user_data_spelling_a_tag_stays_plain_in_flask() {
    let Some(mut py) = flask("user_data_spelling_a_tag_stays_plain_in_flask") else {
        return;
    };
    let tags = py.call(json!({"op": "tags", "now": NOW}))["tags"].clone();
    let tags: Vec<String> = serde_json::from_value(tags).unwrap();
    assert_eq!(
        tags,
        [" b", " d", " di", " m", " t", " u"],
        "Flask's tags changed"
    );
    for tag in &tags {
        let content = content_for(tag);
        for spelled in [tag.clone(), format!("{OLD_MARK}{tag}")] {
            let key = spelled.as_str();
            let data = json!({
                "key": { key: content },
                "nested": { key: { key: content } },
                "listed": [{ key: "<script>alert(1)</script>" }, [{ key: content }]],
                "beside": { key: content, "other": 1 },
                "string": key,
                "strings": [key, content],
            });
            stays_plain(&mut py, &data, &data);
            // The session's only key spells the tag: Flask escapes the session dict itself.
            let whole = json!({ key: content });
            stays_plain(&mut py, &whole, &whole);
            // Through typed Rust maps, not only serde_json::Value.
            let typed = BTreeMap::from([("bio", BTreeMap::from([(key, "<b>x</b>")]))]);
            let expected = serde_json::to_value(&typed).unwrap();
            stays_plain(&mut py, &typed, &expected);
        }
    }
}

#[test]
fn field_and_variant_names_spelling_a_tag_stay_plain_in_flask() {
    let Some(mut py) = flask("field_and_variant_names_spelling_a_tag_stay_plain_in_flask") else {
        return;
    };
    #[derive(Serialize)]
    struct Field {
        #[serde(rename = " m")]
        html: String,
    }
    #[derive(Serialize)]
    enum Choice {
        #[serde(rename = " t")]
        Pair(u8, u8),
        #[serde(rename = " d")]
        When(String),
        #[serde(rename = " b")]
        Blob {
            #[serde(rename = " u")]
            id: String,
        },
    }
    #[derive(Serialize)]
    struct Session {
        field: Field,
        choices: Vec<Choice>,
    }
    let data = Session {
        field: Field {
            html: "<script>alert(1)</script>".into(),
        },
        choices: vec![
            Choice::Pair(1, 2),
            Choice::When("Wed, 21 Oct 2015 07:28:00 GMT".into()),
            Choice::Blob {
                id: "12345678123456781234567812345678".into(),
            },
        ],
    };
    let expected = serde_json::to_value(&data).unwrap();
    stays_plain(&mut py, &data, &expected);
}

/// Keys a user chooses that look like tags (look-alikes, `__` suffixes, escapes of escapes,
/// tag-spelling maps inside a tag wrapper, flattened maps, serde's enum tags) reach Flask as
/// the same plain data.
#[test]
fn look_alikes_suffixes_and_wrapped_user_maps_stay_plain_in_flask() {
    let Some(mut py) = flask("look_alikes_suffixes_and_wrapped_user_maps_stay_plain_in_flask")
    else {
        return;
    };
    let keys = [
        " m",
        " m__",
        " di__",
        "\u{a0}m",
        " \u{ff4d}",
        " M",
        "\u{200b} m",
        " m\u{0}",
        "m",
        " ",
        "  m",
        " t ",
        "",
    ];
    for key in keys {
        for data in [
            json!({ key: "<script>" }),
            json!({ "v": { key: "<script>" } }),
            json!({ "v": { " di": { key: "<script>" } } }),
            json!({ "v": { " di": { " di": { key: "<script>" } } } }),
        ] {
            let answer = flask_loads(&mut py, &seal(&data));
            assert_eq!(answer["plain"], true, "{key:?}: {answer}");
            assert_eq!(answer["data"], data, "{key:?}");
        }
    }
    // A tag wrapper holding user maps: Flask gets a tuple of plain dicts.
    let user = BTreeMap::from([(" m", "<script>")]);
    let wrapped = BTreeMap::from([("t", tag::Tuple(vec![&user, &user]))]);
    let answer = flask_loads(&mut py, &seal(&wrapped));
    assert_eq!(
        answer["data"]["t"],
        json!({"tuple": [{" m": "<script>"}, {" m": "<script>"}]})
    );
    // A struct whose only content is a flattened user map, and a duplicate key through
    // flatten: one key spelling a tag, escaped.
    #[derive(Serialize)]
    struct Flat {
        #[serde(rename = " m")]
        m: &'static str,
        #[serde(flatten)]
        extra: HashMap<String, String>,
    }
    let flat = Flat {
        m: "first",
        extra: HashMap::from([(" m".to_owned(), "<script>".to_owned())]),
    };
    let answer = flask_loads(&mut py, &seal(&BTreeMap::from([("f", flat)])));
    assert_eq!(answer["plain"], true, "{answer}");
    // Internally / adjacently tagged enums whose tag is a Flask tag.
    #[derive(Serialize)]
    #[serde(tag = " m")]
    enum Internal {
        Html,
    }
    #[derive(Serialize)]
    #[serde(tag = " t", content = " m")]
    enum Adjacent {
        Html(String),
    }
    let data = (Internal::Html, Adjacent::Html("<script>".into()));
    let answer = flask_loads(&mut py, &seal(&BTreeMap::from([("e", data)])));
    assert_eq!(answer["plain"], true, "{answer}");
    assert_eq!(
        answer["data"]["e"],
        json!([{" m": "Html"}, {" t": "Html", " m": "<script>"}])
    );
}

#[test]
fn tags_flask_wrote_inside_escaped_dicts_read_here() {
    let Some(mut py) = flask("tags_flask_wrote_inside_escaped_dicts_read_here") else {
        return;
    };
    // Flask's {" m": Markup("<i>x</i>")} is {" di": {" m__": {" m": "<i>x</i>"}}}; written
    // here from tag::Markup, Flask loads the same dict of Markup.
    let ours = flask::session(SECRET).clock(at(NOW)).seal(&rich()).unwrap();
    let answer = py.call(
        json!({"op": "session_load", "secret": SECRET, "value": ours, "now": NOW + 60,
                       "resave": true}),
    );
    assert_eq!(answer["plain"], false);
    assert_eq!(
        answer["data"]["escaped_markup"],
        json!({" m": {"markup": "<i>x</i>"}})
    );
    let back: Rich = flask::session(SECRET)
        .clock(at(NOW + 60))
        .open(answer["value"].as_str().unwrap())
        .unwrap();
    assert_eq!(back, rich());
}

// ---- Nothing is sealed that Flask would misread or fail on, or that would not open here ----

/// A datetime at `y-m-d h:00` in the offset `hours`.
fn local(y: i32, m: Month, d: u8, h: u8, hours: i8) -> OffsetDateTime {
    let date = Date::from_calendar_date(y, m, d).unwrap();
    PrimitiveDateTime::new(date, Time::from_hms(h, 0, 0).unwrap())
        .assume_offset(UtcOffset::from_hms(hours, 0, 0).unwrap())
}

/// The year check looked at the local year, the tag writes the UTC one. Past
/// 9999 in UTC (9999-12-31 23:00 at -05:00) `seal` panicked; before 100 (0100-01-01 00:00 at
/// +01:00) it wrote year 0099, which Flask (email.utils) loads as 1999. Both are a
/// `SealError` now; the edges, in UTC, reach Flask as the same instant.
#[test]
fn datetimes_outside_flask_years_in_utc_are_refused_at_seal_not_a_panic() {
    let sessions = flask::session(SECRET).clock(at(NOW));
    for outside in [
        local(9999, Month::December, 31, 23, -5),
        local(100, Month::January, 1, 0, 1),
        local(99, Month::December, 31, 23, 0),
    ] {
        let data = BTreeMap::from([("at", tag::DateTime(outside))]);
        let reason = serialize_reason(sessions.seal(&data));
        assert!(
            reason.contains("years 100 to 9999 in UTC"),
            "{outside}: {reason}"
        );
    }
    let Some(mut py) = flask("datetimes_outside_flask_years_in_utc_are_refused_at_seal") else {
        return;
    };
    for (edge, in_python) in [
        (
            local(9999, Month::December, 31, 18, -5),
            "9999-12-31T23:00:00+00:00",
        ),
        (
            local(100, Month::January, 1, 1, 1),
            "0100-01-01T00:00:00+00:00",
        ),
    ] {
        let answer = flask_loads(
            &mut py,
            &seal(&BTreeMap::from([("at", tag::DateTime(edge))])),
        );
        assert_eq!(answer["error"], Value::Null, "{answer}");
        assert_eq!(
            answer["data"]["at"],
            json!({ "datetime": in_python }),
            "{edge}"
        );
    }
}

/// A session that is not a JSON object (a string, a list, a top-level tag
/// wrapper) sealed fine, and Flask's `open_session` raised on it, so every request carrying
/// the cookie was a 500 for 31 days. Refused at seal now; `null` (unit, `None`) is an empty
/// session, as in Flask.
#[test]
fn a_session_flask_cannot_make_a_dict_of_is_refused_at_seal() {
    let sessions = flask::session(SECRET).clock(at(NOW));
    let shapes = [json!("text"), json!([1, 2]), json!(5), json!(true)];
    for shape in &shapes {
        let reason = serialize_reason(sessions.seal(shape));
        assert!(
            reason.contains("must be a map or struct"),
            "{shape}: {reason}"
        );
    }
    for reason in [
        serialize_reason(sessions.seal(&tag::Tuple((1, "a")))),
        serialize_reason(sessions.seal(&(1, "a"))),
        serialize_reason(sessions.seal(&tag::Markup("<b>".into()))),
        serialize_reason(sessions.seal(&Some(tag::Bytes(vec![1])))),
    ] {
        assert!(reason.contains("must be a map or struct"), "{reason}");
    }
    let empty = sessions.seal(&()).unwrap();
    assert_eq!(sessions.open::<Option<()>>(&empty).unwrap(), None);
    let Some(mut py) = flask("a_session_flask_cannot_make_a_dict_of_is_refused_at_seal") else {
        return;
    };
    // What Flask does with what is refused: written by a serializer that does not check,
    // each is a 500 (a string, a list, a tuple).
    let unchecked = flask::Serializer::timed(SECRET)
        .salt(flask::SESSION_SALT)
        .key_derivation(KeyDerivation::Hmac)
        .clock(at(NOW));
    for shape in [json!("text"), json!([1, 2]), json!({" t": [1, "a"]})] {
        let cookie = unchecked.seal(&shape).unwrap();
        let answer = py.call(
            json!({"op": "session_load", "secret": SECRET, "value": cookie,
                                    "now": NOW + 60, "quiet": true}),
        );
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(error.starts_with("Flask answered 500"), "{shape}: {answer}");
    }
    let answer = flask_loads(&mut py, &empty);
    assert_eq!(answer["error"], Value::Null, "{answer}");
    assert_eq!(answer["data"], json!({}));
}

/// `n` dicts nested under `" m"` (each escaped into two objects by the session), around "x".
fn tag_spelling_dicts(n: usize) -> Value {
    (0..n).fold(json!("x"), |inner, _| json!({ " m": inner }))
}

/// `n` arrays nested around 1.
fn arrays(n: usize) -> Value {
    (0..n).fold(json!(1), |inner, _| json!([inner]))
}

/// Escaping doubles the depth of dicts whose only key spells a tag, so user JSON
/// serde_json had parsed (depth 70) sealed into a cookie this reader refuses (serde_json's
/// recursion limit), and the session was lost at the next request. `seal` now refuses JSON
/// nested deeper than `open` reads (127 arrays and objects); the deepest it writes opens here
/// and in Flask.
#[test]
fn a_session_nests_no_deeper_than_open_reads() {
    let sessions = flask::session(SECRET).clock(at(NOW));
    let text = format!("{}\"x\"{}", "{\" m\":".repeat(70), "}".repeat(70));
    let user: Value = serde_json::from_str(&text).expect("serde_json parses it");
    let reason = serialize_reason(sessions.seal(&json!({ "prefs": user })));
    assert!(reason.contains("141 arrays and objects deep"), "{reason}");
    assert!(reason.contains("over the 127"), "{reason}");
    // The session, then 63 user dicts escaped into 126 objects: 127.
    let deepest = json!({ "prefs": tag_spelling_dicts(63) });
    let cookie = seal(&deepest);
    let back = flask::session(SECRET)
        .clock(at(NOW + 1))
        .open::<Value>(&cookie);
    assert_eq!(back.unwrap(), deepest);
    serialize_reason(sessions.seal(&json!({ "prefs": tag_spelling_dicts(64) })));
    serialize_reason(sessions.seal(&json!({ "prefs": arrays(127) })));
    // itsdangerous' serializers keep to the same limit.
    let untimed = flask::Serializer::untimed(SECRET);
    let value = untimed.seal(&arrays(127)).unwrap();
    assert_eq!(untimed.open::<Value>(&value).unwrap(), arrays(127));
    serialize_reason(untimed.seal(&arrays(128)));
    let Some(mut py) = flask("a_session_nests_no_deeper_than_open_reads") else {
        return;
    };
    let answer = flask_loads(&mut py, &cookie);
    assert_eq!(answer["plain"], true, "{answer}");
    assert_eq!(answer["data"], deepest);
}
