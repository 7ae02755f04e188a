//! Reading `Cookie:` request header text: finding one cookie among a request's `Cookie:`
//! headers ([`find`], [`find_bytes`]) with our own byte-exact splitter ([`pairs`]; a general
//! parser's Unicode trimming let look-alike names through). The same headers split once, for
//! the framework adapters to keep per request, are `CookiePairs` (`cookie_pairs.rs`).

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

/// [`pairs`] as byte ranges of `header`: what [`CookiePairs`](super::cookie_pairs::CookiePairs)
/// keeps. One pass: the next `=` or `;` ends a name (a `;` first: a piece without `=`,
/// skipped), the next `;` after the `=` ends the value.
pub(super) fn pair_ranges(
    header: &[u8],
) -> impl Iterator<Item = (Range<usize>, Range<usize>)> + '_ {
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
pub(super) struct Found<'h> {
    name: &'static str,
    count: usize,
    value: Option<&'h [u8]>,
}

impl<'h> Found<'h> {
    pub(super) fn new(name: &'static str) -> Self {
        Self {
            name,
            count: 0,
            value: None,
        }
    }

    #[inline]
    pub(super) fn see(&mut self, name: &[u8], value: &'h [u8]) {
        if name == self.name.as_bytes() {
            self.count += 1;
            self.value = Some(value);
        }
    }

    pub(super) fn result(self) -> Result<Option<&'h [u8]>, OpenError> {
        match self.count {
            0 | 1 => Ok(self.value),
            count => Err(OpenError::DuplicateCookie {
                name: self.name,
                count,
            }),
        }
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
