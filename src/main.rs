//! The `zammad-links-mock` binary: parse the command line, start the server, wait for it.

use std::process::ExitCode;

use clap::Parser;
use zammad_links_mock::cli::Cli;
use zammad_links_mock::error_chain;

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = Cli::parse();
    for name in Cli::unknown_env_vars() {
        log::warn!("ignoring unknown environment variable {name}");
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("zammad-links-mock: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    let builder = cli.into_builder().map_err(|e| error_chain(&e))?;
    let server = builder.try_start().map_err(|e| error_chain(&e))?;
    log::info!("serving Zammad's Links API on {}", server.uri());
    server.wait().map_err(|e| error_chain(&*e))
}
