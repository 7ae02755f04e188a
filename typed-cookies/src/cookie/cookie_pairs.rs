//! [`CookiePairs`]: a request's `Cookie:` header values split into pairs once (by the
//! `cookie_header` splitter), which the framework adapters keep per request so that each
//! middleware and extractor looks its name up without walking the whole header again.

use std::cell::Cell;
use std::ops::Range;

use super::cookie_header::{pair_ranges, pairs, Found};
use crate::error::OpenError;

/// A request's `Cookie:` header values split into pairs once, for every cookie type looked up
/// in them afterwards (the framework adapters keep one per request in its extensions): the
/// same pairs, byte-exact names, duplicates and errors as [`find`](super::cookie_header::find) and
/// [`find_bytes`](super::cookie_header::find_bytes) over the
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

    /// [`find_bytes`](super::cookie_header::find_bytes) over the parsed header values.
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
    use crate::cookie::cookie_header::find_bytes;

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
}
