//! The `tablevault` binary: everything lives in the library; see [`tablevault::cli`].

fn main() -> std::process::ExitCode {
    tablevault::cli::main()
}
