//! The `tablevault` binary: everything lives in the library; see [`tablevault::cli`].

/// jemalloc instead of glibc's malloc: with glibc a backup's peak RSS drifted up with the
/// table's size from run to run (freed batches stay in per-thread arenas); with jemalloc it
/// stays flat, and mimalloc held more. Figures in docs/performance.md; the benches use the same
/// allocator (benches/support/allocator.rs).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read when it starts (`_RJEM_MALLOC_CONF` in the environment still
/// overrides them): background threads hand freed pages back to the system within about a
/// second instead of ten, which took a MongoDB backup's peak RSS from 92 to 75 MiB at 1M rows
/// (docs/performance.md). benches/support/allocator.rs sets the same.
#[allow(non_upper_case_globals)]
#[export_name = "_rjem_malloc_conf"]
pub static _rjem_malloc_conf: &[u8] =
    b"background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0\0";

fn main() -> std::process::ExitCode {
    tablevault::cli::main()
}
