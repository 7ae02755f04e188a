//! Issue 30: what `compress` costs on the ~1 KB signed session, and the raw DEFLATE candidates
//! that could do the work, side by side in one criterion run.
//!
//! - `ours/…`: the signed JSON ~1 KB session sealed and opened through the public API, without
//!   and with `compress` (the ratio the goal is about: compressed ≤ 2× plain).
//! - `raw/…`: each candidate deflates the session's JSON bytes (raw DEFLATE, no header) and
//!   inflates them again into a 16 KiB + 1 buffer, its state reused between calls, as the engine
//!   would use it (including the reset or wipe the candidate needs to leave no plaintext).
//!   Candidates: miniz_oxide (today's crate) at levels 1, 6 and 9; zlib-rs (pure Rust) with a
//!   reused `Deflate`/`Inflate` and `reset`; libdeflate (C, through `libdeflater`); yazi (pure
//!   Rust, a miniz port whose reset does not clear its tables); libflate (pure Rust, a hash map
//!   per stream).
//!
//! `cargo bench --bench compress` (about a minute; prints each candidate's output length
//! first). `cargo test --bench compress` runs each once, untimed (CI). For instruction counts
//! (deterministic under load), the same binary loops one case without criterion:
//!
//! ```sh
//! cargo bench --bench compress --no-run   # prints the binary's path
//! valgrind --tool=callgrind target/release/deps/compress-HASH --loop ours-signed-json 2000
//! ```
//!
//! (instructions per round trip = the runs of 2000 minus 1000 iterations, ÷ 1000). Case names:
//! `ours-signed-json`, `ours-signed-json-compressed` and each `raw/` candidate's id.

#![allow(missing_docs)] // `criterion_group!` writes an undocumented `pub fn`

use std::borrow::Cow;
use std::cell::RefCell;
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, Criterion};
use miniz_oxide::deflate::core::{
    compress, CompressionStrategy, CompressorOxide, TDEFLFlush, TDEFLStatus,
};
use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::DataFormat;
use zeroize::Zeroize;

use typed_cookies::MAX_PAYLOAD_LEN;
use typed_cookies_testkit::contenders as support;

use support::ours::Ours;
use support::payload::{big, BigSignedJson, BigSignedJsonCompressed};
use support::Contender;

/// One DEFLATE implementation, its state kept between calls.
trait Candidate {
    /// Appends the raw DEFLATE of `input` to `out` (capacity reserved by the caller).
    fn deflate(&mut self, input: &[u8], out: &mut Vec<u8>);
    /// Inflates `input` into `out`, returns the length written.
    fn inflate(&mut self, input: &[u8], out: &mut [u8]) -> usize;
}

/// miniz_oxide's low-level API, as `typed-cookies/src/seal/compress.rs` used it before issue
/// 30: `CompressorOxide::reset` after every stream (it overwrites all ~330 KB of state), a
/// fresh `DecompressorOxide` after every inflate.
struct Miniz {
    deflater: Box<CompressorOxide>,
    inflater: Box<DecompressorOxide>,
}

impl Miniz {
    fn new(level: u8) -> Self {
        Self {
            deflater: Box::new(CompressorOxide::with_params(
                DataFormat::Raw,
                level,
                CompressionStrategy::Default,
                15,
            )),
            inflater: Box::default(),
        }
    }
}

impl Candidate for Miniz {
    fn deflate(&mut self, input: &[u8], out: &mut Vec<u8>) {
        let start = out.len();
        out.resize(out.capacity(), 0);
        let (status, _, written) = compress(
            &mut self.deflater,
            input,
            &mut out[start..],
            TDEFLFlush::Finish,
        );
        self.deflater.reset();
        assert_eq!(status, TDEFLStatus::Done);
        out.truncate(start + written);
    }

    fn inflate(&mut self, input: &[u8], out: &mut [u8]) -> usize {
        let (status, _, written) = decompress(
            &mut self.inflater,
            input,
            out,
            0,
            inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
        );
        *self.inflater = DecompressorOxide::new();
        assert_eq!(status, TINFLStatus::Done);
        written
    }
}

/// zlib-rs's safe API (`zlib_rs::Deflate`/`Inflate`), each made once and `reset` per stream.
/// `reset` clears the 128 KiB hash head table but not the window or the literal buffer: the
/// plaintext would stay in them (and nothing of ours could wipe it).
struct ZlibRs {
    deflater: zlib_rs::Deflate,
    inflater: zlib_rs::Inflate,
}

impl ZlibRs {
    fn new(level: i32) -> Self {
        Self {
            deflater: zlib_rs::Deflate::new(level, false, 15),
            inflater: zlib_rs::Inflate::new(false, 15),
        }
    }
}

impl Candidate for ZlibRs {
    fn deflate(&mut self, input: &[u8], out: &mut Vec<u8>) {
        let start = out.len();
        out.resize(out.capacity(), 0);
        let status =
            self.deflater
                .compress(input, &mut out[start..], zlib_rs::DeflateFlush::Finish);
        let written = self.deflater.total_out() as usize;
        self.deflater.reset();
        assert_eq!(status, Ok(zlib_rs::Status::StreamEnd));
        out.truncate(start + written);
    }

    fn inflate(&mut self, input: &[u8], out: &mut [u8]) -> usize {
        let status = self
            .inflater
            .decompress(input, out, zlib_rs::InflateFlush::Finish);
        let written = self.inflater.total_out() as usize;
        self.inflater.reset(false);
        assert_eq!(status, Ok(zlib_rs::Status::StreamEnd));
        written
    }
}

/// libdeflate (C) through `libdeflater`: whole-buffer calls, no stream state to reset (the
/// compressor re-initialises its hash tables on every call).
struct Libdeflate {
    deflater: libdeflater::Compressor,
    inflater: libdeflater::Decompressor,
}

impl Libdeflate {
    fn new(level: i32) -> Self {
        Self {
            deflater: libdeflater::Compressor::new(
                libdeflater::CompressionLvl::new(level).expect("a libdeflate level"),
            ),
            inflater: libdeflater::Decompressor::new(),
        }
    }
}

impl Candidate for Libdeflate {
    fn deflate(&mut self, input: &[u8], out: &mut Vec<u8>) {
        let start = out.len();
        out.resize(out.capacity(), 0);
        let written = self
            .deflater
            .deflate_compress(input, &mut out[start..])
            .expect("fits");
        out.truncate(start + written);
    }

    fn inflate(&mut self, input: &[u8], out: &mut [u8]) -> usize {
        self.inflater
            .deflate_decompress(input, out)
            .expect("inflates")
    }
}

/// yazi (pure Rust, a port of miniz): one boxed `Encoder`/`Decoder`, reused. Its stream
/// reset does not clear the dictionary or the hash chains (its match check skips stale
/// positions), so it is cheap, and the plaintext stays in them: its API cannot wipe them.
struct Yazi {
    deflater: Box<yazi::Encoder>,
    inflater: Box<yazi::Decoder>,
    level: u8,
}

impl Yazi {
    fn new(level: u8) -> Self {
        let mut inflater = yazi::Decoder::boxed();
        inflater.set_format(yazi::Format::Raw);
        Self {
            deflater: Self::encoder(level),
            inflater,
            level,
        }
    }

    fn encoder(level: u8) -> Box<yazi::Encoder> {
        let mut deflater = yazi::Encoder::boxed();
        deflater.set_format(yazi::Format::Raw);
        deflater.set_level(yazi::CompressionLevel::Specific(level));
        deflater
    }
}

/// Whether yazi's encoder can be reused in this build. Its reset keeps the hash chains, and
/// its match search subtracts a stale chain position from the current one relying on the
/// wrap (masked afterwards): with overflow checks on (a debug build: the untimed CI run) the
/// second stream panics (`attempt to subtract with overflow`, yazi 0.2.2 `encode.rs`). So a
/// debug build makes a fresh encoder per stream (said once when the case starts); the timed
/// run (release) reuses it.
const YAZI_REUSES: bool = !cfg!(debug_assertions);

impl Candidate for Yazi {
    fn deflate(&mut self, input: &[u8], out: &mut Vec<u8>) {
        if !YAZI_REUSES {
            self.deflater = Self::encoder(self.level);
        }
        let mut stream = self.deflater.stream_into_vec(out);
        stream.write(input).expect("deflates");
        stream.finish().expect("finishes");
    }

    fn inflate(&mut self, input: &[u8], out: &mut [u8]) -> usize {
        let mut stream = self.inflater.stream_into_buf(out);
        stream.write(input).expect("inflates");
        let (written, _) = stream.finish().expect("finishes");
        usize::try_from(written).expect("fits")
    }
}

/// libflate (pure Rust): a new `Encoder` per stream (its LZ77 keeps a `HashMap` of the
/// input's 3-byte prefixes for inputs under 32 KiB, dropped unwiped), and its `Decoder`.
/// It has no levels: `-L6` is its default (dynamic Huffman codes), `-L1` its fixed codes.
struct Libflate {
    fixed: bool,
}

impl Candidate for Libflate {
    fn deflate(&mut self, input: &[u8], out: &mut Vec<u8>) {
        use std::io::Write;
        let options = libflate::deflate::EncodeOptions::new();
        let options = if self.fixed {
            options.fixed_huffman_codes()
        } else {
            options
        };
        let mut encoder = libflate::deflate::Encoder::with_options(out, options);
        encoder.write_all(input).expect("deflates");
        encoder.finish().into_result().expect("finishes");
    }

    fn inflate(&mut self, input: &[u8], out: &mut [u8]) -> usize {
        use std::io::Read;
        let mut decoder = libflate::deflate::Decoder::new(input);
        let mut written = 0;
        loop {
            let n = decoder.read(&mut out[written..]).expect("inflates");
            if n == 0 {
                return written;
            }
            written += n;
        }
    }
}

/// The candidates' ids, in the order they run.
const RAW: &[&str] = &[
    "miniz-L9",
    "miniz-L6",
    "miniz-L1",
    "zlib-rs-L9",
    "zlib-rs-L6",
    "zlib-rs-L1",
    "libdeflate-L12",
    "libdeflate-L9",
    "libdeflate-L6",
    "libdeflate-L1",
    "yazi-L9",
    "yazi-L6",
    "yazi-L1",
    "libflate-L6",
    "libflate-L1",
];

fn candidate(id: &str) -> Box<dyn Candidate> {
    let (name, level) = id.rsplit_once("-L").expect("NAME-L<level>");
    let level: u8 = level.parse().expect("a level");
    match name {
        "miniz" => Box::new(Miniz::new(level)),
        "zlib-rs" => Box::new(ZlibRs::new(level.into())),
        "libdeflate" => Box::new(Libdeflate::new(level.into())),
        "yazi" => Box::new(Yazi::new(level)),
        "libflate" => Box::new(Libflate { fixed: level == 1 }),
        other => panic!("unknown candidate {other:?}"),
    }
}

/// One raw case: the candidate, the session's JSON, the output and inflate buffers.
struct Raw {
    candidate: RefCell<Box<dyn Candidate>>,
    json: Vec<u8>,
    deflated: RefCell<Vec<u8>>,
    inflated: RefCell<Box<[u8]>>,
}

impl Raw {
    fn new(id: &str) -> Self {
        Self {
            candidate: RefCell::new(candidate(id)),
            json: serde_json::to_vec(&big()).expect("serializes"),
            deflated: RefCell::new(Vec::with_capacity(2 * MAX_PAYLOAD_LEN)),
            inflated: RefCell::new(vec![0; MAX_PAYLOAD_LEN + 1].into_boxed_slice()),
        }
    }

    /// Deflates the JSON; returns the compressed length.
    fn deflate(&self) -> usize {
        let mut out = self.deflated.borrow_mut();
        out.clear();
        self.candidate.borrow_mut().deflate(&self.json, &mut out);
        out.len()
    }

    /// Inflates what [`Raw::deflate`] wrote, checks it, wipes the bytes written (as the engine
    /// does).
    fn inflate(&self) {
        let deflated = self.deflated.borrow();
        let mut inflated = self.inflated.borrow_mut();
        let n = self
            .candidate
            .borrow_mut()
            .inflate(&deflated, &mut inflated);
        assert_eq!(&inflated[..n], &self.json[..]);
        inflated[..n].zeroize();
    }

    fn round_trip(&self) {
        black_box(self.deflate());
        self.inflate();
    }
}

fn ours_plain() -> Ours<BigSignedJson> {
    Ours::new(BigSignedJson::from(&big()))
}

fn ours_compressed() -> Ours<BigSignedJsonCompressed> {
    Ours::new(BigSignedJsonCompressed::from(&big()))
}

fn ours_round_trip<C: Contender>(contender: &C) {
    black_box(contender.open(Cow::Owned(black_box(contender.seal()))));
}

fn ours(c: &mut Criterion) {
    let (plain, packed) = (ours_plain(), ours_compressed());
    assert_eq!(packed.open(Cow::Owned(packed.seal())), *packed.sample());
    eprintln!(
        "ours signed JSON ~1 KB session: value {} characters, compressed {}",
        plain.seal().len(),
        packed.seal().len()
    );
    let mut group = c.benchmark_group("compress/ours/seal+open");
    group.bench_function("ours-signed-json", |b| b.iter(|| ours_round_trip(&plain)));
    group.bench_function("ours-signed-json-compressed", |b| {
        b.iter(|| ours_round_trip(&packed))
    });
    group.finish();
    let mut group = c.benchmark_group("compress/ours/seal");
    group.bench_function("ours-signed-json", |b| b.iter(|| black_box(plain.seal())));
    group.bench_function("ours-signed-json-compressed", |b| {
        b.iter(|| black_box(packed.seal()))
    });
    group.finish();
}

/// The JSON of the compressed wire vector (`typed-cookies/src/seal/vectors.rs`,
/// `COMPRESSED_SIGNED_JSON`), whose sealed bytes pin the deflater's output.
const VECTOR_JSON: &[u8] =
    br#"{"user_id":42,"name":"AdaAdaAdaAdaAdaAdaAdaAdaAdaAdaAdaAdaAdaAdaAdaAdaAdaAdaAdaAda"}"#;

/// The raw DEFLATE of [`VECTOR_JSON`] in that vector (miniz_oxide, level 9).
const VECTOR_DEFLATED: &str =
    "9dc2210a00200c40d1bbfc6c12d39a2791c1160c1a14937877ef307897b37db56e48c989a9c311aa6918ef03";

fn raw(c: &mut Criterion) {
    for &id in RAW {
        if id.starts_with("yazi") && !YAZI_REUSES {
            eprintln!(
                "raw {id}: a fresh encoder per stream in this (debug) build: see YAZI_REUSES"
            );
        }
        let case = Raw::new(id);
        let n = case.deflate();
        case.inflate();
        let mut vector = Vec::with_capacity(1024);
        case.candidate
            .borrow_mut()
            .deflate(VECTOR_JSON, &mut vector);
        let hex: String = vector.iter().map(|b| format!("{b:02x}")).collect();
        eprintln!(
            "raw {id}: {} bytes of JSON -> {n}; wire vector's bytes kept: {}",
            case.json.len(),
            if hex == VECTOR_DEFLATED { "yes" } else { "no" }
        );
        c.benchmark_group("compress/raw/deflate+inflate")
            .bench_function(id, |b| b.iter(|| case.round_trip()));
        c.benchmark_group("compress/raw/deflate")
            .bench_function(id, |b| b.iter(|| black_box(case.deflate())));
        c.benchmark_group("compress/raw/inflate")
            .bench_function(id, |b| b.iter(|| case.inflate()));
    }
}

/// `--loop CASE N`: runs one case N times without criterion (for callgrind).
fn run_loop(case: &str, rounds: usize) {
    match case {
        "ours-signed-json" => {
            let c = ours_plain();
            (0..rounds).for_each(|_| ours_round_trip(&c));
        }
        "ours-signed-json-compressed" => {
            let c = ours_compressed();
            (0..rounds).for_each(|_| ours_round_trip(&c));
        }
        id => {
            let c = Raw::new(id);
            (0..rounds).for_each(|_| c.round_trip());
        }
    }
}

/// Short runs: each benchmark 0.5 s warm-up + 1.5 s.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1500))
        .sample_size(50)
}

criterion_group! {
    name = benches;
    config = config();
    targets = ours, raw
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--loop") {
        let case = args.get(at + 1).expect("--loop CASE N");
        let rounds = args
            .get(at + 2)
            .and_then(|n| n.parse().ok())
            .expect("--loop CASE N");
        run_loop(case, rounds);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
