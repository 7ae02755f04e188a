//! [`ScanningAlloc`]: a global allocator for test binaries that looks into every block when it
//! is freed (by `dealloc`, or by a `realloc` that moves it) for a few byte strings the test is
//! [`watch`]ing — key material, a plaintext canary — and counts the blocks that still hold
//! one. That is how `tests/hygiene.rs` checks that secrets are wiped before their
//! memory goes back to the allocator, which cannot be observed without `unsafe`.
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOC: typed_cookies_testkit::ScanningAlloc = typed_cookies_testkit::ScanningAlloc;
//!
//! let watch = typed_cookies_testkit::watch(&[b"PLAINTEXT-CANARY"]);
//! do_something_secret();
//! assert_eq!(watch.hits(), 0, "a freed block still held the canary");
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock};

/// Most byte strings watched at once.
pub const MAX_NEEDLES: usize = 4;
/// Longest byte string that can be watched.
pub const MAX_NEEDLE_LEN: usize = 64;

/// One watched byte string, in static storage: the allocator must not allocate while it
/// scans, and the test must not allocate (which would re-enter the allocator) while setting it.
struct Slot {
    len: AtomicUsize,
    bytes: [AtomicU8; MAX_NEEDLE_LEN],
    hits: AtomicUsize,
}

#[allow(clippy::declare_interior_mutable_const)] // used only to initialise `SLOTS` below
const EMPTY_SLOT: Slot = Slot {
    len: AtomicUsize::new(0),
    bytes: [const { AtomicU8::new(0) }; MAX_NEEDLE_LEN],
    hits: AtomicUsize::new(0),
};

static SLOTS: [Slot; MAX_NEEDLES] = [EMPTY_SLOT; MAX_NEEDLES];
static ARMED: AtomicBool = AtomicBool::new(false);
/// Held for reading while a freed block is scanned, for writing while the needles change: so
/// a scan never sees half-written needles, and never counts a hit after the counts were reset.
/// (Futex-based on the platforms we test on: taking it does not allocate.)
static CHANGING: RwLock<()> = RwLock::new(());
/// One [`Watch`] at a time (tests of one binary run in parallel).
static WATCHING: Mutex<()> = Mutex::new(());

/// A global allocator for tests: the system allocator, except that every block is zeroed when
/// handed out (so the scan below only reads initialised bytes, and a hit is never residue of
/// an earlier, unrelated block), every `realloc` moves the block (as a real allocator may), and
/// while a [`Watch`] is active each freed block is searched for the watched byte strings.
pub struct ScanningAlloc;

#[allow(unsafe_code)]
// SAFETY (whole impl): every call forwards to `System` with the caller's layout; the only
// memory read is the block being freed, `layout.size()` bytes from `ptr`, which the caller
// guarantees is a live block of that layout, and which `alloc`/`realloc` below zeroed when they
// handed it out (bytes written since are the program's).
unsafe impl GlobalAlloc for ScanningAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        System.alloc_zeroed(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        System.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        scan(std::slice::from_raw_parts(ptr, layout.size()));
        System.dealloc(ptr, layout);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        let new = System.alloc_zeroed(new_layout);
        if !new.is_null() {
            std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
            self.dealloc(ptr, layout);
        }
        new
    }
}

/// Counts a hit for every watched byte string that `block` contains.
fn scan(block: &[u8]) {
    if !ARMED.load(Ordering::Acquire) {
        return;
    }
    let _stable = CHANGING.read().unwrap_or_else(PoisonError::into_inner);
    if !ARMED.load(Ordering::Acquire) {
        return;
    }
    for slot in &SLOTS {
        let len = slot.len.load(Ordering::Acquire);
        if len == 0 || len > block.len() {
            continue;
        }
        let mut needle = [0u8; MAX_NEEDLE_LEN];
        for (b, stored) in needle.iter_mut().zip(&slot.bytes[..len]) {
            *b = stored.load(Ordering::Relaxed);
        }
        if block.windows(len).any(|w| w == &needle[..len]) {
            slot.hits.fetch_add(1, Ordering::AcqRel);
        }
    }
}

/// Watches `needles` (at most [`MAX_NEEDLES`], each 1 to [`MAX_NEEDLE_LEN`] bytes) in every
/// block freed until the returned guard is dropped. Blocks until no other `Watch` is active.
/// Only meaningful in a binary whose global allocator is [`ScanningAlloc`].
///
/// # Panics
/// On too many or badly sized needles.
pub fn watch(needles: &[&[u8]]) -> Watch {
    assert!(
        needles.len() <= MAX_NEEDLES,
        "at most {MAX_NEEDLES} needles"
    );
    let exclusive = WATCHING.lock().unwrap_or_else(PoisonError::into_inner);
    assert!(needles.iter().all(|n| !n.is_empty()), "empty needle");
    let changing = CHANGING.write().unwrap_or_else(PoisonError::into_inner);
    for (slot, needle) in SLOTS
        .iter()
        .zip(needles.iter().map(Some).chain(std::iter::repeat(None)))
    {
        let needle: &[u8] = needle.copied().unwrap_or_default();
        assert!(
            needle.len() <= MAX_NEEDLE_LEN,
            "needle over {MAX_NEEDLE_LEN} bytes"
        );
        slot.len.store(0, Ordering::Release);
        for (stored, &b) in slot.bytes.iter().zip(needle) {
            stored.store(b, Ordering::Relaxed);
        }
        slot.hits.store(0, Ordering::Release);
        slot.len.store(needle.len(), Ordering::Release);
    }
    ARMED.store(true, Ordering::Release);
    drop(changing);
    Watch {
        _exclusive: exclusive,
    }
}

/// An active watch (see [`watch`]); dropping it stops scanning and forgets the needles.
pub struct Watch {
    _exclusive: MutexGuard<'static, ()>,
}

impl Watch {
    /// How many freed blocks held each watched byte string so far, in the order given.
    pub fn hits(&self) -> [usize; MAX_NEEDLES] {
        std::array::from_fn(|i| SLOTS[i].hits.load(Ordering::Acquire))
    }

    /// Freed blocks that held any watched byte string (a block with two counts twice).
    pub fn total_hits(&self) -> usize {
        self.hits().iter().sum()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _changing = CHANGING.write().unwrap_or_else(PoisonError::into_inner);
        ARMED.store(false, Ordering::Release);
        for slot in &SLOTS {
            slot.len.store(0, Ordering::Release);
            for b in &slot.bytes {
                b.store(0, Ordering::Relaxed);
            }
        }
    }
}
