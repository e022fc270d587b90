//! Giving memory back to the system after big work.
//!
//! mimalloc keeps the pages that big work freed (the frame of a 6.5 MB `didOpen`, the parser's
//! stack of 100,000 members, the text of a closed document) for reuse, and gives them back only
//! when later allocations happen to trigger it. A server that went idle after opening a big
//! config kept about 30 MiB it no longer used. [`release_freed`] gives them back at once.

/// Work on a document this big frees enough memory to be worth giving back.
pub const BIG_DOCUMENT_BYTES: usize = 1 << 20;

/// Returns the memory freed so far to the system. About 1 ms after a 6.5 MB config is
/// checked, so it is called when the work is done, never on the way to an answer.
pub fn release_freed() {
    // SAFETY: `mi_collect` belongs to the mimalloc linked as the global allocator; it takes no
    // pointer and only hands pages that hold no live allocation back to the system.
    unsafe { mi_collect(true) }
}

unsafe extern "C" {
    fn mi_collect(force: bool);
}
