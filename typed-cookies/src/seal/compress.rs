//! Raw DEFLATE (RFC 1951, no zlib header) of the payloads of types that declare `compress`:
//! [`encode`] serializes a value and deflates it into the engine's buffer when that is strictly
//! shorter, [`inflate`] inflates an authenticated payload into a bounded buffer and hands it to
//! the decoder. The engine calls both; nothing here signs, encrypts or authenticates.
//!
//! Bounds: a payload longer than [`MAX_PAYLOAD_LEN`] is never compressed (the engine refuses it
//! as too large), and inflating stops with [`InflateError::TooLarge`] as soon as the output
//! would pass [`MAX_PAYLOAD_LEN`]: the output buffer has a fixed size and never grows, so no
//! value, however crafted, makes the opener allocate more.
//!
//! Memory hygiene, as for the engine's scratch buffer: the per-thread buffers and the
//! (de)compressor state below live as long as their thread and never grow; every byte that held
//! plaintext (the encoded payload, the inflated payload, the compressor's window, hash chains
//! and literal buffer, the decompressor's tables and bit buffer) is overwritten after each use,
//! before the next call and before anything is freed.

use std::cell::RefCell;

use miniz_oxide::deflate::core::{
    compress, CompressionStrategy, CompressorOxide, TDEFLFlush, TDEFLStatus,
};
use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::DataFormat;
use serde::Serialize;
use zeroize::Zeroize;

use crate::wire::codec::EncodeError;
use crate::wire::format::MAX_PAYLOAD_LEN;
use crate::wire::Codec;

/// The DEFLATE level: 9, the best ratio. Payloads are at most [`MAX_PAYLOAD_LEN`] bytes, so
/// the extra match search costs little, and every byte saved is a byte of every request.
const LEVEL: u8 = 9;

/// A payload that did not inflate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InflateError {
    /// It would inflate past [`MAX_PAYLOAD_LEN`] bytes.
    TooLarge,
    /// Not a complete raw DEFLATE stream, or bytes after its end.
    Corrupt,
}

/// Per-thread state, made on first use and reused.
struct Buffers {
    /// Staging for the encoded payload (seal), capacity one byte more than
    /// [`MAX_PAYLOAD_LEN`] (the encoder never grows it); wiped and emptied after each use.
    plain: Vec<u8>,
    /// The inflated payload (open): a fixed [`MAX_PAYLOAD_LEN`] + 1 bytes, so that an output
    /// filling it is known to be too long. Zero between calls: only the bytes a call wrote
    /// are wiped afterwards (not re-zeroing 16 KiB per open).
    inflated: Box<[u8]>,
    deflater: Box<CompressorOxide>,
    inflater: Box<DecompressorOxide>,
}

impl Buffers {
    fn new() -> Self {
        Self {
            plain: Vec::with_capacity(MAX_PAYLOAD_LEN + 1),
            inflated: vec![0; MAX_PAYLOAD_LEN + 1].into_boxed_slice(),
            deflater: Box::new(CompressorOxide::with_params(
                DataFormat::Raw,
                LEVEL,
                CompressionStrategy::Default,
                15,
            )),
            inflater: Box::default(),
        }
    }
}

impl Drop for Buffers {
    fn drop(&mut self) {
        // Each call already wiped what it used; this covers a call that unwound mid-way.
        self.plain.zeroize();
        self.inflated.zeroize();
        self.deflater.reset();
        *self.inflater = DecompressorOxide::new();
    }
}

thread_local! {
    static BUFFERS: RefCell<Option<Buffers>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's buffers (or fresh ones when re-entered, e.g. from a
/// `Serialize` impl that seals).
fn with_buffers<R>(f: impl FnOnce(&mut Buffers) -> R) -> R {
    BUFFERS.with(|cell| match cell.try_borrow_mut() {
        Ok(mut slot) => f(slot.get_or_insert_with(Buffers::new)),
        Err(_) => f(&mut Buffers::new()),
    })
}

/// Encodes `value` with `codec` and appends it to `out`, deflated when that is strictly
/// shorter. Never grows `out`: returns `(len, compressed)`, where `len` is the length of what
/// was (or, when it did not fit in `out`'s spare capacity, would have been) appended. A payload
/// over [`MAX_PAYLOAD_LEN`] is not compressed and not stored: its full encoded length is
/// returned, which the engine refuses as too large.
pub(crate) fn encode<T: Serialize + ?Sized>(
    codec: Codec,
    value: &T,
    out: &mut Vec<u8>,
) -> Result<(usize, bool), EncodeError> {
    with_buffers(|bufs| {
        bufs.plain.clear();
        let result = codec.encode(value, &mut bufs.plain);
        let stored = result.as_ref().ok().filter(|&&len| len <= MAX_PAYLOAD_LEN);
        let result = match stored {
            None => result.map(|len| (len, false)),
            Some(&len) => {
                let spare = out.capacity() - out.len();
                // Deflated output must be strictly shorter (and fit), or it is not kept.
                let room = len.saturating_sub(1).min(spare);
                match deflate_into(&mut bufs.deflater, &bufs.plain, out, room) {
                    Some(deflated) => Ok((deflated, true)),
                    None => {
                        if len <= spare {
                            out.extend_from_slice(&bufs.plain);
                        }
                        Ok((len, false))
                    }
                }
            }
        };
        wipe(&mut bufs.plain);
        result
    })
}

/// Appends the raw DEFLATE of `input` to `out` if it takes at most `room` bytes (which must
/// fit in `out`'s spare capacity); `None`, with `out` unchanged, otherwise. Resets (and so
/// wipes) the compressor's state after use.
fn deflate_into(
    deflater: &mut CompressorOxide,
    input: &[u8],
    out: &mut Vec<u8>,
    room: usize,
) -> Option<usize> {
    let start = out.len();
    let room = room.min(out.capacity() - start);
    out.resize(start + room, 0);
    let (status, read, written) = compress(deflater, input, &mut out[start..], TDEFLFlush::Finish);
    deflater.reset();
    if status == TDEFLStatus::Done && read == input.len() {
        out.truncate(start + written);
        Some(written)
    } else {
        // Did not fit: what was written is (compressed) plaintext past the kept length.
        out[start..].zeroize();
        out.truncate(start);
        None
    }
}

/// Inflates `deflated` (an authenticated payload) and hands the result to `f`; wipes it and
/// the decompressor's state afterwards. At most [`MAX_PAYLOAD_LEN`] bytes are ever written.
pub(crate) fn inflate<R>(deflated: &[u8], f: impl FnOnce(&[u8]) -> R) -> Result<R, InflateError> {
    with_buffers(|bufs| {
        let (status, read, written) = decompress(
            &mut bufs.inflater,
            deflated,
            &mut bufs.inflated,
            0,
            inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
        );
        let result = match status {
            _ if written > MAX_PAYLOAD_LEN => Err(InflateError::TooLarge),
            TINFLStatus::HasMoreOutput => Err(InflateError::TooLarge),
            TINFLStatus::Done if read == deflated.len() => Ok(f(&bufs.inflated[..written])),
            _ => Err(InflateError::Corrupt),
        };
        if result.is_ok() {
            bufs.inflated[..written].zeroize();
        } else {
            // Rare (a key holder's bug or attack): wipe it all rather than trust `written`.
            bufs.inflated.zeroize();
        }
        *bufs.inflater = DecompressorOxide::new();
        result
    })
}

/// Zeroizes the bytes of `buf` that a call wrote, and empties it.
fn wipe(buf: &mut Vec<u8>) {
    buf.as_mut_slice().zeroize();
    buf.clear();
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Raw DEFLATE of `input` at any length (tests build streams the seal path would not).
    pub(crate) fn deflate(input: &[u8]) -> Vec<u8> {
        miniz_oxide::deflate::compress_to_vec(input, LEVEL)
    }

    fn encode_bytes(value: &str) -> (Vec<u8>, bool) {
        let mut out = Vec::with_capacity(2 * MAX_PAYLOAD_LEN);
        out.extend_from_slice(b"head");
        let (len, compressed) = encode(Codec::Json, value, &mut out).unwrap();
        assert_eq!(out.len(), 4 + len);
        (out[4..].to_vec(), compressed)
    }

    #[test]
    fn compresses_only_when_strictly_shorter() {
        let (short, compressed) = encode_bytes("abc");
        assert_eq!((&short[..], compressed), (&b"\"abc\""[..], false));
        let text = "session ".repeat(100);
        let (long, compressed) = encode_bytes(&text);
        assert!(compressed && long.len() < 100, "{}", long.len());
        let back = inflate(&long, |plain| plain.to_vec()).unwrap();
        assert_eq!(back, serde_json::to_vec(&text).unwrap());
    }

    #[test]
    fn does_not_grow_the_output_and_leaves_no_partial_stream() {
        let text = "session ".repeat(100);
        let mut out = Vec::with_capacity(8);
        out.extend_from_slice(b"head");
        // Deflated (~20 bytes) does not fit in 4 spare bytes, nor does the payload.
        let (len, compressed) = encode(Codec::Json, &text, &mut out).unwrap();
        assert_eq!((len, compressed, &out[..]), (802, false, &b"head"[..]));
        assert_eq!(out.capacity(), 8);
    }

    #[test]
    fn refuses_to_stage_a_payload_over_the_limit() {
        let text = "a".repeat(MAX_PAYLOAD_LEN);
        let mut out = Vec::with_capacity(64);
        let (len, compressed) = encode(Codec::Json, &text, &mut out).unwrap();
        assert_eq!(
            (len, compressed, out.len()),
            (MAX_PAYLOAD_LEN + 2, false, 0)
        );
        // At the limit it compresses.
        let text = "a".repeat(MAX_PAYLOAD_LEN - 2);
        let (len, compressed) = encode(Codec::Json, &text, &mut out).unwrap();
        assert!(compressed && len < 64 && out.len() == len);
    }

    #[test]
    fn inflation_is_bounded_and_checked() {
        let at_limit = deflate(&vec![b'x'; MAX_PAYLOAD_LEN]);
        assert_eq!(inflate(&at_limit, <[u8]>::len), Ok(MAX_PAYLOAD_LEN));
        for over in [MAX_PAYLOAD_LEN + 1, 10 * 1024 * 1024] {
            let bomb = deflate(&vec![0u8; over]);
            assert!(bomb.len() < 11_000, "{}", bomb.len());
            assert_eq!(inflate(&bomb, |_| ()), Err(InflateError::TooLarge));
        }
        let good = deflate(b"hello hello hello");
        assert_eq!(
            inflate(&good, <[u8]>::to_vec).unwrap(),
            b"hello hello hello"
        );
        assert_eq!(
            inflate(&good[..good.len() - 1], |_| ()),
            Err(InflateError::Corrupt)
        );
        let mut trailing = good.clone();
        trailing.push(0);
        assert_eq!(inflate(&trailing, |_| ()), Err(InflateError::Corrupt));
        for bad in [&b""[..], b"\xff\xff\xff", b"not deflate at all"] {
            assert_eq!(inflate(bad, |_| ()), Err(InflateError::Corrupt), "{bad:?}");
        }
        // The state was reset: a good stream inflates after the bad ones.
        assert_eq!(inflate(&good, <[u8]>::len), Ok(17));
    }

    /// The engine around this module: values forged with the namespace's own subkey, so they
    /// authenticate, carrying what the seal path never writes.
    mod engine {
        use super::deflate;
        use crate::keys::subkeys::{Namespace, Subkey};
        use crate::keys::{Key, KeyRing};
        use crate::seal::{encrypted, signed, Engine, Freshness};
        use crate::wire::format::{Header, MAX_PAYLOAD_LEN, NONCE_LEN};
        use crate::wire::{base64url, Codec, Format, Mode};
        use crate::OpenError;

        const NOW: i64 = 1_767_225_600;

        fn ring() -> KeyRing {
            KeyRing::new(Key::from_bytes(&(100u8..132).collect::<Vec<_>>()).unwrap())
        }

        /// Runs `f` with an engine for `mode` (JSON) that does or does not compress.
        fn with_engine<R>(mode: Mode, compress: bool, f: impl FnOnce(Engine<'_>) -> R) -> R {
            let format = Format {
                mode,
                codec: Codec::Json,
            };
            let ring = ring();
            let keys = ring.namespace(&Namespace {
                format,
                schema: 0,
                salt: "compress.tests",
                one_time: false,
            });
            f(Engine {
                keys: &keys,
                format,
                compress,
                freshness: Freshness::max_age(None),
                guarding: Default::default(),
            })
        }

        /// An authentic value of `engine`'s namespace whose payload bytes are `body` as given,
        /// with the compressed flag set.
        fn forge(engine: &Engine<'_>, body: &[u8]) -> String {
            let mut buf = Vec::new();
            let header = Header {
                format: engine.format,
                compressed: true,
                key_id: engine.keys.ids[0].to_bytes(),
                issued_at: NOW,
                created_at: NOW,
                claims: false,
            };
            header.write(&mut buf);
            match &engine.keys.keys[0] {
                Subkey::Signed(mac) => {
                    buf.extend_from_slice(body);
                    signed::sign(mac, &mut buf, None);
                }
                Subkey::Encrypted(cipher) => {
                    buf.extend_from_slice(&[9; NONCE_LEN]);
                    buf.extend_from_slice(body);
                    assert!(encrypted::encrypt(cipher, &mut buf, header.len(), None));
                }
            }
            base64url::encode(&buf)
        }

        #[test]
        fn an_authentic_zip_bomb_is_refused_without_inflating_it_whole() {
            for mode in [Mode::Signed, Mode::Encrypted] {
                with_engine(mode, true, |engine| {
                    // 1 MiB of `[0,0,…]` JSON deflates to ~1 KB: fits in a cookie, authentic.
                    let mut json = b"[0".to_vec();
                    json.extend(b",0".repeat(512 * 1024));
                    json.push(b']');
                    let bomb = forge(&engine, &deflate(&json));
                    assert!(bomb.len() < 4096, "{}", bomb.len());
                    assert_eq!(
                        engine.open::<Vec<u8>>(&bomb, NOW).map(|_| ()),
                        Err(OpenError::InflatedTooLarge {
                            max: MAX_PAYLOAD_LEN
                        }),
                        "{mode:?}"
                    );
                    // One byte over the limit is refused too; at the limit it inflates.
                    let over = forge(&engine, &deflate(&vec![b' '; MAX_PAYLOAD_LEN + 1]));
                    assert!(matches!(
                        engine.open::<()>(&over, NOW),
                        Err(OpenError::InflatedTooLarge { .. })
                    ));
                    let mut at = vec![b' '; MAX_PAYLOAD_LEN - 4];
                    at.extend_from_slice(b"null");
                    let at = forge(&engine, &deflate(&at));
                    assert!(engine.open::<()>(&at, NOW).is_ok(), "{mode:?}");
                });
            }
        }

        #[test]
        fn a_malformed_stream_in_an_authentic_value_is_a_typed_error() {
            for mode in [Mode::Signed, Mode::Encrypted] {
                with_engine(mode, true, |engine| {
                    let good = deflate(b"\"hello hello hello\"");
                    let ok = forge(&engine, &good);
                    assert_eq!(
                        engine.open::<String>(&ok, NOW).unwrap().value(),
                        "hello hello hello"
                    );
                    let mut trailing = good.clone();
                    trailing.push(0);
                    for body in [
                        &b""[..],
                        b"\xff\xfe\xfd",
                        b"\"not deflated\"",
                        &good[..good.len() - 2],
                        &trailing,
                    ] {
                        assert_eq!(
                            engine
                                .open::<String>(&forge(&engine, body), NOW)
                                .map(|_| ()),
                            Err(OpenError::CorruptCompression),
                            "{mode:?} {body:?}"
                        );
                    }
                    // Inflates fine but is not the type: a mismatch, as uncompressed.
                    assert!(matches!(
                        engine.open::<u64>(&ok, NOW),
                        Err(OpenError::PayloadMismatch { .. })
                    ));
                });
            }
        }

        #[test]
        fn a_type_that_does_not_compress_refuses_before_authenticating() {
            for mode in [Mode::Signed, Mode::Encrypted] {
                let forged = with_engine(mode, true, |engine| {
                    let mut raw = Vec::new();
                    base64url::decode_into(forge(&engine, &deflate(b"1")).as_bytes(), &mut raw)
                        .unwrap();
                    // Break authentication too: the flag alone decides.
                    *raw.last_mut().unwrap() ^= 1;
                    base64url::encode(&raw)
                });
                with_engine(mode, false, |engine| {
                    assert_eq!(
                        engine.open::<u64>(&forged, NOW).map(|_| ()),
                        Err(OpenError::UnexpectedCompression)
                    );
                });
            }
        }

        #[test]
        fn tampering_with_a_compressed_value_is_invalid() {
            for mode in [Mode::Signed, Mode::Encrypted] {
                with_engine(mode, true, |engine| {
                    let value = engine.seal(&"ab".repeat(200), NOW, NOW).unwrap();
                    let mut raw = Vec::new();
                    base64url::decode_into(value.as_bytes(), &mut raw).unwrap();
                    assert_eq!(raw[1] & 0x40, 0x40);
                    for i in 0..raw.len() {
                        for bit in [0x01, 0x40] {
                            let mut changed = raw.clone();
                            changed[i] ^= bit;
                            let result = engine
                                .open::<String>(&base64url::encode(&changed), NOW)
                                .map(|_| ());
                            match i {
                                // The header's version, format and key id are decided first.
                                0..=5 => assert!(result.is_err(), "{mode:?} byte {i}"),
                                _ => {
                                    assert_eq!(result, Err(OpenError::Invalid), "{mode:?} byte {i}")
                                }
                            }
                        }
                    }
                    // Clearing the flag is caught by authentication, not by the decoder.
                    let mut cleared = raw.clone();
                    cleared[1] &= !0x40;
                    assert_eq!(
                        engine
                            .open::<String>(&base64url::encode(&cleared), NOW)
                            .map(|_| ()),
                        Err(OpenError::Invalid)
                    );
                });
            }
        }
    }
}
