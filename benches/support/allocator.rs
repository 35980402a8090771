//! The benches' global allocator: the daemon's (jemalloc, see `src/main.rs`) unless
//! `BENCH_ALLOCATOR` names another when the bench is compiled: `system` (glibc's malloc) or
//! `mimalloc`. The allocator's share of peak RSS is then measured on the same code, e.g.
//! `BENCH_ALLOCATOR=system cargo bench --bench backup` (Cargo rebuilds only the bench).

use std::alloc::{GlobalAlloc, Layout, System};

use mimalloc::MiMalloc;
use tikv_jemallocator::Jemalloc;

/// The allocator this bench was compiled with.
#[allow(dead_code)] // not every bench prints it
pub const NAME: &str = match option_env!("BENCH_ALLOCATOR") {
    Some(name) => name,
    None => "jemalloc",
};
const SYSTEM: bool = is("system");
const MIMALLOC: bool = is("mimalloc");
const _: () = assert!(
    SYSTEM || MIMALLOC || is("jemalloc"),
    "BENCH_ALLOCATOR: system, jemalloc or mimalloc"
);

const fn is(name: &str) -> bool {
    let (a, b) = (NAME.as_bytes(), name.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Forwards to the allocator chosen at compile time (the branches are constants).
pub struct BenchAllocator;

#[global_allocator]
static ALLOCATOR: BenchAllocator = BenchAllocator;

/// The daemon's jemalloc options (see `src/main.rs`); used only when jemalloc is chosen.
#[allow(non_upper_case_globals)]
#[export_name = "_rjem_malloc_conf"]
pub static _rjem_malloc_conf: &[u8] =
    b"background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0\0";

// SAFETY: every call is forwarded unchanged to one allocator, the same one for the whole life
// of the process, so memory is always freed by the allocator that handed it out.
unsafe impl GlobalAlloc for BenchAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if SYSTEM {
            System.alloc(layout)
        } else if MIMALLOC {
            MiMalloc.alloc(layout)
        } else {
            Jemalloc.alloc(layout)
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if SYSTEM {
            System.alloc_zeroed(layout)
        } else if MIMALLOC {
            MiMalloc.alloc_zeroed(layout)
        } else {
            Jemalloc.alloc_zeroed(layout)
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if SYSTEM {
            System.dealloc(ptr, layout)
        } else if MIMALLOC {
            MiMalloc.dealloc(ptr, layout)
        } else {
            Jemalloc.dealloc(ptr, layout)
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if SYSTEM {
            System.realloc(ptr, layout, new_size)
        } else if MIMALLOC {
            MiMalloc.realloc(ptr, layout, new_size)
        } else {
            Jemalloc.realloc(ptr, layout, new_size)
        }
    }
}
