//! The `zammad-links-mock` binary; everything it does is the library's `cli::main`.

fn main() -> std::process::ExitCode {
    zammad_links_mock::cli::main()
}
