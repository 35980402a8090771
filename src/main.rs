//! The `tablevault` binary: everything lives in the library; see [`tablevault::cli`].

/// jemalloc instead of glibc's malloc: with glibc a backup's peak RSS drifted up with the
/// table's size from run to run (freed batches stay in per-thread arenas); with jemalloc it
/// stays flat, and mimalloc held more. Figures in docs/performance.md; the benches use the same
/// allocator (benches/support/allocator.rs).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    tablevault::cli::main()
}
