//! A request's `Cookie:` header values, split into pairs once per request: the adapters keep
//! the split in the request's extensions and every later middleware or extractor looks its
//! name up there. The splitting itself (and the byte-exact lookup) is the cookie layer's
//! `cookie_header` module; this is the per-request cache around it.
//!
//! An extractor (and axum's guarded middleware, which reads its cookie before the handler
//! only) that finds no split kept and a short header ([`DIRECT_READ_MAX`]) reads it directly
//! and keeps nothing ([`extractor_cookies`]): keeping a split costs allocations (the pairs, the
//! extensions' map, its entry) worth more than walking a short header again.

#[cfg(middleware_adapter)]
use std::sync::Arc;

#[cfg(middleware_adapter)]
use crate::cookie::cookie_header::find_bytes;
#[cfg(middleware_adapter)]
pub(crate) use crate::cookie::cookie_pairs::CookiePairs;
#[cfg(middleware_adapter)]
use crate::error::OpenError;

/// A request's `Cookie:` header values split into pairs, as the adapters keep them in its
/// extensions: `cached`, the pairs a middleware or extractor before this one kept, when they
/// are still those of `current()` (the request's `Cookie:` header values now); else a new split
/// of them, and `true`: keep it in the request's extensions for the next one. A layer
/// that changed the header in between gets its change read, never an old split.
#[cfg(middleware_adapter)]
pub(crate) fn cached_pairs<'c, H, I>(
    cached: Option<&Arc<CookiePairs<H>>>,
    current: impl Fn() -> I,
) -> (Arc<CookiePairs<H>>, bool)
where
    H: AsRef<[u8]> + Clone + 'c,
    I: Iterator<Item = &'c H>,
{
    match cached {
        Some(cached) if cached.parse_of(current().map(AsRef::as_ref)) => (cached.clone(), false),
        _ => (Arc::new(CookiePairs::parse(current().cloned())), true),
    }
}

/// The longest `Cookie:` header (all values together, in bytes) that an extractor reads
/// directly when no split is kept: walking a header this short once more (a `memchr` over
/// its values, a few comparisons per pair) costs less than keeping a split of it for a later
/// reader. A longer one, a hostile one among them, is split once and kept, as the refresh
/// middlewares always do (they read the cookie again after the handler).
#[cfg(middleware_adapter)]
pub(crate) const DIRECT_READ_MAX: usize = 1024;

/// What an extractor reads a cookie from: as [`cached_pairs`] (the kept split when it is
/// still the one of `current()`, else a new split, which the adapter keeps for the next
/// reader), except that when no split was kept at all and the header values are at most
/// [`DIRECT_READ_MAX`] bytes in all, the values themselves, read directly, nothing kept. (A
/// stale split means a middleware reads this request's cookies: the new one is kept for it as
/// before.)
#[cfg(middleware_adapter)]
pub(crate) fn extractor_cookies<'c, H, I, F>(
    cached: Option<&Arc<CookiePairs<H>>>,
    current: F,
) -> ExtractorCookies<H, F>
where
    H: AsRef<[u8]> + Clone + 'c,
    I: Iterator<Item = &'c H>,
    F: Fn() -> I,
{
    if cached.is_some() {
        let (pairs, new) = cached_pairs(cached, &current);
        return ExtractorCookies::Split { pairs, new };
    }
    let mut len = 0usize;
    for value in current() {
        len = len.saturating_add(value.as_ref().len());
        if len > DIRECT_READ_MAX {
            let pairs = Arc::new(CookiePairs::parse(current().cloned()));
            return ExtractorCookies::Split { pairs, new: true };
        }
    }
    ExtractorCookies::Direct(current)
}

/// A request's cookies as an extractor reads them ([`extractor_cookies`]).
#[cfg(middleware_adapter)]
pub(crate) enum ExtractorCookies<H, F> {
    /// The split kept for the request, or a new one (`new`: the adapter keeps it in the
    /// request's extensions).
    Split {
        /// The pairs.
        pairs: Arc<CookiePairs<H>>,
        /// Made by this read.
        new: bool,
    },
    /// A short header and no split kept: its values (`current()`), walked directly.
    Direct(F),
}

#[cfg(middleware_adapter)]
impl<'c, H, I, F> ExtractorCookies<H, F>
where
    H: AsRef<[u8]> + 'c,
    I: Iterator<Item = &'c H>,
    F: Fn() -> I,
{
    /// The split this read made, for the adapter to keep in the request's extensions.
    pub(crate) fn new_split(&self) -> Option<&Arc<CookiePairs<H>>> {
        match self {
            Self::Split { pairs, new: true } => Some(pairs),
            _ => None,
        }
    }

    /// `name`'s value, byte-exact, as the cookie layer's lookup finds it (a duplicated name
    /// is [`OpenError::DuplicateCookie`]).
    pub(crate) fn find_bytes<'s>(
        &'s self,
        name: &'static str,
    ) -> Result<Option<&'s [u8]>, OpenError>
    where
        'c: 's,
    {
        match self {
            Self::Split { pairs, .. } => pairs.find_bytes(name),
            Self::Direct(current) => find_bytes(current().map(AsRef::as_ref), name),
        }
    }
}
