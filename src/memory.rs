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

/// Turns transparent huge pages off for qcls's process, unless the user chose with
/// `MIMALLOC_ALLOW_THP`. mimalloc asks for huge pages (`MADV_HUGEPAGE`), and a 2 MiB page is
/// resident as soon as one byte of it is touched; where free memory is fragmented (after
/// another process freed a lot, as Python's `onnx.load` does) the kernel may compact memory to
/// find one, on the first touch. Measured on the VM of BENCHMARKS.md, fresh processes each run
/// after another one had freed 2.2 GB: the server held 103 MiB instead of 124 after opening the
/// 6.5 MB config; `qcls check` of a one-entry config with the 1 GiB model took 32–39 ms with
/// 38 MiB instead of 29–120 ms with 61 MiB, and of the 6.5 MB config 66–82 ms with 83 MiB
/// instead of 64–223 ms (p50 188) with 113 MiB. Huge pages win when the kernel has them at
/// hand (that config's p50 was 52 against 69 ms in another hour of the VM), but qcls would
/// rather be steady and small.
pub fn without_huge_pages() {
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
        return;
    }
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and only sets a flag of this process;
    // on a kernel without it the call fails with EINVAL and nothing changes.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

unsafe extern "C" {
    fn mi_collect(force: bool);
}
