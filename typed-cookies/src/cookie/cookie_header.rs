//! Reading `Cookie:` request header text: finding one cookie among a request's `Cookie:`
//! headers ([`find`], [`find_bytes`]) with our own byte-exact splitter ([`pairs`]; a general
//! parser's Unicode trimming let look-alike names through) — or among those headers split once
//! ([`CookiePairs`]), which the framework adapters keep per request so that each middleware
//! and extractor does not walk the whole header again.

use std::cell::Cell;
use std::ops::Range;

use crate::error::OpenError;

/// The `name=value` pairs of one `Cookie:` request header, split the way browsers write it and
/// store names: on `;`, with only SP and HTAB trimmed around each name and value. Nothing else
/// is trimmed, folded or decoded, so a name is compared byte for byte: `"\u{2000}__Host-sid"`
/// (which a browser stores as an unprefixed cookie any sibling subdomain may set) or
/// `"__host-sid"` is never `__Host-sid`. Pieces without `=` are skipped (browsers send a
/// nameless cookie as its bare value; it has no name to be ours).
pub(crate) fn pairs(header: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    pair_ranges(header).map(|(name, value)| (&header[name], &header[value]))
}

/// [`pairs`] as byte ranges of `header`: what [`CookiePairs`] keeps. One pass: the next `=`
/// or `;` ends a name (a `;` first: a piece without `=`, skipped), the next `;` after the `=`
/// ends the value.
fn pair_ranges(header: &[u8]) -> impl Iterator<Item = (Range<usize>, Range<usize>)> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || loop {
        let eq = from + find_either(b'=', b';', header.get(from..)?)?;
        if header[eq] == b';' {
            from = eq + 1;
            continue;
        }
        let end = find_byte(b';', &header[eq + 1..]).map_or(header.len(), |at| eq + 1 + at);
        let pair = (
            trim_sp_htab(header, from..eq),
            trim_sp_htab(header, eq + 1..end),
        );
        // Past the end when the value ran to it: the next call ends the iteration.
        from = end + 1;
        return Some(pair);
    })
}

/// How many bytes [`find_byte`] and [`find_either`] look at directly (8 at a time) before
/// calling `memchr`: a call per piece made a hostile header of 390 K empty pieces (`;;;;…`)
/// cost ~4.5 ns a byte, the direct look ~1.5 ns; `memchr` (SIMD) still walks long stretches
/// — a byte-at-a-time split walked every byte of a ~250-character sealed value, a tenth of a
/// request's typed-cookies work.
const DIRECT: usize = 16;

/// A mask with the high bit of each byte of `word` that equals `needle`: exact up to the
/// first such byte (a higher byte may be marked wrongly after one, by the borrow), which is
/// all [`first_marked`] reads.
#[inline]
fn matches(word: u64, needle: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let x = word ^ (ONES * u64::from(needle));
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The index of the first byte marked in `mask` (the bytes read little-endian).
#[inline]
fn first_marked(mask: u64) -> Option<usize> {
    (mask != 0).then(|| (mask.trailing_zeros() / 8) as usize)
}

/// The first byte of `haystack[..DIRECT]` (or less) for which `mask` (over 8 bytes read
/// little-endian) or `is` (one byte) says yes: 8 bytes at a time, then byte by byte.
#[inline]
fn find_in_head(
    haystack: &[u8],
    mask: impl Fn(u64) -> u64,
    is: impl Fn(u8) -> bool,
) -> Option<usize> {
    let head = &haystack[..haystack.len().min(DIRECT)];
    let mut words = head.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        if let Some(i) = first_marked(mask(u64::from_le_bytes(bytes))) {
            return Some(at + i);
        }
        at += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| is(b))
        .map(|i| at + i)
}

/// The first `needle` in `haystack` (see [`DIRECT`]).
#[inline]
fn find_byte(needle: u8, haystack: &[u8]) -> Option<usize> {
    match find_in_head(haystack, |w| matches(w, needle), |b| b == needle) {
        Some(at) => Some(at),
        None if haystack.len() > DIRECT => {
            memchr::memchr(needle, &haystack[DIRECT..]).map(|at| DIRECT + at)
        }
        None => None,
    }
}

/// The first `one` or `other` in `haystack` (see [`DIRECT`]).
#[inline]
fn find_either(one: u8, other: u8, haystack: &[u8]) -> Option<usize> {
    let mask = |w| matches(w, one) | matches(w, other);
    match find_in_head(haystack, mask, |b| b == one || b == other) {
        Some(at) => Some(at),
        None if haystack.len() > DIRECT => {
            memchr::memchr2(one, other, &haystack[DIRECT..]).map(|at| DIRECT + at)
        }
        None => None,
    }
}

/// `range` of `bytes` without leading and trailing SP (0x20) and HTAB (0x09), the only
/// whitespace of RFC 6265's `OWS`. Unicode whitespace, CR, LF, VT and FF stay: they are part of
/// the name.
#[inline]
fn trim_sp_htab(bytes: &[u8], range: Range<usize>) -> Range<usize> {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let piece = &bytes[range.clone()];
    // The usual piece: nothing to trim (one look at each end).
    match (piece.first(), piece.last()) {
        (Some(first), Some(last)) if !is_ows(first) && !is_ows(last) => return range,
        _ => {}
    }
    let start = piece.iter().position(|b| !is_ows(b)).unwrap_or(piece.len());
    let end = piece
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    range.start + start..range.start + end
}

/// The value of the cookie `name` in a request's `Cookie:` headers (HTTP/2 may send several;
/// they are searched as one): `Ok(None)` when absent, [`OpenError::DuplicateCookie`] when
/// present more than once (cookie tossing: a sibling subdomain or another path can plant a
/// second cookie of the same name, and nothing in the header says which is ours), and
/// [`OpenError::Malformed`] when the one value is not UTF-8.
///
/// Names match byte-exactly (see [`pairs`]); a look-alike name beside ours is ignored, not
/// counted as a duplicate, so planting one can neither sign a user in nor out.
pub(crate) fn find<'h>(
    headers: impl IntoIterator<Item = &'h [u8]>,
    name: &'static str,
) -> Result<Option<&'h str>, OpenError> {
    utf8(find_bytes(headers, name)?)
}

/// [`find`] without the UTF-8 check, for a value that is opened next: base64url decoding
/// refuses every byte outside its alphabet (as [`OpenError::Malformed`]), so checking UTF-8
/// first would only walk the value once more.
pub(crate) fn find_bytes<'h>(
    headers: impl IntoIterator<Item = &'h [u8]>,
    name: &'static str,
) -> Result<Option<&'h [u8]>, OpenError> {
    let mut found = Found::new(name);
    for header in headers {
        for (pair_name, value) in pairs(header) {
            found.see(pair_name, value);
        }
    }
    found.result()
}

/// A found value as text: [`OpenError::Malformed`] when it is not UTF-8.
fn utf8(value: Option<&[u8]>) -> Result<Option<&str>, OpenError> {
    value
        .map(std::str::from_utf8)
        .transpose()
        .map_err(|_| OpenError::Malformed)
}

/// What a search for one cookie name found so far: how many pairs had the name, and the value
/// of the last one.
struct Found<'h> {
    name: &'static str,
    count: usize,
    value: Option<&'h [u8]>,
}

impl<'h> Found<'h> {
    fn new(name: &'static str) -> Self {
        Self {
            name,
            count: 0,
            value: None,
        }
    }

    #[inline]
    fn see(&mut self, name: &[u8], value: &'h [u8]) {
        if name == self.name.as_bytes() {
            self.count += 1;
            self.value = Some(value);
        }
    }

    fn result(self) -> Result<Option<&'h [u8]>, OpenError> {
        match self.count {
            0 | 1 => Ok(self.value),
            count => Err(OpenError::DuplicateCookie {
                name: self.name,
                count,
            }),
        }
    }
}

/// A request's `Cookie:` header values split into pairs once, for every cookie type looked up
/// in them afterwards (the framework adapters keep one per request in its extensions): the
/// same pairs, byte-exact names, duplicates and errors as [`find`] and [`find_bytes`] over the
/// same header values, without walking the headers again. `H` is the framework's header value
/// (kept, not copied: a clone of one is a reference count).
///
/// A lookup walks the pairs found (16 bytes each), not the headers: a hostile header of
/// 390 KB of `;` has no pair at all, one of `a=;` repeated 130 K of them.
#[cfg_attr(
    not(middleware_adapter),
    allow(dead_code) // only the framework adapters keep the pairs of a request
)]
pub(crate) struct CookiePairs<H> {
    /// The first header value (a browser sends one), then any others (HTTP/2 may split the
    /// cookies over several): one allocation fewer per request in the usual case.
    first: Option<Parsed<H>>,
    rest: Vec<Parsed<H>>,
    pairs: Vec<Pair>,
}

/// One header value and where its pairs are.
struct Parsed<H> {
    value: H,
    /// Its pairs in [`CookiePairs::pairs`]; `None` for a value too long for `u32` offsets
    /// (4 GiB: no server takes such a header), split again on each lookup.
    pairs: Option<Range<usize>>,
}

/// A pair's name and value as `start..end` offsets into its header value, trimmed.
#[derive(Clone, Copy)]
struct Pair {
    name: (u32, u32),
    value: (u32, u32),
}

thread_local! {
    /// How many times [`CookiePairs::parse`] ran on this thread (tests count parses per request).
    static PARSES: Cell<u64> = const { Cell::new(0) };
}

/// How many `Cookie:` header parses ([`CookiePairs::parse`]) this thread has made.
#[cfg_attr(not(adapter), allow(dead_code))]
pub(crate) fn parses_on_this_thread() -> u64 {
    PARSES.with(Cell::get)
}

#[cfg_attr(not(middleware_adapter), allow(dead_code))]
impl<H: AsRef<[u8]>> CookiePairs<H> {
    /// The pairs of a request's `Cookie:` header values (all of them, in order).
    pub(crate) fn parse(headers: impl IntoIterator<Item = H>) -> Self {
        PARSES.with(|parses| parses.set(parses.get() + 1));
        Self::parse_indexing_up_to(headers, u32::MAX as usize)
    }

    /// [`CookiePairs::parse`], keeping the pairs of header values up to `limit` bytes long
    /// (longer ones are split again on each lookup; a test lowers it).
    fn parse_indexing_up_to(headers: impl IntoIterator<Item = H>, limit: usize) -> Self {
        let mut pairs = Vec::new();
        let mut headers = headers.into_iter().map(|value| {
            let bytes = value.as_ref();
            let indexed = (bytes.len() <= limit).then(|| {
                let first = pairs.len();
                let mut ranges = pair_ranges(bytes).peekable();
                if pairs.capacity() == 0 && ranges.peek().is_some() {
                    // Room for a usual request's cookies at once (not 4, then 8).
                    pairs.reserve(8);
                }
                // In range: every offset is at most `bytes.len() <= limit <= u32::MAX`.
                let offsets = |r: Range<usize>| (r.start as u32, r.end as u32);
                pairs.extend(ranges.map(|(name, value)| Pair {
                    name: offsets(name),
                    value: offsets(value),
                }));
                first..pairs.len()
            });
            Parsed {
                value,
                pairs: indexed,
            }
        });
        let first = headers.next();
        let rest = headers.collect();
        Self { first, rest, pairs }
    }

    /// The parsed header values, in order.
    fn headers(&self) -> impl Iterator<Item = &Parsed<H>> {
        self.first.iter().chain(&self.rest)
    }

    /// Whether these are the pairs of `current`, a request's `Cookie:` header values now:
    /// the same values, in the same order (the same bytes in memory, or equal bytes). A layer
    /// that changed the request's `Cookie:` header after the parse makes it stale.
    pub(crate) fn parse_of<'c>(&self, current: impl IntoIterator<Item = &'c [u8]>) -> bool {
        let mut parsed = self.headers();
        for now in current {
            let Some(then) = parsed.next() else {
                return false;
            };
            let then = then.value.as_ref();
            // Our copy of the value keeps its bytes alive, so the same address and length is
            // the same bytes; else compare them.
            let same = (then.as_ptr() == now.as_ptr() && then.len() == now.len()) || then == now;
            if !same {
                return false;
            }
        }
        parsed.next().is_none()
    }

    /// [`find_bytes`] over the parsed header values.
    pub(crate) fn find_bytes(&self, name: &'static str) -> Result<Option<&[u8]>, OpenError> {
        let mut found = Found::new(name);
        let len = name.len();
        for parsed in self.headers() {
            let bytes = parsed.value.as_ref();
            match &parsed.pairs {
                Some(range) => {
                    for pair in &self.pairs[range.clone()] {
                        let (start, end) = (pair.name.0 as usize, pair.name.1 as usize);
                        if end - start == len {
                            let value = &bytes[pair.value.0 as usize..pair.value.1 as usize];
                            found.see(&bytes[start..end], value);
                        }
                    }
                }
                None => {
                    for (pair_name, value) in pairs(bytes) {
                        found.see(pair_name, value);
                    }
                }
            }
        }
        found.result()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(header: &str) -> Vec<String> {
        pairs(header.as_bytes())
            .map(|(n, v)| {
                format!(
                    "{}={}",
                    String::from_utf8_lossy(n),
                    String::from_utf8_lossy(v)
                )
            })
            .collect()
    }

    #[test]
    fn splits_on_semicolons_and_trims_only_sp_and_htab() {
        assert_eq!(names("a=1; b=2;c=3"), ["a=1", "b=2", "c=3"]);
        assert_eq!(names(" \t a \t= \t1 \t;"), ["a=1"]);
        assert_eq!(names("a==b=; nameless; =v"), ["a==b=", "=v"]);
        assert_eq!(names("\u{a0}a=1\u{2000}"), ["\u{a0}a=1\u{2000}"]);
        assert_eq!(names("\na=1\r"), ["\na=1\r"]);
        assert_eq!(names(""), Vec::<String>::new());
    }

    /// The word-at-a-time search against `position`: every needle byte at every place (and
    /// a second one after it, the case where the word trick marks later bytes wrongly), over
    /// every length across the direct head and into `memchr`'s part, with every byte value
    /// as filler.
    #[test]
    fn find_byte_and_find_either_are_position() {
        for len in 0..40 {
            for filler in [0u8, 1, b' ', b';' - 1, b'=' + 1, 0x7f, 0x80, 0xbb, 0xff] {
                for at in 0..=len {
                    for second in [None, Some(at + 1), Some(at + 8)] {
                        let mut hay = vec![filler; len];
                        if let Some(byte) = hay.get_mut(at) {
                            *byte = b';';
                        }
                        if let Some(byte) = second.and_then(|i| hay.get_mut(i)) {
                            *byte = b'=';
                        }
                        let want = hay.iter().position(|&b| b == b';');
                        assert_eq!(find_byte(b';', &hay), want, "{hay:?}");
                        let want = hay.iter().position(|&b| b == b';' || b == b'=');
                        assert_eq!(find_either(b'=', b';', &hay), want, "{hay:?}");
                    }
                }
            }
        }
    }

    /// The splitter against the rule it implements, written the obvious way (split on `;`,
    /// the first `=` of a piece, trim SP and HTAB), over pseudo-random headers of separators,
    /// whitespace, name bytes and non-UTF-8 bytes, long pieces included.
    #[test]
    fn pairs_are_split_as_the_rule_says() {
        fn trim(bytes: &[u8]) -> &[u8] {
            let ows = |b: &u8| *b == b' ' || *b == b'\t';
            let start = bytes.iter().position(|b| !ows(b)).unwrap_or(bytes.len());
            let end = bytes.iter().rposition(|b| !ows(b)).map_or(start, |i| i + 1);
            &bytes[start..end]
        }
        fn reference(header: &[u8]) -> Vec<(&[u8], &[u8])> {
            header
                .split(|&b| b == b';')
                .filter_map(|piece| {
                    let eq = piece.iter().position(|&b| b == b'=')?;
                    Some((trim(&piece[..eq]), trim(&piece[eq + 1..])))
                })
                .collect()
        }
        const BYTES: &[u8] = b"a=; \tb=;;==\xff\xa0";
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..20_000 {
            let len = (next() % if round % 10 == 0 { 200 } else { 24 }) as usize;
            let header: Vec<u8> = (0..len)
                .map(|_| BYTES[(next() % BYTES.len() as u64) as usize])
                .collect();
            assert_eq!(
                pairs(&header).collect::<Vec<_>>(),
                reference(&header),
                "{header:?}"
            );
        }
    }

    /// The header values of the lookup tests: the splitter's edge cases, look-alikes,
    /// duplicates within and across headers, non-UTF-8 bytes.
    fn cases() -> Vec<Vec<&'static [u8]>> {
        vec![
            vec![],
            vec![b""],
            vec![b"sid=v"],
            vec![b" \t sid \t= \tv \t;x=1"],
            vec![b"a=1; sid=v; b=2", b"c=3"],
            vec![b"sid=v", b"a=1; sid=w"],
            vec![b"sid=v; sid=w; sid=x"],
            vec![b"sid==v=; sid"],
            vec![b";;;;sid;=v;sid\t; x"],
            vec![b"\xe2\x80\x80sid=v; SID=w; sid\xc2\xa0=x"],
            vec![b"sid=\xff\xfe"],
            vec![b"sid=\xff", b"x=\xfe"],
            vec![b"x", b"", b"sid=last"],
            vec![b"sidx=1; xsid=2; si=3; sid =4"],
        ]
    }

    #[test]
    fn cookie_pairs_answer_as_the_header_scan_does() {
        for headers in cases() {
            // Every offset kept (the limit of a real parse), none, and some.
            for limit in [u32::MAX as usize, 0, 6] {
                let parsed = CookiePairs::parse_indexing_up_to(headers.iter().copied(), limit);
                for name in ["sid", "x", "a", "SID", "si", "sidx"] {
                    assert_eq!(
                        parsed.find_bytes(name),
                        find_bytes(headers.iter().copied(), name),
                        "{headers:?} {name} {limit}"
                    );
                }
            }
        }
    }

    #[test]
    fn cookie_pairs_are_parsed_once_and_keep_only_pairs() {
        let before = parses_on_this_thread();
        let hostile = ";".repeat(390 * 1024);
        let parsed = CookiePairs::parse([hostile.as_bytes()]);
        assert_eq!(parses_on_this_thread(), before + 1);
        assert!(parsed.pairs.is_empty());
        assert_eq!(parsed.find_bytes("sid"), Ok(None));
        assert_eq!(
            parses_on_this_thread(),
            before + 1,
            "a lookup does not parse"
        );
        let many = "a=;".repeat(1000);
        assert_eq!(CookiePairs::parse([many.as_bytes()]).pairs.len(), 1000);
    }

    #[test]
    fn cookie_pairs_know_the_header_values_they_were_parsed_from() {
        let (one, two) = (b"a=1; sid=v".to_vec(), b"b=2".to_vec());
        let parsed = CookiePairs::parse([one.as_slice(), two.as_slice()]);
        assert!(parsed.parse_of([one.as_slice(), two.as_slice()]));
        // Equal bytes elsewhere in memory: the same header.
        let copy = one.clone();
        assert!(parsed.parse_of([copy.as_slice(), two.as_slice()]));
        // Changed, reordered, added, removed: stale.
        assert!(!parsed.parse_of([b"a=1; sid=w".as_slice(), two.as_slice()]));
        assert!(!parsed.parse_of([two.as_slice(), one.as_slice()]));
        assert!(!parsed.parse_of([one.as_slice(), two.as_slice(), b"c=3".as_slice()]));
        assert!(!parsed.parse_of([one.as_slice()]));
        assert!(!parsed.parse_of(std::iter::empty()));
        assert!(CookiePairs::<&[u8]>::parse([]).parse_of(std::iter::empty()));
        // The same address but a shorter value (a slice of the kept one) is another value.
        assert!(!parsed.parse_of([&one[..5], two.as_slice()]));
    }

    #[test]
    fn finds_exact_names_only_across_headers() {
        fn find<'h>(headers: &[&'h str]) -> Result<Option<&'h str>, OpenError> {
            super::find(headers.iter().map(|h| h.as_bytes()), "__Host-sid")
        }
        assert_eq!(find(&[]), Ok(None));
        assert_eq!(find(&["x=1", "__Host-sid=v"]), Ok(Some("v")));
        assert_eq!(find(&["__host-sid=v; \u{2000}__Host-sid=w"]), Ok(None));
        assert_eq!(
            find(&["__Host-sid=v", "a=1; __Host-sid=w"]),
            Err(OpenError::DuplicateCookie {
                name: "__Host-sid",
                count: 2
            })
        );
        assert_eq!(
            find(std::slice::from_ref(&"__Host-sid=\u{fffd}")),
            Ok(Some("\u{fffd}"))
        );
        assert_eq!(
            super::find([&b"__Host-sid=\xff"[..]], "__Host-sid"),
            Err(OpenError::Malformed)
        );
    }
}
