//! The `queue-server` binary: everything lives in the library; this only hands over the
//! command line.

fn main() -> std::process::ExitCode {
    queue_server::cli::main()
}
