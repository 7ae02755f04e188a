//! Flood: more than a million random and structured-random inputs through every open path —
//! the low-level signer and sealer, a typed (encrypted, postcard) cookie, and the `Cookie:`
//! header path of a typed (signed, JSON) cookie — asserting that nothing panics and that no
//! forged input is ever accepted.
//!
//! Inputs (deterministic for a seed; set `FLOOD_SEED=<u64>` to explore another stream):
//! - random bytes (lossily made UTF-8) and random base64url text of random length;
//! - valid values of each kind with 1–4 random mutations (text and decoded-byte level);
//! - valid headers (version 1, the right format, a known key id, a plausible issued-at)
//!   followed by random bodies of every length around the tag size;
//! - every known format byte × random (and known) key ids × random bodies;
//! - `Cookie:` headers with our cookie absent, forged, or duplicated among random pairs,
//!   and random header text;
//! - oversized inputs.
//!
//! Expected outcomes are exact where the input determines them (e.g. a known header with a
//! random body is `Invalid`, or `Malformed` when shorter than the tag). The count and elapsed
//! time are printed (`cargo test --test tamper flood -- --nocapture`); nothing is timed-asserted.

use std::time::Instant;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};
use typed_cookies::time::OffsetDateTime;
use typed_cookies::{KeyRing, OpenError, SealedCookie, Sealer, MAX_COOKIE_LEN};
use typed_cookies_testkit::kinds::{EncryptedPostcard as TypedCookie, SignedJson as HeaderCookie};
use typed_cookies_testkit::tamper::refused_before_trusting;
use typed_cookies_testkit::{keys, t0, Payload};

/// The name the header path looks for.
const NAME: &str = HeaderCookie::CONFIG.name();

const URL_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// Characters a mutation may introduce: the alphabet, the other alphabet's and padding
/// characters, and a few that cookies or URLs treat specially.
const MUTATION_CHARS: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=%.~";
/// Format bytes of version 1: signed/encrypted × JSON/postcard.
const KNOWN_FORMATS: [u8; 4] = [0x01, 0x02, 0x11, 0x12];

/// The four ways in, each knowing its format byte.
#[derive(Clone, Copy, Debug)]
enum Path {
    Signer,
    Sealer,
    Typed,
    Header,
}

const PATHS: [Path; 4] = [Path::Signer, Path::Sealer, Path::Typed, Path::Header];

impl Path {
    fn format_byte(self) -> u8 {
        match self {
            Path::Signer | Path::Header => 0x01,
            Path::Sealer => 0x02,
            Path::Typed => 0x12,
        }
    }

    /// Bytes after the header that are not payload.
    fn overhead(self) -> usize {
        match self {
            Path::Signer | Path::Header => 32,
            Path::Sealer | Path::Typed => 12 + 16,
        }
    }
}

struct Flood {
    keys: KeyRing,
    signer: Sealer,
    sealer: Sealer,
    now: OffsetDateTime,
    rng: StdRng,
    inputs: u64,
    opens: u64,
}

impl Flood {
    /// Opens `value` through `path`. `Ok(true)` if it opened.
    fn open(&mut self, path: Path, value: &str) -> Result<bool, OpenError> {
        self.opens += 1;
        let now = self.now;
        match path {
            Path::Signer => self.signer.at(now).open::<Payload>(value).map(|_| true),
            Path::Sealer => self.sealer.at(now).open::<Payload>(value).map(|_| true),
            Path::Typed => TypedCookie::open(&self.keys.at(now), value).map(|_| true),
            Path::Header => {
                let header = format!("theme=dark; {NAME}={value}; lang=en");
                HeaderCookie::from_cookie_header(&self.keys.at(now), &header)
                    .map(|found| found.is_some())
            }
        }
    }

    /// A forged input must be refused by every path.
    fn refuse_everywhere(&mut self, value: &str) {
        self.inputs += 1;
        for path in PATHS {
            let result = self.open(path, value);
            assert!(
                !matches!(result, Ok(true)),
                "{path:?} accepted forged input {value:?}"
            );
        }
    }

    fn valid(&mut self, path: Path) -> String {
        let payload = Payload {
            user: self.rng.gen(),
            name: random_text(&mut self.rng, 0..24, URL_ALPHABET),
            roles: vec![],
        };
        let now = self.now;
        match path {
            Path::Signer => self.signer.at(now).seal(&payload),
            Path::Sealer => self.sealer.at(now).seal(&payload),
            Path::Typed => TypedCookie(payload).seal(&self.keys.at(now)),
            Path::Header => HeaderCookie(payload).seal(&self.keys.at(now)),
        }
        .unwrap()
    }

    fn header(&mut self, format: u8, key_id: [u8; 4]) -> Vec<u8> {
        let mut raw = vec![1, format];
        raw.extend_from_slice(&key_id);
        let issued = self.now.unix_timestamp() + self.rng.gen_range(-7200..7200);
        raw.extend_from_slice(&issued.to_be_bytes());
        raw
    }
}

fn random_text(rng: &mut StdRng, len: std::ops::Range<usize>, alphabet: &[u8]) -> String {
    let n = rng.gen_range(len);
    (0..n)
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char)
        .collect()
}

fn random_bytes(rng: &mut StdRng, len: std::ops::Range<usize>) -> Vec<u8> {
    let mut bytes = vec![0; rng.gen_range(len)];
    rng.fill_bytes(&mut bytes);
    bytes
}

/// One random change; the result may (rarely) equal the input.
fn mutate(rng: &mut StdRng, value: &str) -> String {
    let mut text = value.as_bytes().to_vec();
    let pick = |rng: &mut StdRng| MUTATION_CHARS[rng.gen_range(0..MUTATION_CHARS.len())];
    match rng.gen_range(0..9) {
        0 if !text.is_empty() => {
            let i = rng.gen_range(0..text.len());
            text[i] = pick(rng);
        }
        1 => {
            let i = rng.gen_range(0..=text.len());
            text.insert(i, pick(rng));
        }
        2 if !text.is_empty() => {
            let i = rng.gen_range(0..text.len());
            let n = rng.gen_range(1..=4).min(text.len() - i);
            text.drain(i..i + n);
        }
        3 => text.truncate(rng.gen_range(0..=text.len())),
        4 => {
            let n = rng.gen_range(1..8);
            text.extend((0..n).map(|_| pick(rng)));
        }
        5 if !text.is_empty() => {
            let i = rng.gen_range(0..text.len());
            // Toggle the case of a letter.
            text[i] = if text[i].is_ascii_lowercase() {
                text[i].to_ascii_uppercase()
            } else {
                text[i].to_ascii_lowercase()
            };
        }
        _ => {
            // Decoded-level: flip bits, overwrite, truncate or extend the bytes.
            let Ok(mut bytes) = URL_SAFE_NO_PAD.decode(&text) else {
                text.push(b'=');
                return String::from_utf8(text).unwrap();
            };
            match rng.gen_range(0..4) {
                0 if !bytes.is_empty() => {
                    let i = rng.gen_range(0..bytes.len());
                    bytes[i] ^= 1 << rng.gen_range(0..8);
                }
                1 if !bytes.is_empty() => {
                    let i = rng.gen_range(0..bytes.len());
                    bytes[i] = rng.gen();
                }
                2 => bytes.truncate(rng.gen_range(0..=bytes.len())),
                _ => bytes.extend(random_bytes(rng, 1..40)),
            }
            return URL_SAFE_NO_PAD.encode(bytes);
        }
    }
    String::from_utf8(text).unwrap()
}

#[test]
fn a_million_forged_inputs_never_open_and_never_panic() {
    let seed = std::env::var("FLOOD_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x7c00_c1e5_5eed_0001_u64);
    let keys = keys();
    let key_ids: Vec<[u8; 4]> = keys.key_ids().iter().map(|id| id.to_bytes()).collect();
    let mut f = Flood {
        signer: keys.signed("flood.signer").no_expiry(),
        sealer: keys.encrypted("flood.sealer").no_expiry(),
        keys,
        now: t0(),
        rng: StdRng::seed_from_u64(seed),
        inputs: 0,
        opens: 0,
    };
    let start = Instant::now();
    let mut per_kind = Vec::new();
    let mut mark =
        |name: &'static str, f: &Flood, before: u64| per_kind.push((name, f.inputs - before));

    // 1. Random bytes, made UTF-8 (invalid sequences become U+FFFD).
    let before = f.inputs;
    for _ in 0..200_000 {
        let bytes = random_bytes(&mut f.rng, 0..200);
        f.refuse_everywhere(&String::from_utf8_lossy(&bytes));
    }
    mark("random bytes", &f, before);

    // 2. Random base64url text (most decodes; most lengths are legal).
    let before = f.inputs;
    for _ in 0..250_000 {
        let text = random_text(&mut f.rng, 0..300, URL_ALPHABET);
        f.refuse_everywhere(&text);
    }
    mark("random base64url", &f, before);

    // 3. Valid values with 1–4 random mutations, opened by their own path.
    let before = f.inputs;
    let mut pool: Vec<(Path, String)> = Vec::new();
    for i in 0..256 {
        let path = PATHS[i % 4];
        let value = f.valid(path);
        pool.push((path, value));
    }
    for _ in 0..300_000 {
        let (path, original) = pool[f.rng.gen_range(0..pool.len())].clone();
        let mut value = original.clone();
        for _ in 0..f.rng.gen_range(1..=4) {
            value = mutate(&mut f.rng, &value);
        }
        if value == original {
            continue;
        }
        f.inputs += 1;
        let result = f.open(path, &value);
        assert!(
            refused_before_trusting(&result),
            "{path:?}: mutated {original} -> {value}: {result:?}"
        );
    }
    mark("mutated valid values", &f, before);

    // 4. Valid headers, random bodies of every length around the tag: Invalid, or Malformed
    //    when too short to hold the tag.
    let before = f.inputs;
    for _ in 0..150_000 {
        let path = PATHS[f.rng.gen_range(0..4)];
        let key_id = key_ids[f.rng.gen_range(0..key_ids.len())];
        let mut raw = f.header(path.format_byte(), key_id);
        let body = random_bytes(&mut f.rng, 0..120);
        let body_len = body.len();
        raw.extend(body);
        f.inputs += 1;
        let result = f.open(path, &URL_SAFE_NO_PAD.encode(&raw));
        let expected = if body_len < path.overhead() {
            OpenError::Malformed
        } else {
            OpenError::Invalid
        };
        assert_eq!(result, Err(expected), "{path:?} body of {body_len}");
    }
    mark("valid header + random body", &f, before);

    // 5. Every known format byte × random key ids (a known one 1 time in 8).
    let before = f.inputs;
    for i in 0..100_000 {
        let format = KNOWN_FORMATS[i % 4];
        let known = f.rng.gen_range(0..8) == 0;
        let key_id = if known {
            key_ids[f.rng.gen_range(0..key_ids.len())]
        } else {
            f.rng.gen()
        };
        let mut raw = f.header(format, key_id);
        raw.extend(random_bytes(&mut f.rng, 0..80));
        let value = URL_SAFE_NO_PAD.encode(&raw);
        f.inputs += 1;
        for path in PATHS {
            let result = f.open(path, &value);
            let ok = if format != path.format_byte() {
                matches!(result, Err(OpenError::WrongFormat { .. }))
            } else if !key_ids.contains(&key_id) {
                matches!(result, Err(OpenError::UnknownKey { .. }))
            } else {
                matches!(result, Err(OpenError::Invalid | OpenError::Malformed))
            };
            assert!(
                ok,
                "{path:?} format {format:#04x} key {key_id:02x?}: {result:?}"
            );
        }
    }
    mark("format bytes x key ids", &f, before);

    // 6. Cookie headers: ours absent, forged once, or present several times.
    let before = f.inputs;
    let header_pool: Vec<String> = pool
        .iter()
        .filter(|(path, _)| matches!(path, Path::Header))
        .map(|(_, v)| v.clone())
        .collect();
    for _ in 0..60_000 {
        let mut pairs: Vec<String> = (0..f.rng.gen_range(0..6))
            .map(|_| {
                let name = format!("o{}", random_text(&mut f.rng, 0..8, URL_ALPHABET));
                let value = random_text(&mut f.rng, 0..40, MUTATION_CHARS);
                format!("{name}={value}")
            })
            .collect();
        let ours = f.rng.gen_range(0..4);
        for _ in 0..ours {
            let original = &header_pool[f.rng.gen_range(0..header_pool.len())];
            // Forged when alone; when duplicated, even valid values must be refused.
            let value = if ours == 1 {
                loop {
                    let v = mutate(&mut f.rng, original);
                    if v != *original {
                        break v;
                    }
                }
            } else if f.rng.gen() {
                original.clone()
            } else {
                mutate(&mut f.rng, original)
            };
            let at = f.rng.gen_range(0..=pairs.len());
            pairs.insert(at, format!("{NAME}={value}"));
        }
        let separator = if f.rng.gen() { "; " } else { ";" };
        let header = pairs.join(separator);
        f.inputs += 1;
        f.opens += 1;
        let result = HeaderCookie::from_cookie_header(&f.keys.at(f.now), &header);
        match ours {
            0 => assert_eq!(result, Ok(None), "{header}"),
            1 => assert!(refused_before_trusting(&result), "{header}: {result:?}"),
            count => assert_eq!(
                result,
                Err(OpenError::DuplicateCookie { name: NAME, count }),
                "{header}"
            ),
        }
    }
    for _ in 0..40_000 {
        // Raw header text with our name somewhere in it.
        let noise = String::from_utf8_lossy(&random_bytes(&mut f.rng, 0..120)).into_owned();
        let header = if f.rng.gen() {
            format!("{NAME}={noise}")
        } else {
            format!("{noise}; {NAME}={noise}")
        };
        f.inputs += 1;
        f.opens += 1;
        let result = HeaderCookie::from_cookie_header(&f.keys.at(f.now), &header);
        assert!(!matches!(result, Ok(Some(_))), "{header:?}");
    }
    mark("Cookie headers", &f, before);

    // 7. Oversized inputs: refused on length, before decoding.
    let before = f.inputs;
    for _ in 0..2_000 {
        let len = f.rng.gen_range(MAX_COOKIE_LEN + 1..MAX_COOKIE_LEN + 2_000);
        let value = "A".repeat(len);
        f.inputs += 1;
        for path in [Path::Signer, Path::Sealer, Path::Typed] {
            assert_eq!(
                f.open(path, &value),
                Err(OpenError::TooLarge {
                    len,
                    max: MAX_COOKIE_LEN
                })
            );
        }
    }
    mark("oversized", &f, before);

    // Positive control: the same machinery opens the untouched values.
    for (path, value) in pool.clone() {
        assert_eq!(f.open(path, &value), Ok(true), "{path:?} {value}");
    }

    let elapsed = start.elapsed();
    for (name, n) in &per_kind {
        println!("flood: {n:>9} {name}");
    }
    println!(
        "flood: {} inputs, {} opens, none accepted, no panic, in {:.2?} (seed {seed:#x})",
        f.inputs, f.opens, elapsed
    );
    assert!(f.inputs >= 1_000_000, "only {} inputs", f.inputs);
}
