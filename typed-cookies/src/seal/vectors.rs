//! Known-answer tests for the wire format: fixed key, nonce, times and payload give exactly the
//! values printed in `FORMAT.md` (v1 headers for fresh values, v2 for a value resealed an hour
//! into its session), and an independent composition of the primitives (HKDF, HMAC,
//! AES-GCM-SIV, base64 called directly) agrees, so the format cannot change silently. Derived
//! types and runtime sealers have a vector set each (their derivation domains differ).

use aes_gcm_siv::aead::{Aead, KeyInit, Payload};
use aes_gcm_siv::{Aes256GcmSiv, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::{Engine, Freshness, Guarding};
use crate::keys::subkeys::Namespace;
use crate::keys::{Key, KeyRing};
use crate::wire::format::NONCE_LEN;
use crate::wire::{Codec, Format, Mode};

/// Key bytes 0x00, 0x01, …, 0x1f.
fn key_bytes() -> Vec<u8> {
    (0u8..32).collect()
}
/// 2026-01-01T00:00:00Z.
const ISSUED_AT: i64 = 1_767_225_600;
const NONCE: [u8; NONCE_LEN] = [
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab,
];
const SALT: &str = "vectors.v1";
const SCHEMA: u64 = 0x0123_4567_89ab_cdef;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Claims {
    user_id: u64,
    name: String,
}

fn payload() -> Claims {
    Claims {
        user_id: 42,
        name: "Ada".into(),
    }
}

const KEY_ID: &str = "65e6b8b0";
const SIGNED_JSON: &str = "AQFl5riwAAAAAGlVuQB7InVzZXJfaWQiOjQyLCJuYW1lIjoiQWRhIn17XoVslgTBpdLQBuXuW5v3h-Dr-qUH9O3F2rlQ_olBXg";
const ENCRYPTED_JSON: &str =
    "AQJl5riwAAAAAGlVuQCgoaKjpKWmp6ipqquZZBgdvvWGSJJIh7gaCpY3BBnPtCnCmmswSIVb7Uj1p8NWciEzYaFlmszz";
const SIGNED_POSTCARD: &str =
    "ARFl5riwAAAAAGlVuQAqA0FkYeILrgbFOJ6q-W3ERk-Qy9TcaF5X0Md_3iHbNS5OFJ4R";
const ENCRYPTED_POSTCARD: &str = "ARJl5riwAAAAAGlVuQCgoaKjpKWmp6ipqquoBjwEyBwiH6GTSYPOhfuSd7ZlMpY";

/// Creation time of the v2 vectors: an hour before [`ISSUED_AT`].
const CREATED_AT: i64 = ISSUED_AT - 3600;
const V2_SIGNED_JSON: &str = "AgFl5riwAAAAAGlVuQAAAA4QeyJ1c2VyX2lkIjo0MiwibmFtZSI6IkFkYSJ9geevU2HS4a4Ilv0M17d5jKnAECdfmg4lY5kL1RrcYPY";
const V2_ENCRYPTED_POSTCARD: &str =
    "AhJl5riwAAAAAGlVuQAAAA4QoKGio6SlpqeoqaqrulkjDwEgX5PdyRVb63aM-uxG2FcC";

fn vector(mode: Mode, codec: Codec) -> (Format, &'static str) {
    let value = match (mode, codec) {
        (Mode::Signed, Codec::Json) => SIGNED_JSON,
        (Mode::Encrypted, Codec::Json) => ENCRYPTED_JSON,
        (Mode::Signed, Codec::Postcard) => SIGNED_POSTCARD,
        (Mode::Encrypted, Codec::Postcard) => ENCRYPTED_POSTCARD,
    };
    (Format { mode, codec }, value)
}

fn all() -> Vec<(Format, &'static str)> {
    [Mode::Signed, Mode::Encrypted]
        .into_iter()
        .flat_map(|m| {
            [Codec::Json, Codec::Postcard]
                .into_iter()
                .map(move |c| vector(m, c))
        })
        .collect()
}

fn ring() -> KeyRing {
    KeyRing::new(Key::from_bytes(&key_bytes()).unwrap())
}

fn with_engine<R>(ring: &KeyRing, format: Format, f: impl FnOnce(Engine<'_>) -> R) -> R {
    with_full_engine(ring, format, false, Guarding::default(), f)
}

fn with_engine_compressing<R>(
    ring: &KeyRing,
    format: Format,
    compress: bool,
    f: impl FnOnce(Engine<'_>) -> R,
) -> R {
    with_full_engine(ring, format, compress, Guarding::default(), f)
}

fn with_guarded_engine<'g, R>(
    ring: &KeyRing,
    format: Format,
    guarding: Guarding<'g>,
    f: impl FnOnce(Engine<'_>) -> R,
) -> R {
    with_full_engine(ring, format, false, guarding, f)
}

fn with_full_engine<'g, R>(
    ring: &KeyRing,
    format: Format,
    compress: bool,
    guarding: Guarding<'g>,
    f: impl FnOnce(Engine<'_>) -> R,
) -> R {
    let namespace = Namespace {
        format,
        schema: SCHEMA,
        salt: SALT,
        one_time: false,
    };
    let keys = ring.namespace(&namespace);
    f(Engine {
        keys: &keys,
        format,
        compress,
        freshness: Freshness::max_age(None),
        guarding,
    })
}

fn engine_seal(ring: &KeyRing, format: Format, created_at: i64) -> String {
    let nonce = (format.mode == Mode::Encrypted).then_some(NONCE);
    with_engine(ring, format, |engine| {
        engine
            .seal_with_nonce(&payload(), ISSUED_AT, created_at, nonce)
            .unwrap()
    })
}

/// The same value composed from the primitives directly, following FORMAT.md.
fn by_hand(format: Format, created_at: i64) -> String {
    let info = match format.codec {
        Codec::Json => format!("typed-cookies/v1/{}/{SALT}", format.mode.label()),
        Codec::Postcard => format!(
            "typed-cookies/v1/{}+postcard-{SCHEMA:016x}/{SALT}",
            format.mode.label()
        ),
    };
    let mut subkey = [0u8; 32];
    Hkdf::<Sha256>::new(None, &key_bytes())
        .expand(info.as_bytes(), &mut subkey)
        .unwrap();
    let mut id = [0u8; 4];
    Hkdf::<Sha256>::new(None, &key_bytes())
        .expand(b"typed-cookies/v1/key-id", &mut id)
        .unwrap();
    let body = match format.codec {
        Codec::Json => serde_json::to_vec(&payload()).unwrap(),
        Codec::Postcard => postcard::to_allocvec(&payload()).unwrap(),
    };
    let age = u32::try_from(ISSUED_AT - created_at).unwrap();
    let mut header = vec![if age == 0 { 1 } else { 2 }, format.to_byte()];
    header.extend_from_slice(&id);
    header.extend_from_slice(&ISSUED_AT.to_be_bytes());
    if age != 0 {
        header.extend_from_slice(&age.to_be_bytes());
    }
    let mut out = header.clone();
    match format.mode {
        Mode::Signed => {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&subkey).unwrap();
            mac.update(&header);
            mac.update(&body);
            out.extend_from_slice(&body);
            out.extend_from_slice(&mac.finalize().into_bytes());
        }
        Mode::Encrypted => {
            let cipher = Aes256GcmSiv::new_from_slice(&subkey).unwrap();
            let sealed = cipher
                .encrypt(
                    Nonce::from_slice(&NONCE),
                    Payload {
                        msg: &body,
                        aad: &header,
                    },
                )
                .unwrap();
            out.extend_from_slice(&NONCE);
            out.extend_from_slice(&sealed);
        }
    }
    URL_SAFE_NO_PAD.encode(out)
}

#[test]
fn key_id_matches() {
    assert_eq!(ring().primary().id().to_string(), KEY_ID);
}

#[test]
fn engine_matches_vectors_and_independent_composition() {
    let ring = ring();
    for (format, expected) in all() {
        let sealed = engine_seal(&ring, format, ISSUED_AT);
        assert_eq!(
            sealed,
            by_hand(format, ISSUED_AT),
            "{format}: engine and FORMAT.md composition differ"
        );
        assert_eq!(
            sealed, expected,
            "{format}: wire format changed; update FORMAT.md only on purpose"
        );
    }
}

#[test]
fn v2_vectors_carry_the_creation_time() {
    let ring = ring();
    for (mode, codec, expected) in [
        (Mode::Signed, Codec::Json, V2_SIGNED_JSON),
        (Mode::Encrypted, Codec::Postcard, V2_ENCRYPTED_POSTCARD),
    ] {
        let format = Format { mode, codec };
        let sealed = engine_seal(&ring, format, CREATED_AT);
        assert_eq!(sealed, by_hand(format, CREATED_AT), "{format}");
        assert_eq!(sealed, expected, "{format}: wire format v2 changed");
        let opened = with_engine(&ring, format, |engine| {
            engine.open::<Claims>(&sealed, ISSUED_AT).unwrap()
        });
        assert_eq!(opened.value(), &payload());
        assert_eq!(opened.created_at_unix(), CREATED_AT);
        assert_eq!(opened.issued_at().unix_timestamp(), ISSUED_AT);
    }
}

#[test]
fn vectors_open() {
    let ring = ring();
    for (format, value) in all() {
        let opened = with_engine(&ring, format, |engine| {
            engine.open::<Claims>(value, ISSUED_AT).unwrap()
        });
        assert_eq!(opened.value(), &payload(), "{format}");
        // A v1 value opens as created when it was issued.
        assert_eq!(opened.created_at_unix(), ISSUED_AT);
        assert_eq!(opened.issued_at().unix_timestamp(), ISSUED_AT);
    }
}

/// A tracked (claims block) and bound (user agent) value, composed by hand from FORMAT.md's
/// description: the engine writes the same bytes, refuses it for an untracked opener before
/// authentication, and refuses another binding as `Invalid`.
#[test]
fn tracked_and_bound_values_follow_format_md() {
    use crate::error::OpenError;
    use crate::wire::claims::Claims as WireClaims;
    use crate::wire::claims::SessionId;
    use sha2::Digest as _;

    let claims = WireClaims {
        session_id: SessionId::from_bytes([0x5a; 16]),
        epoch: 3,
        nonce: 0x0102_0304_0506_0708,
        subject: Some("user:42".into()),
    };
    let binding_of = |ua: &[u8]| -> [u8; 32] {
        let mut hash = Sha256::new();
        hash.update(b"typed-cookies client binding v1\0");
        hash.update(b"u");
        hash.update([1]);
        hash.update((ua.len() as u64).to_be_bytes());
        hash.update(ua);
        hash.finalize().into()
    };
    // That the guard's `ClientContext` digests a user agent this way is checked beside it
    // (`guard::context`'s `the_user_agent_digest_is_format_mds`).
    let binding = binding_of(b"Firefox");
    let ring = ring();
    for mode in [Mode::Signed, Mode::Encrypted] {
        let format = Format {
            mode,
            codec: Codec::Json,
        };
        let nonce = (mode == Mode::Encrypted).then_some(NONCE);
        let guarding = Guarding {
            claims: Some(&claims),
            tracked: true,
            binding: Some(&binding),
        };
        let sealed = with_guarded_engine(&ring, format, guarding, |engine| {
            engine
                .seal_with_nonce(&payload(), ISSUED_AT, ISSUED_AT, nonce)
                .unwrap()
        });

        // By hand: header with bit 0x80, claims block before the payload, binding after.
        let mut subkey = [0u8; 32];
        let info = format!("typed-cookies/v1/{}/{SALT}", mode.label());
        Hkdf::<Sha256>::new(None, &key_bytes())
            .expand(info.as_bytes(), &mut subkey)
            .unwrap();
        let mut header = vec![1, format.to_byte() | 0x80];
        header.extend_from_slice(&[0x65, 0xe6, 0xb8, 0xb0]);
        header.extend_from_slice(&ISSUED_AT.to_be_bytes());
        let mut body = vec![0x5a; 16];
        body.extend_from_slice(&3u64.to_be_bytes());
        body.extend_from_slice(&0x0102_0304_0506_0708u64.to_be_bytes());
        body.push(7);
        body.extend_from_slice(b"user:42");
        body.extend_from_slice(&serde_json::to_vec(&payload()).unwrap());
        let mut out = header.clone();
        match mode {
            Mode::Signed => {
                let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&subkey).unwrap();
                mac.update(&header);
                mac.update(&body);
                mac.update(&binding);
                out.extend_from_slice(&body);
                out.extend_from_slice(&mac.finalize().into_bytes());
            }
            Mode::Encrypted => {
                let mut aad = header.clone();
                aad.extend_from_slice(&binding);
                let cipher = Aes256GcmSiv::new_from_slice(&subkey).unwrap();
                let sealed = cipher
                    .encrypt(
                        Nonce::from_slice(&NONCE),
                        Payload {
                            msg: &body,
                            aad: &aad,
                        },
                    )
                    .unwrap();
                out.extend_from_slice(&NONCE);
                out.extend_from_slice(&sealed);
            }
        }
        assert_eq!(sealed, URL_SAFE_NO_PAD.encode(out), "{format}");

        let open = |tracked: bool, binding: Option<&[u8; 32]>| {
            let guarding = Guarding {
                claims: None,
                tracked,
                binding,
            };
            with_guarded_engine(&ring, format, guarding, |engine| {
                engine.open::<Claims>(&sealed, ISSUED_AT)
            })
        };
        let opened = open(true, Some(&binding)).unwrap();
        assert_eq!(opened.value(), &payload());
        assert_eq!(opened.claims(), Some(&claims));
        assert_eq!(
            open(false, Some(&binding)).unwrap_err(),
            OpenError::TrackingMismatch { tracked: false }
        );
        assert_eq!(
            open(true, Some(&binding_of(b"curl"))).unwrap_err(),
            OpenError::Invalid
        );
        assert_eq!(open(true, None).unwrap_err(), OpenError::Invalid);
    }
    // An untracked value opened by a tracked type: refused before authentication.
    let plain = engine_seal(&ring, vector(Mode::Signed, Codec::Json).0, ISSUED_AT);
    let tracked = Guarding {
        tracked: true,
        ..Guarding::default()
    };
    let refused = with_guarded_engine(
        &ring,
        vector(Mode::Signed, Codec::Json).0,
        tracked,
        |engine| engine.open::<Claims>(&plain, ISSUED_AT),
    );
    assert_eq!(
        refused.unwrap_err(),
        OpenError::TrackingMismatch { tracked: true }
    );
}

/// The compressed vector's payload: the name repeats, so its JSON deflates shorter.
fn repetitive_payload() -> Claims {
    Claims {
        user_id: 42,
        name: "Ada".repeat(20),
    }
}

/// Signed JSON, compressed (format byte 0x41), v1 header, of [`repetitive_payload`].
const COMPRESSED_SIGNED_JSON: &str = "AUFl5riwAAAAAGlVuQCdwiEKACAMQNG7_GwS05onkcEWDBoUk3h37zB4l7N9tW5IyYmpwxGqaRjvA4AJ9DBIHIi8Uoob8F_oGxcyr67FgKJUW7NzN6fOv6dI";

#[test]
fn compressed_vector_matches_and_authenticates_the_deflated_bytes() {
    let ring = ring();
    let format = Format {
        mode: Mode::Signed,
        codec: Codec::Json,
    };
    let sealed = with_engine_compressing(&ring, format, true, |engine| {
        engine
            .seal_with_nonce(&repetitive_payload(), ISSUED_AT, ISSUED_AT, None)
            .unwrap()
    });
    assert_eq!(
        sealed, COMPRESSED_SIGNED_JSON,
        "compressed wire format changed; update FORMAT.md only on purpose"
    );
    // Independently: header with 0x41, then raw DEFLATE that inflates (with miniz_oxide's
    // whole-buffer API, not the engine's) to the JSON, then HMAC over header ‖ deflated bytes.
    let raw = URL_SAFE_NO_PAD.decode(&sealed).unwrap();
    assert_eq!(&raw[..2], &[0x01, 0x41]);
    let (signed, tag) = raw.split_at(raw.len() - 32);
    let deflated = &signed[14..];
    let json = serde_json::to_vec(&repetitive_payload()).unwrap();
    assert!(deflated.len() < json.len());
    assert_eq!(
        miniz_oxide::inflate::decompress_to_vec(deflated).unwrap(),
        json
    );
    let mut subkey = [0u8; 32];
    Hkdf::<Sha256>::new(None, &key_bytes())
        .expand(
            format!("typed-cookies/v1/signed/{SALT}").as_bytes(),
            &mut subkey,
        )
        .unwrap();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&subkey).unwrap();
    mac.update(signed);
    mac.verify_slice(tag).unwrap();
    // Opens with a compressing engine; a non-compressing one refuses it unread.
    let opened = with_engine_compressing(&ring, format, true, |engine| {
        engine.open::<Claims>(&sealed, ISSUED_AT).unwrap()
    });
    assert_eq!(opened.value(), &repetitive_payload());
    let refused = with_engine(&ring, format, |engine| {
        engine.open::<Claims>(&sealed, ISSUED_AT).map(|_| ())
    });
    assert_eq!(refused, Err(crate::OpenError::UnexpectedCompression));
    // The short vector payload does not shrink, so a compressing engine writes it as before.
    let short = with_engine_compressing(&ring, format, true, |engine| {
        engine
            .seal_with_nonce(&payload(), ISSUED_AT, ISSUED_AT, None)
            .unwrap()
    });
    assert_eq!(short, SIGNED_JSON);
}

/// Runtime sealers' domain: `keys.signed("vectors.v1")` and `keys.encrypted("vectors.v1")`
/// (one part), and `keys.signed_parts(["vectors", "v1"])`, same key, payload, `issued_at`
/// and nonce as above. Their subkeys come from
/// `typed-cookies/v1/runtime/<mode>/<hex(SHA-256(len(part) ‖ part …))>`. Computed
/// independently (Python's `hmac`/`hashlib` and `cryptography`'s AES-GCM-SIV) from FORMAT.md.
const RUNTIME_SIGNED_JSON: &str = "AQFl5riwAAAAAGlVuQB7InVzZXJfaWQiOjQyLCJuYW1lIjoiQWRhIn0CU4w6YODTI9MCHMU1Zo-Y1H9qbXTwEU4FOGCzqZFMlg";
const RUNTIME_ENCRYPTED_JSON: &str =
    "AQJl5riwAAAAAGlVuQCgoaKjpKWmp6ipqqvKOvi36AZ55cGKD6KlxqGGWAzsj6nLvfmDkBGQU3pDu9dwRUUPrvr0RYKz";
const RUNTIME_SIGNED_JSON_PARTS: &str = "AQFl5riwAAAAAGlVuQB7InVzZXJfaWQiOjQyLCJuYW1lIjoiQWRhIn0gj9yL6bl0Ktd_6ZdjiBUaTy-P3deyakI8cdE7n8MHnQ";
/// The salt digests FORMAT.md lists: of `["vectors.v1"]` and of `["vectors", "v1"]`.
const SALT_DIGEST: &str = "0da1d454b4f4af7958584fd70d1e6aba21a8ca77b3c6175ddd00bf501f4f6630";
const PARTS_DIGEST: &str = "647b1efe72728f4dae48ed6676b44e06b7811c35b7ed78868088447b303326b0";

/// The runtime salt digest composed by hand: each part's length as a big-endian u64, then
/// its bytes, hashed with SHA-256, in lowercase hex.
fn digest_by_hand(parts: &[&str]) -> String {
    use sha2::Digest as _;
    let mut input = Vec::new();
    for part in parts {
        input.extend_from_slice(&(part.len() as u64).to_be_bytes());
        input.extend_from_slice(part.as_bytes());
    }
    Sha256::digest(&input)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A runtime value composed from the primitives directly, following FORMAT.md.
fn runtime_by_hand(mode: Mode, parts: &[&str]) -> String {
    let info = format!(
        "typed-cookies/v1/runtime/{}/{}",
        mode.label(),
        digest_by_hand(parts)
    );
    let mut subkey = [0u8; 32];
    Hkdf::<Sha256>::new(None, &key_bytes())
        .expand(info.as_bytes(), &mut subkey)
        .unwrap();
    let format = Format {
        mode,
        codec: Codec::Json,
    };
    let mut header = vec![1, format.to_byte(), 0x65, 0xe6, 0xb8, 0xb0];
    header.extend_from_slice(&ISSUED_AT.to_be_bytes());
    let body = serde_json::to_vec(&payload()).unwrap();
    let mut out = header.clone();
    match mode {
        Mode::Signed => {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&subkey).unwrap();
            mac.update(&header);
            mac.update(&body);
            out.extend_from_slice(&body);
            out.extend_from_slice(&mac.finalize().into_bytes());
        }
        Mode::Encrypted => {
            let sealed = Aes256GcmSiv::new_from_slice(&subkey)
                .unwrap()
                .encrypt(
                    Nonce::from_slice(&NONCE),
                    Payload {
                        msg: &body,
                        aad: &header,
                    },
                )
                .unwrap();
            out.extend_from_slice(&NONCE);
            out.extend_from_slice(&sealed);
        }
    }
    URL_SAFE_NO_PAD.encode(out)
}

fn issued_at() -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(ISSUED_AT).unwrap()
}

#[test]
fn runtime_vectors_match_their_own_domain() {
    use crate::keys::salt::RuntimeSalt;
    use crate::keys::subkeys::RuntimeNamespace;

    assert_eq!(digest_by_hand(&[SALT]), SALT_DIGEST);
    assert_eq!(RuntimeSalt::single(SALT).to_string(), SALT_DIGEST);
    assert_eq!(digest_by_hand(&["vectors", "v1"]), PARTS_DIGEST);

    let ring = ring();
    // Signed values are deterministic: the public API seals exactly the vectors.
    let signed = ring.signed(SALT).no_expiry().at(issued_at());
    assert_eq!(signed.seal(&payload()).unwrap(), RUNTIME_SIGNED_JSON);
    assert_eq!(runtime_by_hand(Mode::Signed, &[SALT]), RUNTIME_SIGNED_JSON);
    let parts = ring
        .signed_parts(["vectors", "v1"])
        .no_expiry()
        .at(issued_at());
    assert_eq!(parts.seal(&payload()).unwrap(), RUNTIME_SIGNED_JSON_PARTS);
    assert_eq!(
        runtime_by_hand(Mode::Signed, &["vectors", "v1"]),
        RUNTIME_SIGNED_JSON_PARTS
    );
    // Encrypted: the engine of the runtime namespace with the fixed nonce.
    let salt = RuntimeSalt::single(SALT);
    let format = Format {
        mode: Mode::Encrypted,
        codec: Codec::Json,
    };
    let keys = ring.runtime_namespace(&RuntimeNamespace {
        mode: Mode::Encrypted,
        salt: &salt,
        one_time: false,
    });
    let engine = Engine {
        keys: &keys,
        format,
        compress: false,
        freshness: Freshness::max_age(None),
        guarding: Guarding::default(),
    };
    let sealed = engine
        .seal_with_nonce(&payload(), ISSUED_AT, ISSUED_AT, Some(NONCE))
        .unwrap();
    assert_eq!(sealed, RUNTIME_ENCRYPTED_JSON);
    assert_eq!(
        runtime_by_hand(Mode::Encrypted, &[SALT]),
        RUNTIME_ENCRYPTED_JSON
    );
    let encrypted = ring.encrypted(SALT).no_expiry().at(issued_at());
    assert_eq!(
        encrypted.open::<Claims>(RUNTIME_ENCRYPTED_JSON),
        Ok(payload())
    );

    // Each opens under its own sealer only.
    assert_eq!(signed.open::<Claims>(RUNTIME_SIGNED_JSON), Ok(payload()));
    assert_eq!(
        parts.open::<Claims>(RUNTIME_SIGNED_JSON_PARTS),
        Ok(payload())
    );
    assert_eq!(
        parts.open::<Claims>(RUNTIME_SIGNED_JSON),
        Err(crate::OpenError::Invalid)
    );
    assert_eq!(
        signed.open::<Claims>(RUNTIME_SIGNED_JSON_PARTS),
        Err(crate::OpenError::Invalid)
    );
}

/// The derived types' vectors (unchanged) and the runtime ones never open as each other; a
/// sealer that opts into the legacy domain also opens the derived JSON vectors (that domain is
/// where runtime sealers used to seal), and still seals in its own.
#[test]
fn derived_and_runtime_vectors_stay_apart_and_legacy_is_an_opt_in() {
    use crate::OpenError;
    let ring = ring();
    for (mode, derived, runtime) in [
        (Mode::Signed, SIGNED_JSON, RUNTIME_SIGNED_JSON),
        (Mode::Encrypted, ENCRYPTED_JSON, RUNTIME_ENCRYPTED_JSON),
    ] {
        let format = Format {
            mode,
            codec: Codec::Json,
        };
        let builder = || match mode {
            Mode::Signed => ring.signed(SALT),
            Mode::Encrypted => ring.encrypted(SALT),
        };
        let sealer = builder().no_expiry().at(issued_at());
        assert_eq!(sealer.open::<Claims>(derived), Err(OpenError::Invalid));
        let derived_opens = with_engine(&ring, format, |engine| {
            engine.open::<Claims>(runtime, ISSUED_AT).map(|_| ())
        });
        assert_eq!(derived_opens, Err(OpenError::Invalid), "{format}");

        let transition = builder().also_open_legacy(SALT).no_expiry().at(issued_at());
        assert_eq!(transition.open::<Claims>(derived), Ok(payload()));
        assert_eq!(transition.open::<Claims>(runtime), Ok(payload()));
        let opened = transition.open_with_metadata::<Claims>(derived).unwrap();
        let moved = transition.reseal(&opened).unwrap();
        assert_eq!(
            sealer.open::<Claims>(&moved),
            Ok(payload()),
            "resealed: new domain"
        );
        let derived_opens = with_engine(&ring, format, |engine| {
            engine.open::<Claims>(&moved, ISSUED_AT).map(|_| ())
        });
        assert_eq!(derived_opens, Err(OpenError::Invalid));
        // Another legacy salt opens nothing of this one.
        let other = builder()
            .also_open_legacy("vectors.v2")
            .no_expiry()
            .at(issued_at());
        assert_eq!(other.open::<Claims>(derived), Err(OpenError::Invalid));
    }
}
