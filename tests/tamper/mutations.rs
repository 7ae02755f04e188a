//! Property: any change to a sealed value is refused, never accepted and never a panic.
//!
//! Mutations of the text (bit flip of any byte, any character replaced, insertion, deletion,
//! truncation, extension, swapping two characters, case changes, re-encoding with `=`
//! padding or with the standard `+/` alphabet) and of the decoded bytes (bit flip at any
//! position, truncation, extension, splicing the header of another value) are applied to
//! values of both modes and both codecs, typed and low-level. Whatever the change, opening
//! fails *at or before authentication*: the error is one of TooLarge, Malformed,
//! UnknownVersion, WrongFormat, UnknownKey or Invalid — never Expired, IssuedInFuture or
//! PayloadMismatch, which would mean a changed value authenticated. Besides the random cases,
//! every single-bit flip and inversion of every decoded byte, every single-character
//! substitution of every position, and every truncation are tried exhaustively for values of
//! each kind.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use proptest::prelude::*;
use proptest::sample::Index;
use typed_cookies::time::Duration;
use typed_cookies::OpenError;
use typed_cookies_testkit::tamper::refused_before_trusting;
use typed_cookies_testkit::{keys, profile, t0, Kind, Payload};

fn seal(keys: &typed_cookies::KeyRing, kind: Kind, p: &Payload) -> String {
    kind.seal(&keys.at(t0()), p)
}

/// Opens `value` as `kind` at [`t0`], when it was sealed: only a forgery can make it fail.
fn open(keys: &typed_cookies::KeyRing, kind: Kind, value: &str) -> Result<Payload, OpenError> {
    kind.open(&keys.at(t0()), value)
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Flip one bit of one byte of the text (non-ASCII results become U+FFFD).
    FlipTextBit {
        at: Index,
        bit: u8,
    },
    /// Replace one character with any character.
    Replace {
        at: Index,
        with: char,
    },
    Insert {
        at: Index,
        text: String,
    },
    Delete {
        at: Index,
        len: usize,
    },
    /// Keep a strict prefix.
    Truncate {
        keep: Index,
    },
    Extend {
        suffix: String,
    },
    Swap {
        a: Index,
        b: Index,
    },
    /// Toggle the case of the first letter at or after `at`.
    ToggleCase {
        at: Index,
    },
    Uppercase,
    Lowercase,
    /// Append 1–3 `=`.
    Pad {
        n: usize,
    },
    /// `-`→`+`, `_`→`/`.
    StandardAlphabet,
    /// The same bytes, re-encoded with another engine.
    Reencode {
        engine: u8,
    },
    /// Flip one bit of the decoded bytes, re-encode canonically.
    FlipDecodedBit {
        at: Index,
        bit: u8,
    },
    TruncateDecoded {
        keep: Index,
    },
    ExtendDecoded {
        suffix: Vec<u8>,
    },
    /// Replace decoded byte `at` with `with` (header fields included).
    SetDecodedByte {
        at: Index,
        with: u8,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let text = |n| proptest::collection::vec(any::<char>(), 1..=n).prop_map(String::from_iter);
    prop_oneof![
        (any::<Index>(), 0u8..8).prop_map(|(at, bit)| Mutation::FlipTextBit { at, bit }),
        (any::<Index>(), any::<char>()).prop_map(|(at, with)| Mutation::Replace { at, with }),
        (any::<Index>(), text(4)).prop_map(|(at, text)| Mutation::Insert { at, text }),
        (any::<Index>(), 1usize..8).prop_map(|(at, len)| Mutation::Delete { at, len }),
        any::<Index>().prop_map(|keep| Mutation::Truncate { keep }),
        text(6).prop_map(|suffix| Mutation::Extend { suffix }),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Swap { a, b }),
        any::<Index>().prop_map(|at| Mutation::ToggleCase { at }),
        Just(Mutation::Uppercase),
        Just(Mutation::Lowercase),
        (1usize..=3).prop_map(|n| Mutation::Pad { n }),
        Just(Mutation::StandardAlphabet),
        (0u8..3).prop_map(|engine| Mutation::Reencode { engine }),
        (any::<Index>(), 0u8..8).prop_map(|(at, bit)| Mutation::FlipDecodedBit { at, bit }),
        any::<Index>().prop_map(|keep| Mutation::TruncateDecoded { keep }),
        proptest::collection::vec(any::<u8>(), 1..40)
            .prop_map(|suffix| Mutation::ExtendDecoded { suffix }),
        (any::<Index>(), any::<u8>()).prop_map(|(at, with)| Mutation::SetDecodedByte { at, with }),
    ]
}

fn apply(value: &str, m: &Mutation) -> String {
    // Text mutations work on characters, so they stay valid on already-mutated (non-ASCII)
    // input; `value` is never empty here.
    let mut chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    let decoded = || URL_SAFE_NO_PAD.decode(value).unwrap();
    match m {
        Mutation::FlipTextBit { at, bit } => {
            let mut bytes = value.as_bytes().to_vec();
            let i = at.index(bytes.len());
            bytes[i] ^= 1 << bit;
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Mutation::Replace { at, with } => {
            chars[at.index(n)] = *with;
            chars.into_iter().collect()
        }
        Mutation::Insert { at, text } => {
            let at = at.index(n + 1);
            chars.splice(at..at, text.chars());
            chars.into_iter().collect()
        }
        Mutation::Delete { at, len } => {
            let start = at.index(n);
            chars.drain(start..(start + len).min(n));
            chars.into_iter().collect()
        }
        Mutation::Truncate { keep } => chars[..keep.index(n)].iter().collect(),
        Mutation::Extend { suffix } => format!("{value}{suffix}"),
        Mutation::Swap { a, b } => {
            chars.swap(a.index(n), b.index(n));
            chars.into_iter().collect()
        }
        Mutation::ToggleCase { at } => {
            let start = at.index(n);
            if let Some(i) = (0..n)
                .map(|k| (start + k) % n)
                .find(|&i| chars[i].is_ascii_alphabetic())
            {
                let c = chars[i];
                chars[i] = if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                };
            }
            chars.into_iter().collect()
        }
        Mutation::Uppercase => value.to_ascii_uppercase(),
        Mutation::Lowercase => value.to_ascii_lowercase(),
        Mutation::Pad { n } => format!("{value}{}", "=".repeat(*n)),
        Mutation::StandardAlphabet => value.replace('-', "+").replace('_', "/"),
        Mutation::Reencode { engine } => match engine {
            0 => STANDARD.encode(decoded()),
            1 => STANDARD_NO_PAD.encode(decoded()),
            _ => URL_SAFE.encode(decoded()),
        },
        Mutation::FlipDecodedBit { at, bit } => {
            let mut bytes = decoded();
            let i = at.index(bytes.len());
            bytes[i] ^= 1 << bit;
            URL_SAFE_NO_PAD.encode(bytes)
        }
        Mutation::TruncateDecoded { keep } => {
            let bytes = decoded();
            URL_SAFE_NO_PAD.encode(&bytes[..keep.index(bytes.len())])
        }
        Mutation::ExtendDecoded { suffix } => {
            let mut bytes = decoded();
            bytes.extend_from_slice(suffix);
            URL_SAFE_NO_PAD.encode(bytes)
        }
        Mutation::SetDecodedByte { at, with } => {
            let mut bytes = decoded();
            let i = at.index(bytes.len());
            bytes[i] = *with;
            URL_SAFE_NO_PAD.encode(bytes)
        }
    }
}

fn any_text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>(), 0..=max).prop_map(String::from_iter)
}

prop_compose! {
    fn payload()(
        user in any::<u64>(),
        name in any_text(24),
        roles in proptest::collection::vec(any_text(8), 0..3),
    ) -> Payload {
        Payload { user, name, roles }
    }
}

fn kind() -> impl Strategy<Value = Kind> {
    proptest::sample::select(Kind::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8000))]

    #[test]
    fn every_mutation_is_refused(kind in kind(), p in payload(), m in mutation()) {
        let keys = keys();
        let value = seal(&keys, kind, &p);
        prop_assert_eq!(open(&keys, kind, &value), Ok(p));
        let changed = apply(&value, &m);
        // Some mutations can be no-ops (no `-`/`_` to swap alphabets, swapping equal chars,
        // re-setting a byte to itself): those are not changes.
        prop_assume!(changed != value);
        let result = open(&keys, kind, &changed);
        prop_assert!(refused_before_trusting(&result), "{:?} of {} -> {:?}", m, value, result);
    }

    #[test]
    fn several_mutations_at_once_are_refused(
        kind in kind(),
        p in payload(),
        ms in proptest::collection::vec(mutation(), 2..5),
    ) {
        let keys = keys();
        let value = seal(&keys, kind, &p);
        let mut changed = value.clone();
        for m in &ms {
            // Decoded-byte mutations need decodable input; skip them once it is not.
            if URL_SAFE_NO_PAD.decode(&changed).is_err() && matches!(
                m,
                Mutation::Reencode { .. }
                    | Mutation::FlipDecodedBit { .. }
                    | Mutation::TruncateDecoded { .. }
                    | Mutation::ExtendDecoded { .. }
                    | Mutation::SetDecodedByte { .. }
            ) {
                continue;
            }
            if changed.is_empty() {
                break;
            }
            changed = apply(&changed, m);
        }
        prop_assume!(changed != value);
        let result = open(&keys, kind, &changed);
        prop_assert!(refused_before_trusting(&result), "{:?} of {} -> {:?}", ms, value, result);
    }

    /// A value's header spliced onto another value's body (same kind, same key): the issued-at
    /// and every other header byte are authenticated, so this is Invalid.
    #[test]
    fn splicing_headers_and_bodies_is_refused(kind in kind(), a in payload(), b in payload(), dt in 1i64..100_000) {
        let keys = keys();
        let first = URL_SAFE_NO_PAD.decode(seal(&keys, kind, &a)).unwrap();
        let earlier = kind.seal(&keys.at(t0() - Duration::seconds(dt)), &b);
        let second = URL_SAFE_NO_PAD.decode(earlier).unwrap();
        // The newer header (issued-at t0) on the older body: a "refreshed" stale value.
        let mut spliced = first[..14].to_vec();
        spliced.extend_from_slice(&second[14..]);
        let result = open(&keys, kind, &URL_SAFE_NO_PAD.encode(&spliced));
        prop_assert_eq!(result, Err(OpenError::Invalid));
    }
}

/// The exhaustive cases' values: a small payload and a larger, session-like one.
fn exhaustive_payloads() -> [Payload; 2] {
    [
        Payload {
            user: 7,
            name: String::new(),
            roles: vec![],
        },
        profile(),
    ]
}

/// Every single-bit flip of every decoded byte, and every byte inverted (`^ 0xff`), for each
/// kind: header bytes give the header errors, everything else (issued-at included) is
/// Invalid.
#[test]
fn every_single_bit_flip_and_byte_inversion_is_refused() {
    let keys = keys();
    let flips: Vec<u8> = (0..8).map(|bit| 1u8 << bit).chain([0xff]).collect();
    let mut tried = 0;
    for kind in Kind::ALL {
        for p in exhaustive_payloads() {
            let value = seal(&keys, kind, &p);
            let bytes = URL_SAFE_NO_PAD.decode(&value).unwrap();
            for i in 0..bytes.len() {
                for &flip in &flips {
                    let mut changed = bytes.clone();
                    changed[i] ^= flip;
                    let result = open(&keys, kind, &URL_SAFE_NO_PAD.encode(&changed));
                    let ok = match i {
                        0 => matches!(result, Err(OpenError::UnknownVersion { .. })),
                        // 0x40 is the compressed flag: these kinds do not compress.
                        1 => matches!(
                            result,
                            Err(OpenError::Malformed
                                | OpenError::WrongFormat { .. }
                                | OpenError::UnexpectedCompression
                                | OpenError::TrackingMismatch { .. })
                        ),
                        2..=5 => matches!(result, Err(OpenError::UnknownKey { .. })),
                        _ => result == Err(OpenError::Invalid),
                    };
                    assert!(ok, "{kind:?}: byte {i} ^ {flip:#04x} -> {result:?}");
                    tried += 1;
                }
            }
        }
    }
    println!("{tried} single-bit flips and byte inversions refused");
}

/// Every position of the text replaced by every other base64url character (the encodings
/// most likely to still decode), plus `=`, `+`, `/`, space and `%`.
#[test]
fn every_single_character_substitution_is_refused() {
    let keys = keys();
    let alphabet: Vec<char> = ('A'..='Z')
        .chain('a'..='z')
        .chain('0'..='9')
        .chain("-_=+/ %".chars())
        .collect();
    let mut tried = 0;
    for kind in Kind::ALL {
        for p in exhaustive_payloads() {
            let value = seal(&keys, kind, &p);
            let chars: Vec<char> = value.chars().collect();
            let before = tried;
            for i in 0..chars.len() {
                for &c in &alphabet {
                    if c == chars[i] {
                        continue;
                    }
                    let mut changed = chars.clone();
                    changed[i] = c;
                    let changed: String = changed.into_iter().collect();
                    let result = open(&keys, kind, &changed);
                    assert!(
                        refused_before_trusting(&result),
                        "{kind:?}: position {i} -> {c:?}: {result:?}"
                    );
                    tried += 1;
                }
            }
            assert!(tried - before >= value.len() * 6);
        }
    }
    println!("{tried} single-character substitutions refused");
}

/// Every strict prefix and every strict suffix of a value, and the value with `A`s or `=`s
/// appended.
#[test]
fn every_truncation_and_extension_is_refused() {
    let keys = keys();
    for kind in Kind::ALL {
        let value = seal(&keys, kind, &profile());
        for len in 0..value.len() {
            let prefix = open(&keys, kind, &value[..len]);
            assert!(
                refused_before_trusting(&prefix),
                "{kind:?}: prefix of {len}"
            );
            let suffix = open(&keys, kind, &value[len + 1..]);
            assert!(
                refused_before_trusting(&suffix),
                "{kind:?}: suffix from {len}"
            );
        }
        for extra in ["A", "AA", "AAAA", "=", "=="] {
            let result = open(&keys, kind, &format!("{value}{extra}"));
            assert!(refused_before_trusting(&result), "{kind:?}: {extra}");
        }
    }
}

/// Changing the key id to the *other* key of the same ring: both keys are known, so the value
/// reaches authentication under the wrong subkey and is Invalid.
#[test]
fn swapping_the_key_id_to_another_known_key_is_invalid() {
    let keys = keys();
    let ids = keys.key_ids();
    let p = Payload {
        user: 1,
        name: "x".into(),
        roles: vec![],
    };
    for kind in Kind::ALL {
        let mut bytes = URL_SAFE_NO_PAD.decode(seal(&keys, kind, &p)).unwrap();
        assert_eq!(bytes[2..6], ids[0].to_bytes());
        bytes[2..6].copy_from_slice(&ids[1].to_bytes());
        assert_eq!(
            open(&keys, kind, &URL_SAFE_NO_PAD.encode(&bytes)),
            Err(OpenError::Invalid),
            "{kind:?}"
        );
    }
}
